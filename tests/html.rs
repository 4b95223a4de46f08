//! The HTML report read as a document: its charts and counts say what the JSON report says, an
//! English report has no Chinese words of the tool's own, catalog text never becomes markup, and the
//! page requests nothing. (tests/browser/ opens the same report in Chromium.)

use assert_cmd::Command;
use regex::Regex;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn bin() -> Command {
    Command::cargo_bin("catalog-audit").unwrap()
}

fn demo(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/qinghe")
        .join(name)
}

/// The demo audit as (HTML, JSON report) in a language.
fn demo_reports(lang: &str) -> (String, Value) {
    demo_reports_with(lang, &[])
}

fn demo_reports_with(lang: &str, args: &[&std::ffi::OsStr]) -> (String, Value) {
    let d = tempfile::tempdir().unwrap();
    bin()
        .arg("audit")
        .arg(demo("2017-06-30.json"))
        .arg(demo("2017-12-31.json"))
        .arg("--adjustments")
        .arg(demo("adjustments-2017H2.json"))
        .args(["--format", "html", "--format", "json", "--fail-on", "never"])
        .args(args)
        .args(["--lang", lang, "--out"])
        .arg(d.path())
        .assert()
        .code(0);
    let html = std::fs::read_to_string(d.path().join("audit-report.html")).unwrap();
    let json = std::fs::read_to_string(d.path().join("audit-report.json")).unwrap();
    (html, serde_json::from_str(&json).unwrap())
}

/// Undoes Handlebars' escaping.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x3D;", "=")
        .replace("&#x60;", "`")
        .replace("&amp;", "&")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let re = Regex::new(&format!(r#"\b{name}="([^"]*)""#)).unwrap();
    re.captures(tag).map(|c| unescape(&c[1]))
}

/// One chart: row key → (label, total, part → count).
type Chart = BTreeMap<String, (String, usize, BTreeMap<String, usize>)>;

fn charts(html: &str) -> BTreeMap<String, Chart> {
    let svg = Regex::new(r#"(?s)<svg [^>]*data-chart="([a-z]+)"[^>]*>(.*?)</svg>"#).unwrap();
    let row = Regex::new(r#"(?s)<g class="row" ([^>]*)>(.*?)</g>"#).unwrap();
    let label = Regex::new(r#"<text class="label[^"]*"[^>]*>([^<]*)</text>"#).unwrap();
    let rect = Regex::new(r"<rect [^>]*>").unwrap();
    let mut out = BTreeMap::new();
    for s in svg.captures_iter(html) {
        let mut chart = Chart::new();
        for r in row.captures_iter(&s[2]) {
            let mut parts = BTreeMap::new();
            for rc in rect.find_iter(&r[2]) {
                let part = attr(rc.as_str(), "data-part").unwrap();
                let n: usize = attr(rc.as_str(), "data-count").unwrap().parse().unwrap();
                assert!(n > 0, "zero segments are not drawn");
                parts.insert(part, n);
            }
            let total: usize = attr(&r[1], "data-total").unwrap().parse().unwrap();
            assert_eq!(total, parts.values().sum::<usize>(), "a bar's total");
            let l = unescape(&label.captures(&r[2]).unwrap()[1]);
            chart.insert(attr(&r[1], "data-key").unwrap(), (l, total, parts));
        }
        out.insert(s[1].to_string(), chart);
    }
    out
}

/// Department anchors (dept-N) → names, from the department sections.
fn department_anchors(html: &str) -> BTreeMap<String, String> {
    let re = Regex::new(r#"<section class="dept" id="(dept-\d+)"[^>]*>\s*<h2[^>]*><span class="cat">([^<]*)</span>"#)
        .unwrap();
    re.captures_iter(html)
        .map(|c| (c[1].to_string(), unescape(&c[2])))
        .collect()
}

/// Whether a finding asks for action (resolved and waived ones are listed but not counted).
fn is_open(f: &Value) -> bool {
    !matches!(f["state"].as_str(), Some("resolved" | "waived"))
}

/// Open findings by `key` and severity.
fn count_by(findings: &[Value], key: &str) -> BTreeMap<String, BTreeMap<String, usize>> {
    let mut m: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for f in findings.iter().filter(|f| is_open(f)) {
        *m.entry(f[key].as_str().unwrap().to_string())
            .or_default()
            .entry(f["severity"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    m
}

#[test]
fn chart_numbers_equal_the_json_report() {
    for lang in ["zh", "en"] {
        let (html, report) = demo_reports(lang);
        chart_numbers_in(lang, &html, &report);
    }
}

/// Against the previous round some findings are resolved: they are listed, but the charts count
/// open findings only, as the summary does.
#[test]
fn chart_numbers_count_open_findings_after_a_round() {
    let d = tempfile::tempdir().unwrap();
    let baseline = d.path().join("baseline.json");
    // The first half-year's catalog audited on its own is the previous round.
    bin()
        .arg("audit")
        .arg(demo("2017-06-30.json"))
        .arg(demo("2017-06-30.json"))
        .args(["--format", "json", "--fail-on", "never", "--out"])
        .arg(&baseline)
        .assert()
        .code(0);
    let (html, report) = demo_reports_with("zh", &["--baseline".as_ref(), baseline.as_ref()]);
    let findings = report["findings"].as_array().unwrap();
    let resolved = findings.iter().filter(|f| f["state"] == "resolved").count();
    assert!(resolved > 0 && resolved < findings.len(), "a mixed round");
    assert_eq!(report["summary"]["resolved"], resolved);
    assert!(html.contains(&format!("data-card=\"resolved\" data-count=\"{resolved}\"")));
    // Closed findings are listed apart, folded; the open ones are comments.
    assert_eq!(
        html.matches("<article class=\"finding sev-").count(),
        resolved
    );
    assert_eq!(html.matches(" st-resolved\" id=\"f-").count(), resolved);
    assert_eq!(
        html.matches("<details class=\"closed\">").count(),
        findings
            .iter()
            .filter(|f| !is_open(f))
            .map(|f| f["department"].as_str().unwrap())
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        "one fold per department with closed findings"
    );
    assert_eq!(
        html.matches("<article class=\"comment ").count(),
        report["comments"].as_array().unwrap().len()
    );
    chart_numbers_in("zh", &html, &report);
}

fn chart_numbers_in(lang: &str, html: &str, report: &Value) {
    let findings = report["findings"].as_array().unwrap();
    let charts = charts(html);
    assert_eq!(
        charts.keys().collect::<Vec<_>>(),
        ["categories", "departments", "kinds"]
    );

    // Findings by department and severity.
    let anchors = department_anchors(html);
    let by_dept = count_by(findings, "department");
    let drawn: BTreeMap<String, BTreeMap<String, usize>> = charts["departments"]
        .iter()
        .map(|(key, (label, _, parts))| {
            assert_eq!(&anchors[key], label, "the bar links to its department");
            (anchors[key].clone(), parts.clone())
        })
        .collect();
    assert_eq!(drawn, by_dept, "{lang}: findings by department");
    // Bars run from the department with most findings down (rows in page order).
    let row = Regex::new(r#"<g class="row" data-key="dept-\d+" data-total="(\d+)""#).unwrap();
    let totals: Vec<usize> = row
        .captures_iter(html)
        .map(|c| c[1].parse().unwrap())
        .collect();
    assert_eq!(
        totals.len(),
        by_dept.len(),
        "every department with findings"
    );
    assert!(totals.windows(2).all(|w| w[0] >= w[1]), "{totals:?}");

    // Findings by category and severity: all six categories, empty ones at zero.
    let by_cat = count_by(findings, "category");
    assert_eq!(charts["categories"].len(), 6);
    for (cat, (_, total, parts)) in &charts["categories"] {
        let want = by_cat.get(cat).cloned().unwrap_or_default();
        assert_eq!(parts, &want, "{lang}: category {cat}");
        assert_eq!(*total, want.values().sum::<usize>());
    }

    // Changes by kind = the summary = the changes listed.
    let s = &report["summary"];
    for (kind, (_, total, parts)) in &charts["kinds"] {
        assert_eq!(
            *total,
            s[kind.as_str()].as_u64().unwrap() as usize,
            "{kind}"
        );
        assert_eq!(parts.get(kind), (*total > 0).then_some(total));
        let listed = report["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["kind"] == kind.as_str())
            .count();
        assert_eq!(*total, listed, "{kind}");
    }

    // Summary cards.
    let card = Regex::new(r#"data-card="([a-z]+)" data-count="(\d+)""#).unwrap();
    let cards: BTreeMap<String, u64> = card
        .captures_iter(html)
        .map(|c| (c[1].to_string(), c[2].parse().unwrap()))
        .collect();
    for k in ["added", "changed", "cancelled", "recoded", "unchanged"] {
        assert_eq!(cards[k], s[k].as_u64().unwrap(), "card {k}");
    }
    for k in ["error", "warning", "info"] {
        assert_eq!(cards[k], s["findings"][k].as_u64().unwrap(), "card {k}");
    }
    assert_eq!(
        cards["error"] + cards["warning"] + cards["info"],
        findings.iter().filter(|f| is_open(f)).count() as u64
    );

    // Every finding is on the page once. An open one in the comment that stands for it (a
    // point, an item an advice card lists, a department-level note), whose category the element
    // carries when it is what the category filter reads; a closed one as its own entry, tagged as
    // the JSON says.
    let by_fingerprint: BTreeMap<&str, &Value> = findings
        .iter()
        .map(|f| (f["fingerprint"].as_str().unwrap(), f))
        .collect();
    let standing =
        Regex::new(r#"<(?:li|tr|article) [^>]*\bdata-fingerprints="([^"]*)"[^>]*>"#).unwrap();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for m in standing.captures_iter(html) {
        let tag = m.get(0).unwrap().as_str();
        for fp in m[1].split(' ') {
            *seen.entry(fp.to_string()).or_default() += 1;
            let f = by_fingerprint[fp];
            assert!(is_open(f), "{lang}: a closed finding in a comment: {fp}");
            if let Some(cats) = attr(tag, "data-category") {
                let cat = f["category"].as_str().unwrap();
                assert!(
                    cats.split(' ').any(|c| c == cat),
                    "{lang}: {fp} {cat} in {cats}"
                );
            }
        }
    }
    let want: BTreeMap<String, usize> = findings
        .iter()
        .filter(|f| is_open(f))
        .map(|f| (f["fingerprint"].as_str().unwrap().to_string(), 1))
        .collect();
    assert_eq!(seen, want, "{lang}: every open finding in one comment");

    let article = Regex::new(r#"<article class="finding [^"]*" ([^>]*)>"#).unwrap();
    let mut seen = BTreeMap::new();
    for a in article.captures_iter(html) {
        let fp = attr(&a[1], "id")
            .unwrap()
            .trim_start_matches("f-")
            .to_string();
        let dept = attr(&a[1], "data-dept").unwrap();
        seen.insert(
            fp,
            (
                anchors[&dept].clone(),
                attr(&a[1], "data-category").unwrap(),
                attr(&a[1], "data-severity").unwrap(),
                attr(&a[1], "data-state").unwrap(),
            ),
        );
    }
    let want: BTreeMap<String, (String, String, String, String)> = findings
        .iter()
        .filter(|f| !is_open(f))
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap().to_string();
            (
                s("fingerprint"),
                (s("department"), s("category"), s("severity"), s("state")),
            )
        })
        .collect();
    assert_eq!(
        seen, want,
        "{lang}: closed findings and their filter attributes"
    );

    // An appendix entry per fired rule, and every finding links to one.
    let rules = report["rules"].as_object().unwrap();
    assert_eq!(
        html.matches("<article class=\"rule-doc ").count(),
        rules.len()
    );
    for code in rules.keys() {
        assert!(html.contains(&format!("id=\"rule-{code}\"")), "{code}");
    }
    for f in findings {
        let code = f["rule"].as_str().unwrap();
        assert!(html.contains(&format!("href=\"#rule-{code}\"")), "{code}");
    }
}

/// The page with every element marked as catalog or rule-pack content removed (they hold only
/// text, so the element ends at the next closing tag).
fn tool_text(html: &str) -> String {
    let marked = Regex::new(
        r#"<[a-z0-9]+\b[^>]*\bclass="[^"]*\b(?:cat|pack)\b[^"]*"[^>]*>[^<]*</[a-z0-9]+>"#,
    )
    .unwrap();
    marked.replace_all(html, "").into_owned()
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{2E80}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{FF00}'..='\u{FFEF}')
}

#[test]
fn english_report_has_no_chinese_tool_text() {
    let (html, report) = demo_reports("en");
    assert!(html.contains("<html lang=\"en\">"));
    let catalog_name = report["new"]["name"].as_str().unwrap();
    let rest = tool_text(&html).replace(catalog_name, "");
    let chinese: Vec<&str> = rest.lines().filter(|l| l.chars().any(is_cjk)).collect();
    assert!(
        chinese.is_empty(),
        "Chinese outside catalog and rule content:\n{}",
        chinese.join("\n")
    );
    // The check is not vacuous: the page shows Chinese catalog content, all of it marked.
    assert!(html.chars().filter(|c| is_cjk(*c)).count() > 1000);
    assert!(html.contains("Findings by department and severity"));

    let (zh, _) = demo_reports("zh");
    assert!(zh.contains("<html lang=\"zh-CN\">"));
    assert!(zh.contains("各部门发现的问题"));
    assert!(!zh.contains("Findings by department"));
}

#[test]
fn every_html_message_key_is_used() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let template = std::fs::read_to_string(root.join("reports/report.html.hbs")).unwrap();
    let code = std::fs::read_to_string(root.join("src/report/html.rs")).unwrap();
    for lang in ["zh", "en"] {
        let file = root.join(format!("reports/messages/html.{lang}.json"));
        let texts: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        for key in texts["texts"].as_object().unwrap().keys() {
            assert!(key.starts_with("html."), "{key}");
            // The names of a list element's parts are looked up by the part's key.
            let by_part = key.starts_with("html.part.") && code.contains("\"html.part.{k}\"");
            assert!(
                by_part
                    || template.contains(&format!("\"{key}\""))
                    || code.contains(&format!("\"{key}\"")),
                "{lang}: {key} is not used"
            );
        }
    }
    let used = Regex::new(r#"lookup @root\.t "([^"]+)""#).unwrap();
    let en: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("reports/messages/html.en.json")).unwrap(),
    )
    .unwrap();
    let common: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("reports/messages/common.en.json")).unwrap(),
    )
    .unwrap();
    for c in used.captures_iter(&template) {
        let k = &c[1];
        assert!(
            en["texts"].get(k).is_some() || common["texts"].get(k).is_some(),
            "template uses unknown key {k}"
        );
    }
}

fn item(code: &str, name: &str, department: &str) -> Value {
    json!({
        "code": code, "name": name, "item_type": "公共服务", "department": department,
        "department_code": "113306000025870961",
        "status": "在用",
        "legal_basis": [{ "title": "中华人民共和国义务教育法", "level": "法律", "article": "第十二条" }],
        "case_type": "承诺件",
        "legal_limit": { "value": 20, "unit": "工作日" },
        "promised_limit": { "value": 5, "unit": "工作日" },
        "service_objects": ["自然人"], "channels": ["窗口办理", "网上办理"],
        "address": "越州市行政服务中心二楼12号窗口", "office_hours": "工作日 9:00-17:00",
        "onsite_visits": 0, "online_depth": 4, "online_url": "https://example.invalid/item/12",
        "fee": { "charged": false, "items": [] }, "pay_online": false,
        "materials": [{ "name": "居民身份证", "kind": "证件证书证明", "source": "申请人自备", "form": "原件", "copies": 1, "necessity": "必要" }],
        "consult_phone": "0575-12345678", "complaint_phone": "0575-12345"
    })
}

fn snapshot(as_of: &str, items: Vec<Value>) -> Value {
    json!({ "format": "catalog-snapshot/1", "catalog": { "name": "越州市<i>目录</i>", "region_code": "330600", "as_of": as_of }, "items": items })
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            s.push(if i <= c.len() {
                A[(n >> (18 - 6 * i)) as usize & 63] as char
            } else {
                '='
            });
        }
    }
    s
}

#[test]
fn markup_in_catalog_text_stays_text() {
    let d = tempfile::tempdir().unwrap();
    let dept = "越州市<b onclick=\"x()\">教育局</b>";
    let old_item = item("A-1", "转学", dept);
    let mut new_item = item("A-1", "<script>alert(1)</script>转学", dept);
    new_item["onsite_visits"] = json!(3);
    new_item["onsite_reason"] = json!("<img src=x onerror=alert(2)>");
    new_item["address"] = json!("越州市行政服务中心<iframe src=\"https://evil.invalid\">");
    let write = |name: &str, v: &Value| {
        let p = d.path().join(name);
        std::fs::write(&p, serde_json::to_string(v).unwrap()).unwrap();
        p
    };
    let old = write("old.json", &snapshot("2017-06-30", vec![old_item]));
    let new = write("new.json", &snapshot("2017-12-31", vec![new_item]));
    let out = d.path().join("r.html");
    bin()
        .arg("audit")
        .arg(&old)
        .arg(&new)
        .args(["--format", "html", "--fail-on", "never", "--out"])
        .arg(&out)
        .assert()
        .code(0);
    let html = std::fs::read_to_string(&out).unwrap();

    // Names, department, messages and the character diff show the markup as text.
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;转学"));
    assert!(html.contains("越州市&lt;b onclick&#x3D;&quot;x()&quot;&gt;教育局&lt;/b&gt;"));
    assert!(html.contains("越州市&lt;i&gt;目录&lt;/i&gt;"));
    assert!(html.contains("&lt;iframe src&#x3D;&quot;https://evil.invalid&quot;&gt;"));
    // The comment's heading names the item as text, and its points quote the name as text.
    assert!(html.contains(
        "<h4>事项“<span class=\"cat\">&lt;script&gt;alert(1)&lt;/script&gt;转学</span>”（<span class=\"cat\">A-1</span>）</h4>"
    ));
    let point = Regex::new(
        r#"(?s)<li class="point [^>]*>\s*<p class="text">.*?<span class="pack">([^<]*)</span></p>"#,
    )
    .unwrap();
    assert!(
        point
            .captures_iter(&html)
            .any(|c| c[1].contains("&lt;script&gt;")),
        "points quote the name as text"
    );
    for tag in ["<img", "<iframe", "<b ", "<i>"] {
        assert!(!html.contains(tag), "{tag} from catalog text");
    }
    assert_eq!(html.matches("<script").count(), 1, "only the filter script");

    // Nothing is fetched: links stay in the page, nothing has a source, the CSP says so.
    for href in Regex::new(r#"href="([^"]*)""#)
        .unwrap()
        .captures_iter(&html)
    {
        assert!(href[1].starts_with('#'), "link {}", &href[1]);
    }
    assert!(!Regex::new(r"\ssrc=").unwrap().is_match(&html));
    assert!(html.contains("default-src 'none'"));

    // The script runs because the CSP names its hash, and only that script would.
    let script = Regex::new(r"(?s)<script>(.*?)</script>").unwrap();
    let body = &script.captures(&html).unwrap()[1];
    let hash = base64(&Sha256::digest(body.as_bytes()));
    assert!(
        html.contains(&format!("script-src 'sha256-{hash}';")),
        "CSP allows the inline script by its hash"
    );
    assert!(!html.contains("script-src 'unsafe-inline'"));
}

#[test]
fn reports_without_findings_or_without_a_previous_catalog_render() {
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str, v: &Value| {
        let p = d.path().join(n);
        std::fs::write(&p, serde_json::to_string(v).unwrap()).unwrap();
        p
    };
    let old = p(
        "old.json",
        &snapshot("2017-06-30", vec![item("A-1", "转学", "越州市教育局")]),
    );
    let mut changed = item("A-1", "转学", "越州市教育局");
    changed["address"] = json!("越州市行政服务中心三楼");
    let new = p("new.json", &snapshot("2017-12-31", vec![changed]));

    // `diff` runs no rules: no finding charts, no filters, no script.
    let out = bin()
        .arg("diff")
        .arg(&old)
        .arg(&new)
        .args(["--format", "html"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = String::from_utf8(out.stdout).unwrap();
    assert_eq!(charts(&html).keys().collect::<Vec<_>>(), ["kinds"]);
    assert!(!html.contains("<script") && !html.contains("id=\"filters\""));
    assert!(html.contains("script-src 'none'"));
    assert!(
        html.contains("<del class=\"cat\">二</del>")
            && html.contains("<ins class=\"cat\">三</ins>")
    );

    // `check` has one catalog: finding charts, no change chart.
    let out = bin()
        .arg("check")
        .arg(&new)
        .args(["--format", "html", "--fail-on", "never", "--lang", "en"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(!charts(&html).contains_key("kinds"));
    assert!(html.contains("data-card=\"items\" data-count=\"1\""));
}

#[test]
fn the_same_inputs_give_the_same_page() {
    let (a, _) = demo_reports("zh");
    let (b, _) = demo_reports("zh");
    assert!(a == b, "byte-identical HTML");
}

/// Text as Handlebars escapes it.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('`', "&#x60;")
        .replace('=', "&#x3D;")
}

/// The comment cards in page order: (fix or advice, the opening tag's attributes, the body).
fn comment_cards(html: &str) -> Vec<(String, String, String)> {
    let re =
        Regex::new(r#"(?s)<article class="comment (fix|advice) [^"]*"([^>]*)>(.*?)</article>"#)
            .unwrap();
    re.captures_iter(html)
        .map(|c| (c[1].to_string(), c[2].to_string(), c[3].to_string()))
        .collect()
}

/// The department reads its comments: one must-fix card per item comment, headed by the item,
/// its points numbered in order with errors first, each citing its rule's basis; then one advice
/// card per advice comment listing exactly its items. Cards come in the report's comment order,
/// and no finding of an advice rule becomes a must-fix card.
#[test]
fn comments_are_the_cards_a_department_reads() {
    let point_re = Regex::new(r#"(?s)<li class="point [^"]*" ([^>]*)>(.*?)</li>"#).unwrap();
    let listed_re = Regex::new(
        r#"<tr class="listed-item" [^>]*><td><code class="cat">([^<]*)</code></td><td><span class="cat">([^<]*)</span>"#,
    )
    .unwrap();
    let rank = |s: &str| ["error", "warning", "info"].iter().position(|x| *x == s);
    for lang in ["zh", "en"] {
        let (html, report) = demo_reports(lang);
        let anchors = department_anchors(&html);
        let comments = report["comments"].as_array().unwrap();
        let rules = report["rules"].as_object().unwrap();
        let advice_rules: Vec<&str> = rules
            .iter()
            .filter(|(_, r)| r["review"]["advice"] == true)
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(
            advice_rules,
            ["OV-06", "OV-10", "TL-08"],
            "the demo's advice rules"
        );
        let cards = comment_cards(&html);
        assert_eq!(cards.len(), comments.len(), "{lang}: a card per comment");
        let (mut items, mut advice) = (0, 0);
        for ((kind, tag, body), c) in cards.iter().zip(comments) {
            let s = |v: &Value| v.as_str().unwrap().to_string();
            assert_eq!(
                anchors[&attr(tag, "data-dept").unwrap()],
                s(&c["department"])
            );
            assert_eq!(attr(tag, "data-severity").unwrap(), s(&c["severity"]));
            let must_fix = c["kind"] == "item" || c["advice"] == false;
            assert_eq!(kind == "fix", must_fix, "{lang}: {c}");
            if c["kind"] == "item" {
                items += 1;
                let head = &body[body.find("<h4>").unwrap()..body.find("</h4>").unwrap()];
                for k in ["name", "code"] {
                    let cat = format!("<span class=\"cat\">{}</span>", escape(&s(&c[k])));
                    assert!(head.contains(&cat), "{lang}: {cat} in {head}");
                }
                let want = c["points"].as_array().unwrap();
                let points: Vec<_> = point_re.captures_iter(body).collect();
                assert_eq!(points.len(), want.len(), "{lang}: {}", c["code"]);
                for (i, (p, w)) in points.iter().zip(want).enumerate() {
                    assert_eq!(attr(&p[1], "value").unwrap(), (i + 1).to_string());
                    assert_eq!(attr(&p[1], "data-severity").unwrap(), s(&w["severity"]));
                    let fps: Vec<String> = w["fingerprints"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(s)
                        .collect();
                    assert_eq!(attr(&p[1], "data-fingerprints").unwrap(), fps.join(" "));
                    assert!(p[2].contains(&escape(&s(&w["text"]))), "{lang}: point text");
                    let codes: Vec<String> = w["rules"].as_array().unwrap().iter().map(s).collect();
                    for code in &codes {
                        assert!(
                            !advice_rules.contains(&code.as_str()),
                            "{lang}: {code} as must fix"
                        );
                        assert!(p[2].contains(&format!("href=\"#rule-{code}\">{code}</a>")));
                    }
                    // The basis cited is the first rule's, every document of it.
                    for b in rules[&codes[0]]["basis"].as_array().unwrap() {
                        let title =
                            format!("<span class=\"pack\">{}</span>", escape(&s(&b["title"])));
                        assert!(p[2].contains(&title), "{lang}: {title}");
                    }
                }
                let order: Vec<usize> = want
                    .iter()
                    .map(|w| rank(w["severity"].as_str().unwrap()).unwrap())
                    .collect();
                assert!(
                    order.windows(2).all(|w| w[0] <= w[1]),
                    "errors first: {order:?}"
                );
            } else if c["advice"] == true {
                advice += 1;
                assert!(
                    body.contains(&escape(&s(&c["text"]))),
                    "{lang}: advice text"
                );
                let listed: Vec<(String, String)> = listed_re
                    .captures_iter(body)
                    .map(|m| (unescape(&m[1]), unescape(&m[2])))
                    .collect();
                let want: Vec<(String, String)> = c["items"]
                    .as_array()
                    .map(|a| a.iter().map(|i| (s(&i["code"]), s(&i["name"]))).collect())
                    .unwrap_or_default();
                assert_eq!(listed, want, "{lang}: the items an advice card lists");
                assert_eq!(c["count"], want.len());
                if !want.is_empty() {
                    assert!(body.contains(&format!(
                        "<table class=\"listed\" data-count=\"{}\">",
                        want.len()
                    )));
                }
            }
        }
        assert!(
            items > 10 && advice > 10,
            "{lang}: {items} item cards, {advice} advice cards"
        );
        // The demo's advice-rule findings sit in advice cards only.
        for (kind, _, body) in &cards {
            for code in &advice_rules {
                if kind == "fix" {
                    assert!(
                        !body.contains(&format!("#rule-{code}\"")),
                        "{lang}: {code} in a fix card"
                    );
                }
            }
        }
        // Each department's section shows its must-fix cards before its advice.
        let sections: Vec<&str> = html.split("<section class=\"dept\"").skip(1).collect();
        for sec in sections {
            if let (Some(fix), Some(adv)) = (
                sec.rfind("<article class=\"comment fix "),
                sec.find("<article class=\"comment advice "),
            ) {
                assert!(fix < adv, "{lang}: must fix before advice");
            }
        }
        // No demo list is long enough to fold.
        assert!(!html.contains("<details class=\"listed-more\">"));
    }
}

/// An advice card listing more than 20 items folds them into a `<details>` element (the count
/// outside, the items inside).
#[test]
fn a_long_advice_list_folds() {
    let d = tempfile::tempdir().unwrap();
    let items: Vec<Value> = (1..=21)
        .map(|i| {
            let mut it = item(&format!("A-{i:02}"), &format!("转学{i}"), "越州市教育局");
            it["onsite_visits"] = json!(1);
            it["onsite_reason"] = json!("需现场核验身份");
            it["online_depth"] = json!(3);
            it
        })
        .collect();
    let new = d.path().join("new.json");
    std::fs::write(
        &new,
        serde_json::to_string(&snapshot("2017-12-31", items)).unwrap(),
    )
    .unwrap();
    let out = bin()
        .arg("check")
        .arg(&new)
        .args(["--format", "html", "--fail-on", "never"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = String::from_utf8(out.stdout).unwrap();
    let cards = comment_cards(&html);
    let (_, _, body) = cards
        .iter()
        .find(|(kind, _, body)| kind == "advice" && body.contains("#rule-OV-06\""))
        .expect("an OV-06 advice card");
    let fold = body
        .find("<details class=\"listed-more\"><summary>涉及 21 个事项</summary>")
        .expect("the list folds, its count outside");
    let listed = &body[fold..body.find("</details>").unwrap()];
    assert_eq!(listed.matches("<tr class=\"listed-item\"").count(), 21);
    assert_eq!(body.matches("<tr class=\"listed-item\"").count(), 21);
}
