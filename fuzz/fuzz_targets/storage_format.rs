//! Any bytes that are UTF-8 Markdown must convert to well-formed XML.
//! Run: `cargo +nightly fuzz run storage_format` (from the repository root).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(markdown) = std::str::from_utf8(data) {
        let storage = ibridge_core::docs::storage::markdown_to_storage(markdown);
        let wrapped = format!(
            "<root xmlns:ac=\"http://atlassian.com/content\" xmlns:ri=\"http://atlassian.com/resource/identifier\">{storage}</root>"
        );
        if let Err(e) = roxmltree::Document::parse(&wrapped) {
            panic!("not well-formed ({e}) for input {markdown:?}");
        }
    }
});
