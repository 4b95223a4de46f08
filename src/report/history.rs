//! The history timeline (`catalog-history/1`) as one self-contained HTML page, in the audit
//! report's style (its stylesheet and chart markup) and language: every heading from the message
//! catalogue, so `--lang en` gives English headings only. Department names are catalog text and
//! are escaped like everywhere else.

use super::html::{
    Bar, Chart, NARROW_CHART, chart, severity_legend, severity_parts, template_error,
};
use super::{Style, io};
use crate::error::Result;
use crate::history::{DeptPeriod, Period, Timeline};
use crate::messages::Texts;
use crate::stats::SeverityCounts;
use handlebars::Handlebars;
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct View<'a> {
    t: &'a std::collections::BTreeMap<String, String>,
    lang: &'a str,
    title: String,
    heading: String,
    line: String,
    version: &'static str,
    charts: Vec<Chart>,
    periods: Vec<PeriodView<'a>>,
    /// Each department's scorecard figures over the periods (none without a scorecard).
    trends: Option<Trends>,
}

/// The scorecard over time: one row per department (the whole catalog first), one column per
/// figure, each cell the figure at the end of each period ("17.9% → 20.1%").
#[derive(Serialize)]
struct Trends {
    columns: Vec<String>,
    rows: Vec<TrendRow>,
}

#[derive(Serialize)]
struct TrendRow {
    name: String,
    total: bool,
    cells: Vec<String>,
}

fn trends(tl: &Timeline, t: &Texts) -> Option<Trends> {
    use crate::scorecard::{Card, METRICS, show};
    let cards: Vec<&crate::scorecard::Scorecard> = tl
        .periods
        .iter()
        .filter_map(|p| p.scorecard.as_ref())
        .collect();
    if cards.is_empty() {
        return None;
    }
    let metrics: Vec<_> = METRICS
        .iter()
        .copied()
        .filter(|m| cards.iter().any(|c| c.total.get(*m).is_some()))
        .collect();
    let mut names: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    for c in &cards {
        names.extend(c.departments.iter().filter_map(|d| d.department.as_deref()));
    }
    let row =
        |name: String,
         total: bool,
         pick: &dyn Fn(&crate::scorecard::Scorecard) -> Option<&Card>| TrendRow {
            name,
            total,
            cells: metrics
                .iter()
                .map(|m| {
                    cards
                        .iter()
                        .map(|c| {
                            pick(c)
                                .and_then(|card| card.get(*m))
                                .map_or_else(|| "—".to_string(), |f| show(*m, f.value))
                        })
                        .collect::<Vec<_>>()
                        .join(" → ")
                })
                .collect(),
        };
    let mut rows = vec![row(t.get("score.col.total"), true, &|c| Some(&c.total))];
    for n in names {
        rows.push(row(n.to_string(), false, &|c| c.department(n)));
    }
    Some(Trends {
        columns: metrics
            .iter()
            .map(|m| t.get(&format!("score.{}", m.as_str())))
            .collect(),
        rows,
    })
}

/// A period as the page shows it: the timeline's own figures, with a label and the round in words.
#[derive(Serialize)]
struct PeriodView<'a> {
    label: String,
    #[serde(flatten)]
    period: &'a Period,
    round: Option<String>,
    /// Departments by display name (the catalogue's words for a missing one).
    rows: Vec<DeptView<'a>>,
}

#[derive(Serialize)]
struct DeptView<'a> {
    name: String,
    #[serde(flatten)]
    counts: &'a DeptPeriod,
}

/// A period's bar in a chart, labelled with its end date.
fn bar(p: &Period, parts: Vec<(&'static str, String, usize)>) -> Bar {
    Bar {
        key: p.to.to_string(),
        label: p.to.to_string(),
        data: false,
        href: None,
        parts,
    }
}

fn view<'a>(tl: &'a Timeline, title: &str, t: &'a Texts) -> View<'a> {
    let findings = tl
        .periods
        .iter()
        .map(|p| {
            let open = SeverityCounts {
                error: p.errors,
                warning: p.warnings,
                info: p.info,
            };
            bar(p, severity_parts(&open))
        })
        .collect();
    let changes = tl
        .periods
        .iter()
        .map(|p| {
            let parts = [
                ("added", p.added),
                ("changed", p.changed),
                ("cancelled", p.cancelled),
                ("recoded", p.recoded),
            ]
            .into_iter()
            .map(|(k, n)| (k, format!("k-{k}"), n))
            .collect();
            bar(p, parts)
        })
        .collect();
    let kinds_legend = ["added", "changed", "cancelled", "recoded"]
        .into_iter()
        .map(|k| super::html::Legend {
            class: format!("k-{k}"),
            label: t.get(&format!("kind.{k}")),
        })
        .collect();
    let mut charts = Vec::new();
    if !tl.periods.is_empty() {
        charts.push(chart(
            "findings",
            NARROW_CHART,
            t.get("history.chart.findings"),
            findings,
            severity_legend(t),
        ));
        charts.push(chart(
            "changes",
            NARROW_CHART,
            t.get("history.chart.changes"),
            changes,
            kinds_legend,
        ));
    }
    View {
        t: &t.texts,
        lang: &t.lang,
        heading: title.to_string(),
        title: t.fmt("history.title", &[("title", &title)]),
        line: t.fmt(
            "history.line",
            &[("snapshots", &tl.snapshots), ("periods", &tl.periods.len())],
        ),
        version: env!("CARGO_PKG_VERSION"),
        trends: trends(tl, t),
        charts,
        periods: tl
            .periods
            .iter()
            .map(|p| PeriodView {
                label: format!("{} → {}", p.from, p.to),
                period: p,
                round: p.progress.map(|g| {
                    t.fmt(
                        "history.round",
                        &[
                            ("open", &g.still_open),
                            ("baseline", &g.baseline_open),
                            ("resolved", &g.resolved),
                        ],
                    )
                }),
                rows: p
                    .departments
                    .iter()
                    .map(|(name, counts)| DeptView {
                        name: if name.is_empty() {
                            t.get("terminal.no_department")
                        } else {
                            name.clone()
                        },
                        counts,
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Writes the timeline's HTML page; `title` is the directory's name.
pub fn render(tl: &Timeline, title: &str, style: &Style, out: &mut dyn Write) -> Result<()> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    for (name, register_as) in [("style.css", "style"), ("chart.hbs", "chart")] {
        let (origin, text) = style.templates.get(name);
        hb.register_partial(register_as, text)
            .map_err(|e| template_error(origin, &e.to_string()))?;
    }
    let (origin, template) = style.templates.get("history.html.hbs");
    hb.register_template_string("history.html", template)
        .map_err(|e| template_error(origin, &e.to_string()))?;
    let html = hb
        .render("history.html", &view(tl, title, &style.texts))
        .map_err(|e| template_error(origin, &e.to_string()))?;
    out.write_all(html.as_bytes()).map_err(io)
}
