//! Every subcommand's `--help` ends with real examples, and the README's synopsis names every
//! flag clap knows. Examples on the demo city's files run here, in order, in a scratch copy of the
//! repository's layout; the others (the user's own files) must at least parse.

use catalog_audit::cli::Cli;
use clap::{CommandFactory, Parser};
use std::collections::BTreeSet;
use std::path::Path;

/// Every leaf subcommand: its path (`rules list`) and clap's definition.
fn leaves() -> Vec<(String, clap::Command)> {
    fn walk(prefix: &str, cmd: &clap::Command, out: &mut Vec<(String, clap::Command)>) {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let path = format!("{prefix}{}", sub.get_name()).trim().to_string();
            if sub.get_subcommands().any(|s| s.get_name() != "help") {
                walk(&format!("{path} "), sub, out);
            } else {
                out.push((path, sub.clone()));
            }
        }
    }
    let mut out = Vec::new();
    walk("", &Cli::command(), &mut out);
    out
}

/// The example commands of a help text: `catalog-audit …` lines, `\` continuations joined.
fn examples(after_help: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut open = false;
    for line in after_help.lines().map(str::trim) {
        if open {
            let last = out.last_mut().unwrap();
            last.push(' ');
            last.push_str(line.trim_end_matches('\\').trim());
        } else if line.starts_with("catalog-audit ") {
            out.push(line.trim_end_matches('\\').trim().to_string());
        } else {
            continue;
        }
        open = line.ends_with('\\');
    }
    out
}

/// Shell words: spaces separate, double quotes group.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut quoted, mut any) = (false, false);
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            c => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[test]
fn every_subcommand_ends_its_help_with_examples_that_parse() {
    for (path, cmd) in leaves() {
        let help = cmd
            .get_after_help()
            .map(|h| h.to_string())
            .unwrap_or_default();
        assert!(
            help.starts_with("Examples"),
            "{path}: no examples in --help"
        );
        let list = examples(&help);
        assert!(
            (2..=3).contains(&list.len()) || (path == "registry import" && list.len() == 1),
            "{path}: {} examples",
            list.len()
        );
        for ex in list {
            let head = format!("catalog-audit {path}");
            assert!(
                ex == head || ex.starts_with(&format!("{head} ")),
                "{path}: {ex}"
            );
            if let Err(e) = Cli::try_parse_from(words(&ex)) {
                panic!("{path}: the example does not parse: {ex}\n{e}");
            }
        }
    }
}

#[test]
fn the_demo_examples_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let d = tempfile::tempdir().unwrap();
    for dir in ["examples", "rules"] {
        std::os::unix::fs::symlink(root.join(dir), d.path().join(dir)).unwrap();
    }
    // In the order a reader meets them: round 1 before round 2, the audit before the others.
    let order = [
        "audit",
        "check",
        "diff",
        "validate",
        "convert",
        "history",
        "rules list",
        "rules explain",
        "registry import",
    ];
    let leaves = leaves();
    let mut ran = 0;
    for path in order {
        let cmd = &leaves.iter().find(|(p, _)| p == path).unwrap().1;
        let help = cmd.get_after_help().unwrap().to_string();
        for ex in examples(&help) {
            let args = words(&ex);
            let demo = |a: &String| a.starts_with("examples/") || a.starts_with("rules/");
            let own_files = args.iter().skip(2).any(|a| {
                !a.starts_with('-') && a.contains('.') && !demo(a) && !a.starts_with("target/")
            });
            if own_files && !path.starts_with("rules") {
                continue;
            }
            let out = assert_cmd::Command::cargo_bin("catalog-audit")
                .unwrap()
                .current_dir(d.path())
                .args(&args[1..])
                .output()
                .unwrap();
            let code = out.status.code();
            assert!(
                matches!(code, Some(0 | 1)),
                "{ex}: exit {code:?}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            ran += 1;
        }
    }
    assert!(ran >= 15, "only {ran} examples ran");
    // What the examples wrote is under target/, as the README promises.
    let written: BTreeSet<String> = std::fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        written,
        ["examples", "rules", "target"]
            .map(String::from)
            .into_iter()
            .collect()
    );
}

/// The README's synopsis (the code block under "## Commands") names every long flag of every
/// subcommand, and no flag clap does not know.
#[test]
fn the_readme_synopsis_lists_every_flag() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .split("\n## Commands\n")
        .nth(1)
        .expect("a Commands section");
    let block = section
        .split("```")
        .nth(1)
        .expect("a code block in the Commands section");
    // Lines of one subcommand: from `catalog-audit <path>` to the next `catalog-audit`.
    let mut synopsis: Vec<(String, BTreeSet<String>)> = Vec::new();
    for line in block.lines() {
        let line = line.split("  #").next().unwrap();
        if let Some(rest) = line.trim_start().strip_prefix("catalog-audit ") {
            let path: Vec<&str> = rest
                .split_whitespace()
                .take_while(|w| w.chars().all(|c| c.is_ascii_lowercase()))
                .collect();
            synopsis.push((path.join(" "), BTreeSet::new()));
        }
        if let Some((_, flags)) = synopsis.last_mut() {
            for w in line.split(|c: char| c.is_whitespace() || "[]|".contains(c)) {
                if let Some(flag) = w.strip_prefix("--") {
                    let flag: String = flag
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                        .collect();
                    flags.insert(flag);
                }
            }
        }
    }
    for (path, cmd) in leaves() {
        let want: BTreeSet<String> = cmd
            .get_arguments()
            .filter_map(|a| a.get_long().map(String::from))
            .filter(|l| l != "help" && l != "version")
            .collect();
        let have = synopsis
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, f)| f.clone())
            .unwrap_or_else(|| panic!("the README's synopsis has no `catalog-audit {path}`"));
        let missing: Vec<_> = want.difference(&have).collect();
        let unknown: Vec<_> = have.difference(&want).collect();
        assert!(
            missing.is_empty() && unknown.is_empty(),
            "catalog-audit {path}: the README misses {missing:?} and names unknown {unknown:?}"
        );
    }
}

/// `rules list` and `rules explain` fit a 100-column terminal (a Chinese character is two
/// columns); titles wrap under themselves and every rule's code stays whole at the line's start.
#[test]
fn rule_catalogue_text_fits_100_columns() {
    use catalog_audit::report::catalogue::{Selection, explain_text, list_text};
    use catalog_audit::rules::{Lang, Pack};
    use unicode_width::UnicodeWidthStr;
    let pack = Pack::builtin().unwrap();
    let list = list_text(
        &pack,
        &Selection {
            category: None,
            severity: None,
            tag: None,
            all: true,
        },
    );
    let codes: Vec<&str> = pack.rules.iter().map(|r| &*r.spec.code).collect();
    for line in list.lines() {
        assert!(line.width() <= 100, "{} columns: {line}", line.width());
    }
    for code in &codes {
        assert!(
            list.lines().any(|l| l.starts_with(&format!("{code} "))),
            "{code} is not whole at a line's start"
        );
    }
    for rule in &pack.rules {
        for lang in [Lang::Zh, Lang::En] {
            for line in explain_text(rule, lang).lines() {
                assert!(
                    line.width() <= 100,
                    "{}: {} columns: {line}",
                    rule.spec.code,
                    line.width()
                );
            }
        }
    }
}
