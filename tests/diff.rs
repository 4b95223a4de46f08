//! The diff stage on small catalogs built in the test: classification, keyed lists, recodes.

use catalog_audit::diff::{ChangeKind, diff};
use catalog_audit::load;
use catalog_audit::model::Catalog;
use serde_json::{Value, json};

fn item(code: &str, name: &str) -> Value {
    json!({
        "code": code, "name": name, "item_type": "公共服务", "department": "越州市教育局",
        "basic_code": "002006012000", "status": "在用",
        "legal_basis": [{ "title": "中华人民共和国义务教育法", "level": "法律", "article": "第十二条" }],
        "case_type": "承诺件",
        "promised_limit": { "value": 5, "unit": "工作日" },
        "legal_limit": { "value": 20, "unit": "工作日" },
        "onsite_visits": 1, "onsite_reason": "需核验原件",
        "materials": [
            { "name": "居民身份证", "form": "纸质", "necessity": "必要", "copies": 1 },
            { "name": "户口簿", "form": "纸质", "necessity": "必要", "copies": 1 },
            { "name": "转学申请表", "form": "纸质", "necessity": "必要", "copies": 1 }
        ],
        "fee": { "charged": false, "items": [] },
        "address": "越州市行政服务中心二楼12号窗口"
    })
}

fn catalog(as_of: &str, items: Vec<Value>) -> Catalog {
    let doc =
        json!({ "format": "catalog-snapshot/1", "catalog": { "as_of": as_of }, "items": items });
    load::snapshot_from_str("test.json", &doc.to_string()).expect("test catalog loads")
}

#[test]
fn identical_catalogs_have_no_changes() {
    let a = catalog("2017-06-30", vec![item("A-1", "转学"), item("A-2", "入学")]);
    let b = catalog("2017-12-31", vec![item("A-2", "入学"), item("A-1", "转学")]);
    let d = diff(&a, &b, None);
    assert!(d.changes.is_empty(), "{:?}", d.changes);
    assert_eq!(d.counts.unchanged, 2);
}

#[test]
fn reordered_lists_are_no_change_but_edited_elements_are() {
    let a = catalog("2017-06-30", vec![item("A-1", "转学")]);
    let mut reordered = item("A-1", "转学");
    reordered["materials"].as_array_mut().unwrap().reverse();
    reordered["materials"][0]["name"] = json!(" 转学申请表 "); // whitespace only: same key
    let d = diff(&a, &catalog("2017-12-31", vec![reordered.clone()]), None);
    // Only the name's spacing changed inside one element; the element is matched by its key.
    assert_eq!(d.counts.changed, 1);
    let fields: Vec<&str> = d.changes[0]
        .fields
        .iter()
        .map(|f| f.field.as_str())
        .collect();
    assert_eq!(fields, ["materials[转学申请表].name"]);

    let mut plain_reorder = item("A-1", "转学");
    plain_reorder["materials"].as_array_mut().unwrap().reverse();
    let d = diff(&a, &catalog("2017-12-31", vec![plain_reorder]), None);
    assert!(
        d.changes.is_empty(),
        "a reordered material list is no change: {:?}",
        d.changes
    );
}

#[test]
fn changed_material_reports_the_sub_field_and_typed_values() {
    let a = catalog("2017-06-30", vec![item("A-1", "转学")]);
    let mut b = item("A-1", "转学");
    b["materials"][1]["copies"] = json!(2);
    b["materials"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "name": "学籍证明" }));
    b["promised_limit"] = json!({ "value": 3, "unit": "工作日" });
    let d = diff(&a, &catalog("2017-12-31", vec![b]), None);
    let c = &d.changes[0];
    assert_eq!(c.kind, ChangeKind::Changed);
    let got: Vec<(&str, &Value, &Value)> = c
        .fields
        .iter()
        .map(|f| (f.field.as_str(), &f.old, &f.new))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "promised_limit",
                &json!({ "value": 5, "unit": "工作日" }),
                &json!({ "value": 3, "unit": "工作日" })
            ),
            ("materials[户口簿].copies", &json!(1), &json!(2)),
            (
                "materials[学籍证明]",
                &Value::Null,
                &json!({ "name": "学籍证明" })
            ),
        ]
    );
}

#[test]
fn text_changes_carry_a_character_diff() {
    let a = catalog("2017-06-30", vec![item("A-1", "义务教育阶段学生转学")]);
    let b = catalog("2017-12-31", vec![item("A-1", "义务教育阶段学生转学申请")]);
    let d = diff(&a, &b, None);
    let f = &d.changes[0].fields[0];
    assert_eq!(f.field, "name");
    let ops: Vec<(&str, &str)> = f
        .diff
        .as_ref()
        .unwrap()
        .iter()
        .map(|o| (o.op, o.text.as_str()))
        .collect();
    assert_eq!(ops, [("equal", "义务教育阶段学生转学"), ("insert", "申请")]);
}

#[test]
fn added_cancelled_and_status_cancellation() {
    let a = catalog(
        "2017-06-30",
        vec![
            item("A-1", "转学"),
            item("A-2", "入学"),
            item("A-3", "休学"),
        ],
    );
    let mut cancelled = item("A-3", "休学");
    cancelled["status"] = json!("取消");
    let b = catalog(
        "2017-12-31",
        vec![item("A-1", "转学"), cancelled, item("A-9", "复学")],
    );
    let d = diff(&a, &b, None);
    let kinds: Vec<(ChangeKind, &str)> = d
        .changes
        .iter()
        .map(|c| (c.kind, c.code.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (ChangeKind::Cancelled, "A-2"),
            (ChangeKind::Cancelled, "A-3"),
            (ChangeKind::Added, "A-9")
        ]
    );
    assert_eq!(
        (d.counts.added, d.counts.cancelled, d.counts.unchanged),
        (1, 2, 1)
    );
}

#[test]
fn same_item_under_a_new_code_is_one_recode() {
    let a = catalog("2017-06-30", vec![item("A-1", "转学"), item("A-2", "入学")]);
    let mut moved = item("B-2", "入学");
    moved["address"] = json!("越州市行政服务中心三楼1号窗口"); // nearly the same content
    let b = catalog("2017-12-31", vec![item("A-1", "转学"), moved]);
    let d = diff(&a, &b, None);
    assert_eq!(d.changes.len(), 1, "{:?}", d.changes);
    let c = &d.changes[0];
    assert_eq!(c.kind, ChangeKind::Recoded);
    assert_eq!(
        (c.code.as_str(), c.old_code.as_deref()),
        ("B-2", Some("A-2"))
    );
    assert_eq!(
        c.fields
            .iter()
            .map(|f| f.field.as_str())
            .collect::<Vec<_>>(),
        ["address"]
    );
    assert_eq!(
        (d.counts.recoded, d.counts.added, d.counts.cancelled),
        (1, 0, 0)
    );
}

#[test]
fn different_content_under_the_same_name_is_not_a_recode() {
    let a = catalog("2017-06-30", vec![item("A-2", "入学")]);
    let mut other = item("B-2", "入学");
    for (k, v) in [
        ("basic_code", json!("002006099000")),
        (
            "legal_basis",
            json!([{ "title": "教育法", "article": "第一条" }]),
        ),
        ("promised_limit", json!({ "value": 1, "unit": "工作日" })),
        ("legal_limit", json!({ "value": 2, "unit": "工作日" })),
        ("materials", json!([{ "name": "出生证明" }])),
        ("address", json!("别处")),
        ("onsite_visits", json!(0)),
        ("onsite_reason", Value::Null),
        ("case_type", json!("即办件")),
    ] {
        other[k] = v;
    }
    let d = diff(&a, &catalog("2017-12-31", vec![other]), None);
    let kinds: Vec<ChangeKind> = d.changes.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [ChangeKind::Cancelled, ChangeKind::Added]);
}

#[test]
fn a_declared_recode_pairs_even_a_renamed_item() {
    let a = catalog("2017-06-30", vec![item("A-2", "入学")]);
    let b = catalog("2017-12-31", vec![item("B-7", "小学入学登记")]);
    let log = load::adjustment_log_from_str(
        "log.json",
        &json!({ "format": "adjustment-log/1", "adjustments": [
            { "id": "TZ-1", "kind": "change", "code": "A-2", "new_code": "B-7", "approved_on": "2017-08-01" }
        ]})
        .to_string(),
    )
    .unwrap();
    let d = diff(&a, &b, Some(&log));
    assert_eq!(d.changes.len(), 1);
    assert_eq!(d.changes[0].kind, ChangeKind::Recoded);
    assert_eq!(d.changes[0].fields[0].field, "name");
    // Without the log the names differ, so it is a cancel plus an add.
    assert_eq!(diff(&a, &b, None).changes.len(), 2);
}

fn renamed(code: &str, name: &str) -> Value {
    let mut v = item(code, name);
    v["basic_code"] = json!(format!("00200601{}", &code[code.len() - 1..]));
    v
}

#[test]
fn two_items_replaced_by_one_are_a_single_merge() {
    let a = catalog(
        "2017-06-30",
        vec![
            renamed("A-1", "学生转学"),
            renamed("A-2", "学生休学"),
            item("A-3", "入学"),
        ],
    );
    let b = catalog(
        "2017-12-31",
        vec![
            renamed("B-9", "学生转学和学生休学联办"),
            item("A-3", "入学"),
        ],
    );
    let d = diff(&a, &b, None);
    assert_eq!(d.changes.len(), 1, "{:?}", d.changes);
    let c = &d.changes[0];
    assert_eq!(c.kind, ChangeKind::Merged);
    assert_eq!(c.code, "B-9");
    assert_eq!(c.old_codes, ["A-1", "A-2"]);
    assert_eq!(
        (d.counts.merged, d.counts.added, d.counts.cancelled),
        (1, 0, 0)
    );
}

#[test]
fn one_item_replaced_by_two_is_a_single_split_and_the_log_can_declare_it() {
    let a = catalog("2017-06-30", vec![renamed("A-1", "社会保障卡")]);
    let b = catalog(
        "2017-12-31",
        vec![
            renamed("B-1", "社会保障卡申领"),
            renamed("B-2", "社会保障卡补换"),
        ],
    );
    let d = diff(&a, &b, None);
    assert_eq!(d.changes.len(), 1, "{:?}", d.changes);
    assert_eq!(d.changes[0].kind, ChangeKind::Split);
    assert_eq!(
        (d.changes[0].code.as_str(), d.changes[0].new_codes.clone()),
        ("A-1", vec!["B-1".to_string(), "B-2".to_string()])
    );
    assert_eq!(d.counts.split, 1);

    // Names that say nothing: only the log can tell.
    let a = catalog(
        "2017-06-30",
        vec![renamed("A-1", "甲事项"), renamed("A-2", "乙事项")],
    );
    let b = catalog("2017-12-31", vec![renamed("B-5", "丙事项")]);
    assert_eq!(
        diff(&a, &b, None).changes.len(),
        3,
        "without the log: two cancellations and an addition"
    );
    let log = load::adjustment_log_from_str(
        "log.json",
        &json!({ "format": "adjustment-log/1", "adjustments": [
            { "id": "TZ-1", "kind": "cancel", "code": "A-1", "into": "B-5" },
            { "id": "TZ-2", "kind": "cancel", "code": "A-2", "into": "B-5" }
        ]})
        .to_string(),
    )
    .unwrap();
    let d = diff(&a, &b, Some(&log));
    assert_eq!(d.changes.len(), 1);
    assert_eq!(d.changes[0].kind, ChangeKind::Merged);
    assert_eq!(d.changes[0].old_codes, ["A-1", "A-2"]);
}

/// A text far too long to diff by character within the budget (two unrelated passages of
/// 300,000 characters, under the 1 MiB value limit) changes whole: the field is listed with its
/// old and new values and no character diff; a short edit of the same field keeps its diff.
#[test]
fn long_rewritten_texts_change_whole_and_short_edits_keep_their_diff() {
    let a = "依法办理".repeat(75_000);
    let b = "告知承诺".repeat(75_000);
    let (mut old, mut new) = (item("A-1", "转学"), item("A-1", "转学"));
    old["address"] = json!(a);
    new["address"] = json!(b);
    let mut edited = item("A-2", "入学");
    edited["address"] = json!("越州市行政服务中心三楼12号窗口");
    let d = diff(
        &catalog("2017-06-30", vec![old.clone(), item("A-2", "入学")]),
        &catalog("2017-12-31", vec![new.clone(), edited]),
        None,
    );
    assert_eq!(d.counts.changed, 2);
    let field = |code: &str| {
        let c = d.changes.iter().find(|c| c.code == code).unwrap();
        assert_eq!(c.fields.len(), 1);
        c.fields[0].clone()
    };
    let whole = field("A-1");
    assert_eq!(whole.field, "address");
    assert_eq!(
        (whole.old.as_str(), whole.new.as_str()),
        (Some(&*a), Some(&*b))
    );
    assert_eq!(whole.diff, None);
    assert!(serde_json::to_value(&whole).unwrap().get("diff").is_none());
    let marked = field("A-2")
        .diff
        .expect("a short edit keeps its character diff");
    let runs: Vec<(&str, &str)> = marked
        .iter()
        .filter(|o| o.op != "equal")
        .map(|o| (o.op, o.text.as_str()))
        .collect();
    assert_eq!(runs, [("delete", "二"), ("insert", "三")]);

    // End to end: the HTML page of the same change is written, the values marked whole.
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, items: Vec<Value>, as_of: &str| {
        let p = dir.path().join(name);
        let doc = json!({ "format": "catalog-snapshot/1", "catalog": { "as_of": as_of }, "items": items });
        std::fs::write(&p, doc.to_string()).unwrap();
        p
    };
    let (o, n) = (
        write("old.json", vec![old], "2017-06-30"),
        write("new.json", vec![new], "2017-12-31"),
    );
    let out = assert_cmd::Command::cargo_bin("catalog-audit")
        .unwrap()
        .args(["diff", "--format", "html"])
        .arg(&o)
        .arg(&n)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains(&a[..30]) && page.contains(&b[..30]));
}
