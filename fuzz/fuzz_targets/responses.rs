//! A department's reply sheet (CSV; the first byte picks CSV or XLSX), read for the next round.
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
    let name = if kind % 2 == 0 {
        "replies.csv"
    } else {
        "replies.xlsx"
    };
    let path = common::file(name, bytes);
    let opts = catalog_audit::load::Options::default();
    let _ = catalog_audit::pipeline::responses::read_responses(&path, &opts);
});
