//! Stage 3: evaluate the rule pack on every item, every change and every adjustment request.
//!
//! The engine never prints and never reads files: it takes the loaded catalogs, the diff and the
//! log, and returns findings sorted by (department, code, rule, field, evidence), each with a stable
//! fingerprint computed from its content (rule, item code, field, evidence), never from positions
//! or message text, so the same defect keeps its fingerprint across review rounds.

use crate::config::Config;
use crate::diff::{ChangeKind, Diff, Entry, State};
use crate::model::{Adjustment, AdjustmentKind, AdjustmentLog, Catalog, Item, Text};
use crate::node::{DeptStats, Node, Val};
use crate::rules::cond::{Ctx, Scope};
use crate::rules::{Category, Lang, Pack, Rule, Severity, StateName, Subject};
use chrono::NaiveDate;
use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// A finding's state against a baseline report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingState {
    New,
    Persisting,
    Reopened,
    Resolved,
    Waived,
}

/// One review comment.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Finding {
    pub rule: Text,
    #[serde(default)]
    pub rule_name: Text,
    pub category: Category,
    pub severity: Severity,
    /// The item's code in the snapshot the finding is about.
    pub code: Text,
    /// The item's name.
    pub name: Text,
    pub department: Text,
    /// The item's change kind, or `unchanged`.
    pub change: Text,
    pub field: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub evidence: String,
    pub fingerprint: String,
    pub state: FindingState,
    /// The adjustment request the finding is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjustment: Option<String>,
    /// Where the offending value is, for spreadsheet inputs: file, sheet, cell and column name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The waiver that covers this finding (its id), when waived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<String>,
    /// The department's reply read back from the previous round's review sheet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Response>,
}

/// A department's reply to a review comment (整改情况, 反馈日期).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Response {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Whether the reply says the problem was fixed.
    #[serde(default)]
    pub claims_fixed: bool,
}

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

/// Sorts findings as every report lists them: by department, item code, rule, field, evidence and
/// request.
pub fn sort(findings: &mut [Finding]) {
    fn key(f: &Finding) -> (&str, &str, &str, &str, &str, Option<&str>) {
        (
            &f.department,
            &f.code,
            &f.rule,
            &f.field,
            &f.evidence,
            f.adjustment.as_deref(),
        )
    }
    // Positions are sorted (in parallel, stably: the order is the same for any number of
    // threads), then the findings are moved into place: a million findings are not copied into
    // a second buffer, as sorting them directly would.
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.par_sort_by(|&a, &b| key(&findings[a]).cmp(&key(&findings[b])));
    permute(findings, order);
}

/// Moves `items[order[i]]` to position `i`, following the permutation's cycles.
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..items.len() {
        let mut at = start;
        while order[at] != start {
            let from = order[at];
            items.swap(at, from);
            order[at] = at;
            at = from;
        }
        order[at] = at;
    }
}

/// The stable identity of a finding: 12 hex digits of SHA-256 over its content.
pub fn fingerprint(rule: &str, code: &str, field: &str, evidence: &str) -> String {
    let mut h = Sha256::new();
    for part in [rule, code, field, evidence] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = h.finalize();
    let mut out = String::with_capacity(12);
    for b in &digest[..6] {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
    out
}

fn state_name(state: State) -> StateName {
    match state {
        State::Unchanged => StateName::Unchanged,
        State::Changed(ChangeKind::Added) => StateName::Added,
        State::Changed(ChangeKind::Changed) => StateName::Changed,
        State::Changed(ChangeKind::Cancelled) => StateName::Cancelled,
        State::Changed(ChangeKind::Recoded) => StateName::Recoded,
        State::Changed(ChangeKind::Merged) => StateName::Merged,
        State::Changed(ChangeKind::Split) => StateName::Split,
    }
}

fn compatible(kind: AdjustmentKind, state: State) -> bool {
    matches!(
        (kind, state),
        (AdjustmentKind::Add, State::Changed(ChangeKind::Added))
            | (
                AdjustmentKind::Cancel,
                State::Changed(ChangeKind::Cancelled)
            )
            | (
                AdjustmentKind::Change,
                State::Changed(
                    ChangeKind::Changed
                        | ChangeKind::Recoded
                        | ChangeKind::Merged
                        | ChangeKind::Split
                )
            )
            | (
                AdjustmentKind::Cancel,
                State::Changed(ChangeKind::Merged | ChangeKind::Split)
            )
    )
}

/// The top-level part of a field name.
fn root(field: &str) -> &str {
    &field[..field.find(['.', '[']).unwrap_or(field.len())]
}

/// Everything about one item the rules may read, computed once per item.
struct ItemFacts<'a> {
    entry: Entry,
    subject: &'a Item,
    old: Option<&'a Item>,
    roots: Vec<String>,
    adjustment: Option<&'a Adjustment>,
    unrequested: Vec<String>,
    requests: usize,
    peer_names: &'a [String],
    peer_types: &'a [String],
}

/// An item's state as shared text (`unchanged`, `added` …), made once per process.
fn change_text(state: State) -> &'static Text {
    static KINDS: std::sync::OnceLock<[Text; 7]> = std::sync::OnceLock::new();
    let kinds = KINDS.get_or_init(|| {
        [
            State::Unchanged,
            State::Changed(ChangeKind::Added),
            State::Changed(ChangeKind::Changed),
            State::Changed(ChangeKind::Cancelled),
            State::Changed(ChangeKind::Recoded),
            State::Changed(ChangeKind::Merged),
            State::Changed(ChangeKind::Split),
        ]
        .map(|s| Text::from(s.as_str()))
    });
    &kinds[match state {
        State::Unchanged => 0,
        State::Changed(ChangeKind::Added) => 1,
        State::Changed(ChangeKind::Changed) => 2,
        State::Changed(ChangeKind::Cancelled) => 3,
        State::Changed(ChangeKind::Recoded) => 4,
        State::Changed(ChangeKind::Merged) => 5,
        State::Changed(ChangeKind::Split) => 6,
    }]
}

/// Runs every rule of `pack` and returns the sorted findings.
pub fn check(pack: &Pack, input: &Input<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let old_items = input.old.map_or(&[][..], |c| c.items.as_slice());

    // Requests by the codes they name, in id order (the log is sorted by id).
    let mut requests: HashMap<&str, Vec<&Adjustment>> = HashMap::default();
    if let Some(log) = input.log {
        for a in &log.adjustments {
            requests.entry(&*a.code).or_default().push(a);
            if let Some(nc) = a.new_code.as_deref() {
                requests.entry(nc).or_default().push(a);
            }
        }
    }

    let item_rules: Vec<&Rule> = pack
        .rules
        .iter()
        .filter(|r| r.spec.subject == Subject::Item && (input.log.is_some() || !r.uses_log))
        .filter(|r| input.config.may_run(&r.spec.code))
        .collect();

    // Rules whose outcome is a function of a few item fields are judged once per distinct
    // combination of those fields' values: a million items carry a few thousand.
    let memos: Vec<Option<RuleMemo>> = item_rules.iter().map(|r| RuleMemo::of(r)).collect();

    // The distinct names and types of the live items sharing a basic code, for cross-record rules
    // (@peers). Computed once per code, so a code shared by thousands of bodies stays linear.
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
    let peers: HashMap<&str, (Vec<String>, Vec<String>)> = sets
        .into_iter()
        .map(|(bc, (names, types))| {
            let mut n: Vec<String> = names.into_iter().map(str::to_string).collect();
            let mut t: Vec<String> = types.into_iter().map(str::to_string).collect();
            n.sort();
            t.sort();
            (bc, (n, t))
        })
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
            let mut locals: Vec<Option<Local<'_>>> = memos
                .iter()
                .map(|m| m.as_ref().map(|m| (m, m.memo.local(), m.messages.local())))
                .collect();
            for entry in chunk {
                check_entry(
                    pack,
                    input,
                    entry,
                    old_items,
                    &requests,
                    &peers,
                    &item_rules,
                    &mut locals,
                    &mut out,
                );
            }
            let d = done.fetch_add(chunk.len(), std::sync::atomic::Ordering::Relaxed) + chunk.len();
            if let Some(report) = input.progress {
                report(d, total);
            }
            out
        })
        .collect();
    findings.extend(per_chunk.into_iter().flatten());
    if let Some(log) = input.log {
        let by_new: HashMap<&str, &Entry> = input
            .diff
            .entries
            .iter()
            .filter_map(|e| e.new.map(|n| (&*input.new.items[n].code, e)))
            .collect();
        let by_old: HashMap<&str, &Entry> = input
            .diff
            .entries
            .iter()
            .filter_map(|e| e.old.map(|o| (&*old_items[o].code, e)))
            .collect();
        let adj_rules: Vec<&Rule> = pack
            .rules
            .iter()
            .filter(|r| r.spec.subject == Subject::Adjustment)
            .collect();
        for a in &log.adjustments {
            eval_adjustment(pack, &adj_rules, a, input, &by_new, &by_old, &mut findings);
        }
    }

    if input.old.is_some() {
        let dept_rules: Vec<&Rule> = pack
            .rules
            .iter()
            .filter(|r| r.spec.subject == Subject::Department)
            .filter(|r| input.config.may_run(&r.spec.code))
            .collect();
        if !dept_rules.is_empty() {
            for stats in department_stats(input, old_items).values() {
                let ctx = Ctx {
                    item: Some(stats),
                    ..Ctx::of(stats, input.as_of, &pack.calendar, &pack.registries)
                };
                let (empty, department) = (Text::default(), Text::from(stats.name.as_str()));
                let about = About {
                    code: &empty,
                    name: &empty,
                    department: &department,
                    item_type: "",
                    change: change_text(State::Unchanged),
                    adjustment: None,
                    origin: None,
                };
                for rule in &dept_rules {
                    eval_rule(pack, rule, &ctx, &about, input, &mut findings);
                }
            }
        }
    }

    sort(&mut findings);
    findings.dedup_by(|a, b| a.fingerprint == b.fingerprint && a.adjustment == b.adjustment);
    findings
}

/// How many items one parallel task checks.
const CHUNK: usize = 512;

/// Checks one item (or removed item) against every item rule.
#[allow(clippy::too_many_arguments)]
fn check_entry<'a>(
    pack: &Pack,
    input: &Input<'a>,
    entry: &Entry,
    old_items: &'a [Item],
    requests: &HashMap<&str, Vec<&'a Adjustment>>,
    peers: &'a HashMap<&str, (Vec<String>, Vec<String>)>,
    item_rules: &[&Rule],
    memos: &mut [Option<Local<'_>>],
    findings: &mut Vec<Finding>,
) {
    let subject = match (entry.new, entry.old) {
        (Some(n), _) => &input.new.items[n],
        (None, Some(o)) => &old_items[o],
        (None, None) => return,
    };
    let old = entry.old.map(|o| &old_items[o]);
    let change = entry.change.map(|c| &input.diff.changes[c]);
    let mut roots = change.map(|c| c.roots()).unwrap_or_default();
    if entry.state == State::Changed(ChangeKind::Recoded) {
        roots.push("code".into());
        roots.sort();
    }
    let adjustment = match_request(requests, subject, old, entry.state);
    let unrequested = match adjustment {
        Some(a) if a.kind == AdjustmentKind::Change && !a.fields.is_empty() => roots
            .iter()
            // The version is bumped by every change, the code by every recode, and columns the
            // contract does not name are not what requests are about.
            .filter(|r| r.as_str() != "version" && r.as_str() != "code")
            .filter(|r| crate::node::child(crate::node::Shape::Item, r).is_some())
            .filter(|r| !a.fields.iter().any(|f| root(f) == r.as_str()))
            .cloned()
            .collect(),
        _ => Vec::new(),
    };
    let count = |code: &str| requests.get(code).map_or(0, Vec::len);
    let request_count = count(&subject.code)
        + old
            .filter(|o| o.code != subject.code)
            .map_or(0, |o| count(&o.code));
    let facts = ItemFacts {
        entry: *entry,
        subject,
        old,
        roots,
        adjustment,
        unrequested,
        requests: request_count,
        peer_names: &[],
        peer_types: &[],
    };
    let mut facts = facts;
    if entry.new.is_some()
        && let Some(bc) = subject.basic_code.as_deref()
        && let Some((names, types)) = peers.get(bc.trim())
    {
        facts.peer_names = names;
        facts.peer_types = types;
    }
    for (rule, memo) in item_rules.iter().zip(memos.iter_mut()) {
        if applies(rule, &facts) {
            eval_item(pack, rule, memo.as_mut(), &facts, input, findings);
        }
    }
}

/// The request that explains an item's observed change: same code (or the recode's old code),
/// compatible kind; an approved one is preferred.
fn match_request<'a>(
    requests: &HashMap<&str, Vec<&'a Adjustment>>,
    item: &Item,
    old: Option<&Item>,
    state: State,
) -> Option<&'a Adjustment> {
    if state == State::Unchanged || requests.is_empty() {
        return None;
    }
    let mut candidates: Vec<&Adjustment> = Vec::new();
    for code in [Some(&*item.code), old.map(|o| &*o.code)]
        .into_iter()
        .flatten()
    {
        if let Some(list) = requests.get(code) {
            candidates.extend(list.iter().copied().filter(|a| compatible(a.kind, state)));
        }
    }
    candidates
        .sort_by(|a, b| (a.approved_on.is_none(), &a.id).cmp(&(b.approved_on.is_none(), &b.id)));
    candidates.first().copied()
}

fn applies(rule: &Rule, facts: &ItemFacts<'_>) -> bool {
    let states = &rule.spec.scope.states;
    let state = state_name(facts.entry.state);
    if !states.contains(&state) {
        return false;
    }
    // Items already cancelled in their snapshot are only looked at by rules about cancellations.
    if state != StateName::Cancelled
        && facts.subject.is_cancelled()
        && !states.contains(&StateName::Cancelled)
    {
        return false;
    }
    let wanted = &rule.spec.scope.changed_fields;
    wanted.is_empty() || facts.roots.iter().any(|r| wanted.iter().any(|w| w == r))
}

/// The outcomes of one rule, keyed by the identities of the item fields it reads: its firings when
/// the whole rule reads only item fields (`whole`), else the places where its `when` holds, when
/// that much reads only item fields (the `require` is then judged item by item, on those places
/// only — rules about requests or changes mostly ask about a few places, like a repealed law).
struct RuleMemo {
    fields: Vec<usize>,
    whole: bool,
    memo: crate::memo::Memo<Box<[u64]>, std::sync::Arc<Vec<Firing>>>,
    /// Rendered messages by the data they were rendered from: many findings of a rule read the
    /// same (a message about a visit names the item, the visits and the reason, not the code).
    messages: crate::memo::Memo<String, String>,
}

impl RuleMemo {
    /// Most rules read four fields or fewer; a rule reading many is judged item by item.
    const MAX_FIELDS: usize = 12;

    fn of(rule: &Rule) -> Option<RuleMemo> {
        let (reads, whole) = match rule.item_reads() {
            Some(r) => (r, true),
            None => (rule.when_reads()?, false),
        };
        let fields = reads
            .iter()
            .map(|f| Item::FIELDS.iter().position(|k| k == f))
            .collect::<Option<Vec<usize>>>()?;
        (fields.len() <= Self::MAX_FIELDS).then(|| RuleMemo {
            fields,
            whole,
            memo: crate::memo::Memo::new(),
            messages: crate::memo::Memo::new(),
        })
    }
}

/// A rule's memo with this thread's table locked.
type Local<'m> = (
    &'m RuleMemo,
    crate::memo::Local<'m, Box<[u64]>, std::sync::Arc<Vec<Firing>>>,
    Messages<'m>,
);

/// A rule's message memo with this thread's table locked.
type Messages<'m> = crate::memo::Local<'m, String, String>;

/// The rule's firings on the item, judged once per distinct combination of the fields it reads.
fn memo_firings(
    (memo, table, _): &mut Local<'_>,
    rule: &Rule,
    item: &Item,
    ctx: &Ctx<'_>,
) -> std::sync::Arc<Vec<Firing>> {
    let mut key = [0u64; 2 * RuleMemo::MAX_FIELDS];
    for (i, &f) in memo.fields.iter().enumerate() {
        key[2 * i..2 * i + 2].copy_from_slice(&item.identity(f));
    }
    let key = &key[..2 * memo.fields.len()];
    if memo.whole {
        let make = || Some(std::sync::Arc::new(firings(rule, ctx)));
        return table
            .get(key, |k| k.into(), make)
            .unwrap_or_else(|| std::sync::Arc::new(firings(rule, ctx)));
    }
    let make = || Some(std::sync::Arc::new(places(rule, ctx, None, |_| true)));
    let places = table
        .get(key, |k| k.into(), make)
        .unwrap_or_else(|| std::sync::Arc::new(places(rule, ctx, None, |_| true)));
    if places.is_empty() {
        return places;
    }
    // Of those places, the ones where the `require` fails for this item, with its evidence.
    let require = |scope: &Scope<'_>| !rule.require.eval(ctx, scope);
    std::sync::Arc::new(self::places(rule, ctx, Some(&places), require))
}

fn eval_item(
    pack: &Pack,
    rule: &Rule,
    memo: Option<&mut Local<'_>>,
    facts: &ItemFacts<'_>,
    input: &Input<'_>,
    out: &mut Vec<Finding>,
) {
    let ctx = Ctx {
        old: facts.old.map(|o| o as &dyn Node),
        item: Some(facts.subject),
        adjustment: facts.adjustment.map(|a| a as &dyn Node),
        change_kind: facts.entry.state.as_str(),
        change_fields: &facts.roots,
        unrequested: &facts.unrequested,
        requests: facts.requests,
        peer_names: facts.peer_names,
        peer_types: facts.peer_types,
        ..Ctx::of(facts.subject, input.as_of, &pack.calendar, &pack.registries)
    };
    let about = About {
        code: &facts.subject.code,
        name: &facts.subject.name,
        department: &facts.subject.department,
        item_type: &facts.subject.item_type,
        change: change_text(facts.entry.state),
        adjustment: None,
        origin: facts.subject.origin.0.as_deref(),
    };
    match memo {
        Some(m) => {
            let Some(severity) = decide(rule, &about, input) else {
                return;
            };
            let firings = memo_firings(m, rule, facts.subject, &ctx);
            emit(
                pack,
                rule,
                &ctx,
                &about,
                input,
                severity,
                &firings,
                Some(&mut m.2),
                out,
            );
        }
        None => eval_rule(pack, rule, &ctx, &about, input, out),
    }
}

#[allow(clippy::too_many_arguments)]
fn eval_adjustment(
    pack: &Pack,
    rules: &[&Rule],
    a: &Adjustment,
    input: &Input<'_>,
    by_new: &HashMap<&str, &Entry>,
    by_old: &HashMap<&str, &Entry>,
    out: &mut Vec<Finding>,
) {
    let old_items = input.old.map_or(&[][..], |c| c.items.as_slice());
    let new_entry = a
        .new_code
        .as_deref()
        .and_then(|c| by_new.get(c))
        .or_else(|| by_new.get(&*a.code))
        .copied();
    let old_entry = by_old.get(&*a.code).copied();
    let item: Option<&Item> = new_entry
        .and_then(|e| e.new.map(|n| &input.new.items[n]))
        .or_else(|| old_entry.and_then(|e| e.old.map(|o| &old_items[o])));
    let entry = new_entry.or(old_entry);
    let applied = request_applied(a, input, by_new, by_old);
    let roots: Vec<String> = entry
        .and_then(|e| e.change)
        .map(|c| input.diff.changes[c].roots())
        .unwrap_or_default();
    let state = entry.map_or(State::Unchanged, |e| e.state);
    let change = state.as_str();
    let ctx = Ctx {
        old: old_entry.and_then(|e| e.old.map(|o| &old_items[o] as &dyn Node)),
        item: item.map(|i| i as &dyn Node),
        adjustment: Some(a),
        change_kind: change,
        change_fields: &roots,
        applied: Some(applied),
        ..Ctx::of(a, input.as_of, &pack.calendar, &pack.registries)
    };
    let empty = Text::default();
    let code = Text::from(a.code.as_str());
    let department = match (&a.department, item) {
        (Some(d), _) => Text::from(d.as_str()),
        (None, Some(i)) => i.department.clone(),
        (None, None) => Text::default(),
    };
    let about = About {
        code: &code,
        name: item.map_or(&empty, |i| &i.name),
        department: &department,
        item_type: item.map_or("", |i| &*i.item_type),
        change: change_text(state),
        adjustment: Some(&a.id),
        origin: a.origin.0.as_deref(),
    };
    for rule in rules {
        eval_rule(pack, rule, &ctx, &about, input, out);
    }
}

/// Whether the new snapshot shows what an approved request asked for.
fn request_applied(
    a: &Adjustment,
    input: &Input<'_>,
    by_new: &HashMap<&str, &Entry>,
    by_old: &HashMap<&str, &Entry>,
) -> bool {
    let state_of = |e: Option<&&Entry>| e.map(|e| e.state);
    match a.kind {
        AdjustmentKind::Add => {
            state_of(by_new.get(&*a.code)) == Some(State::Changed(ChangeKind::Added))
        }
        AdjustmentKind::Cancel => {
            state_of(by_old.get(&*a.code)) == Some(State::Changed(ChangeKind::Cancelled))
        }
        AdjustmentKind::Change => {
            if let Some(nc) = a.new_code.as_deref() {
                return by_new.contains_key(nc)
                    && by_old.contains_key(&*a.code)
                    && !by_new.contains_key(&*a.code);
            }
            let Some(e) = by_new.get(&*a.code) else {
                return false;
            };
            let Some(c) = e.change else {
                return false;
            };
            if a.fields.is_empty() {
                return true;
            }
            let roots = input.diff.changes[c].roots();
            a.fields.iter().any(|f| roots.iter().any(|r| r == root(f)))
        }
    }
}

/// Who a finding is about.
struct About<'a> {
    code: &'a Text,
    name: &'a Text,
    department: &'a Text,
    item_type: &'a str,
    change: &'static Text,
    adjustment: Option<&'a str>,
    origin: Option<&'a crate::model::Origin>,
}

fn eval_rule(
    pack: &Pack,
    rule: &Rule,
    ctx: &Ctx<'_>,
    about: &About<'_>,
    input: &Input<'_>,
    out: &mut Vec<Finding>,
) {
    let Some(severity) = decide(rule, about, input) else {
        return;
    };
    emit(
        pack,
        rule,
        ctx,
        about,
        input,
        severity,
        &firings(rule, ctx),
        None,
        out,
    );
}

/// The severity a rule has for this subject under the configuration, or `None` when disabled.
fn decide(rule: &Rule, about: &About<'_>, input: &Input<'_>) -> Option<Severity> {
    input.config.decide(
        &rule.spec.code,
        rule.spec.severity,
        about.department,
        about.item_type,
    )
}

/// One place a rule fires: which `for_each` value and element (if any), the field, the evidence.
#[derive(Debug, Clone)]
pub(crate) struct Firing {
    at: Option<(usize, usize, Option<usize>)>,
    field: String,
    evidence: Vec<String>,
}

/// Where a rule fires on a subject. This is the whole of a rule's judgement; turning firings into
/// findings (messages, fingerprints) is [`emit`].
fn firings(rule: &Rule, ctx: &Ctx<'_>) -> Vec<Firing> {
    places(rule, ctx, None, |scope| !rule.require.eval(ctx, scope))
}

/// The places (the subject, or the elements of its `for_each` lists) where the rule's `when`
/// holds and `holds` too, with their fields and evidence. With `known`, only those places are
/// visited, their `when` known to hold (found for another item with the same fields).
fn places(
    rule: &Rule,
    ctx: &Ctx<'_>,
    known: Option<&[Firing]>,
    holds: impl Fn(&Scope<'_>) -> bool,
) -> Vec<Firing> {
    let top = Scope {
        current: Val::Obj(ctx.subject),
        siblings: None,
    };
    let when = |at, scope: &Scope<'_>| match known {
        Some(known) => known.iter().any(|p| p.at == at),
        None => rule.when.as_ref().is_none_or(|w| w.eval(ctx, scope)),
    };
    let mut out = Vec::new();
    if rule.for_each.is_empty() {
        if when(None, &top) && holds(&top) {
            out.push(Firing {
                at: None,
                field: rule.spec.field.clone(),
                evidence: evidence(rule, ctx, &top, None),
            });
        }
        return out;
    }
    for (pi, path) in rule.for_each.iter().enumerate() {
        for (vi, value) in path.values(ctx, &top).into_iter().enumerate() {
            let (elements, is_list) = match value.elements() {
                Some(els) => (els, true),
                None => (vec![value], false),
            };
            for i in 0..elements.len() {
                let scope = Scope {
                    current: elements[i],
                    siblings: is_list.then_some((elements.as_slice(), i)),
                };
                let at = Some((pi, vi, is_list.then_some(i)));
                if !when(at, &scope) || !holds(&scope) {
                    continue;
                }
                let key = match elements[i] {
                    Val::Obj(n) => n.key(),
                    v => v.display(),
                };
                let field = if is_list {
                    format!("{}[{}]", path.text.replace("[]", ""), key)
                } else {
                    path.text.clone()
                };
                out.push(Firing {
                    at,
                    field,
                    evidence: evidence(rule, ctx, &scope, Some(&key)),
                });
            }
        }
    }
    out
}

/// The findings of a rule's firings on a subject.
#[allow(clippy::too_many_arguments)]
fn emit(
    pack: &Pack,
    rule: &Rule,
    ctx: &Ctx<'_>,
    about: &About<'_>,
    input: &Input<'_>,
    severity: Severity,
    firings: &[Firing],
    mut messages: Option<&mut Messages<'_>>,
    out: &mut Vec<Finding>,
) {
    let top = Scope {
        current: Val::Obj(ctx.subject),
        siblings: None,
    };
    for f in firings {
        let element = f.at.and_then(|(pi, vi, ei)| {
            let value = *rule.for_each[pi].values(ctx, &top).get(vi)?;
            match ei {
                Some(i) => value.elements()?.get(i).copied(),
                None => Some(value),
            }
        });
        let mut finding = finding(
            pack,
            rule,
            ctx,
            about,
            input.lang,
            f.field.clone(),
            f.evidence.clone(),
            element,
            messages.as_deref_mut(),
        );
        finding.severity = severity;
        out.push(finding);
    }
}

fn evidence(rule: &Rule, ctx: &Ctx<'_>, scope: &Scope<'_>, key: Option<&str>) -> Vec<String> {
    if rule.evidence.is_empty() {
        return key.map(|k| vec![k.to_string()]).unwrap_or_default();
    }
    rule.evidence
        .iter()
        .map(|e| e.display(ctx, scope))
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn finding(
    pack: &Pack,
    rule: &Rule,
    ctx: &Ctx<'_>,
    about: &About<'_>,
    lang: Lang,
    field: String,
    values: Vec<String>,
    element: Option<Val<'_>>,
    messages: Option<&mut Messages<'_>>,
) -> Finding {
    let evidence = values.join(" | ");
    let f_field = field.clone();
    let template = rule.spec.message.get(lang);
    let m = rule.mentions[usize::from(lang == Lang::En)]
        .get_or_init(|| mentions(&rule.spec.code, lang, template));
    let mut data = Map::new();
    let [
        code,
        name,
        department,
        field_word,
        evidence_word,
        values_word,
        change,
    ] = m.words;
    if code {
        data.insert("code".into(), (**about.code).into());
    }
    if name {
        data.insert("name".into(), (**about.name).into());
    }
    if department {
        data.insert("department".into(), (**about.department).into());
    }
    if field_word {
        data.insert("field".into(), field.clone().into());
    }
    if evidence_word {
        data.insert("evidence".into(), evidence.clone().into());
    }
    if values_word {
        data.insert("values".into(), values.into());
    }
    if change {
        data.insert("change".into(), (**about.change).into());
    }
    // Records are serialised only as far as the message refers to them: `{{item.name}}` needs one
    // field, not the whole item (which, for a million findings, is most of the rendering cost).
    let [item, old, adjustment, element_refs] = &m.records;
    if let Some(refs) = item {
        data.insert(
            "item".into(),
            ctx.item.map_or(Value::Null, |n| partial_json(n, refs)),
        );
    }
    if let Some(refs) = old {
        data.insert(
            "old".into(),
            ctx.old.map_or(Value::Null, |n| partial_json(n, refs)),
        );
    }
    if let Some(refs) = adjustment {
        data.insert(
            "adjustment".into(),
            ctx.adjustment
                .map_or(Value::Null, |n| partial_json(n, refs)),
        );
    }
    if let Some(refs) = element_refs {
        let el = match element {
            Some(Val::Obj(n)) => partial_json(n, refs),
            Some(v) => Value::String(v.display()),
            None => Value::Null,
        };
        data.insert("element".into(), el);
    }
    let data = Value::Object(data);
    let render = || {
        let mut message = pack
            .templates
            .render(&m.name, &data)
            .unwrap_or_else(|_| template.to_string());
        // Handlebars renders into an 8 KiB buffer; a finding keeps only its text (a million
        // findings would otherwise hold 8 GB of spare capacity).
        message.shrink_to_fit();
        message
    };
    let message = match messages {
        Some(memo) => {
            let key = data.to_string();
            memo.get(key.as_str(), str::to_string, || Some(render()))
                .unwrap_or_else(render)
        }
        None => render(),
    };
    Finding {
        rule: rule.code.clone(),
        rule_name: rule.name.clone(),
        category: rule.spec.category,
        severity: rule.spec.severity,
        code: about.code.clone(),
        name: about.name.clone(),
        department: about.department.clone(),
        change: about.change.clone(),
        // Two requests about one item are two findings: the request id enters the identity.
        // Department-level findings have no item code: the department is their identity.
        fingerprint: fingerprint(
            &rule.spec.code,
            if about.code.is_empty() {
                about.department
            } else {
                about.code
            },
            &field,
            &match about.adjustment {
                Some(id) => format!("{evidence}@{id}"),
                None => evidence.clone(),
            },
        ),
        field,
        message,
        evidence,
        state: FindingState::New,
        adjustment: about.adjustment.map(str::to_string),
        location: about.origin.map(|o| o.locate(&f_field)),
        waiver: None,
        response: None,
    }
}

/// Per-department figures of both snapshots: live items, one-visit and zero-visit counts and shares,
/// and the changes.
fn department_stats(input: &Input<'_>, old_items: &[Item]) -> BTreeMap<String, DeptStats> {
    #[derive(Default)]
    struct Tally {
        items: i64,
        judged: i64,
        one: i64,
        zero: i64,
    }
    fn add(t: &mut Tally, item: &Item) {
        if item.is_cancelled() {
            return;
        }
        t.items += 1;
        if let Some(v) = item.onsite_visits {
            t.judged += 1;
            t.one += i64::from(v <= 1);
            t.zero += i64::from(v == 0);
        }
    }
    let share = |n: i64, d: i64| (d > 0).then(|| (n as f64) * 100.0 / (d as f64));
    let mut old: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut new: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut stats: BTreeMap<String, DeptStats> = BTreeMap::new();
    for item in old_items {
        add(old.entry(&item.department).or_default(), item);
    }
    for item in &input.new.items {
        add(new.entry(&item.department).or_default(), item);
    }
    for name in old.keys().chain(new.keys()) {
        stats
            .entry((*name).to_string())
            .or_insert_with(|| DeptStats {
                name: (*name).to_string(),
                ..DeptStats::default()
            });
    }
    for c in &input.diff.changes {
        if let Some(s) = stats.get_mut(&c.department) {
            match c.kind {
                ChangeKind::Added => s.added += 1,
                ChangeKind::Changed => s.changed += 1,
                ChangeKind::Cancelled => s.cancelled += 1,
                ChangeKind::Recoded => s.recoded += 1,
                ChangeKind::Merged | ChangeKind::Split => s.changed += 1,
            }
        }
    }
    for s in stats.values_mut() {
        if let Some(t) = old.get(&*s.name) {
            s.items_old = t.items;
            s.one_visit_old = t.one;
            s.zero_visit_old = t.zero;
            s.one_visit_share_old = share(t.one, t.judged);
            s.zero_visit_share_old = share(t.zero, t.judged);
        }
        if let Some(t) = new.get(&*s.name) {
            s.items_new = t.items;
            s.one_visit_new = t.one;
            s.zero_visit_new = t.zero;
            s.one_visit_share_new = share(t.one, t.judged);
            s.zero_visit_share_new = share(t.zero, t.judged);
        }
    }
    stats
}

/// What a message template reads of a record: `None` when it does not mention it, `Some([])` when
/// it uses the record as a whole, else the top-level keys it reads (`item.name` → `name`).
/// What a message template mentions. A top-level word counts wherever it appears (in text too,
/// or after `this.`): giving a template a value it does not use costs little, missing one would
/// blank a message.
fn mentions(code: &str, lang: Lang, template: &str) -> crate::rules::Mentions {
    let word = |w: &str| template.contains(w);
    let record =
        |r: &str| references(template, r).map(|k| k.iter().map(|s| s.to_string()).collect());
    crate::rules::Mentions {
        name: format!("{code}/{}", if lang == Lang::En { "en" } else { "zh" }),
        words: [
            word("code"),
            word("name"),
            word("department"),
            word("field"),
            word("evidence"),
            word("values"),
            word("change"),
        ],
        records: [
            record("item"),
            record("old"),
            record("adjustment"),
            record("element"),
        ],
    }
}

fn references<'t>(template: &'t str, root: &str) -> Option<Vec<&'t str>> {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut keys = Vec::new();
    let mut seen = false;
    for (at, _) in template.match_indices(root) {
        // Only the word itself: not `items`, `item_type`, `holder` or `x.item`.
        if template[..at]
            .chars()
            .next_back()
            .is_some_and(|c| ident(c) || c == '.')
        {
            continue;
        }
        let rest = &template[at + root.len()..];
        if rest.starts_with(ident) {
            continue;
        }
        seen = true;
        let Some(tail) = rest.strip_prefix('.') else {
            return Some(Vec::new()); // the record as a whole: `{{#with item}}`, `{{#if old}}`
        };
        let end = tail.find(|c: char| !ident(c)).unwrap_or(tail.len());
        if end == 0 {
            return Some(Vec::new());
        }
        keys.push(&tail[..end]);
    }
    seen.then_some(keys)
}

/// A record as JSON: whole when `keys` is empty, else only those keys.
fn partial_json<K: AsRef<str>>(node: &dyn Node, keys: &[K]) -> Value {
    if keys.is_empty() {
        return node.to_json();
    }
    let mut m = Map::new();
    for k in keys {
        let k = k.as_ref();
        let v = val_json(node.get(k));
        if !v.is_null() {
            m.insert(k.to_string(), v);
        }
    }
    Value::Object(m)
}

fn val_json(v: Val<'_>) -> Value {
    match v {
        Val::Missing => Value::Null,
        Val::Bool(b) => Value::Bool(b),
        Val::Int(i) => Value::from(i),
        Val::Num(n) => serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number),
        Val::Str(s) => Value::String(s.to_string()),
        Val::Date(d) => Value::String(d.to_string()),
        Val::Obj(n) => n.to_json(),
        Val::Objs(l) => Value::Array((0..l.len()).map(|i| l.at(i).to_json()).collect()),
        Val::Strs(l) => Value::Array(l.iter().cloned().map(Value::String).collect()),
        Val::Json(j) => j.clone(),
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

#[cfg(test)]
mod tests {
    use super::{permute, references};

    #[test]
    fn permutations_move_each_element_to_its_place() {
        let mut x = 7usize;
        for n in [0, 1, 2, 5, 100] {
            // A pseudo-random permutation of 0..n.
            let mut order: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                order.swap(i, (x >> 33) % (i + 1));
            }
            let items: Vec<String> = (0..n).map(|i| format!("v{i}")).collect();
            let want: Vec<String> = order.iter().map(|&i| items[i].clone()).collect();
            let mut got = items.clone();
            permute(&mut got, order);
            assert_eq!(got, want);
        }
    }

    #[test]
    fn message_references() {
        assert_eq!(
            references("{{item.name}} {{item.onsite_visits}}", "item"),
            Some(vec!["name", "onsite_visits"])
        );
        assert_eq!(
            references("{{#with item}}{{name}}{{/with}}", "item"),
            Some(vec![])
        );
        assert_eq!(references("{{name}} 的 item_type 与 items", "item"), None);
        assert_eq!(
            references("{{#if old}}{{old.name}}{{/if}}", "old"),
            Some(vec![])
        );
        assert_eq!(references("{{holder}}", "old"), None);
    }
}
