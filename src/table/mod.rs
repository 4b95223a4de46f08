//! Spreadsheet exports (CSV and XLSX) as raw sheets: text cells with their positions.
//!
//! Catalogs reach reviewers as exports from the service platform, with Chinese column names, in
//! UTF-8 or GB18030, sometimes with merged cells. This module only reads: every cell becomes text
//! (numbers without a trailing `.0`, Excel dates as ISO dates), merged regions are filled with their
//! top-left value, and each cell keeps its sheet, row and column. Mapping columns to the model is
//! [`catalog`]'s job.

pub mod catalog;
pub mod export;
pub mod headers;
pub mod lists;
pub mod values;

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
    let bytes = crate::files::read_regular(path, None).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
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
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| {
            Error::input(
                file,
                Location::row(None, None, i + 1),
                format!("not valid CSV: {e}"),
            )
        })?;
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

fn cell_text(d: &calamine::Data) -> String {
    use calamine::Data;
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => crate::node::format_num(*f),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        Data::DateTimeIso(s) => s.chars().take(10).collect(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Reads every sheet of an XLSX (or XLS/ODS) workbook, merged regions filled.
pub fn read_xlsx(path: &Path) -> Result<Workbook> {
    use calamine::Reader;
    let file = path.display().to_string();
    let unreadable = |e: &dyn std::fmt::Display| {
        Error::input(
            &file,
            Location::File,
            format!("not a readable spreadsheet (xlsx, xls or ods): {e}"),
        )
    };
    // The workbook reader opens the file itself: it must be a regular file (a FIFO would block).
    let regular = std::fs::metadata(path).and_then(|m| {
        if m.is_file() {
            Ok(())
        } else {
            Err(crate::files::not_regular(m.file_type()))
        }
    });
    if let Err(source) = regular {
        return Err(Error::Read {
            path: path.to_path_buf(),
            source,
        });
    }
    let mut book = calamine::open_workbook_auto(path).map_err(|e| unreadable(&e))?;
    let names = book.sheet_names().to_vec();
    let mut sheets = Vec::new();
    for name in names {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| Error::input(&file, Location::Sheet(name.to_string()), e.to_string()))?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let mut grid: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(cell_text).collect())
            .collect();
        // Merged cells: every cell of a region reads as its top-left value.
        if let calamine::Sheets::Xlsx(x) = &mut book
            && let Ok(regions) = x.merge_cells_by_sheet_name(&name)
        {
            for m in regions {
                let top = (
                    m.start.0.saturating_sub(r0) as usize,
                    m.start.1.saturating_sub(c0) as usize,
                );
                let Some(value) = grid.get(top.0).and_then(|r| r.get(top.1)).cloned() else {
                    continue;
                };
                for r in m.start.0..=m.end.0 {
                    for c in m.start.1..=m.end.1 {
                        let (ri, ci) = ((r - r0) as usize, (c - c0) as usize);
                        if let Some(cell) = grid.get_mut(ri).and_then(|row| row.get_mut(ci))
                            && cell.is_empty()
                        {
                            *cell = value.clone();
                        }
                    }
                }
            }
        }
        let mut sheet = Sheet {
            name: name.clone(),
            ..Sheet::default()
        };
        for (i, mut row) in grid.into_iter().enumerate() {
            // Pad rows that start right of column A so column letters stay true.
            if c0 > 0 {
                let mut padded = vec![String::new(); c0 as usize];
                padded.append(&mut row);
                row = padded;
            }
            let number = r0 as usize + i + 1;
            if sheet.headers.is_empty() {
                if !blank(&row) {
                    sheet.headers = row;
                    sheet.header_row = number;
                }
            } else if !blank(&row) {
                sheet.rows.push((number, row));
            }
        }
        sheets.push(sheet);
    }
    Ok(Workbook {
        file,
        sheets,
        encoding: None,
    })
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
