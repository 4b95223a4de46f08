//! Stage 1: read input files into the typed model.
//!
//! JSON snapshots are streamed: the file is split into items as it is read (`split.rs`), batches of
//! items are validated against `#/$defs/item` of the snapshot schema and typed in parallel, property
//! by property, with every repeated property value validated, parsed and stored once (`items.rs`).
//! Neither the file's text nor a `Value` tree of the catalog is ever held, which matters for
//! catalogs of a million items. An item that fails anywhere on that path is validated whole
//! (`item_from_raw`), so every problem names the file, the item (code and position) and the JSON
//! pointer; up to [`MAX_PROBLEMS`] are collected before giving up.

use crate::error::{Error, Problem, Result};
use crate::location::Location;
use crate::model::{
    Adjustment, AdjustmentLog, Catalog, CatalogInfo, Item, Origin, Period, Provenance,
};
use crate::schema;
use crate::table::{self, Encoding, headers::HeaderMap};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

mod items;
mod split;
pub use items::Loader;

/// How many problems one file reports before the loader stops looking.
pub const MAX_PROBLEMS: usize = 50;

/// What kind of document a JSON file is, by its `format` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Snapshot,
    AdjustmentLog,
    Report,
    Rule,
    /// A registry of a rule pack (laws, fees, departments, exemptions, holidays).
    Registry,
    /// A project configuration file.
    Config,
    /// A list of review rules the contract cannot express.
    Gaps,
    /// An element profile (what CF-01 requires of each kind of item).
    Profile,
    /// The scorecard's targets.
    Targets,
}

/// Reads a regular file as UTF-8 text (a UTF-8 byte-order mark is dropped).
pub fn read_text(path: &Path) -> Result<String> {
    read_text_within(path, None)
}

/// [`read_text`] of a file of at most `limit` bytes (set-up files such as waivers).
pub fn read_text_within(path: &Path, limit: Option<u64>) -> Result<String> {
    let bytes = crate::files::read_regular(path, limit).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        Error::input(
            path.display().to_string(),
            Location::Byte(e.utf8_error().valid_up_to()),
            "not valid UTF-8 (JSON inputs must be UTF-8)",
        )
    })
}

fn syntax(file: &str, e: &serde_json::Error) -> Error {
    let what = match e.classify() {
        serde_json::error::Category::Data => "unexpected structure",
        _ => "not valid JSON",
    };
    Error::input(
        file,
        Location::Line {
            line: e.line(),
            column: e.column(),
        },
        format!("{what}: {e}"),
    )
}

/// The kinds of input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    Json,
    Csv,
    /// XLSX (also XLS and ODS workbooks).
    Xlsx,
}

/// How to read inputs.
#[derive(Debug, Clone)]
pub struct Options {
    /// The input format; by file extension when absent.
    pub format: Option<InputFormat>,
    /// The CSV encoding.
    pub encoding: Encoding,
    /// Column names.
    pub headers: HeaderMap,
    /// `--strict`: what the loader would otherwise read other than as written (a short CSV row,
    /// a value under no header) is an error, not a warning.
    pub strict: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            format: None,
            encoding: Encoding::Auto,
            headers: HeaderMap::builtin(),
            strict: false,
        }
    }
}

impl Options {
    /// The format of a file: as told, else by its extension (JSON by default).
    pub fn format_of(&self, path: &Path) -> InputFormat {
        if let Some(f) = self.format {
            return f;
        }
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("csv" | "txt" | "tsv") => InputFormat::Csv,
            Some("xlsx" | "xlsm" | "xls" | "ods") => InputFormat::Xlsx,
            _ => InputFormat::Json,
        }
    }

    fn workbook(&self, path: &Path) -> Result<(table::Workbook, bool)> {
        match self.format_of(path) {
            InputFormat::Csv => Ok((table::read_csv(path, self.encoding)?, true)),
            _ => Ok((table::read_xlsx(path)?, false)),
        }
    }
}

/// A date written in a file name (2017-12-31, 20171231), used as a spreadsheet's catalog date.
fn date_in_name(path: &Path) -> Option<chrono::NaiveDate> {
    let stem = path.file_stem()?.to_string_lossy().into_owned();
    let chars: Vec<char> = stem.chars().collect();
    for start in 0..chars.len() {
        // A date starts with a digit that does not continue a longer number.
        if !chars[start].is_ascii_digit() || (start > 0 && chars[start - 1].is_ascii_digit()) {
            continue;
        }
        for (len, fmt) in [
            (10, "%Y-%m-%d"),
            (10, "%Y_%m_%d"),
            (10, "%Y.%m.%d"),
            (8, "%Y%m%d"),
        ] {
            if start + len > chars.len() || chars.get(start + len).is_some_and(char::is_ascii_digit)
            {
                continue;
            }
            let cand: String = chars[start..start + len].iter().collect();
            if let Ok(d) = chrono::NaiveDate::parse_from_str(&cand, fmt) {
                return Some(d);
            }
        }
    }
    None
}

/// Reads the `format` key of a JSON document to tell what it is.
pub fn sniff(path: &Path) -> Result<(DocKind, String)> {
    let text = read_text(path)?;
    let file = path.display().to_string();
    #[derive(Deserialize)]
    struct Head {
        format: Option<String>,
        code: Option<String>,
    }
    let head: Head = serde_json::from_str(&text).map_err(|e| syntax(&file, &e))?;
    let kind = match head.format.as_deref() {
        Some("catalog-snapshot/1") => DocKind::Snapshot,
        Some("adjustment-log/1") => DocKind::AdjustmentLog,
        Some("audit-report/1") => DocKind::Report,
        Some(f) if crate::registry::is_registry_format(f) || f == "holiday-calendar/1" => {
            DocKind::Registry
        }
        Some("audit-config/1") => DocKind::Config,
        Some("rule-gaps/1") => DocKind::Gaps,
        Some("element-profile/1") => DocKind::Profile,
        Some("scorecard-targets/1") => DocKind::Targets,
        None if head.code.is_some() => DocKind::Rule,
        other => {
            return Err(Error::input(
                file,
                Location::pointer("/format"),
                format!(
                    "expected \"catalog-snapshot/1\", \"adjustment-log/1\" or \"audit-report/1\", found {}",
                    other.map_or("no format key".to_string(), |f| format!("\"{f}\""))
                ),
            ));
        }
    };
    Ok((kind, text))
}

/// Loads a `catalog-snapshot/1` JSON file.
pub fn snapshot(path: &Path) -> Result<Catalog> {
    snapshot_with(path, &Options::default())
}

/// Loads a snapshot from JSON, CSV or XLSX.
pub fn snapshot_with(path: &Path, options: &Options) -> Result<Catalog> {
    snapshot_using(path, options, &Loader::new())
}

/// [`snapshot_with`] with a loader shared with other loads (the two snapshots of an audit repeat
/// each other's values, which are then held once).
pub fn snapshot_using(path: &Path, options: &Options, loader: &Loader) -> Result<Catalog> {
    let file = path.display().to_string();
    match options.format_of(path) {
        InputFormat::Json => {
            let err = |source| Error::Read {
                path: path.to_path_buf(),
                source,
            };
            snapshot_from_reader(&file, || std::fs::File::open(path), loader).map_err(|e| match e {
                Streamed::Io(source) => err(source),
                Streamed::Input(e) => e,
            })
        }
        _ => {
            let (wb, csv) = options.workbook(path)?;
            let rows = table::catalog::items(&wb, &options.headers, csv)?;
            let mut info =
                CatalogInfo::deserialize(&Value::Object(rows.catalog)).unwrap_or_default();
            if info.as_of.is_none() {
                info.as_of = date_in_name(path);
            }
            let mut problems = Vec::new();
            let mut items = Vec::with_capacity(rows.items.len());
            let validator = schema::snapshot_item();
            for (value, origin) in rows.items {
                if problems.len() >= MAX_PROBLEMS {
                    break;
                }
                let found = schema::problems(validator, &value, None, "");
                if !found.is_empty() {
                    problems.extend(found.into_iter().map(|p| located(&origin, &value, p)));
                    continue;
                }
                match Item::deserialize(&value) {
                    Ok(mut item) => {
                        item.origin = Provenance(Some(Box::new(origin)));
                        items.push(item);
                    }
                    Err(e) => problems.push(Problem {
                        location: origin.locate(""),
                        message: e.to_string(),
                    }),
                }
            }
            let warnings = coerced(&file, rows.coercions, options.strict)?;
            if !problems.is_empty() {
                return Err(Error::Input { file, problems });
            }
            Ok(Catalog {
                source: file,
                info,
                items,
                warnings,
            })
        }
    }
}

/// A schema problem of a spreadsheet row, located at its cell.
fn located(origin: &Origin, value: &Value, p: Problem) -> Problem {
    let pointer = p.location.to_string();
    let field: String = pointer
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("")
        .to_string();
    let code = value.get("code").and_then(Value::as_str);
    let mut location = origin.locate(&field);
    if let (Location::Cell { item, .. }, Some(code)) = (&mut location, code) {
        *item = Some(code.to_string());
    }
    Problem {
        location,
        message: format!(
            "{}: {}",
            if field.is_empty() { "row" } else { &field },
            p.message
        ),
    }
}

/// Why streaming a snapshot failed.
#[derive(Debug)]
pub enum Streamed {
    Io(std::io::Error),
    Input(Error),
}

/// Loads a `catalog-snapshot/1` document from a byte stream that `open` opens (twice, when the
/// fast splitter meets a malformed structure and serde_json reads it again to locate the error).
/// A UTF-8 byte-order mark is skipped.
pub fn snapshot_from_reader<R: std::io::Read>(
    file: &str,
    open: impl Fn() -> std::io::Result<R>,
    loader: &Loader,
) -> std::result::Result<Catalog, Streamed> {
    let reader = || -> std::io::Result<(std::io::BufReader<R>, bool)> {
        let mut reader = std::io::BufReader::with_capacity(1 << 20, open()?);
        let bom = reader.fill_buf()?.starts_with(b"\xEF\xBB\xBF");
        if bom {
            reader.consume(3);
        }
        Ok((reader, bom))
    };
    let (first, _) = reader().map_err(Streamed::Io)?;
    let mut collect = items::Collect::new(loader, file);
    match split::read(first, &mut collect) {
        Ok(()) => collect.finish().map_err(Streamed::Input),
        // The structure surprised the splitter: serde_json reads the input again and says
        // where it is malformed.
        Err(split::Surprise) => {
            let (again, _) = reader().map_err(Streamed::Io)?;
            let mut de = serde_json::Deserializer::from_reader(again);
            items::read_snapshot(file, &mut de, loader).map_err(Streamed::Input)
        }
    }
}

/// Loads a `catalog-snapshot/1` document from text; `file` names it in messages.
pub fn snapshot_from_str(file: &str, text: &str) -> Result<Catalog> {
    snapshot_from_str_using(file, text, &Loader::new())
}

/// [`snapshot_from_str`] with a shared loader.
pub fn snapshot_from_str_using(file: &str, text: &str, loader: &Loader) -> Result<Catalog> {
    let mut de = serde_json::Deserializer::from_str(text);
    items::read_snapshot(file, &mut de, loader)
}

/// One item the slow, exact way: parsed, validated whole against `#/$defs/item` (naming every
/// problem), then typed by moving the validated tree.
fn item_from_raw(
    validator: &jsonschema::Validator,
    raw: &RawValue,
    index: usize,
) -> std::result::Result<Item, Vec<Problem>> {
    let value: Value =
        serde_json::from_str(raw.get()).map_err(|e| vec![unreadable_item(raw, index, &e)])?;
    // Only an item whose text exceeds the value limit can hold a value that does.
    if raw.get().len() > crate::limits::MAX_VALUE_BYTES
        && let Some((pointer, len)) = oversized(&value)
    {
        return Err(vec![Problem {
            location: Location::within(
                item_label(&value, index),
                format!("/items/{index}{pointer}"),
            ),
            message: format!(
                "a value of {}; a field may hold at most {} (1 MiB)",
                crate::limits::bytes(len as u64),
                crate::limits::bytes(crate::limits::MAX_VALUE_BYTES as u64)
            ),
        }]);
    }
    // Valid items (nearly all) take the fast yes/no path; only a failing item has its errors
    // collected with their pointers.
    if !validator.is_valid(&value) {
        let label = item_label(&value, index);
        return Err(schema::problems(
            validator,
            &value,
            Some(&label),
            &format!("/items/{index}"),
        ));
    }
    serde_json::from_value::<Item>(value).map_err(|e| {
        // Rare (the schema and the model disagree): parse again just to name the item.
        let label = serde_json::from_str::<Value>(raw.get()).map_or_else(
            |_| format!("item #{}", index + 1),
            |v| item_label(&v, index),
        );
        vec![Problem {
            location: Location::within(label, format!("/items/{index}")),
            message: e.to_string(),
        }]
    })
}

/// Why an item that is well-formed JSON still does not read (a number beyond `f64`), located at
/// the item and, where it can be told, its key; serde_json's line and column would count from the
/// item's own start, so they are left out.
fn unreadable_item(raw: &RawValue, index: usize, e: &serde_json::Error) -> Problem {
    let fields: Option<std::collections::BTreeMap<String, &RawValue>> =
        serde_json::from_str(raw.get()).ok();
    let code = fields
        .as_ref()
        .and_then(|m| m.get("code"))
        .and_then(|c| serde_json::from_str::<String>(c.get()).ok());
    let key = fields.as_ref().and_then(|m| {
        m.iter()
            .find(|(_, v)| serde_json::from_str::<Value>(v.get()).is_err())
            .map(|(k, _)| k.replace('~', "~0").replace('/', "~1"))
    });
    let label = match code {
        Some(code) => format!("item {code} (#{})", index + 1),
        None => format!("item #{}", index + 1),
    };
    let text = e.to_string();
    let at = format!(" at line {} column {}", e.line(), e.column());
    Problem {
        location: Location::within(
            label,
            match key {
                Some(k) => format!("/items/{index}/{k}"),
                None => format!("/items/{index}"),
            },
        ),
        message: text.strip_suffix(&at).unwrap_or(&text).to_string(),
    }
}

/// The JSON pointer (relative to the item) and length of the first text longer than
/// [`crate::limits::MAX_VALUE_BYTES`] in an item: a string value, or a key.
fn oversized(value: &Value) -> Option<(String, usize)> {
    let escape = |k: &str| k.replace('~', "~0").replace('/', "~1");
    let limit = crate::limits::MAX_VALUE_BYTES;
    match value {
        Value::String(s) if s.len() > limit => Some((String::new(), s.len())),
        Value::Array(list) => list
            .iter()
            .enumerate()
            .find_map(|(i, v)| oversized(v).map(|(p, len)| (format!("/{i}{p}"), len))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            if k.len() > limit {
                let start: String = k.chars().take(20).collect();
                return Some((format!("/{}…", escape(&start)), k.len()));
            }
            oversized(v).map(|(p, len)| (format!("/{}{p}", escape(k)), len))
        }),
        _ => None,
    }
}

fn item_label(value: &Value, index: usize) -> String {
    match value.get("code").and_then(Value::as_str) {
        Some(code) => format!("item {code} (#{})", index + 1),
        None => format!("item #{}", index + 1),
    }
}

fn duplicate_codes(items: &[Item]) -> Vec<Problem> {
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(items.len());
    let mut problems = Vec::new();
    for (index, item) in items.iter().enumerate() {
        if let Some(&earlier) = first.get(&*item.code) {
            problems.push(Problem {
                location: Location::pointer(format!("/items/{index}/code")),
                message: format!(
                    "duplicate item code \"{}\": items #{} (/items/{earlier}) and #{} (/items/{index}) share it",
                    item.code,
                    earlier + 1,
                    index + 1
                ),
            });
        } else {
            first.insert(&item.code, index);
        }
    }
    problems
}

/// Loads an `adjustment-log/1` JSON file.
pub fn adjustment_log(path: &Path) -> Result<AdjustmentLog> {
    adjustment_log_with(path, &Options::default())
}

/// Loads an adjustment log from JSON, CSV or XLSX.
pub fn adjustment_log_with(path: &Path, options: &Options) -> Result<AdjustmentLog> {
    let file = path.display().to_string();
    if options.format_of(path) == InputFormat::Json {
        let text = read_text(path)?;
        return adjustment_log_from_str(&file, &text);
    }
    let (wb, csv) = options.workbook(path)?;
    let (rows, coercions) = table::catalog::adjustments(&wb, &options.headers, csv)?;
    let warnings = coerced(&file, coercions, options.strict)?;
    let validator = schema::adjustment();
    let mut problems = Vec::new();
    let mut list = Vec::new();
    for (value, origin) in rows {
        let found = schema::problems(validator, &value, None, "");
        if !found.is_empty() {
            problems.extend(found.into_iter().map(|p| located(&origin, &value, p)));
            continue;
        }
        match Adjustment::deserialize(&value) {
            Ok(mut a) => {
                a.origin = Provenance(Some(Box::new(origin)));
                list.push(a);
            }
            Err(e) => problems.push(Problem {
                location: origin.locate(""),
                message: e.to_string(),
            }),
        }
    }
    problems.truncate(MAX_PROBLEMS);
    if !problems.is_empty() {
        return Err(Error::Input { file, problems });
    }
    list.sort_by(|a, b| a.id.cmp(&b.id));
    if let Some(w) = list.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(Error::input(
            &file,
            w[1].origin
                .0
                .as_ref()
                .map_or(Location::File, |o| o.locate("id")),
            format!("duplicate request id \"{}\"", w[1].id),
        ));
    }
    Ok(AdjustmentLog {
        source: file,
        period: None,
        adjustments: list,
        warnings,
    })
}

/// A table's coercions: errors under `--strict` (each one located), else the warnings to carry.
fn coerced(file: &str, coercions: Vec<Problem>, strict: bool) -> Result<Vec<Problem>> {
    if strict && !coercions.is_empty() {
        return Err(Error::Input {
            file: file.to_string(),
            problems: coercions
                .into_iter()
                .map(|p| Problem {
                    message: format!("{} (--strict)", p.message),
                    ..p
                })
                .collect(),
        });
    }
    Ok(coercions)
}

/// Loads an `adjustment-log/1` document from text.
pub fn adjustment_log_from_str(file: &str, text: &str) -> Result<AdjustmentLog> {
    let value: Value = serde_json::from_str(text).map_err(|e| syntax(file, &e))?;
    let mut problems = schema::problems(schema::adjustment_log(), &value, None, "");
    problems.truncate(MAX_PROBLEMS);
    if !problems.is_empty() {
        return Err(Error::Input {
            file: file.to_string(),
            problems,
        });
    }
    #[derive(Deserialize)]
    struct Log {
        period: Option<Period>,
        adjustments: Vec<Adjustment>,
    }
    let log =
        Log::deserialize(&value).map_err(|e| Error::input(file, Location::File, e.to_string()))?;
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (index, a) in log.adjustments.iter().enumerate() {
        if let Some(earlier) = seen.insert(&a.id, index) {
            problems.push(Problem {
                location: Location::pointer(format!("/adjustments/{index}/id")),
                message: format!(
                    "duplicate request id \"{}\": entries /adjustments/{earlier} and /adjustments/{index}",
                    a.id
                ),
            });
        }
    }
    if !problems.is_empty() {
        return Err(Error::Input {
            file: file.to_string(),
            problems,
        });
    }
    let mut adjustments = log.adjustments;
    adjustments.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(AdjustmentLog {
        source: file.to_string(),
        period: log.period,
        adjustments,
        warnings: Vec::new(),
    })
}

/// Validates an `audit-report/1` document.
pub fn report_from_str(file: &str, text: &str) -> Result<Value> {
    let value: Value = serde_json::from_str(text).map_err(|e| syntax(file, &e))?;
    let mut problems = schema::problems(schema::report(), &value, None, "");
    problems.truncate(MAX_PROBLEMS);
    if problems.is_empty() {
        Ok(value)
    } else {
        Err(Error::Input {
            file: file.to_string(),
            problems,
        })
    }
}
