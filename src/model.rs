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
    fn place(&self, sheet: Option<&str>) -> String {
        match sheet {
            Some(s) => format!("{} sheet {s}", self.file),
            None => self.file.clone(),
        }
    }

    /// Where a field of this record is: "2017-12-31.xlsx sheet 事项 H12 (承诺办结时限)".
    pub fn locate(&self, field: &str) -> String {
        let root = &field[..field.find(['.', '[']).unwrap_or(field.len())];
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
                return format!("{} sheet {sheet} row {row}", self.file);
            }
        }
        match self.columns.get(root) {
            Some((letter, header)) => format!(
                "{} {letter}{} ({header})",
                self.place(self.sheet.as_deref()),
                self.row
            ),
            None => format!("{} row {}", self.place(self.sheet.as_deref()), self.row),
        }
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

/// One catalog item (事项).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Item {
    /// 事项编码: the identity of an item across snapshots.
    pub code: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic_code: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impl_code: Option<Text>,
    /// 事项名称.
    pub name: Text,
    /// 事项类型 (行政许可 … 公共服务).
    pub item_type: Text,
    /// 实施主体.
    pub department: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_code: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power_source: Option<Text>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "is_empty_list"
    )]
    pub service_objects: Shared<Vec<String>>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "is_empty_list"
    )]
    pub legal_basis: Shared<Vec<LegalBasis>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_type: Option<Text>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "is_empty_list"
    )]
    pub channels: Shared<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_limit: Option<Shared<Limit>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promised_limit: Option<Shared<Limit>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onsite_visits: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onsite_reason: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_visit: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online_depth: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online_url: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_url: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_online: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee: Option<Shared<Fee>>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "is_empty_list"
    )]
    pub materials: Shared<Vec<Material>>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "is_empty_list"
    )]
    pub process: Shared<Vec<Step>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Shared<ItemResult>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office_hours: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consult_phone: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complaint_phone: Option<Text>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "is_empty_list"
    )]
    pub faq: Shared<Vec<Faq>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_from: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_on: Option<Text>,
    #[serde(flatten)]
    pub extra: Extra,
    /// Where the item was read, for spreadsheet inputs.
    #[serde(skip)]
    pub origin: Provenance,
}

impl Item {
    /// The fields [`Item::identity`] knows, by index.
    pub const FIELDS: [&'static str; 34] = [
        "code",
        "basic_code",
        "impl_code",
        "name",
        "item_type",
        "department",
        "department_code",
        "status",
        "version",
        "power_source",
        "service_objects",
        "legal_basis",
        "case_type",
        "channels",
        "legal_limit",
        "promised_limit",
        "onsite_visits",
        "onsite_reason",
        "one_visit",
        "online_depth",
        "online_url",
        "mobile_url",
        "pay_online",
        "fee",
        "materials",
        "process",
        "result",
        "address",
        "office_hours",
        "consult_phone",
        "complaint_phone",
        "faq",
        "effective_from",
        "cancel_on",
    ];

    /// Two words that are equal for two items of one loaded run only if the field holds the same
    /// value: shared text and parts by address (the loader shares equal values), numbers and flags
    /// by value, an absent value as `[0, 0]`. Unequal words say nothing: equal values loaded apart
    /// have different addresses. The engine keys rule outcomes on them.
    pub fn identity(&self, field: usize) -> [u64; 2] {
        const ABSENT: [u64; 2] = [0, 0];
        fn at<T: ?Sized>(shared: &std::sync::Arc<T>) -> [u64; 2] {
            [
                1,
                std::sync::Arc::as_ptr(shared) as *const () as usize as u64,
            ]
        }
        match field {
            0 => at(&self.code),
            1 => self.basic_code.as_ref().map_or(ABSENT, at),
            2 => self.impl_code.as_ref().map_or(ABSENT, at),
            3 => at(&self.name),
            4 => at(&self.item_type),
            5 => at(&self.department),
            6 => self.department_code.as_ref().map_or(ABSENT, at),
            7 => self.status.as_ref().map_or(ABSENT, at),
            8 => self.version.map_or(ABSENT, |v| [1, v as u64]),
            9 => self.power_source.as_ref().map_or(ABSENT, at),
            10 => at(&self.service_objects),
            11 => at(&self.legal_basis),
            12 => self.case_type.as_ref().map_or(ABSENT, at),
            13 => at(&self.channels),
            14 => self.legal_limit.as_ref().map_or(ABSENT, at),
            15 => self.promised_limit.as_ref().map_or(ABSENT, at),
            16 => self.onsite_visits.map_or(ABSENT, |v| [1, v as u64]),
            17 => self.onsite_reason.as_ref().map_or(ABSENT, at),
            18 => self.one_visit.map_or(ABSENT, |v| [1, u64::from(v)]),
            19 => self.online_depth.map_or(ABSENT, |v| [1, v as u64]),
            20 => self.online_url.as_ref().map_or(ABSENT, at),
            21 => self.mobile_url.as_ref().map_or(ABSENT, at),
            22 => self.pay_online.map_or(ABSENT, |v| [1, u64::from(v)]),
            23 => self.fee.as_ref().map_or(ABSENT, at),
            24 => at(&self.materials),
            25 => at(&self.process),
            26 => self.result.as_ref().map_or(ABSENT, at),
            27 => self.address.as_ref().map_or(ABSENT, at),
            28 => self.office_hours.as_ref().map_or(ABSENT, at),
            29 => self.consult_phone.as_ref().map_or(ABSENT, at),
            30 => self.complaint_phone.as_ref().map_or(ABSENT, at),
            31 => at(&self.faq),
            32 => self.effective_from.as_ref().map_or(ABSENT, at),
            33 => self.cancel_on.as_ref().map_or(ABSENT, at),
            _ => [2, self as *const Item as usize as u64],
        }
    }

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
}
