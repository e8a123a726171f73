//! Fuzz target: a project folder made from the input, loaded and checked the
//! way `needtrail check` does it, then rendered as text and JSON (findings, or
//! input errors). Any panic, hang or crash is a bug.
//!
//! The input is split at lines that read exactly `#@file`:
//! - no such line: the whole input is one item file, checked with the
//!   configuration of the doors-zh sample;
//! - otherwise the part before the first `#@file` is `needtrail.toml` and each
//!   part after one is an item file.
//!
//! `fuzz/seed.sh` turns the samples and the test fixtures into inputs of both
//! shapes.

#![no_main]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use needtrail::{app, diag, load, output};

/// The line that starts the next file.
const MARKER: &[u8] = b"#@file";

/// The configuration used when the input holds only an item file.
const DEFAULT_CONFIG: &[u8] = include_bytes!("../../samples/doors-zh/needtrail.toml");

/// The folder the project is written to, one per process, emptied each run.
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = std::env::var_os("NEEDTRAIL_FUZZ_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        base.join(format!("needtrail-fuzz-{}", std::process::id()))
    })
}

/// The input cut at each `#@file` line (the marker lines dropped).
fn split(data: &[u8]) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut line = 0;
    while line <= data.len() {
        let end = data[line..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(data.len(), |i| line + i);
        let text = &data[line..end];
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if text == MARKER {
            parts.push(&data[start..line]);
            start = (end + 1).min(data.len());
        }
        line = end + 1;
    }
    parts.push(&data[start..]);
    parts
}

fn write_project(dir: &Path, data: &[u8]) {
    if dir.exists() {
        fs::remove_dir_all(dir).expect("scratch folder can be emptied");
    }
    fs::create_dir_all(dir.join("items")).expect("scratch folder can be made");
    let parts = split(data);
    let (config, items) = if parts.len() == 1 {
        (DEFAULT_CONFIG, &parts[..])
    } else {
        (parts[0], &parts[1..])
    };
    fs::write(dir.join(load::CONFIG_FILE), config).expect("config written");
    for (i, item) in items.iter().enumerate() {
        fs::write(dir.join("items").join(format!("{i:03}.toml")), item).expect("items written");
    }
}

fuzz_target!(|data: &[u8]| {
    let dir = scratch();
    write_project(dir, data);
    match app::run_pipeline(dir) {
        Ok(checked) => {
            let (project, profile) = (&checked.loaded.project, &checked.loaded.profile);
            for lang in needtrail::lang::Lang::ALL {
                let text = output::check_text(project, profile, &checked.result, lang);
                let json = output::check_json(project, profile, &checked.result, lang);
                assert!(!text.is_empty() && !json.is_empty());
            }
        }
        Err(e) => {
            // An input that is refused says why: never an error with no message.
            assert!(
                !e.diagnostics.is_empty(),
                "input refused without a diagnostic"
            );
            let text = diag::render_text(&e.diagnostics, &e.sources);
            let json = diag::render_json(&e.diagnostics);
            assert!(!text.is_empty() && !json.is_empty());
        }
    }
});
