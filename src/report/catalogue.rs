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

/// `rules list`: a line per rule.
pub fn list_text(pack: &Pack, sel: &Selection) -> String {
    let l = select(pack, sel);
    let zh = Texts::builtin(Lang::Zh);
    let mut out = String::new();
    for r in &l.rules {
        out.push_str(&format!(
            "{:<7} {:<8} {:<11} {:<36} {}\n",
            r.spec.code,
            r.spec.severity.as_str(),
            r.spec.category.as_str(),
            r.spec.name,
            r.spec.title.zh
        ));
    }
    for r in &l.round {
        out.push_str(&format!(
            "{:<7} {:<8} {:<11} {:<36} {}（{}）\n",
            r.code,
            r.severity.as_str(),
            r.category.as_str(),
            r.name,
            zh.get(&format!("rule.{}.title", r.code)),
            zh.get("catalogue.round"),
        ));
    }
    for g in &l.gaps {
        out.push_str(&format!(
            "{:<7} {:<8} {:<11} {:<36} {}（{}）\n",
            g.code, "n/a", "-", "not applicable", g.title.zh, g.reason.zh
        ));
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
