//! Spreadsheet exports (CSV and XLSX) as raw sheets: text cells with their positions.
//!
//! Catalogs reach reviewers as exports from the service platform, with Chinese column names, in
//! UTF-8 or GB18030, sometimes with merged cells. This module only reads: every cell becomes text
//! (numbers without a trailing `.0`, Excel dates as ISO dates), merged regions are filled with their
//! top-left value, and each cell keeps its sheet, row and column. Mapping columns to the model is
//! [`catalog`]'s job.
//!
//! Workbooks (XLSX, XLS, ODS) are read by [`book`], which checks their structure first (`cfb`,
//! `biff`, `zipped`, `ods`) and runs the reader under [`guard`]. Every reader keeps to the size
//! limits of [`crate::limits`], refusing a larger input with an error that names the place.

mod biff;
mod book;
pub mod catalog;
mod cfb;
pub mod export;
pub mod guard;
pub mod headers;
pub mod lists;
mod ods;
#[cfg(test)]
mod testbook;
pub mod values;
mod zipped;

pub use book::read_xlsx;

use crate::error::{Error, Result};
use crate::location::Location;
use std::path::Path;

/// The character encoding of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Encoding {
    /// A UTF-8 byte-order mark, else strict UTF-8, else GB18030.
    Auto,
    Utf8,
    /// GB18030 (a superset of GBK and GB2312), common in Excel exports on Chinese Windows.
    Gb18030,
}

/// One sheet: a header row and data rows of text cells.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    /// The sheet's name (for CSV, the file name).
    pub name: String,
    /// Header texts, as written.
    pub headers: Vec<String>,
    /// The 1-based row number of the header row.
    pub header_row: usize,
    /// Data rows with their 1-based row numbers; blank rows are dropped.
    pub rows: Vec<(usize, Vec<String>)>,
}

/// A workbook: its sheets in order, and how the file was decoded.
#[derive(Debug, Clone, Default)]
pub struct Workbook {
    pub file: String,
    pub sheets: Vec<Sheet>,
    /// For CSV: the encoding that was used.
    pub encoding: Option<&'static str>,
}

/// The spreadsheet column letter of a 0-based column index: 0 → A, 26 → AA.
pub fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// Decodes CSV bytes: a BOM decides, else strict UTF-8, else GB18030 (or as told).
pub fn decode(bytes: &[u8], encoding: Encoding) -> (String, &'static str) {
    match encoding {
        Encoding::Gb18030 => {
            let (text, _, _) = encoding_rs::GB18030.decode(bytes);
            (text.into_owned(), "GB18030")
        }
        Encoding::Utf8 => {
            let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            (String::from_utf8_lossy(b).into_owned(), "UTF-8")
        }
        Encoding::Auto => {
            if let Some(b) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
                return (String::from_utf8_lossy(b).into_owned(), "UTF-8 (BOM)");
            }
            match std::str::from_utf8(bytes) {
                Ok(s) => (s.to_string(), "UTF-8"),
                Err(_) => {
                    let (text, _, _) = encoding_rs::GB18030.decode(bytes);
                    (text.into_owned(), "GB18030")
                }
            }
        }
    }
}

fn blank(row: &[String]) -> bool {
    row.iter().all(|c| c.trim().is_empty())
}

/// Reads a CSV file as one sheet named after the file.
pub fn read_csv(path: &Path, encoding: Encoding) -> Result<Workbook> {
    let file = path.display().to_string();
    let read_error = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    book::check_size(&file, std::fs::metadata(path).map_err(read_error)?.len())?;
    // Only a regular file (a FIFO would block), read within the size just checked.
    let bytes = crate::files::read_regular(path, None).map_err(read_error)?;
    let (text, used) = decode(&bytes, encoding);
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let sheet = csv_sheet(&file, &name, &text)?;
    Ok(Workbook {
        file,
        sheets: vec![sheet],
        encoding: Some(used),
    })
}

/// Parses CSV text into a sheet.
pub fn csv_sheet(file: &str, name: &str, text: &str) -> Result<Sheet> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut sheet = Sheet {
        name: name.to_string(),
        ..Sheet::default()
    };
    let mut cells = 0usize;
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| {
            Error::input(
                file,
                Location::row(None, None, i + 1),
                format!("not valid CSV: {e}"),
            )
        })?;
        cells += rec.len();
        csv_limits(file, &sheet.headers, i + 1, &rec, cells)?;
        let row: Vec<String> = rec.iter().map(str::to_string).collect();
        if sheet.headers.is_empty() {
            if !blank(&row) {
                sheet.headers = row;
                sheet.header_row = i + 1;
            }
        } else if !blank(&row) {
            sheet.rows.push((i + 1, row));
        }
    }
    Ok(sheet)
}

/// The limits of [`crate::limits`] on one CSV record (1-based `row`), with `cells` the fields
/// read so far. (The text as a whole is bounded by the file size limit.)
fn csv_limits(
    file: &str,
    headers: &[String],
    row: usize,
    rec: &csv::StringRecord,
    cells: usize,
) -> Result<()> {
    use crate::limits::{self, MAX_CELLS, MAX_COLUMNS, MAX_ROWS, MAX_VALUE_BYTES};
    let over = |what: String| Error::input(file, Location::row(None, None, row), what);
    if row > MAX_ROWS {
        return Err(over(format!(
            "more than {} rows; a CSV file may have at most that many",
            limits::thousands(MAX_ROWS as u64)
        )));
    }
    if rec.len() > MAX_COLUMNS {
        return Err(over(format!(
            "{} fields; a row may have at most {}",
            limits::thousands(rec.len() as u64),
            limits::thousands(MAX_COLUMNS as u64)
        )));
    }
    if cells > MAX_CELLS {
        return Err(over(format!(
            "more than {} fields in the file, the limit",
            limits::thousands(MAX_CELLS as u64)
        )));
    }
    if let Some((col, field)) = rec
        .iter()
        .enumerate()
        .find(|(_, f)| f.len() > MAX_VALUE_BYTES)
    {
        let letter = column_letter(col);
        let location = match headers.get(col).filter(|h| !h.trim().is_empty()) {
            Some(h) => Location::Cell {
                file: None,
                sheet: None,
                row,
                column: Some((letter, h.clone())),
                item: None,
            },
            None => Location::Described(format!("{letter}{row}")),
        };
        return Err(Error::input(
            file,
            location,
            format!(
                "a value of {}; a field may hold at most {} (1 MiB)",
                limits::bytes(field.len() as u64),
                limits::bytes(MAX_VALUE_BYTES as u64)
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn decoding_prefers_bom_then_utf8_then_gb18030() {
        let text = "事项编码,事项名称\n";
        let (gb, _, _) = encoding_rs::GB18030.encode(text);
        assert_eq!(decode(&gb, Encoding::Auto), (text.to_string(), "GB18030"));
        assert_eq!(
            decode(text.as_bytes(), Encoding::Auto),
            (text.to_string(), "UTF-8")
        );
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(
            decode(&bom, Encoding::Auto),
            (text.to_string(), "UTF-8 (BOM)")
        );
        // A supplementary-plane character (U+20000) survives the four-byte GB18030 form.
        let rare = "𠀀";
        let (gb, _, _) = encoding_rs::GB18030.encode(rare);
        assert_eq!(decode(&gb, Encoding::Gb18030).0, rare);
    }
}
