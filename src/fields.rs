//! The item's fields, declared once: key, [`Field`] variant, 要素 name and Rust type of every
//! top-level field of a `catalog-snapshot/1` item, in the contract's order.
//!
//! `item_fields!` hands that declaration to a macro of the caller's (the "X macro" pattern), and
//! everything that enumerates item fields is generated from it where the per-field work follows
//! from the type, or written as an exhaustive `match` on [`Field`] where it is data no type implies
//! (Chinese column names, spreadsheet layout):
//!
//! | what                                          | where              | how                       |
//! |-----------------------------------------------|--------------------|---------------------------|
//! | [`Field`]: keys, order, 要素 names             | here, `labels.rs`  | generated                 |
//! | the `Item` struct and its serde rules         | `model.rs`         | generated                 |
//! | `Item::FIELDS`, `Item::identity`              | `model.rs`         | generated, [`Identity`]   |
//! | rule access (`Node`) and rule-path shapes     | `node.rs`          | generated, `FieldValue`   |
//! | per-property memos and validators             | `load/items.rs`    | generated, `Property`     |
//! | field-by-field comparison                     | `diff/fields.rs`   | generated, `Compare`      |
//! | spreadsheet columns and their cell readers    | `table/headers.rs` | exhaustive `match` + test |
//! | spreadsheet export                            | `table/export.rs`  | exhaustive `match` + test |
//! | `$defs/item` of the snapshot JSON Schema      | `schemas/`         | checked by tests here     |
//!
//! A field's type decides how it is read and written: a bare type (`Text`) is required and always
//! written; `Option<T>` may be absent or null and is omitted when absent; `Shared<Vec<T>>` may be
//! absent or null (read as empty) and is omitted when empty. Adding a field is one line below plus
//! its property in `schemas/catalog-snapshot.schema.json` (a test here fails until they agree);
//! the compiler then asks for its spreadsheet columns, and, for a type no field had before, for
//! that type's behaviour (the traits named above).

/// Calls `$then!` with the declaration of every item field, in the contract's order (the order of
/// serialization, of field changes and of the spreadsheet columns).
///
/// Each entry is `key (Variant, "要素名称"): Type;`, with optional doc lines. Types are written as
/// `model.rs` names them, so a module that expands the declaration into code naming the types
/// has them in scope.
macro_rules! item_fields {
    ($then:ident) => {
        $then! {
            /// The identity of an item across snapshots.
            code (Code, "事项编码"): Text;
            basic_code (BasicCode, "基本编码"): Option<Text>;
            impl_code (ImplCode, "实施编码"): Option<Text>;
            /// A province's or city's own code for the item (local lists name items by it).
            local_code (LocalCode, "地方编码"): Option<Text>;
            name (Name, "事项名称"): Text;
            /// 行政许可 … 公共服务.
            item_type (ItemType, "事项类型"): Text;
            department (Department, "实施主体"): Text;
            department_code (DepartmentCode, "实施主体编码"): Option<Text>;
            status (Status, "事项状态"): Option<Text>;
            version (Version, "事项版本"): Option<i64>;
            power_source (PowerSource, "权力来源"): Option<Text>;
            service_objects (ServiceObjects, "服务对象"): Shared<Vec<String>>;
            legal_basis (LegalBasis, "设定依据"): Shared<Vec<LegalBasis>>;
            case_type (CaseType, "办件类型"): Option<Text>;
            channels (Channels, "办理形式"): Shared<Vec<String>>;
            legal_limit (LegalLimit, "法定办结时限"): Option<Shared<Limit>>;
            promised_limit (PromisedLimit, "承诺办结时限"): Option<Shared<Limit>>;
            onsite_visits (OnsiteVisits, "到办事现场次数"): Option<i64>;
            onsite_reason (OnsiteReason, "必须现场办理原因说明"): Option<Text>;
            one_visit (OneVisit, "是否最多跑一次"): Option<bool>;
            online_depth (OnlineDepth, "网上办理深度"): Option<i64>;
            online_url (OnlineUrl, "网办地址"): Option<Text>;
            mobile_url (MobileUrl, "移动端地址"): Option<Text>;
            pay_online (PayOnline, "是否支持网上支付"): Option<bool>;
            /// Whether the application can be made online (在线申请).
            online_apply (OnlineApply, "是否支持网上申请"): Option<bool>;
            /// Whether the whole procedure can be completed online (全程网办).
            online_complete (OnlineComplete, "是否网上全程办结"): Option<bool>;
            /// Whether materials and results can travel by post or courier (物流快递).
            express (Express, "是否支持物流快递"): Option<bool>;
            /// Whether the item is part of investment project approval (投资项目审批).
            investment_approval (InvestmentApproval, "是否涉及投资项目审批"): Option<bool>;
            /// 受理条件 / 申请条件: who may apply and on what conditions.
            acceptance_conditions (AcceptanceConditions, "受理条件"): Option<Text>;
            /// 禁止性要求: what the applicant may not do, or may not be asked for.
            prohibitions (Prohibitions, "禁止性要求"): Option<Text>;
            /// How the result (a penalty decision, an inspection result) is served (送达方式).
            result_delivery (ResultDelivery, "结果送达方式"): Option<Text>;
            /// 处罚种类: the kinds of penalty the item may impose (行政处罚法 第九条: 警告, 罚款 …).
            penalty_kinds (PenaltyKinds, "处罚种类"): Shared<Vec<String>>;
            /// 检查方式: how an inspection is carried out (现场检查, 书面检查, 双随机抽查 …).
            inspection_methods (InspectionMethods, "检查方式"): Shared<Vec<String>>;
            /// 检查对象: who or what is inspected.
            inspection_objects (InspectionObjects, "检查对象"): Option<Text>;
            /// 检查频次: how often, or in what share, objects are inspected (抽查比例及频次).
            inspection_frequency (InspectionFrequency, "检查频次"): Option<Text>;
            fee (Fee, "收费"): Option<Shared<Fee>>;
            materials (Materials, "申请材料"): Shared<Vec<Material>>;
            process (Process, "办理流程"): Shared<Vec<Step>>;
            result (Result, "审批结果"): Option<Shared<ItemResult>>;
            address (Address, "办理地点"): Option<Text>;
            office_hours (OfficeHours, "办理时间"): Option<Text>;
            consult_phone (ConsultPhone, "咨询电话"): Option<Text>;
            complaint_phone (ComplaintPhone, "监督投诉电话"): Option<Text>;
            faq (Faq, "常见问题"): Shared<Vec<Faq>>;
            effective_from (EffectiveFrom, "计划生效日期"): Option<Text>;
            cancel_on (CancelOn, "计划取消日期"): Option<Text>;
        }
    };
}
pub(crate) use item_fields;

macro_rules! field_enum {
    ($($(#[$doc:meta])* $key:ident ($variant:ident, $zh:literal): $ty:ty;)*) => {
        /// A top-level item field (see the [module](self) for what is generated from it).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Field {
            $(
                #[doc = concat!($zh, " (`", stringify!($key), "`).")]
                $variant,
            )*
        }

        impl Field {
            /// How many fields an item has.
            pub const COUNT: usize = [$(stringify!($key)),*].len();
            /// Every field, in the contract's order (`Field::ALL[f as usize] == f`).
            pub const ALL: [Field; Field::COUNT] = [$(Field::$variant),*];
            /// Every field's key, in the same order.
            pub const KEYS: [&'static str; Field::COUNT] = [$(stringify!($key)),*];

            /// The contract's key (`legal_basis`).
            pub const fn key(self) -> &'static str {
                Field::KEYS[self as usize]
            }

            /// The element's name in the national standard (设定依据).
            pub const fn zh(self) -> &'static str {
                match self {
                    $(Field::$variant => $zh,)*
                }
            }

            /// The field a key names, or `None` for a key the contract does not name.
            pub fn of(key: &str) -> Option<Field> {
                match key {
                    $(stringify!($key) => Some(Field::$variant),)*
                    _ => None,
                }
            }
        }
    };
}
item_fields!(field_enum);

/// Two words that are equal for two values of one loaded run only if the values are the same:
/// shared text and parts by address (the loader shares equal values), numbers and flags by value,
/// an absent value as `[0, 0]`. See [`Item::identity`](crate::model::Item::identity).
pub trait Identity {
    fn identity(&self) -> [u64; 2];
}

impl<T: ?Sized> Identity for std::sync::Arc<T> {
    #[inline]
    fn identity(&self) -> [u64; 2] {
        [1, std::sync::Arc::as_ptr(self) as *const () as usize as u64]
    }
}

impl<T: Identity> Identity for Option<T> {
    #[inline]
    fn identity(&self) -> [u64; 2] {
        self.as_ref().map_or([0, 0], T::identity)
    }
}

impl Identity for i64 {
    #[inline]
    fn identity(&self) -> [u64; 2] {
        [1, *self as u64]
    }
}

impl Identity for bool {
    #[inline]
    fn identity(&self) -> [u64; 2] {
        [1, u64::from(*self)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Item;
    use crate::node::{Shape, child};
    use serde_json::{Map, Value};

    fn item_def() -> Value {
        let schema: Value = serde_json::from_str(crate::schema::SNAPSHOT).unwrap();
        schema["$defs"]["item"].clone()
    }

    /// The JSON types a property schema allows, following one `$ref` and `anyOf`.
    fn json_types(prop: &Value) -> Vec<String> {
        let schema: Value = serde_json::from_str(crate::schema::SNAPSHOT).unwrap();
        let resolve = |p: &Value| match p.get("$ref").and_then(Value::as_str) {
            Some(r) => schema["$defs"][r.trim_start_matches("#/$defs/")].clone(),
            None => p.clone(),
        };
        let p = resolve(prop);
        let parts = match p.get("anyOf") {
            Some(Value::Array(a)) => a.iter().map(resolve).collect(),
            _ => vec![p],
        };
        parts
            .iter()
            .flat_map(|p| match &p["type"] {
                Value::String(t) => vec![t.clone()],
                Value::Array(ts) => ts
                    .iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect(),
                _ => Vec::new(),
            })
            .collect()
    }

    #[test]
    fn the_schema_declares_exactly_the_item_fields() {
        let def = item_def();
        let props = def["properties"].as_object().unwrap();
        let mut in_schema: Vec<&str> = props.keys().map(String::as_str).collect();
        let mut declared = Field::KEYS.to_vec();
        in_schema.sort_unstable();
        declared.sort_unstable();
        assert_eq!(
            in_schema, declared,
            "schemas/catalog-snapshot.schema.json $defs/item properties and src/fields.rs differ"
        );

        // Shapes: a list field is an array in the schema, an object field an object, the others
        // a string, number or flag.
        for f in Field::ALL {
            let types = json_types(&props[f.key()]);
            let (shape, list) = child(Shape::Item, f.key()).unwrap();
            let expected = match shape {
                Shape::Strings => "array",
                _ if list => "array",
                Shape::Scalar => "scalar",
                _ => "object",
            };
            let found: Vec<&str> = types
                .iter()
                .filter(|t| *t != "null")
                .map(|t| match t.as_str() {
                    "string" | "integer" | "number" | "boolean" => "scalar",
                    other => other,
                })
                .collect();
            assert_eq!(found, [expected], "{}: schema types {types:?}", f.key());
        }
    }

    /// A valid value for each field: from the demo catalog, else made from the schema's type.
    fn samples() -> Map<String, Value> {
        let mut out = Map::new();
        let path = format!(
            "{}/examples/qinghe/2017-12-31.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        for item in doc["items"].as_array().unwrap().iter().rev() {
            for (k, v) in item.as_object().unwrap() {
                if !v.is_null() && v != &Value::Array(Vec::new()) {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        let def = item_def();
        for f in Field::ALL {
            if !out.contains_key(f.key()) {
                let types = json_types(&def["properties"][f.key()]);
                let v = if types.iter().any(|t| t == "integer") {
                    Value::from(7)
                } else if types.iter().any(|t| t == "boolean") {
                    Value::from(true)
                } else if f.key().ends_with("_on") || f.key().ends_with("_from") {
                    Value::from("2018-01-01")
                } else if types.iter().any(|t| t == "array") {
                    Value::from(vec!["样例"])
                } else {
                    Value::from("样例")
                };
                out.insert(f.key().into(), v);
            }
        }
        out
    }

    #[test]
    fn the_model_requires_what_the_schema_requires() {
        let def = item_def();
        let required: Vec<&str> = def["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let samples = samples();
        let only = |keys: &[&str]| {
            let m: Map<String, Value> = keys
                .iter()
                .map(|k| (k.to_string(), samples[*k].clone()))
                .collect();
            serde_json::from_value::<Item>(Value::Object(m))
        };
        assert!(only(&required).is_ok(), "the required fields suffice");
        for r in &required {
            let fewer: Vec<&str> = required.iter().copied().filter(|k| k != r).collect();
            assert!(only(&fewer).is_err(), "{r} is required by the model");
        }
    }

    #[test]
    fn identity_follows_the_declared_order() {
        assert_eq!(Item::FIELDS, Field::KEYS);
        for (i, f) in Field::ALL.into_iter().enumerate() {
            assert_eq!(f as usize, i);
            assert_eq!(Field::of(f.key()), Some(f));
        }
        // One loader shares equal values: two items that differ in one field differ in that
        // field's identity only.
        let samples = samples();
        let loader = crate::load::Loader::new();
        let mut base = Map::new();
        for k in ["code", "name", "item_type", "department"] {
            base.insert(k.into(), Value::from(format!("{k}-0")));
        }
        let a = loader
            .item(&Value::Object(base.clone()).to_string())
            .unwrap();
        for (i, f) in Field::ALL.into_iter().enumerate() {
            let mut m = base.clone();
            m.insert(f.key().into(), samples[f.key()].clone());
            let b = loader.item(&Value::Object(m).to_string()).unwrap();
            for j in 0..Field::COUNT {
                let same = a.identity(j) == b.identity(j);
                assert_eq!(same, j != i, "field {} changed; identity {j}", f.key());
            }
        }
    }
}
