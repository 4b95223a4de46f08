//! Catalogs written in the national-column spreadsheet layout, one sheet or with child sheets.
//!
//! The inverse of [`catalog`](super::catalog): tests use it to check that a catalog exported as
//! CSV or XLSX reads back as the same catalog, and it documents the layout the reader expects.
//! The main sheet's columns are listed by [`Field`] and headed with the reader's own names.

use crate::fields::Field;
use crate::model::{DocRef, FeeItem, Item, Limit};
use crate::node::format_num;

/// A sheet to write: name, headers, rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetData {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn opt<S: std::ops::Deref<Target = str>>(s: &Option<S>) -> String {
    s.as_deref().unwrap_or_default().to_string()
}

fn flag(b: Option<bool>) -> String {
    b.map_or(String::new(), |b| if b { "是" } else { "否" }.to_string())
}

fn limit<L: std::ops::Deref<Target = Limit>>(l: &Option<L>) -> String {
    match l {
        None => String::new(),
        Some(l) => {
            let mut s = match l.value {
                None => "无".to_string(),
                Some(v) => format!("{v}{}", l.unit.as_deref().unwrap_or("")),
            };
            if let Some(note) = &l.note {
                s.push_str(&format!("（{note}）"));
            }
            s
        }
    }
}

fn doc(d: &DocRef) -> String {
    let mut s = if d.title.is_empty() {
        String::new()
    } else {
        format!("《{}》", d.title)
    };
    if let Some(n) = &d.doc_no {
        s.push_str(&format!("（{n}）"));
    }
    s
}

/// One main-sheet cell of an item; `true` when lists go to child sheets (the cell is then blank).
type Cell = fn(&Item, bool) -> String;

fn num(v: Option<i64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// The main-sheet columns export writes for a field: the path each fills (its header is the first
/// name [`headers`](super::headers) knows for it) and its cell. An exhaustive `match`: a new field
/// does not compile until its columns, or their absence, are written here.
fn columns(field: Field) -> &'static [(&'static str, Cell)] {
    match field {
        Field::Code => &[("code", |it, _| it.code.to_string())],
        Field::BasicCode => &[("basic_code", |it, _| opt(&it.basic_code))],
        Field::ImplCode => &[("impl_code", |it, _| opt(&it.impl_code))],
        Field::LocalCode => &[("local_code", |it, _| opt(&it.local_code))],
        Field::Name => &[("name", |it, _| it.name.to_string())],
        Field::ItemType => &[("item_type", |it, _| it.item_type.to_string())],
        Field::Department => &[("department", |it, _| it.department.to_string())],
        Field::DepartmentCode => &[("department_code", |it, _| opt(&it.department_code))],
        Field::Status => &[("status", |it, _| opt(&it.status))],
        Field::Version => &[("version", |it, _| num(it.version))],
        Field::PowerSource => &[("power_source", |it, _| opt(&it.power_source))],
        Field::ServiceObjects => &[("service_objects", |it, _| it.service_objects.join("、"))],
        Field::LegalBasis => &[("legal_basis", |it, children| {
            if children {
                return String::new();
            }
            it.legal_basis
                .iter()
                .map(|b| {
                    let mut s = String::new();
                    if let Some(l) = &b.level {
                        s.push_str(&format!("【{l}】"));
                    }
                    s.push_str(&format!("《{}》", b.title));
                    if let Some(n) = &b.doc_no {
                        s.push_str(&format!("（{n}）"));
                    }
                    s.push_str(b.article.as_deref().unwrap_or(""));
                    listed(&s)
                })
                .collect::<Vec<_>>()
                .join("；")
        })],
        Field::CaseType => &[("case_type", |it, _| opt(&it.case_type))],
        Field::Channels => &[("channels", |it, _| it.channels.join("、"))],
        // The unit and note go into the limit's own cell.
        Field::LegalLimit => &[("legal_limit", |it, _| limit(&it.legal_limit))],
        Field::PromisedLimit => &[("promised_limit", |it, _| limit(&it.promised_limit))],
        Field::OnsiteVisits => &[("onsite_visits", |it, _| num(it.onsite_visits))],
        Field::OnsiteReason => &[("onsite_reason", |it, _| opt(&it.onsite_reason))],
        Field::OneVisit => &[("one_visit", |it, _| flag(it.one_visit))],
        Field::OnlineDepth => &[("online_depth", |it, _| num(it.online_depth))],
        Field::OnlineUrl => &[("online_url", |it, _| opt(&it.online_url))],
        Field::MobileUrl => &[("mobile_url", |it, _| opt(&it.mobile_url))],
        Field::PayOnline => &[("pay_online", |it, _| flag(it.pay_online))],
        Field::OnlineApply => &[("online_apply", |it, _| flag(it.online_apply))],
        Field::OnlineComplete => &[("online_complete", |it, _| flag(it.online_complete))],
        Field::Express => &[("express", |it, _| flag(it.express))],
        Field::InvestmentApproval => {
            &[("investment_approval", |it, _| flag(it.investment_approval))]
        }
        Field::AcceptanceConditions => &[("acceptance_conditions", |it, _| {
            opt(&it.acceptance_conditions)
        })],
        Field::Prohibitions => &[("prohibitions", |it, _| opt(&it.prohibitions))],
        Field::ResultDelivery => &[("result_delivery", |it, _| opt(&it.result_delivery))],
        Field::PenaltyKinds => &[("penalty_kinds", |it, _| it.penalty_kinds.join("、"))],
        Field::InspectionMethods => &[("inspection_methods", |it, _| {
            it.inspection_methods.join("、")
        })],
        Field::InspectionObjects => &[("inspection_objects", |it, _| opt(&it.inspection_objects))],
        Field::InspectionFrequency => {
            &[(
                "inspection_frequency",
                |it, _| opt(&it.inspection_frequency),
            )]
        }
        // The first fee item in the main sheet; all of them in the child sheet.
        Field::Fee => &[
            ("fee.charged", |it, _| {
                flag(it.fee.as_ref().and_then(|f| f.charged))
            }),
            ("fee.name", |it, children| {
                fee_cell(it, children, |f| Some(f.name.clone()))
            }),
            ("fee.standard", |it, children| {
                fee_cell(it, children, |f| f.standard.clone())
            }),
            // One item's documents joined by ；, several items' by ， within an item.
            ("fee.basis", |it, children| {
                let sep = if fee_count(it) > 1 { "，" } else { "；" };
                fee_cell(it, children, |f| {
                    (!f.basis.is_empty())
                        .then(|| f.basis.iter().map(doc).collect::<Vec<_>>().join(sep))
                })
            }),
        ],
        Field::Materials => &[
            ("materials", |it, children| {
                material_cell(it, children, |m| Some(m.name.clone()))
            }),
            ("materials.necessity", |it, children| {
                material_cell(it, children, |m| m.necessity.clone())
            }),
            ("materials.form", |it, children| {
                material_cell(it, children, |m| m.form.clone())
            }),
            ("materials.kind", |it, children| {
                material_cell(it, children, |m| m.kind.clone())
            }),
            ("materials.source", |it, children| {
                material_cell(it, children, |m| m.source.clone())
            }),
            ("materials.copies", |it, children| {
                material_cell(it, children, |m| m.copies.map(|c| c.to_string()))
            }),
            ("materials.blank_form", |it, children| {
                material_cell(it, children, |m| m.blank_form.map(|b| flag(Some(b))))
            }),
            ("materials.sample", |it, children| {
                material_cell(it, children, |m| m.sample.map(|b| flag(Some(b))))
            }),
        ],
        Field::Process => &[("process", |it, children| {
            if children {
                return String::new();
            }
            it.process
                .iter()
                .map(|p| match p.days {
                    Some(d) => format!("{}（{}个工作日）", p.step, format_num(d)),
                    None => p.step.clone(),
                })
                .collect::<Vec<_>>()
                .join("；")
        })],
        Field::Result => &[
            ("result.name", |it, _| {
                it.result
                    .as_ref()
                    .and_then(|r| r.name.clone())
                    .unwrap_or_default()
            }),
            ("result.type", |it, _| {
                it.result
                    .as_ref()
                    .and_then(|r| r.kind.clone())
                    .unwrap_or_default()
            }),
            ("result.sample", |it, _| {
                it.result
                    .as_ref()
                    .and_then(|r| r.sample.clone())
                    .unwrap_or_default()
            }),
        ],
        Field::Address => &[("address", |it, _| opt(&it.address))],
        Field::OfficeHours => &[("office_hours", |it, _| opt(&it.office_hours))],
        Field::ConsultPhone => &[("consult_phone", |it, _| opt(&it.consult_phone))],
        Field::ComplaintPhone => &[("complaint_phone", |it, _| opt(&it.complaint_phone))],
        // No main-sheet column: the 常见问题 child sheet carries them.
        Field::Faq => &[],
        Field::EffectiveFrom => &[("effective_from", |it, _| opt(&it.effective_from))],
        Field::CancelOn => &[("cancel_on", |it, _| opt(&it.cancel_on))],
    }
}

/// A materials column of the main sheet (blank when materials go to a child sheet): every
/// material's value in order, joined by ；, with 无 for one without (blank when none has one).
fn material_cell(
    it: &Item,
    children: bool,
    value: impl Fn(&crate::model::Material) -> Option<String>,
) -> String {
    if children {
        return String::new();
    }
    joined(it.materials.iter().map(value).collect())
}

/// A value listed in a cell the loader splits (at ；, ; and line breaks): those become ，, or
/// the value would read back as several.
fn listed(v: &str) -> String {
    v.replace(['；', ';', '\n', '\r'], "，")
}

/// Values of a list's elements in one cell: joined by ；, 无 for an element without one, blank
/// when none has one. A ；, ; or line break inside a value becomes ， (the loader splits the cell
/// there).
fn joined(values: Vec<Option<String>>) -> String {
    if values
        .iter()
        .all(|v| v.as_deref().is_none_or(str::is_empty))
    {
        return String::new();
    }
    values
        .into_iter()
        .map(|v| match v.filter(|v| !v.is_empty()) {
            Some(v) => listed(&v),
            None => "无".into(),
        })
        .collect::<Vec<_>>()
        .join("；")
}

fn fee_count(it: &Item) -> usize {
    it.fee.as_ref().map_or(0, |f| f.items.len())
}

/// A fee column of the main sheet (blank when fee items go to a child sheet): one item's value,
/// or every item's in order, joined by `sep`, with 无 for an item without one (the loader zips
/// them back, `values::fee_items`).
fn fee_cell(it: &Item, children: bool, value: impl Fn(&FeeItem) -> Option<String>) -> String {
    let items = match (&it.fee, children) {
        (Some(f), false) => &f.items,
        _ => return String::new(),
    };
    match items.as_slice() {
        [] => String::new(),
        [one] => value(one).unwrap_or_default(),
        many => joined(many.iter().map(&value).collect()),
    }
}

/// Every main-sheet column export writes, in order: its header and its cell.
fn main_columns() -> impl Iterator<Item = (&'static str, Cell)> {
    Field::ALL
        .into_iter()
        .flat_map(columns)
        .map(|&(path, cell)| {
            let column = super::headers::item_column(path)
                .unwrap_or_else(|| panic!("export writes {path}, which has no built-in column"));
            (column.names[0], cell)
        })
}

/// The items as one sheet, lists joined in cells. With `children`, lists go to child sheets
/// instead (申请材料, 收费项目, 设定依据, 办理流程, 常见问题) and keep every attribute.
pub fn sheets(items: &[Item], children: bool) -> Vec<SheetData> {
    let mut extra_keys: Vec<&String> = items.iter().flat_map(|i| i.extra.keys()).collect();
    extra_keys.sort();
    extra_keys.dedup();
    let main_columns: Vec<(&str, Cell)> = main_columns().collect();
    let mut headers: Vec<String> = main_columns.iter().map(|(h, _)| (*h).to_string()).collect();
    headers.extend(extra_keys.iter().map(|k| (*k).clone()));
    let mut main = SheetData {
        name: "事项".into(),
        headers,
        rows: Vec::new(),
    };
    let mut materials = SheetData {
        name: "申请材料".into(),
        headers: [
            "事项编码",
            "材料名称",
            "材料形式",
            "材料类型",
            "材料必要性",
            "来源渠道",
            "份数",
            "空白表格",
            "示例样表",
            "材料依据",
        ]
        .map(String::from)
        .to_vec(),
        rows: Vec::new(),
    };
    let mut fees = SheetData {
        name: "收费项目".into(),
        headers: [
            "事项编码",
            "收费项目名称",
            "收费标准",
            "收费依据",
            "是否允许减免",
            "允许减免依据",
        ]
        .map(String::from)
        .to_vec(),
        rows: Vec::new(),
    };
    let mut bases = SheetData {
        name: "设定依据".into(),
        headers: ["事项编码", "法规名称", "层级", "文号", "条款号", "条款内容"]
            .map(String::from)
            .to_vec(),
        rows: Vec::new(),
    };
    let mut steps = SheetData {
        name: "办理流程".into(),
        headers: ["事项编码", "环节", "时限"].map(String::from).to_vec(),
        rows: Vec::new(),
    };
    let mut faq = SheetData {
        name: "常见问题".into(),
        headers: ["事项编码", "问题", "答复"].map(String::from).to_vec(),
        rows: Vec::new(),
    };
    for it in items {
        let mut row: Vec<String> = main_columns
            .iter()
            .map(|(_, cell)| cell(it, children))
            .collect();
        for k in &extra_keys {
            row.push(match it.extra.get(*k) {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(v) => v.to_string(),
                None => String::new(),
            });
        }
        main.rows.push(row);
        if children {
            for m in it.materials.iter() {
                materials.rows.push(vec![
                    it.code.to_string(),
                    m.name.clone(),
                    opt(&m.form),
                    opt(&m.kind),
                    opt(&m.necessity),
                    opt(&m.source),
                    m.copies.map(|c| c.to_string()).unwrap_or_default(),
                    flag(m.blank_form),
                    flag(m.sample),
                    opt(&m.basis),
                ]);
            }
            for f in it.fee.iter().flat_map(|f| &f.items) {
                fees.rows.push(vec![
                    it.code.to_string(),
                    f.name.clone(),
                    opt(&f.standard),
                    f.basis.iter().map(doc).collect::<Vec<_>>().join("；"),
                    flag(f.reducible),
                    opt(&f.reduction_basis),
                ]);
            }
            for b in it.legal_basis.iter() {
                bases.rows.push(vec![
                    it.code.to_string(),
                    b.title.clone(),
                    opt(&b.level),
                    opt(&b.doc_no),
                    opt(&b.article),
                    opt(&b.text),
                ]);
            }
            for p in it.process.iter() {
                steps.rows.push(vec![
                    it.code.to_string(),
                    p.step.clone(),
                    p.days.map(format_num).unwrap_or_default(),
                ]);
            }
            for q in it.faq.iter() {
                faq.rows.push(vec![
                    it.code.to_string(),
                    q.question.clone(),
                    opt(&q.answer),
                ]);
            }
        }
    }
    if children {
        vec![main, materials, fees, bases, steps, faq]
    } else {
        vec![main]
    }
}

/// One sheet as CSV text.
pub fn to_csv(sheet: &SheetData) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(&sheet.headers);
    for r in &sheet.rows {
        let _ = w.write_record(r);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Sheets as an XLSX workbook (every cell written as text, so codes keep their leading zeros).
pub fn to_xlsx(sheets: &[SheetData]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    for s in sheets {
        let ws = book.add_worksheet();
        ws.set_name(&s.name)?;
        for (c, h) in s.headers.iter().enumerate() {
            ws.write_string(0, c as u16, h)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32 + 1, c as u16, v)?;
                }
            }
        }
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::headers::{HeaderMap, item_columns};

    #[test]
    fn exported_headers_read_back_as_their_field() {
        let map = HeaderMap::builtin();
        for f in Field::ALL {
            // A field with main-sheet columns is written to them.
            assert_eq!(columns(f).is_empty(), item_columns(f).is_empty(), "{f:?}");
            for (path, _) in columns(f) {
                let column = item_columns(f).iter().find(|c| c.path == *path);
                let header = column.map(|c| c.names[0]).unwrap_or_default();
                assert_eq!(
                    map.item(header),
                    Some(*path),
                    "{f:?} is written under {header}"
                );
            }
        }
    }
}
