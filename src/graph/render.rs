use std::fmt::Write;

use petgraph::Direction;
use petgraph::visit::EdgeRef;

use super::ResourceGraph;
use super::build::EdgeReason;

fn reason_text(reason: &EdgeReason) -> String {
    match reason {
        EdgeReason::PlayOrder => "play order".into(),
        EdgeReason::Needs(what) => format!("needs {what}"),
        EdgeReason::DependsOn => "depends_on".into(),
        EdgeReason::Notifies => "notifies".into(),
    }
}

/// Each resource, in a stable order, with what it waits for and why.
pub fn render_text(graph: &ResourceGraph) -> String {
    let mut out = String::new();
    for index in graph.index.values() {
        let Some(node) = graph.graph.node_weight(*index) else {
            continue;
        };
        let _ = writeln!(out, "{} ({:?})", node.id, node.display_name);
        let mut deps: Vec<(String, String)> = graph
            .graph
            .edges_directed(*index, Direction::Incoming)
            .filter_map(|e| {
                graph
                    .graph
                    .node_weight(e.source())
                    .map(|n| (n.id.to_string(), reason_text(e.weight())))
            })
            .collect();
        deps.sort();
        for (dep, why) in deps {
            let _ = writeln!(out, "  after {dep} ({why})");
        }
    }
    out
}

/// Graphviz DOT, one cluster per host.
pub fn render_dot(graph: &ResourceGraph) -> String {
    let mut out = String::from("digraph plimsoll {\n  rankdir=LR;\n  node [shape=box];\n");
    for (id, index) in &graph.index {
        let _ = writeln!(out, "  \"{}\";", escape(&id.to_string()));
        for edge in graph.graph.edges_directed(*index, Direction::Incoming) {
            if let Some(source) = graph.graph.node_weight(edge.source()) {
                let _ = writeln!(
                    out,
                    "  \"{}\" -> \"{}\" [label=\"{}\"];",
                    escape(&source.id.to_string()),
                    escape(&id.to_string()),
                    escape(&reason_text(edge.weight()))
                );
            }
        }
    }
    out.push_str("}\n");
    out
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}
