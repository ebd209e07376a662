use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use petgraph::Direction;
use petgraph::stable_graph::NodeIndex;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::rollout::Rollout;
use super::{ApplyReport, Outcome, ResourceOutcome};
use crate::diff::Delta;
use crate::drivers::Registry;
use crate::graph::ResourceGraph;
use crate::model::{DesiredResource, DesiredState, ResourceId};
use crate::plan::Plan;
use crate::plan::planner::{HostHandle, exec_for, observe_host};
use crate::resolve::PlayInfo;

pub struct ApplyOptions {
    /// Resources worked on at once, across hosts.
    pub forks: usize,
    /// Set by Ctrl-C: nothing new starts once it is true.
    pub cancel: Arc<AtomicBool>,
    /// The plays, for `serial` batches and `max_fail_percentage`.
    pub plays: Vec<PlayInfo>,
}

/// Walks the graph: a resource starts once everything it depends on is done (and its play's earlier
/// batches are); a failure skips its dependents while independent branches and other hosts go on.
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
    let mut walk = Walk::new(graph, Rollout::new(&options.plays));
    let limit = Arc::new(Semaphore::new(options.forks.max(1)));
    let mut running = JoinSet::new();
    let mut report = ApplyReport::default();

    loop {
        for index in std::mem::take(&mut walk.ready) {
            let Some(node) = graph.graph.node_weight(index) else {
                continue;
            };
            if !walk.rollout.may_start(&node.id) {
                walk.held.push(index);
                continue;
            }
            let upstream: Vec<&Outcome> = graph
                .graph
                .neighbors_directed(index, Direction::Incoming)
                .filter_map(|d| walk.results.get(&d))
                .collect();
            let decided = if options.cancel.load(Ordering::SeqCst) {
                report.cancelled = true;
                Some(Outcome::Cancelled)
            } else if let Some(why) = walk.rollout.stopped(&node.id) {
                Some(Outcome::PlayStopped(why.to_string()))
            } else if upstream.iter().any(|o| o.blocks_dependents()) {
                Some(Outcome::SkippedUpstreamFailed)
            } else if node.is_handler && !upstream.iter().any(|o| **o == Outcome::Changed) {
                Some(Outcome::NotNotified)
            } else {
                None
            };
            if let Some(outcome) = decided {
                walk.finish(index, outcome);
                continue;
            }
            let Some(resource) = desired.resources.get(&node.id).cloned() else {
                walk.finish(index, Outcome::Failed("not in the desired state".into()));
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
        if !walk.ready.is_empty() {
            continue;
        }
        let Some(joined) = running.join_next().await else {
            // Nothing runs and nothing is ready: only held batches are left, and what they wait for
            // cannot finish (a `depends_on` into a later batch). Let the earliest go rather than stall.
            if walk.held.is_empty() || !walk.rollout.force_open_next() {
                break;
            }
            walk.release_held();
            continue;
        };
        match joined {
            Ok((index, outcome)) => walk.finish(index, outcome),
            Err(e) => {
                report.outcomes.push(ResourceOutcome {
                    id: ResourceId::on_host("", "internal", "panic"),
                    display_name: "internal error".into(),
                    outcome: Outcome::Failed(e.to_string()),
                });
            }
        }
    }
    for (index, outcome) in walk.results {
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

/// The walk's bookkeeping: what each node still waits for, what is ready, held or done.
struct Walk<'g> {
    graph: &'g ResourceGraph,
    waiting: BTreeMap<NodeIndex, usize>,
    results: BTreeMap<NodeIndex, Outcome>,
    ready: Vec<NodeIndex>,
    /// Ready by the graph, but their play's earlier batches are not done.
    held: Vec<NodeIndex>,
    rollout: Rollout,
}

impl<'g> Walk<'g> {
    fn new(graph: &'g ResourceGraph, rollout: Rollout) -> Self {
        let waiting: BTreeMap<NodeIndex, usize> = graph
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
        let ready = waiting
            .iter()
            .filter(|(_, n)| **n == 0)
            .map(|(i, _)| *i)
            .collect();
        Walk {
            graph,
            waiting,
            results: BTreeMap::new(),
            ready,
            held: Vec::new(),
            rollout,
        }
    }

    fn finish(&mut self, index: NodeIndex, outcome: Outcome) {
        if let Some(node) = self.graph.graph.node_weight(index)
            && self.rollout.finished(&node.id, outcome.is_failure())
        {
            self.release_held();
        }
        self.results.insert(index, outcome);
        let dependents: BTreeSet<NodeIndex> = self
            .graph
            .graph
            .neighbors_directed(index, Direction::Outgoing)
            .collect();
        for dependent in dependents {
            if let Some(count) = self.waiting.get_mut(&dependent) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    self.ready.push(dependent);
                }
            }
        }
    }

    /// Held nodes are looked at again (those still held go back).
    fn release_held(&mut self) {
        self.ready.append(&mut self.held);
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
        Ok(host) => exec_for(&host, resource.become_as.as_ref()),
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
            Ok(after) if after.is_no_op() => Outcome::Changed,
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
