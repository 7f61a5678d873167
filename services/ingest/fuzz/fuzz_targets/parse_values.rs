//! Arbitrary text through the cell parsers of `jvap_ingest::parse`: dates, amounts and countries (and the
//! code, funder and text helpers the validator calls on the same cells).
//!
//! The input is read as UTF-8 (lossily, so every input is used); when it is at least 8 bytes long its
//! first 8 bytes are also read as an `f64`, the value of a numeric cell.
#![no_main]

use chrono::Datelike;
use jvap_ingest::parse::{amount, codes, date};
use jvap_record::{country, text};
use jvap_ingest::sheet::CellValue;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);

    if let Some(parsed) = date::parse_date_text(&s) {
        // Dates outside 1000..=9999 are refused, whatever the text.
        assert!((1000..=9999).contains(&parsed.date.year()), "{s:?} gave {parsed:?}");
    }
    if let Some(parsed) = amount::parse_amount_text(&s) {
        // An amount is a number a budget can hold: never infinite or NaN.
        assert!(parsed.value.is_finite(), "{s:?} gave {parsed:?}");
    }
    let _ = country::find_country(&s).map(|c| (c.is_partner(), c.region()));

    let cell = CellValue::Text(s.to_string());
    let _ = date::parse_date(&cell);
    if let Some(parsed) = amount::parse_amount(&cell) {
        assert!(parsed.value.is_finite(), "{s:?} gave {parsed:?}");
    }

    if let Some(bytes) = data.get(..8) {
        let n = f64::from_le_bytes(bytes.try_into().expect("8 bytes"));
        let _ = date::from_serial(n);
        let _ = date::parse_date(&CellValue::Number(n));
        if let Some(parsed) = amount::parse_amount(&CellValue::Number(n)) {
            assert!(parsed.value.is_finite(), "{n} gave {parsed:?}");
        }
    }

    let _ = codes::domain(&s);
    let _ = codes::priority(&s);
    let _ = codes::objective(&s);
    let _ = codes::funder(&s);
    let _ = text::fold(&s);
    let _ = text::fold_words(&s);
    let _ = text::split_list(&s);
    let _ = text::split_organisations(&s);
    let _ = text::is_email(&s);
    let _ = text::is_url(&s);
});
