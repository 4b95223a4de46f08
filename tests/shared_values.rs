//! The loader shares repeated values and the engine judges a rule once per distinct combination
//! of the fields it reads. Neither may change a single finding: these tests compare against items
//! typed one by one (nothing shared, every rule judged afresh).

use catalog_audit::config::Config;
use catalog_audit::load;
use catalog_audit::model::{Catalog, Item};
use catalog_audit::pipeline::audit_loaded;
use catalog_audit::rules::{Lang, Pack};
use serde_json::Value;
use std::path::Path;

fn demo(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/qinghe")
            .join(name),
    )
    .unwrap()
}

/// The same catalog with every item typed on its own by serde: no value is shared.
fn unshared(c: &Catalog) -> Catalog {
    let items = c
        .items
        .iter()
        .map(|i| serde_json::from_value::<Item>(serde_json::to_value(i).unwrap()).unwrap())
        .collect();
    Catalog {
        source: c.source.clone(),
        info: c.info.clone(),
        items,
        warnings: Vec::new(),
    }
}

/// The demo catalog with each item repeated `n` times under new codes, as a province repeats a
/// basic item across its counties, some replicas with a field changed.
fn replicated(text: &str, n: usize) -> String {
    let mut doc: Value = serde_json::from_str(text).unwrap();
    let items = doc["items"].as_array().unwrap().clone();
    let mut out = Vec::new();
    for k in 0..n {
        for it in &items {
            let mut it = it.clone();
            let code = format!("{}-{k}", it["code"].as_str().unwrap());
            it["code"] = Value::from(code);
            // Replicas differ in one field or another, so an outcome wrongly shared between
            // items that differ in a field the rule reads would show.
            let o = it.as_object_mut().unwrap();
            match k % 5 {
                1 => {
                    o.remove("onsite_reason");
                }
                2 => {
                    o.insert("legal_basis".into(), Value::Array(Vec::new()));
                }
                3 => {
                    o.insert("onsite_visits".into(), Value::from(2));
                    o.remove("promised_limit");
                }
                4 => {
                    o.remove("materials");
                    o.insert("fee".into(), serde_json::json!({"charged": true}));
                }
                _ => {}
            }
            out.push(it);
        }
    }
    doc["items"] = Value::Array(out);
    doc.to_string()
}

fn audit(old: &Catalog, new: &Catalog) -> Value {
    let pack = Pack::builtin().unwrap();
    let log = load::adjustment_log_from_str("log.json", &demo("adjustments-2017H2.json")).unwrap();
    let as_of = new.info.as_of.unwrap();
    let report = audit_loaded(
        old,
        new,
        Some(&log),
        &pack,
        &Config::default(),
        as_of,
        Lang::Zh,
    );
    serde_json::to_value(&report).unwrap()
}

#[test]
fn shared_values_and_memoised_rules_give_the_same_report() {
    let loader = load::Loader::new();
    let read = |name: &str, text: &str| load::snapshot_from_str_using(name, text, &loader).unwrap();
    let old = read("old.json", &replicated(&demo("2017-06-30.json"), 40));
    let new = read("new.json", &replicated(&demo("2017-12-31.json"), 40));
    // Items repeat: the loader shared their parts (made at most once per worker thread).
    let n = new.items.len() / 40;
    let mut copies: Vec<*const ()> = (0..40)
        .filter(|k| k % 5 != 4)
        .map(|k| std::sync::Arc::as_ptr(&new.items[k * n].materials) as *const ())
        .collect();
    copies.sort();
    copies.dedup();
    assert!(copies.len() <= rayon::current_num_threads(), "{copies:?}");
    let shared = audit(&old, &new);
    let plain = audit(&unshared(&old), &unshared(&new));
    let findings = shared["findings"].as_array().unwrap();
    assert!(findings.len() > 1000, "{} findings", findings.len());
    assert_eq!(shared, plain);
}
