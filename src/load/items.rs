//! Snapshot items at catalog scale: streamed from the file, validated and typed property by
//! property, with every repeated property value validated, parsed and stored once.
//!
//! A catalog repeats itself massively: thousands of implementing bodies carry the same basic item
//! with the same legal-basis list, material list, process, fee block and FAQ, and every item names
//! one of a few hundred departments, statuses and units. The loader therefore keeps a memo per
//! property keyed by the value's raw JSON text: the first item with a given material list
//! validates it against the property's schema and parses it; every later item with the same text
//! shares that parsed list ([`Shared`]) and skips both steps. Values that rarely repeat (codes)
//! are noticed after a probe and parsed directly; values that repeat only between the two
//! snapshots of an audit (a URL) stay shared, which costs about the memory it saves.
//!
//! The memos, and the typing of a property into its field, are generated from the field
//! declaration ([`crate::fields`]); how a value is parsed follows from the field's type
//! (`Property`), and each field's validator is found by its [`Field`], not by name.
//!
//! This module also reads the snapshot envelope with serde_json alone, the path taken for text
//! in memory and when the splitter ([`super::split`]) meets a malformed structure.
//!
//! The split into properties is exact (see [`schema::Parts`]); when it is not available, or an
//! item fails anywhere on this path, the item takes the whole-item path of the loader, which
//! produces the located errors. Either path gives the same [`Item`]: a test compares them.

use crate::error::{Error, Problem, Result};
use crate::fields::Field;
use crate::model::{
    Catalog, CatalogInfo, Faq, Fee, Item, ItemResult, LegalBasis, Limit, Material, Shared, Step,
    Text,
};
use crate::schema::{self, Parts};
use rayon::prelude::*;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// How many raw items are read before a batch is typed in parallel.
const BATCH: usize = 8192;

/// Raw JSON text of a property → what it validates and parses to.
type Memo<V> = crate::memo::Memo<Box<str>, V>;
/// A memo with this thread's table locked.
type Local<'l, V> = crate::memo::Local<'l, Box<str>, V>;

/// How a property's checked JSON value becomes the field's value, by the field's type: `None` for
/// a value the split path does not take (the whole-item path then says what is wrong).
trait Property: Sized {
    fn parse(value: Value) -> Option<Self>;
}

/// A required text: a string, never null.
impl Property for Text {
    fn parse(value: Value) -> Option<Self> {
        match value {
            Value::String(s) => Some(Text::from(s)),
            _ => None,
        }
    }
}

impl Property for Option<Text> {
    fn parse(value: Value) -> Option<Self> {
        match value {
            Value::Null => Some(None),
            Value::String(s) => Some(Some(Text::from(s))),
            _ => None,
        }
    }
}

impl Property for Option<i64> {
    fn parse(value: Value) -> Option<Self> {
        Self::deserialize(value).ok()
    }
}

impl Property for Option<bool> {
    fn parse(value: Value) -> Option<Self> {
        Self::deserialize(value).ok()
    }
}

/// A part parsed with serde (`null` as the type's default: no part, an empty list).
impl<T: serde::de::DeserializeOwned> Property for Shared<Vec<T>> {
    fn parse(value: Value) -> Option<Self> {
        typed(value)
    }
}

impl<T: serde::de::DeserializeOwned> Property for Option<Shared<T>> {
    fn parse(value: Value) -> Option<Self> {
        typed(value)
    }
}

fn typed<V: Default + serde::de::DeserializeOwned>(value: Value) -> Option<V> {
    if value.is_null() {
        return Some(V::default());
    }
    V::deserialize(value).ok()
}

/// Writes, from the field declaration, the loader's memo of every field, the same memos locked
/// for a thread, and the typing of one property into its field.
macro_rules! memos {
    ($($(#[$doc:meta])* $key:ident ($variant:ident, $zh:literal): $ty:ty;)*) => {
        /// One memo per item field.
        struct Memos {
            $($key: Memo<$ty>,)*
        }

        /// A loader's memos with this thread's tables locked, for a run of items.
        pub struct Locals<'l> {
            $($key: Local<'l, $ty>,)*
        }

        impl Memos {
            fn new() -> Self {
                Memos {
                    $($key: Memo::new(),)*
                }
            }

            fn local(&self) -> Locals<'_> {
                Locals {
                    $($key: self.$key.local(),)*
                }
            }
        }

        impl Loader {
            /// Types the property `key` into its field of `item`: `Some(true)` when typed,
            /// `Some(false)` when the key names no field, `None` when the value does not take
            /// the split path.
            fn field(
                &self,
                locals: &mut Locals<'_>,
                item: &mut Item,
                key: &str,
                raw: &RawValue,
            ) -> Option<bool> {
                match key {
                    $(stringify!($key) => {
                        item.$key = self.property(&mut locals.$key, Field::$variant, raw)?;
                    })*
                    _ => return Some(false),
                }
                Some(true)
            }
        }
    };
}
crate::fields::item_fields!(memos);

/// What one load (or two loads sharing it, like the two snapshots of an audit) remembers.
pub struct Loader {
    parts: Option<&'static Parts>,
    /// Each field's validator in `parts`, by [`Field`] (no lookup by name per property).
    validators: [Option<usize>; Field::COUNT],
    memos: Memos,
    /// The defaults every item starts from (its empty lists are shared, not allocated per item).
    blank: Item,
}

impl Default for Loader {
    fn default() -> Self {
        Self::new()
    }
}

impl Loader {
    pub fn new() -> Self {
        let parts = schema::snapshot_item_parts();
        Loader {
            parts,
            validators: Field::ALL.map(|f| parts.and_then(|p| p.index.get(f.key()).copied())),
            memos: Memos::new(),
            blank: Item::default(),
        }
    }

    /// This thread's memo tables, locked for a run of items (see [`crate::memo::Memo::local`]).
    pub fn locals(&self) -> Locals<'_> {
        self.memos.local()
    }

    /// Whether items are validated property by property (else whole, on the slow path).
    pub fn split(&self) -> bool {
        self.parts.is_some()
    }

    /// The raw value parsed and checked against the schema of property `which` (unchecked when
    /// the schema has none).
    fn checked(parts: &Parts, which: Option<usize>, raw: &RawValue) -> Option<Value> {
        let value: Value = serde_json::from_str(raw.get()).ok()?;
        match which {
            Some(i) => parts.validators[i].is_valid(&value).then_some(value),
            None => Some(value),
        }
    }

    /// A field's value: remembered for this raw text, or checked and parsed.
    fn property<V: Property + Clone>(
        &self,
        memo: &mut Local<'_, V>,
        field: Field,
        raw: &RawValue,
    ) -> Option<V> {
        let parts = self.parts?;
        memo.get(
            raw.get(),
            |k: &str| Box::from(k),
            || V::parse(Self::checked(parts, self.validators[field as usize], raw)?),
        )
    }

    /// The item on the split path, or `None` when it must take the whole-item path (an invalid
    /// or unusual item: the slow path then says precisely what is wrong).
    pub fn item(&self, raw: &str) -> Option<Item> {
        self.item_with(&mut self.locals(), raw)
    }

    /// [`Loader::item`] with this thread's memo tables already locked.
    pub fn item_with(&self, locals: &mut Locals<'_>, raw: &str) -> Option<Item> {
        let parts = self.parts?;
        let Pairs(pairs) = serde_json::from_str(raw).ok()?;
        if !parts
            .required
            .iter()
            .all(|r| pairs.iter().any(|(k, _)| k == r))
        {
            return None;
        }
        let mut item = self.blank.clone();
        for (key, raw) in pairs {
            // A property whose JSON text exceeds the value limit may hold a value that does;
            // the whole-item path finds it and names it (one comparison here per property).
            if raw.get().len() > crate::limits::MAX_VALUE_BYTES {
                return None;
            }
            if !self.field(locals, &mut item, &key, raw)? {
                let value = Self::checked(parts, parts.index.get(&*key).copied(), raw)?;
                item.extra.insert(key.into_owned(), value);
            }
        }
        Some(item)
    }
}

/// An object's members in order, keys borrowed where the text allows, values as raw text.
struct Pairs<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: de::Error>(
                self,
                v: &'de str,
            ) -> std::result::Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for Pairs<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Pairs<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Pairs<'de>, A::Error> {
                let mut out = Vec::with_capacity(40);
                while let Some(Key(k)) = map.next_key()? {
                    out.push((k, map.next_value::<&'de RawValue>()?));
                }
                Ok(Pairs(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// What streaming a snapshot collects.
pub(super) struct Collect<'a> {
    loader: &'a Loader,
    file: &'a str,
    pub(super) format: Option<Value>,
    pub(super) catalog: Option<Value>,
    /// `items` when it is not an array (for the schema to name).
    pub(super) items_other: Option<Value>,
    pub(super) items_seen: bool,
    items: Vec<Item>,
    problems: Vec<Problem>,
    batch: Vec<Box<RawValue>>,
    pub(super) read: usize,
}

impl<'a> Collect<'a> {
    pub(super) fn new(loader: &'a Loader, file: &'a str) -> Self {
        Collect {
            loader,
            file,
            format: None,
            catalog: None,
            items_other: None,
            items_seen: false,
            items: Vec::new(),
            problems: Vec::new(),
            batch: Vec::new(),
            read: 0,
        }
    }

    /// Types the batch in parallel, keeping file order.
    fn flush(&mut self) {
        let batch = std::mem::take(&mut self.batch);
        let raws: Vec<&str> = batch.iter().map(|r| r.get()).collect();
        // serde_json has already parsed these: none is malformed.
        let _ = self.type_items(self.read - raws.len(), &raws);
    }

    /// Types items (raw JSON texts, the first at position `base` of the file's list) in
    /// parallel, keeping file order. Returns false when a text is not JSON at all (the caller
    /// then has serde_json read the whole file, to name the line and column).
    pub(super) fn type_items(&mut self, base: usize, raws: &[&str]) -> bool {
        let loader = self.loader;
        let results: Vec<std::result::Result<Item, Vec<Problem>>> = raws
            .par_iter()
            .enumerate()
            .map_init(
                || loader.locals(),
                |locals, (i, raw)| match loader.item_with(locals, raw) {
                    Some(item) => Ok(item),
                    None => match serde_json::from_str::<&RawValue>(raw) {
                        Ok(raw) => super::item_from_raw(schema::snapshot_item(), raw, base + i),
                        Err(_) => Err(Vec::new()),
                    },
                },
            )
            .collect();
        if results.iter().any(|r| matches!(r, Err(p) if p.is_empty())) {
            return false;
        }
        for r in results {
            match r {
                Ok(item) => self.items.push(item),
                Err(p) if self.problems.len() < super::MAX_PROBLEMS => self.problems.extend(p),
                Err(_) => {}
            }
        }
        // Once the file is known to be bad, typed items are no longer kept.
        if !self.problems.is_empty() {
            self.items.clear();
        }
        true
    }
}

struct Envelope<'c, 'a>(&'c mut Collect<'a>);

impl<'de> DeserializeSeed<'de> for Envelope<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Envelope<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a catalog-snapshot/1 object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        while let Some(key) = map.next_key::<Cow<'_, str>>()? {
            match &*key {
                "format" => self.0.format = map.next_value::<Option<Value>>()?,
                "catalog" => self.0.catalog = map.next_value::<Option<Value>>()?,
                "items" => {
                    self.0.items_seen = true;
                    map.next_value_seed(Items(&mut *self.0))?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct Items<'c, 'a>(&'c mut Collect<'a>);

impl<'de> DeserializeSeed<'de> for Items<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl Items<'_, '_> {
    fn other<E>(self, v: Value) -> std::result::Result<(), E> {
        if v.is_null() {
            self.0.items_seen = false;
        } else {
            self.0.items_other = Some(v);
        }
        Ok(())
    }
}

impl<'de> Visitor<'de> for Items<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of items")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            self.0.batch.push(raw);
            self.0.read += 1;
            if self.0.batch.len() == BATCH {
                self.0.flush();
            }
        }
        self.0.flush();
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<(), A::Error> {
        let v = Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
        self.other(v)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<(), E> {
        self.other(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<(), E> {
        self.other(Value::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<(), E> {
        self.other(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<(), E> {
        self.other(Value::from(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<(), E> {
        self.other(Value::from(v))
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<(), E> {
        self.other(Value::Null)
    }
}

/// Reads a `catalog-snapshot/1` document without holding its text: items are read in batches and
/// typed in parallel while the file streams by.
pub fn read_snapshot<'de, R: serde_json::de::Read<'de>>(
    file: &str,
    de: &mut serde_json::Deserializer<R>,
    loader: &Loader,
) -> Result<Catalog> {
    let mut c = Collect::new(loader, file);
    Envelope(&mut c)
        .deserialize(&mut *de)
        .map_err(|e| super::syntax(file, &e))?;
    de.end().map_err(|e| super::syntax(file, &e))?;
    c.finish()
}

impl Collect<'_> {
    /// The catalog, or every problem found.
    pub(super) fn finish(self) -> Result<Catalog> {
        let mut c = self;

        // The envelope without its items is validated against the whole-document schema.
        let mut head = Map::new();
        if let Some(f) = c.format.take() {
            head.insert("format".into(), f);
        }
        if let Some(cat) = &c.catalog {
            head.insert("catalog".into(), cat.clone());
        }
        if c.items_seen {
            head.insert(
                "items".into(),
                c.items_other.take().unwrap_or(Value::Array(Vec::new())),
            );
        }
        let mut problems = schema::problems(schema::snapshot(), &Value::Object(head), None, "");
        let info = match c.catalog.take() {
            Some(cat) if problems.is_empty() => match CatalogInfo::deserialize(cat) {
                Ok(info) => info,
                Err(e) => {
                    problems.push(Problem {
                        location: crate::location::Location::pointer("/catalog"),
                        message: e.to_string(),
                    });
                    CatalogInfo::default()
                }
            },
            _ => CatalogInfo::default(),
        };
        problems.append(&mut c.problems);
        problems.truncate(super::MAX_PROBLEMS);
        if problems.is_empty() {
            problems.extend(super::duplicate_codes(&c.items));
        }
        if !problems.is_empty() {
            return Err(Error::Input {
                file: c.file.to_string(),
                problems,
            });
        }
        Ok(Catalog {
            source: c.file.to_string(),
            info,
            items: c.items,
            warnings: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant of every demo item: each property replaced by null, a number, a string, a
    /// list and an object, or removed.
    fn variants() -> Vec<String> {
        let mut out = Vec::new();
        for file in ["2017-06-30.json", "2017-12-31.json"] {
            let path = format!("{}/examples/qinghe/{file}", env!("CARGO_MANIFEST_DIR"));
            let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            for item in doc["items"].as_array().unwrap() {
                out.push(item.to_string());
                let obj = item.as_object().unwrap();
                for key in obj.keys() {
                    for v in [
                        Value::Null,
                        Value::from(-3),
                        Value::from("x"),
                        Value::from(vec![Value::from("x")]),
                        serde_json::json!({"name": "x"}),
                    ] {
                        let mut m = obj.clone();
                        m.insert(key.clone(), v);
                        out.push(Value::Object(m).to_string());
                    }
                    let mut m = obj.clone();
                    m.remove(key);
                    out.push(Value::Object(m).to_string());
                }
            }
        }
        out.push("[1, 2]".into());
        out.push("\"item\"".into());
        out
    }

    #[test]
    fn split_path_agrees_with_whole_item_validation_and_typing() {
        let loader = Loader::new();
        assert!(
            loader.split(),
            "the item schema is split property by property"
        );
        let whole = schema::snapshot_item();
        let (mut fast, mut rejected) = (0, 0);
        for (i, text) in variants().iter().enumerate() {
            let raw = RawValue::from_string(text.clone()).unwrap();
            let slow = super::super::item_from_raw(whole, &raw, i);
            match (loader.item(text), slow) {
                (Some(a), Ok(b)) => {
                    assert_eq!(a, b, "variant {i}: {text}");
                    assert_eq!(
                        serde_json::to_value(&a).unwrap(),
                        serde_json::to_value(&b).unwrap()
                    );
                    fast += 1;
                }
                (Some(_), Err(p)) => panic!("split path accepted an invalid item {text}: {p:?}"),
                (None, Ok(_)) => panic!("split path refused a valid item: {text}"),
                (None, Err(_)) => rejected += 1,
            }
        }
        // Both outcomes are exercised.
        assert!(
            fast > 1000 && rejected > 100,
            "{fast} typed, {rejected} rejected"
        );
    }

    #[test]
    fn repeated_values_are_shared_between_items_and_loads() {
        // One worker thread: values are shared within a thread's memo tables.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        pool.install(shared_within_a_thread);
    }

    fn shared_within_a_thread() {
        let loader = Loader::new();
        let path = format!(
            "{}/examples/qinghe/2017-06-30.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).unwrap();
        let mut de = serde_json::Deserializer::from_str(&text);
        let a = read_snapshot("a.json", &mut de, &loader).unwrap();
        let mut de = serde_json::Deserializer::from_str(&text);
        let b = read_snapshot("b.json", &mut de, &loader).unwrap();
        assert_eq!(a.items, b.items);
        for (x, y) in a.items.iter().zip(&b.items) {
            assert!(std::sync::Arc::ptr_eq(&x.department, &y.department));
            assert!(std::sync::Arc::ptr_eq(&x.materials, &y.materials));
        }
    }
}
