//! The terminal renderer: a one-line summary; a rollup (open findings by rule and severity, the
//! departments with the most items to fix); the review comments grouped by department (items to
//! fix with their numbered points, then one line per advice, whose list is in the HTML report and
//! the sheet); then the changes. Colour only when asked for (the binary decides: a terminal and no
//! `NO_COLOR`).
//!
//! Catalog text (codes, names, departments, messages that quote values) goes through
//! [`visible`] where it is written, coloured or not: an item named `\x1b]0;…\x07` would
//! otherwise retitle the reader's window, and one with U+202E would show its text reversed.

use super::{Report, Texts, io};
use crate::comments::Comment;
use crate::error::Result;
use crate::rules::Severity;
use crate::text::visible;
use anstyle::{AnsiColor, Style};
use std::io::Write;

/// How many changes are listed before the rest is summarised.
const MAX_CHANGES: usize = 200;

/// The one-line summary: "4 added, 6 changed, 2 cancelled, 1 recoded; 17 errors, 3 warnings, 1 info"
/// (in the report's language).
pub fn summary_line(r: &Report, t: &Texts) -> String {
    let s = &r.summary;
    let f = &s.findings;
    let mut line = if r.old.is_some() {
        let mut l = t.fmt(
            "summary.line.changes",
            &[
                ("added", &s.added),
                ("changed", &s.changed),
                ("cancelled", &s.cancelled),
                ("recoded", &s.recoded),
            ],
        );
        if s.merged > 0 {
            l.push_str(&t.fmt("summary.line.merged", &[("n", &s.merged)]));
        }
        if s.split > 0 {
            l.push_str(&t.fmt("summary.line.split", &[("n", &s.split)]));
        }
        l
    } else {
        t.fmt("summary.line.items", &[("n", &s.unchanged)])
    };
    if !r.checked {
        line.push_str(&t.fmt("summary.line.unchanged", &[("n", &s.unchanged)]));
        return line;
    }
    line.push_str(if t.lang.starts_with("zh") {
        "；"
    } else {
        "; "
    });
    line.push_str(&t.fmt(
        "summary.line.findings",
        &[
            ("error", &f.error),
            ("warning", &f.warning),
            ("info", &f.info),
        ],
    ));
    line
}

/// The header line naming the catalog, its snapshots and the evaluation date.
pub fn header_line(r: &Report, t: &Texts, title: &str) -> String {
    let date =
        |d: Option<chrono::NaiveDate>| d.map_or_else(|| t.get("header.undated"), |d| d.to_string());
    match &r.old {
        Some(old) => t.fmt(
            "header.snapshots",
            &[
                ("title", &title),
                ("old_date", &date(old.as_of)),
                ("old_items", &old.items),
                ("new_date", &date(r.new.as_of)),
                ("new_items", &r.new.items),
                ("as_of", &r.as_of),
            ],
        ),
        None => t.fmt(
            "header.snapshot",
            &[
                ("title", &title),
                ("new_date", &date(r.new.as_of)),
                ("new_items", &r.new.items),
                ("as_of", &r.as_of),
            ],
        ),
    }
}

struct Paint {
    on: bool,
}

impl Paint {
    /// The text made [`visible`], in the style when colour is on.
    fn paint(&self, style: Style, text: &str) -> String {
        let text = visible(text);
        if self.on {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }
}

fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Error => Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
        Severity::Warning => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
        Severity::Info => Style::new().fg_color(Some(AnsiColor::Cyan.into())),
    }
}

/// Writes the terminal report.
pub fn render(r: &Report, style: &super::Style, out: &mut dyn Write) -> Result<()> {
    let t = &style.texts;
    let p = Paint { on: style.color };
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let mut w = String::new();
    let replies = super::replies(r);

    let title = r.new.name.clone().unwrap_or_else(|| r.new.file.clone());
    let header = header_line(r, t, &p.paint(bold, &title));
    w.push_str(&header);
    w.push('\n');
    w.push_str(&p.paint(bold, &summary_line(r, t)));
    w.push('\n');
    if let Some(g) = &r.progress {
        w.push_str(&super::progress_line(g, t));
        w.push('\n');
    }

    // The scorecard in one line: each figure with its change since the old snapshot.
    if let Some(card) = &r.scorecard {
        let total = match card.departments.as_slice() {
            [one] => one,
            _ => &card.total,
        };
        let list: Vec<String> = super::score_rows(total, None, t)
            .iter()
            .map(|row| {
                let mut notes: Vec<String> = row
                    .change
                    .iter()
                    .map(|c| t.fmt("score.change_note", &[("change", c)]))
                    .collect();
                if row.meets_target == Some(false) {
                    notes.push(t.get("score.below_target"));
                }
                if notes.is_empty() {
                    format!("{} {}", row.label, row.value)
                } else {
                    t.fmt(
                        "score.terminal_figure",
                        &[
                            ("label", &row.label),
                            ("value", &row.value),
                            ("notes", &notes.join(&t.get("score.note_sep"))),
                        ],
                    )
                }
            })
            .collect();
        if !list.is_empty() {
            w.push_str(&t.fmt("score.terminal", &[("list", &list.join(" · "))]));
            w.push('\n');
        }
    }

    if r.checked && !r.comments.is_empty() {
        let c = &r.stats.comments;
        w.push_str(&t.fmt(
            "terminal.comments",
            &[
                ("items", &c.items.total()),
                ("points", &c.points),
                ("department", &c.department),
                ("advice", &c.advice),
            ],
        ));
        w.push('\n');
        rollup(&mut w, r, t, &p);
    }

    // Comments, grouped by department (they are in department order, as the statistics are):
    // must-fix first; then how many closed findings are not raised again.
    let mut i = 0;
    for (dept, counts) in &r.stats.departments {
        let end = i + r.comments[i..]
            .iter()
            .take_while(|c| c.department() == dept)
            .count();
        let f = counts.findings;
        if end == i && f.resolved + f.waived == 0 {
            continue;
        }
        let name = if dept.is_empty() {
            t.get("terminal.no_department")
        } else {
            dept.to_string()
        };
        w.push('\n');
        w.push_str(&t.fmt(
            "terminal.department",
            &[
                ("department", &p.paint(bold, &name)),
                ("items", &counts.comments.items.total()),
                ("errors", &counts.comments.items.error),
                ("advice", &counts.comments.advice),
            ],
        ));
        w.push('\n');
        for c in &r.comments[i..end] {
            comment(&mut w, r, t, &p, c, &replies);
        }
        // Closed findings, naming only the kinds there are ("已豁免 0 条" tells nobody anything).
        let closed = match (f.resolved, f.waived) {
            (0, 0) => None,
            (_, 0) => Some("terminal.closed.resolved"),
            (0, _) => Some("terminal.closed.waived"),
            _ => Some("terminal.closed"),
        };
        if let Some(key) = closed {
            w.push_str(&format!(
                "  {}\n",
                p.paint(
                    dim,
                    &t.fmt(key, &[("resolved", &f.resolved), ("waived", &f.waived)])
                )
            ));
        }
        i = end;
    }

    if !r.changes.is_empty() {
        w.push_str(&format!(
            "\n{}\n",
            p.paint(bold, &t.get("terminal.changes"))
        ));
        for c in r.changes.iter().take(MAX_CHANGES) {
            let mut line = format!(
                "  {:<9}  {}",
                t.get(&format!("kind.{}", c.kind.as_str())),
                visible(&c.code)
            );
            if let Some(old) = &c.old_code {
                line.push_str(&format!(
                    " ({})",
                    t.fmt("terminal.was", &[("code", &visible(old))])
                ));
            }
            if !c.old_codes.is_empty() {
                line.push_str(&format!(
                    " ({})",
                    t.fmt(
                        "terminal.from",
                        &[("codes", &visible(&c.old_codes.join(", ")))]
                    )
                ));
            }
            if !c.new_codes.is_empty() {
                line.push_str(&format!(
                    " ({})",
                    t.fmt(
                        "terminal.into",
                        &[("codes", &visible(&c.new_codes.join(", ")))]
                    )
                ));
            }
            line.push_str(&format!(
                "  {}  {}",
                visible(&c.name),
                p.paint(dim, &c.department)
            ));
            if !c.fields.is_empty() {
                let fields: Vec<&str> = c.fields.iter().map(|f| f.field.as_str()).collect();
                line.push_str(&format!("  {}", p.paint(dim, &fields.join(", "))));
            }
            w.push_str(&line);
            w.push('\n');
        }
        if r.changes.len() > MAX_CHANGES {
            w.push_str(&t.fmt(
                "terminal.more_changes",
                &[("n", &(r.changes.len() - MAX_CHANGES))],
            ));
            w.push('\n');
        }
    }
    out.write_all(w.as_bytes()).map_err(io)
}

/// How many items a department-level comment lists before the rest is counted.
const MAX_LISTED: usize = 10;

/// How many rules and departments the rollup names.
const ROLLUP_RULES: usize = 30;
const ROLLUP_DEPARTMENTS: usize = 5;

/// The rollup that leads the report, as a quality gate's header does: open findings by rule and
/// severity (most errors first), and the departments with the most items to fix. Every figure is
/// one of [`crate::stats`]'s.
fn rollup(w: &mut String, r: &Report, t: &Texts, p: &Paint) {
    use unicode_width::UnicodeWidthStr;
    let mut rules: Vec<(&String, &crate::stats::FindingCounts)> = r
        .stats
        .rules
        .iter()
        .filter(|(_, c)| c.open.total() > 0)
        .collect();
    if rules.is_empty() {
        return;
    }
    rules.sort_by(|(a, x), (b, y)| {
        (y.open.error, y.open.warning, y.open.info, a).cmp(&(
            x.open.error,
            x.open.warning,
            x.open.info,
            b,
        ))
    });
    let heads = [
        t.get("terminal.rollup.rule"),
        t.get("severity.error"),
        t.get("severity.warning"),
        t.get("severity.info"),
    ];
    let code_w = rules
        .iter()
        .map(|(c, _)| c.width())
        .chain([heads[0].width()])
        .max()
        .unwrap_or(0);
    let num_w: Vec<usize> = heads[1..].iter().map(|h| h.width().max(4)).collect();
    let pad = |s: &str, n: usize, right: bool| {
        let fill = " ".repeat(n.saturating_sub(s.width()));
        if right {
            format!("{fill}{s}")
        } else {
            format!("{s}{fill}")
        }
    };
    w.push('\n');
    w.push_str(&t.get("terminal.rollup.rules"));
    w.push('\n');
    let mut line = format!("  {}", pad(&heads[0], code_w, false));
    for (h, n) in heads[1..].iter().zip(&num_w) {
        line.push_str(&format!("  {}", pad(h, *n, true)));
    }
    w.push_str(&p.paint(Style::new().dimmed(), &line));
    w.push('\n');
    for (code, c) in rules.iter().take(ROLLUP_RULES) {
        let mut line = format!("  {}", pad(&visible(code), code_w, false));
        for ((n, width), s) in [c.open.error, c.open.warning, c.open.info]
            .iter()
            .zip(&num_w)
            .zip([Severity::Error, Severity::Warning, Severity::Info])
        {
            let cell = pad(&n.to_string(), *width, true);
            line.push_str("  ");
            line.push_str(&if *n > 0 {
                p.paint(severity_style(s), &cell)
            } else {
                cell
            });
        }
        if let Some(doc) = r.rules.get(*code) {
            line.push_str("  ");
            line.push_str(&visible(&doc.title));
        }
        w.push_str(&line);
        w.push('\n');
    }
    if rules.len() > ROLLUP_RULES {
        w.push_str(&t.fmt(
            "terminal.rollup.more_rules",
            &[("n", &(rules.len() - ROLLUP_RULES))],
        ));
        w.push('\n');
    }
    let mut depts: Vec<(&String, usize)> = r
        .stats
        .departments
        .iter()
        .map(|(d, c)| (d, c.comments.items.total()))
        .filter(|(_, n)| *n > 0)
        .collect();
    depts.sort_by(|(a, x), (b, y)| y.cmp(x).then_with(|| a.cmp(b)));
    if !depts.is_empty() {
        let list: Vec<String> = depts
            .iter()
            .take(ROLLUP_DEPARTMENTS)
            .map(|(d, n)| {
                let name = if d.is_empty() {
                    t.get("terminal.no_department")
                } else {
                    visible(d).to_string()
                };
                t.fmt(
                    "terminal.rollup.department",
                    &[("department", &name), ("n", n)],
                )
            })
            .collect();
        w.push_str(&t.fmt(
            "terminal.rollup.departments",
            &[("list", &list.join(&t.get("comment.list_sep")))],
        ));
        w.push('\n');
    }
}

/// The first sentence of an advice text (its finding; what to do follows in the HTML report and
/// the sheet).
fn first_sentence(text: &str) -> &str {
    match text.find('。') {
        Some(i) => &text[..i + '。'.len_utf8()],
        None => match text.find(". ") {
            Some(i) => &text[..=i],
            None => text,
        },
    }
}

/// One comment: an item's numbered points, or a department's advice with its items.
fn comment(
    w: &mut String,
    r: &Report,
    t: &Texts,
    p: &Paint,
    c: &Comment,
    replies: &std::collections::HashMap<&str, &crate::finding::Response>,
) {
    let dim = Style::new().dimmed();
    let label = |key: &str, s: Severity| p.paint(severity_style(s), &format!("{} ", t.get(key)));
    match c {
        Comment::Item(item) => {
            w.push_str(&format!(
                "  {} {}  {}  [{}]\n",
                label("terminal.must_fix", item.severity),
                visible(&item.code),
                visible(&item.name),
                t.get(&format!("kind.{}", item.change))
            ));
            for (n, point) in item.points.iter().enumerate() {
                let sev = t.get(&format!("severity.{}", point.severity.as_str()));
                // In a later round, a point's state is part of what it says: it was asked before.
                let state = super::state_label(point.state, t)
                    .map(|s| format!(" [{s}]"))
                    .unwrap_or_default();
                w.push_str(&format!(
                    "    {}. {}{state} {}\n",
                    n + 1,
                    p.paint(severity_style(point.severity), &sev),
                    visible(&point.text)
                ));
                let about = super::point_about(r, t, point);
                w.push_str(&format!("       {}\n", p.paint(dim, &about)));
                // What the department answered last round, each distinct reply once.
                let fps = point.fingerprints.iter().map(String::as_str);
                for reply in super::replies_to(fps, replies) {
                    let line = super::reply_line(reply, t);
                    w.push_str(&format!("       {}\n", visible(&line)));
                }
            }
        }
        // Advice in one line: what was found and how many items; the list and what to do are in
        // the HTML report and the review sheet.
        Comment::Department(d) if d.advice => {
            // The advice's pointer to its list ("（见所列事项）") points to where the list is.
            let (listed, elsewhere) = (
                t.get("terminal.advice_listed"),
                t.get("terminal.advice_elsewhere"),
            );
            let first = first_sentence(&d.text);
            let line = if first.contains(&listed) {
                first.replacen(&listed, &elsewhere, 1)
            } else if d.count > 0 {
                format!("{first}{elsewhere}")
            } else {
                first.to_string()
            };
            w.push_str(&format!(
                "  {}{}\n",
                label("terminal.advice", d.severity),
                visible(&line)
            ));
        }
        Comment::Department(d) => {
            let key = "terminal.department_problem";
            w.push_str(&format!(
                "  {}{}\n",
                label(key, d.severity),
                visible(&d.text)
            ));
            if !d.items.is_empty() {
                let line = super::listed_items(d, MAX_LISTED, "terminal.more_items", t)
                    .join(&t.get("comment.list_sep"));
                w.push_str(&format!("       {}\n", p.paint(dim, &line)));
            }
        }
    }
}

/// The terminal report fitted to `width` display columns: a longer line continues under its own
/// text (a numbered point under its words, a listed item under the list), Chinese characters
/// counting two columns and colour codes none. A line breaks between Chinese characters or at a
/// space, never inside a code, number or date (`339900-GG-00029`, `DA-03`, `2017-09-21`), never
/// before closing punctuation (，。）〕》…) nor after opening punctuation (（〔《…); only a run
/// wider than the whole line is cut. Applied only when the report goes to a terminal; a file or a
/// pipe keeps one line per point for `grep`.
pub fn fit(text: &str, width: usize) -> String {
    let width = width.max(40);
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for line in text.split_inclusive('\n') {
        let (body, end) = line.strip_suffix('\n').map_or((line, ""), |b| (b, "\n"));
        // The hanging indent: the leading spaces, and a point's number ("1. ").
        let spaces = body.len() - body.trim_start_matches(' ').len();
        let rest = &body[spaces..];
        let number = rest
            .find(". ")
            .filter(|&i| i > 0 && rest[..i].chars().all(|c| c.is_ascii_digit()))
            .map_or(0, |i| i + 2);
        let indent = spaces + number;
        out.push_str(&body[..indent]);
        // Where continuation lines start: under the text after a table row's last number column
        // (the rollup's rule titles) or after a leading label ("评价指标：", "Scorecard: "), else
        // at the indent.
        let hang = hanging(body, width).unwrap_or(indent);
        // The column the current line's text starts at.
        let mut start = indent;
        let mut used = indent;
        let newline = |out: &mut String, start: &mut usize, used: &mut usize| {
            let kept = out.trim_end_matches(' ').len();
            out.truncate(kept);
            out.push('\n');
            out.push_str(&" ".repeat(hang));
            *start = hang;
            *used = hang;
        };
        for unit in units(&body[indent..]) {
            if unit.space {
                if used + unit.width > width {
                    newline(&mut out, &mut start, &mut used);
                } else if used > start {
                    out.push_str(&unit.text);
                    used += unit.width;
                }
                continue;
            }
            if used + unit.width > width && used > start {
                newline(&mut out, &mut start, &mut used);
            }
            if unit.width <= width - start {
                out.push_str(&unit.text);
                used += unit.width;
                continue;
            }
            // Wider than a whole line (a long URL): cut where the line ends.
            for (piece, w) in glyphs(&unit.text) {
                if used + w > width && used > start {
                    newline(&mut out, &mut start, &mut used);
                }
                out.push_str(piece);
                used += w;
            }
        }
        out.push_str(end);
    }
    out
}

/// The hanging indent of a line, in display columns: after the last gap of two or more spaces
/// that follows a number (a table row: the rollup's counts, then the rule's title), or after a
/// label that ends in a colon near the start of an unindented line. None when the line has
/// neither, or when the column would leave less than half the width.
fn hanging(body: &str, width: usize) -> Option<usize> {
    let col = |s: &str| unicode_width::UnicodeWidthStr::width(s);
    let limit = width / 2;
    // A table row: "  DA-03       2        0     0  Title …".
    let bytes = body.as_bytes();
    let mut at = None;
    let mut i = 0;
    while i + 2 < bytes.len() {
        if bytes[i] == b' ' && bytes[i + 1] == b' ' && i > 0 && bytes[i - 1].is_ascii_digit() {
            let mut j = i;
            while j < bytes.len() && bytes[j] == b' ' {
                j += 1;
            }
            if j < bytes.len() {
                at = Some(j);
            }
            i = j;
            continue;
        }
        i += 1;
    }
    if let Some(j) = at.filter(|j| col(&body[..*j]) <= limit) {
        return Some(col(&body[..j]));
    }
    // A label: "评价指标：…", "Scorecard: …".
    if body.starts_with(' ') {
        return None;
    }
    let label = ["：", ": "]
        .iter()
        .filter_map(|sep| body.find(sep).map(|i| i + sep.len()))
        .min()?;
    let c = col(&body[..label]);
    (c <= 24).then_some(c)
}

/// A piece of a line that is never broken: a run of narrow characters (a code, a number, a Latin
/// word), or one wide character with the punctuation that holds to it; or a space.
struct Unit {
    text: String,
    width: usize,
    space: bool,
}

/// Closing punctuation: never starts a line.
fn closes(c: char) -> bool {
    "，。、；：！？）〕」』”’》】…—".contains(c)
}

/// Opening punctuation: never ends a line.
fn opens(c: char) -> bool {
    "（〔「『“‘《【".contains(c)
}

/// The characters of `s` with their widths, a colour code (no width) kept whole.
fn glyphs(s: &str) -> Vec<(&str, usize)> {
    use unicode_width::UnicodeWidthChar;
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        if rest.starts_with('\u{1b}') {
            let len = rest.find('m').map_or(rest.len(), |e| e + 1);
            out.push((&rest[..len], 0));
            i += len;
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push((&rest[..c.len_utf8()], c.width().unwrap_or(0)));
        i += c.len_utf8();
    }
    out
}

fn units(s: &str) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::new();
    // What the next unit starts with: a colour code, or opening punctuation.
    let mut lead = String::new();
    let mut lead_width = 0;
    // Whether the last unit is a run of narrow characters still growing.
    let mut open_run = false;
    for (g, w) in glyphs(s) {
        if g.starts_with('\u{1b}') {
            // A reset holds to what it ends; any other code to what it starts.
            match out.last_mut() {
                Some(last) if g == "\u{1b}[0m" && !last.space && lead.is_empty() => {
                    last.text.push_str(g)
                }
                _ => lead.push_str(g),
            }
            continue;
        }
        let c = g.chars().next().unwrap_or(' ');
        if c == ' ' {
            open_run = false;
            out.push(Unit {
                text: format!("{lead} "),
                width: lead_width + 1,
                space: true,
            });
            lead.clear();
            lead_width = 0;
            continue;
        }
        if opens(c) {
            open_run = false;
            lead.push_str(g);
            lead_width += w;
            continue;
        }
        if closes(c)
            && lead.is_empty()
            && let Some(last) = out.last_mut().filter(|l| !l.space)
        {
            // A number after a closing bracket goes on with it (〔2012〕14号).
            open_run = matches!(c, '〕' | '）' | '】');
            last.text.push_str(g);
            last.width += w;
            continue;
        }
        let narrow = w < 2 && !closes(c);
        if narrow
            && open_run
            && lead.is_empty()
            && let Some(last) = out.last_mut()
        {
            last.text.push_str(g);
            last.width += w;
            continue;
        }
        out.push(Unit {
            text: format!("{lead}{g}"),
            width: lead_width + w,
            space: false,
        });
        lead.clear();
        lead_width = 0;
        open_run = narrow;
    }
    if !lead.is_empty() {
        out.push(Unit {
            text: lead,
            width: lead_width,
            space: false,
        });
    }
    out
}

#[cfg(test)]
mod fit_tests {
    use super::fit;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn long_points_continue_under_their_words() {
        let point = format!("    1. 错误 {}", "事项名称不规范".repeat(12));
        let text = format!("head\n{point}\n");
        let got = fit(&text, 60);
        let lines: Vec<&str> = got.lines().collect();
        assert_eq!(lines[0], "head");
        assert!(lines.len() > 3, "{got}");
        for l in &lines {
            assert!(l.width() <= 60, "{} columns: {l}", l.width());
        }
        assert!(lines[2].starts_with("       ") && !lines[2].starts_with("        "));
        // Nothing lost, nothing added but breaks and indents.
        let joined: String = lines[1..].iter().map(|l| l.trim_start()).collect();
        assert_eq!(joined, point.trim_start());
    }

    #[test]
    fn table_rows_and_labels_hang_under_their_text() {
        let row = "  DA-03       2        0     0  A changed item has an approved change request that covers every changed field";
        let got = fit(&format!("{row}\n"), 70);
        let lines: Vec<&str> = got.lines().collect();
        assert!(lines.len() > 1, "{got}");
        let title = row.find("A changed").unwrap();
        for l in &lines[1..] {
            assert_eq!(l.len() - l.trim_start().len(), title, "{got}");
            assert!(l.width() <= 70);
        }
        // Too narrow to hang at the title (more than half the line): the row's own indent.
        let got = fit(&format!("{row}\n"), 60);
        assert!(
            got.lines()
                .skip(1)
                .all(|l| l.starts_with("  ") && !l.starts_with("   ")),
            "{got}"
        );
        let label = format!("评价指标：{}", "跑零次率 17.9%（较上期 +2.5） · ".repeat(4));
        let got = fit(&format!("{label}\n"), 60);
        for l in got.lines().skip(1) {
            assert_eq!(
                l.len() - l.trim_start().len(),
                "评价指标：".width(),
                "{got}"
            );
        }
        // An item's heading continues under its name (after the code).
        let item = format!(
            "  须整改  339900-GG-00016  {}",
            "户口登记项目变更更正".repeat(4)
        );
        let got = fit(&format!("{item}\n"), 60);
        let name = "  须整改  339900-GG-00016  ".width();
        assert!(
            got.lines()
                .skip(1)
                .all(|l| l.len() - l.trim_start().len() == name),
            "{got}"
        );
    }

    #[test]
    fn colour_codes_take_no_width_and_are_never_split() {
        let red = "\u{1b}[31m错误\u{1b}[0m";
        let text = format!("  1. {red} {}\n", "甲".repeat(40));
        let got = fit(&text, 50);
        assert!(got.contains(red), "{got:?}");
        for l in got.lines() {
            let plain: String = l.replace("\u{1b}[31m", "").replace("\u{1b}[0m", "");
            assert!(plain.width() <= 50, "{l}");
        }
    }

    #[test]
    fn codes_numbers_and_dates_stay_whole_and_punctuation_holds() {
        let point = format!(
            "    1. 错误 {}依据：《党政机关公文处理工作条例》（中办发〔2012〕14号）第九条 · 规则 DA-03 · 339900-GG-00029 于2017-09-21提交，",
            "事项名称不规范".repeat(5)
        );
        for width in 40..=100 {
            let got = fit(&format!("{point}\n"), width);
            let lines: Vec<&str> = got.lines().collect();
            for l in &lines {
                assert!(l.width() <= width, "{width}: {} columns: {l}", l.width());
                assert!(!l.ends_with(' '), "{width}: trailing space: {l:?}");
                let body = l.trim_start();
                assert!(
                    !body.starts_with(['，', '）', '〕', '：', '》']),
                    "{width}: a line starts with closing punctuation: {l}"
                );
                assert!(
                    !body.ends_with(['（', '〔', '《']),
                    "{width}: a line ends with opening punctuation: {l}"
                );
            }
            let joined: String = lines
                .iter()
                .map(|l| l.trim_start())
                .collect::<Vec<_>>()
                .join("\u{0}");
            for whole in ["DA-03", "339900-GG-00029", "2017-09-21", "〔2012〕14"] {
                assert!(joined.contains(whole), "{width}: {whole} was cut: {got}");
            }
        }
    }

    #[test]
    fn a_run_wider_than_the_line_is_cut() {
        let url = format!("https://zwfw.example/{}", "a".repeat(120));
        let got = fit(&format!("  见 {url}\n"), 50);
        for l in got.lines() {
            assert!(l.width() <= 50, "{l}");
        }
        let joined: String = got.lines().map(str::trim_start).collect();
        assert!(joined.contains(&url), "{got}");
    }
}
