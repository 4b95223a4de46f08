//! Properties over random catalogs built from the demo's items, with hostile text planted in
//! names, departments, materials, legal bases and reasons (markup, spreadsheet formulas, terminal
//! escapes, bidirectional overrides, template syntax):
//!
//! 1. an audit split by department and merged equals one run over everything;
//! 2. no renderer lets catalog text act: HTML carries no planted tag, the terminal report and
//!    Markdown no control character, the review sheet (CSV, XLSX, whole-city and per department)
//!    no formula;
//! 3. a catalog exported (flat CSV, flat XLSX, XLSX with child sheets) and read back gives the
//!    same items.
//!
//! `PROPTEST_CASES` bounds the work (the default here is 24 cases per property).

use calamine::{Reader, Xlsx};
use catalog_audit::load;
use catalog_audit::model::Catalog;
use catalog_audit::pipeline::audit_loaded;
use catalog_audit::report::{self, Format, Report, Style, split};
use catalog_audit::rules::{Lang, Pack};
use catalog_audit::table::export;
use chrono::NaiveDate;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::OnceLock;

/// Text that would act if a renderer let it through.
const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "=HYPERLINK(\"http://evil.example\",\"点此\")",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\u{1b}]0;pwned\u{7}",
    "\u{1b}[31m红色\u{1b}[0m",
    "回车\r覆盖",
    "空\0字符",
    "\u{202e}txet desrever",
    "\u{85}下一行",
    "{{name}} {{{raw}}}",
    "| 竖线 | *星* _下划线_ [链接](javascript:alert(1))",
    "\"引号\" 'apos' &amp; &lt;b&gt;",
];

fn demo_items() -> &'static Vec<Value> {
    static ITEMS: OnceLock<Vec<Value>> = OnceLock::new();
    ITEMS.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/qinghe/2017-12-31.json");
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        doc["items"].as_array().unwrap().clone()
    })
}

fn pack() -> &'static Pack {
    static PACK: OnceLock<Pack> = OnceLock::new();
    PACK.get_or_init(|| Pack::builtin().unwrap())
}

/// What happens to one template item between the two snapshots.
#[derive(Debug, Clone, Copy)]
enum Fate {
    Same,
    Added,
    Cancelled,
    Changed,
    Recoded,
}

fn fate() -> impl Strategy<Value = Fate> {
    prop_oneof![
        4 => Just(Fate::Same),
        1 => Just(Fate::Added),
        1 => Just(Fate::Cancelled),
        2 => Just(Fate::Changed),
        1 => Just(Fate::Recoded),
    ]
}

/// Where a payload is planted in an item.
#[derive(Debug, Clone, Copy)]
enum Spot {
    Name,
    Department,
    Material,
    Basis,
    Reason,
}

fn spot() -> impl Strategy<Value = Spot> {
    prop_oneof![
        Just(Spot::Name),
        Just(Spot::Department),
        Just(Spot::Material),
        Just(Spot::Basis),
        Just(Spot::Reason),
    ]
}

/// One template item: which demo item, its fate, and an optional planted payload.
#[derive(Debug, Clone)]
struct Pick {
    template: usize,
    fate: Fate,
    plant: Option<(Spot, usize)>,
}

/// A pair of snapshots as JSON documents.
#[derive(Debug, Clone)]
struct Pair {
    old: Value,
    new: Value,
    /// The departments, for splitting.
    departments: Vec<String>,
}

fn plant(text: &str, payload: &str) -> String {
    // In the middle, so that trimming never touches it.
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(2).collect();
    format!("{head}{payload}{}", chars.as_str())
}

/// Builds the pair. Each department of the demo keeps its items (a department with a payload in
/// its name is renamed everywhere), so a split by department never separates an item from itself.
fn build(picks: &[Pick]) -> Pair {
    let items = demo_items();
    let mut seen = std::collections::BTreeSet::new();
    let (mut old, mut new) = (Vec::new(), Vec::new());
    let mut renamed: std::collections::BTreeMap<String, String> = Default::default();
    // Department payloads first: they apply to every item of the department.
    for p in picks {
        if let Some((Spot::Department, k)) = p.plant {
            let dept = items[p.template % items.len()]["department"]
                .as_str()
                .unwrap()
                .to_string();
            let name = plant(&dept, PAYLOADS[k % PAYLOADS.len()]);
            renamed.entry(dept).or_insert(name);
        }
    }
    for p in picks {
        let t = p.template % items.len();
        if !seen.insert(t) {
            continue;
        }
        let mut item = items[t].clone();
        if let Some(d) = renamed.get(item["department"].as_str().unwrap()) {
            item["department"] = json!(d);
        }
        if let Some((spot, k)) = p.plant {
            let payload = PAYLOADS[k % PAYLOADS.len()];
            let at = |v: &mut Value| {
                if let Some(s) = v.as_str() {
                    *v = json!(plant(s, payload));
                }
            };
            match spot {
                Spot::Name => at(&mut item["name"]),
                Spot::Department => {}
                Spot::Material => {
                    if let Some(m) = item["materials"].get_mut(0) {
                        at(&mut m["name"]);
                    }
                }
                Spot::Basis => {
                    if let Some(b) = item["legal_basis"].get_mut(0) {
                        at(&mut b["title"]);
                    }
                }
                Spot::Reason => {
                    if item.get("onsite_reason").is_some() {
                        at(&mut item["onsite_reason"]);
                    } else {
                        at(&mut item["name"]);
                    }
                }
            }
        }
        match p.fate {
            Fate::Same => {
                old.push(item.clone());
                new.push(item);
            }
            Fate::Added => new.push(item),
            Fate::Cancelled => old.push(item),
            Fate::Changed => {
                let mut before = item.clone();
                before["onsite_visits"] = json!(2);
                before["promised_limit"] = json!({ "value": 15, "unit": "工作日" });
                old.push(before);
                new.push(item);
            }
            Fate::Recoded => {
                let mut before = item.clone();
                let code = before["code"].as_str().unwrap().to_string();
                before["code"] = json!(format!("{code}9"));
                old.push(before);
                new.push(item);
            }
        }
    }
    let doc = |as_of: &str, items: Vec<Value>| {
        json!({
            "format": "catalog-snapshot/1",
            "catalog": { "name": "青禾市公共服务事项目录", "region_code": "339900", "as_of": as_of },
            "items": items,
        })
    };
    let mut departments: Vec<String> = old
        .iter()
        .chain(&new)
        .map(|i| i["department"].as_str().unwrap().to_string())
        .collect();
    departments.sort();
    departments.dedup();
    Pair {
        old: doc("2017-06-30", old),
        new: doc("2017-12-31", new),
        departments,
    }
}

fn pair() -> impl Strategy<Value = Pair> {
    let pick = (
        0..1000usize,
        fate(),
        proptest::option::weighted(0.6, (spot(), 0..PAYLOADS.len())),
    )
        .prop_map(|(template, fate, plant)| Pick {
            template,
            fate,
            plant,
        });
    proptest::collection::vec(pick, 2..24).prop_map(|picks| build(&picks))
}

fn catalog(doc: &Value, name: &str) -> Catalog {
    load::snapshot_from_str(name, &doc.to_string()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn audit(old: &Value, new: &Value) -> Report {
    let as_of = NaiveDate::from_ymd_opt(2017, 12, 31).unwrap();
    audit_loaded(
        &catalog(old, "old.json"),
        &catalog(new, "new.json"),
        None,
        pack(),
        &Default::default(),
        as_of,
        Lang::Zh,
    )
}

fn rendered(r: &Report, format: Format) -> Vec<u8> {
    let mut out = Vec::new();
    report::render(r, format, &Style::plain(Lang::Zh), &mut out).unwrap();
    out
}

fn json_of(r: &Report) -> Value {
    serde_json::from_slice(&rendered(r, Format::Json)).unwrap()
}

/// Only the items of `keep`'s departments.
fn part(doc: &Value, keep: &dyn Fn(&str) -> bool) -> Value {
    let mut d = doc.clone();
    let items = d["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| keep(i["department"].as_str().unwrap()))
        .cloned()
        .collect();
    d["items"] = Value::Array(items);
    d
}

/// A character that acts on a terminal: C0 and C1 controls other than the line break, and the
/// bidirectional embeddings, overrides and isolates.
fn acts_on_terminal(c: char) -> bool {
    (c.is_control() && c != '\n')
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

fn trimmed(v: Value) -> Value {
    match v {
        Value::String(s) => Value::String(s.trim().to_string()),
        Value::Array(a) => Value::Array(a.into_iter().map(trimmed).collect()),
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, trimmed(v))).collect()),
        other => other,
    }
}

/// Whether `pat` occurs in Markdown text without a backslash before its first character (which
/// makes it literal text).
fn unescaped(md: &str, pat: &str) -> bool {
    md.match_indices(pat).any(|(i, _)| !md[..i].ends_with('\\'))
}

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(24);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn an_audit_split_by_department_and_merged_equals_one_run(
        pair in pair(),
        mask in any::<u32>(),
    ) {
        let whole = json_of(&audit(&pair.old, &pair.new));
        let in_a = |d: &str| {
            let i = pair.departments.iter().position(|x| x == d).unwrap();
            mask & (1 << (i % 32)) != 0
        };
        let a = json_of(&audit(&part(&pair.old, &in_a), &part(&pair.new, &in_a)));
        let not_a = |d: &str| !in_a(d);
        let b = json_of(&audit(&part(&pair.old, &not_a), &part(&pair.new, &not_a)));
        let merged = catalog_audit::merge::merge(&[("a.json".into(), a), ("b.json".into(), b)])
            .unwrap();
        for key in ["summary", "changes", "findings", "rules"] {
            prop_assert_eq!(&merged[key], &whole[key], "{} differ", key);
        }
        prop_assert_eq!(&merged["new"]["items"], &whole["new"]["items"]);
        prop_assert_eq!(&merged["old"]["items"], &whole["old"]["items"]);
    }

    #[test]
    fn no_renderer_lets_catalog_text_act(pair in pair()) {
        let r = audit(&pair.old, &pair.new);
        let t = catalog_audit::report::Texts::builtin(Lang::Zh);
        let mut reports = vec![("whole".to_string(), r.clone())];
        reports.extend(split::split(&r, &t).into_iter().map(|p| (p.stem, p.report)));
        for (name, r) in &reports {
            let html = String::from_utf8(rendered(r, Format::Html)).unwrap();
            for tag in ["<script>alert", "<img src=x", "href=\"javascript", "href='javascript"] {
                prop_assert!(!html.contains(tag), "{}: HTML carries {:?}", name, tag);
            }
            for format in [Format::Terminal, Format::Md] {
                let text = String::from_utf8(rendered(r, format)).unwrap();
                let bad: Vec<char> = text.chars().filter(|c| acts_on_terminal(*c)).collect();
                prop_assert!(bad.is_empty(), "{}: {:?} carries {:?}", name, format, bad);
            }
            let md = String::from_utf8(rendered(r, Format::Md)).unwrap();
            for tag in ["<script", "<img", "](javascript"] {
                prop_assert!(
                    !unescaped(&md, tag),
                    "{}: Markdown lets {:?} through", name, tag
                );
            }

            let csv = rendered(r, Format::Csv);
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(&csv[..]);
            for rec in reader.records() {
                for cell in rec.unwrap().iter() {
                    let cell = cell.trim_start_matches('\u{feff}');
                    prop_assert!(
                        !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                        "{}: CSV cell {:?} would be a formula", name, cell
                    );
                }
            }
            let xlsx = rendered(r, Format::Xlsx);
            let mut book = Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
            for sheet in book.sheet_names().to_vec() {
                let formulas = book.worksheet_formula(&sheet).unwrap();
                prop_assert!(
                    formulas.used_cells().all(|(_, _, f)| f.is_empty()),
                    "{}: sheet {} has a formula", name, sheet
                );
            }
        }
    }

    #[test]
    fn an_exported_catalog_reads_back_as_the_same_items(pair in pair()) {
        let dir = tempfile::tempdir().unwrap();
        let new = catalog(&pair.new, "new.json");
        // The sheet reader trims cells (a demo material is written "居民身份证 ").
        let expected = trimmed(serde_json::to_value(&new.items).unwrap());
        let opts = load::Options::default();
        // With child sheets, every attribute has a column of its own.
        let sheets = export::sheets(&new.items, true);
        let p = dir.path().join("catalog-2017-12-31.xlsx");
        std::fs::write(&p, export::to_xlsx(&sheets).unwrap()).unwrap();
        let back = load::snapshot_with(&p, &opts).unwrap();
        prop_assert!(back.warnings.is_empty(), "{:?}", back.warnings);
        let got = serde_json::to_value(&back.items).unwrap();
        for (g, e) in got.as_array().unwrap().iter().zip(expected.as_array().unwrap()) {
            for (k, v) in e.as_object().unwrap() {
                prop_assert_eq!(g.get(k), Some(v), "child-sheet XLSX: {} {}", e["code"], k);
            }
            prop_assert_eq!(g, e, "child-sheet XLSX: {}", e["code"]);
        }
        prop_assert_eq!(got.as_array().unwrap().len(), expected.as_array().unwrap().len());

        // Flat: one row per item, lists joined in their cells (CSV and XLSX read alike).
        let flat = export::sheets(&new.items, false);
        let p = dir.path().join("catalog-2017-12-31.csv");
        std::fs::write(&p, export::to_csv(&flat[0])).unwrap();
        let csv_back = load::snapshot_with(&p, &opts).unwrap();
        prop_assert!(csv_back.warnings.is_empty(), "{:?}", csv_back.warnings);
        let p = dir.path().join("flat-2017-12-31.xlsx");
        std::fs::write(&p, export::to_xlsx(&flat[..1]).unwrap()).unwrap();
        let xlsx_back = load::snapshot_with(&p, &opts).unwrap();
        prop_assert_eq!(
            serde_json::to_value(&csv_back.items).unwrap(),
            serde_json::to_value(&xlsx_back.items).unwrap(),
            "flat CSV and flat XLSX"
        );
        prop_assert_eq!(csv_back.items.len(), new.items.len());
        for (a, b) in csv_back.items.iter().zip(&new.items) {
            prop_assert_eq!(&a.code, &b.code);
            prop_assert_eq!(&a.name, &b.name);
            prop_assert_eq!(&a.department, &b.department);
            prop_assert_eq!(a.materials.len(), b.materials.len(), "{}: materials", a.code);
            prop_assert_eq!(a.legal_basis.len(), b.legal_basis.len(), "{}: bases", a.code);
        }
    }
}
