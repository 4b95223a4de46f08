//! Per-department output (`--split-by department`): a report per department holding exactly its
//! findings and changes, with its own counts; file names every operating system accepts; and an
//! index page linking them.
//!
//! File names keep Chinese department names. Path separators, the characters Windows reserves
//! (`<>:"/\|?*`) and control or invisible formatting characters become `_`; leading dots (hidden
//! files, `..`) become `_`; trailing dots and spaces are trimmed; Windows device names (CON, NUL,
//! COM1 …, also with an extension) and the names the tool writes itself (`index`,
//! `audit-report`) get a leading `_`; long names are cut by characters, not bytes; and names that
//! would still collide — compared without case and after Unicode normalisation, as Windows and
//! macOS compare them — get `-2`, `-3` ….

use super::{DeptItems, Report, Style, Summary, Texts, io, terminal};
use crate::diff::Change;
use crate::error::{Error, Result};
use crate::finding::Finding;
use handlebars::Handlebars;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::Write;
use unicode_normalization::UnicodeNormalization;

/// The longest file stem, in characters (a 4-byte character each still leaves a suffix and an
/// extension within the 255 bytes Linux allows, and far within Windows' 255 UTF-16 units).
pub const MAX_STEM_CHARS: usize = 50;

/// Stems the tool uses for its own files in the output directory.
const OWN_STEMS: &[&str] = &["index", "audit-report"];

/// One department's part of a split report.
#[derive(Debug, Clone)]
pub struct Part {
    /// The department as the catalog names it (may be empty).
    pub department: String,
    /// The name to show (the catalogue's "no department" text for an empty one).
    pub label: String,
    /// The file stem: `<stem>.html`, `<stem>.xlsx`.
    pub stem: String,
    /// The department's report.
    pub report: Report,
}

/// Every department of the report: those of either snapshot and those findings or changes name,
/// sorted as the report is.
pub fn departments(r: &Report) -> Vec<String> {
    let mut all: BTreeSet<&str> = r.departments.keys().map(String::as_str).collect();
    all.extend(r.findings.iter().map(|f| &*f.department));
    all.extend(r.changes.iter().map(|c| &*c.department));
    all.into_iter().map(str::to_string).collect()
}

/// Cuts the report into one report per department, with file stems that are safe and distinct.
pub fn split(r: &Report, t: &Texts) -> Vec<Part> {
    let names = departments(r);
    let mut findings: BTreeMap<&str, Vec<Finding>> = BTreeMap::new();
    for f in &r.findings {
        findings.entry(&f.department).or_default().push(f.clone());
    }
    let mut changes: BTreeMap<&str, Vec<Change>> = BTreeMap::new();
    for c in &r.changes {
        changes.entry(&c.department).or_default().push(c.clone());
    }
    // Everything but the per-department parts (the comments and counts are rebuilt from them),
    // copied once per department: never the whole report's lists.
    let shell = Report {
        format: r.format,
        tool: r.tool.clone(),
        as_of: r.as_of,
        old: r.old.clone(),
        new: r.new.clone(),
        summary: r.summary,
        changes: Vec::new(),
        findings: Vec::new(),
        comments: Vec::new(),
        rules: BTreeMap::new(),
        review: r.review.clone(),
        scorecard: None,
        progress: r.progress,
        resolved_before: r.resolved_before.clone(),
        manifest: r.manifest.clone(),
        checked: r.checked,
        departments: BTreeMap::new(),
        stats: Default::default(),
        progress_by_department: BTreeMap::new(),
        page: None,
    };
    let labels: Vec<String> = names
        .iter()
        .map(|d| {
            if d.is_empty() {
                t.get("terminal.no_department")
            } else {
                d.clone()
            }
        })
        .collect();
    let stems = unique_stems(&labels);
    names
        .into_iter()
        .zip(labels)
        .zip(stems)
        .map(|((d, label), stem)| {
            let f = findings.remove(d.as_str()).unwrap_or_default();
            let c = changes.remove(d.as_str()).unwrap_or_default();
            let items = r.departments.get(&d).copied().unwrap_or_default();
            let mut report = department_report(&shell, r, &d, f, c, items);
            // The department's own figures, and the whole catalog's to compare with.
            report.scorecard = r.scorecard.as_ref().map(|s| crate::scorecard::Scorecard {
                total: s.total.clone(),
                departments: s.department(&d).cloned().into_iter().collect(),
                targets: s.targets.clone(),
            });
            let sheet_file = format!("{stem}.xlsx");
            report.page = Some(super::DeptPage {
                label: label.clone(),
                index_href: "index.html".into(),
                whole_href: "audit-report.html".into(),
                sheet_href: href(&sheet_file),
                sheet_file,
            });
            Part {
                department: d,
                label,
                stem,
                report,
            }
        })
        .collect()
}

/// A department's report: its findings and changes, the rules they cite, counts recomputed.
fn department_report(
    shell: &Report,
    whole: &Report,
    dept: &str,
    findings: Vec<Finding>,
    changes: Vec<Change>,
    items: DeptItems,
) -> Report {
    let mut d = shell.clone();
    d.rules = whole
        .rules
        .iter()
        .filter(|(code, _)| findings.iter().any(|f| *f.rule == ***code))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    d.new.items = items.new;
    if let Some(old) = &mut d.old {
        old.items = items.old;
    }
    d.departments = BTreeMap::from([(dept.to_string(), items)]);
    d.findings = findings;
    d.changes = changes;
    // In a later round, the department's own progress, not the whole catalog's.
    d.progress = whole.progress.map(|_| {
        whole
            .progress_by_department
            .get(dept)
            .copied()
            .unwrap_or_default()
    });
    d.recount();
    let c = d.stats.changes;
    d.summary = Summary {
        added: c.added,
        changed: c.changed,
        cancelled: c.cancelled,
        recoded: c.recoded,
        unchanged: items.unchanged,
        merged: c.merged,
        split: c.split,
        ..d.summary
    };
    d
}

/// Characters no file name may hold on some system, besides control characters.
fn forbidden(c: char) -> bool {
    matches!(c, '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*')
        || c.is_control()
        // Invisible formatting: zero-width characters, bidirectional overrides, BOM.
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Whether Windows reserves the stem as a device name (also with an extension: `CON.txt`).
fn windows_reserved(stem: &str) -> bool {
    let base = stem.split('.').next().unwrap_or("").trim_end();
    let upper = base.to_uppercase();
    if matches!(
        upper.as_str(),
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
    ) {
        return true;
    }
    let mut chars = upper.chars();
    let prefix: String = chars.by_ref().take(3).collect();
    let rest: String = chars.collect();
    (prefix == "COM" || prefix == "LPT")
        && rest.chars().count() == 1
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '¹' | '²' | '³'))
}

/// A file stem safe on every common OS for a department name (see the module docs).
pub fn safe_stem(name: &str) -> String {
    let mut s: String = name
        .nfc()
        .map(|c| if forbidden(c) { '_' } else { c })
        .collect();
    // Leading spaces are dropped; leading dots would hide the file or name a parent directory.
    s = s.trim_start().to_string();
    let dots = s.chars().take_while(|c| *c == '.').count();
    if dots > 0 {
        s = "_".repeat(dots) + &s[dots..];
    }
    let trim = |s: &str| s.trim_end_matches(['.', ' ']).trim_end().to_string();
    s = trim(&s);
    if s.chars().count() > MAX_STEM_CHARS {
        s = trim(&s.chars().take(MAX_STEM_CHARS).collect::<String>());
    }
    if s.is_empty() {
        s = "_".to_string();
    }
    let lower = s.to_lowercase();
    if windows_reserved(&s) || OWN_STEMS.contains(&lower.as_str()) {
        s.insert(0, '_');
    }
    s
}

/// How file systems that ignore case and normalisation see a stem.
fn fold(stem: &str) -> String {
    stem.nfkc().flat_map(char::to_lowercase).collect()
}

/// Safe stems for the names, distinct even where file systems ignore case: a later name that would
/// collide gets `-2`, `-3` … (names are taken in the order given, so the result is deterministic).
pub fn unique_stems(names: &[String]) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::new();
    names
        .iter()
        .map(|n| {
            let base = safe_stem(n);
            let mut stem = base.clone();
            let mut i = 2;
            while !taken.insert(fold(&stem)) {
                stem = format!("{base}-{i}");
                i += 1;
            }
            stem
        })
        .collect()
}

/// A file name as a relative URL (every byte outside the unreserved set percent-encoded).
pub fn href(file: &str) -> String {
    let mut out = String::new();
    for b in file.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[derive(Serialize)]
struct IndexView<'a> {
    title: String,
    heading: String,
    summary_line: String,
    generated: String,
    checked: bool,
    change_count: usize,
    t: &'a BTreeMap<String, String>,
    lang: &'a str,
    report: super::html::Head<'a>,
    action: super::Action,
    score: Option<super::html::ScoreView>,
    departments: Vec<IndexRow>,
}

#[derive(Serialize)]
struct IndexRow {
    name: String,
    html: String,
    html_href: String,
    xlsx: String,
    xlsx_href: String,
    items: usize,
    changes: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    must_fix: usize,
    fix_items: usize,
}

/// Writes the index page: every department with its counts and links to its files.
pub fn render_index(r: &Report, parts: &[Part], style: &Style, out: &mut dyn Write) -> Result<()> {
    let t = &style.texts;
    let title = r.new.name.clone().unwrap_or_else(|| r.new.file.clone());
    let view = IndexView {
        heading: t.fmt("index.title", &[("title", &title)]),
        title,
        summary_line: terminal::summary_line(r, t),
        generated: t.fmt(
            "index.generated",
            &[("version", &r.tool.version), ("as_of", &r.as_of)],
        ),
        checked: r.checked,
        change_count: r.stats.changes.total(),
        t: &t.texts,
        lang: &t.lang,
        report: super::html::Head::of(r),
        action: super::Action::of(r, t),
        score: super::html::score_view(r, t),
        departments: parts
            .iter()
            .map(|p| {
                let html = format!("{}.html", p.stem);
                let xlsx = format!("{}.xlsx", p.stem);
                let s = &p.report.summary;
                IndexRow {
                    name: p.label.clone(),
                    html_href: href(&html),
                    xlsx_href: href(&xlsx),
                    html,
                    xlsx,
                    items: p.report.new.items,
                    changes: p.report.stats.changes.total(),
                    errors: s.findings.error,
                    warnings: s.findings.warning,
                    infos: s.findings.info,
                    must_fix: p.report.stats.comments.must_fix(),
                    fix_items: p.report.stats.comments.items.total(),
                }
            })
            .collect(),
    };
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    let (origin, template) = style.templates.get("index.html.hbs");
    let err = |m: String| Error::Template {
        name: origin.to_string(),
        message: m,
    };
    hb.register_template_string("index.html", template)
        .map_err(|e| err(e.to_string()))?;
    let html = hb
        .render("index.html", &view)
        .map_err(|e| err(e.to_string()))?;
    out.write_all(html.as_bytes()).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_keep_chinese_and_drop_what_systems_reject() {
        assert_eq!(safe_stem("青禾市民政局"), "青禾市民政局");
        assert_eq!(safe_stem("a/b\\c:d*e?f\"g<h>i|j"), "a_b_c_d_e_f_g_h_i_j");
        assert_eq!(safe_stem("tab\there\u{0}\u{7f}"), "tab_here__");
        assert_eq!(safe_stem("局。. . "), "局。");
        assert_eq!(safe_stem(".."), "__");
        assert_eq!(safe_stem(".hidden"), "_hidden");
        assert_eq!(safe_stem("   "), "_");
        assert_eq!(safe_stem(""), "_");
        assert_eq!(safe_stem("..."), "___");
        assert_eq!(safe_stem("\u{202E}gpj.exe"), "_gpj.exe");
    }

    #[test]
    fn windows_device_names_and_own_names_are_avoided() {
        for n in [
            "CON", "con", "Nul", "aux.txt", "COM1", "lpt9", "COM¹", "CON .x",
        ] {
            let s = safe_stem(n);
            assert!(s.starts_with('_'), "{n} → {s}");
            assert!(!windows_reserved(&s), "{s}");
        }
        assert_eq!(safe_stem("CONTROL"), "CONTROL");
        assert_eq!(safe_stem("COM10"), "COM10");
        assert_eq!(safe_stem("index"), "_index");
        assert_eq!(safe_stem("Audit-Report"), "_Audit-Report");
    }

    #[test]
    fn long_names_are_cut_by_characters() {
        let long = "市".repeat(300);
        let s = safe_stem(&long);
        assert_eq!(s.chars().count(), MAX_STEM_CHARS);
        assert!(format!("{s}-99.xlsx").len() <= 255);
        let astral = "𠀀".repeat(100);
        assert!(format!("{}-99.xlsx", safe_stem(&astral)).len() <= 255);
        // A cut that ends in a dot is trimmed again.
        let dotted = format!("{}.x", "a".repeat(MAX_STEM_CHARS - 1));
        assert_eq!(safe_stem(&dotted), "a".repeat(MAX_STEM_CHARS - 1));
    }

    #[test]
    fn colliding_names_get_distinct_stems() {
        let names: Vec<String> = ["a/b", "a:b", "A_B", "a_b-2", "x"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let stems = unique_stems(&names);
        assert_eq!(stems, ["a_b", "a_b-2", "A_B-3", "a_b-2-2", "x"]);
        let folded: HashSet<String> = stems.iter().map(|s| fold(s)).collect();
        assert_eq!(folded.len(), stems.len());
    }

    #[test]
    fn hrefs_are_percent_encoded() {
        assert_eq!(href("a b#%.html"), "a%20b%23%25.html");
        assert_eq!(href("局.xlsx"), "%E5%B1%80.xlsx");
    }
}
