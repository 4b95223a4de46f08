//! A workbook read as a snapshot: the first byte picks XLSX, XLS or ODS, the rest is the file.
#![no_main]
use libfuzzer_sys::fuzz_target;
mod common;

fuzz_target!(|data: &[u8]| {
    // As the binary does: a panic inside the spreadsheet reader is an input error (caught by
    // the reader's guard, silently); any other panic still reaches libFuzzer's hook.
    catalog_audit::table::guard::install_quiet_hook();
    let Some((&kind, bytes)) = data.split_first() else {
        return;
    };
    let name = ["fuzz.xlsx", "fuzz.xls", "fuzz.ods"][usize::from(kind) % 3];
    let path = common::file(name, bytes);
    let opts = catalog_audit::load::Options::default();
    let _ = catalog_audit::load::snapshot_with(&path, &opts);
});
