//! What must hold after a run of [`crate::load`] with faults: every upload that got 200/202 ends
//! (`accepted` and published, `rejected` or `failed`) within a bounded wait, none is lost, identical
//! bytes are one submission, and every dataset version holds exactly the initiatives the accepted
//! submissions imply, applied in the order of the versions they name (replace: the partner's
//! initiatives become the file's; merge: those whose `partner_ref` comes again are updated, the rest
//! added), none twice; versions are contiguous and every file of each is downloadable.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::Client;
use crate::load::{Driven, Mode, Plan, ROUND, Sent, Upload};

/// Every submission's last status, read until each has ended or the limit passed.
pub struct Settled {
    pub statuses: HashMap<String, Value>,
    /// Ids the server does not know.
    pub lost: Vec<String>,
    /// Ids not ended (`received`, `validating`, or accepted but not yet in a version).
    pub stuck: Vec<String>,
    pub elapsed: Duration,
}

/// Whether a status has ended: rejected, failed, or accepted and published in a version.
fn ended(status: &Value) -> bool {
    match status["state"].as_str() {
        Some("rejected" | "failed") => true,
        Some("accepted") => status["dataset_version"].is_u64(),
        _ => false,
    }
}

/// Poll the analyst's listing of submissions until every id in `ids` has ended, for at most `limit`.
pub async fn settle(analyst: &Client, ids: &BTreeSet<String>, limit: Duration) -> Settled {
    let started = Instant::now();
    let mut statuses: HashMap<String, Value> = HashMap::new();
    loop {
        match analyst.get_json("/api/v1/submissions").await {
            Ok(Some(Value::Array(list))) => {
                statuses = list
                    .into_iter()
                    .filter_map(|s| Some((s["submission_id"].as_str()?.to_string(), s)))
                    .collect();
            }
            Ok(other) => eprintln!("the listing of submissions answered {other:?}"),
            Err(e) => eprintln!("the listing of submissions failed: {e:#}"),
        }
        let open = ids
            .iter()
            .filter(|id| !statuses.get(*id).is_some_and(ended))
            .count();
        if open == 0 || started.elapsed() > limit {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let mut lost = Vec::new();
    let unknown: Vec<&String> = ids
        .iter()
        .filter(|id| !statuses.contains_key(*id))
        .collect();
    for id in unknown {
        // The listing may have failed last time: ask for the one submission.
        match analyst.get_json(&format!("/api/v1/submissions/{id}")).await {
            Ok(Some(status)) => {
                statuses.insert(id.clone(), status);
            }
            _ => lost.push(id.clone()),
        }
    }
    let stuck = ids
        .iter()
        .filter(|id| statuses.get(*id).is_some_and(|s| !ended(s)))
        .cloned()
        .collect();
    Settled {
        statuses,
        lost,
        stuck,
        elapsed: started.elapsed(),
    }
}

/// One initiative as the test expects it in a dataset: partner, reference, title, submission.
pub type Expected = (String, Option<String>, String, String);

/// The initiatives after applying `accepted` (uploads with their submission ids) in order: replace
/// makes the partner's initiatives the file's; merge ends those whose reference comes again and adds
/// every row.
pub fn apply(current: &mut Vec<Expected>, upload: &Upload, id: &str) {
    match upload.mode {
        Mode::Replace => current.retain(|(partner, ..)| partner != &upload.partner),
        Mode::Merge => {
            let references: BTreeSet<&str> = upload
                .rows
                .iter()
                .filter_map(|r| r.reference.as_deref())
                .collect();
            current.retain(|(partner, reference, ..)| {
                partner != &upload.partner
                    || !reference.as_deref().is_some_and(|r| references.contains(r))
            });
        }
    }
    current.extend(upload.rows.iter().map(|row| {
        (
            upload.partner.clone(),
            row.reference.clone(),
            row.title.clone(),
            id.to_string(),
        )
    }));
}

/// The initiatives of a `dataset.json`, as [`Expected`] tuples.
fn initiatives_of(dataset: &Value) -> Vec<Expected> {
    dataset["initiatives"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| {
            (
                i["partner"].as_str().unwrap_or_default().to_string(),
                i["partner_ref"].as_str().map(str::to_string),
                i["title"].as_str().unwrap_or_default().to_string(),
                i["submission_id"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// Everything the run found, with the problems that fail it.
#[derive(Debug, Default)]
pub struct Findings {
    pub sent: usize,
    pub accepted_202: usize,
    pub again_200: usize,
    pub refused: usize,
    pub gave_up: usize,
    pub submissions: usize,
    pub accepted: usize,
    pub rejected: usize,
    pub failed: usize,
    pub lost: usize,
    pub duplicated: usize,
    pub stuck: usize,
    pub versions: usize,
    pub initiatives: usize,
    pub settle: Duration,
    pub problems: Vec<String>,
}

impl std::fmt::Display for Findings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "  sent {} (202 new: {}, 200 same id: {}), refused {}, gave up {}",
            self.sent, self.accepted_202, self.again_200, self.refused, self.gave_up
        )?;
        writeln!(
            f,
            "  submissions {}: accepted {}, rejected {}, failed {}",
            self.submissions, self.accepted, self.rejected, self.failed
        )?;
        writeln!(
            f,
            "  lost {}, duplicated {}, stuck {}; settled in {:.1} s",
            self.lost,
            self.duplicated,
            self.stuck,
            self.settle.as_secs_f64()
        )?;
        write!(
            f,
            "  dataset versions 1..={}, {} initiatives in the latest",
            self.versions, self.initiatives
        )
    }
}

/// Wait for every sent submission to end (at most `limit`), then check every invariant.
pub async fn check(plan: &Plan, driven: &Driven, analyst: &Client, limit: Duration) -> Findings {
    let mut findings = Findings::default();
    let id_of = tally(plan, driven, &mut findings);
    // The first upload of each submission is the one that counts.
    let mut firsts: BTreeMap<String, usize> = BTreeMap::new();
    for (i, id) in &id_of {
        let first = firsts.entry(id.clone()).or_insert(*i);
        *first = (*first).min(*i);
    }
    let ids: BTreeSet<String> = firsts.keys().cloned().collect();
    findings.submissions = ids.len();
    let settled = settle(analyst, &ids, limit).await;
    findings.settle = settled.elapsed;
    findings.lost = settled.lost.len();
    findings.stuck = settled.stuck.len();
    for id in &settled.lost {
        findings.problems.push(format!("submission {id} is lost"));
    }
    for id in &settled.stuck {
        findings.problems.push(format!(
            "submission {id} is stuck: {}",
            settled.statuses[id]
        ));
    }

    let by_version = judge(plan, &firsts, &settled, &mut findings);
    let n = check_versions(plan, &firsts, &by_version, analyst, &mut findings).await;
    check_latest(n, analyst, &mut findings).await;
    findings
}

/// Count what the uploads got, and check that identical bytes got the same submission; the
/// submission id of each upload that got one.
fn tally(plan: &Plan, driven: &Driven, findings: &mut Findings) -> HashMap<usize, String> {
    let mut id_of: HashMap<usize, String> = HashMap::new();
    for (i, sent) in driven.sent.iter().enumerate() {
        let upload = &plan.uploads[i];
        match sent {
            Some(Sent::Taken { code, id, .. }) => {
                findings.sent += 1;
                if *code == 202 {
                    findings.accepted_202 += 1;
                } else {
                    findings.again_200 += 1;
                }
                id_of.insert(i, id.clone());
            }
            Some(Sent::Refused { code, body }) => {
                findings.refused += 1;
                findings.problems.push(format!(
                    "{} of {} refused with {code}: {body}",
                    upload.file_name, upload.partner
                ));
            }
            Some(Sent::GaveUp { last_error }) => {
                findings.gave_up += 1;
                findings.problems.push(format!(
                    "{} of {} never taken: {last_error}",
                    upload.file_name, upload.partner
                ));
            }
            None => findings.problems.push(format!(
                "{} of {} was never sent",
                upload.file_name, upload.partner
            )),
        }
    }
    // Identical bytes from the same partner: the same submission.
    for (i, upload) in plan.uploads.iter().enumerate() {
        if let (Some(original), Some(id)) = (upload.original, id_of.get(&i))
            && let Some(first) = id_of.get(&original)
            && first != id
        {
            findings.duplicated += 1;
            findings.problems.push(format!(
                "re-upload of {} got {id}, the first upload {first}",
                upload.file_name
            ));
        }
    }
    id_of
}

/// Check each submission ended as its file says, with the mode it was sent with; the accepted ones
/// by the version they name.
fn judge(
    plan: &Plan,
    firsts: &BTreeMap<String, usize>,
    settled: &Settled,
    findings: &mut Findings,
) -> BTreeMap<u64, Vec<String>> {
    let mut by_version: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for (id, &i) in firsts {
        let upload = &plan.uploads[i];
        let Some(status) = settled.statuses.get(id) else {
            continue;
        };
        let state = status["state"].as_str().unwrap_or_default();
        match state {
            "accepted" => findings.accepted += 1,
            "rejected" => findings.rejected += 1,
            "failed" => findings.failed += 1,
            _ => {}
        }
        if state == "failed" {
            eprintln!(
                "  note: {} ({id}) failed: {}",
                upload.file_name, status["reason"]
            );
        } else if ended(status) && state != upload.kind.expected_state() {
            findings.problems.push(format!(
                "{} ({id}) ended {state}, expected {}: {status}",
                upload.file_name,
                upload.kind.expected_state()
            ));
        }
        if status["mode"] != upload.mode.as_str() {
            findings.problems.push(format!(
                "{} ({id}) has mode {}, sent as {}",
                upload.file_name,
                status["mode"],
                upload.mode.as_str()
            ));
        }
        if let Some(version) = status["dataset_version"].as_u64()
            && state == "accepted"
        {
            by_version.entry(version).or_default().push(id.clone());
        }
    }

    by_version
}

/// Versions 1..=N, one accepted submission each, every file of each downloadable, and each holding
/// exactly what the accepted submissions up to it imply; N.
async fn check_versions(
    plan: &Plan,
    firsts: &BTreeMap<String, usize>,
    by_version: &BTreeMap<u64, Vec<String>>,
    analyst: &Client,
    findings: &mut Findings,
) -> u64 {
    let listing = analyst
        .get_json(&format!("/api/v1/datasets?round={ROUND}"))
        .await;
    let listed: BTreeMap<u64, BTreeSet<String>> = match listing {
        Ok(Some(Value::Array(list))) => list
            .iter()
            .filter_map(|v| {
                let files = v["files"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|f| f.as_str().map(str::to_string))
                    .collect();
                Some((v["version"].as_u64()?, files))
            })
            .collect(),
        other => {
            findings
                .problems
                .push(format!("the dataset listing answered {other:?}"));
            BTreeMap::new()
        }
    };
    let n = listed.keys().max().copied().unwrap_or(0);
    findings.versions = n as usize;
    let wanted_versions: BTreeSet<u64> = (1..=n).collect();
    if listed.keys().copied().collect::<BTreeSet<_>>() != wanted_versions {
        findings.problems.push(format!(
            "versions are not contiguous: {:?}",
            listed.keys().collect::<Vec<_>>()
        ));
    }
    let all_files: BTreeSet<String> = jvap_outputs::DatasetFile::ALL
        .iter()
        .map(|f| f.name().to_string())
        .collect();
    for (version, ids) in by_version {
        if ids.len() > 1 {
            findings.duplicated += ids.len() - 1;
            findings
                .problems
                .push(format!("version {version} is claimed by {ids:?}"));
        }
    }
    if by_version.keys().copied().collect::<BTreeSet<_>>() != wanted_versions {
        let unclaimed: Vec<u64> = wanted_versions
            .iter()
            .filter(|v| !by_version.contains_key(v))
            .copied()
            .collect();
        findings.duplicated += unclaimed.len();
        findings.problems.push(format!(
            "{} accepted submissions name versions {:?}, the datasets go to {n}; versions no \
             submission names: {unclaimed:?}",
            findings.accepted,
            by_version.keys().collect::<Vec<_>>()
        ));
    }
    let mut current: Vec<Expected> = Vec::new();
    for version in 1..=n {
        if let Some(ids) = by_version.get(&version)
            && let Some(id) = ids.first()
        {
            apply(&mut current, &plan.uploads[firsts[id]], id);
        }
        if let Some(files) = listed.get(&version)
            && files != &all_files
        {
            findings
                .problems
                .push(format!("version {version} has files {files:?}"));
        }
        for file in &all_files {
            let path = format!("/api/v1/datasets/{ROUND}/v{version}/{file}");
            match analyst.get_bytes(&path).await {
                Ok((200, bytes)) if !bytes.is_empty() => {
                    if file == "dataset.json" {
                        compare(findings, version, &bytes, &current);
                    }
                }
                Ok((code, bytes)) => findings.problems.push(format!(
                    "{path} answered {code}: {}",
                    String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
                )),
                Err(e) => findings.problems.push(format!("{path} failed: {e:#}")),
            }
        }
    }
    n
}

/// The latest dataset is version `n` and holds no initiative twice.
async fn check_latest(n: u64, analyst: &Client, findings: &mut Findings) {
    match analyst
        .get_bytes(&format!("/api/v1/datasets/{ROUND}/latest/dataset.json"))
        .await
    {
        Ok((200, bytes)) => {
            let latest: Value = serde_json::from_slice(&bytes).unwrap_or_default();
            if latest["version"].as_u64() != Some(n) {
                findings.problems.push(format!(
                    "the latest dataset is version {}, the listing goes to {n}",
                    latest["version"]
                ));
            }
            let initiatives = initiatives_of(&latest);
            findings.initiatives = initiatives.len();
            let mut seen = BTreeSet::new();
            for (partner, reference, title, _) in &initiatives {
                let key = (partner, reference.as_ref().unwrap_or(title));
                if !seen.insert(key) {
                    findings.duplicated += 1;
                    findings.problems.push(format!(
                        "{partner} {reference:?} \"{title}\" is twice in the latest dataset"
                    ));
                }
            }
        }
        Ok((code, _)) if n == 0 && code == 404 => {}
        Ok((code, bytes)) => findings.problems.push(format!(
            "the latest dataset answered {code}: {}",
            String::from_utf8_lossy(&bytes)
        )),
        Err(e) => findings
            .problems
            .push(format!("the latest dataset failed: {e:#}")),
    }
}

/// Compare version `version`'s `dataset.json` with the initiatives expected at that version.
fn compare(findings: &mut Findings, version: u64, bytes: &[u8], expected: &[Expected]) {
    let Ok(dataset) = serde_json::from_slice::<Value>(bytes) else {
        findings
            .problems
            .push(format!("version {version}'s dataset.json is not JSON"));
        return;
    };
    let mut found = initiatives_of(&dataset);
    found.sort();
    let mut wanted = expected.to_vec();
    wanted.sort();
    if found != wanted {
        let missing: Vec<&Expected> = wanted.iter().filter(|e| !found.contains(e)).collect();
        let extra: Vec<&Expected> = found.iter().filter(|e| !wanted.contains(e)).collect();
        findings.problems.push(format!(
            "version {version} holds {} initiatives, {} expected; missing {missing:?}; unexpected \
             {extra:?}",
            found.len(),
            wanted.len()
        ));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::load::{Kind, Row};

    fn upload(partner: &str, mode: Mode, rows: &[(Option<&str>, &str)]) -> Upload {
        Upload {
            partner: partner.into(),
            file_name: "f.xlsx".into(),
            bytes: Arc::new(Vec::new()),
            mode,
            kind: Kind::Accepted,
            rows: rows
                .iter()
                .map(|(r, t)| Row {
                    reference: r.map(str::to_string),
                    title: t.to_string(),
                })
                .collect(),
            original: None,
        }
    }

    fn titles(current: &[Expected]) -> Vec<&str> {
        let mut titles: Vec<&str> = current.iter().map(|e| e.2.as_str()).collect();
        titles.sort();
        titles
    }

    #[test]
    fn replace_makes_the_partners_initiatives_the_files_and_merge_updates_by_reference() {
        let mut current = Vec::new();
        apply(
            &mut current,
            &upload(
                "NER",
                Mode::Replace,
                &[(Some("A"), "a1"), (Some("B"), "b1")],
            ),
            "s1",
        );
        apply(
            &mut current,
            &upload("MLI", Mode::Replace, &[(Some("A"), "m1")]),
            "s2",
        );
        apply(
            &mut current,
            &upload(
                "NER",
                Mode::Merge,
                &[(Some("B"), "b2"), (None, "n2"), (Some("C"), "c2")],
            ),
            "s3",
        );
        assert_eq!(titles(&current), ["a1", "b2", "c2", "m1", "n2"]);
        apply(
            &mut current,
            &upload("NER", Mode::Merge, &[(Some("A"), "a4")]),
            "s4",
        );
        assert_eq!(titles(&current), ["a4", "b2", "c2", "m1", "n2"]);
        apply(
            &mut current,
            &upload("NER", Mode::Replace, &[(Some("Z"), "z5")]),
            "s5",
        );
        assert_eq!(titles(&current), ["m1", "z5"]);
        assert!(current.contains(&("NER".into(), Some("Z".into()), "z5".into(), "s5".into())));
    }

    #[test]
    fn a_dataset_that_differs_from_the_expected_initiatives_is_a_problem() {
        let expected = vec![(
            "NER".to_string(),
            Some("A".to_string()),
            "a".to_string(),
            "s1".to_string(),
        )];
        let same = serde_json::json!({"initiatives": [
            {"partner": "NER", "partner_ref": "A", "title": "a", "submission_id": "s1"}
        ]});
        let twice = serde_json::json!({"initiatives": [
            {"partner": "NER", "partner_ref": "A", "title": "a", "submission_id": "s1"},
            {"partner": "NER", "partner_ref": "A", "title": "a", "submission_id": "s1"}
        ]});
        let mut findings = Findings::default();
        compare(
            &mut findings,
            1,
            &serde_json::to_vec(&same).expect("json"),
            &expected,
        );
        assert!(findings.problems.is_empty(), "{:?}", findings.problems);
        compare(
            &mut findings,
            2,
            &serde_json::to_vec(&twice).expect("json"),
            &expected,
        );
        compare(&mut findings, 3, b"{\"initiatives\": []}", &expected);
        assert_eq!(findings.problems.len(), 2, "{:?}", findings.problems);
    }
}
