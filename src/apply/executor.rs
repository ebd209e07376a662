use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use petgraph::Direction;
use petgraph::stable_graph::NodeIndex;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::{ApplyReport, Outcome, ResourceOutcome};
use crate::diff::Delta;
use crate::drivers::Registry;
use crate::graph::ResourceGraph;
use crate::model::{DesiredResource, DesiredState, ResourceId};
use crate::plan::Plan;
use crate::plan::planner::{HostHandle, observe_host};

pub struct ApplyOptions {
    /// Resources worked on at once, across hosts.
    pub forks: usize,
    /// Set by Ctrl-C: nothing new starts once it is true.
    pub cancel: Arc<AtomicBool>,
}

/// Walks the graph: a resource starts once everything it depends on is done; a failure skips its
/// dependents while independent branches and other hosts go on.
pub async fn apply(
    graph: &ResourceGraph,
    desired: &DesiredState,
    plan: &Plan,
    registry: Arc<Registry>,
    hosts: &BTreeMap<String, HostHandle>,
    options: &ApplyOptions,
) -> ApplyReport {
    let planned: BTreeMap<&ResourceId, &Delta> =
        plan.changes.iter().map(|c| (&c.id, &c.delta)).collect();
    let mut waiting: BTreeMap<NodeIndex, usize> = graph
        .graph
        .node_indices()
        .map(|i| {
            (
                i,
                graph
                    .graph
                    .neighbors_directed(i, Direction::Incoming)
                    .count(),
            )
        })
        .collect();
    let mut results: BTreeMap<NodeIndex, Outcome> = BTreeMap::new();
    let limit = Arc::new(Semaphore::new(options.forks.max(1)));
    let mut running = JoinSet::new();
    let mut ready: Vec<NodeIndex> = waiting
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(i, _)| *i)
        .collect();
    let mut report = ApplyReport::default();

    loop {
        for index in std::mem::take(&mut ready) {
            let Some(node) = graph.graph.node_weight(index) else {
                continue;
            };
            let upstream: Vec<&Outcome> = graph
                .graph
                .neighbors_directed(index, Direction::Incoming)
                .filter_map(|d| results.get(&d))
                .collect();
            let decided = if options.cancel.load(Ordering::SeqCst) {
                report.cancelled = true;
                Some(Outcome::Cancelled)
            } else if upstream.iter().any(|o| o.blocks_dependents()) {
                Some(Outcome::SkippedUpstreamFailed)
            } else if node.is_handler && !upstream.iter().any(|o| **o == Outcome::Changed) {
                Some(Outcome::NotNotified)
            } else {
                None
            };
            if let Some(outcome) = decided {
                finish(
                    graph,
                    index,
                    outcome,
                    &mut results,
                    &mut waiting,
                    &mut ready,
                );
                continue;
            }
            let Some(resource) = desired.resources.get(&node.id).cloned() else {
                finish(
                    graph,
                    index,
                    Outcome::Failed("not in the desired state".into()),
                    &mut results,
                    &mut waiting,
                    &mut ready,
                );
                continue;
            };
            let upstream_changed = upstream.iter().any(|o| **o == Outcome::Changed);
            let planned_delta = planned.get(&node.id).map(|d| (*d).clone());
            let host = hosts
                .get(node.id.scope.name())
                .cloned()
                .unwrap_or_else(|| Err("no connection".into()));
            let registry = registry.clone();
            let limit = limit.clone();
            running.spawn(async move {
                let _permit = limit.acquire_owned().await;
                let outcome = apply_one(
                    &resource,
                    planned_delta.as_ref(),
                    upstream_changed,
                    host,
                    &registry,
                )
                .await;
                (index, outcome)
            });
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        match joined {
            Ok((index, outcome)) => finish(
                graph,
                index,
                outcome,
                &mut results,
                &mut waiting,
                &mut ready,
            ),
            Err(e) => {
                report.outcomes.push(ResourceOutcome {
                    id: ResourceId::on_host("", "internal", "panic"),
                    display_name: "internal error".into(),
                    outcome: Outcome::Failed(e.to_string()),
                });
            }
        }
    }
    for (index, outcome) in results {
        if let Some(node) = graph.graph.node_weight(index) {
            report.outcomes.push(ResourceOutcome {
                id: node.id.clone(),
                display_name: node.display_name.clone(),
                outcome,
            });
        }
    }
    report
}

fn finish(
    graph: &ResourceGraph,
    index: NodeIndex,
    outcome: Outcome,
    results: &mut BTreeMap<NodeIndex, Outcome>,
    waiting: &mut BTreeMap<NodeIndex, usize>,
    ready: &mut Vec<NodeIndex>,
) {
    results.insert(index, outcome);
    let dependents: BTreeSet<NodeIndex> = graph
        .graph
        .neighbors_directed(index, Direction::Outgoing)
        .collect();
    for dependent in dependents {
        if let Some(count) = waiting.get_mut(&dependent) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                ready.push(dependent);
            }
        }
    }
}

/// Re-observe, compare with the plan, act, verify.
async fn apply_one(
    resource: &DesiredResource,
    planned: Option<&Delta>,
    upstream_changed: bool,
    host: HostHandle,
    registry: &Registry,
) -> Outcome {
    let host = match host {
        Ok(host) => host,
        Err(why) => return Outcome::Failed(format!("host unreachable: {why}")),
    };
    let Some(kind) = registry.find(&resource.id.kind) else {
        return Outcome::Failed(format!("unknown resource kind {}", resource.id.kind));
    };
    let current = match observe_host(host.as_ref(), &[resource], registry).await {
        Ok(facts) => match kind.diff(&resource.spec, &facts) {
            Ok(delta) => delta,
            Err(e) => return Outcome::Failed(e),
        },
        Err(e) => return Outcome::Failed(format!("could not re-read the live state: {e}")),
    };
    // Work upstream may legitimately change what this resource sees; otherwise the live state must
    // still be what the plan saw.
    if !upstream_changed {
        if let Some(planned) = planned {
            if !same_change(planned, &current) {
                return Outcome::ChangedSincePlan(describe_drift(planned, &current));
            }
        }
    }
    if current.is_no_op() {
        return Outcome::Unchanged;
    }
    if current.action == crate::diff::Action::Refused {
        return Outcome::Failed(format!("refused: {:?}", current.reason));
    }
    if let Err(e) = kind.apply(host.as_ref(), &resource.spec, &current).await {
        return Outcome::Failed(e.to_string());
    }
    match observe_host(host.as_ref(), &[resource], registry).await {
        Ok(facts) => match kind.diff(&resource.spec, &facts) {
            Ok(after) if after.is_no_op() || is_standing_request(&after) => Outcome::Changed,
            Ok(after) => Outcome::DidNotConverge(
                after
                    .changed_paths()
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
            ),
            Err(e) => Outcome::Failed(format!("could not verify: {e}")),
        },
        Err(e) => Outcome::Failed(format!("could not verify: {e}")),
    }
}

/// A restart or recreate with no attribute differing is a task's standing request (`restart: true`,
/// `recreate: true`): done once it ran, though every diff asks for it again.
fn is_standing_request(delta: &Delta) -> bool {
    matches!(
        delta.action,
        crate::diff::Action::Restart | crate::diff::Action::Replace
    ) && delta.changes.is_empty()
        && delta.text_changes.is_empty()
}

fn same_change(planned: &Delta, current: &Delta) -> bool {
    planned.action == current.action
        && planned.changes == current.changes
        && planned.text_changes.len() == current.text_changes.len()
        && planned
            .text_changes
            .iter()
            .zip(&current.text_changes)
            .all(|(a, b)| a.path == b.path && a.before == b.before && a.after == b.after)
}

fn describe_drift(planned: &Delta, current: &Delta) -> String {
    let paths: BTreeSet<&str> = planned
        .changed_paths()
        .into_iter()
        .chain(current.changed_paths())
        .collect();
    format!(
        "planned {:?}, now {:?} ({}); run plan again",
        planned.action,
        current.action,
        paths.into_iter().collect::<Vec<_>>().join(", ")
    )
}

#[cfg(test)]
mod standing_request_tests {
    use super::*;
    use crate::diff::{Action, AttrChange, Reason};

    #[test]
    fn only_a_bare_restart_or_recreate_is_a_standing_request() {
        let bare = |action| Delta {
            action,
            reason: Reason::Other("restart: true".into()),
            changes: Vec::new(),
            text_changes: Vec::new(),
        };
        assert!(is_standing_request(&bare(Action::Restart)));
        assert!(is_standing_request(&bare(Action::Replace)));
        assert!(!is_standing_request(&bare(Action::Update)));
        let mut drift = bare(Action::Replace);
        drift.changes.push(AttrChange {
            path: "env.A".into(),
            before: None,
            after: None,
            sensitive: true,
        });
        assert!(
            !is_standing_request(&drift),
            "a remaining difference is not converged"
        );
    }
}
