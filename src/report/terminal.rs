//! The terminal renderer: a one-line summary, then findings grouped by department naming each item,
//! then the changes. Colour only when asked for (the binary decides: a terminal and no `NO_COLOR`).

use super::{Report, io};
use crate::error::Result;
use crate::rules::Severity;
use anstyle::{AnsiColor, Style};
use std::io::Write;

/// How many changes are listed before the rest is summarised.
const MAX_CHANGES: usize = 200;

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The one-line summary: "4 added, 6 changed, 2 cancelled, 1 recoded; 17 errors, 3 warnings, 1 info".
pub fn summary_line(r: &Report) -> String {
    let s = &r.summary;
    let f = &s.findings;
    let mut line = String::new();
    if r.old.is_some() {
        line.push_str(&format!(
            "{} added, {} changed, {} cancelled, {} recoded",
            s.added, s.changed, s.cancelled, s.recoded
        ));
        if s.merged > 0 {
            line.push_str(&format!(", {} merged", s.merged));
        }
        if s.split > 0 {
            line.push_str(&format!(", {} split", s.split));
        }
    } else {
        line.push_str(&plural(s.unchanged, "item", "items"));
    }
    if !r.checked {
        line.push_str(&format!(", {} unchanged", s.unchanged));
        return line;
    }
    line.push_str("; ");
    line.push_str(&format!(
        "{}, {}, {} info",
        plural(f.error, "error", "errors"),
        plural(f.warning, "warning", "warnings"),
        f.info
    ));
    line
}

struct Paint {
    on: bool,
}

impl Paint {
    fn paint(&self, style: Style, text: &str) -> String {
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
pub fn render(r: &Report, color: bool, out: &mut dyn Write) -> Result<()> {
    let p = Paint { on: color };
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let mut w = String::new();

    let title = r.new.name.clone().unwrap_or_else(|| r.new.file.clone());
    let date = |d: Option<chrono::NaiveDate>| d.map_or("undated".to_string(), |d| d.to_string());
    match &r.old {
        Some(old) => w.push_str(&format!(
            "{}: {} ({}) → {} ({}), judged as of {}\n",
            p.paint(bold, &title),
            date(old.as_of),
            plural(old.items, "item", "items"),
            date(r.new.as_of),
            plural(r.new.items, "item", "items"),
            r.as_of
        )),
        None => w.push_str(&format!(
            "{}: {} ({}), judged as of {}\n",
            p.paint(bold, &title),
            date(r.new.as_of),
            plural(r.new.items, "item", "items"),
            r.as_of
        )),
    }
    w.push_str(&p.paint(bold, &summary_line(r)));
    w.push('\n');

    // Findings, grouped by department (they are sorted by department already).
    let mut i = 0;
    while i < r.findings.len() {
        let dept = &r.findings[i].department;
        let end = i + r.findings[i..]
            .iter()
            .take_while(|f| &f.department == dept)
            .count();
        let group = &r.findings[i..end];
        let errors = group
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        w.push_str(&format!(
            "\n{} — {}, {}\n",
            p.paint(
                bold,
                if dept.is_empty() {
                    "(no department)"
                } else {
                    dept
                }
            ),
            plural(group.len(), "finding", "findings"),
            plural(errors, "error", "errors")
        ));
        for f in group {
            w.push_str(&format!(
                "  {:<7}  {:<6}  {}  {}  [{}]\n",
                p.paint(severity_style(f.severity), f.severity.as_str()),
                f.rule,
                if f.code.is_empty() {
                    "(department)"
                } else {
                    f.code.as_str()
                },
                f.name,
                f.change
            ));
            w.push_str(&format!("           {}\n", f.message));
            let mut loc = format!("field {}", f.field);
            if !f.evidence.is_empty() {
                loc.push_str(&format!(" · {}", f.evidence));
            }
            if let Some(a) = &f.adjustment {
                loc.push_str(&format!(" · request {a}"));
            }
            if let Some(l) = &f.location {
                loc.push_str(&format!(" · {l}"));
            }
            w.push_str(&format!("           {}\n", p.paint(dim, &loc)));
        }
        i = end;
    }

    if !r.changes.is_empty() {
        w.push_str(&format!("\n{}\n", p.paint(bold, "Changes")));
        for c in r.changes.iter().take(MAX_CHANGES) {
            let mut line = format!("  {:<9}  {}", c.kind.as_str(), c.code);
            if let Some(old) = &c.old_code {
                line.push_str(&format!(" (was {old})"));
            }
            if !c.old_codes.is_empty() {
                line.push_str(&format!(" (from {})", c.old_codes.join(", ")));
            }
            if !c.new_codes.is_empty() {
                line.push_str(&format!(" (into {})", c.new_codes.join(", ")));
            }
            line.push_str(&format!("  {}  {}", c.name, p.paint(dim, &c.department)));
            if !c.fields.is_empty() {
                let fields: Vec<&str> = c.fields.iter().map(|f| f.field.as_str()).collect();
                line.push_str(&format!("  {}", p.paint(dim, &fields.join(", "))));
            }
            w.push_str(&line);
            w.push('\n');
        }
        if r.changes.len() > MAX_CHANGES {
            w.push_str(&format!(
                "  … and {} more (see the JSON or HTML report)\n",
                r.changes.len() - MAX_CHANGES
            ));
        }
    }
    out.write_all(w.as_bytes()).map_err(io)
}
