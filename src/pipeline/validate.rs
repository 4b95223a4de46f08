//! `validate`: what a file is and whether it is valid, for every kind of file the tool reads
//! (snapshots and logs in JSON, CSV or XLSX; reports; registries; rule files and gap lists;
//! configurations). The command line prints the result; nothing here prints.

use crate::config::Config;
use crate::error::Result;
use crate::load::{self, DocKind};
use crate::rules::Pack;
use std::path::Path;

/// Validates one file and says what it is, in a few words (`catalog-snapshot/1, 68 items`).
pub fn describe(path: &Path, opts: &load::Options) -> Result<String> {
    describe_with_warnings(path, opts).map(|(what, _)| what)
}

/// [`describe`], with what reading a spreadsheet coerced (see [`load::Options::strict`]).
pub fn describe_with_warnings(
    path: &Path,
    opts: &load::Options,
) -> Result<(String, Vec<crate::error::Problem>)> {
    if opts.format_of(path) != load::InputFormat::Json {
        return Ok(match table_kind(path, opts)? {
            TableKind::Log => {
                let l = load::adjustment_log_with(path, opts)?;
                (
                    format!("adjustment log, {} requests", l.adjustments.len()),
                    l.warnings,
                )
            }
            TableKind::Catalog => {
                let c = load::snapshot_with(path, opts)?;
                (format!("catalog, {} items", c.items.len()), c.warnings)
            }
            TableKind::Replies => {
                let r = super::responses::read_responses(path, opts)?;
                (format!("reply sheet, {} replies", r.len()), Vec::new())
            }
        });
    }
    describe_json(path).map(|what| (what, Vec::new()))
}

fn describe_json(path: &Path) -> Result<String> {
    let (kind, text) = load::sniff(path)?;
    let file = path.display().to_string();
    Ok(match kind {
        DocKind::Snapshot => {
            let c = load::snapshot_from_str(&file, &text)?;
            format!("catalog-snapshot/1, {} items", c.items.len())
        }
        DocKind::AdjustmentLog => {
            let l = load::adjustment_log_from_str(&file, &text)?;
            format!("adjustment-log/1, {} requests", l.adjustments.len())
        }
        DocKind::Report => {
            load::report_from_str(&file, &text)?;
            "audit-report/1".to_string()
        }
        DocKind::Registry => {
            let mut pack = Pack::from_files("validate", Vec::new())?;
            pack.add_registry(path)?;
            let format = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v.get("format").and_then(|f| f.as_str()).map(str::to_string))
                .unwrap_or_default();
            format!("{format} registry")
        }
        DocKind::Gaps => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let pack = Pack::from_files("validate", vec![(format!("gaps/{name}"), text)])?;
            format!("rule-gaps/1, {} rules not applicable", pack.gaps.len())
        }
        DocKind::Targets => {
            let pack = Pack::from_files("", vec![(path.display().to_string(), text)])?;
            format!(
                "scorecard-targets/1, {} targets",
                pack.scorecard.targets.len()
            )
        }
        DocKind::Config => {
            let cfg = Config::read(path)?;
            let mut pack = Pack::builtin()?;
            cfg.check_codes(&pack, &file)?;
            cfg.add_profiles(&mut pack, &file)?;
            "audit-config/1".to_string()
        }
        DocKind::Profile => {
            // Checked beside the built-in profiles, which it may extend (a new version of a
            // built-in profile replaces it).
            let name = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v.get("name").and_then(|f| f.as_str()).map(str::to_string))
                .unwrap_or_default();
            let mut pack = Pack::builtin()?;
            pack.profile_files
                .retain(|(_, v)| v.get("name").and_then(|n| n.as_str()) != Some(name.as_str()));
            pack.add_profile(path)?;
            let n = pack.profiles.get(&name).map_or(0, |p| p.elements.len());
            format!("element-profile/1 {name}, {n} elements")
        }
        DocKind::Rule => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            // A lone rule file is checked as a one-rule pack whose directory is the file's
            // grandparent, so that errors name the file as given.
            let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
            let rel = match parent.and_then(|p| p.file_name()) {
                Some(dir) => format!("{}/{name}", dir.to_string_lossy()),
                None => name,
            };
            let root = parent
                .and_then(Path::parent)
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            let pack = Pack::from_files(&root, vec![(rel, text)])?;
            format!("rule {}", pack.rules[0].spec.code)
        }
    })
}

/// What a spreadsheet holds.
pub enum TableKind {
    Catalog,
    Log,
    /// A review sheet a department filled in (`audit --responses`).
    Replies,
}

/// A spreadsheet with the review sheet's fingerprint and reply columns is a department's replies;
/// one with an adjustment-type column and no item-name column is a log.
pub fn table_kind(path: &Path, opts: &load::Options) -> Result<TableKind> {
    let wb = match opts.format_of(path) {
        load::InputFormat::Csv => crate::table::read_csv(path, opts.encoding)?,
        _ => crate::table::read_xlsx(path)?,
    };
    if super::responses::is_reply_sheet(&wb) {
        return Ok(TableKind::Replies);
    }
    let has =
        |pred: &dyn Fn(&str) -> bool| wb.sheets.iter().any(|s| s.headers.iter().any(|h| pred(h)));
    let is_log = has(&|h| opts.headers.log(h) == Some("kind"))
        && !has(&|h| opts.headers.item(h) == Some("name"));
    Ok(if is_log {
        TableKind::Log
    } else {
        TableKind::Catalog
    })
}
