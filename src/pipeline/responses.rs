//! The departments' replies read back from last round's review sheets: every XLSX or CSV with a
//! fingerprint column (指纹) and a reply column (整改情况), found by the review sheet's own headers
//! in either language. A comment's 指纹 cell may name several keys (an item comment's findings,
//! separated by spaces or commas); the reply answers each.

use crate::error::{Error, Result};
use crate::load;
use crate::messages::Texts;
use crate::rounds;
use crate::rules::Lang;
use std::path::Path;

/// Replies from review sheets: every XLSX/CSV with a fingerprint column, in a file or directory.
/// A review-sheet column's header in either language, as header keys.
fn column_names(key: &str) -> Vec<String> {
    [Texts::builtin(Lang::Zh), Texts::builtin(Lang::En)]
        .iter()
        .map(|t| crate::table::headers::header_key(&t.get(key)))
        .collect()
}

/// Whether a workbook is a filled review sheet: one of its sheets has the fingerprint and reply
/// columns the review sheet is written with (in either language).
pub fn is_reply_sheet(wb: &crate::table::Workbook) -> bool {
    let (fp, reply) = (
        column_names("sheet.col.fingerprint"),
        column_names("sheet.col.reply"),
    );
    wb.sheets.iter().any(|s| {
        let has = |n: &[String]| {
            s.headers
                .iter()
                .any(|h| n.contains(&crate::table::headers::header_key(h)))
        };
        has(&fp) && has(&reply)
    })
}

pub fn read_responses(path: &Path, opts: &load::Options) -> Result<rounds::Responses> {
    let mut files = Vec::new();
    if path.is_dir() {
        let entries = std::fs::read_dir(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        files.extend(entries.flatten().map(|e| e.path()).filter(|p| {
            matches!(
                p.extension()
                    .and_then(|e| e.to_str())
                    .map(str::to_ascii_lowercase)
                    .as_deref(),
                Some("xlsx" | "csv")
            )
        }));
        files.sort();
    } else {
        files.push(path.to_path_buf());
    }
    let (fp_h, reply_h, date_h) = (
        column_names("sheet.col.fingerprint"),
        column_names("sheet.col.reply"),
        column_names("sheet.col.reply_date"),
    );
    let mut out = rounds::Responses::new();
    for f in files {
        let wb = match opts.format_of(&f) {
            load::InputFormat::Csv => crate::table::read_csv(&f, opts.encoding)?,
            _ => crate::table::read_xlsx(&f)?,
        };
        for sheet in &wb.sheets {
            let col = |names: &[String]| {
                sheet
                    .headers
                    .iter()
                    .position(|h| names.contains(&crate::table::headers::header_key(h)))
            };
            let (Some(fp), Some(reply)) = (col(&fp_h), col(&reply_h)) else {
                continue;
            };
            let date = col(&date_h);
            for (_, row) in &sheet.rows {
                let text = row.get(reply).map_or("", |s| s.trim());
                let keys = row.get(fp).map_or("", |s| s.trim());
                if text.is_empty() || keys.is_empty() {
                    continue;
                }
                let response = crate::finding::Response {
                    text: text.to_string(),
                    date: date
                        .and_then(|d| row.get(d))
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty()),
                    claims_fixed: rounds::claims_fixed(text),
                };
                // An item comment's row names all its findings; the reply answers each.
                for key in keys
                    .split(|c: char| {
                        c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；')
                    })
                    .filter(|k| !k.is_empty())
                {
                    out.insert(key.to_string(), response.clone());
                }
            }
        }
    }
    Ok(out)
}
