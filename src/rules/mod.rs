//! Rules as data: the rule-file format, the rule pack and its registries.
//!
//! A rule is one JSON file (`rules/<category>/<CODE>-<name>.json`), checked against
//! `schemas/rule.schema.json` and then deserialised with unknown keys rejected (a typo in a rule file
//! must not silently disable a check). Paths and regular expressions are compiled when the pack is
//! loaded, so a broken rule is an error before any catalog is read. The built-in pack is the
//! `rules/` directory embedded at build time; `--rules DIR` loads another one the same way.

pub mod cond;
pub mod message;
pub mod profile;
pub mod targets;

use crate::calendar::{Calendar, CalendarFile};
use crate::error::{Error, Problem, Result};
use crate::location::Location;
use crate::node::Shape;
use crate::registry::Registries;
use crate::schema;
use cond::{Cond, CondSpec, Path, ShapeCtx};
use handlebars::Handlebars;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path as FsPath;

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));
}

/// Finding categories (CONTRACT.md §4) and their rule-code prefixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    LegalBasis,
    Fee,
    OneVisit,
    TimeLimit,
    Adjustment,
    Format,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::LegalBasis,
        Category::Fee,
        Category::OneVisit,
        Category::TimeLimit,
        Category::Adjustment,
        Category::Format,
    ];

    /// The rule-code prefix of the category.
    pub fn prefix(self) -> &'static str {
        match self {
            Category::LegalBasis => "LB",
            Category::Fee => "FEE",
            Category::OneVisit => "OV",
            Category::TimeLimit => "TL",
            Category::Adjustment => "DA",
            Category::Format => "CF",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Category::LegalBasis => "legal_basis",
            Category::Fee => "fee",
            Category::OneVisit => "one_visit",
            Category::TimeLimit => "time_limit",
            Category::Adjustment => "adjustment",
            Category::Format => "format",
        }
    }
}

/// Finding severities, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A text in both languages the tool speaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

/// Report language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// A policy document a rule rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyBasis {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The region whose own document it is (the start of an administrative division code: `33`
    /// for Zhejiang, `3306` for one city): cited only on catalogs of that region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The day it was issued, where its number does not say the year (a State Council decree):
    /// a report judged before that day does not cite it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued: Option<chrono::NaiveDate>,
}

impl PolicyBasis {
    /// The year of its document number, where the number says it: 国发〔2022〕5号 → 2022,
    /// GB/T 39046-2020 → 2020 (a decree number such as 国务院令第722号 has none).
    pub fn year(&self) -> Option<i32> {
        let no = self.doc_no.as_deref()?;
        if let Some((_, rest)) = no.split_once('〔')
            && let Some((year, _)) = rest.split_once('〕')
        {
            return year.trim().parse().ok();
        }
        let (_, tail) = no.rsplit_once('-')?;
        (tail.len() == 4).then(|| tail.parse().ok()).flatten()
    }

    /// Whether the document came after `as_of` (its number's year is later), so that a report
    /// judged as of that day must not cite it.
    pub fn after(&self, as_of: chrono::NaiveDate) -> bool {
        use chrono::Datelike;
        match self.issued {
            Some(day) => day > as_of,
            None => self.year().is_some_and(|y| y > as_of.year()),
        }
    }

    /// Whether a report on a catalog of this region (its administrative division code, if
    /// known) cites it: a document of one region only on that region's catalogs.
    pub fn applies_to(&self, region_code: Option<&str>) -> bool {
        match (&self.region, region_code) {
            (None, _) => true,
            (Some(r), Some(code)) => code.starts_with(r.as_str()),
            (Some(_), None) => false,
        }
    }

    /// Whether a report judged as of `as_of` on a catalog of `region_code` cites it.
    pub fn citable(&self, as_of: chrono::NaiveDate, region_code: Option<&str>) -> bool {
        !self.after(as_of) && self.applies_to(region_code)
    }
}

/// What a rule is evaluated on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// Every catalog item (with its change, if any).
    #[default]
    Item,
    /// Every request of the adjustment log.
    Adjustment,
    /// Every department, with its figures in both snapshots (audits only).
    Department,
}

/// Item states a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateName {
    Added,
    Changed,
    Cancelled,
    Recoded,
    Unchanged,
    Merged,
    Split,
}

impl StateName {
    pub fn as_str(self) -> &'static str {
        match self {
            StateName::Added => "added",
            StateName::Changed => "changed",
            StateName::Cancelled => "cancelled",
            StateName::Recoded => "recoded",
            StateName::Unchanged => "unchanged",
            StateName::Merged => "merged",
            StateName::Split => "split",
        }
    }
}

fn default_states() -> Vec<StateName> {
    vec![
        StateName::Added,
        StateName::Changed,
        StateName::Recoded,
        StateName::Unchanged,
        StateName::Merged,
        StateName::Split,
    ]
}

/// Which items a rule looks at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeSpec {
    /// Item states (default: every live item, merged and split ones included; `cancelled` must be
    /// named to look at cancelled ones).
    #[serde(default = "default_states")]
    pub states: Vec<StateName>,
    /// Only items where one of these top-level fields changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed_fields: Vec<String>,
}

impl Default for ScopeSpec {
    fn default() -> Self {
        ScopeSpec {
            states: default_states(),
            changed_fields: Vec::new(),
        }
    }
}

/// One path or several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// A worked example: a small catalog pair the rule must (invalid) or must not (valid) fire on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// What the example shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The item in the new snapshot (`null`: removed). Missing required keys are filled in.
    #[serde(default)]
    pub item: Option<Value>,
    /// The item in the old snapshot; absent means "the same as `item`", `null` means "not there".
    #[serde(
        default,
        deserialize_with = "some_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub old: Option<Value>,
    /// Adjustment requests (`adjustment-log/1` entries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjustments: Option<Vec<Value>>,
    /// The evaluation date (default 2017-12-31).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    /// Other items, unchanged in both snapshots (for rules that compare items, like CF-11).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub others: Vec<Value>,
}

/// Keeps an explicit `null` distinct from an absent key.
fn some_value<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// Valid and invalid examples.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default)]
    pub valid: Vec<Example>,
    #[serde(default)]
    pub invalid: Vec<Example>,
}

/// A rule file as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// `FEE-01`: category prefix and a number.
    pub code: String,
    /// kebab-case name of the violation, `fee-basis-missing`.
    pub name: String,
    pub category: Category,
    pub severity: Severity,
    #[serde(default = "default_status")]
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    pub title: Text,
    #[serde(default)]
    pub subject: Subject,
    #[serde(default)]
    pub scope: ScopeSpec,
    /// The field a finding names.
    pub field: String,
    /// Evaluate once per element of these lists (or objects), one finding per element.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_each: Option<OneOrMany>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<CondSpec>,
    pub require: CondSpec,
    /// Values shown as the finding's evidence (and part of its fingerprint).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<cond::ExprSpec>,
    /// The registry entry a finding relies on, shown with it (not part of its fingerprint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<cond::ReferenceSpec>,
    /// Judge the item against the configuration's element profile (`profiles/`): one firing per
    /// missing or invalid element, its evidence `[name, bad values, allowed values, English name,
    /// kind]` (kind: `missing`, `invalid`, `entries`). `require` is then not used.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub elements: bool,
    pub message: Text,
    pub rationale: Text,
    pub remediation: Text,
    pub basis: Vec<PolicyBasis>,
    /// How the rule's findings become review comments (advice, grouping, same fact).
    #[serde(default, skip_serializing_if = "Review::is_default")]
    pub review: Review,
    pub examples: Examples,
}

/// How a rule's findings become review comments ([`crate::comments`]): a reviewer changes this in
/// the rule file, not in code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// Advice (a reform target, e.g. more items at zero visits) rather than a must-fix problem
    /// (a rule or a law broken). Advice goes to the department as one comment per group, listing
    /// the items; must-fix findings become numbered points of each item's comment.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub advice: bool,
    /// Advice rules with the same group give one department comment together (default: the rule
    /// code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The department comment's words: `{{department}}` and `{{count}}` (the number of items) are
    /// filled in; without it the comment is built from the rule's title and remediation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<Text>,
    /// Rules whose finding on the same item and value states the same fact as this rule's: when
    /// both fire, this rule's finding is folded into theirs (one point, both rules named).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub same_fact: Vec<String>,
}

impl Review {
    fn is_default(&self) -> bool {
        *self == Review::default()
    }

    /// The placeholder a department comment's words may not fill in, if any (`{{department}}` and
    /// `{{count}}` are known).
    pub fn unknown_placeholder(text: &str) -> Option<String> {
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else {
                return Some(after.to_string());
            };
            let name = after[..end].trim();
            if name != "department" && name != "count" {
                return Some(name.to_string());
            }
            rest = &after[end + 2..];
        }
        None
    }

    /// Fills a department comment's words.
    pub fn fill(text: &str, department: &str, count: usize) -> String {
        text.replace("{{department}}", department)
            .replace("{{count}}", &count.to_string())
            .replace("{{ department }}", department)
            .replace("{{ count }}", &count.to_string())
    }
}

fn default_status() -> String {
    "stable".into()
}

/// A review rule that the pack does not implement, and why (shown by `rules list --all`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gap {
    pub code: String,
    pub title: Text,
    pub reason: Text,
}

/// A `rule-gaps/1` file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GapFile {
    #[serde(rename = "format")]
    _format: String,
    #[serde(default, rename = "description")]
    _description: Option<String>,
    rules: Vec<Gap>,
}

/// A loaded, compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub spec: RuleSpec,
    /// Where it was read from (relative to the pack).
    pub file: String,
    pub for_each: Vec<Path>,
    pub when: Option<Cond>,
    pub require: Cond,
    pub evidence: Vec<cond::Expr>,
    pub reference: Option<cond::ReferenceExpr>,
    /// Whether the rule reads the adjustment log (it is skipped when no log is given).
    pub uses_log: bool,
    /// The code and name as shared text, which every finding of the rule carries.
    pub code: crate::model::Text,
    pub name: crate::model::Text,
    /// What the zh and en messages mention, worked out on first use (by the engine).
    pub mentions: [std::sync::OnceLock<Mentions>; 2],
    /// What its findings give its message (checked against the templates when the pack loads).
    pub provides: message::Provided,
}

/// What a message template mentions, so the engine gives it only that: a million findings each
/// rendering the whole item would spend most of their time serialising it.
#[derive(Debug, Clone, Default)]
pub struct Mentions {
    /// The template's name in the pack's registry (`CODE/zh`).
    pub name: String,
    /// Top-level words the data offers: code, name, department, field, evidence, values, change,
    /// reference.
    pub words: [bool; 8],
    /// Records (item, old, adjustment, element): absent when not mentioned; the fields mentioned,
    /// or empty for the whole record.
    pub records: [Option<Vec<String>>; 4],
}

impl Rule {
    /// The item fields the rule reads, sorted, when they are all it reads besides the run's
    /// constants (evaluation date, registries, calendar): its outcome on an item is then a
    /// function of those fields' values. `None` for rules that read the old version, the change,
    /// requests or peers.
    pub fn item_reads(&self) -> Option<Vec<String>> {
        self.reads(true)
    }

    /// The item fields the rule's `for_each` and `when` read, under the same terms as
    /// [`Rule::item_reads`]: where the rule applies (not whether it holds there) is then a
    /// function of those fields. `None` also for a rule without `when`.
    pub fn when_reads(&self) -> Option<Vec<String>> {
        self.when.as_ref()?;
        self.reads(false)
    }

    fn reads(&self, whole: bool) -> Option<Vec<String>> {
        let mut reads = cond::Reads::new();
        let element = !self.for_each.is_empty();
        for p in &self.for_each {
            reads.path(p, false);
        }
        if let Some(w) = &self.when {
            reads.cond(w, element);
        }
        if whole {
            reads.cond(&self.require, element);
            for e in &self.evidence {
                reads.expr(e, element);
            }
            for p in self.reference.iter().flat_map(cond::ReferenceExpr::paths) {
                reads.path(p, element);
            }
        }
        reads.ok.then(|| {
            let mut f = reads.fields;
            f.sort();
            f.dedup();
            f
        })
    }
}

/// A rule pack: rules sorted by code, plus the registries they look things up in.
pub struct Pack {
    pub rules: Vec<Rule>,
    pub calendar: Calendar,
    /// Laws, fees, departments, exemptions.
    pub registries: Registries,
    /// Review rules of the practice that the data contract cannot express, with the reason.
    pub gaps: Vec<Gap>,
    /// Element profiles by name (`profiles/`): what CF-01 requires of each kind of item.
    pub profiles: BTreeMap<String, std::sync::Arc<crate::rules::profile::Profile>>,
    /// The profile files as read (a configuration's profile may extend the pack's).
    pub profile_files: Vec<(String, Value)>,
    /// Message templates, `CODE/zh` and `CODE/en`, rendered without HTML escaping (renderers escape).
    pub templates: Handlebars<'static>,
    /// Which items the department scorecard counts and its targets (`scorecard-targets/1`).
    pub scorecard: targets::Targets,
    /// Where the pack came from: `built-in` or the directory.
    pub source: String,
    /// SHA-256 over every file of the pack (paths and contents, sorted), for run manifests.
    pub digest: String,
}

impl std::fmt::Debug for Pack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pack")
            .field("source", &self.source)
            .field("rules", &self.rules.len())
            .finish()
    }
}

impl Pack {
    /// The pack embedded in the binary.
    pub fn builtin() -> Result<Pack> {
        let files: Vec<(String, String)> = builtin::FILES
            .iter()
            .map(|(p, t)| ((*p).to_string(), (*t).to_string()))
            .collect();
        Pack::from_files("built-in", files)
    }

    /// Reads every `*.json` under `dir` (sorted): rule files, and registries under `registries/`.
    pub fn from_dir(dir: &FsPath) -> Result<Pack> {
        let mut files = Vec::new();
        collect(dir, dir, &mut files)?;
        if files.is_empty() {
            return Err(Error::setup(
                dir.display().to_string(),
                "no rule files (*.json) found",
            ));
        }
        Pack::from_files(&dir.display().to_string(), files)
    }

    /// Builds a pack from (relative path, text) pairs.
    pub fn from_files(source: &str, mut files: Vec<(String, String)>) -> Result<Pack> {
        files.sort();
        let digest = {
            use sha2::{Digest, Sha256};
            let mut h = Sha256::new();
            for (p, t) in &files {
                h.update(p.as_bytes());
                h.update([0u8]);
                h.update(t.as_bytes());
                h.update([0u8]);
            }
            h.finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        };
        let mut rules: Vec<Rule> = Vec::new();
        let mut calendars = Vec::new();
        let mut registries = Registries::default();
        let mut gaps: Vec<Gap> = Vec::new();
        let mut profile_files: Vec<(String, Value)> = Vec::new();
        let mut scorecard: Option<targets::Targets> = None;
        for (path, text) in &files {
            let file = if source == "built-in" {
                format!("rules/{path}")
            } else if source.is_empty() {
                path.clone()
            } else {
                format!("{}/{path}", source.trim_end_matches('/'))
            };
            let value = parse_json(&file, text)?;
            if path.starts_with("registries/") || path.starts_with("registries\\") {
                match value.get("format").and_then(Value::as_str) {
                    Some("holiday-calendar/1") => {
                        let problems = schema::problems(schema::calendar(), &value, None, "");
                        if !problems.is_empty() {
                            return Err(Error::Rule { file, problems });
                        }
                        let cal: CalendarFile = serde_json::from_value(value)
                            .map_err(|e| Error::rule(&file, Location::File, e.to_string()))?;
                        calendars.push(cal);
                    }
                    Some(f) if crate::registry::is_registry_format(f) => {
                        registries.add(&file, value)?;
                    }
                    other => {
                        return Err(Error::rule(
                            &file,
                            Location::pointer("/format"),
                            format!(
                                "unknown registry format {other:?} (known: holiday-calendar/1, law-registry/1, fee-registry/1, department-registry/1, exemption-registry/1)"
                            ),
                        ));
                    }
                }
                continue;
            }
            if path.starts_with("profiles/") || path.starts_with("profiles\\") {
                profile_files.push((file, value));
                continue;
            }
            if value.get("format").and_then(Value::as_str) == Some("scorecard-targets/1") {
                let problems = schema::problems(schema::scorecard(), &value, None, "");
                if !problems.is_empty() {
                    return Err(Error::Rule { file, problems });
                }
                if scorecard.is_some() {
                    return Err(Error::rule(
                        &file,
                        Location::pointer("/format"),
                        "a rule pack has one scorecard-targets/1 file",
                    ));
                }
                scorecard = Some(
                    serde_json::from_value(value)
                        .map_err(|e| Error::rule(&file, Location::File, e.to_string()))?,
                );
                continue;
            }
            if value.get("format").and_then(Value::as_str) == Some("rule-gaps/1") {
                let problems = schema::problems(schema::gaps(), &value, None, "");
                if !problems.is_empty() {
                    return Err(Error::Rule { file, problems });
                }
                let list: GapFile = serde_json::from_value(value)
                    .map_err(|e| Error::rule(&file, Location::File, e.to_string()))?;
                gaps.extend(list.rules);
                continue;
            }
            rules.push(compile_rule(&file, path, &value)?);
        }
        let profiles = profile::compile(&profile_files)?;
        rules.sort_by(|a, b| a.spec.code.cmp(&b.spec.code));
        for w in rules.windows(2) {
            if w[0].spec.code == w[1].spec.code {
                return Err(Error::rule(
                    &w[1].file,
                    Location::pointer("/code"),
                    format!("rule code {} is also used by {}", w[1].spec.code, w[0].file),
                ));
            }
        }
        let templates = message::templates(&rules, source != "built-in")?;
        for r in &rules {
            let review = &r.spec.review;
            for (i, code) in review.same_fact.iter().enumerate() {
                let known = rules
                    .binary_search_by(|x| x.spec.code.as_str().cmp(code))
                    .is_ok();
                if !known || *code == r.spec.code {
                    return Err(Error::rule(
                        &r.file,
                        Location::pointer(format!("/review/same_fact/{i}")),
                        format!("{code} is not another rule of the pack"),
                    ));
                }
            }
            if let Some(text) = &review.department {
                for (lang, t) in [("zh", &text.zh), ("en", &text.en)] {
                    if let Some(bad) = Review::unknown_placeholder(t) {
                        return Err(Error::rule(
                            &r.file,
                            Location::pointer(format!("/review/department/{lang}")),
                            format!(
                                "{{{{{bad}}}}} is not known here: a department comment fills in {{{{department}}}} and {{{{count}}}}"
                            ),
                        ));
                    }
                }
            }
            if review.advice && review.department.is_none() && r.spec.subject != Subject::Department
            {
                return Err(Error::rule(
                    &r.file,
                    Location::pointer("/review"),
                    "an advice rule about items gives the department comment's words (review.department)",
                ));
            }
            if !review.advice && (review.group.is_some() || review.department.is_some()) {
                return Err(Error::rule(
                    &r.file,
                    Location::pointer("/review"),
                    "group and department words are for advice rules (review.advice: true)",
                ));
            }
        }
        gaps.sort_by(|a, b| a.code.cmp(&b.code));
        if let Some(g) = gaps
            .iter()
            .find(|g| rules.iter().any(|r| r.spec.code == g.code))
        {
            return Err(Error::rule(
                source,
                Location::Described("rule-gaps".into()),
                format!(
                    "{} is listed as not applicable but a rule file defines it",
                    g.code
                ),
            ));
        }
        Ok(Pack {
            rules,
            calendar: Calendar::from_files(&calendars),
            registries,
            gaps,
            profiles,
            profile_files,
            templates,
            scorecard: scorecard.unwrap_or_default(),
            source: source.to_string(),
            digest,
        })
    }

    /// Adds a registry file named outside the pack (a deployment's local departments or fees).
    pub fn add_registry(&mut self, path: &FsPath) -> Result<()> {
        let (file, value) = read_json(path, "registry")?;
        if value.get("format").and_then(Value::as_str) == Some("holiday-calendar/1") {
            let problems = schema::problems(schema::calendar(), &value, None, "");
            if !problems.is_empty() {
                return Err(Error::Rule { file, problems });
            }
            let cal: CalendarFile = serde_json::from_value(value)
                .map_err(|e| Error::rule(&file, Location::File, e.to_string()))?;
            self.calendar.extend(&cal);
            return Ok(());
        }
        self.registries.add(&file, value)
    }

    /// Adds an element profile file (a configuration's `profiles`).
    pub fn add_profile(&mut self, path: &FsPath) -> Result<()> {
        let (file, value) = read_json(path, "profile")?;
        self.profile_files.push((file, value));
        self.profiles = profile::compile(&self.profile_files)?;
        Ok(())
    }

    /// The rule with this code.
    pub fn get(&self, code: &str) -> Option<&Rule> {
        self.rules
            .binary_search_by(|r| r.spec.code.as_str().cmp(code))
            .ok()
            .map(|i| &self.rules[i])
    }

    /// Keeps only the rules with these codes (for running one rule's examples).
    pub fn only(&self, code: &str) -> Result<Pack> {
        let rule = self
            .get(code)
            .ok_or_else(|| Error::Usage(format!("unknown rule code {code}")))?;
        // Checked when the pack was loaded.
        let templates = message::templates(std::slice::from_ref(rule), false)?;
        Ok(Pack {
            rules: vec![rule.clone()],
            calendar: self.calendar.clone(),
            registries: self.registries.clone(),
            gaps: Vec::new(),
            profiles: self.profiles.clone(),
            profile_files: self.profile_files.clone(),
            templates,
            scorecard: self.scorecard.clone(),
            source: self.source.clone(),
            digest: self.digest.clone(),
        })
    }
}

/// A pack file named outside the pack, parsed: its name for errors and its JSON (a located error
/// when it cannot be read or parsed).
fn read_json(path: &FsPath, what: &str) -> Result<(String, Value)> {
    let file = path.display().to_string();
    let text = crate::files::read_regular_text(path, Some(crate::files::SETUP_LIMIT))
        .map_err(|e| Error::setup(&file, format!("cannot read {what}: {e}")))?;
    let value = parse_json(&file, &text)?;
    Ok((file, value))
}

/// A pack file's JSON, or an error at the line and column where it stops being JSON.
fn parse_json(file: &str, text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| {
        Error::rule(
            file,
            Location::Line {
                line: e.line(),
                column: e.column(),
            },
            e.to_string(),
        )
    })
}

/// Walks a pack directory in sorted order, reading every `*.json` file. A pack is regular files
/// in directories: a symbolic link is an error (two `..` links make the walk exponential, and a
/// link out of the pack changes what its digest vouches for), and so is any other kind of file (a
/// FIFO or a device would block the read for ever). Errors, not warnings: a skipped file is a rule
/// silently not run, and scheduled jobs do not read warnings.
fn collect(root: &FsPath, dir: &FsPath, out: &mut Vec<(String, String)>) -> Result<()> {
    let unreadable = |e: std::io::Error| {
        Error::setup(
            dir.display().to_string(),
            format!("cannot read rule directory: {e}"),
        )
    };
    let mut entries = std::fs::read_dir(dir)
        .map_err(unreadable)?
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(unreadable)?;
    entries.sort_by_key(std::fs::DirEntry::path);
    for entry in entries {
        let p = entry.path();
        // The entry's own type: a symbolic link is not followed.
        let kind = entry.file_type().map_err(|e| {
            Error::setup(
                p.display().to_string(),
                format!("cannot read rule pack entry: {e}"),
            )
        })?;
        if kind.is_dir() {
            collect(root, &p, out)?;
        } else if !kind.is_file() {
            return Err(Error::setup(
                p.display().to_string(),
                format!(
                    "is {}: a rule pack holds only regular files and directories and follows no links",
                    crate::files::kind(kind)
                ),
            ));
        } else if p.extension().and_then(|e| e.to_str()) == Some("json") {
            let text = crate::files::read_regular_text(&p, Some(crate::files::SETUP_LIMIT))
                .map_err(|e| {
                    Error::setup(
                        p.display().to_string(),
                        format!("cannot read rule file: {e}"),
                    )
                })?;
            let rel = p
                .strip_prefix(root)
                .unwrap_or(&p)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push((rel, text));
        }
    }
    Ok(())
}

fn compile_rule(file: &str, rel: &str, value: &Value) -> Result<Rule> {
    let problems = schema::problems(schema::rule(), value, None, "");
    if !problems.is_empty() {
        return Err(Error::Rule {
            file: file.to_string(),
            problems,
        });
    }
    let spec: RuleSpec = serde_json::from_value(value.clone())
        .map_err(|e| Error::rule(file, Location::File, e.to_string()))?;
    let mut problems = Vec::new();
    let mut problem = |location: &str, message: String| {
        problems.push(Problem {
            location: Location::pointer(location),
            message,
        });
    };
    let prefix = spec.category.prefix();
    if !spec.code.starts_with(&format!("{prefix}-")) {
        problem(
            "/code",
            format!(
                "code {} does not start with {prefix}-, the prefix of category {}",
                spec.code,
                spec.category.as_str()
            ),
        );
    }
    let stem = rel.rsplit('/').next().unwrap_or(rel);
    let expected = format!("{}-{}.json", spec.code, spec.name);
    if stem != expected {
        problem("/name", format!("file name should be {expected}"));
    }

    let subject = match spec.subject {
        Subject::Item => Shape::Item,
        Subject::Adjustment => Shape::Adjustment,
        Subject::Department => Shape::Department,
    };
    let top = ShapeCtx {
        subject,
        current: subject,
        in_list: false,
    };
    let mut for_each = Vec::new();
    let mut inner = top;
    if let Some(fe) = &spec.for_each {
        for (i, p) in fe.to_vec().iter().enumerate() {
            match Path::compile(p, top) {
                Ok((path, shape)) => {
                    let (_, is_list) = path_is_list(&path, subject);
                    inner = ShapeCtx {
                        subject,
                        current: shape,
                        in_list: is_list,
                    };
                    for_each.push(path);
                }
                Err(e) => problem(&format!("/for_each/{i}"), e),
            }
        }
    }
    let when = match &spec.when {
        Some(w) => match Cond::compile(w, inner, "/when") {
            Ok(c) => Some(c),
            Err(e) => {
                problem("/when", e);
                None
            }
        },
        None => None,
    };
    let require = match Cond::compile(&spec.require, inner, "/require") {
        Ok(c) => Some(c),
        Err(e) => {
            problem("/require", e);
            None
        }
    };
    let mut evidence = Vec::new();
    for (i, e) in spec.evidence.iter().enumerate() {
        match cond::Expr::compile(e, inner, &format!("/evidence/{i}")) {
            Ok(expr) => evidence.push(expr),
            Err(e) => problem(&format!("/evidence/{i}"), e),
        }
    }
    let reference = match &spec.reference {
        Some(r) => match cond::ReferenceExpr::compile(r, inner, "/reference") {
            Ok(r) => Some(r),
            Err(e) => {
                problem("/reference", e);
                None
            }
        },
        None => None,
    };
    let provides = message::Provided {
        subject: if subject == Shape::Department {
            Shape::Department
        } else {
            Shape::Item
        },
        element: (!for_each.is_empty()).then_some(inner.current),
        values: if spec.elements {
            // [name, bad values, allowed values, English name, kind]: see `check::eval`.
            5
        } else if spec.evidence.is_empty() {
            usize::from(!for_each.is_empty())
        } else {
            spec.evidence.len()
        },
    };
    if spec.examples.invalid.is_empty() {
        problem(
            "/examples/invalid",
            "a rule needs at least one invalid example".into(),
        );
    }
    if spec.examples.valid.is_empty() {
        problem(
            "/examples/valid",
            "a rule needs at least one valid example".into(),
        );
    }
    if !problems.is_empty() {
        return Err(Error::Rule {
            file: file.to_string(),
            problems,
        });
    }
    let uses_log = spec.subject == Subject::Adjustment
        || value_mentions(value, "@adjustment")
        || value_mentions(value, "@change.unrequested_fields");
    Ok(Rule {
        file: file.to_string(),
        code: spec.code.as_str().into(),
        name: spec.name.as_str().into(),
        mentions: Default::default(),
        for_each,
        when,
        require: require.expect("no problems means compiled"),
        evidence,
        reference,
        uses_log,
        provides,
        spec,
    })
}

/// Whether the last key of a `for_each` path is a list (one finding per element) or an object.
fn path_is_list(path: &Path, subject: Shape) -> (Shape, bool) {
    let mut shape = subject;
    let mut list = false;
    for k in &path.keys {
        match crate::node::child(shape, k) {
            Some((s, l)) => {
                shape = s;
                list = l || s == Shape::Strings;
            }
            None => return (Shape::Any, true),
        }
    }
    (shape, list)
}

fn value_mentions(v: &Value, needle: &str) -> bool {
    match v {
        Value::String(s) => s.contains(needle),
        Value::Array(a) => a.iter().any(|x| value_mentions(x, needle)),
        Value::Object(o) => o
            .iter()
            .filter(|(k, _)| k.as_str() != "examples" && k.as_str() != "message")
            .any(|(_, x)| value_mentions(x, needle)),
        _ => false,
    }
}

/// The sorted list of rule codes with their names, as `rules list` shows it.
pub fn catalogue(pack: &Pack) -> BTreeMap<String, String> {
    pack.rules
        .iter()
        .map(|r| (r.spec.code.clone(), r.spec.name.clone()))
        .collect()
}
