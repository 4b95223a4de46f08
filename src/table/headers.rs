//! Column names of the national element standard and their common variants, mapped to the model.
//!
//! Export headers vary by platform and province (事项编码 / 事项代码, 实施主体 / 实施机关 …), carry
//! units and markers (承诺办结时限（工作日）, *事项名称), and use full-width forms. Headers are
//! compared by a key that drops all of that. A user's map file (`header-map/1`) adds or overrides
//! names; a column no map knows is kept as an extra key under its own header.
//!
//! The item columns are listed by [`Field`] (an exhaustive `match`: a new field does not compile
//! until its columns, or their absence, are written here), with how each column's cells read.

use super::values;
use crate::error::{Error, Result};
use crate::fields::Field;
use crate::text;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// One main-sheet column of an item field: the path it fills (the field's key, or a part of it
/// such as `fee.charged`), its built-in names (the first is the one export writes) and how its
/// cells read.
#[derive(Debug)]
pub struct Column {
    pub path: &'static str,
    pub names: &'static [&'static str],
    pub read: fn(&str) -> Option<Value>,
}

/// Writes [`item_columns`]' match: `Variant => path reader [names], …;` per field.
macro_rules! columns {
    ($field:expr; $($variant:ident => [$($path:literal $read:ident [$($name:literal),*]),*];)*) => {
        match $field {
            $(Field::$variant => &[$(Column {
                path: $path,
                names: &[$($name),*],
                read: values::$read,
            }),*],)*
        }
    };
}

/// The built-in main-sheet columns of a field, in the order export writes them (none for a field
/// only a child sheet carries).
pub fn item_columns(field: Field) -> &'static [Column] {
    columns! { field;
        Code => ["code" text ["事项编码", "事项代码", "编码", "事项编号"]];
        BasicCode => ["basic_code" text ["基本编码", "事项基本编码", "目录编码", "基本目录编码"]];
        ImplCode => ["impl_code" text ["实施编码", "实施清单编码", "事项实施编码"]];
        LocalCode => ["local_code" text ["地方编码", "地方事项编码", "本地事项编码", "省级事项编码", "本级事项编码"]];
        Name => ["name" text ["事项名称", "名称", "实施清单名称", "事项实施名称"]];
        ItemType => ["item_type" text ["事项类型", "事项类别", "权力类型", "职权类型"]];
        Department => ["department" text
            ["实施主体", "实施主体名称", "实施机关", "实施部门", "实施单位"]];
        DepartmentCode => ["department_code" text [
            "实施主体编码", "实施主体统一社会信用代码", "统一社会信用代码", "实施机关编码",
            "实施主体代码"]];
        Status => ["status" text ["事项状态", "状态"]];
        Version => ["version" integer ["事项版本", "版本号", "版本"]];
        PowerSource => ["power_source" text ["权力来源"]];
        ServiceObjects => ["service_objects" words ["服务对象", "行使对象"]];
        LegalBasis => ["legal_basis" legal_basis
            ["设定依据", "设定和实施依据", "实施依据", "法律依据", "办事依据", "法定依据"],
            "legal_basis.doc_no" text ["依据文号", "设定依据文号"],
            "legal_basis.article" text ["依据条款号", "设定依据条款号", "依据条款"],
            "legal_basis.level" text ["依据层级", "设定依据层级", "依据效力层级"]];
        CaseType => ["case_type" text ["办件类型", "事项办件类型"]];
        Channels => ["channels" words ["办理形式"]];
        LegalLimit => [
            "legal_limit" limit ["法定办结时限", "法定时限", "法定期限", "法定办理时限"],
            "legal_limit.unit" text ["法定办结时限单位", "法定时限单位"],
            "legal_limit.note" text ["法定办结时限说明", "法定时限说明"]];
        PromisedLimit => [
            "promised_limit" limit ["承诺办结时限", "承诺时限", "承诺期限", "承诺办理时限"],
            "promised_limit.unit" text ["承诺办结时限单位", "承诺时限单位"],
            "promised_limit.note" text ["承诺办结时限说明", "承诺时限说明"]];
        OnsiteVisits => ["onsite_visits" integer
            ["到办事现场次数", "到现场次数", "跑动次数", "最多跑动次数", "到窗口次数"]];
        OnsiteReason => ["onsite_reason" text
            ["必须现场办理原因说明", "必须到现场原因", "到现场原因", "现场办理原因"]];
        OneVisit => ["one_visit" boolean ["是否最多跑一次", "最多跑一次", "是否实行最多跑一次"]];
        OnlineDepth => ["online_depth" depth ["网上办理深度", "网办深度"]];
        OnlineUrl => ["online_url" text ["网办地址", "网上办理地址", "在线办理地址", "网上办理链接"]];
        MobileUrl => ["mobile_url" text ["移动端地址", "移动端办理地址", "掌上办地址"]];
        PayOnline => ["pay_online" boolean
            ["是否支持网上支付", "网上支付", "是否网上支付", "网上缴费", "是否支持网上缴费"]];
        OnlineApply => ["online_apply" boolean
            ["是否支持网上申请", "在线申请", "是否在线申请", "网上申请", "是否支持在线申请"]];
        OnlineComplete => ["online_complete" boolean
            ["是否网上全程办结", "网上全程办结", "是否全程网办", "全程网办"]];
        Express => ["express" boolean
            ["是否支持物流快递", "物流快递", "快递服务", "是否支持快递", "是否物流快递"]];
        InvestmentApproval => ["investment_approval" boolean
            ["是否涉及投资项目审批", "涉及投资项目审批", "是否投资项目审批"]];
        AcceptanceConditions => ["acceptance_conditions" text ["受理条件", "申请条件"]];
        Prohibitions => ["prohibitions" text ["禁止性要求", "禁止性规定"]];
        ResultDelivery => ["result_delivery" text
            ["结果送达方式", "处罚结果送达方式", "送达方式", "检查结果送达方式"]];
        PenaltyKinds => ["penalty_kinds" words ["处罚种类", "行政处罚种类", "处罚类别"]];
        InspectionMethods => ["inspection_methods" words ["检查方式", "行政检查方式", "检查形式"]];
        InspectionObjects => ["inspection_objects" text ["检查对象", "行政检查对象"]];
        InspectionFrequency => ["inspection_frequency" text
            ["检查频次", "检查频率", "抽查比例及频次", "检查比例及频次"]];
        // The fee as one fee item's columns; the 收费项目 child sheet carries every fee item.
        Fee => [
            "fee.charged" boolean ["是否收费"],
            "fee.name" text ["收费项目", "收费项目名称"],
            "fee.standard" text ["收费标准"],
            "fee.basis" text ["收费依据"]];
        // Attributes in parallel cells, one entry per material in the same order (zipped by
        // the loader, `values::zip_parallel`).
        Materials => [
            "materials" materials ["申请材料", "材料清单", "申请材料名称", "所需材料"],
            "materials.necessity" text ["材料必要性", "申请材料必要性", "材料是否必要"],
            "materials.form" text ["材料形式", "申请材料形式"],
            "materials.kind" text ["材料类型", "申请材料类型"],
            "materials.source" text ["材料来源渠道", "申请材料来源渠道", "材料来源"],
            "materials.copies" text ["材料份数", "申请材料份数"],
            "materials.blank_form" text ["空白表格", "材料空白表格", "是否有空白表格"],
            "materials.sample" text ["示例样表", "材料示例样表", "是否有示例样表"]];
        Process => ["process" process ["办理流程", "办事流程"]];
        Result => [
            "result.name" text ["审批结果名称", "结果名称", "办理结果名称", "审批结果"],
            "result.type" text ["审批结果类型", "结果类型", "办理结果类型"],
            "result.sample" text ["审批结果样本", "结果样本"]];
        Address => ["address" text ["办理地点", "办公地址", "受理地点", "办理地址"]];
        OfficeHours => ["office_hours" text ["办理时间", "办公时间", "受理时间"]];
        ConsultPhone => ["consult_phone" text ["咨询电话", "咨询方式"]];
        ComplaintPhone => ["complaint_phone" text ["监督投诉电话", "投诉电话", "监督投诉方式"]];
        // Only in the 常见问题 child sheet.
        Faq => [];
        EffectiveFrom => ["effective_from" date ["计划生效日期", "生效日期"]];
        CancelOn => ["cancel_on" date ["计划取消日期", "取消日期"]];
    }
}

/// Every built-in main-sheet column, field by field in the declaration's order.
pub fn all_item_columns() -> impl Iterator<Item = &'static Column> {
    Field::ALL.into_iter().flat_map(item_columns)
}

/// The built-in column that fills `path` (`promised_limit`, `fee.charged`), if any.
pub fn item_column(path: &str) -> Option<&'static Column> {
    let root = &path[..path.find('.').unwrap_or(path.len())];
    item_columns(Field::of(root)?)
        .iter()
        .find(|c| c.path == path)
}

/// Child sheets: lists of materials, fee items, legal bases, steps, keyed by item code.
const CHILD_SHEETS: &[(&str, &[&str])] = &[
    (
        "items",
        &["事项", "事项清单", "事项目录", "实施清单", "事项基本信息"],
    ),
    ("catalog", &["目录信息", "目录说明"]),
    (
        "materials",
        &["申请材料", "材料", "材料清单", "申请材料清单"],
    ),
    ("fee", &["收费项目", "收费", "收费标准"]),
    ("legal_basis", &["设定依据", "法律依据", "依据"]),
    ("process", &["办理流程", "流程", "办理环节"]),
    ("faq", &["常见问题"]),
];

/// Columns of child sheets, by target field (the item code column is `code`).
const CHILD_COLUMNS: &[(&str, &[&str])] = &[
    ("code", &["事项编码", "事项代码", "编码"]),
    // materials
    ("materials.name", &["材料名称", "申请材料名称", "材料"]),
    ("materials.form", &["材料形式", "形式"]),
    ("materials.kind", &["材料类型", "类型"]),
    ("materials.necessity", &["材料必要性", "必要性", "是否必要"]),
    ("materials.source", &["来源渠道", "材料来源", "来源"]),
    ("materials.copies", &["份数", "纸质份数", "原件份数"]),
    ("materials.blank_form", &["空白表格", "是否有空白表格"]),
    ("materials.sample", &["示例样表", "样表", "示例"]),
    (
        "materials.basis",
        &["材料依据", "要求提供材料的依据", "设定依据"],
    ),
    // fee items
    ("fee.name", &["收费项目名称", "收费项目"]),
    ("fee.standard", &["收费标准"]),
    ("fee.basis", &["收费依据"]),
    ("fee.reducible", &["是否允许减免", "允许减免"]),
    ("fee.reduction_basis", &["允许减免依据", "减免依据"]),
    // legal bases
    (
        "legal_basis.title",
        &["法规名称", "依据名称", "法律法规名称", "名称"],
    ),
    ("legal_basis.level", &["层级", "效力级别", "法规层级"]),
    ("legal_basis.doc_no", &["文号", "发文字号"]),
    ("legal_basis.article", &["条款号", "条款", "条目"]),
    ("legal_basis.text", &["条款内容", "依据内容", "内容"]),
    // process
    ("process.step", &["环节", "环节名称", "办理环节"]),
    ("process.days", &["时限", "办理时限", "环节时限"]),
    // faq
    ("faq.question", &["问题"]),
    ("faq.answer", &["答复", "解答", "回答"]),
];

/// Columns of an adjustment log.
const LOG_COLUMNS: &[(&str, &[&str])] = &[
    ("id", &["申请编号", "调整编号", "编号", "序号"]),
    ("kind", &["调整类型", "调整类别", "类型"]),
    ("code", &["事项编码", "事项代码"]),
    ("department", &["部门", "实施主体", "申请部门", "申请单位"]),
    ("fields", &["调整字段", "调整要素", "变更要素", "调整内容"]),
    ("reason", &["调整理由", "调整事由", "理由", "事由"]),
    ("basis", &["调整依据", "依据"]),
    (
        "trigger_date",
        &["触发日期", "事由发生日期", "依据施行日期"],
    ),
    ("filed_on", &["申请日期", "提交日期", "报送日期"]),
    ("approved_on", &["批准日期", "审批日期", "审核日期"]),
    ("approved_by", &["批准机关", "审批机关", "审核机关"]),
    ("published_on", &["公布日期", "公开日期", "发布日期"]),
    ("new_code", &["新事项编码", "新编码"]),
    ("into", &["合并入", "并入事项编码"]),
    ("supervision", &["监管措施", "配套监管措施"]),
];

/// The comparison key of a header: NFKC, no spaces, no `*` markers, no bracketed note.
pub fn header_key(h: &str) -> String {
    let mut k = text::key(h);
    k = k.trim_matches(['*', ':', '：']).to_string();
    if let Some(open) = k.find('(')
        && k.ends_with(')')
        && open > 0
    {
        k.truncate(open);
    }
    k
}

/// A user's header map file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapFile {
    #[serde(default)]
    pub format: Option<String>,
    /// Header → field (e.g. "办件编号": "code", "承诺天数": "promised_limit").
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Child-sheet columns (e.g. "资料名称": "materials.name").
    #[serde(default)]
    pub child_columns: BTreeMap<String, String>,
    /// Sheet name → child list (materials, fee, legal_basis, process, faq) or "items".
    #[serde(default)]
    pub sheets: BTreeMap<String, String>,
    /// Adjustment-log columns.
    #[serde(default)]
    pub log_columns: BTreeMap<String, String>,
}

/// The header maps in force: built-in names plus the user's.
#[derive(Debug, Clone, Default)]
pub struct HeaderMap {
    items: BTreeMap<String, String>,
    children: BTreeMap<String, String>,
    sheets: BTreeMap<String, String>,
    log: BTreeMap<String, String>,
}

fn build(table: &[(&str, &[&str])]) -> BTreeMap<String, String> {
    table
        .iter()
        .flat_map(|(field, names)| {
            names
                .iter()
                .map(move |n| (header_key(n), (*field).to_string()))
        })
        .collect()
}

impl HeaderMap {
    /// The built-in map.
    pub fn builtin() -> Self {
        HeaderMap {
            items: all_item_columns()
                .flat_map(|c| c.names.iter().map(|n| (header_key(n), c.path.to_string())))
                .collect(),
            children: build(CHILD_COLUMNS),
            sheets: build(CHILD_SHEETS),
            log: build(LOG_COLUMNS),
        }
    }

    /// The built-in map with a user's file on top.
    pub fn with_file(path: &Path) -> Result<Self> {
        let file = path.display().to_string();
        let text = crate::files::read_regular_text(path, Some(crate::files::SETUP_LIMIT)).map_err(
            |source| Error::Read {
                path: path.to_path_buf(),
                source,
            },
        )?;
        let user: MapFile = serde_json::from_str(&text)
            .map_err(|e| Error::Usage(format!("{file}: not a header map (header-map/1): {e}")))?;
        let mut map = Self::builtin();
        let known_item: Vec<&str> = all_item_columns().map(|c| c.path).collect();
        for (h, f) in &user.columns {
            if !known_item.contains(&f.as_str()) && !f.starts_with("extra.") {
                return Err(Error::Usage(format!(
                    "{file}: column \"{h}\" maps to unknown field \"{f}\" (known: {})",
                    known_item.join(", ")
                )));
            }
            map.items.insert(header_key(h), f.clone());
        }
        for (h, f) in &user.child_columns {
            map.children.insert(header_key(h), f.clone());
        }
        for (s, f) in &user.sheets {
            map.sheets.insert(header_key(s), f.clone());
        }
        for (h, f) in &user.log_columns {
            map.log.insert(header_key(h), f.clone());
        }
        Ok(map)
    }

    /// The item field a header names.
    pub fn item(&self, header: &str) -> Option<&str> {
        self.items.get(&header_key(header)).map(String::as_str)
    }

    /// The child field a header names.
    pub fn child(&self, header: &str) -> Option<&str> {
        self.children.get(&header_key(header)).map(String::as_str)
    }

    /// The child list a sheet holds (`materials`, `fee`, …), or `items`.
    pub fn sheet(&self, name: &str) -> Option<&str> {
        self.sheets.get(&header_key(name)).map(String::as_str)
    }

    /// The adjustment field a header names.
    pub fn log(&self, header: &str) -> Option<&str> {
        self.log.get(&header_key(header)).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_their_variants() {
        let m = HeaderMap::builtin();
        assert_eq!(m.item("事项编码"), Some("code"));
        assert_eq!(m.item("*事项名称"), Some("name"));
        assert_eq!(m.item("承诺办结时限（工作日）"), Some("promised_limit"));
        assert_eq!(m.item(" 实施机关 "), Some("department"));
        assert_eq!(m.item("备注"), None);
        assert_eq!(m.sheet("申请材料"), Some("materials"));
        assert_eq!(m.child("材料名称"), Some("materials.name"));
    }

    #[test]
    fn item_columns_fill_their_own_field() {
        for f in Field::ALL {
            for c in item_columns(f) {
                let root = &c.path[..c.path.find('.').unwrap_or(c.path.len())];
                assert_eq!(root, f.key(), "column {} listed under {f:?}", c.path);
                assert!(!c.names.is_empty(), "{} has a name", c.path);
            }
        }
        // Only the FAQ has no main-sheet column (it is read from its child sheet).
        let without: Vec<Field> = Field::ALL
            .into_iter()
            .filter(|f| item_columns(*f).is_empty())
            .collect();
        assert_eq!(without, [Field::Faq]);
    }
}
