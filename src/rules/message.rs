//! Rule messages: the Handlebars registry they render with, and the checks every message passes
//! when its pack loads.
//!
//! A message is rendered for each finding, long after the pack was accepted, and a render that
//! fails shows the department the raw template. So each template is compiled, walked and then
//! rendered once, strictly, with sample data when the pack loads (built-in or `--rules DIR`, and
//! by `validate`):
//!
//! - partials and decorators are refused: a message has no use for them, and an inline partial
//!   that calls itself overflows the stack when a finding renders it;
//! - a helper must be one registered here ([`HELPERS`]), in every branch, not only the one the
//!   sample takes;
//! - a path must name something a finding gives its message ([`Provided`]): the words (`code`,
//!   `name`, …), one of the evidence values the rule gives (`values.[2]`), a field of the model's
//!   records (`item.promised_limit.unit`, `adjustment.filed_on`, `element.doc_no`);
//! - the strict render then catches what the walk does not model, such as a helper given a value
//!   of the wrong kind or too few values.
//!
//! The sample gives every path the template reads a value, so it costs one small render per
//! message (tens of microseconds for the built-in pack's 168).

use super::Rule;
use crate::error::{Error, Problem, Result};
use crate::location::Location;
use crate::node::Shape;
use handlebars::template::{HelperTemplate, Parameter, Subexpression, TemplateElement};
use handlebars::{Handlebars, Template};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The helpers a message may call: Handlebars' own and the tool's (below).
pub const HELPERS: &[&str] = &[
    "if",
    "unless",
    "each",
    "with",
    "lookup",
    "raw",
    "log",
    "eq",
    "ne",
    "gt",
    "gte",
    "lt",
    "lte",
    "and",
    "or",
    "not",
    "len",
    "zh_fields",
    "round",
    "percent",
    "limit",
    "contains",
    "matches",
];

/// The words every finding gives its message, besides `values` and the records.
const WORDS: &[&str] = &["code", "name", "department", "field", "evidence", "change"];

/// The keys of a finding's `reference` (the registry entry it relied on).
const REFERENCE_KEYS: &[&str] = &[
    "registry",
    "entry",
    "doc_no",
    "successor_doc_no",
    "source",
    "confidence",
];

/// What a rule's findings give its message beyond the words: the shape of `item` and `old` (an
/// item, or a department's figures), the shape of `element` (the `for_each` entry, if any) and
/// how many evidence values `values` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Provided {
    pub subject: Shape,
    pub element: Option<Shape>,
    pub values: usize,
}

impl Provided {
    /// Whether an absolute path (segments from the message's data, indexes as `[n]`) names
    /// something a finding gives; else what is wrong with it.
    fn check(&self, path: &[String]) -> std::result::Result<(), String> {
        let Some((root, rest)) = path.split_first() else {
            return Ok(());
        };
        let root = root.as_str();
        match root {
            _ if WORDS.contains(&root) => match rest.first() {
                None => Ok(()),
                Some(k) => Err(format!("{root} is text: it has no {k}")),
            },
            "values" => match rest {
                [] => Ok(()),
                [i, more @ ..] => {
                    let n = index(i).ok_or_else(|| {
                        format!("values is a list: name an entry (values.[0]), not {i}")
                    })?;
                    if n >= self.values {
                        return Err(format!(
                            "the rule gives {} evidence value{}, so values.[{n}] is never there",
                            self.values,
                            if self.values == 1 { "" } else { "s" }
                        ));
                    }
                    match more.first() {
                        None => Ok(()),
                        Some(k) => Err(format!("values.[{n}] is text: it has no {k}")),
                    }
                }
            },
            "reference" => match rest {
                [] => Ok(()),
                [k] if REFERENCE_KEYS.contains(&k.as_str()) => Ok(()),
                [k, ..] => Err(format!(
                    "reference has no {k} (it has {})",
                    REFERENCE_KEYS.join(", ")
                )),
            },
            "item" | "old" => walk_shape(root, self.subject, rest),
            "adjustment" => walk_shape(root, Shape::Adjustment, rest),
            "element" => match self.element {
                Some(shape) => walk_shape(root, shape, rest),
                None => Err("the rule has no for_each, so there is no element".into()),
            },
            _ => Err(format!(
                "{root} is not something a finding gives its message (it gives {}, values, reference, item, old, adjustment and, with for_each, element)",
                WORDS.join(", ")
            )),
        }
    }
}

/// `[3]` or `3` as an index.
fn index(seg: &str) -> Option<usize> {
    seg.strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(seg)
        .parse()
        .ok()
}

/// Follows `rest` through the model's shapes from `shape` (the record `root`).
fn walk_shape(root: &str, mut shape: Shape, rest: &[String]) -> std::result::Result<(), String> {
    let mut list = false;
    let mut at = root.to_string();
    for seg in rest {
        if index(seg).is_some() {
            match (list, shape) {
                (true, _) => list = false,
                (false, Shape::Strings) => shape = Shape::Scalar,
                (false, Shape::Any) => {}
                _ => return Err(format!("{at} is not a list")),
            }
        } else if list {
            return Err(format!(
                "{at} is a list: name an entry ({at}.[0]) or go through it with #each"
            ));
        } else {
            match crate::node::child(shape, seg) {
                Some((s, l)) => (shape, list) = (s, l),
                None if matches!(shape, Shape::Scalar | Shape::Date | Shape::Strings) => {
                    return Err(format!("{at} is a value: it has no {seg}"));
                }
                None => return Err(format!("{seg} is not a field of {at}")),
            }
        }
        at.push('.');
        at.push_str(seg);
    }
    Ok(())
}

/// A message template walked: what is wrong with it, and sample data giving every path it reads
/// a value.
struct Walk<'p> {
    provided: &'p Provided,
    problems: Vec<String>,
    sample: Value,
    /// The absolute path of each context the walk is in (`#each` and `#with` enter one).
    scopes: Vec<Vec<String>>,
}

impl Walk<'_> {
    fn template(&mut self, t: &Template) {
        for e in &t.elements {
            self.element(e);
        }
    }

    fn element(&mut self, e: &TemplateElement) {
        match e {
            TemplateElement::RawString(_) | TemplateElement::Comment(_) => {}
            TemplateElement::Expression(h) | TemplateElement::HtmlExpression(h) => {
                self.expression(h);
            }
            TemplateElement::HelperBlock(h) => self.block(h),
            TemplateElement::DecoratorExpression(_) | TemplateElement::DecoratorBlock(_) => {
                self.problems.push(
                    "inline partials and decorators ({{#*inline …}}, {{*…}}) are not allowed in a message"
                        .into(),
                );
            }
            TemplateElement::PartialExpression(_) | TemplateElement::PartialBlock(_) => {
                self.problems
                    .push("partials ({{> name}}) are not allowed in a message".into());
            }
            _ => self
                .problems
                .push("a template element a message cannot use".into()),
        }
    }

    /// `{{x}}` (a value, or a helper without arguments) or `{{helper args…}}`.
    fn expression(&mut self, h: &HelperTemplate) {
        if h.params.is_empty() && h.hash.is_empty() {
            match &h.name {
                Parameter::Subexpression(s) => self.subexpression(s),
                name => {
                    if let Some(n) = name.as_name()
                        && !HELPERS.contains(&n)
                    {
                        self.path(n);
                    }
                }
            }
            return;
        }
        self.helper_name(&h.name);
        self.arguments(&h.params, &h.hash);
    }

    fn subexpression(&mut self, s: &Subexpression) {
        match s.as_element() {
            TemplateElement::Expression(h) => self.expression(h),
            _ => self
                .problems
                .push("a subexpression a message cannot use".into()),
        }
    }

    /// Whether `name` is a helper a message may call (a problem when not).
    fn helper_name(&mut self, name: &Parameter) -> Option<String> {
        let n = name.as_name().unwrap_or_default();
        if HELPERS.contains(&n) {
            return Some(n.to_string());
        }
        self.problems.push(format!(
            "unknown helper {n:?} (a message may use {})",
            HELPERS.join(", ")
        ));
        None
    }

    fn arguments(&mut self, params: &[Parameter], hash: &HashMap<String, Parameter>) {
        for p in params.iter().chain(hash.values()) {
            match p {
                Parameter::Path(_) | Parameter::Name(_) => {
                    if let Some(n) = p.as_name() {
                        self.path(n);
                    }
                }
                Parameter::Subexpression(s) => self.subexpression(s),
                _ => {}
            }
        }
    }

    /// `{{#helper args}}…{{else}}…{{/helper}}`; `#each` and `#with` enter their argument.
    fn block(&mut self, h: &HelperTemplate) {
        if h.block_param.is_some() {
            self.problems
                .push("block parameters (as |x|) are not supported in a message".into());
            return;
        }
        let Some(name) = self.helper_name(&h.name) else {
            return;
        };
        self.arguments(&h.params, &h.hash);
        let entered = match (name.as_str(), h.params.as_slice()) {
            ("each" | "with", [p @ (Parameter::Path(_) | Parameter::Name(_))]) => p
                .as_name()
                .and_then(|raw| self.absolute(raw))
                .map(|mut at| {
                    if name == "each" {
                        at.push("[0]".into());
                    }
                    at
                }),
            _ => None,
        };
        let inside = entered.is_some();
        if let Some(at) = entered {
            self.scopes.push(at);
        }
        if let Some(t) = &h.template {
            self.template(t);
        }
        if inside {
            self.scopes.pop();
        }
        if let Some(t) = &h.inverse {
            self.template(t);
        }
    }

    /// A path the template reads: checked, and given a value in the sample.
    fn path(&mut self, raw: &str) {
        let Some(at) = self.absolute(raw) else {
            return;
        };
        if let Err(why) = self.provided.check(&at) {
            self.problems.push(format!("{{{{{raw}}}}}: {why}"));
            return;
        }
        insert(&mut self.sample, &at);
    }

    /// A path as segments from the message's data; `None` for `@index` and the like, and for a
    /// `../` above the data (a problem).
    fn absolute(&mut self, raw: &str) -> Option<Vec<String>> {
        if raw.starts_with('@') && !raw.starts_with("@root") {
            return None;
        }
        let mut level = self.scopes.len() - 1;
        let mut rest = raw;
        if let Some(r) = rest.strip_prefix("@root") {
            level = 0;
            rest = r.trim_start_matches(['.', '/']);
        }
        while let Some(r) = rest.strip_prefix("../") {
            if level == 0 {
                self.problems
                    .push(format!("{{{{{raw}}}}}: ../ goes above the message's data"));
                return None;
            }
            level -= 1;
            rest = r;
        }
        let rest = rest
            .strip_prefix("this")
            .filter(|r| r.is_empty() || r.starts_with(['.', '/']))
            .unwrap_or(rest);
        let mut at = self.scopes[level].clone();
        at.extend(
            rest.split(['.', '/'])
                .filter(|s| !s.is_empty())
                .map(|s| match index(s) {
                    Some(n) => format!("[{n}]"),
                    None => s.to_string(),
                }),
        );
        Some(at)
    }
}

/// Gives `path` a value in the sample, creating objects and lists on the way.
fn insert(sample: &mut Value, path: &[String]) {
    let Some((seg, rest)) = path.split_first() else {
        return;
    };
    let slot = match index(seg).filter(|_| seg.starts_with('[')) {
        Some(n) => {
            if !sample.is_array() {
                *sample = Value::Array(Vec::new());
            }
            let list = sample.as_array_mut().expect("made a list");
            while list.len() <= n {
                list.push(Value::String("示例".into()));
            }
            &mut list[n]
        }
        None => {
            if !sample.is_object() {
                *sample = Value::Object(Map::new());
            }
            sample
                .as_object_mut()
                .expect("made an object")
                .entry(seg.clone())
                .or_insert_with(|| Value::String("示例".into()))
        }
    };
    insert(slot, rest);
}

/// The data every finding of a rule gives, before the records the template reads are added.
fn base_sample(rule: &Rule, provided: &Provided) -> Value {
    let values: Vec<Value> = (1..=provided.values)
        .map(|i| Value::String(format!("示例值{i}")))
        .collect();
    let evidence = values
        .iter()
        .filter_map(Value::as_str)
        .collect::<Vec<_>>()
        .join(" | ");
    let reference: Map<String, Value> = REFERENCE_KEYS
        .iter()
        .map(|k| ((*k).to_string(), Value::String("示例".into())))
        .collect();
    serde_json::json!({
        "code": "330600-GG-00001",
        "name": "示例事项",
        "department": "示例部门",
        "field": rule.spec.field,
        "evidence": evidence,
        "values": values,
        "change": "changed",
        "reference": reference,
    })
}

/// A message compiled and walked: the template, and the sample to render it with; or the
/// problems found.
fn compile(
    rule: &Rule,
    name: &str,
    text: &str,
) -> std::result::Result<(Template, Value), Vec<String>> {
    let template =
        Template::compile_with_name(text, name.to_string()).map_err(|e| vec![e.to_string()])?;
    let mut walk = Walk {
        provided: &rule.provides,
        problems: Vec::new(),
        sample: base_sample(rule, &rule.provides),
        scopes: vec![Vec::new()],
    };
    walk.template(&template);
    if walk.problems.is_empty() {
        Ok((template, walk.sample))
    } else {
        Err(walk.problems)
    }
}

/// The registry holding every rule's messages (`CODE/zh`, `CODE/en`), each compiled and checked,
/// and with `render_samples` rendered once with sample data; the first rule with a bad message is
/// an error naming its file and the message's JSON pointer.
///
/// The built-in pack skips the sample render: it loads on every run, its messages cannot change
/// after the build, and a test renders them all (a tenth of the start-up's instructions are the
/// regular expressions `matches` would compile for the samples).
pub(super) fn templates(rules: &[Rule], render_samples: bool) -> Result<Handlebars<'static>> {
    let mut hb = registry();
    let mut samples = Vec::with_capacity(rules.len() * 2);
    for r in rules {
        let mut problems = Vec::new();
        for (lang, text) in [("zh", &r.spec.message.zh), ("en", &r.spec.message.en)] {
            let pointer = format!("/message/{lang}");
            let name = format!("{}/{lang}", r.spec.code);
            match compile(r, &name, text) {
                Ok((template, sample)) => {
                    hb.register_template(&name, template);
                    samples.push((r, pointer, name, sample));
                }
                Err(found) => problems.extend(found.into_iter().map(|message| Problem {
                    location: Location::pointer(&pointer),
                    message,
                })),
            }
        }
        if !problems.is_empty() {
            return Err(Error::Rule {
                file: r.file.clone(),
                problems,
            });
        }
    }
    if !render_samples {
        return Ok(hb);
    }
    // Strict only here: real findings lack optional fields, which render as nothing.
    hb.set_strict_mode(true);
    for (r, pointer, name, sample) in &samples {
        if let Err(e) = hb.render(name, sample) {
            return Err(Error::rule(
                &r.file,
                Location::pointer(pointer),
                format!("does not render with sample data: {e}"),
            ));
        }
    }
    hb.set_strict_mode(false);
    Ok(hb)
}

handlebars::handlebars_helper!(zh_fields: |s: str| crate::labels::zh_list(s));
handlebars::handlebars_helper!(round: |v: Json| match v {
    serde_json::Value::Number(n) => {
        let x = n.as_f64().unwrap_or(0.0);
        crate::node::format_num((x * 10.0).round() / 10.0)
    }
    serde_json::Value::String(s) => match s.parse::<f64>() {
        Ok(x) => crate::node::format_num((x * 10.0).round() / 10.0),
        Err(_) => s.clone(),
    },
    other => other.to_string(),
});

handlebars::handlebars_helper!(percent: |v: Json| {
    let x = match v {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.parse::<f64>().ok(),
        _ => None,
    };
    match x {
        // A share as people write it: 25%, 33.3% (one decimal at most, no float tail).
        Some(x) => format!("{}%", crate::node::format_num((x * 1000.0).round() / 10.0)),
        None => v.as_str().map_or_else(|| v.to_string(), str::to_string),
    }
});

handlebars::handlebars_helper!(limit: |v: Json, unit: Json| {
    let n = match v {
        serde_json::Value::Number(n) => n.to_string(),
        other => other.as_str().map_or_else(|| other.to_string(), str::to_string),
    };
    let unit = unit.as_str().unwrap_or("");
    // A time limit as people write it: 30个工作日, 15日, 2个月.
    match unit {
        "工作日" | "自然日" | "月" | "小时" => format!("{n}个{unit}"),
        _ => format!("{n}{unit}"),
    }
});

handlebars::handlebars_helper!(contains: |s: Json, part: str| {
    s.as_str().is_some_and(|s| s.contains(part))
});

/// `(matches value "pattern")`: whether a text value matches a regular expression (false for a
/// missing or non-text value, or a pattern that does not compile, which the pack's examples catch).
/// A backslash is doubled inside a template's string literal (`"^\\s*;"` for the pattern `^\s*;`,
/// `"^\\\\s*;"` in a rule file's JSON); a straight quote is written `\\x22`.
/// Patterns are compiled once per thread.
fn matches_helper(
    h: &handlebars::Helper<'_>,
    _: &Handlebars<'_>,
    _: &handlebars::Context,
    _: &mut handlebars::RenderContext<'_, '_>,
    out: &mut dyn handlebars::Output,
) -> handlebars::HelperResult {
    thread_local! {
        static CACHE: std::cell::RefCell<HashMap<String, Option<regex::Regex>>> =
            std::cell::RefCell::new(HashMap::new());
    }
    let text = h.param(0).and_then(|p| p.value().as_str());
    let pattern = h.param(1).and_then(|p| p.value().as_str()).unwrap_or("");
    let hit = text.is_some_and(|t| {
        CACHE.with(|c| {
            c.borrow_mut()
                .entry(pattern.to_string())
                .or_insert_with(|| regex::Regex::new(pattern).ok())
                .as_ref()
                .is_some_and(|re| re.is_match(t))
        })
    });
    // A subexpression's value is its output: "true" or "" (falsy).
    if hit {
        out.write("true")?;
    }
    Ok(())
}

/// The Handlebars registry for rule messages: no HTML escaping (messages are plain text; renderers
/// escape), `{{zh_fields x}}` to name fields by their Chinese element names, `{{round x}}` to
/// show a number with one decimal, `{{percent x}}` to show a share as a percentage (0.25 → 25%), `{{limit n unit}}` a
/// time limit as people write it (30个工作日) and `(contains text "x")` to name the part of a value
/// that failed.
pub(super) fn registry() -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.register_escape_fn(handlebars::no_escape);
    hb.register_helper("zh_fields", Box::new(zh_fields));
    hb.register_helper("round", Box::new(round));
    hb.register_helper("percent", Box::new(percent));
    hb.register_helper("limit", Box::new(limit));
    hb.register_helper("contains", Box::new(contains));
    hb.register_helper("matches", Box::new(matches_helper));
    hb
}

#[cfg(test)]
mod message_helper_tests {
    #[test]
    fn builtin_messages_render_with_sample_data() {
        // The built-in pack skips this at load (see `templates`).
        let pack = crate::rules::Pack::builtin().unwrap();
        super::templates(&pack.rules, true).unwrap();
    }

    #[test]
    fn matches_takes_a_regular_expression_with_backslashes() {
        let hb = super::registry();
        let t = |tpl: &str, v: serde_json::Value| hb.render_template(tpl, &v).unwrap();
        // A backslash is doubled in a template's string literal.
        let tpl = r#"{{#if (matches s "^\\s*[;；]")}}lead{{else}}no{{/if}}"#;
        assert_eq!(t(tpl, serde_json::json!({"s": " ;x"})), "lead");
        assert_eq!(t(tpl, serde_json::json!({"s": "x;"})), "no");
        assert_eq!(t(tpl, serde_json::json!({})), "no");
        let tpl = r#"{{#if (matches s "\\x22")}}quote{{/if}}"#;
        assert_eq!(t(tpl, serde_json::json!({"s": "a\"b"})), "quote");
    }
}
