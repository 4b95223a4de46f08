//! An audit report as the next round's baseline and as a part of `merge` (merged with itself
//! under another name, which must be refused, and alone).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(report) = catalog_audit::load::report_from_str("fuzz.json", text)
    {
        let _ = catalog_audit::merge::merge(&[("a.json".into(), report.clone())]);
        let _ = catalog_audit::merge::merge(&[
            ("a.json".into(), report.clone()),
            ("b.json".into(), report),
        ]);
    }
});
