//! Shell and manual support: completion scripts and the man page, both
//! generated from the command line's own definition so they never drift
//! from it.

use std::path::Path;

use crate::command::{Done, Failure, Io, Outcome};

/// A shell needtrail writes completions for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    PowerShell,
}

/// Prints the completion script for `shell` to standard output.
pub fn completions(shell: Shell, mut command: clap::Command, io: &mut Io) -> Outcome {
    use clap_complete::Shell as S;
    let name = command.get_name().to_string();
    let target = match shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::PowerShell => S::PowerShell,
    };
    clap_complete::generate(target, &mut command, name, &mut io.out);
    Ok(Done::Clean)
}

/// The man page: needtrail's synopsis, description and global options,
/// then every command (subcommands of subcommands too) with its usage,
/// description and arguments, all on the one page.
pub fn man_page(mut command: clap::Command) -> std::io::Result<Vec<u8>> {
    command.build();
    let mut page = Vec::new();
    let man = clap_mangen::Man::new(command.clone());
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    let mut roff = roff::Roff::new();
    roff.control("SH", ["COMMANDS"]);
    commands(&mut roff, &command, command.get_name());
    roff.to_writer(&mut page)?;
    man.render_version_section(&mut page)?;
    Ok(page)
}

/// One `.SS` per command under `parent`, depth first, in definition order.
fn commands(roff: &mut roff::Roff, parent: &clap::Command, path: &str) {
    use roff::{bold, italic, roman};
    for sub in parent
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let name = format!("{path} {}", sub.get_name());
        if sub.has_subcommands() {
            commands(roff, sub, &name);
            continue;
        }
        roff.control("SS", [name.as_str()]);
        let usage = sub.clone().bin_name(&name).render_usage().to_string();
        let mut lines = Vec::new();
        for line in usage.lines() {
            if !lines.is_empty() {
                lines.push(roff::line_break());
            }
            lines.push(bold(line.trim_start_matches("Usage: ").trim()));
        }
        roff.text(lines);
        if let Some(about) = sub.get_long_about().or_else(|| sub.get_about()) {
            for paragraph in about.to_string().split("\n\n") {
                roff.control("PP", []);
                roff.text([roman(paragraph.trim())]);
            }
        }
        for arg in sub.get_arguments().filter(|a| !a.is_hide_set()) {
            if arg.is_global_set() || matches!(arg.get_id().as_str(), "help" | "version") {
                continue;
            }
            roff.control("TP", []);
            let value = arg
                .get_value_names()
                .map(|v| {
                    v.iter()
                        .map(|n| n.to_string())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_else(|| arg.get_id().as_str().to_uppercase());
            let takes_value = arg.get_num_args().is_some_and(|n| n.takes_values());
            match arg.get_long() {
                Some(long) if takes_value => {
                    roff.text([bold(format!("--{long}")), roman(" "), italic(value)])
                }
                Some(long) => roff.text([bold(format!("--{long}"))]),
                None => roff.text([italic(value)]),
            };
            let mut help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            let choices: Vec<String> = arg
                .get_possible_values()
                .iter()
                .filter(|v| !v.is_hide_set())
                .map(|v| v.get_name().to_string())
                .collect();
            if !choices.is_empty() && takes_value {
                help.push_str(&format!(" (one of: {})", choices.join(", ")));
            }
            roff.text([roman(help)]);
        }
    }
}

/// Writes the man page (roff) to `out`, atomically, or to standard output.
pub fn man(command: clap::Command, out: Option<&Path>, io: &mut Io) -> Outcome {
    let page = match man_page(command) {
        Ok(page) => page,
        Err(e) => {
            return Err(Failure::input(format!("cannot render the man page: {e}")));
        }
    };
    match out {
        None => {
            let _ = io.out.write_all(&page);
            Ok(Done::Clean)
        }
        Some(path) => match crate::atomic::write(path, &page) {
            Ok(()) => Ok(Done::Clean),
            Err(e) => Err(Failure::input(format!(
                "cannot write the man page to {}: {e}; check that its folder exists and is writable",
                path.display()
            ))),
        },
    }
}
