//! Review comments: what a reviewer sends, built from the open findings.
//!
//! Findings stay the unit of the JSON report and of round tracking; comments are what people read.
//! Every item with at least one open must-fix finding gets one [`ItemComment`] whose numbered
//! points each state one fact (findings of rules that describe the same fact, such as LB-04 and
//! DA-13 on one repealed act, are folded into one point). Advice (reform targets) goes to the
//! department as one [`DepartmentComment`] per group, with the items listed. Which rules are
//! advice, how they group and which state the same fact is rule data (`review` in a rule file,
//! carried by each [`RuleDoc`]).
//!
//! Order: by department; within one, department-level must-fix comments, then item comments in
//! item-code order, then advice, errors first.

use crate::finding::{Finding, FindingState, RuleDoc, is_open};
use crate::location::Location;
use crate::model::Text;
use crate::rules::Severity;
use serde::Serialize;
use std::collections::BTreeMap;

/// One review comment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Comment {
    Item(ItemComment),
    Department(DepartmentComment),
}

impl Comment {
    pub fn department(&self) -> &str {
        match self {
            Comment::Item(c) => &c.department,
            Comment::Department(c) => &c.department,
        }
    }

    pub fn severity(&self) -> Severity {
        match self {
            Comment::Item(c) => c.severity,
            Comment::Department(c) => c.severity,
        }
    }

    /// Whether it asks for a fix (an item comment, a department-level problem) rather than
    /// giving advice.
    pub fn must_fix(&self) -> bool {
        match self {
            Comment::Item(_) => true,
            Comment::Department(c) => !c.advice,
        }
    }

    /// The fingerprints of every finding the comment stands for.
    pub fn fingerprints(&self) -> Vec<&str> {
        match self {
            Comment::Item(c) => c
                .points
                .iter()
                .flat_map(|p| p.fingerprints.iter().map(String::as_str))
                .collect(),
            Comment::Department(c) => c
                .items
                .iter()
                .flat_map(|i| i.fingerprints.iter().map(String::as_str))
                .chain(c.fingerprints.iter().map(String::as_str))
                .collect(),
        }
    }
}

/// The comment on one item: its must-fix problems as numbered points, errors first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemComment {
    pub department: Text,
    pub code: Text,
    pub name: Text,
    /// The item's change kind, or `unchanged`.
    pub change: Text,
    /// The most severe of its points.
    pub severity: Severity,
    pub points: Vec<Point>,
}

/// One numbered point of an item comment: one fact, stated once.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    /// The rule that states it, then the rules that noticed the same fact.
    pub rules: Vec<Text>,
    pub severity: Severity,
    pub field: String,
    /// What is wrong and what to do, in the finding's words.
    pub text: String,
    /// The state of the finding that states it.
    pub state: FindingState,
    /// The findings it stands for.
    pub fingerprints: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjustment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The registry entry its finding relied on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<Box<crate::finding::Reference>>,
}

/// Advice (or a department-level problem) for a department: what, how many items, which.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DepartmentComment {
    /// What a reply to it is filed under in the review sheet: for advice listing items,
    /// [`department_key`] of the department and group (the same next round, whatever the items);
    /// for a department-level finding, its fingerprint.
    pub key: String,
    pub department: Text,
    /// The advice group (`review.group`, else the rule code).
    pub group: String,
    pub rules: Vec<Text>,
    pub severity: Severity,
    /// Advice (a reform target) rather than a problem to fix.
    pub advice: bool,
    /// How many items it lists.
    pub count: usize,
    /// What the department is told.
    pub text: String,
    /// The items it is about, in item-code order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Listed>,
    /// A department-level finding's fingerprint (one about the department, not an item).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fingerprints: Vec<String>,
}

/// An item listed by a department comment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Listed {
    pub code: Text,
    pub name: Text,
    pub fingerprints: Vec<String>,
}

/// The key of a department's advice comment of one group: 12 hex digits, like a fingerprint, from
/// the department and the group, so a reply in last round's sheet finds this round's comment.
pub fn department_key(department: &str, group: &str) -> String {
    crate::finding::fingerprint("department-comment", department, group, "")
}

/// How a rule's findings are reviewed.
struct Kind<'a> {
    advice: bool,
    group: &'a str,
    department: Option<&'a str>,
    same_fact: &'a [String],
}

fn kind<'a>(rules: &'a BTreeMap<String, RuleDoc>, rule: &'a str) -> Kind<'a> {
    match rules.get(rule) {
        Some(d) => Kind {
            advice: d.review.advice,
            group: d.review.group.as_deref().unwrap_or(rule),
            department: d.review.department.as_deref(),
            same_fact: &d.review.same_fact,
        },
        None => Kind {
            advice: false,
            group: rule,
            department: None,
            same_fact: &[],
        },
    }
}

/// The first value of a finding's evidence (the cited act, the fee item…): what "the same value"
/// means when two rules state the same fact.
fn first_value(f: &Finding) -> &str {
    f.evidence.split(" | ").next().unwrap_or("")
}

/// The comments on a report's open findings (`findings` in the report's order: by department,
/// then item code).
pub fn build(findings: &[Finding], rules: &BTreeMap<String, RuleDoc>) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < findings.len() {
        let dept = &findings[i].department;
        let end = i + findings[i..]
            .iter()
            .take_while(|f| &f.department == dept)
            .count();
        department(&findings[i..end], rules, &mut out);
        i = end;
    }
    out
}

/// One department's comments, from its findings (sorted by item code).
fn department(findings: &[Finding], rules: &BTreeMap<String, RuleDoc>, out: &mut Vec<Comment>) {
    let Some(first) = findings.first() else {
        return;
    };
    let dept = &first.department;
    let mut level = Vec::new();
    let mut items = Vec::new();
    // Advice by group: the items (in code order) and the department-level findings.
    let mut advice: BTreeMap<&str, (Vec<&Finding>, Vec<&Finding>)> = BTreeMap::new();
    let mut i = 0;
    while i < findings.len() {
        let code = &findings[i].code;
        let end = i + findings[i..].iter().take_while(|f| &f.code == code).count();
        let open: Vec<&Finding> = findings[i..end]
            .iter()
            .filter(|f| is_open(f.state))
            .collect();
        let mut fix = Vec::new();
        for f in open {
            let k = kind(rules, &f.rule);
            if k.advice {
                let entry = advice.entry(k.group).or_default();
                if f.code.is_empty() {
                    entry.1.push(f);
                } else {
                    entry.0.push(f);
                }
            } else if f.code.is_empty() {
                level.push(f);
            } else {
                fix.push(f);
            }
        }
        if !fix.is_empty() {
            items.push(item(&fix, rules));
        }
        i = end;
    }
    for f in level {
        out.push(Comment::Department(DepartmentComment {
            key: f.fingerprint.clone(),
            department: dept.clone(),
            group: f.rule.to_string(),
            rules: vec![f.rule.clone()],
            severity: f.severity,
            advice: false,
            count: 0,
            text: f.message.clone(),
            items: Vec::new(),
            fingerprints: vec![f.fingerprint.clone()],
        }));
    }
    out.extend(items.into_iter().map(Comment::Item));
    let mut notes = Vec::new();
    for (group, (listed, level)) in advice {
        for f in level {
            notes.push(DepartmentComment {
                key: f.fingerprint.clone(),
                department: dept.clone(),
                group: group.to_string(),
                rules: vec![f.rule.clone()],
                severity: f.severity,
                advice: true,
                count: 0,
                text: f.message.clone(),
                items: Vec::new(),
                fingerprints: vec![f.fingerprint.clone()],
            });
        }
        if listed.is_empty() {
            continue;
        }
        let mut rules_named: Vec<Text> = listed.iter().map(|f| f.rule.clone()).collect();
        rules_named.sort();
        rules_named.dedup();
        let severity = listed
            .iter()
            .map(|f| f.severity)
            .min()
            .unwrap_or(Severity::Info);
        let mut items: Vec<Listed> = Vec::new();
        for f in &listed {
            match items.last_mut() {
                Some(l) if l.code == f.code => l.fingerprints.push(f.fingerprint.clone()),
                _ => items.push(Listed {
                    code: f.code.clone(),
                    name: f.name.clone(),
                    fingerprints: vec![f.fingerprint.clone()],
                }),
            }
        }
        // The words of the group's first rule that has them (packs are checked to give every
        // advice rule words; a rule documented without them falls back to its title).
        let words = rules_named
            .iter()
            .find_map(|r| kind(rules, r).department)
            .map(|w| crate::rules::Review::fill(w, dept, items.len()))
            .unwrap_or_else(|| {
                rules_named
                    .iter()
                    .find_map(|r| rules.get(&**r).map(|d| d.title.clone()))
                    .unwrap_or_default()
            });
        notes.push(DepartmentComment {
            key: department_key(dept, group),
            department: dept.clone(),
            group: group.to_string(),
            rules: rules_named,
            severity,
            advice: true,
            count: items.len(),
            text: words,
            items,
            fingerprints: Vec::new(),
        });
    }
    // Errors first, then by group (stable: a group's department-level note before its list).
    notes.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then_with(|| a.group.cmp(&b.group))
    });
    out.extend(notes.into_iter().map(Comment::Department));
}

/// The comment on one item from its open must-fix findings: one point per fact, errors first.
fn item(fix: &[&Finding], rules: &BTreeMap<String, RuleDoc>) -> ItemComment {
    // Where each finding goes: its own point, or the point of a finding stating the same fact.
    let host = |f: &Finding| -> Option<usize> {
        let related = kind(rules, &f.rule).same_fact;
        if related.is_empty() {
            return None;
        }
        fix.iter().position(|g| {
            related.iter().any(|r| **r == *g.rule)
                && g.field == f.field
                && first_value(g) == first_value(f)
                // Two rules naming each other: the one with the smaller code hosts.
                && !(kind(rules, &g.rule).same_fact.iter().any(|r| **r == *f.rule)
                    && g.rule > f.rule)
        })
    };
    let hosts: Vec<Option<usize>> = fix.iter().map(|f| host(f)).collect();
    let mut points: Vec<(usize, Point)> = Vec::new();
    for (i, f) in fix.iter().enumerate() {
        // A host that is itself folded gives its own host (one level is all rule data makes).
        let root = match hosts[i] {
            Some(h) => Some(hosts[h].unwrap_or(h)).filter(|&r| r != i),
            None => None,
        };
        if root.is_some() {
            continue;
        }
        points.push((
            i,
            Point {
                rules: vec![f.rule.clone()],
                severity: f.severity,
                field: f.field.clone(),
                text: f.message.clone(),
                state: f.state,
                fingerprints: vec![f.fingerprint.clone()],
                adjustment: f.adjustment.clone(),
                location: f.location.clone(),
                reference: f.reference.clone(),
            },
        ));
    }
    for (i, f) in fix.iter().enumerate() {
        let Some(h) = hosts[i] else { continue };
        let root = hosts[h].unwrap_or(h);
        if root == i {
            continue;
        }
        if let Some((_, p)) = points.iter_mut().find(|(at, _)| *at == root) {
            if !p.rules.contains(&f.rule) {
                p.rules.push(f.rule.clone());
            }
            p.fingerprints.push(f.fingerprint.clone());
            p.severity = p.severity.min(f.severity);
        }
    }
    let mut points: Vec<Point> = points.into_iter().map(|(_, p)| p).collect();
    points.sort_by_key(|p| p.severity);
    let f = fix[0];
    ItemComment {
        department: f.department.clone(),
        code: f.code.clone(),
        name: f.name.clone(),
        change: f.change.clone(),
        severity: points
            .iter()
            .map(|p| p.severity)
            .min()
            .unwrap_or(f.severity),
        points,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::ReviewDoc;
    use crate::rules::Category;

    fn finding(rule: &str, code: &str, severity: Severity, evidence: &str) -> Finding {
        Finding {
            rule: rule.into(),
            rule_name: Text::default(),
            category: Category::LegalBasis,
            severity,
            code: code.into(),
            name: format!("事项{code}").into(),
            department: "某局".into(),
            change: "unchanged".into(),
            field: "legal_basis".into(),
            message: format!("{rule} on {code}"),
            evidence: evidence.into(),
            fingerprint: format!("{rule}-{code}-{evidence}"),
            state: FindingState::New,
            adjustment: None,
            location: None,
            waiver: None,
            response: None,
            reference: None,
        }
    }

    fn doc(review: ReviewDoc) -> RuleDoc {
        RuleDoc {
            name: String::new(),
            title: "标题".into(),
            severity: Severity::Warning,
            category: Category::LegalBasis,
            rationale: String::new(),
            remediation: String::new(),
            basis: Vec::new(),
            review,
        }
    }

    fn rules() -> BTreeMap<String, RuleDoc> {
        let mut m = BTreeMap::new();
        m.insert("LB-04".into(), doc(ReviewDoc::default()));
        m.insert(
            "DA-13".into(),
            doc(ReviewDoc {
                same_fact: vec!["LB-04".into()],
                ..ReviewDoc::default()
            }),
        );
        m.insert(
            "OV-06".into(),
            doc(ReviewDoc {
                advice: true,
                department: Some("{{department}}有{{count}}个事项可研究跑零次".into()),
                ..ReviewDoc::default()
            }),
        );
        m
    }

    #[test]
    fn one_fact_is_one_point_and_advice_is_grouped() {
        let mut fs = vec![
            finding("DA-13", "A1", Severity::Error, "《甲法》 | 2020-01-01"),
            finding("LB-04", "A1", Severity::Error, "《甲法》 | 2020-01-01"),
            finding("LB-04", "A1", Severity::Error, "《乙法》 | 2019-01-01"),
            finding("OV-06", "A1", Severity::Warning, ""),
            finding("OV-06", "A2", Severity::Warning, ""),
            finding("OV-06", "A3", Severity::Warning, ""),
        ];
        fs[5].state = FindingState::Resolved;
        let c = build(&fs, &rules());
        assert_eq!(c.len(), 2, "{c:#?}");
        let Comment::Item(item) = &c[0] else {
            panic!("item comment first")
        };
        assert_eq!(item.points.len(), 2);
        assert_eq!(
            item.points[0].rules,
            vec![Text::from("LB-04"), "DA-13".into()]
        );
        assert_eq!(item.points[0].text, "LB-04 on A1");
        assert_eq!(item.points[0].fingerprints.len(), 2);
        let Comment::Department(d) = &c[1] else {
            panic!("advice second")
        };
        // The resolved finding on A3 is not advised again.
        assert_eq!(d.count, 2);
        assert_eq!(d.text, "某局有2个事项可研究跑零次");
        assert!(d.advice && !c[1].must_fix());
    }

    #[test]
    fn a_same_fact_rule_alone_is_its_own_point() {
        let fs = vec![finding("DA-13", "A1", Severity::Error, "《甲法》 | 2020")];
        let c = build(&fs, &rules());
        let Comment::Item(item) = &c[0] else { panic!() };
        assert_eq!(item.points[0].rules, vec![Text::from("DA-13")]);
    }
}
