//! The condition language of rule files, compiled once and evaluated on the typed model.
//!
//! A rule says `when` it applies and what it must `require`; a finding is raised when `when` holds
//! and `require` does not. Operators (all written as one-key JSON objects):
//!
//! | operator | meaning |
//! |---|---|
//! | `{"all": [c…]}`, `{"any": [c…]}`, `{"not": c}` | logic |
//! | `{"present": "path"}` | some value at the path is filled (not missing, null, blank or an empty list) |
//! | `{"equals": {"path", "value"}}` | some value at the path equals the literal |
//! | `{"one_of": {"path", "values": […]}}` | some value at the path is one of the literals |
//! | `{"matches": {"path", "pattern"}}` | some text value at the path matches the regular expression |
//! | `{"compare": {"left", "op", "right"}}` | numbers, dates or text; `op` is lt, le, gt, ge, eq, ne |
//! | `{"every": {"path", "require": c}}` | every element of the list satisfies `c` (true for an empty list) |
//! | `{"some": {"path", "where": c}}` | at least one element of the list satisfies `c` |
//! | `{"unique_in_list": "path"}` | inside `for_each`: no earlier element has the same normalised value |
//! | `{"valid": {"path", "format"}}` | every filled value is valid in `format` (`gb32100`, `date`) |
//! | `{"registry_list": {"name", "key", "list", "field", "values"}}` | some value at `values` is among the `field`s of the `list` of the registry entry `key` names (document numbers normalised); holds when nothing is cited or the registry has nothing to compare |
//! | `{"registry": {"name", "key", "status"}}` | a value at `key` has `status` (listed, unlisted, in_force, ended, not_yet_effective; for an act's citation also outdated_version, version_not_yet_effective, judged from its revision note) in a registry as of the evaluation date |
//!
//! Operands of `compare` are `{"path"}`, `{"value"}`, a bare number, `{"sum": path}`, `{"count": path}`,
//! `{"working_days": [from, to]}`, `{"days": [from, to]}` (from and to are operands; a bare string
//! is a path), `{"lookup": {"registry", "key", "field"}}` (a field of the registry entry a value
//! names, e.g. a law's `repealed` date), `{"amount": path}` (the money in a fee standard, "每证20元"
//! → 20), `{"diff": [a, b]}` (a − b) or `{"ratio": [a, b]}` (a ÷ b). A comparison with a missing operand is false, so guard it with `present` in `when`.
//!
//! Paths: `a.b.c`; a list on the way is entered element by element (`materials[].name`, the `[]` is
//! optional). `$.x` reads the item from inside `for_each`; `@old.x` the item's previous version;
//! `@change.kind`, `@change.fields`, `@change.unrequested_fields`; `@adjustment.x` the matched
//! adjustment request; `@item.x` the item an adjustment request is about; `@applied` whether a
//! request shows in the new snapshot; `@as_of` the evaluation date; `@requests` how many adjustment
//! requests name the item; `@peers.names` / `@peers.item_types` the distinct names and types of the live
//! items with the same basic code (this one included); `extra.KEY` a key the contract does not name.

use crate::calendar::Calendar;
use crate::node::{self, Node, Shape, Val};
use crate::text;
use chrono::NaiveDate;
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Rule-file form (deserialised with unknown keys rejected).

/// A condition as written in a rule file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum CondSpec {
    All(Vec<CondSpec>),
    Any(Vec<CondSpec>),
    Not(Box<CondSpec>),
    Present(String),
    Equals(EqualsSpec),
    OneOf(OneOfSpec),
    Matches(MatchesSpec),
    Compare(CompareSpec),
    Every(EverySpec),
    Some(SomeSpec),
    UniqueInList(String),
    Valid(ValidSpec),
    Registry(RegistrySpec),
    RegistryList(RegistryListSpec),
}

/// `{"registry_list": {"name": "fees", "key": "name", "list": "basis", "field": "doc_no",
/// "values": "basis[].doc_no"}}`: some value at `values` is among the `field`s of the `list` of
/// the registry entry that the value at `key` names (document numbers compared with their
/// brackets, width and spaces normalised). Holds when nothing is cited, when the registry does not
/// know the key, or when its entry lists nothing: there is nothing to compare.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryListSpec {
    pub name: String,
    pub key: String,
    pub list: String,
    pub field: String,
    pub values: String,
}

/// `{"registry": {"name": "laws", "key": "title", "status": "ended"}}`: a value at `key` has this
/// status in the registry as of the evaluation date.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrySpec {
    pub name: String,
    pub key: String,
    /// For acts: the path of the citation's document number, which names the text (or the
    /// same-titled document) cited before its title does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_no: Option<String>,
    pub status: crate::registry::Status,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EqualsSpec {
    pub path: String,
    pub value: Value,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OneOfSpec {
    pub path: String,
    pub values: Vec<Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchesSpec {
    pub path: String,
    pub pattern: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompareSpec {
    pub left: ExprSpec,
    pub op: CmpOp,
    pub right: ExprSpec,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EverySpec {
    pub path: String,
    pub require: Box<CondSpec>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SomeSpec {
    pub path: String,
    #[serde(rename = "where")]
    pub where_: Box<CondSpec>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidSpec {
    pub path: String,
    pub format: Format,
}

/// Formats `valid` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// 统一社会信用代码, GB 32100-2015: 18 characters with a check character.
    Gb32100,
    /// An ISO date, `YYYY-MM-DD`.
    Date,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

/// An operand of `compare`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ExprSpec {
    Number(f64),
    /// A bare string is a path.
    Path(String),
    Op(ExprOpSpec),
}

/// `{"lookup": {"registry": "laws", "key": "title", "field": "repealed"}}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LookupSpec {
    pub registry: String,
    pub key: String,
    /// As in `registry`: the path of the citation's document number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_no: Option<String>,
    pub field: String,
}

/// `{"registry": "laws", "key": "title", "doc_no": "doc_no"}`: the registry entry a finding
/// relied on, shown with it (its source and confidence) so a reviewer can check it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceSpec {
    pub registry: String,
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_no: Option<String>,
}

/// A compiled [`ReferenceSpec`].
#[derive(Debug, Clone)]
pub struct ReferenceExpr {
    registry: String,
    key: Path,
    doc: Option<Path>,
}

impl ReferenceExpr {
    pub fn compile(spec: &ReferenceSpec, shapes: ShapeCtx, at: &str) -> Result<Self, String> {
        known_registry(&spec.registry, at)?;
        let path = |p: &str| {
            Path::compile(p, shapes)
                .map(|(p, _)| p)
                .map_err(|e| format!("{at}: {e}"))
        };
        Ok(ReferenceExpr {
            registry: spec.registry.clone(),
            key: path(&spec.key)?,
            doc: spec.doc_no.as_deref().map(path).transpose()?,
        })
    }

    /// The entry the value at `key` names in the registry, as a finding shows it.
    pub fn entry<'a>(
        &self,
        ctx: &Ctx<'a>,
        scope: &Scope<'a>,
    ) -> Option<crate::registry::Reference> {
        let registry = ctx.registries.get(&self.registry)?;
        let doc = cited_doc(self.doc.as_ref(), ctx, scope);
        let e = self
            .key
            .flat(ctx, scope)
            .iter()
            .filter_map(Val::as_str)
            .find_map(|k| registry.cited(k, doc, ctx.as_of))?;
        Some(registry.reference(e))
    }

    /// Its paths, for [`Reads`].
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        std::iter::once(&self.key).chain(self.doc.as_ref())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ExprOpSpec {
    Path(String),
    Value(Value),
    Sum(String),
    Count(String),
    WorkingDays(Box<[ExprSpec; 2]>),
    Days(Box<[ExprSpec; 2]>),
    Lookup(LookupSpec),
    /// The amount of money in a text ("每证20元" → 20), summed over the values at the path.
    Amount(String),
    /// The largest amount of money anywhere in the texts at the path ("申领每证20元；补领每证40元"
    /// → 40).
    MaxAmount(String),
    /// `{"diff": [a, b]}`: a − b.
    Diff(Box<[ExprSpec; 2]>),
    /// `{"ratio": [a, b]}`: a ÷ b (missing when b is 0).
    Ratio(Box<[ExprSpec; 2]>),
}

// ---------------------------------------------------------------------------------------------
// Paths.

/// Where a path starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    /// The current node: the subject, or the element inside `for_each` / `every` / `some`.
    Current,
    /// `$`: the subject itself.
    Subject,
    /// `@old`: the previous version of the item.
    Old,
    /// `@item`: the item an adjustment request is about.
    Item,
    /// `@adjustment`: the request matched to an item's change.
    Adjustment,
    /// `@change.kind`.
    ChangeKind,
    /// `@change.fields`.
    ChangeFields,
    /// `@change.unrequested_fields`.
    Unrequested,
    /// `@applied`.
    Applied,
    /// `@as_of`.
    AsOf,
    /// `@requests`: how many adjustment requests name the item.
    Requests,
    /// `@peers.names`: the distinct names of the live items with the same basic code (this one too).
    PeerNames,
    /// `@peers.item_types`: their distinct item types.
    PeerTypes,
}

/// The values a path reaches (a few, nearly always).
pub type Vals<'a> = smallvec::SmallVec<[Val<'a>; 4]>;

/// A compiled path.
#[derive(Debug, Clone)]
pub struct Path {
    pub text: String,
    pub root: Root,
    pub keys: Vec<String>,
}

/// What the engine knows while evaluating one subject.
pub struct Ctx<'a> {
    pub subject: &'a dyn Node,
    pub old: Option<&'a dyn Node>,
    pub item: Option<&'a dyn Node>,
    pub adjustment: Option<&'a dyn Node>,
    pub change_kind: &'static str,
    pub change_fields: &'a [String],
    pub unrequested: &'a [String],
    pub applied: Option<bool>,
    pub as_of: NaiveDate,
    pub calendar: &'a Calendar,
    pub registries: &'a crate::registry::Registries,
    /// How many adjustment requests name the item's code (any kind, any state).
    pub requests: usize,
    /// Distinct names and types of the live items of the snapshot with the same basic code.
    pub peer_names: &'a [String],
    pub peer_types: &'a [String],
    /// The element profile CF-01 judges against, and the item fields the catalog carries for
    /// some item (sorted; for the profile's `when_carried` elements).
    pub profile: Option<&'a crate::rules::profile::Profile>,
    pub carried: &'a [String],
}

impl<'a> Ctx<'a> {
    /// The context of `subject` alone, on `as_of`: no old version, request, change or peers (the
    /// caller fills in what it knows).
    pub fn of(
        subject: &'a dyn Node,
        as_of: NaiveDate,
        calendar: &'a Calendar,
        registries: &'a crate::registry::Registries,
    ) -> Self {
        Ctx {
            subject,
            old: None,
            item: None,
            adjustment: None,
            change_kind: "unchanged",
            change_fields: &[],
            unrequested: &[],
            applied: None,
            as_of,
            calendar,
            registries,
            requests: 0,
            peer_names: &[],
            peer_types: &[],
            profile: None,
            carried: &[],
        }
    }
}

/// The element being evaluated inside `for_each`, with its siblings (for `unique_in_list`).
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub current: Val<'a>,
    pub siblings: Option<(&'a [Val<'a>], usize)>,
}

/// What kind of node the current position has, for checking paths at load time.
#[derive(Debug, Clone, Copy)]
pub struct ShapeCtx {
    pub subject: Shape,
    pub current: Shape,
    pub in_list: bool,
}

impl Path {
    /// Parses and checks a path against the model's shape.
    pub fn compile(text: &str, shapes: ShapeCtx) -> Result<(Path, Shape), String> {
        let (root, rest, start) = if let Some(rest) = text.strip_prefix("$.") {
            (Root::Subject, rest, shapes.subject)
        } else if let Some(rest) = text.strip_prefix("@old.") {
            (Root::Old, rest, Shape::Item)
        } else if let Some(rest) = text.strip_prefix("@item.") {
            (Root::Item, rest, Shape::Item)
        } else if let Some(rest) = text.strip_prefix("@adjustment.") {
            (Root::Adjustment, rest, Shape::Adjustment)
        } else if text.starts_with('@') {
            let root = match text {
                "@change.kind" => Root::ChangeKind,
                "@change.fields" => Root::ChangeFields,
                "@change.unrequested_fields" => Root::Unrequested,
                "@applied" => Root::Applied,
                "@as_of" => Root::AsOf,
                "@requests" => Root::Requests,
                "@peers.names" => Root::PeerNames,
                "@peers.item_types" => Root::PeerTypes,
                _ => {
                    return Err(format!(
                        "unknown path root in \"{text}\" (known: $, @old, @item, @adjustment, @change.kind, @change.fields, @change.unrequested_fields, @applied, @as_of, @requests, @peers.names, @peers.item_types)"
                    ));
                }
            };
            let shape = match root {
                Root::ChangeFields | Root::Unrequested | Root::PeerNames | Root::PeerTypes => {
                    Shape::Strings
                }
                Root::AsOf => Shape::Date,
                _ => Shape::Scalar,
            };
            return Ok((
                Path {
                    text: text.to_string(),
                    root,
                    keys: Vec::new(),
                },
                shape,
            ));
        } else if text == "." || text.is_empty() {
            return Ok((
                Path {
                    text: text.to_string(),
                    root: Root::Current,
                    keys: Vec::new(),
                },
                shapes.current,
            ));
        } else {
            (Root::Current, text, shapes.current)
        };
        let mut shape = start;
        let mut keys = Vec::new();
        let mut extra = false;
        for raw in rest.split('.') {
            let key = raw.strip_suffix("[]").unwrap_or(raw);
            if key.is_empty() {
                return Err(format!("empty segment in path \"{text}\""));
            }
            if extra || shape == Shape::Any {
                keys.push(key.to_string());
                extra = false;
                shape = Shape::Any;
                continue;
            }
            if key == "extra" {
                extra = true;
                continue;
            }
            match node::child(shape, key) {
                Some((next, _list)) => {
                    keys.push(key.to_string());
                    shape = next;
                }
                None => {
                    return Err(format!(
                        "unknown field \"{key}\" in path \"{text}\" (a key the contract does not name is read as extra.{key})"
                    ));
                }
            }
        }
        if extra {
            return Err(format!(
                "path \"{text}\" ends with extra; name the key: extra.KEY"
            ));
        }
        Ok((
            Path {
                text: text.to_string(),
                root,
                keys,
            },
            shape,
        ))
    }

    /// Every value at this path, lists on the way entered element by element.
    pub fn values<'a>(&self, ctx: &Ctx<'a>, scope: &Scope<'a>) -> Vals<'a> {
        let start = match self.root {
            Root::Current => scope.current,
            Root::Subject => Val::Obj(ctx.subject),
            Root::Old => ctx.old.map_or(Val::Missing, Val::Obj),
            Root::Item => ctx.item.map_or(Val::Missing, Val::Obj),
            Root::Adjustment => ctx.adjustment.map_or(Val::Missing, Val::Obj),
            Root::ChangeKind => Val::Str(ctx.change_kind),
            Root::ChangeFields => Val::Strs(ctx.change_fields),
            Root::Unrequested => Val::Strs(ctx.unrequested),
            Root::Applied => ctx.applied.map_or(Val::Missing, Val::Bool),
            Root::AsOf => Val::Date(ctx.as_of),
            Root::Requests => Val::Int(ctx.requests as i64),
            Root::PeerNames => Val::Strs(ctx.peer_names),
            Root::PeerTypes => Val::Strs(ctx.peer_types),
        };
        // Paths are evaluated millions of times: values stay on the stack unless there are many.
        let mut cur: Vals<'a> = smallvec::smallvec![start];
        for key in &self.keys {
            let mut next = Vals::new();
            for v in cur {
                if !v.each_element(|e| next.push(e.get(key))) {
                    next.push(v.get(key));
                }
            }
            cur = next;
        }
        cur.retain(|v| !matches!(v, Val::Missing));
        cur
    }

    /// The values, with a list at the end expanded into its elements.
    pub fn flat<'a>(&self, ctx: &Ctx<'a>, scope: &Scope<'a>) -> Vals<'a> {
        let mut out = Vals::new();
        for v in self.values(ctx, scope) {
            if !v.each_element(|e| out.push(e)) {
                out.push(v);
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Compiled conditions.

/// A compiled condition.
#[derive(Debug, Clone)]
pub enum Cond {
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
    Present(Path),
    Equals(Path, Value),
    OneOf(Path, Vec<Value>),
    Matches(Path, Regex),
    Compare(Expr, CmpOp, Expr),
    Every(Path, Box<Cond>),
    Some(Path, Box<Cond>),
    UniqueInList(Path),
    Valid(Path, Format),
    Registry(String, Path, Option<Path>, crate::registry::Status),
    /// Registry name, key path, the entry's list and its field, the values path.
    RegistryList(String, Path, String, String, Path),
}

/// A compiled operand.
#[derive(Debug, Clone)]
pub enum Expr {
    Path(Path),
    Value(Value),
    Sum(Path),
    Count(Path),
    WorkingDays(Box<Expr>, Box<Expr>),
    Days(Box<Expr>, Box<Expr>),
    Lookup(String, Path, Option<Path>, String),
    Amount(Path),
    MaxAmount(Path),
    Diff(Box<Expr>, Box<Expr>),
    Ratio(Box<Expr>, Box<Expr>),
}

/// The result of an operand.
#[derive(Debug, Clone, PartialEq)]
enum Scalar {
    Num(f64),
    Text(String),
    Date(NaiveDate),
    Bool(bool),
}

impl Cond {
    /// Compiles a condition, checking every path and regular expression.
    pub fn compile(spec: &CondSpec, shapes: ShapeCtx, at: &str) -> Result<Cond, String> {
        let path = |p: &str| {
            Path::compile(p, shapes)
                .map(|(p, _)| p)
                .map_err(|e| format!("{at}: {e}"))
        };
        Ok(match spec {
            CondSpec::All(cs) => Cond::All(
                cs.iter()
                    .enumerate()
                    .map(|(i, c)| Cond::compile(c, shapes, &format!("{at}/all/{i}")))
                    .collect::<Result<_, _>>()?,
            ),
            CondSpec::Any(cs) => Cond::Any(
                cs.iter()
                    .enumerate()
                    .map(|(i, c)| Cond::compile(c, shapes, &format!("{at}/any/{i}")))
                    .collect::<Result<_, _>>()?,
            ),
            CondSpec::Not(c) => {
                Cond::Not(Box::new(Cond::compile(c, shapes, &format!("{at}/not"))?))
            }
            CondSpec::Present(p) => Cond::Present(path(p)?),
            CondSpec::Equals(e) => Cond::Equals(path(&e.path)?, e.value.clone()),
            CondSpec::OneOf(e) => Cond::OneOf(path(&e.path)?, e.values.clone()),
            CondSpec::Matches(m) => {
                let re = Regex::new(&m.pattern).map_err(|e| {
                    format!("{at}/matches/pattern: invalid regular expression: {e}")
                })?;
                Cond::Matches(path(&m.path)?, re)
            }
            CondSpec::Compare(c) => Cond::Compare(
                Expr::compile(&c.left, shapes, &format!("{at}/compare/left"))?,
                c.op,
                Expr::compile(&c.right, shapes, &format!("{at}/compare/right"))?,
            ),
            CondSpec::Every(e) => {
                let (p, inner) = list_path(&e.path, shapes, at)?;
                let c = Cond::compile(&e.require, inner, &format!("{at}/every/require"))?;
                Cond::Every(p, Box::new(c))
            }
            CondSpec::Some(s) => {
                let (p, inner) = list_path(&s.path, shapes, at)?;
                let c = Cond::compile(&s.where_, inner, &format!("{at}/some/where"))?;
                Cond::Some(p, Box::new(c))
            }
            CondSpec::UniqueInList(p) => {
                if !shapes.in_list {
                    return Err(format!(
                        "{at}: unique_in_list only works inside for_each over a list"
                    ));
                }
                Cond::UniqueInList(path(p)?)
            }
            CondSpec::Valid(v) => Cond::Valid(path(&v.path)?, v.format),
            CondSpec::Registry(r) => {
                known_registry(&r.name, at)?;
                let doc = r.doc_no.as_deref().map(&path).transpose()?;
                Cond::Registry(r.name.clone(), path(&r.key)?, doc, r.status)
            }
            CondSpec::RegistryList(r) => {
                known_registry(&r.name, at)?;
                Cond::RegistryList(
                    r.name.clone(),
                    path(&r.key)?,
                    r.list.clone(),
                    r.field.clone(),
                    path(&r.values)?,
                )
            }
        })
    }

    /// Evaluates the condition.
    pub fn eval<'a>(&self, ctx: &Ctx<'a>, scope: &Scope<'a>) -> bool {
        match self {
            Cond::All(cs) => cs.iter().all(|c| c.eval(ctx, scope)),
            Cond::Any(cs) => cs.iter().any(|c| c.eval(ctx, scope)),
            Cond::Not(c) => !c.eval(ctx, scope),
            Cond::Present(p) => p.values(ctx, scope).iter().any(|v| !v.is_empty()),
            Cond::Equals(p, lit) => p.flat(ctx, scope).iter().any(|v| equals(v, lit)),
            Cond::OneOf(p, lits) => p
                .flat(ctx, scope)
                .iter()
                .any(|v| lits.iter().any(|l| equals(v, l))),
            Cond::Matches(p, re) => p
                .flat(ctx, scope)
                .iter()
                .any(|v| v.as_str().is_some_and(|s| re.is_match(s))),
            Cond::Compare(l, op, r) => match (l.eval(ctx, scope), r.eval(ctx, scope)) {
                (Some(a), Some(b)) => compare(&a, *op, &b),
                _ => false,
            },
            Cond::Every(p, c) => {
                let els = p.flat(ctx, scope);
                (0..els.len()).all(|i| {
                    c.eval(
                        ctx,
                        &Scope {
                            current: els[i],
                            siblings: Some((&els, i)),
                        },
                    )
                })
            }
            Cond::Some(p, c) => {
                let els = p.flat(ctx, scope);
                (0..els.len()).any(|i| {
                    c.eval(
                        ctx,
                        &Scope {
                            current: els[i],
                            siblings: Some((&els, i)),
                        },
                    )
                })
            }
            Cond::UniqueInList(p) => {
                let Some((siblings, index)) = scope.siblings else {
                    return true;
                };
                let key_of = |v: Val<'a>| -> Option<String> {
                    let s = Scope {
                        current: v,
                        siblings: None,
                    };
                    p.values(ctx, &s).first().map(|x| text::key(&x.display()))
                };
                let Some(mine) = key_of(siblings[index]) else {
                    return true;
                };
                !siblings[..index]
                    .iter()
                    .any(|s| key_of(*s).as_deref() == Some(mine.as_str()))
            }
            Cond::Valid(p, format) => p
                .flat(ctx, scope)
                .iter()
                .filter(|v| !v.is_empty())
                .all(|v| valid(v, *format)),
            Cond::RegistryList(name, key, list, field, values) => {
                let cited: Vec<String> = values
                    .flat(ctx, scope)
                    .iter()
                    .filter_map(Val::as_str)
                    .map(crate::registry::doc_key)
                    .filter(|v| !v.is_empty())
                    .collect();
                let Some(registry) = ctx.registries.get(name) else {
                    return true;
                };
                let listed: Vec<String> = key
                    .flat(ctx, scope)
                    .iter()
                    .filter_map(Val::as_str)
                    .filter_map(|k| registry.find(k))
                    .filter_map(|e| e.get(list.as_str())?.as_array())
                    .flatten()
                    .filter_map(|x| x.get(field.as_str())?.as_str())
                    .map(crate::registry::doc_key)
                    .collect();
                cited.is_empty() || listed.is_empty() || cited.iter().any(|c| listed.contains(c))
            }
            Cond::Registry(name, p, doc, status) => {
                let registry = ctx.registries.get(name);
                let values = p.flat(ctx, scope);
                let doc = cited_doc(doc.as_ref(), ctx, scope);
                match registry {
                    // No file supplied this registry: nothing is listed in it.
                    None => *status == crate::registry::Status::Unlisted && !values.is_empty(),
                    Some(r) => values
                        .iter()
                        .filter_map(Val::as_str)
                        .any(|s| r.is_cited(s, doc, ctx.as_of, *status)),
                }
            }
        }
    }
}

fn list_path(p: &str, shapes: ShapeCtx, at: &str) -> Result<(Path, ShapeCtx), String> {
    let (path, shape) = Path::compile(p, shapes).map_err(|e| format!("{at}: {e}"))?;
    let element = match shape {
        Shape::Strings => Shape::Scalar,
        s => s,
    };
    Ok((
        path,
        ShapeCtx {
            subject: shapes.subject,
            current: element,
            in_list: true,
        },
    ))
}

impl Expr {
    /// The operand as finding evidence: a path's values joined, or the computed value.
    pub fn display<'a>(&self, ctx: &Ctx<'a>, scope: &Scope<'a>) -> String {
        match self {
            Expr::Path(p) => p
                .values(ctx, scope)
                .iter()
                .map(Val::display)
                .collect::<Vec<_>>()
                .join("；"),
            other => match other.eval(ctx, scope) {
                Some(Scalar::Num(n)) => crate::node::format_num(n),
                Some(Scalar::Text(t)) => t,
                Some(Scalar::Date(d)) => d.to_string(),
                Some(Scalar::Bool(b)) => b.to_string(),
                None => String::new(),
            },
        }
    }

    /// Compiles an operand, checking its paths.
    pub fn compile(spec: &ExprSpec, shapes: ShapeCtx, at: &str) -> Result<Expr, String> {
        let path = |p: &str| {
            Path::compile(p, shapes)
                .map(|(p, _)| p)
                .map_err(|e| format!("{at}: {e}"))
        };
        Ok(match spec {
            ExprSpec::Number(n) => Expr::Value(serde_json::json!(n)),
            ExprSpec::Path(p) | ExprSpec::Op(ExprOpSpec::Path(p)) => Expr::Path(path(p)?),
            ExprSpec::Op(ExprOpSpec::Value(v)) => Expr::Value(v.clone()),
            ExprSpec::Op(ExprOpSpec::Sum(p)) => Expr::Sum(path(p)?),
            ExprSpec::Op(ExprOpSpec::Count(p)) => Expr::Count(path(p)?),
            ExprSpec::Op(ExprOpSpec::WorkingDays(pair)) => Expr::WorkingDays(
                Box::new(Expr::compile(&pair[0], shapes, at)?),
                Box::new(Expr::compile(&pair[1], shapes, at)?),
            ),
            ExprSpec::Op(ExprOpSpec::Days(pair)) => Expr::Days(
                Box::new(Expr::compile(&pair[0], shapes, at)?),
                Box::new(Expr::compile(&pair[1], shapes, at)?),
            ),
            ExprSpec::Op(ExprOpSpec::Lookup(l)) => {
                known_registry(&l.registry, at)?;
                let doc = l.doc_no.as_deref().map(&path).transpose()?;
                Expr::Lookup(l.registry.clone(), path(&l.key)?, doc, l.field.clone())
            }
            ExprSpec::Op(ExprOpSpec::Amount(p)) => Expr::Amount(path(p)?),
            ExprSpec::Op(ExprOpSpec::MaxAmount(p)) => Expr::MaxAmount(path(p)?),
            ExprSpec::Op(ExprOpSpec::Diff(pair)) => Expr::Diff(
                Box::new(Expr::compile(&pair[0], shapes, at)?),
                Box::new(Expr::compile(&pair[1], shapes, at)?),
            ),
            ExprSpec::Op(ExprOpSpec::Ratio(pair)) => Expr::Ratio(
                Box::new(Expr::compile(&pair[0], shapes, at)?),
                Box::new(Expr::compile(&pair[1], shapes, at)?),
            ),
        })
    }

    fn eval<'a>(&self, ctx: &Ctx<'a>, scope: &Scope<'a>) -> Option<Scalar> {
        match self {
            Expr::Value(v) => json_scalar(v),
            Expr::Path(p) => p.values(ctx, scope).first().and_then(val_scalar),
            Expr::Sum(p) => {
                let nums: Vec<f64> = p.flat(ctx, scope).iter().filter_map(Val::as_f64).collect();
                (!nums.is_empty()).then(|| Scalar::Num(nums.iter().sum()))
            }
            Expr::Count(p) => Some(Scalar::Num(p.flat(ctx, scope).len() as f64)),
            Expr::WorkingDays(a, b) => {
                let (x, y) = (date_of(a, ctx, scope)?, date_of(b, ctx, scope)?);
                Some(Scalar::Num(ctx.calendar.working_days_between(x, y) as f64))
            }
            Expr::Days(a, b) => {
                let (x, y) = (date_of(a, ctx, scope)?, date_of(b, ctx, scope)?);
                Some(Scalar::Num((y - x).num_days() as f64))
            }
            Expr::Lookup(name, key, doc, field) => {
                let registry = ctx.registries.get(name)?;
                let doc = cited_doc(doc.as_ref(), ctx, scope);
                key.flat(ctx, scope)
                    .iter()
                    .filter_map(Val::as_str)
                    .find_map(|k| {
                        let i = registry.cited(k, doc, ctx.as_of)?;
                        // A computed field: the date from which the text in force applies.
                        if field == "version_in_force" {
                            return registry.version_in_force(i, ctx.as_of).map(Scalar::Date);
                        }
                        // A computed field: the document number of the text in force.
                        if field == "doc_no_in_force" {
                            return registry.doc_no_in_force(i, ctx.as_of).map(Scalar::Text);
                        }
                        let e = &registry.entries[i];
                        // A computed field: the largest amount of the entry's standard.
                        if field == "standard_max_amount" {
                            return e
                                .get("standard")?
                                .as_str()
                                .and_then(max_amount)
                                .map(Scalar::Num);
                        }
                        // `basis[].doc_no`: a list's field, its values joined by "、".
                        if let Some((list, sub)) = field.split_once("[].") {
                            let joined: Vec<&str> = e
                                .get(list)?
                                .as_array()?
                                .iter()
                                .filter_map(|x| x.get(sub)?.as_str())
                                .collect();
                            return (!joined.is_empty()).then(|| Scalar::Text(joined.join("、")));
                        }
                        e.get(field).and_then(json_scalar)
                    })
            }
            Expr::Diff(a, b) => match (a.eval(ctx, scope)?, b.eval(ctx, scope)?) {
                (Scalar::Num(x), Scalar::Num(y)) => Some(Scalar::Num(x - y)),
                _ => None,
            },
            Expr::Ratio(a, b) => match (a.eval(ctx, scope)?, b.eval(ctx, scope)?) {
                (Scalar::Num(x), Scalar::Num(y)) if y != 0.0 => Some(Scalar::Num(x / y)),
                _ => None,
            },
            Expr::MaxAmount(p) => p
                .flat(ctx, scope)
                .iter()
                .filter_map(Val::as_str)
                .filter_map(max_amount)
                .reduce(f64::max)
                .map(Scalar::Num),
            Expr::Amount(p) => {
                let amounts: Vec<f64> = p
                    .flat(ctx, scope)
                    .iter()
                    .filter_map(Val::as_str)
                    .filter_map(amount)
                    .collect();
                (!amounts.is_empty()).then(|| Scalar::Num(amounts.iter().sum()))
            }
        }
    }
}

#[cfg(test)]
#[test]
fn the_largest_amount_of_a_standard() {
    assert_eq!(
        max_amount("申领、换领每证20元；丢失补领每证40元"),
        Some(40.0)
    );
    assert_eq!(max_amount("每件８０元"), Some(80.0));
    assert_eq!(max_amount("按有关规定收取"), None);
}

/// The document number a citation gives at `doc`, if the rule names such a path.
fn cited_doc<'a>(doc: Option<&Path>, ctx: &Ctx<'a>, scope: &Scope<'a>) -> Option<&'a str> {
    doc?.flat(ctx, scope)
        .iter()
        .find_map(|v| v.as_str().filter(|s| !s.trim().is_empty()))
}

fn date_of<'a>(e: &Expr, ctx: &Ctx<'a>, scope: &Scope<'a>) -> Option<NaiveDate> {
    match e.eval(ctx, scope)? {
        Scalar::Date(d) => Some(d),
        Scalar::Text(t) => t.trim().parse().ok(),
        _ => None,
    }
}

fn known_registry(name: &str, at: &str) -> Result<(), String> {
    if crate::registry::names().any(|n| n == name) {
        Ok(())
    } else {
        let known: Vec<&str> = crate::registry::names().collect();
        Err(format!(
            "{at}: unknown registry \"{name}\" (known: {})",
            known.join(", ")
        ))
    }
}

/// The first amount of money in a fee standard: digits (ASCII or full-width, with a decimal
/// point), the number before 元. "每证20元" → 20, "工本费１５元" → 15, "按规定" → none.
pub fn amount(text: &str) -> Option<f64> {
    use unicode_normalization::UnicodeNormalization;
    let t: String = text.nfkc().collect();
    let re = amount_regex();
    let caps = re.captures(&t)?;
    caps[1].parse().ok()
}

/// The largest amount of money in a text.
pub fn max_amount(text: &str) -> Option<f64> {
    use unicode_normalization::UnicodeNormalization;
    let t: String = text.nfkc().collect();
    amount_regex()
        .captures_iter(&t)
        .filter_map(|c| c[1].parse::<f64>().ok())
        .reduce(f64::max)
}

fn amount_regex() -> &'static Regex {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| Regex::new(r"([0-9]+(?:\.[0-9]+)?)\s*元").expect("valid regex"))
}

fn val_scalar(v: &Val<'_>) -> Option<Scalar> {
    match *v {
        Val::Bool(b) => Some(Scalar::Bool(b)),
        Val::Int(i) => Some(Scalar::Num(i as f64)),
        Val::Num(n) => Some(Scalar::Num(n)),
        Val::Str(s) => Some(Scalar::Text(s.trim().to_string())),
        Val::Date(d) => Some(Scalar::Date(d)),
        Val::Json(j) => json_scalar(j),
        _ => None,
    }
}

fn json_scalar(v: &Value) -> Option<Scalar> {
    match v {
        Value::Bool(b) => Some(Scalar::Bool(*b)),
        Value::Number(n) => n.as_f64().map(Scalar::Num),
        Value::String(s) => Some(Scalar::Text(s.trim().to_string())),
        _ => None,
    }
}

fn compare(a: &Scalar, op: CmpOp, b: &Scalar) -> bool {
    use std::cmp::Ordering;
    let ord: Option<Ordering> = match (a, b) {
        (Scalar::Num(x), Scalar::Num(y)) => x.partial_cmp(y),
        (Scalar::Date(x), Scalar::Date(y)) => Some(x.cmp(y)),
        (Scalar::Date(x), Scalar::Text(t)) => t.parse::<NaiveDate>().ok().map(|y| x.cmp(&y)),
        (Scalar::Text(t), Scalar::Date(y)) => t.parse::<NaiveDate>().ok().map(|x| x.cmp(y)),
        (Scalar::Text(x), Scalar::Text(y)) => {
            match (x.parse::<NaiveDate>(), y.parse::<NaiveDate>()) {
                (Ok(p), Ok(q)) => Some(p.cmp(&q)),
                _ => Some(text::key(x).cmp(&text::key(y))),
            }
        }
        (Scalar::Bool(x), Scalar::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    };
    let Some(ord) = ord else {
        return op == CmpOp::Ne;
    };
    match op {
        CmpOp::Lt => ord.is_lt(),
        CmpOp::Le => ord.is_le(),
        CmpOp::Gt => ord.is_gt(),
        CmpOp::Ge => ord.is_ge(),
        CmpOp::Eq => ord.is_eq(),
        CmpOp::Ne => ord.is_ne(),
    }
}

fn equals(v: &Val<'_>, lit: &Value) -> bool {
    match (val_scalar(v), json_scalar(lit)) {
        (Some(Scalar::Text(a)), Some(Scalar::Text(b))) => a == b,
        (Some(a), Some(b)) => compare(&a, CmpOp::Eq, &b),
        _ => lit.is_null() && v.is_empty(),
    }
}

fn valid(v: &Val<'_>, format: Format) -> bool {
    let Some(s) = v.as_str() else {
        return matches!((format, v), (Format::Date, Val::Date(_)));
    };
    match format {
        Format::Gb32100 => gb32100_valid(s.trim()),
        Format::Date => s.trim().parse::<NaiveDate>().is_ok(),
    }
}

/// GB 32100-2015: 18 characters from `0-9A-HJ-NP-RTUW-Y` (no I, O, Z, S, V), the last one a check
/// character over the first 17 with weights 3^i mod 31.
pub fn gb32100_valid(code: &str) -> bool {
    const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != 18 {
        return false;
    }
    let mut sum = 0;
    for (i, c) in chars[..17].iter().enumerate() {
        match ALPHABET.find(*c) {
            Some(v) => sum += v * WEIGHTS[i],
            None => return false,
        }
    }
    let check = (31 - sum % 31) % 31;
    ALPHABET.chars().nth(check) == Some(chars[17])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gb32100_check_character() {
        // A published example code (国家市场监督管理总局 style): computed check char must match.
        assert!(gb32100_valid("91350100M000100Y43"));
        assert!(!gb32100_valid("91350100M000100Y44"));
        assert!(!gb32100_valid("91350100M000100Y4"));
        assert!(
            !gb32100_valid("91350100M00010OY43"),
            "O is not in the alphabet"
        );
    }

    #[test]
    fn compare_dates_and_numbers() {
        let d = |s: &str| Scalar::Date(s.parse().unwrap());
        assert!(compare(&d("2017-08-01"), CmpOp::Lt, &d("2017-08-02")));
        assert!(compare(
            &Scalar::Text("2017-08-01".into()),
            CmpOp::Le,
            &d("2017-08-01")
        ));
        assert!(compare(&Scalar::Num(5.0), CmpOp::Ge, &Scalar::Num(5.0)));
        assert!(!compare(
            &Scalar::Num(5.0),
            CmpOp::Eq,
            &Scalar::Text("5".into())
        ));
        assert!(compare(
            &Scalar::Num(5.0),
            CmpOp::Ne,
            &Scalar::Text("5".into())
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// What a rule reads.

/// The item fields a rule reads. `ok` turns false as soon as it reads anything else that varies
/// from item to item (the old version, the change, requests, peers, the whole item at once);
/// the evaluation date, registries and calendar are the same for the whole run.
#[derive(Debug, Default)]
pub struct Reads {
    pub fields: Vec<String>,
    pub ok: bool,
}

impl Reads {
    pub fn new() -> Self {
        Reads {
            fields: Vec::new(),
            ok: true,
        }
    }

    /// Notes a path read with the current node being the subject (`element` false) or an element
    /// of a list the subject's fields hold (`element` true, already noted by its list's path).
    pub fn path(&mut self, p: &Path, element: bool) {
        match p.root {
            Root::Subject | Root::Item | Root::Current if element && p.root == Root::Current => {}
            Root::Subject | Root::Item | Root::Current => match p.keys.first() {
                Some(k) => self.fields.push(k.clone()),
                None => self.ok = false,
            },
            Root::AsOf => {}
            Root::Old
            | Root::Adjustment
            | Root::ChangeKind
            | Root::ChangeFields
            | Root::Unrequested
            | Root::Applied
            | Root::Requests
            | Root::PeerNames
            | Root::PeerTypes => self.ok = false,
        }
    }

    pub fn cond(&mut self, c: &Cond, element: bool) {
        match c {
            Cond::All(cs) | Cond::Any(cs) => cs.iter().for_each(|c| self.cond(c, element)),
            Cond::Not(c) => self.cond(c, element),
            Cond::Present(p)
            | Cond::Equals(p, _)
            | Cond::OneOf(p, _)
            | Cond::Matches(p, _)
            | Cond::UniqueInList(p)
            | Cond::Valid(p, _)
            | Cond::Registry(_, p, None, _) => self.path(p, element),
            Cond::Registry(_, p, Some(doc), _) => {
                self.path(p, element);
                self.path(doc, element);
            }
            Cond::RegistryList(_, key, _, _, values) => {
                self.path(key, element);
                self.path(values, element);
            }
            Cond::Compare(a, _, b) => {
                self.expr(a, element);
                self.expr(b, element);
            }
            Cond::Every(p, c) | Cond::Some(p, c) => {
                self.path(p, element);
                self.cond(c, true);
            }
        }
    }

    pub fn expr(&mut self, e: &Expr, element: bool) {
        match e {
            Expr::Path(p)
            | Expr::Sum(p)
            | Expr::Count(p)
            | Expr::Amount(p)
            | Expr::MaxAmount(p) => {
                self.path(p, element);
            }
            Expr::Lookup(_, p, doc, _) => {
                self.path(p, element);
                if let Some(doc) = doc {
                    self.path(doc, element);
                }
            }
            Expr::Value(_) => {}
            Expr::WorkingDays(a, b) | Expr::Days(a, b) | Expr::Diff(a, b) | Expr::Ratio(a, b) => {
                self.expr(a, element);
                self.expr(b, element);
            }
        }
    }
}
