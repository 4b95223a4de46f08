//! Runs a parsed command line: load → diff → check → report, and the catalogue commands.
//!
//! Everything here writes to the sinks it is given; `main.rs` owns the real stdout, stderr and
//! clock, so tests drive the whole tool in-process.

use crate::check::{self, Input};
use crate::cli::{
    AuditArgs, CatalogueFormat, CheckArgs, Cli, ColorChoice, Command, ConvertArgs, DiffArgs,
    HistoryArgs, HistoryFormat, InputArgs, LangArg, OutputArgs, RuleArgs, RulesCommand,
    ValidateArgs,
};
use crate::config::Config;
use crate::diff;
use crate::error::{Error, Result, exit};
use crate::load;
use crate::pipeline;
use crate::report::{self, Format, Parts, Report, catalogue};
use crate::rules::{Category, Lang, Pack, Severity};
use crate::table::headers::HeaderMap;
use chrono::NaiveDate;
use std::io::Write;
use std::path::Path;

/// What the binary knows about its surroundings.
pub struct Env<'a> {
    /// Today, from the real clock (used only when no snapshot date or --as-of is given).
    pub today: NaiveDate,
    /// Whether stdout is a terminal.
    pub stdout_is_terminal: bool,
    /// `COLUMNS` from the environment, when set to a number.
    pub columns: Option<usize>,
    /// Whether NO_COLOR is set to a non-empty value.
    pub no_color: bool,
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    /// `--quiet`: nothing on stderr but errors.
    pub quiet: bool,
    /// Whether stderr is a terminal (progress bars only there).
    pub stderr_is_terminal: bool,
}

/// Runs the command and returns the exit code.
pub fn run(cli: Cli, env: &mut Env<'_>) -> Result<u8> {
    match cli.command {
        Command::Audit(a) => audit(a, env),
        Command::Check(c) => check_cmd(c, env),
        Command::Diff(d) => diff_cmd(d, env),
        Command::Validate(v) => validate(v, env),
        Command::Rules(r) => rules_cmd(r, env),
        Command::Convert(c) => convert(c, env),
        Command::History(h) => history_cmd(h, env),
        Command::Merge(m) => merge_cmd(m, env),
        Command::Registry(r) => registry_cmd(r, env),
    }
}

fn lang(l: LangArg) -> Lang {
    match l {
        LangArg::Zh => Lang::Zh,
        LangArg::En => Lang::En,
    }
}

/// Reading options from the input flags.
fn options(i: &InputArgs) -> Result<load::Options> {
    Ok(load::Options {
        format: i.input_format,
        encoding: i.encoding,
        headers: match &i.header_map {
            Some(p) => HeaderMap::with_file(p)?,
            None => HeaderMap::builtin(),
        },
        strict: i.strict,
    })
}

/// What loading read other than as written, one warning each (under `--strict` these were
/// errors and the run never got here).
fn warn_loaded(env: &mut Env<'_>, warnings: &[crate::error::Problem]) -> Result<()> {
    for w in warnings {
        stderr(env, &format!("catalog-audit: warning: {w}"))?;
    }
    Ok(())
}

/// The date rules judge a catalog at: `--as-of`, else the catalog's own date, else today, which
/// is said (a catalog judged at the wrong date gains or loses findings) and under `--strict`
/// refused.
fn judged_at(
    given: Option<chrono::NaiveDate>,
    cat: &crate::model::Catalog,
    strict: bool,
    env: &mut Env<'_>,
) -> Result<chrono::NaiveDate> {
    if let Some(d) = given.or(cat.info.as_of) {
        return Ok(d);
    }
    let what = format!(
        "no catalog date (no catalog.as_of, no 截止日期 in an information sheet, no date in the file name): judged as of today, {}; give --as-of DATE",
        env.today
    );
    if strict {
        return Err(Error::Input {
            file: cat.source.clone(),
            problems: vec![crate::error::Problem {
                location: crate::location::Location::File,
                message: format!("{what} (--strict)"),
            }],
        });
    }
    stderr(
        env,
        &format!("catalog-audit: warning: {what} ({})", cat.source),
    )?;
    Ok(env.today)
}

fn pack(dir: Option<&Path>) -> Result<Pack> {
    match dir {
        Some(d) => Pack::from_dir(d),
        None => Pack::builtin(),
    }
}

/// The rule pack and the configuration, with the configuration's registries added to the pack;
/// what loading them noticed (a local list naming an item twice) goes to stderr as warnings.
fn prepare(r: &RuleArgs, env: &mut Env<'_>) -> Result<(Pack, Config)> {
    let (pack, config) = prepare_quietly(r)?;
    for w in &pack.registries.warnings {
        stderr(env, &format!("warning: {w}"))?;
    }
    Ok((pack, config))
}

fn prepare_quietly(r: &RuleArgs) -> Result<(Pack, Config)> {
    let mut pack = pack(r.rules.as_deref())?;
    let (mut config, file) = match &r.config {
        Some(path) => (Config::read(path)?, path.display().to_string()),
        None => (Config::default(), "command line".to_string()),
    };
    config.apply_flags(&r.disable, &r.severity)?;
    // A code on the command line is the user's word, named as typed (a config file's codes are
    // checked below, located in the file).
    let flagged = r
        .disable
        .iter()
        .map(|c| ("--disable", c.as_str(), c.as_str()))
        .chain(r.severity.iter().map(|s| {
            let code = s.split_once('=').map_or(s.as_str(), |(c, _)| c);
            ("--severity", code, s.as_str())
        }));
    for (flag, code, given) in flagged {
        let code = code.to_ascii_uppercase();
        if pack.get(&code).is_none() && crate::rounds::round_rule(&code).is_none() {
            return Err(Error::Usage(format!(
                "unknown rule code {code}; `catalog-audit rules list` shows the catalogue \
                 ({flag} {given})"
            )));
        }
    }
    config.check_codes(&pack, &file)?;
    for reg in &config.registries {
        pack.add_registry(reg)?;
    }
    config.add_profiles(&mut pack, &file)?;
    Ok((pack, config))
}

/// The width to fit the terminal report to: `COLUMNS` when set (a shell exports it on request,
/// `COLUMNS=100 catalog-audit … | less`), else 100 on a terminal; none for a file or a pipe.
fn terminal_width(env: &Env<'_>) -> Option<usize> {
    let columns = env.columns.filter(|c| *c >= 40);
    match (columns, env.stdout_is_terminal) {
        (Some(c), _) => Some(c),
        (None, true) => Some(100),
        (None, false) => None,
    }
}

fn stderr(env: &mut Env<'_>, line: &str) -> Result<()> {
    if env.quiet {
        return Ok(());
    }
    // Warnings and errors quote catalog text: written out, never obeyed by the terminal.
    writeln!(env.stderr, "{}", crate::text::visible_lines(line)).map_err(report::io)
}

/// What is written to stdout: text for a person, or a document for a program.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reader {
    /// The terminal report, `rules list`, `validate`'s lines: a reader that stops reading
    /// (`| head`) ends them quietly, as with any filter, and the exit code still says what the
    /// run found.
    Person,
    /// JSON, HTML, a workbook, a converted snapshot: a reader that stopped got half a document,
    /// so a failed write is the run's failure (exit 2), a closed pipe included.
    Program,
}

/// Writes to stdout and flushes it, so that a failed write is known here, not lost at exit.
fn to_stdout(
    env: &mut Env<'_>,
    reader: Reader,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let written = write(&mut *env.stdout).and_then(|()| env.stdout.flush().map_err(report::io));
    match written {
        Err(Error::Write { source, .. })
            if reader == Reader::Person && source.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            Ok(())
        }
        Err(Error::Write { source, .. }) => Err(Error::Write {
            path: "standard output".into(),
            source,
        }),
        other => other,
    }
}

/// Writes `text` to the file `out` names (atomically), or to stdout for a program to read.
fn text_out(env: &mut Env<'_>, out: Option<&Path>, text: &str) -> Result<()> {
    match out {
        Some(path) => {
            report::write_atomic(path, |w| w.write_all(text.as_bytes()).map_err(report::io))?;
            stderr(env, &format!("wrote {}", path.display()))
        }
        None => to_stdout(env, Reader::Program, |w| {
            w.write_all(text.as_bytes()).map_err(report::io)
        }),
    }
}

/// Stage timings for `--timings`: wall time since the previous mark, and the process's resident
/// and peak memory where the OS tells them (Linux `/proc/self/status`).
struct Timings {
    on: bool,
    start: std::time::Instant,
    last: std::time::Instant,
}

impl Timings {
    fn new(on: bool) -> Self {
        let now = std::time::Instant::now();
        Timings {
            on,
            start: now,
            last: now,
        }
    }

    fn mark(&mut self, env: &mut Env<'_>, stage: &str) -> Result<()> {
        if !self.on {
            return Ok(());
        }
        let now = std::time::Instant::now();
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let kb = |key: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .map_or("?".to_string(), |k| format!("{} MB", k / 1024))
        };
        let line = format!(
            "timing {stage:<10} {:>8.3} s  (total {:>8.3} s)  rss {:>9}  peak {:>9}",
            (now - self.last).as_secs_f64(),
            (now - self.start).as_secs_f64(),
            kb("VmRSS:"),
            kb("VmHWM:"),
        );
        self.last = now;
        writeln!(env.stderr, "{line}").map_err(report::io)
    }
}

fn audit(a: AuditArgs, env: &mut Env<'_>) -> Result<u8> {
    let mut timings = Timings::new(a.timings);
    let mut inputs = vec![("old", a.old.clone()), ("new", a.new.clone())];
    for (role, p) in [
        ("adjustments", &a.adjustments),
        ("baseline", &a.rounds.baseline),
        ("waivers", &a.rounds.waivers),
        ("config", &a.rules.config),
    ] {
        if let Some(p) = p {
            inputs.push((role, p.clone()));
        }
    }
    let digests = pipeline::Digests::start(
        inputs
            .into_iter()
            .map(|(role, p)| (role.to_string(), p))
            .collect(),
    );
    env.quiet = a.rounds.quiet;
    check_output(&a.output)?;
    let (pack, config) = prepare(&a.rules, env)?;
    let opts = options(&a.input)?;
    let loaded = pipeline::load(&a.old, &a.new, a.adjustments.as_deref(), &opts)?;
    warn_loaded(env, &loaded.old.warnings)?;
    warn_loaded(env, &loaded.new.warnings)?;
    if let Some(log) = &loaded.log {
        warn_loaded(env, &log.warnings)?;
    }
    timings.mark(env, "load")?;
    let round = pipeline::Round::read(
        a.rounds.baseline.as_deref(),
        a.rounds.waivers.as_deref(),
        a.rounds.responses.as_deref(),
        &opts,
    )?;
    let as_of = judged_at(a.rules.as_of, &loaded.new, opts.strict, env)?;
    let l = lang(a.output.lang);
    // A progress bar on a terminal for long runs; none in a pipe or with --quiet.
    let bar = if env.stderr_is_terminal && !env.quiet && loaded.new.items.len() >= 50_000 {
        indicatif::ProgressBar::new(loaded.new.items.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_message("checking");
    let tick = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let mut report = pipeline::audit(&pipeline::Audit {
        old: &loaded.old,
        new: &loaded.new,
        log: loaded.log.as_ref(),
        pack: &pack,
        config: &config,
        as_of,
        lang: l,
        round: Some(&round),
        progress: Some(&tick),
    });
    bar.finish_and_clear();
    timings.mark(env, "check")?;

    let fail_on = a.rules.fail_on.or(config.fail_on).unwrap_or_default();
    let mut options = std::collections::BTreeMap::new();
    options.insert("as_of".to_string(), as_of.to_string());
    options.insert("fail_on".to_string(), format!("{fail_on:?}").to_lowercase());
    options.insert(
        "lang".to_string(),
        format!("{:?}", a.output.lang).to_lowercase(),
    );
    if !a.rules.disable.is_empty() {
        options.insert("disable".to_string(), a.rules.disable.join(","));
    }
    if !a.rules.severity.is_empty() {
        options.insert("severity".to_string(), a.rules.severity.join(","));
    }
    if a.rounds.ratchet {
        options.insert("ratchet".to_string(), "true".to_string());
    }
    if let Some(n) = a.rounds.max_findings {
        options.insert("max_findings".to_string(), n.to_string());
    }
    report.review = report::Review::of(
        a.rounds.reply_by.or(config.reply_by),
        a.rounds.contact.clone().or_else(|| config.contact.clone()),
    );
    report.manifest = Some(pipeline::manifest(
        &report,
        &pack,
        digests.finish()?,
        options,
    ));

    timings.mark(env, "round")?;
    emit(&report, &a.output, env)?;
    timings.mark(env, "report")?;
    // The command ends here: the process exits right after, and the OS takes the memory back far
    // faster than dropping millions of small strings one by one (about a tenth of a large run).
    std::mem::forget(loaded);

    let gate = pipeline::gate(
        &report,
        round.baseline.as_ref(),
        a.rounds.ratchet,
        fail_on,
        a.rounds.max_findings,
    );
    for (dept, rule, before, now) in &gate.rises {
        stderr(
            env,
            &format!("ratchet: {dept} {rule} rose from {before} to {now}"),
        )?;
    }
    // Like the catalogs above: a million findings are left to the OS.
    std::mem::forget(report);
    Ok(if gate.fails {
        exit::FINDINGS
    } else {
        exit::CLEAN
    })
}

fn merge_cmd(m: crate::cli::MergeArgs, env: &mut Env<'_>) -> Result<u8> {
    if let Some(path) = &m.out {
        report::write::check_file(path)?;
    }
    let merged = crate::merge::merge_files(&m.reports)?;
    let mut text = serde_json::to_string_pretty(&merged).unwrap_or_default();
    text.push('\n');
    text_out(env, m.out.as_deref(), &text)?;
    Ok(exit::CLEAN)
}

fn history_cmd(h: HistoryArgs, env: &mut Env<'_>) -> Result<u8> {
    if let Some(path) = &h.out {
        report::write::check_file(path)?;
    }
    let (pack, config) = prepare(&h.rules, env)?;
    let opts = options(&h.input)?;
    let t = crate::pipeline::history::build(&h.dir, &pack, &config, &opts, lang(h.lang))?;
    warn_loaded(env, &t.warnings)?;
    let text = match h.format {
        HistoryFormat::Json => {
            let mut s = serde_json::to_string_pretty(&t).unwrap_or_default();
            s.push('\n');
            s
        }
        HistoryFormat::Html => {
            let title = h.dir.file_name().map_or_else(
                || h.dir.display().to_string(),
                |f| f.to_string_lossy().into_owned(),
            );
            let style = report::Style {
                texts: report::Texts::builtin(lang(h.lang)),
                templates: report::Templates::builtin(),
                color: false,
            };
            let mut out = Vec::new();
            report::history::render(&t, &title, &style, &mut out)?;
            String::from_utf8_lossy(&out).into_owned()
        }
    };
    text_out(env, h.out.as_deref(), &text)?;
    Ok(exit::CLEAN)
}

fn check_cmd(c: CheckArgs, env: &mut Env<'_>) -> Result<u8> {
    check_output(&c.output)?;
    let (pack, config) = prepare(&c.rules, env)?;
    let RuleArgs { fail_on, as_of, .. } = c.rules;
    let opts = options(&c.input)?;
    let cat = load::snapshot_with(&c.snapshot, &opts)?;
    warn_loaded(env, &cat.warnings)?;
    let as_of = judged_at(as_of, &cat, opts.strict, env)?;
    let d = check::single(&cat);
    let l = lang(c.output.lang);
    let findings = check::check(
        &pack,
        &Input {
            old: None,
            new: &cat,
            diff: &d,
            log: None,
            as_of,
            lang: l,
            config: &config,
            progress: None,
        },
    );
    let report = Report::build(Parts {
        old: None,
        new: &cat,
        counts: d.counts,
        changes: Vec::new(),
        findings,
        pack: Some(&pack),
        as_of,
        lang: l,
    });
    emit(&report, &c.output, env)?;
    Ok(
        if report.fails(fail_on.or(config.fail_on).unwrap_or_default().threshold()) {
            exit::FINDINGS
        } else {
            exit::CLEAN
        },
    )
}

fn diff_cmd(d: DiffArgs, env: &mut Env<'_>) -> Result<u8> {
    check_output(&d.output)?;
    let opts = options(&d.input)?;
    let old = load::snapshot_with(&d.old, &opts)?;
    let new = load::snapshot_with(&d.new, &opts)?;
    let log = d
        .adjustments
        .as_deref()
        .map(|p| load::adjustment_log_with(p, &opts))
        .transpose()?;
    warn_loaded(env, &old.warnings)?;
    warn_loaded(env, &new.warnings)?;
    if let Some(log) = &log {
        warn_loaded(env, &log.warnings)?;
    }
    let result = diff::diff(&old, &new, log.as_ref());
    let as_of = new.info.as_of.unwrap_or(env.today);
    let report = Report::build(Parts {
        old: Some(&old),
        new: &new,
        counts: result.counts,
        changes: result.changes,
        findings: Vec::new(),
        pack: None,
        as_of,
        lang: lang(d.output.lang),
    });
    emit(&report, &d.output, env)?;
    Ok(exit::CLEAN)
}

fn check_output(o: &OutputArgs) -> Result<()> {
    let mut formats = o.formats.clone();
    formats.sort();
    formats.dedup();
    if o.split_by.is_some() && o.out.is_none() {
        return Err(Error::Usage(
            "--split-by department needs --out DIR (the files are written there)".into(),
        ));
    }
    if formats.len() > 1 && o.out.is_none() {
        return Err(Error::Usage(
            "several --format values need --out DIR (one file per format is written there)".into(),
        ));
    }
    // Before any work: an audit of a large catalog should not run for minutes to find then that
    // its report cannot be written.
    match &o.out {
        None => Ok(()),
        Some(path) if o.split_by.is_none() && formats.len() <= 1 => report::write::check_file(path),
        Some(dir) => {
            report::write::check_dir(dir)?;
            let mut fixed: Vec<String> = formats
                .iter()
                .map(|f| format!("audit-report.{}", f.extension()))
                .collect();
            if o.split_by.is_some() {
                fixed.push("index.html".into());
                fixed.push("audit-report.html".into());
            }
            for name in fixed {
                let path = dir.join(name);
                report::write::check_target(&path)
                    .map_err(|source| Error::Write { path, source })?;
            }
            Ok(())
        }
    }
}

/// The presentation the output flags ask for.
fn style(o: &OutputArgs, env: &Env<'_>) -> Result<report::Style> {
    let l = lang(o.lang);
    Ok(report::Style {
        texts: match &o.messages {
            Some(p) => report::Texts::with_overrides(l, p)?,
            None => report::Texts::builtin(l),
        },
        templates: match &o.templates {
            Some(d) => report::Templates::with_dir(d)?,
            None => report::Templates::builtin(),
        },
        color: match o.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => env.stdout_is_terminal && !env.no_color,
        },
    })
}

/// Renders the report in every requested format to stdout or files.
fn emit(report: &Report, o: &OutputArgs, env: &mut Env<'_>) -> Result<()> {
    let mut formats = o.formats.clone();
    formats.sort();
    formats.dedup();
    let style = style(o, env)?;
    let plain = report::Style {
        color: false,
        ..style.clone()
    };
    let summary = report::terminal::summary_line(report, &style.texts);
    if o.split_by.is_some() {
        let Some(dir) = &o.out else {
            return Err(Error::Usage(
                "--split-by department needs --out DIR (the files are written there)".into(),
            ));
        };
        return emit_split(report, &formats, dir, &plain, &summary, env);
    }
    match (&o.out, formats.as_slice()) {
        (None, [Format::Xlsx]) if env.stdout_is_terminal => Err(Error::Usage(
            "--format xlsx is a binary file: give --out FILE or redirect stdout".into(),
        )),
        (None, [format]) => {
            let reader = if *format == Format::Terminal {
                Reader::Person
            } else {
                Reader::Program
            };
            match terminal_width(env).filter(|_| *format == Format::Terminal) {
                // A person at a terminal: lines fitted to its width.
                Some(width) => {
                    let mut text = Vec::new();
                    report::render(report, *format, &style, &mut text)?;
                    let text = report::terminal::fit(&String::from_utf8_lossy(&text), width);
                    to_stdout(env, reader, |w| {
                        w.write_all(text.as_bytes()).map_err(report::io)
                    })
                }
                None => to_stdout(env, reader, |w| report::render(report, *format, &style, w)),
            }
        }
        (Some(path), [format]) => {
            report::write_atomic(path, |w| report::render(report, *format, &plain, w))?;
            if *format != Format::Terminal {
                stderr(env, &summary)?;
                stderr(env, &format!("wrote {}", path.display()))?;
            }
            Ok(())
        }
        (Some(dir), many) => {
            std::fs::create_dir_all(dir).map_err(|source| Error::Write {
                path: dir.clone(),
                source,
            })?;
            // All formats or none: each is written to a temporary first.
            let mut batch = report::Batch::new();
            let mut wrote = Vec::new();
            for format in many {
                let path = dir.join(format!("audit-report.{}", format.extension()));
                batch.stage(&path, |w| report::render(report, *format, &plain, w))?;
                wrote.push(path);
            }
            batch.commit()?;
            for path in wrote {
                stderr(env, &format!("wrote {}", path.display()))?;
            }
            stderr(env, &summary)
        }
        (None, _) => Err(Error::Usage("no output format".into())),
    }
}

/// `--split-by department`: per department `<name>.html` and `<name>.xlsx`, then `index.html`
/// linking them, and the whole report as `audit-report.html` and in the other requested formats
/// as `audit-report.<ext>`, all in `dir`.
fn emit_split(
    report: &Report,
    formats: &[Format],
    dir: &Path,
    style: &report::Style,
    summary: &str,
    env: &mut Env<'_>,
) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let parts = report::split::split(report, &style.texts);
    // Every department's files, the index and the whole-report formats, or none of them: an
    // index must not link pages of another run.
    let mut batch = report::Batch::new();
    let mut wrote = Vec::new();
    for part in &parts {
        for format in [Format::Html, Format::Xlsx] {
            let path = dir.join(format!("{}.{}", part.stem, format.extension()));
            batch.stage(&path, |w| report::render(&part.report, format, style, w))?;
            wrote.push(path);
        }
    }
    let index = dir.join("index.html");
    batch.stage(&index, |w| {
        report::split::render_index(report, &parts, style, w)
    })?;
    wrote.push(index);
    // The whole report beside the departments' pages: the pages link its HTML, so that is
    // always written.
    let mut whole: Vec<Format> = formats.to_vec();
    whole.push(Format::Html);
    whole.sort();
    whole.dedup();
    for format in &whole {
        let path = dir.join(format!("audit-report.{}", format.extension()));
        batch.stage(&path, |w| report::render(report, *format, style, w))?;
        wrote.push(path);
    }
    batch.commit()?;
    for path in wrote {
        stderr(env, &format!("wrote {}", path.display()))?;
    }
    stderr(env, summary)
}

fn validate(v: ValidateArgs, env: &mut Env<'_>) -> Result<u8> {
    let mut code = exit::CLEAN;
    let opts = options(&v.input)?;
    for path in &v.files {
        match pipeline::validate::describe_with_warnings(path, &opts) {
            Ok((what, warnings)) => {
                to_stdout(env, Reader::Person, |w| {
                    writeln!(w, "ok  {} ({what})", path.display()).map_err(report::io)
                })?;
                warn_loaded(env, &warnings)?;
            }
            Err(e) => {
                stderr(env, &format!("catalog-audit: {e}"))?;
                code = code.max(e.exit_code());
            }
        }
    }
    Ok(code)
}

fn convert(c: ConvertArgs, env: &mut Env<'_>) -> Result<u8> {
    if let Some(path) = &c.out {
        report::write::check_file(path)?;
    }
    let opts = options(&c.input)?;
    let json = match pipeline::validate::table_kind(&c.file, &opts)? {
        pipeline::validate::TableKind::Log => {
            let log = load::adjustment_log_with(&c.file, &opts)?;
            warn_loaded(env, &log.warnings)?;
            serde_json::json!({ "format": "adjustment-log/1", "adjustments": log.adjustments })
        }
        pipeline::validate::TableKind::Replies => {
            return Err(Error::Usage(format!(
                "{} is a filled review sheet (指纹, 整改情况): it is read by audit --responses, not converted",
                c.file.display()
            )));
        }
        pipeline::validate::TableKind::Catalog => {
            let mut cat = load::snapshot_with(&c.file, &opts)?;
            warn_loaded(env, &cat.warnings)?;
            if let Some(d) = c.as_of {
                cat.info.as_of = Some(d);
            }
            if let Some(n) = c.name {
                cat.info.name = Some(n);
            }
            if let Some(r) = c.region_code {
                cat.info.region_code = Some(r);
            }
            if cat.info.as_of.is_none() {
                return Err(Error::Usage(format!(
                    "{}: no catalog date in the file or its name; give --as-of DATE",
                    c.file.display()
                )));
            }
            serde_json::json!({ "format": "catalog-snapshot/1", "catalog": cat.info, "items": cat.items })
        }
    };
    let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
    text.push('\n');
    text_out(env, c.out.as_deref(), &text)?;
    Ok(exit::CLEAN)
}

fn registry_cmd(r: crate::cli::RegistryCommand, env: &mut Env<'_>) -> Result<u8> {
    let crate::cli::RegistryCommand::Import {
        file,
        source,
        out,
        input,
    } = r;
    if let Some(path) = &out {
        report::write::check_file(path)?;
    }
    let opts = options(&input)?;
    let wb = match opts.format_of(&file) {
        load::InputFormat::Csv => crate::table::read_csv(&file, opts.encoding)?,
        load::InputFormat::Xlsx => crate::table::read_xlsx(&file)?,
        load::InputFormat::Json => {
            return Err(Error::Usage(format!(
                "{}: registry import reads a CSV or XLSX list",
                file.display()
            )));
        }
    };
    let (doc, warnings) = crate::table::lists::exemptions(&wb, &source)?;
    // What is written is what a pack loads: the schema and the registry's own checks.
    let mut check = crate::registry::Registries::default();
    check.add(&file.display().to_string(), doc.clone())?;
    for w in &warnings {
        stderr(env, &format!("warning: {w}"))?;
    }
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text_out(env, out.as_deref(), &text)?;
    Ok(exit::CLEAN)
}

fn parse_category(s: &str) -> Result<Category> {
    Category::ALL
        .into_iter()
        .find(|c| c.as_str() == s || c.prefix().eq_ignore_ascii_case(s))
        .ok_or_else(|| {
            Error::Usage(format!(
                "unknown category {s} (known: legal_basis, fee, one_visit, time_limit, adjustment, format)"
            ))
        })
}

fn parse_severity(s: &str) -> Result<Severity> {
    match s {
        "error" => Ok(Severity::Error),
        "warning" => Ok(Severity::Warning),
        "info" => Ok(Severity::Info),
        _ => Err(Error::Usage(format!(
            "unknown severity {s} (known: error, warning, info)"
        ))),
    }
}

fn rules_cmd(r: RulesCommand, env: &mut Env<'_>) -> Result<u8> {
    let reader = match &r {
        RulesCommand::List { format, .. } | RulesCommand::Explain { format, .. } => match format {
            CatalogueFormat::Text => Reader::Person,
            CatalogueFormat::Json => Reader::Program,
        },
    };
    let out = match r {
        RulesCommand::List {
            rules,
            category,
            severity,
            tag,
            all,
            format,
        } => {
            let pack = pack(rules.as_deref())?;
            let sel = catalogue::Selection {
                category: category.as_deref().map(parse_category).transpose()?,
                severity: severity.as_deref().map(parse_severity).transpose()?,
                tag,
                all,
            };
            match format {
                CatalogueFormat::Json => catalogue::list_json(&pack, &sel),
                CatalogueFormat::Text => catalogue::list_text(&pack, &sel),
            }
        }
        RulesCommand::Explain {
            code,
            rules,
            format,
            lang: l,
        } => {
            let pack = pack(rules.as_deref())?;
            let code = code.to_ascii_uppercase();
            match (pack.get(&code), crate::rounds::round_rule(&code), format) {
                (Some(rule), _, CatalogueFormat::Json) => {
                    let mut s = serde_json::to_string_pretty(&rule.spec).unwrap_or_default();
                    s.push('\n');
                    s
                }
                (Some(rule), _, CatalogueFormat::Text) => catalogue::explain_text(rule, lang(l)),
                (None, Some(rule), CatalogueFormat::Json) => catalogue::explain_round_json(rule),
                (None, Some(rule), CatalogueFormat::Text) => {
                    catalogue::explain_round_text(rule, lang(l))
                }
                (None, None, _) => {
                    return Err(Error::Usage(format!(
                        "unknown rule code {code}; `catalog-audit rules list` shows the catalogue"
                    )));
                }
            }
        }
    };
    to_stdout(env, reader, |w| {
        w.write_all(out.as_bytes()).map_err(report::io)
    })?;
    Ok(exit::CLEAN)
}
