//! Golden test: a full RCA document converts to exactly the storage
//! format checked in beside it, and that output is well-formed XML.
//! After an intended change: `UPDATE_GOLDEN=1 cargo test --test storage_golden`,
//! then read the diff.

use std::path::PathBuf;

use ibridge_core::docs::storage::markdown_to_storage;

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

#[test]
fn full_rca_matches_its_golden_storage_format() {
    let markdown = std::fs::read_to_string(golden("rca.md")).unwrap();
    let actual = markdown_to_storage(&markdown);
    let wrapped = format!(
        "<root xmlns:ac=\"http://atlassian.com/content\" xmlns:ri=\"http://atlassian.com/resource/identifier\">{actual}</root>"
    );
    roxmltree::Document::parse(&wrapped).expect("well-formed");
    let path = golden("rca.storage.xml");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &actual).unwrap();
    }
    let expected =
        std::fs::read_to_string(&path).expect("golden file exists (UPDATE_GOLDEN=1 writes it)");
    assert_eq!(
        actual, expected,
        "storage format changed; if intended, run with UPDATE_GOLDEN=1 and review"
    );
}
