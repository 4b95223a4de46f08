//! An adjustment log as JSON.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = catalog_audit::load::adjustment_log_from_str("fuzz.json", text);
    }
});
