//! The benchmark's generated pairs (`examples/generate.rs`) audit as planted, in the default mode
//! and in variety mode: the report's added / changed / cancelled / recoded counts equal
//! `planted.json`'s, every planted adjustment-log defect fires as often as it was planted, every
//! planted item defect fires on the planted items and on no other, and nothing else fires but the
//! demo content's systemic findings and the known consequences of planted changes. The review
//! comments carry every planted defect on its item, no item neither planted with a defect nor
//! touched by a planted change has an item comment (must-fix), and every open finding is in
//! exactly one comment. A 2,000-item pair per mode (four regions), audited by the binary as
//! `benches/run.sh` does.

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
        track: true,
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
    comments_match_planted(&report, &planted);
}

/// The strings of a JSON array (none when absent).
fn strs(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().map(|x| x.as_str().unwrap()).collect())
        .unwrap_or_default()
}

/// The review comments: every planted defect is in a comment on its item, clean items (no
/// planted defect, no planted change) carry no item comment, and every open finding is in exactly
/// one comment.
#[allow(clippy::print_stderr)] // the figures, for information
fn comments_match_planted(report: &Value, planted: &generate::Planted) {
    let variety = planted.variety;
    let by_item = &planted.by_item;
    let findings = report["findings"].as_array().unwrap();
    // Open findings by fingerprint: (rule, code).
    let open: BTreeMap<&str, (&str, &str)> = findings
        .iter()
        .filter(|f| matches!(f["state"].as_str(), Some("new" | "persisting" | "reopened")))
        .map(|f| {
            (
                f["fingerprint"].as_str().unwrap(),
                (
                    f["rule"].as_str().unwrap(),
                    f["code"].as_str().unwrap_or_default(),
                ),
            )
        })
        .collect();
    assert!(!open.is_empty());

    // What the comments state on each item (rules), and how often each fingerprint is cited.
    let mut stated: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut cited: BTreeMap<&str, usize> = BTreeMap::new();
    // Item comments on clean items: (code, rules, first point's text).
    let mut on_clean: Vec<(&str, Vec<&str>, &str)> = Vec::new();
    let (mut item_comments, mut department_comments) = (0usize, 0usize);
    for c in report["comments"].as_array().unwrap() {
        match c["kind"].as_str() {
            Some("item") => {
                item_comments += 1;
                let code = c["code"].as_str().unwrap();
                let points = c["points"].as_array().unwrap();
                assert!(!points.is_empty(), "{c}");
                let mut rules = Vec::new();
                for p in points {
                    rules.extend(strs(&p["rules"]));
                    for fp in strs(&p["fingerprints"]) {
                        *cited.entry(fp).or_default() += 1;
                    }
                }
                stated.entry(code).or_default().extend(&rules);
                if !by_item.defects.contains_key(code) && !by_item.touched.contains(code) {
                    on_clean.push((code, rules, points[0]["text"].as_str().unwrap()));
                }
            }
            Some("department") => {
                department_comments += 1;
                for fp in strs(&c["fingerprints"]) {
                    *cited.entry(fp).or_default() += 1;
                }
                for listed in c["items"].as_array().into_iter().flatten() {
                    let code = listed["code"].as_str().unwrap();
                    for fp in strs(&listed["fingerprints"]) {
                        *cited.entry(fp).or_default() += 1;
                        if let Some((rule, _)) = open.get(fp) {
                            stated.entry(code).or_default().insert(rule);
                        }
                    }
                }
            }
            other => panic!("comment kind {other:?}: {c}"),
        }
    }

    // Every open finding in exactly one comment, and nothing else cited.
    for (fp, (rule, code)) in &open {
        assert_eq!(
            cited.get(fp).copied().unwrap_or(0),
            1,
            "{rule} on {code:?}: fingerprint {fp} (variety {variety})"
        );
    }
    for fp in cited.keys() {
        assert!(
            open.contains_key(fp),
            "a comment cites {fp}, no open finding (variety {variety})"
        );
    }

    // Every planted defect in a comment on its item; an item defect may be repaired by a planted
    // change of the same item, on at most a tenth of the items it was planted on (as above).
    assert_eq!(
        by_item.defects.values().map(BTreeSet::len).sum::<usize>(),
        planted.defects.values().sum::<usize>() + planted.log_defects.values().sum::<usize>(),
        "every planted defect is recorded on its item (variety {variety})"
    );
    let mut repaired: BTreeMap<&str, usize> = BTreeMap::new();
    for (code, rules) in &by_item.defects {
        for rule in rules {
            if stated.get(code.as_str()).is_some_and(|s| s.contains(rule)) {
                continue;
            }
            assert!(
                planted.defects.contains_key(*rule) && by_item.touched.contains(code),
                "{rule} planted on {code}, in no comment on it: {:?} (variety {variety})",
                stated.get(code.as_str())
            );
            *repaired.entry(rule).or_default() += 1;
        }
    }
    for (rule, n) in &repaired {
        let want = planted.defects[*rule];
        assert!(
            *n <= want.div_ceil(10),
            "{rule}: planted on {want} items, missing from the comments on {n} (variety {variety})"
        );
    }

    // No must-fix comment on a clean item.
    assert!(
        on_clean.is_empty(),
        "{} clean items have an item comment, e.g. {:?} (variety {variety})",
        on_clean.len(),
        &on_clean[..on_clean.len().min(5)]
    );

    let items = planted.new_items as f64;
    let commented: BTreeSet<&str> = report["comments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "item")
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    // For information (`cargo test --test generated -- --nocapture`).
    eprintln!(
        "comments (variety {variety}): {} items, {item_comments} item comments, \
         {department_comments} department comments, {:.1} % of items with an item comment, \
         {:.3} comment rows per item; planted defects on {} items ({} repaired by a planted \
         change), {} items touched by a change",
        planted.new_items,
        100.0 * commented.len() as f64 / items,
        (item_comments + department_comments) as f64 / items,
        by_item.defects.len(),
        repaired.values().sum::<usize>(),
        by_item.touched.len(),
    );
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
