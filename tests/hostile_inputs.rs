//! Damaged and hostile inputs never crash the tool: a malformed workbook (XLS, XLSX, ODS), a zip
//! bomb, a sheet or value beyond the documented limits, a JSON field beyond the value limit, all end in an ordinary input error
//! (exit 3) that names the file and the place, without a Rust panic message; before this, such
//! files panicked (exit 101), aborted on a failed allocation (exit 134) or read for ever. The
//! workbooks are written here from the specifications (see `src/table/testbook.rs`), or exported
//! by the tool itself and then damaged.
//!
//! `mutated_workbooks_exit_0_to_3` is the mutation loop, run by hand (it starts a few hundred
//! processes): `cargo test --release --test hostile_inputs -- --ignored --nocapture`.

#[path = "../src/table/testbook.rs"]
mod testbook;

use assert_cmd::Command;
use catalog_audit::load;
use catalog_audit::table::export;
use std::path::{Path, PathBuf};
use testbook::{V, cell, record, typ};

fn bin() -> Command {
    Command::cargo_bin("catalog-audit").unwrap()
}

/// Runs `args` on `file` and checks the refusal: exit 3, the file named, no panic message.
/// Returns stderr.
fn refused(args: &[&str], file: &Path) -> String {
    let out = bin().args(args).arg(file).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(3), "{}: {err}", file.display());
    let name = file.file_name().unwrap().to_string_lossy();
    assert!(err.contains(&*name), "the error names the file: {err}");
    assert!(!err.contains("panicked"), "no panic message: {err}");
    assert!(!err.contains("RUST_BACKTRACE"), "no panic message: {err}");
    err
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[path = "support/lcg.rs"]
mod lcg;
use lcg::Lcg;

fn catalog_rows() -> Vec<Vec<V<'static>>> {
    vec![
        vec![
            V::S("事项编码"),
            V::S("事项名称"),
            V::S("事项类型"),
            V::S("实施主体"),
            V::S("到办事现场次数"),
        ],
        vec![
            V::S("A-1"),
            V::S("转学"),
            V::S("公共服务"),
            V::S("局"),
            V::N(1.0),
        ],
        vec![
            V::S("A-2"),
            V::S("入学"),
            V::S("公共服务"),
            V::S("局"),
            V::N(0.0),
        ],
    ]
}

/// The demo's new catalog exported as an XLSX workbook by the tool's own exporter.
fn demo_xlsx() -> Vec<u8> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/qinghe");
    let catalog = load::snapshot(&dir.join("2017-12-31.json")).unwrap();
    export::to_xlsx(&export::sheets(&catalog.items, true)).unwrap()
}

/// An XLSX written by hand: one sheet 事项 with `sheet_data` (rows as XML), and a shared string
/// table when given.
fn xlsx_by_hand(sheet_data: &str, shared_strings: Option<&str>) -> Vec<u8> {
    use std::io::Write;
    let rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let mut parts = vec![
        (
            "[Content_Types].xml".to_string(),
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels".into(),
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rels}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
        ),
        (
            "xl/workbook.xml".into(),
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rels}"><sheets><sheet name="事项" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
        ),
        (
            "xl/_rels/workbook.xml.rels".into(),
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rels}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#),
        ),
        (
            "xl/worksheets/sheet1.xml".into(),
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>{sheet_data}</sheetData></worksheet>"#),
        ),
    ];
    if let Some(sst) = shared_strings {
        parts.push(("xl/sharedStrings.xml".into(), sst.to_string()));
    }
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in parts {
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(text.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// An inline-string cell.
fn inline(r: &str, text: &str) -> String {
    format!(r#"<c r="{r}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

const HEADER_ROW: &str = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>事项编码</t></is></c><c r="B1" t="inlineStr"><is><t>事项名称</t></is></c><c r="C1" t="inlineStr"><is><t>事项类型</t></is></c><c r="D1" t="inlineStr"><is><t>实施主体</t></is></c></row>"#;

#[test]
fn workbooks_written_from_the_specifications_read() {
    let d = tempfile::tempdir().unwrap();
    let xls = write(
        d.path(),
        "x-2018-01-31.xls",
        &testbook::xls("事项", &catalog_rows(), &[]),
    );
    let ods = write(
        d.path(),
        "x-2018-01-31.ods",
        &testbook::ods(
            "事项",
            &[
                testbook::ods_row(&["事项编码", "事项名称", "事项类型", "实施主体"]),
                testbook::ods_row(&["A-1", "转学", "公共服务", "局"]),
            ]
            .concat(),
        ),
    );
    let row2 = format!(
        r#"<row r="2">{}{}{}{}</row>"#,
        inline("A2", "A-1"),
        inline("B2", "转学"),
        inline("C2", "公共服务"),
        inline("D2", "局")
    );
    let xlsx = write(
        d.path(),
        "x-2018-01-31.xlsx",
        &xlsx_by_hand(&format!("{HEADER_ROW}{row2}"), None),
    );
    for (file, items) in [(&xls, 2), (&ods, 1), (&xlsx, 1)] {
        let out = bin().arg("convert").arg(file).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["items"].as_array().unwrap().len(), items);
        assert_eq!(doc["items"][0]["name"], "转学");
    }
}

#[test]
fn an_ole2_header_followed_by_garbage_is_malformed_under_any_name() {
    let d = tempfile::tempdir().unwrap();
    let good = testbook::xls("事项", &catalog_rows(), &[]);
    let mut rng = Lcg(16);
    // A valid header and 512 bytes of garbage (1 KB), read as XLS whatever the extension says.
    let mut bytes = good[..512].to_vec();
    bytes.extend(rng.bytes(512));
    for name in ["garbage.xls", "garbage.xlsx", "garbage.ods"] {
        let f = write(d.path(), name, &bytes);
        let err = refused(&["convert"], &f);
        assert!(err.contains("the workbook is malformed"), "{err}");
    }
    // Whatever the garbage, through every command that reads a spreadsheet.
    for seed in 0..20 {
        let mut bytes = good[..512].to_vec();
        bytes.extend(Lcg(seed).bytes(512 + 97 * seed as usize));
        let f = write(d.path(), &format!("garbage-{seed}.xls"), &bytes);
        refused(&["validate"], &f);
        refused(&["check"], &f);
    }
}

#[test]
fn an_ole2_header_claiming_more_sectors_than_the_file_holds_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let good = testbook::xls("事项", &catalog_rows(), &[]);
    let set = |at: usize, v: u32| {
        let mut b = good.clone();
        b[at..at + 4].copy_from_slice(&v.to_le_bytes());
        b
    };
    for (name, bytes, says) in [
        (
            "fat.xls",
            set(44, 4_000_000_000),
            "4,000,000,000 FAT sectors",
        ),
        (
            "dir.xls",
            set(48, 70_000),
            "directory starts at sector 70000",
        ),
        ("minifat.xls", set(64, 1 << 30), "mini FAT sectors"),
        // The DIFAT names a FAT sector past the end of the file.
        ("difat.xls", set(76, 9_999), "FAT sector 9999 lies beyond"),
        // The workbook stream's chain loops back on itself.
        ("loop.xls", set(512 + 4 * 4, 3), "Workbook chain loops"),
    ] {
        let f = write(d.path(), name, &bytes);
        let err = refused(&["convert"], &f);
        assert!(err.contains(says), "{name}: {err}");
    }
}

#[test]
fn xls_sheets_that_would_need_gigabytes_are_refused_naming_the_sheet() {
    let d = tempfile::tempdir().unwrap();
    let rows = catalog_rows();
    // A DIMENSIONS record declaring 2^32 rows × 255 columns (calamine reserved them at once).
    let mut dims = 0u32.to_le_bytes().to_vec();
    dims.extend(u32::MAX.to_le_bytes());
    dims.extend([0, 0, 0xFF, 0, 0, 0]);
    // A number in the last row and column 16,000 (calamine's grid spans up to it).
    let far = cell(typ::NUMBER, 65_535, 16_000, &[0; 10]);
    // A number in column 20,000, beyond the 16,384 columns of a sheet.
    let wide = cell(typ::RK, 2, 20_000, &[0; 6]);
    for (name, extra, says) in [
        (
            "dims.xls",
            record(typ::DIMENSIONS, &dims),
            "DIMENSIONS record declares",
        ),
        ("far.xls", far, "cells, above the limit of 33,554,432"),
        ("wide.xls", wide, "column 20,001"),
    ] {
        let f = write(d.path(), name, &testbook::xls("事项", &rows, &[extra]));
        let err = refused(&["convert"], &f);
        assert!(err.contains("sheet 事项"), "{name}: {err}");
        assert!(err.contains(says), "{name}: {err}");
    }
}

#[test]
fn a_panic_inside_the_reader_is_an_input_error_without_a_panic_message() {
    let d = tempfile::tempdir().unwrap();
    // An empty FILEPASS record among the globals: calamine reads two bytes from it and panics.
    let mut stream = testbook::workbook("事项", &catalog_rows(), &[]);
    stream.splice(20..20, record(0x002F, &[]));
    // The BOUNDSHEET offset moves with the inserted record.
    let pos = u32::from_le_bytes(stream[28..32].try_into().unwrap()) + 4;
    stream[28..32].copy_from_slice(&pos.to_le_bytes());
    let f = write(
        d.path(),
        "filepass.xls",
        &testbook::compound("Workbook", &stream),
    );
    let err = refused(&["convert"], &f);
    assert!(
        err.contains("the workbook is malformed: the spreadsheet reader failed on it"),
        "{err}"
    );
}

#[test]
fn truncated_and_inflated_xlsx_exports_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let good = demo_xlsx();
    let f = write(d.path(), "whole-2017-12-31.xlsx", &good);
    bin().arg("convert").arg(&f).assert().code(0);
    for cut in [
        10,
        100,
        good.len() / 3,
        good.len() / 2,
        good.len() - 100,
        good.len() - 1,
    ] {
        let f = write(
            d.path(),
            &format!("cut-{cut}-2017-12-31.xlsx"),
            &good[..cut],
        );
        refused(&["convert"], &f);
    }
    // A part whose central directory entry declares 4 GiB unpacked: refused before unpacking.
    let mut bomb = good.clone();
    let sig = b"PK\x01\x02";
    let entries: Vec<usize> = (0..bomb.len() - 4)
        .filter(|&i| &bomb[i..i + 4] == sig)
        .collect();
    let at = entries[entries.len() / 2] + 24;
    bomb[at..at + 4].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    let f = write(d.path(), "bomb-2017-12-31.xlsx", &bomb);
    let err = refused(&["convert"], &f);
    assert!(err.contains("zip bomb"), "{err}");
    // A part declaring fewer bytes than it holds: unpacking stops at the declared size.
    let mut liar = good;
    let at = entries[entries.len() / 2] + 24;
    liar[at..at + 4].copy_from_slice(&10u32.to_le_bytes());
    let f = write(d.path(), "liar-2017-12-31.xlsx", &liar);
    refused(&["convert"], &f);
}

#[test]
fn xlsx_beyond_the_sheet_limits_is_refused_naming_sheet_and_cell() {
    let d = tempfile::tempdir().unwrap();
    // One stray cell in XFD1048576, as Excel can save it: the used range is 2^34 cells.
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("事项").unwrap();
    ws.write_string(0, 0, "事项编码").unwrap();
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    let stray = write(d.path(), "stray.xlsx", &book.save_to_buffer().unwrap());
    let err = refused(&["convert"], &stray);
    assert!(err.contains("sheet 事项"), "{err}");
    assert!(
        err.contains("a workbook may have at most 33,554,432"),
        "{err}"
    );
    // A value over 1 MiB, named by its cell and column header.
    let long = "长".repeat(400_000);
    let row = format!(
        r#"<row r="2">{}{}</row>"#,
        inline("A2", "A-1"),
        inline("B2", &long)
    );
    let big = write(
        d.path(),
        "big-value.xlsx",
        &xlsx_by_hand(&format!("{HEADER_ROW}{row}"), None),
    );
    let err = refused(&["convert"], &big);
    assert!(err.contains("sheet 事项 B2 (事项名称)"), "{err}");
    assert!(err.contains("a value of 1,200,000 bytes"), "{err}");
    // A shared string table claiming 10^11 strings (calamine reserved room for them at once).
    let sst = r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="100000000000"><si><t>A-1</t></si></sst>"#;
    let row = r#"<row r="2"><c r="A2" t="s"><v>0</v></c></row>"#;
    let f = write(
        d.path(),
        "sst.xlsx",
        &xlsx_by_hand(&format!("{HEADER_ROW}{row}"), Some(sst)),
    );
    let err = refused(&["convert"], &f);
    assert!(err.contains("100,000,000,000 shared strings"), "{err}");
}

#[test]
fn ods_repeats_that_spell_out_too_much_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let header = testbook::ods_row(&["事项编码", "事项名称", "事项类型", "实施主体"]);
    // A cell whose run of spaces is four billion long (calamine pushed them one by one).
    let spaces = r#"<table:table-row><table:table-cell office:value-type="string"><text:p>A-1</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>转<text:s text:c="4000000000"/>学</text:p></table:table-cell></table:table-row>"#;
    let f = write(
        d.path(),
        "spaces.ods",
        &testbook::ods("事项", &format!("{header}{spaces}")),
    );
    let err = refused(&["convert"], &f);
    assert!(err.contains("sheet 事项 B2"), "{err}");
    assert!(err.contains("1,048,576 bytes"), "{err}");
    // A million rows of 16,384 filled cells, in a file of a few hundred bytes.
    let wide = r#"<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/></table:table-row>"#;
    let f = write(
        d.path(),
        "repeats.ods",
        &testbook::ods("事项", &format!("{header}{wide}")),
    );
    let err = refused(&["convert"], &f);
    assert!(err.contains("sheet 事项"), "{err}");
    assert!(
        err.contains("a workbook may have at most 33,554,432 cells"),
        "{err}"
    );
    // content.xml cut off inside the table.
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (part, body) in [
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("META-INF/manifest.xml", "<manifest:manifest/>"),
        (
            "content.xml",
            r#"<office:document-content><office:body><office:spreadsheet><table:table table:name="事项"><table:table-row>"#,
        ),
    ] {
        use std::io::Write;
        w.start_file(part, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(body.as_bytes()).unwrap();
    }
    let f = write(d.path(), "cut.ods", &w.finish().unwrap().into_inner());
    refused(&["convert"], &f);
}

#[test]
fn spreadsheet_files_and_csv_values_beyond_the_limits_are_refused() {
    let d = tempfile::tempdir().unwrap();
    // A file above the size limit is refused before it is read (a sparse file: no disk used).
    let huge = d.path().join("huge.xlsx");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(600 << 20)
        .unwrap();
    let err = refused(&["convert"], &huge);
    assert!(
        err.contains("spreadsheets are read up to 536,870,912 bytes"),
        "{err}"
    );
    let huge_csv = d.path().join("huge.csv");
    std::fs::rename(&huge, &huge_csv).unwrap();
    refused(&["convert"], &huge_csv);
    // A CSV field over 1 MiB names its cell and column.
    let long = "长".repeat(400_000);
    let csv = format!("事项编码,事项名称,事项类型,实施主体\nA-1,{long},公共服务,局\n");
    let f = write(d.path(), "long.csv", csv.as_bytes());
    let err = refused(&["convert"], &f);
    assert!(err.contains("B2 (事项名称)"), "{err}");
    assert!(err.contains("a value of 1,200,000 bytes"), "{err}");
    // More rows than a sheet may have.
    let mut rows = String::from("事项编码\n");
    rows.push_str(&"A\n".repeat(1_048_576));
    let f = write(d.path(), "rows.csv", rows.as_bytes());
    let err = refused(&["convert"], &f);
    assert!(err.contains("row 1048577"), "{err}");
}

#[test]
fn a_json_field_beyond_the_value_limit_names_the_item_and_field() {
    let d = tempfile::tempdir().unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/qinghe");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("2017-12-31.json")).unwrap())
            .unwrap();
    let item = &mut doc["items"][3];
    let code = item["code"].as_str().unwrap().to_string();
    item["materials"][0]["name"] = "长".repeat(400_000).into();
    let f = write(d.path(), "long.json", doc.to_string().as_bytes());
    let err = refused(&["validate"], &f);
    assert!(
        err.contains(&format!("item {code} (#4) /items/3/materials/0/name")),
        "{err}"
    );
    assert!(err.contains("a value of 1,200,000 bytes"), "{err}");
    // A field just under the limit is an ordinary value.
    let item = &mut doc["items"][3];
    item["materials"][0]["name"] = "长".repeat(300_000).into();
    let f = write(d.path(), "long-ok.json", doc.to_string().as_bytes());
    bin().arg("validate").arg(&f).assert().code(0);
}

#[test]
fn spreadsheet_replies_and_audit_inputs_are_guarded_too() {
    let d = tempfile::tempdir().unwrap();
    let far = cell(typ::NUMBER, 65_535, 16_000, &[0; 10]);
    let bad = write(
        d.path(),
        "replies.xls",
        &testbook::xls("审核意见表", &catalog_rows(), &[far]),
    );
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/qinghe");
    let (old, new) = (dir.join("2017-06-30.json"), dir.join("2017-12-31.json"));
    let err = refused(
        &[
            "audit",
            old.to_str().unwrap(),
            new.to_str().unwrap(),
            "--format",
            "json",
            "--responses",
        ],
        &bad,
    );
    assert!(err.contains("sheet 审核意见表"), "{err}");
    let err = refused(&["audit", old.to_str().unwrap()], &bad);
    assert!(err.contains("sheet 审核意见表"), "{err}");
}

/// Runs the tool on `file` with a generous timeout; the exit code, or `None` on a timeout, and
/// whether stderr holds a panic message.
fn run_bounded(file: &Path) -> (Option<i32>, bool) {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    // HOSTILE_BIN runs another build (an older one, to see what the loop catches).
    let exe = std::env::var("HOSTILE_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_catalog-audit").to_string());
    let errfile = file.with_extension("stderr");
    let mut child = std::process::Command::new(exe)
        .arg("convert")
        .arg(file)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&errfile).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            // Killed by a signal (an abort is SIGABRT): 128 + the signal, as a shell reports it.
            #[cfg(unix)]
            let signal = std::os::unix::process::ExitStatusExt::signal(&status);
            #[cfg(not(unix))]
            let signal: Option<i32> = None;
            break status.code().or(signal.map(|s| 128 + s));
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let err = std::fs::read_to_string(&errfile).unwrap_or_default();
    (
        code,
        err.contains("panicked") || err.contains("memory allocation"),
    )
}

/// One mutation of `b`: cut short, bytes replaced, 32-bit fields set to extreme values, or junk
/// inserted.
fn mutate(b: &mut Vec<u8>, rng: &mut Lcg) {
    if b.len() < 8 {
        return;
    }
    match rng.below(4) {
        0 => b.truncate(rng.below(b.len())),
        1 => {
            for _ in 0..1 + rng.below(16) {
                let at = rng.below(b.len());
                b[at] = rng.next() as u8;
            }
        }
        2 => {
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(b.len() - 4);
                let v: [u32; 5] = [u32::MAX, 0xFFFF_FFFE, 0x8000_0000, 0x0001_0000, 0];
                b[at..at + 4].copy_from_slice(&v[rng.below(5)].to_le_bytes());
            }
        }
        _ => {
            let at = rng.below(b.len());
            let len = rng.below(64);
            let junk = rng.bytes(len);
            b.splice(at..at, junk);
        }
    }
}

/// Plants a count or position that asks for much (a repeat, a far cell, a merged region, a
/// run of spaces) into XML: an attribute before some `>`, or an element after one.
fn plant(xml: &mut Vec<u8>, rng: &mut Lcg) {
    const ATTRS: [&str; 6] = [
        r#" table:number-rows-repeated="4000000000""#,
        r#" table:number-columns-repeated="16384""#,
        r#" uniqueCount="99999999999""#,
        r#" office:value-type="string""#,
        r#" r="XFD1048576""#,
        r#" ref="A1:XFD1048576""#,
    ];
    const ELEMENTS: [&str; 7] = [
        r#"<text:s text:c="3000000000"/>"#,
        r#"<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/></table:table-row>"#,
        r#"<c r="XFD1048576"><v>1</v></c>"#,
        r#"<mergeCell ref="A1:XFD1048576"/>"#,
        r#"<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>"#,
        "<office:annotation>",
        r#"<table:table table:name="x">"#,
    ];
    let ends: Vec<usize> = (1..xml.len()).filter(|&i| xml[i] == b'>').collect();
    if ends.is_empty() {
        return;
    }
    let at = ends[rng.below(ends.len())];
    if rng.below(2) == 0 && xml[at - 1] != b'/' && xml[at - 1] != b'?' {
        let a = ATTRS[rng.below(ATTRS.len())];
        xml.splice(at..at, a.bytes());
    } else {
        let e = ELEMENTS[rng.below(ELEMENTS.len())];
        xml.splice(at + 1..at + 1, e.bytes());
    }
}

/// A zipped workbook with one of its parts mutated and the zip written anew, so that the
/// mutation reaches the XML instead of failing the zip's checksum.
fn mutate_inside(zipped: &[u8], rng: &mut Lcg) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zipped)).unwrap();
    let target = rng.below(z.len());
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..z.len() {
        let mut part = z.by_index(i).unwrap();
        let name = part.name().unwrap().to_string();
        let mut body = Vec::new();
        part.read_to_end(&mut body).unwrap();
        if i == target {
            if name.ends_with(".xml") && rng.below(2) == 0 {
                plant(&mut body, rng);
            } else {
                mutate(&mut body, rng);
            }
        }
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(&body).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Mutations of a small real XLS, XLSX and ODS: bytes of the file, or of one part of a zipped
/// one, or a demanding count planted in its XML. Every run must end with exit 0–3, no panic
/// message and no timeout. Run by hand (a few hundred processes); prints the exit codes seen.
/// `MUTATIONS=n` sets the runs per format (default 150), `HOSTILE_BIN=path` runs another build
/// (an older one, to see what the loop catches), `HOSTILE_KEEP=1` keeps the mutated files.
#[test]
#[ignore = "starts a few hundred processes; run by hand"]
#[allow(clippy::print_stderr)] // the exit codes seen, for the person running it
fn mutated_workbooks_exit_0_to_3() {
    let d = tempfile::tempdir().unwrap();
    let rows: Vec<String> = std::iter::once(testbook::ods_row(&[
        "事项编码",
        "事项名称",
        "事项类型",
        "实施主体",
    ]))
    .chain((1..20).map(|i| testbook::ods_row(&[&format!("A-{i}"), "转学", "公共服务", "局"])))
    .collect();
    let codes: Vec<String> = (3..40).map(|i| format!("B-{i}")).collect();
    let mut many = catalog_rows();
    for (i, code) in codes.iter().enumerate() {
        many.push(vec![
            V::S(code),
            V::S("转学"),
            V::S("公共服务"),
            V::S("局"),
            V::N(i as f64),
        ]);
    }
    let bases: [(&str, Vec<u8>); 3] = [
        ("xls", testbook::xls("事项", &many, &[])),
        ("xlsx", demo_xlsx()),
        ("ods", testbook::ods("事项", &rows.concat())),
    ];
    let per = std::env::var("MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(150);
    let mut rng = Lcg(2026);
    let mut seen = std::collections::BTreeMap::new();
    let mut bad = Vec::new();
    for (ext, base) in &bases {
        let f = write(d.path(), &format!("base-2018-01-31.{ext}"), base);
        assert_eq!(
            run_bounded(&f),
            (Some(0), false),
            "the unmutated {ext} reads"
        );
        for i in 0..per {
            let b = if *ext != "xls" && i % 2 == 0 {
                mutate_inside(base, &mut rng)
            } else {
                let mut b = base.clone();
                mutate(&mut b, &mut rng);
                b
            };
            let f = write(d.path(), &format!("m{i}-2018-01-31.{ext}"), &b);
            let (code, panicked) = run_bounded(&f);
            *seen.entry((ext.to_string(), code)).or_insert(0) += 1;
            if panicked || !matches!(code, Some(0..=3)) {
                let keep = std::env::temp_dir().join(format!("hostile-{ext}-{i}.{ext}"));
                std::fs::copy(&f, &keep).unwrap();
                bad.push(format!("{} → {code:?} (panic: {panicked})", keep.display()));
            }
        }
    }
    eprintln!("exit codes by format: {seen:?}");
    if std::env::var_os("HOSTILE_KEEP").is_some() {
        eprintln!("kept {}", d.keep().display());
        return;
    }
    assert!(bad.is_empty(), "{bad:#?}");
}
