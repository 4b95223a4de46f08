//! Writing report files: every file of one run appears whole, together with the others, or not
//! at all.
//!
//! Each file is written to a temporary file beside its target, `.catalog-audit-<pid>-<random>.tmp`,
//! and the temporaries are renamed into place only when every file of the run was written
//! ([`Batch`]); on any failure they are removed. A rename within a directory is atomic, so a job
//! never reads half a report; a run that fails between two renames (the disk failing at that
//! moment) can still leave some files of the new run beside some of the old one.
//!
//! Only regular files are replaced: a target that is a FIFO, a device, a directory or a link to
//! one is refused before writing and again just before the rename (a link to a regular file is
//! itself replaced, as `mv` would; the file it pointed to is left alone). New files get the
//! permissions the umask gives any new file (0666 less the umask), not the private 0600 of a
//! temporary file, nor the mode of the file they replace. Temporaries that a killed run left
//! behind are removed by the next run writing to the same directory once their process is gone
//! (Linux, where `/proc` tells).

use crate::error::{Error, Result};
use crate::files;
use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// How every temporary file of the tool's starts; the process id follows.
const PREFIX: &str = ".catalog-audit-";
const SUFFIX: &str = ".tmp";

/// Files written to temporaries, renamed into place together by [`Batch::commit`]. Dropping a
/// batch that was not committed removes its temporaries.
#[derive(Default)]
pub struct Batch {
    staged: Vec<(tempfile::NamedTempFile, PathBuf)>,
    /// Directories already cleared of stale temporaries in this run.
    swept: BTreeSet<PathBuf>,
}

impl Batch {
    pub fn new() -> Batch {
        Batch::default()
    }

    /// Writes one file of the batch to a temporary beside `path`.
    pub fn stage(
        &mut self,
        path: &Path,
        write: impl FnOnce(&mut dyn Write) -> Result<()>,
    ) -> Result<()> {
        let err = |source| Error::Write {
            path: path.to_path_buf(),
            source,
        };
        check_target(path).map_err(err)?;
        let dir = parent(path);
        if self.swept.insert(dir.to_path_buf()) {
            sweep_stale(dir);
        }
        let mut tmp = temporary(dir).map_err(err)?;
        {
            // Large buffer: a million-finding report is a gigabyte.
            let mut buf = io::BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
            // A renderer's write error names no file; this one is the target's.
            write(&mut buf).map_err(|e| match e {
                Error::Write { source, .. } => err(source),
                other => other,
            })?;
            buf.flush().map_err(err)?;
        }
        tmp.as_file().sync_all().map_err(err)?;
        self.staged.push((tmp, path.to_path_buf()));
        Ok(())
    }

    /// Renames every staged file into place; the targets are checked again first.
    pub fn commit(mut self) -> Result<()> {
        let err = |path: &Path, source| Error::Write {
            path: path.to_path_buf(),
            source,
        };
        // All of them before the first rename, so that a target that changed kind meanwhile
        // stops the run before any file is replaced.
        for (_, path) in &self.staged {
            check_target(path).map_err(|e| err(path, e))?;
        }
        for (tmp, path) in std::mem::take(&mut self.staged) {
            check_target(&path).map_err(|e| err(&path, e))?;
            tmp.persist(&path).map_err(|e| err(&path, e.error))?;
        }
        Ok(())
    }
}

/// Writes one file atomically (a [`Batch`] of one).
pub fn write_atomic(path: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let mut batch = Batch::new();
    batch.stage(path, write)?;
    batch.commit()
}

/// Checks, before any work, that `path` can be written as a report file: its directory exists
/// and takes a new file, and the path is not something other than a regular file.
pub fn check_file(path: &Path) -> Result<()> {
    let err = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    check_target(path).map_err(err)?;
    let dir = parent(path);
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(m) => {
            return Err(err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{} is {}, not a directory",
                    dir.display(),
                    files::kind(m.file_type())
                ),
            )));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("directory {} does not exist", dir.display()),
            )));
        }
        Err(e) => return Err(err(e)),
    }
    probe(dir).map_err(err)
}

/// Checks, before any work, that `dir` can hold report files: it is a directory that takes a new
/// file, or it does not exist yet and the nearest directory above it takes one.
pub fn check_dir(dir: &Path) -> Result<()> {
    let err = |source| Error::Write {
        path: dir.to_path_buf(),
        source,
    };
    let mut at = dir;
    loop {
        match std::fs::metadata(at) {
            Ok(m) if m.is_dir() => return probe(at).map_err(err),
            Ok(m) => {
                return Err(err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "{} is {}, not a directory",
                        at.display(),
                        files::kind(m.file_type())
                    ),
                )));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => match at.parent() {
                Some(p) if !p.as_os_str().is_empty() => at = p,
                _ => return probe(Path::new(".")).map_err(err),
            },
            Err(e) => return Err(err(e)),
        }
    }
}

/// Whether a new file can be created in `dir`: by creating one (a temporary, removed at once).
/// Permission bits do not tell (root, ACLs, read-only mounts); trying does.
fn probe(dir: &Path) -> io::Result<()> {
    temporary(dir).map(drop)
}

/// The directory a file is written in.
fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// A new temporary file in `dir`, named after this process, with the umask's permissions.
fn temporary(dir: &Path) -> io::Result<tempfile::NamedTempFile> {
    let prefix = format!("{PREFIX}{}-", std::process::id());
    let mut b = tempfile::Builder::new();
    b.prefix(&prefix).suffix(SUFFIX);
    // Created with 0666 and the kernel applies the umask, as for any file the user creates
    // (tempfile's default is a private 0600).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    b.tempfile_in(dir)
}

/// Whether `path` may be replaced by a new report file: it does not exist, or it is a regular
/// file, or a link to one (or to nothing), which the rename replaces.
pub fn check_target(path: &Path) -> io::Result<()> {
    let meta = match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        other => other?,
    };
    if meta.is_file() {
        return Ok(());
    }
    if !meta.file_type().is_symlink() {
        return Err(files::not_regular(meta.file_type()));
    }
    match std::fs::metadata(path) {
        Ok(target) if target.is_file() => Ok(()),
        Ok(target) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "is a symbolic link to {}, not a regular file",
                files::kind(target.file_type())
            ),
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// The process id in a temporary file's name, if it is one of the tool's.
fn temporary_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    rest.split_once('-')?.0.parse().ok()
}

/// Removes the tool's temporaries in `dir` whose process is gone (a run that was killed). Only
/// where `/proc` tells which processes live; elsewhere they are left, never guessed at.
fn sweep_stale(dir: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let me = std::process::id();
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(temporary_pid) else {
            continue;
        };
        if pid == me || Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        if e.file_type().is_ok_and(|t| t.is_file()) {
            // Another run may remove it first: nothing to do then.
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporaries_are_recognised_by_name() {
        assert_eq!(temporary_pid(".catalog-audit-123-abcDEF.tmp"), Some(123));
        assert_eq!(temporary_pid(".catalog-audit-x-abc.tmp"), None);
        assert_eq!(temporary_pid("catalog-audit-123-abc.tmp"), None);
        assert_eq!(temporary_pid(".catalog-audit-123-abc.json"), None);
    }

    #[test]
    fn a_failed_batch_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = Batch::new();
        b.stage(&dir.path().join("a.json"), |w| {
            w.write_all(b"{}").map_err(crate::report::io)
        })
        .unwrap();
        let failed = b.stage(&dir.path().join("b.json"), |_| {
            Err(Error::Output("renderer failed".into()))
        });
        assert!(failed.is_err());
        drop(b);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_committed_batch_renames_every_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = Batch::new();
        for name in ["a.json", "b.md"] {
            b.stage(&dir.path().join(name), |w| {
                w.write_all(name.as_bytes()).map_err(crate::report::io)
            })
            .unwrap();
        }
        b.commit().unwrap();
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["a.json", "b.md"]);
    }

    #[test]
    fn directories_are_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let e = check_target(dir.path()).unwrap_err();
        assert_eq!(e.to_string(), "is a directory, not a regular file");
    }
}
