//! The JSON Schemas in `schemas/` are the formal version of CONTRACT.md: they must be valid
//! draft 2020-12 schemas, accept every contract example, and reject what the contract forbids
//! (while leaving domain enumerations to the rules).

use jsonschema::Validator;
use serde_json::{Value, json};

const SNAPSHOT_SCHEMA: &str = include_str!("../schemas/catalog-snapshot.schema.json");
const ADJUSTMENT_SCHEMA: &str = include_str!("../schemas/adjustment-log.schema.json");
const REPORT_SCHEMA: &str = include_str!("../schemas/audit-report.schema.json");
const HISTORY_SCHEMA: &str = include_str!("../schemas/catalog-history.schema.json");

const SNAPSHOT_EXAMPLE: &str = include_str!("fixtures/contract/snapshot.json");
const ADJUSTMENT_EXAMPLE: &str = include_str!("fixtures/contract/adjustment-log.json");
const REPORT_EXAMPLE: &str = include_str!("fixtures/contract/audit-report.json");

const ALL_SCHEMAS: [(&str, &str); 4] = [
    ("catalog-snapshot", SNAPSHOT_SCHEMA),
    ("adjustment-log", ADJUSTMENT_SCHEMA),
    ("audit-report", REPORT_SCHEMA),
    ("catalog-history", HISTORY_SCHEMA),
];

fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("valid JSON")
}

fn validator(schema_text: &str) -> Validator {
    jsonschema::validator_for(&parse(schema_text)).expect("schema compiles")
}

/// Validator for one `$defs` entry, built the way the loader does it: a root that refers to
/// `#/$defs/<name>` and carries the schema's `$defs`.
fn def_validator(schema_text: &str, name: &str) -> Validator {
    let schema = parse(schema_text);
    let sub = json!({
        "$schema": schema["$schema"],
        "$ref": format!("#/$defs/{name}"),
        "$defs": schema["$defs"],
    });
    jsonschema::validator_for(&sub).expect("sub-schema compiles")
}

/// The instance paths (JSON pointers) of all errors, sorted and de-duplicated.
fn error_paths(validator: &Validator, instance: &Value) -> Vec<String> {
    let mut paths: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| e.instance_path().to_string())
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

fn assert_valid(validator: &Validator, instance: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "unexpected errors: {errors:#?}");
    assert!(validator.is_valid(instance));
}

fn assert_invalid_at(validator: &Validator, instance: &Value, pointer: &str) {
    assert!(!validator.is_valid(instance), "expected {pointer} to fail");
    assert_eq!(error_paths(validator, instance), vec![pointer.to_string()]);
}

fn snapshot() -> Value {
    parse(SNAPSHOT_EXAMPLE)
}

fn adjustment_log() -> Value {
    parse(ADJUSTMENT_EXAMPLE)
}

fn report() -> Value {
    parse(REPORT_EXAMPLE)
}

// ---------------------------------------------------------------------------------------------
// The schemas themselves

#[test]
fn schemas_are_valid_draft_2020_12() {
    for (name, text) in ALL_SCHEMAS {
        let schema = parse(text);
        assert_eq!(
            schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{name}"
        );
        assert_eq!(
            schema["$id"],
            format!("https://catalog-audit.invalid/schemas/{name}.schema.json"),
            "{name}"
        );
        assert!(schema["title"].is_string(), "{name}: title");
        assert!(schema["description"].is_string(), "{name}: description");
        if let Err(e) = jsonschema::meta::validate(&schema) {
            panic!("{name} is not a valid schema: {e} at {}", e.instance_path());
        }
        assert!(jsonschema::validator_for(&schema).is_ok(), "{name}");
    }
}

/// Calls `f(path, object)` for every JSON object in `value`.
fn walk<'a>(
    value: &'a Value,
    path: &str,
    f: &mut impl FnMut(&str, &'a serde_json::Map<String, Value>),
) {
    match value {
        Value::Object(map) => {
            f(path, map);
            for (key, child) in map {
                walk(child, &format!("{path}/{key}"), f);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                walk(child, &format!("{path}/{i}"), f);
            }
        }
        _ => {}
    }
}

#[test]
fn refs_are_internal_and_resolve() {
    for (name, text) in ALL_SCHEMAS {
        let schema = parse(text);
        let mut refs = Vec::new();
        walk(&schema, "", &mut |path, map| {
            if let Some(r) = map.get("$ref") {
                refs.push((
                    path.to_string(),
                    r.as_str().expect("$ref is a string").to_string(),
                ));
            }
        });
        assert!(!refs.is_empty(), "{name}");
        for (path, r) in refs {
            let target = r
                .strip_prefix("#/$defs/")
                .unwrap_or_else(|| panic!("{name}{path}: external or non-$defs $ref {r}"));
            assert!(
                schema["$defs"].get(target).is_some(),
                "{name}{path}: $ref {r} does not resolve"
            );
        }
    }
}

#[test]
fn every_property_has_a_description() {
    for (name, text) in ALL_SCHEMAS {
        let schema = parse(text);
        let mut missing = Vec::new();
        walk(&schema, "", &mut |path, map| {
            if let Some(Value::Object(props)) = map.get("properties") {
                for (key, prop) in props {
                    match prop.get("description").and_then(Value::as_str) {
                        Some(d) if !d.is_empty() => {}
                        _ => missing.push(format!("{path}/properties/{key}")),
                    }
                }
            }
        });
        assert!(missing.is_empty(), "{name}: no description on {missing:?}");
    }
}

#[test]
fn patterns_are_linear_time_regexes() {
    // The `regex` crate has no backtracking features, so anything it accepts is linear-time.
    for (name, text) in ALL_SCHEMAS {
        let schema = parse(text);
        let mut patterns = Vec::new();
        walk(&schema, "", &mut |path, map| {
            if let Some(Value::String(p)) = map.get("pattern") {
                patterns.push((path.to_string(), p.clone()));
            }
        });
        for (path, p) in patterns {
            assert!(
                regex::Regex::new(&p).is_ok(),
                "{name}{path}: pattern {p:?} is not linear-time safe"
            );
        }
    }
}

#[test]
fn snapshot_schema_is_open_and_leaves_enumerations_to_rules() {
    let schema = parse(SNAPSHOT_SCHEMA);
    walk(&schema, "", &mut |path, map| {
        assert!(
            map.get("additionalProperties") != Some(&Value::Bool(false)),
            "{path}: snapshots must allow unknown keys"
        );
        assert!(
            !map.contains_key("unevaluatedProperties"),
            "{path}: snapshots must allow unknown keys"
        );
        assert!(
            !map.contains_key("enum"),
            "{path}: enumerations are judged by rules, not by the schema"
        );
    });
}

// ---------------------------------------------------------------------------------------------
// Contract examples

#[test]
fn contract_snapshot_example_validates() {
    assert_valid(&validator(SNAPSHOT_SCHEMA), &snapshot());
}

#[test]
fn contract_adjustment_log_example_validates() {
    assert_valid(&validator(ADJUSTMENT_SCHEMA), &adjustment_log());
}

#[test]
fn contract_report_example_validates() {
    let doc = report();
    assert!(doc.get("tool").is_none() && doc.get("as_of").is_none());
    assert_valid(&validator(REPORT_SCHEMA), &doc);
}

#[test]
fn items_validate_one_at_a_time_against_defs_item() {
    let item_validator = def_validator(SNAPSHOT_SCHEMA, "item");
    let doc = snapshot();
    for item in doc["items"].as_array().unwrap() {
        assert_valid(&item_validator, item);
    }
    let mut bad = doc["items"][0].clone();
    bad["onsite_visits"] = json!("1次");
    assert_invalid_at(&item_validator, &bad, "/onsite_visits");
    bad["onsite_visits"] = json!(1);
    bad.as_object_mut().unwrap().remove("code");
    assert_invalid_at(&item_validator, &bad, "");

    let adjustment_validator = def_validator(ADJUSTMENT_SCHEMA, "adjustment");
    assert_valid(&adjustment_validator, &adjustment_log()["adjustments"][0]);
}

// ---------------------------------------------------------------------------------------------
// Snapshots: what is rejected, what is left to the rules

#[test]
fn snapshot_missing_format_fails() {
    let mut doc = snapshot();
    doc.as_object_mut().unwrap().remove("format");
    assert_invalid_at(&validator(SNAPSHOT_SCHEMA), &doc, "");
}

#[test]
fn snapshot_wrong_format_fails() {
    let mut doc = snapshot();
    doc["format"] = json!("catalog-snapshot/2");
    assert_invalid_at(&validator(SNAPSHOT_SCHEMA), &doc, "/format");
}

#[test]
fn snapshot_missing_items_or_as_of_fails() {
    let v = validator(SNAPSHOT_SCHEMA);
    let mut doc = snapshot();
    doc.as_object_mut().unwrap().remove("items");
    assert_invalid_at(&v, &doc, "");

    let mut doc = snapshot();
    doc["catalog"].as_object_mut().unwrap().remove("as_of");
    assert_invalid_at(&v, &doc, "/catalog");

    let mut doc = snapshot();
    doc["catalog"]["as_of"] = json!("2017/12/31");
    assert_invalid_at(&v, &doc, "/catalog/as_of");
}

#[test]
fn item_missing_code_fails() {
    let mut doc = snapshot();
    doc["items"][0].as_object_mut().unwrap().remove("code");
    assert_invalid_at(&validator(SNAPSHOT_SCHEMA), &doc, "/items/0");

    let mut doc = snapshot();
    doc["items"][0]["code"] = json!("");
    assert_invalid_at(&validator(SNAPSHOT_SCHEMA), &doc, "/items/0/code");
}

#[test]
fn item_onsite_visits_negative_fails() {
    let mut doc = snapshot();
    doc["items"][0]["onsite_visits"] = json!(-1);
    assert_invalid_at(&validator(SNAPSHOT_SCHEMA), &doc, "/items/0/onsite_visits");
}

#[test]
fn item_onsite_visits_as_text_fails() {
    let mut doc = snapshot();
    doc["items"][0]["onsite_visits"] = json!("1次");
    assert_invalid_at(&validator(SNAPSHOT_SCHEMA), &doc, "/items/0/onsite_visits");
}

#[test]
fn legal_basis_without_title_fails() {
    let mut doc = snapshot();
    doc["items"][0]["legal_basis"][0]
        .as_object_mut()
        .unwrap()
        .remove("title");
    assert_invalid_at(&validator(SNAPSHOT_SCHEMA), &doc, "/items/0/legal_basis/0");
}

#[test]
fn nested_types_are_checked() {
    let v = validator(SNAPSHOT_SCHEMA);
    let cases = [
        (
            "/items/0/promised_limit/value",
            "promised_limit",
            json!({ "value": "5", "unit": "工作日" }),
        ),
        (
            "/items/0/fee/charged",
            "fee",
            json!({ "charged": "否", "items": [] }),
        ),
        (
            "/items/0/materials/0/copies",
            "materials",
            json!([{ "name": "居民身份证", "copies": "1份" }]),
        ),
        (
            "/items/0/materials/0",
            "materials",
            json!([{ "form": "纸质" }]),
        ),
        ("/items/0/channels/0", "channels", json!([1])),
        (
            "/items/0/effective_from",
            "effective_from",
            json!("2018年1月1日"),
        ),
        ("/items/0/one_visit", "one_visit", json!("是")),
    ];
    for (pointer, key, value) in cases {
        let mut doc = snapshot();
        doc["items"][0][key] = value;
        assert_invalid_at(&v, &doc, pointer);
    }
}

#[test]
fn unknown_keys_and_bad_enumeration_values_are_left_to_rules() {
    let mut doc = snapshot();
    let item = &mut doc["items"][0];
    item["备注"] = json!("x");
    item["promised_limit"] = json!({ "value": 5, "unit": "天" });
    item["legal_limit"] = json!({ "value": null, "unit": null, "note": "无法定时限" });
    item["online_depth"] = json!(9);
    item["item_type"] = json!("许可");
    item["status"] = json!("有效");
    item["case_type"] = json!("普通件");
    item["channels"] = json!(["自助终端"]);
    item["materials"][0]["necessity"] = json!("可选");
    item["materials"][0]["extra_column"] = json!({ "any": ["thing"] });
    item["legal_basis"][0]["level"] = json!("条例");
    doc["catalog"]["导出时间"] = json!("2018-01-02 10:00");
    doc["exported_by"] = json!("platform");
    assert_valid(&validator(SNAPSHOT_SCHEMA), &doc);
}

#[test]
fn minimal_item_validates() {
    let doc = json!({
        "format": "catalog-snapshot/1",
        "catalog": { "as_of": "2017-12-31" },
        "items": [ { "code": "X-1", "name": "某事项", "item_type": "公共服务", "department": "某局" } ]
    });
    assert_valid(&validator(SNAPSHOT_SCHEMA), &doc);
}

// ---------------------------------------------------------------------------------------------
// Adjustment logs

#[test]
fn adjustment_with_unknown_kind_fails() {
    let mut doc = adjustment_log();
    doc["adjustments"][0]["kind"] = json!("modify");
    assert_invalid_at(&validator(ADJUSTMENT_SCHEMA), &doc, "/adjustments/0/kind");
}

#[test]
fn adjustment_missing_id_fails() {
    let mut doc = adjustment_log();
    doc["adjustments"][0].as_object_mut().unwrap().remove("id");
    assert_invalid_at(&validator(ADJUSTMENT_SCHEMA), &doc, "/adjustments/0");
}

#[test]
fn adjustment_log_structure_is_checked() {
    let v = validator(ADJUSTMENT_SCHEMA);
    let mut doc = adjustment_log();
    doc["format"] = json!("adjustment-log/2");
    assert_invalid_at(&v, &doc, "/format");

    let mut doc = adjustment_log();
    doc.as_object_mut().unwrap().remove("adjustments");
    assert_invalid_at(&v, &doc, "");

    let mut doc = adjustment_log();
    doc["adjustments"][0]["approved_on"] = json!("20170820");
    assert_invalid_at(&v, &doc, "/adjustments/0/approved_on");

    let mut doc = adjustment_log();
    doc["adjustments"][0]["into"] = json!(["330600-GG-00020", 21]);
    assert_invalid_at(&v, &doc, "/adjustments/0/into/1");
}

#[test]
fn adjustment_recode_merge_and_unknown_keys_validate() {
    let doc = json!({
        "format": "adjustment-log/1",
        "adjustments": [
            { "id": "TZ-1", "kind": "change", "code": "A-1", "new_code": "A-9" },
            { "id": "TZ-2", "kind": "change", "code": "A-2", "into": "A-3" },
            { "id": "TZ-3", "kind": "change", "code": "A-4", "into": ["A-5", "A-6"] },
            { "id": "TZ-4", "kind": "cancel", "code": "A-7", "supervision": "加强事中事后监管",
              "opinions": ["同意"], "经办人": "张三" },
            { "id": "TZ-5", "kind": "add", "code": "A-8" }
        ],
        "备注": "x"
    });
    assert_valid(&validator(ADJUSTMENT_SCHEMA), &doc);
}

// ---------------------------------------------------------------------------------------------
// Audit reports

#[test]
fn report_finding_with_unknown_severity_fails() {
    let mut doc = report();
    doc["findings"][0]["severity"] = json!("fatal");
    assert_invalid_at(&validator(REPORT_SCHEMA), &doc, "/findings/0/severity");
}

#[test]
fn report_finding_with_bad_fingerprint_fails() {
    let mut doc = report();
    doc["findings"][0]["fingerprint"] = json!("XYZ");
    assert_invalid_at(&validator(REPORT_SCHEMA), &doc, "/findings/0/fingerprint");
}

#[test]
fn report_missing_summary_fails() {
    let mut doc = report();
    doc.as_object_mut().unwrap().remove("summary");
    assert_invalid_at(&validator(REPORT_SCHEMA), &doc, "");
}

/// An edit that breaks a valid report.
type Mutation = fn(&mut Value);

#[test]
fn report_structure_is_checked() {
    let v = validator(REPORT_SCHEMA);
    let cases: [(&str, Mutation); 9] = [
        ("/format", |d| d["format"] = json!("audit-report/2")),
        ("/findings/0/rule", |d| {
            d["findings"][0]["rule"] = json!("XX-01")
        }),
        ("/findings/0/state", |d| {
            d["findings"][0]["state"] = json!("open")
        }),
        ("/findings/0", |d| {
            d["findings"][0]
                .as_object_mut()
                .unwrap()
                .remove("fingerprint");
        }),
        ("/changes/0/kind", |d| {
            d["changes"][0]["kind"] = json!("modified")
        }),
        ("/changes/0/fields/0/diff/0/op", |d| {
            d["changes"][0]["fields"][0]["diff"] = json!([{ "op": "replace", "text": "3" }]);
        }),
        ("/summary/unchanged", |d| {
            d["summary"]["unchanged"] = json!(-1)
        }),
        ("/summary/findings", |d| {
            d["summary"]["findings"]
                .as_object_mut()
                .unwrap()
                .remove("info");
        }),
        ("/new", |d| {
            d["new"].as_object_mut().unwrap().remove("items");
        }),
    ];
    for (pointer, mutate) in cases {
        let mut doc = report();
        mutate(&mut doc);
        assert_invalid_at(&v, &doc, pointer);
    }
}

#[test]
fn full_report_validates() {
    let doc = json!({
        "format": "audit-report/1",
        "tool": { "name": "catalog-audit", "version": "0.1.0" },
        "as_of": "2018-01-15",
        "old": { "as_of": "2017-06-30", "items": 2, "name": "越州市公共服务事项目录",
                 "region_code": "330600", "file": "old.json" },
        "new": { "as_of": null, "items": 2, "file": "new.csv" },
        "summary": { "added": 1, "changed": 1, "cancelled": 1, "recoded": 0, "unchanged": 0,
                     "merged": 0, "split": 0,
                     "findings": { "error": 1, "warning": 0, "info": 1 } },
        "changes": [
            { "kind": "changed", "code": "A-1", "name": "甲", "department": "某局",
              "fields": [ { "field": "address", "old": "一楼", "new": "二楼",
                            "diff": [ { "op": "delete", "text": "一" }, { "op": "insert", "text": "二" },
                                      { "op": "equal", "text": "楼" } ] },
                          { "field": "fee", "old": null, "new": { "charged": false } } ] },
            { "kind": "merged", "code": "A-3", "old_code": "A-2", "name": "乙", "department": "某局" }
        ],
        "findings": [
            { "rule": "DA-101", "rule_name": "变更无调整申请", "category": "adjustment", "severity": "error",
              "code": "A-1", "name": "甲", "department": "某局", "change": "changed", "field": "address",
              "message": "……", "evidence": "一楼 → 二楼", "fingerprint": "0123456789ab",
              "state": "reopened", "adjustment": "TZ-2017-031", "extra": true },
            { "rule": "CF-01", "category": "format", "severity": "info", "code": "A-9", "name": "丙",
              "department": "某局", "change": "unchanged", "field": "office_hours", "message": "……",
              "fingerprint": "ffffffffffff", "state": "waived" }
        ],
        "rules": {
            "DA-101": { "name": "变更无调整申请", "title": "Observed change without an approved request",
                        "severity": "error", "category": "adjustment", "remediation": "……", "rationale": "……",
                        "basis": [ { "title": "某规定", "doc_no": "某〔2017〕1号", "article": "第五条", "note": "……" } ] },
            "CF-01": { "severity": "info", "category": "format" }
        },
        "generated_by": "ci"
    });
    let v = validator(REPORT_SCHEMA);
    assert_valid(&v, &doc);

    let mut bad = doc.clone();
    bad["rules"]["DA-101"]["basis"][0]
        .as_object_mut()
        .unwrap()
        .remove("title");
    assert_invalid_at(&v, &bad, "/rules/DA-101/basis/0");

    let mut bad = doc.clone();
    bad["rules"]["bogus"] = json!({});
    assert!(!v.is_valid(&bad), "rule codes are keyed by valid rule ids");

    let mut bad = doc;
    bad["new"]["as_of"] = json!("2017-12");
    assert_invalid_at(&v, &bad, "/new/as_of");
}
