use petgraph::algo::tarjan_scc;
use petgraph::stable_graph::StableDiGraph;

use super::build::{EdgeReason, GraphNode};
use crate::diagnostics::Diagnostic;

/// One error per cycle, naming every member and where it was declared.
pub fn cycle_diagnostics(graph: &StableDiGraph<GraphNode, EdgeReason>) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for component in tarjan_scc(graph) {
        let is_cycle = component.len() > 1
            || component
                .first()
                .is_some_and(|i| graph.find_edge(*i, *i).is_some());
        if !is_cycle {
            continue;
        }
        let mut members: Vec<&GraphNode> = component
            .iter()
            .filter_map(|i| graph.node_weight(*i))
            .collect();
        members.sort_by(|a, b| (&a.host, a.order).cmp(&(&b.host, b.order)));
        let listing = members
            .iter()
            .map(|m| format!("  {} ({:?}) at {}", m.id, m.display_name, m.declared_at))
            .collect::<Vec<_>>()
            .join("\n");
        let first = members.first().map(|m| m.declared_at.clone());
        diagnostics.push(
            Diagnostic::error(format!("dependency cycle between {} resources:\n{listing}", members.len()))
                .at_opt(first)
                .with_help(
                    "break the cycle: remove a depends_on, or set the play's `plimsoll_ordering: dependencies` \
                     if playbook order contradicts what the tasks need",
                ),
        );
    }
    diagnostics
}
