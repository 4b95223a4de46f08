//! Zipped workbooks (XLSX, ODS), checked before calamine opens them.
//!
//! The zip's central directory is read first, without unpacking anything: a workbook with absurdly
//! many parts, or parts that declare more than [`MAX_UNPACKED_BYTES`] in all, is refused. The zip
//! reader stops unpacking a part at its declared size, so a small file cannot unpack to more than
//! that (a zip bomb). Then the parts calamine sizes its tables from are read: an XLSX's shared
//! string table declares how many strings it holds (calamine reserves room for them at once), and
//! an ODS's `content.xml` repeats rows, cells and spaces by count ([`super::ods`]).

use crate::limits::{self, MAX_CELLS, MAX_UNPACKED_BYTES, MAX_ZIP_ENTRIES};
use quick_xml::events::Event;
use std::io::{BufReader, Read, Seek};

/// What kind of zipped workbook a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Xlsx,
    Ods,
    /// Excel's binary workbook, which this tool does not read.
    Xlsb,
}

/// Why a zipped workbook is refused: what is wrong, and the sheet, row and column it is in when
/// it is in one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub sheet: Option<String>,
    /// 1-based row and 0-based column of the cell, when the problem is one cell.
    pub cell: Option<(usize, usize)>,
    pub message: String,
}

impl From<String> for Refusal {
    fn from(message: String) -> Self {
        Refusal {
            sheet: None,
            cell: None,
            message,
        }
    }
}

/// Checks the zip structure and the parts calamine sizes its tables from; says what kind of
/// workbook it is.
pub fn check<R: Read + Seek>(reader: R) -> Result<Kind, Refusal> {
    let mut zip = zip::ZipArchive::new(BufReader::new(reader))
        .map_err(|e| format!("not a readable zip archive: {e}"))?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(format!(
            "the workbook has {} parts; at most {} are read",
            limits::thousands(zip.len() as u64),
            limits::thousands(MAX_ZIP_ENTRIES as u64)
        )
        .into());
    }
    let mut names = Vec::with_capacity(zip.len());
    let mut total = 0u64;
    for i in 0..zip.len() {
        // The central directory's record (local headers are read only for parts calamine
        // reads, so a damaged part it never opens stays harmless).
        let part = zip
            .by_index_data(i)
            .map_err(|e| format!("part #{} is unreadable: {e}", i + 1))?;
        let name = part
            .name()
            .map_err(|e| format!("part #{} has an unreadable name: {e}", i + 1))?
            .replace('\\', "/");
        total = total.saturating_add(part.size());
        if total > MAX_UNPACKED_BYTES {
            return Err(format!(
                "the workbook's parts declare more than {} unpacked (at part {}, {}); the limit guards against zip bombs",
                limits::bytes(MAX_UNPACKED_BYTES),
                name,
                limits::bytes(part.size())
            )
            .into());
        }
        names.push(name);
    }
    let kind = if names.iter().any(|n| n == "content.xml" || n == "mimetype")
        && !names
            .iter()
            .any(|n| n.eq_ignore_ascii_case("[Content_Types].xml"))
    {
        Kind::Ods
    } else if names
        .iter()
        .any(|n| n.to_ascii_lowercase().ends_with("workbook.bin"))
    {
        Kind::Xlsb
    } else {
        Kind::Xlsx
    };
    for (i, name) in names.iter().enumerate() {
        match kind {
            Kind::Xlsx if name.to_ascii_lowercase().ends_with("sharedstrings.xml") => {
                let part = zip.by_index(i).map_err(|e| format!("{name}: {e}"))?;
                shared_string_count(BufReader::new(part), name)?;
            }
            Kind::Ods if name == "content.xml" => {
                let part = zip.by_index(i).map_err(|e| format!("{name}: {e}"))?;
                super::ods::check(BufReader::new(part))?;
            }
            _ => {}
        }
    }
    Ok(kind)
}

/// The XML reader as calamine configures it, so that both see the same events.
pub(super) fn xml<R: std::io::BufRead>(r: R) -> quick_xml::Reader<R> {
    let mut x = quick_xml::Reader::from_reader(r);
    let config = x.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    x
}

/// The `uniqueCount` of the shared string table, which calamine reserves room for when it opens
/// the workbook: at most [`MAX_CELLS`] (a string no cell shows is never needed).
fn shared_string_count<R: std::io::BufRead>(r: R, name: &str) -> Result<(), Refusal> {
    let mut x = xml(r);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match x.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == "sst" => {
                for (key, value) in super::ods::raw_attrs(e.attributes_raw()) {
                    if key == "uniqueCount" {
                        check_count(value, name)?;
                    }
                }
                return Ok(());
            }
            // calamine fails on these too, before reserving anything.
            Ok(Event::Eof) | Err(_) => return Ok(()),
            _ => {}
        }
    }
}

/// A count as calamine parses it (decimal digits, any leading zeros; anything else is ignored).
fn check_count(value: &str, part: &str) -> Result<(), Refusal> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(());
    }
    let digits = value.trim_start_matches('0');
    let n = if digits.len() > 18 {
        u64::MAX
    } else {
        digits.parse().unwrap_or(0)
    };
    if n > MAX_CELLS as u64 {
        return Err(format!(
            "{part} declares {} shared strings, more than the {} cells a workbook may have",
            limits::thousands(n),
            limits::thousands(MAX_CELLS as u64)
        )
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in parts {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn kinds_are_told_apart() {
        let xlsx = zip_of(&[
            ("[Content_Types].xml", b"<x/>"),
            ("xl/workbook.xml", b"<x/>"),
        ]);
        assert_eq!(check(Cursor::new(xlsx)), Ok(Kind::Xlsx));
        let ods = zip_of(&[(
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        )]);
        assert_eq!(check(Cursor::new(ods)), Ok(Kind::Ods));
        let xlsb = zip_of(&[("[Content_Types].xml", b"<x/>"), ("xl/workbook.bin", b"")]);
        assert_eq!(check(Cursor::new(xlsb)), Ok(Kind::Xlsb));
    }

    #[test]
    fn a_huge_shared_string_count_is_refused() {
        let sst = br#"<?xml version="1.0"?><sst xmlns="x" count="3" uniqueCount="99999999999"><si><t>a</t></si></sst>"#;
        let xlsx = zip_of(&[
            ("[Content_Types].xml", b"<x/>"),
            ("xl/sharedStrings.xml", sst),
        ]);
        let err = check(Cursor::new(xlsx)).unwrap_err();
        assert!(
            err.message.contains("99,999,999,999 shared strings"),
            "{err:?}"
        );
        let fine = br#"<sst uniqueCount="0003"><si><t>a</t></si></sst>"#;
        let xlsx = zip_of(&[
            ("[Content_Types].xml", b"<x/>"),
            ("xl/sharedStrings.xml", fine),
        ]);
        assert_eq!(check(Cursor::new(xlsx)), Ok(Kind::Xlsx));
    }

    #[test]
    fn declared_sizes_above_the_limit_are_refused_before_unpacking() {
        let mut bytes = zip_of(&[("[Content_Types].xml", b"<x/>"), ("xl/big.xml", b"<a/>")]);
        // Rewrite the central directory's uncompressed size of the second part (the local
        // header keeps the true one, which is never read).
        let sig = b"PK\x01\x02";
        let cds: Vec<usize> = bytes
            .windows(4)
            .enumerate()
            .filter(|(_, w)| w == sig)
            .map(|(i, _)| i)
            .collect();
        let at = cds[1] + 24;
        bytes[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        let err = check(Cursor::new(bytes)).unwrap_err();
        assert!(err.message.contains("xl/big.xml"), "{err:?}");
        assert!(err.message.contains("zip bomb"), "{err:?}");
    }
}
