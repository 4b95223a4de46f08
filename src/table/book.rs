//! Reading workbooks (XLSX, XLS, ODS) into raw sheets, within the limits of [`crate::limits`].
//!
//! The reader is calamine. A workbook reaches it only after its structure has been checked
//! against the file (the OLE2 container and BIFF records of an XLS file, the zip directory and
//! the count-carrying parts of XLSX and ODS files: [`super::cfb`], [`super::biff`],
//! [`super::zipped`], [`super::ods`]), because calamine sizes what it allocates from what the file
//! declares and an allocation that fails aborts the process. calamine then runs under
//! [`super::guard::quietly`], so that what it still trips over is an input error too.
//!
//! The format is told by the file's first bytes, not its extension: an `.xlsx` that is really an
//! old binary workbook is read as one.
//!
//! XLSX sheets are streamed cell by cell, each cell checked as it comes; XLS and ODS sheets come
//! whole from calamine (it builds them when it opens the file), already bounded by the checks.

use super::{Sheet, Workbook, biff, cfb, column_letter, guard, zipped};
use crate::error::{Error, Result};
use crate::limits::{
    self, MAX_CELLS, MAX_COLUMNS, MAX_ROWS, MAX_SHEETS, MAX_SPREADSHEET_BYTES, MAX_TEXT_BYTES,
    MAX_VALUE_BYTES,
};
use crate::location::Location;
use calamine::{Data, DataRef, Reader};
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// What every refusal of an unreadable workbook starts with.
const UNREADABLE: &str = "not a readable spreadsheet (xlsx, xls or ods)";

fn unreadable(file: &str, why: impl std::fmt::Display) -> Error {
    Error::input(file, Location::File, format!("{UNREADABLE}: {why}"))
}

fn malformed(file: &str, why: impl std::fmt::Display) -> Error {
    unreadable(file, format_args!("the workbook is malformed: {why}"))
}

/// Reads every sheet of an XLSX (or XLS/ODS) workbook, merged regions filled.
pub fn read_xlsx(path: &Path) -> Result<Workbook> {
    let file = path.display().to_string();
    let read_error = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(read_error)?;
    // The workbook is opened here: it must be a regular file (a FIFO would block).
    if !meta.is_file() {
        return Err(read_error(crate::files::not_regular(meta.file_type())));
    }
    let size = meta.len();
    check_size(&file, size)?;
    let mut f = std::fs::File::open(path).map_err(read_error)?;
    let mut magic = Vec::with_capacity(8);
    (&mut f)
        .take(8)
        .read_to_end(&mut magic)
        .map_err(read_error)?;
    f.seek(SeekFrom::Start(0)).map_err(read_error)?;
    let sheets = if magic == cfb::SIGNATURE {
        let mut bytes = Vec::with_capacity(size as usize);
        f.read_to_end(&mut bytes).map_err(read_error)?;
        xls(&file, bytes)?
    } else if magic.starts_with(b"PK") {
        let kind = zipped::check(&mut f).map_err(|r| zip_refusal(&file, r))?;
        f.seek(SeekFrom::Start(0)).map_err(read_error)?;
        let reader = BufReader::new(f);
        match kind {
            zipped::Kind::Xlsx => read_guarded(&file, || {
                let mut book = calamine::Xlsx::new(reader).map_err(|e| unreadable(&file, e))?;
                xlsx_sheets(&file, &mut book)
            })?,
            zipped::Kind::Ods => read_guarded(&file, || {
                let mut book = calamine::Ods::new(reader).map_err(|e| unreadable(&file, e))?;
                range_sheets(&file, &mut book)
            })?,
            zipped::Kind::Xlsb => {
                return Err(unreadable(
                    &file,
                    "XLSB (binary) workbooks are not read; save it as XLSX",
                ));
            }
        }
    } else {
        return Err(unreadable(
            &file,
            "it starts with neither a zip (XLSX, ODS) nor an OLE2 (XLS) signature",
        ));
    };
    Ok(Workbook {
        file,
        sheets,
        encoding: None,
    })
}

/// A spreadsheet file above [`MAX_SPREADSHEET_BYTES`] is refused before it is read.
pub(super) fn check_size(file: &str, size: u64) -> Result<()> {
    if size > MAX_SPREADSHEET_BYTES {
        return Err(Error::input(
            file,
            Location::File,
            format!(
                "the file has {}; spreadsheets are read up to {} (512 MiB)",
                limits::bytes(size),
                limits::bytes(MAX_SPREADSHEET_BYTES)
            ),
        ));
    }
    Ok(())
}

/// An XLS file: the compound file and its workbook stream checked, then calamine.
fn xls(file: &str, bytes: Vec<u8>) -> Result<Vec<Sheet>> {
    let stream = cfb::Compound::open(&bytes)
        .and_then(|c| c.stream(&["Workbook", "Book"]))
        .map_err(|e| malformed(file, e))?;
    // Without a workbook stream calamine says so itself.
    if let Some(stream) = stream {
        biff::check(&stream).map_err(|r| match r.sheet {
            Some(sheet) => Error::input(file, Location::Sheet(sheet), r.message),
            None => malformed(file, r.message),
        })?;
    }
    read_guarded(file, || {
        let mut book =
            calamine::Xls::new(std::io::Cursor::new(bytes)).map_err(|e| unreadable(file, e))?;
        range_sheets(file, &mut book)
    })
}

fn zip_refusal(file: &str, r: zipped::Refusal) -> Error {
    match (r.sheet, r.cell) {
        (Some(sheet), Some((row, col))) => Error::input(
            file,
            Location::Described(format!("sheet {sheet} {}{row}", column_letter(col))),
            r.message,
        ),
        (Some(sheet), None) => Error::input(file, Location::Sheet(sheet), r.message),
        _ => malformed(file, r.message),
    }
}

/// Runs calamine's part of reading; a panic in it is the workbook's fault (see [`guard`]).
fn read_guarded(file: &str, read: impl FnOnce() -> Result<Vec<Sheet>>) -> Result<Vec<Sheet>> {
    guard::quietly(read).unwrap_or_else(|panic| {
        Err(malformed(
            file,
            format_args!("the spreadsheet reader failed on it ({panic})"),
        ))
    })
}

/// The text of a cell, as a reviewer reads it: numbers without a trailing `.0`, Excel dates as
/// ISO dates, booleans as 是/否.
fn cell_text(d: &Data) -> String {
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

/// [`cell_text`] of a streamed XLSX cell; a shared string is measured before it is copied.
fn cell_ref_text(d: &DataRef<'_>) -> (usize, Option<String>) {
    match d {
        DataRef::SharedString(s) if s.len() > MAX_VALUE_BYTES => (s.len(), None),
        DataRef::SharedString(s) => (s.len(), Some(s.to_string())),
        DataRef::String(s) => (s.len(), Some(s.clone())),
        other => {
            let text = cell_text(&Data::from(other.clone()));
            (text.len(), Some(text))
        }
    }
}

/// What the sheets read so far hold, against the workbook's limits; and the sheet being read.
struct Budget<'a> {
    file: &'a str,
    cells: u64,
    text: u64,
}

impl<'a> Budget<'a> {
    fn new(file: &'a str) -> Self {
        Budget {
            file,
            cells: 0,
            text: 0,
        }
    }

    fn sheet_error(&self, sheet: &str, message: String) -> Error {
        Error::input(self.file, Location::Sheet(sheet.to_string()), message)
    }

    /// A cell in (0-based) row `row` and column `col` (or the last row and column of a grid):
    /// within the rows and columns a sheet may have.
    fn place(&self, sheet: &str, row: usize, last_col: usize) -> Result<()> {
        if row >= MAX_ROWS {
            return Err(self.sheet_error(
                sheet,
                format!(
                    "a cell in row {}; a sheet may have at most {} rows",
                    limits::thousands(row as u64 + 1),
                    limits::thousands(MAX_ROWS as u64)
                ),
            ));
        }
        if last_col >= MAX_COLUMNS {
            return Err(self.sheet_error(
                sheet,
                format!(
                    "a cell in column {} (the {}th); a sheet may have at most {} columns (to XFD)",
                    column_letter(last_col),
                    limits::thousands(last_col as u64 + 1),
                    limits::thousands(MAX_COLUMNS as u64)
                ),
            ));
        }
        Ok(())
    }

    /// A grid of `height` rows whose last column is `last_col` (0-based; rows start at A).
    fn grid(&mut self, sheet: &str, height: usize, last_col: usize) -> Result<()> {
        self.place(sheet, height.saturating_sub(1), last_col)?;
        let cells = height as u64 * (last_col as u64 + 1);
        self.cells += cells;
        if self.cells > MAX_CELLS as u64 {
            return Err(self.sheet_error(
                sheet,
                format!(
                    "{} rows × {} columns (from column A) bring the workbook to {} cells; a workbook may have at most {}",
                    limits::thousands(height as u64),
                    limits::thousands(last_col as u64 + 1),
                    limits::thousands(self.cells),
                    limits::thousands(MAX_CELLS as u64)
                ),
            ));
        }
        Ok(())
    }

    /// One value of `len` bytes at (1-based) `row`, (0-based) `col`; `header` finds its
    /// column's header, when known, for the message.
    fn value(
        &mut self,
        sheet: &str,
        (row, col): (usize, usize),
        header: impl FnOnce() -> Option<String>,
        len: usize,
    ) -> Result<()> {
        if len > MAX_VALUE_BYTES {
            let letter = column_letter(col);
            let location = match header().filter(|h| !h.trim().is_empty()) {
                Some(h) => Location::Cell {
                    file: None,
                    sheet: Some(sheet.to_string()),
                    row,
                    column: Some((letter, h)),
                    item: None,
                },
                None => Location::Described(format!("sheet {sheet} {letter}{row}")),
            };
            return Err(Error::input(
                self.file,
                location,
                format!(
                    "a value of {}; a cell may hold at most {} (1 MiB)",
                    limits::bytes(len as u64),
                    limits::bytes(MAX_VALUE_BYTES as u64)
                ),
            ));
        }
        self.text += len as u64;
        if self.text > MAX_TEXT_BYTES {
            return Err(self.sheet_error(
                sheet,
                format!(
                    "its cells bring the workbook's text to more than {}, the limit (1 GiB)",
                    limits::bytes(MAX_TEXT_BYTES)
                ),
            ));
        }
        Ok(())
    }
}

/// The names of a workbook's sheets, at most [`MAX_SHEETS`] (each is read on its own, so a
/// workbook listing one sheet part a million times would take long).
fn sheet_names(file: &str, names: Vec<String>) -> Result<Vec<String>> {
    if names.len() > MAX_SHEETS {
        return Err(Error::input(
            file,
            Location::File,
            format!(
                "{} sheets; a workbook may have at most {}",
                limits::thousands(names.len() as u64),
                limits::thousands(MAX_SHEETS as u64)
            ),
        ));
    }
    Ok(names)
}

/// The header of column `col` in a grid read so far: its first non-blank row's cell.
fn header_of(grid: &[Vec<String>], col: usize) -> Option<String> {
    grid.iter()
        .find(|r| !super::blank(r))
        .and_then(|r| r.get(col))
        .cloned()
}

/// The same for sparse cells: the cell in `col` of the first row that has one with text, when
/// that row lies above `row`.
fn header_in(cells: &[((u32, u32), String)], row: u32, col: u32) -> Option<String> {
    let first = cells
        .iter()
        .filter(|c| !c.1.trim().is_empty())
        .map(|c| c.0.0)
        .min()
        .filter(|r| *r < row)?;
    cells
        .iter()
        .find(|c| c.0 == (first, col))
        .map(|c| c.1.clone())
}

/// The sheets of an XLS or ODS workbook, which calamine has built whole.
fn range_sheets<RS: Read + Seek, R: Reader<RS>>(file: &str, book: &mut R) -> Result<Vec<Sheet>>
where
    R::Error: std::fmt::Display,
{
    let mut budget = Budget::new(file);
    let mut sheets = Vec::new();
    for name in sheet_names(file, book.sheet_names())? {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| Error::input(file, Location::Sheet(name.to_string()), e.to_string()))?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let (r0, c0) = (r0 as usize, c0 as usize);
        let (height, width) = range.get_size();
        budget.grid(&name, height, (c0 + width).saturating_sub(1))?;
        let mut grid: Vec<Vec<String>> = Vec::with_capacity(height);
        for (i, r) in range.rows().enumerate() {
            let mut row = Vec::with_capacity(c0 + r.len());
            row.resize(c0, String::new());
            for (j, d) in r.iter().enumerate() {
                let text = cell_text(d);
                let header = || header_of(&grid, c0 + j);
                budget.value(&name, (r0 + i + 1, c0 + j), header, text.len())?;
                row.push(text);
            }
            grid.push(row);
        }
        sheets.push(sheet(name, r0, grid));
    }
    Ok(sheets)
}

/// The sheets of an XLSX workbook, streamed cell by cell.
fn xlsx_sheets<RS: Read + Seek>(file: &str, book: &mut calamine::Xlsx<RS>) -> Result<Vec<Sheet>> {
    let mut budget = Budget::new(file);
    let mut sheets = Vec::new();
    for name in sheet_names(file, book.sheet_names())? {
        let sheet_error = |e: calamine::XlsxError| {
            Error::input(file, Location::Sheet(name.to_string()), e.to_string())
        };
        // What calamine's whole-sheet read keeps: every cell that is not empty.
        let mut cells: Vec<((u32, u32), String)> = Vec::new();
        match book.worksheet_cells_reader(&name) {
            // A chart sheet has no cells (calamine reads it as an empty sheet).
            Err(calamine::XlsxError::NotAWorksheet(_)) => {}
            Err(e) => return Err(sheet_error(e)),
            Ok(mut reader) => {
                while let Some(c) = reader.next_cell().map_err(sheet_error)? {
                    if matches!(c.get_value(), DataRef::Empty) {
                        continue;
                    }
                    let pos = c.get_position();
                    let (row, col) = (pos.0 as usize, pos.1 as usize);
                    // Each cell is checked as it comes, before any grid is built.
                    budget.place(&name, row, col)?;
                    if budget.cells + cells.len() as u64 >= MAX_CELLS as u64 {
                        return Err(budget.sheet_error(
                            &name,
                            format!(
                                "more than {} cells in the workbook, the limit",
                                limits::thousands(MAX_CELLS as u64)
                            ),
                        ));
                    }
                    let (len, text) = cell_ref_text(c.get_value());
                    let header = || header_in(&cells, pos.0, pos.1);
                    budget.value(&name, (row + 1, col), header, len)?;
                    cells.push((pos, text.unwrap_or_default()));
                }
            }
        }
        let (mut grid, r0) = dense(&mut budget, &name, cells)?;
        merge(book, &name, &mut grid, r0, &mut budget)?;
        sheets.push(sheet(name, r0, grid));
    }
    Ok(sheets)
}

/// The grid of sparse cells, as calamine's dense range would give it (its rows from the first
/// cell's row to the last, its columns from the leftmost cell's), each row widened to start at
/// column A; and the 0-based row it starts at.
fn dense(
    budget: &mut Budget<'_>,
    name: &str,
    cells: Vec<((u32, u32), String)>,
) -> Result<(Vec<Vec<String>>, usize)> {
    let Some(rows) = cells
        .iter()
        .map(|c| c.0.0)
        .min()
        .zip(cells.iter().map(|c| c.0.0).max())
    else {
        return Ok((Vec::new(), 0));
    };
    let last_col = cells.iter().map(|c| c.0.1).max().unwrap_or(0) as usize;
    let height = (rows.1 - rows.0) as usize + 1;
    budget.grid(name, height, last_col)?;
    let mut grid = vec![vec![String::new(); last_col + 1]; height];
    for ((r, c), text) in cells {
        grid[(r - rows.0) as usize][c as usize] = text;
    }
    // calamine's range starts at the leftmost cell; columns left of it stay empty, as before.
    Ok((grid, rows.0 as usize))
}

/// Fills merged regions of an XLSX sheet: every empty cell of a region reads as its top-left
/// value. Only the part of a region inside the grid is visited, and regions may not together
/// cover more cells than the grid has (they never overlap in a real file), so a few merge
/// records cannot make the fill run long; each copy counts against the text limit.
fn merge<RS: Read + Seek>(
    book: &mut calamine::Xlsx<RS>,
    name: &str,
    grid: &mut [Vec<String>],
    r0: usize,
    budget: &mut Budget<'_>,
) -> Result<()> {
    let Ok(regions) = book.merge_cells_by_sheet_name(name) else {
        return Ok(());
    };
    let width = grid.first().map_or(0, Vec::len);
    let mut visits = (grid.len() * width) as u64;
    for m in regions {
        let top = (m.start.0 as usize, m.start.1 as usize);
        let Some(value) = top
            .0
            .checked_sub(r0)
            .and_then(|r| grid.get(r))
            .and_then(|r| r.get(top.1))
            .cloned()
        else {
            continue;
        };
        let rows = top.0.max(r0)..=(m.end.0 as usize).min(r0 + grid.len() - 1);
        let cols = top.1..=(m.end.1 as usize).min(width.saturating_sub(1));
        let area = (rows.clone().count() * cols.clone().count()) as u64;
        visits = visits.checked_sub(area).ok_or_else(|| {
            budget.sheet_error(
                name,
                "its merged regions overlap (together they cover more cells than the sheet has)"
                    .into(),
            )
        })?;
        for r in rows {
            for c in cols.clone() {
                let cell = &mut grid[r - r0][c];
                if cell.is_empty() && !value.is_empty() {
                    budget.value(name, (r + 1, c), || None, value.len())?;
                    cell.clone_from(&value);
                }
            }
        }
    }
    Ok(())
}

/// A sheet of `grid`, whose first row is the sheet's 0-based row `r0`: its header row is the
/// first non-blank one, blank rows are dropped.
fn sheet(name: String, r0: usize, grid: Vec<Vec<String>>) -> Sheet {
    let mut sheet = Sheet {
        name,
        ..Sheet::default()
    };
    for (i, row) in grid.into_iter().enumerate() {
        let number = r0 + i + 1;
        if sheet.headers.is_empty() {
            if !super::blank(&row) {
                sheet.headers = row;
                sheet.header_row = number;
            }
        } else if !super::blank(&row) {
            sheet.rows.push((number, row));
        }
    }
    sheet
}
