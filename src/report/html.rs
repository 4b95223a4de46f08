//! The HTML renderer: one self-contained file (inline CSS, inline SVG charts, one small inline script
//! for the filters, no external request), rendered by Handlebars in strict mode from the templates
//! in `reports/`. Handlebars escapes every value it inserts, and the templates never use triple
//! braces, so catalog text cannot inject markup.
//!
//! The view model below only regroups the report by department, lays out the charts and formats
//! values for display; it decides nothing the report model has not decided. Every number a chart
//! shows is counted from `report.findings` / `report.summary`, and carried in a `data-count`
//! attribute so tests can compare it with the JSON report.
//!
//! A department's section is what it receives: the report's comments ([`crate::comments`]), in
//! their order. Must-fix cards come first (department-level problems, then one card per item
//! with its numbered points, each citing the basis of its first rule), then advice cards with
//! the items they list; long lists fold into `<details>`. Findings closed in a later round
//! (resolved, waived) are no comments: they are listed apart, folded, so the page still accounts
//! for every finding. What a card shows besides the comment (a point's category for the filter, a
//! department's reply, the messages behind a listed item) is looked up by fingerprint in
//! `report.findings` here; the template only lays it out.
//!
//! Tool texts come from the message catalogue (`{{lookup @root.t "html.…"}}` in the template, or
//! [`Texts`] here). Text that comes from the catalog is marked `class="cat"` and text from the rule
//! pack `class="pack"`, each in an element of its own holding only text, so a reader (and the tests)
//! can tell the tool's words from the data.
//!
//! The page's Content-Security-Policy allows inline scripts by hash only: the template writes the
//! marker [`SCRIPT_HASHES`] where the hashes belong, and [`render`] replaces it with the SHA-256 of
//! every `<script>` element of the rendered page. Catalog text cannot produce the marker (it holds a
//! `<`, which Handlebars escapes), nor a `<script>` element.

use super::{Report, RuleDoc, SeverityCounts, Texts, io, terminal};
use crate::comments::{Comment, DepartmentComment, ItemComment, Point};
use crate::diff::{Change, FieldChange};
use crate::error::{Error, Result};
use crate::finding::{Finding, FindingState, Response, is_open};
use crate::labels;
use crate::rules::{Category, Severity};
use crate::text::{self, TextOp, char_diff};
use handlebars::Handlebars;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Write;

/// The report as the template sees it: everything but its long lists, which the cards carry
/// (`findings` and `changes` are their counts, so `{{#if report.findings}}` still reads). The
/// whole report serialised into the template's context cost more memory than the page itself.
#[derive(Serialize)]
pub(super) struct Head<'a> {
    format: &'static str,
    tool: &'a super::Tool,
    as_of: chrono::NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    old: Option<&'a super::SnapshotInfo>,
    new: &'a super::SnapshotInfo,
    summary: &'a super::Summary,
    rules: &'a BTreeMap<String, RuleDoc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    progress: Option<&'a crate::rounds::Progress>,
    #[serde(skip_serializing_if = "Option::is_none")]
    manifest: Option<&'a super::Manifest>,
    findings: usize,
    changes: usize,
}

impl<'a> Head<'a> {
    pub(super) fn of(r: &'a Report) -> Self {
        Head {
            format: r.format,
            tool: &r.tool,
            as_of: r.as_of,
            old: r.old.as_ref(),
            new: &r.new,
            summary: &r.summary,
            rules: &r.rules,
            progress: r.progress.as_ref(),
            manifest: r.manifest.as_ref(),
            findings: r.findings.len(),
            changes: r.changes.len(),
        }
    }
}

/// What the template writes in its CSP where the script hashes go.
pub const SCRIPT_HASHES: &str = "<script-hashes>";

#[derive(Serialize)]
struct View<'a> {
    /// The catalog's name (or file).
    title: String,
    /// The verdict, deadline and contact at the head of the page ([`super::Action`]).
    action: super::Action,
    /// A department's page of a split run: the files it links to.
    page: Option<PageLinks<'a>>,
    /// The scorecard: one department's figures beside the whole catalog's, or the whole
    /// catalog's with a table of departments.
    score: Option<ScoreView>,
    summary_line: String,
    /// "38 of last round's 420 findings still open …", when the run had a baseline.
    progress_line: Option<String>,
    /// The message catalogue: `{{lookup @root.t "html.summary"}}`.
    t: &'a BTreeMap<String, String>,
    lang: &'a str,
    report: Head<'a>,
    /// Whether rules ran (not serialised in the report model itself).
    checked: bool,
    change_cards: Vec<Card>,
    finding_cards: Vec<Card>,
    charts: Vec<Chart>,
    /// Must-fix and advice comments, for the summary.
    comment_cards: Vec<Card>,
    filters: Filters,
    /// Every comment (what the filter counts), and the closed findings listed apart.
    comment_total: usize,
    closed_total: usize,
    departments: Vec<Dept<'a>>,
    /// More than one department: the table of departments and the department filter show.
    many_departments: bool,
    rules: Vec<RuleView<'a>>,
}

/// The scorecard as the page shows it.
#[derive(Serialize)]
pub(super) struct ScoreView {
    /// One department's figures (with the whole catalog's beside them and ranks).
    department: bool,
    items: usize,
    rows: Vec<super::ScoreRow>,
    advice: Vec<String>,
    /// Column headers and one row per department (the whole report).
    columns: Vec<String>,
    table: Vec<ScoreTableRow>,
}

#[derive(Serialize)]
struct ScoreTableRow {
    name: String,
    items: usize,
    cells: Vec<ScoreCell>,
}

#[derive(Serialize)]
struct ScoreCell {
    metric: &'static str,
    num: Option<f64>,
    value: String,
    rank: Option<String>,
    below: bool,
}

pub(super) fn score_view(report: &Report, t: &Texts) -> Option<ScoreView> {
    let s = report.scorecard.as_ref()?;
    if let [d] = s.departments.as_slice() {
        return Some(ScoreView {
            department: true,
            items: d.items,
            rows: super::score_rows(d, Some(&s.total), t),
            advice: d.advice.clone(),
            columns: Vec::new(),
            table: Vec::new(),
        });
    }
    let rows = super::score_rows(&s.total, None, t);
    let metrics: Vec<crate::scorecard::Metric> = crate::scorecard::METRICS
        .iter()
        .copied()
        .filter(|m| s.total.get(*m).is_some())
        .collect();
    Some(ScoreView {
        department: false,
        items: s.total.items,
        columns: metrics
            .iter()
            .map(|m| t.get(&format!("score.{}", m.as_str())))
            .collect(),
        table: s
            .departments
            .iter()
            .map(|d| ScoreTableRow {
                name: d.department.clone().unwrap_or_default(),
                items: d.items,
                cells: metrics
                    .iter()
                    .map(|m| {
                        let f = d.get(*m);
                        ScoreCell {
                            metric: m.as_str(),
                            num: f.map(|f| f.value),
                            value: f.map_or_else(
                                || "—".to_string(),
                                |f| crate::scorecard::show(*m, f.value),
                            ),
                            rank: f
                                .and_then(|f| f.rank.zip(f.ranked))
                                .map(|(r, of)| t.fmt("score.rank", &[("rank", &r), ("of", &of)])),
                            below: f.and_then(|f| f.meets_target) == Some(false),
                        }
                    })
                    .collect(),
            })
            .collect(),
        rows,
        advice: Vec::new(),
    })
}

/// The links at the head of a department's page.
#[derive(Serialize)]
struct PageLinks<'a> {
    index_href: &'a str,
    whole_href: &'a str,
    sheet_href: &'a str,
    sheet_file: &'a str,
}

/// A number in the summary.
#[derive(Serialize)]
struct Card {
    key: &'static str,
    label: String,
    count: usize,
}

/// A horizontal bar chart, laid out here because templates cannot do arithmetic.
#[derive(Serialize)]
pub(super) struct Chart {
    id: &'static str,
    caption: String,
    width: u32,
    height: u32,
    /// Where labels end (right-aligned) and bars start.
    label_x: u32,
    bar_x: u32,
    bar_height: u32,
    rows: Vec<Row>,
    legend: Vec<Legend>,
}

#[derive(Serialize)]
struct Row {
    key: String,
    label: String,
    /// The label is catalog content (a department name).
    data: bool,
    href: Option<String>,
    y: u32,
    text_y: u32,
    total: usize,
    total_x: String,
    segments: Vec<Segment>,
}

#[derive(Serialize)]
struct Segment {
    /// A severity or a change kind.
    part: &'static str,
    class: String,
    count: usize,
    x: String,
    width: String,
    label_x: String,
    show_label: bool,
}

#[derive(Serialize)]
pub(super) struct Legend {
    pub class: String,
    pub label: String,
}

#[derive(Serialize)]
struct Filters {
    departments: Vec<Opt>,
    categories: Vec<Opt>,
    severities: Vec<Opt>,
    /// The rules comments cite ("FEE-01 收费事项须列明…"), by code.
    rules: Vec<Opt>,
}

/// One option of a filter.
#[derive(Serialize)]
struct Opt {
    value: String,
    label: String,
    /// The label is catalog content.
    data: bool,
    count: usize,
}

#[derive(Serialize)]
struct Dept<'a> {
    name: String,
    /// The name is catalog content (not the placeholder for a missing department).
    data: bool,
    anchor: String,
    errors: usize,
    warnings: usize,
    infos: usize,
    /// Open findings (as the table row and the summary count them).
    finding_count: usize,
    /// Comments and closed findings shown in the section (whether the department filter lists it).
    listed_count: usize,
    /// Its comments (what the filter counts): must-fix and advice.
    comment_count: usize,
    fix_count: usize,
    advice_count: usize,
    /// The waived and resolved findings listed apart, in words.
    closed_note: Option<String>,
    change_count: usize,
    /// Must-fix comments: department-level problems first, then items in code order.
    fixes: Vec<FixView<'a>>,
    advice: Vec<AdviceView<'a>>,
    /// Findings closed in a later round (resolved, waived): not comments, still accounted for.
    closed: Vec<FindingView<'a>>,
    changes: Vec<ChangeView<'a>>,
}

/// A run of text in a heading or citation: the tool's words (`class` empty), catalog text
/// (`cat`) or rule-pack text (`pack`), so each is marked as the module doc says.
#[derive(Serialize)]
struct Seg {
    text: String,
    class: &'static str,
}

/// A must-fix comment as a card: an item with its numbered points, or a department-level
/// problem as a single point.
#[derive(Serialize)]
struct FixView<'a> {
    id: String,
    /// The department's anchor, which the department filter selects by.
    dept: String,
    item: bool,
    /// 事项“名称”（编码）, or the words for the department as a whole.
    heading: Vec<Seg>,
    severity: &'static str,
    severity_label: String,
    /// The item's change kind, when it changed.
    change: Option<String>,
    change_label: Option<String>,
    points: Vec<PointView<'a>>,
}

/// One numbered point.
#[derive(Serialize)]
struct PointView<'a> {
    number: usize,
    text: String,
    severity: &'static str,
    severity_label: String,
    /// The categories of its rules, space-separated (what the category filter matches).
    categories: String,
    rules: Vec<RuleRef>,
    /// The first rule's policy basis, one citation each.
    basis: Vec<Vec<Seg>>,
    /// The registry entry its finding relied on, in words.
    reference: Option<Vec<Seg>>,
    state: &'static str,
    /// The state in words when it is not new (仍存在, 重新出现).
    state_label: Option<String>,
    adjustment: Option<String>,
    location: Option<String>,
    /// The department's replies to the findings behind the point (an earlier round's sheet).
    responses: Vec<ReplyView<'a>>,
    /// The findings it stands for, space-separated.
    fingerprints: String,
}

/// A department's reply with its outcome in words.
#[derive(Serialize)]
struct ReplyView<'a> {
    #[serde(flatten)]
    reply: &'a Response,
    outcome_label: Option<String>,
}

/// A rule code with its appendix anchor.
#[derive(Serialize)]
struct RuleRef {
    code: String,
    anchor: String,
}

/// An advice comment as a card: the words to the department and the items they are about.
#[derive(Serialize)]
struct AdviceView<'a> {
    id: String,
    dept: String,
    text: &'a str,
    severity: &'static str,
    severity_label: String,
    categories: String,
    rules: Vec<RuleRef>,
    basis: Vec<Vec<Seg>>,
    /// "涉及 10 个事项" (none for department-level advice).
    count: usize,
    count_line: Option<String>,
    /// Long lists fold into a `<details>` element.
    folded: bool,
    items: Vec<ListedView<'a>>,
    /// A department-level finding's fingerprint.
    fingerprints: String,
}

/// An item an advice comment lists, with what was found on it.
#[derive(Serialize)]
struct ListedView<'a> {
    code: &'a str,
    name: &'a str,
    messages: Vec<&'a str>,
    state_label: Option<String>,
    fingerprints: String,
}

#[derive(Serialize)]
struct FindingView<'a> {
    finding: &'a Finding,
    /// The department's anchor, which the department filter selects by.
    dept: String,
    /// About an item (false for a department-level finding, which has no item code).
    item_level: bool,
    severity_label: String,
    category_label: String,
    change_label: String,
    state: &'static str,
    state_label: String,
    field_label: Option<&'static str>,
    rule: Option<&'a RuleDoc>,
    rule_anchor: String,
    field_count: usize,
    fields: Vec<FieldView<'a>>,
}

#[derive(Serialize)]
struct ChangeView<'a> {
    change: &'a Change,
    kind_label: String,
    fields: Vec<FieldView<'a>>,
}

#[derive(Serialize)]
struct FieldView<'a> {
    field: &'a str,
    /// The national element name (Chinese reports only).
    label: Option<&'static str>,
    /// The old value with what was deleted marked, and the new one with what was inserted marked.
    old: Vec<Part>,
    new: Vec<Part>,
    /// The field the finding is about.
    hit: bool,
}

/// A run of a displayed value; `mark` when it differs from the other side.
#[derive(Serialize)]
struct Part {
    text: String,
    mark: bool,
}

#[derive(Serialize)]
struct RuleView<'a> {
    code: &'a str,
    anchor: String,
    doc: &'a RuleDoc,
    severity_label: String,
    category_label: String,
    count: usize,
}

/// A JSON value as a reader wants to see it.
fn show(v: &Value, t: &Texts) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) => s.clone(),
        Value::Bool(true) => t.get("html.value.yes"),
        Value::Bool(false) => t.get("html.value.no"),
        Value::Number(n) => n.to_string(),
        Value::Array(a) => a
            .iter()
            .map(|v| show(v, t))
            .collect::<Vec<_>>()
            .join(&t.get("html.value.list_sep")),
        Value::Object(o) => {
            if let Some(value) = o.get("value") {
                let unit = o.get("unit").and_then(Value::as_str).unwrap_or("");
                return format!("{} {unit}", show(value, t)).trim().to_string();
            }
            // A list element's parts named in the report's language (份数：1), never by key.
            // What the element is (its name or title) first, then its other parts.
            let (head, rest): (Vec<_>, Vec<_>) = o
                .iter()
                .partition(|(k, _)| matches!(k.as_str(), "name" | "title"));
            head.into_iter()
                .chain(rest)
                .map(|(k, v)| {
                    let label = t
                        .texts
                        .get(&format!("html.part.{k}"))
                        .map_or(k.as_str(), String::as_str);
                    format!("{label}{}{}", t.get("html.value.part_sep"), show(v, t))
                })
                .collect::<Vec<_>>()
                .join(&t.get("html.value.pair_sep"))
        }
    }
}

/// The top-level field of a path (`fee` for `fee.items[x].standard`).
fn root(field: &str) -> &str {
    &field[..field.find(['.', '[']).unwrap_or(field.len())]
}

/// The national element name of a field, in Chinese reports.
fn field_label(field: &str, t: &Texts) -> Option<&'static str> {
    if t.lang.starts_with("zh") {
        labels::zh(root(field))
    } else {
        None
    }
}

fn field_view<'a>(f: &'a FieldChange, about: Option<&str>, t: &Texts) -> FieldView<'a> {
    // Text values carry their diff; other values are diffed as displayed, so a changed number
    // or unit is marked too.
    let computed;
    let ops: &[TextOp] = match &f.diff {
        Some(d) => d,
        None => {
            let (old, new) = (show(&f.old, t), show(&f.new, t));
            // Over the diff's budget the values are marked whole.
            computed = char_diff(&old, &new).unwrap_or_else(|| text::whole(&old, &new));
            &computed
        }
    };
    let side = |skip: &str| {
        ops.iter()
            .filter(|o| o.op != skip)
            .map(|o| Part {
                text: o.text.clone(),
                mark: o.op != "equal",
            })
            .collect::<Vec<_>>()
    };
    // An absent value shows as an unmarked dash.
    let absent = || {
        vec![Part {
            text: "—".into(),
            mark: false,
        }]
    };
    let mut old = if f.old.is_null() {
        absent()
    } else {
        side("insert")
    };
    let mut new = if f.new.is_null() {
        absent()
    } else {
        side("delete")
    };
    for parts in [&mut old, &mut new] {
        if parts.is_empty() {
            *parts = absent();
        }
    }
    FieldView {
        field: &f.field,
        label: field_label(&f.field, t),
        old,
        new,
        hit: about.is_some_and(|a| root(a) == root(&f.field)),
    }
}

fn category_key(c: Category) -> String {
    serde_json::to_value(c)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

const SEVERITIES: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Info];

// Chart geometry, in SVG user units (CSS pixels at full size). The department chart is wider: its
// labels are long; the others fit half a printed A4 page at nearly full size.
pub(super) const WIDE_CHART: u32 = 500;
pub(super) const NARROW_CHART: u32 = 360;
const ROW_HEIGHT: u32 = 24;
const BAR_HEIGHT: u32 = 16;
const FONT: f64 = 12.0;
const PAD: f64 = 6.0;
/// Room right of the longest bar for its total.
const TOTAL_ROOM: f64 = 44.0;
const MAX_LABEL: f64 = 260.0;

/// The approximate width of a label: CJK and full-width characters are one em, others about half.
fn text_width(s: &str) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 0.6 } else { 1.0 })
        .sum::<f64>()
        * FONT
}

/// A label shortened with an ellipsis to fit `max` (the full text is in the tables).
fn fit(s: &str, max: f64) -> String {
    if text_width(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        let mut next = out.clone();
        next.push(c);
        if text_width(&next) + FONT > max {
            break;
        }
        out = next;
    }
    out.push('…');
    out
}

fn px(v: f64) -> String {
    format!("{v:.1}")
}

/// One bar of a chart before layout: key, label, whether the label is data, link, segments.
pub(super) struct Bar {
    pub key: String,
    pub label: String,
    pub data: bool,
    pub href: Option<String>,
    pub parts: Vec<(&'static str, String, usize)>,
}

pub(super) fn chart(
    id: &'static str,
    width: u32,
    caption: String,
    bars: Vec<Bar>,
    legend: Vec<Legend>,
) -> Chart {
    let widest = bars
        .iter()
        .map(|b| text_width(&b.label))
        .fold(0.0, f64::max);
    let label_w = (widest + 2.0 * PAD)
        .clamp(64.0, MAX_LABEL + 2.0 * PAD)
        .ceil();
    let bar_x = label_w;
    let max_total = bars
        .iter()
        .map(|b| b.parts.iter().map(|p| p.2).sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let scale = (f64::from(width) - bar_x - TOTAL_ROOM) / max_total as f64;
    let mut y = 4;
    let rows = bars
        .into_iter()
        .map(|b| {
            let mut x = bar_x;
            let mut segments = Vec::new();
            let mut total = 0;
            for (part, class, count) in b.parts {
                total += count;
                if count == 0 {
                    continue;
                }
                let w = count as f64 * scale;
                let digits = count.to_string().len() as f64;
                segments.push(Segment {
                    part,
                    class,
                    count,
                    x: px(x),
                    width: px(w),
                    label_x: px(x + w / 2.0),
                    show_label: w >= digits * 7.0 + 6.0,
                });
                x += w;
            }
            let row = Row {
                key: b.key,
                label: fit(&b.label, label_w - 2.0 * PAD),
                data: b.data,
                href: b.href,
                y,
                text_y: y + BAR_HEIGHT / 2 + 4,
                total,
                total_x: px(x + PAD),
                segments,
            };
            y += ROW_HEIGHT;
            row
        })
        .collect::<Vec<_>>();
    Chart {
        id,
        caption,
        width,
        height: y + 4 - (ROW_HEIGHT - BAR_HEIGHT),
        label_x: (label_w - PAD) as u32,
        bar_x: bar_x as u32,
        bar_height: BAR_HEIGHT,
        rows,
        legend,
    }
}

pub(super) fn severity_legend(t: &Texts) -> Vec<Legend> {
    SEVERITIES
        .iter()
        .map(|s| Legend {
            class: format!("s-{}", s.as_str()),
            label: t.get(&format!("severity.{}", s.as_str())),
        })
        .collect()
}

/// Open findings by severity (resolved and waived ones are listed, not counted: as in the summary).
pub(super) fn severity_parts(counts: &SeverityCounts) -> Vec<(&'static str, String, usize)> {
    SEVERITIES
        .iter()
        .map(|s| (s.as_str(), format!("s-{}", s.as_str()), counts.get(*s)))
        .collect()
}

/// "已整改 2 · 已豁免 1": the closed findings a section lists besides its open ones.
pub(super) fn closed_note(resolved: usize, waived: usize, t: &Texts) -> Option<String> {
    let parts: Vec<String> = [("resolved", resolved), ("waived", waived)]
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{} {n}", t.get(&format!("state.{k}"))))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// An advice list longer than this folds into a `<details>` element, so the page stays readable.
const FOLD_AFTER: usize = 20;

/// A catalogue text with `{name}` placeholders cut into runs: the tool's words, and each value
/// marked with its class. A value that is empty takes one space next to it along, so
/// `《{title}》{doc_no} {article}` without a document number reads `《title》article`.
fn segments(template: &str, args: &[(&str, &str, &'static str)]) -> Vec<Seg> {
    let mut template = template.to_string();
    for (name, value, _) in args {
        if value.is_empty() {
            let p = format!("{{{name}}}");
            if let Some(cut) = [format!(" {p}"), format!("{p} "), p.clone()]
                .into_iter()
                .find(|c| template.contains(c.as_str()))
            {
                template = template.replacen(&cut, "", 1);
            }
        }
    }
    let mut out = Vec::new();
    let mut words = String::new();
    let mut rest = template.as_str();
    while let Some(open) = rest.find('{') {
        words.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let arg = after.find('}').and_then(|close| {
            args.iter()
                .find(|(n, _, _)| *n == &after[..close])
                .map(|a| (close, a))
        });
        match arg {
            Some((close, (_, value, class))) => {
                if !words.is_empty() {
                    out.push(Seg {
                        text: std::mem::take(&mut words),
                        class: "",
                    });
                }
                if !value.is_empty() {
                    out.push(Seg {
                        text: (*value).to_string(),
                        class,
                    });
                }
                rest = &after[close + 1..];
            }
            None => {
                words.push('{');
                rest = after;
            }
        }
    }
    words.push_str(rest);
    if !words.is_empty() {
        out.push(Seg {
            text: words,
            class: "",
        });
    }
    out
}

/// What the comment cards are built from: the report, its texts, its findings by fingerprint.
struct Cards<'a> {
    report: &'a Report,
    t: &'a Texts,
    by_fingerprint: BTreeMap<&'a str, &'a Finding>,
}

impl<'a> Cards<'a> {
    fn new(report: &'a Report, t: &'a Texts) -> Cards<'a> {
        Cards {
            report,
            t,
            by_fingerprint: report
                .findings
                .iter()
                .map(|f| (f.fingerprint.as_str(), f))
                .collect(),
        }
    }

    /// The findings behind some fingerprints (those the report holds).
    fn findings<'f>(&self, fingerprints: impl IntoIterator<Item = &'f str>) -> Vec<&'a Finding> {
        fingerprints
            .into_iter()
            .filter_map(|fp| self.by_fingerprint.get(fp).copied())
            .collect()
    }

    /// The categories of some findings, space-separated in [`Category::ALL`] order.
    fn categories(findings: &[&Finding]) -> String {
        Category::ALL
            .iter()
            .filter(|c| findings.iter().any(|f| f.category == **c))
            .map(|c| category_key(*c))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn rule_refs(rules: &[crate::model::Text]) -> Vec<RuleRef> {
        rules
            .iter()
            .map(|r| RuleRef {
                code: r.to_string(),
                anchor: format!("rule-{r}"),
            })
            .collect()
    }

    /// The policy basis of the first rule (the one whose words are used), one citation per
    /// document: `《title》doc_no articles`.
    fn basis(&self, rules: &[crate::model::Text]) -> Vec<Vec<Seg>> {
        let template = self.t.get("html.point.basis_doc");
        rules
            .first()
            .and_then(|r| self.report.rules.get(&**r))
            .map(|doc| {
                super::citations(doc, self.t)
                    .iter()
                    .map(|c| {
                        segments(
                            &template,
                            &[
                                ("title", c.title, "pack"),
                                ("doc_no", c.doc_no.unwrap_or(""), "pack"),
                                ("article", &c.articles, "pack"),
                            ],
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn severity_label(&self, s: Severity) -> String {
        self.t.get(&format!("severity.{}", s.as_str()))
    }

    /// A state's words when they tell the reader something (not for a new finding).
    fn state_label(&self, s: FindingState) -> Option<String> {
        super::state_label(s, self.t)
    }

    fn point(&self, number: usize, p: &Point) -> PointView<'a> {
        let behind = self.findings(p.fingerprints.iter().map(String::as_str));
        PointView {
            number,
            text: p.text.clone(),
            severity: p.severity.as_str(),
            severity_label: self.severity_label(p.severity),
            categories: Self::categories(&behind),
            rules: Self::rule_refs(&p.rules),
            basis: self.basis(&p.rules),
            reference: p.reference.as_ref().map(|r| {
                let args = super::reference_args(r, self.t);
                let args: Vec<(&str, &str, &'static str)> =
                    args.iter().map(|(k, v)| (*k, v.as_str(), "pack")).collect();
                segments(&self.t.get("comment.reference_doc"), &args)
            }),
            state: p.state.as_str(),
            state_label: self.state_label(p.state),
            adjustment: p.adjustment.clone(),
            location: p
                .location
                .as_ref()
                .map(ToString::to_string)
                .filter(|l| !l.is_empty()),
            responses: {
                let mut rs: Vec<ReplyView<'a>> = Vec::new();
                for r in behind.iter().filter_map(|f| f.response.as_ref()) {
                    // An item comment's findings share the department's one reply: shown once.
                    if rs.iter().any(|x| x.reply == r) {
                        continue;
                    }
                    rs.push(ReplyView {
                        reply: r,
                        outcome_label: r
                            .outcome
                            .map(|o| self.t.get(&format!("outcome.{}", o.as_str()))),
                    });
                }
                rs
            },
            fingerprints: p.fingerprints.join(" "),
        }
    }

    fn item(&self, id: String, dept: &str, c: &ItemComment) -> FixView<'a> {
        let changed = &*c.change != "unchanged";
        FixView {
            id,
            dept: dept.to_string(),
            item: true,
            heading: segments(
                &self.t.get("html.comment.item"),
                &[("name", &c.name, "cat"), ("code", &c.code, "cat")],
            ),
            severity: c.severity.as_str(),
            severity_label: self.severity_label(c.severity),
            change: changed.then(|| c.change.to_string()),
            change_label: changed.then(|| self.t.get(&format!("kind.{}", c.change))),
            points: c
                .points
                .iter()
                .enumerate()
                .map(|(i, p)| self.point(i + 1, p))
                .collect(),
        }
    }

    /// A department-level problem: a card about the department with its one point.
    fn department_level(&self, id: String, dept: &str, c: &DepartmentComment) -> FixView<'a> {
        let behind = self.findings(c.fingerprints.iter().map(String::as_str));
        let first = behind.first();
        let point = Point {
            rules: c.rules.clone(),
            severity: c.severity,
            field: first.map(|f| f.field.clone()).unwrap_or_default(),
            text: c.text.clone(),
            state: first.map_or(FindingState::New, |f| f.state),
            fingerprints: c.fingerprints.clone(),
            adjustment: first.and_then(|f| f.adjustment.clone()),
            location: first.and_then(|f| f.location.clone()),
            reference: first.and_then(|f| f.reference.clone()),
        };
        FixView {
            id,
            dept: dept.to_string(),
            item: false,
            heading: segments(&self.t.get("html.comment.department"), &[]),
            severity: c.severity.as_str(),
            severity_label: self.severity_label(c.severity),
            change: None,
            change_label: None,
            points: vec![self.point(1, &point)],
        }
    }

    fn advice(&self, id: String, dept: &str, c: &'a DepartmentComment) -> AdviceView<'a> {
        let all = self.findings(
            c.items
                .iter()
                .flat_map(|l| l.fingerprints.iter())
                .chain(&c.fingerprints)
                .map(String::as_str),
        );
        let items: Vec<ListedView<'a>> = c
            .items
            .iter()
            .map(|l| {
                let behind = self.findings(l.fingerprints.iter().map(String::as_str));
                ListedView {
                    code: &l.code,
                    name: &l.name,
                    messages: behind.iter().map(|f| f.message.as_str()).collect(),
                    // Open findings only are listed; one that came back or stayed says so.
                    state_label: behind
                        .iter()
                        .map(|f| f.state)
                        .find(|s| *s != FindingState::New)
                        .and_then(|s| self.state_label(s)),
                    fingerprints: l.fingerprints.join(" "),
                }
            })
            .collect();
        AdviceView {
            id,
            dept: dept.to_string(),
            text: &c.text,
            severity: c.severity.as_str(),
            severity_label: self.severity_label(c.severity),
            categories: Self::categories(&all),
            rules: Self::rule_refs(&c.rules),
            basis: self.basis(&c.rules),
            count: c.count,
            count_line: (!c.items.is_empty())
                .then(|| self.t.fmt("html.advice.count", &[("n", &c.count)])),
            folded: items.len() > FOLD_AFTER,
            items,
            fingerprints: c.fingerprints.join(" "),
        }
    }
}

fn view<'a>(report: &'a Report, t: &'a Texts) -> View<'a> {
    let changes_by_code: BTreeMap<&str, &Change> =
        report.changes.iter().map(|c| (&*c.code, c)).collect();
    // Departments in the report's order (findings are sorted by department already; a BTreeMap
    // keeps that order for changes too).
    type Group<'a> = (Vec<&'a Finding>, Vec<&'a Change>);
    let mut groups: BTreeMap<&str, Group<'a>> = BTreeMap::new();
    for f in &report.findings {
        groups.entry(&f.department).or_default().0.push(f);
    }
    for c in &report.changes {
        groups.entry(&c.department).or_default().1.push(c);
    }
    let anchors: BTreeMap<&str, String> = groups
        .keys()
        .enumerate()
        .map(|(i, d)| (*d, format!("dept-{}", i + 1)))
        .collect();
    let dept_name = |d: &str| {
        if d.is_empty() {
            (t.get("terminal.no_department"), false)
        } else {
            (d.to_string(), true)
        }
    };

    let cards = Cards::new(report, t);
    let mut comments: BTreeMap<&str, Vec<&'a Comment>> = BTreeMap::new();
    for c in &report.comments {
        comments.entry(c.department()).or_default().push(c);
    }
    let departments: Vec<Dept<'a>> = groups
        .iter()
        .map(|(name, (findings, changes))| {
            let anchor = anchors[name].clone();
            let counts = report.stats.department(name);
            let f = counts.findings;
            let (display, data) = dept_name(name);
            let mut fixes = Vec::new();
            let mut advice = Vec::new();
            for (i, c) in comments.get(name).into_iter().flatten().enumerate() {
                let id = format!("{anchor}-c{}", i + 1);
                match c {
                    Comment::Item(c) => fixes.push(cards.item(id, &anchor, c)),
                    Comment::Department(c) if !c.advice => {
                        fixes.push(cards.department_level(id, &anchor, c));
                    }
                    Comment::Department(c) => advice.push(cards.advice(id, &anchor, c)),
                }
            }
            let closed: Vec<FindingView<'a>> = findings
                .iter()
                .filter(|f| !is_open(f.state))
                .map(|f| {
                    let fields: Vec<FieldView<'_>> = changes_by_code
                        .get(&*f.code)
                        .map(|c| {
                            c.fields
                                .iter()
                                .map(|fc| field_view(fc, Some(&f.field), t))
                                .collect()
                        })
                        .unwrap_or_default();
                    let state = f.state.as_str();
                    FindingView {
                        finding: f,
                        dept: anchor.clone(),
                        item_level: !f.code.is_empty(),
                        severity_label: t.get(&format!("severity.{}", f.severity.as_str())),
                        category_label: t.get(&format!("category.{}", category_key(f.category))),
                        change_label: t.get(&format!("kind.{}", f.change)),
                        state_label: t.get(&format!("state.{state}")),
                        state,
                        field_label: field_label(&f.field, t),
                        rule: report.rules.get(&*f.rule),
                        rule_anchor: format!("rule-{}", f.rule),
                        field_count: fields.len(),
                        fields,
                    }
                })
                .collect();
            let comment_count = fixes.len() + advice.len();
            Dept {
                name: display,
                data,
                errors: f.open.error,
                warnings: f.open.warning,
                infos: f.open.info,
                finding_count: f.open_total(),
                listed_count: comment_count + closed.len(),
                comment_count,
                fix_count: fixes.len(),
                advice_count: advice.len(),
                closed_note: closed_note(f.resolved, f.waived, t),
                change_count: counts.changes.total(),
                fixes,
                advice,
                closed,
                changes: changes
                    .iter()
                    .map(|c| ChangeView {
                        change: c,
                        kind_label: t.get(&format!("kind.{}", c.kind.as_str())),
                        fields: c.fields.iter().map(|fc| field_view(fc, None, t)).collect(),
                    })
                    .collect(),
                anchor,
            }
        })
        .collect();

    let mut charts = Vec::new();
    if report.checked {
        // Departments with open findings, most first (ties by name, so the order is stable).
        let mut bars: Vec<Bar> = groups
            .iter()
            .filter(|(name, _)| report.stats.department(name).findings.open_total() > 0)
            .map(|(name, _)| {
                let (label, data) = dept_name(name);
                Bar {
                    key: anchors[name].clone(),
                    label,
                    data,
                    href: Some(format!("#{}", anchors[name])),
                    parts: severity_parts(&report.stats.department(name).findings.open),
                }
            })
            .collect();
        bars.sort_by_key(|b| std::cmp::Reverse(b.parts.iter().map(|p| p.2).sum::<usize>()));
        // One department (its own page) needs no comparison between departments.
        if groups.len() > 1 && !bars.is_empty() {
            charts.push(chart(
                "departments",
                WIDE_CHART,
                t.get("html.chart.departments"),
                bars,
                severity_legend(t),
            ));
        }
        let bars = Category::ALL
            .iter()
            .zip(&report.stats.findings.by_category)
            .map(|(c, counts)| {
                let key = category_key(*c);
                Bar {
                    label: t.get(&format!("category.{key}")),
                    key,
                    data: false,
                    href: None,
                    parts: severity_parts(counts),
                }
            })
            .collect();
        charts.push(chart(
            "categories",
            NARROW_CHART,
            t.get("html.chart.categories"),
            bars,
            severity_legend(t),
        ));
    }
    // A chart of changes by kind, where there are changes (four zero bars say what the cards say).
    let s = &report.summary;
    let any_change = s.added + s.changed + s.cancelled + s.recoded + s.merged + s.split > 0;
    if report.old.is_some() && any_change {
        let mut kinds = vec![
            ("added", s.added),
            ("changed", s.changed),
            ("cancelled", s.cancelled),
            ("recoded", s.recoded),
        ];
        if s.merged > 0 {
            kinds.push(("merged", s.merged));
        }
        if s.split > 0 {
            kinds.push(("split", s.split));
        }
        let bars = kinds
            .into_iter()
            .map(|(k, n)| Bar {
                key: k.to_string(),
                label: t.get(&format!("kind.{k}")),
                data: false,
                href: None,
                parts: vec![(k, format!("k-{k}"), n)],
            })
            .collect();
        charts.push(chart(
            "kinds",
            NARROW_CHART,
            t.get("html.chart.kinds"),
            bars,
            Vec::new(),
        ));
    }

    let mut change_cards = Vec::new();
    if report.old.is_some() {
        for (key, count) in [
            ("added", s.added),
            ("changed", s.changed),
            ("cancelled", s.cancelled),
            ("recoded", s.recoded),
            ("merged", s.merged),
            ("split", s.split),
        ] {
            if count > 0 || !matches!(key, "merged" | "split") {
                change_cards.push(Card {
                    key,
                    label: t.get(&format!("summary.{key}")),
                    count,
                });
            }
        }
        change_cards.push(Card {
            key: "unchanged",
            label: t.get("summary.unchanged"),
            count: s.unchanged,
        });
    } else {
        change_cards.push(Card {
            key: "items",
            label: t.get("html.card.items"),
            count: report.new.items,
        });
    }
    let mut finding_cards = if report.checked {
        vec![
            Card {
                key: "error",
                label: t.get("summary.errors"),
                count: s.findings.error,
            },
            Card {
                key: "warning",
                label: t.get("summary.warnings"),
                count: s.findings.warning,
            },
            Card {
                key: "info",
                label: t.get("summary.info"),
                count: s.findings.info,
            },
        ]
    } else {
        Vec::new()
    };
    for (key, count) in [("waived", s.waived), ("resolved", s.resolved)] {
        if count > 0 {
            finding_cards.push(Card {
                key,
                label: t.get(&format!("state.{key}")),
                count,
            });
        }
    }

    // What each comment card matches: the severities and categories of its points (an item card
    // shows when any point matches), so an option's count is the cards it shows.
    let mut severity_cards: BTreeMap<&str, usize> = BTreeMap::new();
    let mut category_cards: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rule_cards: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &departments {
        // A card matches a rule when one of its points (or the advice) cites it.
        let cited = d
            .fixes
            .iter()
            .map(|c| {
                c.points
                    .iter()
                    .flat_map(|p| p.rules.iter().map(|r| r.code.as_str()))
                    .collect::<Vec<_>>()
            })
            .chain(
                d.advice
                    .iter()
                    .map(|c| c.rules.iter().map(|r| r.code.as_str()).collect()),
            );
        for mut rules in cited {
            rules.sort_unstable();
            rules.dedup();
            for r in rules {
                *rule_cards.entry(r).or_default() += 1;
            }
        }
        let facets = d
            .fixes
            .iter()
            .map(|c| {
                let sev: Vec<&str> = c.points.iter().map(|p| p.severity).collect();
                let cat: Vec<&str> = c
                    .points
                    .iter()
                    .flat_map(|p| p.categories.split(' '))
                    .collect();
                (sev, cat)
            })
            .chain(
                d.advice
                    .iter()
                    .map(|c| (vec![c.severity], c.categories.split(' ').collect())),
            );
        for (mut sev, mut cat) in facets {
            sev.sort_unstable();
            sev.dedup();
            cat.sort_unstable();
            cat.dedup();
            for s in sev {
                *severity_cards.entry(s).or_default() += 1;
            }
            for c in cat.into_iter().filter(|c| !c.is_empty()) {
                *category_cards.entry(c).or_default() += 1;
            }
        }
    }
    let filters = Filters {
        rules: rule_cards
            .iter()
            .map(|(code, n)| Opt {
                value: (*code).to_string(),
                label: match report.rules.get(*code) {
                    Some(doc) if !doc.title.is_empty() => format!("{code} {}", doc.title),
                    _ => (*code).to_string(),
                },
                data: false,
                count: *n,
            })
            .collect(),
        departments: departments
            .iter()
            .filter(|d| d.listed_count > 0)
            .map(|d| Opt {
                value: d.anchor.clone(),
                label: d.name.clone(),
                data: d.data,
                count: d.comment_count,
            })
            .collect(),
        categories: Category::ALL
            .iter()
            .map(|c| category_key(*c))
            .filter_map(|k| {
                category_cards.get(k.as_str()).map(|n| Opt {
                    label: t.get(&format!("category.{k}")),
                    count: *n,
                    value: k,
                    data: false,
                })
            })
            .collect(),
        severities: SEVERITIES
            .iter()
            .filter_map(|s| {
                severity_cards.get(s.as_str()).map(|n| Opt {
                    value: s.as_str().to_string(),
                    label: t.get(&format!("severity.{}", s.as_str())),
                    data: false,
                    count: *n,
                })
            })
            .collect(),
    };
    let must_fix = report.stats.comments.must_fix();
    let comment_cards = if report.checked {
        vec![
            Card {
                key: "fix",
                label: t.get("html.card.fix"),
                count: must_fix,
            },
            Card {
                key: "advice",
                label: t.get("html.card.advice"),
                count: report.stats.comments.advice,
            },
        ]
    } else {
        Vec::new()
    };

    let rules = report
        .rules
        .iter()
        .map(|(code, doc)| RuleView {
            code,
            anchor: format!("rule-{code}"),
            doc,
            severity_label: t.get(&format!("severity.{}", doc.severity.as_str())),
            category_label: t.get(&format!("category.{}", category_key(doc.category))),
            count: report.stats.rules.get(code).map_or(0, |r| r.listed),
        })
        .collect();

    View {
        title: report
            .new
            .name
            .clone()
            .unwrap_or_else(|| report.new.file.clone()),
        action: super::Action::of(report, t),
        score: score_view(report, t),
        page: report.page.as_ref().map(|p| PageLinks {
            index_href: &p.index_href,
            whole_href: &p.whole_href,
            sheet_href: &p.sheet_href,
            sheet_file: &p.sheet_file,
        }),
        summary_line: terminal::summary_line(report, t),
        progress_line: report.progress.map(|g| super::progress_line(&g, t)),
        t: &t.texts,
        lang: &t.lang,
        report: Head::of(report),
        checked: report.checked,
        change_cards,
        finding_cards,
        charts,
        comment_cards,
        filters,
        comment_total: report.comments.len(),
        closed_total: report.stats.findings.resolved + report.stats.findings.waived,
        many_departments: departments.len() > 1,
        departments,
        rules,
    }
}

/// Writes the HTML report.
pub fn render(report: &Report, style: &super::Style, out: &mut dyn Write) -> Result<()> {
    let (origin, _) = style.templates.get("report.html.hbs");
    let hb = style.templates.compiled("report.html", || {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        let (origin, template) = style.templates.get("report.html.hbs");
        let (css_origin, css) = style.templates.get("style.css");
        hb.register_template_string("report.html", template)
            .map_err(|e| template_error(origin, &e.to_string()))?;
        hb.register_partial("style", css)
            .map_err(|e| template_error(css_origin, &e.to_string()))?;
        let (chart_origin, chart) = style.templates.get("chart.hbs");
        hb.register_partial("chart", chart)
            .map_err(|e| template_error(chart_origin, &e.to_string()))?;
        Ok(hb)
    })?;
    // Rendered into one buffer and written out around the hash marker: no copy of the page.
    let mut page = Vec::new();
    hb.render_to_write("report.html", &view(report, &style.texts), &mut page)
        .map_err(|e| template_error(origin, &e.to_string()))?;
    let page = String::from_utf8(page).map_err(|e| template_error(origin, &e.to_string()))?;
    write_with_script_hashes(&page, out).map_err(io)
}

/// Writes `html` with [`SCRIPT_HASHES`] replaced as [`with_script_hashes`] does.
pub fn write_with_script_hashes(html: &str, out: &mut dyn Write) -> std::io::Result<()> {
    let mut parts = html.split(SCRIPT_HASHES);
    out.write_all(parts.next().unwrap_or("").as_bytes())?;
    let mut sources = None;
    for part in parts {
        let s = sources.get_or_insert_with(|| script_sources(html));
        out.write_all(s.as_bytes())?;
        out.write_all(part.as_bytes())?;
    }
    Ok(())
}

/// The page with [`SCRIPT_HASHES`] replaced by the CSP sources of its inline scripts
/// (`'sha256-…'` each, or `'none'` when it has none).
pub fn with_script_hashes(html: &str) -> String {
    if !html.contains(SCRIPT_HASHES) {
        return html.to_string();
    }
    html.replace(SCRIPT_HASHES, &script_sources(html))
}

/// The CSP sources of the page's inline scripts: `'sha256-…'` each, or `'none'`.
fn script_sources(html: &str) -> String {
    let mut sources = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script>") {
        let body = &rest[start + "<script>".len()..];
        let Some(end) = body.find("</script>") else {
            break;
        };
        let digest = Sha256::digest(&body.as_bytes()[..end]);
        sources.push(format!("'sha256-{}'", base64(&digest)));
        rest = &body[end..];
    }
    if sources.is_empty() {
        "'none'".to_string()
    } else {
        sources.join(" ")
    }
}

/// Standard base64 with padding (what CSP hash sources use).
fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                s.push(A[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

/// A template error, naming the template file (the message carries the line and column).
pub(super) fn template_error(origin: &str, message: &str) -> Error {
    Error::Template {
        name: origin.to_string(),
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    #[test]
    fn script_hashes_cover_every_inline_script() {
        let page = "<meta content=\"script-src <script-hashes>\"><script>a()</script><p>x</p><script>b()</script>";
        let out = with_script_hashes(page);
        let a = base64(&Sha256::digest(b"a()"));
        let b = base64(&Sha256::digest(b"b()"));
        assert!(out.contains(&format!("script-src 'sha256-{a}' 'sha256-{b}'\"")));
        assert_eq!(
            with_script_hashes("<meta content=\"script-src <script-hashes>\">"),
            "<meta content=\"script-src 'none'\">"
        );
    }

    #[test]
    fn labels_are_fitted() {
        assert_eq!(fit("青禾市民政局", 200.0), "青禾市民政局");
        let short = fit(
            "青禾市人力资源和社会保障局青禾市人力资源和社会保障局",
            120.0,
        );
        assert!(
            short.ends_with('…') && text_width(&short) <= 120.0,
            "{short}"
        );
    }
}
