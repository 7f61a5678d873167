//! Arbitrary bytes through `jvap_ingest::validate`, as the intake service calls it.
//!
//! The file name is only a hint to the readers (the format comes from the bytes), so it is chosen from
//! the input's length rather than from a prefix byte: corpus files stay plain, openable files.
//!
//! Panics: libfuzzer-sys makes every panic abort, even one `jvap_ingest::read` catches around calamine
//! (a crafted workbook tripping a check inside calamine is reported as a corrupt file, by design). So
//! that such a known, handled panic does not stop the run, a panic whose location is in a third-party
//! crate (calamine, zip, quick-xml, ...) is printed once per location and left to unwind to our
//! `catch_unwind`; if nothing catches it, libfuzzer-sys still aborts. A panic in jvap's own code always
//! aborts. Set `JVAP_FUZZ_STRICT=1` to abort on every panic, caught or not.
#![no_main]

use std::collections::HashSet;
use std::sync::{Mutex, Once};

use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 4] = ["upload.xlsx", "upload.csv", "upload.ods", "upload.xls"];

static HOOK: Once = Once::new();

fn install_hook() {
    if std::env::var_os("JVAP_FUZZ_STRICT").is_some() {
        return; // keep libfuzzer-sys's hook: every panic aborts
    }
    let abort_hook = std::panic::take_hook();
    let seen: Mutex<HashSet<String>> = Mutex::new(HashSet::new());
    std::panic::set_hook(Box::new(move |info| {
        let file = info.location().map(|l| l.file()).unwrap_or("");
        // Sources of dependencies are under the cargo registry; ours are under services/.
        let third_party = file.contains("/registry/src/") && !file.contains("/jvap");
        if third_party {
            let location = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            if seen.lock().map(|mut s| s.insert(location.clone())).unwrap_or(false) {
                eprintln!("jvap-fuzz: third-party panic (left to catch_unwind) at {location}: {info}");
            }
            return;
        }
        abort_hook(info);
    }));
}

fuzz_target!(|data: &[u8]| {
    HOOK.call_once(install_hook);
    let name = NAMES[data.len() % NAMES.len()];
    let report = jvap_ingest::validate(name, data);
    // Every report must serialise: it is what the service sends back as JSON.
    if let Err(error) = serde_json::to_string(&report) {
        panic!("the report of a {name} upload does not serialise: {error}");
    }
});
