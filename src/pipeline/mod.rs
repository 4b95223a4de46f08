//! The audit as one library call: load both snapshots and the log → diff → engine → review round
//! → manifest → report model. The command line (`audit`), `history`, the rule examples and the
//! benchmarks all run this; nothing here prints or decides an exit code.
//!
//! - [`load`] reads the snapshots and the log at the same time;
//! - [`Round::read`] reads the round's inputs (baseline report, waivers, the departments' replies);
//! - [`audit`] runs diff, check and round on loaded inputs and returns the [`Report`];
//! - [`manifest`] records what produced the report; [`gate`] says whether the run fails.

pub mod example;
pub mod history;
pub mod responses;
pub mod validate;

use crate::check::{self, Input};
use crate::config::{Config, FailOn};
use crate::diff;
use crate::error::Result;
use crate::finding::FindingState;
use crate::load;
use crate::messages::Texts;
use crate::model::{AdjustmentLog, Catalog};
use crate::report::{self, InputFile, Manifest, Parts, Report, RuleDoc};
use crate::rounds::{self, Baseline, Responses, Waiver};
use crate::rules::{Lang, Pack};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use responses::read_responses;

/// The inputs of an audit, loaded.
pub struct Loaded {
    pub old: Catalog,
    pub new: Catalog,
    pub log: Option<AdjustmentLog>,
}

/// Reads the two snapshots and the log at the same time (one loader: values repeated across the
/// snapshots are validated and stored once).
pub fn load(
    old: &Path,
    new: &Path,
    adjustments: Option<&Path>,
    opts: &load::Options,
) -> Result<Loaded> {
    let loader = load::Loader::new();
    let ((old, new), log) = rayon::join(
        || {
            rayon::join(
                || load::snapshot_using(old, opts, &loader),
                || load::snapshot_using(new, opts, &loader),
            )
        },
        || {
            adjustments
                .map(|p| load::adjustment_log_with(p, opts))
                .transpose()
        },
    );
    Ok(Loaded {
        old: old?,
        new: new?,
        log: log?,
    })
}

/// The review round's inputs: the previous round's report, accepted findings, and the
/// departments' replies.
#[derive(Debug, Default)]
pub struct Round {
    pub baseline: Option<Baseline>,
    pub waivers: Vec<Waiver>,
    pub responses: Responses,
}

impl Round {
    /// Whether there is no round at all (a first audit with no waivers and no replies).
    pub fn is_empty(&self) -> bool {
        self.baseline.is_none() && self.waivers.is_empty() && self.responses.is_empty()
    }

    /// Reads whichever round inputs are given.
    pub fn read(
        baseline: Option<&Path>,
        waivers: Option<&Path>,
        responses: Option<&Path>,
        opts: &load::Options,
    ) -> Result<Round> {
        Ok(Round {
            baseline: baseline.map(Baseline::read).transpose()?,
            waivers: match waivers {
                Some(p) => rounds::read_waivers(p)?,
                None => Vec::new(),
            },
            responses: match responses {
                Some(p) => read_responses(p, opts)?,
                None => Responses::new(),
            },
        })
    }
}

/// What one audit judges: loaded catalogs, the rules and the date and language of the report.
pub struct Audit<'a> {
    pub old: &'a Catalog,
    pub new: &'a Catalog,
    pub log: Option<&'a AdjustmentLog>,
    pub pack: &'a Pack,
    pub config: &'a Config,
    pub as_of: NaiveDate,
    pub lang: Lang,
    /// The review round, if this is not the first.
    pub round: Option<&'a Round>,
    /// Called as items are checked with (done, total), for a progress bar.
    pub progress: Option<&'a (dyn Fn(usize, usize) + Sync)>,
}

/// Diff, check, build the report model and apply the review round.
pub fn audit(a: &Audit<'_>) -> Report {
    let d = diff::diff(a.old, a.new, a.log);
    let findings = check::check(
        a.pack,
        &Input {
            old: Some(a.old),
            new: a.new,
            diff: &d,
            log: a.log,
            as_of: a.as_of,
            lang: a.lang,
            config: a.config,
            progress: a.progress,
        },
    );
    let diff::Diff {
        changes, counts, ..
    } = d;
    let mut report = Report::build(Parts {
        old: Some(a.old),
        new: a.new,
        counts,
        changes,
        findings,
        pack: Some(a.pack),
        as_of: a.as_of,
        lang: a.lang,
    });
    // A deployment's own documents replace the pack's basis of a rule (still only those issued
    // by the day judged at).
    for (code, policy) in &a.config.rules {
        if let Some(doc) = report
            .rules
            .get_mut(code)
            .filter(|_| !policy.basis.is_empty())
        {
            doc.basis = policy
                .basis
                .iter()
                .filter(|b| b.citable(a.as_of, a.new.info.region_code.as_deref()))
                .cloned()
                .collect();
        }
    }
    // A first audit with nothing to reconcile leaves the report as built: no second sort or
    // count of (at scale) a million findings.
    if let Some(round) = a.round.filter(|r| !r.is_empty()) {
        apply_round(&mut report, round, a.config, a.as_of, a.lang);
    }
    report
}

/// [`audit`] of a first round without progress reporting: what tests, examples and benchmarks
/// call.
pub fn audit_loaded(
    old: &Catalog,
    new: &Catalog,
    log: Option<&AdjustmentLog>,
    pack: &Pack,
    config: &Config,
    as_of: NaiveDate,
    lang: Lang,
) -> Report {
    audit(&Audit {
        old,
        new,
        log,
        pack,
        config,
        as_of,
        lang,
        round: None,
        progress: None,
    })
}

/// The round on a report: states against the baseline, replies, waivers; then the counts again.
/// The round's own findings (CF-90/91/92) follow the configuration like any rule's (disabled,
/// severity overrides) and their rules are documented in the report like the pack's.
pub fn apply_round(
    report: &mut Report,
    round: &Round,
    config: &Config,
    as_of: NaiveDate,
    lang: Lang,
) {
    if let Some(b) = &round.baseline {
        // The figures' change since the baseline round.
        if let Some(card) = &mut report.scorecard {
            crate::scorecard::since(card, &b.scorecard);
        }
        let (progress, resolved, by_department) =
            rounds::compare_by_department(&mut report.findings, b);
        report.progress = Some(progress);
        report.progress_by_department = by_department;
        report.resolved_before = resolved;
    }
    let t = Texts::builtin(lang);
    let rules = &report.rules;
    let advice_group = |rule: &str| {
        rules
            .get(rule)
            .filter(|d| d.review.advice)
            .map(|d| d.review.group.clone().unwrap_or_else(|| rule.to_string()))
    };
    let mut extra =
        rounds::attach_responses(&mut report.findings, &round.responses, &advice_group, &t);
    extra.extend(rounds::apply_waivers(
        &mut report.findings,
        &round.waivers,
        as_of,
        &t,
    ));
    // States change in place (the order does not depend on them); only added findings need the
    // list sorted again (the baseline comparison sorts what it adds itself).
    let resort = !extra.is_empty();
    for mut f in extra {
        let Some(severity) = config.decide(&f.rule, f.severity, &f.department, "") else {
            continue;
        };
        f.severity = severity;
        if let Some(rule) = rounds::round_rule(&f.rule) {
            report
                .rules
                .entry(rule.code.to_string())
                .or_insert_with(|| round_rule_doc(rule, &t));
        }
        report.findings.push(f);
    }
    if resort {
        crate::finding::sort(&mut report.findings);
    }
    if let Some(p) = &mut report.progress {
        p.waived = 0;
        for f in report
            .findings
            .iter()
            .filter(|f| f.state == FindingState::Waived)
        {
            p.waived += 1;
            report
                .progress_by_department
                .entry(f.department.to_string())
                .or_default()
                .waived += 1;
        }
    }
    report.recount();
}

/// What a report says about a round rule, from the message catalogue.
pub fn round_rule_doc(rule: &rounds::RoundRule, t: &Texts) -> RuleDoc {
    let key = |k: &str| t.get(&format!("rule.{}.{k}", rule.code));
    RuleDoc {
        name: rule.name.to_string(),
        title: key("title"),
        severity: rule.severity,
        category: rule.category,
        rationale: key("rationale"),
        remediation: key("remediation"),
        basis: Vec::new(),
        review: Default::default(),
    }
}

/// Digests of the input files, computed on a thread of their own while the audit runs: for a
/// million-item pair that is gigabytes to hash, which then costs no wall time.
pub struct Digests {
    inputs: Vec<(String, PathBuf)>,
    handle: std::thread::JoinHandle<Vec<Result<String>>>,
}

impl Digests {
    /// Starts hashing `(role, path)` pairs.
    pub fn start(inputs: Vec<(String, PathBuf)>) -> Digests {
        let paths: Vec<PathBuf> = inputs.iter().map(|(_, p)| p.clone()).collect();
        let handle = std::thread::spawn(move || {
            paths
                .iter()
                .map(|p| report::sha256_file(p))
                .collect::<Vec<_>>()
        });
        Digests { inputs, handle }
    }

    /// The manifest's input list, once the hashes are done.
    pub fn finish(self) -> Result<Vec<InputFile>> {
        let digests = self
            .handle
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let mut files = Vec::new();
        for ((role, p), sha256) in self.inputs.iter().zip(digests) {
            files.push(InputFile {
                role: role.clone(),
                file: p.file_name().map_or_else(
                    || p.display().to_string(),
                    |f| f.to_string_lossy().into_owned(),
                ),
                sha256: sha256?,
            });
        }
        Ok(files)
    }
}

/// The manifest: the tool, the rule pack, the inputs by content and the options that change
/// results.
pub fn manifest(
    report: &Report,
    pack: &Pack,
    inputs: Vec<InputFile>,
    options: BTreeMap<String, String>,
) -> Manifest {
    Manifest {
        tool: report.tool.clone(),
        rule_pack: pack.source.clone(),
        rules: pack.rules.len(),
        rule_pack_sha256: pack.digest.clone(),
        inputs,
        options,
    }
}

/// Whether a run fails, and why.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Gate {
    pub fails: bool,
    /// With `--ratchet`: (department, rule, count before, count now) for every count that rose.
    pub rises: Vec<(String, String, usize, usize)>,
}

/// The gate of a scheduled job: with `ratchet`, any department's count of a rule rising against
/// the baseline; otherwise more than `max_findings` open findings at or above `fail_on`.
pub fn gate(
    report: &Report,
    baseline: Option<&Baseline>,
    ratchet: bool,
    fail_on: FailOn,
    max_findings: Option<usize>,
) -> Gate {
    if ratchet {
        let rises = baseline
            .map(|b| rounds::ratchet_rises(&report.findings, b))
            .unwrap_or_default();
        return Gate {
            fails: !rises.is_empty(),
            rises,
        };
    }
    Gate {
        fails: report.failing(fail_on.threshold()) > max_findings.unwrap_or(0),
        rises: Vec::new(),
    }
}
