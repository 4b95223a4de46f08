//! The scorecard's targets (`scorecard-targets/1`, `rules/scorecard/targets.json`): which items
//! the department scorecard ([`crate::scorecard`]) counts, and the targets that turn a figure
//! into advice, each with its source. Pack data, read with the rules.

use crate::rules::Text;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    ZeroVisit,
    AtMostOne,
    Immediate,
    Compression,
    Online,
    Mobile,
    MaterialsPerItem,
}

impl Metric {
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::ZeroVisit => "zero_visit",
            Metric::AtMostOne => "at_most_one",
            Metric::Immediate => "immediate",
            Metric::Compression => "compression",
            Metric::Online => "online",
            Metric::Mobile => "mobile",
            Metric::MaterialsPerItem => "materials_per_item",
        }
    }

    /// Whether more is better (fewer materials per item is better).
    pub fn higher_is_better(self) -> bool {
        self != Metric::MaterialsPerItem
    }

    /// Whether the value is a share (shown as a percentage).
    pub fn is_share(self) -> bool {
        self != Metric::MaterialsPerItem
    }
}

/// `scorecard-targets/1`: which items count and the targets that turn a figure into advice.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    pub format: String,
    #[serde(default)]
    pub note: Option<String>,
    /// Item types nobody applies for (处罚, 检查 …): left out of every figure.
    #[serde(default)]
    pub exclude_types: Vec<String>,
    #[serde(default)]
    pub targets: Vec<TargetSpec>,
}

/// A target on one figure, with the document that sets it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSpec {
    pub metric: Metric,
    /// The figure should be at least this (shares as fractions).
    #[serde(default)]
    pub min: Option<f64>,
    /// The figure should be at most this.
    #[serde(default)]
    pub max: Option<f64>,
    /// Where the target comes from.
    pub source: String,
    /// What a department below the target is told (`{{department}}`, `{{value}}`, `{{target}}`).
    pub advice: Text,
}
