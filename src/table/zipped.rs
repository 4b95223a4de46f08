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
use std::io::{BufReader, Read, Seek, SeekFrom};

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
pub fn check<R: Read + Seek>(mut reader: R) -> Result<Kind, Refusal> {
    zip64_count(&mut reader)?;
    reader
        .seek(SeekFrom::Start(0))
        .map_err(|e| format!("cannot read: {e}"))?;
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

/// The part count of a ZIP64 archive, checked before the zip reader holds its directory: a ZIP64
/// end record may declare billions of parts, and the reader keeps a record of each (a plain zip
/// counts to 65,535 at most). Each ZIP64 locator the reader may use (before an end record in the
/// file's tail) must point at a ZIP64 end record (the reader would otherwise search for one)
/// declaring at most [`MAX_ZIP_ENTRIES`].
fn zip64_count<R: Read + Seek>(r: &mut R) -> Result<(), Refusal> {
    const LOCATOR: &[u8; 4] = b"PK\x06\x07";
    const END64: &[u8; 4] = b"PK\x06\x06";
    const END: &[u8; 4] = b"PK\x05\x06";
    let io = |e: std::io::Error| Refusal::from(format!("cannot read: {e}"));
    let len = r.seek(SeekFrom::End(0)).map_err(io)?;
    // The end record (22 bytes, a comment of up to 65,535) and the locator (20) before it.
    let tail_len = len.min(22 + 65_535 + 20);
    r.seek(SeekFrom::Start(len - tail_len)).map_err(io)?;
    let mut tail = Vec::with_capacity(tail_len as usize);
    r.by_ref()
        .take(tail_len)
        .read_to_end(&mut tail)
        .map_err(io)?;
    // Where the zip reader looks for a locator: right before each end record it considers.
    let ends = (20..tail.len().saturating_sub(21)).filter(|&i| tail[i..i + 4] == *END);
    for at in ends.map(|e| e - 20).filter(|&i| tail[i..i + 4] == *LOCATOR) {
        let offset = u64::from_le_bytes(tail[at + 8..at + 16].try_into().unwrap_or_default());
        let mut end = [0u8; 40];
        let found = offset
            .checked_add(40)
            .is_some_and(|e| e <= len)
            .then(|| {
                r.seek(SeekFrom::Start(offset))
                    .and_then(|_| r.read_exact(&mut end))
            })
            .transpose()
            .map_err(io)?
            .is_some();
        if !found || end[..4] != *END64 {
            return Err(
                "a ZIP64 locator does not point at a ZIP64 end record (not a workbook's zip)"
                    .to_string()
                    .into(),
            );
        }
        let parts = u64::from_le_bytes(end[32..40].try_into().unwrap_or_default());
        if parts > MAX_ZIP_ENTRIES as u64 {
            return Err(format!(
                "the workbook declares {} parts; at most {} are read",
                limits::thousands(parts),
                limits::thousands(MAX_ZIP_ENTRIES as u64)
            )
            .into());
        }
    }
    Ok(())
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

    /// A zip with its end records in ZIP64 form: a ZIP64 end record declaring `parts`, its
    /// locator, and a plain end record whose fields defer to it.
    fn zip64(parts: u64) -> Vec<u8> {
        let plain = zip_of(&[("[Content_Types].xml", b"<x/>")]);
        let end = plain.len() - 22;
        let field = |at: usize, n: usize| {
            plain[end + at..end + at + n]
                .iter()
                .rev()
                .fold(0u64, |v, b| v << 8 | u64::from(*b))
        };
        let (size, offset) = (field(12, 4), field(16, 4));
        let mut out = plain[..end].to_vec();
        out.extend(b"PK\x06\x06");
        out.extend(44u64.to_le_bytes());
        out.extend([45, 0, 45, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        for v in [parts, parts, size, offset] {
            out.extend(v.to_le_bytes());
        }
        out.extend(b"PK\x06\x07");
        out.extend(0u32.to_le_bytes());
        out.extend((end as u64).to_le_bytes());
        out.extend(1u32.to_le_bytes());
        out.extend(b"PK\x05\x06");
        out.extend([0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]);
        out.extend([0xFF; 8]);
        out.extend([0, 0]);
        out
    }

    #[test]
    fn a_zip64_end_record_declaring_billions_of_parts_is_refused() {
        assert_eq!(check(Cursor::new(zip64(1))), Ok(Kind::Xlsx));
        let err = check(Cursor::new(zip64(1 << 40))).unwrap_err();
        assert!(err.message.contains("1,099,511,627,776 parts"), "{err:?}");
        // A locator pointing elsewhere.
        let mut moved = zip64(1);
        let at = moved.len() - 22 - 20 + 8;
        moved[at..at + 8].copy_from_slice(&3u64.to_le_bytes());
        let err = check(Cursor::new(moved)).unwrap_err();
        assert!(err.message.contains("ZIP64 locator"), "{err:?}");
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
