//! The tool never panics on input: thousands of deterministic mutations of the demo files (cut
//! short, bytes replaced, values swapped for other JSON types) either load and go through the whole
//! pipeline, or are rejected with a located error.

use catalog_audit::load;
use catalog_audit::pipeline::audit_loaded;
use catalog_audit::rules::{Lang, Pack};
use serde_json::{Value, json};
use std::path::Path;

#[path = "support/lcg.rs"]
mod lcg;
use lcg::Lcg;

/// Loads `text` as a stream (the splitter, with serde_json as its fallback) and from memory
/// (serde_json alone), and checks both give the same catalog or the same error.
fn load_both(name: &str, text: &str) -> Result<catalog_audit::model::Catalog, String> {
    let memory = load::snapshot_from_str(name, text).map_err(|e| e.to_string());
    let stream = load::snapshot_from_reader(
        name,
        || Ok(std::io::Cursor::new(text.as_bytes())),
        &load::Loader::new(),
    )
    .map_err(|e| match e {
        load::Streamed::Input(e) => e.to_string(),
        load::Streamed::Io(e) => e.to_string(),
    });
    match (&memory, &stream) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.items, b.items);
            assert_eq!(a.info, b.info);
        }
        // serde_json's slice and stream readers may place a bad byte one column apart.
        (Err(a), Err(b)) => {
            let digitless = |s: &str| s.replace(|c: char| c.is_ascii_digit(), "");
            assert_eq!(digitless(a), digitless(b));
        }
        _ => panic!("streamed and in-memory loads disagree: {memory:?} vs {stream:?}"),
    }
    memory
}

fn demo(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/qinghe")
            .join(name),
    )
    .unwrap()
}

#[test]
fn byte_level_mutations_never_panic() {
    let text = demo("2017-12-31.json");
    let bytes = text.as_bytes();
    let mut rng = Lcg(7);
    let junk: [&[u8]; 8] = [
        b"\"",
        b"{",
        b"]",
        b"null",
        b"-1",
        "〔".as_bytes(),
        b"\\u0000",
        b"1e999",
    ];
    for _ in 0..300 {
        let mut b = bytes.to_vec();
        match rng.below(3) {
            0 => b.truncate(rng.below(b.len())),
            1 => {
                let at = rng.below(b.len());
                let j = junk[rng.below(junk.len())];
                b.splice(at..(at + 1).min(b.len()), j.iter().copied());
            }
            _ => {
                let at = rng.below(b.len());
                b[at] = (rng.next() % 256) as u8;
            }
        }
        let Ok(s) = String::from_utf8(b) else {
            continue;
        };
        if let Err(msg) = load_both("mutated.json", &s) {
            assert!(msg.contains("(mutated.json"), "error names the file: {msg}");
        }
    }
}

fn mutate_value(v: &mut Value, rng: &mut Lcg) {
    let replacements = [
        json!(null),
        json!(""),
        json!("无"),
        json!(-3),
        json!(1.5),
        json!(true),
        json!([]),
        json!({}),
        json!([{}]),
        json!({ "value": "五" }),
        json!("2017-02-30"),
    ];
    match v {
        Value::Object(o) if !o.is_empty() => {
            let keys: Vec<String> = o.keys().cloned().collect();
            let k = &keys[rng.below(keys.len())];
            let roll = rng.below(6);
            if roll < 2 {
                // Dropping or nulling a key is what partial exports do most.
                if roll == 0 {
                    o.remove(k);
                } else {
                    o.insert(k.clone(), Value::Null);
                }
            } else if roll == 2 {
                o.insert(
                    k.clone(),
                    replacements[rng.below(replacements.len())].clone(),
                );
            } else {
                mutate_value(o.get_mut(k).unwrap(), rng);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            let i = rng.below(a.len());
            if rng.below(4) == 0 {
                a[i] = replacements[rng.below(replacements.len())].clone();
            } else {
                mutate_value(&mut a[i], rng);
            }
        }
        other => *other = replacements[rng.below(replacements.len())].clone(),
    }
}

#[test]
fn structural_mutations_load_or_fail_cleanly_and_audit_without_panic() {
    let pack = Pack::builtin().unwrap();
    let old_text = demo("2017-06-30.json");
    let old = load::snapshot_from_str("old.json", &old_text).unwrap();
    let log = load::adjustment_log_from_str("log.json", &demo("adjustments-2017H2.json")).unwrap();
    let base: Value = serde_json::from_str(&demo("2017-12-31.json")).unwrap();
    let mut rng = Lcg(42);
    let (mut loaded, mut rejected) = (0, 0);
    for _ in 0..250 {
        let mut doc = base.clone();
        for _ in 0..=rng.below(4) {
            // Mutate inside the items most of the time: that is where exports go wrong.
            if rng.below(5) == 0 {
                mutate_value(&mut doc, &mut rng);
            } else {
                mutate_value(&mut doc["items"], &mut rng);
            }
        }
        match load_both("new.json", &doc.to_string()) {
            Ok(new) => {
                loaded += 1;
                let as_of = new
                    .info
                    .as_of
                    .unwrap_or_else(|| "2017-12-31".parse().unwrap());
                let report = audit_loaded(
                    &old,
                    &new,
                    Some(&log),
                    &pack,
                    &Default::default(),
                    as_of,
                    Lang::Zh,
                );
                assert_eq!(report.new.items, new.items.len());
            }
            Err(msg) => {
                rejected += 1;
                assert!(
                    msg.contains("new.json") && msg.contains('/'),
                    "located error: {msg}"
                );
            }
        }
    }
    assert!(
        loaded > 20 && rejected > 20,
        "both outcomes exercised: {loaded} loaded, {rejected} rejected"
    );
}
