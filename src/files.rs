//! Reading the files a run is set up with, so that a broken or hostile file system cannot hang a
//! run or fill its memory.
//!
//! Only regular files are opened: opening a FIFO blocks until some other process writes to it,
//! and a device such as `/dev/zero` never ends. Set-up files (rules, registries, profiles,
//! configurations, waivers) are bounded in size, [`SETUP_LIMIT`]; inputs that grow with the
//! catalog (snapshots, logs, baselines) are not. Writing is in [`crate::report::write`].

use std::fs::FileType;
use std::io::{self, Read};
use std::path::Path;

/// The largest set-up file read: the built-in pack's largest file (the law registry) is about a
/// tenth of it, so this only stops a file that is not what it claims to be.
pub const SETUP_LIMIT: u64 = 16 * 1024 * 1024;

/// Reads a regular file (a symbolic link the user named is followed to one), at most `limit`
/// bytes when a limit is given; anything else is an error saying what it is.
pub fn read_regular(path: &Path, limit: Option<u64>) -> io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(not_regular(meta.file_type()));
    }
    if let Some(limit) = limit
        && meta.len() > limit
    {
        return Err(too_large(limit));
    }
    let file = std::fs::File::open(path)?;
    // Looked at again through the open file: the name may have been pointed elsewhere meanwhile.
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(meta.file_type()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    match limit {
        // One byte more than allowed tells a file that grew past the limit after it was looked at.
        Some(limit) => {
            file.take(limit + 1).read_to_end(&mut bytes)?;
            if bytes.len() as u64 > limit {
                return Err(too_large(limit));
            }
        }
        None => {
            let mut file = file;
            file.read_to_end(&mut bytes)?;
        }
    }
    Ok(bytes)
}

/// Reads a regular UTF-8 text file of at most `limit` bytes (see [`read_regular`]).
pub fn read_regular_text(path: &Path, limit: Option<u64>) -> io::Result<String> {
    let bytes = read_regular(path, limit)?;
    String::from_utf8(bytes).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("not valid UTF-8 (at byte {})", e.utf8_error().valid_up_to()),
        )
    })
}

/// What a file that is not a regular file is, in words (`a FIFO (named pipe)`).
pub fn kind(t: FileType) -> &'static str {
    if t.is_dir() {
        return "a directory";
    }
    if t.is_symlink() {
        return "a symbolic link";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

/// The error for a file that is not a regular file.
pub fn not_regular(t: FileType) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("is {}, not a regular file", kind(t)),
    )
}

fn too_large(limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "larger than {} MB, more than a file of this kind can hold",
            limit / (1024 * 1024)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_regular_files_within_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.json");
        std::fs::write(&p, "0123456789").unwrap();
        assert_eq!(read_regular(&p, Some(10)).unwrap().len(), 10);
        let e = read_regular(&p, Some(9)).unwrap_err();
        assert!(e.to_string().contains("larger than"), "{e}");
        let e = read_regular(dir.path(), None).unwrap_err();
        assert_eq!(e.to_string(), "is a directory, not a regular file");
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_refused_without_being_read() {
        let e = read_regular(Path::new("/dev/zero"), Some(SETUP_LIMIT)).unwrap_err();
        assert_eq!(e.to_string(), "is a character device, not a regular file");
    }
}
