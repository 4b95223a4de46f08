//! Judging a rule once per distinct combination of the item fields it reads: a million items carry
//! a few thousand such combinations. Keys are the fields' sharing identities ([`Item::identity`]),
//! so a lookup hashes a few words, never the values themselves.

use super::eval::{Firing, firings, places};
use crate::model::Item;
use crate::rules::Rule;
use crate::rules::cond::{Ctx, Scope};

/// The outcomes of one rule, keyed by the identities of the item fields it reads: its firings when
/// the whole rule reads only item fields (`whole`), else the places where its `when` holds, when
/// that much reads only item fields (the `require` is then judged item by item, on those places
/// only — rules about requests or changes mostly ask about a few places, like a repealed law).
pub(super) struct RuleMemo {
    fields: Vec<usize>,
    whole: bool,
    memo: crate::memo::Memo<Box<[u64]>, std::sync::Arc<Vec<Firing>>>,
    /// Rendered messages by the data they were rendered from: many findings of a rule read the
    /// same (a message about a visit names the item, the visits and the reason, not the code).
    pub messages: crate::memo::Memo<String, String>,
}

impl RuleMemo {
    /// Most rules read four fields or fewer; a rule reading many is judged item by item.
    const MAX_FIELDS: usize = 16;

    pub fn of(rule: &Rule, profile: Option<&crate::rules::profile::Profile>) -> Option<RuleMemo> {
        // A rule judging the run's element profile reads what the profile reads.
        let (reads, whole) = if rule.spec.elements {
            // What the rule's own conditions read, and what the profile reads.
            let mut reads = rule.item_reads()?;
            reads.extend(profile?.reads()?);
            reads.sort();
            reads.dedup();
            (reads, true)
        } else {
            match rule.item_reads() {
                Some(r) => (r, true),
                None => (rule.when_reads()?, false),
            }
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
pub(super) type Local<'m> = (
    &'m RuleMemo,
    crate::memo::Local<'m, Box<[u64]>, std::sync::Arc<Vec<Firing>>>,
    Messages<'m>,
);

/// A rule's message memo with this thread's table locked.
pub(super) type Messages<'m> = crate::memo::Local<'m, String, String>;

/// The rule's firings on the item, judged once per distinct combination of the fields it reads.
pub(super) fn memo_firings(
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
    let known = table
        .get(key, |k| k.into(), make)
        .unwrap_or_else(|| std::sync::Arc::new(places(rule, ctx, None, |_| true)));
    if known.is_empty() {
        return known;
    }
    // Of those places, the ones where the `require` fails for this item, with its evidence.
    let require = |scope: &Scope<'_>| !rule.require.eval(ctx, scope);
    std::sync::Arc::new(places(rule, ctx, Some(&known), require))
}

/// Locks this thread's tables of a rule's memo (once per chunk of items).
pub(super) fn lock(m: &RuleMemo) -> Local<'_> {
    (m, m.memo.local(), m.messages.local())
}
