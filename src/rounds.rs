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

/// The previous round: its findings by fingerprint.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    pub findings: Vec<Finding>,
    /// Fingerprints resolved in earlier rounds.
    pub resolved_before: Vec<String>,
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
            .map_err(|e| Error::input(&file, "/findings", e.to_string()))?;
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

/// Marks `findings` against the baseline and appends the resolved ones. Returns the progress and
/// the fingerprints resolved so far (to carry into the next round).
pub fn compare(findings: &mut Vec<Finding>, baseline: &Baseline) -> (Progress, Vec<String>) {
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
    let mut progress = Progress {
        baseline_open: baseline.findings.iter().filter(|f| open(f.state)).count(),
        ..Progress::default()
    };
    let mut seen: HashMap<String, ()> = HashMap::new();
    for f in findings.iter_mut() {
        seen.insert(f.fingerprint.clone(), ());
        f.state = match before.get(f.fingerprint.as_str()) {
            Some(prev) if open(prev.state) => {
                progress.still_open += 1;
                FindingState::Persisting
            }
            Some(_) => {
                progress.reopened += 1;
                FindingState::Reopened
            }
            None if earlier.contains(f.fingerprint.as_str()) => {
                progress.reopened += 1;
                FindingState::Reopened
            }
            None => {
                progress.new += 1;
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
            progress.resolved += 1;
        }
    }
    sort(findings);
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
    (progress, resolved.into_iter().collect())
}

/// Sorts findings as reports list them (the order the check stage uses).
pub fn sort(findings: &mut [Finding]) {
    crate::finding::sort(findings);
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
    let text = crate::load::read_text(path)?;
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        Error::input(
            &file,
            format!("line {}, column {}", e.line(), e.column()),
            e.to_string(),
        )
    })?;
    let problems = crate::schema::problems(crate::schema::waivers(), &value, "");
    if !problems.is_empty() {
        return Err(Error::Input { file, problems });
    }
    let w: WaiverFile =
        serde_json::from_value(value).map_err(|e| Error::input(&file, "", e.to_string()))?;
    let mut ids: Vec<&str> = w.waivers.iter().map(|x| x.id.as_str()).collect();
    ids.sort_unstable();
    if let Some(d) = ids.windows(2).find(|p| p[0] == p[1]) {
        return Err(Error::Input {
            file,
            problems: vec![Problem {
                location: "/waivers".into(),
                message: format!("duplicate waiver id \"{}\"", d[0]),
            }],
        });
    }
    Ok(w.waivers)
}

fn process_finding(
    rule: &str,
    name: &str,
    department: &str,
    field: &str,
    message: String,
    evidence: String,
    severity: Severity,
) -> Finding {
    Finding {
        rule: rule.to_string().into(),
        rule_name: name.to_string().into(),
        category: Category::Format,
        severity,
        code: String::new().into(),
        name: String::new().into(),
        department: department.to_string().into(),
        change: "unchanged".to_string().into(),
        fingerprint: crate::finding::fingerprint(rule, department, field, &evidence),
        field: field.to_string(),
        message,
        evidence,
        state: FindingState::New,
        adjustment: None,
        location: None,
        waiver: None,
        response: None,
    }
}

/// Applies waivers valid on `as_of`: matching findings become `waived`. Expired and unused waivers
/// are returned as findings of their own (CF-90, CF-91).
pub fn apply_waivers(
    findings: &mut [Finding],
    waivers: &[Waiver],
    as_of: NaiveDate,
    zh: bool,
) -> Vec<Finding> {
    let mut extra = Vec::new();
    for w in waivers {
        let who = w.department.clone().unwrap_or_default();
        if w.expires < as_of {
            let message = if zh {
                format!(
                    "豁免{}（{}，{}批准）已于{}到期，相关审核意见恢复有效，请整改或重新申请豁免",
                    w.id, w.doc_no, w.approver, w.expires
                )
            } else {
                format!(
                    "waiver {} ({}, approved by {}) expired on {}; the findings it covered are open again",
                    w.id, w.doc_no, w.approver, w.expires
                )
            };
            extra.push(process_finding(
                WAIVER_EXPIRED,
                "waiver-expired",
                &who,
                "waiver",
                message,
                w.id.clone(),
                Severity::Warning,
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
            let message = if zh {
                format!(
                    "豁免{}（{}）未匹配任何审核意见，可能已整改或选择条件有误，请核实后撤销",
                    w.id, w.doc_no
                )
            } else {
                format!(
                    "waiver {} ({}) matches no finding: the problem may be fixed or the selector wrong; withdraw it",
                    w.id, w.doc_no
                )
            };
            extra.push(process_finding(
                WAIVER_UNUSED,
                "waiver-unused",
                &who,
                "waiver",
                message,
                w.id.clone(),
                Severity::Info,
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
/// flagged (CF-92).
pub fn attach_responses(findings: &mut [Finding], responses: &Responses, zh: bool) -> Vec<Finding> {
    let mut extra = Vec::new();
    for f in findings.iter_mut() {
        let Some(r) = responses.get(&f.fingerprint) else {
            continue;
        };
        f.response = Some(r.clone());
        if r.claims_fixed && !matches!(f.state, FindingState::Resolved | FindingState::Waived) {
            let message = if zh {
                format!(
                    "{}（{}）对审核意见{}（{}）反馈“{}”，但问题仍然存在，请核实整改情况",
                    f.department, f.code, f.rule, f.name, r.text
                )
            } else {
                format!(
                    "{} replied \"{}\" to {} on {} ({}), but the finding is still present",
                    f.department, r.text, f.rule, f.code, f.name
                )
            };
            let mut flag = process_finding(
                CLAIMED_FIXED,
                "claimed-fixed-still-present",
                &f.department,
                &f.field,
                message,
                f.fingerprint.clone(),
                Severity::Warning,
            );
            flag.code = f.code.clone();
            flag.name = f.name.clone();
            flag.fingerprint =
                crate::finding::fingerprint(CLAIMED_FIXED, &f.code, &f.field, &f.fingerprint);
            extra.push(flag);
        }
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
