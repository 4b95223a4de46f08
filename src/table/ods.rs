//! An ODS workbook's `content.xml`, checked before calamine builds its sheets.
//!
//! calamine builds every sheet of an ODS file when it opens it, and ODS compresses by count: a row
//! says how often it repeats (`table:number-rows-repeated`), a cell how often it repeats across
//! (`table:number-columns-repeated`), a run of spaces how long it is (`text:s text:c`). calamine
//! copies a repeated cell's text into every copy, and pushes a run's spaces one by one, so a
//! content.xml of a few hundred bytes can ask for gigabytes. It also reads on for ever when the
//! file ends inside a table or an annotation.
//!
//! This module walks content.xml the way calamine does (its tables, rows and cells, with the same
//! caps on repeats) and adds up what calamine will build: each sheet's grid (rows × columns, the
//! repeated rows spelled out) and the text copied into it. Over a limit, or cut off where calamine
//! would read for ever, the workbook is refused, naming the sheet and, for one cell, the cell.

use super::zipped::{Refusal, xml};
use crate::limits::{self, MAX_CELLS, MAX_SHEETS, MAX_TEXT_BYTES, MAX_VALUE_BYTES};
use quick_xml::events::{BytesStart, Event};
use std::borrow::Cow;

/// calamine's caps: rows beyond its row limit and columns beyond its column limit are dropped.
const CALAMINE_MAX_ROWS: usize = 1_048_576;
const CALAMINE_MAX_COLUMNS: usize = 16_384;

/// The attributes of a start tag as calamine reads them: `key="value"` or `key='value'` pairs,
/// stopping at the first malformed one (where calamine fails).
pub(super) fn raw_attrs(raw: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = raw;
    std::iter::from_fn(move || {
        let s = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
        let eq = s.find('=')?;
        let key = s[..eq].trim_end_matches(|c: char| c.is_ascii_whitespace());
        let v = s[eq + 1..].trim_start_matches(|c: char| c.is_ascii_whitespace());
        let quote = v.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        let body = &v[1..];
        let end = body.find(quote).unwrap_or(body.len());
        rest = body.get(end + 1..).unwrap_or("");
        Some((key, &body[..end]))
    })
}

fn attr<'a>(e: &'a BytesStart<'_>, key: &str) -> Option<&'a str> {
    raw_attrs(e.attributes_raw())
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

/// A count attribute as calamine parses it (after unescaping, when `unescape`); `Err` where
/// calamine fails.
fn count(value: Option<&str>, unescape: bool) -> Result<usize, ()> {
    let Some(v) = value else {
        return Ok(1);
    };
    let v: Cow<'_, str> = if unescape {
        quick_xml::escape::unescape(v).map_err(|_| ())?
    } else {
        Cow::Borrowed(v)
    };
    v.parse().map_err(|_| ())
}

/// Where the walk is, for messages.
struct Place<'a> {
    sheet: &'a str,
    row: usize,
    col: usize,
}

impl Place<'_> {
    fn refuse(&self, message: String) -> Refusal {
        Refusal {
            sheet: Some(self.sheet.to_string()),
            cell: Some((self.row + 1, self.col)),
            message,
        }
    }
}

fn malformed(what: &str) -> Refusal {
    Refusal::from(format!("content.xml is malformed ({what})"))
}

/// Walks content.xml: each table as calamine's `read_table` reads it.
pub fn check<R: std::io::BufRead>(r: R) -> Result<(), Refusal> {
    let mut x = xml(r);
    let mut buf = Vec::new();
    let mut totals = Totals::default();
    let mut sheets = 0;
    loop {
        buf.clear();
        match x.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.name().as_ref() == "table:table" => {
                let Some(name) = attr(&e, "table:name") else {
                    continue;
                };
                let name = quick_xml::escape::unescape(name)
                    .map_err(|_| malformed("a sheet name"))?
                    .into_owned();
                sheets += 1;
                if sheets > MAX_SHEETS {
                    return Err(format!(
                        "more than {} sheets (the limit of a workbook)",
                        limits::thousands(MAX_SHEETS as u64)
                    )
                    .into());
                }
                table(&mut x, &name, &mut totals)?;
            }
            Ok(Event::Eof) => return Ok(()),
            // calamine fails here too.
            Err(_) => return Ok(()),
            _ => {}
        }
    }
}

/// What all sheets so far make calamine build.
#[derive(Default)]
struct Totals {
    cells: u64,
    text: u64,
}

/// One sheet as its rows come: what calamine keeps of each row (every pushed cell and its text),
/// and the grid it will spell out of them (from the first row with a filled cell to the last,
/// each row as often as it repeats, all as wide as the widest filled row, from column A).
#[derive(Default)]
struct Sheet {
    /// Cells and text calamine holds before spelling out repeats.
    pushed: u64,
    pushed_text: u64,
    /// Whether a filled row was seen, and the repeats of the empty rows since the last one.
    started: bool,
    gap: u64,
    height: u64,
    width: u64,
    text: u64,
}

impl Sheet {
    fn add(&mut self, r: &Row) {
        self.pushed = self.pushed.saturating_add(r.pushed as u64);
        self.pushed_text = self.pushed_text.saturating_add(r.text);
        let repeats = r.repeats as u64;
        if r.extent == 0 {
            if self.started {
                self.gap = self.gap.saturating_add(repeats);
            }
            return;
        }
        self.started = true;
        self.height = self
            .height
            .saturating_add(std::mem::take(&mut self.gap))
            .saturating_add(repeats);
        self.width = self.width.max(r.extent as u64);
        self.text = self.text.saturating_add(repeats.saturating_mul(r.text));
    }

    /// Checks what calamine will hold against the workbook's limits, counting `totals` (the
    /// sheets before) too.
    fn check(&self, name: &str, totals: &Totals) -> Result<(), Refusal> {
        let refuse = |message: String| Refusal {
            sheet: Some(name.to_string()),
            cell: None,
            message,
        };
        let grid = self.height.saturating_mul(self.width);
        if totals.cells.saturating_add(grid.max(self.pushed)) > MAX_CELLS as u64 {
            return Err(refuse(format!(
                "its rows and cells, repeats spelled out, make {} rows × {} columns ({} cells held); a workbook may have at most {} cells",
                limits::thousands(self.height),
                limits::thousands(self.width),
                limits::thousands(self.pushed),
                limits::thousands(MAX_CELLS as u64)
            )));
        }
        let text = self.pushed_text.saturating_add(self.text);
        if totals.text.saturating_add(text) > MAX_TEXT_BYTES {
            return Err(refuse(format!(
                "its cells, repeats spelled out, hold more than {} of text, the limit of a workbook",
                limits::bytes(MAX_TEXT_BYTES)
            )));
        }
        Ok(())
    }
}

/// One row as calamine collects it before spelling out repeats.
struct Row {
    repeats: usize,
    /// Cells pushed: filled ones, and empty ones once any cell follows them.
    pushed: usize,
    /// The pushed width up to the end of the last filled cell (0: an empty row).
    extent: usize,
    /// Text bytes of the pushed cells (values and formulas).
    text: u64,
}

fn table<R: std::io::BufRead>(
    x: &mut quick_xml::Reader<R>,
    name: &str,
    totals: &mut Totals,
) -> Result<(), Refusal> {
    let mut sheet = Sheet::default();
    let mut total_rows = 0usize;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match x.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.name().as_ref() == "table:table-row" => {
                let repeats = count(attr(&e, "table:number-rows-repeated"), true)
                    .map_err(|()| malformed("a row repeat count"))?;
                let repeats = repeats.min(CALAMINE_MAX_ROWS.saturating_sub(total_rows));
                let place = Place {
                    sheet: name,
                    row: total_rows,
                    col: 0,
                };
                total_rows += repeats;
                let mut r = row(x, place)?;
                r.repeats = repeats;
                sheet.add(&r);
                // Checked row by row, so that a sheet is refused before its walk gets long.
                sheet.check(name, totals)?;
            }
            Ok(Event::End(e)) if e.name().as_ref() == "table:table" => break,
            // calamine would read on for ever past the end.
            Ok(Event::Eof) => {
                return Err(Refusal {
                    sheet: Some(name.to_string()),
                    cell: None,
                    message: "content.xml ends inside the sheet's table".into(),
                });
            }
            Err(_) => return Err(malformed("XML syntax")),
            _ => {}
        }
    }
    totals.cells += sheet.height.saturating_mul(sheet.width).max(sheet.pushed);
    totals.text += sheet.pushed_text.saturating_add(sheet.text);
    Ok(())
}

/// One row, as calamine's `read_row` reads it.
fn row<R: std::io::BufRead>(
    x: &mut quick_xml::Reader<R>,
    mut place: Place<'_>,
) -> Result<Row, Refusal> {
    let mut r = Row {
        repeats: 1,
        pushed: 0,
        extent: 0,
        text: 0,
    };
    let mut empties = 0usize;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match x.read_event_into(&mut buf) {
            Ok(Event::Start(e))
                if matches!(
                    e.name().as_ref(),
                    "table:table-cell" | "table:covered-table-cell"
                ) =>
            {
                let repeats = count(attr(&e, "table:number-columns-repeated"), false)
                    .map_err(|()| malformed("a cell repeat count"))?;
                let e = e.into_owned();
                place.col = r.pushed + empties;
                let (text, filled, closed) = cell(x, &e, &place)?;
                // Empty cells are pushed once any cell follows them; all is capped at
                // calamine's column limit.
                r.pushed += empties.min(CALAMINE_MAX_COLUMNS.saturating_sub(r.pushed));
                let repeats = repeats.min(CALAMINE_MAX_COLUMNS.saturating_sub(r.pushed));
                if filled {
                    empties = 0;
                    r.pushed += repeats;
                    r.extent = r.pushed;
                    r.text = r.text.saturating_add(text.saturating_mul(repeats as u64));
                } else {
                    empties = repeats;
                }
                if !closed {
                    x.read_to_end_into(e.name(), &mut Vec::new())
                        .map_err(|_| malformed("a cell is not closed"))?;
                }
            }
            Ok(Event::End(e)) if e.name().as_ref() == "table:table-row" => return Ok(r),
            // calamine fails on anything else in a row.
            _ => return Err(malformed("a row holds something other than cells")),
        }
    }
}

/// One cell as calamine's `get_datatype` reads it: the bytes of its text (value and formula),
/// whether calamine pushes it (it has a value or a formula), and whether its end tag was read.
fn cell<R: std::io::BufRead>(
    x: &mut quick_xml::Reader<R>,
    e: &BytesStart<'_>,
    place: &Place<'_>,
) -> Result<(u64, bool, bool), Refusal> {
    let (mut is_string, mut is_error, mut value_set) = (false, false, false);
    let (mut value, mut formula, mut has_value) = (0u64, 0u64, false);
    let mut string_value_empty = false;
    // The walk stops at the first byte over, so the message gives the limit, not the length.
    let too_long = || {
        place.refuse(format!(
            "a value longer than {}, the limit of one cell (1 MiB)",
            limits::bytes(MAX_VALUE_BYTES as u64)
        ))
    };
    for (key, v) in raw_attrs(e.attributes_raw()) {
        match key {
            "office:value" | "office:boolean-value" if !value_set => {
                (value_set, has_value) = (true, true);
            }
            "office:string-value" | "office:date-value" | "office:time-value" if !value_set => {
                (value_set, has_value) = (true, true);
                value = v.len() as u64;
                string_value_empty = key == "office:string-value" && v.is_empty();
            }
            "office:value-type" if !value_set => is_string = v == "string",
            "calcext:value-type" => is_error = v == "error",
            "table:formula" => formula = v.len() as u64,
            _ => {}
        }
    }
    if value.max(formula) > MAX_VALUE_BYTES as u64 {
        return Err(too_long());
    }
    if !((!value_set && is_string) || (is_error && string_value_empty)) {
        return Ok((value + formula, has_value || formula > 0, false));
    }
    // The text is the cell's content: paragraphs joined by line breaks, runs of spaces spelled
    // out, annotations left out.
    let mut text = 0u64;
    let mut first_paragraph = true;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let grow = match x.read_event_into(&mut buf) {
            Ok(Event::Text(t)) => t.xml10_content().len() as u64,
            // An entity or character reference: at most four bytes of UTF-8.
            Ok(Event::GeneralRef(_)) => 4,
            Ok(Event::End(end))
                if matches!(
                    end.name().as_ref(),
                    "table:table-cell" | "table:covered-table-cell"
                ) =>
            {
                return Ok((text + formula, true, true));
            }
            Ok(Event::Start(s)) if s.name().as_ref() == "office:annotation" => {
                annotation(x)?;
                0
            }
            Ok(Event::Start(s)) if s.name().as_ref() == "text:p" => {
                u64::from(!std::mem::replace(&mut first_paragraph, false))
            }
            Ok(Event::Start(s)) if s.name().as_ref() == "text:s" => {
                count(attr(&s, "text:c"), true).map_err(|()| malformed("a run of spaces"))? as u64
            }
            Ok(Event::Start(s)) if matches!(s.name().as_ref(), "text:tab" | "text:line-break") => 1,
            Ok(Event::Eof) | Err(_) => return Err(malformed("a cell is not closed")),
            _ => 0,
        };
        text = text.saturating_add(grow);
        if text > MAX_VALUE_BYTES as u64 {
            return Err(too_long());
        }
    }
}

/// Skips an annotation as calamine does (to its end tag); calamine reads on for ever when the
/// file ends inside one.
fn annotation<R: std::io::BufRead>(x: &mut quick_xml::Reader<R>) -> Result<(), Refusal> {
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match x.read_event_into(&mut buf) {
            Ok(Event::End(e)) if e.name().as_ref() == "office:annotation" => return Ok(()),
            Ok(Event::Eof) => return Err(malformed("the file ends inside an annotation")),
            Err(_) => return Err(malformed("XML syntax")),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(table: &str) -> String {
        format!(
            r#"<?xml version="1.0"?><office:document-content><office:body><office:spreadsheet><table:table table:name="事项">{table}</table:table></office:spreadsheet></office:body></office:document-content>"#
        )
    }

    const CELL: &str =
        r#"<table:table-cell office:value-type="string"><text:p>甲</text:p></table:table-cell>"#;

    #[test]
    fn attributes_read_as_calamine_reads_them() {
        let got: Vec<_> = raw_attrs(r#" a="1" b = '2'  c="x>y""#).collect();
        assert_eq!(got, [("a", "1"), ("b", "2"), ("c", "x>y")]);
        assert_eq!(raw_attrs("a=1 b='2'").count(), 0);
    }

    #[test]
    fn an_ordinary_sheet_passes() {
        let rows = format!("<table:table-row>{CELL}{CELL}</table:table-row>").repeat(50);
        // Trailing empty rows and columns, as office suites write them, cost nothing.
        let tail = r#"<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#;
        assert_eq!(check(content(&(rows + tail)).as_bytes()), Ok(()));
    }

    #[test]
    fn repeats_that_spell_out_too_much_are_refused() {
        let wide = r#"<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/></table:table-row>"#;
        let err = check(content(wide).as_bytes()).unwrap_err();
        assert_eq!(err.sheet.as_deref(), Some("事项"));
        assert!(err.message.contains("cells"), "{err:?}");
        // A 60 KB string repeated in 20,000 rows: 1.2 GB of copies.
        let long = "长".repeat(20_000);
        let copies = format!(
            r#"<table:table-row table:number-rows-repeated="20000"><table:table-cell office:value-type="string"><text:p>{long}</text:p></table:table-cell></table:table-row>"#
        );
        let err = check(content(&copies).as_bytes()).unwrap_err();
        assert!(err.message.contains("text"), "{err:?}");
    }

    #[test]
    fn a_run_of_spaces_beyond_the_value_limit_names_its_cell() {
        let spaces = format!(
            r#"<table:table-row>{CELL}</table:table-row><table:table-row>{CELL}<table:table-cell office:value-type="string"><text:p>a<text:s text:c="4000000000"/></text:p></table:table-cell></table:table-row>"#
        );
        let err = check(content(&spaces).as_bytes()).unwrap_err();
        assert_eq!(err.cell, Some((2, 1)), "{err:?}");
        assert!(
            err.message.contains("longer than 1,048,576 bytes"),
            "{err:?}"
        );
    }

    #[test]
    fn a_file_ending_inside_a_table_or_annotation_is_refused() {
        let cut = content(&format!("<table:table-row>{CELL}</table:table-row>"));
        let cut = &cut[..cut.find("</table:table>").unwrap()];
        assert!(check(cut.as_bytes()).is_err());
        let note = r#"<table:table-row><table:table-cell office:value-type="string"><office:annotation><text:p>x"#;
        assert!(check(content(note).as_bytes()).is_err());
    }
}
