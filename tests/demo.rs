//! The demo audit tells its story: every planted change is classified as planted, every planted
//! defect is found by its rule, and nothing else is reported (the exact set, not "contains").
//! The planted table is examples/qinghe/README.md.

mod support;

use std::collections::BTreeSet;

#[test]
fn demo_audit_finds_exactly_the_planted_defects() {
    let demo = support::demo();
    let report = demo.audit();

    let s = &report.summary;
    assert_eq!(
        (s.added, s.changed, s.cancelled, s.recoded, s.unchanged),
        (4, 6, 2, 1, 58),
        "classification of the demo pair"
    );
    let recode = report
        .changes
        .iter()
        .find(|c| c.kind.as_str() == "recoded")
        .unwrap();
    assert_eq!(
        (recode.code.as_str(), recode.old_code.as_deref()),
        ("339900-GG-00131", Some("339900-GG-00031"))
    );
    assert!(
        !report.changes.iter().any(|c| c.code == "339900-GG-00017"),
        "00017 only reorders its materials: no change"
    );

    // Rules of the practice that judge most items of a real catalog (not yet at zero visits, proofs
    // without a recorded basis, time limits compressed less than half) are advice, never errors;
    // they are checked apart from the planted defects.
    let broad = ["OV-06", "OV-10", "TL-08"];
    for f in report.findings.iter().filter(|f| broad.contains(&&*f.rule)) {
        assert_ne!(
            f.severity.as_str(),
            "error",
            "{} on {} must not be an error",
            f.rule,
            f.code
        );
    }
    let found: BTreeSet<(String, String)> = report
        .findings
        .iter()
        .filter(|f| !broad.contains(&&*f.rule))
        .map(|f| {
            (
                f.rule.to_string(),
                f.code.trim_start_matches("339900-GG-").to_string(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String)> = [
        ("DA-01", "00069"),
        ("DA-02", "00053"),
        ("DA-03", "00029"),
        ("DA-03", "00059"),
        ("DA-05", "00033"),
        ("DA-08", "00042"),
        ("DA-15", "00024"),
        ("LB-01", "00065"),
        ("LB-02", "00044"),
        ("LB-02", "00066"),
        ("FEE-01", "00013"),
        ("FEE-02", "00019"),
        ("FEE-06", "00032"),
        ("FEE-08", "00034"),
        ("FEE-08", "00009"),
        ("OV-02", "00004"),
        ("OV-03", "00020"),
        ("OV-05", "00035"),
        ("OV-08", "00067"),
        ("OV-11", "00054"),
        ("TL-01", "00062"),
        ("TL-02", "00016"),
        ("TL-03", "00049"),
        ("TL-05", "00005"),
        ("CF-03", "00057"),
        ("CF-09", "00060"),
        // Consequences of planted defects that other rules also see:
        ("DA-11", "00053"), // cancelled by status without a planned cancellation date
        ("CF-12", "00055"), // the item whose name carries markup
    ]
    .into_iter()
    .map(|(r, c)| (r.to_string(), c.to_string()))
    .collect();
    let missing: Vec<_> = expected.difference(&found).collect();
    let unexpected: Vec<_> = found.difference(&expected).collect();
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "missing: {missing:?}\nunexpected: {unexpected:?}"
    );
    // The items nobody applies for (a 处罚 and a 检查 with their own elements) are asked for no
    // case type, channels, time limits, visits or materials: no finding of any rule.
    let power: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.code.ends_with("00070") || f.code.ends_with("00071"))
        .map(|f| (&*f.rule, &*f.code, &f.message))
        .collect();
    assert!(power.is_empty(), "{power:?}");
    assert_eq!(
        ["00070", "00071"].map(|c| demo
            .new
            .items
            .iter()
            .find(|i| i.code.ends_with(c))
            .map(|i| i.item_type.to_string())),
        [Some("行政处罚".to_string()), Some("行政检查".to_string())]
    );
    // Every category of the contract shows in the demo.
    let categories: BTreeSet<&str> = report
        .findings
        .iter()
        .map(|f| f.category.as_str())
        .collect();
    assert_eq!(
        categories,
        [
            "adjustment",
            "fee",
            "format",
            "legal_basis",
            "one_visit",
            "time_limit"
        ]
        .into_iter()
        .collect()
    );
}

/// What a department reads is plain Chinese: no raw JSON, no float tails, no field keys, shares as
/// percentages and time limits as people write them.
#[test]
fn demo_messages_read_as_plain_chinese() {
    let report = support::demo().audit();
    let float_tail = regex::Regex::new(r"\d\.\d{3,}").unwrap();
    let keys = regex::Regex::new(&format!(
        r"(^|[^A-Za-z_])({})($|[^A-Za-z_])",
        catalog_audit::fields::Field::KEYS
            .iter()
            .filter(|k| k.len() > 4)
            .copied()
            .collect::<Vec<_>>()
            .join("|")
    ))
    .unwrap();
    for f in &report.findings {
        let m = &f.message;
        assert!(
            !m.contains("{\"") && !m.contains("\":"),
            "{}: JSON in {m}",
            f.rule
        );
        assert!(!float_tail.is_match(m), "{}: float in {m}", f.rule);
        assert!(!keys.is_match(m), "{}: field key in {m}", f.rule);
        if f.rule.as_ref() == "TL-08" {
            assert!(
                m.contains('%') && m.contains("个") && m.contains("日"),
                "{m}"
            );
        }
    }
    assert!(report.findings.iter().any(|f| f.rule.as_ref() == "TL-08"));
    assert!(report.findings.iter().any(|f| f.rule.as_ref() == "DA-15"));
}

/// A report judged as of a day cites no policy document issued after it (the year in its number).
#[test]
fn demo_report_cites_no_later_basis() {
    use catalog_audit::rules::PolicyBasis;
    let b = |no: &str| PolicyBasis {
        title: "t".into(),
        doc_no: Some(no.into()),
        article: None,
        note: None,
        region: None,
        issued: None,
    };
    assert_eq!(b("国发〔2022〕5号").year(), Some(2022));
    assert_eq!(b("GB/T 39046-2020").year(), Some(2020));
    assert_eq!(b("DB33/T 2036.1-2017").year(), Some(2017));
    assert_eq!(b("国务院令第722号").year(), None);
    let demo = support::demo();
    let (as_of, pack) = (demo.as_of(), &demo.pack);
    let report = demo.audit();
    let cited: Vec<&PolicyBasis> = report.rules.values().flat_map(|r| &r.basis).collect();
    assert!(!cited.is_empty());
    assert!(cited.iter().all(|b| !b.after(as_of)), "{cited:?}");
    // The pack itself does cite later documents (for later audits): they are left out, not lost.
    assert!(
        pack.rules
            .iter()
            .flat_map(|r| &r.spec.basis)
            .any(|b| b.after(as_of))
    );
}

/// The changes a Chinese page shows name a list element's parts in words, never by key
/// (`份数：1`, not `copies: 1`).
#[test]
fn demo_page_shows_element_parts_in_words() {
    use catalog_audit::report::{self, Format, Style, Templates, Texts};
    use catalog_audit::rules::Lang;
    let report = support::demo().audit();
    let style = Style {
        texts: Texts::builtin(Lang::Zh),
        templates: Templates::builtin(),
        color: false,
    };
    let mut out = Vec::new();
    report::render(&report, Format::Html, &style, &mut out).unwrap();
    let html = String::from_utf8(out).unwrap();
    assert!(
        html.contains("名称：居民户口簿，份数：1"),
        "the removed material, in words"
    );
    for key in ["copies:", "necessity:", "doc_no:", "title:", "source:"] {
        assert!(!html.contains(key), "{key} on the page");
    }
}

/// A region's own documents are cited only on that region's catalogs, a decree only from the day
/// it was issued, and a deployment's configuration replaces a rule's basis with its own documents.
#[test]
fn bases_follow_the_catalogs_region_the_date_and_the_configuration() {
    use catalog_audit::config::Config;
    use catalog_audit::pipeline::audit_loaded;
    use catalog_audit::rules::Lang;
    let demo = support::demo();
    let zhejiang = "浙江省保障“最多跑一次”改革规定";
    let standard = "DB33/T 2036.1-2017";
    let cites = |r: &catalog_audit::report::Report, what: &str| {
        r.rules
            .values()
            .flat_map(|d| &d.basis)
            .any(|b| b.title == what || b.doc_no.as_deref() == Some(what))
    };
    // The demo is a Zhejiang city (339900) judged at the end of 2017: the province's 2017
    // standard is cited, its regulation of November 2018 is not yet.
    let report = demo.audit();
    assert!(cites(&report, standard));
    assert!(!cites(&report, zhejiang));
    assert!(!cites(&report, "国务院令第722号"), "a 2019 decree");
    // The same catalog a year later cites the regulation too.
    let later = chrono::NaiveDate::from_ymd_opt(2019, 6, 30).unwrap();
    let run = |new: &catalog_audit::model::Catalog, config: &Config, as_of| {
        audit_loaded(
            &demo.old,
            new,
            Some(&demo.log),
            &demo.pack,
            config,
            as_of,
            Lang::Zh,
        )
    };
    assert!(cites(&run(&demo.new, &Config::default(), later), zhejiang));
    // Another province's catalog cites neither Zhejiang document, and no other city's.
    let mut elsewhere = demo.new.clone();
    elsewhere.info.region_code = Some("420100".into());
    let report = run(&elsewhere, &Config::default(), later);
    assert!(!cites(&report, zhejiang) && !cites(&report, standard));
    for b in report.rules.values().flat_map(|d| &d.basis) {
        for other in ["白城", "西咸", "柘城", "温州", "lawfaq", "江苏"] {
            assert!(!b.title.contains(other), "{b:?}");
        }
    }
    // A deployment cites its own adjustment rules for DA-05.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.json");
    let doc = serde_json::json!({
        "format": "audit-config/1",
        "rules": { "DA-05": { "basis": [
            { "title": "某市政务服务事项动态调整管理办法", "article": "第八条" }
        ] } }
    });
    std::fs::write(&file, doc.to_string()).unwrap();
    let config = Config::read(&file).unwrap();
    let report = run(&elsewhere, &config, later);
    let da05 = &report.rules["DA-05"].basis;
    assert_eq!(da05.len(), 1);
    assert_eq!(da05[0].title, "某市政务服务事项动态调整管理办法");
}
