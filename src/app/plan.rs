use std::collections::BTreeMap;
use std::sync::Arc;

use super::Terminal;
use super::connect::connect;
use super::prepare::{Prepared, prepare};
use crate::cli::{OutputFormat, PlanArgs};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::drivers::Registry;
use crate::model::DesiredState;
use crate::plan::Plan;
use crate::plan::planner::{HostHandle, plan};
use crate::plan::prune::prune_resources;
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
        args.prune,
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
    prune: bool,
) -> Result<(Plan, String), Diagnostics> {
    let hosts = hosts_with_resources(prepared);
    let connected = connect(&prepared.inventory, &hosts, forks, accept_new)
        .await
        .map_err(|e| Diagnostics::from(Diagnostic::error(e)))?;
    let registry = Arc::new(crate::drivers::builtin_registry());
    let (made, _) = plan_with_prunes(
        &prepared.resolved.resources,
        registry,
        &connected.hosts,
        forks,
        prune,
    )
    .await;
    Ok((made, connected.stats()))
}

/// The plan; with `prune`, also the deletions of objects labelled as the project's that no task
/// declares, and the desired state extended with them (what apply walks), when there are any.
pub async fn plan_with_prunes(
    desired: &DesiredState,
    registry: Arc<Registry>,
    hosts: &BTreeMap<String, HostHandle>,
    forks: usize,
    prune: bool,
) -> (Plan, Option<DesiredState>) {
    let mut made = plan(desired, registry.clone(), hosts.clone(), forks).await;
    if !prune {
        return (made, None);
    }
    let (extra, problems) = prune_resources(desired, &registry, hosts).await;
    made.problems.extend(problems);
    if extra.is_empty() {
        return (made, None);
    }
    let mut pruned = DesiredState::default();
    for resource in &extra {
        pruned
            .resources
            .insert(resource.id.clone(), resource.clone());
    }
    let deletions = plan(&pruned, registry, hosts.clone(), forks).await;
    made.changes.extend(deletions.changes);
    made.problems.extend(deletions.problems);
    let mut full = desired.clone();
    for resource in extra {
        full.resources.insert(resource.id.clone(), resource);
    }
    (made, Some(full))
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
