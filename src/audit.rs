//! The audit package: everything an auditor files, in one folder, with a
//! MANIFEST of the SHA-256 of every input file and every file written, so
//! the package can be shown later to be unaltered ([`verify`]).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::matrix::{self, MatrixSpec, format};
use crate::pipeline::Checked;
use crate::report::{self, ReportOptions, SiteFile};

/// The manifest's file name in the package.
pub const MANIFEST: &str = "MANIFEST";

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every file of the package, the manifest last.
pub fn package(checked: &Checked, report_options: &ReportOptions) -> Result<Vec<SiteFile>, String> {
    let mut files: Vec<SiteFile> = report::render(checked, report_options)
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|(name, bytes)| (format!("report/{name}"), bytes))
        .collect();
    let p = crate::pipeline::provenance(checked);
    let mut built = Vec::new();
    for (from, to) in [
        ("requirement", "verification"),
        ("verification", "requirement"),
    ] {
        let spec = MatrixSpec {
            from: from.into(),
            to: to.into(),
            ..MatrixSpec::default()
        };
        // A profile without these kinds has no such matrix; the rest still stands.
        if let Ok(m) = matrix::build(checked, &spec) {
            files.push((format!("matrices/{from}-{to}.csv"), format::csv(&m)));
            built.push(m);
        }
    }
    if !built.is_empty() {
        let refs: Vec<&matrix::Matrix> = built.iter().collect();
        let xlsx = format::xlsx(&refs, &p).map_err(|e| format!("cannot make the workbook: {e}"))?;
        files.push(("matrices/matrices.xlsx".into(), xlsx));
    }
    let loaded = &checked.loaded;
    files.push((
        "findings.json".into(),
        crate::output::check_json(&loaded.project, &loaded.profile, &checked.result).into_bytes(),
    ));
    files.push((
        crate::load::OUTPUT_MARKER.into(),
        b"This folder was written by `needtrail audit`, which replaces it whole on the next run.\n"
            .to_vec(),
    ));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.dedup_by(|a, b| a.0 == b.0);

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
    let _ = writeln!(manifest, "\noutputs:");
    for (name, bytes) in &files {
        let _ = writeln!(manifest, "{}  {}", sha256_hex(bytes), name);
    }
    files.push((MANIFEST.into(), manifest.into_bytes()));
    Ok(files)
}

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
}

impl Verification {
    pub fn intact(&self) -> bool {
        self.changed.is_empty() && self.missing.is_empty() && self.unlisted.is_empty()
    }
}

/// Recomputes every output file's SHA-256 against the package's manifest,
/// and with `project`, every input file's too.
pub fn verify(out: &Path, project: Option<&Path>) -> Result<Verification, String> {
    let manifest_path = out.join(MANIFEST);
    let text = fs::read_to_string(&manifest_path).map_err(|e| {
        format!(
            "cannot read {}: {e}; is this an audit package?",
            manifest_path.display()
        )
    })?;
    let listed: Vec<(String, String)> = text
        .split("\noutputs:\n")
        .nth(1)
        .ok_or_else(|| format!("{} has no `outputs:` section", manifest_path.display()))?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            l.split_once("  ")
                .map(|(h, p)| (h.to_owned(), p.to_owned()))
                .ok_or_else(|| format!("{}: cannot read the line `{l}`", manifest_path.display()))
        })
        .collect::<Result<_, _>>()?;
    let mut v = Verification::default();
    if let Some(dir) = project {
        let inputs = text
            .split("\ninputs:\n")
            .nth(1)
            .and_then(|rest| rest.split("\noutputs:\n").next())
            .ok_or_else(|| format!("{} has no `inputs:` section", manifest_path.display()))?;
        let mut listed_inputs = BTreeSet::new();
        for line in inputs.lines().filter(|l| !l.trim().is_empty()) {
            let (hash, rel) = line.split_once("  ").ok_or_else(|| {
                format!("{}: cannot read the line `{line}`", manifest_path.display())
            })?;
            listed_inputs.insert(rel.to_owned());
            v.checked += 1;
            match fs::read(dir.join(rel)) {
                // The manifest hashes the text needtrail read: without a byte-order mark.
                Ok(bytes) => {
                    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
                    if sha256_hex(body) != hash {
                        v.changed.push(format!("input: {rel}"));
                    }
                }
                Err(_) => v.missing.push(format!("input: {rel}")),
            }
        }
        let mut now: Vec<String> = crate::load::discover(dir)
            .into_iter()
            .map(|(_, rel)| rel)
            .collect();
        now.push(crate::load::CONFIG_FILE.to_owned());
        for rel in now {
            if !listed_inputs.contains(&rel) {
                v.unlisted.push(format!("input: {rel}"));
            }
        }
    }
    let names: BTreeSet<&str> = listed.iter().map(|(_, p)| p.as_str()).collect();
    for (hash, rel) in &listed {
        v.checked += 1;
        match fs::read(out.join(rel)) {
            Ok(bytes) if sha256_hex(&bytes) == *hash => {}
            Ok(_) => v.changed.push(rel.clone()),
            Err(_) => v.missing.push(rel.clone()),
        }
    }
    for entry in walkdir::WalkDir::new(out).sort_by_file_name() {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_file() {
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
