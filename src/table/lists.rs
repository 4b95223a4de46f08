//! A deployment's local list of items, read from the spreadsheet it is published in, as an
//! `exemption-registry/1` document (`catalog-audit registry import`): a city's list of items not
//! suitable for zero visits names items by national basic code, its own local code or name, with
//! a reason.
//!
//! Columns are found by their headers (基本编码, 地方编码 / 事项编码, 事项名称, 原因 …, in either
//! language); rows without any code or name are skipped with a warning, and a row naming an item
//! an earlier row already named is a warning naming both rows (the first is kept), never a
//! failure: real lists repeat items.

use super::{Workbook, headers::header_key};
use crate::error::{Error, Result};
use crate::location::Location;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// Header names of each column the list may have (compared as [`header_key`] compares).
const COLUMNS: &[(&str, &[&str])] = &[
    (
        "basic_code",
        &[
            "基本编码",
            "事项基本编码",
            "基本目录编码",
            "国家基本编码",
            "basic_code",
        ],
    ),
    (
        "local_code",
        &[
            "地方编码",
            "地方事项编码",
            "本地事项编码",
            "省级事项编码",
            "事项编码",
            "事项代码",
            "local_code",
        ],
    ),
    ("name", &["事项名称", "名称", "子项名称", "name"]),
    (
        "reason",
        &[
            "原因",
            "不宜跑零次原因",
            "需到现场原因",
            "必须现场办理原因",
            "理由",
            "说明",
            "reason",
        ],
    ),
    ("note", &["备注", "note"]),
];

/// The list as an `exemption-registry/1` document, and the warnings reading it gave. `source`
/// names the list (its title and 文号), recorded on every entry.
pub fn exemptions(wb: &Workbook, source: &str) -> Result<(Value, Vec<String>)> {
    let mut entries = Vec::new();
    let mut warnings = Vec::new();
    // Normalised key → the row that named it first.
    let mut seen: HashMap<String, (String, usize)> = HashMap::new();
    let mut found_columns = false;
    for sheet in &wb.sheets {
        let col = |field: &str| {
            let names = COLUMNS
                .iter()
                .find(|(f, _)| *f == field)
                .map_or(&[][..], |(_, n)| *n);
            sheet
                .headers
                .iter()
                .position(|h| names.iter().any(|n| header_key(n) == header_key(h)))
        };
        let cols: Vec<(&str, Option<usize>)> = COLUMNS.iter().map(|(f, _)| (*f, col(f))).collect();
        let at = |f: &str| cols.iter().find(|(n, _)| *n == f).and_then(|(_, c)| *c);
        if at("basic_code").is_none() && at("local_code").is_none() && at("name").is_none() {
            continue;
        }
        found_columns = true;
        for (row_no, row) in &sheet.rows {
            let cell = |f: &str| {
                at(f)
                    .and_then(|c| row.get(c))
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
            };
            let here = format!("{} row {row_no}", sheet.name);
            let keys: Vec<(&str, String)> = ["basic_code", "local_code", "name"]
                .into_iter()
                .filter_map(|f| cell(f).map(|v| (f, v)))
                .collect();
            if keys.is_empty() {
                warnings.push(format!("{}: {here}: no code or name, skipped", wb.file));
                continue;
            }
            if let Some((f, v, first)) = keys.iter().find_map(|(f, v)| {
                seen.get(&format!("{f}\u{0}{}", crate::text::key(v)))
                    .map(|first| (f, v, first))
            }) {
                warnings.push(format!(
                    "{}: {here} repeats {f} \"{v}\" of {} row {}; the first is kept",
                    wb.file, first.0, first.1
                ));
                continue;
            }
            for (f, v) in &keys {
                seen.insert(
                    format!("{f}\u{0}{}", crate::text::key(v)),
                    (sheet.name.clone(), *row_no),
                );
            }
            let mut e = Map::new();
            for (f, v) in &keys {
                e.insert((*f).to_string(), Value::String(v.clone()));
            }
            e.insert(
                "reason".into(),
                Value::String(cell("reason").unwrap_or_else(|| "清单未写明原因".into())),
            );
            e.insert(
                "source".into(),
                Value::String(format!("{source}（{here}）")),
            );
            e.insert("confidence".into(), Value::String("V".into()));
            if let Some(n) = cell("note") {
                e.insert("note".into(), Value::String(n));
            }
            entries.push(Value::Object(e));
        }
    }
    if !found_columns {
        return Err(Error::input(
            &wb.file,
            Location::File,
            "no sheet has a code or name column (基本编码, 地方编码 / 事项编码 or 事项名称)",
        ));
    }
    let doc = json!({
        "format": "exemption-registry/1",
        "description": format!("{source}: imported by catalog-audit registry import"),
        "entries": entries,
    });
    Ok((doc, warnings))
}
