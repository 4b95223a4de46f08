//! The records of an XLS workbook stream (BIFF), checked before calamine parses them.
//!
//! calamine builds every sheet of an XLS file when it opens it, and sizes what it builds from the
//! records: a DIMENSIONS record reserves rows × columns cells at once, a sheet's cells become one
//! dense grid spanning the farthest cell, every cell that names a shared string gets its own copy
//! of it, and a formula is spelled out with the sheet and defined names it refers to. A file of a
//! few hundred bytes can so ask for gigabytes, and an allocation that fails aborts the process.
//!
//! This module walks the same records the same way (the globals up to their EOF, then each sheet
//! from the offset its BOUNDSHEET record gives to its EOF) and adds up what calamine will build:
//! the cells of each sheet's grid (values and formulas), and an upper bound of the text of its
//! strings. Anything above the limits of [`crate::limits`] is refused before calamine runs, naming
//! the sheet; so are sheets whose records overlap (calamine would read them again for each sheet
//! that points into them) and records continued absurdly often.

use crate::limits::{self, MAX_CELLS, MAX_COLUMNS, MAX_SHEETS, MAX_TEXT_BYTES};

/// The most CONTINUE records one record may have. calamine takes each continuation off the
/// front of a list, so its work grows with the square of their number; 32,768 continuations of
/// 8,224 bytes hold 270 MB of shared strings, more than any real sheet.
const MAX_CONTINUES: usize = 32_768;

/// Record types calamine acts on.
mod typ {
    pub const BOF: u16 = 0x0809;
    pub const EOF: u16 = 0x000A;
    pub const CODEPAGE: u16 = 0x0042;
    pub const BOUNDSHEET: u16 = 0x0085;
    pub const LBL: u16 = 0x0018;
    pub const SST: u16 = 0x00FC;
    pub const CONTINUE: u16 = 0x003C;
    pub const DIMENSIONS: u16 = 0x0200;
    pub const NUMBER: u16 = 0x0203;
    pub const LABEL: u16 = 0x0204;
    pub const RSTRING: u16 = 0x00D6;
    pub const BOOLERR: u16 = 0x0205;
    pub const STRING: u16 = 0x0207;
    pub const RK: u16 = 0x027E;
    pub const LABELSST: u16 = 0x00FD;
    pub const MULRK: u16 = 0x00BD;
    pub const FORMULA: u16 = 0x0006;
}

/// Why a workbook stream is refused: what is wrong, and the sheet it is in, when it is in one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub sheet: Option<String>,
    pub message: String,
}

fn refuse(sheet: Option<&str>, message: impl Into<String>) -> Refusal {
    Refusal {
        sheet: sheet.map(str::to_string),
        message: message.into(),
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
        *b.get(at + 2)?,
        *b.get(at + 3)?,
    ]))
}

/// One record with its continuations, as calamine's record iterator yields it.
struct Record<'a> {
    typ: u16,
    data: &'a [u8],
    cont: std::collections::VecDeque<&'a [u8]>,
}

impl<'a> Record<'a> {
    fn continue_record(&mut self) -> bool {
        match self.cont.pop_front() {
            Some(next) => {
                self.data = next;
                true
            }
            None => false,
        }
    }

    fn skip(&mut self, mut len: usize) -> Option<()> {
        while len > 0 {
            if self.data.is_empty() && !self.continue_record() {
                return None;
            }
            let l = len.min(self.data.len());
            self.data = &self.data[l..];
            len -= l;
        }
        Some(())
    }
}

/// The records from `at` on, each with its continuations; `Err` where calamine's iterator fails
/// (a record running past the end of the stream).
struct Records<'a> {
    stream: &'a [u8],
    base: usize,
    at: usize,
}

impl<'a> Records<'a> {
    fn new(stream: &'a [u8], at: usize) -> Self {
        Records {
            stream: &stream[at..],
            base: at,
            at: 0,
        }
    }

    /// The offset in the whole stream where the next record starts.
    fn offset(&self) -> usize {
        self.base + self.at
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, Refusal>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = &self.stream[self.at..];
        if rest.is_empty() {
            return None;
        }
        let cut = |at: usize| {
            Some(Err(refuse(
                None,
                format!("XLS record at byte {at} runs past the end of the workbook stream"),
            )))
        };
        let (Some(t), Some(len)) = (u16_at(rest, 0), u16_at(rest, 2)) else {
            return cut(self.offset());
        };
        let len = len as usize;
        if rest.len() < len + 4 {
            return cut(self.offset());
        }
        let start = self.offset();
        let data = &rest[4..4 + len];
        self.at += 4 + len;
        let mut cont = std::collections::VecDeque::new();
        // calamine looks for continuations only when more than a record header follows.
        while self.stream.len() - self.at > 4 && u16_at(self.stream, self.at) == Some(typ::CONTINUE)
        {
            let rest = &self.stream[self.at..];
            let len = u16_at(rest, 2).unwrap_or(0) as usize;
            if rest.len() < len + 4 {
                return cut(self.offset());
            }
            cont.push_back(&rest[4..4 + len]);
            self.at += 4 + len;
            if cont.len() > MAX_CONTINUES {
                return Some(Err(refuse(
                    None,
                    format!(
                        "XLS record at byte {start} is continued more than {} times",
                        limits::thousands(MAX_CONTINUES as u64)
                    ),
                )));
            }
        }
        Some(Ok(Record { typ: t, data, cont }))
    }
}

/// What the globals (the records before the first EOF) say that sizes the sheets.
#[derive(Default)]
struct Globals {
    /// (stream offset, name) of every BOUNDSHEET record, in order.
    sheets: Vec<(usize, String)>,
    /// An upper bound of the UTF-8 length of each shared string, by index.
    strings: Vec<u64>,
    /// The longest sheet or defined name a formula may spell out, in UTF-8 bytes.
    longest_name: u64,
    /// UTF-8 bytes one stored character may decode to: 3 from UTF-16 (the usual code page
    /// 1200), 6 from a legacy code page (two bytes, each possibly a replacement character).
    per_char: u64,
    /// Where the globals end (after their EOF).
    end: usize,
}

/// Checks a workbook stream. `Ok` means calamine can build what it describes within the limits.
pub fn check(stream: &[u8]) -> Result<(), Refusal> {
    let globals = globals(stream)?;
    let mut budget = Budget::default();
    budget.text(
        None,
        globals.strings.iter().sum::<u64>(),
        "its shared strings",
    )?;
    // Each sheet's records, in stream order, must not overlap each other or the globals.
    let mut spans = vec![(0, globals.end, None)];
    for (pos, name) in &globals.sheets {
        let end = sheet(stream, *pos, name, &globals, &mut budget)?;
        spans.push((*pos, end, Some(name.as_str())));
    }
    spans.sort_by_key(|s| (s.0, s.1));
    for w in spans.windows(2) {
        if w[1].0 < w[0].1 {
            let name = w[1].2.or(w[0].2);
            return Err(refuse(
                name,
                "its records overlap another sheet's (the BOUNDSHEET offsets are inconsistent)",
            ));
        }
    }
    Ok(())
}

fn globals(stream: &[u8]) -> Result<Globals, Refusal> {
    let mut g = Globals {
        per_char: 3,
        ..Globals::default()
    };
    let mut biff8 = true;
    let mut records = Records::new(stream, 0);
    for r in records.by_ref() {
        let mut r = r?;
        match r.typ {
            typ::CODEPAGE => {
                // calamine decodes 8-bit strings with the code page; only UTF-16 keeps to 3.
                let utf16 = matches!(u16_at(r.data, 0), Some(1200 | 1201));
                g.per_char = if utf16 { 3 } else { 6 };
            }
            typ::BOF => {
                // BIFF8 (0x0600), or a version calamine reads as BIFF8; earlier versions store
                // strings without the flags byte.
                let version = u16_at(r.data, 0);
                let early = matches!(
                    version,
                    Some(0x0200 | 0x0002 | 0x0007 | 0x0300 | 0x0400 | 0x0500)
                ) || (version == Some(0) && u16_at(r.data, 2) == Some(0x1000));
                biff8 = !early;
            }
            typ::BOUNDSHEET => {
                let pos = u32_at(r.data, 0).unwrap_or(0) as usize;
                let cch = r.data.get(6).copied().unwrap_or(0);
                g.longest_name = g.longest_name.max(u64::from(cch) * g.per_char);
                let name = short_string(r.data.get(6..).unwrap_or_default(), biff8);
                if g.sheets.len() == MAX_SHEETS {
                    return Err(refuse(
                        None,
                        format!(
                            "more than {} sheets (the limit of a workbook)",
                            limits::thousands(MAX_SHEETS as u64)
                        ),
                    ));
                }
                if pos >= stream.len() {
                    return Err(refuse(
                        Some(&name),
                        format!(
                            "its records are said to start at byte {pos}, beyond the {}-byte workbook stream",
                            stream.len()
                        ),
                    ));
                }
                g.sheets.push((pos, name));
            }
            typ::LBL => {
                let cch = r.data.get(3).copied().unwrap_or(0);
                g.longest_name = g.longest_name.max(u64::from(cch) * g.per_char);
            }
            typ::SST => {
                g.strings = shared_strings(&mut r, g.per_char)
                    .ok_or_else(|| refuse(None, "the shared string table (SST) is malformed"))?;
            }
            typ::EOF => break,
            _ => {}
        }
    }
    g.end = records.offset();
    // "#REF" and "#REF!" stand in for names that are missing.
    g.longest_name = g.longest_name.max(8);
    Ok(g)
}

/// A sheet name for messages (`ShortXLUnicodeString`: a length, in BIFF8 a flags byte, then
/// UTF-16 or 8-bit characters).
fn short_string(b: &[u8], biff8: bool) -> String {
    let Some(&cch) = b.first() else {
        return String::new();
    };
    let cch = cch as usize;
    let (wide, chars) = if biff8 {
        (
            b.get(1).is_some_and(|f| f & 1 != 0),
            b.get(2..).unwrap_or_default(),
        )
    } else {
        (false, b.get(1..).unwrap_or_default())
    };
    let name = if wide {
        let units: Vec<u16> = chars
            .chunks_exact(2)
            .take(cch)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        chars.iter().take(cch).map(|&c| char::from(c)).collect()
    };
    name.replace('\0', "")
}

/// The shared string table as calamine reads it (`XLUnicodeRichExtendedString`s across
/// CONTINUE records): an upper bound of each string's UTF-8 length, or `None` where calamine
/// would fail.
fn shared_strings(r: &mut Record<'_>, per_char: u64) -> Option<Vec<u64>> {
    r.data = r.data.get(8..)?;
    let mut sizes = Vec::new();
    while !r.data.is_empty() || r.continue_record() {
        if r.data.is_empty() {
            sizes.push(0);
            continue;
        }
        if r.data.len() < 3 {
            return None;
        }
        let cch = u16_at(r.data, 0)? as usize;
        let flags = r.data[2];
        r.data = &r.data[3..];
        let mut runs = 0;
        if flags & 0x8 != 0 {
            runs = u16_at(r.data, 0)? as usize;
            r.data = r.data.get(2..)?;
        }
        let mut ext = 0;
        if flags & 0x4 != 0 {
            // A negative size is sign-extended, as calamine does: the skip then fails.
            ext = u32_at(r.data, 0)? as i32 as isize as usize;
            r.data = r.data.get(4..)?;
        }
        // The characters, one or two bytes each, switching at each continuation.
        let (mut left, mut wide) = (cch, flags & 1 != 0);
        while left > 0 {
            let l = if wide {
                (r.data.len() / 2).min(left)
            } else {
                r.data.len().min(left)
            };
            r.data = &r.data[if wide { 2 * l } else { l }..];
            left -= l;
            if left > 0 {
                if !r.continue_record() {
                    return None;
                }
                wide = r.data.first()? & 1 != 0;
                r.data = &r.data[1..];
            }
        }
        sizes.push(cch as u64 * per_char);
        r.skip(runs * 4)?;
        r.skip(ext)?;
    }
    Some(sizes)
}

/// The cells and text of the whole workbook so far.
#[derive(Default)]
struct Budget {
    cells: u64,
    text: u64,
}

impl Budget {
    fn cells(&mut self, sheet: &str, n: u64, what: &str) -> Result<(), Refusal> {
        self.cells = self.cells.saturating_add(n);
        if self.cells > MAX_CELLS as u64 {
            return Err(refuse(
                Some(sheet),
                format!(
                    "{what} bring the workbook to {} cells, above the limit of {}",
                    limits::thousands(self.cells),
                    limits::thousands(MAX_CELLS as u64)
                ),
            ));
        }
        Ok(())
    }

    fn text(&mut self, sheet: Option<&str>, n: u64, what: &str) -> Result<(), Refusal> {
        self.text = self.text.saturating_add(n);
        if self.text > MAX_TEXT_BYTES {
            return Err(refuse(
                sheet,
                format!(
                    "{what} bring the workbook's text to more than {}, the limit",
                    limits::bytes(MAX_TEXT_BYTES)
                ),
            ));
        }
        Ok(())
    }
}

/// The smallest rectangle holding some cells.
#[derive(Default)]
struct Span(Option<((u32, u32), (u32, u32))>);

impl Span {
    fn add(&mut self, row: u32, col: u32) {
        self.0 = Some(match self.0 {
            None => ((row, col), (row, col)),
            Some(((r0, c0), (r1, c1))) => ((r0.min(row), c0.min(col)), (r1.max(row), c1.max(col))),
        });
    }

    /// How many cells a dense grid over the rectangle has, widened to column A: calamine's
    /// grid spans the rectangle, and the rows this tool makes of it start at column A.
    fn cells(&self) -> u64 {
        self.0.map_or(0, |((r0, _), (r1, c1))| {
            u64::from(r1 - r0 + 1) * (u64::from(c1) + 1)
        })
    }

    fn far_column(&self) -> u32 {
        self.0.map_or(0, |(_, (_, c1))| c1)
    }
}

/// One sheet's records from `pos` to its EOF: the grids calamine will build (values and
/// formulas) counted against the budget. Returns where the sheet's records end.
fn sheet(
    stream: &[u8],
    pos: usize,
    name: &str,
    g: &Globals,
    budget: &mut Budget,
) -> Result<usize, Refusal> {
    let in_sheet = |e: Refusal| Refusal {
        sheet: Some(name.to_string()),
        ..e
    };
    let (mut values, mut formulas) = (Span::default(), Span::default());
    let mut text = 0u64;
    let mut formula_pos = (0u32, 0u32);
    let (mut seen_bof, mut depth) = (false, 0usize);
    let mut records = Records::new(stream, pos);
    for r in records.by_ref() {
        let r = r.map_err(in_sheet)?;
        let d = r.data;
        // Embedded substreams (charts) are skipped, as calamine skips them.
        if depth > 0 {
            match r.typ {
                typ::BOF => depth += 1,
                typ::EOF => depth -= 1,
                _ => {}
            }
            continue;
        }
        let cell = |d: &[u8]| Some((u32::from(u16_at(d, 0)?), u32::from(u16_at(d, 2)?)));
        match r.typ {
            typ::BOF if seen_bof => depth += 1,
            typ::BOF => seen_bof = true,
            typ::DIMENSIONS => {
                // calamine reserves room for this many cells at once.
                if let Some(n) = dimensions(d)
                    && n > MAX_CELLS as u64
                {
                    return Err(refuse(
                        Some(name),
                        format!(
                            "its DIMENSIONS record declares {} cells, above the limit of {}",
                            limits::thousands(n),
                            limits::thousands(MAX_CELLS as u64)
                        ),
                    ));
                }
            }
            typ::NUMBER | typ::BOOLERR | typ::RK | typ::LABELSST if d.len() >= 8 => {
                let (row, col) = cell(d).unwrap_or_default();
                values.add(row, col);
                if r.typ == typ::LABELSST && d.len() >= 10 {
                    let index = u32_at(d, 6).unwrap_or(0) as usize;
                    // Each such cell gets a copy of the string.
                    text += g.strings.get(index).copied().unwrap_or(0);
                }
            }
            typ::LABEL | typ::RSTRING if d.len() >= 6 => {
                let (row, col) = cell(d).unwrap_or_default();
                values.add(row, col);
                text += u64::from(u16_at(d, 6).unwrap_or(0)) * g.per_char;
            }
            typ::STRING => {
                values.add(formula_pos.0, formula_pos.1);
                text += u64::from(u16_at(d, 0).unwrap_or(0)) * g.per_char;
            }
            typ::MULRK if d.len() >= 6 => {
                let (row, first) = cell(d).unwrap_or_default();
                let count = (d.len() - 6) / 6;
                if count > 0 {
                    values.add(row, first);
                    values.add(row, first + count as u32 - 1);
                }
            }
            typ::FORMULA if d.len() >= 20 => {
                formula_pos = cell(d).unwrap_or_default();
                values.add(formula_pos.0, formula_pos.1);
                formulas.add(formula_pos.0, formula_pos.1);
                // Each token spells out at most one name or a short fixed text; a formula that
                // cannot be spelled is replaced by a message of about a hundred bytes.
                text += (d.len() - 20) as u64 * (g.longest_name + 32) + 256;
            }
            typ::EOF => break,
            _ => {}
        }
    }
    for span in [&values, &formulas] {
        let far = span.far_column() as usize;
        if far >= MAX_COLUMNS {
            return Err(refuse(
                Some(name),
                format!(
                    "it has a cell in column {}, beyond the {} columns a sheet may have",
                    limits::thousands(far as u64 + 1),
                    limits::thousands(MAX_COLUMNS as u64)
                ),
            ));
        }
    }
    budget.cells(name, values.cells(), "its cells")?;
    budget.cells(name, formulas.cells(), "its formula cells")?;
    budget.text(Some(name), text, "its cells")?;
    Ok(records.offset())
}

/// The cells calamine reserves for a DIMENSIONS record (its arithmetic, wrapping as a release
/// build does), or `None` when it would reject the record.
fn dimensions(d: &[u8]) -> Option<u64> {
    let (rf, rl, mut cf, cl) = match d.len() {
        10 => (
            u32::from(u16_at(d, 0)?),
            u32::from(u16_at(d, 2)?),
            u32::from(u16_at(d, 4)?),
            u32::from(u16_at(d, 6)?),
        ),
        14 | 16 => (
            u32_at(d, 0)?,
            u32_at(d, 4)?,
            u32::from(u16_at(d, 8)?),
            u32::from(u16_at(d, 10)?),
        ),
        _ => return None,
    };
    if 0xFF < cf || cl < cf {
        cf = 0;
    }
    let (start, end) = if rl >= 1 && cl >= 1 {
        ((rf, cf), (rl - 1, cl - 1))
    } else {
        ((rf, cf), (rf, cf))
    };
    let rows = end.0.wrapping_sub(start.0).wrapping_add(1);
    let cols = end.1.wrapping_sub(start.1).wrapping_add(1);
    Some(u64::from(rows) * u64::from(cols))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::testbook::{V, cell, record, workbook};

    fn small() -> Vec<Vec<V<'static>>> {
        vec![
            vec![V::S("事项编码"), V::S("事项名称")],
            vec![V::S("A-1"), V::N(3.0)],
        ]
    }

    #[test]
    fn a_small_workbook_passes() {
        assert_eq!(check(&workbook("事项", &small(), &[])), Ok(()));
    }

    #[test]
    fn far_cells_and_huge_dimensions_are_refused_naming_the_sheet() {
        // A cell far down and right: a grid of 65,536 rows × 16,001 columns.
        let far = cell(typ::NUMBER, 65_535, 16_000, &[0; 10]);
        let err = check(&workbook("事项", &small(), &[far])).unwrap_err();
        assert_eq!(err.sheet.as_deref(), Some("事项"));
        assert!(err.message.contains("cells"), "{err:?}");
        let wide = cell(typ::RK, 3, 40_000, &[0; 6]);
        let err = check(&workbook("事项", &small(), &[wide])).unwrap_err();
        assert!(err.message.contains("column 40,001"), "{err:?}");
        let mut dims = 0u32.to_le_bytes().to_vec();
        dims.extend(u32::MAX.to_le_bytes());
        dims.extend([0, 0, 0xFF, 0, 0, 0]);
        let err = check(&workbook(
            "事项",
            &small(),
            &[record(typ::DIMENSIONS, &dims)],
        ))
        .unwrap_err();
        assert!(err.message.contains("DIMENSIONS"), "{err:?}");
    }

    #[test]
    fn copies_of_a_long_shared_string_count_against_the_text_limit() {
        let long = "长".repeat(30_000);
        let mut rows = vec![vec![V::S(&long)]];
        rows.extend((0..20).map(|_| vec![V::N(1.0)]));
        let base = workbook("事项", &rows, &[]);
        assert_eq!(check(&base), Ok(()));
        // Fifty thousand cells that each show the 90,000-byte string: 4.5 GB of copies.
        let copies: Vec<Vec<u8>> = (0..50_000u32)
            .map(|i| {
                let mut rest = 0u16.to_le_bytes().to_vec();
                rest.extend(0u32.to_le_bytes());
                cell(
                    typ::LABELSST,
                    (i % 60_000) as u16,
                    (i / 60_000) as u16,
                    &rest,
                )
            })
            .collect();
        let err = check(&workbook("事项", &rows, &copies)).unwrap_err();
        assert!(err.message.contains("text"), "{err:?}");
    }

    #[test]
    fn sheets_pointing_into_each_other_are_refused() {
        let wb = workbook("事项", &small(), &[]);
        // The BOUNDSHEET record follows the 20-byte BOF; a copy of it is inserted after it, and
        // both are pointed at the sheet's records, which move by the inserted length.
        let len = 4 + u16_at(&wb, 22).unwrap() as usize;
        let bound = wb[20..20 + len].to_vec();
        let pos = u32_at(&bound, 4).unwrap() + len as u32;
        let mut wb = [&wb[..20], &bound, &wb[20..]].concat();
        for at in [24, 24 + len] {
            wb[at..at + 4].copy_from_slice(&pos.to_le_bytes());
        }
        let err = check(&wb);
        assert!(
            err.as_ref().is_err_and(|e| e.message.contains("overlap")),
            "{err:?}"
        );
    }

    #[test]
    fn a_record_cut_short_is_refused() {
        let mut wb = workbook("事项", &small(), &[]);
        wb.truncate(wb.len() - 3);
        assert!(check(&wb).is_err());
    }
}
