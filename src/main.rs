//! The `catalog-audit` binary: parses the command line, supplies the real clock and stdio, and maps
//! the outcome to the exit codes of CONTRACT.md §5. The only place that prints.

#![allow(clippy::print_stderr)]

use catalog_audit::app::{self, Env};
use catalog_audit::cli::Cli;
use catalog_audit::error::exit;
use clap::Parser;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

// Only with `--features mimalloc`, to measure the allocator's effect on the audit.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A panic inside the spreadsheet reader is reported as an input error, without Rust's panic
    // message; any other panic keeps it.
    catalog_audit::table::guard::install_quiet_hook();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::CLEAN
            };
            // Help and version go to stdout as clap writes them; a usage error speaks in the
            // tool's one voice (`catalog-audit: …`) like every other error.
            if e.use_stderr() {
                let text = e.render().to_string();
                let text = text.strip_prefix("error: ").unwrap_or(&text);
                eprint!("catalog-audit: {text}");
            } else {
                let _ = e.print();
            }
            return ExitCode::from(code);
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut err = std::io::stderr();
    let mut env = Env {
        today: chrono::Local::now().date_naive(),
        stdout_is_terminal: std::io::stdout().is_terminal(),
        columns: std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse().ok()),
        no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        stdout: &mut out,
        stderr: &mut err,
        quiet: false,
        stderr_is_terminal: std::io::stderr().is_terminal(),
    };
    // A closed pipe ends a person's text quietly and is a failure for a program's document:
    // `app` tells them apart (see `app::Reader`).
    let code = match app::run(cli, &mut env) {
        Ok(code) => code,
        Err(e) => {
            // Errors quote catalog text (codes, values): written out, never obeyed.
            eprintln!(
                "catalog-audit: {}",
                catalog_audit::text::visible_lines(&e.to_string())
            );
            e.exit_code()
        }
    };
    let _ = out.flush();
    ExitCode::from(code)
}
