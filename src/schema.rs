//! The JSON Schemas in `schemas/`, embedded in the binary and compiled once.
//!
//! Schemas are the formal contract of every input and output. Inputs are validated against them
//! before they are turned into typed structs, so a bad file is rejected with a JSON pointer into the
//! user's own document rather than a serde message about our structs.

use crate::error::Problem;
use crate::location::Location;
use jsonschema::Validator;
use serde_json::Value;
use std::sync::OnceLock;

/// `catalog-snapshot/1`.
pub const SNAPSHOT: &str = include_str!("../schemas/catalog-snapshot.schema.json");
/// `adjustment-log/1`.
pub const ADJUSTMENT_LOG: &str = include_str!("../schemas/adjustment-log.schema.json");
/// `audit-report/1`.
pub const REPORT: &str = include_str!("../schemas/audit-report.schema.json");
/// One rule file.
pub const RULE: &str = include_str!("../schemas/rule.schema.json");
/// The holiday calendar registry.
pub const CALENDAR: &str = include_str!("../schemas/holiday-calendar.schema.json");
/// The law and regulation registry.
pub const LAWS: &str = include_str!("../schemas/law-registry.schema.json");
/// The administrative fee catalogue.
pub const FEES: &str = include_str!("../schemas/fee-registry.schema.json");
/// The department registry.
pub const DEPARTMENTS: &str = include_str!("../schemas/department-registry.schema.json");
/// Items exempt from zero visits.
pub const EXEMPTIONS: &str = include_str!("../schemas/exemption-registry.schema.json");
/// The list of review rules the contract cannot express.
pub const GAPS: &str = include_str!("../schemas/rule-gaps.schema.json");
/// Waivers.
pub const WAIVERS: &str = include_str!("../schemas/waivers.schema.json");
/// An element profile.
pub const PROFILE: &str = include_str!("../schemas/element-profile.schema.json");
/// The scorecard's targets.
pub const SCORECARD: &str = include_str!("../schemas/scorecard-targets.schema.json");
/// The project configuration file.
pub const CONFIG: &str = include_str!("../schemas/config.schema.json");

fn compile(text: &str) -> Validator {
    let schema: Value = serde_json::from_str(text).expect("embedded schema is valid JSON");
    build(&schema)
}

fn build(schema: &Value) -> Validator {
    // Formats are checked: a date is a calendar date (2017-02-30 is refused at its pointer, not
    // later by the model without a place).
    jsonschema::options()
        .should_validate_formats(true)
        .with_pattern_options(jsonschema::PatternOptions::regex())
        .build(schema)
        .expect("embedded schema compiles")
}

/// A schema that validates one definition of a larger schema (`#/$defs/NAME`), so that large
/// documents can be validated element by element without holding a tree of the whole file.
fn definition(text: &str, name: &str) -> Validator {
    let schema: Value = serde_json::from_str(text).expect("embedded schema is valid JSON");
    let wrapper = serde_json::json!({
        "$schema": schema.get("$schema").cloned().unwrap_or(Value::Null),
        "$defs": schema.get("$defs").cloned().unwrap_or(Value::Null),
        "$ref": format!("#/$defs/{name}"),
    });
    build(&wrapper)
}

macro_rules! validator {
    ($fn_name:ident, $init:expr) => {
        pub fn $fn_name() -> &'static Validator {
            static CELL: OnceLock<Validator> = OnceLock::new();
            CELL.get_or_init(|| $init)
        }
    };
}

validator!(snapshot, compile(SNAPSHOT));
validator!(snapshot_item, definition(SNAPSHOT, "item"));
validator!(adjustment_log, compile(ADJUSTMENT_LOG));
validator!(adjustment, definition(ADJUSTMENT_LOG, "adjustment"));
validator!(report, compile(REPORT));
validator!(rule, compile(RULE));
validator!(calendar, compile(CALENDAR));
validator!(laws, compile(LAWS));
validator!(fees, compile(FEES));
validator!(departments, compile(DEPARTMENTS));
validator!(exemptions, compile(EXEMPTIONS));
validator!(config, compile(CONFIG));
validator!(gaps, compile(GAPS));
validator!(waivers, compile(WAIVERS));
validator!(profile, compile(PROFILE));
validator!(scorecard, compile(SCORECARD));

/// The validator of a registry format.
pub fn registry(format: &str) -> &'static Validator {
    match format {
        "law-registry/1" => laws(),
        "fee-registry/1" => fees(),
        "department-registry/1" => departments(),
        "exemption-registry/1" => exemptions(),
        _ => calendar(),
    }
}

/// Every violation of `instance`, located by JSON pointer: `base` followed by the pointer inside
/// the instance, within `within` (an item's label) when given.
pub fn problems(
    validator: &Validator,
    instance: &Value,
    within: Option<&str>,
    base: &str,
) -> Vec<Problem> {
    validator
        .iter_errors(instance)
        .map(|e| {
            let mut pointer = e.instance_path().to_string();
            // Point at the missing key itself, not at the object that lacks it.
            if let jsonschema::error::ValidationErrorKind::Required { property } = e.kind()
                && let Some(p) = property.as_str()
            {
                pointer = format!("{pointer}/{p}");
            }
            let pointer = format!("{base}{pointer}");
            Problem {
                location: match within {
                    Some(w) => Location::within(w, pointer),
                    None => Location::pointer(pointer),
                },
                message: worded(&e, instance.pointer(e.instance_path().as_str())),
            }
        })
        .collect()
}

/// A violation in words a reviewer reads: a date that is no calendar date says so (the
/// validator's own words for it, "is not a \"date\"" or a failed `anyOf` of date or null, do
/// not).
fn worded(e: &jsonschema::ValidationError<'_>, value: Option<&Value>) -> String {
    use jsonschema::error::ValidationErrorKind as K;
    let dateish = |v: &str| {
        v.len() == 10
            && v.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            })
    };
    match (e.kind(), value.and_then(Value::as_str)) {
        (K::Format { format }, Some(v)) if format == "date" => {
            format!("\"{v}\" is not a calendar date (YYYY-MM-DD)")
        }
        (K::AnyOf { .. }, Some(v)) if dateish(v) => {
            format!("\"{v}\" is not a calendar date (YYYY-MM-DD)")
        }
        _ => e.to_string(),
    }
}

/// A definition of an object schema split into its properties, so that an object can be validated
/// property by property — and a property value that many objects repeat verbatim (a material
/// list, a legal-basis list) validated once, however many items carry it.
///
/// The split is exact only for a definition made of `type: object`, `required` and `properties`
/// (plus annotations): the object is valid exactly when every required key is present and every
/// present key that has a property schema is valid against it. [`Parts::of`] refuses any other
/// definition (`additionalProperties`, `if`/`then`, `dependentRequired` …), and the loader then
/// validates whole items.
pub struct Parts {
    /// Keys that must be present.
    pub required: Vec<String>,
    /// Property name → index into `validators`.
    pub index: std::collections::HashMap<String, usize>,
    pub validators: Vec<Validator>,
}

impl Parts {
    /// Splits `#/$defs/NAME` of the schema `text`, or `None` when the split would not be exact.
    pub fn of(text: &str, name: &str) -> Option<Parts> {
        const ALLOWED: [&str; 7] = [
            "type",
            "required",
            "properties",
            "description",
            "title",
            "$comment",
            "examples",
        ];
        let schema: Value = serde_json::from_str(text).ok()?;
        let def = schema.get("$defs")?.get(name)?.as_object()?;
        if def.keys().any(|k| !ALLOWED.contains(&k.as_str()))
            || def.get("type").and_then(Value::as_str) != Some("object")
        {
            return None;
        }
        let required = match def.get("required") {
            Some(Value::Array(keys)) => keys
                .iter()
                .map(|k| k.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()?,
            None => Vec::new(),
            Some(_) => return None,
        };
        let mut index = std::collections::HashMap::new();
        let mut validators = Vec::new();
        for (key, sub) in def.get("properties")?.as_object()? {
            let mut wrapper = serde_json::Map::new();
            wrapper.insert(
                "$schema".into(),
                schema.get("$schema").cloned().unwrap_or(Value::Null),
            );
            wrapper.insert(
                "$defs".into(),
                schema.get("$defs").cloned().unwrap_or(Value::Null),
            );
            match sub {
                Value::Object(o) => {
                    for (k, v) in o {
                        wrapper.insert(k.clone(), v.clone());
                    }
                }
                Value::Bool(_) => {
                    wrapper.insert("allOf".into(), Value::Array(vec![sub.clone()]));
                }
                _ => return None,
            }
            index.insert(key.clone(), validators.len());
            validators.push(build(&Value::Object(wrapper)));
        }
        Some(Parts {
            required,
            index,
            validators,
        })
    }
}

/// The snapshot item definition split by property (`None` if the schema no longer allows it).
pub fn snapshot_item_parts() -> Option<&'static Parts> {
    static CELL: OnceLock<Option<Parts>> = OnceLock::new();
    CELL.get_or_init(|| Parts::of(SNAPSHOT, "item")).as_ref()
}
