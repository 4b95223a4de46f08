//! One rule on one subject: an item (with its facts), an adjustment request, or a department's
//! statistics. Every subject builds one evaluation context ([`Ctx::of`], filled in by the subject)
//! and one [`About`] (who the finding will be about); the rule's judgement is [`firings`], and
//! [`emit`] turns firings into findings through [`super::message`].

use super::Engine;
use super::facts::{ItemFacts, change_text, request_applied};
use super::memo::{Local, Messages, memo_firings};
use super::message::finding;
use crate::diff::{Entry, State};
use crate::finding::Finding;
use crate::model::{Adjustment, Item, Text};
use crate::node::{DeptStats, Node, Val};
use crate::rules::cond::{Ctx, Scope};
use crate::rules::{Rule, Severity};
use rustc_hash::FxHashMap as HashMap;

/// Who a finding is about.
pub(super) struct About<'a> {
    pub code: &'a Text,
    pub name: &'a Text,
    pub department: &'a Text,
    pub item_type: &'a str,
    pub change: &'static Text,
    pub adjustment: Option<&'a str>,
    pub origin: Option<&'a crate::model::Origin>,
}

/// One rule judged on one subject: what every step from firing to finding reads.
pub(super) struct Judging<'a> {
    pub engine: &'a Engine<'a>,
    pub rule: &'a Rule,
    pub ctx: &'a Ctx<'a>,
    pub about: &'a About<'a>,
}

/// An item against one rule, through the rule's memo when it has one.
pub(super) fn item(
    engine: &Engine<'_>,
    rule: &Rule,
    memo: Option<&mut Local<'_>>,
    facts: &ItemFacts<'_>,
    out: &mut Vec<Finding>,
) {
    let (pack, input) = (engine.pack, engine.input);
    let ctx = Ctx {
        old: facts.old.map(|o| o as &dyn Node),
        item: Some(facts.subject),
        adjustment: facts.adjustment.map(|a| a as &dyn Node),
        change_kind: facts.entry.state.as_str(),
        change_fields: &facts.roots,
        unrequested: &facts.unrequested,
        requests: facts.requests,
        peer_names: facts.peer_names,
        peer_types: facts.peer_types,
        profile: engine.profile,
        carried: &engine.carried,
        ..Ctx::of(facts.subject, input.as_of, &pack.calendar, &pack.registries)
    };
    let about = About {
        code: &facts.subject.code,
        name: &facts.subject.name,
        department: &facts.subject.department,
        item_type: &facts.subject.item_type,
        change: change_text(facts.entry.state),
        adjustment: None,
        origin: facts.subject.origin.0.as_deref(),
    };
    let j = Judging {
        engine,
        rule,
        ctx: &ctx,
        about: &about,
    };
    match memo {
        Some(m) => {
            let Some(severity) = decide(&j) else {
                return;
            };
            let firings = memo_firings(m, rule, facts.subject, &ctx);
            emit(&j, severity, &firings, Some(&mut m.2), out);
        }
        None => judge(&j, out),
    }
}

/// The diff's entries by the codes they have in the new and in the old snapshot.
pub(super) struct ByCode<'a> {
    pub new: HashMap<&'a str, &'a Entry>,
    pub old: HashMap<&'a str, &'a Entry>,
}

/// Every adjustment request of the log against the adjustment rules.
pub(super) fn adjustments(engine: &Engine<'_>, rules: &[&Rule], out: &mut Vec<Finding>) {
    let Some(log) = engine.input.log else {
        return;
    };
    let input = engine.input;
    let by = ByCode {
        new: input
            .diff
            .entries
            .iter()
            .filter_map(|e| e.new.map(|n| (&*input.new.items[n].code, e)))
            .collect(),
        old: input
            .diff
            .entries
            .iter()
            .filter_map(|e| e.old.map(|o| (&*engine.old_items[o].code, e)))
            .collect(),
    };
    for a in &log.adjustments {
        adjustment(engine, rules, a, &by, out);
    }
}

/// One request against the adjustment rules.
fn adjustment(
    engine: &Engine<'_>,
    rules: &[&Rule],
    a: &Adjustment,
    by: &ByCode<'_>,
    out: &mut Vec<Finding>,
) {
    let (pack, input, old_items) = (engine.pack, engine.input, engine.old_items);
    let new_entry = a
        .new_code
        .as_deref()
        .and_then(|c| by.new.get(c))
        .or_else(|| by.new.get(&*a.code))
        .copied();
    let old_entry = by.old.get(&*a.code).copied();
    let item: Option<&Item> = new_entry
        .and_then(|e| e.new.map(|n| &input.new.items[n]))
        .or_else(|| old_entry.and_then(|e| e.old.map(|o| &old_items[o])));
    let entry = new_entry.or(old_entry);
    let applied = request_applied(a, engine, &by.new, &by.old);
    let roots: Vec<String> = entry
        .and_then(|e| e.change)
        .map(|c| input.diff.changes[c].roots())
        .unwrap_or_default();
    let state = entry.map_or(State::Unchanged, |e| e.state);
    let ctx = Ctx {
        old: old_entry.and_then(|e| e.old.map(|o| &old_items[o] as &dyn Node)),
        item: item.map(|i| i as &dyn Node),
        adjustment: Some(a),
        change_kind: state.as_str(),
        change_fields: &roots,
        applied: Some(applied),
        ..Ctx::of(a, input.as_of, &pack.calendar, &pack.registries)
    };
    let empty = Text::default();
    let code = Text::from(a.code.as_str());
    let department = match (&a.department, item) {
        (Some(d), _) => Text::from(d.as_str()),
        (None, Some(i)) => i.department.clone(),
        (None, None) => Text::default(),
    };
    let about = About {
        code: &code,
        name: item.map_or(&empty, |i| &i.name),
        department: &department,
        item_type: item.map_or("", |i| &*i.item_type),
        change: change_text(state),
        adjustment: Some(&a.id),
        origin: a.origin.0.as_deref(),
    };
    judge_all(engine, rules, &ctx, &about, out);
}

/// A department's statistics against the department rules.
pub(super) fn department(
    engine: &Engine<'_>,
    rules: &[&Rule],
    stats: &DeptStats,
    out: &mut Vec<Finding>,
) {
    let pack = engine.pack;
    let ctx = Ctx {
        item: Some(stats),
        ..Ctx::of(stats, engine.input.as_of, &pack.calendar, &pack.registries)
    };
    let (empty, department) = (Text::default(), Text::from(stats.name.as_str()));
    let about = About {
        code: &empty,
        name: &empty,
        department: &department,
        item_type: "",
        change: change_text(State::Unchanged),
        adjustment: None,
        origin: None,
    };
    judge_all(engine, rules, &ctx, &about, out);
}

/// Every rule of a subject (a request, a department), without memos.
fn judge_all(
    engine: &Engine<'_>,
    rules: &[&Rule],
    ctx: &Ctx<'_>,
    about: &About<'_>,
    out: &mut Vec<Finding>,
) {
    for rule in rules {
        judge(
            &Judging {
                engine,
                rule,
                ctx,
                about,
            },
            out,
        );
    }
}

/// A rule on a subject, without a memo.
fn judge(j: &Judging<'_>, out: &mut Vec<Finding>) {
    let Some(severity) = decide(j) else {
        return;
    };
    emit(j, severity, &firings(j.rule, j.ctx), None, out);
}

/// The severity a rule has for this subject under the configuration, or `None` when disabled.
fn decide(j: &Judging<'_>) -> Option<Severity> {
    j.engine.input.config.decide(
        &j.rule.spec.code,
        j.rule.spec.severity,
        j.about.department,
        j.about.item_type,
    )
}

/// One place a rule fires: which `for_each` value and element (if any), the field, the evidence.
#[derive(Debug, Clone)]
pub(super) struct Firing {
    pub at: Option<(usize, usize, Option<usize>)>,
    pub field: String,
    pub evidence: Vec<String>,
    pub reference: Option<Box<crate::finding::Reference>>,
    /// A severity of the place's own (an element profile's), under the configuration's.
    pub severity: Option<Severity>,
}

/// Where a rule fires on a subject. This is the whole of a rule's judgement; turning firings into
/// findings (messages, fingerprints) is [`emit`].
pub(super) fn firings(rule: &Rule, ctx: &Ctx<'_>) -> Vec<Firing> {
    if rule.spec.elements {
        return element_firings(rule, ctx);
    }
    places(rule, ctx, None, |scope| !rule.require.eval(ctx, scope))
}

/// One firing per element of the profile the item lacks (a rule with `elements`): the element's
/// key is the field; the evidence is `[name, bad values, allowed values, English name, kind]`.
fn element_firings(rule: &Rule, ctx: &Ctx<'_>) -> Vec<Firing> {
    let Some(profile) = ctx.profile else {
        return Vec::new();
    };
    let top = Scope {
        current: Val::Obj(ctx.subject),
        siblings: None,
    };
    if rule.when.as_ref().is_some_and(|w| !w.eval(ctx, &top)) {
        return Vec::new();
    }
    let item_type = ctx.subject.get("item_type").display();
    let carried = |key: &str| {
        ctx.carried
            .binary_search_by(|k| k.as_str().cmp(key))
            .is_ok()
    };
    profile
        .lacks(ctx, &item_type, &carried)
        .into_iter()
        .map(|lack| {
            let e = lack.element;
            let kind = if e.key.contains("[].") {
                "entries"
            } else if lack.missing {
                "missing"
            } else {
                "invalid"
            };
            Firing {
                at: None,
                field: e.key.clone(),
                evidence: vec![
                    e.zh.clone(),
                    // List entries are quoted one by one in the message (“A”、“B”).
                    lack.bad.join(if kind == "entries" {
                        "”、“"
                    } else {
                        "、"
                    }),
                    e.values.join("、"),
                    e.en.clone(),
                    kind.to_string(),
                ],
                reference: None,
                severity: e.severity,
            }
        })
        .collect()
}

/// The places (the subject, or the elements of its `for_each` lists) where the rule's `when`
/// holds and `holds` too, with their fields and evidence. With `known`, only those places are
/// visited, their `when` known to hold (found for another item with the same fields).
pub(super) fn places(
    rule: &Rule,
    ctx: &Ctx<'_>,
    known: Option<&[Firing]>,
    holds: impl Fn(&Scope<'_>) -> bool,
) -> Vec<Firing> {
    let top = Scope {
        current: Val::Obj(ctx.subject),
        siblings: None,
    };
    let when = |at, scope: &Scope<'_>| match known {
        Some(known) => known.iter().any(|p| p.at == at),
        None => rule.when.as_ref().is_none_or(|w| w.eval(ctx, scope)),
    };
    let mut out = Vec::new();
    if rule.for_each.is_empty() {
        if when(None, &top) && holds(&top) {
            out.push(Firing {
                at: None,
                field: rule.spec.field.clone(),
                evidence: evidence(rule, ctx, &top, None),
                reference: reference(rule, ctx, &top),
                severity: None,
            });
        }
        return out;
    }
    for (pi, path) in rule.for_each.iter().enumerate() {
        for (vi, value) in path.values(ctx, &top).into_iter().enumerate() {
            let (elements, is_list) = match value.elements() {
                Some(els) => (els, true),
                None => (vec![value], false),
            };
            for i in 0..elements.len() {
                let scope = Scope {
                    current: elements[i],
                    siblings: is_list.then_some((elements.as_slice(), i)),
                };
                let at = Some((pi, vi, is_list.then_some(i)));
                if !when(at, &scope) || !holds(&scope) {
                    continue;
                }
                let key = match elements[i] {
                    Val::Obj(n) => n.key(),
                    v => v.display(),
                };
                let field = if is_list {
                    format!("{}[{}]", path.text.replace("[]", ""), key)
                } else {
                    path.text.clone()
                };
                out.push(Firing {
                    at,
                    field,
                    evidence: evidence(rule, ctx, &scope, Some(&key)),
                    reference: reference(rule, ctx, &scope),
                    severity: None,
                });
            }
        }
    }
    out
}

/// The findings of a rule's firings on a subject.
fn emit(
    j: &Judging<'_>,
    severity: Severity,
    firings: &[Firing],
    mut messages: Option<&mut Messages<'_>>,
    out: &mut Vec<Finding>,
) {
    let (rule, ctx) = (j.rule, j.ctx);
    let top = Scope {
        current: Val::Obj(ctx.subject),
        siblings: None,
    };
    for f in firings {
        let element = f.at.and_then(|(pi, vi, ei)| {
            let value = *rule.for_each[pi].values(ctx, &top).get(vi)?;
            match ei {
                Some(i) => value.elements()?.get(i).copied(),
                None => Some(value),
            }
        });
        let mut finding = finding(
            j,
            f.field.clone(),
            f.evidence.clone(),
            f.reference.clone(),
            element,
            messages.as_deref_mut(),
        );
        // An element's own severity is the default the configuration decides on.
        finding.severity = match f.severity {
            Some(own) => j
                .engine
                .input
                .config
                .decide(&rule.spec.code, own, j.about.department, j.about.item_type)
                .unwrap_or(severity),
            None => severity,
        };
        out.push(finding);
    }
}

fn reference(
    rule: &Rule,
    ctx: &Ctx<'_>,
    scope: &Scope<'_>,
) -> Option<Box<crate::finding::Reference>> {
    rule.reference.as_ref()?.entry(ctx, scope).map(Box::new)
}

fn evidence(rule: &Rule, ctx: &Ctx<'_>, scope: &Scope<'_>, key: Option<&str>) -> Vec<String> {
    if rule.evidence.is_empty() {
        return key.map(|k| vec![k.to_string()]).unwrap_or_default();
    }
    rule.evidence
        .iter()
        .map(|e| e.display(ctx, scope))
        .collect()
}
