//! Findings: the review comments every stage after the engine works on, their stable
//! fingerprints and the one order in which every report lists them.
//!
//! A fingerprint is computed from a finding's content (rule, item code, field, evidence), never from
//! positions or message text, so the same defect keeps its fingerprint across review rounds.

use crate::model::Text;
use crate::rules::{Category, PolicyBasis, Severity};
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// What a report says about a rule that fired (in the report's language).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleDoc {
    pub name: String,
    pub title: String,
    pub severity: Severity,
    pub category: Category,
    pub rationale: String,
    pub remediation: String,
    pub basis: Vec<PolicyBasis>,
    /// How its findings become comments (advice, group, same fact), in the report's language.
    #[serde(skip_serializing_if = "ReviewDoc::is_default")]
    pub review: ReviewDoc,
}

/// A rule's [`crate::rules::Review`] in the report's language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReviewDoc {
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub advice: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub same_fact: Vec<String>,
}

impl ReviewDoc {
    fn is_default(&self) -> bool {
        *self == ReviewDoc::default()
    }

    /// The rule's review settings in one language.
    pub fn of(r: &crate::rules::Review, lang: crate::rules::Lang) -> ReviewDoc {
        ReviewDoc {
            advice: r.advice,
            group: r.group.clone(),
            department: r.department.as_ref().map(|t| t.get(lang).to_string()),
            same_fact: r.same_fact.clone(),
        }
    }
}

/// A finding's state against a baseline report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingState {
    New,
    Persisting,
    Reopened,
    Resolved,
    Waived,
}

impl FindingState {
    /// Its name in the JSON (`persisting`), and the key of its words in the message catalogue
    /// (`state.persisting`).
    pub fn as_str(self) -> &'static str {
        match self {
            FindingState::New => "new",
            FindingState::Persisting => "persisting",
            FindingState::Reopened => "reopened",
            FindingState::Resolved => "resolved",
            FindingState::Waived => "waived",
        }
    }
}

/// One review comment.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Finding {
    pub rule: Text,
    #[serde(default)]
    pub rule_name: Text,
    pub category: Category,
    pub severity: Severity,
    /// The item's code in the snapshot the finding is about.
    pub code: Text,
    /// The item's name.
    pub name: Text,
    pub department: Text,
    /// The item's change kind, or `unchanged`.
    pub change: Text,
    pub field: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub evidence: String,
    pub fingerprint: String,
    pub state: FindingState,
    /// The adjustment request the finding is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjustment: Option<String>,
    /// Where the offending value is, for spreadsheet inputs: file, sheet, cell and column name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<crate::location::Location>,
    /// The waiver that covers this finding (its id), when waived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<String>,
    /// The department's reply read back from the previous round's review sheet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Response>,
    /// The registry entry the finding relied on (a repealed act, a fee's catalogue entry), so a
    /// reviewer can check it; not part of the fingerprint, so correcting an entry's source keeps
    /// the finding's identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<Box<Reference>>,
}

pub use crate::registry::Reference;

/// A department's reply to a review comment (整改结果, 整改情况, 反馈日期).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Response {
    /// What the department wrote in 整改情况 (its explanation; may be empty when only an
    /// outcome was chosen).
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The outcome chosen in the sheet's drop-down (整改结果), when one was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// Whether the reply says the problem was fixed: the outcome 已整改, or without an outcome,
    /// words of a fix in the text. A declined comment (不予采纳) never claims a fix.
    #[serde(default)]
    pub claims_fixed: bool,
}

impl Response {
    /// The reply in words as a message quotes it: the outcome, then the department's text
    /// (`已整改：补充了依据`, or `已整改` alone).
    pub fn words(&self, t: &crate::messages::Texts) -> String {
        // The drop-down's words without the hint in brackets (不予采纳, not 不予采纳（须说明理由）).
        let outcome =
            |o: Outcome| Outcome::head(&t.get(&format!("outcome.{}", o.as_str()))).to_string();
        match (self.outcome, self.text.is_empty()) {
            (Some(o), true) => outcome(o),
            (Some(o), false) => t.fmt(
                "reply.with_outcome",
                &[("outcome", &outcome(o)), ("text", &self.text)],
            ),
            (None, _) => self.text.clone(),
        }
    }
}

/// The outcome a department chooses for a comment in the review sheet's drop-down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 已整改
    Fixed,
    /// 整改中
    InProgress,
    /// 不予采纳（须说明理由）
    Declined,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Fixed, Outcome::InProgress, Outcome::Declined];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Fixed => "fixed",
            Outcome::InProgress => "in_progress",
            Outcome::Declined => "declined",
        }
    }

    /// A drop-down label's words before its hint in brackets (不予采纳 of 不予采纳（须说明理由）).
    fn head(label: &str) -> &str {
        label.split(['（', '(']).next().unwrap_or(label).trim()
    }

    /// The outcome a sheet's cell names, in either language: the drop-down's words, or their
    /// head before a bracket (不予采纳 for 不予采纳（须说明理由）), ignoring case and spaces.
    pub fn from_cell(cell: &str) -> Option<Outcome> {
        fn norm(s: &str) -> String {
            s.chars()
                .filter(|c| !c.is_whitespace())
                .flat_map(char::to_lowercase)
                .collect()
        }
        // Each outcome's words and their head, in both languages, read from the catalogues once.
        static WORDS: std::sync::OnceLock<Vec<(String, Outcome)>> = std::sync::OnceLock::new();
        let words = WORDS.get_or_init(|| {
            let mut w = Vec::new();
            for lang in [crate::rules::Lang::Zh, crate::rules::Lang::En] {
                let t = crate::messages::Texts::builtin(lang);
                for o in Outcome::ALL {
                    let label = norm(&t.get(&format!("outcome.{}", o.as_str())));
                    w.push((Outcome::head(&label).to_string(), o));
                    w.push((label, o));
                }
            }
            w
        });
        let cell = norm(cell);
        words.iter().find(|(w, _)| *w == cell).map(|(_, o)| *o)
    }
}

/// Sorts findings as every report lists them: by department, item code, rule, field, evidence and
/// request.
pub fn sort(findings: &mut [Finding]) {
    fn key(f: &Finding) -> (&str, &str, &str, &str, &str, Option<&str>) {
        (
            &f.department,
            &f.code,
            &f.rule,
            &f.field,
            &f.evidence,
            f.adjustment.as_deref(),
        )
    }
    // Positions are sorted (in parallel, stably: the order is the same for any number of
    // threads), then the findings are moved into place: a million findings are not copied into
    // a second buffer, as sorting them directly would.
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.par_sort_by(|&a, &b| key(&findings[a]).cmp(&key(&findings[b])));
    permute(findings, order);
}

/// Moves `items[order[i]]` to position `i`, following the permutation's cycles.
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..items.len() {
        let mut at = start;
        while order[at] != start {
            let from = order[at];
            items.swap(at, from);
            order[at] = at;
            at = from;
        }
        order[at] = at;
    }
}

/// The stable identity of a finding: 12 hex digits of SHA-256 over its content.
pub fn fingerprint(rule: &str, code: &str, field: &str, evidence: &str) -> String {
    let mut h = Sha256::new();
    for part in [rule, code, field, evidence] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = h.finalize();
    let mut out = String::with_capacity(12);
    for b in &digest[..6] {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
    out
}

/// Whether a finding in this state still asks something of its department.
pub fn is_open(s: FindingState) -> bool {
    matches!(
        s,
        FindingState::New | FindingState::Persisting | FindingState::Reopened
    )
}

#[cfg(test)]
mod outcome_tests {
    use super::Outcome;

    #[test]
    fn outcomes_are_read_in_either_language_with_or_without_the_bracket() {
        assert_eq!(Outcome::from_cell("已整改"), Some(Outcome::Fixed));
        assert_eq!(Outcome::from_cell(" 整改中 "), Some(Outcome::InProgress));
        assert_eq!(
            Outcome::from_cell("不予采纳（须说明理由）"),
            Some(Outcome::Declined)
        );
        assert_eq!(Outcome::from_cell("不予采纳"), Some(Outcome::Declined));
        assert_eq!(Outcome::from_cell("declined"), Some(Outcome::Declined));
        assert_eq!(Outcome::from_cell("In progress"), Some(Outcome::InProgress));
        assert_eq!(Outcome::from_cell("已整改：补充了依据"), None);
        assert_eq!(Outcome::from_cell(""), None);
    }
}

#[cfg(test)]
mod tests {
    use super::permute;
    #[test]

    fn permutations_move_each_element_to_its_place() {
        let mut x = 7usize;
        for n in [0, 1, 2, 5, 100] {
            // A pseudo-random permutation of 0..n.
            let mut order: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                order.swap(i, (x >> 33) % (i + 1));
            }
            let items: Vec<String> = (0..n).map(|i| format!("v{i}")).collect();
            let want: Vec<String> = order.iter().map(|&i| items[i].clone()).collect();
            let mut got = items.clone();
            permute(&mut got, order);
            assert_eq!(got, want);
        }
    }
}
