//! `history`: every dated snapshot of a directory (and the logs whose period falls between them)
//! audited in date order, each period a review round against the one before.

use super::{Audit, Round};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::history::{DeptPeriod, Period, Timeline};
use crate::load::{self, DocKind, InputFormat, Options};
use crate::location::Location;
use crate::model::{AdjustmentLog, Catalog};
use crate::rounds::Baseline;
use crate::rules::{Lang, Pack};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |f| f.to_string_lossy().into_owned(),
    )
}

/// Reads every snapshot and log in `dir` and audits consecutive snapshots.
pub fn build(
    dir: &Path,
    pack: &Pack,
    config: &Config,
    opts: &Options,
    lang: Lang,
) -> Result<Timeline> {
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    let mut snapshots: Vec<Catalog> = Vec::new();
    let mut logs: Vec<AdjustmentLog> = Vec::new();
    for p in &paths {
        let ext = p
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match opts.format_of(p) {
            InputFormat::Json if ext == "json" => match load::sniff(p)?.0 {
                DocKind::Snapshot => snapshots.push(load::snapshot_with(p, opts)?),
                DocKind::AdjustmentLog => logs.push(load::adjustment_log_with(p, opts)?),
                _ => {}
            },
            InputFormat::Csv | InputFormat::Xlsx => {
                // A spreadsheet with an adjustment-type column is a log.
                match load::adjustment_log_with(p, opts) {
                    Ok(l) if !l.adjustments.is_empty() => logs.push(l),
                    _ => snapshots.push(load::snapshot_with(p, opts)?),
                }
            }
            _ => {}
        }
    }
    let warnings: Vec<crate::error::Problem> = snapshots
        .iter()
        .flat_map(|c| c.warnings.iter())
        .chain(logs.iter().flat_map(|l| l.warnings.iter()))
        .cloned()
        .collect();
    let mut dated: Vec<(NaiveDate, Catalog)> = Vec::new();
    for c in snapshots {
        let date = c.info.as_of.ok_or_else(|| {
            Error::input(
                &c.source,
                Location::pointer("/catalog/as_of"),
                "a snapshot in a history needs its date (catalog.as_of or a date in the file name)",
            )
        })?;
        dated.push((date, c));
    }
    dated.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.source.cmp(&b.1.source)));
    if let Some(w) = dated.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(Error::Usage(format!(
            "{} and {} are both dated {}; a history needs one snapshot per date",
            w[0].1.source, w[1].1.source, w[0].0
        )));
    }
    let mut periods = Vec::new();
    // Each period is a review round against the one before, as `audit --baseline` would run it.
    let mut previous: Option<Round> = None;
    for w in dated.windows(2) {
        let ((from, old), (to, new)) = (&w[0], &w[1]);
        // The log of a period: its `period.to` (or, failing that, `period.from`) falls in it.
        let log = logs.iter().find(|l| {
            l.period
                .as_ref()
                .and_then(|p| p.to.or(p.from))
                .is_some_and(|d| d > *from && d <= *to)
        });
        let report = super::audit(&Audit {
            old,
            new,
            log,
            pack,
            config,
            as_of: *to,
            lang,
            round: previous.as_ref(),
            progress: None,
        });
        // The period's figures are the report's own counts (open findings by severity), so the
        // timeline says what the period's report says.
        let departments: BTreeMap<String, DeptPeriod> = report
            .stats
            .departments
            .iter()
            .map(|(name, d)| {
                let c = &d.changes;
                (
                    name.clone(),
                    DeptPeriod {
                        added: c.added,
                        changed: c.changed + c.merged + c.split,
                        cancelled: c.cancelled,
                        recoded: c.recoded,
                        errors: d.findings.open.error,
                        warnings: d.findings.open.warning,
                        info: d.findings.open.info,
                    },
                )
            })
            .collect();
        let s = &report.summary;
        periods.push(Period {
            from: *from,
            to: *to,
            old_file: file_name(Path::new(&old.source)),
            new_file: file_name(Path::new(&new.source)),
            adjustments: log.map(|l| file_name(Path::new(&l.source))),
            items: new.items.len(),
            added: s.added,
            changed: s.changed + s.merged + s.split,
            cancelled: s.cancelled,
            recoded: s.recoded,
            errors: s.findings.error,
            warnings: s.findings.warning,
            info: s.findings.info,
            departments,
            progress: report.progress,
            scorecard: report.scorecard.clone(),
        });
        previous = Some(Round {
            baseline: Some(Baseline {
                findings: report.findings,
                resolved_before: report.resolved_before,
                scorecard: Default::default(),
            }),
            ..Round::default()
        });
    }
    Ok(Timeline {
        format: "catalog-history/1",
        snapshots: dated.len(),
        periods,
        warnings,
    })
}
