//! End-to-end tests of the binary: exit codes, located error messages, report files, escaping and
//! determinism. Fixtures are written to a fresh temporary directory per test.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn bin() -> Command {
    let mut c = Command::cargo_bin("catalog-audit").unwrap();
    c.env_remove("NO_COLOR");
    c
}

fn write(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p
}

/// An item that no built-in rule fires on.
fn clean(code: &str, name: &str) -> Value {
    json!({
        "code": code, "name": name, "item_type": "公共服务", "department": "越州市教育局",
        "department_code": "113306000025870961",
        "status": "在用",
        "legal_basis": [{ "title": "中华人民共和国义务教育法", "level": "法律", "article": "第十二条" }],
        "case_type": "承诺件",
        "legal_limit": { "value": 20, "unit": "工作日" },
        "promised_limit": { "value": 5, "unit": "工作日" },
        "service_objects": ["自然人"], "channels": ["窗口办理", "网上办理"],
        "address": "越州市行政服务中心二楼12号窗口", "office_hours": "工作日 9:00-17:00",
        "onsite_visits": 0, "online_depth": 4, "online_url": "https://example.invalid/item/12",
        "fee": { "charged": false, "items": [] }, "pay_online": false,
        "materials": [{ "name": "居民身份证", "form": "纸质", "kind": "证件证书证明", "necessity": "必要", "copies": 1 }],
        "process": [{ "step": "受理", "days": 1 }, { "step": "审核", "days": 3 }, { "step": "办结", "days": 1 }],
        "consult_phone": "0575-85120000", "complaint_phone": "0575-12345"
    })
}

fn snapshot(as_of: &str, items: Vec<Value>) -> Value {
    json!({ "format": "catalog-snapshot/1", "catalog": { "name": "越州市公共服务事项目录", "region_code": "330600", "as_of": as_of }, "items": items })
}

fn gb32100_check(first17: &str) -> char {
    const A: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const W: [usize; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let s: usize = first17
        .chars()
        .zip(W)
        .map(|(c, w)| A.find(c).unwrap() * w)
        .sum();
    A.chars().nth((31 - s % 31) % 31).unwrap()
}

#[test]
fn fixture_credit_code_is_valid() {
    let code = clean("x", "y")["department_code"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        code.chars().last().unwrap(),
        gb32100_check(&code[..17]),
        "fix the fixture's check character"
    );
}

#[test]
fn clean_pair_exits_zero() {
    let d = tempfile::tempdir().unwrap();
    let old = write(
        d.path(),
        "old.json",
        &snapshot("2017-06-30", vec![clean("A-1", "义务教育阶段学生转学")]),
    );
    let new = write(
        d.path(),
        "new.json",
        &snapshot("2017-12-31", vec![clean("A-1", "义务教育阶段学生转学")]),
    );
    bin()
        .args(["audit"])
        .arg(&old)
        .arg(&new)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "新增 0 项，变更 0 项，取消 0 项，编码变更 0 项；错误 0 条，警告 0 条，提示 0 条",
        ));
    bin()
        .args(["audit", "--lang", "en"])
        .arg(&old)
        .arg(&new)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "0 added, 0 changed, 0 cancelled, 0 recoded; 0 errors, 0 warnings, 0 info",
        ));
}

#[test]
fn findings_set_the_exit_code_by_fail_on() {
    let d = tempfile::tempdir().unwrap();
    let mut bad = clean("A-1", "义务教育阶段学生转学");
    bad["onsite_visits"] = json!(2); // OV-03, an error
    bad["online_depth"] = json!(3);
    bad["onsite_reason"] = json!("需核验原件");
    let old = write(
        d.path(),
        "old.json",
        &snapshot("2017-06-30", vec![clean("A-1", "义务教育阶段学生转学")]),
    );
    let new = write(d.path(), "new.json", &snapshot("2017-12-31", vec![bad]));
    bin()
        .arg("audit")
        .arg(&old)
        .arg(&new)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("OV-03"));
    bin()
        .arg("audit")
        .arg(&old)
        .arg(&new)
        .args(["--fail-on", "never"])
        .assert()
        .code(0);

    let mut warn = clean("A-1", "义务教育阶段学生转学");
    warn["consult_phone"] = json!("85120000"); // CF-09, a warning
    let new = write(d.path(), "warn.json", &snapshot("2017-12-31", vec![warn]));
    bin().arg("audit").arg(&old).arg(&new).assert().code(0);
    bin()
        .arg("audit")
        .arg(&old)
        .arg(&new)
        .args(["--fail-on", "warning"])
        .assert()
        .code(1);
}

#[test]
fn schema_violation_exits_3_naming_file_item_and_pointer() {
    let d = tempfile::tempdir().unwrap();
    let mut bad = clean("330600-GG-00012", "义务教育阶段学生转学");
    bad["onsite_visits"] = json!("1次");
    let new = write(
        d.path(),
        "bad.json",
        &snapshot("2017-12-31", vec![clean("A-1", "x"), bad]),
    );
    bin()
        .arg("validate")
        .arg(&new)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("bad.json"))
        .stderr(predicate::str::contains(
            "item 330600-GG-00012 (#2) /items/1/onsite_visits",
        ))
        .stderr(predicate::str::contains("\"1次\" is not of types"));
    bin().arg("check").arg(&new).assert().code(3);
}

#[test]
fn duplicate_codes_exit_3_naming_both_positions() {
    let d = tempfile::tempdir().unwrap();
    let p = write(
        d.path(),
        "dup.json",
        &snapshot(
            "2017-12-31",
            vec![clean("A-1", "甲"), clean("A-2", "乙"), clean("A-1", "丙")],
        ),
    );
    bin()
        .arg("validate")
        .arg(&p)
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "duplicate item code \"A-1\": items #1 (/items/0) and #3 (/items/2)",
        ));
}

#[test]
fn unreadable_and_malformed_inputs_exit_3() {
    let d = tempfile::tempdir().unwrap();
    let good = write(
        d.path(),
        "good.json",
        &snapshot("2017-12-31", vec![clean("A-1", "甲")]),
    );
    bin()
        .arg("audit")
        .arg(d.path().join("missing.json"))
        .arg(&good)
        .assert()
        .code(3)
        .stderr(
            predicate::str::starts_with("catalog-audit: cannot read: ")
                .and(predicate::str::contains("missing.json)")),
        );
    let broken = d.path().join("broken.json");
    std::fs::write(
        &broken,
        "{ \"format\": \"catalog-snapshot/1\", \"items\": [ {\"code\": } ] }",
    )
    .unwrap();
    bin()
        .arg("audit")
        .arg(&good)
        .arg(&broken)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("broken.json"))
        .stderr(predicate::str::contains("line 1, column"));
    let no_format = write(d.path(), "nofmt.json", &json!({ "items": [] }));
    bin()
        .arg("check")
        .arg(&no_format)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("/format"));
    let bad_log = write(
        d.path(),
        "log.json",
        &json!({ "format": "adjustment-log/1", "adjustments": [{ "id": "TZ-1", "kind": "modify", "code": "A-1" }] }),
    );
    bin()
        .arg("audit")
        .arg(&good)
        .arg(&good)
        .arg("--adjustments")
        .arg(&bad_log)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("/adjustments/0/kind"));
}

#[test]
fn nulls_and_unknown_keys_are_accepted_and_kept() {
    let d = tempfile::tempdir().unwrap();
    let mut a = clean("A-1", "甲");
    a["备注"] = json!("旧备注");
    a["online_url"] = Value::Null;
    a["faq"] = Value::Null;
    let mut b = a.clone();
    b["备注"] = json!("新备注");
    let old = write(d.path(), "old.json", &snapshot("2017-06-30", vec![a]));
    let new = write(d.path(), "new.json", &snapshot("2017-12-31", vec![b]));
    let out = bin()
        .arg("diff")
        .arg(&old)
        .arg(&new)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["changes"][0]["fields"],
        json!([{ "field": "备注", "old": "旧备注", "new": "新备注",
        "diff": [{ "op": "delete", "text": "旧" }, { "op": "insert", "text": "新" }, { "op": "equal", "text": "备注" }] }])
    );
}

#[test]
fn usage_errors_exit_2() {
    bin().args(["audit", "--no-such-flag"]).assert().code(2);
    bin()
        .args(["rules", "explain", "XX-99"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule code XX-99"));
    let d = tempfile::tempdir().unwrap();
    let s = write(
        d.path(),
        "s.json",
        &snapshot("2017-12-31", vec![clean("A-1", "甲")]),
    );
    bin()
        .arg("check")
        .arg(&s)
        .args(["--format", "json", "--format", "html"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--out"));
}

#[test]
fn invalid_rule_files_exit_2_naming_file_and_problem() {
    let d = tempfile::tempdir().unwrap();
    let s = write(
        d.path(),
        "s.json",
        &snapshot("2017-12-31", vec![clean("A-1", "甲")]),
    );
    let rules = d.path().join("rules/one_visit");
    std::fs::create_dir_all(&rules).unwrap();
    let rule = json!({
        "code": "OV-90", "name": "test-rule", "category": "one_visit", "severity": "error",
        "title": { "zh": "测试", "en": "test" }, "field": "onsite_reason",
        "require": { "present": "onsite_reasn" },
        "message": { "zh": "缺少原因", "en": "reason missing" },
        "rationale": { "zh": "理由", "en": "why" }, "remediation": { "zh": "补充", "en": "add it" },
        "basis": [{ "title": "测试依据" }],
        "examples": { "valid": [{ "item": {} }], "invalid": [{ "item": {} }] }
    });
    write(&rules, "OV-90-test-rule.json", &rule);
    bin()
        .arg("check")
        .arg(&s)
        .arg("--rules")
        .arg(d.path().join("rules"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("OV-90-test-rule.json"))
        .stderr(predicate::str::contains("unknown field \"onsite_reasn\""));

    let mut typo = rule.clone();
    typo["require"] = json!({ "present": "onsite_reason" });
    typo["severty"] = json!("error");
    write(&rules, "OV-90-test-rule.json", &typo);
    bin()
        .arg("check")
        .arg(&s)
        .arg("--rules")
        .arg(d.path().join("rules"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("severty"));

    // The same rule, corrected, runs from the directory and fires.
    let mut fixed = rule.clone();
    fixed["require"] = json!({ "present": "extra.办理说明" });
    write(&rules, "OV-90-test-rule.json", &fixed);
    bin()
        .arg("check")
        .arg(&s)
        .arg("--rules")
        .arg(d.path().join("rules"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("OV-90"));
}

#[test]
fn json_report_is_schema_valid_sorted_and_byte_identical() {
    let d = tempfile::tempdir().unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/qinghe");
    let run = |out: &Path| {
        bin()
            .arg("audit")
            .arg(demo.join("2017-06-30.json"))
            .arg(demo.join("2017-12-31.json"))
            .arg("--adjustments")
            .arg(demo.join("adjustments-2017H2.json"))
            .args(["--format", "json", "--out"])
            .arg(out)
            .assert()
            .code(1);
        std::fs::read(out).unwrap()
    };
    let a = run(&d.path().join("a.json"));
    let b = run(&d.path().join("b.json"));
    assert_eq!(a, b, "two runs must write the same bytes");
    let leftovers: Vec<_> = std::fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        2,
        "no temporary files left behind: {leftovers:?}"
    );
    bin()
        .arg("validate")
        .arg(d.path().join("a.json"))
        .assert()
        .code(0);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.path().join("a.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o644,
            0o644,
            "reports are readable by others, not private temp files"
        );
    }

    let report: Value = serde_json::from_slice(&a).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let keys: Vec<(String, String, String, String)> = findings
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap().to_string();
            (s("department"), s("code"), s("rule"), s("field"))
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(
        keys, sorted,
        "findings are sorted by (department, code, rule, field)"
    );
    let mut fps: Vec<&str> = findings
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    fps.sort();
    fps.dedup();
    assert_eq!(fps.len(), findings.len(), "fingerprints are unique");
}

#[test]
fn html_escapes_catalog_text() {
    let d = tempfile::tempdir().unwrap();
    let mut bad = clean("A-1", "<script>alert(1)</script>转学");
    bad["onsite_visits"] = json!(3);
    bad["onsite_reason"] = json!("<img src=x onerror=alert(2)>");
    let old = write(
        d.path(),
        "old.json",
        &snapshot("2017-06-30", vec![clean("A-1", "转学")]),
    );
    let new = write(d.path(), "new.json", &snapshot("2017-12-31", vec![bad]));
    let html = d.path().join("r.html");
    bin()
        .arg("audit")
        .arg(&old)
        .arg(&new)
        .args(["--format", "html", "--out"])
        .arg(&html)
        .assert()
        .code(1);
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(
        text.contains("&lt;script&gt;alert(1)&lt;/script&gt;转学"),
        "name shown as text"
    );
    assert_eq!(
        text.matches("<script").count(),
        1,
        "no script element from catalog text, only the report's own filter script"
    );
    assert!(!text.contains("<img"), "no markup from catalog text");
    assert!(
        !text.contains("http://") && !text.contains("https://"),
        "no external reference"
    );
}

#[test]
fn terminal_output_has_colour_only_when_asked() {
    let d = tempfile::tempdir().unwrap();
    let mut bad = clean("A-1", "转学");
    bad["onsite_visits"] = json!(2);
    bad["online_depth"] = json!(3);
    bad["onsite_reason"] = json!("需核验原件");
    let s = write(d.path(), "s.json", &snapshot("2017-12-31", vec![bad]));
    let piped = bin().arg("check").arg(&s).output().unwrap();
    assert!(
        !String::from_utf8_lossy(&piped.stdout).contains('\x1b'),
        "no colour in a pipe"
    );
    let forced = bin()
        .arg("check")
        .arg(&s)
        .args(["--color", "always"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&forced.stdout).contains('\x1b'));
}

#[test]
fn rules_catalogue_commands() {
    bin()
        .args(["rules", "list"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("FEE-01"))
        .stdout(predicate::str::contains("CF-03"));
    bin()
        .args(["rules", "list", "--category", "fee", "--format", "json"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("\"FEE-06\""))
        .stdout(predicate::str::contains("OV-02").not());
    bin()
        .args(["rules", "explain", "OV-03", "--lang", "en"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("OV-03"))
        .stdout(predicate::str::contains("What to do"));
}

#[test]
fn config_file_and_flags_set_severity_and_disable_rules() {
    let d = tempfile::tempdir().unwrap();
    let mut bad = clean("A-1", "转学");
    bad["onsite_visits"] = json!(2); // OV-03, an error by default
    bad["online_depth"] = json!(3);
    bad["onsite_reason"] = json!("需核验原件");
    let s = write(d.path(), "s.json", &snapshot("2017-12-31", vec![bad]));
    let run = |args: &[&str]| {
        let out = bin()
            .arg("check")
            .arg(&s)
            .args(["--format", "json"])
            .args(args)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        let ov03: Vec<String> = report["findings"]
            .as_array()
            .map(|fs| {
                fs.iter()
                    .filter(|f| f["rule"] == "OV-03")
                    .map(|f| f["severity"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default();
        (out.status.code(), ov03)
    };
    assert_eq!(run(&[]), (Some(1), vec!["error".to_string()]));
    assert_eq!(
        run(&["--severity", "OV-03=warning"]),
        (Some(0), vec!["warning".to_string()])
    );
    assert_eq!(run(&["--disable", "OV-03"]).1, Vec::<String>::new());

    let cfg = write(
        d.path(),
        "cfg.json",
        &json!({ "format": "audit-config/1", "rules": { "OV-03": { "severity": "warning", "overrides": [
            { "departments": ["越州市教育局"], "item_types": ["公共服务"], "severity": "info", "reason": "试点豁免" }
        ] } } }),
    );
    let cfg = cfg.to_str().unwrap().to_string();
    assert_eq!(
        run(&["--config", &cfg]),
        (Some(0), vec!["info".to_string()])
    );
    // Flags win over the file.
    assert_eq!(
        run(&["--config", &cfg, "--disable", "OV-03"]).1,
        Vec::<String>::new()
    );

    // An unknown rule code is an error, in the file and on the command line.
    let typo = write(
        d.path(),
        "typo.json",
        &json!({ "rules": { "OV-99": { "enabled": false } } }),
    );
    bin()
        .arg("check")
        .arg(&s)
        .arg("--config")
        .arg(&typo)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule code OV-99"));
    bin()
        .arg("check")
        .arg(&s)
        .args(["--disable", "XX-01"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule code XX-01"));
    let bad_key = write(d.path(), "badkey.json", &json!({ "rule": {} }));
    bin()
        .arg("check")
        .arg(&s)
        .arg("--config")
        .arg(&bad_key)
        .assert()
        .code(2);
}

#[test]
fn registries_are_looked_up_as_of_the_snapshot_date() {
    let d = tempfile::tempdir().unwrap();
    let mut item = clean("A-1", "结婚登记");
    item["legal_basis"] =
        json!([{ "title": "中华人民共和国婚姻法", "level": "法律", "article": "第八条" }]);
    let before = write(
        d.path(),
        "2020.json",
        &snapshot("2020-12-31", vec![item.clone()]),
    );
    let after = write(d.path(), "2021.json", &snapshot("2021-06-30", vec![item]));
    let rules = |p: &Path| {
        let out = bin()
            .arg("check")
            .arg(p)
            .args(["--format", "json"])
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert!(
        !rules(&before).contains(&"LB-04".to_string()),
        "in force until 2020-12-31"
    );
    assert!(
        rules(&after).contains(&"LB-04".to_string()),
        "repealed by the civil code on 2021-01-01"
    );
    // --as-of moves the judgement date.
    let out = bin()
        .arg("check")
        .arg(&after)
        .args(["--format", "json", "--as-of", "2020-06-01"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        !report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "LB-04")
    );
}

#[test]
fn rules_list_all_shows_not_applicable_rules_with_reasons() {
    let out = bin()
        .args(["rules", "list", "--all", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let na: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "not_applicable")
        .collect();
    assert!(
        !na.is_empty(),
        "some review rules cannot be expressed in the contract"
    );
    for r in na {
        assert!(
            !r["reason"]["zh"].as_str().unwrap().is_empty()
                && !r["reason"]["en"].as_str().unwrap().is_empty()
        );
    }
}

#[test]
fn flags_beat_environment_beats_config_file() {
    let d = tempfile::tempdir().unwrap();
    let mut warn = clean("A-1", "转学");
    warn["consult_phone"] = json!("85120000"); // CF-09, a warning only
    let s = write(d.path(), "s.json", &snapshot("2017-12-31", vec![warn]));
    let cfg = write(
        d.path(),
        "cfg.json",
        &json!({ "format": "audit-config/1", "fail_on": "warning" }),
    );
    let check = || {
        let mut c = bin();
        c.arg("check").arg(&s).env_remove("CATALOG_AUDIT_FAIL_ON");
        c
    };
    check().assert().code(0);
    check().arg("--config").arg(&cfg).assert().code(1);
    check().env("CATALOG_AUDIT_CONFIG", &cfg).assert().code(1);
    check()
        .arg("--config")
        .arg(&cfg)
        .env("CATALOG_AUDIT_FAIL_ON", "never")
        .assert()
        .code(0);
    check()
        .arg("--config")
        .arg(&cfg)
        .env("CATALOG_AUDIT_FAIL_ON", "never")
        .args(["--fail-on", "warning"])
        .assert()
        .code(1);
}

#[test]
fn output_is_the_same_for_any_number_of_threads() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/qinghe");
    let run = |threads: &str| {
        bin()
            .env("RAYON_NUM_THREADS", threads)
            .arg("audit")
            .arg(demo.join("2017-06-30.json"))
            .arg(demo.join("2017-12-31.json"))
            .arg("--adjustments")
            .arg(demo.join("adjustments-2017H2.json"))
            .args(["--format", "json"])
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1");
    assert!(one.len() > 10_000);
    assert_eq!(one, run("2"));
    assert_eq!(one, run("7"));
}

#[test]
fn a_broken_template_is_named_with_its_line() {
    let d = tempfile::tempdir().unwrap();
    let s = write(
        d.path(),
        "s.json",
        &snapshot("2017-12-31", vec![clean("A-1", "甲")]),
    );
    let tpl = d.path().join("tpl");
    std::fs::create_dir_all(&tpl).unwrap();
    std::fs::write(
        tpl.join("report.html.hbs"),
        "<html>\n<body>\n{{#each departments}}\n{{name}\n{{/each}}\n</body></html>\n",
    )
    .unwrap();
    bin()
        .arg("check")
        .arg(&s)
        .args(["--format", "html", "--templates"])
        .arg(&tpl)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("report.html.hbs"))
        .stderr(predicate::str::contains(":4:"));
    // A directory with no known template is refused.
    let empty = d.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    bin()
        .arg("check")
        .arg(&s)
        .args(["--format", "html", "--templates"])
        .arg(&empty)
        .assert()
        .code(2);
}

#[test]
fn review_round_rules_are_catalogued_and_configurable() {
    // `rules list` shows the round's rules beside the pack's, in text and JSON.
    let out = bin().args(["rules", "list"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for code in ["CF-90", "CF-91", "CF-92"] {
        assert!(
            text.lines().any(|l| l.starts_with(code)),
            "{code} not listed"
        );
    }
    assert!(text.contains(", 3 of the review round"), "{text}");
    let out = bin()
        .args(["rules", "list", "--tag", "round", "--format", "json"])
        .output()
        .unwrap();
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["CF-90", "CF-91", "CF-92"]);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "round")
    );
    // `rules explain` gives their words from the message catalogue, in both languages.
    bin()
        .args(["rules", "explain", "cf-92", "--lang", "en"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "Reply says fixed, finding still present",
        ))
        .stdout(predicate::str::contains("What to do"));
    let out = bin()
        .args(["rules", "explain", "CF-90", "--format", "json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["severity"], "warning");
    assert!(doc["message"]["zh"].as_str().unwrap().contains("{expires}"));

    // A configuration may turn them off or change their severity, like any rule's.
    let d = tempfile::tempdir().unwrap();
    let waivers = d.path().join("waivers.json");
    std::fs::write(
        &waivers,
        json!({"format": "waivers/1", "waivers": [
            {"id": "W-OLD", "rule": "LB-01", "department": "青禾市民政局", "reason": "r",
             "approver": "a", "doc_no": "青编〔2017〕1号", "expires": "2017-01-01"},
            {"id": "W-NONE", "rule": "LB-01", "code": "NO-SUCH-CODE", "reason": "r",
             "approver": "a", "doc_no": "青编〔2017〕2号", "expires": "2099-01-01"}
        ]})
        .to_string(),
    )
    .unwrap();
    let demo = |f: &str| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/qinghe")
            .join(f)
    };
    let run = |extra: &[&str]| -> Value {
        let out = d.path().join("r.json");
        bin()
            .arg("audit")
            .arg(demo("2017-06-30.json"))
            .arg(demo("2017-12-31.json"))
            .arg("--waivers")
            .arg(&waivers)
            .args(["--format", "json", "--fail-on", "never", "--quiet", "--out"])
            .arg(&out)
            .args(extra)
            .assert()
            .code(0);
        serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap()
    };
    let of = |r: &Value, code: &str| -> Vec<Value> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == code)
            .cloned()
            .collect()
    };
    let r = run(&[]);
    let (expired, unused) = (of(&r, "CF-90"), of(&r, "CF-91"));
    assert_eq!((expired.len(), unused.len()), (1, 1));
    assert_eq!(expired[0]["severity"], "warning");
    assert!(expired[0]["message"].as_str().unwrap().contains("W-OLD"));
    // The report documents the round rules that fired, like the pack's.
    assert!(
        r["rules"]["CF-90"]["title"]
            .as_str()
            .unwrap()
            .contains("豁免")
    );
    let r = run(&["--disable", "CF-91", "--severity", "CF-90=error"]);
    assert!(of(&r, "CF-91").is_empty());
    assert_eq!(of(&r, "CF-90")[0]["severity"], "error");
}

/// A clean item that needs one visit, with its reason: OV-06 fires on it unless a list exempts it.
fn one_visit(code: &str, name: &str) -> Value {
    let mut it = clean(code, name);
    it["onsite_visits"] = json!(1);
    it["onsite_reason"] = json!("需本人到场采集信息");
    it
}

/// The item codes a report's findings of one rule are about.
fn codes_of(report: &Path, rule: &str) -> Vec<String> {
    let report: Value = serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// A city's own list of items not suitable for zero visits names items by the city's codes: items
/// carry them as `local_code`, the list is read with a warning for a code it repeats (never a
/// failure), and OV-06 spares exactly the items it names.
#[test]
fn a_local_list_names_items_by_local_code_and_a_repeat_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let visit = |code: &str, local: &str| {
        let mut it = one_visit(code, "户口迁入");
        it["local_code"] = json!(local);
        it
    };
    let snapshot = write(
        dir.path(),
        "snap.json",
        &json!({ "format": "catalog-snapshot/1",
                 "catalog": { "name": "越州市", "region_code": "330600", "as_of": "2017-12-31" },
                 "items": [visit("330600-GG-00001", "YZ-GA-001"), visit("330600-GG-00002", "YZ-GA-002")] }),
    );
    let entry = json!({ "local_code": "YZ-GA-001", "name": "户口迁入（本地清单）",
                        "reason": "须本人到场采集人像", "source": "越州市不宜跑零次事项清单（示例）" });
    write(
        dir.path(),
        "local-exemptions.json",
        &json!({ "format": "exemption-registry/1", "entries": [entry.clone(), entry] }),
    );
    let config = write(
        dir.path(),
        "config.json",
        &json!({ "format": "audit-config/1", "registries": ["local-exemptions.json"] }),
    );
    let out = bin()
        .arg("check")
        .arg(&snapshot)
        .arg("--config")
        .arg(&config)
        .args(["--format", "json", "--out"])
        .arg(dir.path().join("r.json"))
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_ne!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("warning: ")
            && stderr.contains("local-exemptions.json")
            && stderr.contains("/entries/1 repeats \"YZ-GA-001\""),
        "{stderr}"
    );
    assert_eq!(
        codes_of(&dir.path().join("r.json"), "OV-06"),
        ["330600-GG-00002"]
    );
}

/// `registry import` reads a city's list from CSV (its own item codes, names, reasons) into an
/// exemption registry: a repeated row is a warning naming both rows, and the list, named in the
/// configuration, spares the items it names by the catalog's item code.
#[test]
fn registry_import_reads_a_local_list_and_warns_of_a_repeated_row() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("清单.csv");
    std::fs::write(
        &csv,
        "序号,事项编码,事项名称,不宜跑零次原因\n1,330600-GG-00001,户口迁入,须本人到场采集人像\n2,330600-GG-00003,身份证申领,须采集指纹\n3,330600-GG-00001,户口迁入,重复\n",
    )
    .unwrap();
    let out = bin()
        .args(["registry", "import"])
        .arg(&csv)
        .args(["--source", "越州市不宜跑零次事项清单（示例）", "--out"])
        .arg(dir.path().join("list.json"))
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("row 4 repeats local_code \"330600-GG-00001\"") && stderr.contains("row 2"),
        "{stderr}"
    );
    let list: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("list.json")).unwrap())
            .unwrap();
    let entries = list["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["local_code"], "330600-GG-00001");
    assert_eq!(entries[0]["reason"], "须本人到场采集人像");
    bin()
        .arg("validate")
        .arg(dir.path().join("list.json"))
        .assert()
        .success();

    let visit = one_visit;
    let snap = write(
        dir.path(),
        "snap.json",
        &snapshot(
            "2017-12-31",
            // Named differently from the list: matched by code alone.
            vec![
                visit("330600-GG-00001", "户籍迁入登记"),
                visit("330600-GG-00002", "户口迁出"),
            ],
        ),
    );
    let config = write(
        dir.path(),
        "config.json",
        &json!({ "format": "audit-config/1", "registries": ["list.json"] }),
    );
    bin()
        .arg("check")
        .arg(&snap)
        .arg("--config")
        .arg(&config)
        .args(["--format", "json", "--out"])
        .arg(dir.path().join("r.json"))
        .output()
        .unwrap();
    assert_eq!(
        codes_of(&dir.path().join("r.json"), "OV-06"),
        ["330600-GG-00002"]
    );
}

/// Acts are judged by the document a citation names: a notice re-issued under its old title is
/// told apart by its 文号 (the old one repealed, the title alone meaning the one in force), a
/// 规章 cited by the 令号 of an earlier text is an outdated citation naming the text in force,
/// and each finding shows the registry entry it relied on (source, confidence) without that
/// entering its fingerprint.
#[test]
fn acts_are_judged_by_the_document_cited_and_findings_show_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let notice = "人力资源社会保障部关于印发城乡居民基本养老保险经办规程的通知";
    let laws = |source: &str| {
        json!({ "format": "law-registry/1", "entries": [
            { "title": notice, "aliases": ["城乡居民基本养老保险经办规程"], "level": "规范性文件",
              "doc_no": "人社部发〔2014〕23号", "effective": "2014-03-01", "repealed": "2019-09-01",
              "replaced_by": notice, "replaced_by_doc_no": "人社部发〔2019〕84号",
              "source": source, "confidence": "K" },
            { "title": notice, "aliases": ["城乡居民基本养老保险经办规程"], "level": "规范性文件",
              "doc_no": "人社部发〔2019〕84号", "effective": "2019-09-01", "source": "示例", "confidence": "K" },
            { "title": "越州市测试登记规定", "level": "部门规章", "doc_no": "测试部令第9号",
              "original_doc_no": "测试部令第3号", "effective": "2010-01-01",
              "amended": [{ "effective": "2020-05-01", "doc_no": "测试部令第9号" }],
              "source": "示例", "confidence": "V" }
        ]})
    };
    let cite = |code: &str, title: &str, doc_no: Option<&str>| {
        let mut it = clean(code, "城乡居民基本养老保险参保登记");
        let mut basis = json!({ "title": title, "level": "规范性文件", "article": "第五条" });
        if let Some(n) = doc_no {
            basis["doc_no"] = json!(n);
        }
        it["legal_basis"] = json!([it["legal_basis"][0].clone(), basis]);
        it
    };
    let snapshot = write(
        dir.path(),
        "snap.json",
        &snapshot(
            "2024-06-30",
            vec![
                cite(
                    "330600-GG-00001",
                    "城乡居民基本养老保险经办规程",
                    Some("人社部发[2014]23号"),
                ),
                cite(
                    "330600-GG-00002",
                    "《城乡居民基本养老保险经办规程》（人社部发〔2014〕23号）",
                    None,
                ),
                cite("330600-GG-00003", "城乡居民基本养老保险经办规程", None),
                cite(
                    "330600-GG-00004",
                    "城乡居民基本养老保险经办规程",
                    Some("人社部发〔2019〕84号"),
                ),
                cite(
                    "330600-GG-00005",
                    "越州市测试登记规定（测试部令第3号）",
                    None,
                ),
                cite(
                    "330600-GG-00006",
                    "越州市测试登记规定",
                    Some("测试部令第9号"),
                ),
            ],
        ),
    );
    let config = write(
        dir.path(),
        "config.json",
        &json!({ "format": "audit-config/1", "registries": ["laws.json"] }),
    );
    let run = |source: &str| -> Value {
        write(dir.path(), "laws.json", &laws(source));
        let out_dir = dir.path().join("out");
        let out = bin()
            .arg("check")
            .arg(&snapshot)
            .arg("--config")
            .arg(&config)
            .args([
                "--format", "json", "--format", "html", "--format", "csv", "--out",
            ])
            .arg(&out_dir)
            .output()
            .unwrap();
        assert_ne!(
            out.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("audit-report.json")).unwrap())
            .unwrap()
    };
    let report = run("人社部发〔2019〕84号第十条：原规程同时废止（示例）");
    let of = |rule: &str| -> Vec<&Value> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule)
            .collect()
    };
    let codes = |rule: &str| -> Vec<&str> {
        of(rule)
            .iter()
            .map(|f| f["code"].as_str().unwrap())
            .collect()
    };
    // The old number, in the citation's field or its text: repealed; the title alone or the new
    // number: the document in force.
    assert_eq!(codes("LB-04"), ["330600-GG-00001", "330600-GG-00002"]);
    for f in of("LB-04") {
        let message = f["message"].as_str().unwrap();
        assert!(
            message.contains("2019-09-01") && message.contains("人社部发〔2019〕84号"),
            "{message}"
        );
        assert_eq!(f["reference"]["registry"], "laws");
        assert_eq!(f["reference"]["doc_no"], "人社部发〔2014〕23号");
        assert_eq!(f["reference"]["confidence"], "K");
        assert!(
            f["reference"]["source"]
                .as_str()
                .unwrap()
                .contains("原规程同时废止")
        );
    }
    // An earlier text by its 令号: outdated, naming the text in force by its number.
    assert_eq!(codes("LB-05"), ["330600-GG-00005"]);
    let lb05 = of("LB-05")[0]["message"].as_str().unwrap();
    assert!(
        lb05.contains("2020-05-01") && lb05.contains("测试部令第9号"),
        "{lb05}"
    );
    assert_eq!(of("LB-05")[0]["reference"]["confidence"], "V");
    // The page and the sheet show the entry with its source.
    let html = std::fs::read_to_string(dir.path().join("out/audit-report.html")).unwrap();
    assert!(
        html.contains("参考数据") && html.contains("原规程同时废止"),
        "no reference on the page"
    );
    let csv = std::fs::read_to_string(dir.path().join("out/audit-report.csv")).unwrap();
    assert!(
        csv.contains("参考数据：法律法规库")
            && csv.contains("原规程同时废止")
            && csv.contains("，待核实"),
        "no reference in the sheet"
    );
    // Correcting an entry's source keeps the findings' identity.
    let prints = |r: &Value| -> Vec<String> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["fingerprint"].as_str().unwrap().to_string())
            .collect()
    };
    let again = run("人社部发〔2019〕84号（核对后的来源）");
    assert_eq!(prints(&report), prints(&again));
    assert_ne!(report, again, "the new source is shown");
}

/// A province selects its own element profile in the configuration: it extends the national
/// one, drops an element and requires another; CF-01 then names exactly those elements, one
/// finding each, and a profile the pack does not know is a usage error naming it.
#[test]
fn a_configured_profile_extends_the_national_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut item = clean("330600-GG-00001", "转学");
    item.as_object_mut().unwrap().remove("case_type");
    let snapshot = write(dir.path(), "snap.json", &snapshot("2017-12-31", vec![item]));
    let run = |config: &Value| {
        let config = write(dir.path(), "config.json", config);
        bin()
            .arg("check")
            .arg(&snapshot)
            .arg("--config")
            .arg(&config)
            .args(["--format", "json"])
            .output()
            .unwrap()
    };
    // CF-01's findings under a configuration: (field, message, severity).
    let cf01 = |config: &Value| -> Vec<[String; 3]> {
        let report: Value = serde_json::from_slice(&run(config).stdout).unwrap();
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "CF-01")
            .map(|f| ["field", "message", "severity"].map(|k| f[k].as_str().unwrap().to_string()))
            .collect()
    };
    // The national profile: the missing case type.
    let national = cf01(&json!({ "format": "audit-config/1" }));
    assert_eq!(national.len(), 1, "{national:?}");
    assert_eq!(national[0][0], "case_type");
    assert!(
        national[0][1].contains("未填写办件类型"),
        "{:?}",
        national[0]
    );
    // A province that does not require the case type but requires a FAQ, graded as info.
    write(
        dir.path(),
        "zj.json",
        &json!({ "format": "element-profile/1", "name": "yuezhou", "extends": "national",
                 "title": { "zh": "越州市要素档案（示例）", "en": "Yuezhou (example)" },
                 "source": "示例", "remove": ["case_type"],
                 "elements": [{ "key": "faq", "zh": "常见问题", "en": "FAQ", "types": ["applied"], "severity": "info" }] }),
    );
    let base = json!({ "format": "audit-config/1", "profiles": ["zj.json"], "profile": "yuezhou" });
    let local = cf01(&base);
    assert_eq!(local.len(), 1, "{local:?}");
    assert_eq!(local[0][0], "faq");
    assert!(local[0][1].contains("未填写常见问题"), "{:?}", local[0]);
    // The element's own severity, unless the configuration grades CF-01 itself.
    assert_eq!(local[0][2], "info");
    let mut graded = base.clone();
    graded["rules"] = json!({ "CF-01": { "severity": "warning" } });
    assert_eq!(cf01(&graded)[0][2], "warning");
    // `validate` checks a profile beside the built-in ones it may extend.
    let out = bin()
        .arg("validate")
        .arg(dir.path().join("zj.json"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("element-profile/1 yuezhou"));
    // An unknown profile.
    let out = run(&json!({ "format": "audit-config/1", "profile": "nowhere" }));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no element profile \"nowhere\"") && stderr.contains("national"),
        "{stderr}"
    );
    // A profile naming a key the contract does not have, or accepting values beside no list.
    for (element, says) in [
        (
            json!({ "key": "penalty_kind", "zh": "处罚种类", "en": "penalty" }),
            "unknown field \"penalty_kind\"",
        ),
        (
            json!({ "key": "penalty_kinds", "zh": "处罚种类", "en": "penalty", "also": ["其他"] }),
            "/also: accepted values beside no `values` list",
        ),
    ] {
        write(
            dir.path(),
            "bad.json",
            &json!({ "format": "element-profile/1", "name": "bad", "extends": "national",
                     "title": { "zh": "坏", "en": "bad" }, "source": "示例", "elements": [element] }),
        );
        let out = bin()
            .arg("validate")
            .arg(dir.path().join("bad.json"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(says) && stderr.contains("bad.json"),
            "{stderr}"
        );
    }
}

/// The schema carries the minimums the domain implies: no negative visits, days, copies or
/// versions, in JSON and in a spreadsheet alike.
#[test]
fn negative_days_visits_and_copies_do_not_validate() {
    let d = tempfile::tempdir().unwrap();
    let mut item = clean("A-1", "甲");
    item["onsite_visits"] = json!(-1);
    item["promised_limit"] = json!({ "value": -5, "unit": "工作日" });
    item["process"] = json!([{ "step": "受理", "days": -1 }]);
    let file = write(d.path(), "neg.json", &snapshot("2017-12-31", vec![item]));
    let out = bin().arg("validate").arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    for place in [
        "/items/0/onsite_visits",
        "/items/0/promised_limit/value",
        "/items/0/process/0/days",
    ] {
        assert!(
            stderr.contains(&format!(
                "less than the minimum of 0 (item A-1 (#1) {place})"
            )),
            "{place}: {stderr}"
        );
    }
    std::fs::write(
        d.path().join("neg.csv"),
        "事项编码,事项名称,事项类型,实施主体,到办事现场次数\nA-1,甲,公共服务,某局,-1\n",
    )
    .unwrap();
    let out = bin()
        .arg("validate")
        .arg(d.path().join("neg.csv"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("-1 is less than the minimum of 0") && stderr.contains("到办事现场次数"),
        "{stderr}"
    );
}

#[test]
fn validate_knows_a_filled_reply_sheet_and_convert_refuses_it() {
    let replies = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/qinghe/replies/2018Q1.csv");
    bin()
        .arg("validate")
        .arg(&replies)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("(reply sheet, 7 replies)"));
    bin()
        .arg("convert")
        .arg(&replies)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is a filled review sheet (指纹, 整改情况): it is read by audit --responses",
        ));
}
