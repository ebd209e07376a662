//! The order of work: a node starts once everything it depends on is done and its play's earlier
//! batches are; a failure skips its dependents while independent branches and other hosts go on; a
//! handler runs only when something upstream changed; nothing new starts after Ctrl-C. What "doing" a
//! node means is the caller's (the executor applies a resource), so the order is testable on its own.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use petgraph::Direction;
use petgraph::stable_graph::NodeIndex;
use petgraph::visit::EdgeRef;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::Outcome;
use super::rollout::Rollout;
use crate::graph::{EdgeReason, ResourceGraph};

/// What a walk ended with.
#[derive(Debug, Default)]
pub struct Walked {
    pub outcomes: BTreeMap<NodeIndex, Outcome>,
    pub cancelled: bool,
    /// Work that died without an outcome (a panic in a task).
    pub internal_errors: Vec<String>,
}

/// Walks `graph`, running `act(node, upstream_changed)` for every node that should run, at most
/// `forks` at once.
pub async fn walk<F, Fut>(
    graph: &ResourceGraph,
    rollout: Rollout,
    cancel: &AtomicBool,
    forks: usize,
    act: F,
) -> Walked
where
    F: Fn(NodeIndex, bool) -> Fut,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    let mut state = State::new(graph, rollout);
    let limit = Arc::new(Semaphore::new(forks.max(1)));
    let mut running = JoinSet::new();
    let mut walked = Walked::default();
    loop {
        for index in std::mem::take(&mut state.ready) {
            let Some(node) = graph.graph.node_weight(index) else {
                continue;
            };
            if !state.rollout.may_start(&node.id) {
                state.held.push(index);
                continue;
            }
            let upstream: Vec<&Outcome> = graph
                .graph
                .neighbors_directed(index, Direction::Incoming)
                .filter_map(|d| state.results.get(&d))
                .collect();
            let decided = if cancel.load(Ordering::SeqCst) {
                walked.cancelled = true;
                Some(Outcome::Cancelled)
            } else if let Some(why) = state.rollout.stopped(&node.id) {
                Some(Outcome::PlayStopped(why.to_string()))
            } else if upstream.iter().any(|o| o.blocks_dependents()) {
                Some(Outcome::SkippedUpstreamFailed)
            } else if node.is_handler && !state.notified(index) {
                Some(Outcome::NotNotified)
            } else {
                None
            };
            if let Some(outcome) = decided {
                state.finish(index, outcome);
                continue;
            }
            let upstream_changed = upstream.iter().any(|o| **o == Outcome::Changed);
            let work = act(index, upstream_changed);
            let limit = limit.clone();
            running.spawn(async move {
                let _permit = limit.acquire_owned().await;
                (index, work.await)
            });
        }
        if !state.ready.is_empty() {
            continue;
        }
        let Some(joined) = running.join_next().await else {
            // Nothing runs and nothing is ready: only held batches are left, and what they wait for
            // cannot finish (a `depends_on` into a later batch). Let the earliest go rather than stall.
            if state.held.is_empty() || !state.rollout.force_open_next() {
                break;
            }
            state.release_held();
            continue;
        };
        match joined {
            Ok((index, outcome)) => state.finish(index, outcome),
            Err(e) => walked.internal_errors.push(e.to_string()),
        }
    }
    walked.outcomes = state.results;
    walked
}

/// The walk's bookkeeping: what each node still waits for, what is ready, held or done.
struct State<'g> {
    graph: &'g ResourceGraph,
    waiting: BTreeMap<NodeIndex, usize>,
    results: BTreeMap<NodeIndex, Outcome>,
    ready: Vec<NodeIndex>,
    /// Ready by the graph, but their play's earlier batches are not done.
    held: Vec<NodeIndex>,
    rollout: Rollout,
}

impl<'g> State<'g> {
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
        State {
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

    /// Whether a change of something that notifies this handler happened (other edges into a handler
    /// only order it).
    fn notified(&self, index: NodeIndex) -> bool {
        self.graph
            .graph
            .edges_directed(index, Direction::Incoming)
            .any(|edge| {
                *edge.weight() == EdgeReason::Notifies
                    && self.results.get(&edge.source()) == Some(&Outcome::Changed)
            })
    }

    /// Held nodes are looked at again (those still held go back).
    fn release_held(&mut self) {
        self.ready.append(&mut self.held);
    }
}

#[cfg(test)]
#[path = "walk_tests.rs"]
mod tests;
