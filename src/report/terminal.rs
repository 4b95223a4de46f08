//! The terminal renderer: a one-line summary, then findings grouped by department naming each item,
//! then the changes. Colour only when asked for (the binary decides: a terminal and no `NO_COLOR`).

use super::{Report, Texts, io};
use crate::error::Result;
use crate::finding::FindingState;
use crate::rules::Severity;
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
pub fn render(r: &Report, style: &super::Style, out: &mut dyn Write) -> Result<()> {
    let t = &style.texts;
    let p = Paint { on: style.color };
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let mut w = String::new();

    let title = r.new.name.clone().unwrap_or_else(|| r.new.file.clone());
    let header = header_line(r, t, &p.paint(bold, &title));
    w.push_str(&header);
    w.push('\n');
    w.push_str(&p.paint(bold, &summary_line(r, t)));
    w.push('\n');
    if let Some(g) = &r.progress {
        w.push_str(&t.fmt(
            "summary.line.progress",
            &[
                ("open", &g.still_open),
                ("baseline", &g.baseline_open),
                ("resolved", &g.resolved),
                ("new", &g.new),
                ("reopened", &g.reopened),
                ("waived", &g.waived),
            ],
        ));
        w.push('\n');
    }

    // Findings, grouped by department (they are sorted by department already).
    let mut i = 0;
    while i < r.findings.len() {
        let dept = &r.findings[i].department;
        let end = i + r.findings[i..]
            .iter()
            .take_while(|f| &f.department == dept)
            .count();
        let group = &r.findings[i..end];
        // The department's open findings, as the summary counts them; closed ones are listed.
        let counts = r.stats.department(dept).findings;
        let errors = counts.open.error;
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
                ("findings", &counts.open_total()),
                ("errors", &errors),
            ],
        ));
        w.push('\n');
        for f in group {
            let sev = t.get(&format!("severity.{}", f.severity.as_str()));
            let code = if f.code.is_empty() {
                t.get("terminal.department_level")
            } else {
                f.code.to_string()
            };
            // In a later round, a finding's state is part of what it says: a resolved or waived
            // one is listed but asks nothing, a persisting one has been asked before.
            let state = match f.state {
                FindingState::New => String::new(),
                other => format!(" [{}]", t.get(&format!("state.{}", state_key(other)))),
            };
            w.push_str(&format!(
                "  {}  {:<6}  {}  {}  [{}]{state}\n",
                p.paint(severity_style(f.severity), &format!("{sev:<7}")),
                f.rule,
                code,
                f.name,
                t.get(&format!("kind.{}", f.change))
            ));
            w.push_str(&format!("           {}\n", f.message));
            let mut loc = t.fmt("terminal.field", &[("field", &f.field)]);
            if !f.evidence.is_empty() {
                loc.push_str(&format!(" · {}", f.evidence));
            }
            if let Some(a) = &f.adjustment {
                loc.push_str(&format!(" · {}", t.fmt("terminal.request", &[("id", a)])));
            }
            if let Some(l) = &f.location {
                loc.push_str(&format!(" · {l}"));
            }
            w.push_str(&format!("           {}\n", p.paint(dim, &loc)));
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
                c.code
            );
            if let Some(old) = &c.old_code {
                line.push_str(&format!(" ({})", t.fmt("terminal.was", &[("code", old)])));
            }
            if !c.old_codes.is_empty() {
                line.push_str(&format!(
                    " ({})",
                    t.fmt("terminal.from", &[("codes", &c.old_codes.join(", "))])
                ));
            }
            if !c.new_codes.is_empty() {
                line.push_str(&format!(
                    " ({})",
                    t.fmt("terminal.into", &[("codes", &c.new_codes.join(", "))])
                ));
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
            w.push_str(&t.fmt(
                "terminal.more_changes",
                &[("n", &(r.changes.len() - MAX_CHANGES))],
            ));
            w.push('\n');
        }
    }
    out.write_all(w.as_bytes()).map_err(io)
}

/// A state's key in the message catalogue (`state.resolved`).
fn state_key(s: FindingState) -> &'static str {
    match s {
        FindingState::New => "new",
        FindingState::Persisting => "persisting",
        FindingState::Reopened => "reopened",
        FindingState::Resolved => "resolved",
        FindingState::Waived => "waived",
    }
}
