//! A firing's words: the rule's message template rendered with the words and record fields it
//! mentions (worked out once per rule), remembered per rule by the data rendered; and the
//! finding built around it (fingerprint, location).

use super::eval::Judging;
use super::memo::Messages;
use crate::finding::{Finding, FindingState, fingerprint};
use crate::node::{Node, Val};
use crate::rules::Lang;
use serde_json::{Map, Value};

/// The finding of one firing: its message rendered from the rule's template with only what the
/// template mentions, and its fingerprint.
pub(super) fn finding(
    j: &Judging<'_>,
    field: String,
    values: Vec<String>,
    reference: Option<Box<crate::finding::Reference>>,
    element: Option<Val<'_>>,
    messages: Option<&mut Messages<'_>>,
) -> Finding {
    let (pack, rule, ctx, about) = (j.engine.pack, j.rule, j.ctx, j.about);
    let lang = j.engine.input.lang;
    let evidence = values.join(" | ");
    let f_field = field.clone();
    let template = rule.spec.message.get(lang);
    let m = rule.mentions[usize::from(lang == Lang::En)]
        .get_or_init(|| mentions(&rule.spec.code, lang, template));
    let mut data = Map::new();
    let [
        code,
        name,
        department,
        field_word,
        evidence_word,
        values_word,
        change,
        reference_word,
    ] = m.words;
    if code {
        data.insert("code".into(), (**about.code).into());
    }
    if name {
        data.insert("name".into(), (**about.name).into());
    }
    if department {
        data.insert("department".into(), (**about.department).into());
    }
    if field_word {
        data.insert("field".into(), field.clone().into());
    }
    if evidence_word {
        data.insert("evidence".into(), evidence.clone().into());
    }
    if values_word {
        data.insert("values".into(), values.into());
    }
    if change {
        data.insert("change".into(), (**about.change).into());
    }
    if reference_word && let Some(r) = &reference {
        data.insert(
            "reference".into(),
            serde_json::to_value(r).unwrap_or(Value::Null),
        );
    }
    // Records are serialised only as far as the message refers to them: `{{item.name}}` needs one
    // field, not the whole item (which, for a million findings, is most of the rendering cost).
    let [item, old, adjustment, element_refs] = &m.records;
    if let Some(refs) = item {
        data.insert(
            "item".into(),
            ctx.item.map_or(Value::Null, |n| partial_json(n, refs)),
        );
    }
    if let Some(refs) = old {
        data.insert(
            "old".into(),
            ctx.old.map_or(Value::Null, |n| partial_json(n, refs)),
        );
    }
    if let Some(refs) = adjustment {
        data.insert(
            "adjustment".into(),
            ctx.adjustment
                .map_or(Value::Null, |n| partial_json(n, refs)),
        );
    }
    if let Some(refs) = element_refs {
        let el = match element {
            Some(Val::Obj(n)) => partial_json(n, refs),
            Some(v) => Value::String(v.display()),
            None => Value::Null,
        };
        data.insert("element".into(), el);
    }
    let data = Value::Object(data);
    let render = || {
        let mut message = pack
            .templates
            .render(&m.name, &data)
            .unwrap_or_else(|_| template.to_string());
        // Handlebars renders into an 8 KiB buffer; a finding keeps only its text (a million
        // findings would otherwise hold 8 GB of spare capacity).
        message.shrink_to_fit();
        message
    };
    let message = match messages {
        Some(memo) => {
            let key = data.to_string();
            memo.get(key.as_str(), str::to_string, || Some(render()))
                .unwrap_or_else(render)
        }
        None => render(),
    };
    Finding {
        rule: rule.code.clone(),
        rule_name: rule.name.clone(),
        category: rule.spec.category,
        severity: rule.spec.severity,
        code: about.code.clone(),
        name: about.name.clone(),
        department: about.department.clone(),
        change: about.change.clone(),
        // Two requests about one item are two findings: the request id enters the identity.
        // Department-level findings have no item code: the department is their identity.
        fingerprint: fingerprint(
            &rule.spec.code,
            if about.code.is_empty() {
                about.department
            } else {
                about.code
            },
            &field,
            &match about.adjustment {
                Some(id) => format!("{evidence}@{id}"),
                None => evidence.clone(),
            },
        ),
        field,
        message,
        evidence,
        state: FindingState::New,
        adjustment: about.adjustment.map(str::to_string),
        location: about.origin.map(|o| o.locate(&f_field)),
        waiver: None,
        response: None,
        reference,
    }
}

/// What a message template reads of a record: `None` when it does not mention it, `Some([])` when
/// it uses the record as a whole, else the top-level keys it reads (`item.name` → `name`).
/// What a message template mentions. A top-level word counts wherever it appears (in text too,
/// or after `this.`): giving a template a value it does not use costs little, missing one would
/// blank a message.
fn mentions(code: &str, lang: Lang, template: &str) -> crate::rules::Mentions {
    let word = |w: &str| template.contains(w);
    let record =
        |r: &str| references(template, r).map(|k| k.iter().map(|s| s.to_string()).collect());
    crate::rules::Mentions {
        name: format!("{code}/{}", if lang == Lang::En { "en" } else { "zh" }),
        words: [
            word("code"),
            word("name"),
            word("department"),
            word("field"),
            word("evidence"),
            word("values"),
            word("change"),
            word("reference"),
        ],
        records: [
            record("item"),
            record("old"),
            record("adjustment"),
            record("element"),
        ],
    }
}

fn references<'t>(template: &'t str, root: &str) -> Option<Vec<&'t str>> {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut keys = Vec::new();
    let mut seen = false;
    for (at, _) in template.match_indices(root) {
        // Only the word itself: not `items`, `item_type`, `holder` or `x.item`.
        if template[..at]
            .chars()
            .next_back()
            .is_some_and(|c| ident(c) || c == '.')
        {
            continue;
        }
        let rest = &template[at + root.len()..];
        if rest.starts_with(ident) {
            continue;
        }
        seen = true;
        let Some(tail) = rest.strip_prefix('.') else {
            return Some(Vec::new()); // the record as a whole: `{{#with item}}`, `{{#if old}}`
        };
        let end = tail.find(|c: char| !ident(c)).unwrap_or(tail.len());
        if end == 0 {
            return Some(Vec::new());
        }
        keys.push(&tail[..end]);
    }
    seen.then_some(keys)
}

/// A record as JSON: whole when `keys` is empty, else only those keys.
fn partial_json<K: AsRef<str>>(node: &dyn Node, keys: &[K]) -> Value {
    if keys.is_empty() {
        return node.to_json();
    }
    let mut m = Map::new();
    for k in keys {
        let k = k.as_ref();
        let v = val_json(node.get(k));
        if !v.is_null() {
            m.insert(k.to_string(), v);
        }
    }
    Value::Object(m)
}

fn val_json(v: Val<'_>) -> Value {
    match v {
        Val::Missing => Value::Null,
        Val::Bool(b) => Value::Bool(b),
        Val::Int(i) => Value::from(i),
        Val::Num(n) => serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number),
        Val::Str(s) => Value::String(s.to_string()),
        Val::Date(d) => Value::String(d.to_string()),
        Val::Obj(n) => n.to_json(),
        Val::Objs(l) => Value::Array((0..l.len()).map(|i| l.at(i).to_json()).collect()),
        Val::Strs(l) => Value::Array(l.iter().cloned().map(Value::String).collect()),
        Val::Json(j) => j.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::references;

    #[test]
    fn message_references() {
        assert_eq!(
            references("{{item.name}} {{item.onsite_visits}}", "item"),
            Some(vec!["name", "onsite_visits"])
        );
        assert_eq!(
            references("{{#with item}}{{name}}{{/with}}", "item"),
            Some(vec![])
        );
        assert_eq!(references("{{name}} 的 item_type 与 items", "item"), None);
        assert_eq!(
            references("{{#if old}}{{old.name}}{{/if}}", "old"),
            Some(vec![])
        );
        assert_eq!(references("{{holder}}", "old"), None);
    }
}
