//! Catalogs written in the national-column spreadsheet layout, one sheet or with child sheets.
//!
//! The inverse of [`catalog`](super::catalog): tests use it to check that a catalog exported as
//! CSV or XLSX reads back as the same catalog, and it documents the layout the reader expects.

use crate::model::{DocRef, Item, Limit};
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

const ITEM_HEADERS: &[&str] = &[
    "事项编码",
    "基本编码",
    "实施编码",
    "事项名称",
    "事项类型",
    "实施主体",
    "实施主体编码",
    "事项状态",
    "事项版本",
    "权力来源",
    "服务对象",
    "设定依据",
    "办件类型",
    "办理形式",
    "法定办结时限",
    "承诺办结时限",
    "到办事现场次数",
    "必须现场办理原因说明",
    "是否最多跑一次",
    "网上办理深度",
    "网办地址",
    "移动端地址",
    "是否支持网上支付",
    "是否收费",
    "收费项目",
    "收费标准",
    "收费依据",
    "申请材料",
    "办理流程",
    "审批结果名称",
    "审批结果类型",
    "审批结果样本",
    "办理地点",
    "办理时间",
    "咨询电话",
    "监督投诉电话",
    "计划生效日期",
    "计划取消日期",
];

/// The items as one sheet, lists joined in cells. With `children`, lists go to child sheets
/// instead (申请材料, 收费项目, 设定依据, 办理流程) and keep every attribute.
pub fn sheets(items: &[Item], children: bool) -> Vec<SheetData> {
    let mut extra_keys: Vec<&String> = items.iter().flat_map(|i| i.extra.keys()).collect();
    extra_keys.sort();
    extra_keys.dedup();
    let mut headers: Vec<String> = ITEM_HEADERS.iter().map(|h| (*h).to_string()).collect();
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
    for it in items {
        let fee_item = it.fee.as_ref().and_then(|f| f.items.first());
        let legal = if children {
            String::new()
        } else {
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
                    s
                })
                .collect::<Vec<_>>()
                .join("；")
        };
        let mut row = vec![
            it.code.to_string(),
            opt(&it.basic_code),
            opt(&it.impl_code),
            it.name.to_string(),
            it.item_type.to_string(),
            it.department.to_string(),
            opt(&it.department_code),
            opt(&it.status),
            it.version.map(|v| v.to_string()).unwrap_or_default(),
            opt(&it.power_source),
            it.service_objects.join("、"),
            legal,
            opt(&it.case_type),
            it.channels.join("、"),
            limit(&it.legal_limit),
            limit(&it.promised_limit),
            it.onsite_visits.map(|v| v.to_string()).unwrap_or_default(),
            opt(&it.onsite_reason),
            flag(it.one_visit),
            it.online_depth.map(|v| v.to_string()).unwrap_or_default(),
            opt(&it.online_url),
            opt(&it.mobile_url),
            flag(it.pay_online),
            flag(it.fee.as_ref().and_then(|f| f.charged)),
            if children {
                String::new()
            } else {
                fee_item.map(|f| f.name.clone()).unwrap_or_default()
            },
            if children {
                String::new()
            } else {
                fee_item
                    .and_then(|f| f.standard.clone())
                    .unwrap_or_default()
            },
            if children {
                String::new()
            } else {
                fee_item
                    .map(|f| f.basis.iter().map(doc).collect::<Vec<_>>().join("；"))
                    .unwrap_or_default()
            },
            if children {
                String::new()
            } else {
                it.materials
                    .iter()
                    .map(|m| m.name.clone())
                    .collect::<Vec<_>>()
                    .join("；")
            },
            if children {
                String::new()
            } else {
                it.process
                    .iter()
                    .map(|p| match p.days {
                        Some(d) => format!("{}（{}个工作日）", p.step, format_num(d)),
                        None => p.step.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join("；")
            },
            it.result
                .as_ref()
                .and_then(|r| r.name.clone())
                .unwrap_or_default(),
            it.result
                .as_ref()
                .and_then(|r| r.kind.clone())
                .unwrap_or_default(),
            it.result
                .as_ref()
                .and_then(|r| r.sample.clone())
                .unwrap_or_default(),
            opt(&it.address),
            opt(&it.office_hours),
            opt(&it.consult_phone),
            opt(&it.complaint_phone),
            opt(&it.effective_from),
            opt(&it.cancel_on),
        ];
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
        }
    }
    if children {
        vec![main, materials, fees, bases, steps]
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
