//! Errors that stop a run, each carrying where it happened, and the exit code it maps to.
//!
//! Findings are not errors: a missing legal basis is data the report carries. These are the
//! conditions under which no trustworthy report can be written at all.

use std::fmt;
use std::path::PathBuf;

/// Exit codes, a contract with scheduled jobs (CONTRACT.md §5).
pub mod exit {
    /// No finding at or above `--fail-on`.
    pub const CLEAN: u8 = 0;
    /// At least one finding at or above `--fail-on`.
    pub const FINDINGS: u8 = 1;
    /// Usage error, an invalid rule file, or an output that could not be written.
    pub const USAGE: u8 = 2;
    /// An input that cannot be read or does not validate.
    pub const INPUT: u8 = 3;
}

/// One located problem in an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where in the file: item code and index, JSON pointer, line and column.
    pub location: String,
    /// What was expected and what was found.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.location, self.message)
        }
    }
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("\n  - {p}"))
        .collect::<String>()
}

/// Everything that ends a run early.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input file could not be read at all.
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// An input file is not what it should be (bad JSON, schema violations, duplicate codes).
    #[error("{file}: invalid input{}", list(problems))]
    Input {
        file: String,
        problems: Vec<Problem>,
    },
    /// A rule pack file is invalid.
    #[error("{file}: invalid rule file{}", list(problems))]
    Rule {
        file: String,
        problems: Vec<Problem>,
    },
    /// The command line asks for something impossible.
    #[error("{0}")]
    Usage(String),
    /// A report could not be written.
    #[error("{}: cannot write report: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A report template failed to render.
    #[error("template {name}: {message}")]
    Template { name: String, message: String },
}

impl Error {
    /// The exit code this error maps to.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Read { .. } | Error::Input { .. } => exit::INPUT,
            Error::Rule { .. } | Error::Usage(_) | Error::Write { .. } | Error::Template { .. } => {
                exit::USAGE
            }
        }
    }

    /// An input error with a single problem.
    pub fn input(
        file: impl Into<String>,
        location: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Input {
            file: file.into(),
            problems: vec![Problem {
                location: location.into(),
                message: message.into(),
            }],
        }
    }

    /// A rule error with a single problem.
    pub fn rule(
        file: impl Into<String>,
        location: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Rule {
            file: file.into(),
            problems: vec![Problem {
                location: location.into(),
                message: message.into(),
            }],
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
