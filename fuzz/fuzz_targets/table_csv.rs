//! A CSV export (UTF-8 or GB18030) read as a snapshot, as an adjustment log and by `validate`.
#![no_main]
use libfuzzer_sys::fuzz_target;
mod common;

fuzz_target!(|data: &[u8]| {
    // As the binary does: a panic inside the spreadsheet reader is an input error (caught by
    // the reader's guard, silently); any other panic still reaches libFuzzer's hook.
    catalog_audit::table::guard::install_quiet_hook();
    let path = common::file("fuzz.csv", data);
    let opts = catalog_audit::load::Options::default();
    let _ = catalog_audit::load::snapshot_with(&path, &opts);
    let _ = catalog_audit::load::adjustment_log_with(&path, &opts);
    let _ = catalog_audit::pipeline::validate::describe(&path, &opts);
});
