//! The scorecard's targets (`scorecard-targets/1`, `rules/scorecard/targets.json`): which items
//! the department scorecard ([`crate::scorecard`]) counts, and the targets that turn a figure
//! into advice, each with its source. Pack data, read with the rules.

use crate::rules::{PolicyBasis, Text};
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
    /// The document that sets it, where one does: the target is applied only where that document
    /// is cited (a region's own standard on that region's catalogs, not before its issue). A
    /// target without one (the pack's own line) applies to every catalog.
    #[serde(default)]
    pub basis: Option<PolicyBasis>,
    /// What a department below the target is told (`{{department}}`, `{{value}}`, `{{target}}`).
    pub advice: Text,
}

impl Targets {
    /// The targets a report judged as of `as_of` on a catalog of `region_code` applies: those
    /// whose document it may cite (see [`PolicyBasis::citable`]).
    pub fn in_force(&self, as_of: chrono::NaiveDate, region_code: Option<&str>) -> Targets {
        Targets {
            targets: self
                .targets
                .iter()
                .filter(|t| {
                    t.basis
                        .as_ref()
                        .is_none_or(|b| b.citable(as_of, region_code))
                })
                .cloned()
                .collect(),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_regions_own_target_applies_to_its_catalogs_from_its_year() {
        let targets: Targets = serde_json::from_value(serde_json::json!({
            "format": "scorecard-targets/1",
            "targets": [
                {"metric": "at_most_one", "min": 1.0, "source": "DB33",
                 "basis": {"title": "规范", "doc_no": "DB33/T 2036.1-2017", "region": "33"},
                 "advice": {"zh": "z", "en": "e"}},
                {"metric": "compression", "min": 0.5, "source": "pack",
                 "advice": {"zh": "z", "en": "e"}}
            ]
        }))
        .unwrap();
        let metrics = |as_of: &str, region: Option<&str>| -> Vec<Metric> {
            let t = targets.in_force(day(as_of), region);
            t.targets.iter().map(|t| t.metric).collect()
        };
        let both = vec![Metric::AtMostOne, Metric::Compression];
        assert_eq!(metrics("2017-12-31", Some("339900")), both);
        // Another province's catalog, one of unknown region, one judged before 2017: only the
        // pack's own line.
        assert_eq!(metrics("2017-12-31", Some("440100")), [Metric::Compression]);
        assert_eq!(metrics("2017-12-31", None), [Metric::Compression]);
        assert_eq!(metrics("2016-12-31", Some("339900")), [Metric::Compression]);
    }
}
