//! Writing reports: only regular files are replaced, new files follow the umask, a run's files
//! appear together or not at all and leave no temporaries, `--out` is checked before any work, a
//! failed write to stdout is a failure; and catalog text reaches a terminal written out, never
//! obeyed.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Stdio;

fn bin() -> Command {
    let mut c = Command::cargo_bin("catalog-audit").unwrap();
    c.env_remove("NO_COLOR");
    c
}

fn demo(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/qinghe")
        .join(name)
}

/// `audit` on the demo (which has error-level findings: exit 1) with these extra arguments.
fn audit(args: &[&str]) -> Command {
    let mut c = bin();
    c.arg("audit")
        .arg(demo("2017-06-30.json"))
        .arg(demo("2017-12-31.json"))
        .args(args)
        .timeout(std::time::Duration::from_secs(60));
    c
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(made.success());
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_directory_is_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("report.json");
    mkfifo(&fifo);
    let out = audit(&["--format", "json", "--out"])
        .arg(&fifo)
        .output()
        .unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot write report: is a FIFO")
            && stderr.contains(&format!("({})", fifo.display())),
        "{stderr}"
    );
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );

    // A link to a directory is refused too; the directory is left as it is.
    let target = dir.path().join("a-dir");
    std::fs::create_dir(&target).unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = audit(&["--format", "json", "--out"])
        .arg(&link)
        .output()
        .unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("is a symbolic link to a directory"),
        "{stderr}"
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );

    // In a multi-format run, an existing target of the wrong kind stops it before any work.
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    mkfifo(&out_dir.join("audit-report.md"));
    let out = audit(&["--format", "json", "--format", "md", "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert_eq!(names_in(&out_dir), ["audit-report.md"]);
}

#[cfg(unix)]
#[test]
fn new_files_follow_the_umask_not_the_replaced_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    std::fs::write(&report, "old").unwrap();
    std::fs::set_permissions(&report, std::fs::Permissions::from_mode(0o600)).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("catalog-audit");
    for (umask, mode) in [("027", 0o640), ("022", 0o644)] {
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "umask {umask}; exec \"$0\" audit \"$1\" \"$2\" --format json --out \"$3\" --quiet"
            ))
            .arg(&bin)
            .arg(demo("2017-06-30.json"))
            .arg(demo("2017-12-31.json"))
            .arg(&report)
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(1));
        let got = std::fs::metadata(&report).unwrap().permissions().mode() & 0o777;
        assert_eq!(got, mode, "umask {umask}");
    }
}

#[test]
fn a_failed_multi_format_run_writes_nothing_and_leaves_no_temporaries() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    std::fs::write(out_dir.join("audit-report.json"), "last run").unwrap();
    // An HTML template that fails when it renders, after the JSON report was written.
    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    std::fs::write(
        templates.join("report.html.hbs"),
        "{{#each nothing}}x{{/each}}",
    )
    .unwrap();
    let out = audit(&["--format", "json", "--format", "html", "--format", "md"])
        .arg("--templates")
        .arg(&templates)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert_eq!(names_in(&out_dir), ["audit-report.json"]);
    assert_eq!(
        std::fs::read_to_string(out_dir.join("audit-report.json")).unwrap(),
        "last run"
    );
}

#[test]
fn a_split_run_appears_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("by-department");
    let out = audit(&["--split-by", "department", "--format", "json", "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let names = names_in(&out_dir);
    assert!(names.contains(&"index.html".to_string()), "{names:?}");
    assert!(
        names.contains(&"audit-report.json".to_string()),
        "{names:?}"
    );
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
}

#[cfg(target_os = "linux")]
#[test]
fn temporaries_of_a_killed_run_are_removed_by_the_next() {
    let dir = tempfile::tempdir().unwrap();
    // A process id no process has (above the kernel's limit of 2^22).
    let stale = dir.path().join(".catalog-audit-4194305-AbCdEf.tmp");
    std::fs::write(&stale, "half a report").unwrap();
    // One of a process that lives (this test) is another run's, still writing.
    let live = dir
        .path()
        .join(format!(".catalog-audit-{}-AbCdEf.tmp", std::process::id()));
    std::fs::write(&live, "being written").unwrap();
    let out = audit(&["--format", "json", "--out"])
        .arg(dir.path().join("report.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(!stale.exists());
    assert!(live.exists());
    assert_eq!(
        names_in(dir.path()),
        [
            live.file_name().unwrap().to_string_lossy().into_owned(),
            "report.json".into()
        ]
    );
}

#[test]
fn out_is_checked_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir/report.json");
    // The snapshots do not exist either: the output is checked first (exit 2, not 3).
    let out = bin()
        .args([
            "audit",
            "/no/old.json",
            "/no/new.json",
            "--format",
            "json",
            "--out",
        ])
        .arg(&missing)
        .output()
        .unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&missing.display().to_string()), "{stderr}");
    assert!(stderr.contains("does not exist"), "{stderr}");

    // A directory where a report file is asked for.
    let out = audit(&["--format", "json", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("is a directory, not a regular file"),
        "{stderr}"
    );

    // A file where a directory of reports is asked for.
    let file = dir.path().join("plain");
    std::fs::write(&file, "x").unwrap();
    let out = audit(&["--format", "json", "--format", "md", "--out"])
        .arg(&file)
        .output()
        .unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not a directory"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn a_read_only_directory_is_found_before_any_work() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    // Root writes anyway: then there is nothing to find.
    if std::fs::write(ro.join("probe"), "").is_ok() {
        return;
    }
    let out = bin()
        .args([
            "audit",
            "/no/old.json",
            "/no/new.json",
            "--format",
            "json",
            "--out",
        ])
        .arg(ro.join("report.json"))
        .output()
        .unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&ro.join("report.json").display().to_string()),
        "{stderr}"
    );
}

/// Runs the audit with its stdout a pipe whose reader has gone; the exit code and stderr.
fn audit_into_closed_pipe(format: &str) -> (Option<i32>, String) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("catalog-audit"))
        .arg("audit")
        .arg(demo("2017-06-30.json"))
        .arg(demo("2017-12-31.json"))
        .args(["--format", format, "--color", "never"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes before the audit (tens of milliseconds of loading) writes anything.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (out.status.code(), stderr_of(&out))
}

#[test]
fn a_closed_pipe_fails_a_document_and_ends_a_terminal_report_quietly() {
    // The JSON reader got half a document: the I/O error code of the exit-code table.
    let (code, stderr) = audit_into_closed_pipe("json");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot write report: Broken pipe (standard output)"),
        "{stderr}"
    );
    // A person's `| head` stopped reading: quiet, and the exit code still says what was found
    // (the demo has error-level findings), not 0.
    let (code, stderr) = audit_into_closed_pipe("terminal");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_on_stdout_is_a_failure() {
    for format in ["terminal", "json"] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("catalog-audit"))
            .arg("audit")
            .arg(demo("2017-06-30.json"))
            .arg(demo("2017-12-31.json"))
            .args(["--format", format])
            .stdout(Stdio::from(full))
            .output()
            .unwrap();
        let stderr = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{format}: {stderr}");
        assert!(stderr.contains("standard output"), "{stderr}");
    }
}

/// The demo's new snapshot with its first item and department renamed to `name`.
fn snapshot_named(dir: &Path, name: &str) -> PathBuf {
    let mut snap: Value =
        serde_json::from_str(&std::fs::read_to_string(demo("2017-12-31.json")).unwrap()).unwrap();
    let items = snap["items"].as_array_mut().unwrap();
    items[0]["name"] = Value::String(name.into());
    items[0]["department"] = Value::String(format!("{name}局"));
    let path = dir.join("named.json");
    std::fs::write(&path, serde_json::to_string(&snap).unwrap()).unwrap();
    path
}

#[test]
fn catalog_text_reaches_the_terminal_written_out() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = "\u{1b}]0;pwned\u{7}办证\u{202e}moc.live\u{1b}[2J\r";
    let snapshot = snapshot_named(dir.path(), hostile);
    for args in [
        vec!["audit", "--format", "terminal", "--color", "never"],
        vec!["audit", "--format", "terminal", "--color", "always"],
        vec!["audit", "--format", "md"],
    ] {
        let out = bin()
            .arg(args[0])
            .arg(demo("2017-06-30.json"))
            .arg(&snapshot)
            .args(&args[1..])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("pwned"), "the item is shown");
        for bad in ['\u{7}', '\u{202e}', '\r'] {
            assert!(!text.contains(bad), "{args:?}: {bad:?} reached the output");
        }
        let escapes = text.matches('\u{1b}').count();
        let colour = args.contains(&"always");
        // With colour, ESC only starts the tool's own styles (`ESC[` then digits and `m`).
        if colour {
            assert!(text.split('\u{1b}').skip(1).all(|s| {
                s.starts_with('[') && s[1..].starts_with(|c: char| c.is_ascii_digit() || c == 'm')
            }));
        } else {
            assert_eq!(escapes, 0, "{args:?}");
        }
        let written_out = if args.contains(&"md") {
            // Markdown escapes the escape's backslash and braces.
            "\\\\u\\{1b\\}\\]0;pwned\\\\u\\{7\\}"
        } else {
            "\\u{1b}]0;pwned\\u{7}"
        };
        assert!(text.contains(written_out), "{args:?}: written out");
    }
}

#[test]
fn errors_quoting_catalog_text_write_it_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut snap: Value =
        serde_json::from_str(&std::fs::read_to_string(demo("2017-12-31.json")).unwrap()).unwrap();
    // An invalid value: the error quotes it.
    snap["items"][0]["onsite_visits"] = Value::String("\u{1b}]0;pwned\u{7}".into());
    let path = dir.path().join("bad.json");
    std::fs::write(&path, serde_json::to_string(&snap).unwrap()).unwrap();
    let out = bin()
        .arg("audit")
        .arg(demo("2017-06-30.json"))
        .arg(&path)
        .output()
        .unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\u{7}'),
        "{stderr:?}"
    );
    assert!(stderr.contains("pwned"), "{stderr}");
}
