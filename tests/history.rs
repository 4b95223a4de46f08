//! `history` over six dated snapshots: per-period counts of additions, changes, cancellations and
//! findings match what was done between the snapshots.

use catalog_audit::load::Options;
use catalog_audit::report;
use catalog_audit::rules::{Lang, Pack};
use serde_json::{Value, json};
use std::path::Path;

fn demo(name: &str) -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("examples/qinghe")
                .join(name),
        )
        .unwrap(),
    )
    .unwrap()
}

#[test]
fn six_snapshots_make_five_periods_with_the_right_counts() {
    let d = tempfile::tempdir().unwrap();
    let write = |name: &str, v: &Value| std::fs::write(d.path().join(name), v.to_string()).unwrap();
    let first = demo("2017-06-30.json");
    let mut doc = demo("2017-12-31.json");
    write("a-2017-06-30.json", &first);
    write("b-2017-12-31.json", &doc);
    write("b-log.json", &demo("adjustments-2017H2.json"));

    // 2018-03-31: one item added (a copy of a clean item under a new code).
    let mut extra = doc["items"][0].clone();
    extra["code"] = json!("339900-GG-00090");
    extra["name"] = json!("学生资助申请");
    doc["items"].as_array_mut().unwrap().push(extra);
    doc["catalog"]["as_of"] = json!("2018-03-31");
    write("c.json", &doc);

    // 2018-06-30: two items change their promised limit.
    for i in [1, 2] {
        doc["items"][i]["promised_limit"]["value"] = json!(1);
    }
    doc["catalog"]["as_of"] = json!("2018-06-30");
    write("d.json", &doc);

    // 2018-09-30: one item removed.
    doc["items"].as_array_mut().unwrap().remove(3);
    doc["catalog"]["as_of"] = json!("2018-09-30");
    write("e.json", &doc);

    // 2018-12-31: nothing changes.
    doc["catalog"]["as_of"] = json!("2018-12-31");
    write("f.json", &doc);

    let pack = Pack::builtin().unwrap();
    let t = catalog_audit::pipeline::history::build(
        d.path(),
        &pack,
        &Default::default(),
        &Options::default(),
        Lang::Zh,
    )
    .unwrap();
    assert_eq!(t.snapshots, 6);
    let got: Vec<(String, usize, usize, usize)> = t
        .periods
        .iter()
        .map(|p| (p.to.to_string(), p.added, p.changed, p.cancelled))
        .collect();
    assert_eq!(
        got,
        [
            ("2017-12-31".to_string(), 4, 6, 2),
            ("2018-03-31".to_string(), 1, 0, 0),
            ("2018-06-30".to_string(), 0, 2, 0),
            ("2018-09-30".to_string(), 0, 0, 1),
            ("2018-12-31".to_string(), 0, 0, 0),
        ]
    );
    // The first period used its adjustment log; the later ones had none.
    assert_eq!(t.periods[0].adjustments.as_deref(), Some("b-log.json"));
    assert!(t.periods[1..].iter().all(|p| p.adjustments.is_none()));
    // Department figures add up to the period totals.
    for p in &t.periods {
        let added: usize = p.departments.values().map(|d| d.added).sum();
        let errors: usize = p.departments.values().map(|d| d.errors).sum();
        assert_eq!((added, errors), (p.added, p.errors), "{}", p.to);
    }
    // From the second period on, each period is a round against the one before, and the
    // timeline validates against its schema.
    assert!(t.periods[0].progress.is_none());
    for w in t.periods.windows(2) {
        let p = w[1].progress.expect("a later period has a round");
        let before = w[0].errors + w[0].warnings + w[0].info;
        assert_eq!(p.baseline_open, before, "{}", w[1].to);
        assert_eq!(
            p.still_open + p.new + p.reopened,
            w[1].errors + w[1].warnings + w[1].info
        );
    }
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../schemas/catalog-history.schema.json")).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let json = serde_json::to_value(&t).unwrap();
    let errors: Vec<String> = v.iter_errors(&json).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let page = |lang: Lang| {
        let style = report::Style {
            texts: report::Texts::builtin(lang),
            templates: report::Templates::builtin(),
            color: false,
        };
        let mut out = Vec::new();
        report::history::render(&t, "青禾市 <目录>", &style, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let html = page(Lang::Zh);
    assert!(html.contains("青禾市 &lt;目录&gt;") && !html.contains("<目录>"));
    assert_eq!(html.matches("<tr class=\"period\">").count(), 5);
    assert!(html.contains("<html lang=\"zh-CN\">") && html.contains("期间"));
    // The round column of the later periods, from the same progress the JSON carries.
    let p = t.periods[1].progress.unwrap();
    assert!(html.contains(&format!("{} / {} 仍存在", p.still_open, p.baseline_open)));
    // The scorecard over the periods: the whole catalog's figure at the end of each, in order.
    let shown: Vec<String> = t
        .periods
        .iter()
        .map(|p| {
            let v = p.scorecard.as_ref().unwrap().total.figures
                [&catalog_audit::scorecard::Metric::AtMostOne]
                .value;
            catalog_audit::scorecard::show(catalog_audit::scorecard::Metric::AtMostOne, v)
        })
        .collect();
    let total_row = &html[html.find("<tr class=\"total\">").expect("a trends table")..];
    let total_row = &total_row[..total_row.find("</tr>").unwrap()];
    assert!(total_row.contains(&shown.join(" → ")), "{total_row}");
    assert!(json["periods"][0]["scorecard"]["departments"].is_array());
    // Two charts in the main report's markup, their totals the periods' own.
    assert_eq!(html.matches("data-chart=").count(), 2);
    let open: usize = t.periods[0].errors + t.periods[0].warnings + t.periods[0].info;
    assert!(html.contains(&format!(
        "data-key=\"{}\" data-total=\"{open}\"",
        t.periods[0].to
    )));
    // In English, the headings are English only: no tool text in Chinese (department names are
    // catalog content and stay as written).
    let en = page(Lang::En);
    assert!(en.contains("<html lang=\"en\">") && en.contains("Period"));
    for zh in ["期间", "变更", "审核", "错误", "警告", "提示", "历史"] {
        assert!(!en.contains(zh), "English page has {zh}");
    }
}
