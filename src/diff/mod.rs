//! Stage 2: compare two snapshots and classify every item.
//!
//! Items are matched by code with a hash join. Old codes that disappeared and new codes that
//! appeared are then paired as *recodes* when the adjustment log says so (`new_code`), or when an
//! item with the same normalised name and department has nearly the same content; candidates are
//! grouped by that key, so the pairing is linear in the number of items, not quadratic.
//!
//! A change lists its fields with typed old and new values. List fields are compared as keyed sets
//! (a material by its normalised name, a legal basis by title, a fee item by name, a process step by
//! its name), so a reordered list is no change and a changed material reports the sub-field that
//! changed, as `materials[居民身份证].copies`.

mod fields;
mod merge;

pub use fields::{FieldChange, compare};

use crate::model::{AdjustmentKind, AdjustmentLog, Catalog, Item};
use crate::text;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::Serialize;
use std::collections::BTreeMap;

/// How an item changed between two snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Changed,
    Cancelled,
    Recoded,
    /// Several old items replaced by one new item.
    Merged,
    /// One old item replaced by several new items.
    Split,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Changed => "changed",
            Self::Cancelled => "cancelled",
            Self::Recoded => "recoded",
            Self::Merged => "merged",
            Self::Split => "split",
        }
    }
}

/// An item's state in this comparison: a change kind, or unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    Changed(ChangeKind),
    Unchanged,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Changed(k) => k.as_str(),
            State::Unchanged => "unchanged",
        }
    }
}

/// One classified change, as the report lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub kind: ChangeKind,
    /// The item's code in the snapshot the change is about (the new one; the old one if cancelled).
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_code: Option<String>,
    /// For a merge: the old items' codes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub old_codes: Vec<String>,
    /// For a split: the new items' codes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub new_codes: Vec<String>,
    pub name: String,
    pub department: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
}

impl Change {
    /// The top-level fields that changed (`fee` for `fee.items[…].standard`), sorted and unique.
    pub fn roots(&self) -> Vec<String> {
        let mut roots: Vec<String> = self.fields.iter().map(|f| f.root().to_string()).collect();
        roots.sort();
        roots.dedup();
        roots
    }
}

/// One item of either snapshot and what happened to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Index into the new catalog's items (absent for items removed from the new file).
    pub new: Option<usize>,
    /// Index into the old catalog's items (absent for added items).
    pub old: Option<usize>,
    pub state: State,
    /// Index into [`Diff::changes`].
    pub change: Option<usize>,
}

/// Counts by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub added: usize,
    pub changed: usize,
    pub cancelled: usize,
    pub recoded: usize,
    pub unchanged: usize,
    pub merged: usize,
    pub split: usize,
}

/// The classification of two snapshots.
#[derive(Debug, Clone, Default)]
pub struct Diff {
    /// One entry per new item (in file order), then one per old item missing from the new file.
    pub entries: Vec<Entry>,
    /// Sorted by (department, code, kind).
    pub changes: Vec<Change>,
    pub counts: Counts,
}

/// Minimum share of equal fields for two items with the same name and department to count as one
/// item under a new code.
pub const RECODE_SIMILARITY: f64 = 0.8;

/// How many same-named candidates are scored per cancelled item (bounds pathological groups).
const MAX_CANDIDATES: usize = 64;

/// Classifies every item of `old` and `new`. `log` supplies declared recodes (`new_code`).
pub fn diff(old: &Catalog, new: &Catalog, log: Option<&AdjustmentLog>) -> Diff {
    let old_index: HashMap<&str, usize> = old
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| (&*it.code, i))
        .collect();
    let new_codes: HashSet<&str> = new.items.iter().map(|it| &*it.code).collect();

    let removed: Vec<usize> = (0..old.items.len())
        .filter(|&i| !new_codes.contains(&*old.items[i].code))
        .collect();
    let appeared: Vec<usize> = (0..new.items.len())
        .filter(|&i| !old_index.contains_key(&*new.items[i].code))
        .collect();
    // new index -> old index
    let recodes = pair_recodes(old, new, &removed, &appeared, log);
    let recoded_old: HashSet<usize> = recodes.values().copied().collect();
    let recoded_new: HashSet<usize> = recodes.keys().copied().collect();
    let removed_left: Vec<usize> = removed
        .iter()
        .copied()
        .filter(|i| !recoded_old.contains(i))
        .collect();
    let appeared_left: Vec<usize> = appeared
        .iter()
        .copied()
        .filter(|i| !recoded_new.contains(i))
        .collect();
    let groups = merge::pair(old, new, &removed_left, &appeared_left, log);
    let mut grouped_old: HashSet<usize> = HashSet::default();
    let mut grouped_new: HashMap<usize, usize> = HashMap::default();
    for (g, grp) in groups.iter().enumerate() {
        grouped_old.extend(grp.old.iter().copied());
        for &n in &grp.new {
            grouped_new.insert(n, g);
        }
    }

    let mut out = Diff::default();
    for (ni, item) in new.items.iter().enumerate() {
        let (old_i, kind) = if let Some(&oi) = old_index.get(&*item.code) {
            let before = &old.items[oi];
            let fields = compare(before, item);
            let kind = if !before.is_cancelled() && item.is_cancelled() {
                Some(ChangeKind::Cancelled)
            } else if fields.is_empty() {
                None
            } else {
                Some(ChangeKind::Changed)
            };
            push(&mut out, Some(ni), Some(oi), kind, item, None, fields);
            continue;
        } else if let Some(&oi) = recodes.get(&ni) {
            (Some(oi), ChangeKind::Recoded)
        } else if let Some(&g) = grouped_new.get(&ni) {
            let grp = &groups[g];
            let kind = grp.kind();
            // One change per merge or split: attached to the merged item, or the split's first part.
            if kind == ChangeKind::Merged || grp.new.first() == Some(&ni) {
                let mut old_codes: Vec<String> = grp
                    .old
                    .iter()
                    .map(|&o| old.items[o].code.to_string())
                    .collect();
                old_codes.sort();
                let mut new_codes: Vec<String> = grp
                    .new
                    .iter()
                    .map(|&n| new.items[n].code.to_string())
                    .collect();
                new_codes.sort();
                let (code, name, department) = if kind == ChangeKind::Split {
                    let o = &old.items[grp.old[0]];
                    (o.code.clone(), o.name.clone(), o.department.clone())
                } else {
                    (
                        item.code.clone(),
                        item.name.clone(),
                        item.department.clone(),
                    )
                };
                match kind {
                    ChangeKind::Merged => out.counts.merged += 1,
                    _ => out.counts.split += 1,
                }
                out.changes.push(Change {
                    kind,
                    code: code.to_string(),
                    old_code: None,
                    old_codes: if kind == ChangeKind::Merged {
                        old_codes
                    } else {
                        Vec::new()
                    },
                    new_codes: if kind == ChangeKind::Split {
                        new_codes
                    } else {
                        Vec::new()
                    },
                    name: name.to_string(),
                    department: department.to_string(),
                    fields: Vec::new(),
                });
                out.entries.push(Entry {
                    new: Some(ni),
                    old: grp.old.first().copied(),
                    state: State::Changed(kind),
                    change: Some(out.changes.len() - 1),
                });
            } else {
                let first = out
                    .entries
                    .iter()
                    .find(|e| e.new.is_some_and(|n| grp.new.first() == Some(&n)))
                    .and_then(|e| e.change);
                out.entries.push(Entry {
                    new: Some(ni),
                    old: grp.old.first().copied(),
                    state: State::Changed(kind),
                    change: first,
                });
            }
            continue;
        } else {
            (None, ChangeKind::Added)
        };
        let (old_code, fields) = match old_i {
            Some(oi) => (
                Some(old.items[oi].code.to_string()),
                compare(&old.items[oi], item),
            ),
            None => (None, Vec::new()),
        };
        push(
            &mut out,
            Some(ni),
            old_i,
            Some(kind),
            item,
            old_code,
            fields,
        );
    }
    for &oi in &removed {
        if !recoded_old.contains(&oi) && !grouped_old.contains(&oi) {
            let item = &old.items[oi];
            push(
                &mut out,
                None,
                Some(oi),
                Some(ChangeKind::Cancelled),
                item,
                None,
                Vec::new(),
            );
        }
    }

    // Sort changes for output, then re-point entries at their change's new position.
    let mut order: Vec<usize> = (0..out.changes.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&out.changes[a], &out.changes[b]);
        (&x.department, &x.code, x.kind).cmp(&(&y.department, &y.code, y.kind))
    });
    let mut position = vec![0; order.len()];
    for (pos, &idx) in order.iter().enumerate() {
        position[idx] = pos;
    }
    let mut slots: Vec<Option<Change>> = out.changes.drain(..).map(Some).collect();
    out.changes = order
        .iter()
        .map(|&i| slots[i].take().expect("each change once"))
        .collect();
    for e in &mut out.entries {
        e.change = e.change.map(|c| position[c]);
    }
    out
}

fn push(
    out: &mut Diff,
    new: Option<usize>,
    old: Option<usize>,
    kind: Option<ChangeKind>,
    item: &Item,
    old_code: Option<String>,
    fields: Vec<FieldChange>,
) {
    let (state, change) = match kind {
        None => {
            out.counts.unchanged += 1;
            (State::Unchanged, None)
        }
        Some(k) => {
            match k {
                ChangeKind::Added => out.counts.added += 1,
                ChangeKind::Changed => out.counts.changed += 1,
                ChangeKind::Cancelled => out.counts.cancelled += 1,
                ChangeKind::Recoded => out.counts.recoded += 1,
                ChangeKind::Merged => out.counts.merged += 1,
                ChangeKind::Split => out.counts.split += 1,
            }
            out.changes.push(Change {
                kind: k,
                code: item.code.to_string(),
                old_code,
                old_codes: Vec::new(),
                new_codes: Vec::new(),
                name: item.name.to_string(),
                department: item.department.to_string(),
                fields,
            });
            (State::Changed(k), Some(out.changes.len() - 1))
        }
    };
    out.entries.push(Entry {
        new,
        old,
        state,
        change,
    });
}

/// Pairs removed old items with appeared new items that are the same item under a new code.
/// Returns new index → old index.
fn pair_recodes(
    old: &Catalog,
    new: &Catalog,
    removed: &[usize],
    appeared: &[usize],
    log: Option<&AdjustmentLog>,
) -> BTreeMap<usize, usize> {
    let mut pairs = BTreeMap::new();
    let mut taken_new: HashSet<usize> = HashSet::default();
    let mut taken_old: HashSet<usize> = HashSet::default();

    // Declared recodes first: a change request naming `new_code`.
    if let Some(log) = log {
        let removed_by_code = by_code(old, removed);
        let appeared_by_code = by_code(new, appeared);
        for a in &log.adjustments {
            if a.kind != AdjustmentKind::Change {
                continue;
            }
            let Some(new_code) = a.new_code.as_deref() else {
                continue;
            };
            if let (Some(&oi), Some(&ni)) = (
                removed_by_code.get(&*a.code),
                appeared_by_code.get(new_code),
            ) && !taken_old.contains(&oi)
                && !taken_new.contains(&ni)
            {
                pairs.insert(ni, oi);
                taken_old.insert(oi);
                taken_new.insert(ni);
            }
        }
    }

    // Then inferred ones: same normalised name and department, nearly the same content.
    let mut groups: HashMap<(String, String), Vec<usize>> = HashMap::default();
    for &ni in appeared {
        if taken_new.contains(&ni) {
            continue;
        }
        let it = &new.items[ni];
        groups
            .entry((text::key(&it.name), text::key(&it.department)))
            .or_default()
            .push(ni);
    }
    let mut removed_sorted: Vec<usize> = removed.to_vec();
    removed_sorted.sort_by(|&a, &b| old.items[a].code.cmp(&old.items[b].code));
    for oi in removed_sorted {
        if taken_old.contains(&oi) {
            continue;
        }
        let before = &old.items[oi];
        let Some(candidates) =
            groups.get(&(text::key(&before.name), text::key(&before.department)))
        else {
            continue;
        };
        let mut best: Option<(f64, &str, usize)> = None;
        for &ni in candidates.iter().take(MAX_CANDIDATES) {
            if taken_new.contains(&ni) {
                continue;
            }
            let after = &new.items[ni];
            let score = fields::similarity(before, after);
            if score < RECODE_SIMILARITY {
                continue;
            }
            let better = match best {
                None => true,
                Some((s, code, _)) => score > s || (score == s && &*after.code < code),
            };
            if better {
                best = Some((score, &*after.code, ni));
            }
        }
        if let Some((_, _, ni)) = best {
            pairs.insert(ni, oi);
            taken_old.insert(oi);
            taken_new.insert(ni);
        }
    }
    pairs
}

/// The items at `indices` of a catalog by their code.
pub(super) fn by_code<'a>(catalog: &'a Catalog, indices: &[usize]) -> HashMap<&'a str, usize> {
    indices
        .iter()
        .map(|&i| (&*catalog.items[i].code, i))
        .collect()
}
