//! Orchestration per command: turns CLI arguments into calls on the library and diagnostics into exit codes.

mod graph;
mod inventory;
mod output;
mod prepare;
mod validate;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::cli::{Cli, ColorChoice, Command};
use crate::diagnostics::{Diagnostic, Diagnostics};

pub use output::Terminal;
pub use prepare::{Prepared, prepare};

/// Exit codes follow Terraform's: 0 success, 1 error (2 is kept for "plan has changes").
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 1 } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    let terminal = Terminal::new(color_enabled(cli.color));
    let result = match cli.command {
        Command::Inventory(args) => inventory::run(args, &terminal),
        Command::Completions { shell } => {
            // Generated into memory first: clap_complete panics if its writer fails (a closed pipe).
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "plimsoll", &mut script);
            terminal.print(String::from_utf8_lossy(&script).trim_end());
            Ok(Diagnostics::new())
        }
        Command::Validate(args) => validate::run(args, &terminal),
        Command::Graph(args) => graph::run(args, &terminal),
        Command::Plan(_) | Command::Apply(_) => Err(Diagnostics::from(
            Diagnostic::error("this command is not implemented yet").with_help(
                "plimsoll reads inventories and checks playbooks: try `plimsoll validate --help`",
            ),
        )),
    };
    match result {
        Ok(warnings) => {
            terminal.report(&warnings);
            ExitCode::SUCCESS
        }
        Err(diagnostics) => {
            terminal.report(&diagnostics);
            ExitCode::from(1)
        }
    }
}

fn color_enabled(choice: ColorChoice) -> bool {
    use std::io::IsTerminal;
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stderr().is_terminal()
        }
    }
}
