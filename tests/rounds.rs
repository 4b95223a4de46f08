//! Three review rounds on the demo catalog: departments fix some defects, add a new one, one
//! finding is waived, the waiver expires, a fixed defect comes back. Every finding's state is
//! checked in each round.

use catalog_audit::finding::{Finding, FindingState};
use catalog_audit::load;
use catalog_audit::model::Catalog;
use catalog_audit::pipeline::audit_loaded;
use catalog_audit::rounds::{self, Baseline, Waiver};
use catalog_audit::rules::{Lang, Pack};
use chrono::NaiveDate;
use serde_json::{Value, json};
use std::path::Path;

fn demo_text(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/qinghe")
            .join(name),
    )
    .unwrap()
}

fn edit(doc: &mut Value, code: &str, f: impl Fn(&mut Value)) {
    let item = doc["items"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|i| i["code"] == code)
        .unwrap_or_else(|| panic!("{code} in the demo"));
    f(item);
}

fn round(
    new: &Value,
    as_of: &str,
    baseline: Option<&Baseline>,
    waivers: &[Waiver],
) -> Vec<Finding> {
    let pack = Pack::builtin().unwrap();
    let old = load::snapshot_from_str("old.json", &demo_text("2017-06-30.json")).unwrap();
    let new: Catalog = load::snapshot_from_str("new.json", &new.to_string()).unwrap();
    let log =
        load::adjustment_log_from_str("log.json", &demo_text("adjustments-2017H2.json")).unwrap();
    let as_of: NaiveDate = as_of.parse().unwrap();
    let report = audit_loaded(
        &old,
        &new,
        Some(&log),
        &pack,
        &Default::default(),
        as_of,
        Lang::Zh,
    );
    let mut findings = report.findings;
    if let Some(b) = baseline {
        rounds::compare(&mut findings, b);
    }
    let t = catalog_audit::messages::Texts::builtin(catalog_audit::rules::Lang::Zh);
    let extra = rounds::apply_waivers(&mut findings, waivers, as_of, &t);
    findings.extend(extra);
    findings
}

fn state(findings: &[Finding], rule: &str, code: &str) -> Option<FindingState> {
    findings
        .iter()
        .find(|f| &*f.rule == rule && f.code.ends_with(code))
        .map(|f| f.state)
}

#[test]
fn three_rounds_give_every_finding_its_state() {
    let mut doc: Value = serde_json::from_str(&demo_text("2017-12-31.json")).unwrap();

    // Round 1: every finding is new.
    let r1 = round(&doc, "2017-12-31", None, &[]);
    assert!(r1.iter().all(|f| f.state == FindingState::New));
    assert_eq!(state(&r1, "OV-03", "00020"), Some(FindingState::New));
    let b1 = Baseline {
        findings: r1.clone(),
        resolved_before: Vec::new(),
        scorecard: Default::default(),
    };

    // Round 2: two defects fixed, one new defect, one finding waived until mid-2018.
    edit(&mut doc, "339900-GG-00020", |i| {
        i["onsite_visits"] = json!(1)
    });
    edit(
        &mut doc,
        "339900-GG-00065",
        |i| {
            i["legal_basis"] =
                json!([{ "title": "中华人民共和国档案法", "level": "法律", "article": "第十九条" }])
        },
    );
    edit(&mut doc, "339900-GG-00010", |i| {
        i.as_object_mut().unwrap().remove("onsite_reason");
    });
    let cf09 = r1
        .iter()
        .find(|f| &*f.rule == "CF-09")
        .unwrap()
        .fingerprint
        .clone();
    let waivers = vec![Waiver {
        id: "W-1".into(),
        fingerprint: Some(cf09),
        rule: None,
        code: None,
        department: None,
        reason: "司法局统一使用12348法律服务热线".into(),
        approver: "青禾市编办".into(),
        doc_no: "青编办〔2018〕3号".into(),
        expires: "2018-06-30".parse().unwrap(),
    }];
    let r2 = round(&doc, "2018-03-31", Some(&b1), &waivers);
    assert_eq!(state(&r2, "OV-03", "00020"), Some(FindingState::Resolved));
    assert_eq!(state(&r2, "LB-01", "00065"), Some(FindingState::Resolved));
    assert_eq!(state(&r2, "OV-02", "00010"), Some(FindingState::New));
    assert_eq!(state(&r2, "CF-09", "00060"), Some(FindingState::Waived));
    assert_eq!(state(&r2, "TL-01", "00062"), Some(FindingState::Persisting));
    assert!(
        !r2.iter()
            .any(|f| &*f.rule == rounds::WAIVER_EXPIRED || &*f.rule == rounds::WAIVER_UNUSED)
    );
    let b2 = Baseline {
        findings: r2.clone(),
        resolved_before: Vec::new(),
        scorecard: Default::default(),
    };

    // Round 3: the waiver has expired, and a fixed defect is back.
    edit(&mut doc, "339900-GG-00020", |i| {
        i["onsite_visits"] = json!(2)
    });
    let r3 = round(&doc, "2018-07-31", Some(&b2), &waivers);
    assert_eq!(state(&r3, "OV-03", "00020"), Some(FindingState::Reopened));
    assert_eq!(
        state(&r3, "CF-09", "00060"),
        Some(FindingState::Persisting),
        "no longer waived"
    );
    assert_eq!(
        state(&r3, "LB-01", "00065"),
        None,
        "resolved last round, not listed again"
    );
    assert_eq!(state(&r3, "OV-02", "00010"), Some(FindingState::Persisting));
    let expired: Vec<&Finding> = r3
        .iter()
        .filter(|f| &*f.rule == rounds::WAIVER_EXPIRED)
        .collect();
    assert_eq!(expired.len(), 1);
    assert!(expired[0].message.contains("W-1"));
}

#[test]
fn selector_waivers_and_unused_waivers() {
    let doc: Value = serde_json::from_str(&demo_text("2017-12-31.json")).unwrap();
    let w = |id: &str, rule: &str, dept: Option<&str>| Waiver {
        id: id.into(),
        fingerprint: None,
        rule: Some(rule.into()),
        code: None,
        department: dept.map(str::to_string),
        reason: "试点".into(),
        approver: "青禾市人民政府".into(),
        doc_no: "青政发〔2018〕1号".into(),
        expires: "2018-12-31".parse().unwrap(),
    };
    let waivers = vec![
        w("W-A", "OV-06", Some("青禾市民政局")),
        w("W-B", "OV-03", Some("青禾市教育局")),
    ];
    let r = round(&doc, "2017-12-31", None, &waivers);
    let ov06: Vec<&Finding> = r.iter().filter(|f| &*f.rule == "OV-06").collect();
    assert!(ov06.iter().any(|f| f.state == FindingState::Waived));
    assert!(
        ov06.iter()
            .all(|f| (f.state == FindingState::Waived) == (&*f.department == "青禾市民政局"))
    );
    let unused: Vec<&Finding> = r
        .iter()
        .filter(|f| &*f.rule == rounds::WAIVER_UNUSED)
        .collect();
    assert_eq!(unused.len(), 1, "W-B selects nothing");
    assert!(unused[0].message.contains("W-B"));
}

#[test]
fn replies_claiming_a_fix_are_checked() {
    assert!(rounds::claims_fixed("已整改，补充了设定依据"));
    assert!(!rounds::claims_fixed("暂未整改"));
    assert!(!rounds::claims_fixed("不同意该意见"));
}
