//! Element profiles: which elements each kind of item must fill, and with which values.
//!
//! A profile is a data file (`element-profile/1`, `rules/profiles/`): elements keyed by item type
//! (or a named group of types, such as `applied`: the items people apply for) and by conditions
//! written in the rule language (`when`: charged → fee items; online → depth and link). Rule
//! CF-01 judges an item against the profile the configuration selects, one finding per missing or
//! invalid element, named in words. A province's profile `extends` another and adds elements or
//! `remove`s some by key.
//!
//! An element the contract added later (`online_apply`, `express` …) may be `when_carried`: it is
//! judged only in a catalog that carries it for some item, so an export that has no such column
//! is not told on every item that it is missing.

use crate::error::{Error, Problem, Result};
use crate::location::Location;
use crate::node::{Shape, Val};
use crate::rules::cond::{Cond, CondSpec, Ctx, Path, Scope, ShapeCtx};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// A profile file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileFile {
    pub format: String,
    pub name: String,
    pub title: crate::rules::Text,
    /// The standard or document the profile follows.
    pub source: String,
    /// The profile this one adds to.
    #[serde(default)]
    pub extends: Option<String>,
    /// Named groups of item types (`applied`, `not_applied`), usable in `types`.
    #[serde(default)]
    pub groups: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub elements: Vec<ElementSpec>,
    /// Keys of the extended profile's elements this one does not require.
    #[serde(default)]
    pub remove: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub examples: Option<ProfileExamples>,
}

/// A profile's examples: items that lack nothing, and items with the element keys they lack.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileExamples {
    #[serde(default)]
    pub valid: Vec<ProfileExample>,
    #[serde(default)]
    pub invalid: Vec<ProfileExample>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileExample {
    #[serde(default)]
    pub note: Option<String>,
    pub item: Value,
    #[serde(default)]
    pub lacks: Vec<String>,
    #[serde(default)]
    pub others: Vec<Value>,
}

/// One required element as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElementSpec {
    /// The item key (`case_type`, `fee.charged`), or a list's key (`materials[].necessity`).
    pub key: String,
    /// Its name in the national standard (办件类型).
    pub zh: String,
    pub en: String,
    /// Item types or group names it applies to; empty: every item.
    #[serde(default)]
    pub types: Vec<String>,
    /// Only where this holds (the rule language, on the item).
    #[serde(default)]
    pub when: Option<CondSpec>,
    /// The values it may take (each value of a list); empty: any non-empty value.
    #[serde(default)]
    pub values: Vec<String>,
    /// Further values accepted but not suggested (an earlier text's wording), so a message lists
    /// only `values`.
    #[serde(default)]
    pub also: Vec<String>,
    /// Absence is not a finding; a value given must be one of `values`.
    #[serde(default)]
    pub optional: bool,
    /// The severity of its findings (the rule's when absent; a configuration's severity for the
    /// rule still wins).
    #[serde(default)]
    pub severity: Option<crate::rules::Severity>,
    /// Judged only in a catalog that carries the element for some item.
    #[serde(default)]
    pub when_carried: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// A compiled element.
#[derive(Debug, Clone)]
pub struct Element {
    pub key: String,
    pub zh: String,
    pub en: String,
    /// Item types (groups expanded); empty: every item.
    pub types: Vec<String>,
    pub when: Option<Cond>,
    /// For a list's key: the list and the key in each element.
    list: Option<(Path, String)>,
    path: Option<Path>,
    pub values: Vec<String>,
    /// Accepted beside `values`, never suggested.
    pub also: Vec<String>,
    pub optional: bool,
    pub severity: Option<crate::rules::Severity>,
    pub when_carried: bool,
    /// The item field the element lives in.
    pub root: String,
}

/// A compiled profile: its elements, the extended profile's first.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    pub title: crate::rules::Text,
    pub source: String,
    pub elements: Vec<Element>,
    pub examples: ProfileExamples,
}

/// What an element lacks on one item: its name, the offending values (empty when missing), the
/// values it may take.
pub struct Lack<'e> {
    pub element: &'e Element,
    /// The values outside the list, or (for a list's key) the list entries lacking it.
    pub bad: Vec<String>,
    /// `true` when the element (or, for a list's key, some entry's) is missing.
    pub missing: bool,
}

impl Element {
    fn compile(
        spec: &ElementSpec,
        groups: &BTreeMap<String, Vec<String>>,
        at: &str,
    ) -> std::result::Result<Element, String> {
        let top = ShapeCtx {
            subject: Shape::Item,
            current: Shape::Item,
            in_list: false,
        };
        let mut types = Vec::new();
        for t in &spec.types {
            match groups.get(t) {
                Some(list) => types.extend(list.iter().cloned()),
                None => types.push(t.clone()),
            }
        }
        let when = spec
            .when
            .as_ref()
            .map(|w| Cond::compile(w, top, &format!("{at}/when")))
            .transpose()?;
        let (list, path) = match spec.key.split_once("[].") {
            Some((list, key)) => {
                let (p, _) = Path::compile(list, top).map_err(|e| format!("{at}/key: {e}"))?;
                (Some((p, key.to_string())), None)
            }
            None => {
                let (p, _) = Path::compile(&spec.key, top).map_err(|e| format!("{at}/key: {e}"))?;
                (None, Some(p))
            }
        };
        let root = spec
            .key
            .split(['.', '['])
            .next()
            .unwrap_or_default()
            .to_string();
        if crate::fields::Field::of(&root).is_none() {
            return Err(format!("{at}/key: \"{}\" is not an item field", spec.key));
        }
        if !spec.also.is_empty() && spec.values.is_empty() {
            return Err(format!(
                "{at}/also: accepted values beside no `values` list"
            ));
        }
        Ok(Element {
            key: spec.key.clone(),
            zh: spec.zh.clone(),
            en: spec.en.clone(),
            types,
            when,
            list,
            path,
            values: spec.values.clone(),
            also: spec.also.clone(),
            optional: spec.optional,
            severity: spec.severity,
            when_carried: spec.when_carried,
            root,
        })
    }

    /// Whether an item gives this element a value (for a list's key: whether some entry does).
    pub fn carried_by(&self, item: &dyn crate::node::Node) -> bool {
        let given = |v: Val<'_>| !matches!(v, Val::Missing) && !v.display().trim().is_empty();
        match self.key.split_once("[].") {
            None => {
                let mut v = item.get(&self.root);
                for part in self.key.split('.').skip(1) {
                    v = match v {
                        Val::Obj(n) => n.get(part),
                        _ => Val::Missing,
                    };
                }
                given(v)
            }
            Some((_, key)) => match item.get(&self.root).elements() {
                Some(entries) => entries.into_iter().any(|e| match e {
                    Val::Obj(n) => given(n.get(key)),
                    _ => false,
                }),
                None => false,
            },
        }
    }

    /// What this element lacks on the item in `ctx`, if anything.
    pub fn lack<'e>(
        &'e self,
        ctx: &Ctx<'_>,
        item_type: &str,
        carried: &dyn Fn(&str) -> bool,
    ) -> Option<Lack<'e>> {
        if !self.types.is_empty() && !self.types.iter().any(|t| t == item_type) {
            return None;
        }
        if self.when_carried && !carried(&self.key) {
            return None;
        }
        let top = Scope {
            current: Val::Obj(ctx.subject),
            siblings: None,
        };
        if let Some(w) = &self.when
            && !w.eval(ctx, &top)
        {
            return None;
        }
        let allowed = |s: &str| {
            self.values.is_empty() || self.values.iter().chain(&self.also).any(|v| v == s)
        };
        if let Some(path) = &self.path {
            // Values are compared where they lie; only offending ones are copied.
            let mut given = false;
            let mut bad: Vec<String> = Vec::new();
            for v in path.flat(ctx, &top) {
                let owned;
                let text = match v.as_str() {
                    Some(t) => t,
                    None => {
                        owned = v.display();
                        owned.as_str()
                    }
                };
                if text.trim().is_empty() {
                    continue;
                }
                given = true;
                if !allowed(text) {
                    bad.push(text.to_string());
                }
            }
            if !given {
                if self.optional {
                    return None;
                }
                return Some(Lack {
                    element: self,
                    bad: Vec::new(),
                    missing: true,
                });
            }
            return (!bad.is_empty()).then_some(Lack {
                element: self,
                bad,
                missing: false,
            });
        }
        // A list's key: the entries lacking it, or giving a value outside the list.
        let (list, key) = self.list.as_ref()?;
        let mut bad = Vec::new();
        let mut missing = false;
        for entry in list.values(ctx, &top) {
            for element in entry.elements().unwrap_or_else(|| vec![entry]) {
                let Val::Obj(node) = element else { continue };
                let value = node.get(key).display();
                let name = node.key();
                if value.trim().is_empty() {
                    if self.optional {
                        continue;
                    }
                    missing = true;
                    bad.push(name);
                } else if !allowed(&value) {
                    bad.push(format!("{name}（{value}）"));
                }
            }
        }
        (!bad.is_empty()).then_some(Lack {
            element: self,
            bad,
            missing,
        })
    }
}

/// Compiled profiles by name, shared.
pub fn compile(files: &[(String, Value)]) -> Result<BTreeMap<String, std::sync::Arc<Profile>>> {
    Ok(Profile::compile_all(files)?
        .into_iter()
        .map(|(k, v)| (k, std::sync::Arc::new(v)))
        .collect())
}

impl Profile {
    /// The profiles of a pack's `profiles/` files, by name, each with what it extends resolved.
    pub fn compile_all(files: &[(String, Value)]) -> Result<BTreeMap<String, Profile>> {
        let mut specs: BTreeMap<String, (String, ProfileFile)> = BTreeMap::new();
        for (file, value) in files {
            let problems = crate::schema::problems(crate::schema::profile(), value, None, "");
            if !problems.is_empty() {
                return Err(Error::Rule {
                    file: file.clone(),
                    problems,
                });
            }
            let spec: ProfileFile = serde_json::from_value(value.clone())
                .map_err(|e| Error::rule(file, Location::File, e.to_string()))?;
            if let Some((other, _)) = specs.get(&spec.name) {
                return Err(Error::rule(
                    file,
                    Location::pointer("/name"),
                    format!("profile \"{}\" is also defined by {other}", spec.name),
                ));
            }
            specs.insert(spec.name.clone(), (file.clone(), spec));
        }
        let mut out = BTreeMap::new();
        for name in specs.keys() {
            out.insert(name.clone(), Self::resolve(name, &specs, &mut Vec::new())?);
        }
        Ok(out)
    }

    fn resolve(
        name: &str,
        specs: &BTreeMap<String, (String, ProfileFile)>,
        seen: &mut Vec<String>,
    ) -> Result<Profile> {
        let (file, spec) = &specs[name];
        if seen.iter().any(|s| s == name) {
            return Err(Error::rule(
                file,
                Location::pointer("/extends"),
                format!(
                    "profile \"{name}\" extends itself through {}",
                    seen.join(" → ")
                ),
            ));
        }
        seen.push(name.to_string());
        let (mut elements, mut groups) = match &spec.extends {
            Some(base) => {
                if !specs.contains_key(base) {
                    return Err(Error::rule(
                        file,
                        Location::pointer("/extends"),
                        format!(
                            "no profile \"{base}\" to extend (known: {})",
                            specs.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    ));
                }
                let base_spec = &specs[base].1;
                let parent = Self::resolve(base, specs, seen)?;
                (parent.elements, base_spec.groups.clone())
            }
            None => (Vec::new(), BTreeMap::new()),
        };
        groups.extend(spec.groups.clone());
        let mut problems = Vec::new();
        for (i, key) in spec.remove.iter().enumerate() {
            let before = elements.len();
            elements.retain(|e| &e.key != key);
            if elements.len() == before {
                problems.push(Problem {
                    location: Location::pointer(format!("/remove/{i}")),
                    message: format!("\"{key}\" is not an element of the extended profile"),
                });
            }
        }
        for (i, e) in spec.elements.iter().enumerate() {
            match Element::compile(e, &groups, &format!("/elements/{i}")) {
                Ok(el) => {
                    // A profile's own element replaces an inherited one with the same key.
                    elements.retain(|x| x.key != el.key);
                    elements.push(el);
                }
                Err(message) => problems.push(Problem {
                    location: Location::pointer(format!("/elements/{i}")),
                    message,
                }),
            }
        }
        if !problems.is_empty() {
            return Err(Error::Rule {
                file: file.clone(),
                problems,
            });
        }
        seen.pop();
        Ok(Profile {
            name: name.to_string(),
            title: spec.title.clone(),
            source: spec.source.clone(),
            elements,
            examples: spec.examples.clone().unwrap_or_default(),
        })
    }

    /// The item fields judging an item against the profile reads (sorted), when they are all it
    /// reads besides the run's constants: its elements' fields, their conditions' and the type.
    pub fn reads(&self) -> Option<Vec<String>> {
        let mut reads = crate::rules::cond::Reads::new();
        for e in &self.elements {
            if let Some(w) = &e.when {
                reads.cond(w, false);
            }
        }
        let mut fields = reads.fields;
        if !reads.ok {
            return None;
        }
        fields.extend(self.elements.iter().map(|e| e.root.clone()));
        fields.push("item_type".to_string());
        fields.sort();
        fields.dedup();
        Some(fields)
    }

    /// What each element lacks on the item in `ctx`.
    pub fn lacks<'p>(
        &'p self,
        ctx: &Ctx<'_>,
        item_type: &str,
        carried: &dyn Fn(&str) -> bool,
    ) -> Vec<Lack<'p>> {
        self.elements
            .iter()
            .filter_map(|e| e.lack(ctx, item_type, carried))
            .collect()
    }
}
