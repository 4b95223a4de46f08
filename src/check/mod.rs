//! Stage 3: evaluate the rule pack on every item, every change and every adjustment request.
//!
//! The engine never prints and never reads files: it takes the loaded catalogs, the diff and the
//! log, and returns findings in the one report order ([`crate::finding::sort`]).
//!
//! The engine is split by job:
//! - this file: the run over all subjects ([`check`]) and the [`Engine`] every evaluation reads;
//! - [`facts`]: what is known about one item before any rule runs (its state, changed fields, the
//!   request that explains it, its peers);
//! - [`memo`]: judging a rule once per distinct combination of the item fields it reads;
//! - [`eval`]: one rule on one subject (item, request, department) → firings → findings;
//! - [`message`]: a firing's words (the rule's message template, rendered with what it mentions);
//! - [`stats`]: the per-department figures department rules judge.

mod eval;
mod facts;
mod memo;
mod message;
mod stats;

use crate::config::Config;
use crate::diff::{Diff, Entry, State};
use crate::finding::{Finding, sort};
use crate::model::{Adjustment, AdjustmentLog, Catalog, Item};
use crate::rules::{Lang, Pack, Rule, Subject};
use chrono::NaiveDate;
use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// What the engine checks.
pub struct Input<'a> {
    /// The previous snapshot (absent for a single-snapshot check).
    pub old: Option<&'a Catalog>,
    pub new: &'a Catalog,
    pub diff: &'a Diff,
    pub log: Option<&'a AdjustmentLog>,
    /// The date registries and deadlines are judged at.
    pub as_of: NaiveDate,
    pub lang: Lang,
    /// Severity overrides and disabled rules.
    pub config: &'a Config,
    /// Called as items are checked with (done, total), for a progress bar the binary may show.
    pub progress: Option<&'a (dyn Fn(usize, usize) + Sync)>,
}

/// The keys of the profile's `when_carried` elements that some item gives a value (sorted).
fn carried(profile: &crate::rules::profile::Profile, items: &[Item]) -> Vec<String> {
    let mut out: Vec<String> = profile
        .elements
        .iter()
        .filter(|e| e.when_carried)
        .filter(|e| items.iter().any(|it| e.carried_by(it)))
        .map(|e| e.key.clone())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Everything one run of the engine shares with every evaluation: the pack, the input and the
/// indexes built once over it (requests by code, peers by basic code).
pub(crate) struct Engine<'a> {
    pub pack: &'a Pack,
    pub input: &'a Input<'a>,
    pub old_items: &'a [Item],
    /// Requests by the codes they name, in id order (the log is sorted by id).
    pub requests: HashMap<&'a str, Vec<&'a Adjustment>>,
    /// The distinct names and types of the live items sharing a basic code, for cross-record
    /// rules (@peers).
    pub peers: HashMap<&'a str, (Vec<String>, Vec<String>)>,
    /// The element profile CF-01 judges against: the configuration's, else `national`.
    pub profile: Option<&'a crate::rules::profile::Profile>,
    /// The item fields some item of the new snapshot carries, among those the profile judges
    /// only when carried.
    pub carried: Vec<String>,
}

impl<'a> Engine<'a> {
    fn new(pack: &'a Pack, input: &'a Input<'a>) -> Self {
        let mut requests: HashMap<&str, Vec<&Adjustment>> = HashMap::default();
        if let Some(log) = input.log {
            for a in &log.adjustments {
                requests.entry(&*a.code).or_default().push(a);
                if let Some(nc) = a.new_code.as_deref() {
                    requests.entry(nc).or_default().push(a);
                }
            }
        }
        // Computed once per code, so a code shared by thousands of bodies stays linear.
        let mut sets: HashMap<&str, (HashSet<&str>, HashSet<&str>)> = HashMap::default();
        for item in &input.new.items {
            if let Some(bc) = item.basic_code.as_deref().map(str::trim)
                && !bc.is_empty()
                && !item.is_cancelled()
            {
                let (names, types) = sets.entry(bc).or_default();
                names.insert(&item.name);
                types.insert(&item.item_type);
            }
        }
        let peers = sets
            .into_iter()
            .map(|(bc, (names, types))| {
                let mut n: Vec<String> = names.into_iter().map(str::to_string).collect();
                let mut t: Vec<String> = types.into_iter().map(str::to_string).collect();
                n.sort();
                t.sort();
                (bc, (n, t))
            })
            .collect();
        let profile = pack
            .profiles
            .get(input.config.profile.as_deref().unwrap_or("national"))
            .map(|p| &**p);
        let carried = profile.map_or_else(Vec::new, |p| carried(p, &input.new.items));
        Engine {
            pack,
            input,
            old_items: input.old.map_or(&[][..], |c| c.items.as_slice()),
            requests,
            peers,
            profile,
            carried,
        }
    }

    /// The rules of one subject that may run under the configuration.
    fn rules(&self, subject: Subject) -> Vec<&'a Rule> {
        let input = self.input;
        self.pack
            .rules
            .iter()
            .filter(|r| r.spec.subject == subject)
            .filter(|r| subject != Subject::Item || input.log.is_some() || !r.uses_log)
            .filter(|r| subject == Subject::Adjustment || input.config.may_run(&r.spec.code))
            .collect()
    }
}

/// How many items one parallel task checks.
const CHUNK: usize = 512;

/// Runs every rule of `pack` and returns the sorted findings.
pub fn check(pack: &Pack, input: &Input<'_>) -> Vec<Finding> {
    let engine = Engine::new(pack, input);
    let mut findings = Vec::new();

    let item_rules = engine.rules(Subject::Item);
    // Rules whose outcome is a function of a few item fields are judged once per distinct
    // combination of those fields' values: a million items carry a few thousand.
    let memos: Vec<Option<memo::RuleMemo>> = item_rules
        .iter()
        .map(|r| memo::RuleMemo::of(r, engine.profile))
        .collect();

    // Items are checked in parallel, in chunks; the findings are sorted afterwards, so the output
    // does not depend on the number of threads.
    let total = input.diff.entries.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let per_chunk: Vec<Vec<Finding>> = input
        .diff
        .entries
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut out = Vec::new();
            // This thread's memo tables, locked once for the chunk.
            let mut locals: Vec<Option<memo::Local<'_>>> =
                memos.iter().map(|m| m.as_ref().map(memo::lock)).collect();
            for entry in chunk {
                check_entry(&engine, entry, &item_rules, &mut locals, &mut out);
            }
            let d = done.fetch_add(chunk.len(), std::sync::atomic::Ordering::Relaxed) + chunk.len();
            if let Some(report) = input.progress {
                report(d, total);
            }
            out
        })
        .collect();
    findings.extend(per_chunk.into_iter().flatten());

    if input.log.is_some() {
        eval::adjustments(&engine, &engine.rules(Subject::Adjustment), &mut findings);
    }
    if input.old.is_some() {
        let dept_rules = engine.rules(Subject::Department);
        if !dept_rules.is_empty() {
            for s in stats::department_stats(input, engine.old_items).values() {
                eval::department(&engine, &dept_rules, s, &mut findings);
            }
        }
    }

    sort(&mut findings);
    findings.dedup_by(|a, b| a.fingerprint == b.fingerprint && a.adjustment == b.adjustment);
    findings
}

/// Checks one item (or removed item) against every item rule.
fn check_entry(
    engine: &Engine<'_>,
    entry: &Entry,
    item_rules: &[&Rule],
    memos: &mut [Option<memo::Local<'_>>],
    findings: &mut Vec<Finding>,
) {
    let Some(facts) = facts::ItemFacts::of(engine, entry) else {
        return;
    };
    for (rule, memo) in item_rules.iter().zip(memos.iter_mut()) {
        if facts::applies(rule, &facts) {
            eval::item(engine, rule, memo.as_mut(), &facts, findings);
        }
    }
}

/// The check-only classification of one snapshot: every item unchanged.
pub fn single(catalog: &Catalog) -> Diff {
    let mut diff = Diff::default();
    for i in 0..catalog.items.len() {
        diff.entries.push(Entry {
            new: Some(i),
            old: None,
            state: State::Unchanged,
            change: None,
        });
    }
    diff.counts.unchanged = catalog.items.len();
    diff
}
