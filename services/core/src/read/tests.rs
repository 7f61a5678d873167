//! The reader against the real partner samples and small workbooks made in the test.

use super::*;

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/samples/");

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(format!("{SAMPLES}{name}")).unwrap_or_else(|e| panic!("sample {name}: {e}"))
}

#[test]
fn every_good_sample_reads_into_sheets_with_rows() {
    for name in [
        "EU_DG-INTPA_JVAP_2022.xlsx",
        "GHA_MoI_JVAP_submission_final.xlsx",
        "DEU_BMZ-GIZ_JVAP-Datenerhebung_2022.xlsx",
        "ITA_MAECI_JVAP_2022.xls",
        "ESP_AECID_FIIAPP_JVAP2022.ods",
        "BEL_Enabel_collecte_JVAP_2022.csv",
        "UNHCR_JVAP_export_2022.csv",
    ] {
        let sheets =
            read(name, &sample(name), &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(sheets.iter().any(|s| !s.rows.is_empty()), "{name}");
    }
}
