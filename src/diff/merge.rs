//! Merges and splits: several cancelled items replaced by one added item, or the reverse.
//!
//! Declared ones come first: a request whose `into` names the new code(s) (合并入 / 拆分为). Then
//! inferred ones, conservatively: within one department, an added item whose name contains the
//! names of two or more cancelled items (or whose names are contained in it, for a split), and that
//! shares a legal basis with each of them. Candidates are grouped by department, so the search stays
//! within small groups.

use super::ChangeKind;
use crate::model::{AdjustmentLog, Catalog, Codes, Item};
use crate::text;
use rustc_hash::FxHashSet as HashSet;
use std::collections::BTreeMap;

/// One merge or split: the old items and the new items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub old: Vec<usize>,
    pub new: Vec<usize>,
}

impl Group {
    pub fn kind(&self) -> ChangeKind {
        if self.new.len() == 1 {
            ChangeKind::Merged
        } else {
            ChangeKind::Split
        }
    }
}

/// How many same-department candidates an item is compared with (bounds pathological groups).
const MAX_CANDIDATES: usize = 64;

fn shares_basis(a: &Item, b: &Item) -> bool {
    let titles: HashSet<String> = a.legal_basis.iter().map(|l| text::key(&l.title)).collect();
    b.legal_basis
        .iter()
        .any(|l| titles.contains(&text::key(&l.title)))
}

fn contains(whole: &Item, part: &Item) -> bool {
    let (w, p) = (text::key(&whole.name), text::key(&part.name));
    p.chars().count() >= 2 && w != p && w.contains(&p)
}

/// Finds merges and splits among items that are neither matched by code nor recoded.
pub fn pair(
    old: &Catalog,
    new: &Catalog,
    removed: &[usize],
    appeared: &[usize],
    log: Option<&AdjustmentLog>,
) -> Vec<Group> {
    let mut groups = Vec::new();
    let mut used_old: HashSet<usize> = HashSet::default();
    let mut used_new: HashSet<usize> = HashSet::default();

    if let Some(log) = log {
        let removed_by_code = super::by_code(old, removed);
        let appeared_by_code = super::by_code(new, appeared);
        // Merges: several requests point `into` one new code.
        let mut into_one: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for a in &log.adjustments {
            let Some(&o) = removed_by_code.get(&*a.code) else {
                continue;
            };
            let targets: Vec<&str> = match &a.into {
                Some(Codes::One(c)) => vec![c.as_str()],
                Some(Codes::Many(cs)) => cs.iter().map(String::as_str).collect(),
                None => continue,
            };
            let targets: Vec<usize> = targets
                .iter()
                .filter_map(|c| appeared_by_code.get(c).copied())
                .collect();
            match targets.as_slice() {
                [one] => into_one.entry(*one).or_default().push(o),
                many if many.len() > 1
                    && !used_old.contains(&o)
                    && many.iter().all(|n| !used_new.contains(n)) =>
                {
                    used_old.insert(o);
                    used_new.extend(many.iter().copied());
                    let mut new_sorted = many.to_vec();
                    new_sorted.sort_by(|x, y| new.items[*x].code.cmp(&new.items[*y].code));
                    groups.push(Group {
                        old: vec![o],
                        new: new_sorted,
                    });
                }
                _ => {}
            }
        }
        for (n, mut olds) in into_one {
            olds.retain(|o| !used_old.contains(o));
            olds.sort_by(|x, y| old.items[*x].code.cmp(&old.items[*y].code));
            olds.dedup();
            if olds.len() >= 2 && !used_new.contains(&n) {
                used_new.insert(n);
                used_old.extend(olds.iter().copied());
                groups.push(Group {
                    old: olds,
                    new: vec![n],
                });
            }
        }
    }

    // Inferred, within departments.
    let mut by_dept_old: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for &o in removed {
        if !used_old.contains(&o) {
            by_dept_old
                .entry(text::key(&old.items[o].department))
                .or_default()
                .push(o);
        }
    }
    let mut by_dept_new: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for &n in appeared {
        if !used_new.contains(&n) {
            by_dept_new
                .entry(text::key(&new.items[n].department))
                .or_default()
                .push(n);
        }
    }
    for (dept, news) in &by_dept_new {
        let Some(olds) = by_dept_old.get(dept) else {
            continue;
        };
        // Merges: one new item containing several old names.
        for &n in news.iter().take(MAX_CANDIDATES) {
            let parts: Vec<usize> = olds
                .iter()
                .take(MAX_CANDIDATES)
                .copied()
                .filter(|o| !used_old.contains(o))
                .filter(|&o| {
                    contains(&new.items[n], &old.items[o])
                        && shares_basis(&new.items[n], &old.items[o])
                })
                .collect();
            if parts.len() >= 2 {
                used_new.insert(n);
                used_old.extend(parts.iter().copied());
                groups.push(Group {
                    old: parts,
                    new: vec![n],
                });
            }
        }
        // Splits: one old item whose name each of several new items contains.
        for &o in olds.iter().take(MAX_CANDIDATES) {
            if used_old.contains(&o) {
                continue;
            }
            let parts: Vec<usize> = news
                .iter()
                .take(MAX_CANDIDATES)
                .copied()
                .filter(|n| !used_new.contains(n))
                .filter(|&n| {
                    contains(&new.items[n], &old.items[o])
                        && shares_basis(&new.items[n], &old.items[o])
                })
                .collect();
            if parts.len() >= 2 {
                used_old.insert(o);
                used_new.extend(parts.iter().copied());
                let mut sorted = parts;
                sorted.sort_by(|x, y| new.items[*x].code.cmp(&new.items[*y].code));
                groups.push(Group {
                    old: vec![o],
                    new: sorted,
                });
            }
        }
    }
    groups
}
