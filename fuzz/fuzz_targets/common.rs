//! Shared by the targets: a scratch directory made once per process, and a file in it holding
//! the input (the readers under test take paths, as the tool does).

use std::path::PathBuf;
use std::sync::OnceLock;

static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();

/// Writes `data` to `name` in the process's scratch directory and returns its path.
pub fn file(name: &str, data: &[u8]) -> PathBuf {
    let dir = DIR.get_or_init(|| tempfile::tempdir().expect("a scratch directory"));
    let path = dir.path().join(name);
    std::fs::write(&path, data).expect("the scratch file is written");
    path
}
