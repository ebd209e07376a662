//! `plimsoll validate`: everything short of connecting — load, resolve, graph — and every problem.

use super::Terminal;
use super::prepare::prepare;
use crate::cli::PlaybookArgs;
use crate::diagnostics::Diagnostics;

pub fn run(args: PlaybookArgs, terminal: &Terminal) -> Result<Diagnostics, Diagnostics> {
    let prepared = prepare(&args)?;
    terminal.report(&prepared.warnings);
    let resources = prepared.resolved.resources.resources.len();
    let hosts = prepared.resolved.hosts.len();
    let warnings = prepared.warnings.iter().count();
    let verdict = match warnings {
        0 => "no problems".to_string(),
        1 => "no errors, 1 warning".to_string(),
        n => format!("no errors, {n} warnings"),
    };
    terminal.note(&format!(
        "{} on {}, {verdict}",
        plural(resources, "resource"),
        plural(hosts, "host")
    ));
    Ok(Diagnostics::new())
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}
