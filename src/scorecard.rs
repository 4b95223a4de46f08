//! The department scorecard: the reform's figures for each department and the whole catalog,
//! computed once from the snapshots (analysis only; the renderers lay it out).
//!
//! Figures, over the items people apply for (the item types the targets file does not exclude):
//! - `items`: how many;
//! - `zero_visit` (跑零次率): share with 0 on-site visits, of those stating visits;
//! - `at_most_one` (最多跑一次): share with at most 1 visit, of those stating visits;
//! - `immediate` (即办率): share handled on the spot (promised limit 0, or 办件类型 即办件), of
//!   those stating either;
//! - `compression` (承诺时限压缩比): mean of (statutory − promised) / statutory, over items whose
//!   two limits are in the same unit with a statutory limit above 0 (as TL-08 compares them);
//! - `online` (网上可办): share that can be applied for online (是否支持网上申请, else 网上办理深度 ≥
//!   3), of those stating either;
//! - `mobile` (掌上可办): share with a mobile address, only when the catalog records mobile
//!   addresses at all;
//! - `materials_per_item`: mean number of application materials.
//!
//! Each figure carries its change since the old snapshot and since the baseline round (when
//! the baseline report has a scorecard), the department's rank among departments, and whether
//! it meets the target of the targets file (`rules/scorecard/targets.json`, data with its basis).
//! Values are rounded to four decimals so reports stay byte-identical.

use crate::model::{Catalog, Item};
pub use crate::rules::targets::{Metric, TargetSpec, Targets};
use serde::Serialize;
use std::collections::BTreeMap;

/// The figures, in the order every renderer shows them.
pub const METRICS: [Metric; 7] = [
    Metric::ZeroVisit,
    Metric::AtMostOne,
    Metric::Immediate,
    Metric::Compression,
    Metric::Online,
    Metric::Mobile,
    Metric::MaterialsPerItem,
];

/// One figure of one scope.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Figure {
    /// The share (0–1) or mean.
    pub value: f64,
    /// The items that count for it (the share's numerator; for a mean, the sum).
    pub count: f64,
    /// The items it is taken over.
    pub of: usize,
    /// Change since the old snapshot (same scope), when the old snapshot has the figure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<f64>,
    /// Change since the baseline round, when the baseline report has the figure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since_baseline: Option<f64>,
    /// Rank among departments (1 = best), on department figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<usize>,
    /// How many departments have the figure (what the rank is out of).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ranked: Option<usize>,
    /// Whether it meets the target, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meets_target: Option<bool>,
}

impl Figure {
    /// A figure of `value` over `of` items, rounded as reports write it; changes, rank and
    /// target are set later.
    fn new(value: f64, count: f64, of: usize) -> Figure {
        Figure {
            value: round(value),
            count: round(count),
            of,
            change: None,
            since_baseline: None,
            rank: None,
            ranked: None,
            meets_target: None,
        }
    }
}

/// The figures of one scope: the whole catalog or a department.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Card {
    /// The department (absent for the whole catalog).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Items people apply for, in the new snapshot.
    pub items: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items_change: Option<i64>,
    /// By metric; a figure the data does not give is absent.
    pub figures: BTreeMap<Metric, Figure>,
    /// What a department short of a target is told, one line per target missed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub advice: Vec<String>,
}

impl Card {
    pub fn get(&self, m: Metric) -> Option<&Figure> {
        self.figures.get(&m)
    }
}

/// A target as the report states it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    pub metric: Metric,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    pub source: String,
    /// The advice, in the report's language, before filling in.
    pub advice: String,
}

/// The scorecard of a report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Scorecard {
    pub total: Card,
    /// Every department of the new snapshot, by name.
    pub departments: Vec<Card>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<Target>,
}

impl Scorecard {
    pub fn department(&self, name: &str) -> Option<&Card> {
        self.departments
            .iter()
            .find(|c| c.department.as_deref() == Some(name))
    }
}

/// Sums from which the figures of one scope are taken.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    items: usize,
    visits_known: usize,
    zero: usize,
    at_most_one: usize,
    immediate_known: usize,
    immediate: usize,
    compression_sum: f64,
    compression_of: usize,
    online_known: usize,
    online: usize,
    mobile: usize,
    materials: usize,
}

impl Tally {
    fn add(&mut self, item: &Item) {
        self.items += 1;
        if let Some(v) = item.onsite_visits {
            self.visits_known += 1;
            self.zero += usize::from(v == 0);
            self.at_most_one += usize::from(v <= 1);
        }
        let promised = item.promised_limit.as_deref();
        let kind = item.case_type.as_deref().map(str::trim);
        let promised_value = promised.and_then(|l| l.value);
        if kind.is_some() || promised_value.is_some() {
            self.immediate_known += 1;
            self.immediate += usize::from(kind == Some("即办件") || promised_value == Some(0));
        }
        // Limits in one unit only, with a statutory limit to compare with (as TL-08).
        fn unit(u: &Option<String>) -> &str {
            u.as_deref().map(str::trim).unwrap_or_default()
        }
        if let (Some(legal), Some(promised)) = (item.legal_limit.as_deref(), promised)
            && let (Some(l), Some(p)) = (legal.value, promised.value)
            && l > 0
            && !unit(&legal.unit).is_empty()
            && unit(&legal.unit) == unit(&promised.unit)
        {
            self.compression_sum += (l - p) as f64 / l as f64;
            self.compression_of += 1;
        }
        let online = item
            .online_apply
            .or_else(|| item.online_depth.map(|d| d >= 3));
        if let Some(o) = online {
            self.online_known += 1;
            self.online += usize::from(o);
        }
        if item
            .mobile_url
            .as_deref()
            .is_some_and(|u| !u.trim().is_empty())
        {
            self.mobile += 1;
        }
        self.materials += item.materials.len();
    }

    fn figures(&self, mobile_recorded: bool) -> BTreeMap<Metric, Figure> {
        // A mean of `sum` over `of` items (a share when `sum` counts items), when there are any.
        let mean = |sum: f64, of: usize| (of > 0).then(|| Figure::new(sum / of as f64, sum, of));
        let share = |count: usize, of: usize| mean(count as f64, of);
        let mut out = BTreeMap::new();
        let mut put = |m: Metric, f: Option<Figure>| {
            if let Some(f) = f {
                out.insert(m, f);
            }
        };
        put(Metric::ZeroVisit, share(self.zero, self.visits_known));
        put(
            Metric::AtMostOne,
            share(self.at_most_one, self.visits_known),
        );
        put(
            Metric::Immediate,
            share(self.immediate, self.immediate_known),
        );
        put(
            Metric::Compression,
            mean(self.compression_sum, self.compression_of),
        );
        put(Metric::Online, share(self.online, self.online_known));
        if mobile_recorded {
            put(Metric::Mobile, share(self.mobile, self.items));
        }
        put(
            Metric::MaterialsPerItem,
            mean(self.materials as f64, self.items),
        );
        out
    }
}

/// A figure as a reader reads it: a share as a percentage to a tenth (`66.7%`, `100%`), a mean
/// to a tenth (`3.2`).
pub fn show(m: Metric, v: f64) -> String {
    // Halves away from zero, as a reader rounds (31.25% is 31.3%, not the 31.2% of `{:.1}`).
    let tenth = |x: f64| {
        let s = format!("{:.1}", (x * 10.0).round() / 10.0);
        s.strip_suffix(".0").map_or(s.clone(), str::to_string)
    };
    if m.is_share() {
        format!("{}%", tenth(v * 100.0))
    } else {
        tenth(v)
    }
}

/// A change as a reader reads it: percentage points for a share (`+5.0`), else the difference.
pub fn show_change(m: Metric, d: f64) -> String {
    let v = if m.is_share() { d * 100.0 } else { d };
    let v = (v * 10.0).round() / 10.0;
    if v.abs() < 0.05 {
        return "±0".to_string();
    }
    format!("{v:+.1}")
}

/// Four decimals: enough for a share shown to a tenth of a percent, and stable bytes.
fn round(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

/// Tallies of a catalog: the whole and by department.
fn tally(c: &Catalog, exclude: &[String]) -> (Tally, BTreeMap<String, Tally>, bool) {
    let mut total = Tally::default();
    let mut by: BTreeMap<String, Tally> = BTreeMap::new();
    let mut mobile = false;
    for item in &c.items {
        if item.is_cancelled() || exclude.iter().any(|t| *t == *item.item_type) {
            continue;
        }
        mobile |= item.mobile_url.is_some();
        total.add(item);
        by.entry(item.department.to_string()).or_default().add(item);
    }
    (total, by, mobile)
}

/// The figures of a scope as a baseline report recorded them (`scorecard` of audit-report/1).
pub type Recorded = BTreeMap<Option<String>, BTreeMap<Metric, f64>>;

/// Reads the figures a baseline report recorded (nothing when it has no scorecard).
pub fn recorded(report: &serde_json::Value) -> Recorded {
    let mut out = Recorded::new();
    let Some(card) = report.get("scorecard") else {
        return out;
    };
    let read = |c: &serde_json::Value| -> BTreeMap<Metric, f64> {
        METRICS
            .iter()
            .filter_map(|m| {
                c.pointer(&format!("/figures/{}/value", m.as_str()))
                    .and_then(serde_json::Value::as_f64)
                    .map(|v| (*m, v))
            })
            .collect()
    };
    if let Some(t) = card.get("total") {
        out.insert(None, read(t));
    }
    for d in card
        .get("departments")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(name) = d.get("department").and_then(serde_json::Value::as_str) {
            out.insert(Some(name.to_string()), read(d));
        }
    }
    out
}

/// Computes the scorecard of the new snapshot, with changes since the old one ([`since`] adds
/// those since the baseline round).
pub fn build(
    old: Option<&Catalog>,
    new: &Catalog,
    targets: &Targets,
    lang: crate::rules::Lang,
) -> Scorecard {
    let (new_total, new_by, mobile) = tally(new, &targets.exclude_types);
    let old_tallies = old.map(|c| tally(c, &targets.exclude_types));
    let card = |name: Option<&str>, t: &Tally| -> Card {
        let mut figures = t.figures(mobile);
        let old = old_tallies.as_ref().map(|(total, by, old_mobile)| {
            let t = match name {
                None => Some(total),
                Some(n) => by.get(n),
            };
            (t.copied(), *old_mobile)
        });
        let old_figures = old.and_then(|(t, m)| t.map(|t| t.figures(m && mobile)));
        for (m, f) in figures.iter_mut() {
            f.change = old_figures
                .as_ref()
                .and_then(|o| o.get(m))
                .map(|o| round(f.value - o.value));
            if let Some(target) = targets.targets.iter().find(|x| x.metric == *m) {
                f.meets_target = Some(
                    target.min.is_none_or(|min| f.value >= min - 1e-9)
                        && target.max.is_none_or(|max| f.value <= max + 1e-9),
                );
            }
        }
        let old_items = old.map(|(t, _)| t.map_or(0, |t| t.items));
        let advice = match name {
            Some(dept) => targets
                .targets
                .iter()
                .filter_map(|x| {
                    let f = figures.get(&x.metric)?;
                    (f.meets_target == Some(false)).then(|| {
                        let target = x.min.or(x.max).unwrap_or_default();
                        x.advice
                            .get(lang)
                            .replace("{department}", dept)
                            .replace("{value}", &show(x.metric, f.value))
                            .replace("{target}", &show(x.metric, target))
                    })
                })
                .collect(),
            None => Vec::new(),
        };
        Card {
            department: name.map(str::to_string),
            items: t.items,
            items_change: old_items.map(|o| t.items as i64 - o as i64),
            figures,
            advice,
        }
    };
    let mut departments: Vec<Card> = new_by.iter().map(|(n, t)| card(Some(n), t)).collect();
    // Ranks per figure: 1 is best; equal values share a rank; departments without the figure
    // are not ranked.
    for m in METRICS {
        let mut values: Vec<f64> = departments
            .iter()
            .filter_map(|d| d.get(m).map(|f| f.value))
            .collect();
        values.sort_by(|a, b| {
            if m.higher_is_better() {
                b.total_cmp(a)
            } else {
                a.total_cmp(b)
            }
        });
        for d in &mut departments {
            if let Some(f) = d.figures.get_mut(&m) {
                f.rank = values.iter().position(|v| *v == f.value).map(|i| i + 1);
                f.ranked = Some(values.len());
            }
        }
    }
    Scorecard {
        total: card(None, &new_total),
        departments,
        targets: targets
            .targets
            .iter()
            .map(|t| Target {
                metric: t.metric,
                min: t.min,
                max: t.max,
                source: t.source.clone(),
                advice: t.advice.get(lang).to_string(),
            })
            .collect(),
    }
}

/// Sets each figure's change since the baseline round from what the baseline recorded.
pub fn since(card: &mut Scorecard, baseline: &Recorded) {
    let set = |c: &mut Card| {
        let Some(recorded) = baseline.get(&c.department) else {
            return;
        };
        for (m, f) in c.figures.iter_mut() {
            f.since_baseline = recorded.get(m).map(|v| round(f.value - v));
        }
    };
    set(&mut card.total);
    for d in &mut card.departments {
        set(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CatalogInfo, Limit, Material};

    fn item(dept: &str, visits: Option<i64>, promised: Option<(i64, &str)>) -> Item {
        Item {
            code: format!("X-{dept}-{visits:?}").as_str().into(),
            name: "事项".into(),
            item_type: "行政许可".into(),
            department: dept.into(),
            onsite_visits: visits,
            promised_limit: promised.map(|(v, u)| {
                Limit {
                    value: Some(v),
                    unit: Some(u.to_string()),
                    ..Limit::default()
                }
                .into()
            }),
            legal_limit: promised.map(|(_, u)| {
                Limit {
                    value: Some(20),
                    unit: Some(u.to_string()),
                    ..Limit::default()
                }
                .into()
            }),
            ..Item::default()
        }
    }

    fn catalog(items: Vec<Item>) -> Catalog {
        Catalog {
            source: "c.json".into(),
            info: CatalogInfo::default(),
            items,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn figures_are_shares_of_the_items_that_state_them() {
        let mut a = item("甲", Some(0), Some((0, "工作日")));
        a.materials = vec![Material::default(), Material::default()].into();
        let b = item("甲", Some(1), Some((10, "工作日")));
        let c = item("甲", Some(2), None);
        let d = item("甲", None, Some((20, "自然日")));
        let mut punished = item("甲", Some(3), None);
        punished.item_type = "行政处罚".into();
        let targets = Targets {
            exclude_types: vec!["行政处罚".into()],
            ..Targets::default()
        };
        let s = build(
            None,
            &catalog(vec![a, b, c, d, punished]),
            &targets,
            crate::rules::Lang::Zh,
        );
        let t = &s.total;
        assert_eq!(t.items, 4, "the 行政处罚 item does not count");
        let f = |m| t.get(m).copied().unwrap();
        assert_eq!(
            (f(Metric::ZeroVisit).count, f(Metric::ZeroVisit).of),
            (1.0, 3)
        );
        assert_eq!(f(Metric::AtMostOne).value, round(2.0 / 3.0));
        // 0 of 20 → 1.0; 10 of 20 → 0.5; 20 of 20 days → 0.
        assert_eq!(f(Metric::Compression).value, 0.5);
        assert_eq!(f(Metric::Compression).of, 3);
        assert_eq!(f(Metric::Immediate).value, round(1.0 / 3.0));
        assert_eq!(f(Metric::MaterialsPerItem).value, 0.5);
        assert!(t.get(Metric::Online).is_none(), "no item states it");
        assert!(
            t.get(Metric::Mobile).is_none(),
            "the catalog records no mobile address"
        );
        assert_eq!(show(Metric::AtMostOne, round(2.0 / 3.0)), "66.7%");
        assert_eq!(show(Metric::Compression, 0.5), "50%");
        assert_eq!(show(Metric::MaterialsPerItem, 3.25), "3.3");
        assert_eq!(show(Metric::ZeroVisit, 0.3125), "31.3%");
        assert_eq!(show_change(Metric::ZeroVisit, 0.05), "+5.0");
        assert_eq!(show_change(Metric::ZeroVisit, -0.0001), "±0");
    }

    #[test]
    fn changes_ranks_and_targets() {
        let old = catalog(vec![item("甲", Some(2), None), item("乙", Some(0), None)]);
        let new = catalog(vec![
            item("甲", Some(0), None),
            item("乙", Some(0), None),
            item("丙", Some(2), None),
        ]);
        let targets: Targets = serde_json::from_value(serde_json::json!({
            "format": "scorecard-targets/1",
            "targets": [{"metric": "at_most_one", "min": 1.0, "source": "s",
                         "advice": {"zh": "z", "en": "e"}}]
        }))
        .unwrap();
        let mut baseline = Recorded::new();
        baseline.insert(
            Some("甲".to_string()),
            BTreeMap::from([(Metric::ZeroVisit, 0.25)]),
        );
        let mut s = build(Some(&old), &new, &targets, crate::rules::Lang::Zh);
        since(&mut s, &baseline);
        let jia = s.department("甲").unwrap().get(Metric::ZeroVisit).unwrap();
        assert_eq!(jia.change, Some(1.0));
        assert_eq!(jia.since_baseline, Some(0.75));
        assert_eq!(jia.rank, Some(1));
        let bing = s.department("丙").unwrap();
        assert_eq!(bing.get(Metric::ZeroVisit).unwrap().rank, Some(3));
        assert_eq!(
            bing.get(Metric::ZeroVisit).unwrap().change,
            None,
            "new department"
        );
        assert_eq!(bing.items_change, Some(1));
        assert_eq!(
            bing.get(Metric::AtMostOne).unwrap().meets_target,
            Some(false)
        );
        assert_eq!(bing.advice, ["z"]);
        assert_eq!(
            s.department("乙")
                .unwrap()
                .get(Metric::AtMostOne)
                .unwrap()
                .meets_target,
            Some(true)
        );
        assert_eq!(
            s.total.get(Metric::ZeroVisit).unwrap().value,
            round(2.0 / 3.0)
        );
    }
}
