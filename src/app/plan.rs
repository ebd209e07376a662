use std::sync::Arc;

use super::Terminal;
use super::connect::connect;
use super::prepare::{Prepared, prepare};
use crate::cli::{OutputFormat, PlanArgs};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::plan::Plan;
use crate::plan::planner::plan;
use crate::report::{render_plan, render_plan_json};

/// What `plan` found, for the exit code: Terraform's -detailed-exitcode (0 none, 2 changes, 1 error).
pub enum PlanOutcome {
    NoChanges,
    Changes,
}

pub fn run(args: PlanArgs, terminal: &Terminal) -> Result<(Diagnostics, PlanOutcome), Diagnostics> {
    let prepared = prepare(&args.playbook)?;
    let runtime = runtime()?;
    let (made, stats) = runtime.block_on(make_plan(
        &prepared,
        args.playbook.forks,
        args.playbook.accept_new_host_keys,
    ))?;
    if args.playbook.stats {
        terminal.note(&stats);
    }
    match args.format {
        OutputFormat::Text => terminal.print(render_plan(&made).trim_end()),
        OutputFormat::Json => terminal.print(&render_plan_json(&made)),
    }
    let mut diagnostics = prepared.warnings;
    if !made.problems.is_empty() {
        for problem in &made.problems {
            let what = problem
                .id
                .as_ref()
                .map_or_else(|| problem.host.clone(), ToString::to_string);
            diagnostics.push(Diagnostic::error(format!("{what}: {}", problem.message)));
        }
        return Err(diagnostics);
    }
    let outcome = if made.has_changes() {
        PlanOutcome::Changes
    } else {
        PlanOutcome::NoChanges
    };
    Ok((diagnostics, outcome))
}

/// The plan, and what it cost on the wire.
pub async fn make_plan(
    prepared: &Prepared,
    forks: usize,
    accept_new: bool,
) -> Result<(Plan, String), Diagnostics> {
    let hosts = hosts_with_resources(prepared);
    let connected = connect(&prepared.inventory, &hosts, forks, accept_new)
        .await
        .map_err(|e| Diagnostics::from(Diagnostic::error(e)))?;
    let registry = Arc::new(crate::drivers::builtin_registry());
    let made = plan(
        &prepared.resolved.resources,
        registry,
        connected.hosts.clone(),
        forks,
    )
    .await;
    Ok((made, connected.stats()))
}

pub fn hosts_with_resources(prepared: &Prepared) -> Vec<String> {
    let mut hosts: Vec<String> = prepared
        .resolved
        .resources
        .resources
        .keys()
        .map(|id| id.scope.name().to_string())
        .collect();
    hosts.sort();
    hosts.dedup();
    hosts
}

pub fn runtime() -> Result<tokio::runtime::Runtime, Diagnostics> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            Diagnostics::from(Diagnostic::error(format!(
                "cannot start the async runtime: {e}"
            )))
        })
}
