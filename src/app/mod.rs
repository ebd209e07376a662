//! Orchestration per command: turns CLI arguments into calls on the library and diagnostics into exit codes.

mod apply;
mod connect;
mod graph;
mod inventory;
mod output;
mod plan;
mod prepare;
mod validate;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::cli::{Cli, ColorChoice, Command};
use crate::diagnostics::Diagnostics;

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
        Command::Plan(args) => {
            let detailed = args.detailed_exitcode;
            return finish_plan(plan::run(args, &terminal), detailed, &terminal);
        }
        Command::Apply(args) if args.check => {
            let detailed = args.detailed_exitcode;
            let plan_args = crate::cli::PlanArgs {
                playbook: args.playbook,
                detailed_exitcode: detailed,
                format: crate::cli::OutputFormat::Text,
                prune: args.prune,
            };
            return finish_plan(plan::run(plan_args, &terminal), detailed, &terminal);
        }
        Command::Apply(args) => apply::run(args, &terminal),
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

/// Plan's exit code: 1 on error; with --detailed-exitcode, 2 when something would change.
fn finish_plan(
    result: Result<(Diagnostics, plan::PlanOutcome), Diagnostics>,
    detailed: bool,
    terminal: &Terminal,
) -> ExitCode {
    match result {
        Ok((warnings, outcome)) => {
            terminal.report(&warnings);
            match outcome {
                plan::PlanOutcome::Changes if detailed => ExitCode::from(2),
                _ => ExitCode::SUCCESS,
            }
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
