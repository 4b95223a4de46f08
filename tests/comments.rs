//! Review comments as a department receives them: the demo's planted defects are each a point of
//! their item's comment, clean items get no must-fix comment, advice reaches departments as one
//! comment per group listing the items, one fact is one point (LB-04 and DA-13 on one repealed
//! act), and the JSON's comments validate against the report schema.

mod support;

use catalog_audit::comments::Comment;
use catalog_audit::finding::is_open;
use catalog_audit::model::AdjustmentLog;
use catalog_audit::pipeline::audit_loaded;
use catalog_audit::rules::Lang;
use std::collections::{BTreeMap, BTreeSet};

#[test]
fn every_open_finding_is_in_exactly_one_comment() {
    let report = support::demo().audit();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &report.comments {
        for fp in c.fingerprints() {
            *seen.entry(fp).or_default() += 1;
        }
    }
    for f in &report.findings {
        let n = seen.get(f.fingerprint.as_str()).copied().unwrap_or(0);
        assert_eq!(
            n,
            usize::from(is_open(f.state)),
            "{} on {}: in {n} comments",
            f.rule,
            f.code
        );
    }
    assert_eq!(
        seen.len(),
        report.findings.iter().filter(|f| is_open(f.state)).count()
    );
}

#[test]
fn demo_planted_defects_are_item_comments_and_advice_is_per_department() {
    let report = support::demo().audit();
    let advice = ["OV-06", "OV-10", "TL-08"];
    // Items with a planted (must-fix) defect: every one has a comment, and nothing else does.
    let planted: BTreeSet<&str> = report
        .findings
        .iter()
        .filter(|f| !advice.contains(&&*f.rule) && !f.code.is_empty())
        .map(|f| &*f.code)
        .collect();
    let commented: BTreeSet<&str> = report
        .comments
        .iter()
        .filter_map(|c| match c {
            Comment::Item(i) => Some(&*i.code),
            Comment::Department(_) => None,
        })
        .collect();
    assert_eq!(planted, commented);
    // 98 findings become 27 item comments and one advice comment per department and rule.
    let mut groups = BTreeSet::new();
    for c in &report.comments {
        if let Comment::Department(d) = c {
            assert!(d.advice, "{d:?}");
            assert!(advice.contains(&d.group.as_str()));
            assert!(groups.insert((d.department.to_string(), d.group.clone())));
            assert_eq!(d.count, d.items.len());
            assert!(d.text.contains(&*d.department) && d.text.contains(&d.count.to_string()));
            assert!(!d.text.contains("{{"));
            let codes: Vec<&str> = d.items.iter().map(|i| &*i.code).collect();
            assert!(codes.is_sorted(), "{codes:?}");
        }
    }
    let item_comments = report.comments.len() - groups.len();
    assert_eq!(item_comments, 27);
    assert!(report.comments.len() * 2 < report.findings.len());
}

#[test]
fn within_a_department_must_fix_comes_first_and_points_are_errors_first() {
    let report = support::demo().audit();
    let mut last: Option<(&str, bool)> = None;
    for c in &report.comments {
        let key = (c.department(), !c.must_fix());
        if let Some(prev) = last {
            assert!(prev <= key, "{prev:?} then {key:?}");
        }
        last = Some(key);
        if let Comment::Item(i) = c {
            let sev: Vec<_> = i.points.iter().map(|p| p.severity).collect();
            assert!(sev.is_sorted(), "{}: {sev:?}", i.code);
            assert_eq!(i.severity, sev[0]);
        }
    }
}

/// An item citing an act repealed years before the evaluation date, with no request in the log:
/// LB-04 (the basis is repealed) and DA-13 (the repeal was not followed by an adjustment) both
/// fire, and the item's comment states the fact once, naming both rules.
#[test]
fn a_repealed_act_is_one_point_whichever_rules_notice_it() {
    let demo = support::demo();
    let mut new = demo.new.clone();
    let at = new
        .items
        .iter()
        .position(|i| &*i.code == "339900-GG-00001")
        .unwrap();
    let mut json = serde_json::to_value(&new.items[at]).unwrap();
    json["legal_basis"] = serde_json::json!([
        { "title": "中华人民共和国城市规划法", "level": "法律", "article": "第三十二条" }
    ]);
    new.items[at] = serde_json::from_value(json).unwrap();
    let empty = AdjustmentLog::default();
    let report = audit_loaded(
        &new,
        &new,
        Some(&empty),
        &demo.pack,
        &Default::default(),
        demo.as_of(),
        Lang::Zh,
    );
    let rules: BTreeSet<&str> = report
        .findings
        .iter()
        .filter(|f| &*f.code == "339900-GG-00001")
        .map(|f| &*f.rule)
        .collect();
    assert!(
        rules.contains("LB-04") && rules.contains("DA-13"),
        "{rules:?}"
    );
    let item = report
        .comments
        .iter()
        .find_map(|c| match c {
            Comment::Item(i) if &*i.code == "339900-GG-00001" => Some(i),
            _ => None,
        })
        .unwrap();
    let repealed: Vec<_> = item
        .points
        .iter()
        .filter(|p| p.text.contains("中华人民共和国城市规划法"))
        .collect();
    assert_eq!(repealed.len(), 1, "{:#?}", item.points);
    assert_eq!(repealed[0].rules, ["LB-04", "DA-13"].map(Into::into));
    assert_eq!(repealed[0].fingerprints.len(), 2);
}

#[test]
fn json_comments_validate_against_the_report_schema() {
    let report = support::demo().audit();
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../schemas/audit-report.schema.json")).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let doc = serde_json::to_value(&report).unwrap();
    assert!(!doc["comments"].as_array().unwrap().is_empty());
    let errors: Vec<String> = v
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // A comment of the wrong shape fails.
    let mut bad = doc.clone();
    bad["comments"][0]["points"] = serde_json::json!([]);
    assert!(!v.is_valid(&bad));
}
