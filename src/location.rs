//! Where something is in an input, typed: a JSON pointer (within an item or request when that
//! helps the reader), a line and column, a byte offset, a spreadsheet cell with its column header,
//! or a sheet. Errors and findings carry a [`Location`]; renderers show it through `Display`, and
//! the report's `location` key is that text (a location read back from an earlier report keeps
//! its text as written).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A place in an input file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Location {
    /// The file as a whole.
    #[default]
    File,
    /// A JSON pointer (`/items/3/legal_basis/0/title`), with what it lies in when the pointer is
    /// relative to it (`item A-1 (#3)`).
    Pointer {
        within: Option<String>,
        pointer: String,
    },
    /// A line and column of a text file (1-based).
    Line { line: usize, column: usize },
    /// A byte offset (where text stopped being valid UTF-8).
    Byte(usize),
    /// A spreadsheet row or cell: the file (absent when the error names it already), its sheet
    /// (absent for CSV), the 1-based row and the
    /// column (letter and header as written) when the place is one cell; and the item the row
    /// holds, when the reader should know it.
    Cell {
        file: Option<String>,
        sheet: Option<String>,
        row: usize,
        column: Option<(String, String)>,
        item: Option<String>,
    },
    /// A sheet of a workbook as a whole.
    Sheet(String),
    /// A place named in words (a rule pack's gap list); also a location read back from an
    /// earlier report, kept as written.
    Described(String),
}

impl Location {
    /// A JSON pointer in the file.
    pub fn pointer(pointer: impl Into<String>) -> Self {
        Location::Pointer {
            within: None,
            pointer: pointer.into(),
        }
    }

    /// A JSON pointer relative to something named (an item, a request).
    pub fn within(within: impl Into<String>, pointer: impl Into<String>) -> Self {
        Location::Pointer {
            within: Some(within.into()),
            pointer: pointer.into(),
        }
    }

    /// A spreadsheet row.
    pub fn row(file: Option<&str>, sheet: Option<&str>, row: usize) -> Self {
        Location::Cell {
            file: file.map(str::to_string),
            sheet: sheet.map(str::to_string),
            row,
            column: None,
            item: None,
        }
    }

    /// Whether there is nothing more precise than the file.
    pub fn is_file(&self) -> bool {
        matches!(self, Location::File)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File => Ok(()),
            Location::Pointer {
                within: None,
                pointer,
            } => f.write_str(pointer),
            Location::Pointer {
                within: Some(w),
                pointer,
            } => write!(f, "{w} {pointer}"),
            Location::Line { line, column } => write!(f, "line {line}, column {column}"),
            Location::Byte(b) => write!(f, "byte {b}"),
            Location::Cell {
                file,
                sheet,
                row,
                column,
                item,
            } => {
                if let Some(file) = file {
                    write!(f, "{file} ")?;
                }
                if let Some(s) = sheet {
                    write!(f, "sheet {s} ")?;
                }
                match column {
                    Some((letter, header)) if header.is_empty() => write!(f, "{letter}{row}")?,
                    Some((letter, header)) => write!(f, "{letter}{row} ({header})")?,
                    None => write!(f, "row {row}")?,
                }
                match item {
                    Some(code) => write!(f, ", item {code}"),
                    None => Ok(()),
                }
            }
            Location::Sheet(s) => write!(f, "sheet {s}"),
            Location::Described(s) => f.write_str(s),
        }
    }
}

impl Serialize for Location {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Location {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Location::Described(String::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_reads_as_before() {
        let cell = |sheet: Option<&str>, column: Option<(&str, &str)>| Location::Cell {
            file: Some("2017-12-31.xlsx".into()),
            sheet: sheet.map(str::to_string),
            row: 12,
            column: column.map(|(l, h)| (l.to_string(), h.to_string())),
            item: None,
        };
        let cases = [
            (Location::File, ""),
            (Location::pointer("/items/3/code"), "/items/3/code"),
            (
                Location::within("item A-1 (#3)", "/legal_basis/0"),
                "item A-1 (#3) /legal_basis/0",
            ),
            (Location::Line { line: 4, column: 7 }, "line 4, column 7"),
            (Location::Byte(9), "byte 9"),
            (
                cell(Some("事项"), Some(("H", "承诺办结时限"))),
                "2017-12-31.xlsx sheet 事项 H12 (承诺办结时限)",
            ),
            (cell(None, None), "2017-12-31.xlsx row 12"),
            (
                Location::Cell {
                    file: Some("a.csv".into()),
                    sheet: None,
                    row: 3,
                    column: Some(("C".into(), "事项名称".into())),
                    item: Some("A-1".into()),
                },
                "a.csv C3 (事项名称), item A-1",
            ),
            (Location::Sheet("材料".into()), "sheet 材料"),
            (Location::row(None, Some("材料"), 2), "sheet 材料 row 2"),
            (Location::row(None, None, 5), "row 5"),
        ];
        for (l, text) in cases {
            assert_eq!(l.to_string(), text);
            // In a report it is that text; read back, the text is kept as written.
            let json = serde_json::to_value(&l).unwrap();
            assert_eq!(json, text);
            let back: Location = serde_json::from_value(json).unwrap();
            assert_eq!(back.to_string(), text);
        }
    }
}
