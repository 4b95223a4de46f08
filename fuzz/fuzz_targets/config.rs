//! A configuration file (audit-config/1): read, its codes checked against the built-in pack, its
//! profiles added.
#![no_main]
use libfuzzer_sys::fuzz_target;
mod common;

fuzz_target!(|data: &[u8]| {
    let path = common::file("fuzz-config.json", data);
    if let Ok(config) = catalog_audit::config::Config::read(&path)
        && let Ok(mut pack) = catalog_audit::rules::Pack::builtin()
    {
        let _ = config.check_codes(&pack, "fuzz-config.json");
        let _ = config.add_profiles(&mut pack, "fuzz-config.json");
    }
});
