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

/// A registry entry as a finding shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reference {
    /// `laws`, `fees`, `departments`, `zero_visit_exemptions`.
    pub registry: String,
    /// The entry's title or name.
    pub entry: String,
    /// An act's 文号 or 令号.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_no: Option<String>,
    /// The 文号 of the document that replaced it (`replaced_by_doc_no`), which tells a document
    /// re-issued under the same title from the one it replaced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor_doc_no: Option<String>,
    /// Where the entry's facts come from.
    pub source: String,
    /// `V` (verified in a public text) or `K` (background knowledge, to be confirmed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<String>,
}

/// One text of an act: the date it took effect, its document number as written and compared.
#[derive(Debug, Clone)]
struct TextOf {
    from: NaiveDate,
    doc: Option<String>,
    key: Option<String>,
}

/// One registry: entries and an index over their normalised keys and aliases.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    pub name: String,
    pub entries: Vec<Map<String, Value>>,
    index: HashMap<String, usize>,
    /// Act registries: each text's document number (`doc_no`, `original_doc_no`, an amendment's
    /// `doc_no`), normalised by [`doc_key`], to its entry.
    docs: HashMap<String, usize>,
    /// Each entry's texts (see [`Registry::compute_texts`]), by entry index, worked out when it
    /// is added.
    text_lists: Vec<Vec<TextOf>>,
    /// Act registries: for a title that several documents have borne (a notice re-issued under
    /// its old title), the entry the title resolves to → the earlier entries, latest first.
    earlier: HashMap<usize, Vec<usize>>,
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

/// A document number as compared: width, spaces, the kind of bracket around the year and the
/// serial's form (a leading 第 or zeros, which FEE-08 reports) do not count
/// (`财税〔2017〕20号` = `财税[2017]20号` = `财税（2017）第020号`); nor, in an order's number, a
/// leading 中华人民共和国, 第 or a serial in Chinese numerals
/// (`中华人民共和国公安部令第一百六十四号` = `公安部令第164号`).
pub fn doc_key(s: &str) -> String {
    let bracketed: String = text::key(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '[' | '(' | '〔' | '【' | '［' | '（' => '〔',
            ']' | ')' | '〕' | '】' | '］' | '）' => '〕',
            c => c,
        })
        .collect();
    if let Some((head, serial)) = bracketed.split_once('〕') {
        let serial = serial.trim_start_matches('第').trim_start_matches('0');
        return format!("{head}〕{serial}");
    }
    if let Some(at) = bracketed.rfind('令') {
        let head = &bracketed[..at + '令'.len_utf8()];
        let head = head.strip_prefix("中华人民共和国").unwrap_or(head);
        let serial = bracketed[at + '令'.len_utf8()..]
            .trim_start_matches('第')
            .trim_end_matches('号');
        if let Some(n) = serial_number(serial) {
            return format!("{head}{n}号");
        }
    }
    bracketed
}

/// A serial written in digits or Chinese numerals (`164`, `一百六十四`, `四十五`, `一〇三`).
fn serial_number(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    let digit = |c: char| {
        "〇一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .or((c == '零').then_some(0))
    };
    if s.chars().all(|c| digit(c).is_some()) {
        // Digit by digit: 一〇三.
        return s.chars().try_fold(0u32, |n, c| {
            n.checked_mul(10)?.checked_add(digit(c)? as u32)
        });
    }
    let (mut total, mut pending) = (0u32, None::<u32>);
    for c in s.chars() {
        if let Some(d) = digit(c) {
            pending = Some(d as u32);
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            _ => return None,
        };
        total += pending.take().unwrap_or(1) * unit;
    }
    Some(total + pending.unwrap_or(0))
}

/// The document numbers written in a citation's text (`《城乡居民基本养老保险经办规程》（人社部发〔2014〕23号）`,
/// `机动车登记规定（公安部令第164号）`), each as the candidate keys its issuer's abbreviation may
/// have: the characters before the year or 令 are not delimited from the title, so every ending
/// of them (up to 16 characters) is a candidate.
fn cited_doc_keys(s: &str) -> Vec<String> {
    static DOC: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(\p{Han}+)\s*[〔\[［【(（]\s*((?:19|20)[0-9]{2})\s*[〕\]］】)）]\s*第?\s*0*([0-9]+)\s*号|(\p{Han}*?令)\s*第?\s*([0-9]+|[〇零一二三四五六七八九十百千]+)\s*号",
        )
        .expect("a valid pattern")
    });
    if !s.contains('号') {
        return Vec::new();
    }
    let mut keys = Vec::new();
    for c in DOC.captures_iter(s) {
        let (head, tail) = match (c.get(1), c.get(4)) {
            (Some(h), _) => (h.as_str(), format!("〔{}〕{}号", &c[2], &c[3])),
            (None, Some(h)) => match serial_number(&c[5]) {
                Some(n) => (
                    h.as_str().strip_suffix('令').unwrap_or(""),
                    format!("令{n}号"),
                ),
                None => continue,
            },
            _ => continue,
        };
        let chars: Vec<char> = head.chars().collect();
        for start in chars.len().saturating_sub(16)..chars.len() {
            let issuer: String = chars[start..].iter().collect();
            keys.push(doc_key(&format!("{issuer}{tail}")));
        }
    }
    keys
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
        self.find_index(s, None).map(|i| &self.entries[i])
    }

    /// The entry an act's citation names on a date: by a document number the registry knows (the
    /// citation's `doc_no`, or one written in its text), else by title; a title several documents
    /// have borne names the one in force on the date.
    pub fn find_cited(
        &self,
        s: &str,
        doc: Option<&str>,
        on: NaiveDate,
    ) -> Option<&Map<String, Value>> {
        self.cited(s, doc, on).map(|i| &self.entries[i])
    }

    /// [`Registry::find_cited`]'s entry index, for the questions asked of an entry's texts
    /// ([`Registry::version_in_force`], [`Registry::doc_no_in_force`], [`Registry::reference`]).
    pub fn cited(&self, s: &str, doc: Option<&str>, on: NaiveDate) -> Option<usize> {
        let i = self.find_index(s, doc)?;
        // Resolved by title to the latest of same-titled documents: before it took effect, the
        // title meant the one then in force.
        match self.earlier.get(&i) {
            Some(earlier) if Self::date(&self.entries[i], self.from).is_some_and(|d| d > on) => {
                earlier
                    .iter()
                    .copied()
                    .find(|&j| Self::date(&self.entries[j], self.from).is_none_or(|d| d <= on))
                    .or(Some(i))
            }
            _ => Some(i),
        }
    }

    /// [`Registry::find`]'s entry index. Several rules look up the same citation (LB-04, LB-05,
    /// LB-11, DA-13 on one act), and normalising a title is most of a lookup's cost, so answers
    /// are remembered per thread for the registry's current contents (a bounded cache, cleared
    /// when it fills or the contents change).
    fn find_index(&self, s: &str, doc: Option<&str>) -> Option<usize> {
        // A citation's own number first (remembered by itself), then its text.
        if let Some(d) = doc.filter(|d| !d.trim().is_empty() && !self.docs.is_empty())
            && let Some(i) = self.cached(d, true, || self.docs.get(&doc_key(d)).copied())
        {
            return Some(i);
        }
        self.cached(s, false, || self.lookup_index(s))
    }

    /// An answer remembered per thread for this registry's contents: by title (or name) text,
    /// or by a document number (`by_doc`).
    fn cached(
        &self,
        key: &str,
        by_doc: bool,
        find: impl FnOnce() -> Option<usize>,
    ) -> Option<usize> {
        use std::cell::RefCell;
        type Cache = HashMap<u64, HashMap<Box<str>, Option<usize>>>;
        thread_local! {
            static CACHE: RefCell<(usize, Cache)> = RefCell::new((0, HashMap::new()));
        }
        const MAX: usize = 1 << 16;
        let generation = self.generation | if by_doc { 1 << 63 } else { 0 };
        CACHE.with(|c| {
            let (size, cache) = &mut *c.borrow_mut();
            if let Some(hit) = cache.get(&generation).and_then(|m| m.get(key)) {
                return *hit;
            }
            if *size >= MAX {
                cache.clear();
                *size = 0;
            }
            let found = find();
            cache
                .entry(generation)
                .or_default()
                .insert(key.into(), found);
            *size += 1;
            found
        })
    }

    fn lookup_index(&self, s: &str) -> Option<usize> {
        if !self.docs.is_empty() {
            let by_doc = cited_doc_keys(s)
                .into_iter()
                .find_map(|k| self.docs.get(&k).copied());
            if by_doc.is_some() {
                return by_doc;
            }
        }
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
        match self.find_cited(s, None, on) {
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

    /// The texts of an entry, oldest first: the date each took effect, with its document number
    /// when the registry gives one. The first text took effect on `effective` (numbered
    /// `original_doc_no`, or `doc_no` when never amended); each of `amended` is a date or
    /// `{"effective", "doc_no"}`; the last text is numbered `doc_no` when it has no number of its own.
    fn compute_texts(&self, e: &Map<String, Value>) -> Vec<TextOf> {
        let text = |doc: Option<&str>, from: NaiveDate| TextOf {
            from,
            key: doc.map(doc_key),
            doc: doc.map(str::to_string),
        };
        fn number<'a>(v: &'a Map<String, Value>, f: &str) -> Option<&'a str> {
            v.get(f).and_then(Value::as_str)
        }
        let amended: &[Value] = match e.get("amended") {
            Some(Value::Array(list)) => list,
            _ => &[],
        };
        let mut texts: Vec<TextOf> = Vec::new();
        if let Some(d) = Self::date(e, self.from) {
            let first = number(e, "original_doc_no")
                .or_else(|| amended.is_empty().then(|| number(e, "doc_no")).flatten());
            texts.push(text(first, d));
        }
        for a in amended {
            match a {
                Value::String(d) => texts.extend(d.parse().ok().map(|d| text(None, d))),
                Value::Object(o) => {
                    texts.extend(Self::date(o, "effective").map(|d| text(number(o, "doc_no"), d)))
                }
                _ => {}
            }
        }
        texts.sort_by_key(|t| t.from);
        // The current number names the last text, unless a text bears it already (an amending
        // order numbered on its own: `doc_no` stays the regulation's number).
        if !amended.is_empty()
            && let Some(n) = number(e, "doc_no")
            && !texts
                .iter()
                .any(|t| t.key.as_deref() == Some(doc_key(n).as_str()))
            && let Some(last) = texts.last_mut()
            && last.doc.is_none()
        {
            *last = text(Some(n), last.from);
        }
        texts
    }

    /// The date from which the text in force on `on` applies (the latest of the act's texts
    /// that had taken effect by then).
    pub fn version_in_force(&self, entry: usize, on: NaiveDate) -> Option<NaiveDate> {
        self.text_lists[entry]
            .iter()
            .map(|t| t.from)
            .filter(|d| *d <= on)
            .max()
    }

    /// The document number of the text in force on `on`, when the registry gives one.
    pub fn doc_no_in_force(&self, entry: usize, on: NaiveDate) -> Option<String> {
        self.text_lists[entry]
            .iter()
            .rev()
            .find(|t| t.from <= on)
            .and_then(|t| t.doc.clone())
    }

    /// What a citation says of the text it cites, on a date: `Some(true)` when a later text is in
    /// force (outdated), `Some(false)` when the cited text takes effect only after the date,
    /// `None` when the citation names no text the registry knows, or names the one in force.
    /// The text is named by a document number (an amendment's or the first text's 令号/文号) or,
    /// failing that, by a revision note's year. The registry records when texts took effect, a
    /// note the year a revision was adopted: both years count, so no citation is called
    /// outdated for that difference.
    fn cited_text(&self, s: &str, doc: Option<&str>, entry: usize, on: NaiveDate) -> Option<bool> {
        use chrono::Datelike;
        let (e, texts) = (&self.entries[entry], &self.text_lists[entry]);
        let in_force = texts.iter().map(|t| t.from).filter(|d| *d <= on).max();
        let original = e.get("original_doc_no").and_then(Value::as_str);
        // The numbers a citation gives, worked out only for an act whose texts have numbers.
        let numbered = original.is_some() || texts.iter().any(|t| t.key.is_some());
        let cited: Vec<String> = if numbered {
            doc.map(doc_key)
                .into_iter()
                .chain(cited_doc_keys(s))
                .collect()
        } else {
            Vec::new()
        };
        let by_doc = texts
            .iter()
            .find(|t| t.key.as_ref().is_some_and(|k| cited.contains(k)));
        // The first text's number when the registry does not know when it took effect: it is
        // older than every dated text.
        let first_undated = by_doc.is_none()
            && Self::date(e, self.from).is_none()
            && original.is_some_and(|n| cited.contains(&doc_key(n)));
        if first_undated {
            return in_force.map(|_| true);
        }
        let (first, last) = match by_doc {
            Some(t) => (t.from, t.from),
            None => {
                let year = cited_revision_year(s)?;
                let candidates: Vec<NaiveDate> = texts
                    .iter()
                    .map(|t| t.from)
                    .filter(|d| d.year() == year || d.year() == year + 1)
                    .collect();
                (*candidates.first()?, *candidates.last()?)
            }
        };
        if first > on {
            return Some(false);
        }
        (in_force? > last).then_some(true)
    }

    /// An entry as a finding that relied on it shows it: which registry, the entry's key (with its
    /// number, for acts), its source and confidence.
    pub fn reference(&self, entry: usize) -> Reference {
        let e = &self.entries[entry];
        let text = |f: &str| e.get(f).and_then(Value::as_str).map(str::to_string);
        let key = KINDS
            .iter()
            .find(|k| k.name == self.name)
            .map_or("name", |k| k.key);
        Reference {
            registry: self.name.clone(),
            entry: text(key).or_else(|| text("name")).unwrap_or_default(),
            doc_no: if self.titles { text("doc_no") } else { None },
            successor_doc_no: text("replaced_by_doc_no"),
            source: text("source").unwrap_or_default(),
            confidence: text("confidence"),
        }
    }

    /// Whether a status question is answered yes.
    pub fn is(&self, s: &str, on: NaiveDate, wanted: Status) -> bool {
        self.is_cited(s, None, on, wanted)
    }

    /// [`Registry::is`] for an act's citation with its document number, if any.
    pub fn is_cited(&self, s: &str, doc: Option<&str>, on: NaiveDate, wanted: Status) -> bool {
        let found = self.cited(s, doc, on);
        match wanted {
            Status::Listed => found.is_some(),
            Status::Unlisted => found.is_none(),
            // Questions about the cited text: the act in force, its revision note judged.
            Status::OutdatedVersion | Status::VersionNotYetEffective => found.is_some_and(|i| {
                self.entry_status(&self.entries[i], on) == Status::InForce
                    && self.cited_text(s, doc, i, on) == Some(wanted == Status::OutdatedVersion)
            }),
            other => found.is_some_and(|i| self.entry_status(&self.entries[i], on) == other),
        }
    }
}

impl Registry {
    /// When an entry being added (`entry`, to be at `index`) shares a title with entry `other`
    /// and both bear different document numbers, the one the title should name (the later by
    /// `effective`); the other is remembered as an earlier bearer of the title.
    fn same_title(
        &mut self,
        other: usize,
        entry: &Map<String, Value>,
        index: usize,
    ) -> Option<usize> {
        let number = |e: &Map<String, Value>| e.get("doc_no").and_then(Value::as_str).map(doc_key);
        let (a, b) = (number(&self.entries[other])?, number(entry)?);
        if a == b {
            return None;
        }
        let (from_other, from_new) = (
            Self::date(&self.entries[other], self.from),
            Self::date(entry, self.from),
        );
        let (later, earlier) = if from_new > from_other {
            (index, other)
        } else {
            (other, index)
        };
        // Whatever the title named before now names `later`, with its earlier bearers, latest
        // first.
        let mut list = self.earlier.remove(&other).unwrap_or_default();
        list.extend(self.earlier.remove(&index).unwrap_or_default());
        if !list.contains(&earlier) {
            list.push(earlier);
        }
        let from = |j: usize| match j == index {
            true => from_new,
            false => Self::date(&self.entries[j], self.from),
        };
        list.sort_by_key(|&j| std::cmp::Reverse((from(j), j)));
        self.earlier.insert(later, list);
        Some(later)
    }
}

/// The document numbers an act's entry bears: its own, its first text's, its amendments'.
fn doc_numbers(e: &Map<String, Value>) -> Vec<String> {
    let mut out: Vec<String> = ["doc_no", "original_doc_no"]
        .iter()
        .filter_map(|f| e.get(*f)?.as_str().map(str::to_string))
        .collect();
    if let Some(Value::Array(list)) = e.get("amended") {
        out.extend(
            list.iter()
                .filter_map(|a| a.get("doc_no")?.as_str().map(str::to_string)),
        );
    }
    out.sort();
    out.dedup_by(|a, b| doc_key(a) == doc_key(b));
    out
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
                    && kind.titles
                    && let Some(later) = reg.same_title(other, &entry, index)
                {
                    // A document re-issued under its old title: both are kept, told apart by
                    // their numbers; the title names the later one (and, before it took
                    // effect, the earlier: `cited_index`).
                    reg.index.insert(norm, later);
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
            if kind.titles {
                for doc in doc_numbers(&entry) {
                    let norm = doc_key(&doc);
                    match reg.docs.get(&norm) {
                        Some(&other) if other != index => {
                            return Err(Error::rule(
                                file,
                                Location::pointer(format!("/entries/{i}")),
                                format!(
                                    "document number \"{doc}\" is already listed by another {} entry",
                                    kind.name
                                ),
                            ));
                        }
                        _ => {
                            reg.docs.insert(norm, index);
                        }
                    }
                }
            }
            let texts = reg.compute_texts(&entry);
            reg.text_lists.push(texts);
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
        let e = laws.cited("教育法", None, d("2025-06-01")).unwrap();
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

    #[test]
    fn document_numbers_compare_by_their_parts() {
        for same in [
            "财税[2017]20号",
            "财税（2017）20号",
            "财税〔2017〕第020号",
            " 财税〔2017〕20号",
        ] {
            assert_eq!(doc_key(same), doc_key("财税〔2017〕20号"), "{same}");
        }
        assert_ne!(doc_key("财税〔2017〕21号"), doc_key("财税〔2017〕20号"));
        assert_ne!(doc_key("财税〔2016〕20号"), doc_key("财税〔2017〕20号"));
    }

    #[test]
    fn order_numbers_compare_by_their_serial() {
        for same in [
            "中华人民共和国公安部令第一百六十四号",
            "公安部令第164号",
            "公安部令164号",
        ] {
            assert_eq!(doc_key(same), doc_key("公安部令第164号"), "{same}");
        }
        assert_eq!(
            doc_key("主席令第四十五号"),
            doc_key("中华人民共和国主席令第45号")
        );
        assert_eq!(doc_key("国务院令第一〇三号"), doc_key("国务院令第103号"));
        assert_ne!(doc_key("公安部令第162号"), doc_key("公安部令第164号"));
        let keys = cited_doc_keys("《城乡居民基本养老保险经办规程》（人社部发〔2014〕23号）第五条");
        assert!(keys.contains(&doc_key("人社部发〔2014〕23号")), "{keys:?}");
        let keys = cited_doc_keys("机动车登记规定（公安部令第102号）");
        assert!(keys.contains(&doc_key("公安部令第102号")), "{keys:?}");
        assert!(cited_doc_keys("机动车登记规定").is_empty());
    }

    fn orders() -> Registries {
        let mut r = Registries::default();
        r.add(
            "laws.json",
            json!({ "format": "law-registry/1", "entries": [
                { "title": "机动车登记规定", "level": "部门规章", "doc_no": "公安部令第164号",
                  "original_doc_no": "公安部令第102号", "effective": "2008-10-01",
                  "amended": [{"effective": "2012-09-12", "doc_no": "公安部令第124号"},
                              {"effective": "2022-05-01", "doc_no": "公安部令第164号"}], "source": "x" },
                { "title": "人力资源社会保障部关于印发城乡居民基本养老保险经办规程的通知",
                  "aliases": ["城乡居民基本养老保险经办规程"], "level": "规范性文件",
                  "doc_no": "人社部发〔2014〕23号", "effective": "2014-03-01", "repealed": "2019-09-01",
                  "replaced_by": "人力资源社会保障部关于印发城乡居民基本养老保险经办规程的通知",
                  "replaced_by_doc_no": "人社部发〔2019〕84号", "source": "x" },
                { "title": "人力资源社会保障部关于印发城乡居民基本养老保险经办规程的通知",
                  "aliases": ["城乡居民基本养老保险经办规程"], "level": "规范性文件",
                  "doc_no": "人社部发〔2019〕84号", "effective": "2019-09-01", "source": "x" }
            ]}),
        )
        .unwrap();
        r
    }

    #[test]
    fn an_order_number_names_the_text_cited() {
        let r = orders();
        let laws = r.get("laws").unwrap();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let on = d("2024-06-30");
        // The first text, by the number in the citation's text or in its own field.
        assert!(laws.is_cited(
            "机动车登记规定（公安部令第102号）",
            None,
            on,
            Status::OutdatedVersion
        ));
        assert!(laws.is_cited(
            "机动车登记规定",
            Some("公安部令第124号"),
            on,
            Status::OutdatedVersion
        ));
        // The text in force, or no number: nothing to say.
        assert!(!laws.is_cited(
            "机动车登记规定",
            Some("公安部令第164号"),
            on,
            Status::OutdatedVersion
        ));
        assert!(!laws.is_cited("机动车登记规定", None, on, Status::OutdatedVersion));
        // The 2022 text cited before it took effect.
        assert!(laws.is_cited(
            "机动车登记规定",
            Some("公安部令第164号"),
            d("2022-03-01"),
            Status::VersionNotYetEffective
        ));
        let e = laws.cited("机动车登记规定", None, d("2025-06-01")).unwrap();
        assert_eq!(
            laws.doc_no_in_force(e, on).as_deref(),
            Some("公安部令第164号")
        );
        assert_eq!(
            laws.doc_no_in_force(e, d("2015-01-01")).as_deref(),
            Some("公安部令第124号")
        );
        assert_eq!(
            laws.doc_no_in_force(e, d("2010-01-01")).as_deref(),
            Some("公安部令第102号")
        );
    }

    #[test]
    fn a_document_reissued_under_its_title_is_told_apart_by_number_and_date() {
        let r = orders();
        let laws = r.get("laws").unwrap();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let old = "《城乡居民基本养老保险经办规程》（人社部发〔2014〕23号）";
        assert!(laws.is_cited(old, None, d("2024-06-30"), Status::Ended));
        assert!(laws.is_cited(
            "城乡居民基本养老保险经办规程",
            Some("人社部发[2014]23号"),
            d("2024-06-30"),
            Status::Ended
        ));
        assert!(!laws.is_cited(old, None, d("2019-08-31"), Status::Ended));
        // The title alone names the document in force on the date, whichever it is.
        for on in ["2016-01-01", "2024-06-30"] {
            assert!(
                laws.is_cited("城乡居民基本养老保险经办规程", None, d(on), Status::InForce),
                "{on}"
            );
        }
        let then = laws
            .find_cited("城乡居民基本养老保险经办规程", None, d("2016-01-01"))
            .unwrap();
        assert_eq!(then["doc_no"], "人社部发〔2014〕23号");
        // A number listed by two entries is refused.
        let mut r = orders();
        let err = r
            .add("more.json", json!({ "format": "law-registry/1", "entries": [
                { "title": "另一规定", "level": "部门规章", "doc_no": "公安部令第124号", "source": "x" }
            ]}))
            .unwrap_err();
        assert!(err.to_string().contains("公安部令第124号"), "{err}");
    }

    #[test]
    fn an_amending_order_and_an_undated_first_text_are_told_apart() {
        let mut r = Registries::default();
        r.add(
            "laws.json",
            json!({ "format": "law-registry/1", "entries": [
                { "title": "驾驶证规定", "level": "部门规章", "doc_no": "公安部令第162号",
                  "original_doc_no": "公安部令第123号",
                  "amended": [{"effective": "2022-04-01", "doc_no": "公安部令第162号"},
                              {"effective": "2025-01-01", "doc_no": "公安部令第172号"}], "source": "x" }
            ]}),
        )
        .unwrap();
        let laws = r.get("laws").unwrap();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let outdated = |doc: &str, on: &str| {
            laws.is_cited("驾驶证规定", Some(doc), d(on), Status::OutdatedVersion)
        };
        // The regulation's number names its 2022 text, amended by order 172 from 2025.
        assert!(!outdated("公安部令第162号", "2024-12-31"));
        assert!(outdated("公安部令第162号", "2025-01-01"));
        assert!(!outdated("公安部令第172号", "2025-01-01"));
        // The first text, whose date the registry does not know, is older than any dated one.
        assert!(outdated("公安部令第123号", "2023-01-01"));
        let e = laws.cited("驾驶证规定", None, d("2025-06-01")).unwrap();
        assert_eq!(
            laws.doc_no_in_force(e, d("2025-06-01")).as_deref(),
            Some("公安部令第172号")
        );
    }
}
