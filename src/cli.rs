//! The command line (clap derive). Doc comments are the help text.

use crate::report::Format;
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Audit public-service item catalogs (公共服务事项目录): compare snapshots, check every item and
/// change against the review rules, and write reports for reviewers, departments and scheduled jobs.
#[derive(Debug, Parser)]
#[command(name = "catalog-audit", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Every subcommand's `--help` ends with examples: the demo city's files (`examples/qinghe`, run
/// from the repository's root; `tests/help.rs` runs them) or, where the input is the user's own,
/// placeholders that parse.
mod examples {
    pub const AUDIT: &str = "\
Examples (from the repository's root, on the demo city of examples/qinghe):
  # the first review round: a summary on the terminal
  catalog-audit audit examples/qinghe/2017-06-30.json examples/qinghe/2017-12-31.json \\
      --adjustments examples/qinghe/adjustments-2017H2.json
  # the same round as one page and one review sheet per department, and JSON for the next round
  catalog-audit audit examples/qinghe/2017-06-30.json examples/qinghe/2017-12-31.json \\
      --adjustments examples/qinghe/adjustments-2017H2.json --format json --format html \\
      --format xlsx --split-by department --out target/qinghe/round-1
  # the second round: progress against the first, with the departments' replies
  catalog-audit audit examples/qinghe/2017-12-31.json examples/qinghe/2018-03-31.json \\
      --adjustments examples/qinghe/adjustments-2018Q1.json \\
      --baseline target/qinghe/round-1/audit-report.json \\
      --responses examples/qinghe/replies/";
    pub const CHECK: &str = "\
Examples:
  catalog-audit check examples/qinghe/2017-12-31.json
  catalog-audit check examples/qinghe/exports/2017-12-31.csv --format csv --out target/qinghe/check.csv
  catalog-audit check examples/qinghe/2017-12-31.json --disable OV-06 --fail-on warning";
    pub const DIFF: &str = "\
Examples:
  catalog-audit diff examples/qinghe/2017-06-30.json examples/qinghe/2017-12-31.json
  catalog-audit diff examples/qinghe/2017-06-30.json examples/qinghe/2017-12-31.json \\
      --adjustments examples/qinghe/adjustments-2017H2.json --format json";
    pub const VALIDATE: &str = "\
Examples:
  catalog-audit validate examples/qinghe/2017-12-31.json examples/qinghe/adjustments-2017H2.json
  catalog-audit validate examples/qinghe/exports/2017-12-31.csv rules/profiles/full-guide.json";
    pub const CONVERT: &str = "\
Examples:
  catalog-audit convert examples/qinghe/exports/2017-12-31.csv --out target/qinghe/2017-12-31.json
  catalog-audit convert 目录导出.xlsx --as-of 2018-06-30 --name 青禾市公共服务事项目录 \\
      --out snapshot.json";
    pub const HISTORY: &str = "\
Examples:
  catalog-audit history examples/qinghe --format html --out target/qinghe/history.html
  catalog-audit history examples/qinghe";
    pub const MERGE: &str = "\
Examples (each region audited on its own with the same rules and --as-of, see the README):
  catalog-audit merge parts/*.json --out national.json
  catalog-audit merge parts/3306.json parts/3307.json --out zhejiang-east.json";
    pub const RULES_LIST: &str = "\
Examples:
  catalog-audit rules list
  catalog-audit rules list --category fee --severity error
  catalog-audit rules list --all --format json";
    pub const RULES_EXPLAIN: &str = "\
Examples:
  catalog-audit rules explain FEE-04
  catalog-audit rules explain CF-01 --lang en";
    pub const REGISTRY_IMPORT: &str = "\
Examples:
  catalog-audit registry import examples/qinghe/lists/zero-visit-exemptions.csv \\
      --source \"青禾市不宜跑零次事项清单（青审改办〔2017〕12号）\" \\
      --out target/qinghe/exemptions.json";
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compare two snapshots, reconcile with the adjustment log, check every rule, report.
    #[command(after_help = examples::AUDIT)]
    Audit(AuditArgs),
    /// Check the item rules on one snapshot.
    #[command(after_help = examples::CHECK)]
    Check(CheckArgs),
    /// Classify the changes between two snapshots (no rules).
    #[command(after_help = examples::DIFF)]
    Diff(DiffArgs),
    /// Validate input files (snapshots, adjustment logs, reports, rule files) against their schemas.
    #[command(after_help = examples::VALIDATE)]
    Validate(ValidateArgs),
    /// The rule catalogue.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Convert a CSV or XLSX export into catalog-snapshot/1 (or adjustment-log/1) JSON.
    #[command(after_help = examples::CONVERT)]
    Convert(ConvertArgs),
    /// Audit a directory of dated snapshots in date order and write a timeline.
    #[command(after_help = examples::HISTORY)]
    History(HistoryArgs),
    /// Combine partial audit-report/1 documents (an audit split by region) into one.
    #[command(after_help = examples::MERGE)]
    Merge(MergeArgs),
    /// Reference registries: import a local list from a spreadsheet.
    #[command(subcommand)]
    Registry(RegistryCommand),
}

#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Read a local list of items not suitable for zero visits (CSV or XLSX, columns such as
    /// 基本编码, 地方编码 / 事项编码, 事项名称, 原因) as exemption-registry/1 JSON, to name in the
    /// configuration's `registries`. A repeated item is a warning naming both rows.
    #[command(after_help = examples::REGISTRY_IMPORT)]
    Import {
        /// The spreadsheet.
        file: PathBuf,
        /// The list's title and document number, recorded as every entry's source.
        #[arg(long)]
        source: String,
        /// Where to write the JSON (stdout when absent).
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        input: InputArgs,
    },
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The partial reports, all judged as of the same date.
    #[arg(required = true)]
    pub reports: Vec<PathBuf>,
    /// Where to write the merged report (stdout when absent).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// A directory of dated snapshots (and the adjustment logs of their periods).
    pub dir: PathBuf,
    /// json (catalog-history/1) or html.
    #[arg(long, value_enum, default_value = "json")]
    pub format: HistoryFormat,
    /// Where to write it (stdout when absent).
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Language of messages.
    #[arg(long, value_enum, default_value_t)]
    pub lang: LangArg,
}

/// Formats of the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryFormat {
    Json,
    Html,
}

/// How input files are read.
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// Input format; by file extension when absent (.json, .csv, .xlsx/.xls/.ods).
    #[arg(long, value_enum, help_heading = "Input")]
    pub input_format: Option<crate::load::InputFormat>,
    /// Encoding of CSV inputs.
    #[arg(long, value_enum, default_value = "auto", help_heading = "Input")]
    pub encoding: crate::table::Encoding,
    /// A header map (header-map/1 JSON) adding or overriding column names.
    #[arg(long, value_name = "FILE", help_heading = "Input")]
    pub header_map: Option<PathBuf>,
    /// Refuse what would otherwise be read with a warning: a CSV row shorter than its header, a
    /// value under no header, a catalog with no date judged as of today.
    #[arg(long, help_heading = "Input")]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The CSV or XLSX export (a catalog, or an adjustment log with a 调整类型 column).
    pub file: PathBuf,
    /// Where to write the JSON (stdout when absent).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The catalog's date, when neither an information sheet nor the file name gives one.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
    /// The catalog's name.
    #[arg(long)]
    pub name: Option<String>,
    /// The catalog's region code.
    #[arg(long)]
    pub region_code: Option<String>,
    #[command(flatten)]
    pub input: InputArgs,
}

/// When to colour terminal output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    #[default]
    Auto,
    Always,
    Never,
}

pub use crate::config::FailOn;

/// Report language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LangArg {
    /// 简体中文
    #[default]
    Zh,
    /// English
    En,
}

/// How to split report output into several files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SplitBy {
    /// One HTML report and one XLSX review sheet per department, and an index.html linking them.
    Department,
}

/// Options shared by the commands that write reports.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Report format; repeat for several (then --out is a directory).
    #[arg(long = "format", value_enum, default_values_t = vec![Format::Terminal], help_heading = "Output")]
    pub formats: Vec<Format>,
    /// Write the report here (a file; a directory when several formats are given).
    #[arg(long, help_heading = "Output")]
    pub out: Option<PathBuf>,
    /// Colour in terminal output.
    #[arg(long, value_enum, default_value_t, help_heading = "Output")]
    pub color: ColorChoice,
    /// Language of messages and report texts.
    #[arg(
        long,
        value_enum,
        default_value_t,
        env = "CATALOG_AUDIT_LANG",
        help_heading = "Output"
    )]
    pub lang: LangArg,
    /// A message catalogue (report-texts/1) overriding the tool's texts key by key.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub messages: Option<PathBuf>,
    /// A directory of report templates replacing the built-in ones of the same name.
    #[arg(long, value_name = "DIR", help_heading = "Output")]
    pub templates: Option<PathBuf>,
    /// Write one HTML report and one XLSX review sheet per department, plus index.html, into the
    /// --out directory (other requested formats are written there as audit-report.`<ext>`).
    #[arg(long, value_enum, value_name = "BY", help_heading = "Output")]
    pub split_by: Option<SplitBy>,
}

/// Options shared by the commands that run rules.
#[derive(Debug, Args)]
pub struct RuleArgs {
    /// Rule pack directory (default: the built-in pack).
    #[arg(long, env = "CATALOG_AUDIT_RULES", help_heading = "Rules")]
    pub rules: Option<PathBuf>,
    /// Exit 1 when a finding at or above this severity exists [default: error, or the config
    /// file's `fail_on`].
    #[arg(
        long,
        value_enum,
        env = "CATALOG_AUDIT_FAIL_ON",
        help_heading = "Rules"
    )]
    pub fail_on: Option<FailOn>,
    /// Judge as of this date (YYYY-MM-DD) instead of the new snapshot's date.
    #[arg(long, value_name = "DATE", help_heading = "Rules")]
    pub as_of: Option<NaiveDate>,
    /// Project configuration (audit-config/1): rule severities, disabled rules, overrides, registries.
    #[arg(
        long,
        value_name = "FILE",
        env = "CATALOG_AUDIT_CONFIG",
        help_heading = "Rules"
    )]
    pub config: Option<PathBuf>,
    /// Turn a rule off (repeatable).
    #[arg(long, value_name = "CODE", help_heading = "Rules")]
    pub disable: Vec<String>,
    /// Set a rule's severity, CODE=error|warning|info (repeatable).
    #[arg(long, value_name = "CODE=LEVEL", help_heading = "Rules")]
    pub severity: Vec<String>,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The earlier snapshot (catalog-snapshot/1 JSON).
    pub old: PathBuf,
    /// The later snapshot.
    pub new: PathBuf,
    /// The adjustment log for the period (adjustment-log/1).
    #[arg(long, value_name = "FILE", env = "CATALOG_AUDIT_ADJUSTMENTS")]
    pub adjustments: Option<PathBuf>,
    #[command(flatten)]
    pub rounds: RoundArgs,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub rules: RuleArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Print each stage's wall time and the process's memory (resident, peak) on stderr.
    #[arg(long, help_heading = "Output")]
    pub timings: bool,
}

/// Review rounds and gating for scheduled jobs.
#[derive(Debug, Args)]
pub struct RoundArgs {
    /// The previous round's report (audit-report/1): findings become new, persisting, reopened or
    /// resolved.
    #[arg(long, value_name = "REPORT.json", help_heading = "Rounds")]
    pub baseline: Option<PathBuf>,
    /// Accepted findings (waivers/1): listed and counted apart, never failing the run.
    #[arg(long, value_name = "FILE", help_heading = "Rounds")]
    pub waivers: Option<PathBuf>,
    /// The departments' replies: review sheets (XLSX/CSV) of the previous round, a file or a
    /// directory of them.
    #[arg(long, value_name = "DIR|FILE", help_heading = "Rounds")]
    pub responses: Option<PathBuf>,
    /// The date departments must reply by, shown at the head of every page and sheet (also
    /// `reply_by` in the configuration).
    #[arg(long, value_name = "DATE", help_heading = "Rounds")]
    pub reply_by: Option<NaiveDate>,
    /// Whom departments ask about the comments (name, telephone), shown beside the deadline (also
    /// `contact` in the configuration).
    #[arg(long, value_name = "TEXT", help_heading = "Rounds")]
    pub contact: Option<String>,
    /// Fail only when a department's count of a rule rises against the baseline.
    #[arg(long, requires = "baseline", help_heading = "Rounds")]
    pub ratchet: bool,
    /// Fail only when more than N open findings are at or above --fail-on.
    #[arg(
        long,
        value_name = "N",
        env = "CATALOG_AUDIT_MAX_FINDINGS",
        help_heading = "Rounds"
    )]
    pub max_findings: Option<usize>,
    /// Print nothing on stderr but errors.
    #[arg(long, short, help_heading = "Output")]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The snapshot to check.
    pub snapshot: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub rules: RuleArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier snapshot.
    pub old: PathBuf,
    /// The later snapshot.
    pub new: PathBuf,
    /// An adjustment log whose declared recodes (new_code) pair items.
    #[arg(long, value_name = "FILE")]
    pub adjustments: Option<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Files to validate; the kind is read from each file's `format` key (JSON) or its columns
    /// (CSV, XLSX).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
}

/// Text or JSON for the rule catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum CatalogueFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the rules of the pack.
    #[command(after_help = examples::RULES_LIST)]
    List {
        /// Rule pack directory (default: the built-in pack).
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Only this category (legal_basis, fee, one_visit, time_limit, adjustment, format).
        #[arg(long)]
        category: Option<String>,
        /// Only this severity.
        #[arg(long)]
        severity: Option<String>,
        /// Only rules with this tag.
        #[arg(long)]
        tag: Option<String>,
        /// Also list the review rules the data contract cannot express, with the reason.
        #[arg(long)]
        all: bool,
        #[arg(long, value_enum, default_value_t)]
        format: CatalogueFormat,
    },
    /// Explain one rule: what it checks, why, how to fix, its basis and examples.
    #[command(after_help = examples::RULES_EXPLAIN)]
    Explain {
        /// Rule code, e.g. FEE-01.
        code: String,
        /// Rule pack directory (default: the built-in pack).
        #[arg(long)]
        rules: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t)]
        format: CatalogueFormat,
        #[arg(long, value_enum, default_value_t)]
        lang: LangArg,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
