//! Generates a realistic pair of catalog snapshots and the adjustment log between them, for
//! benchmarks and scale tests.
//!
//! ```text
//! cargo run --release --example generate -- --items 100000 --seed 7 --out target/bench-data/100k [--csv] [--variety]
//! ```
//!
//! writes `old.json` (as of 2017-06-30), `new.json` (2017-12-31), `adjustments.json`
//! (2017-07-01..2017-12-31), `planted.json` (what was planted, for checking the audit),
//! `values.json` (how much values repeat, below) and, with `--csv`, `old.csv` / `new.csv` in the
//! flat national-column layout (lists joined in cells).
//!
//! In the default mode the content comes from the demo catalog (`examples/qinghe/2017-12-31.json`):
//! its items that carry no planted defect are the templates. The catalog is split into fictional
//! regions of `--per-region` items (600 by default, a county's catalog); each region has the
//! demo's ten departments, with its own names, credit codes, phone area code and addresses. Within
//! a region an item is a template under a qualified name (`…（变更）`, `…（补办）`), so names, basic
//! codes and codes are unique per region and the same basic code means the same item across
//! regions.
//!
//! Proportions (per item of the old snapshot, decided by a per-item SplitMix64 stream, so the
//! output is a pure function of `--items`, `--seed`, `--per-region` and `--variety`):
//! - about 5 % changed (one or two fields: time limit, materials, fee standard, address, legal
//!   basis article, phone, online depth, visits, office hours, FAQ), 1 % cancelled (half removed,
//!   half left with status 取消), 0.2 % recoded, and 1 % of new items added;
//! - about 3 % carry a defect the rule pack checks (LB-01, LB-02, TL-01, TL-03, OV-02, CF-09,
//!   CF-03, OV-11, OV-08, FEE-01, CF-12), in both snapshots;
//! - every change has an approved request, except a few percent (missing requests, requests that
//!   omit a field, late filing or publication, missing basis, an addition approved by the wrong
//!   office, a cancellation without supervision, a request that was never applied).
//!
//! Output is streamed region by region (`serde_json` per item into a `BufWriter`), so memory stays
//! at one region's items (and the bounded counters of `values.json`) whatever `--items` is: about
//! 20–30 MB at 100k items in either mode.
//!
//! **Two modes.** By default every item is one of the demo's few dozen clean items under a
//! qualified name, so apart from names, codes, departments, addresses and phones nearly every value
//! repeats: one material list per template, whatever the size. That flatters the audit, whose
//! loader parses each distinct property value once and whose rule engine judges each distinct
//! combination of field values once. `--variety` (see `generate/variety.rs`) builds the items from
//! about 10,000 catalog entries (subject matter × action × handling variant) and gives each region
//! its own implementation: acceptance conditions (an extra `受理条件` column), materials drawn from a
//! large pool with varied names, copies and forms, legal bases from a varied pool of acts and
//! articles, time limits, process, fees, FAQ, addresses, windows, phone lines and office hours.
//! Items are larger (about 2.3 KB of JSON against 1.8 KB). The planted changes, defects and
//! requests work the same in both modes (`tests/generated.rs` audits a pair of each and compares
//! with `planted.json`); the default output is byte for byte what it was before the mode existed.
//!
//! To measure rather than assert how much values repeat, the generator counts the distinct raw
//! JSON texts of each main property over the old snapshot (exactly up to 65,536 distinct values,
//! estimated beyond with a k-minimum-values sketch, about ±0.5 %), prints the ratio distinct ÷
//! items carrying the property to stderr and writes it to `values.json`. Seed 7:
//!
//! ```text
//! property          demo 10k  variety 10k  demo 100k  variety 100k
//! name                 6.3 %       42.0 %      0.8 %         9.9 %
//! department           1.7 %        1.7 %      1.7 %         1.7 %
//! address              2.4 %        7.8 %      2.3 %         7.3 %
//! office_hours         0.0 %        1.5 %      0.0 %         0.6 %
//! consult_phone        1.7 %        5.5 %      1.7 %         5.0 %
//! complaint_phone      0.4 %        1.1 %      0.4 %         1.1 %
//! onsite_reason        0.4 %        6.4 %      0.0 %         2.1 %
//! legal_basis          1.1 %       54.1 %      0.6 %        29.3 %
//! legal_limit          0.1 %        0.2 %      0.0 %         0.0 %
//! promised_limit       0.2 %        1.2 %      0.0 %         0.1 %
//! process              0.1 %       41.6 %      0.0 %        17.0 %
//! materials            0.9 %       89.7 %      0.1 %        77.7 %
//! fee                  0.1 %        1.8 %      0.0 %         1.9 %
//! result               0.4 %       24.9 %      0.0 %         3.4 %
//! faq                  0.5 %       71.9 %      0.0 %        72.6 %
//! 受理条件               –          65.1 %        –           54.5 %
//! ```
//!
//! The variety model (which elements are province-wide, how often a county writes its own) is an
//! assumption stated in `generate/variety.rs`, not fitted to a real province's export; what the
//! table measures is the generated data, so a real export's counts can be compared with it.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use catalog_audit::model::{
    Adjustment, AdjustmentKind, DocRef, Faq, Fee, Item, Material, Period, Provenance,
};
use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};
use std::sync::Arc;

#[path = "generate/variety.rs"]
mod variety;
pub use variety::Variety;

/// The demo's new snapshot: the source of realistic item content.
const DEMO: &str = include_str!("qinghe/2017-12-31.json");
/// The demo's city and region code, replaced by each generated region's.
const DEMO_CITY: &str = "青禾市";
const DEMO_REGION: &str = "339900";
/// Rules that fire on ordinary demo items (visits not exempt, proofs without basis, compression
/// below target): an item with only these findings is a clean template.
const SYSTEMIC_RULES: &[&str] = &["OV-06", "OV-10", "TL-08"];

const OLD_DATE: &str = "2017-06-30";
const NEW_DATE: &str = "2017-12-31";

/// Qualifiers that make one template several items of a region (业务办理项).
const QUALIFIERS: &[&str] = &[
    "新办",
    "变更",
    "延续",
    "补办",
    "注销",
    "换发",
    "迁入",
    "迁出",
    "首次申请",
    "年度审核",
    "遗失补领",
    "信息更正",
    "续期",
    "恢复",
    "暂停",
    "撤销",
    "网上申请",
    "窗口申请",
    "个人申请",
    "单位申请",
    "境外人员",
    "港澳台居民",
    "复核",
    "备案",
    "查询",
    "转移",
    "转入",
    "转出",
    "增员",
    "减员",
];

const NAME_CHARS: &[&str] = &[
    "青", "云", "桐", "梧", "澄", "安", "宁", "清", "溪", "泉", "松", "柏", "兰", "竹", "梅", "枫",
    "榆", "杉", "桃", "杏", "柳", "槐", "荷", "莲", "芷", "芸", "蓉", "华", "明", "光", "德", "昌",
    "兴", "和", "丰", "嘉", "永", "顺", "泰", "康",
];
const REGION_SUFFIX: &[&str] = &["县", "市", "区"];
const ARTICLES: &[&str] = &[
    "第三条",
    "第五条",
    "第八条",
    "第十二条",
    "第十五条",
    "第二十条",
    "第二十六条",
    "第三十一条",
    "第四十二条",
];

/// SplitMix64: small, fast, and the same on every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// An independent stream for one (seed, index, purpose).
    pub fn stream(seed: u64, index: u64, salt: u64) -> Rng {
        let mut r = Rng(seed ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03) ^ salt.rotate_left(32));
        r.next_u64();
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Items in the old snapshot.
    pub items: usize,
    pub seed: u64,
    /// Items per region (a county's catalog).
    pub per_region: usize,
    /// Record which items got what ([`Planted::by_item`]), for tests. Off by default: the record
    /// grows with the items (about a tenth of them are touched), where the rest stays at one
    /// region's.
    pub track: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            items: 10_000,
            seed: 1,
            per_region: 600,
            track: false,
        }
    }
}

/// What was planted, for checking an audit of the output.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Planted {
    pub old_items: usize,
    pub new_items: usize,
    pub regions: usize,
    pub templates: usize,
    pub changed: usize,
    pub added: usize,
    pub cancelled_removed: usize,
    pub cancelled_status: usize,
    pub recoded: usize,
    pub requests: usize,
    /// Defects by the rule that should fire, counted per item of the new snapshot.
    pub defects: BTreeMap<String, usize>,
    /// Adjustment-log defects by the rule that should fire.
    pub log_defects: BTreeMap<String, usize>,
    pub old_json_bytes: u64,
    pub new_json_bytes: u64,
    /// Variety mode (absent in the default mode, whose output predates it).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub variety: bool,
    /// Distinct values per main property of the old snapshot (written to `values.json`).
    #[serde(skip)]
    pub distinct: Vec<Distinct>,
    /// Which items got what, with [`Options::track`] (not written).
    #[serde(skip)]
    pub by_item: ByItem,
}

/// Which items got what: where an audit's findings on the pair should be, and where not.
#[derive(Debug, Default, Clone)]
pub struct ByItem {
    /// The rules planted on each item (item defects counted in [`Planted::defects`] and
    /// adjustment-log defects counted in [`Planted::log_defects`]), by the item's code in the new
    /// snapshot (its old code when it is cancelled or removed).
    pub defects: BTreeMap<String, BTreeSet<&'static str>>,
    /// The codes touched by a planted change: changed, added, cancelled (removed or status 取消)
    /// and recoded items (old and new code).
    pub touched: BTreeSet<String>,
}

impl ByItem {
    fn plant(&mut self, track: bool, code: &str, rule: &'static str) {
        if track {
            self.defects.entry(code.into()).or_default().insert(rule);
        }
    }

    fn touch(&mut self, track: bool, code: &str) {
        if track {
            self.touched.insert(code.into());
        }
    }
}

/// Distinct raw JSON texts of one property: exact up to [`Distinct::K`] distinct values, then a
/// k-minimum-values estimate (the K smallest 64-bit hashes), so memory stays bounded.
#[derive(Debug, Clone, Serialize)]
pub struct Distinct {
    pub property: &'static str,
    /// Items that carry the property (not absent, not an empty list).
    pub items: u64,
    pub distinct: u64,
    /// distinct ÷ items.
    pub ratio: f64,
    pub exact: bool,
    #[serde(skip)]
    smallest: std::collections::BTreeSet<u64>,
}

impl Distinct {
    const K: usize = 1 << 16;

    fn new(property: &'static str) -> Distinct {
        Distinct {
            property,
            items: 0,
            distinct: 0,
            ratio: 0.0,
            exact: true,
            smallest: Default::default(),
        }
    }

    fn add(&mut self, value: &impl Serialize) {
        let mut h = Fnv(0xCBF2_9CE4_8422_2325);
        if serde_json::to_writer(&mut h, value).is_err() {
            return;
        }
        // FNV-1a, then SplitMix64's finaliser, for uniform bits.
        let mut z = h.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        let z = z ^ (z >> 31);
        self.items += 1;
        if self.smallest.len() < Self::K {
            self.smallest.insert(z);
        } else if self.smallest.last().is_some_and(|&max| z < max) && self.smallest.insert(z) {
            self.smallest.pop_last();
        }
    }

    fn finish(&mut self) {
        let n = self.smallest.len();
        self.exact = n < Self::K;
        self.distinct = match self.smallest.last() {
            Some(&max) if !self.exact => {
                ((Self::K - 1) as f64 * (u64::MAX as f64 / max as f64)).round() as u64
            }
            _ => n as u64,
        };
        self.ratio = self.distinct as f64 / self.items.max(1) as f64;
    }
}

/// A `Write` that hashes what is written (FNV-1a).
struct Fnv(u64);

impl Write for Fnv {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for b in buf {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01B3);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The properties whose repetition the loader's memos live on.
const PROPERTIES: &[&str] = &[
    "name",
    "department",
    "address",
    "office_hours",
    "consult_phone",
    "complaint_phone",
    "onsite_reason",
    "legal_basis",
    "legal_limit",
    "promised_limit",
    "process",
    "materials",
    "fee",
    "result",
    "faq",
    "受理条件",
];

fn observe(stats: &mut [Distinct], it: &Item) {
    let mut i = 0;
    let mut next = || {
        i += 1;
        i - 1
    };
    macro_rules! add {
        ($v:expr) => {{
            let k = next();
            if let Some(v) = $v {
                stats[k].add(v);
            }
        }};
    }
    add!(Some(&it.name));
    add!(Some(&it.department));
    add!(it.address.as_ref());
    add!(it.office_hours.as_ref());
    add!(it.consult_phone.as_ref());
    add!(it.complaint_phone.as_ref());
    add!(it.onsite_reason.as_ref());
    add!((!it.legal_basis.is_empty()).then_some(&it.legal_basis));
    add!(it.legal_limit.as_ref());
    add!(it.promised_limit.as_ref());
    add!((!it.process.is_empty()).then_some(&it.process));
    add!((!it.materials.is_empty()).then_some(&it.materials));
    add!(it.fee.as_ref());
    add!(it.result.as_ref());
    add!((!it.faq.is_empty()).then_some(&it.faq));
    add!(it.extra.get("受理条件"));
}

/// A `Write` that counts bytes.
struct Counting<'a> {
    inner: &'a mut dyn Write,
    bytes: u64,
}

impl Write for Counting<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The clean demo items and their departments' short names (without the city).
pub struct Templates {
    items: Vec<Item>,
    /// For each item, the index of its department in `departments`.
    dept: Vec<usize>,
    /// Department names without the city (教育局, 公安局 …).
    departments: Vec<String>,
}

#[derive(Deserialize)]
struct DemoFile {
    items: Vec<Item>,
}

impl Templates {
    /// The demo items with no finding outside [`SYSTEMIC_RULES`], found by running the built-in
    /// rule pack on the demo catalog.
    pub fn load() -> Templates {
        let demo: DemoFile = serde_json::from_str(DEMO).expect("the demo catalog parses");
        let catalog = catalog_audit::model::Catalog {
            source: "demo".into(),
            info: Default::default(),
            items: demo.items,
            warnings: Vec::new(),
        };
        let pack = catalog_audit::rules::Pack::builtin().expect("the built-in rule pack loads");
        let as_of = NaiveDate::from_ymd_opt(2017, 12, 31).unwrap_or_default();
        let report = catalog_audit::pipeline::audit_loaded(
            &catalog,
            &catalog,
            None,
            &pack,
            &catalog_audit::config::Config::default(),
            as_of,
            catalog_audit::rules::Lang::Zh,
        );
        let dirty: std::collections::HashSet<&str> = report
            .findings
            .iter()
            .filter(|f| !SYSTEMIC_RULES.contains(&&*f.rule))
            .map(|f| &*f.code)
            .collect();
        let mut items = Vec::new();
        let mut dept = Vec::new();
        let mut departments: Vec<String> = Vec::new();
        for it in &catalog.items {
            if dirty.contains(&*it.code) || it.is_cancelled() {
                continue;
            }
            let short = it
                .department
                .strip_prefix(DEMO_CITY)
                .unwrap_or(&it.department)
                .to_string();
            let d = match departments.iter().position(|x| *x == short) {
                Some(d) => d,
                None => {
                    departments.push(short);
                    departments.len() - 1
                }
            };
            items.push(it.clone());
            dept.push(d);
        }
        assert!(!items.is_empty(), "no clean template in the demo catalog");
        Templates {
            items,
            dept,
            departments,
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// GB 11714 organisation code: 8 body characters and a check character.
fn org_code(body: &str) -> String {
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let total: u32 = body
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(36).unwrap_or(0) * w)
        .sum();
    let c9 = 11 - total % 11;
    let check = match c9 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10).unwrap_or('0'),
    };
    format!("{body}{check}")
}

/// GB 32100 unified social credit code for a department of a region.
fn credit_code(category: &str, region: &str, body: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const W: [usize; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let first = format!("{category}{region}{}", org_code(body));
    let total: usize = first
        .bytes()
        .zip(W)
        .map(|(c, w)| ALPHABET.iter().position(|a| *a == c).unwrap_or(0) * w)
        .sum();
    let check = ALPHABET[(31 - total % 31) % 31] as char;
    format!("{first}{check}")
}

/// A generated region: its name, code and the templates rewritten for it.
struct Region {
    name: String,
    code: String,
    items: Vec<Item>,
}

fn region(t: &Templates, r: usize) -> Region {
    let n = NAME_CHARS.len();
    let name = format!(
        "{}{}{}",
        NAME_CHARS[r % n],
        NAME_CHARS[(r / n) % n],
        REGION_SUFFIX[(r / (n * n)) % REGION_SUFFIX.len()]
    );
    // Unique for the first 4,800 regions (2.9 million items at 600 a region); beyond that,
    // a number keeps names apart.
    let name = match r / (n * n * REGION_SUFFIX.len()) {
        0 => name,
        k => format!("{name}{k}"),
    };
    let code = format!("{}", 910_000 + r * 10);
    let area = format!("0{}", 550 + r % 400);
    let dept_codes: Vec<String> = (0..t.departments.len())
        .map(|d| {
            let category = if t.departments[d].contains("残疾人联合会") {
                "13"
            } else {
                "11"
            };
            credit_code(category, &code, &format!("{:08}", 25_870_000 + r * 100 + d))
        })
        .collect();
    let items = t
        .items
        .iter()
        .zip(&t.dept)
        .map(|(it, &d)| {
            let text = serde_json::to_string(it)
                .unwrap_or_default()
                .replace(DEMO_CITY, &name)
                .replace("qinghe", &format!("r{code}"))
                .replace("0579-", &format!("{area}-"))
                .replace(DEMO_REGION, &code);
            let mut item: Item = serde_json::from_str(&text).expect("a rewritten template parses");
            item.department_code = Some(dept_codes[d].as_str().into());
            item
        })
        .collect();
    Region { name, code, items }
}

fn type_tag(item_type: &str) -> &'static str {
    match item_type {
        "公共服务" => "GG",
        "行政给付" => "JF",
        "行政确认" => "QR",
        "行政许可" => "XK",
        _ => "QT",
    }
}

/// The `slot`-th item of a region: template `slot % T` under qualifier `slot / T`.
fn item_at(reg: &Region, slot: usize, seq: usize) -> Item {
    let t = reg.items.len();
    let mut it = reg.items[slot % t].clone();
    let q = slot / t;
    if q > 0 {
        it.name = format!("{}（{}）", it.name, QUALIFIERS[(q - 1) % QUALIFIERS.len()]).into();
    }
    if let Some(b) = &it.basic_code
        && b.len() == 12
    {
        it.basic_code = Some(format!("{}{:03}", &b[..9], q).into());
    }
    if it.online_url.is_some() {
        it.online_url = Some(
            format!(
                "https://zwfw.r{}.example/guide/{}",
                reg.code,
                it.basic_code.as_deref().unwrap_or("")
            )
            .into(),
        );
    }
    it.code = format!("{}-{}-{:05}", reg.code, type_tag(&it.item_type), seq).into();
    it.origin = Provenance(None);
    it
}

/// Plants one defect (both snapshots carry it); returns the rule that should fire.
fn plant_defect(it: &mut Item, rng: &mut Rng) -> &'static str {
    for _ in 0..4 {
        match rng.below(11) {
            0 => {
                Arc::make_mut(&mut it.legal_basis).clear();
                return "LB-01";
            }
            1 if !it.legal_basis.is_empty() => {
                let first = &mut Arc::make_mut(&mut it.legal_basis)[0];
                first.article = None;
                first.text = None;
                return "LB-02";
            }
            2 => {
                let legal = it.legal_limit.as_ref().and_then(|l| l.value);
                let unit = it.legal_limit.as_ref().and_then(|l| l.unit.clone());
                if let (Some(l), Some(p)) = (legal, it.promised_limit.as_mut().map(Arc::make_mut))
                    && l > 0
                    && p.unit == unit
                {
                    p.value = Some(l + 5);
                    return "TL-01";
                }
            }
            3 if it.promised_limit.is_some() => {
                if let Some(p) = it.promised_limit.as_mut().map(Arc::make_mut) {
                    p.unit = Some("天".into());
                }
                return "TL-03";
            }
            4 => {
                it.onsite_visits = Some(1);
                it.onsite_reason = None;
                return "OV-02";
            }
            5 if it.consult_phone.is_some() => {
                it.complaint_phone = it.consult_phone.clone();
                return "CF-09";
            }
            6 => {
                if let Some(code) = it.department_code.as_mut() {
                    let last = if code.ends_with('0') { '1' } else { '0' };
                    let mut c = code.to_string();
                    c.pop();
                    c.push(last);
                    *code = c.into();
                    return "CF-03";
                }
            }
            7 if !it.materials.is_empty() => {
                let first = it.materials[0].clone();
                Arc::make_mut(&mut it.materials).push(first);
                return "OV-11";
            }
            8 => {
                Arc::make_mut(&mut it.materials).push(Material {
                    name: "其他材料".into(),
                    form: Some("纸质".into()),
                    kind: Some("其他".into()),
                    necessity: Some("必要".into()),
                    source: Some("申请人自备".into()),
                    copies: Some(1),
                    ..Default::default()
                });
                return "OV-08";
            }
            9 if it.fee.as_ref().is_none_or(|f| f.charged != Some(true)) => {
                it.fee = Some(Arc::new(Fee {
                    charged: Some(true),
                    items: Vec::new(),
                    ..Default::default()
                }));
                return "FEE-01";
            }
            10 if it.name.ends_with('）') => {
                // Half-width brackets; peers keep a bracketed qualifier, so CF-11 stays quiet.
                it.name = it.name.replace('（', "(").replace('）', ")").into();
                return "CF-12";
            }
            _ => {}
        }
    }
    Arc::make_mut(&mut it.legal_basis).clear();
    "LB-01"
}

/// Replaces the window number in an address (`…二楼21号窗口` → `…二楼7号窗口`).
fn move_window(address: &str, n: usize) -> String {
    match address.rfind("号窗口") {
        Some(end) => {
            let start = address[..end]
                .char_indices()
                .rev()
                .take_while(|(_, c)| c.is_ascii_digit())
                .last()
                .map_or(end, |(i, _)| i);
            format!("{}{}{}", &address[..start], n, &address[end..])
        }
        None => format!("{address}（{n}号窗口）"),
    }
}

/// Changes one element of an item the way departments do; returns the fields that changed.
fn change_field(it: &mut Item, rng: &mut Rng, region: &Region) -> Vec<&'static str> {
    let start = rng.below(10);
    for k in 0..10 {
        if let Some(fields) = change_one(it, (start + k) % 10, rng, region) {
            return fields;
        }
    }
    Arc::make_mut(&mut it.faq).clear();
    vec!["faq"]
}

fn change_one(
    it: &mut Item,
    which: usize,
    rng: &mut Rng,
    region: &Region,
) -> Option<Vec<&'static str>> {
    match which {
        0 => {
            let p = Arc::make_mut(it.promised_limit.as_mut()?);
            let v = p.value.filter(|v| *v >= 2)?;
            p.value = Some(v / 2);
            Some(vec!["promised_limit"])
        }
        1 => {
            if it.materials.len() >= 3 {
                Arc::make_mut(&mut it.materials).pop();
            } else {
                Arc::make_mut(&mut it.materials).push(Material {
                    name: "申请人书面承诺书".into(),
                    form: Some("纸质/电子".into()),
                    kind: Some("申请表格文书".into()),
                    necessity: Some("必要".into()),
                    source: Some("申请人自备".into()),
                    copies: Some(1),
                    blank_form: Some(true),
                    sample: Some(true),
                    ..Default::default()
                });
            }
            Some(vec!["materials"])
        }
        2 => {
            let fi = Arc::make_mut(it.fee.as_mut()?).items.first_mut()?;
            fi.standard = Some(format!(
                "{}（自2017年9月1日起降低{}%）",
                fi.standard.as_deref().unwrap_or("按规定标准收取"),
                10 + rng.below(4) * 5
            ));
            Some(vec!["fee"])
        }
        3 => {
            let a = it.address.as_ref()?;
            it.address = Some(move_window(a, 40 + rng.below(30)).into());
            Some(vec!["address"])
        }
        4 => {
            let b = Arc::make_mut(&mut it.legal_basis).first_mut()?;
            let new = ARTICLES[rng.below(ARTICLES.len())];
            if b.article.as_deref() == Some(new) {
                return None;
            }
            b.article = Some(new.into());
            Some(vec!["legal_basis"])
        }
        5 => {
            let mut p = it.consult_phone.as_deref()?.to_string();
            p.truncate(p.len().saturating_sub(2));
            p.push_str(&format!("{:02}", 50 + rng.below(49)));
            if Some(p.as_str()) == it.consult_phone.as_deref()
                || Some(p.as_str()) == it.complaint_phone.as_deref()
            {
                return None;
            }
            it.consult_phone = Some(p.into());
            Some(vec!["consult_phone"])
        }
        6 => {
            let d = it.online_depth.filter(|d| *d < 3)?;
            it.online_depth = Some(d + 1);
            Some(vec!["online_depth"])
        }
        7 => {
            if it.onsite_visits != Some(1) {
                return None;
            }
            it.onsite_visits = Some(0);
            Some(if it.onsite_reason.take().is_some() {
                vec!["onsite_visits", "onsite_reason"]
            } else {
                vec!["onsite_visits"]
            })
        }
        8 => {
            let hours = "工作日 上午9:00-12:00，下午13:30-17:00（法定节假日除外）";
            if it.office_hours.as_deref() == Some(hours) {
                return None;
            }
            it.office_hours = Some(hours.into());
            Some(vec!["office_hours"])
        }
        _ => {
            Arc::make_mut(&mut it.faq).push(Faq {
                question: format!("{}可以委托他人办理吗？", it.name),
                answer: Some(format!(
                    "可以。受托人须携带委托书及双方身份证件原件，到{}政务服务中心办理。",
                    region.name
                )),
                ..Default::default()
            });
            Some(vec!["faq"])
        }
    }
}

/// Working days of 2017 H2 (weekends and the National Day holiday left out).
fn workdays() -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut d = NaiveDate::from_ymd_opt(2017, 7, 3).unwrap_or_default();
    let end = NaiveDate::from_ymd_opt(2017, 12, 29).unwrap_or_default();
    let holiday_from = NaiveDate::from_ymd_opt(2017, 10, 1).unwrap_or_default();
    let holiday_to = NaiveDate::from_ymd_opt(2017, 10, 8).unwrap_or_default();
    while d <= end {
        let weekend = matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        if !weekend && !(holiday_from..=holiday_to).contains(&d) {
            out.push(d);
        }
        d = d.succ_opt().unwrap_or(d);
    }
    out
}

/// Builds adjustment requests with realistic timing and a few planted problems.
struct Log {
    days: Vec<NaiveDate>,
    list: Vec<Adjustment>,
    defects: BTreeMap<String, usize>,
    /// Record which items got what.
    track: bool,
    by_item: ByItem,
}

impl Log {
    /// Counts a planted adjustment-log defect on the item with code `at` (in the new snapshot).
    fn plant(&mut self, rule: &'static str, at: &str) {
        *self.defects.entry(rule.into()).or_default() += 1;
        self.by_item.plant(self.track, at, rule);
    }

    /// A request about `item`, whose code in the new snapshot is `at`.
    fn request(
        &mut self,
        rng: &mut Rng,
        kind: AdjustmentKind,
        item: &Item,
        at: &str,
        region: &Region,
        fields: Vec<String>,
    ) -> &mut Adjustment {
        let n = self.list.len() + 1;
        let len = self.days.len();
        let late_filing = rng.chance(0.02);
        let late_publication = rng.chance(0.02);
        let no_basis = rng.chance(0.01);
        let k = rng.below(len - 25);
        let filed = if late_filing { k + 13 } else { k + 2 };
        let approved = filed + 5;
        let published = if late_publication {
            approved + 6
        } else {
            approved + 1
        };
        for (planted, rule) in [
            (late_filing, "DA-05"),
            (late_publication, "DA-08"),
            (no_basis, "DA-04"),
        ] {
            if planted {
                self.plant(rule, at);
            }
        }
        let (reason, approver) = match kind {
            AdjustmentKind::Add => ("新增公共服务事项", format!("{}人民政府", region.name)),
            AdjustmentKind::Cancel => (
                "事项依据调整，取消该事项",
                format!("{}人民政府", region.name),
            ),
            AdjustmentKind::Change => (
                "落实“最多跑一次”改革要求，调整事项要素",
                format!("{}编办", region.name),
            ),
        };
        self.list.push(Adjustment {
            id: format!("TZ-2017-{n:07}"),
            kind,
            code: item.code.to_string(),
            department: Some(item.department.to_string()),
            fields,
            reason: Some(reason.into()),
            basis: if no_basis {
                Vec::new()
            } else {
                vec![DocRef {
                    title: format!(
                        "{}人民政府办公室关于公布{}年第{}批公共服务事项目录调整情况的通知",
                        region.name,
                        2017,
                        1 + k / 20
                    ),
                    doc_no: Some(format!(
                        "{}政办发〔2017〕{}号",
                        region.name.chars().next().unwrap_or('青'),
                        10 + k
                    )),
                    ..Default::default()
                }]
            },
            trigger_date: Some(self.days[k]),
            filed_on: Some(self.days[filed]),
            approved_on: Some(self.days[approved]),
            approved_by: Some(approver),
            published_on: Some(self.days[published]),
            new_code: None,
            into: None,
            supervision: None,
            opinions: Vec::new(),
            extra: Default::default(),
            origin: Provenance(None),
        });
        self.list.last_mut().expect("just pushed")
    }
}

fn snapshot_head(w: &mut dyn Write, as_of: &str, opts: &Options, variety: bool) -> io::Result<()> {
    let mode = if variety { "，多样模式" } else { "" };
    let head = serde_json::json!({
        "name": format!("模拟公共服务事项目录（{}项，种子{}{mode}）", opts.items, opts.seed),
        "region_code": "990000",
        "as_of": as_of,
    });
    writeln!(
        w,
        "{{\"format\":\"catalog-snapshot/1\",\"catalog\":{head},\"items\":["
    )
}

/// Streams items into a snapshot's `items` array.
struct ItemSink<'a> {
    out: Counting<'a>,
    first: bool,
    count: usize,
}

impl ItemSink<'_> {
    fn push(&mut self, item: &Item) -> io::Result<()> {
        if !self.first {
            self.out.write_all(b",\n")?;
        }
        self.first = false;
        self.count += 1;
        serde_json::to_writer(&mut self.out, item).map_err(io::Error::other)
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.write_all(b"\n]}\n")?;
        self.out.flush()
    }
}

/// Where the optional CSV copies go.
pub struct CsvSinks<'a> {
    pub old: &'a mut dyn Write,
    pub new: &'a mut dyn Write,
}

fn write_csv(w: &mut csv::Writer<&mut dyn Write>, items: &[Item], header: bool) -> io::Result<()> {
    let sheets = catalog_audit::table::export::sheets(items, false);
    let sheet = &sheets[0];
    if header {
        w.write_record(&sheet.headers)?;
    }
    for row in &sheet.rows {
        w.write_record(row)?;
    }
    Ok(())
}

/// Writes the pair (and the CSV copies) and returns the adjustment log and what was planted.
pub fn generate(
    opts: &Options,
    templates: &Templates,
    old: &mut dyn Write,
    new: &mut dyn Write,
    csv: Option<CsvSinks<'_>>,
) -> io::Result<(Vec<Adjustment>, Planted)> {
    generate_with(opts, templates, None, old, new, csv)
}

/// [`generate`], in variety mode when given the province-wide catalog.
pub fn generate_with(
    opts: &Options,
    templates: &Templates,
    variety: Option<&Variety>,
    old: &mut dyn Write,
    new: &mut dyn Write,
    csv: Option<CsvSinks<'_>>,
) -> io::Result<(Vec<Adjustment>, Planted)> {
    let mut planted = Planted {
        templates: variety.map_or(templates.len(), Variety::entries),
        variety: variety.is_some(),
        distinct: PROPERTIES.iter().map(|p| Distinct::new(p)).collect(),
        ..Default::default()
    };
    // Room for the additions of a region under names no old item uses.
    let (per_region, capacity) = match variety {
        None => {
            let capacity = templates.len() * (1 + QUALIFIERS.len());
            (opts.per_region.clamp(1, capacity * 9 / 10), capacity)
        }
        Some(v) => {
            let per_region = opts.per_region.clamp(1, v.tail() * 9 / 10);
            (per_region, v.capacity(per_region))
        }
    };
    let mut log = Log {
        days: workdays(),
        list: Vec::new(),
        defects: BTreeMap::new(),
        track: opts.track,
        by_item: ByItem::default(),
    };
    snapshot_head(old, OLD_DATE, opts, variety.is_some())?;
    snapshot_head(new, NEW_DATE, opts, variety.is_some())?;
    let mut olds = ItemSink {
        out: Counting {
            inner: old,
            bytes: 0,
        },
        first: true,
        count: 0,
    };
    let mut news = ItemSink {
        out: Counting {
            inner: new,
            bytes: 0,
        },
        first: true,
        count: 0,
    };
    let mut csvs = csv.map(|c| {
        (
            csv::Writer::from_writer(c.old),
            csv::Writer::from_writer(c.new),
        )
    });

    let regions = opts.items.div_ceil(per_region);
    planted.regions = regions;
    let mut done = 0usize;
    for r in 0..regions {
        let reg = region(templates, r);
        let local = variety.map(|v| v.local(&reg, r));
        // The `slot`-th item of this region under sequence number `seq`.
        let make = |slot: usize, seq: usize| match (variety, &local) {
            (Some(v), Some(l)) => v.item(&reg, l, per_region, slot, seq),
            _ => item_at(&reg, slot, seq),
        };
        let n = per_region.min(opts.items - done);
        let mut old_batch = Vec::with_capacity(n);
        let mut new_batch = Vec::with_capacity(n + n / 50);
        let mut added_here = 0usize;
        for j in 0..n {
            let global = (done + j) as u64;
            let mut rng = Rng::stream(opts.seed, global, 0x17E3);
            let mut base = make(j, j + 1);
            let defect = rng.chance(0.03).then(|| plant_defect(&mut base, &mut rng));
            let fate = rng.next_u64() % 10_000;
            let mut next = base.clone();
            let mut keep = true;
            if fate < 500 {
                // Changed: one field, sometimes two.
                let mut fields: Vec<String> = Vec::new();
                let rounds = if rng.chance(0.25) { 2 } else { 1 };
                for _ in 0..rounds {
                    for f in change_field(&mut next, &mut rng, &reg) {
                        if !fields.iter().any(|x| x == f) {
                            fields.push(f.to_string());
                        }
                    }
                }
                if next != base {
                    planted.changed += 1;
                    log.by_item.touch(opts.track, &next.code);
                    if rng.chance(0.04) {
                        log.plant("DA-03", &next.code);
                    } else {
                        let mut asked = fields.clone();
                        if asked.len() > 1 && rng.chance(0.2) {
                            asked.pop();
                            log.plant("DA-03", &next.code);
                        }
                        log.request(
                            &mut rng,
                            AdjustmentKind::Change,
                            &base,
                            &next.code,
                            &reg,
                            asked,
                        );
                    }
                }
            } else if fate < 600 {
                // Cancelled: removed, or left in the file with status 取消.
                let removed = rng.chance(0.5);
                if removed {
                    keep = false;
                    planted.cancelled_removed += 1;
                } else {
                    next.status = Some("取消".into());
                    next.cancel_on = Some(
                        log.days[log.days.len() / 2 + rng.below(log.days.len() / 2)]
                            .to_string()
                            .into(),
                    );
                    planted.cancelled_status += 1;
                }
                log.by_item.touch(opts.track, &base.code);
                if rng.chance(0.1) {
                    log.plant("DA-02", &base.code);
                } else {
                    let supervised = !rng.chance(0.1);
                    let a = log.request(
                        &mut rng,
                        AdjustmentKind::Cancel,
                        &base,
                        &base.code,
                        &reg,
                        Vec::new(),
                    );
                    if supervised {
                        a.supervision =
                            Some("纳入“双随机、一公开”监管，由原实施部门开展事中事后监管".into());
                    } else {
                        log.plant("DA-09", &base.code);
                    }
                }
            } else if fate < 620 {
                // Recoded: the same item under a new code.
                next.code = format!(
                    "{}-{}-{:05}",
                    reg.code,
                    type_tag(&next.item_type),
                    50_000 + j
                )
                .into();
                planted.recoded += 1;
                log.by_item.touch(opts.track, &base.code);
                log.by_item.touch(opts.track, &next.code);
                if rng.chance(0.05) {
                    log.plant("DA-03", &next.code);
                } else {
                    let new_code = next.code.clone();
                    let a = log.request(
                        &mut rng,
                        AdjustmentKind::Change,
                        &base,
                        &new_code,
                        &reg,
                        vec!["code".into()],
                    );
                    a.new_code = Some(new_code.to_string());
                }
            } else if fate < 630 {
                // A request approved for an item the new snapshot does not change.
                log.plant("DA-15", &base.code);
                log.request(
                    &mut rng,
                    AdjustmentKind::Change,
                    &base,
                    &base.code,
                    &reg,
                    vec!["promised_limit".into()],
                );
            }
            // Counted where a rule can see it: not on items cancelled in the new snapshot (a
            // planted change may still repair a few, e.g. an article added, a visit dropped).
            if let Some(rule) = defect
                && keep
                && !next.is_cancelled()
            {
                *planted.defects.entry(rule.into()).or_default() += 1;
                log.by_item.plant(opts.track, &next.code, rule);
            }
            old_batch.push(base);
            if keep {
                new_batch.push(next);
            }
            // An addition after this item.
            if rng.chance(0.01) && per_region + added_here < capacity {
                let slot = per_region + added_here;
                let mut add = make(slot, 20_000 + added_here + 1);
                added_here += 1;
                planted.added += 1;
                log.by_item.touch(opts.track, &add.code);
                if rng.chance(0.05) {
                    log.plant("DA-01", &add.code);
                } else {
                    let wrong_office = rng.chance(0.05);
                    let a = log.request(
                        &mut rng,
                        AdjustmentKind::Add,
                        &add,
                        &add.code,
                        &reg,
                        Vec::new(),
                    );
                    if wrong_office {
                        a.approved_by = Some(format!("{}编办", reg.name));
                        log.plant("DA-07", &add.code);
                    }
                }
                add.origin = Provenance(None);
                new_batch.push(add);
            }
        }
        for it in &old_batch {
            olds.push(it)?;
            observe(&mut planted.distinct, it);
        }
        for it in &new_batch {
            news.push(it)?;
        }
        if let Some((o, nw)) = csvs.as_mut() {
            write_csv(o, &old_batch, r == 0)?;
            write_csv(nw, &new_batch, r == 0)?;
        }
        done += n;
    }
    olds.finish()?;
    news.finish()?;
    if let Some((mut o, mut nw)) = csvs {
        o.flush()?;
        nw.flush()?;
    }
    planted.old_items = olds.count;
    planted.new_items = news.count;
    planted.old_json_bytes = olds.out.bytes;
    planted.new_json_bytes = news.out.bytes;
    planted.requests = log.list.len();
    planted.log_defects = log.defects;
    planted.by_item = log.by_item;
    for d in &mut planted.distinct {
        d.finish();
    }
    Ok((log.list, planted))
}

/// Writes an `adjustment-log/1` document.
pub fn write_log(list: &[Adjustment], w: &mut dyn Write) -> io::Result<()> {
    #[derive(Serialize)]
    struct Out<'a> {
        format: &'static str,
        period: Period,
        adjustments: &'a [Adjustment],
    }
    let out = Out {
        format: "adjustment-log/1",
        period: Period {
            from: NaiveDate::from_ymd_opt(2017, 7, 1),
            to: NaiveDate::from_ymd_opt(2017, 12, 31),
        },
        adjustments: list,
    };
    serde_json::to_writer_pretty(&mut *w, &out).map_err(io::Error::other)?;
    w.write_all(b"\n")
}

fn usage() -> ! {
    eprintln!(
        "usage: generate --items N --seed S --out DIR [--csv] [--per-region N] [--variety]\n\
         writes DIR/old.json, DIR/new.json, DIR/adjustments.json, DIR/planted.json, DIR/values.json\n\
         (and old.csv, new.csv); --variety builds items from thousands of catalog entries with\n\
         per-region bodies instead of the demo's few dozen items"
    );
    std::process::exit(2)
}

fn main() -> io::Result<()> {
    let mut opts = Options::default();
    let mut out: Option<std::path::PathBuf> = None;
    let mut csv = false;
    let mut variety = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--items" => opts.items = value().replace('_', "").parse().unwrap_or_else(|_| usage()),
            "--seed" => opts.seed = value().parse().unwrap_or_else(|_| usage()),
            "--per-region" => opts.per_region = value().parse().unwrap_or_else(|_| usage()),
            "--out" => out = Some(value().into()),
            "--csv" => csv = true,
            "--variety" => variety = true,
            _ => usage(),
        }
    }
    let Some(dir) = out else { usage() };
    std::fs::create_dir_all(&dir)?;
    let started = std::time::Instant::now();
    let templates = Templates::load();
    let variety = variety.then(|| Variety::new(&templates, opts.seed));
    let create = |name: &str| -> io::Result<io::BufWriter<std::fs::File>> {
        Ok(io::BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(dir.join(name))?,
        ))
    };
    let mut old = create("old.json")?;
    let mut new = create("new.json")?;
    let (mut old_csv, mut new_csv) = if csv {
        (Some(create("old.csv")?), Some(create("new.csv")?))
    } else {
        (None, None)
    };
    let sinks = match (old_csv.as_mut(), new_csv.as_mut()) {
        (Some(o), Some(n)) => Some(CsvSinks { old: o, new: n }),
        _ => None,
    };
    let (log, planted) = generate_with(
        &opts,
        &templates,
        variety.as_ref(),
        &mut old,
        &mut new,
        sinks,
    )?;
    old.flush()?;
    new.flush()?;
    if let Some(w) = old_csv.as_mut() {
        w.flush()?;
    }
    if let Some(w) = new_csv.as_mut() {
        w.flush()?;
    }
    let mut w = create("adjustments.json")?;
    write_log(&log, &mut w)?;
    w.flush()?;
    let mut w = create("planted.json")?;
    serde_json::to_writer_pretty(&mut w, &planted).map_err(io::Error::other)?;
    w.write_all(b"\n")?;
    w.flush()?;
    let mode = if planted.variety { "variety" } else { "demo" };
    let mut w = create("values.json")?;
    serde_json::to_writer_pretty(
        &mut w,
        &serde_json::json!({
            "mode": mode,
            "snapshot": "old.json",
            "items": planted.old_items,
            "properties": planted.distinct,
        }),
    )
    .map_err(io::Error::other)?;
    w.write_all(b"\n")?;
    w.flush()?;
    let ratios: Vec<String> = planted
        .distinct
        .iter()
        .filter(|d| d.items > 0)
        .map(|d| format!("{} {:.1} %", d.property, 100.0 * d.ratio))
        .collect();
    eprintln!(
        "distinct values per property ({mode} mode, old snapshot, distinct ÷ items carrying it): {}",
        ratios.join(", ")
    );
    eprintln!(
        "generated {} old / {} new items ({:.0} / {:.0} bytes per item), {} requests, in {:.1} s: {}",
        planted.old_items,
        planted.new_items,
        planted.old_json_bytes as f64 / planted.old_items.max(1) as f64,
        planted.new_json_bytes as f64 / planted.new_items.max(1) as f64,
        planted.requests,
        started.elapsed().as_secs_f64(),
        dir.display()
    );
    Ok(())
}
