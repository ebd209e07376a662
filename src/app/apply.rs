use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::Terminal;
use super::connect::connect;
use super::plan::{hosts_with_resources, plan_with_prunes, runtime};
use super::prepare::prepare;
use crate::apply::{ApplyOptions, apply};
use crate::cli::ApplyArgs;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::graph::build_graph;
use crate::report::{render_apply, render_plan};
use crate::resolve::graph_nodes_of;

/// Plans, shows the plan, then applies it: dependencies first, independent work in parallel. A second
/// run changes nothing.
pub fn run(args: ApplyArgs, terminal: &Terminal) -> Result<Diagnostics, Diagnostics> {
    let prepared = prepare(&args.playbook)?;
    let runtime = runtime()?;
    let forks = args.playbook.forks;
    let mut diagnostics = prepared.warnings.clone();
    let report = runtime.block_on(async {
        let hosts = hosts_with_resources(&prepared);
        let connected = connect(
            &prepared.inventory,
            &hosts,
            forks,
            args.playbook.accept_new_host_keys,
        )
        .await
        .map_err(|e| Diagnostics::from(Diagnostic::error(e)))?;
        let registry = Arc::new(crate::drivers::builtin_registry());
        let (made, with_prunes) = plan_with_prunes(
            &prepared.resolved.resources,
            registry.clone(),
            &connected.hosts,
            forks,
            args.prune,
        )
        .await;
        // Deletions `--prune` found are resources like any other: the graph is rebuilt with them.
        let rebuilt = match &with_prunes {
            Some(full) => Some(build_graph(graph_nodes_of(full, &registry))?),
            None => None,
        };
        let desired = with_prunes.as_ref().unwrap_or(&prepared.resolved.resources);
        let graph = rebuilt.as_ref().unwrap_or(&prepared.graph);
        terminal.print(render_plan(&made).trim_end());
        for problem in &made.problems {
            let what = problem
                .id
                .as_ref()
                .map_or_else(|| problem.host.clone(), ToString::to_string);
            diagnostics.push(Diagnostic::error(format!("{what}: {}", problem.message)));
        }
        if !made.has_changes() {
            if args.playbook.stats {
                terminal.note(&connected.stats());
            }
            return Ok(None);
        }
        let cancel = Arc::new(AtomicBool::new(false));
        let on_interrupt = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                on_interrupt.store(true, Ordering::SeqCst);
            }
        });
        let options = ApplyOptions {
            forks,
            cancel,
            plays: prepared.resolved.plays.clone(),
        };
        let report = apply(graph, desired, &made, registry, &connected.hosts, &options).await;
        if args.playbook.stats {
            terminal.note(&connected.stats());
        }
        Ok::<_, Diagnostics>(Some(report))
    })?;
    if let Some(report) = &report {
        terminal.print(render_apply(report).trim_end());
        if report.failed() {
            diagnostics.push(Diagnostic::error("some changes failed; see above"));
        }
    }
    if diagnostics.has_errors() {
        Err(diagnostics)
    } else {
        Ok(diagnostics)
    }
}
