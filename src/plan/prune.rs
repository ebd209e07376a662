//! `--prune`: objects that carry plimsoll's ownership label for a project used on a host, but that no
//! task declares any more, planned as deletions. Objects without the label are never looked at.
//!
//! A host is pruned for the projects its declared resources label objects with, so a host where no
//! task of the project remains is left alone (declare `state: absent` to remove the last objects).

use std::collections::{BTreeMap, BTreeSet};

use super::ResourceProblem;
use super::planner::{HostHandle, observe_requests};
use crate::drivers::{ErasedKind, PROJECT_ARG, Registry};
use crate::model::{DependencyRef, DesiredResource, DesiredState, ResourceId};
use crate::source::Span;
use crate::value::Value;

/// What a host's declared resources say about pruning it.
struct HostProjects {
    /// Project → where its first task on the host is declared (pruned objects point there).
    projects: BTreeMap<String, Span>,
    /// (kind, key) of everything declared on the host.
    declared: BTreeSet<(String, String)>,
    /// After every declared resource in the host's order.
    next_order: usize,
}

fn host_projects(desired: &DesiredState, registry: &Registry) -> BTreeMap<String, HostProjects> {
    let mut hosts: BTreeMap<String, HostProjects> = BTreeMap::new();
    for resource in desired.resources.values() {
        let entry = hosts
            .entry(resource.id.scope.name().to_string())
            .or_insert_with(|| HostProjects {
                projects: BTreeMap::new(),
                declared: BTreeSet::new(),
                next_order: 0,
            });
        entry.next_order = entry.next_order.max(resource.order + 1);
        let Some(kind) = registry.find(&resource.id.kind) else {
            continue;
        };
        entry
            .declared
            .insert((kind.name().to_string(), kind.key(&resource.spec)));
        if let Some(Value::Str(project)) = resource.args.get(PROJECT_ARG) {
            entry
                .projects
                .entry(project.clone())
                .or_insert_with(|| resource.declared_at.clone());
        }
    }
    hosts.retain(|_, h| !h.projects.is_empty());
    hosts
}

/// The deletions `--prune` adds, as resources (so apply walks them like any other), and the hosts that
/// could not be read.
pub async fn prune_resources(
    desired: &DesiredState,
    registry: &Registry,
    hosts: &BTreeMap<String, HostHandle>,
) -> (Vec<DesiredResource>, Vec<ResourceProblem>) {
    let prunable: Vec<&dyn ErasedKind> = registry
        .names()
        .filter_map(|name| registry.find(name))
        .filter(|kind| kind.owned_query("").is_some())
        .collect();
    let mut resources = Vec::new();
    let mut problems = Vec::new();
    for (host, found) in host_projects(desired, registry) {
        let connection = match hosts.get(&host) {
            Some(Ok(connection)) => connection.clone(),
            Some(Err(why)) => {
                problems.push(problem(&host, why.clone()));
                continue;
            }
            None => continue,
        };
        let mut requests = Vec::new();
        for project in found.projects.keys() {
            for kind in &prunable {
                if let Some(request) = kind.owned_query(project)
                    && !requests.contains(&request)
                {
                    requests.push(request);
                }
            }
        }
        let facts = match observe_requests(connection.as_ref(), requests).await {
            Ok(facts) => facts,
            Err(why) => {
                problems.push(problem(
                    &host,
                    format!("listing what --prune may remove: {why}"),
                ));
                continue;
            }
        };
        let mut made: Vec<(u8, DesiredResource)> = Vec::new();
        for (project, declared_at) in &found.projects {
            for kind in &prunable {
                for name in kind.owned_names(project, &facts) {
                    if found
                        .declared
                        .contains(&(kind.name().to_string(), name.clone()))
                    {
                        continue;
                    }
                    match prune_one(*kind, &host, project, &name, declared_at) {
                        Ok(resource) => made.push((kind.prune_round(), resource)),
                        Err(why) => problems.push(problem(&host, why)),
                    }
                }
            }
        }
        order_rounds(&mut made, found.next_order);
        resources.extend(made.into_iter().map(|(_, r)| r));
    }
    (resources, problems)
}

fn problem(host: &str, message: String) -> ResourceProblem {
    ResourceProblem {
        host: host.to_string(),
        id: None,
        message,
    }
}

fn prune_one(
    kind: &dyn ErasedKind,
    host: &str,
    project: &str,
    name: &str,
    declared_at: &Span,
) -> Result<DesiredResource, String> {
    let mut args = kind.prune_args(name);
    args.insert(PROJECT_ARG.into(), Value::Str(project.to_string()));
    let spec = kind.parse(&args).map_err(|errors| {
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        format!("cannot plan pruning {name}: {}", text.join("; "))
    })?;
    let key = kind.key(&spec);
    Ok(DesiredResource {
        id: ResourceId::on_host(host, kind.name(), &key),
        spec,
        display_name: format!("prune {name} (not declared, labelled for project {project})"),
        args,
        declared_at: declared_at.clone(),
        depends_on: Vec::new(),
        notify: Vec::new(),
        tags: Vec::new(),
        no_log: false,
        become_as: None,
        order: 0,
        keep_play_order: false,
        is_handler: false,
    })
}

/// After everything declared on the host, and each round after the one before it (a container goes
/// before the network it was attached to).
fn order_rounds(made: &mut [(u8, DesiredResource)], first_order: usize) {
    made.sort_by(|a, b| (a.0, &a.1.id).cmp(&(b.0, &b.1.id)));
    let names: Vec<(u8, String)> = made
        .iter()
        .map(|(round, r)| (*round, r.display_name.clone()))
        .collect();
    for (i, (round, resource)) in made.iter_mut().enumerate() {
        resource.order = first_order + i;
        resource.depends_on = names
            .iter()
            .filter(|(earlier, _)| earlier < round)
            .map(|(_, task)| DependencyRef {
                host: None,
                task: task.clone(),
                declared_at: None,
            })
            .collect();
    }
}
