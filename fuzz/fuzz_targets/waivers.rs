//! A waiver file (waivers/1).
#![no_main]
use libfuzzer_sys::fuzz_target;
mod common;

fuzz_target!(|data: &[u8]| {
    let path = common::file("fuzz-waivers.json", data);
    let _ = catalog_audit::rounds::read_waivers(&path);
});
