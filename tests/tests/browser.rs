//! The web pages in a real browser: Debian's Chromium, driven by the playwright-core scripts in
//! `tests/browser/` against the whole system on a real nats-server. Each script gets the base URL,
//! tokens and file paths in `JVAP_*` variables and exits non-zero with its reason when a check fails.
//!
//! Needs `/usr/bin/chromium` and `tests/browser/node_modules` (`make setup` installs both). With
//! `JVAP_SCREENSHOTS=1` the scripts write the main pages to `docs/screenshots/<lang>-<page>.png`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use calamine::{Data, Reader, open_workbook_auto};
use jvap_tests::{Backend, Client, System, manifest, samples_dir};
use rust_xlsxwriter::{Format, Workbook};

const SAMPLE: &str = "GMB_MoI_JVAP_2022.xlsx";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_fixes_a_rejected_file_and_an_analyst_downloads_the_dataset_in_english() {
    partner_and_analyst_flows("en").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_fixes_a_rejected_file_and_an_analyst_downloads_the_dataset_in_french() {
    partner_and_analyst_flows("fr").await;
}

async fn partner_and_analyst_flows(lang: &str) {
    // Arrange
    let system = System::start(Backend::Sqlite).await.expect("system starts");
    let partner = system
        .admin
        .issue("partner", Some("GMB"))
        .await
        .expect("partner token");
    let analyst = system
        .admin
        .issue("analyst", None)
        .await
        .expect("analyst token");
    let files = tempfile::tempdir().expect("temp dir");
    let rejected = samples_dir().join(SAMPLE);
    let corrected = files.path().join("GMB_MoI_JVAP_2022_corrected.xlsx");
    let cells = expected_error_cells();
    write_corrected(&rejected, &corrected).expect("corrected workbook written");
    let paymaster = files.path().join("paymaster.csv");
    let paymaster_next = files.path().join("paymaster_next.csv");
    std::fs::write(&paymaster, paymaster_csv("Niger")).expect("written");
    std::fs::write(&paymaster_next, paymaster_csv("Mali")).expect("written");
    let env = [
        ("JVAP_LANG", lang.to_string()),
        ("JVAP_TOKEN", partner.token.clone()),
        ("JVAP_ANALYST_TOKEN", analyst.token.clone()),
        ("JVAP_ADMIN_TOKEN", system.admin.token.clone()),
        ("JVAP_REJECTED_FILE", path_text(&rejected)),
        ("JVAP_CORRECTED_FILE", path_text(&corrected)),
        ("JVAP_EXPECT_CELLS", cells.join(",")),
        ("JVAP_DOWNLOAD_DIR", path_text(files.path())),
        ("JVAP_MAPPING_FILE", path_text(&paymaster)),
        ("JVAP_MAPPING_NEXT_FILE", path_text(&paymaster_next)),
    ];

    // Act and assert: each script checks its own flow.
    for script in ["partner.mjs", "analyst.mjs", "admin.mjs"] {
        run_script(script, &system.admin, &env).await;
    }
    system.shutdown().await.expect("clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_cannot_open_another_partners_submission_through_any_page_or_route() {
    // Arrange: GMB has a submission; SEN is signed in.
    let system = System::start(Backend::Sqlite).await.expect("system starts");
    let gmb = system
        .admin
        .issue("partner", Some("GMB"))
        .await
        .expect("GMB token");
    let sen = system
        .admin
        .issue("partner", Some("SEN"))
        .await
        .expect("SEN token");
    let bytes = std::fs::read(samples_dir().join(SAMPLE)).expect("sample readable");
    let (_, status) = gmb.submit(SAMPLE, bytes, None).await.expect("upload");
    let id = status["submission_id"].as_str().expect("id").to_string();
    gmb.wait_final(&id, false, Duration::from_secs(60))
        .await
        .expect("validated");

    // Act and assert: the bearer token of SEN gets nothing either.
    for path in [
        format!("/api/v1/submissions/{id}"),
        format!("/api/v1/submissions/{id}/report"),
        format!("/api/v1/submissions/{id}/annotated.xlsx?lang=fr"),
    ] {
        let (code, _) = sen.get_bytes(&path).await.expect("request");
        assert!(
            code == 403 || code == 404,
            "{path} answered {code} to SEN's token"
        );
    }
    let env = [
        ("JVAP_TOKEN", sen.token.clone()),
        ("JVAP_OTHER_SUBMISSION", id),
    ];
    run_script("isolation.mjs", &system.admin, &env).await;
    system.shutdown().await.expect("clean shutdown");
}

/// Run `node tests/browser/<script>` against the system; fail the test with node's output on failure.
async fn run_script(script: &str, admin: &Client, env: &[(&str, String)]) {
    let dir = browser_dir();
    assert!(
        Path::new("/usr/bin/chromium").exists()
            && dir.join("node_modules/playwright-core").exists(),
        "the browser tests need /usr/bin/chromium and tests/browser/node_modules: run `make setup`"
    );
    let downloads = tempfile::tempdir().expect("temp dir");
    let mut command = tokio::process::Command::new("node");
    command
        .arg(dir.join(script))
        .current_dir(&dir)
        .env("JVAP_BASE_URL", &admin.base)
        .env("JVAP_DOWNLOAD_DIR", downloads.path())
        .env("JVAP_SCREENSHOT_DIR", dir.join("../../docs/screenshots"))
        .kill_on_drop(true);
    for (name, value) in env {
        command.env(name, value);
    }
    let output = tokio::time::timeout(Duration::from_secs(300), command.output())
        .await
        .unwrap_or_else(|_| panic!("{script} ran for more than 5 minutes"))
        .expect("node runs");
    assert!(
        output.status.success(),
        "{script} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A CSV whose lead funder column is headed "Paymaster", which nothing reads as a funder; `place`
/// makes each file's bytes its own.
fn paymaster_csv(place: &str) -> String {
    format!(
        "Reference,Type,Title,Status,Start date,End date,JVAP domains,Countries of implementation,\
         Paymaster,Implementing organisations,Total budget,Currency\n\
         R1,Project,Border management training in {place},Ongoing,15/02/2021,31/12/2023,D4,Niger,\
         European Union,IOM,1200000,EUR\n"
    )
}

fn browser_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/browser"))
}

fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// The cells of the sample's errors, from the manifest.
fn expected_error_cells() -> Vec<String> {
    let entries = manifest().expect("manifest");
    let entry = entries
        .iter()
        .find(|entry| entry["file"] == SAMPLE)
        .expect("the sample is in the manifest");
    entry["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|error| error["cell"].as_str().expect("cell").to_string())
        .collect()
}

/// The right value for each erroneous cell of the sample (the manifest says what is wrong with each).
fn correction(column: &str) -> Option<&'static str> {
    Some(match column {
        "title" => "Border management training for immigration officers",
        "end_date" => "31/12/2030",
        "jvap_domains" => "D2",
        "jvap_priorities" => "1.1",
        "contact_email" => "lamin.jallow@moi.gov.gm",
        "budget" => "150000",
        _ => return None,
    })
}

/// Copy the sample's cells (values, dates as dates) into a new workbook, with the six errors corrected.
fn write_corrected(sample: &Path, out: &Path) -> anyhow::Result<()> {
    let entries = manifest()?;
    let entry = entries
        .iter()
        .find(|entry| entry["file"] == SAMPLE)
        .ok_or_else(|| anyhow::anyhow!("{SAMPLE} is not in the manifest"))?;
    let mut fixes = Vec::new();
    for error in entry["errors"].as_array().into_iter().flatten() {
        let column = error["column"].as_str().unwrap_or_default();
        let value = correction(column)
            .ok_or_else(|| anyhow::anyhow!("no correction for the column {column}"))?;
        let (row, col) = a1(error["cell"].as_str().unwrap_or_default())?;
        fixes.push((
            error["sheet"].as_str().unwrap_or_default().to_string(),
            row,
            col,
            value,
        ));
    }

    let mut source = open_workbook_auto(sample)?;
    let mut workbook = Workbook::new();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for name in source.sheet_names() {
        let range = source.worksheet_range(&name)?;
        let sheet = workbook.add_worksheet();
        sheet.set_name(&name)?;
        let (top, left) = range.start().unwrap_or((0, 0));
        for (r, c, cell) in range.cells() {
            let (row, col) = (top + r as u32, (left + c as u32) as u16);
            match cell {
                Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => {
                    sheet.write_string(row, col, text)?;
                }
                Data::Float(number) => {
                    sheet.write_number(row, col, *number)?;
                }
                Data::Int(number) => {
                    sheet.write_number(row, col, *number as f64)?;
                }
                Data::Bool(value) => {
                    sheet.write_boolean(row, col, *value)?;
                }
                Data::DateTime(value) => {
                    sheet.write_number_with_format(row, col, value.as_f64(), &date)?;
                }
                Data::Error(_) | Data::Empty => {}
            }
        }
        for (_, row, col, value) in fixes.iter().filter(|(sheet, ..)| *sheet == name) {
            sheet.write_string(*row, *col, *value)?;
        }
    }
    workbook.save(out)?;
    Ok(())
}

/// `C6` as the 0-based (row, column) (5, 2).
fn a1(cell: &str) -> anyhow::Result<(u32, u16)> {
    let split = cell
        .find(|c: char| c.is_ascii_digit())
        .ok_or_else(|| anyhow::anyhow!("{cell:?} is not an A1 cell"))?;
    let (letters, digits) = cell.split_at(split);
    let col = letters.bytes().fold(0u32, |acc, b| {
        acc * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    let row: u32 = digits.parse()?;
    Ok((row - 1, u16::try_from(col - 1)?))
}
