//! Atomic file writes: the new content goes to a temporary file beside the
//! target, is flushed to disk, then renamed over it, so a crash or a full
//! disk leaves either the old file or the new one, never half of either.
//!
//! A file that is being edited is replaced only if it still holds what was
//! read ([`replace_unchanged`]): checked once more right before the rename,
//! so an edit the user saved meanwhile is never written over.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Replaces (or creates) `path` with `bytes`, atomically.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_with_permissions(path, bytes, None)
}

/// Like [`write`], giving the new file `permissions` (those of the file it
/// replaces, typically).
pub fn write_with_permissions(
    path: &Path,
    bytes: &[u8],
    permissions: Option<fs::Permissions>,
) -> io::Result<()> {
    let tmp = temp_path(path);
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        if let Some(p) = permissions {
            f.set_permissions(p)?;
        }
        drop(f);
        fs::rename(&tmp, path)?;
        sync_parent(path);
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// What a file held when it was read: its bytes and what the file system
/// says about it, to tell whether it changed since.
#[derive(Clone, Debug)]
pub struct Seen {
    bytes: Vec<u8>,
    stamp: Option<FileStamp>,
}

/// Size, modification time and identity of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
struct FileStamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    #[cfg(unix)]
    inode: (u64, u64),
}

impl FileStamp {
    fn of(meta: &fs::Metadata) -> FileStamp {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt as _;
        FileStamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            inode: (meta.dev(), meta.ino()),
        }
    }
}

impl Seen {
    /// Reads `path`, remembering what it holds.
    pub fn read(path: &Path) -> io::Result<Seen> {
        let before = fs::metadata(path).map(|m| FileStamp::of(&m)).ok();
        let bytes = fs::read(path)?;
        let after = fs::metadata(path).map(|m| FileStamp::of(&m)).ok();
        // A file that changed while it was read is compared by bytes only.
        let stamp = before.filter(|b| Some(b) == after.as_ref());
        Ok(Seen { bytes, stamp })
    }

    /// The bytes read.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Whether `path` still holds exactly what was read.
    fn still_holds(&self, path: &Path) -> io::Result<bool> {
        if let Some(stamp) = &self.stamp
            && FileStamp::of(&fs::metadata(path)?) != *stamp
        {
            return Ok(false);
        }
        if fs::read(path)? != self.bytes {
            return Ok(false);
        }
        // Checked once more after the read, the last moment before the rename.
        Ok(self
            .stamp
            .as_ref()
            .is_none_or(|s| fs::metadata(path).is_ok_and(|m| FileStamp::of(&m) == *s)))
    }
}

/// Why [`replace_unchanged`] did not replace a file.
#[derive(Debug)]
pub enum ReplaceError {
    /// The file no longer holds what was read; it was left as it is.
    Changed,
    /// Writing failed; the file was left as it is.
    Io(io::Error),
}

impl From<io::Error> for ReplaceError {
    fn from(e: io::Error) -> Self {
        ReplaceError::Io(e)
    }
}

/// Replaces `path` with `bytes`, atomically, keeping its permissions, but
/// only if it still holds what `seen` read: the check is made once the new
/// content is on disk, right before the rename, so the moment in which a
/// save by someone else could still be overwritten is as short as a file
/// system allows.
pub fn replace_unchanged(path: &Path, bytes: &[u8], seen: &Seen) -> Result<(), ReplaceError> {
    let permissions = fs::metadata(path)?.permissions();
    let tmp = temp_path(path);
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        f.set_permissions(permissions)?;
        drop(f);
        if !seen.still_holds(path)? {
            return Err(ReplaceError::Changed);
        }
        fs::rename(&tmp, path)?;
        sync_parent(path);
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn sync_parent(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Make the rename itself durable; not every platform can open a folder.
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

/// Creates `path` with `bytes`, atomically; fails if it already exists.
pub fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if path.exists() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} already exists", path.display()),
        ));
    }
    write(path, bytes)
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.needtrail-{}.tmp", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.toml");
        fs::write(&p, "old").unwrap();
        write(&p, b"new").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn replace_unchanged_refuses_a_file_changed_since_it_was_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.toml");
        fs::write(&p, "old").unwrap();
        let seen = Seen::read(&p).unwrap();
        assert_eq!(seen.bytes(), b"old");
        // Same length, same bytes back: still refused when the file was rewritten meanwhile.
        fs::write(&p, "new").unwrap();
        assert!(matches!(
            replace_unchanged(&p, b"mine", &seen),
            Err(ReplaceError::Changed)
        ));
        assert_eq!(fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
        let seen = Seen::read(&p).unwrap();
        replace_unchanged(&p, b"mine", &seen).unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "mine");
    }

    #[test]
    fn write_new_refuses_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.toml");
        fs::write(&p, "mine").unwrap();
        assert!(write_new(&p, b"x").is_err());
        assert_eq!(fs::read_to_string(&p).unwrap(), "mine");
    }
}
