//! Field-by-field comparison of two versions of one item.
//!
//! Fields are compared on the typed structs; JSON values are built only for the fields that differ,
//! because those are what the report shows. Field names are the contract's keys; list elements are
//! addressed by their natural key in brackets.
//!
//! Which fields are compared, and in which order, is generated from the field declaration
//! ([`crate::fields`]); how a field is compared follows from its type ([`Compare`]).

use crate::fields::Field;
use crate::model::{
    Extra, Faq, Fee, FeeItem, Item, ItemResult, LegalBasis, Limit, Material, Shared, Step, Text,
};
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
    /// A character-level diff, when both sides are text and differ little enough for one
    /// ([`char_diff`]'s budget); otherwise the change is the whole old value replaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<Vec<TextOp>>,
}

impl FieldChange {
    fn new(field: String, old: Value, new: Value) -> Self {
        let diff = match (&old, &new) {
            (Value::String(a), Value::String(b)) => char_diff(a, b),
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

/// How two values of one field are compared, by the field's type: whole (text, numbers, flags,
/// limits, the result), as a set of words (service objects, channels), as a list keyed by each
/// element's natural key (materials …), or part by part (the fee).
trait Compare {
    fn compare(out: &mut Vec<FieldChange>, name: &str, a: &Self, b: &Self);
}

/// A type compared whole: one change with both values when they differ.
trait Whole: PartialEq + Serialize {}
impl Whole for Text {}
impl Whole for i64 {}
impl Whole for bool {}
impl Whole for Shared<Limit> {}
impl Whole for Shared<ItemResult> {}

impl Compare for Text {
    fn compare(out: &mut Vec<FieldChange>, name: &str, a: &Self, b: &Self) {
        scalar(out, name, &Some(a), &Some(b));
    }
}

impl<T: Whole> Compare for Option<T> {
    fn compare(out: &mut Vec<FieldChange>, name: &str, a: &Self, b: &Self) {
        scalar(out, name, a, b);
    }
}

impl Compare for Shared<Vec<String>> {
    fn compare(out: &mut Vec<FieldChange>, name: &str, a: &Self, b: &Self) {
        set(out, name, a, b);
    }
}

/// A list element's natural key: what a changed element is named by (`materials[户口簿]`).
trait Keyed {
    fn natural_key(&self) -> &str;
}

impl Keyed for LegalBasis {
    fn natural_key(&self) -> &str {
        &self.title
    }
}

impl Keyed for Material {
    fn natural_key(&self) -> &str {
        &self.name
    }
}

impl Keyed for Step {
    fn natural_key(&self) -> &str {
        &self.step
    }
}

impl Keyed for Faq {
    fn natural_key(&self) -> &str {
        &self.question
    }
}

impl Keyed for FeeItem {
    fn natural_key(&self) -> &str {
        &self.name
    }
}

impl<T: Keyed + PartialEq + Serialize> Compare for Shared<Vec<T>> {
    fn compare(out: &mut Vec<FieldChange>, name: &str, a: &Self, b: &Self) {
        list(out, name, a, b, T::natural_key);
    }
}

/// The fee part by part: whether charged, the fee items as a keyed list, its other keys.
impl Compare for Option<Shared<Fee>> {
    fn compare(out: &mut Vec<FieldChange>, name: &str, a: &Self, b: &Self) {
        match (a, b) {
            (x, y) if x == y => {}
            (Some(x), Some(y)) => {
                scalar(out, &format!("{name}.charged"), &x.charged, &y.charged);
                list(out, &format!("{name}.items"), &x.items, &y.items, |f| {
                    f.natural_key()
                });
                extras(out, &x.extra, &y.extra);
            }
            (x, y) => out.push(FieldChange::new(name.into(), opt(x), opt(y))),
        }
    }
}

/// Writes the comparison of every declared field but the code, in the declaration's order.
macro_rules! compare_fields {
    ($($(#[$doc:meta])* $key:ident ($variant:ident, $zh:literal): $ty:ty;)*) => {
        fn declared(out: &mut Vec<FieldChange>, a: &Item, b: &Item) {
            $(
                if Field::$variant != Field::Code {
                    Compare::compare(out, stringify!($key), &a.$key, &b.$key);
                }
            )*
        }
    };
}
crate::fields::item_fields!(compare_fields);

/// Every field that differs between two versions of an item (the code excluded), in a fixed order:
/// the declared fields, then the keys the contract does not name.
pub fn compare(a: &Item, b: &Item) -> Vec<FieldChange> {
    let mut out = Vec::new();
    if a == b {
        return out;
    }
    declared(&mut out, a, b);
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
