//! The HTML renderer: one self-contained file (inline CSS, no script, no external request), rendered
//! by Handlebars in strict mode from the templates in `reports/`. Handlebars escapes every value it
//! inserts, and the templates never use triple braces, so catalog text cannot inject markup.
//!
//! The view model below only regroups the report by department and formats values for display;
//! it decides nothing the report model has not decided.

use super::{Report, RuleDoc, io, terminal};
use crate::check::Finding;
use crate::diff::{Change, FieldChange};
use crate::error::{Error, Result};
use crate::rules::Severity;
use crate::text::TextOp;
use handlebars::Handlebars;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;

#[derive(Serialize)]
struct View<'a> {
    title: String,
    summary_line: String,
    /// The message catalogue: `{{lookup t "summary.added"}}`.
    t: &'a std::collections::BTreeMap<String, String>,
    lang: &'a str,
    report: &'a Report,
    departments: Vec<Dept<'a>>,
}

#[derive(Serialize)]
struct Dept<'a> {
    name: String,
    anchor: String,
    errors: usize,
    warnings: usize,
    infos: usize,
    finding_count: usize,
    change_count: usize,
    findings: Vec<FindingView<'a>>,
    changes: Vec<ChangeView<'a>>,
}

#[derive(Serialize)]
struct FindingView<'a> {
    finding: &'a Finding,
    rule: Option<&'a RuleDoc>,
    field_count: usize,
    fields: Vec<FieldView<'a>>,
}

#[derive(Serialize)]
struct ChangeView<'a> {
    change: &'a Change,
    fields: Vec<FieldView<'a>>,
}

#[derive(Serialize)]
struct FieldView<'a> {
    field: &'a str,
    old: String,
    new: String,
    diff: Option<&'a [TextOp]>,
}

/// A JSON value as a reader wants to see it.
fn show(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) => s.clone(),
        Value::Bool(true) => "是".into(),
        Value::Bool(false) => "否".into(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) => a.iter().map(show).collect::<Vec<_>>().join("；"),
        Value::Object(o) => {
            if let Some(value) = o.get("value") {
                let unit = o.get("unit").and_then(Value::as_str).unwrap_or("");
                return format!("{} {unit}", show(value)).trim().to_string();
            }
            o.iter()
                .map(|(k, v)| format!("{k}: {}", show(v)))
                .collect::<Vec<_>>()
                .join("，")
        }
    }
}

fn field_view(f: &FieldChange) -> FieldView<'_> {
    FieldView {
        field: &f.field,
        old: show(&f.old),
        new: show(&f.new),
        diff: f.diff.as_deref(),
    }
}

fn view<'a>(report: &'a Report, texts: &'a super::Texts) -> View<'a> {
    let changes_by_code: BTreeMap<&str, &Change> = report
        .changes
        .iter()
        .map(|c| (c.code.as_str(), c))
        .collect();
    let mut depts: BTreeMap<&str, (Vec<FindingView<'_>>, Vec<ChangeView<'_>>)> = BTreeMap::new();
    for f in &report.findings {
        let fields: Vec<FieldView<'_>> = changes_by_code
            .get(f.code.as_str())
            .map(|c| c.fields.iter().map(field_view).collect())
            .unwrap_or_default();
        depts.entry(&f.department).or_default().0.push(FindingView {
            finding: f,
            rule: report.rules.get(&f.rule),
            field_count: fields.len(),
            fields,
        });
    }
    for c in &report.changes {
        depts.entry(&c.department).or_default().1.push(ChangeView {
            change: c,
            fields: c.fields.iter().map(field_view).collect(),
        });
    }
    let departments = depts
        .into_iter()
        .enumerate()
        .map(|(i, (name, (findings, changes)))| {
            let count = |s: Severity| findings.iter().filter(|f| f.finding.severity == s).count();
            Dept {
                name: if name.is_empty() {
                    "（未填写部门）".into()
                } else {
                    name.to_string()
                },
                anchor: format!("dept-{}", i + 1),
                errors: count(Severity::Error),
                warnings: count(Severity::Warning),
                infos: count(Severity::Info),
                finding_count: findings.len(),
                change_count: changes.len(),
                findings,
                changes,
            }
        })
        .collect();
    View {
        title: report
            .new
            .name
            .clone()
            .unwrap_or_else(|| report.new.file.clone()),
        summary_line: terminal::summary_line(report, texts),
        t: &texts.texts,
        lang: &texts.lang,
        report,
        departments,
    }
}

/// Writes the HTML report.
pub fn render(report: &Report, style: &super::Style, out: &mut dyn Write) -> Result<()> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    let (origin, template) = style.templates.get("report.html.hbs");
    let (css_origin, css) = style.templates.get("style.css");
    hb.register_template_string("report.html", template)
        .map_err(|e| template_error(origin, &e.to_string()))?;
    hb.register_partial("style", css)
        .map_err(|e| template_error(css_origin, &e.to_string()))?;
    let html = hb
        .render("report.html", &view(report, &style.texts))
        .map_err(|e| template_error(origin, &e.to_string()))?;
    out.write_all(html.as_bytes()).map_err(io)
}

/// A template error, naming the template file (the message carries the line and column).
fn template_error(origin: &str, message: &str) -> Error {
    Error::Template {
        name: origin.to_string(),
        message: message.to_string(),
    }
}
