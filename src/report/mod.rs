//! Stage 4: the report model and its renderers.
//!
//! [`Report`] is the one model every format renders: it *is* `audit-report/1` when serialised. The
//! renderers (terminal, JSON, HTML, Markdown, XLSX, CSV) only lay it out; everything they show has
//! been decided before. [`split`] cuts a report into one per department. Files are written to
//! temporary files beside their targets and renamed into place together ([`write`]), so a report is
//! never left half-written.

pub mod catalogue;
pub mod history;
pub mod html;
pub mod json;
pub mod markdown;
pub mod sheet;
pub mod split;
pub mod terminal;
pub mod write;

pub use crate::messages::Texts;

use crate::diff::{Change, Counts};
use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::model::Catalog;
use crate::rules::{Lang, Pack, Severity};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// The tool's name and version, recorded in every report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

/// One snapshot's header in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnapshotInfo {
    pub as_of: Option<NaiveDate>,
    pub items: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_code: Option<String>,
    /// The file name (without directories, so reports do not depend on where a job runs).
    pub file: String,
}

impl SnapshotInfo {
    fn of(c: &Catalog) -> Self {
        SnapshotInfo {
            as_of: c.info.as_of,
            items: c.items.len(),
            name: c.info.name.clone(),
            region_code: c.info.region_code.clone(),
            file: Path::new(&c.source)
                .file_name()
                .map_or_else(|| c.source.clone(), |f| f.to_string_lossy().into_owned()),
        }
    }
}

pub use crate::stats::{SeverityCounts, Stats};

/// The summary block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub added: usize,
    pub changed: usize,
    pub cancelled: usize,
    pub recoded: usize,
    pub unchanged: usize,
    #[serde(skip_serializing_if = "is_zero")]
    pub merged: usize,
    #[serde(skip_serializing_if = "is_zero")]
    pub split: usize,
    /// Open findings by severity (waived and resolved ones are counted apart).
    pub findings: SeverityCounts,
    #[serde(skip_serializing_if = "is_zero")]
    pub waived: usize,
    #[serde(skip_serializing_if = "is_zero")]
    pub resolved: usize,
}

/// One input of a run, identified by content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputFile {
    /// old, new, adjustments, baseline, waivers, responses, config.
    pub role: String,
    pub file: String,
    pub sha256: String,
}

/// The run manifest recorded in every report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Manifest {
    pub tool: Tool,
    /// `built-in` or the rule directory, with the number of rules and a SHA-256 over the pack.
    pub rule_pack: String,
    pub rules: usize,
    pub rule_pack_sha256: String,
    pub inputs: Vec<InputFile>,
    /// The options that change results, as given.
    pub options: BTreeMap<String, String>,
}

/// SHA-256 of a file's bytes, as lowercase hex.
pub fn sha256_file(path: &Path) -> Result<String> {
    use sha2::{Digest, Sha256};
    let err = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    // Streamed: a snapshot of a million items is gigabytes, and only its digest is needed.
    let mut file = std::fs::File::open(path).map_err(err)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = std::io::Read::read(&mut file, &mut buf).map_err(err)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

pub use crate::finding::RuleDoc;

/// A point's basis, rules, request and location as one line ("依据：《…》第六条 · 规则 DA-03"), as
/// the terminal and Markdown show it under the point.
pub fn point_about(r: &Report, t: &Texts, p: &crate::comments::Point) -> String {
    let mut parts = Vec::new();
    if let Some(doc) = p.rules.first().and_then(|c| r.rules.get(&**c)) {
        let basis = cite(doc, t);
        if !basis.is_empty() {
            parts.push(t.fmt("terminal.basis", &[("basis", &basis)]));
        }
    }
    let rules: Vec<&str> = p.rules.iter().map(|c| &**c).collect();
    parts.push(t.fmt(
        "terminal.rules",
        &[("rules", &rules.join(&t.get("comment.list_sep")))],
    ));
    if let Some(a) = &p.adjustment {
        parts.push(t.fmt("terminal.request", &[("id", a)]));
    }
    if let Some(l) = &p.location {
        parts.push(l.to_string());
    }
    if let Some(reference) = &p.reference {
        // Where the terminal and Markdown are read: the entry and how sure it is; its source is
        // in the JSON, on the page and in the sheet.
        let short = reference_in(reference, t, "comment.reference_short");
        parts.push(t.fmt("comment.reference", &[("doc", &short)]));
    }
    parts.join(" · ")
}

/// The words that fill `comment.reference_doc` for a registry entry: which registry, the entry
/// (with its number), its source and how sure that is.
pub fn reference_args(r: &crate::finding::Reference, t: &Texts) -> [(&'static str, String); 5] {
    [
        ("registry", t.get(&format!("registry.{}", r.registry))),
        ("entry", r.entry.clone()),
        (
            "doc_no",
            r.doc_no
                .as_ref()
                .map(|n| t.fmt("comment.reference_no", &[("doc_no", n)]))
                .unwrap_or_default(),
        ),
        ("source", r.source.clone()),
        (
            "confidence",
            r.confidence
                .as_ref()
                .map(|c| t.get(&format!("confidence.{c}")))
                .unwrap_or_default(),
        ),
    ]
}

/// A registry entry a finding relied on, in words (`法律法规库“婚姻法”，来源：…（已核实）`).
pub fn reference_doc(r: &crate::finding::Reference, t: &Texts) -> String {
    reference_in(r, t, "comment.reference_doc")
}

/// A registry entry in the words of a catalogue text that takes [`reference_args`].
fn reference_in(r: &crate::finding::Reference, t: &Texts, key: &str) -> String {
    let args = reference_args(r, t);
    let args: Vec<(&str, &dyn std::fmt::Display)> = args
        .iter()
        .map(|(k, v)| (*k, v as &dyn std::fmt::Display))
        .collect();
    t.fmt(key, &args)
}

/// The round's progress in words: how many of last round's findings are still open and how many
/// were fixed, then the new, reopened and waived ones where there are any ("重新出现 0 条" tells
/// nobody anything).
pub fn progress_line(g: &crate::rounds::Progress, t: &Texts) -> String {
    let mut rest = String::new();
    for (key, n) in [
        ("summary.line.progress.new", g.new),
        ("summary.line.progress.reopened", g.reopened),
        ("summary.line.progress.waived", g.waived),
    ] {
        if n > 0 {
            rest.push_str(&t.fmt(key, &[("n", &n)]));
        }
    }
    t.fmt(
        "summary.line.progress",
        &[
            ("open", &g.still_open as &dyn std::fmt::Display),
            ("baseline", &g.baseline_open),
            ("resolved", &g.resolved),
            ("rest", &rest),
        ],
    )
}

/// Last round's replies by the fingerprint of the finding they answer (few: only findings a
/// department answered, read back with `--responses`).
pub fn replies(r: &Report) -> std::collections::HashMap<&str, &crate::finding::Response> {
    r.findings
        .iter()
        .filter_map(|f| f.response.as_ref().map(|x| (f.fingerprint.as_str(), x)))
        .collect()
}

/// The distinct replies to the findings named, in their order (an item comment's findings share
/// the department's one reply).
pub fn replies_to<'r>(
    fingerprints: impl IntoIterator<Item = &'r str>,
    replies: &std::collections::HashMap<&str, &'r crate::finding::Response>,
) -> Vec<&'r crate::finding::Response> {
    let mut out: Vec<&crate::finding::Response> = Vec::new();
    for fp in fingerprints {
        if let Some(r) = replies.get(fp).filter(|r| !out.contains(r)) {
            out.push(r);
        }
    }
    out
}

/// A reply as the line under its point says it (`部门反馈：已整改（2018-02-05）`), in the terminal and
/// Markdown.
pub fn reply_line(r: &crate::finding::Response, t: &Texts) -> String {
    t.fmt("terminal.reply", &[("reply", &reply_words(r, t))])
}

/// A finding's state in words where it tells the reader something (仍存在, 重新出现); none for
/// a new one.
pub fn state_label(s: crate::finding::FindingState, t: &Texts) -> Option<String> {
    (s != crate::finding::FindingState::New).then(|| t.get(&format!("state.{}", s.as_str())))
}

/// A reply with its date, as the sheet and the terminal quote it (`已整改：补充了依据（2018-02-05）`).
pub fn reply_words(r: &crate::finding::Response, t: &Texts) -> String {
    let mut s = r.words(t);
    if let Some(d) = &r.date {
        s.push_str(&t.fmt("sheet.previous.date", &[("date", d)]));
    }
    s
}

/// The first `max` items an advice comment lists ("编码 名称"), then how many more (`more_key`, a
/// catalogue text with `{n}`).
pub fn listed_items(
    d: &crate::comments::DepartmentComment,
    max: usize,
    more_key: &str,
    t: &Texts,
) -> Vec<String> {
    let mut items: Vec<String> = d
        .items
        .iter()
        .take(max)
        .map(|i| format!("{} {}", i.code, i.name))
        .collect();
    if d.items.len() > max {
        items.push(t.fmt(more_key, &[("n", &(d.items.len() - max))]));
    }
    items
}

/// One document of a rule's basis as a comment cites it: the articles of one document (same title
/// and number) together, in the order the rule lists them ("第四十二条、第八十二条"), so that no
/// document is named twice in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citation<'a> {
    pub title: &'a str,
    pub doc_no: Option<&'a str>,
    /// The articles, joined by the catalogue's list separator; empty when none is given.
    pub articles: String,
}

/// A rule's basis, one [`Citation`] per document.
pub fn citations<'a>(doc: &'a RuleDoc, t: &Texts) -> Vec<Citation<'a>> {
    let mut out: Vec<(Citation<'a>, Vec<&'a str>)> = Vec::new();
    for b in &doc.basis {
        let doc_no = b.doc_no.as_deref().filter(|s| !s.is_empty());
        let article = b.article.as_deref().filter(|s| !s.is_empty());
        let at = out
            .iter()
            .position(|(c, _)| c.title == b.title && c.doc_no == doc_no);
        let i = at.unwrap_or_else(|| {
            out.push((
                Citation {
                    title: &b.title,
                    doc_no,
                    articles: String::new(),
                },
                Vec::new(),
            ));
            out.len() - 1
        });
        if let Some(a) = article.filter(|a| !out[i].1.contains(a)) {
            out[i].1.push(a);
        }
    }
    let sep = t.get("comment.list_sep");
    out.into_iter()
        .map(|(mut c, articles)| {
            c.articles = articles.join(&sep);
            c
        })
        .collect()
}

/// A rule's basis as a review comment cites it: 《title》（doc_no）articles, the documents joined
/// by "；" (in the catalogue's language).
pub fn cite(doc: &RuleDoc, t: &Texts) -> String {
    citations(doc, t)
        .iter()
        .map(|c| {
            let mut s = t.fmt("sheet.basis", &[("title", &c.title)]);
            if let Some(no) = c.doc_no {
                s.push_str(&t.fmt("sheet.basis.doc_no", &[("doc_no", &no)]));
            }
            if !c.articles.is_empty() {
                s.push_str(&t.fmt("sheet.basis.article", &[("article", &c.articles)]));
            }
            s
        })
        .collect::<Vec<_>>()
        .join(&t.get("comment.basis_sep"))
}

/// One figure of the scorecard as every renderer shows it: words from the catalogue, numbers
/// from [`crate::scorecard`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreRow {
    pub metric: &'static str,
    pub label: String,
    /// The figure as stored (for `data-` attributes and tests).
    pub num: f64,
    pub value: String,
    pub change: Option<String>,
    pub since_baseline: Option<String>,
    /// "3/11" (department figures only).
    pub rank: Option<String>,
    /// The whole catalog's figure, beside a department's.
    pub total: Option<String>,
    pub meets_target: Option<bool>,
}

/// The figures of a scorecard card, in [`crate::scorecard::METRICS`] order; with `total`, each
/// department figure shows the whole catalog's beside it and its rank among the departments
/// that have the figure.
pub fn score_rows(
    card: &crate::scorecard::Card,
    total: Option<&crate::scorecard::Card>,
    t: &Texts,
) -> Vec<ScoreRow> {
    use crate::scorecard::{METRICS, show, show_change};
    METRICS
        .iter()
        .filter_map(|m| {
            let f = card.get(*m)?;
            Some(ScoreRow {
                metric: m.as_str(),
                label: t.get(&format!("score.{}", m.as_str())),
                num: f.value,
                value: show(*m, f.value),
                change: f.change.map(|d| show_change(*m, d)),
                since_baseline: f.since_baseline.map(|d| show_change(*m, d)),
                rank: f
                    .rank
                    .zip(f.ranked)
                    .filter(|(_, of)| *of > 1)
                    .map(|(r, of)| t.fmt("score.rank", &[("rank", &r), ("of", &of)])),
                total: total.and_then(|c| c.get(*m)).map(|x| show(*m, x.value)),
                meets_target: f.meets_target,
            })
        })
        .collect()
}

/// `audit-report/1`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub format: &'static str,
    pub tool: Tool,
    /// The date rules judged at.
    pub as_of: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<SnapshotInfo>,
    pub new: SnapshotInfo,
    pub summary: Summary,
    pub changes: Vec<Change>,
    pub findings: Vec<Finding>,
    /// The review comments built from the open findings ([`crate::comments`]): what the sheet,
    /// HTML, Markdown and terminal show. Kept in step with the findings by [`Report::recount`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<crate::comments::Comment>,
    /// The rules that fired, by code.
    pub rules: BTreeMap<String, RuleDoc>,
    /// What departments are asked to do by when (`--reply-by`, `--contact`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
    /// The department scorecard ([`crate::scorecard`]), when rules ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scorecard: Option<crate::scorecard::Scorecard>,
    /// The round against the previous report (`--baseline`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<crate::rounds::Progress>,
    /// Fingerprints of findings resolved in this or an earlier round, so a finding that comes back
    /// later is `reopened`, not `new`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resolved_before: Vec<String>,
    /// What produced this report: tool and rule-pack versions, inputs with their SHA-256, options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest: Option<Manifest>,
    /// Whether rules ran (false for `diff`); renderers leave finding counts out when they did not.
    #[serde(skip)]
    pub checked: bool,
    /// Item counts per department (not serialised), so a per-department report can state its own
    /// item and unchanged counts.
    #[serde(skip)]
    pub departments: BTreeMap<String, DeptItems>,
    /// Every count the renderers show, computed once ([`crate::stats`]); kept in step with the
    /// findings by [`Report::recount`].
    #[serde(skip)]
    pub stats: Stats,
    /// The round's progress of each department (not serialised): what a department's own
    /// report of a split run says.
    #[serde(skip)]
    pub progress_by_department: BTreeMap<String, crate::rounds::Progress>,
    /// Set on a department's report cut from a split run ([`split`]): whose page it is and the
    /// files beside it (not serialised).
    #[serde(skip)]
    pub page: Option<DeptPage>,
}

/// The reply a review round asks for: by when, and whom to ask.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Review {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_by: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
}

impl Review {
    /// The review block, when either part is given.
    pub fn of(reply_by: Option<NaiveDate>, contact: Option<String>) -> Option<Review> {
        let contact = contact
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty());
        (reply_by.is_some() || contact.is_some()).then_some(Review { reply_by, contact })
    }
}

/// A department's page of a split run: its name and the files it links to (relative URLs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeptPage {
    /// The department as shown (the catalogue's words for "no department" when empty).
    pub label: String,
    pub index_href: String,
    pub whole_href: String,
    pub sheet_href: String,
    pub sheet_file: String,
}

/// The head of every department page and sheet: the verdict first (how many must-fix comments
/// on how many items), then by when to reply and whom to ask, and in a later round how many of
/// last round's comments are still open. Words from the catalogue, numbers from [`Stats`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    /// The department's name on its page, the catalog's name on the whole report.
    pub title: String,
    /// Whether the title is catalog text.
    pub title_data: bool,
    pub must_fix: usize,
    pub items: usize,
    pub advice: usize,
    /// Must-fix comments already sent last round (`--baseline`), still open.
    pub carried: Option<usize>,
    pub reply_by: Option<NaiveDate>,
    pub contact: Option<String>,
    /// "须整改意见 3 条，涉及 3 个事项；另有建议 3 条".
    pub verdict: String,
    /// Its parts: the must-fix comments, and the advice when there is some.
    pub fix_line: String,
    pub advice_line: Option<String>,
    pub deadline: Option<String>,
    pub contact_line: Option<String>,
    pub carried_line: Option<String>,
}

impl Action {
    pub fn of(r: &Report, t: &Texts) -> Action {
        let c = &r.stats.comments;
        let (title, title_data) = match &r.page {
            Some(p) => (p.label.clone(), !p.label.is_empty()),
            None => (
                r.new.name.clone().unwrap_or_else(|| r.new.file.clone()),
                true,
            ),
        };
        let must_fix = c.must_fix();
        let items = c.items.total();
        let fix_line = if must_fix == 0 {
            t.get("action.verdict_none")
        } else {
            t.fmt(
                "action.verdict",
                &[("comments", &must_fix), ("items", &items)],
            )
        };
        let advice_line = (c.advice > 0).then(|| t.fmt("action.advice", &[("n", &c.advice)]));
        let verdict = format!("{fix_line}{}", advice_line.as_deref().unwrap_or(""));
        let review = r.review.clone().unwrap_or_default();
        let carried = r.progress.map(|_| c.carried);
        Action {
            title,
            title_data,
            must_fix,
            items,
            advice: c.advice,
            carried,
            deadline: review
                .reply_by
                .map(|d| t.fmt("action.reply_by", &[("date", &d)])),
            contact_line: review
                .contact
                .as_ref()
                .map(|who| t.fmt("action.contact", &[("contact", who)])),
            carried_line: carried.map(|n| t.fmt("action.carried", &[("n", &n)])),
            reply_by: review.reply_by,
            contact: review.contact,
            verdict,
            fix_line,
            advice_line,
        }
    }
}

/// A department's items in the two snapshots.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeptItems {
    /// Items of the old snapshot.
    pub old: usize,
    /// Items of the new snapshot.
    pub new: usize,
    /// Items of the new snapshot that no change names.
    pub unchanged: usize,
}

/// Counts every department's items; an item is unchanged when no change names its code.
fn dept_items(
    old: Option<&Catalog>,
    new: &Catalog,
    changes: &[Change],
) -> BTreeMap<String, DeptItems> {
    let mut named: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for c in changes {
        named.insert(&c.code);
        named.extend(c.new_codes.iter().map(String::as_str));
    }
    let mut out: BTreeMap<String, DeptItems> = BTreeMap::new();
    for item in old.map(|c| c.items.as_slice()).unwrap_or_default() {
        out.entry(item.department.to_string()).or_default().old += 1;
    }
    for item in &new.items {
        let d = out.entry(item.department.to_string()).or_default();
        d.new += 1;
        if !named.contains(&*item.code) {
            d.unchanged += 1;
        }
    }
    out
}

/// Everything the report is built from.
pub struct Parts<'a> {
    pub old: Option<&'a Catalog>,
    pub new: &'a Catalog,
    pub counts: Counts,
    pub changes: Vec<Change>,
    pub findings: Vec<Finding>,
    pub pack: Option<&'a Pack>,
    pub as_of: NaiveDate,
    pub lang: Lang,
}

impl Report {
    /// Assembles the report model.
    pub fn build(parts: Parts<'_>) -> Report {
        let mut rules = BTreeMap::new();
        // A report cites no document issued after the day it judges at, and a region's own
        // documents only on that region's catalogs.
        let region = parts.new.info.region_code.as_deref();
        if let Some(pack) = parts.pack {
            for f in &parts.findings {
                if rules.contains_key(&*f.rule) {
                    continue;
                }
                if let Some(r) = pack.get(&f.rule) {
                    let s = &r.spec;
                    rules.insert(
                        f.rule.to_string(),
                        RuleDoc {
                            name: s.name.clone(),
                            title: s.title.get(parts.lang).to_string(),
                            severity: s.severity,
                            category: s.category,
                            rationale: s.rationale.get(parts.lang).to_string(),
                            remediation: s.remediation.get(parts.lang).to_string(),
                            basis: s
                                .basis
                                .iter()
                                .filter(|b| b.citable(parts.as_of, region))
                                .cloned()
                                .collect(),
                            review: crate::finding::ReviewDoc::of(&s.review, parts.lang),
                        },
                    );
                }
            }
        }
        let departments = dept_items(parts.old, parts.new, &parts.changes);
        let mut report = Report {
            format: "audit-report/1",
            tool: Tool {
                name: env!("CARGO_PKG_NAME"),
                version: env!("CARGO_PKG_VERSION"),
            },
            as_of: parts.as_of,
            old: parts.old.map(SnapshotInfo::of),
            new: SnapshotInfo::of(parts.new),
            summary: Summary {
                added: parts.counts.added,
                changed: parts.counts.changed,
                cancelled: parts.counts.cancelled,
                recoded: parts.counts.recoded,
                unchanged: parts.counts.unchanged,
                merged: parts.counts.merged,
                split: parts.counts.split,
                findings: SeverityCounts::default(),
                waived: 0,
                resolved: 0,
            },
            changes: parts.changes,
            findings: parts.findings,
            comments: Vec::new(),
            rules,
            review: None,
            scorecard: parts.pack.map(|pack| {
                let targets = pack.scorecard.in_force(parts.as_of, region);
                crate::scorecard::build(parts.old, parts.new, &targets, parts.lang)
            }),
            checked: parts.pack.is_some(),
            progress: None,
            resolved_before: Vec::new(),
            manifest: None,
            departments,
            stats: Stats::default(),
            progress_by_department: BTreeMap::new(),
            page: None,
        };
        report.recount();
        report
    }

    /// Whether any finding is at or above `threshold`.
    pub fn fails(&self, threshold: Option<Severity>) -> bool {
        self.failing(threshold) > 0
    }

    /// How many open findings are at or above `threshold` (waived and resolved ones never count).
    pub fn failing(&self, threshold: Option<Severity>) -> usize {
        threshold.map_or(0, |t| {
            self.findings
                .iter()
                .filter(|f| f.severity <= t && is_open(f.state))
                .count()
        })
    }

    /// Counts again after findings changed state (baseline, waivers): the statistics every
    /// renderer reads, and the summary block made from them.
    pub fn recount(&mut self) {
        self.comments = crate::comments::build(&self.findings, &self.rules);
        self.stats = Stats::of(&self.findings, &self.changes, &self.comments);
        let f = &self.stats.findings;
        self.summary.findings = f.open;
        self.summary.waived = f.waived;
        self.summary.resolved = f.resolved;
    }
}

/// Report templates: the built-in ones from `reports/`, or a directory's files of the same names.
#[derive(Debug, Clone)]
pub struct Templates {
    /// File name → (where it came from, source). Read-only once a page is rendered: the
    /// compiled registries below are not rebuilt.
    files: BTreeMap<String, (String, String)>,
    /// Each page kind's registry, compiled on first use and shared by the copies of these
    /// templates: a split report renders one page per department (thousands), and compiling the
    /// HTML template each time cost more than rendering it.
    compiled: Compiled,
}

type Registry = std::sync::Arc<handlebars::Handlebars<'static>>;

#[derive(Clone, Default)]
struct Compiled(std::sync::Arc<std::sync::Mutex<BTreeMap<&'static str, Registry>>>);

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Compiled")
    }
}

/// The built-in templates, by file name.
const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    (
        "report.html.hbs",
        include_str!("../../reports/report.html.hbs"),
    ),
    ("style.css", include_str!("../../reports/style.css")),
    ("chart.hbs", include_str!("../../reports/chart.hbs")),
    (
        "history.html.hbs",
        include_str!("../../reports/history.html.hbs"),
    ),
    ("report.md.hbs", include_str!("../../reports/report.md.hbs")),
    (
        "index.html.hbs",
        include_str!("../../reports/index.html.hbs"),
    ),
];

impl Templates {
    /// The templates embedded in the binary.
    pub fn builtin() -> Templates {
        Templates {
            files: BUILTIN_TEMPLATES
                .iter()
                .map(|(n, t)| ((*n).to_string(), (format!("reports/{n}"), (*t).to_string())))
                .collect(),
            compiled: Compiled::default(),
        }
    }

    /// The registry of one page kind, compiled by `build` on first use (a failed compile is not
    /// kept: each use reports it).
    pub(crate) fn compiled(
        &self,
        kind: &'static str,
        build: impl FnOnce() -> Result<handlebars::Handlebars<'static>>,
    ) -> Result<Registry> {
        let mut cache = self
            .compiled
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(hb) = cache.get(kind) {
            return Ok(hb.clone());
        }
        let hb = std::sync::Arc::new(build()?);
        cache.insert(kind, hb.clone());
        Ok(hb)
    }

    /// The built-in templates with the files of `dir` replacing those of the same name.
    pub fn with_dir(dir: &Path) -> Result<Templates> {
        let mut t = Templates::builtin();
        let entries = std::fs::read_dir(dir).map_err(|e| {
            Error::setup(
                dir.display().to_string(),
                format!("cannot read template directory: {e}"),
            )
        })?;
        let mut found = 0;
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(slot) = t.files.get_mut(&name) {
                let path = e.path();
                let text = crate::files::read_regular_text(&path, Some(crate::files::SETUP_LIMIT))
                    .map_err(|err| Error::setup(path.display().to_string(), err.to_string()))?;
                *slot = (path.display().to_string(), text);
                found += 1;
            }
        }
        if found == 0 {
            let known: Vec<&str> = BUILTIN_TEMPLATES.iter().map(|(n, _)| *n).collect();
            return Err(Error::setup(
                dir.display().to_string(),
                format!("no template to replace (known: {})", known.join(", ")),
            ));
        }
        Ok(t)
    }

    /// A template's source and where it came from.
    pub fn get(&self, name: &str) -> (&str, &str) {
        self.files
            .get(name)
            .map_or(("", ""), |(origin, text)| (origin.as_str(), text.as_str()))
    }
}

/// How reports are presented: the language's texts, the templates, terminal colour.
#[derive(Debug, Clone)]
pub struct Style {
    pub texts: Texts,
    pub templates: Templates,
    pub color: bool,
}

impl Style {
    /// The built-in presentation in one language, without colour.
    pub fn plain(lang: Lang) -> Style {
        Style {
            texts: Texts::builtin(lang),
            templates: Templates::builtin(),
            color: false,
        }
    }
}

pub use crate::finding::is_open;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Format {
    /// Human summary for a terminal.
    Terminal,
    /// `audit-report/1`, for scheduled jobs and the next round.
    Json,
    /// One self-contained HTML file for departments.
    Html,
    /// Markdown, for pasting into tickets and mail.
    Md,
    /// The review-comment workbook: one row per finding, a summary sheet.
    Xlsx,
    /// The review-comment sheet as CSV (UTF-8 with a BOM, for Excel).
    Csv,
}

impl Format {
    /// The file extension a report of this format gets.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Terminal => "txt",
            Format::Json => "json",
            Format::Html => "html",
            Format::Md => "md",
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }
}

/// Renders `report` in `format` into `out`.
pub fn render(report: &Report, format: Format, style: &Style, out: &mut dyn Write) -> Result<()> {
    match format {
        Format::Terminal => terminal::render(report, style, out),
        Format::Json => json::render(report, out),
        Format::Html => html::render(report, style, out),
        Format::Md => markdown::render(report, style, out),
        Format::Xlsx => sheet::render_xlsx(report, style, out),
        Format::Csv => sheet::render_csv(report, style, out),
    }
}

pub use write::{Batch, write_atomic};

/// I/O errors while rendering to a sink that is not a named file (stdout).
pub(crate) fn io(e: std::io::Error) -> Error {
    Error::Write {
        path: "<output>".into(),
        source: e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Lang, PolicyBasis};

    fn basis(title: &str, doc_no: Option<&str>, article: Option<&str>) -> PolicyBasis {
        serde_json::from_value(serde_json::json!({
            "title": title, "doc_no": doc_no, "article": article
        }))
        .unwrap()
    }

    #[test]
    fn a_document_cited_for_two_articles_is_named_once() {
        let law = "中华人民共和国行政许可法";
        let std = "政务办事“最多跑一次”工作规范 第1部分：总则";
        let doc = RuleDoc {
            name: "n".into(),
            title: "t".into(),
            severity: crate::rules::Severity::Error,
            category: crate::rules::Category::TimeLimit,
            rationale: String::new(),
            remediation: String::new(),
            basis: vec![
                basis(law, None, Some("第四十二条")),
                basis(std, Some("DB33/T 2036.1-2017"), Some("附录A")),
                basis(law, None, Some("第八十二条")),
                basis(law, None, Some("第四十二条")),
                // Same title, another number: another document.
                basis(std, Some("DB33/T 2036.1-2018"), None),
            ],
            review: Default::default(),
        };
        let t = Texts::builtin(Lang::Zh);
        assert_eq!(
            cite(&doc, &t),
            "《中华人民共和国行政许可法》第四十二条、第八十二条；\
             《政务办事“最多跑一次”工作规范 第1部分：总则》（DB33/T 2036.1-2017）附录A；\
             《政务办事“最多跑一次”工作规范 第1部分：总则》（DB33/T 2036.1-2018）"
        );
    }
}
