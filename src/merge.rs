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

/// Merges reports read from files; the merged report's manifest lists each part with its
/// SHA-256.
pub fn merge_files(paths: &[std::path::PathBuf]) -> Result<Value> {
    use sha2::Digest;
    let mut reports = Vec::new();
    let mut digests = Vec::new();
    for p in paths {
        let text = crate::load::read_text(p)?;
        digests.push(hex(&sha2::Sha256::digest(text.as_bytes())));
        reports.push((
            p.display().to_string(),
            crate::load::report_from_str(&p.display().to_string(), &text)?,
        ));
    }
    // The same part twice would double every count.
    for (i, d) in digests.iter().enumerate() {
        if let Some(j) = digests[..i].iter().position(|e| e == d) {
            return Err(Error::input(
                &reports[i].0,
                Location::File,
                format!("the same part as {}: a part is merged once", reports[j].0),
            ));
        }
    }
    let mut merged = merge(&reports)?;
    if let Some(Value::Array(parts)) = merged.pointer_mut("/manifest/parts") {
        for (part, d) in parts.iter_mut().zip(&digests) {
            part["sha256"] = json!(d);
        }
    }
    Ok(merged)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What parts of one audit must share: the rule pack and the options that change results (the
/// date is checked on its own, with its own words).
fn same_setup(reports: &[(String, Value)]) -> Result<()> {
    let (first_file, first) = &reports[0];
    for (file, r) in &reports[1..] {
        for (pointer, what) in [
            ("/manifest/rule_pack_sha256", "a different rule pack"),
            ("/manifest/options", "different options"),
        ] {
            let (a, b) = (first.pointer(pointer), r.pointer(pointer));
            if a != b {
                return Err(Error::input(
                    file,
                    Location::pointer(pointer),
                    format!(
                        "audited with {what} than {first_file} ({} against {}): the parts of one audit share rule pack and options",
                        b.map_or("none".into(), Value::to_string),
                        a.map_or("none".into(), Value::to_string),
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Parts must not overlap: an item (by code) or a snapshot audited in two parts would be counted
/// twice.
fn disjoint(reports: &[(String, Value)]) -> Result<()> {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, (file, r)) in reports.iter().enumerate() {
        let mut codes: Vec<String> = ["changes", "findings"]
            .iter()
            .filter_map(|k| r.get(*k).and_then(Value::as_array))
            .flatten()
            // Item changes and item findings (a finding on an item says how the item changed).
            .filter(|v| v.get("kind").is_some() || v.get("change").is_some())
            .map(|v| s(v, "code").to_string())
            .filter(|c| !c.is_empty())
            .collect();
        codes.sort();
        codes.dedup();
        for code in codes {
            if let Some(&j) = seen.get(&code) {
                if j != i {
                    return Err(Error::input(
                        file,
                        Location::File,
                        format!(
                            "item {code} is also in {}: parts must not overlap (split by region code)",
                            reports[j].0
                        ),
                    ));
                }
            } else {
                seen.insert(code, i);
            }
        }
        if let Some(Value::Array(inputs)) = r.pointer("/manifest/inputs") {
            for input in inputs.iter().filter(|v| s(v, "role") == "new") {
                let key = format!("new snapshot {}", s(input, "sha256"));
                if let Some(&j) = seen.get(&key) {
                    return Err(Error::input(
                        file,
                        Location::pointer("/manifest/inputs"),
                        format!(
                            "audits the same new snapshot ({}) as {}: parts must not overlap",
                            s(input, "file"),
                            reports[j].0
                        ),
                    ));
                }
                seen.insert(key, i);
            }
        }
    }
    Ok(())
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
    same_setup(reports)?;
    disjoint(reports)?;
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
        out.insert("inputs".into(), Value::Array(inputs.clone()));
    }
    // The manifest of a single run (pack, options), its inputs being every part's, and the
    // parts themselves.
    let mut manifest = first.get("manifest").cloned().unwrap_or_else(|| json!({}));
    if let Value::Object(m) = &mut manifest {
        m.insert("inputs".into(), Value::Array(inputs));
        m.insert(
            "parts".into(),
            json!(
                reports
                    .iter()
                    .map(|(f, r)| json!({
                        "file": Path::new(f)
                            .file_name()
                            .map_or_else(|| f.clone(), |n| n.to_string_lossy().into_owned()),
                        "old_items": get_u64(r, &["old", "items"]),
                        "new_items": get_u64(r, &["new", "items"]),
                        "findings": r.get("findings").and_then(Value::as_array).map_or(0, Vec::len),
                    }))
                    .collect::<Vec<_>>()
            ),
        );
    }
    out.insert("manifest".into(), manifest);
    Ok(Value::Object(out))
}
