//! Spreadsheet inputs: the same catalog as JSON, CSV (UTF-8 and GB18030) and XLSX (one sheet, and
//! with child sheets) gives the same changes and findings; findings from spreadsheets name their
//! cell; malformed spreadsheets exit 3 naming the sheet and row. Fixtures are built in code.

use assert_cmd::Command;
use catalog_audit::load::{self, Options};
use catalog_audit::model::Catalog;
use catalog_audit::pipeline::audit_loaded;
use catalog_audit::report::Report;
use catalog_audit::rules::{Lang, Pack};
use catalog_audit::table::export;
use predicates::prelude::*;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn demo(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/qinghe")
        .join(name)
}

fn audit(old: &Catalog, new: &Catalog) -> Report {
    let pack = Pack::builtin().unwrap();
    let log = load::adjustment_log(&demo("adjustments-2017H2.json")).unwrap();
    audit_loaded(
        old,
        new,
        Some(&log),
        &pack,
        &Default::default(),
        new.info.as_of.unwrap(),
        Lang::Zh,
    )
}

/// Asserts two lists agree, showing only the differences.
fn same(what: &str, a: &[Value], b: &[Value]) {
    let missing: Vec<&Value> = a.iter().filter(|x| !b.contains(x)).collect();
    let extra: Vec<&Value> = b.iter().filter(|x| !a.contains(x)).collect();
    assert!(
        missing.is_empty() && extra.is_empty() && a.len() == b.len(),
        "{what} differ\nonly in the first: {missing:#?}\nonly in the second: {extra:#?}"
    );
}

/// What must agree between input formats: the changes, and the findings without their location.
fn essence(r: &Report) -> (Value, Vec<Value>) {
    let changes = serde_json::to_value(&r.changes).unwrap();
    let findings = r
        .findings
        .iter()
        .map(|f| {
            let mut v = serde_json::to_value(f).unwrap();
            v.as_object_mut().unwrap().remove("location");
            v
        })
        .collect();
    (changes, findings)
}

fn write_sheets(dir: &Path, stem: &str, catalog: &Catalog, children: bool, kind: &str) -> PathBuf {
    let sheets = export::sheets(&catalog.items, children);
    match kind {
        "xlsx" => {
            let p = dir.join(format!("{stem}.xlsx"));
            std::fs::write(&p, export::to_xlsx(&sheets).unwrap()).unwrap();
            p
        }
        "csv" => {
            let p = dir.join(format!("{stem}.csv"));
            std::fs::write(&p, export::to_csv(&sheets[0])).unwrap();
            p
        }
        "gb18030" => {
            let p = dir.join(format!("{stem}.csv"));
            let text = export::to_csv(&sheets[0]);
            let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&text);
            assert!(!unmappable);
            std::fs::write(&p, bytes).unwrap();
            p
        }
        _ => unreachable!(),
    }
}

#[test]
fn child_sheet_xlsx_gives_the_same_audit_as_json() {
    let d = tempfile::tempdir().unwrap();
    let old = load::snapshot(&demo("2017-06-30.json")).unwrap();
    let new = load::snapshot(&demo("2017-12-31.json")).unwrap();
    let json_report = audit(&old, &new);

    // Dates come from the file names, as exports carry no header.
    let ox = write_sheets(d.path(), "qinghe-2017-06-30", &old, true, "xlsx");
    let nx = write_sheets(d.path(), "qinghe-2017-12-31", &new, true, "xlsx");
    let opts = Options::default();
    let old_x = load::snapshot_with(&ox, &opts).unwrap();
    let new_x = load::snapshot_with(&nx, &opts).unwrap();
    assert_eq!(new_x.info.as_of, new.info.as_of);
    let xlsx_report = audit(&old_x, &new_x);
    let (jc, jf) = essence(&json_report);
    let (xc, xf) = essence(&xlsx_report);
    same("changes", jc.as_array().unwrap(), xc.as_array().unwrap());
    same("findings", &jf, &xf);

    // Findings name their cell: the main sheet's column, or the child sheet's row.
    let loc = |rule: &str| {
        xlsx_report
            .findings
            .iter()
            .find(|f| &*f.rule == rule)
            .and_then(|f| f.location.as_ref().map(ToString::to_string))
            .unwrap_or_default()
    };
    // Typed: the main sheet's cell with its header as written.
    let typed = xlsx_report
        .findings
        .iter()
        .find(|f| &*f.rule == "OV-03")
        .and_then(|f| f.location.clone());
    match typed {
        Some(catalog_audit::location::Location::Cell {
            sheet,
            column: Some((_, header)),
            ..
        }) => assert_eq!(
            (sheet.as_deref(), header.as_str()),
            (Some("事项"), "到办事现场次数")
        ),
        other => panic!("OV-03 location {other:?}"),
    }
    assert!(
        loc("OV-03").contains("sheet 事项") && loc("OV-03").contains("(到办事现场次数)"),
        "{}",
        loc("OV-03")
    );
    assert!(
        loc("OV-08").contains("sheet 申请材料 row"),
        "{}",
        loc("OV-08")
    );
    assert!(
        loc("FEE-08").contains("sheet 收费项目 row")
            || loc("FEE-08").contains("sheet 设定依据 row"),
        "{}",
        loc("FEE-08")
    );
}

/// The demo with only what one sheet of joined cells can carry.
fn flat_only(path: &Path) -> Catalog {
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for item in doc["items"].as_array_mut().unwrap() {
        let o = item.as_object_mut().unwrap();
        if let Some(Value::Array(ms)) = o.get_mut("materials") {
            // Parallel columns carry these attributes, one entry per material.
            for m in ms.iter_mut() {
                let keep = ["name", "necessity", "form", "kind", "source", "copies"];
                m.as_object_mut()
                    .unwrap()
                    .retain(|k, _| keep.contains(&k.as_str()));
            }
        }
        if let Some(Value::Array(lb)) = o.get_mut("legal_basis") {
            for b in lb.iter_mut() {
                b.as_object_mut().unwrap().remove("text");
            }
        }
        if let Some(Value::Array(items)) = o.get_mut("fee").and_then(|f| f.get_mut("items")) {
            for f in items.iter_mut() {
                let f = f.as_object_mut().unwrap();
                f.remove("reducible");
                f.remove("reduction_basis");
            }
        }
        o.remove("faq");
    }
    // An item charging two fees, each with a defect of its own (an abolished fee; a standard
    // above the catalogue's, with two documents): a flat export joins them in its fee cells.
    let items = doc["items"].as_array_mut().unwrap();
    let mut two = items
        .iter()
        .find(|i| i["fee"]["charged"] == false)
        .unwrap()
        .clone();
    two["code"] = json!("339900-GG-09001");
    two["name"] = json!("机动车登记及婚姻登记服务（测试）");
    two["fee"] = json!({ "charged": true, "items": [
        { "name": "婚姻登记证书工本费", "standard": "每对9元",
          "basis": [{ "title": "国家物价局 财政部关于发布民政系统行政事业性收费项目及标准的通知", "doc_no": "价费字〔1992〕249号" }] },
        { "name": "机动车号牌工本费", "standard": "汽车号牌每副150元",
          "basis": [{ "title": "关于机动车号牌工本费的通知", "doc_no": "计价格〔1994〕783号" },
                    { "title": "关于降低部分行政事业性收费标准的通知", "doc_no": "发改价格〔2004〕2831号" }] }
    ]});
    items.push(two);
    load::snapshot_from_str(&path.display().to_string(), &doc.to_string()).unwrap()
}

#[test]
fn one_sheet_csv_utf8_gb18030_and_xlsx_agree_with_json() {
    let d = tempfile::tempdir().unwrap();
    let old = flat_only(&demo("2017-06-30.json"));
    let new = flat_only(&demo("2017-12-31.json"));
    let expected = essence(&audit(&old, &new));
    // The two-fee item's findings are there to compare: one per fee.
    let fee_rules: Vec<&str> = expected
        .1
        .iter()
        .filter(|f| {
            f["code"] == "339900-GG-09001" && f["rule"].as_str().unwrap().starts_with("FEE")
        })
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(
        fee_rules.contains(&"FEE-04") && fee_rules.contains(&"FEE-10"),
        "{fee_rules:?}"
    );
    for kind in ["csv", "gb18030", "xlsx"] {
        let sub = d.path().join(kind);
        std::fs::create_dir_all(&sub).unwrap();
        let o = write_sheets(&sub, "catalog-2017-06-30", &old, false, kind);
        let n = write_sheets(&sub, "catalog-2017-12-31", &new, false, kind);
        let opts = Options::default();
        let old_t = load::snapshot_with(&o, &opts).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let new_t = load::snapshot_with(&n, &opts).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let report = audit(&old_t, &new_t);
        let got = essence(&report);
        same(
            &format!("{kind}: changes"),
            expected.0.as_array().unwrap(),
            got.0.as_array().unwrap(),
        );
        same(&format!("{kind}: findings"), &expected.1, &got.1);
        let located = report
            .findings
            .iter()
            .filter(|f| f.location.is_some())
            .count();
        // Every item finding names its cell (department-level findings and findings about requests
        // of the JSON log have none).
        let unlocated: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.location.is_none() && !f.code.is_empty() && f.adjustment.is_none())
            .map(|f| (&f.rule, &f.code))
            .collect();
        assert!(located > 0 && unlocated.is_empty(), "{kind}: {unlocated:?}");
    }
}

fn bin() -> Command {
    Command::cargo_bin("catalog-audit").unwrap()
}

/// `convert` of a CSV export written as `x-2018-01-31.csv` in `dir`: the snapshot it prints.
fn convert(dir: &Path, csv: &str) -> Value {
    let p = dir.join("x-2018-01-31.csv");
    std::fs::write(&p, csv).unwrap();
    let out = bin().arg("convert").arg(&p).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn values_as_people_type_them() {
    let d = tempfile::tempdir().unwrap();
    let csv = "事项编码,事项名称,事项类型,实施主体,到办事现场次数,承诺办结时限,法定办结时限,是否收费,收费依据,申请材料,备注\n\
               A-1 ,转学 ,公共服务,越州市教育局,１次,5个工作日,20个工作日,否,,1、居民身份证；2、户口簿,保留列\n\
               A-2,入学,公共服务,越州市教育局,0,即办,无,是,《关于收费的通知》（浙价费[2017]88号）,居民身份证,\n";
    let doc = convert(d.path(), csv);
    assert_eq!(doc["format"], "catalog-snapshot/1");
    assert_eq!(doc["catalog"]["as_of"], "2018-01-31");
    let a = &doc["items"][0];
    assert_eq!(a["code"], "A-1");
    assert_eq!(a["name"], "转学");
    assert_eq!(a["onsite_visits"], 1);
    assert_eq!(a["promised_limit"], json!({ "value": 5, "unit": "工作日" }));
    assert_eq!(a["fee"], json!({ "charged": false, "items": [] }));
    assert_eq!(
        a["materials"],
        json!([{ "name": "居民身份证" }, { "name": "户口簿" }])
    );
    assert_eq!(a["备注"], "保留列", "unknown columns are kept");
    let b = &doc["items"][1];
    assert_eq!(b["promised_limit"], json!({ "value": 0, "unit": "工作日" }));
    assert_eq!(b["legal_limit"], json!({ "value": null }));
    assert_eq!(
        b["fee"]["items"][0]["basis"][0]["doc_no"], "浙价费[2017]88号",
        "kept as written"
    );

    // The 文号 with the wrong brackets is still reported, at its cell.
    let p = d.path().join("x-2018-01-31.csv");
    bin()
        .arg("check")
        .arg(&p)
        .assert()
        .stdout(predicate::str::contains("FEE-08"))
        .stdout(predicate::str::contains("x-2018-01-31.csv I3 (收费依据)"));
    // The converted file validates and checks the same way.
    let j = d.path().join("x.json");
    std::fs::write(&j, doc.to_string()).unwrap();
    bin().arg("validate").arg(&j).assert().code(0);
}

#[test]
fn merged_cells_and_a_header_map() {
    let d = tempfile::tempdir().unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("事项").unwrap();
    for (c, h) in ["办件编号", "事项名称", "事项类型", "实施主体"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (code, name)) in [("B-1", "转学"), ("B-2", "入学"), ("B-3", "休学")]
        .iter()
        .enumerate()
    {
        ws.write_string(r as u32 + 1, 0, *code).unwrap();
        ws.write_string(r as u32 + 1, 1, *name).unwrap();
    }
    // Type and department merged down the three rows, as exports often do.
    let fmt = rust_xlsxwriter::Format::new();
    ws.merge_range(1, 2, 3, 2, "公共服务", &fmt).unwrap();
    ws.merge_range(1, 3, 3, 3, "越州市教育局", &fmt).unwrap();
    let p = d.path().join("merged-2018-01-31.xlsx");
    book.save(&p).unwrap();

    // Without a map the code column is unknown: exit 3 naming the sheet and row.
    bin()
        .arg("check")
        .arg(&p)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("sheet 事项 row 1"))
        .stderr(predicate::str::contains("事项编码"));
    let map = d.path().join("map.json");
    std::fs::write(
        &map,
        r#"{ "format": "header-map/1", "columns": { "办件编号": "code" } }"#,
    )
    .unwrap();
    let out = bin()
        .arg("convert")
        .arg(&p)
        .arg("--header-map")
        .arg(&map)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let depts: Vec<&str> = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["department"].as_str().unwrap())
        .collect();
    assert_eq!(depts, ["越州市教育局"; 3]);
}

#[test]
fn malformed_spreadsheets_exit_3_naming_sheet_and_row() {
    let d = tempfile::tempdir().unwrap();
    // Duplicate codes.
    let dup = d.path().join("dup.csv");
    std::fs::write(&dup, "事项编码,事项名称,事项类型,实施主体\nA-1,甲,公共服务,局\nA-2,乙,公共服务,局\nA-1,丙,公共服务,局\n").unwrap();
    bin()
        .arg("check")
        .arg(&dup)
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "duplicate item code \"A-1\": rows 2 and 4",
        ));
    // A value of the wrong type names its cell.
    let bad = d.path().join("bad.csv");
    std::fs::write(
        &bad,
        "事项编码,事项名称,事项类型,实施主体,到办事现场次数\nA-1,甲,公共服务,局,若干\n",
    )
    .unwrap();
    bin()
        .arg("check")
        .arg(&bad)
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "bad.csv E2 (到办事现场次数), item A-1",
        ));
    // Joined fee cells whose counts disagree name the cell and both counts.
    let fees = d.path().join("fees.csv");
    std::fs::write(
        &fees,
        "事项编码,事项名称,事项类型,实施主体,是否收费,收费项目名称,收费标准\nA-1,甲,公共服务,局,是,号牌工本费；行驶证工本费；登记证工本费,每副100元；每本10元\n",
    )
    .unwrap();
    bin()
        .arg("check")
        .arg(&fees)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("fees.csv G2 (收费标准)"))
        .stderr(predicate::str::contains(
            "3 fee items are named (收费项目名称) but 2 standards (收费标准) are given",
        ));
    // A missing required column value.
    let missing = d.path().join("missing.csv");
    std::fs::write(
        &missing,
        "事项编码,事项名称,事项类型,实施主体\nA-1,甲,,局\n",
    )
    .unwrap();
    bin()
        .arg("check")
        .arg(&missing)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("item_type"));
    // An unreadable workbook.
    let junk = d.path().join("junk.xlsx");
    std::fs::write(&junk, b"not a zip file at all").unwrap();
    bin()
        .arg("check")
        .arg(&junk)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("junk.xlsx"))
        .stderr(predicate::str::contains("not a readable spreadsheet"));
    // A child sheet naming an unknown item.
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("事项").unwrap();
    for (c, v) in ["事项编码", "事项名称", "事项类型", "实施主体"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *v).unwrap();
    }
    for (c, v) in ["A-1", "甲", "公共服务", "局"].iter().enumerate() {
        ws.write_string(1, c as u16, *v).unwrap();
    }
    let ws = book.add_worksheet();
    ws.set_name("申请材料").unwrap();
    ws.write_string(0, 0, "事项编码").unwrap();
    ws.write_string(0, 1, "材料名称").unwrap();
    ws.write_string(1, 0, "A-9").unwrap();
    ws.write_string(1, 1, "居民身份证").unwrap();
    let p = d.path().join("orphan.xlsx");
    book.save(&p).unwrap();
    bin()
        .arg("check")
        .arg(&p)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("sheet 申请材料 row 2"))
        .stderr(predicate::str::contains("\"A-9\""));
}

#[test]
fn adjustment_logs_from_spreadsheets() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("log.csv");
    std::fs::write(
        &p,
        "申请编号,调整类型,事项编码,调整字段,调整理由,调整依据,触发日期,申请日期,批准日期,公布日期\n\
         TZ-1,变更,A-1,promised_limit,压缩时限,《关于压缩办理时限的通知》（青政办发〔2017〕12号）,2017/8/1,2017年8月3日,2017-08-10,2017-08-11\n",
    )
    .unwrap();
    let log = load::adjustment_log_with(&p, &Options::default()).unwrap();
    let a = &log.adjustments[0];
    assert_eq!(
        (a.id.as_str(), a.kind.as_str(), a.code.as_str()),
        ("TZ-1", "change", "A-1")
    );
    assert_eq!(a.filed_on.unwrap().to_string(), "2017-08-03");
    assert_eq!(a.basis[0].doc_no.as_deref(), Some("青政办发〔2017〕12号"));
    bin()
        .arg("validate")
        .arg(&p)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("adjustment log, 1 requests"));
}

/// A flat export gives each material's attributes, and each basis's 文号 and article, in parallel
/// cells in the same order; they are zipped onto the listed elements, one entry for all is
/// shared, 无 leaves an element without one, and another count names the cell.
#[test]
fn parallel_cells_are_zipped_onto_the_listed_elements() {
    let d = tempfile::tempdir().unwrap();
    let csv = "事项编码,事项名称,事项类型,实施主体,申请材料,材料必要性,材料形式,材料份数,设定依据,依据文号,依据条款号\n\
               A-1,转学,公共服务,越州市教育局,1、居民身份证；2、户口簿；3、转学申请表,必要；必要；非必要,纸质,1；无；2,《义务教育法》；《越州市转学办法》,无；越教发〔2019〕3号,第十二条；第五条\n";
    let doc = convert(d.path(), csv);
    let a = &doc["items"][0];
    assert_eq!(
        a["materials"],
        json!([
            { "name": "居民身份证", "necessity": "必要", "form": "纸质", "copies": 1 },
            { "name": "户口簿", "necessity": "必要", "form": "纸质" },
            { "name": "转学申请表", "necessity": "非必要", "form": "纸质", "copies": 2 }
        ])
    );
    assert_eq!(a["legal_basis"][0]["article"], "第十二条");
    assert!(a["legal_basis"][0].get("doc_no").is_none());
    assert_eq!(a["legal_basis"][1]["doc_no"], "越教发〔2019〕3号");
    assert_eq!(a["legal_basis"][1]["article"], "第五条");
    // Three materials, two necessities: the cell is named.
    let bad = d.path().join("bad.csv");
    std::fs::write(
        &bad,
        "事项编码,事项名称,事项类型,实施主体,申请材料,材料必要性\nA-1,转学,公共服务,局,居民身份证；户口簿；申请表,必要；非必要\n",
    )
    .unwrap();
    bin()
        .arg("check")
        .arg(&bad)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("bad.csv F2 (材料必要性)"))
        .stderr(predicate::str::contains(
            "3 materials (申请材料) are listed but this column gives 2",
        ));
}

/// The national elements catalogs carry beyond the first contract are read from their usual
/// headers into optional keys (a snapshot without them still validates).
#[test]
fn national_elements_map_to_their_keys() {
    let d = tempfile::tempdir().unwrap();
    let csv = "事项编码,事项名称,事项类型,实施主体,网上缴费,在线申请,全程网办,物流快递,是否涉及投资项目审批,申请条件,禁止性要求,处罚结果送达方式\n\
               A-1,对违规行为的处罚,行政处罚,越州市市场监督管理局,是,否,√,是,否,无,不得要求当事人提供已有材料,直接送达；邮寄送达\n";
    let doc = convert(d.path(), csv);
    let a = doc["items"][0].as_object().unwrap();
    assert_eq!(a["pay_online"], true);
    assert_eq!(a["online_apply"], false);
    assert_eq!(a["online_complete"], true);
    assert_eq!(a["express"], true);
    assert_eq!(a["investment_approval"], false);
    assert_eq!(a["acceptance_conditions"], "无");
    assert_eq!(a["prohibitions"], "不得要求当事人提供已有材料");
    assert_eq!(a["result_delivery"], "直接送达；邮寄送达");
    for header in ["网上缴费", "在线申请", "申请条件", "处罚结果送达方式"] {
        assert!(!a.contains_key(header), "{header} stayed an extra column");
    }
}

#[test]
fn penalty_and_inspection_elements_map_to_their_keys() {
    let d = tempfile::tempdir().unwrap();
    let csv = "事项编码,事项名称,事项类型,实施主体,处罚种类,检查对象,检查方式,抽查比例及频次\n\
               A-1,对违规行为的处罚,行政处罚,越州市市场监督管理局,警告、罚款；没收违法所得,,,\n\
               A-2,对建筑施工企业的监督检查,行政检查,越州市住房和城乡建设局,,辖区内建筑施工企业,现场检查、双随机抽查,抽查比例不低于5%\n";
    let doc = convert(d.path(), csv);
    let [a, b] = [&doc["items"][0], &doc["items"][1]];
    assert_eq!(a["penalty_kinds"], json!(["警告", "罚款", "没收违法所得"]));
    assert!(a.get("inspection_methods").is_none(), "{a}");
    assert_eq!(b["inspection_objects"], "辖区内建筑施工企业");
    assert_eq!(b["inspection_methods"], json!(["现场检查", "双随机抽查"]));
    assert_eq!(b["inspection_frequency"], "抽查比例不低于5%");
    assert!(b.get("penalty_kinds").is_none(), "{b}");
}

/// `examples/qinghe/exports/2017-12-31.csv` is the demo's new snapshot exported flat (one row per item,
/// lists joined in their cells, parallel material and fee columns), as a city's system exports
/// it; the help's `convert` and `check` examples read it. It must stay the export of the JSON
/// (`AUDIT_BLESS=1 cargo test --test tables` rewrites it), and reading it back gives the same
/// changes and findings as the JSON.
#[test]
fn the_demo_csv_is_the_demo_exported() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/qinghe");
    let json = load::snapshot(&root.join("2017-12-31.json")).unwrap();
    let want = export::to_csv(&export::sheets(&json.items, false)[0]);
    let path = root.join("exports/2017-12-31.csv");
    if std::env::var_os("AUDIT_BLESS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is not the export of 2017-12-31.json: rerun with AUDIT_BLESS=1",
        path.display()
    );
    // Its findings are the JSON's (the flat layout drops only what no rule reads: a fee's
    // 是否允许减免, the FAQ).
    let csv = load::snapshot(&path).unwrap();
    let pack = Pack::builtin().unwrap();
    let findings = |c: &Catalog| {
        let config = Default::default();
        let date = chrono::NaiveDate::from_ymd_opt(2017, 12, 31).unwrap();
        let r = audit_loaded(c, c, None, &pack, &config, date, Lang::Zh);
        r.findings
            .iter()
            .map(|f| format!("{} {} {} {}", f.rule, f.code, f.field, f.message))
            .collect::<std::collections::BTreeSet<_>>()
    };
    let (a, b) = (findings(&csv), findings(&json));
    let only_csv: Vec<_> = a.difference(&b).take(5).collect();
    let only_json: Vec<_> = b.difference(&a).take(5).collect();
    assert!(
        only_csv.is_empty() && only_json.is_empty(),
        "only from the CSV: {only_csv:#?}\nonly from the JSON: {only_json:#?}"
    );
}
