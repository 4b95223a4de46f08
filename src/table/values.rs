//! Cell values as people type them, turned into the contract's typed values.
//!
//! Full-width digits and spaces, 是/否/√, "5个工作日", "即办", "无", numbered lists in one cell.
//! Parsers return JSON values of the contract's shape; text that cannot be read as the expected
//! type is passed through unchanged, so schema validation reports it with its cell. Text that
//! rules judge for formatting (a 文号 with the wrong brackets) is kept as written, only trimmed.

use regex::Regex;
use serde_json::{Map, Value, json};
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("valid regex"))
}

/// NFKC for parsing numbers and flags (never for text that is kept).
fn fold(s: &str) -> String {
    s.nfkc().collect::<String>().trim().to_string()
}

/// Trimmed text; blank is absent.
pub fn text(s: &str) -> Option<Value> {
    let t = s.trim();
    (!t.is_empty()).then(|| Value::String(t.to_string()))
}

fn chinese_number(s: &str) -> Option<i64> {
    let digits = "零一二三四五六七八九";
    match s {
        "十" => Some(10),
        _ if s.chars().count() == 1 => digits
            .chars()
            .position(|c| s.starts_with(c))
            .map(|p| p as i64),
        _ => None,
    }
}

/// An integer: "1", "１次", "一次", "0（全程网办）"; otherwise the text as written.
pub fn integer(s: &str) -> Option<Value> {
    let t = fold(s);
    if t.is_empty() {
        return None;
    }
    static LEAD: OnceLock<Regex> = OnceLock::new();
    if let Some(c) = re(&LEAD, r"^(-?[0-9]+)(?:\.0+)?\s*(?:次|个|份|$|[(（])").captures(&t) {
        // A number too large for the contract's integers stays text, for the schema to refuse
        // at its cell (never an empty field).
        return Some(match c[1].parse::<i64>() {
            Ok(n) => Value::from(n),
            Err(_) => Value::String(s.trim().to_string()),
        });
    }
    static CN: OnceLock<Regex> = OnceLock::new();
    if let Some(c) = re(&CN, r"^([零一二三四五六七八九十])\s*次").captures(&t) {
        return chinese_number(&c[1]).map(Value::from);
    }
    if t == "不跑" || t == "零跑" || t == "跑零次" {
        return Some(Value::from(0));
    }
    Some(Value::String(s.trim().to_string()))
}

/// A flag: 是/否, √/×, Y/N, true/false, 1/0; otherwise the text as written.
pub fn boolean(s: &str) -> Option<Value> {
    let t = fold(s).to_lowercase();
    match t.as_str() {
        "" => None,
        "是" | "√" | "✓" | "✔" | "y" | "yes" | "true" | "1" | "有" | "支持" => {
            Some(Value::Bool(true))
        }
        "否" | "×" | "✗" | "✘" | "n" | "no" | "false" | "0" | "无" | "不支持" | "不收费" => {
            Some(Value::Bool(false))
        }
        "收费" => Some(Value::Bool(true)),
        _ => Some(Value::String(s.trim().to_string())),
    }
}

/// A time limit: "5个工作日" → {value 5, unit 工作日}; "即办" → {0, 工作日}; "无" → {value null};
/// a unit the standard does not know ("20天") is kept for rule TL-03 to judge.
pub fn limit(s: &str) -> Option<Value> {
    let t = fold(s);
    if t.is_empty() {
        return None;
    }
    if t.starts_with("即办") || t == "当场办结" || t == "即时办结" {
        return Some(json!({ "value": 0, "unit": "工作日" }));
    }
    if matches!(
        t.as_str(),
        "无" | "无法定时限" | "无时限" | "-" | "/" | "—" | "不限"
    ) {
        return Some(json!({ "value": null }));
    }
    static NONE_NOTE: OnceLock<Regex> = OnceLock::new();
    if re(&NONE_NOTE, r"^无(?:法定时限)?\s*[(（](.+)[)）]$").is_match(&t) {
        return Some(json!({ "value": null, "note": note_as_written(s) }));
    }
    static LIMIT: OnceLock<Regex> = OnceLock::new();
    if let Some(c) = re(
        &LIMIT,
        r"^([0-9]+)\s*(?:个)?\s*([^\s0-9(（]*)\s*(?:[(（](.*)[)）])?$",
    )
    .captures(&t)
    {
        let Ok(value) = c[1].parse::<i64>() else {
            return Some(Value::String(s.trim().to_string()));
        };
        let mut m = Map::new();
        m.insert("value".into(), value.into());
        let unit = c.get(2).map_or("", |u| u.as_str());
        if !unit.is_empty() {
            m.insert("unit".into(), unit.into());
        }
        if c.get(3).is_some() {
            m.insert("note".into(), note_as_written(s).into());
        }
        return Some(Value::Object(m));
    }
    Some(Value::String(s.trim().to_string()))
}

/// The bracketed note of a time limit as written (the parse reads a folded copy, in which a
/// full-width comma would have become `,`): from the first bracket to the last.
fn note_as_written(s: &str) -> String {
    let t = s.trim();
    let start = t
        .find(['(', '（'])
        .map_or(0, |i| i + t[i..].chars().next().map_or(1, char::len_utf8));
    let inner = &t[start..];
    inner
        .strip_suffix(')')
        .or_else(|| inner.strip_suffix('）'))
        .unwrap_or(inner)
        .trim()
        .to_string()
}

/// 网上办理深度: "4", "Ⅳ级", "四级", "全程网办" → 4 … "不可网办" → 0.
pub fn depth(s: &str) -> Option<Value> {
    let t = fold(s);
    if t.is_empty() {
        return None;
    }
    let level = |x: &str| -> Option<i64> {
        Some(match x {
            "0" | "零" | "不可网办" | "否" => 0,
            "1" | "I" | "Ⅰ" | "一" | "网上咨询" | "网上展示" | "咨询" | "展示" => 1,
            "2" | "II" | "Ⅱ" | "二" | "网上预审" | "预审" => 2,
            "3" | "III" | "Ⅲ" | "三" | "网上受理" | "受理" => 3,
            "4" | "IV" | "Ⅳ" | "四" | "全程网办" | "全流程网办" | "网上办结" => 4,
            _ => return None,
        })
    };
    let core = t.trim_end_matches('级').trim_start_matches("网办深度");
    match level(core).or_else(|| level(&t)) {
        Some(n) => Some(Value::from(n)),
        None => Some(Value::String(s.trim().to_string())),
    }
}

/// A date: 2017-08-01, 2017/8/1, 2017.8.1, 2017年8月1日 → ISO; otherwise the text as written.
pub fn date(s: &str) -> Option<Value> {
    let t = fold(s);
    if t.is_empty() {
        return None;
    }
    static DATE: OnceLock<Regex> = OnceLock::new();
    if let Some(c) = re(
        &DATE,
        r"^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?$",
    )
    .captures(&t)
    {
        let (y, m, d): (i32, u32, u32) =
            (c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?);
        if let Some(date) = chrono::NaiveDate::from_ymd_opt(y, m, d) {
            return Some(Value::String(date.to_string()));
        }
    }
    Some(Value::String(s.trim().to_string()))
}

/// Splits a cell holding a list: lines, ；/;, or numbered entries "1、… 2、…", "(1)…".
pub fn split_list(s: &str) -> Vec<String> {
    static NUM: OnceLock<Regex> = OnceLock::new();
    let numbered = re(
        &NUM,
        r"(?:^|\s|[；;。])(?:[0-9０-９]{1,2}[、.．)）]|[(（][0-9０-９]{1,2}[)）])",
    );
    let mut out = Vec::new();
    for line in s.split(['\n', '\r', '；', ';']) {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        // Numbered items may also run on inside one line.
        let starts: Vec<usize> = numbered.find_iter(line).map(|m| m.start()).collect();
        if starts.len() > 1 {
            let mut bounds = starts.clone();
            bounds.push(line.len());
            for w in bounds.windows(2) {
                out.push(line[w[0]..w[1]].to_string());
            }
        } else {
            out.push(line.to_string());
        }
    }
    out.into_iter()
        .map(|e| {
            let e = e.trim().trim_start_matches(['；', ';', '。']).trim();
            numbered
                .replace(e, "")
                .trim()
                .trim_end_matches(['。', '，', ','])
                .trim()
                .to_string()
        })
        .filter(|e| !e.is_empty())
        .collect()
}

/// A list of short values (服务对象, 办理形式): split on 、，,；;/ and spaces.
pub fn words(s: &str) -> Option<Value> {
    let list: Vec<Value> = s
        .split(['、', '，', ',', '；', ';', '/', '\n', ' ', '\u{3000}'])
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(|w| Value::String(w.to_string()))
        .collect();
    (!list.is_empty()).then_some(Value::Array(list))
}

static DOC_NO: OnceLock<Regex> = OnceLock::new();
fn doc_no_regex() -> &'static Regex {
    re(
        &DOC_NO,
        r"[\p{Han}A-Za-z]+\s*[〔\[(（【]\s*[0-9]{2,4}\s*[〕\])）】]\s*第?\s*[0-9]+\s*号|[\p{Han}]+令\s*第?\s*[0-9一二三四五六七八九十百零〇]+\s*号",
    )
}

/// One cited document: "《关于…的通知》（浙价费〔2017〕88号）" → title and 文号 (kept as written).
pub fn doc_ref(entry: &str) -> Value {
    let mut m = Map::new();
    let entry = entry.trim();
    let doc_no = doc_no_regex()
        .find(entry)
        .map(|d| d.as_str().trim().to_string());
    static TITLE: OnceLock<Regex> = OnceLock::new();
    // Greedy: a title may quote another (《关于印发〈…〉的通知》 is often typed with 《》 inside).
    let title = match re(&TITLE, r"《(.+)》").captures(entry) {
        Some(c) => c[1].trim().to_string(),
        None => {
            let mut t = entry.to_string();
            if let Some(d) = &doc_no {
                t = t.replace(d.as_str(), "");
            }
            t.trim()
                .trim_end_matches(['（', '(', ')', '）', ' ', '，', ','])
                .trim()
                .to_string()
        }
    };
    m.insert("title".into(), title.into());
    if let Some(d) = doc_no {
        m.insert("doc_no".into(), d.into());
    }
    Value::Object(m)
}

/// The fee items of a flat export's fee cells. One fee item's standard and documents stay whole
/// (`申领每证20元；补领每证40元`, several documents joined by ；). When the name cell lists several
/// items (`机动车号牌工本费；机动车行驶证工本费`), the standard and basis cells are read in
/// the same order: one entry per item (an item's several documents joined by ，), or one entry
/// that every item shares; an entry `无` or `-` is an item without that value. Any other count is
/// an error naming the cell and both counts.
pub fn fee_items(
    name: Option<&str>,
    standard: Option<&str>,
    basis: Option<&str>,
) -> std::result::Result<Vec<Map<String, Value>>, (&'static str, String)> {
    let names = name.map(split_list).unwrap_or_default();
    if names.len() <= 1 {
        let mut item = Map::new();
        if let Some(n) = names.first() {
            item.insert("name".into(), n.clone().into());
        }
        if let Some(v) = standard.and_then(text) {
            item.insert("standard".into(), v);
        }
        if let Some(b) = basis {
            let docs: Vec<Value> = split_list(b).iter().map(|e| doc_ref(e)).collect();
            if !docs.is_empty() {
                item.insert("basis".into(), Value::Array(docs));
            }
        }
        return Ok(if item.is_empty() {
            Vec::new()
        } else {
            vec![item]
        });
    }
    let n = names.len();
    let parallel = |field: &'static str, cell: Option<&str>| {
        let parts = cell.map(split_list).unwrap_or_default();
        match parts.len() {
            0 => Ok(vec![None; n]),
            1 => Ok(vec![Some(parts[0].clone()); n]),
            k if k == n => Ok(parts
                .into_iter()
                .map(|p| (!matches!(p.as_str(), "无" | "-" | "—" | "／" | "/")).then_some(p))
                .collect()),
            k => Err((
                field,
                format!(
                    "{n} fee items are named (收费项目名称) but {k} {} are given: list one per item, in the same order, or one for all",
                    if field == "fee.standard" {
                        "standards (收费标准)"
                    } else {
                        "bases (收费依据)"
                    }
                ),
            )),
        }
    };
    let standards = parallel("fee.standard", standard)?;
    let bases = parallel("fee.basis", basis)?;
    Ok(names
        .into_iter()
        .zip(standards)
        .zip(bases)
        .map(|((name, standard), basis)| {
            let mut item = Map::new();
            item.insert("name".into(), name.into());
            if let Some(s) = standard {
                item.insert("standard".into(), s.into());
            }
            if let Some(b) = basis {
                item.insert("basis".into(), Value::Array(basis_group(&b)));
            }
            item
        })
        .collect())
}

/// One fee item's documents within a zipped basis cell: several joined by ，or , when each part
/// names a document (a 文号 or a 《title》), else one document.
fn basis_group(group: &str) -> Vec<Value> {
    let parts: Vec<&str> = group
        .split(['，', ','])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() > 1
        && parts
            .iter()
            .all(|p| doc_no_regex().is_match(p) || (p.contains('《') && p.contains('》')))
    {
        parts.into_iter().map(doc_ref).collect()
    } else {
        vec![doc_ref(group)]
    }
}

/// Sets one attribute of each element of a list (materials, legal bases) from a parallel cell:
/// one entry per element in the same order, or one entry for all; an entry `无` or `-` leaves its
/// element without one. Another count is an error saying both counts.
pub fn zip_parallel(
    list: &mut [Value],
    what: &str,
    key: &str,
    cell: &str,
    read: fn(&str) -> Option<Value>,
) -> std::result::Result<(), String> {
    let parts = split_list(cell);
    let n = list.len();
    let shared = parts.len() == 1;
    if parts.is_empty() || n == 0 {
        return Ok(());
    }
    if !shared && parts.len() != n {
        return Err(format!(
            "{n} {what} are listed but this column gives {}: give one per entry, in the same order, or one for all",
            parts.len()
        ));
    }
    for (i, element) in list.iter_mut().enumerate() {
        let part = &parts[if shared { 0 } else { i }];
        if matches!(part.as_str(), "无" | "-" | "—" | "／" | "/") && !shared {
            continue;
        }
        if let (Value::Object(m), Some(v)) = (element, read(part)) {
            m.insert(key.to_string(), v);
        }
    }
    Ok(())
}

/// A legal-basis cell: each entry gives title, 文号 and article where written.
pub fn legal_basis(s: &str) -> Option<Value> {
    static ARTICLE: OnceLock<Regex> = OnceLock::new();
    let article = re(
        &ARTICLE,
        r"第[一二三四五六七八九十百零〇0-9]+条(?:第[一二三四五六七八九十百零〇0-9]+款)?(?:第[一二三四五六七八九十百零〇0-9]+项)?",
    );
    static LEVEL: OnceLock<Regex> = OnceLock::new();
    let level_prefix = re(
        &LEVEL,
        r"^[【\[]\s*(法律|行政法规|国务院决定|地方性法规|部门规章|地方政府规章|规范性文件|其他)\s*[】\]]\s*",
    );
    let list: Vec<Value> = split_list(s)
        .iter()
        .map(|e| {
            // An optional 【层级】 prefix carries the level in a one-cell list.
            let (level, e) = match level_prefix.captures(e) {
                Some(c) => (
                    Some(c[1].to_string()),
                    e[c.get(0).map_or(0, |m| m.end())..].to_string(),
                ),
                None => (None, e.clone()),
            };
            let e = &e;
            let mut v = doc_ref(e);
            let o = v.as_object_mut().expect("doc_ref is an object");
            if let Some(l) = &level {
                o.insert("level".into(), l.as_str().into());
            }
            // After 《title》 and its （文号）, what is left names the article, whatever its form
            // (第十二条, 第二部分, 附件第5项).
            if let Some(close) = e.rfind('》') {
                let mut rest = e[close + '》'.len_utf8()..].to_string();
                if let Some(Value::String(d)) = o.get("doc_no") {
                    rest = rest.replace(d.as_str(), "");
                }
                let rest = rest
                    .trim_matches(|c: char| c.is_whitespace() || "（）()，,。".contains(c))
                    .to_string();
                if !rest.is_empty() {
                    o.insert("article".into(), rest.into());
                }
                return v;
            }
            // A title without 《》 runs up to its article.
            if let Some(a) = article.find(e) {
                o.insert("article".into(), a.as_str().into());
                if !e.contains('《')
                    && let Some(Value::String(t)) = o.get("title")
                    && let Some(pos) = t.find(a.as_str())
                {
                    let cut = t[..pos].trim().to_string();
                    o.insert("title".into(), cut.into());
                }
            }
            v
        })
        .collect();
    (!list.is_empty()).then_some(Value::Array(list))
}

/// A materials cell: one material per entry.
pub fn materials(s: &str) -> Option<Value> {
    let list: Vec<Value> = split_list(s)
        .into_iter()
        .map(|n| json!({ "name": n }))
        .collect();
    (!list.is_empty()).then_some(Value::Array(list))
}

/// A process cell: steps, with days when written "受理（1个工作日）".
pub fn process(s: &str) -> Option<Value> {
    static DAYS: OnceLock<Regex> = OnceLock::new();
    let days = re(
        &DAYS,
        r"^(.*?)\s*[(（]\s*([0-9]+(?:\.[0-9]+)?)\s*个?\s*(?:工作日|日|天)\s*[)）]\s*$",
    );
    let list: Vec<Value> = split_list(s)
        .into_iter()
        .map(|e| {
            let folded = fold(&e);
            match days.captures(&folded) {
                Some(c) => {
                    json!({ "step": c[1].trim(), "days": c[2].parse::<f64>().unwrap_or(0.0) })
                }
                None => json!({ "step": e }),
            }
        })
        .collect();
    (!list.is_empty()).then_some(Value::Array(list))
}

/// A number of days for a process step: "1", "1个工作日", "0.5".
pub fn days(s: &str) -> Option<Value> {
    let t = fold(s);
    if t.is_empty() {
        return None;
    }
    static N: OnceLock<Regex> = OnceLock::new();
    match re(&N, r"^([0-9]+(?:\.[0-9]+)?)").captures(&t) {
        Some(c) => Some(match c[1].parse::<f64>() {
            Ok(n) if n.is_finite() && n < 1e15 => json!(n),
            _ => Value::String(s.trim().to_string()),
        }),
        None => Some(Value::String(s.trim().to_string())),
    }
}

/// 调整类型: 新增/变更/取消 (or add/change/cancel).
pub fn adjustment_kind(s: &str) -> Option<Value> {
    let t = fold(s).to_lowercase();
    Some(Value::String(
        match t.as_str() {
            "" => return None,
            "新增" | "增加" | "add" => "add",
            "变更" | "调整" | "修改" | "change" | "合并" | "拆分" | "编码变更" => {
                "change"
            }
            "取消" | "删除" | "废止" | "cancel" => "cancel",
            _ => s.trim(),
        }
        .to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_as_typed() {
        assert_eq!(integer("1"), Some(json!(1)));
        assert_eq!(integer("１次"), Some(json!(1)));
        assert_eq!(integer("一次"), Some(json!(1)));
        assert_eq!(integer("0（全程网办）"), Some(json!(0)));
        assert_eq!(integer(" "), None);
        assert_eq!(integer("若干"), Some(json!("若干")));
    }

    #[test]
    fn numbers_too_large_stay_text_for_the_schema_to_refuse() {
        // A spreadsheet number of 1e20 reads as these digits: never an empty field.
        let big = "100000000000000000000";
        assert_eq!(integer(big), Some(json!(big)));
        assert_eq!(
            limit(&format!("{big}个工作日")),
            Some(json!(format!("{big}个工作日")))
        );
        let huge = "9".repeat(400);
        assert_eq!(days(&huge), Some(json!(huge)));
        assert_eq!(days("0.5"), Some(json!(0.5)));
    }

    #[test]
    fn a_limit_note_keeps_its_full_width_punctuation() {
        assert_eq!(
            limit("无（法律法规未规定办结时限，按承诺时限办结）"),
            Some(json!({ "value": null, "note": "法律法规未规定办结时限，按承诺时限办结" }))
        );
        assert_eq!(
            limit("５个工作日（不含公示，听证）"),
            Some(json!({ "value": 5, "unit": "工作日", "note": "不含公示，听证" }))
        );
    }

    #[test]
    fn flags_as_typed() {
        assert_eq!(boolean("是"), Some(json!(true)));
        assert_eq!(boolean("√"), Some(json!(true)));
        assert_eq!(boolean("否 "), Some(json!(false)));
        assert_eq!(boolean("Ｎ"), Some(json!(false)));
        assert_eq!(boolean("待定"), Some(json!("待定")));
    }

    #[test]
    fn limits_as_typed() {
        assert_eq!(
            limit("5个工作日"),
            Some(json!({ "value": 5, "unit": "工作日" }))
        );
        assert_eq!(
            limit("２０ 工作日"),
            Some(json!({ "value": 20, "unit": "工作日" }))
        );
        assert_eq!(limit("即办"), Some(json!({ "value": 0, "unit": "工作日" })));
        assert_eq!(limit("无"), Some(json!({ "value": null })));
        assert_eq!(
            limit("无（依申请即时审核）"),
            Some(json!({ "value": null, "note": "依申请即时审核" }))
        );
        assert_eq!(limit("20天"), Some(json!({ "value": 20, "unit": "天" })));
        assert_eq!(limit("3个月"), Some(json!({ "value": 3, "unit": "月" })));
        assert_eq!(limit("15"), Some(json!({ "value": 15 })));
        assert_eq!(limit("视情况而定"), Some(json!("视情况而定")));
    }

    #[test]
    fn depth_and_dates() {
        assert_eq!(depth("Ⅳ级"), Some(json!(4)));
        assert_eq!(depth("全程网办"), Some(json!(4)));
        assert_eq!(depth("三级"), Some(json!(3)));
        assert_eq!(date("2017/8/1"), Some(json!("2017-08-01")));
        assert_eq!(date("2017年8月1日"), Some(json!("2017-08-01")));
        assert_eq!(
            date("2017-02-30"),
            Some(json!("2017-02-30")),
            "kept for validation to reject"
        );
    }

    #[test]
    fn lists_in_one_cell() {
        assert_eq!(
            split_list("1、居民身份证；2、户口簿"),
            ["居民身份证", "户口簿"]
        );
        assert_eq!(
            split_list("1.居民身份证 2.户口簿 3.照片"),
            ["居民身份证", "户口簿", "照片"]
        );
        assert_eq!(split_list("居民身份证\n户口簿\n"), ["居民身份证", "户口簿"]);
        assert_eq!(
            split_list("(1)申请表;(2)身份证复印件"),
            ["申请表", "身份证复印件"]
        );
        assert_eq!(split_list("近期2寸照片"), ["近期2寸照片"]);
    }

    #[test]
    fn cited_documents_keep_their_written_form() {
        assert_eq!(
            doc_ref("《关于调整人事考试考务费收费标准的通知》（浙价费[2016]112号）"),
            json!({ "title": "关于调整人事考试考务费收费标准的通知", "doc_no": "浙价费[2016]112号" })
        );
        assert_eq!(
            doc_ref("发改价格〔2003〕2322号"),
            json!({ "title": "", "doc_no": "发改价格〔2003〕2322号" })
        );
        let lb = legal_basis("《中华人民共和国义务教育法》第十二条；婚姻登记条例第四条").unwrap();
        assert_eq!(lb[0]["title"], "中华人民共和国义务教育法");
        assert_eq!(lb[0]["article"], "第十二条");
        assert_eq!(lb[1]["title"], "婚姻登记条例");
        assert_eq!(lb[1]["article"], "第四条");
        let nested =
            legal_basis("《民政部关于印发《特困人员认定办法》的通知》（民发〔2016〕178号）第五条")
                .unwrap();
        assert_eq!(
            nested[0]["title"],
            "民政部关于印发《特困人员认定办法》的通知"
        );
        assert_eq!(nested[0]["doc_no"], "民发〔2016〕178号");
        let lb = legal_basis(
            "【规范性文件】《关于做好社会救助工作的通知》（浙政办发〔2016〕100号）第三条",
        )
        .unwrap();
        assert_eq!(lb[0]["level"], "规范性文件");
        assert_eq!(lb[0]["doc_no"], "浙政办发〔2016〕100号");
        assert_eq!(lb[0]["article"], "第三条");
    }

    #[test]
    fn process_steps_with_days() {
        assert_eq!(
            process("受理（1个工作日）；审核（3个工作日）；办结"),
            Some(
                json!([{ "step": "受理", "days": 1.0 }, { "step": "审核", "days": 3.0 }, { "step": "办结" }])
            )
        );
    }

    #[test]
    fn joined_fee_cells_are_zipped() {
        let items = fee_items(
            Some("机动车号牌工本费；机动车行驶证工本费"),
            Some("每副100元；每本10元"),
            Some("《关于发布机动车号牌工本费标准的通知》（计价格〔1994〕783号），《补充通知》（发改价格〔2004〕2831号）；发改价格〔2004〕2831号"),
        )
        .unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["name"], "机动车号牌工本费");
        assert_eq!(items[1]["standard"], "每本10元");
        assert_eq!(items[0]["basis"].as_array().unwrap().len(), 2);
        assert_eq!(items[1]["basis"][0]["doc_no"], "发改价格〔2004〕2831号");
        // One standard for all; 无 for one item's missing basis.
        let items = fee_items(
            Some("A费；B费"),
            Some("按规定标准收取"),
            Some("财综〔2004〕21号；无"),
        )
        .unwrap();
        assert_eq!(items[1]["standard"], "按规定标准收取");
        assert!(items[1].get("basis").is_none());
        // A single item keeps its standard and its documents whole.
        let items = fee_items(
            Some("居民身份证工本费"),
            Some("申领每证20元；补领每证40元"),
            Some("发改价格〔2003〕2322号；财综〔2007〕34号"),
        )
        .unwrap();
        assert_eq!(items[0]["standard"], "申领每证20元；补领每证40元");
        assert_eq!(items[0]["basis"].as_array().unwrap().len(), 2);
        // Counts that disagree name the cell.
        let (field, message) =
            fee_items(Some("A费；B费；C费"), Some("1元；2元"), None).unwrap_err();
        assert_eq!(field, "fee.standard");
        assert!(
            message.contains("3 fee items") && message.contains("2 standards"),
            "{message}"
        );
    }
}
