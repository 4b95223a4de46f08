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
    wb.sheets
        .iter()
        .any(|s| header_row(s, &fp, &reply).is_some())
}

/// How many rows above the data a review sheet's header may sit (an instruction row or two).
const HEADER_SEARCH: usize = 3;

/// A review sheet's header row: the sheet's own header row when it names the fingerprint and
/// reply columns, else the first of the next rows that does. Returns the index of the first data
/// row in `sheet.rows` and the headers.
fn header_row<'s>(
    sheet: &'s crate::table::Sheet,
    fp: &[String],
    reply: &[String],
) -> Option<(usize, &'s [String])> {
    let names = |row: &[String]| {
        let has = |n: &[String]| {
            row.iter()
                .any(|h| n.contains(&crate::table::headers::header_key(h)))
        };
        has(fp) && has(reply)
    };
    if names(&sheet.headers) {
        return Some((0, &sheet.headers));
    }
    sheet
        .rows
        .iter()
        .take(HEADER_SEARCH)
        .position(|(_, row)| names(row))
        .map(|i| (i + 1, sheet.rows[i].1.as_slice()))
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
    let (fp_h, reply_h, date_h, outcome_h) = (
        column_names("sheet.col.fingerprint"),
        column_names("sheet.col.reply"),
        column_names("sheet.col.reply_date"),
        column_names("sheet.col.outcome"),
    );
    let mut out = rounds::Responses::new();
    for f in files {
        let wb = match opts.format_of(&f) {
            load::InputFormat::Csv => crate::table::read_csv(&f, opts.encoding)?,
            _ => crate::table::read_xlsx(&f)?,
        };
        for sheet in &wb.sheets {
            // The header row: the first row holding the fingerprint and reply columns (the
            // workbook puts an instruction row above it).
            let Some((at, headers)) = header_row(sheet, &fp_h, &reply_h) else {
                continue;
            };
            let col = |names: &[String]| {
                headers
                    .iter()
                    .position(|h| names.contains(&crate::table::headers::header_key(h)))
            };
            let (Some(fp), Some(reply)) = (col(&fp_h), col(&reply_h)) else {
                continue;
            };
            let (date, outcome) = (col(&date_h), col(&outcome_h));
            for (_, row) in &sheet.rows[at..] {
                let cell = |c: Option<usize>| c.and_then(|c| row.get(c)).map_or("", |s| s.trim());
                let text = cell(Some(reply));
                let keys = cell(Some(fp));
                let chosen = cell(outcome);
                if (text.is_empty() && chosen.is_empty()) || keys.is_empty() {
                    continue;
                }
                let outcome = crate::finding::Outcome::from_cell(chosen);
                // An outcome the list does not hold is kept in words, ahead of the text.
                let text = match (outcome, chosen.is_empty(), text.is_empty()) {
                    (None, false, true) => chosen.to_string(),
                    (None, false, false) => format!("{chosen}：{text}"),
                    _ => text.to_string(),
                };
                let response = crate::finding::Response {
                    claims_fixed: match outcome {
                        Some(o) => o == crate::finding::Outcome::Fixed,
                        None => rounds::claims_fixed(&text),
                    },
                    text,
                    date: Some(cell(date).to_string()).filter(|s| !s.is_empty()),
                    outcome,
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
