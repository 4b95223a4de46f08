//! Text helpers shared by the diff and the rules: comparison keys and character diffs.
//!
//! Keys are for comparing only (NFKC folds full-width forms, whitespace is dropped); what users see
//! is always the original text.

use serde::Serialize;
use similar::{Algorithm, ChangeTag};
use unicode_normalization::UnicodeNormalization;

/// The comparison key of a name: NFKC, whitespace removed, ASCII lowercased.
pub fn key(s: &str) -> String {
    s.nfkc()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// One run of a character-level diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextOp {
    /// `equal`, `delete` or `insert`.
    pub op: &'static str,
    pub text: String,
}

/// A character-level diff: Chinese has no spaces, so words are no unit to diff by.
pub fn char_diff(old: &str, new: &str) -> Vec<TextOp> {
    let mut ops: Vec<TextOp> = Vec::new();
    for (tag, text) in similar::utils::diff_chars(Algorithm::Myers, old, new) {
        let op = match tag {
            ChangeTag::Equal => "equal",
            ChangeTag::Delete => "delete",
            ChangeTag::Insert => "insert",
        };
        match ops.last_mut() {
            Some(last) if last.op == op => last.text.push_str(text),
            _ => ops.push(TextOp {
                op,
                text: text.to_string(),
            }),
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_folds_width_and_spaces() {
        assert_eq!(key("居民身份证 "), key("居民身份证"));
        assert_eq!(key("（复印件）ＡＢ"), "(复印件)ab");
        assert_ne!(key("居民身份证"), key("户口簿"));
    }

    #[test]
    fn char_diff_marks_changed_digits() {
        let ops = char_diff("办理时限：20个工作日", "办理时限：15个工作日");
        let rebuilt_old: String = ops
            .iter()
            .filter(|o| o.op != "insert")
            .map(|o| o.text.as_str())
            .collect();
        let rebuilt_new: String = ops
            .iter()
            .filter(|o| o.op != "delete")
            .map(|o| o.text.as_str())
            .collect();
        assert_eq!(rebuilt_old, "办理时限：20个工作日");
        assert_eq!(rebuilt_new, "办理时限：15个工作日");
        assert!(ops.iter().any(|o| o.op == "delete" && o.text.contains('2')));
        assert!(ops.iter().any(|o| o.op == "insert" && o.text.contains('5')));
        assert_eq!(
            ops[0],
            TextOp {
                op: "equal",
                text: "办理时限：".into()
            }
        );
    }
}
