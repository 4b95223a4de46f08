//! Rule packs are checked when they load: message templates that cannot render (a recursive
//! inline partial, an unknown helper or partial, a path a finding never gives) are rule errors
//! naming the file and the message's pointer, by `validate` and by `audit --rules DIR`; the
//! pack's walk follows no links and reads only regular files of bounded size.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn bin() -> Command {
    let mut c = Command::cargo_bin("catalog-audit").unwrap();
    c.env_remove("NO_COLOR");
    c
}

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

const RULE: &str = "one_visit/OV-02-onsite-reason-missing.json";

/// A pack of one rule (OV-02) whose Chinese message is `message`; the rule file's path.
fn pack_with_message(dir: &Path, message: &str) -> PathBuf {
    let mut rule: Value =
        serde_json::from_str(&std::fs::read_to_string(repo("rules").join(RULE)).unwrap()).unwrap();
    rule["message"]["zh"] = Value::String(message.into());
    let path = dir.join("pack").join(RULE);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, serde_json::to_string_pretty(&rule).unwrap()).unwrap();
    path
}

/// `validate FILE` and `audit --rules PACK` on the demo: both exit 2 with `expected` in stderr,
/// which names the rule file and `/message/zh`.
fn rejected_both_ways(message: &str, expected: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = pack_with_message(dir.path(), message);
    let out = bin().arg("validate").arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{message}: {stderr}");
    assert!(stderr.contains(&file.display().to_string()), "{stderr}");
    assert!(stderr.contains("/message/zh"), "{stderr}");
    assert!(stderr.contains(expected), "{stderr}");

    let out = bin()
        .arg("audit")
        .arg(repo("examples/qinghe/2017-06-30.json"))
        .arg(repo("examples/qinghe/2017-12-31.json"))
        .arg("--rules")
        .arg(dir.path().join("pack"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{message}: {stderr}");
    assert!(stderr.contains(&file.display().to_string()), "{stderr}");
    assert!(stderr.contains("/message/zh"), "{stderr}");
    assert!(out.stdout.is_empty(), "no report from a broken pack");
}

#[test]
fn a_recursive_inline_partial_is_refused_not_run() {
    // Used to overflow the stack (exit 134) once a finding rendered it.
    rejected_both_ways(
        r#"{{#*inline "p"}}{{> p}}{{/inline}}{{> p}}"#,
        "inline partials",
    );
}

#[test]
fn partials_and_unknown_helpers_are_refused() {
    rejected_both_ways("{{> ../x}}", "partials");
    rejected_both_ways("{{frob name}}", "unknown helper \"frob\"");
    // In a branch a sample would not take, too.
    rejected_both_ways(
        "{{#if name}}{{name}}{{else}}{{frob name}}{{/if}}",
        "unknown helper \"frob\"",
    );
}

#[test]
fn paths_a_finding_never_gives_are_refused() {
    rejected_both_ways("{{nmae}}", "nmae is not something a finding gives");
    rejected_both_ways(
        "{{item.onsite_visitz}}",
        "onsite_visitz is not a field of item",
    );
    rejected_both_ways("{{values.[3]}}", "values.[3] is never there");
    rejected_both_ways("{{element.name}}", "no for_each");
}

#[test]
fn a_helper_given_the_wrong_kind_of_value_is_refused() {
    // `zh_fields` takes text; the strict render with sample data finds it.
    rejected_both_ways("{{zh_fields values}}", "does not render with sample data");
}

#[test]
fn registered_helpers_and_good_paths_load() {
    let dir = tempfile::tempdir().unwrap();
    let file = pack_with_message(
        dir.path(),
        "{{#if (eq item.item_type \"公共服务\")}}{{limit item.promised_limit.value item.promised_limit.unit}}{{/if}}{{#each values}}{{this}}{{/each}}{{#with item}}{{name}}{{/with}}{{zh_fields evidence}}",
    );
    let out = bin().arg("validate").arg(&file).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A copy of the built-in pack in a temporary directory.
fn copy_pack(to: &Path) {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                copy(&e.path(), &to.join(e.file_name()));
            } else {
                std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
            }
        }
    }
    copy(&repo("rules"), to);
}

fn rules_list(pack: &Path) -> std::process::Output {
    bin()
        .args(["rules", "list", "--rules"])
        .arg(pack)
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap()
}

#[cfg(unix)]
#[test]
fn links_in_a_pack_are_errors_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack");
    copy_pack(&pack);
    assert_eq!(rules_list(&pack).status.code(), Some(0));
    // Two `..` links made the walk exponential.
    let up = pack.join("fee/up");
    std::os::unix::fs::symlink("..", &up).unwrap();
    std::os::unix::fs::symlink("..", pack.join("one_visit/up")).unwrap();
    let out = rules_list(&pack);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("is a symbolic link") && stderr.contains(&format!("({})", up.display())),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn fifos_and_devices_in_a_pack_are_errors_not_hangs() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack");
    copy_pack(&pack);
    let fifo = pack.join("fee/FEE-99-pipe.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let out = rules_list(&pack);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("is a FIFO") && stderr.contains(&format!("({})", fifo.display())),
        "{stderr}"
    );
    std::fs::remove_file(&fifo).unwrap();

    let zero = pack.join("fee/FEE-98-zero.json");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let out = rules_list(&pack);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&zero.display().to_string()), "{stderr}");
}

#[cfg(unix)]
#[test]
fn set_up_files_named_outside_a_pack_must_be_regular_files() {
    // A configuration (and a registry it names) that is a device is refused at once.
    let out = bin()
        .arg("audit")
        .arg(repo("examples/qinghe/2017-06-30.json"))
        .arg(repo("examples/qinghe/2017-12-31.json"))
        .args(["--config", "/dev/zero"])
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("cannot read: is a character device, not a regular file (/dev/zero)"),
        "{stderr}"
    );
}

#[test]
fn oversized_rule_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack");
    copy_pack(&pack);
    let big = pack.join("fee/FEE-97-big.json");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(17 * 1024 * 1024).unwrap();
    let out = rules_list(&pack);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&big.display().to_string()), "{stderr}");
    assert!(stderr.contains("larger than 16 MB"), "{stderr}");
}
