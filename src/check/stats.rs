//! Per-department figures of both snapshots, the subject department rules judge (OV-19, OV-20):
//! live items, one-visit and zero-visit counts and shares, and the changes.

use super::Input;
use crate::diff::ChangeKind;
use crate::model::Item;
use crate::node::DeptStats;
use std::collections::BTreeMap;

/// Per-department figures of both snapshots: live items, one-visit and zero-visit counts and shares,
/// and the changes.
pub(super) fn department_stats(
    input: &Input<'_>,
    old_items: &[Item],
) -> BTreeMap<String, DeptStats> {
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
