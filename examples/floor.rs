//! The floor for an audit: the least work any diff of two snapshots must do. It reads both files,
//! parses them into the typed model (`catalog_audit::model::Item`) and matches items by code with a
//! `HashMap`, counting matched, identical, added and removed items. No schema validation, no field
//! diff, no rules, no report.
//!
//! ```text
//! cargo run --release --example floor -- OLD.json NEW.json [--parser serde|sonic]
//! cargo run --release --example floor --features floor-sonic,floor-mimalloc -- OLD NEW --parser sonic
//! ```
//!
//! `--parser sonic` needs the `floor-sonic` feature (sonic-rs); the `floor-mimalloc` feature swaps
//! the global allocator for mimalloc. Neither is a default feature: they exist to measure whether
//! a faster parser or allocator would move the floor, not to ship.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use catalog_audit::model::{CatalogInfo, Item};
use serde::Deserialize;
use std::collections::HashMap;
use std::time::Instant;

#[cfg(feature = "floor-mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ALLOCATOR: &str = if cfg!(feature = "floor-mimalloc") {
    "mimalloc"
} else {
    "system"
};

#[derive(Deserialize)]
struct Snapshot {
    #[allow(dead_code)]
    format: String,
    #[allow(dead_code)]
    catalog: CatalogInfo,
    items: Vec<Item>,
}

fn parse(text: &str, parser: &str) -> Result<Snapshot, String> {
    match parser {
        "serde" => serde_json::from_str(text).map_err(|e| e.to_string()),
        #[cfg(feature = "floor-sonic")]
        "sonic" => sonic_rs::from_str(text).map_err(|e| e.to_string()),
        other => Err(format!(
            "parser {other} is not built in (serde{})",
            if cfg!(feature = "floor-sonic") {
                ", sonic"
            } else {
                "; sonic needs --features floor-sonic"
            }
        )),
    }
}

fn main() {
    let mut files = Vec::new();
    let mut parser = "serde".to_string();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--parser" {
            parser = args.next().unwrap_or_default();
        } else {
            files.push(a);
        }
    }
    let [old_path, new_path] = files.as_slice() else {
        eprintln!("usage: floor OLD.json NEW.json [--parser serde|sonic]");
        std::process::exit(2);
    };
    let start = Instant::now();
    let load = |path: &str| -> Snapshot {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
            eprintln!("{path}: {e}");
            std::process::exit(3)
        });
        parse(&text, &parser).unwrap_or_else(|e| {
            eprintln!("{path}: {e}");
            std::process::exit(3)
        })
    };
    let old = load(old_path);
    let new = load(new_path);
    let parsed = start.elapsed();

    let by_code: HashMap<&str, &Item> = old.items.iter().map(|i| (i.code.as_str(), i)).collect();
    let (mut matched, mut identical) = (0usize, 0usize);
    for item in &new.items {
        if let Some(before) = by_code.get(item.code.as_str()) {
            matched += 1;
            if *before == item {
                identical += 1;
            }
        }
    }
    let total = start.elapsed();
    println!(
        "floor parser={parser} allocator={ALLOCATOR} old={} new={} matched={matched} identical={identical} added={} removed={} parse_s={:.3} match_s={:.3} total_s={:.3}",
        old.items.len(),
        new.items.len(),
        new.items.len() - matched,
        old.items.len() - matched,
        parsed.as_secs_f64(),
        (total - parsed).as_secs_f64(),
        total.as_secs_f64()
    );
}
