//! Field-by-field comparison of two versions of one item.
//!
//! Fields are compared on the typed structs; JSON values are built only for the fields that differ,
//! because those are what the report shows. Field names are the contract's keys; list elements are
//! addressed by their natural key in brackets.

use crate::model::{Extra, Item};
use crate::text::{self, TextOp, char_diff};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// One changed field with its typed old and new values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// `promised_limit`, `fee.charged`, `materials[居民身份证].copies`, `materials[户口簿]` …
    pub field: String,
    /// The old value (`null` when the field or element was absent).
    pub old: Value,
    /// The new value (`null` when the field or element was removed).
    pub new: Value,
    /// A character-level diff, when both sides are text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<Vec<TextOp>>,
}

impl FieldChange {
    fn new(field: String, old: Value, new: Value) -> Self {
        let diff = match (&old, &new) {
            (Value::String(a), Value::String(b)) => Some(char_diff(a, b)),
            _ => None,
        };
        FieldChange {
            field,
            old,
            new,
            diff,
        }
    }

    /// The top-level field: `fee` for `fee.items[x].standard`, `materials` for `materials[x]`.
    pub fn root(&self) -> &str {
        let end = self.field.find(['.', '[']).unwrap_or(self.field.len());
        &self.field[..end]
    }
}

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn opt<T: Serialize>(v: &Option<T>) -> Value {
    v.as_ref().map_or(Value::Null, to_value)
}

fn scalar<T: PartialEq + Serialize>(
    out: &mut Vec<FieldChange>,
    name: &str,
    a: &Option<T>,
    b: &Option<T>,
) {
    if a != b {
        out.push(FieldChange::new(name.to_string(), opt(a), opt(b)));
    }
}

fn set(out: &mut Vec<FieldChange>, name: &str, a: &[String], b: &[String]) {
    if a == b {
        return;
    }
    let mut x: Vec<String> = a.iter().map(|s| text::key(s)).collect();
    let mut y: Vec<String> = b.iter().map(|s| text::key(s)).collect();
    x.sort();
    y.sort();
    if x != y {
        out.push(FieldChange::new(
            name.to_string(),
            to_value(&a),
            to_value(&b),
        ));
    }
}

/// Elements of a list keyed by their normalised natural key; repeats get `#2`, `#3` suffixes.
fn keyed<T: Serialize>(list: &[T], key: impl Fn(&T) -> &str) -> BTreeMap<String, (String, &T)> {
    let mut out = BTreeMap::new();
    for el in list {
        let display = key(el).trim().to_string();
        let mut k = text::key(&display);
        let mut shown = display.clone();
        let mut n = 1;
        while out.contains_key(&k) {
            n += 1;
            k = format!("{}#{n}", text::key(&display));
            shown = format!("{display}#{n}");
        }
        out.insert(k, (shown, el));
    }
    out
}

fn list<T: PartialEq + Serialize>(
    out: &mut Vec<FieldChange>,
    name: &str,
    a: &[T],
    b: &[T],
    key: impl Fn(&T) -> &str,
) {
    if a == b {
        return;
    }
    let old = keyed(a, &key);
    let new = keyed(b, &key);
    for (k, (shown, el)) in &old {
        match new.get(k) {
            None => out.push(FieldChange::new(
                format!("{name}[{shown}]"),
                to_value(el),
                Value::Null,
            )),
            Some((_, other)) if *el != *other => {
                object(
                    out,
                    &format!("{name}[{shown}]"),
                    &to_value(el),
                    &to_value(other),
                );
            }
            Some(_) => {}
        }
    }
    for (k, (shown, el)) in &new {
        if !old.contains_key(k) {
            out.push(FieldChange::new(
                format!("{name}[{shown}]"),
                Value::Null,
                to_value(el),
            ));
        }
    }
}

/// Sub-field differences of two JSON objects (list elements), one entry per differing key.
fn object(out: &mut Vec<FieldChange>, prefix: &str, a: &Value, b: &Value) {
    let empty = Map::new();
    let x = a.as_object().unwrap_or(&empty);
    let y = b.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        let (va, vb) = (
            x.get(k).unwrap_or(&Value::Null),
            y.get(k).unwrap_or(&Value::Null),
        );
        if va != vb {
            out.push(FieldChange::new(
                format!("{prefix}.{k}"),
                va.clone(),
                vb.clone(),
            ));
        }
    }
}

fn extras(out: &mut Vec<FieldChange>, a: &Extra, b: &Extra) {
    if a == b {
        return;
    }
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        let (va, vb) = (
            a.get(k).unwrap_or(&Value::Null),
            b.get(k).unwrap_or(&Value::Null),
        );
        if va != vb {
            out.push(FieldChange::new(k.clone(), va.clone(), vb.clone()));
        }
    }
}

/// Every field that differs between two versions of an item (the code excluded), in a fixed order.
pub fn compare(a: &Item, b: &Item) -> Vec<FieldChange> {
    let mut out = Vec::new();
    if a == b {
        return out;
    }
    let s = |v: &crate::model::Text| Some(v.clone());
    scalar(&mut out, "basic_code", &a.basic_code, &b.basic_code);
    scalar(&mut out, "impl_code", &a.impl_code, &b.impl_code);
    scalar(&mut out, "name", &s(&a.name), &s(&b.name));
    scalar(&mut out, "item_type", &s(&a.item_type), &s(&b.item_type));
    scalar(&mut out, "department", &s(&a.department), &s(&b.department));
    scalar(
        &mut out,
        "department_code",
        &a.department_code,
        &b.department_code,
    );
    scalar(&mut out, "status", &a.status, &b.status);
    scalar(&mut out, "version", &a.version, &b.version);
    scalar(&mut out, "power_source", &a.power_source, &b.power_source);
    set(
        &mut out,
        "service_objects",
        &a.service_objects,
        &b.service_objects,
    );
    list(
        &mut out,
        "legal_basis",
        &a.legal_basis,
        &b.legal_basis,
        |l| &l.title,
    );
    scalar(&mut out, "case_type", &a.case_type, &b.case_type);
    set(&mut out, "channels", &a.channels, &b.channels);
    scalar(&mut out, "legal_limit", &a.legal_limit, &b.legal_limit);
    scalar(
        &mut out,
        "promised_limit",
        &a.promised_limit,
        &b.promised_limit,
    );
    scalar(
        &mut out,
        "onsite_visits",
        &a.onsite_visits,
        &b.onsite_visits,
    );
    scalar(
        &mut out,
        "onsite_reason",
        &a.onsite_reason,
        &b.onsite_reason,
    );
    scalar(&mut out, "one_visit", &a.one_visit, &b.one_visit);
    scalar(&mut out, "online_depth", &a.online_depth, &b.online_depth);
    scalar(&mut out, "online_url", &a.online_url, &b.online_url);
    scalar(&mut out, "mobile_url", &a.mobile_url, &b.mobile_url);
    scalar(&mut out, "pay_online", &a.pay_online, &b.pay_online);
    match (&a.fee, &b.fee) {
        (x, y) if x == y => {}
        (Some(x), Some(y)) => {
            scalar(&mut out, "fee.charged", &x.charged, &y.charged);
            list(&mut out, "fee.items", &x.items, &y.items, |f| &f.name);
            extras(&mut out, &x.extra, &y.extra);
        }
        (x, y) => out.push(FieldChange::new("fee".into(), opt(x), opt(y))),
    }
    list(&mut out, "materials", &a.materials, &b.materials, |m| {
        &m.name
    });
    list(&mut out, "process", &a.process, &b.process, |p| &p.step);
    scalar(&mut out, "result", &a.result, &b.result);
    scalar(&mut out, "address", &a.address, &b.address);
    scalar(&mut out, "office_hours", &a.office_hours, &b.office_hours);
    scalar(
        &mut out,
        "consult_phone",
        &a.consult_phone,
        &b.consult_phone,
    );
    scalar(
        &mut out,
        "complaint_phone",
        &a.complaint_phone,
        &b.complaint_phone,
    );
    list(&mut out, "faq", &a.faq, &b.faq, |f| &f.question);
    scalar(
        &mut out,
        "effective_from",
        &a.effective_from,
        &b.effective_from,
    );
    scalar(&mut out, "cancel_on", &a.cancel_on, &b.cancel_on);
    extras(&mut out, &a.extra, &b.extra);
    out
}

/// Share of the filled top-level fields (the code excluded) on which two items agree, from 0 to 1.
///
/// Only called for candidate recode pairs (same normalised name and department), so building JSON
/// objects here to learn which fields are filled costs nothing at catalog scale.
pub fn similarity(a: &Item, b: &Item) -> f64 {
    let changes = compare(a, b);
    let mut roots: Vec<&str> = changes.iter().map(FieldChange::root).collect();
    roots.sort_unstable();
    roots.dedup();
    let (x, y) = (to_value(a), to_value(b));
    let mut filled: Vec<&String> = x
        .as_object()
        .into_iter()
        .chain(y.as_object())
        .flat_map(|o| o.keys())
        .filter(|k| k.as_str() != "code")
        .collect();
    filled.sort_unstable();
    filled.dedup();
    if filled.is_empty() {
        return 1.0;
    }
    1.0 - roots.len() as f64 / filled.len() as f64
}
