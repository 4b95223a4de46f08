//! The Markdown renderer, for pasting into tickets and mail: the summary, then per department a table
//! of its findings (code, name, rule, severity, message).
//!
//! It renders through the Handlebars template `reports/report.md.hbs` (replaceable with
//! `--templates DIR`) with HTML escaping off; every value goes through the `md` helper, which
//! escapes what Markdown would read as markup (`|` would end a table cell, `*` start emphasis, `<`
//! open an HTML tag) and turns line breaks into `<br>`, so a cell stays one table cell.

use super::{Report, Texts, io, terminal};
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
    finding_count: usize,
    change_count: usize,
    findings_heading: String,
    findings: Vec<Row>,
}

#[derive(Serialize)]
struct Row {
    code: String,
    name: String,
    rule: String,
    severity: String,
    severity_key: &'static str,
    category: String,
    change: String,
    message: String,
    fingerprint: String,
}

/// Escapes text for Markdown: a backslash before the characters CommonMark and GFM read as markup
/// anywhere in a line, `<br>` for line breaks, other control characters dropped.
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
            c if c.is_control() => {}
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
    let mut depts: BTreeMap<&str, (Vec<&crate::finding::Finding>, usize)> = BTreeMap::new();
    for f in &r.findings {
        depts.entry(&f.department).or_default().0.push(f);
    }
    for c in &r.changes {
        depts.entry(&c.department).or_default().1 += 1;
    }
    let departments = depts
        .into_iter()
        .map(|(name, (findings, change_count))| {
            let counts = r.stats.department(name).findings;
            let mut heading = t.fmt("md.findings", &[("n", &counts.open_total())]);
            if let Some(note) = super::html::closed_note(counts.resolved, counts.waived, t) {
                heading.push_str(&format!("（{note}）"));
            }
            Dept {
                name: if name.is_empty() {
                    t.get("terminal.no_department")
                } else {
                    name.to_string()
                },
                errors: counts.open.error,
                warnings: counts.open.warning,
                infos: counts.open.info,
                finding_count: findings.len(),
                change_count,
                findings_heading: heading,
                findings: findings
                    .iter()
                    .map(|f| Row {
                        code: if f.code.is_empty() {
                            t.get("terminal.department_level")
                        } else {
                            f.code.to_string()
                        },
                        name: f.name.to_string(),
                        rule: f.rule.to_string(),
                        severity: label(t, "severity", f.severity.as_str()),
                        severity_key: f.severity.as_str(),
                        category: label(t, "category", f.category.as_str()),
                        change: label(t, "kind", &f.change),
                        message: f.message.clone(),
                        fingerprint: f.fingerprint.clone(),
                    })
                    .collect(),
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
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    hb.register_helper("md", Box::new(md));
    let (origin, template) = style.templates.get("report.md.hbs");
    let err = |m: String| Error::Template {
        name: origin.to_string(),
        message: m,
    };
    hb.register_template_string("report.md", template)
        .map_err(|e| err(e.to_string()))?;
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
        assert_eq!(escape("a\u{0}b"), "ab");
    }
}
