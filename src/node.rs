//! Field access for rules: a borrowed, allocation-free view of the typed model.
//!
//! Rules name fields by path (`materials[].name`, `promised_limit.value`). Instead of turning an item
//! into a JSON tree, every model struct implements [`Node`], which answers one key with a borrowed
//! [`Val`]. [`Shape`] is the static description of the same fields: the rule loader uses it to reject a
//! path with a typo when the rule file is read, so a misspelt field cannot silently disable a check.
//!
//! The item's access and shape are generated from the field declaration ([`crate::fields`]): each
//! field's type says how it reads ([`FieldValue`]).

use crate::model::{
    Adjustment, DocRef, Extra, Faq, Fee, FeeItem, Item, ItemResult, LegalBasis, Limit, Material,
    Shared, Step, Text,
};
use serde_json::Value;

/// One value found at a path.
#[derive(Clone, Copy)]
pub enum Val<'a> {
    Missing,
    Bool(bool),
    Int(i64),
    Num(f64),
    Str(&'a str),
    Obj(&'a dyn Node),
    Objs(&'a dyn NodeList),
    Strs(&'a [String]),
    Json(&'a Value),
    Date(chrono::NaiveDate),
}

impl<'a> Val<'a> {
    /// True for a missing value, null, a blank string or an empty list.
    pub fn is_empty(&self) -> bool {
        match self {
            Val::Missing => true,
            Val::Str(s) => s.trim().is_empty(),
            Val::Objs(l) => l.is_empty(),
            Val::Strs(l) => l.is_empty(),
            Val::Json(v) => match v {
                Value::Null => true,
                Value::String(s) => s.trim().is_empty(),
                Value::Array(a) => a.is_empty(),
                Value::Object(o) => o.is_empty(),
                _ => false,
            },
            _ => false,
        }
    }

    /// The value as a number, if it is one.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Val::Int(i) => Some(i as f64),
            Val::Num(n) => Some(n),
            Val::Json(Value::Number(n)) => n.as_f64(),
            _ => None,
        }
    }

    /// The value as text, if it is a string.
    pub fn as_str(&self) -> Option<&'a str> {
        match *self {
            Val::Str(s) => Some(s),
            Val::Json(Value::String(s)) => Some(s),
            _ => None,
        }
    }

    /// Children of a list value, or `None` for a non-list.
    pub fn elements(&self) -> Option<Vec<Val<'a>>> {
        match *self {
            Val::Objs(l) => Some((0..l.len()).map(|i| Val::Obj(l.at(i))).collect()),
            Val::Strs(l) => Some(l.iter().map(|s| Val::Str(s)).collect()),
            Val::Json(Value::Array(a)) => Some(a.iter().map(Val::Json).collect()),
            _ => None,
        }
    }

    /// Calls `f` on each child of a list value without collecting them; false for a non-list.
    pub fn each_element(&self, mut f: impl FnMut(Val<'a>)) -> bool {
        match *self {
            Val::Objs(l) => (0..l.len()).for_each(|i| f(Val::Obj(l.at(i)))),
            Val::Strs(l) => l.iter().for_each(|s| f(Val::Str(s))),
            Val::Json(Value::Array(a)) => a.iter().for_each(|v| f(Val::Json(v))),
            _ => return false,
        }
        true
    }

    /// One key of an object value.
    pub fn get(&self, key: &str) -> Val<'a> {
        match *self {
            Val::Obj(n) => n.get(key),
            Val::Json(Value::Object(o)) => o.get(key).map_or(Val::Missing, Val::Json),
            _ => Val::Missing,
        }
    }

    /// A short display form, used as finding evidence.
    pub fn display(&self) -> String {
        match *self {
            Val::Missing => String::new(),
            Val::Bool(b) => b.to_string(),
            Val::Int(i) => i.to_string(),
            Val::Num(n) => format_num(n),
            // Evidence is compared across input formats: surrounding whitespace is not evidence.
            Val::Str(s) => s.trim().to_string(),
            Val::Date(d) => d.to_string(),
            Val::Obj(n) => n.to_json().to_string(),
            Val::Objs(_) | Val::Strs(_) => self
                .elements()
                .unwrap_or_default()
                .iter()
                .map(Val::display)
                .collect::<Vec<_>>()
                .join("；"),
            Val::Json(Value::String(s)) => s.trim().to_string(),
            Val::Json(v) => v.to_string(),
        }
    }
}

/// Numbers print without a trailing `.0` when whole.
pub fn format_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A model struct whose fields rules can read.
pub trait Node: Sync {
    /// The value of one key; unknown keys read the struct's extra (unnamed) keys.
    fn get(&self, key: &str) -> Val<'_>;
    /// The natural key of this element inside a list (a material's name, a basis's title).
    fn key(&self) -> String;
    /// The element as JSON, for message templates and evidence (only built when a finding fires).
    fn to_json(&self) -> Value;
}

/// A list of nodes, without knowing the element type.
pub trait NodeList: Sync {
    fn len(&self) -> usize;
    fn at(&self, i: usize) -> &dyn Node;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T: Node + Send> NodeList for std::sync::Arc<Vec<T>> {
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn at(&self, i: usize) -> &dyn Node {
        &self[i]
    }
}

impl<T: Node> NodeList for Vec<T> {
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn at(&self, i: usize) -> &dyn Node {
        &self[i]
    }
}

fn s<S: std::ops::Deref<Target = str>>(v: &Option<S>) -> Val<'_> {
    v.as_deref().map_or(Val::Missing, Val::Str)
}
fn i(v: Option<i64>) -> Val<'static> {
    v.map_or(Val::Missing, Val::Int)
}
fn b(v: Option<bool>) -> Val<'static> {
    v.map_or(Val::Missing, Val::Bool)
}
fn extra<'a>(e: &'a Extra, key: &str) -> Val<'a> {
    e.get(key).map_or(Val::Missing, Val::Json)
}
fn json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// How an item field's value reads in rules ([`Val`]), and what a rule path through it may lead
/// to ([`Shape`], and whether it is a list of that shape). Implemented by each type a field of the
/// declaration ([`crate::fields`]) has.
pub trait FieldValue {
    const SHAPE: (Shape, bool);
    fn val(&self) -> Val<'_>;
}

impl FieldValue for Text {
    const SHAPE: (Shape, bool) = (Shape::Scalar, false);
    #[inline]
    fn val(&self) -> Val<'_> {
        Val::Str(self)
    }
}

impl FieldValue for i64 {
    const SHAPE: (Shape, bool) = (Shape::Scalar, false);
    #[inline]
    fn val(&self) -> Val<'_> {
        Val::Int(*self)
    }
}

impl FieldValue for bool {
    const SHAPE: (Shape, bool) = (Shape::Scalar, false);
    #[inline]
    fn val(&self) -> Val<'_> {
        Val::Bool(*self)
    }
}

impl<T: FieldValue> FieldValue for Option<T> {
    const SHAPE: (Shape, bool) = T::SHAPE;
    #[inline]
    fn val(&self) -> Val<'_> {
        self.as_ref().map_or(Val::Missing, T::val)
    }
}

impl FieldValue for Shared<Vec<String>> {
    const SHAPE: (Shape, bool) = (Shape::Strings, false);
    #[inline]
    fn val(&self) -> Val<'_> {
        Val::Strs(&self[..])
    }
}

impl<T: Node + Shaped + Send> FieldValue for Shared<Vec<T>> {
    const SHAPE: (Shape, bool) = (T::SHAPE, true);
    #[inline]
    fn val(&self) -> Val<'_> {
        Val::Objs(self)
    }
}

impl<T: Node + Shaped> FieldValue for Shared<T> {
    const SHAPE: (Shape, bool) = (T::SHAPE, false);
    #[inline]
    fn val(&self) -> Val<'_> {
        Val::Obj(&**self)
    }
}

/// The [`Shape`] of a model struct that an item field holds.
pub trait Shaped {
    const SHAPE: Shape;
}

macro_rules! shaped {
    ($($ty:ident),*) => {
        $(impl Shaped for $ty {
            const SHAPE: Shape = Shape::$ty;
        })*
    };
}
shaped!(LegalBasis, Limit, Fee, Material, Step, ItemResult, Faq);

/// Writes the item's [`Node`] access and its rule-path shapes from the field declaration.
macro_rules! item_node {
    ($($(#[$doc:meta])* $key:ident ($variant:ident, $zh:literal): $ty:ty;)*) => {
        impl Node for Item {
            fn get(&self, key: &str) -> Val<'_> {
                match key {
                    $(stringify!($key) => FieldValue::val(&self.$key),)*
                    _ => extra(&self.extra, key),
                }
            }
            fn key(&self) -> String {
                self.code.to_string()
            }
            fn to_json(&self) -> Value {
                json(self)
            }
        }

        /// What a key of an item leads to ([`child`] for [`Shape::Item`]).
        fn item_child(key: &str) -> Option<(Shape, bool)> {
            match key {
                $(stringify!($key) => Some(<$ty as FieldValue>::SHAPE),)*
                _ => None,
            }
        }
    };
}
crate::fields::item_fields!(item_node);

impl Node for LegalBasis {
    fn get(&self, key: &str) -> Val<'_> {
        match key {
            "title" => Val::Str(&self.title),
            "level" => s(&self.level),
            "doc_no" => s(&self.doc_no),
            "article" => s(&self.article),
            "text" => s(&self.text),
            _ => extra(&self.extra, key),
        }
    }
    fn key(&self) -> String {
        self.title.trim().to_string()
    }
    fn to_json(&self) -> Value {
        json(self)
    }
}

impl Node for Limit {
    fn get(&self, key: &str) -> Val<'_> {
        match key {
            "value" => i(self.value),
            "unit" => s(&self.unit),
            "note" => s(&self.note),
            _ => extra(&self.extra, key),
        }
    }
    fn key(&self) -> String {
        String::new()
    }
    fn to_json(&self) -> Value {
        json(self)
    }
}

impl Node for Fee {
    fn get(&self, key: &str) -> Val<'_> {
        match key {
            "charged" => b(self.charged),
            "items" => Val::Objs(&self.items),
            _ => extra(&self.extra, key),
        }
    }
    fn key(&self) -> String {
        String::new()
    }
    fn to_json(&self) -> Value {
        json(self)
    }
}

impl Node for FeeItem {
    fn get(&self, key: &str) -> Val<'_> {
        match key {
            "name" => Val::Str(&self.name),
            "standard" => s(&self.standard),
            "basis" => Val::Objs(&self.basis),
            "reducible" => b(self.reducible),
            "reduction_basis" => s(&self.reduction_basis),
            _ => extra(&self.extra, key),
        }
    }
    fn key(&self) -> String {
        self.name.trim().to_string()
    }
    fn to_json(&self) -> Value {
        json(self)
    }
}

impl Node for DocRef {
    fn get(&self, key: &str) -> Val<'_> {
        match key {
            "title" => Val::Str(&self.title),
            "doc_no" => s(&self.doc_no),
            _ => extra(&self.extra, key),
        }
    }
    fn key(&self) -> String {
        match &self.doc_no {
            Some(d) if !d.is_empty() => format!("{}（{d}）", self.title),
            _ => self.title.clone(),
        }
    }
    fn to_json(&self) -> Value {
        json(self)
    }
}

impl Node for Material {
    fn get(&self, key: &str) -> Val<'_> {
        match key {
            "name" => Val::Str(&self.name),
            "form" => s(&self.form),
            "kind" => s(&self.kind),
            "necessity" => s(&self.necessity),
            "source" => s(&self.source),
            "copies" => i(self.copies),
            "blank_form" => b(self.blank_form),
            "sample" => b(self.sample),
            "basis" => s(&self.basis),
            _ => extra(&self.extra, key),
        }
    }
    fn key(&self) -> String {
        self.name.trim().to_string()
    }
    fn to_json(&self) -> Value {
        json(self)
    }
}

impl Node for Step {
    fn get(&self, key: &str) -> Val<'_> {
        match key {
            "step" => Val::Str(&self.step),
            "days" => self.days.map_or(Val::Missing, Val::Num),
            _ => extra(&self.extra, key),
        }
    }
    fn key(&self) -> String {
        self.step.trim().to_string()
    }
    fn to_json(&self) -> Value {
        json(self)
    }
}

impl Node for ItemResult {
    fn get(&self, key: &str) -> Val<'_> {
        match key {
            "name" => s(&self.name),
            "type" => s(&self.kind),
            "sample" => s(&self.sample),
            _ => extra(&self.extra, key),
        }
    }
    fn key(&self) -> String {
        self.name.clone().unwrap_or_default()
    }
    fn to_json(&self) -> Value {
        json(self)
    }
}

impl Node for Faq {
    fn get(&self, key: &str) -> Val<'_> {
        match key {
            "question" => Val::Str(&self.question),
            "answer" => s(&self.answer),
            _ => extra(&self.extra, key),
        }
    }
    fn key(&self) -> String {
        self.question.trim().to_string()
    }
    fn to_json(&self) -> Value {
        json(self)
    }
}

impl Node for Adjustment {
    fn get(&self, key: &str) -> Val<'_> {
        match key {
            "id" => Val::Str(&self.id),
            "kind" => Val::Str(self.kind.as_str()),
            "code" => Val::Str(&self.code),
            "department" => s(&self.department),
            "fields" => Val::Strs(&self.fields),
            "reason" => s(&self.reason),
            "basis" => Val::Objs(&self.basis),
            "trigger_date" => date(&self.trigger_date),
            "filed_on" => date(&self.filed_on),
            "approved_on" => date(&self.approved_on),
            "approved_by" => s(&self.approved_by),
            "published_on" => date(&self.published_on),
            "new_code" => s(&self.new_code),
            "supervision" => s(&self.supervision),
            "opinions" => Val::Strs(&self.opinions),
            _ => extra(&self.extra, key),
        }
    }
    fn key(&self) -> String {
        self.id.clone()
    }
    fn to_json(&self) -> Value {
        json(self)
    }
}

/// Dates are exposed typed, so rules can count working days between them.
fn date(d: &Option<chrono::NaiveDate>) -> Val<'static> {
    d.map_or(Val::Missing, Val::Date)
}

/// One department's figures in an audit, for department-level rules (subject `department`).
/// Shares are percentages of the live items whose visit count is filled; absent when there are none.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct DeptStats {
    pub name: String,
    pub items_old: i64,
    pub items_new: i64,
    pub one_visit_old: i64,
    pub one_visit_new: i64,
    pub zero_visit_old: i64,
    pub zero_visit_new: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub one_visit_share_old: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub one_visit_share_new: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zero_visit_share_old: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zero_visit_share_new: Option<f64>,
    pub added: i64,
    pub changed: i64,
    pub cancelled: i64,
    pub recoded: i64,
}

/// The fields of [`DeptStats`], for checking rule paths.
pub const DEPT_FIELDS: &[&str] = &[
    "name",
    "items_old",
    "items_new",
    "one_visit_old",
    "one_visit_new",
    "zero_visit_old",
    "zero_visit_new",
    "one_visit_share_old",
    "one_visit_share_new",
    "zero_visit_share_old",
    "zero_visit_share_new",
    "added",
    "changed",
    "cancelled",
    "recoded",
];

impl Node for DeptStats {
    fn get(&self, key: &str) -> Val<'_> {
        let share = |v: Option<f64>| v.map_or(Val::Missing, Val::Num);
        match key {
            "name" => Val::Str(&self.name),
            "items_old" => Val::Int(self.items_old),
            "items_new" => Val::Int(self.items_new),
            "one_visit_old" => Val::Int(self.one_visit_old),
            "one_visit_new" => Val::Int(self.one_visit_new),
            "zero_visit_old" => Val::Int(self.zero_visit_old),
            "zero_visit_new" => Val::Int(self.zero_visit_new),
            "one_visit_share_old" => share(self.one_visit_share_old),
            "one_visit_share_new" => share(self.one_visit_share_new),
            "zero_visit_share_old" => share(self.zero_visit_share_old),
            "zero_visit_share_new" => share(self.zero_visit_share_new),
            "added" => Val::Int(self.added),
            "changed" => Val::Int(self.changed),
            "cancelled" => Val::Int(self.cancelled),
            "recoded" => Val::Int(self.recoded),
            _ => Val::Missing,
        }
    }
    fn key(&self) -> String {
        self.name.trim().to_string()
    }
    fn to_json(&self) -> Value {
        json(self)
    }
}

/// The static shape of the model, used to check rule paths when rules are loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Item,
    LegalBasis,
    Limit,
    Fee,
    FeeItem,
    DocRef,
    Material,
    Step,
    ItemResult,
    Faq,
    Adjustment,
    Department,
    /// A string, number, boolean or date.
    Scalar,
    /// A date (as a day number in the engine).
    Date,
    /// A list of strings.
    Strings,
    /// Anything: extra keys, whose shape is not known.
    Any,
}

/// What one key of a shape leads to, and whether it is a list of that shape.
pub fn child(shape: Shape, key: &str) -> Option<(Shape, bool)> {
    use Shape::*;
    let scalar = Some((Scalar, false));
    match shape {
        Item => item_child(key),
        LegalBasis => matches!(key, "title" | "level" | "doc_no" | "article" | "text")
            .then_some((Scalar, false)),
        Limit => matches!(key, "value" | "unit" | "note").then_some((Scalar, false)),
        Fee => match key {
            "charged" => scalar,
            "items" => Some((FeeItem, true)),
            _ => None,
        },
        FeeItem => match key {
            "name" | "standard" | "reducible" | "reduction_basis" => scalar,
            "basis" => Some((DocRef, true)),
            _ => None,
        },
        DocRef => matches!(key, "title" | "doc_no").then_some((Scalar, false)),
        Material => matches!(
            key,
            "name"
                | "form"
                | "kind"
                | "necessity"
                | "source"
                | "copies"
                | "blank_form"
                | "sample"
                | "basis"
        )
        .then_some((Scalar, false)),
        Step => matches!(key, "step" | "days").then_some((Scalar, false)),
        ItemResult => matches!(key, "name" | "type" | "sample").then_some((Scalar, false)),
        Faq => matches!(key, "question" | "answer").then_some((Scalar, false)),
        Adjustment => match key {
            "id" | "kind" | "code" | "department" | "reason" | "approved_by" | "new_code"
            | "supervision" => scalar,
            "trigger_date" | "filed_on" | "approved_on" | "published_on" => Some((Date, false)),
            "fields" | "opinions" => Some((Strings, false)),
            "basis" => Some((DocRef, true)),
            _ => None,
        },
        Department => DEPT_FIELDS.contains(&key).then_some((Scalar, false)),
        Any => Some((Any, false)),
        Scalar | Date | Strings => None,
    }
}
