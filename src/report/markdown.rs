//! The Markdown renderer, for pasting into tickets and mail: the summary, then per department its
//! review comments: the items to fix, each with numbered points (basis and rules below each), then
//! the advice with the items it lists.
//!
//! It renders through the Handlebars template `reports/report.md.hbs` (replaceable with
//! `--templates DIR`) with HTML escaping off; every value goes through the `md` helper, which
//! escapes what Markdown would read as markup (`|` would end a table cell, `*` start emphasis, `<`
//! open an HTML tag) and turns line breaks into `<br>`, so a cell stays one table cell.

use super::{Report, Texts, io, terminal};
use crate::comments::Comment;
use crate::error::{Error, Result};
use handlebars::{Handlebars, handlebars_helper};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;

#[derive(Serialize)]
struct View<'a> {
    title: String,
    heading: String,
    header: String,
    summary_line: String,
    /// Later rounds: how many of last round's findings are still open.
    progress_line: Option<String>,
    /// The verdict (须整改意见 N 条，涉及 M 个事项), then the comments carried from last round, the
    /// reply deadline and the contact, where given (the HTML page's action header).
    action_lines: Vec<String>,
    generated: String,
    /// Whether rules ran (the `diff` command has changes only).
    checked: bool,
    /// The message catalogue: `{{lookup t "md.summary"}}`.
    t: &'a BTreeMap<String, String>,
    lang: &'a str,
    report: &'a Report,
    departments: Vec<Dept>,
}

#[derive(Serialize)]
struct Dept {
    name: String,
    errors: usize,
    warnings: usize,
    infos: usize,
    change_count: usize,
    items_to_fix: usize,
    advice_count: usize,
    /// "须整改事项 6 个，建议 3 条", with the closed findings named apart.
    comments_heading: String,
    has_comments: bool,
    /// Department-level problems, then item comments.
    fix: Vec<ItemView>,
    advice: Vec<AdviceView>,
}

/// An item comment (or a department-level problem, without points).
#[derive(Serialize)]
struct ItemView {
    heading: String,
    /// The change kind and highest severity, "变更 · 错误".
    tags: String,
    text: String,
    points: Vec<PointView>,
}

#[derive(Serialize)]
struct PointView {
    /// 1, 2, 3…
    n: usize,
    /// In a later round, the point's state ("仍存在"); none for a new point.
    state: Option<String>,
    text: String,
    /// Basis, rules, request, location: "依据：《…》第六条 · 规则 DA-03".
    about: String,
    /// What the department answered last round ("部门反馈：已整改（2018-02-05）"), each once.
    replies: Vec<String>,
}

#[derive(Serialize)]
struct AdviceView {
    text: String,
    /// The listed items: "339900-GG-00028 失业保险金申领、…".
    items: String,
}

/// How many items an advice comment lists before the rest is counted.
const MAX_LISTED: usize = 50;

/// Escapes text for Markdown: a backslash before the characters CommonMark and GFM read as markup
/// anywhere in a line, `<br>` for line breaks, other control characters and bidirectional overrides
/// written out (`\u{1b}`).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '~' | '&' | '#' | '!' | '{'
            | '}' => {
                out.push('\\');
                out.push(c);
            }
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("<br>");
            }
            '\n' | '\u{2028}' | '\u{2029}' => out.push_str("<br>"),
            '\t' => out.push(' '),
            // Written out (`\u{1b}`, its backslash and braces escaped), not dropped: a reader sees
            // that the value holds one, and a terminal showing the file obeys none.
            c if crate::text::is_hidden(c) => {
                out.push_str(&escape(&crate::text::escape_hidden(c)));
            }
            c => out.push(c),
        }
    }
    out
}

handlebars_helper!(md: |v: Json| match v {
    Value::Null => String::new(),
    Value::String(s) => escape(s),
    other => escape(&other.to_string()),
});

fn label(t: &Texts, prefix: &str, value: &str) -> String {
    t.texts
        .get(&format!("{prefix}.{value}"))
        .cloned()
        .unwrap_or_else(|| value.to_string())
}

fn view<'a>(r: &'a Report, t: &'a Texts) -> View<'a> {
    let sep = t.get("comment.list_sep");
    let replies = super::replies(r);
    let mut depts: BTreeMap<&str, (Vec<ItemView>, Vec<AdviceView>, usize)> = BTreeMap::new();
    for (name, counts) in &r.stats.departments {
        if counts.findings.listed > 0 || counts.changes.total() > 0 {
            depts.insert(name, Default::default());
        }
    }
    for c in &r.changes {
        depts.entry(&c.department).or_default().2 += 1;
    }
    for c in &r.comments {
        let entry = depts.entry(c.department()).or_default();
        match c {
            Comment::Item(item) => entry.0.push(ItemView {
                heading: format!("{} {}", item.code, item.name),
                tags: format!(
                    "{} · {}",
                    label(t, "kind", &item.change),
                    label(t, "severity", item.severity.as_str())
                ),
                text: String::new(),
                points: item
                    .points
                    .iter()
                    .enumerate()
                    .map(|(i, p)| PointView {
                        n: i + 1,
                        state: super::state_label(p.state, t),
                        text: p.text.clone(),
                        about: super::point_about(r, t, p),
                        replies: super::replies_to(
                            p.fingerprints.iter().map(String::as_str),
                            &replies,
                        )
                        .into_iter()
                        .map(|x| super::reply_line(x, t))
                        .collect(),
                    })
                    .collect(),
            }),
            Comment::Department(d) if !d.advice => entry.0.push(ItemView {
                heading: t.get("terminal.department_level"),
                tags: label(t, "severity", d.severity.as_str()),
                text: d.text.clone(),
                points: Vec::new(),
            }),
            Comment::Department(d) => {
                let items = super::listed_items(d, MAX_LISTED, "terminal.more_items", t);
                entry.1.push(AdviceView {
                    text: d.text.clone(),
                    items: items.join(&sep),
                });
            }
        }
    }
    let departments = depts
        .into_iter()
        .map(|(name, (fix, advice, change_count))| {
            let counts = r.stats.department(name);
            let c = counts.comments;
            let mut heading = t.fmt(
                "md.comments",
                &[("items", &c.items.total()), ("advice", &c.advice)],
            );
            let f = counts.findings;
            if let Some(note) = super::html::closed_note(f.resolved, f.waived, t) {
                heading.push_str(&format!("（{note}）"));
            }
            Dept {
                name: if name.is_empty() {
                    t.get("terminal.no_department")
                } else {
                    name.to_string()
                },
                errors: f.open.error,
                warnings: f.open.warning,
                infos: f.open.info,
                change_count,
                items_to_fix: c.items.total(),
                advice_count: c.advice,
                comments_heading: heading,
                has_comments: !fix.is_empty() || !advice.is_empty() || f.listed > 0,
                fix,
                advice,
            }
        })
        .collect();
    let title = r.new.name.clone().unwrap_or_else(|| r.new.file.clone());
    let header = super::terminal::header_line(r, t, &title);
    View {
        heading: t.fmt("md.title", &[("title", &title)]),
        title,
        header,
        summary_line: terminal::summary_line(r, t),
        progress_line: r.progress.map(|g| super::progress_line(&g, t)),
        action_lines: {
            let a = super::Action::of(r, t);
            [Some(a.verdict), a.carried_line, a.deadline, a.contact_line]
                .into_iter()
                .flatten()
                .collect()
        },
        generated: t.fmt(
            "md.generated",
            &[("version", &r.tool.version), ("as_of", &r.as_of)],
        ),
        checked: r.checked,
        t: &t.texts,
        lang: &t.lang,
        report: r,
        departments,
    }
}

/// Writes the Markdown report.
pub fn render(r: &Report, style: &super::Style, out: &mut dyn Write) -> Result<()> {
    let (origin, template) = style.templates.get("report.md.hbs");
    let err = |m: String| Error::Template {
        name: origin.to_string(),
        message: m,
    };
    let hb = style.templates.compiled("report.md", || {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        hb.register_escape_fn(handlebars::no_escape);
        hb.register_helper("md", Box::new(md));
        hb.register_template_string("report.md", template)
            .map_err(|e| err(e.to_string()))?;
        Ok(hb)
    })?;
    let text = hb
        .render("report.md", &view(r, &style.texts))
        .map_err(|e| err(e.to_string()))?;
    out.write_all(text.as_bytes()).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_cells_and_markup() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(escape("一\n二\r\n三"), "一<br>二<br>三");
        assert_eq!(escape("<script>"), "\\<script\\>");
        assert_eq!(escape("**x**"), "\\*\\*x\\*\\*");
        assert_eq!(escape("330600-GG-00012"), "330600-GG-00012");
        assert_eq!(escape("a\u{0}b"), "a\\\\u\\{0\\}b");
        assert_eq!(escape("\u{1b}]0;x\u{7}"), "\\\\u\\{1b\\}\\]0;x\\\\u\\{7\\}");
        assert_eq!(escape("a\u{202e}b"), "a\\\\u\\{202e\\}b");
    }
}
