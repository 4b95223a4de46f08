//! Effective-dated registries: the reference data a reviewer carries in their head.
//!
//! Four kinds share one shape: entries with a key (a law's title, a fee's name, a department's
//! name, an exempt item's basic code), aliases, and a validity period. Rules ask "is this key listed,
//! and is it in force *as of* the snapshot's date" and read entry fields (the repeal date, the
//! replacing act). Several files of one kind merge, so a deployment can add its local departments
//! or fees beside the built-in ones.

use crate::error::{Error, Result};
use crate::location::Location;
use crate::schema;
use crate::text;
use chrono::NaiveDate;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};

/// How one registry format is read: its name in rules, key field, alias fields, validity fields.
struct Kind {
    format: &'static str,
    name: &'static str,
    key: &'static str,
    aliases: &'static [&'static str],
    from: &'static str,
    to: &'static str,
    /// Whether keys are act titles (normalised more loosely: 《》, 中华人民共和国, version notes).
    titles: bool,
    /// Whether an item written as a sub-item of a listed one (`居民身份证申领（首次申领）`) counts as
    /// listed: its name without the trailing （…） is looked up when the whole name is not.
    sub_items: bool,
}

const KINDS: &[Kind] = &[
    Kind {
        format: "law-registry/1",
        name: "laws",
        key: "title",
        aliases: &["aliases"],
        from: "effective",
        to: "repealed",
        titles: true,
        sub_items: false,
    },
    Kind {
        format: "fee-registry/1",
        name: "fees",
        key: "name",
        aliases: &["aliases"],
        from: "effective",
        to: "abolished",
        titles: false,
        sub_items: false,
    },
    Kind {
        format: "department-registry/1",
        name: "departments",
        key: "name",
        aliases: &["aliases", "credit_code"],
        from: "valid_from",
        to: "valid_to",
        titles: false,
        sub_items: false,
    },
    Kind {
        format: "exemption-registry/1",
        name: "zero_visit_exemptions",
        key: "basic_code",
        aliases: &["name", "aliases", "local_code"],
        from: "effective",
        to: "ended",
        titles: false,
        sub_items: true,
    },
];

/// The registry names rules may use.
pub fn names() -> impl Iterator<Item = &'static str> {
    KINDS.iter().map(|k| k.name)
}

/// Whether a registry format is one of ours, and the validator for it.
pub fn is_registry_format(format: &str) -> bool {
    KINDS.iter().any(|k| k.format == format)
}

/// The status of a key in a registry on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Listed, whatever its dates.
    Listed,
    /// Not listed.
    Unlisted,
    /// Listed and in force on the date.
    InForce,
    /// Listed and ended (repealed, abolished, dissolved) on or before the date.
    Ended,
    /// Listed but not yet in force on the date.
    NotYetEffective,
    /// Listed, in force, and the citation names a revision (`（2015年修正）`) older than the text
    /// in force on the date (a later `amended` date has passed).
    OutdatedVersion,
    /// Listed, and the citation names a revision that takes effect only after the date.
    VersionNotYetEffective,
}

/// One registry: entries and an index over their normalised keys and aliases.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    pub name: String,
    pub entries: Vec<Map<String, Value>>,
    index: HashMap<String, usize>,
    /// Identifies this registry's contents for the per-thread lookup cache: a new number whenever
    /// entries are added, so a cached answer never outlives the contents it came from.
    generation: u64,
    from: &'static str,
    to: &'static str,
    titles: bool,
    sub_items: bool,
}

/// The comparison key of an act's title: no 《》, no leading 中华人民共和国, no trailing version note.
pub fn title_key(s: &str) -> String {
    let mut t = text::key(s);
    t = t.replace(['《', '》', '<', '>', '"', '“', '”'], "");
    if let Some(rest) = t.strip_prefix("中华人民共和国") {
        t = rest.to_string();
    }
    // "(2018年修正)", "(2015年修订)", "(试行)" stay out of the key except 试行, which names a different act.
    while let Some(open) = t.rfind('(') {
        if !t.ends_with(')') {
            break;
        }
        let inner = &t[open + 1..t.len() - 1];
        if inner.contains("试行") {
            break;
        }
        t.truncate(open);
    }
    t
}

/// The year of the revision a citation names: `（2015年修正）`, `2018年修订`, `（2019年第二次修正）`
/// (the last such note of the text).
pub fn cited_revision_year(s: &str) -> Option<i32> {
    static NOTE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"((?:19|20)[0-9]{2})\s*年\s*(?:第[一二三四五六七八九十]+次)?\s*(?:修正|修订|修改)",
        )
        .expect("a valid pattern")
    });
    NOTE.captures_iter(s).last().and_then(|c| c[1].parse().ok())
}

/// The name a sub-item's name qualifies: without its last bracketed part, which must close the
/// name (`普通护照签发(换发)` → `普通护照签发`; keys are NFKC-normalised, so （） are ASCII here).
fn parent_item(key: &str) -> Option<&str> {
    let inner = key.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    let parent = inner[..open].trim_end();
    (!parent.is_empty()).then_some(parent)
}

impl Registry {
    fn key(&self, s: &str) -> String {
        if self.titles {
            title_key(s)
        } else {
            text::key(s)
        }
    }

    /// The entry a value names, if listed; for item registries, also the entry a sub-item's
    /// name falls under (`劳动能力鉴定（初次鉴定）` → `劳动能力鉴定`).
    pub fn find(&self, s: &str) -> Option<&Map<String, Value>> {
        self.find_index(s).map(|i| &self.entries[i])
    }

    /// [`Registry::find`]'s entry index. Several rules look up the same citation (LB-04, LB-05,
    /// LB-11, DA-13 on one act), and normalising a title is most of a lookup's cost, so answers
    /// are remembered per thread for the registry's current contents (a bounded cache, cleared
    /// when it fills or the contents change).
    fn find_index(&self, s: &str) -> Option<usize> {
        use std::cell::RefCell;
        type Cache = HashMap<u64, HashMap<Box<str>, Option<usize>>>;
        thread_local! {
            static CACHE: RefCell<(usize, Cache)> = RefCell::new((0, HashMap::new()));
        }
        const MAX: usize = 1 << 16;
        CACHE.with(|c| {
            let (size, cache) = &mut *c.borrow_mut();
            if let Some(hit) = cache.get(&self.generation).and_then(|m| m.get(s)) {
                return *hit;
            }
            if *size >= MAX {
                cache.clear();
                *size = 0;
            }
            let found = self.lookup_index(s);
            cache
                .entry(self.generation)
                .or_default()
                .insert(s.into(), found);
            *size += 1;
            found
        })
    }

    fn lookup_index(&self, s: &str) -> Option<usize> {
        let mut key = self.key(s);
        loop {
            if let Some(&i) = self.index.get(&key) {
                return Some(i);
            }
            if !self.sub_items {
                return None;
            }
            key = parent_item(&key)?.to_string();
        }
    }

    fn date(entry: &Map<String, Value>, field: &str) -> Option<NaiveDate> {
        entry.get(field)?.as_str()?.parse().ok()
    }

    /// The status of a value on a date.
    pub fn status(&self, s: &str, on: NaiveDate) -> Status {
        match self.find(s) {
            Some(e) => self.entry_status(e, on),
            None => Status::Unlisted,
        }
    }

    /// The status of a listed entry on a date.
    fn entry_status(&self, e: &Map<String, Value>, on: NaiveDate) -> Status {
        if Self::date(e, self.to).is_some_and(|to| to <= on) {
            Status::Ended
        } else if Self::date(e, self.from).is_some_and(|from| from > on) {
            Status::NotYetEffective
        } else {
            Status::InForce
        }
    }

    /// The dates from which each text of an entry took effect: its first `effective` date, then
    /// its `amended` dates (the registry's own order, oldest first).
    fn texts(&self, e: &Map<String, Value>) -> Vec<NaiveDate> {
        let mut dates: Vec<NaiveDate> = Self::date(e, self.from).into_iter().collect();
        if let Some(Value::Array(list)) = e.get("amended") {
            dates.extend(
                list.iter()
                    .filter_map(|d| d.as_str()?.parse::<NaiveDate>().ok()),
            );
        }
        dates.sort();
        dates
    }

    /// The date from which the text in force on `on` applies (the latest of the act's texts
    /// that had taken effect by then).
    pub fn version_in_force(&self, e: &Map<String, Value>, on: NaiveDate) -> Option<NaiveDate> {
        self.texts(e).into_iter().filter(|d| *d <= on).max()
    }

    /// What a citation's revision note says of the text it cites, on a date: `Some(true)` when a
    /// later text is in force (outdated), `Some(false)` when the cited revision takes effect only
    /// after the date, `None` when the citation names no revision, the registry knows no text of
    /// that year (or the next, when a revision adopted late in a year took effect in the next),
    /// or the cited text is the one in force. The registry records when texts took effect, a
    /// citation the year a revision was adopted: both years count, so no citation is called
    /// outdated for that difference.
    fn cited_text(&self, s: &str, e: &Map<String, Value>, on: NaiveDate) -> Option<bool> {
        use chrono::Datelike;
        let year = cited_revision_year(s)?;
        let texts = self.texts(e);
        let candidates: Vec<NaiveDate> = texts
            .iter()
            .copied()
            .filter(|d| d.year() == year || d.year() == year + 1)
            .collect();
        let (first, last) = (*candidates.first()?, *candidates.last()?);
        if first > on {
            return Some(false);
        }
        let in_force = texts.into_iter().filter(|d| *d <= on).max()?;
        (in_force > last).then_some(true)
    }

    /// Whether a status question is answered yes.
    pub fn is(&self, s: &str, on: NaiveDate, wanted: Status) -> bool {
        match wanted {
            Status::Listed => self.find(s).is_some(),
            // Questions about the cited text: the act in force, its revision note judged.
            Status::OutdatedVersion | Status::VersionNotYetEffective => {
                self.find(s).is_some_and(|e| {
                    self.entry_status(e, on) == Status::InForce
                        && self.cited_text(s, e, on) == Some(wanted == Status::OutdatedVersion)
                })
            }
            other => self.status(s, on) == other,
        }
    }
}

/// A number no registry's contents had before (see [`Registry::find_index`]).
fn next_generation() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// All registries of a pack, by name.
#[derive(Debug, Clone, Default)]
pub struct Registries {
    pub by_name: BTreeMap<String, Registry>,
    /// What loading noticed but did not refuse: an entry of a local list repeating another's key
    /// (the first is kept), as "file: message" lines for the run to print.
    pub warnings: Vec<String>,
}

impl Registries {
    /// Adds one registry file (already parsed); `file` names it in errors.
    pub fn add(&mut self, file: &str, value: Value) -> Result<()> {
        let format = value.get("format").and_then(Value::as_str).unwrap_or("");
        let kind = KINDS.iter().find(|k| k.format == format).ok_or_else(|| {
            Error::rule(
                file,
                Location::pointer("/format"),
                format!("unknown registry format \"{format}\""),
            )
        })?;
        let problems = schema::problems(schema::registry(format), &value, None, "");
        if !problems.is_empty() {
            return Err(Error::Rule {
                file: file.to_string(),
                problems,
            });
        }
        let warnings = &mut self.warnings;
        let reg = self
            .by_name
            .entry(kind.name.to_string())
            .or_insert_with(|| Registry {
                name: kind.name.to_string(),
                from: kind.from,
                to: kind.to,
                titles: kind.titles,
                sub_items: kind.sub_items,
                ..Registry::default()
            });
        let entries = value
            .get("entries")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (i, entry) in entries.into_iter().enumerate() {
            let Value::Object(entry) = entry else {
                continue;
            };
            let index = reg.entries.len();
            let mut keys: Vec<String> = Vec::new();
            if let Some(k) = entry.get(kind.key).and_then(Value::as_str) {
                keys.push(k.to_string());
            }
            for a in kind.aliases {
                match entry.get(*a) {
                    Some(Value::String(s)) => keys.push(s.clone()),
                    Some(Value::Array(list)) => {
                        keys.extend(list.iter().filter_map(Value::as_str).map(str::to_string));
                    }
                    _ => {}
                }
            }
            for k in keys {
                let norm = reg.key(&k);
                if norm.is_empty() {
                    continue;
                }
                if let Some(&other) = reg.index.get(&norm)
                    && other != index
                {
                    // A local list that names an item twice (real exports do) is read, with a
                    // warning naming both entries; an act or fee listed twice is ambiguous.
                    if kind.sub_items {
                        warnings.push(format!(
                            "{file}: /entries/{i} repeats \"{k}\", already listed by entry {} of the {} list; the first is kept",
                            other + 1,
                            kind.name
                        ));
                        continue;
                    }
                    return Err(Error::rule(
                        file,
                        Location::pointer(format!("/entries/{i}")),
                        format!("\"{k}\" is already listed by another {} entry", kind.name),
                    ));
                }
                reg.index.insert(norm, index);
            }
            reg.entries.push(entry);
            reg.generation = next_generation();
        }
        Ok(())
    }

    /// The registry with this name (an empty one when no file supplied it).
    pub fn get(&self, name: &str) -> Option<&Registry> {
        self.by_name.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn laws() -> Registries {
        let mut r = Registries::default();
        r.add(
            "laws.json",
            json!({ "format": "law-registry/1", "entries": [
                { "title": "中华人民共和国婚姻法", "aliases": ["婚姻法"], "level": "法律", "effective": "1981-01-01",
                  "repealed": "2021-01-01", "replaced_by": "中华人民共和国民法典", "source": "民法典第一千二百六十条" },
                { "title": "中华人民共和国民法典", "level": "法律", "effective": "2021-01-01", "source": "主席令第四十五号" }
            ]}),
        )
        .unwrap();
        r
    }

    #[test]
    fn titles_match_loosely() {
        let r = laws();
        let laws = r.get("laws").unwrap();
        for cited in [
            "中华人民共和国婚姻法",
            "《婚姻法》",
            "《中华人民共和国婚姻法》（2001年修正）",
            " 婚姻法 ",
        ] {
            assert!(laws.find(cited).is_some(), "{cited}");
        }
        assert!(laws.find("婚姻登记条例").is_none());
    }

    #[test]
    fn status_is_effective_dated() {
        let r = laws();
        let laws = r.get("laws").unwrap();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(laws.status("婚姻法", d("2020-12-31")), Status::InForce);
        assert_eq!(laws.status("婚姻法", d("2021-01-01")), Status::Ended);
        assert_eq!(
            laws.status("民法典", d("2020-06-01")),
            Status::NotYetEffective
        );
        assert_eq!(laws.status("刑法", d("2020-06-01")), Status::Unlisted);
        assert!(laws.is("民法典", d("2020-06-01"), Status::Listed));
    }

    #[test]
    fn a_cited_revision_is_judged_by_the_texts_in_force() {
        let mut r = Registries::default();
        r.add(
            "laws.json",
            json!({ "format": "law-registry/1", "entries": [
                { "title": "中华人民共和国行政许可法", "level": "法律", "effective": "2004-07-01",
                  "amended": ["2019-04-23"], "source": "主席令第二十九号" },
                { "title": "中华人民共和国教育法", "level": "法律", "effective": "1995-09-01",
                  "amended": ["2009-08-27", "2016-06-01", "2021-04-30"], "source": "x" }
            ]}),
        )
        .unwrap();
        let laws = r.get("laws").unwrap();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let outdated = |s: &str, on: &str| laws.is(s, d(on), Status::OutdatedVersion);
        let early = |s: &str, on: &str| laws.is(s, d(on), Status::VersionNotYetEffective);
        // The 2015 text of the education law after its 2016 and 2021 revisions.
        assert!(outdated(
            "《中华人民共和国教育法》（2015年修正）",
            "2022-01-01"
        ));
        // The 2015 revision took effect on 2016-06-01: that is the text in force in 2020.
        assert!(!outdated("教育法（2015年修正）", "2020-01-01"));
        // The 2021 revision cited before it took effect.
        assert!(early("教育法（2021年修正）", "2021-03-01"));
        assert!(!early("教育法（2021年修正）", "2021-04-30"));
        assert!(!outdated("教育法（2021年修正）", "2024-01-01"));
        // No revision named, or none the registry knows: nothing to say.
        assert!(!outdated("中华人民共和国教育法", "2024-01-01"));
        assert!(!outdated("教育法（2012年修正）", "2024-01-01"));
        // Adopted in 2019, in force the same year; cited as of 2018 it is not yet in force.
        assert!(early("行政许可法（2019年修正）", "2018-12-31"));
        assert_eq!(cited_revision_year("（2019年第二次修正）"), Some(2019));
        assert_eq!(cited_revision_year("婚姻法"), None);
        // The act itself in force on the date, with the text in force since its last revision.
        let e = laws.find("教育法").unwrap();
        assert_eq!(
            laws.version_in_force(e, d("2020-01-01")),
            Some(d("2016-06-01"))
        );
    }

    #[test]
    fn a_key_listed_twice_is_an_error() {
        let mut r = laws();
        let err = r
            .add(
                "more.json",
                json!({ "format": "law-registry/1", "entries": [
                    { "title": "婚姻法", "level": "法律", "source": "x" }
                ]}),
            )
            .unwrap_err();
        assert!(err.to_string().contains("already listed"), "{err}");
    }

    #[test]
    fn exemptions_match_sub_items_but_other_registries_do_not() {
        let mut r = Registries::default();
        r.add(
            "exemptions.json",
            json!({ "format": "exemption-registry/1", "entries": [
                { "name": "居民身份证申领", "reason": "r", "source": "s" },
                { "name": "劳动能力鉴定", "aliases": ["劳动能力初次鉴定"], "reason": "r", "source": "s" }
            ]}),
        )
        .unwrap();
        let ex = r.get("zero_visit_exemptions").unwrap();
        for name in [
            "居民身份证申领",
            "居民身份证申领（首次申领）",
            "居民身份证申领 (首次申领)",
            "劳动能力鉴定（初次鉴定）（工伤）",
            "劳动能力初次鉴定（复查）",
        ] {
            assert!(ex.find(name).is_some(), "{name}");
        }
        // A qualifier must close the name, and something must stand before it.
        for name in [
            "居民身份证申领（首次）补办",
            "（首次申领）",
            "居民身份证",
            "身份证申领",
        ] {
            assert!(ex.find(name).is_none(), "{name}");
        }
    }
}
