//! The audit package: everything an auditor files, in one folder, with a
//! MANIFEST of the SHA-256 of every input file and every file written, so
//! the package can be shown later to be unaltered ([`verify`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use crate::matrix::{self, MatrixSpec, format};
use crate::pipeline::Checked;
use crate::report::{self, ReportError, ReportOptions, SiteWriter};

/// The manifest's file name in the package.
pub const MANIFEST: &str = "MANIFEST";

fn sha256_hex(bytes: &[u8]) -> String {
    hex(Sha256::digest(bytes))
}

fn hex(digest: impl AsRef<[u8]>) -> String {
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// A file of the package being written: what is written goes to the file
/// and into its SHA-256.
struct Hashed {
    file: std::io::BufWriter<fs::File>,
    hasher: Sha256,
}

impl std::io::Write for Hashed {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// The package as it is written: each file goes into the staging folder
/// as soon as it is made, and only its name and SHA-256 are kept, for the
/// manifest.
struct Package {
    writer: SiteWriter,
    /// The SHA-256 of each file written, by name.
    written: Mutex<BTreeMap<String, String>>,
}

impl Package {
    fn record(&self, name: String, hash: String) {
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name, hash);
    }

    fn has(&self, name: &str) -> bool {
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(name)
    }

    /// Writes `name` as `parts` one after another.
    fn write_parts(&self, name: String, parts: &[&[u8]]) -> Result<(), ReportError> {
        self.writer.write_parts(&name, parts)?;
        let mut hasher = Sha256::new();
        for part in parts {
            hasher.update(part);
        }
        self.record(name, hex(hasher.finalize()));
        Ok(())
    }

    /// Writes `name` unless a file of that name is in the package already.
    fn add(&self, name: String, bytes: &[u8]) -> Result<(), String> {
        if self.has(&name) {
            return Ok(());
        }
        self.write_parts(name, &[bytes]).map_err(|e| e.to_string())
    }

    /// Writes `name` as `write` makes it, unless a file of that name is in
    /// the package already.
    fn add_with(
        &self,
        name: String,
        write: impl FnOnce(&mut Hashed) -> std::io::Result<()>,
    ) -> Result<(), String> {
        use std::io::Write as _;
        if self.has(&name) {
            return Ok(());
        }
        let (file, path) = self.writer.create(&name).map_err(|e| e.to_string())?;
        let mut out = Hashed {
            file: std::io::BufWriter::with_capacity(64 * 1024, file),
            hasher: Sha256::new(),
        };
        write(&mut out)
            .and_then(|()| out.flush())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        self.record(name, hex(out.hasher.finalize()));
        Ok(())
    }
}

/// Writes the audit package of the project read from `dir` into `out`,
/// replacing an earlier package there (see [`SiteWriter`]): the report, the
/// profile's matrices, the findings and the manifest last. Each file is
/// written as soon as it is made, so a large package is never held in
/// memory whole; nothing in `out` changes unless every file was written.
/// The checked project is let go before the workbook, the largest thing
/// made, is put together. Returns how many files the package holds, the
/// manifest with them.
pub fn write_package(
    out: &Path,
    dir: &Path,
    checked: Checked,
    report_options: &ReportOptions,
    progress: &dyn crate::progress::Progress,
) -> Result<usize, String> {
    let lang = report_options.lang;
    let writer = SiteWriter::begin(out, &report::Inputs::of(dir, &checked, report_options))
        .map_err(|e| e.to_string())?;
    let package = Package {
        writer,
        written: Mutex::new(BTreeMap::new()),
    };
    report::render_project_into(&checked, report_options, dir, progress, &|name, parts| {
        package.write_parts(format!("report/{name}"), parts)
    })
    .map_err(|e| e.to_string())?;
    let mut built = Vec::new();
    // The profile's matrix (`[matrix]`, the report's), both ways. A profile
    // without one, or whose kinds no link path joins, files none; the rest
    // still stands.
    let profile = &checked.loaded.profile;
    for spec in [false, true]
        .into_iter()
        .filter_map(|reverse| MatrixSpec::of_profile(profile, reverse))
        .map(|spec| MatrixSpec { lang, ..spec })
    {
        let (from, to) = (&spec.from, &spec.to);
        if let Ok(m) = matrix::build(&checked, &spec) {
            package.add_with(format!("matrices/{from}-{to}.csv"), |out| {
                format::write_csv(&m, lang, out)
            })?;
            built.push(m);
        }
    }
    let loaded = &checked.loaded;
    package.add(
        "findings.json".into(),
        crate::output::check_json(&loaded.project, &loaded.profile, &checked.result, lang)
            .as_bytes(),
    )?;
    package.add(
        crate::load::OUTPUT_MARKER.into(),
        b"This folder was written by `needtrail audit`, which replaces it whole on the next run.\n",
    )?;
    let p = crate::pipeline::provenance(&checked);
    let mut manifest = String::new();
    let _ = writeln!(manifest, "needtrail audit package");
    let _ = writeln!(manifest, "project: {}", p.project);
    let _ = writeln!(manifest, "tool: needtrail {}", p.version);
    let _ = writeln!(manifest, "input-digest: {}", p.digest);
    let _ = writeln!(manifest, "\ninputs:");
    let mut inputs: Vec<_> = loaded.project.files.iter().collect();
    inputs.sort_by(|a, b| a.path.cmp(&b.path));
    for f in inputs {
        let _ = writeln!(manifest, "{}  {}", sha256_hex(f.text.as_bytes()), f.path);
    }
    // Everything left is made from the matrices alone.
    drop(checked);
    if !built.is_empty() {
        let refs: Vec<&matrix::Matrix> = built.iter().collect();
        let xlsx =
            format::xlsx(&refs, &p, lang).map_err(|e| format!("cannot make the workbook: {e}"))?;
        drop(refs);
        drop(built);
        package.add("matrices/matrices.xlsx".into(), &xlsx)?;
    }
    let Package { writer, written } = package;
    let files = written.into_inner().unwrap_or_else(|e| e.into_inner());
    let _ = writeln!(manifest, "\noutputs:");
    for (name, hash) in &files {
        let _ = writeln!(manifest, "{hash}  {name}");
    }
    writer
        .write(MANIFEST, manifest.as_bytes())
        .and_then(|()| writer.commit())
        .map_err(|e| e.to_string())?;
    Ok(files.len() + 1)
}

/// The largest MANIFEST read: some two million lines, far more than a
/// package of a million requirements lists.
const MAX_MANIFEST: u64 = 256 << 20;

/// What verifying a package found.
#[derive(Debug, Default)]
pub struct Verification {
    pub checked: usize,
    /// Listed files whose content no longer matches.
    pub changed: Vec<String>,
    /// Listed files that are gone.
    pub missing: Vec<String>,
    /// Files in the package that the manifest does not list.
    pub unlisted: Vec<String>,
    /// Lines of the manifest naming what a package never holds (a path
    /// outside it, a link, a pipe or device), each with the reason; none of
    /// them was read.
    pub refused: Vec<String>,
}

impl Verification {
    pub fn intact(&self) -> bool {
        self.changed.is_empty()
            && self.missing.is_empty()
            && self.unlisted.is_empty()
            && self.refused.is_empty()
    }
}

/// A file a manifest names, looked at before anything is read from it.
enum Listed {
    /// A regular file inside the folder, open, with its size when opened.
    File(fs::File, u64),
    Missing,
    /// A path that leads out of the folder (`..`, absolute).
    Outside,
    /// Not a file the package can hold; why.
    Refused(&'static str),
}

/// Opens `rel` (from a manifest) under `root`, only if it is a plain path
/// inside `root` through folders, none of them a link, to a regular file:
/// a path such as `../x` or `/dev/zero`, a link, a pipe or a device is
/// refused without being opened.
fn open_listed(root: &Path, rel: &str) -> Listed {
    if !crate::load::stays_inside(rel) {
        return Listed::Outside;
    }
    let names: Vec<&str> = rel.split('/').collect();
    let mut path = root.to_path_buf();
    let mut meta = None;
    for (n, name) in names.iter().enumerate() {
        path.push(name);
        let m = match fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(_) => return Listed::Missing,
        };
        let last = n + 1 == names.len();
        if m.file_type().is_symlink() {
            return Listed::Refused("a symbolic link");
        }
        if !last && !m.is_dir() {
            return Listed::Missing;
        }
        if last && !m.is_file() {
            return Listed::Refused(if m.is_dir() {
                "a folder"
            } else {
                "not a regular file (a pipe, socket or device)"
            });
        }
        meta = Some(m);
    }
    let Some(meta) = meta else {
        return Listed::Missing;
    };
    let Ok(file) = fs::File::open(&path) else {
        return Listed::Missing;
    };
    // What was opened must be what was looked at, not something put in
    // its place meanwhile.
    match file.metadata() {
        Ok(now) if now.is_file() && same_file(&meta, &now) => Listed::File(file, meta.len()),
        _ => Listed::Refused("replaced while it was being read"),
    }
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    a.len() == b.len()
}

/// The SHA-256 of an open file of `len` bytes (without a leading
/// byte-order mark with `strip_bom`), read in pieces; `None` when it does
/// not hold `len` bytes any more, so nothing read can grow without end.
fn hash_file(file: fs::File, len: u64, strip_bom: bool) -> Option<String> {
    use std::io::Read as _;
    let mut reader = file.take(len.saturating_add(1));
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut total: u64 = 0;
    let mut first = true;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return None,
        };
        total += n as u64;
        let mut chunk = &buf[..n];
        if first && strip_bom {
            // A regular file gives its first bytes whole.
            chunk = chunk.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(chunk);
        }
        first = false;
        hasher.update(chunk);
    }
    (total == len).then(|| hex(hasher.finalize()))
}

/// Checks each `(hash, path)` listed under `root` (`place`, e.g. "the
/// package") into `v`, each name in the findings written with `label`
/// before it.
fn check_listed<'a>(
    root: &Path,
    place: &str,
    listed: impl Iterator<Item = (&'a str, &'a str)>,
    label: &str,
    strip_bom: bool,
    v: &mut Verification,
) {
    for (hash, rel) in listed {
        v.checked += 1;
        match open_listed(root, rel) {
            Listed::File(file, len) => {
                if hash_file(file, len, strip_bom).as_deref() != Some(hash) {
                    v.changed.push(format!("{label}{rel}"));
                }
            }
            Listed::Missing => v.missing.push(format!("{label}{rel}")),
            Listed::Outside => v.refused.push(format!(
                "{label}{}: a path outside {place}",
                rel.escape_debug()
            )),
            Listed::Refused(why) => v
                .refused
                .push(format!("{label}{}: {why}", rel.escape_debug())),
        }
    }
}

/// `(hash, path)` of each line of a manifest's section.
fn section_lines<'a>(
    section: &'a str,
    manifest_path: &Path,
) -> Result<Vec<(&'a str, &'a str)>, String> {
    section
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            l.split_once("  ").ok_or_else(|| {
                format!(
                    "{}: cannot read the line `{}`",
                    manifest_path.display(),
                    l.escape_debug()
                )
            })
        })
        .collect()
}

/// Recomputes every output file's SHA-256 against the package's manifest,
/// and with `project`, every input file's too. Only regular files inside
/// the package (and the project) are read.
pub fn verify(out: &Path, project: Option<&Path>) -> Result<Verification, String> {
    let manifest_path = out.join(MANIFEST);
    let text = match open_listed(out, MANIFEST) {
        Listed::File(_, len) if len > MAX_MANIFEST => {
            return Err(format!(
                "{} is {len} bytes, far more than any audit package's MANIFEST; it is not read",
                manifest_path.display()
            ));
        }
        Listed::File(file, len) => {
            use std::io::Read as _;
            let mut bytes = Vec::new();
            file.take(len)
                .read_to_end(&mut bytes)
                .map_err(|e| format!("cannot read {}: {e}", manifest_path.display()))?;
            String::from_utf8(bytes)
                .map_err(|_| format!("{} is not UTF-8 text", manifest_path.display()))?
        }
        Listed::Missing => {
            return Err(format!(
                "cannot read {}: no such file; is this an audit package?",
                manifest_path.display()
            ));
        }
        Listed::Outside => {
            return Err(format!(
                "{} is outside the package",
                manifest_path.display()
            ));
        }
        Listed::Refused(why) => {
            return Err(format!(
                "{} is {why}, not the file needtrail writes; the package was altered",
                manifest_path.display()
            ));
        }
    };
    let outputs = text
        .split("\noutputs:\n")
        .nth(1)
        .ok_or_else(|| format!("{} has no `outputs:` section", manifest_path.display()))?;
    let listed = section_lines(outputs, &manifest_path)?;
    let mut v = Verification::default();
    if let Some(dir) = project {
        let inputs = text
            .split("\ninputs:\n")
            .nth(1)
            .and_then(|rest| rest.split("\noutputs:\n").next())
            .ok_or_else(|| format!("{} has no `inputs:` section", manifest_path.display()))?;
        let inputs = section_lines(inputs, &manifest_path)?;
        // The manifest hashes the text needtrail read: without a byte-order mark.
        check_listed(
            dir,
            "the project",
            inputs.iter().copied(),
            "input: ",
            true,
            &mut v,
        );
        let listed_inputs: BTreeSet<&str> = inputs.iter().map(|(_, p)| *p).collect();
        let mut now: Vec<String> = crate::load::discover(dir)
            .into_iter()
            .map(|(_, rel)| rel)
            .collect();
        now.push(crate::load::CONFIG_FILE.to_owned());
        for rel in now {
            if !listed_inputs.contains(rel.as_str()) {
                v.unlisted.push(format!("input: {rel}"));
            }
        }
    }
    check_listed(
        out,
        "the package",
        listed.iter().copied(),
        "",
        false,
        &mut v,
    );
    let names: BTreeSet<&str> = listed.iter().map(|(_, p)| *p).collect();
    for entry in walkdir::WalkDir::new(out).sort_by_file_name() {
        let Ok(entry) = entry else { continue };
        // Links, pipes and the like count as files here: a package holds
        // none, and one not listed is something added.
        if entry.depth() == 0 || entry.file_type().is_dir() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(out)
            .unwrap_or(entry.path())
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if rel != MANIFEST && !names.contains(rel.as_str()) {
            v.unlisted.push(rel);
        }
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(root: &Path, rel: &str) -> bool {
        matches!(open_listed(root, rel), Listed::Refused(_) | Listed::Outside)
    }

    #[test]
    fn only_regular_files_inside_the_folder_are_opened() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("report")).unwrap();
        fs::write(dir.path().join("report/index.html"), "<p>x</p>").unwrap();
        assert!(matches!(
            open_listed(dir.path(), "report/index.html"),
            Listed::File(_, 8)
        ));
        assert!(matches!(
            open_listed(dir.path(), "report/gone.html"),
            Listed::Missing
        ));
        for rel in ["/dev/zero", "../x", "report/../../x", "report", "report/"] {
            assert!(refused(dir.path(), rel), "{rel}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero")).unwrap();
            assert!(refused(dir.path(), "zero"));
            std::os::unix::fs::symlink("report", dir.path().join("again")).unwrap();
            assert!(refused(dir.path(), "again/index.html"));
        }
    }

    #[test]
    fn a_file_is_hashed_up_to_the_size_it_had() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.toml");
        fs::write(&p, "\u{feff}id = 1\n").unwrap();
        let open = || fs::File::open(&p).unwrap();
        let len = fs::metadata(&p).unwrap().len();
        assert_eq!(
            hash_file(open(), len, true).unwrap(),
            sha256_hex(b"id = 1\n")
        );
        assert_eq!(
            hash_file(open(), len, false).unwrap(),
            sha256_hex("\u{feff}id = 1\n".as_bytes())
        );
        // Grown or shrunk since its size was taken: not a match.
        assert_eq!(hash_file(open(), len - 1, false), None);
        assert_eq!(hash_file(open(), len + 1, false), None);
    }
}
