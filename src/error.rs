//! Errors that stop a run, each carrying where it happened, and the exit code it maps to.
//!
//! Findings are not errors: a missing legal basis is data the report carries. These are the
//! conditions under which no trustworthy report can be written at all.

pub use crate::location::Location;
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
    /// Where in the file: item code and index, JSON pointer, line and column, cell.
    pub location: Location,
    /// What was expected and what was found.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_file() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{} ({})", self.message, self.location)
        }
    }
}

/// The errors of one file in the tool's one voice, `<what> (<where>)`: a single problem on one
/// line with the file and the place in brackets, several as a count and one line each.
fn located(
    f: &mut fmt::Formatter<'_>,
    what: &str,
    file: &str,
    problems: &[Problem],
) -> fmt::Result {
    match problems {
        [] => write!(f, "{what} ({file})"),
        [p] if p.location.is_file() => write!(f, "{} ({file})", p.message),
        [p] => write!(f, "{} ({file}, {})", p.message, p.location),
        many => {
            write!(f, "{what}: {} problems ({file})", many.len())?;
            many.iter().try_for_each(|p| write!(f, "\n  - {p}"))
        }
    }
}

/// An I/O error's words without the OS error number (`No such file or directory`).
fn io_words(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(i) if s.ends_with(')') => s[..i].to_string(),
        _ => s,
    }
}

/// A formatting closure as a value `{}` can show (for thiserror's attributes).
struct Shown<F: Fn(&mut fmt::Formatter<'_>) -> fmt::Result>(F);

impl<F: Fn(&mut fmt::Formatter<'_>) -> fmt::Result> fmt::Display for Shown<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (self.0)(f)
    }
}

/// Everything that ends a run early.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input file could not be read at all.
    #[error("cannot read: {} ({})", io_words(source), path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// An input file is not what it should be (bad JSON, schema violations, duplicate codes).
    #[error("{}", Shown(|f| located(f, "invalid input", file, problems)))]
    Input {
        file: String,
        problems: Vec<Problem>,
    },
    /// A rule pack file is invalid.
    #[error("{}", Shown(|f| located(f, "invalid rule file", file, problems)))]
    Rule {
        file: String,
        problems: Vec<Problem>,
    },
    /// The command line asks for something impossible.
    #[error("{0}")]
    Usage(String),
    /// A report could not be written.
    #[error("cannot write report: {} ({})", io_words(source), path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A report template failed to render.
    #[error("{message} (template {name})")]
    Template { name: String, message: String },
    /// A file the run is set up with (rule directory, registry, message catalogue, template
    /// directory) cannot be read or is not what it should be.
    #[error("{message} ({file})")]
    Setup { file: String, message: String },
    /// A report could not be produced (before anything was written).
    #[error("cannot write report: {0}")]
    Output(String),
}

/// What kind of failure an error is: the user's command line, an input, the run's set-up (rule
/// pack, configuration, templates), or the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Usage,
    Input,
    Setup,
    Output,
}

impl Error {
    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Read { .. } | Error::Input { .. } => ErrorKind::Input,
            Error::Usage(_) => ErrorKind::Usage,
            Error::Rule { .. } | Error::Setup { .. } | Error::Template { .. } => ErrorKind::Setup,
            Error::Write { .. } | Error::Output(_) => ErrorKind::Output,
        }
    }

    /// The exit code this error maps to: 3 for inputs, 2 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self.kind() {
            ErrorKind::Input => exit::INPUT,
            ErrorKind::Usage | ErrorKind::Setup | ErrorKind::Output => exit::USAGE,
        }
    }

    /// A set-up file that cannot be read.
    pub fn setup(file: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Setup {
            file: file.into(),
            message: message.into(),
        }
    }

    /// An input error with a single problem.
    pub fn input(file: impl Into<String>, location: Location, message: impl Into<String>) -> Self {
        Error::Input {
            file: file.into(),
            problems: vec![Problem {
                location,
                message: message.into(),
            }],
        }
    }

    /// A rule error with a single problem.
    pub fn rule(file: impl Into<String>, location: Location, message: impl Into<String>) -> Self {
        Error::Rule {
            file: file.into(),
            problems: vec![Problem {
                location,
                message: message.into(),
            }],
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_the_contract_exit_codes() {
        let io = || std::io::Error::other("x");
        let cases = [
            (
                Error::Read {
                    path: "a".into(),
                    source: io(),
                },
                ErrorKind::Input,
                exit::INPUT,
            ),
            (
                Error::input("a", Location::pointer("/x"), "bad"),
                ErrorKind::Input,
                exit::INPUT,
            ),
            (Error::Usage("u".into()), ErrorKind::Usage, exit::USAGE),
            (
                Error::rule("r", Location::pointer("/x"), "bad"),
                ErrorKind::Setup,
                exit::USAGE,
            ),
            (
                Error::setup("t", "cannot read"),
                ErrorKind::Setup,
                exit::USAGE,
            ),
            (
                Error::Write {
                    path: "o".into(),
                    source: io(),
                },
                ErrorKind::Output,
                exit::USAGE,
            ),
            (
                Error::Output("sheet".into()),
                ErrorKind::Output,
                exit::USAGE,
            ),
        ];
        for (e, kind, code) in cases {
            assert_eq!((e.kind(), e.exit_code()), (kind, code), "{e}");
        }
        assert_eq!(
            Error::setup("rules/", "no rule files (*.json) found").to_string(),
            "no rule files (*.json) found (rules/)"
        );
        let missing = Error::Read {
            path: "a.json".into(),
            source: std::io::Error::from_raw_os_error(2),
        };
        assert_eq!(
            missing.to_string(),
            "cannot read: No such file or directory (a.json)"
        );
        assert_eq!(
            Error::input("a.json", Location::pointer("/items/0/code"), "duplicate").to_string(),
            "duplicate (a.json, /items/0/code)"
        );
        let two = Error::Input {
            file: "a.json".into(),
            problems: vec![
                Problem {
                    location: Location::pointer("/a"),
                    message: "x".into(),
                },
                Problem {
                    location: Location::pointer("/b"),
                    message: "y".into(),
                },
            ],
        };
        assert_eq!(
            two.to_string(),
            "invalid input: 2 problems (a.json)\n  - x (/a)\n  - y (/b)"
        );
    }
}
