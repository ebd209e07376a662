//! Properties of the walk over random graphs, outcomes and fork limits.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use petgraph::stable_graph::StableDiGraph;
use proptest::prelude::*;

use super::*;
use crate::graph::{EdgeReason, GraphNode};
use crate::model::ResourceId;
use crate::source::SourceFile;

#[derive(Clone, Debug)]
struct Case {
    size: usize,
    /// (from, to) with from < to, so the graph has no cycle.
    edges: Vec<(usize, usize)>,
    fails: Vec<bool>,
    changes: Vec<bool>,
    handlers: Vec<bool>,
    forks: usize,
}

fn cases() -> impl Strategy<Value = Case> {
    (1usize..12).prop_flat_map(|size| {
        let pairs: Vec<(usize, usize)> = (0..size)
            .flat_map(|a| (a + 1..size).map(move |b| (a, b)))
            .collect();
        let pair_count = pairs.len();
        (
            proptest::collection::vec(proptest::bool::weighted(0.3), pair_count),
            proptest::collection::vec(proptest::bool::weighted(0.15), size),
            proptest::collection::vec(proptest::bool::ANY, size),
            proptest::collection::vec(proptest::bool::weighted(0.15), size),
            1usize..4,
        )
            .prop_map(move |(chosen, fails, changes, handlers, forks)| Case {
                size,
                edges: pairs
                    .iter()
                    .zip(chosen)
                    .filter(|(_, keep)| *keep)
                    .map(|(p, _)| *p)
                    .collect(),
                fails,
                changes,
                handlers,
                forks,
            })
    })
}

fn graph_of(case: &Case) -> (ResourceGraph, Vec<NodeIndex>) {
    let mut graph = StableDiGraph::new();
    let mut index = BTreeMap::new();
    let span = SourceFile::new("site.yml", "- x\n").span_at_line_col(1, 1, 1);
    let nodes: Vec<NodeIndex> = (0..case.size)
        .map(|i| {
            let id = ResourceId::on_host("h1", "ansible.builtin.file", &format!("/n{i}"));
            let node = graph.add_node(GraphNode {
                id: id.clone(),
                host: "h1".into(),
                display_name: format!("n{i}"),
                declared_at: span.clone(),
                provides: vec![],
                requires: vec![],
                depends_on: vec![],
                notify: vec![],
                is_handler: case.handlers[i],
                order: i,
                keep_play_order: false,
            });
            index.insert(id, node);
            node
        })
        .collect();
    for (a, b) in &case.edges {
        let reason = if case.handlers[*b] {
            EdgeReason::Notifies
        } else {
            EdgeReason::DependsOn
        };
        graph.add_edge(nodes[*a], nodes[*b], reason);
    }
    (ResourceGraph { graph, index }, nodes)
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Event {
    Start(usize),
    End(usize),
}

fn run(case: &Case) -> (Walked, Vec<Event>, Vec<NodeIndex>) {
    let (graph, nodes) = graph_of(case);
    let position: BTreeMap<NodeIndex, usize> =
        nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let events = Arc::new(Mutex::new(Vec::new()));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let walked = runtime.block_on(walk(
        &graph,
        Rollout::default(),
        &AtomicBool::new(false),
        case.forks,
        |index, _| {
            let i = position[&index];
            let events = events.clone();
            let outcome = if case.fails[i] {
                Outcome::Failed("planned failure".into())
            } else if case.changes[i] {
                Outcome::Changed
            } else {
                Outcome::Unchanged
            };
            async move {
                events.lock().unwrap().push(Event::Start(i));
                // Let other work interleave.
                for _ in 0..(i % 3) {
                    tokio::task::yield_now().await;
                }
                events.lock().unwrap().push(Event::End(i));
                outcome
            }
        },
    ));
    let events = events.lock().unwrap().clone();
    (walked, events, nodes)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn work_follows_the_graph_failures_skip_dependents_and_forks_bound_it(case in cases()) {
        let (walked, events, nodes) = run(&case);
        prop_assert_eq!(walked.outcomes.len(), case.size);
        prop_assert!(walked.internal_errors.is_empty());
        let outcome = |i: usize| walked.outcomes[&nodes[i]].clone();
        let at = |e: Event| events.iter().position(|x| *x == e);
        let deps = |i: usize| case.edges.iter().filter(move |(_, b)| *b == i).map(|(a, _)| *a);

        for i in 0..case.size {
            let ran = at(Event::Start(i)).is_some();
            let blocked = deps(i).any(|d| outcome(d).blocks_dependents());
            let notified = deps(i).any(|d| outcome(d) == Outcome::Changed);
            if blocked {
                prop_assert_eq!(outcome(i), Outcome::SkippedUpstreamFailed, "node {}", i);
            } else if case.handlers[i] && !notified {
                prop_assert_eq!(outcome(i), Outcome::NotNotified, "node {}", i);
            } else {
                prop_assert!(ran, "node {} should have run", i);
            }
            if ran {
                let started = at(Event::Start(i)).unwrap();
                // A dependency that ran ended first (one decided without running never starts).
                for d in deps(i).filter(|d| at(Event::Start(*d)).is_some()) {
                    let finished = at(Event::End(d));
                    prop_assert!(
                        finished.is_some_and(|f| f < started),
                        "node {} started before its dependency {} ended: {:?}", i, d, events
                    );
                }
            }
        }
        let mut running = 0usize;
        for event in &events {
            match event {
                Event::Start(_) => running += 1,
                Event::End(_) => running -= 1,
            }
            prop_assert!(running <= case.forks, "{} at once with forks {}", running, case.forks);
        }
    }
}
