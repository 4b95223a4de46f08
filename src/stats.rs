//! Every count a report shows, computed once from the report's findings and changes: per
//! department × severity × state, per category, per rule, per change kind, and the round's
//! progress. Renderers read these numbers and never count for themselves, so the terminal, JSON,
//! HTML, index, Markdown, XLSX, CSV and history agree.
//!
//! The convention every renderer follows: a *finding count* is the open findings (new,
//! persisting, reopened) by severity; waived and resolved findings are listed too, and counted
//! apart (`waived`, `resolved`); `listed` is every finding a report lists.

use crate::comments::Comment;
use crate::diff::{Change, ChangeKind};
use crate::finding::{Finding, FindingState, is_open};
use crate::rules::{Category, Severity};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// Open findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SeverityCounts {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

impl SeverityCounts {
    fn add(&mut self, s: Severity) {
        match s {
            Severity::Error => self.error += 1,
            Severity::Warning => self.warning += 1,
            Severity::Info => self.info += 1,
        }
    }

    /// The count of one severity.
    pub fn get(&self, s: Severity) -> usize {
        match s {
            Severity::Error => self.error,
            Severity::Warning => self.warning,
            Severity::Info => self.info,
        }
    }

    pub fn total(&self) -> usize {
        self.error + self.warning + self.info
    }
}

/// Findings of one scope (the report, a department, a rule) by severity and state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FindingCounts {
    /// Open findings (new, persisting, reopened) by severity: what "findings" means everywhere.
    pub open: SeverityCounts,
    /// Open findings by category (in [`Category::ALL`] order) and severity.
    pub by_category: [SeverityCounts; Category::ALL.len()],
    pub new: usize,
    pub persisting: usize,
    pub reopened: usize,
    pub waived: usize,
    pub resolved: usize,
    /// Every finding listed, whatever its state.
    pub listed: usize,
}

impl FindingCounts {
    fn add(&mut self, f: &Finding) {
        self.listed += 1;
        match f.state {
            FindingState::New => self.new += 1,
            FindingState::Persisting => self.persisting += 1,
            FindingState::Reopened => self.reopened += 1,
            FindingState::Waived => self.waived += 1,
            FindingState::Resolved => self.resolved += 1,
        }
        if is_open(f.state) {
            self.open.add(f.severity);
            if let Some(i) = Category::ALL.iter().position(|c| *c == f.category) {
                self.by_category[i].add(f.severity);
            }
        }
    }

    /// Open findings of every severity.
    pub fn open_total(&self) -> usize {
        self.open.total()
    }
}

/// Changes by kind (merges and splits apart).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ChangeCounts {
    pub added: usize,
    pub changed: usize,
    pub cancelled: usize,
    pub recoded: usize,
    pub merged: usize,
    pub split: usize,
}

impl ChangeCounts {
    fn add(&mut self, k: ChangeKind) {
        match k {
            ChangeKind::Added => self.added += 1,
            ChangeKind::Changed => self.changed += 1,
            ChangeKind::Cancelled => self.cancelled += 1,
            ChangeKind::Recoded => self.recoded += 1,
            ChangeKind::Merged => self.merged += 1,
            ChangeKind::Split => self.split += 1,
        }
    }

    /// The count of one kind.
    pub fn get(&self, k: ChangeKind) -> usize {
        match k {
            ChangeKind::Added => self.added,
            ChangeKind::Changed => self.changed,
            ChangeKind::Cancelled => self.cancelled,
            ChangeKind::Recoded => self.recoded,
            ChangeKind::Merged => self.merged,
            ChangeKind::Split => self.split,
        }
    }

    /// Every change listed.
    pub fn total(&self) -> usize {
        self.added + self.changed + self.cancelled + self.recoded + self.merged + self.split
    }
}

/// Review comments by kind ([`crate::comments`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CommentCounts {
    /// Item comments (one per item with must-fix problems), by their highest severity.
    pub items: SeverityCounts,
    /// Their numbered points.
    pub points: usize,
    /// Department-level problems to fix.
    pub department: usize,
    /// Advice comments to departments.
    pub advice: usize,
    /// Items listed by advice comments (an item listed by two is counted twice).
    pub advised_items: usize,
    /// Must-fix comments sent last round too: one of their findings persists from the baseline.
    pub carried: usize,
}

impl CommentCounts {
    fn add(&mut self, c: &Comment, persisting: &HashSet<&str>) {
        if c.must_fix()
            && !persisting.is_empty()
            && c.fingerprints().iter().any(|f| persisting.contains(f))
        {
            self.carried += 1;
        }
        match c {
            Comment::Item(i) => {
                self.items.add(i.severity);
                self.points += i.points.len();
            }
            Comment::Department(d) if d.advice => {
                self.advice += 1;
                self.advised_items += d.count;
            }
            Comment::Department(_) => self.department += 1,
        }
    }

    /// Comments that ask for a fix (items and department-level problems).
    pub fn must_fix(&self) -> usize {
        self.items.total() + self.department
    }

    /// Every comment.
    pub fn total(&self) -> usize {
        self.must_fix() + self.advice
    }
}

/// One department's figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DeptCounts {
    pub findings: FindingCounts,
    pub changes: ChangeCounts,
    pub comments: CommentCounts,
}

/// Every count of a report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub findings: FindingCounts,
    pub changes: ChangeCounts,
    pub comments: CommentCounts,
    /// By department name (the empty name for findings about no department), in report order.
    pub departments: BTreeMap<String, DeptCounts>,
    /// By rule code.
    pub rules: BTreeMap<String, FindingCounts>,
}

impl Stats {
    /// Counts the findings, changes and comments of a report.
    pub fn of(findings: &[Finding], changes: &[Change], comments: &[Comment]) -> Stats {
        let mut s = Stats::default();
        // Keyed by borrowed names while counting: a million findings, a few hundred keys.
        let mut depts: BTreeMap<&str, DeptCounts> = BTreeMap::new();
        let mut rules: BTreeMap<&str, FindingCounts> = BTreeMap::new();
        for f in findings {
            s.findings.add(f);
            depts.entry(&f.department).or_default().findings.add(f);
            rules.entry(&f.rule).or_default().add(f);
        }
        for c in changes {
            s.changes.add(c.kind);
            depts.entry(&c.department).or_default().changes.add(c.kind);
        }
        // Only a later round has persisting findings; the set stays empty otherwise.
        let persisting: HashSet<&str> = findings
            .iter()
            .filter(|f| f.state == FindingState::Persisting)
            .map(|f| f.fingerprint.as_str())
            .collect();
        for c in comments {
            s.comments.add(c, &persisting);
            depts
                .entry(c.department())
                .or_default()
                .comments
                .add(c, &persisting);
        }
        s.departments = depts.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        s.rules = rules.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        s
    }

    /// A department's figures (zero when it has neither findings nor changes).
    pub fn department(&self, name: &str) -> DeptCounts {
        self.departments.get(name).copied().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Text;

    fn finding(dept: &str, rule: &str, severity: Severity, state: FindingState) -> Finding {
        Finding {
            rule: Text::from(rule),
            rule_name: Text::default(),
            category: Category::Fee,
            severity,
            code: Text::from("X"),
            name: Text::default(),
            department: Text::from(dept),
            change: Text::from("unchanged"),
            field: String::new(),
            message: String::new(),
            evidence: String::new(),
            fingerprint: String::new(),
            state,
            adjustment: None,
            location: None,
            waiver: None,
            response: None,
            reference: None,
        }
    }

    #[test]
    fn open_waived_and_resolved_are_counted_apart_and_add_up() {
        let fs = [
            finding("A", "FEE-01", Severity::Error, FindingState::New),
            finding("A", "FEE-01", Severity::Error, FindingState::Resolved),
            finding("A", "FEE-02", Severity::Warning, FindingState::Waived),
            finding("B", "FEE-02", Severity::Info, FindingState::Persisting),
            finding("B", "FEE-02", Severity::Warning, FindingState::Reopened),
        ];
        let s = Stats::of(&fs, &[], &[]);
        assert_eq!(s.findings.open.error, 1);
        assert_eq!(s.findings.open.warning, 1);
        assert_eq!(s.findings.open.info, 1);
        assert_eq!((s.findings.waived, s.findings.resolved), (1, 1));
        assert_eq!(s.findings.listed, 5);
        let a = s.department("A").findings;
        assert_eq!(
            (a.open_total(), a.listed, a.waived, a.resolved),
            (1, 3, 1, 1)
        );
        let sum: usize = s
            .departments
            .values()
            .map(|d| d.findings.open_total())
            .sum();
        assert_eq!(sum, s.findings.open_total());
        assert_eq!(s.rules["FEE-02"].listed, 3);
        let fee = Category::ALL
            .iter()
            .position(|c| *c == Category::Fee)
            .unwrap();
        assert_eq!(s.findings.by_category[fee].total(), 3);
    }
}
