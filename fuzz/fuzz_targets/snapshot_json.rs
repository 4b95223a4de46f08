//! A catalog snapshot as JSON: the streaming loader and, on a surprise, the whole-file reader.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = catalog_audit::load::snapshot_from_str("fuzz.json", text);
    }
});
