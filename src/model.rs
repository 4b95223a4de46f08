//! The typed catalog model: what a `catalog-snapshot/1` item and an `adjustment-log/1` request are.
//!
//! Every stage after loading works on these structs, never on `serde_json::Value` trees: parsing into
//! typed structs is several times cheaper in time and memory, and rules read fields through the
//! [`Node`](crate::node::Node) accessor without cloning or re-serialising an item.
//!
//! Enumerated elements (item type, units, material necessity ...) are kept as strings on purpose: a
//! value outside the official list is a *finding* judged by a rule (TL-03, OV-15, CF-01), not a load
//! error. Keys the contract does not name are kept in `extra`, so exports with additional columns
//! survive a round trip and rules can still read them (`extra.备注`).

use crate::fields::{Field, Identity};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// A text value of an item. Shared (`Arc<str>`): the loader interns repeated values (departments,
/// enumerations, addresses, office hours), so a million items do not hold a million copies.
pub type Text = std::sync::Arc<str>;

/// A part of an item that many items repeat verbatim (a legal-basis list, a material list, a fee
/// block): the loader parses each distinct one once and shares it.
pub type Shared<T> = std::sync::Arc<T>;

/// For `skip_serializing_if` on shared lists.
fn is_empty_list<T>(list: &Shared<Vec<T>>) -> bool {
    list.is_empty()
}

/// Keys that the contract does not name, kept as they came (sorted, so output stays deterministic).
pub type Extra = BTreeMap<String, Value>;

/// Reads `null` as the type's default (an empty list, an empty string): exports write `null` for
/// an empty cell, and the contract treats it like an absent key.
fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Option::unwrap_or_default)
}

/// Where a record came from in a spreadsheet: file, sheet, row, and the column of each field.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The file name (without directories).
    pub file: String,
    /// The sheet (absent for CSV).
    pub sheet: Option<String>,
    /// The 1-based row number.
    pub row: usize,
    /// Top-level field → (column letter, header as written).
    pub columns: BTreeMap<String, (String, String)>,
    /// List elements read from child sheets: (list field, element key, sheet, row).
    pub children: Vec<(String, String, String, usize)>,
}

impl Origin {
    /// Where a field of this record is: "2017-12-31.xlsx sheet 事项 H12 (承诺办结时限)".
    pub fn locate(&self, field: &str) -> crate::location::Location {
        let root = &field[..field.find(['.', '[']).unwrap_or(field.len())];
        let cell = |sheet: Option<&str>, row: usize, column: Option<&(String, String)>| {
            crate::location::Location::Cell {
                file: Some(self.file.clone()),
                sheet: sheet.map(str::to_string),
                row,
                column: column.cloned(),
                item: None,
            }
        };
        if let (Some(open), Some(close)) = (field.find('['), field.find(']')) {
            let key = &field[open + 1..close];
            // The element's own row; else (an element of an element, like a fee item's basis)
            // the first row of that list in its child sheet.
            if let Some((_, _, sheet, row)) = self
                .children
                .iter()
                .find(|(f, k, _, _)| f == root && k == key)
                .or_else(|| self.children.iter().find(|(f, _, _, _)| f == root))
            {
                return cell(Some(sheet), *row, None);
            }
        }
        cell(self.sheet.as_deref(), self.row, self.columns.get(root))
    }
}

/// A record's provenance. It is not content: two records that differ only in where they were read
/// compare equal, so the diff never reports a move between rows as a change.
#[derive(Debug, Clone, Default)]
pub struct Provenance(pub Option<Box<Origin>>);

impl PartialEq for Provenance {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// Writes the [`Item`] struct from the field declaration ([`crate::fields`]): each field with the
/// serde rules its type implies (see there), then the keys the contract does not name and the
/// provenance. A tt-muncher: the type decides the attributes, so fields are taken one at a time.
macro_rules! item_struct {
    (@ [$($done:tt)*]) => {
        /// One catalog item (事项). Its fields are declared in [`crate::fields`].
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
        pub struct Item {
            $($done)*
            #[serde(flatten)]
            pub extra: Extra,
            /// Where the item was read, for spreadsheet inputs.
            #[serde(skip)]
            pub origin: Provenance,
        }
    };
    // May be absent or null; omitted when absent.
    (@ [$($done:tt)*] $(#[$doc:meta])* $key:ident ($variant:ident, $zh:literal): Option<$ty:ty>;
        $($rest:tt)*) => {
        item_struct!(@ [$($done)*
            #[doc = $zh]
            $(#[$doc])*
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub $key: Option<$ty>,
        ] $($rest)*);
    };
    // May be absent or null (read as empty); omitted when empty.
    (@ [$($done:tt)*] $(#[$doc:meta])* $key:ident ($variant:ident, $zh:literal): Shared<Vec<$ty:ty>>;
        $($rest:tt)*) => {
        item_struct!(@ [$($done)*
            #[doc = $zh]
            $(#[$doc])*
            #[serde(default, deserialize_with = "nullable", skip_serializing_if = "is_empty_list")]
            pub $key: Shared<Vec<$ty>>,
        ] $($rest)*);
    };
    // Required; always written.
    (@ [$($done:tt)*] $(#[$doc:meta])* $key:ident ($variant:ident, $zh:literal): $ty:ty;
        $($rest:tt)*) => {
        item_struct!(@ [$($done)*
            #[doc = $zh]
            $(#[$doc])*
            pub $key: $ty,
        ] $($rest)*);
    };
    ($($fields:tt)*) => {
        item_struct!(@ [] $($fields)*);
    };
}
crate::fields::item_fields!(item_struct);

/// Writes [`Item::FIELDS`] and [`Item::identity`] from the field declaration.
macro_rules! item_identity {
    ($($(#[$doc:meta])* $key:ident ($variant:ident, $zh:literal): $ty:ty;)*) => {
        impl Item {
            /// The fields [`Item::identity`] knows, by index (the declaration's order).
            pub const FIELDS: [&'static str; Field::COUNT] = Field::KEYS;

            /// Two words that are equal for two items of one loaded run only if the field (by
            /// index into [`Item::FIELDS`]) holds the same value: shared text and parts by
            /// address (the loader shares equal values), numbers and flags by value, an absent
            /// value as `[0, 0]`. Unequal words say nothing: equal values loaded apart have
            /// different addresses. The engine keys rule outcomes on them.
            pub fn identity(&self, field: usize) -> [u64; 2] {
                /// Each field's index, by key (constants, so the match below is a jump table).
                #[allow(non_upper_case_globals)]
                mod index {
                    $(pub const $key: usize = $crate::fields::Field::$variant as usize;)*
                }
                match field {
                    $(index::$key => Identity::identity(&self.$key),)*
                    _ => [2, self as *const Item as usize as u64],
                }
            }
        }
    };
}
crate::fields::item_fields!(item_identity);

impl Item {
    /// Whether the item is cancelled in its own snapshot (状态 = 取消).
    pub fn is_cancelled(&self) -> bool {
        self.status.as_deref().map(str::trim) == Some("取消")
    }
}

/// 设定依据: one legal basis cited by an item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct LegalBasis {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// 法定/承诺办结时限. `value` null means "no statutory limit"; promised 0 means 即办.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Limit {
    #[serde(default)]
    pub value: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// 是否收费 and the fee items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Fee {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charged: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    pub items: Vec<FeeItem>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// 收费项目: name, standard (收费标准) and basis documents (收费依据).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct FeeItem {
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard: Option<String>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub basis: Vec<DocRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reducible: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reduction_basis: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A policy document cited by title and 文号.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DocRef {
    #[serde(default, deserialize_with = "nullable")]
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_no: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// 申请材料.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Material {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub necessity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copies: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blank_form: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// 办理流程: one step and its time limit in days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Step {
    pub step: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<f64>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// 审批结果.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ItemResult {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// 常见问题.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Faq {
    #[serde(default, deserialize_with = "nullable")]
    pub question: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The `catalog` header of a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct CatalogInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<NaiveDate>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A loaded snapshot: the whole catalog of one region on one date.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Where it was read from, as the user named it.
    pub source: String,
    pub info: CatalogInfo,
    /// Items in file order; codes are unique (the loader rejects duplicates).
    pub items: Vec<Item>,
    /// What the loader read other than as written (a short CSV row, a value under no header),
    /// each located: warnings for the user, errors under `--strict`.
    pub warnings: Vec<crate::error::Problem>,
}

/// The kind of a dynamic-adjustment request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AdjustmentKind {
    Add,
    Change,
    Cancel,
}

impl AdjustmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Add => "add",
            Self::Change => "change",
            Self::Cancel => "cancel",
        }
    }
}

/// `into` of a merge request: one code or several.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Codes {
    One(String),
    Many(Vec<String>),
}

/// One dynamic-adjustment request (动态调整申请).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adjustment {
    pub id: String,
    pub kind: AdjustmentKind,
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub fields: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub basis: Vec<DocRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filed_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub into: Option<Codes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervision: Option<String>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub opinions: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
    /// Where the request was read, for spreadsheet inputs.
    #[serde(skip)]
    pub origin: Provenance,
}

/// The period an adjustment log covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Period {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
}

/// A loaded adjustment log.
#[derive(Debug, Clone, Default)]
pub struct AdjustmentLog {
    pub source: String,
    pub period: Option<Period>,
    /// Requests sorted by id.
    pub adjustments: Vec<Adjustment>,
    /// What the loader read other than as written, as for [`Catalog::warnings`].
    pub warnings: Vec<crate::error::Problem>,
}
