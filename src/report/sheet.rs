//! The review-comment sheet (审核意见表): one row per review comment ([`crate::comments`]), for
//! departments to answer in the spreadsheet they work in, as XLSX or CSV. The XLSX adds the
//! findings behind the comments (问题明细, one row per finding, the list a department comment
//! refers to) and the counts by department (汇总).
//!
//! Comment columns: 序号, 部门, 意见类型 (须整改 / 建议 / 部门整体), 事项编码, 事项名称, 变更类型,
//! 审核意见 (an item's numbered points), 依据, 整改要求 (numbered like the points), 所列事项 (an
//! advice comment's items), 规则, 严重程度, 状态, 指纹, then the department's reply: 整改情况,
//! 反馈日期 (left empty). The next round reads replies back by the 指纹 column (an item comment's
//! findings, or an advice comment's key), so that column is never translated away or reordered.
//! Headers and enumerated values (severity, category, change kind, state) come from the message
//! catalogue; catalog content (names, messages) is written as it is.
//!
//! Both outputs are deterministic: rows follow the report's order, the CSV has no date, and the
//! workbook's creation date is the report's `as_of` (rust_xlsxwriter stamps zip entries with a fixed
//! date), so the same report gives the same bytes.

use super::{Report, Style, Texts, io};
use crate::comments::Comment;
use crate::error::{Error, Result};
use crate::finding::{FindingState, Outcome, Response};
use crate::rules::{Category, Severity};
use crate::stats::{CommentCounts, FindingCounts, SeverityCounts};
use chrono::Datelike;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationRule, DocProperties, ExcelDateTime, Format, FormatAlign,
    FormatBorder, ProtectionOptions, Workbook, Worksheet, XlsxError,
};
use std::collections::HashMap;
use std::io::Write;

/// The columns of the comments sheet: message key of the header and Excel width (in characters).
/// What identifies the comment comes first (frozen with it when scrolling right), then the
/// comment, then at once the department's reply and last round's, then the rest.
pub const COLUMNS: &[(&str, f64)] = &[
    ("sheet.col.no", 6.0),
    ("sheet.col.kind", 8.0),
    ("sheet.col.code", 19.0),
    ("sheet.col.name", 22.0),
    ("sheet.col.message", 60.0),
    ("sheet.col.outcome", 14.0),
    ("sheet.col.reply", 36.0),
    ("sheet.col.reply_date", 12.0),
    ("sheet.col.previous", 30.0),
    ("sheet.col.severity", 8.0),
    ("sheet.col.state", 8.0),
    ("sheet.col.change", 8.0),
    ("sheet.col.basis", 40.0),
    ("sheet.col.remediation", 44.0),
    ("sheet.col.items", 36.0),
    ("sheet.col.rule", 14.0),
    ("sheet.col.department", 16.0),
    ("sheet.col.fingerprint", 15.0),
];

/// Position of the sequence-number column (written as a number in XLSX).
const COL_NO: usize = 0;
/// Position of the item-name column: the panes freeze to its right.
const COL_NAME: usize = 3;
/// Position of the outcome column (a drop-down in XLSX).
const COL_OUTCOME: usize = 5;
/// Position of the reply column (the department's explanation).
const COL_REPLY: usize = 6;
/// Position of the reply-date column (date-checked in XLSX).
const COL_REPLY_DATE: usize = 7;
/// Position of the severity column (coloured in XLSX).
const COL_SEVERITY: usize = 9;
/// Position of the fingerprint column (locked in XLSX: the next round matches replies by it).
const COL_FINGERPRINT: usize = 17;

/// The columns of the findings sheet (问题明细): every finding, with no reply columns (replies go
/// on the comments).
pub const DETAIL_COLUMNS: &[(&str, f64)] = &[
    ("sheet.col.no", 6.0),
    ("sheet.col.department", 18.0),
    ("sheet.col.code", 20.0),
    ("sheet.col.name", 26.0),
    ("sheet.col.change", 10.0),
    ("sheet.col.category", 12.0),
    ("sheet.col.rule", 26.0),
    ("sheet.col.message", 60.0),
    ("sheet.col.severity", 9.0),
    ("sheet.col.state", 9.0),
    ("sheet.col.fingerprint", 15.0),
];

/// Position of the severity column of the findings sheet.
const DETAIL_SEVERITY: usize = 8;

/// Excel's limit on the length of a cell's text, in UTF-16 code units.
const MAX_CELL: usize = 32_767;

/// The header row in the catalogue's language.
pub fn headers(t: &Texts) -> Vec<String> {
    COLUMNS.iter().map(|(k, _)| t.get(k)).collect()
}

/// An enumerated value in the catalogue's language (`severity.error` → 错误); an unknown value is
/// shown as it is rather than as a key.
fn label(t: &Texts, prefix: &str, value: &str) -> String {
    t.texts
        .get(&format!("{prefix}.{value}"))
        .cloned()
        .unwrap_or_else(|| value.to_string())
}

/// The state's name as the report writes it (`new`, `persisting`, …).
fn state_name(s: FindingState) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// One row per finding, every cell as text, in the report's order (the findings sheet).
pub fn detail_rows(r: &Report, t: &Texts) -> Vec<Vec<String>> {
    r.findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let rule = match r.rules.get(&*f.rule) {
                Some(d) if !d.title.is_empty() => format!("{} {}", f.rule, d.title),
                _ => f.rule.to_string(),
            };
            vec![
                (i + 1).to_string(),
                f.department.to_string(),
                f.code.to_string(),
                f.name.to_string(),
                label(t, "kind", &f.change),
                label(t, "category", f.category.as_str()),
                rule,
                f.message.clone(),
                label(t, "severity", f.severity.as_str()),
                label(t, "state", &state_name(f.state)),
                f.fingerprint.clone(),
            ]
        })
        .collect()
}

/// "1. …" lines, numbered only when there is more than one.
fn numbered(lines: &[String]) -> String {
    if lines.len() == 1 {
        return lines[0].clone();
    }
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.is_empty())
        .map(|(i, l)| format!("{}. {l}", i + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

/// How many listed items a cell shows before the rest is counted (the findings sheet has all).
const MAX_LISTED: usize = 500;

/// Last round's replies to a comment's findings, in words (`已整改：补充了依据（2018-02-05）`),
/// each distinct reply once.
fn previous(c: &Comment, replies: &HashMap<&str, &Response>, t: &Texts) -> String {
    let lines: Vec<String> = super::replies_to(c.fingerprints(), replies)
        .into_iter()
        .map(|r| super::reply_words(r, t))
        .collect();
    numbered(&lines)
}

/// One row per review comment, every cell as text (the reply cells empty), in the report's order.
pub fn rows(r: &Report, t: &Texts) -> Vec<Vec<String>> {
    let doc = |rule: &str| r.rules.get(rule);
    let replies = super::replies(r);
    r.comments
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (kind, code, name, change, message, basis, fix, items, rules, states, keys) =
                match c {
                    Comment::Item(item) => {
                        let first =
                            |p: &crate::comments::Point| p.rules.first().and_then(|r0| doc(r0));
                        let texts: Vec<String> =
                            item.points.iter().map(|p| p.text.clone()).collect();
                        let basis: Vec<String> = item
                            .points
                            .iter()
                            .map(|p| {
                                let mut basis =
                                    first(p).map(|d| super::cite(d, t)).unwrap_or_default();
                                if let Some(reference) = &p.reference {
                                    if !basis.is_empty() {
                                        basis.push_str(&t.get("comment.basis_sep"));
                                    }
                                    basis.push_str(&t.fmt(
                                        "comment.reference",
                                        &[("doc", &super::reference_doc(reference, t))],
                                    ));
                                }
                                basis
                            })
                            .collect();
                        let fix: Vec<String> = item
                            .points
                            .iter()
                            .map(|p| first(p).map(|d| d.remediation.clone()).unwrap_or_default())
                            .collect();
                        let rules: Vec<String> = item
                            .points
                            .iter()
                            .map(|p| {
                                p.rules
                                    .iter()
                                    .map(|r| r.to_string())
                                    .collect::<Vec<_>>()
                                    .join(&t.get("comment.list_sep"))
                            })
                            .collect();
                        let mut states: Vec<String> = Vec::new();
                        for p in &item.points {
                            let s = label(t, "state", &state_name(p.state));
                            if !states.contains(&s) {
                                states.push(s);
                            }
                        }
                        let keys: Vec<&str> = item
                            .points
                            .iter()
                            .flat_map(|p| p.fingerprints.iter().map(String::as_str))
                            .collect();
                        (
                            t.get("sheet.kind.item"),
                            item.code.to_string(),
                            item.name.to_string(),
                            label(t, "kind", &item.change),
                            numbered(&texts),
                            numbered(&basis),
                            numbered(&fix),
                            String::new(),
                            numbered(&rules),
                            states.join(&t.get("comment.list_sep")),
                            keys.join(" "),
                        )
                    }
                    Comment::Department(d) => {
                        let first = d.rules.first().and_then(|r0| doc(r0));
                        let listed = super::listed_items(d, MAX_LISTED, "sheet.more_items", t);
                        let kind = if d.advice {
                            "sheet.kind.advice"
                        } else {
                            "sheet.kind.department"
                        };
                        (
                            t.get(kind),
                            String::new(),
                            String::new(),
                            String::new(),
                            d.text.clone(),
                            first.map(|x| super::cite(x, t)).unwrap_or_default(),
                            // Advice in a rule's own words for the department already says
                            // what to do: the remediation would say it twice.
                            if d.advice && first.is_some_and(|x| x.review.department.is_some()) {
                                String::new()
                            } else {
                                first.map(|x| x.remediation.clone()).unwrap_or_default()
                            },
                            listed.join("\n"),
                            d.rules
                                .iter()
                                .map(|r| r.to_string())
                                .collect::<Vec<_>>()
                                .join(&t.get("comment.list_sep")),
                            String::new(),
                            d.key.clone(),
                        )
                    }
                };
            vec![
                (i + 1).to_string(),
                kind,
                code,
                name,
                message,
                String::new(),
                String::new(),
                String::new(),
                previous(c, &replies, t),
                label(t, "severity", c.severity().as_str()),
                states,
                change,
                basis,
                fix,
                items,
                rules,
                c.department().to_string(),
                keys,
            ]
        })
        .collect()
}

/// The summary sheet's header row.
fn summary_headers(t: &Texts) -> Vec<String> {
    let mut h = vec![t.get("sheet.col.department")];
    h.extend(
        Category::ALL
            .iter()
            .map(|c| label(t, "category", c.as_str())),
    );
    h.push(t.get("sheet.col.total"));
    h.extend(
        [Severity::Error, Severity::Warning, Severity::Info]
            .iter()
            .map(|s| label(t, "severity", s.as_str())),
    );
    h.push(t.get("sheet.col.items_to_fix"));
    h.push(t.get("sheet.col.advice"));
    h
}

fn dept_name(t: &Texts, d: &str) -> String {
    if d.is_empty() {
        t.get("terminal.no_department")
    } else {
        d.to_string()
    }
}

/// Cuts a text to what one cell can hold (on a character boundary).
fn fit(s: &str) -> String {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > MAX_CELL {
            return s[..i].to_string();
        }
    }
    s.to_string()
}

/// The comments sheet's first row: the action header (whose sheet, how many comments to act on,
/// by when, whom to ask), then how to reply.
pub fn instruction_text(r: &Report, t: &Texts) -> String {
    let a = super::Action::of(r, t);
    let mut verdict = a.fix_line.clone();
    if let Some(n) = a.carried.filter(|n| *n > 0) {
        verdict.push_str(&t.fmt("sheet.instruction.carried", &[("n", &n)]));
    }
    verdict.push_str(a.advice_line.as_deref().unwrap_or(""));
    let mut s = t.fmt(
        "sheet.instruction.head",
        &[("title", &a.title), ("verdict", &verdict)],
    );
    if let Some(d) = a.reply_by {
        s.push_str(&t.fmt("sheet.instruction.reply_by", &[("date", &d)]));
    }
    if let Some(c) = &a.contact {
        s.push_str(&t.fmt("sheet.instruction.contact", &[("contact", c)]));
    }
    s.push('\n');
    s.push_str(&t.get("sheet.instruction"));
    s
}

/// Writes the review sheet as an XLSX workbook: 审核意见 (one row per comment), 问题明细 (one row per
/// finding) and 汇总 (counts by department and category).
pub fn render_xlsx(r: &Report, style: &Style, out: &mut dyn Write) -> Result<()> {
    let bytes = workbook(r, &style.texts)
        .map_err(|e| Error::Output(format!("the XLSX review sheet: {e}")))?;
    out.write_all(&bytes).map_err(io)
}

/// The workbook's bytes.
pub fn workbook(r: &Report, t: &Texts) -> std::result::Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    // A fixed creation date (the report's, else a constant) keeps reruns byte-identical.
    let d = r.as_of;
    let created = u16::try_from(d.year())
        .ok()
        .and_then(|y| ExcelDateTime::from_ymd(y, d.month() as u8, d.day() as u8).ok())
        .map_or_else(|| ExcelDateTime::from_ymd(2000, 1, 1), Ok)?;
    let title = r.new.name.clone().unwrap_or_else(|| r.new.file.clone());
    wb.set_properties(
        &DocProperties::new()
            .set_title(fit(&format!("{title} {}", t.get("sheet.title"))))
            .set_author("catalog-audit")
            .set_creation_datetime(&created),
    );

    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(Color::RGB(0xDDE7F0))
        .set_border(FormatBorder::Thin);
    let body = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin)
        .set_border_color(Color::RGB(0xBFBFBF));
    let severity_fmt = |s: &str| match s {
        "error" => body.clone().set_font_color(Color::RGB(0xB00020)).set_bold(),
        "warning" => body.clone().set_font_color(Color::RGB(0x9A6700)),
        _ => body.clone().set_font_color(Color::RGB(0x0B5CAD)),
    };

    // The comments sheet: an instruction row (how to reply, by when, whom to ask), the header,
    // one row per comment. The department fills in the shaded reply columns; the outcome is a
    // drop-down, the date is checked, and the fingerprint column is locked.
    let ws = wb.add_worksheet();
    ws.set_name(t.get("sheet.name.comments"))?;
    let last_col = (COLUMNS.len() - 1) as u16;
    let instruction = Format::new()
        .set_text_wrap()
        .set_bold()
        .set_align(FormatAlign::Top)
        .set_background_color(Color::RGB(0xFFF9E0))
        .set_border(FormatBorder::Thin);
    ws.merge_range(
        0,
        0,
        0,
        last_col,
        &fit(&instruction_text(r, t)),
        &instruction,
    )?;
    ws.set_row_height(0, 48)?;
    for (c, h) in headers(t).iter().enumerate() {
        let col = c as u16;
        let f = if matches!(c, COL_OUTCOME | COL_REPLY | COL_REPLY_DATE) {
            header.clone().set_background_color(Color::RGB(0xFFE08A))
        } else {
            header.clone()
        };
        ws.write_string_with_format(1, col, fit(h), &f)?;
        ws.set_column_width(col, COLUMNS[c].1)?;
    }
    ws.set_row_height(1, 30)?;
    let editable = body.clone().set_unlocked();
    let reply = editable.clone().set_background_color(Color::RGB(0xFFF9E0));
    let reply_date = reply.clone().set_num_format("yyyy-mm-dd");
    let locked = body.clone().set_font_color(Color::RGB(0x5F6368));
    let rows = rows(r, t);
    for ((i, row), c) in rows.iter().enumerate().zip(&r.comments) {
        let rn = u32::try_from(i + 2).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (col_at, cell) in row.iter().enumerate() {
            let col = col_at as u16;
            match col_at {
                COL_NO => ws.write_number_with_format(rn, col, (i + 1) as f64, &editable)?,
                COL_SEVERITY => ws.write_string_with_format(
                    rn,
                    col,
                    fit(cell),
                    &severity_fmt(c.severity().as_str()).set_unlocked(),
                )?,
                COL_OUTCOME | COL_REPLY => {
                    ws.write_string_with_format(rn, col, fit(cell), &reply)?
                }
                COL_REPLY_DATE => ws.write_blank(rn, col, &reply_date)?,
                COL_FINGERPRINT => ws.write_string_with_format(rn, col, fit(cell), &locked)?,
                _ => ws.write_string_with_format(rn, col, fit(cell), &editable)?,
            };
        }
    }
    let last_row = u32::try_from(rows.len() + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
    if !rows.is_empty() {
        let outcomes: Vec<String> = Outcome::ALL
            .iter()
            .map(|o| t.get(&format!("outcome.{}", o.as_str())))
            .collect();
        let list = DataValidation::new()
            .allow_list_strings(&outcomes)?
            .set_input_title(t.get("sheet.outcome.title"))?
            .set_input_message(t.get("sheet.outcome.prompt"))?
            .set_error_title(t.get("sheet.outcome.title"))?
            .set_error_message(t.get("sheet.outcome.error"))?;
        ws.add_data_validation(2, COL_OUTCOME as u16, last_row, COL_OUTCOME as u16, &list)?;
        let date = DataValidation::new()
            .allow_date(DataValidationRule::Between(
                ExcelDateTime::from_ymd(2000, 1, 1)?,
                ExcelDateTime::from_ymd(2099, 12, 31)?,
            ))
            .set_input_title(t.get("sheet.date.title"))?
            .set_input_message(t.get("sheet.date.prompt"))?
            .set_error_title(t.get("sheet.date.title"))?
            .set_error_message(t.get("sheet.date.error"))?;
        let date_col = COL_REPLY_DATE as u16;
        ws.add_data_validation(2, date_col, last_row, date_col, &date)?;
    }
    ws.autofilter(1, 0, last_row, last_col)?;
    // Scrolling right keeps the comment's number, kind, code and name in view.
    ws.set_freeze_panes(2, (COL_NAME + 1) as u16)?;
    ws.set_repeat_rows(1, 1)?;
    // Locked: the instruction, the header and the fingerprints (the next round matches replies by
    // them). No password: the lock guards against slips, not against the department.
    ws.protect_with_options(&ProtectionOptions {
        format_columns: true,
        format_rows: true,
        use_autofilter: true,
        sort: true,
        ..ProtectionOptions::new()
    });
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    drop(rows);

    // The findings sheet: every finding, the list the comments refer to.
    let ws = wb.add_worksheet();
    ws.set_name(t.get("sheet.name.findings"))?;
    for (c, (key, width)) in DETAIL_COLUMNS.iter().enumerate() {
        let col = c as u16;
        ws.write_string_with_format(0, col, fit(&t.get(key)), &header)?;
        ws.set_column_width(col, *width)?;
    }
    ws.set_row_height(0, 30)?;
    let rows = detail_rows(r, t);
    for ((i, row), f) in rows.iter().enumerate().zip(&r.findings) {
        let rn = u32::try_from(i + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (col_at, cell) in row.iter().enumerate() {
            let col = col_at as u16;
            match col_at {
                COL_NO => ws.write_number_with_format(rn, col, (i + 1) as f64, &body)?,
                DETAIL_SEVERITY => ws.write_string_with_format(
                    rn,
                    col,
                    fit(cell),
                    &severity_fmt(f.severity.as_str()),
                )?,
                _ => ws.write_string_with_format(rn, col, fit(cell), &body)?,
            };
        }
    }
    let last_row = u32::try_from(rows.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
    ws.autofilter(0, 0, last_row, (DETAIL_COLUMNS.len() - 1) as u16)?;
    ws.set_freeze_panes(1, 0)?;
    drop(rows);

    // The summary sheet.
    let ws: &mut Worksheet = wb.add_worksheet();
    ws.set_name(t.get("sheet.name.summary"))?;
    let number = Format::new().set_border(FormatBorder::Thin);
    let total_label = header.clone().set_align(FormatAlign::Left);
    let total_number = number.clone().set_bold();
    let heads = summary_headers(t);
    for (c, h) in heads.iter().enumerate() {
        let col = c as u16;
        ws.write_string_with_format(0, col, fit(h), &header)?;
        ws.set_column_width(col, if c == 0 { 30.0 } else { 11.0 })?;
    }
    ws.set_row_height(0, 30)?;
    // Open findings, as every report counts them ([`crate::stats`]); departments whose findings
    // are all closed keep their row, with zeros.
    let write_counts = |ws: &mut Worksheet,
                        row: u32,
                        name: &str,
                        c: &FindingCounts,
                        k: &CommentCounts,
                        lf: &Format,
                        nf: &Format|
     -> std::result::Result<(), XlsxError> {
        ws.write_string_with_format(row, 0, fit(name), lf)?;
        let numbers = c
            .by_category
            .iter()
            .map(SeverityCounts::total)
            .chain(std::iter::once(c.open_total()))
            .chain([c.open.error, c.open.warning, c.open.info])
            .chain([k.items.total(), k.advice]);
        for (col, n) in numbers.enumerate() {
            ws.write_number_with_format(row, (col + 1) as u16, n as f64, nf)?;
        }
        Ok(())
    };
    let mut row = 1u32;
    for (d, counts) in r
        .stats
        .departments
        .iter()
        .filter(|(_, c)| c.findings.listed > 0)
    {
        write_counts(
            ws,
            row,
            &dept_name(t, d),
            &counts.findings,
            &counts.comments,
            &body,
            &number,
        )?;
        row += 1;
    }
    write_counts(
        ws,
        row,
        &t.get("sheet.row.total"),
        &r.stats.findings,
        &r.stats.comments,
        &total_label,
        &total_number,
    )?;
    // The filter covers the departments, not the total row.
    ws.autofilter(0, 0, row - 1, (heads.len() - 1) as u16)?;
    ws.set_freeze_panes(1, 1)?;

    if let Some(card) = &r.scorecard {
        scorecard_sheet(wb.add_worksheet(), card, t, &header, &body)?;
    }

    wb.save_to_buffer()
}

/// The scorecard sheet (评价指标): the whole catalog, then each department; per figure its value
/// (percentages for shares), its change since the old snapshot (and since the baseline round
/// when there is one) and its rank.
fn scorecard_sheet(
    ws: &mut Worksheet,
    card: &crate::scorecard::Scorecard,
    t: &Texts,
    header: &Format,
    body: &Format,
) -> std::result::Result<(), XlsxError> {
    use crate::scorecard::METRICS;
    ws.set_name(t.get("sheet.name.scorecard"))?;
    let metrics: Vec<_> = METRICS
        .iter()
        .copied()
        .filter(|m| {
            card.total.get(*m).is_some() || card.departments.iter().any(|d| d.get(*m).is_some())
        })
        .collect();
    let baseline = card
        .departments
        .iter()
        .chain(std::iter::once(&card.total))
        .any(|c| c.figures.values().any(|f| f.since_baseline.is_some()));
    let mut heads = vec![t.get("sheet.col.department"), t.get("score.items")];
    for m in &metrics {
        let label = t.get(&format!("score.{}", m.as_str()));
        heads.push(label.clone());
        heads.push(format!("{label} {}", t.get("score.col.change")));
        if baseline {
            heads.push(format!("{label} {}", t.get("score.col.since_baseline")));
        }
        heads.push(format!("{label} {}", t.get("score.col.rank")));
    }
    for (c, h) in heads.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, fit(h), header)?;
        ws.set_column_width(c as u16, if c == 0 { 30.0 } else { 11.0 })?;
    }
    ws.set_row_height(0, 45)?;
    let share = body.clone().set_num_format("0.0%");
    let mean = body.clone().set_num_format("0.0");
    let points = body.clone().set_num_format("+0.0;-0.0;0.0");
    let below = share
        .clone()
        .set_font_color(Color::RGB(0xB00020))
        .set_bold();
    let total_name = t.get("score.col.total");
    let cards = std::iter::once(&card.total).chain(&card.departments);
    for (i, c) in cards.enumerate() {
        let row = (i + 1) as u32;
        let name = c.department.clone().unwrap_or_else(|| total_name.clone());
        ws.write_string_with_format(row, 0, fit(&name), body)?;
        ws.write_number_with_format(row, 1, c.items as f64, body)?;
        let mut col = 2u16;
        for m in &metrics {
            let f = c.get(*m);
            let value_fmt = match (m.is_share(), f.and_then(|f| f.meets_target)) {
                (true, Some(false)) => &below,
                (true, _) => &share,
                (false, _) => &mean,
            };
            // Changes of shares in percentage points, as the other reports give them.
            let scale = if m.is_share() { 100.0 } else { 1.0 };
            let mut cells: Vec<(Option<f64>, &Format)> = vec![
                (f.map(|f| f.value), value_fmt),
                (f.and_then(|f| f.change).map(|d| d * scale), &points),
            ];
            if baseline {
                cells.push((f.and_then(|f| f.since_baseline).map(|d| d * scale), &points));
            }
            cells.push((f.and_then(|f| f.rank).map(|r| r as f64), body));
            for (v, fmt) in cells {
                match v {
                    Some(v) => ws.write_number_with_format(row, col, v, fmt)?,
                    None => ws.write_blank(row, col, body)?,
                };
                col += 1;
            }
        }
    }
    ws.set_freeze_panes(1, 1)?;
    Ok(())
}

/// Writes the review sheet as CSV: a UTF-8 BOM (so Excel reads Chinese correctly), the header row,
/// one record per comment, CRLF line ends. A cell Excel would take for a formula (`=`, `+`, `-`,
/// `@` first) is prefixed with `'`, which Excel shows as text.
pub fn render_csv(r: &Report, style: &Style, out: &mut dyn Write) -> Result<()> {
    let t = &style.texts;
    let mut buf: Vec<u8> = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut buf);
        let write_err = |e: csv::Error| io(std::io::Error::other(e.to_string()));
        w.write_record(headers(t).iter().map(|h| guard(h)))
            .map_err(write_err)?;
        for row in rows(r, t) {
            w.write_record(row.iter().map(|c| guard(c)))
                .map_err(write_err)?;
        }
        w.flush().map_err(io)?;
    }
    out.write_all(&buf).map_err(io)
}

/// Keeps a spreadsheet from evaluating a cell as a formula (CSV injection).
fn guard(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_fit_excel_limits_on_char_boundaries() {
        let long = "事".repeat(40_000);
        let f = fit(&long);
        assert_eq!(f.chars().count(), MAX_CELL);
        let astral = "𠀀".repeat(20_000);
        assert!(fit(&astral).encode_utf16().count() <= MAX_CELL);
        assert_eq!(fit("短"), "短");
    }

    #[test]
    fn formula_like_cells_are_guarded() {
        assert_eq!(guard("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(guard("-5"), "'-5");
        assert_eq!(guard("339900-GG-00028"), "339900-GG-00028");
        assert_eq!(guard(""), "");
    }

    #[test]
    fn headers_cover_every_column() {
        for lang in [crate::rules::Lang::Zh, crate::rules::Lang::En] {
            let t = Texts::builtin(lang);
            for (k, _) in COLUMNS.iter().chain(DETAIL_COLUMNS) {
                assert!(t.texts.contains_key(*k), "{k}");
            }
        }
        let zh = headers(&Texts::builtin(crate::rules::Lang::Zh));
        assert_eq!(zh[COL_FINGERPRINT], "指纹");
        assert_eq!(zh[COL_NAME], "事项名称");
        assert_eq!(zh[COL_OUTCOME], "整改结果");
        assert_eq!(zh[COL_REPLY], "整改情况");
        assert_eq!(zh[COL_SEVERITY], "严重程度");
        assert_eq!(zh[COL_REPLY_DATE], "反馈日期");
        // The reply columns follow the comment at once.
        assert_eq!(zh[COL_OUTCOME - 1], "审核意见");
    }
}
