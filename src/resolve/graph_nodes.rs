use super::options::Resolved;
use crate::drivers::Registry;
use crate::graph::GraphNode;
use crate::model::DesiredState;

/// What the graph needs of every resolved resource: identity, order and, from its kind, what it provides
/// and requires.
pub fn graph_nodes(resolved: &Resolved, registry: &Registry) -> Vec<GraphNode> {
    graph_nodes_of(&resolved.resources, registry)
}

/// [`graph_nodes`] for any desired state (the resolved one with `--prune`'s deletions added).
pub fn graph_nodes_of(desired: &DesiredState, registry: &Registry) -> Vec<GraphNode> {
    desired
        .resources
        .values()
        .map(|resource| {
            let kind = registry.find(&resource.id.kind);
            GraphNode {
                id: resource.id.clone(),
                host: resource.id.scope.name().to_string(),
                display_name: resource.display_name.clone(),
                declared_at: resource.declared_at.clone(),
                provides: kind.map(|k| k.provides(&resource.spec)).unwrap_or_default(),
                requires: kind.map(|k| k.requires(&resource.spec)).unwrap_or_default(),
                depends_on: resource.depends_on.clone(),
                notify: resource.notify.clone(),
                is_handler: resource.is_handler,
                order: resource.order,
                keep_play_order: resource.keep_play_order,
            }
        })
        .collect()
}
