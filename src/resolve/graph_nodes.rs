use super::options::Resolved;
use crate::drivers::Registry;
use crate::graph::GraphNode;

/// What the graph needs of every resolved resource: identity, order and, from its kind, what it provides
/// and requires.
pub fn graph_nodes(resolved: &Resolved, registry: &Registry) -> Vec<GraphNode> {
    resolved
        .resources
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
