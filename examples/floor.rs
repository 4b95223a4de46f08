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

use catalog_audit::model::{
    CatalogInfo, Extra, Faq, Fee, ItemResult, LegalBasis, Limit, Material, Step,
};
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

/// The naive typed item: the contract's elements as owned `String`s and `Vec`s, parsed with
/// plain serde derive. This is a copy of the model as it was before the tool began interning
/// (`catalog_audit::model::Item` now shares repeated text and lists), kept here so the floor stays
/// the same program whatever the tool's model becomes.
#[derive(Debug, PartialEq, Deserialize)]
#[allow(dead_code)]
struct Item {
    /// 事项编码: the identity of an item across snapshots.
    code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    basic_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    impl_code: Option<String>,
    /// 事项名称.
    name: String,
    /// 事项类型 (行政许可 … 公共服务).
    item_type: String,
    /// 实施主体.
    department: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    department_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    power_source: Option<String>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    service_objects: Vec<String>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    legal_basis: Vec<LegalBasis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    case_type: Option<String>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    channels: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    legal_limit: Option<Limit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    promised_limit: Option<Limit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    onsite_visits: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    onsite_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    one_visit: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    online_depth: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    online_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mobile_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pay_online: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fee: Option<Fee>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    materials: Vec<Material>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    process: Vec<Step>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    result: Option<ItemResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    office_hours: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    consult_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    complaint_phone: Option<String>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    faq: Vec<Faq>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    effective_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cancel_on: Option<String>,
    #[serde(flatten)]
    extra: Extra,
}

/// `null` reads as the default, as in the tool's model.
fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Option::unwrap_or_default)
}

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
