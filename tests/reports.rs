//! The review-comment sheet (XLSX, CSV), the Markdown report and per-department output, checked
//! against the JSON report of the same run: XLSX files are read back with calamine, CSV with the csv
//! crate, and every department's files are compared with the JSON's findings for that department.

use assert_cmd::Command;
use calamine::{Data, Reader, Xlsx, open_workbook};
use catalog_audit::load;
use catalog_audit::pipeline::audit_loaded;
use catalog_audit::report::{Report, Texts, sheet, split};
use catalog_audit::rules::{Lang, Pack};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn bin() -> Command {
    let mut c = Command::cargo_bin("catalog-audit").unwrap();
    c.env_remove("NO_COLOR");
    c
}

fn demo(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/qinghe")
        .join(name)
}

/// Runs the demo audit with `args` and `--out dir`; returns stderr.
fn audit_demo(dir: &Path, args: &[&str]) -> String {
    let out = bin()
        .arg("audit")
        .arg(demo("2017-06-30.json"))
        .arg(demo("2017-12-31.json"))
        .arg("--adjustments")
        .arg(demo("adjustments-2017H2.json"))
        .args(args)
        .arg("--out")
        .arg(dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    String::from_utf8(out.stderr).unwrap()
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().unwrap()
}

fn text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

/// Every sheet of a workbook as rows of text, by sheet name, in workbook order.
fn read_xlsx(path: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let names = wb.sheet_names().to_vec();
    names
        .into_iter()
        .map(|n| {
            let range = wb.worksheet_range(&n).unwrap();
            assert_eq!(range.start(), Some((0, 0)), "{n} starts at A1");
            let mut rows: Vec<Vec<String>> =
                range.rows().map(|r| r.iter().map(text).collect()).collect();
            // The comments sheet opens with its instruction row (one merged cell) above the
            // header: checked here, then dropped so row 0 is the header as in every sheet.
            if n == "审核意见" || n == "Comments" {
                let first = rows.remove(0);
                assert!(
                    first[0].contains("填写说明") || first[0].contains("How to reply"),
                    "{first:?}"
                );
                assert!(first[1..].iter().all(String::is_empty), "{first:?}");
            }
            (n, rows)
        })
        .collect()
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| {
        ('\u{3000}'..='\u{303f}').contains(&c)
            || ('\u{3400}'..='\u{9fff}').contains(&c)
            || ('\u{ff00}'..='\u{ffef}').contains(&c)
    })
}

const ZH_HEADERS: [&str; 18] = [
    "序号",
    "意见类型",
    "事项编码",
    "事项名称",
    "审核意见",
    "整改结果",
    "整改情况",
    "反馈日期",
    "上轮反馈",
    "严重程度",
    "状态",
    "变更类型",
    "依据",
    "整改要求",
    "所列事项",
    "规则",
    "部门",
    "指纹",
];

/// The findings sheet (问题明细).
const ZH_DETAIL: [&str; 11] = [
    "序号",
    "部门",
    "事项编码",
    "事项名称",
    "变更类型",
    "问题类别",
    "规则",
    "审核意见",
    "严重程度",
    "状态",
    "指纹",
];

fn dcol(name: &str) -> usize {
    ZH_DETAIL.iter().position(|h| *h == name).unwrap()
}

fn comments(report: &Value) -> &Vec<Value> {
    report["comments"].as_array().unwrap()
}

/// A list's lines as the sheet writes them: numbered when there is more than one.
fn numbered(lines: &[String]) -> String {
    if lines.len() == 1 {
        return lines[0].clone();
    }
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{}. {l}", i + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

fn col(name: &str) -> usize {
    ZH_HEADERS.iter().position(|h| *h == name).unwrap()
}

#[test]
fn xlsx_review_sheet_has_one_row_per_comment_and_the_findings_behind_them() {
    let dir = tempfile::tempdir().unwrap();
    audit_demo(dir.path(), &["--format", "json", "--format", "xlsx"]);
    let report = json(&dir.path().join("audit-report.json"));
    let fs = findings(&report);
    let cs = comments(&report);
    assert!(
        fs.len() > 50 && cs.len() * 2 < fs.len(),
        "fewer comments than findings"
    );
    let book = read_xlsx(&dir.path().join("audit-report.xlsx"));
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["审核意见", "问题明细", "汇总", "评价指标"]);
    let rows = &book[0].1;
    assert_eq!(rows[0], ZH_HEADERS);
    assert_eq!(rows.len() - 1, cs.len(), "one row per comment");
    let strs = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect()
    };
    for (i, (row, c)) in rows[1..].iter().zip(cs).enumerate() {
        assert_eq!(row[col("序号")], (i + 1).to_string());
        assert_eq!(row[col("部门")], c["department"].as_str().unwrap());
        assert_eq!(row[col("整改情况")], "", "reply columns are left empty");
        assert_eq!(row.get(col("反馈日期")).map_or("", String::as_str), "");
        if c["kind"] == "item" {
            assert_eq!(row[col("意见类型")], "须整改");
            assert_eq!(row[col("事项编码")], c["code"].as_str().unwrap());
            assert_eq!(row[col("事项名称")], c["name"].as_str().unwrap());
            let points = c["points"].as_array().unwrap();
            let texts: Vec<String> = points
                .iter()
                .map(|p| p["text"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(row[col("审核意见")], numbered(&texts));
            let fixes: Vec<String> = points
                .iter()
                .map(|p| {
                    let rule = p["rules"][0].as_str().unwrap();
                    report["rules"][rule]["remediation"]
                        .as_str()
                        .unwrap()
                        .to_string()
                })
                .collect();
            assert_eq!(row[col("整改要求")], numbered(&fixes));
            for p in points {
                let rule = p["rules"][0].as_str().unwrap();
                assert!(row[col("规则")].contains(rule), "{row:?}");
                for b in report["rules"][rule]["basis"].as_array().unwrap() {
                    assert!(row[col("依据")].contains(b["title"].as_str().unwrap()));
                    if let Some(no) = b["doc_no"].as_str() {
                        assert!(row[col("依据")].contains(no), "{no} in {row:?}");
                    }
                }
            }
            let fps: Vec<String> = points
                .iter()
                .flat_map(|p| strs(&p["fingerprints"]))
                .collect();
            assert_eq!(row[col("指纹")], fps.join(" "));
            assert_eq!(row[col("状态")], "新发现");
            assert_eq!(row[col("所列事项")], "");
        } else {
            assert_eq!(row[col("意见类型")], "建议");
            assert_eq!(row[col("审核意见")], c["text"].as_str().unwrap());
            assert_eq!(row[col("指纹")], c["key"].as_str().unwrap());
            let listed: Vec<String> = c["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| {
                    format!(
                        "{} {}",
                        i["code"].as_str().unwrap(),
                        i["name"].as_str().unwrap()
                    )
                })
                .collect();
            assert_eq!(row[col("所列事项")], listed.join("\n"));
            assert_eq!(row[col("事项编码")], "");
            // Advice in the rule's words for the department says what to do once, in 审核意见.
            let rule = c["rules"][0].as_str().unwrap();
            let review = &report["rules"][rule]["review"];
            if review["advice"] == true && review["department"].is_string() {
                assert_eq!(row[col("整改要求")], "", "{row:?}");
            }
        }
        let sev = match c["severity"].as_str().unwrap() {
            "error" => "错误",
            "warning" => "警告",
            _ => "提示",
        };
        assert_eq!(row[col("严重程度")], sev);
    }
    // The findings sheet: every finding, in the report's order.
    let rows = &book[1].1;
    assert_eq!(rows[0], ZH_DETAIL);
    assert_eq!(rows.len() - 1, fs.len(), "one row per finding");
    for (i, (row, f)) in rows[1..].iter().zip(fs).enumerate() {
        assert_eq!(row[dcol("序号")], (i + 1).to_string());
        assert_eq!(row[dcol("指纹")], f["fingerprint"].as_str().unwrap());
        assert_eq!(row[dcol("部门")], f["department"].as_str().unwrap());
        assert_eq!(row[dcol("事项编码")], f["code"].as_str().unwrap());
        assert_eq!(row[dcol("事项名称")], f["name"].as_str().unwrap());
        assert_eq!(row[dcol("审核意见")], f["message"].as_str().unwrap());
        assert!(row[dcol("规则")].starts_with(f["rule"].as_str().unwrap()));
        assert_eq!(row[dcol("状态")], "新发现");
    }
    // Codes stay text (leading zeros, hyphens), never numbers.
    assert!(
        rows[1..]
            .iter()
            .all(|r| r[dcol("事项编码")].contains("-GG-"))
    );
}

#[test]
fn xlsx_summary_sheet_counts_match_the_json() {
    let dir = tempfile::tempdir().unwrap();
    audit_demo(dir.path(), &["--format", "json", "--format", "xlsx"]);
    let report = json(&dir.path().join("audit-report.json"));
    let book = read_xlsx(&dir.path().join("audit-report.xlsx"));
    let rows = &book[2].1;
    let cats = [
        "legal_basis",
        "fee",
        "one_visit",
        "time_limit",
        "adjustment",
        "format",
    ];
    assert_eq!(
        rows[0],
        [
            "部门",
            "设定依据",
            "收费",
            "最多跑一次",
            "办理时限",
            "动态调整",
            "格式规范",
            "合计",
            "错误",
            "警告",
            "提示",
            "须整改事项",
            "建议"
        ]
    );
    // Expected: department → [6 categories, total, error, warning, info, items to fix, advice].
    let mut want: BTreeMap<String, [usize; 12]> = BTreeMap::new();
    for c in comments(&report) {
        let row = want
            .entry(c["department"].as_str().unwrap().to_string())
            .or_default();
        match (c["kind"].as_str().unwrap(), c["advice"].as_bool()) {
            ("item", _) => row[10] += 1,
            (_, Some(true)) => row[11] += 1,
            _ => {}
        }
    }
    for f in findings(&report) {
        let row = want
            .entry(f["department"].as_str().unwrap().to_string())
            .or_default();
        let c = cats
            .iter()
            .position(|c| *c == f["category"].as_str().unwrap())
            .unwrap();
        row[c] += 1;
        row[6] += 1;
        let s = ["error", "warning", "info"]
            .iter()
            .position(|s| *s == f["severity"].as_str().unwrap())
            .unwrap();
        row[7 + s] += 1;
    }
    let as_counts =
        |r: &[String]| -> Vec<usize> { r[1..].iter().map(|c| c.parse().unwrap()).collect() };
    let body = &rows[1..rows.len() - 1];
    assert_eq!(
        body.len(),
        want.len(),
        "one row per department with findings"
    );
    for (row, (dept, counts)) in body.iter().zip(&want) {
        assert_eq!(&row[0], dept);
        assert_eq!(as_counts(row), counts.to_vec(), "{dept}");
    }
    let total = rows.last().unwrap();
    assert_eq!(total[0], "合计");
    let t = as_counts(total);
    let s = &report["summary"]["findings"];
    assert_eq!(t[6], findings(&report).len());
    assert_eq!(t[7], s["error"].as_u64().unwrap() as usize);
    assert_eq!(t[8], s["warning"].as_u64().unwrap() as usize);
    assert_eq!(t[9], s["info"].as_u64().unwrap() as usize);
    assert_eq!(t[..6].iter().sum::<usize>(), t[6]);
    assert_eq!(t[10] + t[11], comments(&report).len());
}

#[test]
fn csv_has_a_bom_parses_and_matches_the_json() {
    let dir = tempfile::tempdir().unwrap();
    audit_demo(dir.path(), &["--format", "json", "--format", "csv"]);
    let report = json(&dir.path().join("audit-report.json"));
    let bytes = std::fs::read(dir.path().join("audit-report.csv")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM first");
    assert!(
        bytes.windows(2).any(|w| w == b"\r\n"),
        "CRLF line ends for Excel"
    );
    let mut r = csv::Reader::from_reader(&bytes[3..]);
    let headers: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(headers, ZH_HEADERS);
    let records: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let cs = comments(&report);
    assert_eq!(records.len(), cs.len());
    for (rec, c) in records.iter().zip(cs) {
        assert_eq!(rec.len(), ZH_HEADERS.len());
        assert_eq!(&rec[col("部门")], c["department"].as_str().unwrap());
        assert_eq!(&rec[col("事项名称")], c["name"].as_str().unwrap_or(""));
        if c["kind"] == "department" {
            assert_eq!(&rec[col("指纹")], c["key"].as_str().unwrap());
        }
        assert_eq!(&rec[col("整改情况")], "");
    }
}

#[test]
fn sheets_are_byte_identical_across_runs() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    audit_demo(a.path(), &["--format", "xlsx", "--format", "csv"]);
    // Past the clock's second: a creation date taken from the clock would differ.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    audit_demo(b.path(), &["--format", "xlsx", "--format", "csv"]);
    for f in ["audit-report.xlsx", "audit-report.csv"] {
        let x = std::fs::read(a.path().join(f)).unwrap();
        let y = std::fs::read(b.path().join(f)).unwrap();
        assert!(x == y, "{f} differs between runs");
    }
}

#[test]
fn workbook_creation_date_is_the_reports_date() {
    let mut r = demo_report(Lang::Zh);
    let t = Texts::builtin(Lang::Zh);
    let first = sheet::workbook(&r, &t).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert!(sheet::workbook(&r, &t).unwrap() == first, "not the clock");
    // Only the document properties carry the date: another date, other bytes.
    r.as_of = r.as_of.succ_opt().unwrap();
    assert!(
        sheet::workbook(&r, &t).unwrap() != first,
        "the report's date"
    );
    // A date Excel cannot hold still gives a workbook.
    r.as_of = chrono::NaiveDate::from_ymd_opt(1066, 10, 14).unwrap();
    assert!(sheet::workbook(&r, &t).unwrap().starts_with(b"PK"));
}

#[test]
fn english_sheet_has_english_tool_text_and_catalog_text_as_is() {
    let dir = tempfile::tempdir().unwrap();
    audit_demo(
        dir.path(),
        &[
            "--lang", "en", "--format", "json", "--format", "xlsx", "--format", "csv",
        ],
    );
    let report = json(&dir.path().join("audit-report.json"));
    let fs = findings(&report);
    let book = read_xlsx(&dir.path().join("audit-report.xlsx"));
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Comments", "Findings", "Summary", "Scorecard"]);
    let rows = &book[0].1;
    assert!(rows[0].iter().all(|h| !has_cjk(h)), "{:?}", rows[0]);
    assert!(rows[0].contains(&"Fingerprint".to_string()));
    // Kind and severity on every comment; change kind and state on items.
    let (kind, change, severity, state) = (
        col("意见类型"),
        col("变更类型"),
        col("严重程度"),
        col("状态"),
    );
    for row in &rows[1..] {
        for c in [kind, change, severity, state] {
            assert!(!has_cjk(&row[c]), "{c}: {}", row[c]);
        }
        assert!(!row[kind].is_empty() && !row[severity].is_empty());
        assert_eq!(row[kind] == "Fix", !row[change].is_empty());
    }
    let enums: BTreeSet<&str> = rows[1..].iter().map(|r| r[severity].as_str()).collect();
    assert!(enums.is_subset(&BTreeSet::from(["error", "warning", "info"])));
    // Catalog content is not translated.
    let rows = &book[1].1;
    for (row, f) in rows[1..].iter().zip(fs) {
        assert_eq!(row[3], f["name"].as_str().unwrap());
        assert_eq!(row[1], f["department"].as_str().unwrap());
    }
    assert!(rows[1..].iter().any(|r| has_cjk(&r[3])));
    let summary = &book[2].1;
    assert!(summary[0].iter().all(|h| !has_cjk(h)), "{:?}", summary[0]);
    assert_eq!(summary.last().unwrap()[0], "Total");
    let csv = std::fs::read_to_string(dir.path().join("audit-report.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(!has_cjk(header), "{header}");
}

/// The department of every file stem, read from the index page's links.
fn index_links(index: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = index;
    while let Some(i) = rest.find("href=\"") {
        rest = &rest[i + 6..];
        let end = rest.find('"').unwrap();
        out.push(percent_decode(&rest[..end]));
        rest = &rest[end..];
    }
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn assert_safe(name: &str) {
    assert!(
        !name
            .chars()
            .any(|c| c.is_control() || "<>:\"/\\|?*".contains(c)),
        "{name:?}"
    );
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    assert!(!stem.ends_with(['.', ' ']), "{name:?}");
    assert!(!name.starts_with(['.', ' ']), "{name:?}");
    let base = stem.split('.').next().unwrap().trim_end().to_uppercase();
    assert!(
        !["CON", "PRN", "AUX", "NUL", "COM1", "LPT1"].contains(&base.as_str()),
        "{name:?}"
    );
    assert!(name.len() <= 255, "{name:?}");
}

#[test]
fn split_by_department_writes_exactly_each_departments_findings() {
    let dir = tempfile::tempdir().unwrap();
    let err = audit_demo(
        dir.path(),
        &[
            "--split-by",
            "department",
            "--format",
            "html",
            "--format",
            "json",
            "--reply-by",
            "2018-01-31",
            "--contact",
            "审改办 张三 <0571-1234>",
        ],
    );
    let report = json(&dir.path().join("audit-report.json"));
    assert_eq!(report["review"]["reply_by"], "2018-01-31");
    assert_eq!(report["review"]["contact"], "审改办 张三 <0571-1234>");
    let fs = findings(&report);
    let mut by_dept: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for f in fs {
        by_dept
            .entry(f["department"].as_str().unwrap())
            .or_default()
            .push(f);
    }
    for c in report["changes"].as_array().unwrap() {
        by_dept
            .entry(c["department"].as_str().unwrap())
            .or_default();
    }
    assert!(by_dept.len() >= 5);
    let index = std::fs::read_to_string(dir.path().join("index.html")).unwrap();
    assert!(!index.contains("{{"), "rendered");
    let links = index_links(&index);
    let mut written: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    written.sort();
    for (dept, dept_findings) in &by_dept {
        // The demo's department names are safe as they are.
        let html = format!("{dept}.html");
        let xlsx = format!("{dept}.xlsx");
        assert!(written.contains(&html) && written.contains(&xlsx), "{dept}");
        assert!(
            links.contains(&html) && links.contains(&xlsx),
            "{dept} linked"
        );
        assert!(err.contains(&format!("wrote {}", dir.path().join(&xlsx).display())));
        let book = read_xlsx(&dir.path().join(&xlsx));
        let rows = &book[1].1;
        let got: Vec<&str> = rows[1..].iter().map(|r| r[dcol("指纹")].as_str()).collect();
        let want: Vec<&str> = dept_findings
            .iter()
            .map(|f| f["fingerprint"].as_str().unwrap())
            .collect();
        assert_eq!(got, want, "{dept}: exactly its findings, in order");
        assert!(rows[1..].iter().all(|r| r[dcol("部门")] == *dept));
        // Its comments, and no other department's.
        let own: Vec<&Value> = comments(&report)
            .iter()
            .filter(|c| c["department"] == *dept)
            .collect();
        assert_eq!(book[0].1.len() - 1, own.len(), "{dept}: its comments");
        assert!(book[0].1[1..].iter().all(|r| r[col("部门")] == *dept));
        // The summary sheet counts this department only.
        let summary = &book[2].1;
        assert_eq!(summary.last().unwrap()[7], want.len().to_string());
        let page = std::fs::read_to_string(dir.path().join(&html)).unwrap();
        for f in fs {
            let fp = f["fingerprint"].as_str().unwrap();
            assert_eq!(
                page.contains(fp),
                f["department"] == *dept,
                "{dept}: finding {fp} of {}",
                f["department"]
            );
        }
        // The page opens with the department's name, its verdict counted from the JSON's
        // comments, the deadline and the contact (escaped), and links to the index, the whole
        // report and its own sheet.
        let must_fix = own
            .iter()
            .filter(|c| c["kind"] == "item" || c["advice"] == false)
            .count();
        let items = own.iter().filter(|c| c["kind"] == "item").count();
        assert!(
            page.contains(&format!("<h1><span class=\"cat\">{dept}</span></h1>")),
            "{dept}: titled by the department"
        );
        assert!(
            page.contains(&format!(
                "data-must-fix=\"{must_fix}\" data-items=\"{items}\""
            )),
            "{dept}: {must_fix} must-fix comments on {items} items"
        );
        assert!(page.contains("请于 2018-01-31 前在审核意见表中逐条反馈整改情况"));
        assert!(page.contains("审核联系人：审改办 张三 &lt;0571-1234&gt;"));
        let page_links = index_links(&page);
        for target in ["index.html", "audit-report.html", xlsx.as_str()] {
            assert!(
                page_links.iter().any(|l| l == target),
                "{dept} links {target}"
            );
        }
        // The index row shows the department's counts.
        let row_start = index.find(&format!(">{dept}</a>")).unwrap();
        let row = &index[row_start..row_start + index[row_start..].find("</tr>").unwrap()];
        let errors = dept_findings
            .iter()
            .filter(|f| f["severity"] == "error")
            .count();
        assert!(row.contains(&format!(">{errors}</td>")), "{dept}: {row}");
        assert!(
            row.contains(&format!("data-must-fix=\"{must_fix}\"")),
            "{dept}: {row}"
        );
    }
    for name in &written {
        assert_safe(name);
    }
    // index.html, the whole report as JSON and HTML, two files per department.
    assert_eq!(written.len(), 3 + 2 * by_dept.len(), "{written:?}");
    let whole = std::fs::read_to_string(dir.path().join("audit-report.html")).unwrap();
    assert!(
        comments(&report)
            .iter()
            .all(|c| c["kind"] != "item" || whole.contains(c["code"].as_str().unwrap())),
        "the whole report holds every department's comments"
    );
    assert!(index.contains("href=\"audit-report.html\""));
    assert_eq!(err.matches("wrote ").count(), written.len());
}

/// The demo report, built in-process.
fn demo_report(lang: Lang) -> Report {
    let read = |n: &str| std::fs::read_to_string(demo(n)).unwrap();
    let old = load::snapshot_from_str("2017-06-30.json", &read("2017-06-30.json")).unwrap();
    let new = load::snapshot_from_str("2017-12-31.json", &read("2017-12-31.json")).unwrap();
    let log = load::adjustment_log_from_str("log.json", &read("adjustments-2017H2.json")).unwrap();
    audit_loaded(
        &old,
        &new,
        Some(&log),
        &Pack::builtin().unwrap(),
        &Default::default(),
        new.info.as_of.unwrap(),
        lang,
    )
}

#[test]
fn department_reports_partition_the_report_and_recompute_counts() {
    let whole = demo_report(Lang::Zh);
    let parts = split::split(&whole, &Texts::builtin(Lang::Zh));
    let depts: Vec<&str> = parts.iter().map(|p| p.department.as_str()).collect();
    let mut sorted = depts.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(depts, sorted, "sorted as the report is, each once");
    let (mut added, mut changed, mut cancelled, mut recoded, mut unchanged) = (0, 0, 0, 0, 0);
    let (mut errors, mut warnings, mut infos, mut new_items, mut old_items) = (0, 0, 0, 0, 0);
    for p in &parts {
        let r = &p.report;
        let want: Vec<_> = whole
            .findings
            .iter()
            .filter(|f| *f.department == *p.department)
            .collect();
        assert_eq!(r.findings.iter().collect::<Vec<_>>(), want);
        let want: Vec<_> = whole
            .changes
            .iter()
            .filter(|c| c.department == p.department)
            .collect();
        assert_eq!(r.changes.iter().collect::<Vec<_>>(), want);
        let rules: BTreeSet<&str> = r.findings.iter().map(|f| &*f.rule).collect();
        assert_eq!(
            r.rules.keys().map(String::as_str).collect::<BTreeSet<_>>(),
            rules
        );
        let s = &r.summary;
        assert_eq!(
            s.findings.error + s.findings.warning + s.findings.info,
            r.findings.len()
        );
        assert_eq!(
            s.added + s.changed + s.cancelled + s.recoded + s.merged + s.split,
            r.changes.len()
        );
        added += s.added;
        changed += s.changed;
        cancelled += s.cancelled;
        recoded += s.recoded;
        unchanged += s.unchanged;
        errors += s.findings.error;
        warnings += s.findings.warning;
        infos += s.findings.info;
        new_items += r.new.items;
        old_items += r.old.as_ref().unwrap().items;
        assert_eq!(r.as_of, whole.as_of);
    }
    let s = &whole.summary;
    assert_eq!(
        (added, changed, cancelled, recoded, unchanged),
        (s.added, s.changed, s.cancelled, s.recoded, s.unchanged)
    );
    assert_eq!(
        (errors, warnings, infos),
        (s.findings.error, s.findings.warning, s.findings.info)
    );
    assert_eq!(new_items, whole.new.items);
    assert_eq!(old_items, whole.old.as_ref().unwrap().items);
}

/// The demo's new snapshot with departments renamed to names that are unsafe as file names, and an
/// item name with a table pipe and a line break.
fn awkward_snapshot(dir: &Path) -> (PathBuf, Vec<String>) {
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string(demo("2017-12-31.json")).unwrap()).unwrap();
    let long = format!("{}局", "青禾市某某某某委员会办公室".repeat(8));
    let renames: BTreeMap<&str, String> = BTreeMap::from([
        ("青禾市档案局", "档案局/资料馆".to_string()),
        ("青禾市司法局", "档案局:资料馆".to_string()),
        ("青禾市残疾人联合会", "CON".to_string()),
        ("青禾市文化广电新闻出版局", " .文化局. ".to_string()),
        ("青禾市教育局", long.clone()),
        ("青禾市公安局", "公安局\t<指挥中心>".to_string()),
    ]);
    let mut renamed = 0;
    for item in doc["items"].as_array_mut().unwrap() {
        let d = item["department"].as_str().unwrap().to_string();
        if let Some(n) = renames.get(d.as_str()) {
            item["department"] = Value::String(n.clone());
            renamed += 1;
        }
    }
    assert!(renamed >= 6);
    doc["items"][0]["name"] = Value::String("甲|乙\n丙 *重要*".into());
    let path = dir.join("awkward.json");
    std::fs::write(&path, serde_json::to_string(&doc).unwrap()).unwrap();
    (path, renames.into_values().collect())
}

#[test]
fn split_file_names_are_safe_distinct_and_keep_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let (snapshot, names) = awkward_snapshot(dir.path());
    let out = dir.path().join("split");
    let run = bin()
        .arg("check")
        .arg(&snapshot)
        .args(["--split-by", "department", "--format", "json", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.code() == Some(0) || run.status.code() == Some(1),
        "{run:?}"
    );
    let report = json(&out.join("audit-report.json"));
    let mut written: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    written.sort();
    for n in &written {
        assert_safe(n);
    }
    let stems: BTreeSet<String> = written
        .iter()
        .filter(|n| n.ends_with(".xlsx"))
        .map(|n| n.trim_end_matches(".xlsx").to_lowercase())
        .collect();
    let depts: BTreeSet<&str> = findings(&report)
        .iter()
        .map(|f| f["department"].as_str().unwrap())
        .collect();
    assert!(
        stems.len() >= depts.len(),
        "one distinct file per department"
    );
    assert!(
        written.contains(&"档案局_资料馆.xlsx".to_string()),
        "{written:?}"
    );
    assert!(
        written.contains(&"档案局_资料馆-2.xlsx".to_string()),
        "{written:?}"
    );
    assert!(written.contains(&"_CON.html".to_string()), "{written:?}");
    assert!(written.contains(&"_文化局.html".to_string()), "{written:?}");
    assert!(
        written.contains(&"公安局__指挥中心_.html".to_string()),
        "{written:?}"
    );
    let long = written
        .iter()
        .find(|n| n.starts_with("青禾市某某") && n.ends_with(".html"))
        .unwrap();
    assert_eq!(
        long.trim_end_matches(".html").chars().count(),
        split::MAX_STEM_CHARS
    );
    // Each file holds its own department, even where two names map to one stem.
    for (file, dept) in [
        ("档案局_资料馆.xlsx", "档案局/资料馆"),
        ("档案局_资料馆-2.xlsx", "档案局:资料馆"),
    ] {
        let book = read_xlsx(&out.join(file));
        let rows = &book[0].1;
        assert!(names.contains(&dept.to_string()));
        assert!(rows.len() > 1, "{file} has findings");
        assert!(rows[1..].iter().all(|r| r[col("部门")] == dept), "{file}");
    }
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        index.contains("公安局\t&lt;指挥中心&gt;"),
        "escaped in the index"
    );
    for link in index_links(&index) {
        assert!(written.contains(&link), "{link} exists");
    }
}

#[test]
fn markdown_escapes_cells_and_renders_through_a_replaceable_template() {
    let dir = tempfile::tempdir().unwrap();
    let (snapshot, _) = awkward_snapshot(dir.path());
    let run = bin()
        .arg("check")
        .arg(&snapshot)
        .args(["--format", "md"])
        .output()
        .unwrap();
    let md = String::from_utf8(run.stdout).unwrap();
    assert!(md.starts_with("# "), "{md}");
    assert!(md.contains("甲\\|乙<br>丙 \\*重要\\*"), "{md}");
    assert!(!md.contains("甲|乙"));
    // Every table row has as many unescaped pipes as its header.
    let mut columns = 0;
    for line in md.lines() {
        if !line.starts_with('|') {
            columns = 0;
            continue;
        }
        let pipes = line
            .match_indices('|')
            .filter(|(i, _)| *i == 0 || &line[i - 1..*i] != "\\")
            .count();
        if columns == 0 {
            columns = pipes;
        }
        assert_eq!(pipes, columns, "{line}");
    }
    assert!(md.contains("| 部门 | 错误 | 警告 | 提示 | 变更 | 须整改事项 | 建议 |"));
    // Comments: a heading per kind, numbered points.
    assert!(
        md.contains("\n### 须整改\n") && md.contains("\n1. "),
        "{md}"
    );

    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    std::fs::write(
        templates.join("report.md.hbs"),
        "custom {{md title}}: {{#each departments}}{{md name}}={{items_to_fix}};{{/each}}\n",
    )
    .unwrap();
    let run = bin()
        .arg("check")
        .arg(&snapshot)
        .args(["--format", "md", "--templates"])
        .arg(&templates)
        .output()
        .unwrap();
    let md = String::from_utf8(run.stdout).unwrap();
    assert!(md.starts_with("custom 青禾市公共服务事项目录: "), "{md}");
    assert!(md.contains("档案局/资料馆="), "{md}");
}

#[test]
fn split_needs_an_output_directory_and_xlsx_goes_to_stdout_only_when_redirected() {
    bin()
        .arg("check")
        .arg(demo("2017-12-31.json"))
        .args(["--split-by", "department"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--out DIR"));
    let out = bin()
        .arg("check")
        .arg(demo("2017-12-31.json"))
        .args(["--format", "xlsx"])
        .output()
        .unwrap();
    assert!(
        out.stdout.starts_with(b"PK"),
        "an XLSX (zip) on redirected stdout"
    );
}

#[test]
fn hostile_catalog_text_renders_in_every_new_format() {
    let mut r = demo_report(Lang::Zh);
    let huge = "长".repeat(40_000);
    for (i, f) in r.findings.iter_mut().enumerate().take(6) {
        match i {
            0 => f.name = "控制\u{0}\u{1}\u{1b}[31m字符\u{7f}".into(),
            1 => f.message = huge.clone(),
            2 => f.department = Default::default(),
            3 => f.rule = "XX-99".into(),
            4 => f.change = "whatever".into(),
            _ => f.code = "=cmd|' /C calc'!A0".into(),
        }
    }
    r.recount();
    let style = catalog_audit::report::Style::plain(Lang::Zh);
    let dir = tempfile::tempdir().unwrap();
    for format in [
        catalog_audit::report::Format::Md,
        catalog_audit::report::Format::Xlsx,
        catalog_audit::report::Format::Csv,
    ] {
        let path = dir.path().join(format!("r.{}", format.extension()));
        catalog_audit::report::write_atomic(&path, |w| {
            catalog_audit::report::render(&r, format, &style, w)
        })
        .unwrap();
    }
    let book = read_xlsx(&dir.path().join("r.xlsx"));
    assert_eq!(book[0].1.len() - 1, r.comments.len());
    assert!(
        book[0].1[1..]
            .iter()
            .all(|row| row.iter().all(|c| c.encode_utf16().count() <= 32_767)),
        "every comment cell fits"
    );
    let rows = &book[1].1;
    assert_eq!(rows.len() - 1, r.findings.len());
    let at = |f: usize| {
        rows.iter()
            .position(|row| row[dcol("指纹")] == r.findings[f].fingerprint)
            .unwrap()
    };
    assert_eq!(
        rows[at(1)][dcol("审核意见")].chars().count(),
        32_767,
        "cut to a cell"
    );
    assert_eq!(
        rows[at(3)][dcol("规则")],
        "XX-99",
        "a rule the report does not document"
    );
    assert_eq!(rows[at(4)][dcol("变更类型")], "whatever");
    assert_eq!(
        rows[at(5)][dcol("事项编码")],
        "=cmd|' /C calc'!A0",
        "text, not a formula"
    );
    let csv = std::fs::read_to_string(dir.path().join("r.csv")).unwrap();
    assert!(csv.contains("'=cmd|"), "formula guarded in CSV");
    let parts = split::split(&r, &style.texts);
    assert!(
        parts
            .iter()
            .any(|p| p.department.is_empty() && p.stem == "（未填写部门）")
    );
    let mut index = Vec::new();
    split::render_index(&r, &parts, &style, &mut index).unwrap();
    assert!(String::from_utf8(index).unwrap().contains("（未填写部门）"));
}

/// The demo's second round against `round1`, without output options.
fn round_two_command(round1: &Path) -> Command {
    let mut cmd = bin();
    cmd.arg("audit")
        .arg(demo("2017-12-31.json"))
        .arg(demo("2018-03-31.json"))
        .arg("--adjustments")
        .arg(demo("adjustments-2018Q1.json"))
        .arg("--baseline")
        .arg(round1);
    cmd
}

/// The demo's second round against `round1`, split by department into `out`, with one more
/// flag and its file.
fn round_two(round1: &Path, flag: &str, file: &Path, out: &Path) {
    let run = round_two_command(round1)
        .arg(flag)
        .arg(file)
        .args(["--format", "json", "--split-by", "department", "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{run:?}");
}

#[test]
fn a_later_round_heads_each_page_with_last_rounds_comments_still_open() {
    let dir = tempfile::tempdir().unwrap();
    let round1 = dir.path().join("round-1.json");
    audit_demo(&round1, &["--format", "json"]);
    // The deadline and contact from the configuration.
    let config = dir.path().join("config.json");
    std::fs::write(
        &config,
        r#"{"format": "audit-config/1", "reply_by": "2018-04-30", "contact": "审改办"}"#,
    )
    .unwrap();
    let out_dir = dir.path().join("round-2");
    round_two(&round1, "--config", &config, &out_dir);
    let report = json(&out_dir.join("audit-report.json"));
    assert_eq!(report["review"]["reply_by"], "2018-04-30");
    let persisting: std::collections::HashSet<&str> = findings(&report)
        .iter()
        .filter(|f| f["state"] == "persisting")
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    let mut carried_somewhere = false;
    for dept in ["青禾市公安局", "青禾市教育局", "青禾市民政局"] {
        // Must-fix comments of this department with a finding persisting from round 1.
        let carried = comments(&report)
            .iter()
            .filter(|c| c["department"] == dept)
            .filter(|c| c["kind"] == "item" || c["advice"] == false)
            .filter(|c| {
                let fps: Vec<&str> = match c["points"].as_array() {
                    Some(points) => points
                        .iter()
                        .flat_map(|p| p["fingerprints"].as_array().unwrap())
                        .map(|f| f.as_str().unwrap())
                        .collect(),
                    None => c["fingerprints"]
                        .as_array()
                        .map(|a| a.iter().map(|f| f.as_str().unwrap()).collect())
                        .unwrap_or_default(),
                };
                fps.iter().any(|f| persisting.contains(f))
            })
            .count();
        carried_somewhere |= carried > 0;
        let page = std::fs::read_to_string(out_dir.join(format!("{dept}.html"))).unwrap();
        assert!(
            page.contains(&format!("data-carried=\"{carried}\"")),
            "{dept}: {carried} carried"
        );
        assert!(page.contains(&format!("其中上一轮已提出、仍未整改 {carried} 条")));
        assert!(page.contains("请于 2018-04-30 前"), "{dept}");
        // The round's progress line is the department's own, not the whole catalog's.
        let round1_report = json(&round1);
        let before = findings(&round1_report)
            .iter()
            .filter(|f| f["department"] == dept)
            .count();
        let state = |s: &str| {
            findings(&report)
                .iter()
                .filter(|f| f["department"] == dept && f["state"] == s)
                .count()
        };
        // New findings are named only where there are some.
        let new = match state("new") {
            0 => String::new(),
            n => format!("，新发现 {n} 条"),
        };
        let line = format!(
            "上轮发现的 {before} 条问题中仍有 {} 条未整改；已整改 {} 条{new}<",
            state("persisting"),
            state("resolved"),
        );
        assert!(page.contains(&line), "{dept}: {line}");
        assert!(page.contains("审核联系人：审改办"), "{dept}");
    }
    assert!(carried_somewhere, "the demo's round 2 carries comments");
}

/// A part of an XLSX file (its XML), read from the zip.
fn xlsx_part(path: &Path, part: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    zip.by_name(part).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// The style index (`s="N"`) of a cell in a worksheet's XML.
fn cell_style(sheet: &str, cell: &str) -> usize {
    let at = sheet.find(&format!("<c r=\"{cell}\"")).unwrap();
    let rest = &sheet[at..];
    let end = rest.find('>').unwrap();
    let tag = &rest[..end];
    tag.split("s=\"")
        .nth(1)
        .map_or(0, |s| s[..s.find('"').unwrap()].parse().unwrap())
}

/// Whether a cell format (`<xf>` N of `cellXfs`) leaves its cells locked.
fn locked(styles: &str, index: usize) -> bool {
    let xfs = &styles[styles.find("<cellXfs").unwrap()..styles.find("</cellXfs>").unwrap()];
    let xf: Vec<&str> = xfs.split("<xf ").skip(1).collect();
    !xf[index].contains("locked=\"0\"")
}

#[test]
fn the_review_sheet_is_easy_to_fill_in_and_guards_its_fingerprints() {
    let dir = tempfile::tempdir().unwrap();
    audit_demo(
        dir.path(),
        &[
            "--split-by",
            "department",
            "--format",
            "json",
            "--reply-by",
            "2018-01-31",
            "--contact",
            "审改办",
        ],
    );
    let report = json(&dir.path().join("audit-report.json"));
    let dept = "青禾市民政局";
    let n = comments(&report)
        .iter()
        .filter(|c| c["department"] == dept)
        .count();
    let path = dir.path().join(format!("{dept}.xlsx"));
    // Read back with calamine: the instruction heads the sheet with the action header.
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let range = wb.worksheet_range("审核意见").unwrap();
    let first = text(range.get((0, 0)).unwrap());
    let must_fix = comments(&report)
        .iter()
        .filter(|c| c["department"] == dept && (c["kind"] == "item" || c["advice"] == false))
        .count();
    assert!(
        first.starts_with(&format!("{dept}：须整改意见 {must_fix} 条")),
        "{first}"
    );
    assert!(first.contains("请于 2018-01-31 前交回") && first.contains("审核联系人：审改办"));
    let header: Vec<String> = (0..18).map(|c| text(range.get((1, c)).unwrap())).collect();
    assert_eq!(header, ZH_HEADERS);
    assert_eq!(range.height(), n + 2);

    // The parts calamine does not expose, read from the file itself.
    let sheet = xlsx_part(&path, "xl/worksheets/sheet1.xml");
    let styles = xlsx_part(&path, "xl/styles.xml");
    let last = n + 2;
    // Outcome: a drop-down of the three outcomes on every comment row (column F).
    let list = format!("sqref=\"F3:F{last}\"");
    let at = sheet.find(&list).expect("the outcome drop-down");
    let validation = &sheet[sheet[..at].rfind("<dataValidation ").unwrap()..];
    let validation = &validation[..validation.find("</dataValidation>").unwrap()];
    assert!(validation.contains("type=\"list\""), "{validation}");
    assert!(
        validation.contains("<formula1>\"已整改,整改中,不予采纳（须说明理由）\"</formula1>"),
        "{validation}"
    );
    // Reply date: a date between 2000 and 2099 (column H).
    let at = sheet
        .find(&format!("sqref=\"H3:H{last}\""))
        .expect("the date check");
    let validation = &sheet[sheet[..at].rfind("<dataValidation ").unwrap()..];
    assert!(
        validation.starts_with("<dataValidation type=\"date\""),
        "{validation}"
    );
    // Panes frozen below the header and right of the item name (D), the instruction merged.
    assert!(sheet.contains("xSplit=\"4\" ySplit=\"2\""), "frozen panes");
    assert!(sheet.contains("<mergeCell ref=\"A1:R1\"/>"));
    // Protected: the fingerprints (R) locked, the reply cells (F, G, H) open.
    assert!(sheet.contains("<sheetProtection"));
    for row in 3..=last {
        assert!(
            locked(&styles, cell_style(&sheet, &format!("R{row}"))),
            "R{row}"
        );
        for c in ["F", "G", "H", "E"] {
            assert!(
                !locked(&styles, cell_style(&sheet, &format!("{c}{row}"))),
                "{c}{row}"
            );
        }
    }
}

#[test]
fn a_filled_workbook_is_read_back_with_its_outcomes_and_carried_into_the_next_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let round1 = dir.path().join("round-1.json");
    audit_demo(&round1, &["--format", "json"]);
    let report = json(&round1);
    let key = |code: &str, rule: &str| -> String {
        let c = comments(&report)
            .iter()
            .find(|c| c["code"] == code && c["points"][0]["rules"][0] == rule)
            .unwrap();
        c["points"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["fingerprints"].as_array().unwrap())
            .map(|f| f.as_str().unwrap())
            .collect::<Vec<_>>()
            .join(" ")
    };
    // A department's filled sheet, as Excel saves it: the instruction row, the header, replies.
    let replies = dir.path().join("replies");
    std::fs::create_dir(&replies).unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("审核意见").unwrap();
    let plain = rust_xlsxwriter::Format::new();
    ws.merge_range(0, 0, 0, 17, "青禾市民政局：须整改意见…", &plain)
        .unwrap();
    for (c, h) in ZH_HEADERS.iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    let rows = [
        (
            key("339900-GG-00020", "OV-03"),
            "不予采纳（须说明理由）",
            "收养关系当事人须亲自到场办理登记",
        ),
        (key("339900-GG-00019", "FEE-02"), "已整改", ""),
    ];
    for (i, (fp, outcome, text)) in rows.iter().enumerate() {
        let r = (i + 2) as u32;
        ws.write_string(r, col("指纹") as u16, fp).unwrap();
        ws.write_string(r, col("整改结果") as u16, *outcome)
            .unwrap();
        ws.write_string(r, col("整改情况") as u16, *text).unwrap();
        ws.write_string(r, col("反馈日期") as u16, "2018-02-28")
            .unwrap();
    }
    book.save(replies.join("民政局.xlsx")).unwrap();

    let out_dir = dir.path().join("round-2");
    round_two(&round1, "--responses", &replies, &out_dir);
    let round2 = json(&out_dir.join("audit-report.json"));
    let finding = |code: &str, rule: &str| {
        findings(&round2)
            .iter()
            .find(|f| f["code"] == code && f["rule"] == rule)
            .cloned()
    };
    let declined = finding("339900-GG-00020", "OV-03").unwrap();
    assert_eq!(declined["state"], "persisting");
    assert_eq!(declined["response"]["outcome"], "declined");
    assert_eq!(declined["response"]["claims_fixed"], false);
    let claimed = finding("339900-GG-00019", "FEE-02").unwrap();
    assert_eq!(claimed["response"]["outcome"], "fixed");
    assert_eq!(claimed["response"]["claims_fixed"], true);
    // The claimed fix of a problem still there is flagged; the declined comment is not.
    let flags: Vec<&Value> = findings(&round2)
        .iter()
        .filter(|f| f["rule"] == "CF-92")
        .collect();
    assert!(flags.iter().any(|f| f["code"] == "339900-GG-00019"
        && f["message"].as_str().unwrap().contains("反馈“已整改”")));
    assert!(!flags.iter().any(|f| f["code"] == "339900-GG-00020"));
    // The next sheet shows last round's reply beside the persisting comment.
    let book = read_xlsx(&out_dir.join("青禾市民政局.xlsx"));
    let rows = &book[0].1;
    let row = rows
        .iter()
        .find(|r| r[col("事项编码")] == "339900-GG-00020" && r[col("规则")].contains("OV-03"))
        .unwrap();
    assert_eq!(
        row[col("上轮反馈")],
        "不予采纳：收养关系当事人须亲自到场办理登记（2018-02-28）"
    );
    assert_eq!(
        row[col("整改结果")],
        "",
        "this round's reply is the department's to give"
    );
}

/// The `data-value` of the scorecard row or cell of `metric` after `from` in a page.
fn score_value(page: &str, from: usize, metric: &str) -> Option<f64> {
    let at = from + page[from..].find(&format!("data-metric=\"{metric}\""))?;
    let rest = &page[at..];
    let v = rest.split("data-value=\"").nth(1)?;
    v[..v.find('"')?].parse().ok()
}

#[test]
fn the_scorecard_shows_the_jsons_figures_on_every_page_and_sheet() {
    let dir = tempfile::tempdir().unwrap();
    audit_demo(
        dir.path(),
        &[
            "--split-by",
            "department",
            "--format",
            "json",
            "--format",
            "xlsx",
        ],
    );
    let report = json(&dir.path().join("audit-report.json"));
    let card = &report["scorecard"];
    let departments = card["departments"].as_array().unwrap();
    assert!(departments.len() >= 5);
    let metrics = [
        "zero_visit",
        "at_most_one",
        "immediate",
        "compression",
        "online",
        "mobile",
        "materials_per_item",
    ];
    let index = std::fs::read_to_string(dir.path().join("index.html")).unwrap();
    let table = index.find("class=\"score-depts\"").unwrap();
    let book = read_xlsx(&dir.path().join("audit-report.xlsx"));
    let (name, sheet) = &book[3];
    assert_eq!(name, "评价指标");
    for d in departments {
        let dept = d["department"].as_str().unwrap();
        let page = std::fs::read_to_string(dir.path().join(format!("{dept}.html"))).unwrap();
        let score = page.find("id=\"score\"").unwrap();
        let row = index[table..].find(&format!(">{dept}<")).unwrap() + table;
        let xrow = sheet.iter().find(|r| r[0] == dept).unwrap();
        for m in metrics {
            let want = d["figures"][m]["value"].as_f64();
            match want {
                Some(v) => {
                    assert_eq!(
                        score_value(&page, score, m),
                        Some(v),
                        "{dept} {m} on its page"
                    );
                    assert_eq!(
                        score_value(&index, row, m),
                        Some(v),
                        "{dept} {m} in the index"
                    );
                }
                None => assert!(
                    !page[score..].contains(&format!("<tr data-metric=\"{m}\"")),
                    "{dept} shows no {m}"
                ),
            }
        }
        // The sheet: value, change, rank per figure after 部门 and 事项.
        assert_eq!(xrow[1], d["items"].to_string(), "{dept} items");
        let mut col = 2;
        for m in metrics
            .iter()
            .filter(|m| card["total"]["figures"].get(**m).is_some())
        {
            let f = &d["figures"][*m];
            match f["value"].as_f64() {
                Some(v) => assert!(
                    (xrow[col].parse::<f64>().unwrap() - v).abs() < 1e-9,
                    "{dept} {m}"
                ),
                None => assert_eq!(xrow[col], "", "{dept} {m}"),
            }
            let rank = f["rank"]
                .as_u64()
                .map(|r| r.to_string())
                .unwrap_or_default();
            assert_eq!(xrow[col + 2], rank, "{dept} {m} rank");
            col += 3;
        }
        // A department short of a target is told so in words, on its page.
        for advice in d["advice"].as_array().into_iter().flatten() {
            let advice = advice.as_str().unwrap();
            assert!(advice.starts_with(dept), "{advice}");
            assert!(page.contains(advice), "{dept}: {advice}");
        }
    }
    assert!(
        departments.iter().any(|d| d.get("advice").is_some()),
        "the demo has a department short of a target"
    );
    // The whole catalog's figure, beside each department's and in the index's last row.
    let total = card["total"]["figures"]["at_most_one"]["value"]
        .as_f64()
        .unwrap();
    let foot = index.find("<tfoot><tr><td>全市").unwrap();
    assert_eq!(score_value(&index, foot, "at_most_one"), Some(total));
}

#[test]
fn a_later_rounds_markdown_carries_progress_states_replies_and_the_action_lines() {
    let dir = tempfile::tempdir().unwrap();
    let round1 = dir.path().join("round-1.json");
    audit_demo(&round1, &["--format", "json"]);
    let out = dir.path().join("round-2");
    let run = round_two_command(&round1)
        .arg("--responses")
        .arg(demo("replies"))
        .args(["--reply-by", "2018-04-30", "--contact", "审改办"])
        .args(["--format", "json", "--format", "md", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{run:?}");
    let report = json(&out.join("audit-report.json"));
    let md = std::fs::read_to_string(out.join("audit-report.md")).unwrap();
    let g = &report["progress"];
    assert!(md.contains(&format!(
        "上轮发现的 {} 条问题中仍有 {} 条未整改；已整改 {} 条，新发现 {} 条\n",
        g["baseline_open"], g["still_open"], g["resolved"], g["new"]
    )));
    assert!(md.contains("请于 2018-04-30 前"), "{md}");
    assert!(md.contains("审核联系人：审改办"), "{md}");
    // Each persisting point says so, as the terminal does.
    let persisting = comments(&report)
        .iter()
        .filter(|c| c["kind"] == "item")
        .flat_map(|c| c["points"].as_array().unwrap())
        .filter(|p| p["state"] == "persisting")
        .count();
    assert!(persisting > 0);
    assert_eq!(md.matches(". \\[仍存在\\] ").count(), persisting);
    // Every reply to a finding still open is quoted under its point, with its date (the fixed
    // ones are counted, not listed).
    let mut replies = 0;
    for f in findings(&report)
        .iter()
        .filter(|f| f["state"] != "resolved")
    {
        if let Some(date) = f["response"]["date"].as_str() {
            assert!(md.contains(&format!("（{date}）")), "{date}");
            replies += 1;
        }
    }
    assert!(replies >= 3, "{replies}");
    assert!(md.contains("<br>部门反馈：不予采纳："), "{md}");
}

#[test]
fn an_advice_row_does_not_restate_a_must_fix_fact_of_its_item() {
    // OV-02 asks for the missing reason for a visit; OV-06 lists the same item for zero visits
    // and says nothing of the reason it lacks (one comment per fact).
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    audit_demo(&out, &["--format", "json"]);
    let report = json(&out);
    let fs = findings(&report);
    let missing_reason: Vec<&str> = fs
        .iter()
        .filter(|f| f["rule"] == "OV-02")
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(!missing_reason.is_empty());
    let mut listed = 0;
    for f in fs.iter().filter(|f| f["rule"] == "OV-06") {
        let message = f["message"].as_str().unwrap();
        if missing_reason.contains(&f["code"].as_str().unwrap()) {
            listed += 1;
            assert!(!message.contains("必须现场办理原因"), "{message}");
        } else {
            assert!(message.contains("必须现场办理原因“"), "{message}");
        }
    }
    assert!(
        listed > 0,
        "the demo lists an item without a reason for zero visits"
    );
}
