//! Sheets → catalog items and adjustment requests, as JSON values of the contract's shape, each with
//! its [`Origin`]. The loader then validates and types them exactly like JSON input, so a catalog
//! read from a spreadsheet and the same catalog in JSON give the same model.
//!
//! Two layouts are read, also mixed: lists joined in one cell (申请材料 "1、…；2、…") and child
//! sheets (申请材料, 收费项目, 设定依据, 办理流程, 常见问题) whose rows carry the item code.

use super::headers::HeaderMap;
use super::values;
use super::{Sheet, Workbook, column_letter};
use crate::error::{Error, Problem, Result};
use crate::location::Location;
use crate::model::Origin;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};

/// Items read from a workbook: the JSON of each item with its origin.
pub struct Rows {
    pub items: Vec<(Value, Origin)>,
    /// Header values from an information sheet (目录名称, 区划代码, 截止日期), if any.
    pub catalog: Map<String, Value>,
    /// What was read other than as written (see [`coercions`]): warnings, or errors under
    /// `--strict`.
    pub coercions: Vec<Problem>,
}

/// The rows listed in a message: the first few, then how many more.
fn some_rows(rows: &[usize]) -> String {
    const SHOWN: usize = 5;
    let mut s = rows
        .iter()
        .take(SHOWN)
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if rows.len() > SHOWN {
        s.push_str(&format!(" and {} more", rows.len() - SHOWN));
    }
    s
}

/// What reading `sheet` would do silently, one problem per kind and column: CSV rows shorter than
/// the header (their missing cells are read as empty) and values in a column without a header
/// (ignored), or past the header's last column. A workbook's rows have no length of their own
/// (trailing empty cells are not stored), so only CSV rows are called short.
pub fn coercions(sheet: &Sheet, file: &str, csv: bool) -> Vec<Problem> {
    let sheet_name = (!csv).then_some(sheet.name.as_str());
    let width = sheet.headers.len();
    let mut short: Vec<usize> = Vec::new();
    let mut headless: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (row, cells) in &sheet.rows {
        if csv && cells.len() < width {
            short.push(*row);
        }
        for (i, cell) in cells.iter().enumerate() {
            let unnamed = sheet.headers.get(i).is_none_or(|h| h.trim().is_empty());
            if unnamed && !cell.trim().is_empty() {
                headless.entry(i).or_default().push(*row);
            }
        }
    }
    let mut out = Vec::new();
    if let Some(&first) = short.first() {
        out.push(Problem {
            location: Location::row(Some(file), sheet_name, first),
            message: if short.len() == 1 {
                format!(
                    "a row shorter than the header's {width} cells: its missing cells are read as empty"
                )
            } else {
                format!(
                    "{} rows shorter than the header's {width} cells (rows {}): their missing cells are read as empty",
                    short.len(),
                    some_rows(&short)
                )
            },
        });
    }
    for (i, rows) in headless {
        out.push(Problem {
            location: Location::Cell {
                file: Some(file.to_string()),
                sheet: sheet_name.map(str::to_string),
                row: rows[0],
                column: Some((column_letter(i), String::new())),
                item: None,
            },
            message: if rows.len() == 1 {
                format!(
                    "column {} has no header: its value is ignored",
                    column_letter(i)
                )
            } else {
                format!(
                    "column {} has no header: its {} values are ignored (rows {})",
                    column_letter(i),
                    rows.len(),
                    some_rows(&rows)
                )
            },
        });
    }
    out
}

fn file_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map_or_else(|| path.to_string(), |f| f.to_string_lossy().into_owned())
}

fn set_path(obj: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            obj.insert(path.to_string(), value);
        }
        Some((head, rest)) => {
            let entry = obj
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                // A limit given as plain text next to a unit column: keep the text as the value.
                let old = entry.take();
                *entry = json!({ "value": old });
            }
            if let Value::Object(m) = entry {
                set_path(m, rest, value);
            }
        }
    }
}

/// Parses one item cell for its target field, as the field's column reads (text when no built-in
/// column fills that path).
fn item_value(field: &str, cell: &str) -> Option<Value> {
    match super::headers::item_column(field) {
        Some(column) => (column.read)(cell),
        None => values::text(cell),
    }
}

fn child_value(field: &str, cell: &str) -> Option<Value> {
    match field {
        "materials.copies" => values::integer(cell),
        "materials.blank_form" | "materials.sample" | "fee.reducible" => values::boolean(cell),
        "process.days" => values::days(cell),
        "fee.basis" => {
            let list: Vec<Value> = values::split_list(cell)
                .iter()
                .map(|e| values::doc_ref(e))
                .collect();
            (!list.is_empty()).then_some(Value::Array(list))
        }
        "legal_basis.title" => {
            values::text(cell.trim().trim_start_matches('《').trim_end_matches('》'))
        }
        _ => values::text(cell),
    }
}

/// Which sheet holds the items: one the map names `items`, else the first whose headers include
/// the item code and that is not a child sheet.
fn main_sheet<'a>(wb: &'a Workbook, map: &HeaderMap) -> Result<&'a Sheet> {
    let named = wb
        .sheets
        .iter()
        .find(|s| map.sheet(&s.name) == Some("items"));
    let with_code = || {
        wb.sheets.iter().find(|s| {
            map.sheet(&s.name).is_none() && s.headers.iter().any(|h| map.item(h) == Some("code"))
        })
    };
    named.or_else(with_code).ok_or_else(|| {
        let first = wb.sheets.first();
        Error::input(
            &wb.file,
            first.map_or(Location::File, |s| {
                Location::row(None, Some(&s.name), s.header_row.max(1))
            }),
            format!(
                "no column for the item code (事项编码); headers found: {}",
                first.map_or(String::new(), |s| s.headers.join(", "))
            ),
        )
    })
}

/// A sheet's non-blank columns: (index, field — `extra.HEADER` when no map knows it, header).
fn columns<'m>(
    sheet: &Sheet,
    field: impl Fn(&str) -> Option<&'m str>,
) -> Vec<(usize, String, String)> {
    sheet
        .headers
        .iter()
        .enumerate()
        .filter(|(_, h)| !h.trim().is_empty())
        .map(|(i, h)| {
            let f = field(h).map_or_else(|| format!("extra.{}", h.trim()), str::to_string);
            (i, f, h.trim().to_string())
        })
        .collect()
}

/// Reads the items of a workbook.
pub fn items(wb: &Workbook, map: &HeaderMap, csv: bool) -> Result<Rows> {
    let file = file_name(&wb.file);
    let sheet = main_sheet(wb, map)?;
    let sheet_name = (!csv).then(|| sheet.name.clone());
    let columns = columns(sheet, |h| map.item(h));
    if !columns.iter().any(|(_, f, _)| f == "code") {
        return Err(Error::input(
            &wb.file,
            Location::row(Some(&file), sheet_name.as_deref(), sheet.header_row),
            format!(
                "no column for the item code (事项编码); headers found: {} (a header map can name it)",
                sheet.headers.join(", ")
            ),
        ));
    }
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for (_, f, h) in &columns {
        if !f.starts_with("extra.") && !seen.insert(f.as_str()) {
            return Err(Error::input(
                &wb.file,
                Location::row(None, sheet_name.as_deref(), sheet.header_row),
                format!(
                    "two columns map to the field {f} (one of them is \"{h}\"); rename one or give a header map"
                ),
            ));
        }
    }

    let mut out: Vec<(Value, Origin)> = Vec::with_capacity(sheet.rows.len());
    let mut by_code: HashMap<String, usize> = HashMap::new();
    let mut problems = Vec::new();
    for (row, cells) in &sheet.rows {
        let mut obj = Map::new();
        let mut origin = Origin {
            file: file.clone(),
            sheet: sheet_name.clone(),
            row: *row,
            ..Origin::default()
        };
        let mut fee: Map<String, Value> = Map::new();
        let mut parallel: Vec<(&str, &str, usize, &str)> = Vec::new();
        for (i, field, header) in &columns {
            let cell = cells.get(*i).map_or("", String::as_str);
            let root = field.split('.').next().unwrap_or(field);
            let root = if root == "extra" { &field[6..] } else { root };
            let place = (column_letter(*i), header.clone());
            if field.starts_with("materials.") || field.starts_with("legal_basis.") {
                // A parallel attribute column: findings about the list name the list's column.
                origin.columns.entry(root.to_string()).or_insert(place);
            } else {
                origin.columns.insert(root.to_string(), place);
            }
            if let Some(key) = field.strip_prefix("extra.") {
                if let Some(v) = values::text(cell) {
                    obj.insert(key.to_string(), v);
                }
                continue;
            }
            let Some(v) = item_value(field, cell) else {
                continue;
            };
            match field.as_str() {
                "fee.charged" => {
                    fee.insert("charged".into(), v);
                }
                // Read together below: several items' cells are zipped.
                "fee.name" | "fee.standard" | "fee.basis" => {
                    fee.insert(field[4..].to_string(), cell.into());
                }
                // An attribute of each listed material or basis, zipped below.
                f if f.starts_with("materials.") || f.starts_with("legal_basis.") => {
                    parallel.push((field.as_str(), cell, *i, header.as_str()));
                }
                _ => set_path(&mut obj, field, v),
            }
        }
        for (field, cell, i, header) in parallel {
            let Some((list, key)) = field.split_once('.') else {
                continue;
            };
            let read: fn(&str) -> Option<Value> = match key {
                "copies" => values::integer,
                "blank_form" | "sample" => values::boolean,
                _ => values::text,
            };
            let Some(Value::Array(elements)) = obj.get_mut(list) else {
                continue;
            };
            let what = match list {
                "materials" => "materials (申请材料)",
                _ => "legal bases (设定依据)",
            };
            if let Err(message) = values::zip_parallel(elements, what, key, cell, read) {
                problems.push(Problem {
                    location: Location::Cell {
                        file: Some(origin.file.clone()),
                        sheet: origin.sheet.clone(),
                        row: origin.row,
                        column: Some((column_letter(i), header.to_string())),
                        item: None,
                    },
                    message,
                });
            }
        }
        if !fee.is_empty() {
            let charged = fee.remove("charged");
            let cell = |k: &str| fee.get(k).and_then(Value::as_str);
            let mut items = match values::fee_items(cell("name"), cell("standard"), cell("basis")) {
                Ok(items) => items,
                Err((field, message)) => {
                    // The cell of the column whose count disagrees.
                    let column = columns
                        .iter()
                        .find(|(_, f, _)| f == field)
                        .map(|(i, _, h)| (column_letter(*i), h.clone()));
                    problems.push(Problem {
                        location: Location::Cell {
                            file: Some(origin.file.clone()),
                            sheet: origin.sheet.clone(),
                            row: origin.row,
                            column,
                            item: None,
                        },
                        message,
                    });
                    Vec::new()
                }
            };
            for item in &mut items {
                if !item.contains_key("name") {
                    let name = obj.get("name").and_then(Value::as_str).unwrap_or("");
                    item.insert("name".into(), format!("{name}收费").into());
                }
            }
            let mut f = Map::new();
            if let Some(c) = charged {
                f.insert("charged".into(), c);
            }
            f.insert(
                "items".into(),
                Value::Array(items.into_iter().map(Value::Object).collect()),
            );
            obj.insert("fee".into(), Value::Object(f));
        }
        if let Some(code) = obj.get("code").and_then(Value::as_str) {
            if let Some(&first) = by_code.get(code) {
                let first_row = out[first].1.row;
                problems.push(Problem {
                    location: origin.locate("code"),
                    message: format!(
                        "duplicate item code \"{code}\": rows {first_row} and {row} share it"
                    ),
                });
            } else {
                by_code.insert(code.to_string(), out.len());
            }
        }
        out.push((Value::Object(obj), origin));
    }
    if !problems.is_empty() {
        return Err(Error::Input {
            file: wb.file.clone(),
            problems,
        });
    }

    // Child sheets replace the one-cell lists of the items they name.
    let mut replaced: BTreeMap<(usize, String), Vec<Value>> = BTreeMap::new();
    for child in &wb.sheets {
        let Some(list) = map.sheet(&child.name) else {
            continue;
        };
        if list == "items" || std::ptr::eq(child, sheet) {
            continue;
        }
        let cols: Vec<(usize, String)> = child
            .headers
            .iter()
            .enumerate()
            .filter_map(|(i, h)| {
                let f = map.child(h)?;
                (f == "code" || f.starts_with(&format!("{list}."))).then(|| (i, f.to_string()))
            })
            .collect();
        let Some(code_col) = cols.iter().find(|(_, f)| f == "code").map(|(i, _)| *i) else {
            return Err(Error::input(
                &wb.file,
                Location::row(None, Some(&child.name), child.header_row),
                "a child sheet needs an item-code column (事项编码)",
            ));
        };
        for (row, cells) in &child.rows {
            let code = cells.get(code_col).map_or("", |c| c.trim());
            let Some(&idx) = by_code.get(code) else {
                problems.push(Problem {
                    location: Location::row(Some(&file), Some(&child.name), *row),
                    message: format!("item code \"{code}\" is not in sheet {}", sheet.name),
                });
                continue;
            };
            let mut el = Map::new();
            for (i, f) in &cols {
                if f == "code" {
                    continue;
                }
                let cell = cells.get(*i).map_or("", String::as_str);
                if let Some(v) = child_value(f, cell) {
                    el.insert(f[list.len() + 1..].to_string(), v);
                }
            }
            let key_field = match list {
                "legal_basis" => "title",
                "process" => "step",
                "faq" => "question",
                _ => "name",
            };
            let key = el
                .get(key_field)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            out[idx]
                .1
                .children
                .push((list.to_string(), key, child.name.clone(), *row));
            replaced
                .entry((idx, list.to_string()))
                .or_default()
                .push(Value::Object(el));
        }
    }
    if !problems.is_empty() {
        return Err(Error::Input {
            file: wb.file.clone(),
            problems,
        });
    }
    for ((idx, list), elements) in replaced {
        let Value::Object(obj) = &mut out[idx].0 else {
            continue;
        };
        if list == "fee" {
            let fee = obj
                .entry("fee".to_string())
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("fee is an object");
            if !fee.contains_key("charged") {
                fee.insert("charged".into(), Value::Bool(!elements.is_empty()));
            }
            fee.insert("items".into(), Value::Array(elements));
        } else {
            obj.insert(list, Value::Array(elements));
        }
    }

    Ok(Rows {
        items: out,
        catalog: catalog_info(wb, map),
        coercions: coercions(sheet, &file, csv),
    })
}

/// An optional information sheet (目录信息): rows of key and value.
fn catalog_info(wb: &Workbook, map: &HeaderMap) -> Map<String, Value> {
    let mut info = Map::new();
    let Some(sheet) = wb
        .sheets
        .iter()
        .find(|s| map.sheet(&s.name) == Some("catalog"))
    else {
        return info;
    };
    let all = std::iter::once(&sheet.headers).chain(sheet.rows.iter().map(|(_, r)| r));
    for row in all {
        let (Some(k), Some(v)) = (row.first(), row.get(1)) else {
            continue;
        };
        let key = match super::headers::header_key(k).as_str() {
            "目录名称" | "名称" => "name",
            "区划代码" | "行政区划代码" => "region_code",
            "截止日期" | "目录日期" | "发布日期" | "日期" => "as_of",
            _ => continue,
        };
        let value = if key == "as_of" {
            values::date(v)
        } else {
            values::text(v)
        };
        if let Some(v) = value {
            info.insert(key.into(), v);
        }
    }
    info
}

/// Rows read as JSON values, each with its origin.
pub type Located = Vec<(Value, Origin)>;

/// Reads the requests of an adjustment log from its first sheet, with what reading it coerced.
pub fn adjustments(wb: &Workbook, map: &HeaderMap, csv: bool) -> Result<(Located, Vec<Problem>)> {
    let file = file_name(&wb.file);
    let sheet = wb
        .sheets
        .iter()
        .find(|s| s.headers.iter().any(|h| map.log(h) == Some("kind")))
        .ok_or_else(|| {
            Error::input(
                &wb.file,
                Location::File,
                "no column for the adjustment type (调整类型)",
            )
        })?;
    let columns = columns(sheet, |h| map.log(h));
    let mut out = Vec::new();
    for (row, cells) in &sheet.rows {
        let mut obj = Map::new();
        let mut origin = Origin {
            file: file.clone(),
            sheet: (!csv).then(|| sheet.name.clone()),
            row: *row,
            ..Origin::default()
        };
        for (i, field, header) in &columns {
            let cell = cells.get(*i).map_or("", String::as_str);
            let key = field.strip_prefix("extra.").unwrap_or(field);
            origin
                .columns
                .insert(key.to_string(), (column_letter(*i), header.clone()));
            let v = match field.as_str() {
                "kind" => values::adjustment_kind(cell),
                "fields" | "into" => values::words(cell),
                "basis" => {
                    let list: Vec<Value> = values::split_list(cell)
                        .iter()
                        .map(|e| values::doc_ref(e))
                        .collect();
                    (!list.is_empty()).then_some(Value::Array(list))
                }
                "trigger_date" | "filed_on" | "approved_on" | "published_on" => values::date(cell),
                _ => values::text(cell),
            };
            if let Some(v) = v {
                obj.insert(key.to_string(), v);
            }
        }
        out.push((Value::Object(obj), origin));
    }
    Ok((out, coercions(sheet, &file, csv)))
}
