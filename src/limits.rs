//! How large an input may be, and how much work one comparison may do.
//!
//! Every limit here is far above what a real catalog reaches (the largest provincial catalogs have
//! some hundred thousand items, a few KB each), so a file that exceeds one is damaged or built to
//! exhaust the machine. Crossing a limit is an ordinary input error (exit 3) naming the file and
//! the place (sheet, row, column or item and field), never a crash, an out-of-memory abort or a
//! run that does not end. README.md, section "Limits", lists them for users; change both together.
//!
//! The spreadsheet limits are checked before the spreadsheet reader (calamine) builds anything
//! from the sizes a file declares: calamine allocates from those sizes (a sheet's dimensions, a
//! string table's count, a repeat count), and an allocation that fails aborts the process, which
//! no error handling can catch.

/// The largest spreadsheet file read (CSV, XLSX, XLS, ODS): 512 MiB. A province's whole catalog
/// exported flat is about 200 MB of CSV (2 KB per item × 100,000 items), and XLSX compresses
/// that five- to tenfold. Spreadsheets are read whole, unlike JSON snapshots, which are streamed
/// and have no size limit.
pub const MAX_SPREADSHEET_BYTES: u64 = 512 << 20;

/// The most a zipped workbook (XLSX, ODS) may unpack to, summed over its parts as its central
/// directory declares them: 2 GiB, four times the file limit at a typical XML compression, with
/// room to spare. The zip reader refuses to unpack a part beyond its declared size, so this also
/// bounds what a zip bomb can make the reader produce.
pub const MAX_UNPACKED_BYTES: u64 = 2 << 30;

/// The most parts a zipped workbook may have: 10,000. A workbook has a handful per sheet (the
/// sheet, its relations, drawings); a catalog has fewer than twenty sheets.
pub const MAX_ZIP_ENTRIES: usize = 10_000;

/// The most sheets a workbook may have: 1,000. A catalog workbook has the item sheet, a few child
/// sheets (申请材料, 收费项目 …) and an information sheet.
pub const MAX_SHEETS: usize = 1_000;

/// The most rows of one sheet (or CSV file): 1,048,576, Excel's own limit, so no sheet an
/// office suite saved exceeds it.
pub const MAX_ROWS: usize = 1_048_576;

/// The most columns of one sheet (or CSV row): 16,384 (column XFD), Excel's own limit.
pub const MAX_COLUMNS: usize = 16_384;

/// The most cells of a workbook: 33,554,432 (2^25), counted as rows × columns of each sheet's
/// used range (what the reader allocates, empty cells included), summed over the sheets; so also
/// the most of one sheet. That is 500,000 rows of 67 columns; the national element list has about
/// 60 columns, and a province's catalog some hundred thousand rows, spread over several sheets.
pub const MAX_CELLS: usize = 1 << 25;

/// The longest single value: one spreadsheet cell or one field of a JSON item, 1 MiB of UTF-8
/// (about 350,000 Chinese characters). Excel itself stops at 32,767 characters a cell; the
/// longest real field, an act's full title list or a process description, is a few thousand.
pub const MAX_VALUE_BYTES: usize = 1 << 20;

/// The most text all the cells of one workbook may hold: 1 GiB (counting each value's bytes and,
/// for text the reader copies into every cell that shows it, each copy). Five times a province's
/// catalog; the bound that keeps a small file whose cells all repeat one long shared string from
/// expanding to more text than the machine holds.
pub const MAX_TEXT_BYTES: u64 = 1 << 30;

/// The most work a character-level diff of two text values may do, as the product of the
/// lengths (in diff units: characters, numbers, Latin words) of the parts that differ, once the
/// common beginning and end are set aside: 4,000,000, e.g. two rewritten passages of 2,000
/// characters each. The diff's worst case grows with that product (a million-character pair
/// took a minute); beyond it the change is shown as the whole old value replaced by the whole
/// new one. A count of units, never a deadline, so the same inputs always give the same report.
pub const MAX_DIFF_WORK: u64 = 4_000_000;

/// A byte count for messages: `1,048,576 bytes`.
pub fn bytes(n: u64) -> String {
    format!("{} bytes", thousands(n))
}

/// A count with thousands separators: `33,554,432`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_with_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(MAX_CELLS as u64), "33,554,432");
        assert_eq!(bytes(MAX_VALUE_BYTES as u64), "1,048,576 bytes");
    }
}
