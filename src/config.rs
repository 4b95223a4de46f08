//! Project configuration: per-rule severity, disabled rules, scoped overrides by department or item
//! type, and extra registry files. Read from `--config FILE` (`audit-config/1` JSON) and from flags,
//! flags winning. Unknown rule codes are errors: a typo must not silently keep a rule on.

use crate::error::{Error, Problem, Result};
use crate::rules::{Pack, Severity};
use crate::schema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The severity at or above which the exit code is 1.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    clap::ValueEnum,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    #[default]
    Error,
    Warning,
    Info,
    /// Always exit 0 when the run completes.
    Never,
}

impl FailOn {
    /// The lowest severity that fails the run, or `None` for `never`.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

/// A scoped override of one rule.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// Departments the override applies to (any, when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub departments: Vec<String>,
    /// Item types the override applies to (any, when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub item_types: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// Why (kept for the record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What the configuration says about one rule.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulePolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// Checked in order; the first matching override decides.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<Override>,
    /// The deployment's own documents for this rule: reports cite these instead of the pack's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub basis: Vec<crate::rules::PolicyBasis>,
}

/// `audit-config/1`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub format: Option<String>,
    /// Per rule code.
    #[serde(default)]
    pub rules: BTreeMap<String, RulePolicy>,
    /// Registry files added to the pack's (paths relative to the config file).
    #[serde(default)]
    pub registries: Vec<PathBuf>,
    /// The default of `--fail-on` (the flag and CATALOG_AUDIT_FAIL_ON win).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_on: Option<FailOn>,
    /// The element profile CF-01 judges against (`national` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Element profile files added to the pack's (paths relative to the config file).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<PathBuf>,
    /// The default of `--reply-by`: the date departments must reply by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_by: Option<chrono::NaiveDate>,
    /// The default of `--contact`: whom departments ask about the comments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
}

impl Config {
    /// Reads a configuration file.
    pub fn read(path: &Path) -> Result<Config> {
        let file = path.display().to_string();
        let text = crate::files::read_regular_text(path, Some(crate::files::SETUP_LIMIT)).map_err(
            |source| Error::Read {
                path: path.to_path_buf(),
                source,
            },
        )?;
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            Error::Usage(format!(
                "{file}: line {}, column {}: not valid JSON: {e}",
                e.line(),
                e.column()
            ))
        })?;
        let problems = schema::problems(schema::config(), &value, None, "");
        if !problems.is_empty() {
            return Err(Error::Rule { file, problems });
        }
        let mut cfg: Config =
            serde_json::from_value(value).map_err(|e| Error::Usage(format!("{file}: {e}")))?;
        let base = path.parent().unwrap_or(Path::new("."));
        for r in cfg.registries.iter_mut().chain(cfg.profiles.iter_mut()) {
            if r.is_relative() {
                *r = base.join(&*r);
            }
        }
        Ok(cfg)
    }

    /// Applies `--disable CODE` and `--severity CODE=LEVEL` flags on top of the file.
    pub fn apply_flags(&mut self, disable: &[String], severity: &[String]) -> Result<()> {
        for code in disable {
            self.rules
                .entry(code.to_ascii_uppercase())
                .or_default()
                .enabled = Some(false);
        }
        for s in severity {
            let (code, level) = s.split_once('=').ok_or_else(|| {
                Error::Usage(format!(
                    "--severity takes CODE=LEVEL (error, warning, info), not {s}"
                ))
            })?;
            let level: Severity = serde_json::from_value(serde_json::Value::String(level.into()))
                .map_err(|_| {
                Error::Usage(format!(
                    "--severity {s}: level must be error, warning or info"
                ))
            })?;
            self.rules
                .entry(code.to_ascii_uppercase())
                .or_default()
                .severity = Some(level);
        }
        Ok(())
    }

    /// Adds the configuration's element profiles to the pack and checks that the profile it
    /// selects is there (a usage error naming the known ones otherwise).
    pub fn add_profiles(&self, pack: &mut Pack, file: &str) -> Result<()> {
        for p in &self.profiles {
            pack.add_profile(p)?;
        }
        match &self.profile {
            Some(name) if !pack.profiles.contains_key(name) => {
                let known: Vec<&str> = pack.profiles.keys().map(String::as_str).collect();
                Err(Error::Usage(format!(
                    "{file}: no element profile \"{name}\" (known: {})",
                    known.join(", ")
                )))
            }
            _ => Ok(()),
        }
    }

    /// Rejects rule codes the pack does not have, located in the configuration file.
    pub fn check_codes(&self, pack: &Pack, file: &str) -> Result<()> {
        let problems: Vec<Problem> = self
            .rules
            .keys()
            .filter(|c| pack.get(c).is_none() && crate::rounds::round_rule(c).is_none())
            .map(|c| Problem {
                location: crate::location::Location::pointer(format!("/rules/{c}")),
                message: format!(
                    "unknown rule code {c}; `catalog-audit rules list` shows the catalogue"
                ),
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Rule {
                file: file.to_string(),
                problems,
            })
        }
    }

    /// Whether a rule runs at all (the scoped overrides may still switch it off or on per item).
    pub fn may_run(&self, code: &str) -> bool {
        match self.rules.get(code) {
            None => true,
            Some(p) => {
                p.enabled != Some(false) || p.overrides.iter().any(|o| o.enabled == Some(true))
            }
        }
    }

    /// The severity a finding of `code` gets for an item of this department and type, or `None`
    /// when the rule is off there.
    pub fn decide(
        &self,
        code: &str,
        default: Severity,
        department: &str,
        item_type: &str,
    ) -> Option<Severity> {
        let Some(p) = self.rules.get(code) else {
            return Some(default);
        };
        let mut enabled = p.enabled.unwrap_or(true);
        let mut severity = p.severity.unwrap_or(default);
        if let Some(o) = p.overrides.iter().find(|o| {
            (o.departments.is_empty() || o.departments.iter().any(|d| d == department))
                && (o.item_types.is_empty() || o.item_types.iter().any(|t| t == item_type))
        }) {
            enabled = o.enabled.unwrap_or(enabled);
            severity = o.severity.unwrap_or(severity);
        }
        enabled.then_some(severity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_decide_per_department_and_type() {
        let cfg: Config = serde_json::from_value(serde_json::json!({
            "rules": {
                "OV-03": { "severity": "warning", "overrides": [
                    { "departments": ["公安局"], "enabled": false },
                    { "item_types": ["行政许可"], "severity": "error" }
                ]},
                "CF-09": { "enabled": false }
            }
        }))
        .unwrap();
        assert_eq!(
            cfg.decide("OV-03", Severity::Error, "教育局", "公共服务"),
            Some(Severity::Warning)
        );
        assert_eq!(
            cfg.decide("OV-03", Severity::Error, "公安局", "公共服务"),
            None
        );
        assert_eq!(
            cfg.decide("OV-03", Severity::Error, "教育局", "行政许可"),
            Some(Severity::Error)
        );
        assert_eq!(
            cfg.decide("CF-09", Severity::Warning, "教育局", "公共服务"),
            None
        );
        assert!(!cfg.may_run("CF-09"));
        assert_eq!(
            cfg.decide("LB-01", Severity::Error, "x", "y"),
            Some(Severity::Error)
        );
    }

    #[test]
    fn flags_override_the_file() {
        let mut cfg = Config::default();
        cfg.apply_flags(&["cf-09".into()], &["OV-03=info".into()])
            .unwrap();
        assert_eq!(cfg.decide("CF-09", Severity::Warning, "", ""), None);
        assert_eq!(
            cfg.decide("OV-03", Severity::Error, "", ""),
            Some(Severity::Info)
        );
        assert!(cfg.apply_flags(&[], &["OV-03:info".into()]).is_err());
        assert!(cfg.apply_flags(&[], &["OV-03=fatal".into()]).is_err());
    }
}
