//! The `jvap` binary against the real services: intake, validation and aggregation on a real
//! nats-server, as a partner, an analyst and an admin would use it. (Its offline commands are
//! tested in `services/cli/tests/cli.rs`.)

use std::net::TcpListener;
use std::process::Output;

use calamine::{Reader, Xlsx, open_workbook};
use jvap_tests::{Backend, System};
use serde_json::Value;

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/samples/");

fn jvap(args: &[&str]) -> Output {
    let binary = jvap_tests::processes::binary("jvap").expect("the jvap binary");
    std::process::Command::new(binary)
        .args(args)
        .env_remove("JVAP_LANG")
        .env_remove("JVAP_SERVER")
        .env_remove("JVAP_TOKEN")
        .output()
        .expect("the jvap binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Run `jvap` off the async runtime (the services run on it).
async fn run(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        jvap(&args)
    })
    .await
    .expect("jvap ran")
}

fn args(server: &str, token: &str, rest: &[&str]) -> Vec<String> {
    let mut all = vec!["--server", server, "--token", token];
    all.extend_from_slice(rest);
    all.into_iter().map(String::from).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_submits_sees_its_errors_downloads_the_annotated_workbook_and_an_analyst_the_dataset()
 {
    // Arrange: a running system; the admin issues tokens with the CLI.
    let system = System::start(Backend::Sqlite).await.expect("system starts");
    let (server, admin) = (system.admin.base.clone(), system.admin.token.clone());
    let issue = |role: &str, partner: Option<&str>| {
        let mut rest = vec!["token", "issue", "--role", role];
        rest.extend(partner.map(|p| ["--partner", p]).into_iter().flatten());
        args(&server, &admin, &rest)
    };
    let output = run(issue("partner", Some("GMB"))).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let gambia = stdout(&output).trim().to_string();
    assert!(
        !gambia.is_empty() && !gambia.contains(' '),
        "only the token is printed"
    );
    let niger = stdout(&run(issue("partner", Some("NER"))).await)
        .trim()
        .to_string();
    let analyst = stdout(&run(issue("analyst", None)).await)
        .trim()
        .to_string();

    // Act and assert: a rejected file lists its six cells and exits 1.
    let gmb = format!("{SAMPLES}GMB_MoI_JVAP_2022.xlsx");
    let output = run(args(&server, &gambia, &["submit", &gmb, "--wait"])).await;
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}\n{}", stderr(&output));
    for cell in ["C6", "G7", "H9", "J10", "V11", "R13"] {
        assert!(out.contains(cell), "{cell} listed in:\n{out}");
    }
    let id = out
        .split_whitespace()
        .next()
        .expect("the submission id comes first")
        .to_string();

    // The annotated workbook, in French.
    let dir = tempfile::tempdir().expect("temp dir");
    let annotated = dir.path().join("annotated.xlsx");
    let annotated_str = annotated.to_str().expect("utf-8");
    let rest = [
        "--lang",
        "fr",
        "download",
        "annotated",
        &id,
        "-o",
        annotated_str,
    ];
    let output = run(args(&server, &gambia, &rest)).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let workbook: Xlsx<_> = open_workbook(&annotated).expect("an xlsx");
    assert_eq!(
        workbook.sheet_names().first().map(String::as_str),
        Some("Problèmes")
    );

    // Another partner cannot see it: the server's message, exit 1, in the language asked for.
    let output = run(args(&server, &niger, &["status", &id])).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("there is no submission"),
        "{}",
        stderr(&output)
    );
    let output = run(args(&server, &niger, &["--lang", "fr", "status", &id])).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(&format!("il n'y a pas d'envoi {id}")),
        "{}",
        stderr(&output)
    );

    // An accepted file exits 0 and lands in the dataset the analyst downloads.
    let ner = format!("{SAMPLES}NER_Donnees_JVAP_2022.xlsx");
    let output = run(args(&server, &niger, &["submit", &ner, "--wait"])).await;
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let dataset = dir.path().join("dataset.json");
    let dataset_str = dataset.to_str().expect("utf-8");
    let rest = ["download", "latest", "--format", "json", "-o", dataset_str];
    let mut output = run(args(&server, &analyst, &rest)).await;
    for _ in 0..100 {
        if output.status.success() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        output = run(args(&server, &analyst, &rest)).await;
    }
    assert!(output.status.success(), "{}", stderr(&output));
    let json: Value =
        serde_json::from_slice(&std::fs::read(&dataset).expect("written")).expect("JSON");
    assert_eq!(json["initiatives"].as_array().map(Vec::len), Some(8));

    // The analyst sees the round tracker; the admin narrows the expected partners.
    let output = run(args(
        &server,
        &admin,
        &["round", "partners", "2022", "--set", "NER,GMB,SEN"],
    ))
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("It expects 3 partners: NER, GMB, SEN."),
        "{}",
        stdout(&output)
    );
    let output = run(args(&server, &analyst, &["status", "--round", "2022"])).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let table = stdout(&output);
    let line = |partner: &str| {
        table
            .lines()
            .find(|l| l.starts_with(&format!("{partner} ")))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        line("NER").contains("accepted") && line("NER").contains(" 8 "),
        "{table}"
    );
    assert!(line("GMB").contains("rejected"), "{table}");
    assert!(line("SEN").contains("not submitted"), "{table}");
    assert!(
        table.contains("2 of 3 expected partners have submitted"),
        "{table}"
    );
    let output = run(args(
        &server,
        &analyst,
        &["status", "--round", "2022", "--format", "json"],
    ))
    .await;
    let tracker: Value = serde_json::from_str(&stdout(&output)).expect("tracker JSON");
    assert_eq!(tracker["partners"].as_array().map(Vec::len), Some(3));
    let output = run(args(
        &server,
        &admin,
        &["round", "partners", "2022", "--set", "NER,XYZ"],
    ))
    .await;
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("\"XYZ\""), "{}", stderr(&output));

    // The French summary of the latest version.
    let summary = dir.path().join("summary.fr.html");
    let rest = [
        "download",
        "latest",
        "--format",
        "summary-fr-html",
        "-o",
        summary.to_str().expect("utf-8"),
    ];
    let output = run(args(&server, &analyst, &rest)).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        std::fs::read_to_string(&summary)
            .expect("written")
            .contains("<html")
    );

    // A closed round refuses submissions with a clear message.
    let output = run(args(
        &server,
        &admin,
        &["round", "close", "--round", "2022"],
    ))
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    let output = run(args(&server, &niger, &["submit", &gmb])).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("the 2022 data round is closed"),
        "{}",
        stderr(&output)
    );
    // In French, the server's French words, not its English ones.
    let output = run(args(&server, &niger, &["--lang", "fr", "submit", &gmb])).await;
    assert_eq!(output.status.code(), Some(1));
    let said = stderr(&output);
    assert!(said.contains("la collecte 2022 est fermée"), "{said}");
    assert!(!said.contains("closed"), "{said}");
    system.shutdown().await.expect("clean shutdown");
}

/// The id `jvap submit` prints first.
fn submitted_id(output: &Output) -> String {
    stdout(output)
        .split_whitespace()
        .next()
        .expect("the submission id comes first")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_replays_a_submission_that_failed_for_real_and_it_ends_accepted() {
    // Arrange: validation is down while NER's file arrives, and its upload goes missing; when
    // validation comes back it fails for real, attempt after attempt, until `failed`.
    let mut system = System::start(Backend::Sqlite).await.expect("system starts");
    let (server, admin) = (system.admin.base.clone(), system.admin.token.clone());
    let niger = system
        .admin
        .issue("partner", Some("NER"))
        .await
        .expect("token")
        .token;
    let file = format!("{SAMPLES}NER_Donnees_JVAP_2022.xlsx");
    let bytes = std::fs::read(&file).expect("the sample");
    system.stop_validation().await.expect("validation stops");
    let output = run(args(&server, &niger, &["submit", &file])).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let id = submitted_id(&output);
    let bus = jvap_bus::Bus::connect(&system.nats.url())
        .await
        .expect("bus");
    bus.uploads.store.delete(&id).await.expect("upload removed");
    system.start_validation().await.expect("validation starts");
    let failed = system
        .admin
        .wait_final(&id, false, std::time::Duration::from_secs(120))
        .await
        .expect("it ends");
    assert_eq!(failed["state"], "failed", "{failed}");

    // The same file again with the other mode says it stays a replace.
    let output = run(args(&server, &niger, &["submit", &file, "--mode", "merge"])).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("already received, as replace"),
        "{}",
        stdout(&output)
    );
    let output = run(args(
        &server,
        &niger,
        &["--lang", "fr", "submit", &file, "--mode", "merge"],
    ))
    .await;
    assert!(
        stdout(&output).contains("déjà reçu, en remplacement"),
        "{}",
        stdout(&output)
    );

    // Act: the upload is back; the admin replays.
    bus.uploads.put(&id, &bytes).await.expect("upload restored");
    let by_partner = run(args(&server, &niger, &["admin", "replay", &id])).await;
    let output = run(args(&server, &admin, &["admin", "replay", &id])).await;

    // Assert
    assert_eq!(by_partner.status.code(), Some(1), "partners may not replay");
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains(&format!("Submission {id} is received again")),
        "{}",
        stdout(&output)
    );
    let done = system
        .admin
        .wait_final(&id, true, std::time::Duration::from_secs(120))
        .await
        .expect("it ends");
    assert_eq!(done["state"], "accepted", "{done}");
    assert_eq!(done["dataset_version"], 1, "{done}");
    let again = run(args(&server, &admin, &["admin", "replay", &id])).await;
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("is accepted, not failed"),
        "{}",
        stderr(&again)
    );

    // Revalidating the round starts it again, recorded with the run.
    let output = run(args(
        &server,
        &admin,
        &["admin", "revalidate", "--round", "2022", "--format", "json"],
    ))
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    let record: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(record["action"], "revalidate");
    assert_eq!(record["submissions"], serde_json::json!([id]));
    assert!(
        record["run"]
            .as_str()
            .is_some_and(|run| run.starts_with("rv-"))
    );
    system.shutdown().await.expect("clean shutdown");
}

/// Needs validation's handling of `revalidation` (it validates a final submission again and
/// publishes the outcome under `<id>-validated-<run>`), which lands with the validation handler's
/// change on main; until then validation only re-publishes the first outcome.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revalidating_a_round_publishes_a_new_version_under_the_new_verdicts() {
    // Arrange: NER and EU accepted, versions 1 and 2.
    let system = System::start(Backend::Sqlite).await.expect("system starts");
    let (server, admin) = (system.admin.base.clone(), system.admin.token.clone());
    let mut ids = Vec::new();
    for (partner, file) in [
        ("NER", "NER_Donnees_JVAP_2022.xlsx"),
        ("EU", "EU_DG-INTPA_JVAP_2022.xlsx"),
    ] {
        let token = system
            .admin
            .issue("partner", Some(partner))
            .await
            .expect("token")
            .token;
        let path = format!("{SAMPLES}{file}");
        let output = run(args(&server, &token, &["submit", &path, "--wait"])).await;
        assert!(output.status.success(), "{}", stdout(&output));
        ids.push(submitted_id(&output));
    }
    // The rules change so that NER's file no longer passes: here, its stored bytes become
    // those of a file that never did.
    let bus = jvap_bus::Bus::connect(&system.nats.url())
        .await
        .expect("bus");
    let rejected = std::fs::read(format!("{SAMPLES}GMB_MoI_JVAP_2022.xlsx")).expect("sample");
    bus.uploads.put(&ids[0], &rejected).await.expect("replaced");

    // Act
    let output = run(args(
        &server,
        &admin,
        &["admin", "revalidate", "--round", "2022"],
    ))
    .await;

    // Assert: NER rejected and out of a new version 3; EU still in it.
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("Round 2022: 2 submission(s) are being validated again"),
        "{}",
        stdout(&output)
    );
    // Its status stays `accepted` until validation takes the file again: wait for the new verdict.
    let started = std::time::Instant::now();
    let ner = loop {
        let ner = system
            .admin
            .wait_final(&ids[0], false, std::time::Duration::from_secs(120))
            .await
            .expect("it ends");
        if ner["state"] != "accepted" || started.elapsed() > std::time::Duration::from_secs(120) {
            break ner;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(ner["state"], "rejected", "{ner}");
    let started = std::time::Instant::now();
    let latest = loop {
        let latest = system
            .admin
            .get_json("/api/v1/datasets/latest.json")
            .await
            .expect("GET");
        if let Some(latest) = latest.filter(|l| l["version"] == 3) {
            break latest;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(120),
            "no version 3"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_eq!(latest["changes"]["removed"], 8, "{}", latest["changes"]);
    let partners: Vec<&str> = latest["initiatives"]
        .as_array()
        .expect("initiatives")
        .iter()
        .filter_map(|i| i["partner"].as_str())
        .collect();
    assert!(
        partners.iter().all(|p| *p == "EU") && partners.len() == 10,
        "{partners:?}"
    );
    system.shutdown().await.expect("clean shutdown");
}

#[test]
fn an_unreachable_server_is_named_and_exits_2() {
    // Bind then drop a listener so the port is (very likely) closed.
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let server = format!("http://127.0.0.1:{port}");
    let output = jvap(&["--server", &server, "status"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(&format!("could not reach the jvap server at {server}")),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_with_map_reads_a_column_as_the_partner_says_and_remembers_it() {
    // Arrange: a CSV whose lead funder column is headed "Paymaster", which nothing reads as a funder.
    let system = System::start(Backend::Sqlite).await.expect("system starts");
    let (server, admin) = (system.admin.base.clone(), system.admin.token.clone());
    let output = run(args(
        &server,
        &admin,
        &["token", "issue", "--role", "partner", "--partner", "NER"],
    ))
    .await;
    let niger = stdout(&output).trim().to_string();
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = |name: &str, place: &str| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!(
                "Reference,Type,Title,Status,Start date,End date,JVAP domains,\
                 Countries of implementation,Paymaster,Implementing organisations,Total budget,Currency\n\
                 R1,Project,Border management in {place},Ongoing,15/02/2021,31/12/2023,D4,Niger,\
                 European Union,IOM,1200000,EUR\n"
            ),
        )
        .expect("written");
        path.to_str().expect("utf-8").to_string()
    };
    let first = csv("first.csv", "Niger");

    // Act and assert: a field that does not exist is refused before anything is sent, EN and FR.
    let output = run(args(
        &server,
        &niger,
        &["submit", &first, "--map", "Paymaster=payer"],
    ))
    .await;
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("is not a field"),
        "{}",
        stderr(&output)
    );
    let rest = ["--lang", "fr", "submit", &first, "--map", "Paymaster=payer"];
    let output = run(args(&server, &niger, &rest)).await;
    assert!(
        stderr(&output).contains("n'est pas un champ"),
        "{}",
        stderr(&output)
    );

    // With the mapping, the file is accepted.
    let rest = ["submit", &first, "--map", "Paymaster=lead_funder", "--wait"];
    let output = run(args(&server, &niger, &rest)).await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&output),
        stderr(&output)
    );

    // The next file with the same headers needs no --map.
    let next = csv("next.csv", "Mali");
    let output = run(args(&server, &niger, &["submit", &next, "--wait"])).await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&output),
        stderr(&output)
    );
    system.shutdown().await.expect("clean shutdown");
}
