use std::collections::BTreeMap;

use petgraph::stable_graph::{NodeIndex, StableDiGraph};

use super::cycles::cycle_diagnostics;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::drivers::{Provision, Requirement};
use crate::model::{DependencyRef, ResourceId};
use crate::source::Span;

/// What the graph needs to know about one resource.
#[derive(Clone, Debug)]
pub struct GraphNode {
    pub id: ResourceId,
    pub host: String,
    pub display_name: String,
    pub declared_at: Span,
    pub provides: Vec<Provision>,
    pub requires: Vec<Requirement>,
    pub depends_on: Vec<DependencyRef>,
    pub notify: Vec<String>,
    pub is_handler: bool,
    /// Position in the host's playbook order.
    pub order: usize,
    pub keep_play_order: bool,
}

/// Why one resource waits for another; shown by `plimsoll graph`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EdgeReason {
    /// Ansible's order within a host.
    PlayOrder,
    Needs(String),
    DependsOn,
    Notifies,
}

pub struct ResourceGraph {
    pub graph: StableDiGraph<GraphNode, EdgeReason>,
    pub index: BTreeMap<ResourceId, NodeIndex>,
}

impl ResourceGraph {
    pub fn node(&self, id: &ResourceId) -> Option<&GraphNode> {
        self.index.get(id).and_then(|i| self.graph.node_weight(*i))
    }

    /// The resources `id` waits for.
    pub fn dependencies(&self, id: &ResourceId) -> Vec<&ResourceId> {
        let Some(index) = self.index.get(id) else {
            return Vec::new();
        };
        self.graph
            .neighbors_directed(*index, petgraph::Direction::Incoming)
            .filter_map(|n| self.graph.node_weight(n).map(|w| &w.id))
            .collect()
    }
}

/// Builds the graph: play order within a host (where the play keeps it), implicit edges from what
/// resources provide and require, explicit `depends_on`, and handler edges. A cycle is an error listing
/// every member with its location.
pub fn build_graph(nodes: Vec<GraphNode>) -> Result<ResourceGraph, Diagnostics> {
    let mut graph = StableDiGraph::new();
    let mut index = BTreeMap::new();
    let mut diagnostics = Diagnostics::new();
    for node in nodes {
        let id = node.id.clone();
        let at = node.declared_at.clone();
        if index.contains_key(&id) {
            diagnostics.push(
                Diagnostic::error(format!("{id} is declared twice"))
                    .at(at)
                    .with_help("two tasks manage the same object on the same host; keep one"),
            );
            continue;
        }
        index.insert(id, graph.add_node(node));
    }
    let mut edges: Vec<(NodeIndex, NodeIndex, EdgeReason)> = Vec::new();
    play_order_edges(&graph, &mut edges);
    handler_edges(&graph, &mut edges);
    implicit_edges(&graph, &mut edges);
    explicit_edges(&graph, &mut edges, &mut diagnostics);
    for (from, to, reason) in edges {
        if from != to && graph.find_edge(from, to).is_none() {
            graph.add_edge(from, to, reason);
        }
    }
    diagnostics.extend(cycle_diagnostics(&graph));
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    Ok(ResourceGraph { graph, index })
}

fn by_host(graph: &StableDiGraph<GraphNode, EdgeReason>) -> BTreeMap<&str, Vec<NodeIndex>> {
    let mut hosts: BTreeMap<&str, Vec<NodeIndex>> = BTreeMap::new();
    for i in graph.node_indices() {
        hosts.entry(graph[i].host.as_str()).or_default().push(i);
    }
    for nodes in hosts.values_mut() {
        nodes.sort_by_key(|i| graph[*i].order);
    }
    hosts
}

fn play_order_edges(
    graph: &StableDiGraph<GraphNode, EdgeReason>,
    edges: &mut Vec<(NodeIndex, NodeIndex, EdgeReason)>,
) {
    for nodes in by_host(graph).values() {
        let ordered: Vec<NodeIndex> = nodes
            .iter()
            .copied()
            .filter(|i| graph[*i].keep_play_order && !graph[*i].is_handler)
            .collect();
        for pair in ordered.windows(2) {
            edges.push((pair[0], pair[1], EdgeReason::PlayOrder));
        }
    }
}

/// Handlers run after the tasks before them on their host (Ansible flushes handlers at the end of the
/// play): in playbook order after the last of them, otherwise after each of them.
fn handler_edges(
    graph: &StableDiGraph<GraphNode, EdgeReason>,
    edges: &mut Vec<(NodeIndex, NodeIndex, EdgeReason)>,
) {
    for nodes in by_host(graph).values() {
        for handler in nodes.iter().filter(|i| graph[**i].is_handler) {
            let order = graph[*handler].order;
            let before: Vec<NodeIndex> = nodes
                .iter()
                .copied()
                .filter(|i| !graph[*i].is_handler && graph[*i].order < order)
                .collect();
            if graph[*handler].keep_play_order {
                if let Some(last) = before.last() {
                    edges.push((*last, *handler, EdgeReason::PlayOrder));
                }
            } else {
                edges.extend(before.iter().map(|i| (*i, *handler, EdgeReason::PlayOrder)));
            }
        }
    }
}

fn implicit_edges(
    graph: &StableDiGraph<GraphNode, EdgeReason>,
    edges: &mut Vec<(NodeIndex, NodeIndex, EdgeReason)>,
) {
    for nodes in by_host(graph).values() {
        let mut providers: BTreeMap<&Provision, NodeIndex> = BTreeMap::new();
        // Several resources providing one thing (two edits of one file) go in the host's order, so
        // they never run at once even when only real dependencies order the play.
        let mut last: BTreeMap<&Provision, NodeIndex> = BTreeMap::new();
        for i in nodes {
            for provision in &graph[*i].provides {
                providers.entry(provision).or_insert(*i);
                if let Some(previous) = last.insert(provision, *i)
                    && previous != *i
                    && !graph[*i].is_handler
                    && !graph[previous].is_handler
                {
                    edges.push((previous, *i, EdgeReason::Needs(describe(provision))));
                }
            }
        }
        for i in nodes {
            for requirement in &graph[*i].requires {
                if let Some((provider, what)) = find_provider(requirement, &providers) {
                    edges.push((provider, *i, EdgeReason::Needs(what)));
                }
            }
        }
    }
}

fn describe(provision: &Provision) -> String {
    match provision {
        Provision::Path(path) => format!("path {path}"),
        Provision::User(name) => format!("user {name}"),
        Provision::Group(name) => format!("group {name}"),
        Provision::Object(class, name) => format!("{class} {name}"),
    }
}

/// A path is met by the nearest ancestor some resource provides; users and groups by name.
fn find_provider(
    requirement: &Requirement,
    providers: &BTreeMap<&Provision, NodeIndex>,
) -> Option<(NodeIndex, String)> {
    match requirement {
        Requirement::Path(path) => {
            let mut candidate = std::path::Path::new(path);
            loop {
                let text = candidate.to_string_lossy().into_owned();
                if let Some(i) = providers.get(&Provision::Path(text.clone())) {
                    return Some((*i, format!("path {text}")));
                }
                candidate = candidate.parent()?;
            }
        }
        Requirement::User(name) => providers
            .get(&Provision::User(name.clone()))
            .map(|i| (*i, format!("user {name}"))),
        Requirement::Group(name) => providers
            .get(&Provision::Group(name.clone()))
            .map(|i| (*i, format!("group {name}"))),
        Requirement::Object(class, name) => providers
            .get(&Provision::Object(class, name.clone()))
            .map(|i| (*i, format!("{class} {name}"))),
    }
}

fn explicit_edges(
    graph: &StableDiGraph<GraphNode, EdgeReason>,
    edges: &mut Vec<(NodeIndex, NodeIndex, EdgeReason)>,
    diagnostics: &mut Diagnostics,
) {
    let mut by_name: BTreeMap<(&str, &str), Vec<NodeIndex>> = BTreeMap::new();
    for i in graph.node_indices() {
        by_name
            .entry((graph[i].host.as_str(), graph[i].display_name.as_str()))
            .or_default()
            .push(i);
    }
    for i in graph.node_indices() {
        let node = &graph[i];
        for dependency in &node.depends_on {
            let host = dependency.host.as_deref().unwrap_or(&node.host);
            match by_name.get(&(host, dependency.task.as_str())).map(Vec::as_slice) {
                Some(targets) => {
                    for target in targets {
                        edges.push((*target, i, EdgeReason::DependsOn));
                    }
                }
                None => diagnostics.push(
                    Diagnostic::error(format!(
                        "{}: depends_on names a task {:?} that {host} does not have",
                        node.id, dependency.task
                    ))
                    .at_opt(dependency.declared_at.clone().or_else(|| Some(node.declared_at.clone())))
                    .with_help("depends_on takes a task name, or \"HOST: task name\" for a task on another host"),
                ),
            }
        }
        for handler in &node.notify {
            let targets: Vec<NodeIndex> = graph
                .node_indices()
                .filter(|h| {
                    graph[*h].is_handler
                        && graph[*h].host == node.host
                        && graph[*h].display_name == *handler
                })
                .collect();
            if targets.is_empty() {
                diagnostics.push(
                    Diagnostic::error(format!(
                        "{}: notifies a handler {handler:?} that is not defined",
                        node.id
                    ))
                    .at(node.declared_at.clone())
                    .with_help("define the handler in the play's or role's handlers"),
                );
            }
            for target in targets {
                edges.push((i, target, EdgeReason::Notifies));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn node(host: &str, key: &str, line: usize) -> GraphNode {
        let file = SourceFile::new("site.yml", "- name: task\n".repeat(20));
        GraphNode {
            id: ResourceId::on_host(host, "ansible.builtin.file", key),
            host: host.into(),
            display_name: format!("task {key}"),
            declared_at: file.span_at_line_col(line, 3, 0),
            provides: vec![Provision::Path(key.into())],
            requires: std::path::Path::new(key)
                .parent()
                .map(|p| vec![Requirement::Path(p.display().to_string())])
                .unwrap_or_default(),
            depends_on: vec![],
            notify: vec![],
            is_handler: false,
            order: line,
            keep_play_order: false,
        }
    }

    #[test]
    fn resources_providing_the_same_thing_go_in_the_hosts_order() {
        let mut first = node("h1", "/etc/app.conf", 1);
        first.id = ResourceId::on_host("h1", "ansible.builtin.lineinfile", "/etc/app.conf a");
        let mut second = node("h1", "/etc/app.conf", 2);
        second.id = ResourceId::on_host("h1", "ansible.builtin.lineinfile", "/etc/app.conf b");
        let graph = build_graph(vec![second, first]).unwrap();
        let later = ResourceId::on_host("h1", "ansible.builtin.lineinfile", "/etc/app.conf b");
        let waits: Vec<String> = graph
            .dependencies(&later)
            .into_iter()
            .map(|d| d.key.clone())
            .collect();
        assert_eq!(waits, ["/etc/app.conf a"]);
    }

    #[test]
    fn handlers_wait_for_the_tasks_before_them() {
        let graph_for = |keep_play_order: bool| {
            let mut a = node("h1", "/a", 1);
            let mut b = node("h1", "/b", 2);
            let mut handler = node("h1", "/restart", 3);
            for n in [&mut a, &mut b, &mut handler] {
                n.keep_play_order = keep_play_order;
            }
            handler.is_handler = true;
            build_graph(vec![a, b, handler]).unwrap()
        };
        let waits_for = |graph: &ResourceGraph| {
            let id = ResourceId::on_host("h1", "ansible.builtin.file", "/restart");
            let mut keys: Vec<String> = graph
                .dependencies(&id)
                .into_iter()
                .map(|d| d.key.clone())
                .collect();
            keys.sort();
            keys
        };
        // In playbook order the last task is enough (it comes after the others).
        assert_eq!(waits_for(&graph_for(true)), ["/b"]);
        assert_eq!(waits_for(&graph_for(false)), ["/a", "/b"]);
    }

    #[test]
    fn named_objects_meet_only_their_own_class_and_name_on_the_same_host() {
        let mut network = node("h1", "net", 1);
        network.provides = vec![Provision::Object("docker network", "backend".into())];
        network.requires = vec![];
        let mut volume = node("h1", "vol", 2);
        volume.provides = vec![Provision::Object("docker volume", "backend".into())];
        volume.requires = vec![];
        let mut elsewhere = node("h2", "net2", 3);
        elsewhere.provides = vec![Provision::Object("docker network", "front".into())];
        elsewhere.requires = vec![];
        // Declared first: only the implicit edges can order it after its network and volume.
        let mut container = node("h1", "web", 0);
        container.provides = vec![];
        container.requires = vec![
            Requirement::Object("docker network", "backend".into()),
            Requirement::Object("docker volume", "backend".into()),
            Requirement::Object("docker network", "front".into()),
        ];
        let graph = build_graph(vec![container, network, volume, elsewhere]).unwrap();
        let web = ResourceId::on_host("h1", "ansible.builtin.file", "web");
        let mut needs: Vec<String> = graph
            .dependencies(&web)
            .into_iter()
            .map(|id| id.key.clone())
            .collect();
        needs.sort();
        assert_eq!(needs, ["net", "vol"]);
    }

    #[test]
    fn a_file_waits_for_its_nearest_managed_ancestor() {
        let graph = build_graph(vec![
            node("h1", "/srv/app/conf/app.ini", 3),
            node("h1", "/srv/app", 1),
            node("h2", "/srv/app/conf", 2),
        ])
        .unwrap();
        let file = ResourceId::on_host("h1", "ansible.builtin.file", "/srv/app/conf/app.ini");
        let deps: Vec<String> = graph
            .dependencies(&file)
            .iter()
            .map(|d| d.key.clone())
            .collect();
        // /srv/app/conf is managed on h2 only, so on h1 the nearest managed ancestor is /srv/app.
        assert_eq!(deps, ["/srv/app"]);
    }

    #[test]
    fn play_order_chains_a_hosts_tasks_only_when_kept() {
        let mut a = node("h1", "/a", 1);
        let mut b = node("h1", "/b", 2);
        a.keep_play_order = true;
        b.keep_play_order = true;
        let graph = build_graph(vec![b, a]).unwrap();
        let deps = graph.dependencies(&ResourceId::on_host("h1", "ansible.builtin.file", "/b"));
        assert_eq!(deps.len(), 1);
        assert_eq!(deps[0].key, "/a");
    }

    #[test]
    fn a_cycle_lists_every_member_with_its_location() {
        let mut a = node("h1", "/a", 1);
        let mut b = node("h1", "/b", 5);
        a.depends_on.push(DependencyRef {
            host: None,
            task: "task /b".into(),
            declared_at: None,
        });
        b.depends_on.push(DependencyRef {
            host: None,
            task: "task /a".into(),
            declared_at: None,
        });
        let Err(errors) = build_graph(vec![a, b]) else {
            panic!("a cycle must be an error");
        };
        let text = errors
            .iter()
            .map(|d| format!("{d} {}", d.help.clone().unwrap_or_default()))
            .collect::<String>();
        assert!(
            text.contains("site.yml:1:3") && text.contains("site.yml:5:3"),
            "{text}"
        );
        assert!(text.contains("/a") && text.contains("/b"), "{text}");
    }

    #[test]
    fn depends_on_across_hosts_and_unknown_targets() {
        let mut a = node("h1", "/a", 1);
        a.depends_on.push(DependencyRef {
            host: Some("h2".into()),
            task: "task /b".into(),
            declared_at: None,
        });
        let b = node("h2", "/b", 1);
        let graph = build_graph(vec![a.clone(), b]).unwrap();
        let deps = graph.dependencies(&a.id);
        assert_eq!(
            deps[0],
            &ResourceId::on_host("h2", "ansible.builtin.file", "/b")
        );

        let Err(errors) = build_graph(vec![a]) else {
            panic!("an unknown depends_on target must be an error");
        };
        assert!(
            errors
                .iter()
                .any(|d| d.message.contains("h2 does not have"))
        );
    }
}
