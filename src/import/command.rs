//! The `import` command: which importer a name means, and how its outcome
//! is reported. [`crate::cli`] parses the arguments; nothing below prints.

use std::path::{Path, PathBuf};

use super::mapping::{Mapping, RESERVED};
use super::{ImportError, Options, Problem, Summary};
use crate::command::{Done, Failure, Io, Outcome};
use crate::load;

/// `needtrail import NAME FILE... [DIR]`, as typed.
#[derive(Clone, Debug)]
pub struct ImportCommand {
    pub name: String,
    /// The files to import, then perhaps the project folder.
    pub paths: Vec<PathBuf>,
    pub options: Options,
    pub json: bool,
    /// `--map PREFIX=KIND,...` for `import doorstop`.
    pub map: Vec<String>,
}

/// Splits `FILE... [DIR]`: the last path is the project folder when it is
/// a folder (and there is more than one path); else the project is `.`.
pub fn split_paths(paths: &[PathBuf]) -> (Vec<PathBuf>, PathBuf) {
    match paths.split_last() {
        Some((last, rest)) if !rest.is_empty() && last.is_dir() => (rest.to_vec(), last.clone()),
        _ => (paths.to_vec(), PathBuf::from(".")),
    }
}

/// Runs an import and reports it; gives the exit code.
pub fn import(cmd: &ImportCommand, io: &mut Io<'_>) -> Outcome {
    let (files, dir) = split_paths(&cmd.paths);
    if !cmd.map.is_empty() && cmd.name != "doorstop" {
        let problem = Problem::new(
            format!("--map {}", cmd.map.join(",")),
            "--map maps Doorstop documents to kinds; it is for `import doorstop` only",
        )
        .help(format!("leave --map out of `import {}`", cmd.name));
        return report(Err(ImportError::Problems(vec![problem])), cmd, io);
    }
    // A run that writes holds the project's write lock from before it loads
    // until it has written, as `stamp` and `review sign` do.
    let _lock = if cmd.options.dry_run || !dir.join(load::CONFIG_FILE).is_file() {
        None
    } else {
        match crate::edit::lock_project(&dir, std::time::Duration::from_secs(120)) {
            Ok(lock) => Some(lock),
            Err(e) => {
                return Err(Failure::input(e.to_string()));
            }
        }
    };
    // A ReqIF file given to a mapping of its own name is mapped by it, as
    // `import reqif` is by [import.reqif]: each DOORS module its prefix.
    let reqif_file = match files.as_slice() {
        [file] if cmd.name != "doorstop" && cmd.name != "junit" => is_reqif(file),
        _ => false,
    };
    let result = match cmd.name.as_str() {
        "junit" => super::junit::import(&dir, &files, cmd.options),
        name if name == "reqif" || name == "doorstop" || reqif_file => {
            let run = match (name, files.as_slice()) {
                ("doorstop", [tree]) => super::doorstop::run(&dir, tree, &cmd.map, cmd.options),
                (_, [file]) if name != "doorstop" => {
                    super::reqif::run(&dir, file, name, cmd.options)
                }
                _ => Err(ImportError::Problems(vec![
                    Problem::new(
                        format!("import {}", cmd.name),
                        format!(
                            "`import {}` reads one {} at a time, and {} were given",
                            cmd.name,
                            if cmd.name == "reqif" { "file" } else { "tree" },
                            files.len()
                        ),
                    )
                    .help(format!(
                        "needtrail import {} {} [DIR]; the project folder comes last",
                        cmd.name,
                        if cmd.name == "reqif" { "FILE" } else { "TREE" }
                    )),
                ])),
            };
            run.map(|(summary, notes)| with_notes(summary, &notes, cmd, io))
        }
        _ => match files.as_slice() {
            [file] => spreadsheet(&dir, &cmd.name, file, cmd.options)
                .map(|(summary, notes)| with_notes(summary, &notes, cmd, io)),
            [_, last] if !last.is_dir() => Err(ImportError::Problems(vec![
                Problem::new(
                    last.display().to_string(),
                    "is not a folder, so it cannot be the project folder",
                )
                .help("needtrail import NAME FILE [DIR]: the project folder (the one that holds needtrail.toml) comes last"),
            ])),
            _ => Err(ImportError::Problems(vec![
                Problem::new(
                    format!("import {}", cmd.name),
                    format!(
                        "a spreadsheet mapping imports one file at a time, and {} were given",
                        files.len()
                    ),
                )
                .help("needtrail import NAME FILE [DIR]; the project folder comes last"),
            ])),
        },
    };
    report(result, cmd, io)
}

/// Reports an import's outcome.
pub fn report(
    result: Result<Summary, ImportError>,
    cmd: &ImportCommand,
    io: &mut Io<'_>,
) -> Outcome {
    match result {
        Ok(summary) => {
            let text = if cmd.json {
                summary.to_json()
            } else {
                summary.to_text(cmd.options.dry_run)
            };
            let _ = io.out.write_all(text.as_bytes());
            Ok(Done::Clean)
        }
        Err(ImportError::Load(e)) => {
            let out = if cmd.json {
                crate::diag::render_json(&e.diagnostics)
            } else {
                String::new()
            };
            let mut err = crate::diag::render_text(&e.diagnostics, &e.sources);
            err.push_str("Nothing was imported: fix the project first.\n");
            Err(Failure::Listed { out, err })
        }
        Err(ImportError::Problems(problems)) => {
            let mut out = String::new();
            if cmd.json {
                out = serde_json::to_string_pretty(&serde_json::json!({ "errors": problems }))
                    .expect("serialisable");
                out.push('\n');
            }
            const SHOWN: usize = 50;
            let mut err = String::new();
            for p in problems.iter().take(SHOWN) {
                err.push_str(&p.render());
            }
            if problems.len() > SHOWN {
                err.push_str(&format!("… and {} more.\n", problems.len() - SHOWN));
            }
            err.push_str(&format!(
                "{} problem{}; nothing was written.\n",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            ));
            Err(Failure::Listed { out, err })
        }
        Err(ImportError::Write(e)) => Err(Failure::input(e.to_string())),
    }
}

/// Reads the mapping, the sheet, and imports.
/// Shows what did not become a field or link, or how the source was read,
/// before the summary: on standard error with JSON, which stays the summary.
fn with_notes(summary: Summary, notes: &[String], cmd: &ImportCommand, io: &mut Io<'_>) -> Summary {
    let mut text = String::new();
    for n in notes {
        text.push_str(&format!("note: {}\n", super::safe(n)));
    }
    let _ = if cmd.json {
        io.err.write_all(text.as_bytes())
    } else {
        io.out.write_all(text.as_bytes())
    };
    summary
}

/// Imports a sheet through its mapping; gives the summary and the notes.
fn spreadsheet(
    dir: &Path,
    name: &str,
    file: &Path,
    options: Options,
) -> Result<(Summary, Vec<String>), ImportError> {
    let config = super::read_config(dir)?;
    // The profile alone, to check the mapping before the sheet is read;
    // the project's files are loaded once, by the import itself.
    let profile = match crate::profile::parse_file(&config)
        .map_err(|d| vec![d])
        .and_then(|file| crate::profile::build(Some((&config, file))))
    {
        Ok((profile, _)) => profile,
        Err(diagnostics) => {
            return Err(ImportError::Load(load::LoadError {
                diagnostics,
                sources: vec![config],
            }));
        }
    };
    let mapping = Mapping::parse(&config, name, &profile)?;
    let shown = file.display().to_string();
    if !file.is_file() {
        return Err(ImportError::Problems(vec![Problem::new(
            shown,
            "no such file",
        )]));
    }
    let (grid, sheet) =
        super::sheet::read(file, mapping.sheet.as_deref(), &mapping.csv).map_err(|e| {
            let problem = Problem::new(shown.clone(), e.message);
            ImportError::Problems(vec![match e.help {
                Some(help) => problem.help(help),
                None => problem,
            }])
        })?;
    let batch = mapping.batch(&grid, &shown, sheet.as_deref())?;
    super::apply(dir, &batch, options).map(|summary| (summary, batch.notes))
}

/// Whether `file` is named as a ReqIF file (`.reqif`, `.reqifz`, any case).
fn is_reqif(file: &Path) -> bool {
    file.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("reqif") || e.eq_ignore_ascii_case("reqifz"))
}

/// Whether a mapping name is taken by a built-in importer.
pub fn is_reserved(name: &str) -> bool {
    RESERVED.contains(&name)
}
