//! Small workbooks written from the specifications, for tests: an XLS file (a BIFF8 workbook
//! stream in an OLE2 compound file, MS-XLS and MS-CFB) and an ODS file (a zip with
//! `content.xml`). Used by the unit tests of the readers and, through `#[path]`, by
//! `tests/hostile_inputs.rs`; never part of the tool itself.
//!
//! They are written here rather than kept as fixture files so that every byte of them is known
//! (and no third-party file needs a licence check).

#![allow(dead_code)]

/// Record types written here.
pub mod typ {
    pub const BOF: u16 = 0x0809;
    pub const EOF: u16 = 0x000A;
    pub const BOUNDSHEET: u16 = 0x0085;
    pub const SST: u16 = 0x00FC;
    pub const DIMENSIONS: u16 = 0x0200;
    pub const NUMBER: u16 = 0x0203;
    pub const RK: u16 = 0x027E;
    pub const LABELSST: u16 = 0x00FD;
}

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const FREESECT: u32 = 0xFFFF_FFFF;
const FATSECT: u32 = 0xFFFF_FFFD;
const NOSTREAM: u32 = 0xFFFF_FFFF;

/// A BIFF record: type, length, data.
pub fn record(t: u16, data: &[u8]) -> Vec<u8> {
    let mut r = t.to_le_bytes().to_vec();
    r.extend((data.len() as u16).to_le_bytes());
    r.extend(data);
    r
}

/// A cell record's data: row, column, then `rest`.
pub fn cell(t: u16, row: u16, col: u16, rest: &[u8]) -> Vec<u8> {
    let mut d = row.to_le_bytes().to_vec();
    d.extend(col.to_le_bytes());
    d.extend(rest);
    record(t, &d)
}

fn bof(dt: u16) -> Vec<u8> {
    let mut d = 0x0600u16.to_le_bytes().to_vec();
    d.extend(dt.to_le_bytes());
    d.resize(16, 0);
    record(typ::BOF, &d)
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// A cell: text or a number.
pub enum V<'a> {
    S(&'a str),
    N(f64),
}

/// A BIFF8 workbook stream with one sheet `name` holding `rows` (text in the shared string
/// table), and `extra` records appended to the sheet before its EOF.
pub fn workbook(name: &str, rows: &[Vec<V<'_>>], extra: &[Vec<u8>]) -> Vec<u8> {
    let mut strings: Vec<&str> = Vec::new();
    for r in rows {
        for v in r {
            if let V::S(s) = v
                && !strings.contains(s)
            {
                strings.push(s);
            }
        }
    }
    let mut sst = (strings.len() as u32).to_le_bytes().to_vec();
    sst.extend((strings.len() as u32).to_le_bytes());
    for s in &strings {
        sst.extend((s.encode_utf16().count() as u16).to_le_bytes());
        sst.push(1);
        sst.extend(utf16(s));
    }
    let boundsheet = |pos: u32| {
        let mut d = pos.to_le_bytes().to_vec();
        d.extend([0, 0, name.encode_utf16().count() as u8, 1]);
        d.extend(utf16(name));
        record(typ::BOUNDSHEET, &d)
    };
    let eof = record(typ::EOF, &[]);
    let head = bof(0x0005);
    let sst = record(typ::SST, &sst);
    let pos = head.len() + boundsheet(0).len() + sst.len() + eof.len();
    let mut out = [head, boundsheet(pos as u32), sst, eof.clone()].concat();
    out.extend(bof(0x0010));
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut dims = 0u32.to_le_bytes().to_vec();
    dims.extend((rows.len() as u32).to_le_bytes());
    dims.extend(0u16.to_le_bytes());
    dims.extend((cols as u16).to_le_bytes());
    dims.extend(0u16.to_le_bytes());
    out.extend(record(typ::DIMENSIONS, &dims));
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let mut rest = 0u16.to_le_bytes().to_vec();
            match v {
                V::S(s) => {
                    let i = strings.iter().position(|x| x == s).unwrap_or(0);
                    rest.extend((i as u32).to_le_bytes());
                    out.extend(cell(typ::LABELSST, r as u16, c as u16, &rest));
                }
                V::N(n) => {
                    rest.extend(n.to_le_bytes());
                    out.extend(cell(typ::NUMBER, r as u16, c as u16, &rest));
                }
            }
        }
    }
    for e in extra {
        out.extend(e);
    }
    out.extend(eof);
    out
}

fn entry(name: &str, typ: u8, start: u32, size: u32, child: u32) -> Vec<u8> {
    let mut e = Vec::with_capacity(128);
    let mut n: Vec<u8> = utf16(name);
    if !name.is_empty() {
        n.extend([0, 0]);
    }
    e.extend(&n);
    e.resize(64, 0);
    e.extend((n.len() as u16).to_le_bytes());
    e.extend([typ, 1]);
    for v in [NOSTREAM, NOSTREAM, child] {
        e.extend(v.to_le_bytes());
    }
    e.resize(116, 0);
    e.extend(start.to_le_bytes());
    e.extend(size.to_le_bytes());
    e.extend(0u32.to_le_bytes());
    e
}

/// A version 3 compound file holding one stream under `name`: the FAT in sector 0, the
/// directory in sector 1, the stream from sector 2 (padded to 4,096 bytes, so that it lives in
/// ordinary sectors and no mini stream is needed).
pub fn compound(name: &str, stream: &[u8]) -> Vec<u8> {
    let mut stream = stream.to_vec();
    if stream.len() < 4096 {
        stream.resize(4096, 0);
    }
    let n = stream.len().div_ceil(512);
    let mut fat = vec![FATSECT, ENDOFCHAIN];
    for i in 0..n {
        fat.push(if i + 1 < n { 3 + i as u32 } else { ENDOFCHAIN });
    }
    assert!(fat.len() <= 128, "one FAT sector");
    fat.resize(128, FREESECT);
    let mut out = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    out.resize(24, 0);
    for v in [0x3Eu16, 3, 0xFFFE, 9, 6] {
        out.extend(v.to_le_bytes());
    }
    out.resize(40, 0);
    for v in [0u32, 1, 1, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0] {
        out.extend(v.to_le_bytes());
    }
    out.extend(0u32.to_le_bytes());
    for _ in 1..109 {
        out.extend(FREESECT.to_le_bytes());
    }
    for v in fat {
        out.extend(v.to_le_bytes());
    }
    out.extend(entry("Root Entry", 5, ENDOFCHAIN, 0, 1));
    out.extend(entry(name, 2, 2, stream.len() as u32, NOSTREAM));
    out.extend(entry("", 0, 0, 0, NOSTREAM));
    out.extend(entry("", 0, 0, 0, NOSTREAM));
    stream.resize(n * 512, 0);
    out.extend(stream);
    out
}

/// An XLS file: [`workbook`] in [`compound`].
pub fn xls(name: &str, rows: &[Vec<V<'_>>], extra: &[Vec<u8>]) -> Vec<u8> {
    compound("Workbook", &workbook(name, rows, extra))
}

/// An ODS file with one sheet `name` whose `<table:table>` holds `table` (rows as XML).
pub fn ods(name: &str, table: &str) -> Vec<u8> {
    use std::io::Write;
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="{name}">{table}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default();
    for (part, text, how) in [
        (
            "mimetype",
            "application/vnd.oasis.opendocument.spreadsheet",
            stored,
        ),
        ("META-INF/manifest.xml", manifest, deflated),
        ("content.xml", content.as_str(), deflated),
    ] {
        w.start_file(part, how).expect("zip part");
        w.write_all(text.as_bytes()).expect("zip write");
    }
    w.finish().expect("zip").into_inner()
}

/// An ODS row of text cells.
pub fn ods_row(cells: &[&str]) -> String {
    let cells: String = cells
        .iter()
        .map(|c| {
            format!(
                r#"<table:table-cell office:value-type="string"><text:p>{c}</text:p></table:table-cell>"#
            )
        })
        .collect();
    format!("<table:table-row>{cells}</table:table-row>")
}
