//! A rule file in an otherwise built-in pack: loaded (conditions compiled, message templates
//! checked) and, when it loads, its own examples judged and their messages rendered.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

static PACK: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (dir, rule) = PACK.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        copy(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules"),
            &d.path().join("rules"),
        );
        let rule = d
            .path()
            .join("rules/format/CF-09-phone-missing-or-invalid.json");
        (d, rule)
    });
    std::fs::write(rule, data).unwrap();
    let Ok(pack) = catalog_audit::rules::Pack::from_dir(&dir.path().join("rules")) else {
        return;
    };
    let Some(r) = pack
        .rules
        .iter()
        .find(|r| r.file.ends_with("CF-09-phone-missing-or-invalid.json"))
    else {
        return;
    };
    let code = r.spec.code.to_string();
    for ex in r.spec.examples.valid.iter().chain(&r.spec.examples.invalid) {
        let _ = catalog_audit::pipeline::example::run(&pack, &code, ex, "fuzz");
    }
});
