//! The rule catalogue as `rules list` and `rules explain` print it, as text or JSON: the pack's
//! rules, the review round's own rules (CF-90/91/92, words from the message catalogue) and, with
//! `--all`, the review rules the data contract cannot express.

use crate::messages::Texts;
use crate::rounds::{ROUND_RULES, RoundRule};
use crate::rules::{Category, Gap, Lang, Pack, Rule, Severity, Subject};
use serde_json::json;

/// Which rules a listing shows.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub category: Option<Category>,
    pub severity: Option<Severity>,
    pub tag: Option<String>,
    /// Also the not-applicable rules, with their reasons.
    pub all: bool,
}

/// The tag that selects the review round's rules.
const ROUND_TAG: &str = "round";

/// The rules a selection keeps.
struct Listing<'p> {
    rules: Vec<&'p Rule>,
    round: Vec<&'static RoundRule>,
    gaps: Vec<&'p Gap>,
}

fn select<'p>(pack: &'p Pack, sel: &Selection) -> Listing<'p> {
    let keeps = |category: Category, severity: Severity| {
        sel.category.is_none_or(|c| category == c) && sel.severity.is_none_or(|s| severity == s)
    };
    Listing {
        rules: pack
            .rules
            .iter()
            .filter(|r| keeps(r.spec.category, r.spec.severity))
            .filter(|r| {
                sel.tag
                    .as_ref()
                    .is_none_or(|t| r.spec.tags.iter().any(|x| x == t))
            })
            .collect(),
        round: ROUND_RULES
            .iter()
            .filter(|r| keeps(r.category, r.severity))
            .filter(|_| sel.tag.as_deref().is_none_or(|t| t == ROUND_TAG))
            .collect(),
        // Not-applicable rules have a code and a category prefix, nothing else to filter on.
        gaps: if sel.all && sel.severity.is_none() && sel.tag.is_none() {
            pack.gaps
                .iter()
                .filter(|g| {
                    sel.category
                        .is_none_or(|c| g.code.starts_with(&format!("{}-", c.prefix())))
                })
                .collect()
        } else {
            Vec::new()
        },
    }
}

/// `rules list --format json`.
pub fn list_json(pack: &Pack, sel: &Selection) -> String {
    let l = select(pack, sel);
    let zh = Texts::builtin(Lang::Zh);
    let en = Texts::builtin(Lang::En);
    let list: Vec<serde_json::Value> = l
        .rules
        .iter()
        .map(|r| {
            json!({
                "code": r.spec.code,
                "name": r.spec.name,
                "category": r.spec.category,
                "severity": r.spec.severity,
                "status": r.spec.status,
                "title": r.spec.title,
                "file": r.file,
            })
        })
        .chain(l.round.iter().map(|r| {
            let title = |t: &Texts| t.get(&format!("rule.{}.title", r.code));
            json!({
                "code": r.code,
                "name": r.name,
                "category": r.category,
                "severity": r.severity,
                "status": "round",
                "title": { "zh": title(&zh), "en": title(&en) },
            })
        }))
        .chain(l.gaps.iter().map(|g| {
            json!({
                "code": g.code,
                "status": "not_applicable",
                "title": g.title,
                "reason": g.reason,
            })
        }))
        .collect();
    let mut out = serde_json::to_string_pretty(&list).unwrap_or_default();
    out.push('\n');
    out
}

/// The width `rules list` keeps to: a 100-column terminal.
const LIST_WIDTH: usize = 100;

/// `rules list`: a line per rule (code, severity, category), its title wrapped under itself so a
/// line never passes [`LIST_WIDTH`] display columns (a Chinese character takes two).
pub fn list_text(pack: &Pack, sel: &Selection) -> String {
    let l = select(pack, sel);
    let zh = Texts::builtin(Lang::Zh);
    let mut out = String::new();
    let mut line = |code: &str, severity: &str, category: &str, title: &str| {
        let head = format!("{code:<7} {severity:<8} {category:<11} ");
        let indent = head.len();
        for (i, part) in wrap(title, LIST_WIDTH - indent).into_iter().enumerate() {
            if i == 0 {
                out.push_str(&head);
            } else {
                out.push_str(&" ".repeat(indent));
            }
            out.push_str(&part);
            out.push('\n');
        }
    };
    for r in &l.rules {
        line(
            &r.spec.code,
            r.spec.severity.as_str(),
            r.spec.category.as_str(),
            &r.spec.title.zh,
        );
    }
    for r in &l.round {
        let title = format!(
            "{}（{}）",
            zh.get(&format!("rule.{}.title", r.code)),
            zh.get("catalogue.round")
        );
        line(r.code, r.severity.as_str(), r.category.as_str(), &title);
    }
    for g in &l.gaps {
        line(
            &g.code,
            "n/a",
            "-",
            &format!("{}（{}）", g.title.zh, g.reason.zh),
        );
    }
    out.push_str(&format!("{} rules ({})", l.rules.len(), pack.source));
    if !l.round.is_empty() {
        out.push_str(&format!(", {} of the review round", l.round.len()));
    }
    if !l.gaps.is_empty() {
        out.push_str(&format!(", {} not applicable", l.gaps.len()));
    }
    out.push('\n');
    out
}

/// Wraps every line longer than `width` display columns under its own indent (a list item's
/// under its text), so prose and long conditions fit the terminal.
fn fit(text: &str, width: usize) -> String {
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let spaces = body.len() - body.trim_start().len();
        let indent = if body[spaces..].starts_with("- ") {
            spaces + 2
        } else {
            spaces
        };
        let parts = wrap(
            &body[indent.min(body.len())..],
            width.saturating_sub(indent).max(20),
        );
        for (i, part) in parts.iter().enumerate() {
            out.push_str(if i == 0 {
                &body[..indent.min(body.len())]
            } else {
                ""
            });
            if i > 0 {
                out.push_str(&" ".repeat(indent));
            }
            out.push_str(part);
            out.push_str(if i + 1 < parts.len() { "\n" } else { end });
        }
    }
    out
}

/// Splits text into lines of at most `width` display columns, between characters (Chinese has no
/// spaces to break at; a Latin word longer than the width is cut).
fn wrap(text: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    let mut lines = vec![String::new()];
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width && used > 0 {
            lines.push(String::new());
            used = 0;
        }
        if let Some(line) = lines.last_mut() {
            line.push(c);
        }
        used += w;
    }
    lines
}

/// The words of `rules explain`'s headings, from the message catalogue.
fn headings(t: &Texts) -> [String; 6] {
    ["what", "why", "fix", "basis", "applies", "examples"].map(|k| t.get(&format!("explain.{k}")))
}

/// `rules explain CODE --format json` of a round rule (a pack rule prints its rule file).
pub fn explain_round_json(rule: &RoundRule) -> String {
    let (zh, en) = (Texts::builtin(Lang::Zh), Texts::builtin(Lang::En));
    let text = |key: &str| {
        let key = format!("rule.{}.{key}", rule.code);
        json!({ "zh": zh.get(&key), "en": en.get(&key) })
    };
    let mut s = serde_json::to_string_pretty(&json!({
        "code": rule.code,
        "name": rule.name,
        "category": rule.category,
        "severity": rule.severity,
        "status": "round",
        "field": rule.field,
        "title": text("title"),
        "message": text("message"),
        "rationale": text("rationale"),
        "remediation": text("remediation"),
    }))
    .unwrap_or_default();
    s.push('\n');
    s
}

/// `rules explain CODE` of a round rule.
pub fn explain_round_text(rule: &RoundRule, l: Lang) -> String {
    fit(&explain_round_text_wide(rule, l), LIST_WIDTH)
}

fn explain_round_text_wide(rule: &RoundRule, l: Lang) -> String {
    let t = Texts::builtin(l);
    let [what, why, fix, _, applies, _] = headings(&t);
    let key = |k: &str| t.get(&format!("rule.{}.{k}", rule.code));
    let scope = t.get("explain.round_scope");
    format!(
        "{} {} ({}, {})\n{}\n\n{applies}: {scope}\n{what}: field {}\n  message: {}\n\n{why}\n  {}\n\n{fix}\n  {}\n",
        rule.code,
        rule.name,
        rule.severity.as_str(),
        rule.category.as_str(),
        key("title"),
        rule.field,
        key("message"),
        key("rationale"),
        key("remediation"),
    )
}

/// `rules explain CODE` of a pack rule.
pub fn explain_text(rule: &Rule, l: Lang) -> String {
    fit(&explain_text_wide(rule, l), LIST_WIDTH)
}

fn explain_text_wide(rule: &Rule, l: Lang) -> String {
    let s = &rule.spec;
    let [what, why, fix, basis, applies, examples] = headings(&Texts::builtin(l));
    let mut out = format!(
        "{} {} ({}, {})\n{}\n\n",
        s.code,
        s.name,
        s.severity.as_str(),
        s.category.as_str(),
        s.title.get(l)
    );
    let states: Vec<&str> = s.scope.states.iter().map(|x| x.as_str()).collect();
    let scope = match s.subject {
        Subject::Item => format!(
            "items ({}){}",
            states.join(", "),
            if s.scope.changed_fields.is_empty() {
                String::new()
            } else {
                format!("; when {} changed", s.scope.changed_fields.join(", "))
            }
        ),
        Subject::Adjustment => "adjustment requests".to_string(),
        Subject::Department => "departments".to_string(),
    };
    out.push_str(&format!("{applies}: {scope}\n"));

    out.push_str(&format!("{what}: field {}\n", s.field));
    if let Some(w) = &s.when {
        out.push_str(&format!("  when:    {}\n", compact(w)));
    }
    out.push_str(&format!("  require: {}\n", compact(&s.require)));
    out.push_str(&format!(
        "\n{why}\n  {}\n\n{fix}\n  {}\n\n{basis}\n",
        s.rationale.get(l),
        s.remediation.get(l)
    ));
    for b in &s.basis {
        let mut line = format!("  - {}", b.title);
        if let Some(d) = &b.doc_no {
            line.push_str(&format!("（{d}）"));
        }
        if let Some(a) = &b.article {
            line.push_str(&format!(" {a}"));
        }
        if let Some(n) = &b.note {
            line.push_str(&format!(" — {n}"));
        }
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str(&format!(
        "\n{examples}: {} valid, {} invalid (run by the test suite)\n",
        s.examples.valid.len(),
        s.examples.invalid.len()
    ));
    for (label, list) in [
        ("invalid", &s.examples.invalid),
        ("valid", &s.examples.valid),
    ] {
        for e in list {
            if let Some(n) = &e.note {
                out.push_str(&format!("  {label}: {n}\n"));
            }
        }
    }
    out
}

fn compact<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}
