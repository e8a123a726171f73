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
    clean_stale_temporaries(path);
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
    stage(path, bytes)?.replace_unchanged(seen)
}

/// New content for a file, on disk beside it in a temporary file, not yet
/// in its place: [`Staged::replace_unchanged`] puts it there. Many files
/// can be staged at once (on several cores) and then put in place one
/// after another. Dropped without being put in place, the temporary file
/// is removed.
#[derive(Debug)]
pub struct Staged {
    path: PathBuf,
    tmp: Option<PathBuf>,
}

/// Writes `bytes` into a temporary file beside `path`, flushed to disk,
/// with the permissions of `path`.
pub fn stage(path: &Path, bytes: &[u8]) -> io::Result<Staged> {
    let permissions = fs::metadata(path)?.permissions();
    let tmp = temp_path(path);
    clean_stale_temporaries(path);
    let staged = Staged {
        path: path.to_path_buf(),
        tmp: Some(tmp.clone()),
    };
    let mut f = File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    f.set_permissions(permissions)?;
    Ok(staged)
}

impl Staged {
    /// Puts the staged content in place, if the file still holds what
    /// `seen` read, checked right before the rename.
    pub fn replace_unchanged(mut self, seen: &Seen) -> Result<(), ReplaceError> {
        let Some(tmp) = self.tmp.take() else {
            return Ok(());
        };
        let result = (|| {
            if !seen.still_holds(&self.path)? {
                return Err(ReplaceError::Changed);
            }
            fs::rename(&tmp, &self.path)?;
            sync_parent(&self.path);
            Ok(())
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let _ = fs::remove_file(tmp);
        }
    }
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

/// Removes what an earlier write into `path`'s folder left behind when it
/// was killed: temporary files named as [`temp_path`] names them whose
/// process is no longer running, or, where that cannot be told, that are
/// older than an hour. Each folder is looked at once per run.
fn clean_stale_temporaries(path: &Path) {
    use std::sync::Mutex;
    static CLEANED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    {
        let Ok(mut cleaned) = CLEANED.lock() else {
            return;
        };
        if cleaned.contains(&dir) {
            return;
        }
        cleaned.push(dir.clone());
    }
    let Ok(entries) = fs::read_dir(&dir) else {
        return;
    };
    let own = std::process::id();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(temp_owner) else {
            continue;
        };
        if pid == own || !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > std::time::Duration::from_secs(3600));
        if old || process_gone(pid) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The process id in a temporary file's name `.NAME.needtrail-PID.tmp`.
fn temp_owner(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (base, pid) = rest.rsplit_once(".needtrail-")?;
    if base.is_empty() || pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// Whether no process `pid` runs, where the system can tell (`/proc`).
fn process_gone(pid: u32) -> bool {
    let proc = Path::new("/proc");
    proc.join("self").exists() && !proc.join(pid.to_string()).exists()
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
    fn temporaries_of_killed_writes_are_removed_by_the_next_write() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.toml");
        fs::write(&p, "old").unwrap();
        // No process has a pid this high; the running test process is alive.
        let dead = dir.path().join(".a.toml.needtrail-4294967295.tmp");
        let alive = dir.path().join(".b.toml.needtrail-1.tmp");
        let other = dir.path().join(".a.toml.needtrail-x.tmp");
        let users = dir.path().join("notes.tmp");
        for f in [&dead, &alive, &other, &users] {
            fs::write(f, "x").unwrap();
        }
        write(&p, b"new").unwrap();
        assert!(!dead.exists());
        assert!(alive.exists(), "a running process's file is left alone");
        assert!(
            other.exists() && users.exists(),
            "only our own names are touched"
        );
        assert_eq!(temp_owner(".a.toml.needtrail-12.tmp"), Some(12));
        assert_eq!(temp_owner(".a.needtrail-1.toml.needtrail-12.tmp"), Some(12));
        assert_eq!(temp_owner(".needtrail-12.tmp"), None);
        assert_eq!(temp_owner("a.toml.needtrail-12.tmp"), None);
        assert_eq!(temp_owner(".a.toml.needtrail-.tmp"), None);
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
