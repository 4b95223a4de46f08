//! `catalog-audit merge REPORT...`: combine partial `audit-report/1` documents — a national audit
//! split by region code across machines — into one, as a single run over the whole catalog would
//! have written it: changes and findings concatenated and sorted the same way, counts summed.
//!
//! Exact when the partitions do not interact: items are matched by code within a partition, so a
//! recode across two partitions shows as a cancellation plus an addition, and cross-record rules
//! (CF-11, department aggregates) only see their own partition. Split by region, as catalogs are,
//! and neither happens.

use crate::error::{Error, Result};
use crate::location::Location;
use serde_json::{Map, Value, json};
use std::path::Path;

fn get_u64(v: &Value, path: &[&str]) -> u64 {
    path.iter()
        .try_fold(v, |acc, k| acc.get(*k))
        .and_then(Value::as_u64)
        .unwrap_or(0)
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

/// Merges reports read from files.
pub fn merge_files(paths: &[std::path::PathBuf]) -> Result<Value> {
    let mut reports = Vec::new();
    for p in paths {
        let text = crate::load::read_text(p)?;
        reports.push((
            p.display().to_string(),
            crate::load::report_from_str(&p.display().to_string(), &text)?,
        ));
    }
    merge(&reports)
}

/// Merges reports (file name, document).
pub fn merge(reports: &[(String, Value)]) -> Result<Value> {
    let Some((_, first)) = reports.first() else {
        return Err(Error::Usage("merge needs at least one report".into()));
    };
    for (file, r) in reports {
        if r.get("as_of") != first.get("as_of") {
            return Err(Error::input(
                file,
                Location::pointer("/as_of"),
                format!(
                    "judged as of {}, but {} was judged as of {}: partial reports of one audit share the date",
                    r.get("as_of").unwrap_or(&Value::Null),
                    reports[0].0,
                    first.get("as_of").unwrap_or(&Value::Null)
                ),
            ));
        }
    }
    let mut changes: Vec<Value> = Vec::new();
    let mut findings: Vec<Value> = Vec::new();
    let mut rules = Map::new();
    let mut inputs: Vec<Value> = Vec::new();
    let keys = [
        "added",
        "changed",
        "cancelled",
        "recoded",
        "unchanged",
        "merged",
        "split",
        "waived",
        "resolved",
    ];
    let mut sums = vec![0u64; keys.len()];
    let mut sev = [0u64; 3];
    let (mut old_items, mut new_items) = (0u64, 0u64);
    let mut has_old = false;
    for (_, r) in reports {
        changes.extend(
            r.get("changes")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
        );
        findings.extend(
            r.get("findings")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
        );
        if let Some(Value::Object(m)) = r.get("rules") {
            for (k, v) in m {
                rules.insert(k.clone(), v.clone());
            }
        }
        if let Some(Value::Array(a)) = r.pointer("/manifest/inputs") {
            inputs.extend(a.iter().cloned());
        }
        for (i, k) in keys.iter().enumerate() {
            sums[i] += get_u64(r, &["summary", k]);
        }
        for (i, k) in ["error", "warning", "info"].iter().enumerate() {
            sev[i] += get_u64(r, &["summary", "findings", k]);
        }
        if r.get("old").is_some() {
            has_old = true;
            old_items += get_u64(r, &["old", "items"]);
        }
        new_items += get_u64(r, &["new", "items"]);
    }
    changes.sort_by(|a, b| {
        (s(a, "department"), s(a, "code"), s(a, "kind")).cmp(&(
            s(b, "department"),
            s(b, "code"),
            s(b, "kind"),
        ))
    });
    findings.sort_by(|a, b| {
        let k = |f: &Value| {
            (
                s(f, "department").to_string(),
                s(f, "code").to_string(),
                s(f, "rule").to_string(),
                s(f, "field").to_string(),
                s(f, "evidence").to_string(),
                s(f, "adjustment").to_string(),
            )
        };
        k(a).cmp(&k(b))
    });
    let mut summary = Map::new();
    for (i, k) in keys.iter().enumerate() {
        // merged, split, waived and resolved are written only when non-zero, as a single run does.
        if i < 5 || sums[i] > 0 {
            summary.insert((*k).to_string(), json!(sums[i]));
        }
    }
    summary.insert(
        "findings".into(),
        json!({ "error": sev[0], "warning": sev[1], "info": sev[2] }),
    );
    let mut out = Map::new();
    out.insert("format".into(), json!("audit-report/1"));
    if let Some(t) = first.get("tool") {
        out.insert("tool".into(), t.clone());
    }
    if let Some(a) = first.get("as_of") {
        out.insert("as_of".into(), a.clone());
    }
    let snap = |key: &str, items: u64| {
        let mut v = first.get(key).cloned().unwrap_or_else(|| json!({}));
        if let Value::Object(m) = &mut v {
            m.insert("items".into(), json!(items));
            m.insert(
                "file".into(),
                json!(
                    reports
                        .iter()
                        .map(|(_, r)| s(r.get(key).unwrap_or(&Value::Null), "file"))
                        .collect::<Vec<_>>()
                        .join(" + ")
                ),
            );
        }
        v
    };
    if has_old {
        out.insert("old".into(), snap("old", old_items));
    }
    out.insert("new".into(), snap("new", new_items));
    out.insert("summary".into(), Value::Object(summary));
    out.insert("changes".into(), Value::Array(changes));
    out.insert("findings".into(), Value::Array(findings));
    out.insert("rules".into(), Value::Object(rules));
    out.insert(
        "merged_from".into(),
        json!(
            reports
                .iter()
                .map(|(f, _)| Path::new(f)
                    .file_name()
                    .map_or_else(|| f.clone(), |n| n.to_string_lossy().into_owned()))
                .collect::<Vec<_>>()
        ),
    );
    if !inputs.is_empty() {
        out.insert("inputs".into(), Value::Array(inputs));
    }
    Ok(Value::Object(out))
}
