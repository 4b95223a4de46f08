//! The tool's own words in reports: a message catalogue per language (`reports/messages/*.LANG.json`),
//! embedded in the binary, which a deployment can override key by key with `--messages FILE`.
//! Rule messages are not here: they come from the rule files.

use crate::error::{Error, Result};
use crate::rules::Lang;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The built-in catalogues: one file per part of the tool and language, merged.
const ZH: &[&str] = &[
    include_str!("../reports/messages/common.zh.json"),
    include_str!("../reports/messages/html.zh.json"),
    include_str!("../reports/messages/sheet.zh.json"),
    include_str!("../reports/messages/rounds.zh.json"),
    include_str!("../reports/messages/history.zh.json"),
];
const EN: &[&str] = &[
    include_str!("../reports/messages/common.en.json"),
    include_str!("../reports/messages/html.en.json"),
    include_str!("../reports/messages/sheet.en.json"),
    include_str!("../reports/messages/rounds.en.json"),
    include_str!("../reports/messages/history.en.json"),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[allow(dead_code)]
    format: String,
    lang: String,
    texts: BTreeMap<String, String>,
}

/// A message catalogue.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Texts {
    /// The HTML `lang` of the catalogue (zh-CN, en).
    pub lang: String,
    /// Key → text; `{name}` marks a parameter.
    pub texts: BTreeMap<String, String>,
}

impl Texts {
    /// The built-in catalogue of a language.
    pub fn builtin(lang: Lang) -> Texts {
        let files = match lang {
            Lang::Zh => ZH,
            Lang::En => EN,
        };
        let mut t = Texts::default();
        for text in files {
            let f: File = serde_json::from_str(text).expect("built-in message catalogue is valid");
            t.lang = f.lang;
            t.texts.extend(f.texts);
        }
        t
    }

    /// The built-in catalogue with a deployment's overrides on top; unknown keys are errors.
    pub fn with_overrides(lang: Lang, path: &Path) -> Result<Texts> {
        let mut t = Texts::builtin(lang);
        let file = path.display().to_string();
        let text = crate::files::read_regular_text(path, Some(crate::files::SETUP_LIMIT)).map_err(
            |source| Error::Read {
                path: path.to_path_buf(),
                source,
            },
        )?;
        let f: File = serde_json::from_str(&text).map_err(|e| {
            Error::setup(
                &file,
                format!("not a message catalogue (report-texts/1): {e}"),
            )
        })?;
        for (k, v) in f.texts {
            if !t.texts.contains_key(&k) {
                return Err(Error::Usage(format!("{file}: unknown message key \"{k}\"")));
            }
            t.texts.insert(k, v);
        }
        t.lang = f.lang;
        Ok(t)
    }

    /// The text of a key (the key itself when missing, so a gap shows instead of vanishing).
    pub fn get(&self, key: &str) -> String {
        self.texts
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }

    /// The text of a key with `{name}` parameters filled in, in one pass: a value that itself
    /// holds `{other}` (catalog text, a department's reply) stays as written.
    pub fn fmt(&self, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        let text = self.get(key);
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let arg = after.find('}').and_then(|close| {
                let name = &after[..close];
                args.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (close, v.to_string()))
            });
            match arg {
                Some((close, value)) => {
                    out.push_str(&value);
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogues_have_the_same_keys() {
        let zh = Texts::builtin(Lang::Zh);
        let en = Texts::builtin(Lang::En);
        let a: Vec<&String> = zh.texts.keys().collect();
        let b: Vec<&String> = en.texts.keys().collect();
        assert_eq!(a, b);
        assert_eq!(en.fmt("summary.line.items", &[("n", &3)]), "3 items");
        // One pass: a value holding a parameter's name is not filled in again.
        let reply = "已整改 {rule}";
        let m = zh.fmt(
            "rule.CF-92.message",
            &[
                ("rule", &"LB-01"),
                ("reply", &reply),
                ("code", &"{name}"),
                ("name", &"x"),
            ],
        );
        assert!(
            m.contains("已整改 {rule}") && m.contains("（{name}）"),
            "{m}"
        );
        assert_eq!(
            zh.fmt("summary.line.items", &[]),
            zh.get("summary.line.items")
        );
    }

    #[test]
    fn english_has_no_chinese() {
        for (k, v) in &Texts::builtin(Lang::En).texts {
            assert!(
                !v.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{k}: {v}"
            );
        }
    }
}
