//! Running a rule's worked examples: each is a tiny catalog pair (and log) audited with that rule
//! alone. The test suite runs every example of every rule; `rules explain` lists them.

use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::load;
use crate::location::Location;
use crate::model::Catalog;
use crate::rules::Lang;
use crate::rules::{Example, Pack};
use chrono::NaiveDate;
use serde_json::{Value, json};

/// The evaluation date of examples that do not give one.
pub const DEFAULT_AS_OF: &str = "2017-12-31";

fn with_defaults(item: &Value) -> Value {
    let mut base = json!({
        "code": "EX-0001",
        "name": "示例事项",
        "item_type": "公共服务",
        "department": "示例局"
    });
    if let (Some(b), Some(i)) = (base.as_object_mut(), item.as_object()) {
        for (k, v) in i {
            b.insert(k.clone(), v.clone());
        }
    }
    base
}

fn catalog(file: &str, as_of: &str, item: Option<&Value>, others: &[Value]) -> Result<Catalog> {
    let mut items: Vec<Value> = item
        .filter(|v| !v.is_null())
        .map(with_defaults)
        .into_iter()
        .collect();
    items.extend(others.iter().map(with_defaults));
    let doc = json!({
        "format": "catalog-snapshot/1",
        "catalog": { "name": "示例目录", "region_code": "000000", "as_of": as_of },
        "items": items,
    });
    load::snapshot_from_str(file, &doc.to_string())
}

/// Audits one example with the rule `code` alone and returns its findings.
pub fn run(pack: &Pack, code: &str, example: &Example, label: &str) -> Result<Vec<Finding>> {
    run_with(
        pack,
        code,
        example,
        label,
        &crate::config::Config::default(),
    )
}

/// [`run`] under a configuration (an element profile's examples run with that profile selected).
pub fn run_with(
    pack: &Pack,
    code: &str,
    example: &Example,
    label: &str,
    config: &crate::config::Config,
) -> Result<Vec<Finding>> {
    let single = pack.only(code)?;
    let as_of = example.as_of.as_deref().unwrap_or(DEFAULT_AS_OF);
    let date: NaiveDate = as_of.parse().map_err(|_| {
        Error::rule(
            label,
            Location::pointer("/as_of"),
            format!("not a date: {as_of}"),
        )
    })?;
    let others = &example.others;
    let new = catalog(
        &format!("{label} (item)"),
        as_of,
        example.item.as_ref(),
        others,
    )?;
    let old = match &example.old {
        None => catalog(
            &format!("{label} (item)"),
            as_of,
            example.item.as_ref(),
            others,
        )?,
        Some(v) => catalog(&format!("{label} (old)"), as_of, Some(v), others)?,
    };
    let log = match &example.adjustments {
        Some(list) => Some(load::adjustment_log_from_str(
            &format!("{label} (adjustments)"),
            &json!({ "format": "adjustment-log/1", "adjustments": list }).to_string(),
        )?),
        None => None,
    };
    let report = super::audit_loaded(&old, &new, log.as_ref(), &single, config, date, Lang::Zh);
    Ok(report.findings)
}
