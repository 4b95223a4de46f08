//! Text helpers shared by the diff, the rules and the renderers: comparison keys, character diffs,
//! and catalog text made safe to show on a terminal.
//!
//! Keys are for comparing only (NFKC folds full-width forms, whitespace is dropped); what users see
//! is always the original text, with the characters a terminal would obey written out
//! ([`visible`]).

use crate::limits::MAX_DIFF_WORK;
use serde::Serialize;
use similar::{Algorithm, ChangeTag};
use unicode_normalization::UnicodeNormalization;

/// Whether a character would act on a terminal rather than show: the C0 and C1 controls and DEL
/// (ESC starts sequences that retitle the window, plant a hyperlink or move the cursor; CR
/// overwrites the line), the bidirectional embeddings, overrides and isolates (U+202A–202E,
/// U+2066–2069), which reorder what is shown, and the Unicode line and paragraph separators.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}'
        )
}

/// How a hidden character is written out: `\n`, `\r`, `\t`, else `\u{1b}` (Rust's escapes).
pub fn escape_hidden(c: char) -> String {
    match c {
        '\n' => "\\n".into(),
        '\r' => "\\r".into(),
        '\t' => "\\t".into(),
        c => format!("\\u{{{:x}}}", u32::from(c)),
    }
}

/// Catalog text as a terminal may show it: every [hidden](is_hidden) character written out, so
/// that a department name shows what it holds and does nothing. Line breaks and tabs are written
/// out too: a value that broke the line would break the report's layout, and a stray tab or
/// newline in a catalog value is worth seeing.
pub fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_hidden) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_hidden(c) {
            out.push_str(&escape_hidden(c));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// [`visible`] for the tool's own multi-line messages (errors, warnings) that quote catalog
/// text: their line breaks are kept, everything else hidden is written out.
pub fn visible_lines(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && is_hidden(c)) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(s.split('\n').map(visible).collect::<Vec<_>>().join("\n"))
}

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

/// A diff by characters, with numbers and Latin words whole: Chinese has no spaces, so words are
/// no unit to diff by, but a changed amount, time limit or 文号 year reads as one value replaced
/// (`[120]元 → [100]元`, `国发〔[2017]〕 → 国发〔[2018]〕`), never as a changed digit (`1[2]0元`).
///
/// `None` when the texts differ too much for a diff within [`MAX_DIFF_WORK`]: the product of
/// the unit counts of the parts that differ, once the common beginning and end are set aside
/// (the diff's worst case grows with it). The change is then the whole old value replaced by the
/// whole new one ([`whole`]). The bound counts units, not time, so a report never depends on the
/// machine that wrote it; a long text with a small edit still gets its diff.
pub fn char_diff(old: &str, new: &str) -> Option<Vec<TextOp>> {
    let (a, b) = (tokens(old), tokens(new));
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let work = (a.len() - prefix - suffix) as u64 * (b.len() - prefix - suffix) as u64;
    if work > MAX_DIFF_WORK {
        return None;
    }
    let mut ops: Vec<TextOp> = Vec::new();
    for (tag, run) in similar::capture_diff_slices(Algorithm::Myers, &a, &b)
        .iter()
        .flat_map(|op| op.iter_changes(&a, &b).map(|c| (c.tag(), c.value())))
    {
        let op = match tag {
            ChangeTag::Equal => "equal",
            ChangeTag::Delete => "delete",
            ChangeTag::Insert => "insert",
        };
        match ops.last_mut() {
            Some(last) if last.op == op => last.text.push_str(run),
            _ => ops.push(TextOp {
                op,
                text: run.to_string(),
            }),
        }
    }
    Some(ops)
}

/// A change shown whole: the old value deleted, the new one inserted, no character spans.
pub fn whole(old: &str, new: &str) -> Vec<TextOp> {
    [("delete", old), ("insert", new)]
        .into_iter()
        .filter(|(_, text)| !text.is_empty())
        .map(|(op, text)| TextOp {
            op,
            text: text.to_string(),
        })
        .collect()
}

/// The units of [`char_diff`]: a number (digits, with `,` or `.` between digits), a number in
/// Chinese numerals (第[四十六]条), a run of Latin letters, or any other single character.
fn tokens(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut chars = s.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let mut end = start + c.len_utf8();
        if c.is_ascii_digit() {
            while let Some(&(i, d)) = chars.peek() {
                let joins = matches!(d, ',' | '.')
                    && s[i + 1..]
                        .chars()
                        .next()
                        .is_some_and(|n| n.is_ascii_digit());
                if !(d.is_ascii_digit() || joins) {
                    break;
                }
                end = i + d.len_utf8();
                chars.next();
            }
        } else if c.is_ascii_alphabetic() || chinese_numeral(c) {
            let same = |d: char| {
                if c.is_ascii_alphabetic() {
                    d.is_ascii_alphabetic()
                } else {
                    chinese_numeral(d)
                }
            };
            while let Some(&(i, d)) = chars.peek() {
                if !same(d) {
                    break;
                }
                end = i + d.len_utf8();
                chars.next();
            }
        }
        out.push(&s[start..end]);
    }
    out
}

/// A character of a number written in Chinese numerals.
fn chinese_numeral(c: char) -> bool {
    "〇零一二三四五六七八九十百千万两".contains(c)
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
        let ops = char_diff("办理时限：20个工作日", "办理时限：15个工作日").unwrap();
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

    fn diff(old: &str, new: &str) -> Vec<TextOp> {
        char_diff(old, new).expect("within the budget")
    }

    /// The marked runs of a diff, as `[old]→[new]` pairs, for reading in a test.
    fn marked(ops: &[TextOp]) -> (Vec<&str>, Vec<&str>) {
        let pick = |op: &str| {
            ops.iter()
                .filter(|o| o.op == op)
                .map(|o| o.text.as_str())
                .collect()
        };
        (pick("delete"), pick("insert"))
    }

    #[test]
    fn numbers_amounts_and_doc_numbers_change_whole() {
        assert_eq!(
            marked(&diff("每证120元", "每证100元")),
            (vec!["120"], vec!["100"])
        );
        assert_eq!(
            marked(&diff("国发〔2017〕12号", "国发〔2018〕12号")),
            (vec!["2017"], vec!["2018"])
        );
        assert_eq!(
            marked(&diff("1,250元", "1,350.50元")),
            (vec!["1,250"], vec!["1,350.50"])
        );
        // A comma after a number is punctuation, not part of it.
        assert_eq!(tokens("20，30"), ["20", "，", "30"]);
        assert_eq!(tokens("5,"), ["5", ","]);
        assert_eq!(
            marked(&diff("第四十六条", "第四十七条")),
            (vec!["四十六"], vec!["四十七"])
        );
        // Chinese text still diffs by character.
        assert_eq!(
            marked(&diff("居民户口簿", "居民身份证")),
            (vec!["户口簿"], vec!["身份证"])
        );
    }

    #[test]
    fn texts_too_different_for_the_budget_change_whole() {
        // Two unrelated texts of 300,000 characters: 9 × 10^10 units of work, far over.
        let old: String = "甲乙丙丁".chars().cycle().take(300_000).collect();
        let new: String = "子丑寅卯辰".chars().cycle().take(300_000).collect();
        assert_eq!(char_diff(&old, &new), None);
        let ops = whole(&old, &new);
        assert_eq!(
            ops.iter().map(|o| (o.op, o.text.len())).collect::<Vec<_>>(),
            [("delete", old.len()), ("insert", new.len())]
        );
        // A long text with one amount changed still gets its diff: only the middle counts.
        let long: String = "依据《条例》办理。".repeat(100_000);
        let (a, b) = (
            format!("{long}每证120元{long}"),
            format!("{long}每证100元{long}"),
        );
        assert_eq!(marked(&diff(&a, &b)), (vec!["120"], vec!["100"]));
        // At the bound exactly, the diff is made.
        let side = (MAX_DIFF_WORK as f64).sqrt() as usize;
        let (a, b) = ("甲".repeat(side), "乙".repeat(side));
        assert!(char_diff(&a, &b).is_some());
        assert!(char_diff(&a, &format!("{b}乙")).is_none());
        assert_eq!(
            whole("", "新"),
            vec![TextOp {
                op: "insert",
                text: "新".into()
            }]
        );
    }
}
