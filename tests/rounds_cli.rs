//! The review round as a scheduled job runs it: baseline, waivers, replies read back from the
//! review sheet, ratchet and --max-findings, with the exit codes a scheduler expects.

use assert_cmd::Command;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn demo(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/qinghe")
        .join(name)
}

fn bin() -> Command {
    Command::cargo_bin("catalog-audit").unwrap()
}

fn run(args: &[&str], new: &Path, out: &Path) -> (i32, Value) {
    let o = bin()
        .arg("audit")
        .arg(demo("2017-06-30.json"))
        .arg(new)
        .arg("--adjustments")
        .arg(demo("adjustments-2017H2.json"))
        .args(["--format", "json", "--quiet", "--out"])
        .arg(out)
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.stderr.is_empty() || o.status.code() == Some(1) || o.status.code() == Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report: Value = serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap();
    (o.status.code().unwrap(), report)
}

fn state_of(report: &Value, rule: &str, code_suffix: &str) -> Option<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule && f["code"].as_str().unwrap().ends_with(code_suffix))
        .map(|f| f["state"].as_str().unwrap().to_string())
}

#[test]
fn a_scheduled_review_round() {
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n);
    let (code, r1) = run(&[], &demo("2017-12-31.json"), &p("r1.json"));
    assert_eq!(code, 1, "round 1 has errors");
    let manifest = &r1["manifest"];
    assert_eq!(manifest["inputs"].as_array().unwrap().len(), 3);
    assert_eq!(manifest["inputs"][0]["sha256"].as_str().unwrap().len(), 64);
    assert!(manifest["rules"].as_u64().unwrap() > 60);

    // The departments' sheet: one reply claims a fix that was not made.
    let sheet = p("r1.csv");
    bin()
        .arg("audit")
        .arg(demo("2017-06-30.json"))
        .arg(demo("2017-12-31.json"))
        .arg("--adjustments")
        .arg(demo("adjustments-2017H2.json"))
        .args(["--format", "csv", "--quiet", "--out"])
        .arg(&sheet)
        .assert()
        .code(1);
    let text = std::fs::read_to_string(&sheet).unwrap();
    let mut rdr =
        csv::ReaderBuilder::new().from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (reply, rule, code, dept) = (col("整改情况"), col("规则"), col("事项编码"), col("部门"));
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record(&headers).unwrap();
    for rec in rdr.records() {
        let mut rec: Vec<String> = rec.unwrap().iter().map(str::to_string).collect();
        if rec[rule].starts_with("TL-01") && rec[code].ends_with("00062") {
            rec[reply] = "已整改，承诺时限改为15个工作日".into();
        }
        // A reply to the police bureau's advice on zero visits, answering its seven items.
        if rec[rule] == "OV-06" && rec[dept] == "青禾市公安局" {
            rec[reply] = "已整改，均已实现网上办理".into();
        }
        w.write_record(&rec).unwrap();
    }
    std::fs::write(p("replies.csv"), w.into_inner().unwrap()).unwrap();

    // Round 2: two fixes, one new defect, one waiver; replies read back.
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string(demo("2017-12-31.json")).unwrap()).unwrap();
    let edit = |doc: &mut Value, code: &str, f: &dyn Fn(&mut Value)| {
        let item = doc["items"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|i| i["code"] == code)
            .unwrap();
        f(item);
    };
    edit(&mut doc, "339900-GG-00020", &|i| {
        i["onsite_visits"] = json!(1)
    });
    edit(
        &mut doc,
        "339900-GG-00065",
        &|i| {
            i["legal_basis"] =
                json!([{ "title": "中华人民共和国档案法", "level": "法律", "article": "第十九条" }])
        },
    );
    edit(&mut doc, "339900-GG-00010", &|i| {
        i.as_object_mut().unwrap().remove("onsite_reason");
    });
    doc["catalog"]["as_of"] = json!("2018-03-31");
    let new2 = p("2018-03-31.json");
    std::fs::write(&new2, doc.to_string()).unwrap();
    let waivers = p("waivers.json");
    std::fs::write(
        &waivers,
        json!({ "format": "waivers/1", "waivers": [
            { "id": "W-1", "rule": "CF-09", "code": "339900-GG-00060", "reason": "统一使用12348热线",
              "approver": "青禾市编办", "doc_no": "青编办〔2018〕3号", "expires": "2018-06-30" }
        ]})
        .to_string(),
    )
    .unwrap();
    let r1p = p("r1.json");
    let args = [
        "--baseline",
        r1p.to_str().unwrap(),
        "--waivers",
        waivers.to_str().unwrap(),
        "--responses",
    ];
    let mut a2: Vec<&str> = args.to_vec();
    let replies = p("replies.csv");
    a2.push(replies.to_str().unwrap());
    let (code2, r2) = run(&a2, &new2, &p("r2.json"));
    assert_eq!(code2, 1);
    assert_eq!(state_of(&r2, "OV-03", "00020").as_deref(), Some("resolved"));
    assert_eq!(state_of(&r2, "LB-01", "00065").as_deref(), Some("resolved"));
    assert_eq!(state_of(&r2, "OV-02", "00010").as_deref(), Some("new"));
    assert_eq!(state_of(&r2, "CF-09", "00060").as_deref(), Some("waived"));
    assert_eq!(
        state_of(&r2, "TL-01", "00062").as_deref(),
        Some("persisting")
    );
    assert_eq!(
        state_of(&r2, "CF-92", "00062").as_deref(),
        Some("new"),
        "a reply claiming a fix that was not made"
    );
    let prog = &r2["progress"];
    assert_eq!(prog["resolved"], 2);
    assert_eq!(prog["waived"], 1);
    assert!(prog["still_open"].as_u64().unwrap() + 2 <= prog["baseline_open"].as_u64().unwrap());
    assert_eq!(r2["summary"]["waived"], 1);
    assert_eq!(r2["summary"]["resolved"], 2);
    let tl01 = r2["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "TL-01")
        .unwrap();
    assert_eq!(tl01["response"]["claims_fixed"], true);
    // The advice reply reached every item it listed; as the items still need a visit, it is one
    // department-level CF-92, not one per item.
    let police_ov06: Vec<&Value> = r2["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "OV-06" && f["department"] == "青禾市公安局")
        .collect();
    assert_eq!(police_ov06.len(), 7);
    assert!(
        police_ov06
            .iter()
            .all(|f| f["response"]["claims_fixed"] == true)
    );
    let cf92: Vec<&Value> = r2["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "CF-92" && f["department"] == "青禾市公安局")
        .collect();
    assert_eq!(cf92.len(), 1, "{cf92:?}");
    assert_eq!(cf92[0]["code"], "");
    assert!(cf92[0]["message"].as_str().unwrap().contains("仍有7个"));

    // The same round in HTML and XLSX shows the same states.
    let dir = p("round2");
    bin()
        .arg("audit")
        .arg(demo("2017-06-30.json"))
        .arg(&new2)
        .arg("--adjustments")
        .arg(demo("adjustments-2017H2.json"))
        .args(&a2)
        .args(["--format", "html", "--format", "xlsx", "--quiet", "--out"])
        .arg(&dir)
        .assert()
        .code(1);
    let html = std::fs::read_to_string(dir.join("audit-report.html")).unwrap();
    for state in ["waived", "resolved", "persisting", "new"] {
        assert!(
            html.contains(&format!("data-state=\"{state}\"")),
            "HTML shows {state} findings"
        );
    }
    assert!(
        html.contains("仍有") && html.contains("W-1"),
        "progress line and the waiver"
    );
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook(dir.join("audit-report.xlsx")).unwrap();
    // Closed findings are no comments; the findings sheet lists them with their state.
    let range = book.worksheet_range("问题明细").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    let (rule, code, state) = (col("规则"), col("事项编码"), col("状态"));
    let row = rows
        .iter()
        .find(|r| r[rule].starts_with("CF-09") && r[code].ends_with("00060"))
        .unwrap();
    assert_eq!(row[state], "已豁免");
    let row = rows
        .iter()
        .find(|r| r[rule].starts_with("OV-03") && r[code].ends_with("00020"))
        .unwrap();
    assert_eq!(row[state], "已整改");

    // The ratchet fails: the education bureau's OV-02 count rose (0 → 1) …
    let mut a3: Vec<&str> = vec!["--baseline", r1p.to_str().unwrap(), "--ratchet"];
    let (code3, _) = run(&a3, &new2, &p("r3.json"));
    assert_eq!(code3, 1);
    // … and passes for a resubmission where no count rose, whatever is still open.
    let mut same: Value =
        serde_json::from_str(&std::fs::read_to_string(demo("2017-12-31.json")).unwrap()).unwrap();
    same["catalog"]["as_of"] = json!("2018-03-31");
    let same_p = p("same-2018-03-31.json");
    std::fs::write(&same_p, same.to_string()).unwrap();
    let (code4, r4) = run(&a3, &same_p, &p("r4.json"));
    assert_eq!(code4, 0, "nothing rose");
    assert!(r4["summary"]["findings"]["error"].as_u64().unwrap() > 0);

    // --max-findings lets known drift pass.
    let errors = r4["summary"]["findings"]["error"]
        .as_u64()
        .unwrap()
        .to_string();
    a3 = vec!["--max-findings", &errors];
    assert_eq!(run(&a3, &same_p, &p("r5.json")).0, 0);
    let fewer = (errors.parse::<u64>().unwrap() - 1).to_string();
    assert_eq!(
        run(&["--max-findings", &fewer], &same_p, &p("r6.json")).0,
        1
    );

    // Round 3: the waiver has expired; a finding resolved in round 2 comes back: reopened.
    let r2p = p("r2.json");
    edit(&mut doc, "339900-GG-00020", &|i| {
        i["onsite_visits"] = json!(2)
    });
    doc["catalog"]["as_of"] = json!("2018-07-31");
    let new3 = p("2018-07-31.json");
    std::fs::write(&new3, doc.to_string()).unwrap();
    let (code5, r7) = run(
        &[
            "--baseline",
            r2p.to_str().unwrap(),
            "--waivers",
            waivers.to_str().unwrap(),
        ],
        &new3,
        &p("r7.json"),
    );
    assert_eq!(code5, 1);
    assert_eq!(state_of(&r7, "OV-03", "00020").as_deref(), Some("reopened"));
    assert_eq!(
        state_of(&r7, "CF-09", "00060").as_deref(),
        Some("persisting")
    );
    assert_eq!(
        state_of(&r7, "CF-90", "").as_deref(),
        Some("new"),
        "the expired waiver is a finding"
    );
}
