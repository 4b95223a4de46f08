//! Review rounds: a finding's state against the previous round's report, waivers, and the
//! departments' replies.
//!
//! An audit is not one run: departments fix, resubmit and are reviewed again. Findings are matched
//! across rounds by fingerprint (content, never position), so a finding is `new`, `persisting`,
//! `reopened` (resolved once, back again) or, when the previous round had it and this one does not,
//! `resolved`. A waiver accepts a finding for a reason, with an approver, a decision document and an
//! expiry date; waived findings stay listed and counted apart, and an expired or unused waiver is a
//! finding of its own.

use crate::error::{Error, Problem, Result};
use crate::finding::{Finding, FindingState, Response};
use crate::location::Location;
use crate::messages::Texts;
use crate::rules::{Category, Severity};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Codes of the findings the review process itself raises.
pub const WAIVER_EXPIRED: &str = "CF-90";
pub const WAIVER_UNUSED: &str = "CF-91";
pub const CLAIMED_FIXED: &str = "CF-92";

/// A rule of the review round itself: not a rule file judged by the engine, but a finding the
/// round raises about waivers and replies. Its words (title, message, rationale, remediation) are
/// in the message catalogue under `rule.<code>.*` (reports/messages/rounds.*.json); `rules list`
/// and `rules explain` show these rules beside the pack's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundRule {
    pub code: &'static str,
    pub name: &'static str,
    pub category: Category,
    pub severity: Severity,
    /// The finding's field.
    pub field: &'static str,
}

/// The review round's rules, by code.
pub const ROUND_RULES: [RoundRule; 3] = [
    RoundRule {
        code: WAIVER_EXPIRED,
        name: "waiver-expired",
        category: Category::Format,
        severity: Severity::Warning,
        field: "waiver",
    },
    RoundRule {
        code: WAIVER_UNUSED,
        name: "waiver-unused",
        category: Category::Format,
        severity: Severity::Info,
        field: "waiver",
    },
    RoundRule {
        code: CLAIMED_FIXED,
        name: "claimed-fixed-still-present",
        category: Category::Format,
        severity: Severity::Warning,
        field: "(the finding's field)",
    },
];

/// A round rule by code.
pub fn round_rule(code: &str) -> Option<&'static RoundRule> {
    ROUND_RULES.iter().find(|r| r.code == code)
}

/// The previous round: its findings by fingerprint.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    pub findings: Vec<Finding>,
    /// Fingerprints resolved in earlier rounds.
    pub resolved_before: Vec<String>,
    /// The scorecard figures it recorded (none for a report without a scorecard).
    pub scorecard: crate::scorecard::Recorded,
}

impl Baseline {
    /// Reads a previous `audit-report/1`.
    pub fn read(path: &Path) -> Result<Baseline> {
        let text = crate::load::read_text(path)?;
        let file = path.display().to_string();
        let value = crate::load::report_from_str(&file, &text)?;
        let findings = value
            .get("findings")
            .cloned()
            .unwrap_or(Value::Array(Vec::new()));
        let findings: Vec<Finding> = serde_json::from_value(findings)
            .map_err(|e| Error::input(&file, Location::pointer("/findings"), e.to_string()))?;
        let resolved_before = value
            .get("resolved_before")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        Ok(Baseline {
            scorecard: crate::scorecard::recorded(&value),
            findings,
            resolved_before,
        })
    }
}

/// How the round went, for the summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Open findings of the previous round.
    pub baseline_open: usize,
    /// Of those, still open now.
    pub still_open: usize,
    pub resolved: usize,
    pub new: usize,
    pub reopened: usize,
    pub waived: usize,
}

impl std::ops::AddAssign<&Progress> for Progress {
    fn add_assign(&mut self, o: &Progress) {
        self.baseline_open += o.baseline_open;
        self.still_open += o.still_open;
        self.resolved += o.resolved;
        self.new += o.new;
        self.reopened += o.reopened;
        self.waived += o.waived;
    }
}

/// Marks `findings` against the baseline and appends the resolved ones. Returns the progress and
/// the fingerprints resolved so far (to carry into the next round).
pub fn compare(findings: &mut Vec<Finding>, baseline: &Baseline) -> (Progress, Vec<String>) {
    let (progress, resolved, _) = compare_by_department(findings, baseline);
    (progress, resolved)
}

/// [`compare`], with the progress of each department too (a baseline finding counts for the
/// department it named, a current one for its own).
pub fn compare_by_department(
    findings: &mut Vec<Finding>,
    baseline: &Baseline,
) -> (Progress, Vec<String>, BTreeMap<String, Progress>) {
    let mut by_dept: BTreeMap<String, Progress> = BTreeMap::new();
    let open = |s: FindingState| {
        matches!(
            s,
            FindingState::New
                | FindingState::Persisting
                | FindingState::Reopened
                | FindingState::Waived
        )
    };
    let mut before: HashMap<&str, &Finding> = HashMap::new();
    for f in &baseline.findings {
        before.insert(f.fingerprint.as_str(), f);
    }
    let earlier: std::collections::BTreeSet<&str> = baseline
        .resolved_before
        .iter()
        .map(String::as_str)
        .collect();
    let mut seen: HashMap<String, ()> = HashMap::new();
    for prev in baseline.findings.iter().filter(|f| open(f.state)) {
        by_dept
            .entry(prev.department.to_string())
            .or_default()
            .baseline_open += 1;
    }
    for f in findings.iter_mut() {
        seen.insert(f.fingerprint.clone(), ());
        let dept = by_dept.entry(f.department.to_string()).or_default();
        f.state = match before.get(f.fingerprint.as_str()) {
            Some(prev) if open(prev.state) => {
                dept.still_open += 1;
                FindingState::Persisting
            }
            Some(_) => {
                dept.reopened += 1;
                FindingState::Reopened
            }
            None if earlier.contains(f.fingerprint.as_str()) => {
                dept.reopened += 1;
                FindingState::Reopened
            }
            None => {
                dept.new += 1;
                FindingState::New
            }
        };
    }
    for prev in &baseline.findings {
        if open(prev.state) && !seen.contains_key(&prev.fingerprint) {
            let mut r = prev.clone();
            r.state = FindingState::Resolved;
            r.waiver = None;
            r.location = None;
            findings.push(r);
            by_dept
                .entry(prev.department.to_string())
                .or_default()
                .resolved += 1;
        }
    }
    crate::finding::sort(findings);
    let mut resolved: std::collections::BTreeSet<String> =
        baseline.resolved_before.iter().cloned().collect();
    for f in &baseline.findings {
        if f.state == FindingState::Resolved {
            resolved.insert(f.fingerprint.clone());
        }
    }
    for f in findings.iter() {
        match f.state {
            FindingState::Resolved => {
                resolved.insert(f.fingerprint.clone());
            }
            _ => {
                resolved.remove(&f.fingerprint);
            }
        }
    }
    // The whole catalog's progress is its departments' together.
    let mut progress = Progress::default();
    for p in by_dept.values() {
        progress += p;
    }
    (progress, resolved.into_iter().collect(), by_dept)
}

/// One waiver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    pub id: String,
    /// The finding it accepts…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// …or a selector: a rule, for one item or a whole department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    pub reason: String,
    pub approver: String,
    /// The decision document's number.
    pub doc_no: String,
    /// The last day the waiver holds.
    pub expires: NaiveDate,
}

impl Waiver {
    fn matches(&self, f: &Finding) -> bool {
        if let Some(fp) = &self.fingerprint {
            return fp == &f.fingerprint;
        }
        self.rule.as_deref().is_some_and(|r| *r == *f.rule)
            && self.code.as_deref().is_none_or(|c| *c == *f.code)
            && self
                .department
                .as_deref()
                .is_none_or(|d| *d == *f.department)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WaiverFile {
    #[allow(dead_code)]
    format: String,
    waivers: Vec<Waiver>,
}

/// Reads a `waivers/1` file.
pub fn read_waivers(path: &Path) -> Result<Vec<Waiver>> {
    let file = path.display().to_string();
    let text = crate::load::read_text_within(path, Some(crate::files::SETUP_LIMIT))?;
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        Error::input(
            &file,
            Location::Line {
                line: e.line(),
                column: e.column(),
            },
            e.to_string(),
        )
    })?;
    let problems = crate::schema::problems(crate::schema::waivers(), &value, None, "");
    if !problems.is_empty() {
        return Err(Error::Input { file, problems });
    }
    let w: WaiverFile = serde_json::from_value(value)
        .map_err(|e| Error::input(&file, Location::File, e.to_string()))?;
    let mut ids: Vec<&str> = w.waivers.iter().map(|x| x.id.as_str()).collect();
    ids.sort_unstable();
    if let Some(d) = ids.windows(2).find(|p| p[0] == p[1]) {
        return Err(Error::Input {
            file,
            problems: vec![Problem {
                location: Location::pointer("/waivers"),
                message: format!("duplicate waiver id \"{}\"", d[0]),
            }],
        });
    }
    Ok(w.waivers)
}

/// A finding of a round rule about a department (and, for replies, an item).
fn round_finding(
    code: &str,
    department: &str,
    field: &str,
    message: String,
    evidence: String,
) -> Finding {
    let rule = round_rule(code).expect("a round rule");
    Finding {
        rule: rule.code.to_string().into(),
        rule_name: rule.name.to_string().into(),
        category: rule.category,
        severity: rule.severity,
        code: String::new().into(),
        name: String::new().into(),
        department: department.to_string().into(),
        change: "unchanged".to_string().into(),
        fingerprint: crate::finding::fingerprint(code, department, field, &evidence),
        field: field.to_string(),
        message,
        evidence,
        state: FindingState::New,
        adjustment: None,
        location: None,
        waiver: None,
        response: None,
        reference: None,
    }
}

/// Applies waivers valid on `as_of`: matching findings become `waived`. Expired and unused waivers
/// are returned as findings of their own (CF-90, CF-91).
pub fn apply_waivers(
    findings: &mut [Finding],
    waivers: &[Waiver],
    as_of: NaiveDate,
    t: &Texts,
) -> Vec<Finding> {
    let mut extra = Vec::new();
    for w in waivers {
        let who = w.department.clone().unwrap_or_default();
        if w.expires < as_of {
            let message = t.fmt(
                "rule.CF-90.message",
                &[
                    ("expires", &w.expires),
                    ("approver", &w.approver),
                    ("doc_no", &w.doc_no),
                    ("id", &w.id),
                ],
            );
            extra.push(round_finding(
                WAIVER_EXPIRED,
                &who,
                "waiver",
                message,
                w.id.clone(),
            ));
            continue;
        }
        let mut used = false;
        for f in findings.iter_mut() {
            if matches!(f.state, FindingState::Resolved) || f.waiver.is_some() {
                continue;
            }
            if w.matches(f) {
                f.state = FindingState::Waived;
                f.waiver = Some(w.id.clone());
                used = true;
            }
        }
        if !used {
            let message = t.fmt(
                "rule.CF-91.message",
                &[("doc_no", &w.doc_no), ("id", &w.id)],
            );
            extra.push(round_finding(
                WAIVER_UNUSED,
                &who,
                "waiver",
                message,
                w.id.clone(),
            ));
        }
    }
    extra
}

/// Replies read back from review sheets: fingerprint → response.
pub type Responses = BTreeMap<String, Response>;

/// Whether a reply says the problem was fixed.
pub fn claims_fixed(text: &str) -> bool {
    let t = text.trim();
    [
        "已整改",
        "已修改",
        "已完成",
        "已更正",
        "已补充",
        "已删除",
        "已调整",
        "fixed",
        "done",
    ]
    .iter()
    .any(|k| t.contains(k))
        && !["未整改", "暂未", "不同意", "无法"]
            .iter()
            .any(|k| t.contains(k))
}

/// Attaches replies to findings; a finding the department called fixed that is still open is
/// flagged (CF-92). A reply to an advice comment (filed under its
/// [`crate::comments::department_key`]) goes to every finding of the department in that group;
/// if it claims a fix while some are still open, that is one department-level CF-92, not one per
/// item. `advice_group` gives an advice rule's group (None for a must-fix rule).
pub fn attach_responses(
    findings: &mut [Finding],
    responses: &Responses,
    advice_group: &dyn Fn(&str) -> Option<String>,
    t: &Texts,
) -> Vec<Finding> {
    let mut extra = Vec::new();
    // (department, group) → (reply, its open findings, their rules) for advice claimed fixed.
    let mut claimed: BTreeMap<(String, String), (Response, usize, Vec<String>)> = BTreeMap::new();
    for f in findings.iter_mut() {
        let (r, group) = match responses.get(&f.fingerprint) {
            Some(r) => (r, None),
            None => {
                let Some(group) = advice_group(&f.rule).filter(|_| !f.code.is_empty()) else {
                    continue;
                };
                let key = crate::comments::department_key(&f.department, &group);
                match responses.get(&key) {
                    Some(r) => (r, Some(group)),
                    None => continue,
                }
            }
        };
        f.response = Some(r.clone());
        if !r.claims_fixed || matches!(f.state, FindingState::Resolved | FindingState::Waived) {
            continue;
        }
        if let Some(group) = group {
            let e = claimed
                .entry((f.department.to_string(), group))
                .or_insert_with(|| (r.clone(), 0, Vec::new()));
            e.1 += 1;
            if !e.2.iter().any(|x| **x == *f.rule) {
                e.2.push(f.rule.to_string());
            }
            continue;
        }
        // Catalog and reply text are filled in last, so braces in them stay as written.
        let message = t.fmt(
            "rule.CF-92.message",
            &[
                ("rule", &f.rule),
                ("code", &f.code),
                ("department", &f.department),
                ("name", &f.name),
                ("reply", &r.words(t)),
            ],
        );
        let mut flag = round_finding(
            CLAIMED_FIXED,
            &f.department,
            &f.field,
            message,
            f.fingerprint.clone(),
        );
        flag.code = f.code.clone();
        flag.name = f.name.clone();
        flag.fingerprint =
            crate::finding::fingerprint(CLAIMED_FIXED, &f.code, &f.field, &f.fingerprint);
        extra.push(flag);
    }
    for ((department, group), (reply, open, mut rules)) in claimed {
        rules.sort();
        let message = t.fmt(
            "rule.CF-92.advice_message",
            &[
                ("department", &department),
                ("rules", &rules.join(&t.get("comment.list_sep"))),
                ("n", &open),
                ("reply", &reply.words(t)),
            ],
        );
        let key = crate::comments::department_key(&department, &group);
        extra.push(round_finding(
            CLAIMED_FIXED,
            &department,
            &group,
            message,
            key,
        ));
    }
    extra
}

/// Per (department, rule): open findings now and in the baseline, for the ratchet.
pub fn ratchet_rises(
    findings: &[Finding],
    baseline: &Baseline,
) -> Vec<(String, String, usize, usize)> {
    let open = |s: FindingState| {
        matches!(
            s,
            FindingState::New | FindingState::Persisting | FindingState::Reopened
        )
    };
    let mut now: BTreeMap<(String, String), usize> = BTreeMap::new();
    for f in findings.iter().filter(|f| open(f.state)) {
        *now.entry((f.department.to_string(), f.rule.to_string()))
            .or_default() += 1;
    }
    let mut before: BTreeMap<(String, String), usize> = BTreeMap::new();
    for f in baseline.findings.iter().filter(|f| open(f.state)) {
        *before
            .entry((f.department.to_string(), f.rule.to_string()))
            .or_default() += 1;
    }
    now.into_iter()
        .filter_map(|((d, r), n)| {
            let b = before.get(&(d.clone(), r.clone())).copied().unwrap_or(0);
            (n > b).then_some((d, r, b, n))
        })
        .collect()
}
