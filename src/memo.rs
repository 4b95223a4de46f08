//! A concurrent memo table: the value computed for a key the first time, shared afterwards.
//!
//! Used where a catalog repeats itself — the loader keys by a property's raw JSON text, the engine
//! by the identities of the fields a rule reads. A table whose keys rarely repeat (codes) notices
//! it after a probe (fewer than one hit in four) and switches itself off, so it does not grow with
//! the catalog for nothing. Results never depend on the table: a hit returns exactly what `make`
//! would have computed.
//!
//! Each worker thread has its own table: threads typing the same batch look up the same popular
//! keys constantly, and one shared lock (or even one shared cache line) per key costs more than
//! the work it saves. A value is therefore made at most once per thread.

use rustc_hash::FxHashMap;
use std::borrow::Borrow;
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

/// After this many lookups a table with fewer than one hit in four switches itself off.
const PROBE: usize = 20_000;

pub struct Memo<K, V> {
    /// One table per rayon worker thread, plus one for any other thread.
    tables: Vec<Padded<Mutex<FxHashMap<K, V>>>>,
    lookups: AtomicUsize,
    hits: AtomicUsize,
    off: AtomicBool,
    /// Set once the probe has shown that keys repeat: counting stops (the counters are shared by
    /// every thread, and touching them on each lookup costs more than the lookup).
    on: AtomicBool,
}

impl<K: Hash + Eq, V: Clone> Default for Memo<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Hash + Eq, V: Clone> Memo<K, V> {
    pub fn new() -> Self {
        Memo {
            tables: (0..=rayon::current_num_threads())
                .map(|_| Padded(Mutex::default()))
                .collect(),
            lookups: AtomicUsize::new(0),
            hits: AtomicUsize::new(0),
            off: AtomicBool::new(false),
            on: AtomicBool::new(false),
        }
    }

    /// The value for `key`: remembered, or made by `make` (and remembered, with the key made
    /// owned by `own`). `make` returning `None` is passed through and not remembered.
    pub fn get<Q>(
        &self,
        key: &Q,
        own: impl FnOnce(&Q) -> K,
        make: impl FnOnce() -> Option<V>,
    ) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.local().get(key, own, make)
    }

    /// This thread's table, held for a run of lookups (one lock instead of one per lookup).
    /// Hold it only for work that does not wait on other rayon jobs; if the table is busy all the
    /// same (a nested job of this thread holds it), lookups just compute.
    pub fn local(&self) -> Local<'_, K, V> {
        let n = self.tables.len();
        let table = &self.tables[rayon::current_thread_index().map_or(n - 1, |i| i % (n - 1))].0;
        Local {
            memo: self,
            table: table.try_lock().ok(),
        }
    }
}

/// A thread's table of a [`Memo`], locked.
pub struct Local<'m, K, V> {
    memo: &'m Memo<K, V>,
    table: Option<MutexGuard<'m, FxHashMap<K, V>>>,
}

impl<K: Hash + Eq, V: Clone> Local<'_, K, V> {
    /// As [`Memo::get`].
    pub fn get<Q>(
        &mut self,
        key: &Q,
        own: impl FnOnce(&Q) -> K,
        make: impl FnOnce() -> Option<V>,
    ) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let memo = self.memo;
        if memo.off.load(Ordering::Relaxed) {
            return make();
        }
        let Some(table) = self.table.as_mut() else {
            return make();
        };
        if !memo.on.load(Ordering::Relaxed) {
            let lookups = memo.lookups.fetch_add(1, Ordering::Relaxed) + 1;
            if lookups >= PROBE {
                if memo.hits.load(Ordering::Relaxed) * 4 < lookups {
                    memo.off.store(true, Ordering::Relaxed);
                    return make();
                }
                memo.on.store(true, Ordering::Relaxed);
            }
            if let Some(v) = table.get(key) {
                memo.hits.fetch_add(1, Ordering::Relaxed);
                return Some(v.clone());
            }
        } else if let Some(v) = table.get(key) {
            return Some(v.clone());
        }
        let v = make()?;
        table.insert(own(key), v.clone());
        Some(v)
    }
}

/// A value alone on its cache lines: two threads locking their own tables must not contend for
/// one line.
#[repr(align(128))]
struct Padded<T>(T);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_and_switches_off_when_keys_do_not_repeat() {
        let memo: Memo<u64, u64> = Memo::new();
        let mut made = 0;
        for _ in 0..3 {
            assert_eq!(
                memo.get(
                    &7,
                    |k| *k,
                    || {
                        made += 1;
                        Some(49)
                    }
                ),
                Some(49)
            );
        }
        assert_eq!(made, 1, "made once, then remembered");
        assert_eq!(
            memo.get(&8, |k| *k, || None),
            None,
            "a failure is passed through"
        );
        for k in 100..(100 + PROBE as u64) {
            assert_eq!(memo.get(&k, |k| *k, || Some(k * 2)), Some(k * 2));
        }
        assert!(
            memo.off.load(Ordering::Relaxed),
            "unique keys switch the table off"
        );
        assert_eq!(
            memo.get(&7, |k| *k, || Some(49)),
            Some(49),
            "still correct when off"
        );
    }
}
