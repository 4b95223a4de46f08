//! `merge`: the demo audited in two partitions (by department, as a national audit is split by
//! region) and merged gives the same changes, findings and counts as one run over everything.

use assert_cmd::Command;
use serde_json::{Value, json};
use std::path::Path;

fn demo(name: &str) -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("examples/qinghe")
                .join(name),
        )
        .unwrap(),
    )
    .unwrap()
}

fn audit(dir: &Path, tag: &str, old: &Value, new: &Value, log: &Value) -> Value {
    let p = |n: &str| dir.join(format!("{tag}-{n}"));
    std::fs::write(p("old.json"), old.to_string()).unwrap();
    std::fs::write(p("new.json"), new.to_string()).unwrap();
    std::fs::write(p("log.json"), log.to_string()).unwrap();
    Command::cargo_bin("catalog-audit")
        .unwrap()
        .arg("audit")
        .arg(p("old.json"))
        .arg(p("new.json"))
        .arg("--adjustments")
        .arg(p("log.json"))
        .args(["--format", "json", "--quiet", "--fail-on", "never", "--out"])
        .arg(p("report.json"))
        .assert()
        .code(0);
    serde_json::from_slice(&std::fs::read(p("report.json")).unwrap()).unwrap()
}

fn part(doc: &Value, key: &str, dept: &dyn Fn(&str) -> bool) -> Value {
    let mut d = doc.clone();
    let list = d[key]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| dept(i["department"].as_str().unwrap_or("")))
        .cloned()
        .collect();
    d[key] = Value::Array(list);
    d
}

#[test]
fn partial_reports_merge_into_the_single_run() {
    let d = tempfile::tempdir().unwrap();
    let (old, new, log) = (
        demo("2017-06-30.json"),
        demo("2017-12-31.json"),
        demo("adjustments-2017H2.json"),
    );
    let whole = audit(d.path(), "all", &old, &new, &log);
    let a = |dept: &str| dept < "青禾市民";
    let b = |dept: &str| !a(dept);
    let ra = audit(
        d.path(),
        "a",
        &part(&old, "items", &a),
        &part(&new, "items", &a),
        &part(&log, "adjustments", &a),
    );
    let rb = audit(
        d.path(),
        "b",
        &part(&old, "items", &b),
        &part(&new, "items", &b),
        &part(&log, "adjustments", &b),
    );
    assert!(
        ra["findings"].as_array().unwrap().len() > 5
            && rb["findings"].as_array().unwrap().len() > 5
    );

    let out = Command::cargo_bin("catalog-audit")
        .unwrap()
        .arg("merge")
        .arg(d.path().join("b-report.json"))
        .arg(d.path().join("a-report.json"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let merged: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(merged["summary"], whole["summary"]);
    assert_eq!(merged["changes"], whole["changes"]);
    assert_eq!(merged["findings"], whole["findings"]);
    assert_eq!(merged["rules"], whole["rules"]);
    assert_eq!(merged["new"]["items"], whole["new"]["items"]);
    assert_eq!(merged["old"]["items"], whole["old"]["items"]);
    // The merged document is a valid report.
    let m = d.path().join("merged.json");
    std::fs::write(&m, &out.stdout).unwrap();
    Command::cargo_bin("catalog-audit")
        .unwrap()
        .arg("validate")
        .arg(&m)
        .assert()
        .code(0);

    // The merged report's manifest lists its parts, with their digests, and every part's inputs.
    let parts = merged["manifest"]["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0]["file"], "b-report.json");
    assert_eq!(parts[0]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(
        parts
            .iter()
            .map(|p| p["new_items"].as_u64().unwrap())
            .sum::<u64>(),
        whole["new"]["items"].as_u64().unwrap()
    );
    assert_eq!(merged["manifest"]["inputs"].as_array().unwrap().len(), 6);
    assert_eq!(
        merged["manifest"]["rule_pack_sha256"],
        whole["manifest"]["rule_pack_sha256"]
    );

    // A part given twice, parts that overlap, or parts audited with another rule pack or other
    // options are refused (exit 3), naming the part.
    let merge = |files: &[&str]| {
        let out = Command::cargo_bin("catalog-audit")
            .unwrap()
            .arg("merge")
            .args(files.iter().map(|f| d.path().join(f)))
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = merge(&["a-report.json", "b-report.json", "a-report.json"]);
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains("the same part as") && err.contains("a-report.json"),
        "{err}"
    );
    let (code, err) = merge(&["a-report.json", "all-report.json"]);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("parts must not overlap"), "{err}");
    for (pointer, value, says) in [
        (
            "/manifest/rule_pack_sha256",
            json!("0".repeat(64)),
            "a different rule pack",
        ),
        ("/manifest/options/lang", json!("en"), "different options"),
    ] {
        let mut other = rb.clone();
        *other.pointer_mut(pointer).unwrap() = value;
        std::fs::write(d.path().join("other.json"), other.to_string()).unwrap();
        let (code, err) = merge(&["a-report.json", "other.json"]);
        assert_eq!(code, Some(3), "{err}");
        assert!(err.contains(says) && err.contains("other.json"), "{err}");
    }

    // Reports judged on different dates do not merge.
    let mut late = rb.clone();
    late["as_of"] = json!("2018-01-31");
    std::fs::write(d.path().join("late.json"), late.to_string()).unwrap();
    Command::cargo_bin("catalog-audit")
        .unwrap()
        .arg("merge")
        .arg(d.path().join("a-report.json"))
        .arg(d.path().join("late.json"))
        .assert()
        .code(3);
}
