//! The rule pack's invariants: every rule file is valid, codes are unique and listed in the committed
//! catalogue snapshot, and every worked example behaves: an invalid example fires its rule (and only
//! its rule), a valid one fires nothing.

use catalog_audit::pipeline::example;
use catalog_audit::rules::Pack;

fn pack() -> Pack {
    Pack::builtin().unwrap_or_else(|e| panic!("built-in rule pack does not load: {e}"))
}

#[test]
fn every_example_behaves() {
    let pack = pack();
    let mut failures = Vec::new();
    for rule in &pack.rules {
        let code = &rule.spec.code;
        for (kind, list) in [
            ("invalid", &rule.spec.examples.invalid),
            ("valid", &rule.spec.examples.valid),
        ] {
            for (i, ex) in list.iter().enumerate() {
                let label = format!("{} /examples/{kind}/{i}", rule.file);
                let note = ex.note.clone().unwrap_or_default();
                match example::run(&pack, code, ex, &label) {
                    Err(e) => {
                        failures.push(format!("{label} ({note}): example does not load: {e}"))
                    }
                    Ok(findings) => {
                        let fired = findings.iter().filter(|f| *f.rule == **code).count();
                        if kind == "invalid" && fired == 0 {
                            failures.push(format!("{label} ({note}): {code} did not fire"));
                        }
                        if kind == "valid" && fired > 0 {
                            let msgs: Vec<_> = findings
                                .iter()
                                .map(|f| format!("{} {}", f.field, f.message))
                                .collect();
                            failures.push(format!("{label} ({note}): {code} fired: {msgs:?}"));
                        }
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} example(s) misbehave:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn codes_are_unique_and_catalogued() {
    let pack = pack();
    let listed: Vec<String> = pack
        .rules
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {}",
                r.spec.code,
                r.spec.name,
                r.spec.severity.as_str(),
                r.spec.category.as_str()
            )
        })
        .collect();
    let mut codes: Vec<&str> = pack.rules.iter().map(|r| r.spec.code.as_str()).collect();
    let n = codes.len();
    codes.dedup();
    assert_eq!(n, codes.len(), "duplicate rule codes");
    let actual = listed.join("\n") + "\n";
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/snapshots/rule-catalogue.txt"
    );
    if std::env::var_os("AUDIT_BLESS").is_some() {
        std::fs::create_dir_all(std::path::Path::new(path).parent().unwrap()).unwrap();
        std::fs::write(path, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    assert_eq!(
        expected, actual,
        "the rule catalogue changed; review and rerun with AUDIT_BLESS=1 to update tests/snapshots/rule-catalogue.txt"
    );
}

#[test]
fn english_messages_follow_the_convention() {
    // Messages start lowercase and have no trailing period (clippy's lint-message convention).
    for rule in &pack().rules {
        let en = &rule.spec.message.en;
        let first = en.chars().next().unwrap();
        assert!(
            !first.is_ascii_uppercase() || en.starts_with("{{"),
            "{}: message starts uppercase: {en}",
            rule.spec.code
        );
        assert!(
            !en.trim_end().ends_with('.'),
            "{}: message ends with a period: {en}",
            rule.spec.code
        );
    }
}

#[test]
fn the_pack_covers_every_required_rule() {
    let pack = pack();
    for code in [
        "LB-01", "LB-02", "FEE-01", "FEE-02", "FEE-06", "FEE-08", "OV-02", "OV-03", "OV-05",
        "OV-08", "OV-11", "TL-01", "TL-02", "TL-03", "TL-05", "CF-03", "CF-09", "DA-01", "DA-02",
        "DA-03", "DA-05", "DA-08", "DA-15",
    ] {
        assert!(
            pack.get(code).is_some(),
            "rule {code} is missing from the built-in pack"
        );
    }
}

#[test]
fn every_review_rule_of_the_practice_is_a_rule_or_a_documented_gap() {
    // DOMAIN.md §c: LB-01..10, FEE-01..10, OV-01..15, TL-01..08, DA-01..14, CF-01..12.
    let pack = pack();
    let mut missing = Vec::new();
    for (prefix, n) in [
        ("LB", 10),
        ("FEE", 10),
        ("OV", 15),
        ("TL", 8),
        ("DA", 14),
        ("CF", 12),
    ] {
        for i in 1..=n {
            let code = format!("{prefix}-{i:02}");
            if pack.get(&code).is_none() && !pack.gaps.iter().any(|g| g.code == code) {
                missing.push(code);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "neither a rule nor a documented gap: {missing:?}"
    );
}

/// A message names the condition that failed, and only that: FEE-08 on each kind of malformed
/// 文号 of its examples.
#[test]
fn fee_08_names_the_failed_part_of_a_document_number() {
    let pack = pack();
    let rule = pack.get("FEE-08").unwrap();
    let want = [
        ("方括号", "六角括号"),
        ("圆括号", "六角括号"),
        ("序号编虚位", "前导0"),
        ("年份不全", "四位年份"),
        ("序号前加“第”字", "不加“第”字"),
    ];
    for ex in &rule.spec.examples.invalid {
        let note = ex.note.as_deref().unwrap();
        let (_, words) = want.iter().find(|(n, _)| *n == note).unwrap();
        let findings = example::run(&pack, "FEE-08", ex, note).unwrap();
        let m = &findings[0].message;
        assert!(m.contains(words), "{note}: {m}");
        for (_, other) in want.iter().filter(|(_, w)| w != words) {
            assert!(!m.contains(other), "{note} also says {other}: {m}");
        }
    }
}

/// A rule's review settings are checked when the pack loads: an advice rule about items gives the
/// department comment's words, those words fill in only {{department}} and {{count}}, and
/// same_fact names another rule of the pack. Each error names the file and the key.
#[test]
fn review_settings_are_checked_when_the_pack_loads() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut files: Vec<(String, String)> = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "json") {
                let rel = f
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.push((rel, std::fs::read_to_string(&f).unwrap()));
            }
        }
    }
    let edit = |code: &str, review: serde_json::Value| {
        let mut files = files.clone();
        let f = files
            .iter_mut()
            .find(|(p, _)| p.contains(&format!("{code}-")))
            .unwrap();
        let mut v: serde_json::Value = serde_json::from_str(&f.1).unwrap();
        v["review"] = review;
        f.1 = v.to_string();
        let name = f.0.clone();
        (
            name,
            Pack::from_files("test", files).err().map(|e| e.to_string()),
        )
    };
    let (file, err) = edit("OV-06", serde_json::json!({ "advice": true }));
    let err = err.expect("advice without words");
    assert!(err.contains(&file) && err.contains("/review"), "{err}");
    let words = serde_json::json!({ "zh": "{{department}}的{{name}}", "en": "{{count}}" });
    let (_, err) = edit(
        "OV-06",
        serde_json::json!({ "advice": true, "department": words }),
    );
    let err = err.expect("unknown placeholder");
    assert!(
        err.contains("/review/department/zh") && err.contains("name"),
        "{err}"
    );
    let (_, err) = edit("DA-13", serde_json::json!({ "same_fact": ["LB-99"] }));
    assert!(err.unwrap().contains("/review/same_fact/0"));
    let (_, err) = edit(
        "DA-13",
        serde_json::json!({ "same_fact": ["LB-04"], "group": "x" }),
    );
    assert!(err.is_some(), "group on a must-fix rule");
    let (_, err) = edit("DA-13", serde_json::json!({ "same_fact": ["LB-04"] }));
    assert_eq!(err, None);
}

/// The messages of CF-01, CF-09, LB-02 and LB-07 name the condition that failed and only that: each
/// invalid example's message says what its note describes, and none says the others' words.
#[test]
fn messages_name_only_the_failed_condition() {
    let pack = pack();
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            "CF-01",
            &[
                ("办件类型写成“承诺办结”", "办件类型“承诺办结”不是标准值"),
                ("服务对象写成“个人”", "服务对象“个人”不是标准值"),
                ("未填写办理形式", "未填写办理形式"),
                ("事项类型写成“公共服务类”", "事项类型“公共服务类”不是标准值"),
                ("事项状态写成“有效”", "事项状态“有效”不是标准值"),
                ("依申请事项缺办件类型", "未填写办件类型"),
                ("行政处罚缺服务对象", "未填写服务对象"),
            ],
        ),
        (
            "FEE-05",
            &[(
                "居民身份证工本费引用了婚姻登记收费的文件",
                "所列收费依据（价费字〔1992〕249号）不是收费目录清单为该项收费列明的政策依据（发改价格〔2003〕2322号）",
            )],
        ),
        (
            "CF-09",
            &[
                ("未填投诉电话", "未填写监督投诉电话"),
                ("咨询电话缺区号", "咨询电话“85120000”未带长途区号"),
                ("投诉电话与咨询电话相同（全角连字符也视为相同）", "相同"),
                ("只填12345", "监督投诉电话“12345”未带长途区号"),
            ],
        ),
        (
            "LB-02",
            &[
                ("法律未列条款", "未列明具体条款号，请补充"),
                ("规范性文件缺发文字号", "未注明发文字号，请补充发文字号"),
                (
                    "条款内容未写明条款号；第二条依据完整，只有第一条不全",
                    "未列明具体条款号，请补充",
                ),
            ],
        ),
        (
            "LB-07",
            &[
                ("条款内容以拼接残留“;1、”开头", "条款内容含开头多余的标点"),
                ("名称整体加了引号", "名称含多余或不成对的引号"),
                (
                    "条款内容含HTML标记和回车换行符（第一条依据规范，第二条有杂质）",
                    "条款内容含HTML标记；条款内容含回车符或字面的转义符",
                ),
                (
                    "条款内容含字面的转义符\\r\\n",
                    "条款内容含回车符或字面的转义符",
                ),
                ("书名号不成对", "名称含不成对的书名号"),
                (
                    "中文条款内容中夹用半角逗号，条款号使用全角数字",
                    "条款号含全角数字或字母",
                ),
            ],
        ),
    ];
    for (code, want) in cases {
        let rule = pack.get(code).unwrap();
        for ex in &rule.spec.examples.invalid {
            let note = ex.note.as_deref().unwrap();
            let (_, words) = want
                .iter()
                .find(|(n, _)| *n == note)
                .unwrap_or_else(|| panic!("{code}: no expectation for {note}"));
            let findings = example::run(&pack, code, ex, note).unwrap();
            let m = &findings[0].message;
            // Expected words, several joined by "；" when the example has several defects.
            let mine: Vec<&str> = words.split('；').collect();
            for w in &mine {
                assert!(m.contains(w), "{code} {note}: {m}");
            }
            for (_, other) in want.iter().filter(|(_, w)| w != words) {
                for o in other.split('；').filter(|o| !mine.contains(o)) {
                    assert!(!m.contains(o), "{code} {note} also says {o}: {m}");
                }
            }
            assert!(
                !m.contains("如0575"),
                "{code}: an example from one city: {m}"
            );
        }
    }
}

/// Every element profile's examples behave: a valid item lacks nothing, an invalid one lacks
/// exactly the elements it names, each a CF-01 finding of its own on that element's key.
#[test]
fn every_profile_example_behaves() {
    let pack = pack();
    assert!(
        pack.profiles.contains_key("national"),
        "the built-in profile"
    );
    let mut failures = Vec::new();
    for (name, profile) in &pack.profiles {
        let config = catalog_audit::config::Config {
            profile: Some(name.clone()),
            ..Default::default()
        };
        for (kind, list) in [
            ("valid", &profile.examples.valid),
            ("invalid", &profile.examples.invalid),
        ] {
            for (i, ex) in list.iter().enumerate() {
                let label = format!("profile {name} /examples/{kind}/{i}");
                let example: catalog_audit::rules::Example = serde_json::from_value(
                    serde_json::json!({ "item": ex.item, "others": ex.others }),
                )
                .unwrap();
                let findings =
                    example::run_with(&pack, "CF-01", &example, &label, &config).unwrap();
                let mut got: Vec<&str> = findings
                    .iter()
                    .filter(|f| *f.rule == *"CF-01" && *f.code == *"EX-0001")
                    .map(|f| f.field.as_str())
                    .collect();
                got.sort();
                let mut want: Vec<&str> = ex.lacks.iter().map(String::as_str).collect();
                want.sort();
                if got != want {
                    failures.push(format!(
                        "{label} ({:?}): lacks {got:?}, expected {want:?}",
                        ex.note
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
