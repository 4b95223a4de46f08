//! One set of counts: a second-round report (baseline with a resolved finding, a waiver, several
//! departments) rendered in every format says the same numbers everywhere — the JSON summary,
//! the terminal, HTML (table rows, section headings, filter), Markdown, the XLSX summary sheet,
//! the per-department reports and their index page, and the CSV rows — and those numbers are
//! the statistics module's. (The history timeline's counts are checked in tests/history.rs.)

mod support;

use calamine::{Reader, Xlsx};
use catalog_audit::finding::FindingState;
use catalog_audit::pipeline::{self, Audit, Round};
use catalog_audit::report::{self, Format, Report, Style, Templates, Texts};
use catalog_audit::rounds::{Baseline, Waiver};
use catalog_audit::rules::Lang;

fn second_round() -> Report {
    let demo = support::demo();
    let as_of = demo.as_of();
    let audit = |round: Option<&Round>| {
        pipeline::audit(&Audit {
            old: &demo.old,
            new: &demo.new,
            log: Some(&demo.log),
            pack: &demo.pack,
            config: &Default::default(),
            as_of,
            lang: Lang::Zh,
            round,
            progress: None,
        })
    };
    let first = demo.audit();
    // Last round had three comments that are gone now (resolved), in two departments.
    let mut baseline = first.findings.clone();
    for (i, f) in first.findings.iter().step_by(17).take(3).enumerate() {
        let mut gone = f.clone();
        gone.fingerprint = format!("{:012x}", i + 1);
        gone.evidence = format!("fixed {i}");
        baseline.push(gone);
    }
    // One department accepted one rule for a while.
    let waived = &first.findings[5];
    let round = Round {
        baseline: Some(Baseline {
            findings: baseline,
            resolved_before: Vec::new(),
            scorecard: Default::default(),
        }),
        waivers: vec![Waiver {
            id: "W-1".into(),
            fingerprint: None,
            rule: Some(waived.rule.to_string()),
            code: None,
            department: Some(waived.department.to_string()),
            reason: "accepted".into(),
            approver: "reviewer".into(),
            doc_no: "青编〔2018〕1号".into(),
            expires: as_of + chrono::Days::new(90),
        }],
        responses: Default::default(),
    };
    audit(Some(&round))
}

fn render(r: &Report, format: Format) -> Vec<u8> {
    let style = Style {
        texts: Texts::builtin(Lang::Zh),
        templates: Templates::builtin(),
        color: false,
    };
    let mut out = Vec::new();
    report::render(r, format, &style, &mut out).unwrap();
    out
}

/// The first number after `needle` in `text`, starting the search at `from`.
fn number_after(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not found"));
    let rest = &text[at + needle.len()..];
    let digits: String = rest
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().unwrap()
}

#[test]
fn every_format_says_the_same_numbers() {
    let r = second_round();
    let s = &r.stats;
    // The scenario has what it must: resolved and waived findings, several departments.
    assert!(
        s.findings.resolved >= 3,
        "resolved: {}",
        s.findings.resolved
    );
    assert!(s.findings.waived >= 1, "waived: {}", s.findings.waived);
    let with_findings: Vec<&String> = s
        .departments
        .iter()
        .filter(|(_, d)| d.findings.listed > 0)
        .map(|(n, _)| n)
        .collect();
    assert!(with_findings.len() >= 5);
    // The statistics are the findings' own counts.
    let open = r
        .findings
        .iter()
        .filter(|f| report::is_open(f.state))
        .count();
    assert_eq!(s.findings.open_total(), open);
    assert_eq!(s.findings.listed, r.findings.len());
    let by_state = |st| r.findings.iter().filter(|f| f.state == st).count();
    assert_eq!(s.findings.resolved, by_state(FindingState::Resolved));
    assert_eq!(s.findings.waived, by_state(FindingState::Waived));
    let dept_sum: usize = s
        .departments
        .values()
        .map(|d| d.findings.open_total())
        .sum();
    assert_eq!(dept_sum, open);

    // JSON: the summary block.
    let json: serde_json::Value = serde_json::from_slice(&render(&r, Format::Json)).unwrap();
    let sum = &json["summary"];
    assert_eq!(sum["findings"]["error"], s.findings.open.error);
    assert_eq!(sum["findings"]["warning"], s.findings.open.warning);
    assert_eq!(sum["findings"]["info"], s.findings.open.info);
    assert_eq!(sum["waived"], s.findings.waived);
    assert_eq!(sum["resolved"], s.findings.resolved);

    // Terminal: one heading per department with comments, with its items to fix (those with
    // errors) and its advice, as the statistics count the comments.
    let term = String::from_utf8(render(&r, Format::Terminal)).unwrap();
    let c = &s.comments;
    assert_eq!(c.total(), r.comments.len());
    assert!(term.contains(&format!(
        "审核意见：须整改事项 {} 个（{} 点），部门整体问题 {} 条，建议 {} 条",
        c.items.total(),
        c.points,
        c.department,
        c.advice
    )));
    for name in &with_findings {
        let d = s.department(name);
        if d.comments.total() == 0 {
            continue;
        }
        let line = format!(
            "{name} — 须整改事项 {} 个（其中有错误的 {} 个），建议 {} 条",
            d.comments.items.total(),
            d.comments.items.error,
            d.comments.advice
        );
        assert!(term.contains(&line), "terminal lacks {line}");
    }
    // Closed findings are not raised again; each department says how many there were.
    // Each line names only the kinds there are: never "0 条".
    let closed =
        regex::Regex::new(r"另有(?:已整改 (\d+) 条)?、?(?:已豁免 (\d+) 条)?，本轮不再提出")
            .unwrap();
    let (mut resolved, mut waived) = (0, 0);
    for cap in closed.captures_iter(&term) {
        let n = |i: usize| {
            cap.get(i)
                .map_or(0, |m| m.as_str().parse::<usize>().unwrap())
        };
        assert!(n(1) > 0 || cap.get(1).is_none(), "{}", &cap[0]);
        assert!(n(2) > 0 || cap.get(2).is_none(), "{}", &cap[0]);
        resolved += n(1);
        waived += n(2);
    }
    assert_eq!((resolved, waived), (s.findings.resolved, s.findings.waived));
    assert!(!term.contains("[已整改]") && !term.contains("[已豁免]"));

    // HTML: the summary cards, the table row, the section's counts and the filter's totals. The
    // sections show comments (must-fix cards, advice cards) and, folded apart, the closed
    // findings; the comment numbers are the report's comments, the rest the statistics.
    let html = String::from_utf8(render(&r, Format::Html)).unwrap();
    let card = |key: &str| number_after(&html, &format!("data-card=\"{key}\" data-count=\""));
    assert_eq!(card("error"), s.findings.open.error);
    assert_eq!(card("warning"), s.findings.open.warning);
    assert_eq!(card("info"), s.findings.open.info);
    assert_eq!(card("resolved"), s.findings.resolved);
    assert_eq!(card("waived"), s.findings.waived);
    let must_fix = r.comments.iter().filter(|c| c.must_fix()).count();
    assert_eq!(card("fix"), must_fix);
    assert_eq!(card("advice"), r.comments.len() - must_fix);
    assert_eq!(
        number_after(&html, "id=\"filter-status\" role=\"status\" data-total=\""),
        r.comments.len()
    );
    assert_eq!(
        number_after(&html, "data-closed-total=\""),
        s.findings.resolved + s.findings.waived
    );
    assert_eq!(
        html.matches("<article class=\"comment ").count(),
        r.comments.len()
    );
    for (i, name) in s.departments.keys().enumerate() {
        let d = s.department(name);
        let anchor = format!("dept-{}", i + 1);
        let row = format!("<tr data-dept=\"{anchor}\">");
        if d.findings.listed == 0 && d.changes.total() == 0 {
            continue;
        }
        let at = html
            .find(&row)
            .unwrap_or_else(|| panic!("no row for {name}"));
        let tail = &html[at..];
        assert_eq!(
            number_after(tail, "data-part=\"error\" data-count=\""),
            d.findings.open.error
        );
        assert_eq!(
            number_after(tail, "data-part=\"warning\" data-count=\""),
            d.findings.open.warning
        );
        assert_eq!(
            number_after(tail, "data-part=\"info\" data-count=\""),
            d.findings.open.info
        );
        assert_eq!(
            number_after(tail, "data-part=\"changes\" data-count=\""),
            d.changes.total()
        );
        if d.findings.listed > 0 {
            let start = html
                .find(&format!("<section class=\"dept\" id=\"{anchor}\""))
                .unwrap();
            let end = html[start..].find("</section>").unwrap();
            let section = &html[start..start + end];
            let count = |part: &str| {
                number_after(
                    section,
                    &format!("data-dept-count=\"{part}\" data-count=\""),
                )
            };
            assert_eq!(count("open"), d.findings.open_total(), "{name}");
            assert_eq!(count("error"), d.findings.open.error, "{name}");
            assert_eq!(count("warning"), d.findings.open.warning, "{name}");
            assert_eq!(count("info"), d.findings.open.info, "{name}");
            let mine: Vec<_> = r
                .comments
                .iter()
                .filter(|c| c.department() == name.as_str())
                .collect();
            let fix = mine.iter().filter(|c| c.must_fix()).count();
            let block = |kind: &str| {
                section
                    .find(&format!("data-block-count=\"{kind}\" data-count=\""))
                    .map_or(0, |at| number_after(&section[at..], "data-count=\""))
            };
            assert_eq!(block("fix"), fix, "{name}");
            assert_eq!(block("advice"), mine.len() - fix, "{name}");
            assert_eq!(
                section.matches("<article class=\"comment fix ").count(),
                fix,
                "{name}"
            );
            assert_eq!(
                section.matches("<article class=\"comment advice ").count(),
                mine.len() - fix,
                "{name}"
            );
            // The closed findings: one each, and the fold's heading says how many.
            let closed = d.findings.resolved + d.findings.waived;
            assert_eq!(
                section.matches("<article class=\"finding ").count(),
                closed,
                "{name}"
            );
            if closed > 0 {
                let summary = &section[section.find("<details class=\"closed\">").unwrap()..];
                // Past the heading (已整改 / 已豁免), the note: 已整改 2 · 已豁免 1.
                let summary =
                    &summary[summary.find('(').unwrap()..summary.find("</summary>").unwrap()];
                for (state, n) in [
                    ("已整改", d.findings.resolved),
                    ("已豁免", d.findings.waived),
                ] {
                    if n > 0 {
                        assert_eq!(number_after(summary, &format!("{state} ")), n, "{name}");
                    }
                }
            }
        }
    }

    // Markdown: one table row per department.
    let md = String::from_utf8(render(&r, Format::Md)).unwrap();
    for name in &with_findings {
        let d = s.department(name);
        let row = format!(
            "| {name} | {} | {} | {} | {} | {} | {} |",
            d.findings.open.error,
            d.findings.open.warning,
            d.findings.open.info,
            d.changes.total(),
            d.comments.items.total(),
            d.comments.advice
        );
        assert!(md.contains(&row), "markdown lacks {row}");
    }

    // XLSX: the summary sheet's rows (department, six categories, total, three severities).
    let xlsx = render(&r, Format::Xlsx);
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    assert_eq!(
        wb.sheet_names(),
        ["审核意见", "问题明细", "汇总", "评价指标"]
    );
    let sheet = wb.sheet_names()[2].clone();
    let range = wb.worksheet_range(&sheet).unwrap();
    let mut rows = 0;
    for row in range.rows().skip(1) {
        let name = row[0].to_string();
        let n = |c: usize| calamine::DataType::as_f64(&row[c]).unwrap() as usize;
        let (c, k) = if name == "合计" {
            (s.findings, s.comments)
        } else {
            rows += 1;
            let d = s.department(&name);
            (d.findings, d.comments)
        };
        assert_eq!((n(11), n(12)), (k.items.total(), k.advice), "{name}");
        assert_eq!(n(7), c.open_total(), "{name}");
        assert_eq!(
            (n(8), n(9), n(10)),
            (c.open.error, c.open.warning, c.open.info),
            "{name}"
        );
        let cats: usize = (1..7).map(n).sum();
        assert_eq!(cats, c.open_total(), "{name}");
    }
    assert_eq!(rows, with_findings.len());

    // Split by department: each department's own report counts what the whole report says of
    // it, and the index page's row says the same.
    let style = Style {
        texts: Texts::builtin(Lang::Zh),
        templates: Templates::builtin(),
        color: false,
    };
    let parts = report::split::split(&r, &style.texts);
    let mut index = Vec::new();
    report::split::render_index(&r, &parts, &style, &mut index).unwrap();
    let index = String::from_utf8(index).unwrap();
    let mut rest = index.as_str();
    for part in &parts {
        let d = s.department(&part.department);
        let own = &part.report;
        assert_eq!(own.stats.findings.open, d.findings.open, "{}", part.label);
        assert_eq!(own.summary.findings, d.findings.open, "{}", part.label);
        assert_eq!(own.stats.changes, d.changes, "{}", part.label);
        // The index rows come in the parts' order: name, items, changes, must-fix comments, the
        // items they are about, errors, warnings, info.
        let at = rest
            .find(&format!(">{}</a></td>", part.label))
            .unwrap_or_else(|| panic!("index lacks {}", part.label));
        rest = &rest[at..];
        let cells: Vec<usize> = rest
            .split("<td class=\"num")
            .skip(1)
            .take(7)
            .map(|c| number_after(c, ">"))
            .collect();
        assert_eq!(
            cells,
            [
                own.new.items,
                d.changes.total(),
                d.comments.must_fix(),
                d.comments.items.total(),
                d.findings.open.error,
                d.findings.open.warning,
                d.findings.open.info
            ],
            "{}",
            part.label
        );
    }

    // XLSX: one comment per row (below the instruction and the header), every finding in the
    // findings sheet (below the header).
    let rows_of = |wb: &mut Xlsx<_>, i: usize| {
        let name = wb.sheet_names()[i].clone();
        wb.worksheet_range(&name).unwrap().rows().count()
    };
    assert_eq!(rows_of(&mut wb, 0) - 2, s.comments.total());
    assert_eq!(rows_of(&mut wb, 1) - 1, s.findings.listed);

    // CSV: one row per comment, of the kinds the statistics count; the 指纹 cells name every
    // open finding of an item comment.
    let csv = String::from_utf8(render(&r, Format::Csv)).unwrap();
    let mut rdr = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (kind, keys) = (col("意见类型"), col("指纹"));
    let records: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), s.comments.total());
    let of_kind = |k: &str| records.iter().filter(|r| &r[kind] == k).count();
    assert_eq!(of_kind("须整改"), s.comments.items.total());
    assert_eq!(of_kind("建议"), s.comments.advice);
    assert_eq!(of_kind("部门整体"), s.comments.department);
    let named: std::collections::BTreeSet<&str> = records
        .iter()
        .flat_map(|r| r.get(keys).unwrap().split(' '))
        .collect();
    let points: usize = r
        .comments
        .iter()
        .filter_map(|c| match c {
            catalog_audit::comments::Comment::Item(i) => Some(i),
            _ => None,
        })
        .flat_map(|i| &i.points)
        .flat_map(|p| &p.fingerprints)
        .inspect(|fp| assert!(named.contains(fp.as_str()), "{fp} not in the sheet"))
        .count();
    assert!(points > 0);
}
