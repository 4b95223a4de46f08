//! The benchmark's generated pairs (`examples/generate.rs`) audit as planted, in the default mode
//! and in variety mode: the report's added / changed / cancelled / recoded counts equal
//! `planted.json`'s, every planted adjustment-log defect fires as often as it was planted, every
//! planted item defect fires on the planted items and on no other, and nothing else fires but the
//! demo content's systemic findings and the known consequences of planted changes. A 2,000-item
//! pair per mode (four regions), audited by the binary as `benches/run.sh` does.

#[allow(dead_code)]
#[path = "../examples/generate.rs"]
mod generate;

use assert_cmd::Command;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Findings of ordinary clean items (visits without exemption, proofs without basis, compression
/// below target) and of planted changes (a halved promised limit, a material added, a visit or
/// online depth changed, a department's share of zero-visit items).
const ALLOWED: &[&str] = &[
    "OV-06", "OV-10", "TL-08", "TL-05", "OV-04", "OV-05", "OV-07", "OV-17", "OV-19", "OV-20",
];

fn audit_matches_planted(variety: bool) {
    let templates = generate::Templates::load();
    let opts = generate::Options {
        items: 2_000,
        seed: 7,
        per_region: 600,
        track: false,
    };
    let catalog = variety.then(|| generate::Variety::new(&templates, opts.seed));
    let (mut old, mut new, mut log) = (Vec::new(), Vec::new(), Vec::new());
    let (requests, planted) = generate::generate_with(
        &opts,
        &templates,
        catalog.as_ref(),
        &mut old,
        &mut new,
        None,
    )
    .unwrap();
    generate::write_log(&requests, &mut log).unwrap();
    assert_eq!(planted.variety, variety);

    let d = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("old.json", &old),
        ("new.json", &new),
        ("adjustments.json", &log),
    ] {
        std::fs::write(d.path().join(name), bytes).unwrap();
    }
    let report = d.path().join("report.json");
    let out = Command::cargo_bin("catalog-audit")
        .unwrap()
        .current_dir(d.path())
        .args([
            "audit",
            "old.json",
            "new.json",
            "--adjustments",
            "adjustments.json",
            "--format",
            "json",
            "--out",
            "report.json",
            "--quiet",
        ])
        .output()
        .unwrap();
    // Exit 1: findings at error level, as planted.
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let report: Value = serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap();

    let summary = &report["summary"];
    let planted_cancelled = planted.cancelled_removed + planted.cancelled_status;
    for (key, want) in [
        ("added", planted.added),
        ("changed", planted.changed),
        ("cancelled", planted_cancelled),
        ("recoded", planted.recoded),
    ] {
        assert_eq!(
            summary[key].as_u64(),
            Some(want as u64),
            "{key} (variety {variety})"
        );
    }
    assert_eq!(
        report["new"]["items"].as_u64(),
        Some(planted.new_items as u64)
    );

    // Items per rule.
    let mut fired: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        fired
            .entry(f["rule"].as_str().unwrap().into())
            .or_default()
            .insert(f["code"].as_str().unwrap_or_default().into());
    }
    let count = |rule: &str| fired.get(rule).map_or(0, BTreeSet::len);
    for (rule, &want) in &planted.log_defects {
        assert_eq!(count(rule), want, "{rule} (variety {variety})");
    }
    for (rule, &want) in &planted.defects {
        // A planted change may repair a planted defect (an article added, a visit dropped).
        let got = count(rule);
        assert!(
            got <= want && got + want.div_ceil(10) >= want,
            "{rule}: fired on {got} items, planted on {want} (variety {variety})"
        );
    }
    for rule in fired.keys() {
        assert!(
            planted.defects.contains_key(rule)
                || planted.log_defects.contains_key(rule)
                || ALLOWED.contains(&rule.as_str()),
            "{rule} fired on {} items, none planted (variety {variety})",
            count(rule)
        );
    }
}

#[test]
fn default_pair_audits_as_planted() {
    audit_matches_planted(false);
}

#[test]
fn variety_pair_audits_as_planted() {
    audit_matches_planted(true);
}

/// Variety mode repeats values far less than the demo templates (the point of the mode), and
/// the default mode's statistics say how much they repeat there.
#[test]
fn variety_repeats_values_less() {
    let templates = generate::Templates::load();
    let opts = generate::Options {
        items: 2_000,
        seed: 3,
        per_region: 600,
        track: false,
    };
    let catalog = generate::Variety::new(&templates, opts.seed);
    let ratios = |v: Option<&generate::Variety>| {
        let (mut old, mut new) = (Vec::new(), Vec::new());
        let (_, planted) =
            generate::generate_with(&opts, &templates, v, &mut old, &mut new, None).unwrap();
        planted
            .distinct
            .iter()
            .map(|d| (d.property, d.ratio))
            .collect::<BTreeMap<_, _>>()
    };
    let (demo, variety) = (ratios(None), ratios(Some(&catalog)));
    // Names repeat in both (the same basic item in several regions), bodies far less in variety.
    for (property, factor) in [
        ("name", 2.0),
        ("address", 2.0),
        ("legal_basis", 10.0),
        ("materials", 10.0),
        ("process", 10.0),
        ("result", 10.0),
    ] {
        assert!(
            variety[property] > factor * demo[property],
            "{property}: {} against {}",
            variety[property],
            demo[property]
        );
    }
    assert_eq!(demo["受理条件"], 0.0);
    assert!(variety["受理条件"] > 0.3);
}
