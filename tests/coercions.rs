//! What the loader would read other than as written is never silent: a CSV row shorter than its
//! header, a value under no header and a catalog with no date are warnings that name the place,
//! and `--strict` turns each into an error (exit 3); a number too large for the contract is an
//! error at its cell, never an empty field.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn bin() -> Command {
    Command::cargo_bin("catalog-audit").unwrap()
}

const HEADER: &str = "事项编码,事项名称,事项类型,实施主体,到办事现场次数";

fn csv(dir: &Path, name: &str, rows: &[&str]) -> PathBuf {
    let p = dir.join(name);
    let mut text = format!("{HEADER}\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    std::fs::write(&p, text).unwrap();
    p
}

/// Runs `args`; returns (exit code, stderr).
fn run(args: &[&str]) -> (i32, String) {
    let out = bin().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const CLEAN_ROW: &str = "A-1,户口迁移登记,公共服务,清河市公安局,1";

#[test]
fn a_short_row_and_a_headless_value_are_warnings_naming_rows_and_strict_refuses_them() {
    let dir = tempfile::tempdir().unwrap();
    let p = csv(
        dir.path(),
        "2018-01-01.csv",
        &[
            CLEAN_ROW,
            // Row 3: four cells of five.
            "A-2,出生登记,公共服务,清河市公安局",
            // Row 4: a sixth value under no header.
            "A-3,死亡登记,公共服务,清河市公安局,1,见附件",
        ],
    );
    let many = csv(
        dir.path(),
        "2018-02-01.csv",
        &(0..8)
            .map(|i| format!("B-{i},出生登记,公共服务,清河市公安局"))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    let (code, err) = run(&["validate", many.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("8 rows shorter than the header's 5 cells (rows 2, 3, 4, 5, 6 and 3 more)"),
        "one warning for the sheet, not one per row: {err}"
    );
    assert_eq!(err.matches("warning").count(), 1, "{err}");
    let file = p.to_str().unwrap();
    let (code, err) = run(&["validate", file]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(
            "catalog-audit: warning: a row shorter than the header's 5 cells: its missing cells are read as empty (2018-01-01.csv row 3)"
        ),
        "{err}"
    );
    assert!(
        err.contains("column F has no header: its value is ignored (2018-01-01.csv F4)"),
        "{err}"
    );

    let (code, err) = run(&["validate", "--strict", file]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("invalid input: 2 problems ("), "{err}");
    assert!(err.contains("2018-01-01.csv row 3"), "{err}");
    assert!(err.contains("(--strict)"), "{err}");

    // The audit commands say the same and go on; --strict stops them before any report.
    let (code, err) = run(&["check", file, "--format", "json"]);
    assert!(code == 0 || code == 1, "{err}");
    assert_eq!(err.matches("catalog-audit: warning:").count(), 2, "{err}");
    let (code, err) = run(&["check", "--strict", file]);
    assert_eq!(code, 3, "{err}");
}

#[test]
fn a_clean_sheet_gives_no_warning_even_under_strict() {
    let dir = tempfile::tempdir().unwrap();
    let p = csv(dir.path(), "2018-01-01.csv", &[CLEAN_ROW]);
    let (code, err) = run(&["check", "--strict", p.to_str().unwrap(), "--format", "json"]);
    assert!(code == 0 || code == 1, "{err}");
    assert_eq!(err, "", "no warning on a clean dated sheet");
}

#[test]
fn an_undated_catalog_is_judged_as_of_today_with_a_warning_and_refused_under_strict() {
    let dir = tempfile::tempdir().unwrap();
    let p = csv(dir.path(), "catalog.csv", &[CLEAN_ROW]);
    let file = p.to_str().unwrap();
    let (code, err) = run(&["check", file, "--format", "json"]);
    assert!(code == 0 || code == 1, "{err}");
    assert!(
        err.contains("catalog-audit: warning: no catalog date"),
        "{err}"
    );
    assert!(err.contains("judged as of today"), "{err}");
    assert!(err.contains("give --as-of DATE"), "{err}");
    assert!(err.contains("catalog.csv"), "{err}");

    let (code, err) = run(&["check", "--strict", file]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("no catalog date"), "{err}");

    // A date given on the command line is no coercion.
    let (code, err) = run(&[
        "check",
        "--strict",
        file,
        "--as-of",
        "2018-01-01",
        "--format",
        "json",
    ]);
    assert!(code == 0 || code == 1, "{err}");
    assert_eq!(err, "");
}

#[test]
fn a_number_too_large_is_an_error_at_its_cell_not_an_empty_field() {
    let dir = tempfile::tempdir().unwrap();
    let p = csv(
        dir.path(),
        "2018-01-01.csv",
        &["A-1,户口迁移登记,公共服务,清河市公安局,100000000000000000000"],
    );
    let (code, err) = run(&["validate", p.to_str().unwrap()]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("E2 (到办事现场次数)"), "{err}");
    assert!(err.contains("100000000000000000000"), "{err}");
}

#[test]
fn a_workbook_number_too_large_is_an_error_at_its_cell() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("2018-01-01.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (i, h) in HEADER.split(',').enumerate() {
        sheet.write_string(0, i as u16, h).unwrap();
    }
    for (i, v) in ["A-1", "户口迁移登记", "公共服务", "清河市公安局"]
        .iter()
        .enumerate()
    {
        sheet.write_string(1, i as u16, *v).unwrap();
    }
    sheet.write_number(1, 4, 1e20).unwrap();
    book.save(&p).unwrap();
    let (code, err) = run(&["validate", p.to_str().unwrap()]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("E2 (到办事现场次数)"), "{err}");
}

#[test]
fn an_impossible_date_is_refused_at_its_place_in_every_input() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let item =
        r#"{"code":"A-1","name":"户口迁移登记","item_type":"公共服务","department":"清河市公安局"#;
    let cases = [
        (
            write(
                "log.json",
                r#"{"format":"adjustment-log/1","adjustments":[{"id":"R1","kind":"add","code":"A-1","filed_on":"2017-13-45"}]}"#,
            ),
            "/adjustments/0/filed_on",
        ),
        (
            write(
                "log.csv",
                "申请编号,调整类型,事项编码,申请日期\nR1,新增,A-1,2017-13-45\n",
            ),
            "D2 (申请日期)",
        ),
        (
            write(
                "as-of.json",
                &format!(
                    r#"{{"format":"catalog-snapshot/1","catalog":{{"as_of":"2017-02-30"}},"items":[{item}"}}]}}"#
                ),
            ),
            "/catalog/as_of",
        ),
        (
            write(
                "effective.json",
                &format!(
                    r#"{{"format":"catalog-snapshot/1","catalog":{{"as_of":"2017-12-31"}},"items":[{item}","effective_from":"2017-13-45"}}]}}"#
                ),
            ),
            "item A-1 (#1) /items/0/effective_from",
        ),
    ];
    for (file, place) in &cases {
        for cmd in ["validate", "check"] {
            if cmd == "check" && file.contains("log") {
                continue;
            }
            let (code, err) = run(&[cmd, file]);
            assert_eq!(code, 3, "{cmd} {file}: {err}");
            assert!(err.contains("is not a calendar date (YYYY-MM-DD)"), "{err}");
            assert!(err.contains(place), "{cmd} {file} names {place}: {err}");
        }
    }
}

#[test]
fn a_number_beyond_range_in_json_names_the_item_and_key_not_an_item_relative_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("2017-12-31.json");
    std::fs::write(
        &p,
        "{\"format\":\"catalog-snapshot/1\",\"catalog\":{\"as_of\":\"2017-12-31\"},\"items\":[\n\
         {\"code\":\"A-1\",\"name\":\"户口迁移登记\",\"item_type\":\"公共服务\",\"department\":\"清河市公安局\"},\n\
         {\"code\":\"A-2\",\n \"name\":\"出生登记\",\"onsite_visits\":1e999,\n \"item_type\":\"公共服务\",\"department\":\"清河市公安局\"}\n]}",
    )
    .unwrap();
    for cmd in ["validate", "check"] {
        let (code, err) = run(&[cmd, p.to_str().unwrap()]);
        assert_eq!(code, 3, "{err}");
        assert!(
            err.contains("number out of range (")
                && err.contains("item A-2 (#2) /items/1/onsite_visits"),
            "{cmd}: {err}"
        );
        assert!(
            !err.contains("line 2"),
            "no line counted from the item's start: {err}"
        );
    }
}
