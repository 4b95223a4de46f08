//! `catalog-history/1`: the story of a catalog over time — per period the additions, changes,
//! cancellations and findings, in total and per department, and the round against the period
//! before. Built by [`crate::pipeline::history`], rendered by [`crate::report::history`].

use crate::rounds::Progress;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// One department's figures in one period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeptPeriod {
    pub added: usize,
    pub changed: usize,
    pub cancelled: usize,
    pub recoded: usize,
    pub errors: usize,
    pub warnings: usize,
    pub info: usize,
}

/// One period between two consecutive snapshots.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub old_file: String,
    pub new_file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjustments: Option<String>,
    pub items: usize,
    pub added: usize,
    pub changed: usize,
    pub cancelled: usize,
    pub recoded: usize,
    pub errors: usize,
    pub warnings: usize,
    pub info: usize,
    pub departments: BTreeMap<String, DeptPeriod>,
    /// The review round against the previous period's findings (from the second period on):
    /// how many of its comments are still open, resolved, new, reopened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<Progress>,
    /// The period's scorecard (the audit report's `scorecard`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scorecard: Option<crate::scorecard::Scorecard>,
}

/// `catalog-history/1`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    pub format: &'static str,
    pub snapshots: usize,
    pub periods: Vec<Period>,
    /// What loading the snapshots and logs read other than as written (for stderr, not the
    /// document).
    #[serde(skip)]
    pub warnings: Vec<crate::error::Problem>,
}
