//! What is known about one item before any rule runs: its change state and changed fields, the
//! adjustment request that explains the change (request matching), the requests naming it, and
//! the names and types of its peers under the same basic code.

use super::Engine;
use crate::diff::{ChangeKind, Entry, State};
use crate::model::{Adjustment, AdjustmentKind, Item, Text};
use crate::rules::{Rule, StateName};
use rustc_hash::FxHashMap as HashMap;

pub(super) fn state_name(state: State) -> StateName {
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
pub(super) fn root(field: &str) -> &str {
    &field[..field.find(['.', '[']).unwrap_or(field.len())]
}

/// Everything about one item the rules may read, computed once per item.
pub(super) struct ItemFacts<'a> {
    pub entry: Entry,
    pub subject: &'a Item,
    pub old: Option<&'a Item>,
    pub roots: Vec<String>,
    pub adjustment: Option<&'a Adjustment>,
    pub unrequested: Vec<String>,
    pub requests: usize,
    pub peer_names: &'a [String],
    pub peer_types: &'a [String],
}

impl<'a> ItemFacts<'a> {
    /// The facts of a diff entry's item (the new one, or the removed old one).
    pub fn of(engine: &'a Engine<'a>, entry: &Entry) -> Option<Self> {
        let input = engine.input;
        let old_items = engine.old_items;
        let subject = match (entry.new, entry.old) {
            (Some(n), _) => &input.new.items[n],
            (None, Some(o)) => &old_items[o],
            (None, None) => return None,
        };
        let old = entry.old.map(|o| &old_items[o]);
        let change = entry.change.map(|c| &input.diff.changes[c]);
        let mut roots = change.map(|c| c.roots()).unwrap_or_default();
        if entry.state == State::Changed(ChangeKind::Recoded) {
            roots.push("code".into());
            roots.sort();
        }
        let requests = &engine.requests;
        let adjustment = match_request(requests, subject, old, entry.state);
        let unrequested = match adjustment {
            Some(a) if a.kind == AdjustmentKind::Change && !a.fields.is_empty() => roots
                .iter()
                // The version is bumped by every change, the code by every recode, and columns
                // the contract does not name are not what requests are about.
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
        let mut facts = ItemFacts {
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
        if entry.new.is_some()
            && let Some(bc) = subject.basic_code.as_deref()
            && let Some((names, types)) = engine.peers.get(bc.trim())
        {
            facts.peer_names = names;
            facts.peer_types = types;
        }
        Some(facts)
    }
}

/// An item's state as shared text (`unchanged`, `added` …), made once per process.
pub(super) fn change_text(state: State) -> &'static Text {
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

pub(super) fn applies(rule: &Rule, facts: &ItemFacts<'_>) -> bool {
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

/// Whether the new snapshot shows what an approved request asked for.
pub(super) fn request_applied(
    a: &Adjustment,
    engine: &Engine<'_>,
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
            let roots = engine.input.diff.changes[c].roots();
            a.fields.iter().any(|f| roots.iter().any(|r| r == root(f)))
        }
    }
}
