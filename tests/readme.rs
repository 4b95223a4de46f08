//! The README tells the truth: its walkthrough and error example run as written and print what it
//! shows, and its pictures still show what the tool writes.

use sha2::{Digest, Sha256};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A scratch directory laid out like the repository (inputs linked, `target/` its own).
fn scratch() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for dir in ["examples", "rules", "tests"] {
        std::os::unix::fs::symlink(root().join(dir), d.path().join(dir)).unwrap();
    }
    d
}

/// Shell words: spaces separate, double quotes group.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Code blocks in order: (language, text).
fn blocks(markdown: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut parts = markdown.split("\n```");
    parts.next();
    while let Some(open) = parts.next() {
        let (lang, body) = open.split_once('\n').unwrap_or((open, ""));
        out.push((lang.trim().to_string(), body.to_string()));
        // The closing fence's remainder is prose.
        if parts.next().is_none() {
            break;
        }
    }
    out
}

/// Runs every `catalog-audit` command of the README's `sh` blocks, in order, in one scratch
/// directory; a `text` block right after one lists lines its output must contain, in that order
/// (`…` skips any number of lines).
#[test]
fn the_readme_commands_print_what_it_shows() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let d = scratch();
    let list = blocks(&readme);
    let mut ran = 0;
    for (i, (lang, body)) in list.iter().enumerate() {
        if lang != "sh" {
            continue;
        }
        for line in body.lines().filter(|l| l.starts_with("catalog-audit ")) {
            let args = words(line);
            let out = assert_cmd::Command::cargo_bin("catalog-audit")
                .unwrap()
                .current_dir(d.path())
                .env("NO_COLOR", "1")
                .args(&args[1..])
                .output()
                .unwrap();
            let printed = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            let code = out.status.code();
            ran += 1;
            let Some((next_lang, shown)) = list.get(i + 1) else {
                continue;
            };
            if next_lang != "text" {
                assert!(
                    matches!(code, Some(0 | 1)),
                    "{line}: exit {code:?}\n{printed}"
                );
                continue;
            }
            // Each shown line in order, `…` allowing a gap; without `…` the lines are adjacent.
            let lines: Vec<&str> = printed.lines().map(str::trim_end).collect();
            let mut at = 0;
            let mut gap = false;
            for want in shown.lines() {
                if want.trim() == "…" {
                    gap = true;
                    continue;
                }
                let found = if gap {
                    lines[at..].iter().position(|l| *l == want).map(|p| at + p)
                } else {
                    (lines.get(at) == Some(&want)).then_some(at)
                };
                match found {
                    Some(p) => at = p + 1,
                    None => panic!(
                        "README: `{line}` does not print\n  {want}\n(after line {at}); it printed:\n{printed}"
                    ),
                }
                gap = false;
            }
        }
    }
    assert!(ran >= 5, "only {ran} README commands ran");
}

/// The pictures were taken of what the tool writes now: `docs/images/SOURCES.sha256` names the
/// hashes of the department page and sheet they show; rerun `bash docs/pictures.sh` when this
/// fails.
#[test]
fn the_readme_pictures_show_what_the_tool_writes() {
    let d = scratch();
    let out = assert_cmd::Command::cargo_bin("catalog-audit")
        .unwrap()
        .current_dir(d.path())
        .args([
            "audit",
            "examples/qinghe/2017-06-30.json",
            "examples/qinghe/2017-12-31.json",
            "--adjustments",
            "examples/qinghe/adjustments-2017H2.json",
            "--format",
            "html",
            "--format",
            "xlsx",
            "--split-by",
            "department",
            "--out",
            "target/pictures",
            "--reply-by",
            "2018-01-31",
            "--contact",
            "市审改办 王审核",
            "--fail-on",
            "never",
            "--quiet",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sources = std::fs::read_to_string(root().join("docs/images/SOURCES.sha256")).unwrap();
    assert_eq!(sources.lines().count(), 2);
    for line in sources.lines() {
        let (hash, name) = line.split_once("  ").unwrap();
        let bytes = std::fs::read(d.path().join("target/pictures").join(name)).unwrap();
        let now: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            now, hash,
            "docs/images no longer shows what the tool writes for {name}: run `bash docs/pictures.sh` and commit the pictures"
        );
    }
    for picture in ["department-page.png", "review-sheet.png"] {
        let p = root().join("docs/images").join(picture);
        let head = std::fs::read(&p).unwrap();
        assert_eq!(
            &head[..8],
            b"\x89PNG\r\n\x1a\n",
            "{} is not a PNG",
            p.display()
        );
    }
}
