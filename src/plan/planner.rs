//! Observe + diff: for each host, one batched fact read for all its resources (one per become
//! identity, normally one), then a pure diff per resource. Hosts are observed in parallel, at most
//! `forks` at once; one host failing does not stop the others.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::{Plan, PlannedChange, ResourceProblem};
use crate::drivers::Registry;
use crate::endpoints::docker::observe as observe_docker;
use crate::facts::{
    BATCH_SCRIPT, DockerQuery, FactRequest, Facts, HostExec, batch_args, parse_batch_output,
};
use crate::model::{Become, BecomeMethod, DesiredResource, DesiredState};
use crate::transport::SudoExec;

/// How long one host's fact batch may take.
pub const OBSERVE_TIMEOUT: Duration = Duration::from_secs(60);

/// A host's connection, or why there is none.
pub type HostHandle = Result<Arc<dyn HostExec>, String>;

/// How a resource's scripts reach its host: the connection itself, or sudo to its become user.
pub fn exec_for(host: &Arc<dyn HostExec>, become_as: Option<&Become>) -> Arc<dyn HostExec> {
    match become_as {
        None => host.clone(),
        Some(Become {
            user,
            method: BecomeMethod::Sudo,
        }) => Arc::new(SudoExec::new(host.clone(), user.clone())),
    }
}

/// Reads one host's facts for these resources in one round trip.
pub async fn observe_host(
    host: &dyn HostExec,
    resources: &[&DesiredResource],
    registry: &Registry,
) -> Result<Facts, String> {
    let mut requests: Vec<FactRequest> = Vec::new();
    for resource in resources {
        let kind = registry
            .find(&resource.id.kind)
            .ok_or_else(|| format!("unknown resource kind {}", resource.id.kind))?;
        for request in kind.facts(&resource.spec) {
            if !requests.contains(&request) {
                requests.push(request);
            }
        }
    }
    observe_requests(host, requests).await
}

/// Answers fact requests on one host: the shell ones in one batch, the Docker ones through its engine.
pub async fn observe_requests(
    host: &dyn HostExec,
    requests: Vec<FactRequest>,
) -> Result<Facts, String> {
    let (shell, docker): (Vec<FactRequest>, Vec<FactRequest>) =
        requests.into_iter().partition(FactRequest::is_shell);
    let mut facts = Facts::default();
    if !shell.is_empty() {
        let output = host
            .run_script(BATCH_SCRIPT, &batch_args(&shell), b"", OBSERVE_TIMEOUT)
            .await?;
        if output.status != 0 {
            return Err(format!(
                "reading the host's state failed (exit {}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        facts.extend(parse_batch_output(
            &shell,
            &String::from_utf8_lossy(&output.stdout),
        )?);
    }
    let docker: Vec<DockerQuery> = docker
        .into_iter()
        .filter_map(|r| match r {
            FactRequest::Docker(query) => Some(query),
            _ => None,
        })
        .collect();
    if !docker.is_empty() {
        let client = host.docker().await?;
        let read = tokio::time::timeout(
            OBSERVE_TIMEOUT,
            observe_docker(host.host(), &client, &docker),
        )
        .await
        .map_err(|_| {
            format!(
                "the Docker engine did not answer within {} s",
                OBSERVE_TIMEOUT.as_secs()
            )
        })??;
        facts.extend(read);
    }
    Ok(facts)
}

/// Diffs every resource of one host against its facts.
pub fn diff_host(
    resources: &[&DesiredResource],
    facts: &Facts,
    registry: &Registry,
) -> (Vec<PlannedChange>, Vec<ResourceProblem>) {
    let mut changes = Vec::new();
    let mut problems = Vec::new();
    for resource in resources {
        let result = registry
            .find(&resource.id.kind)
            .ok_or_else(|| format!("unknown resource kind {}", resource.id.kind))
            .and_then(|kind| kind.diff(&resource.spec, facts));
        match result {
            Ok(delta) => changes.push(PlannedChange {
                id: resource.id.clone(),
                display_name: resource.display_name.clone(),
                declared_at: resource.declared_at.to_string(),
                delta,
                no_log: resource.no_log,
                triggered_by: Vec::new(),
            }),
            Err(message) => problems.push(ResourceProblem {
                host: resource.id.scope.name().to_string(),
                id: Some(resource.id.clone()),
                message,
            }),
        }
    }
    (changes, problems)
}

/// One host: a batched read per become identity, each through its own way in, then the diffs.
async fn plan_host(
    connection: &Arc<dyn HostExec>,
    host: &str,
    resources: &[DesiredResource],
    registry: &Registry,
) -> (Vec<PlannedChange>, Vec<ResourceProblem>) {
    let mut by_identity: BTreeMap<Option<&Become>, Vec<&DesiredResource>> = BTreeMap::new();
    for resource in resources {
        by_identity
            .entry(resource.become_as.as_ref())
            .or_default()
            .push(resource);
    }
    let mut changes = Vec::new();
    let mut problems = Vec::new();
    for (become_as, group) in by_identity {
        let exec = exec_for(connection, become_as);
        match observe_host(exec.as_ref(), &group, registry).await {
            Ok(facts) => {
                let (found, failed) = diff_host(&group, &facts, registry);
                changes.extend(found);
                problems.extend(failed);
            }
            Err(message) => problems.push(ResourceProblem {
                host: host.to_string(),
                id: None,
                message,
            }),
        }
    }
    (changes, problems)
}

/// The plan for every host in `desired`.
pub async fn plan(
    desired: &DesiredState,
    registry: Arc<Registry>,
    hosts: BTreeMap<String, HostHandle>,
    forks: usize,
) -> Plan {
    let mut by_host: BTreeMap<String, Vec<DesiredResource>> = BTreeMap::new();
    for resource in desired.resources.values() {
        by_host
            .entry(resource.id.scope.name().to_string())
            .or_default()
            .push(resource.clone());
    }
    let limit = Arc::new(Semaphore::new(forks.max(1)));
    let mut tasks = JoinSet::new();
    for (host, resources) in by_host {
        let handle = hosts
            .get(&host)
            .cloned()
            .unwrap_or_else(|| Err(format!("no connection to {host}")));
        let registry = registry.clone();
        let limit = limit.clone();
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            match handle {
                Ok(connection) => plan_host(&connection, &host, &resources, &registry).await,
                Err(message) => (
                    Vec::new(),
                    vec![ResourceProblem {
                        host: host.clone(),
                        id: None,
                        message,
                    }],
                ),
            }
        });
    }
    let mut plan = Plan::default();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((changes, problems)) => {
                plan.changes.extend(changes);
                plan.problems.extend(problems);
            }
            Err(e) => plan.problems.push(ResourceProblem {
                host: String::new(),
                id: None,
                message: format!("internal error while planning: {e}"),
            }),
        }
    }
    // Deterministic output whatever order hosts answered in: by host, then declaration order.
    let order: BTreeMap<_, _> = desired
        .resources
        .keys()
        .enumerate()
        .map(|(i, id)| (id.clone(), i))
        .collect();
    plan.changes.sort_by_key(|c| {
        (
            c.id.scope.name().to_string(),
            order.get(&c.id).copied().unwrap_or(usize::MAX),
        )
    });
    plan.problems.sort_by(|a, b| a.host.cmp(&b.host));
    notify_handlers(&mut plan, desired);
    plan
}

/// A handler runs only when a change notifies it (as in Ansible): one no change notifies plans as no
/// change whatever its own diff says; one that runs names the tasks that trigger it. Handlers notified
/// by handlers are followed until nothing more is triggered.
pub fn notify_handlers(plan: &mut Plan, desired: &DesiredState) {
    let handlers: Vec<usize> = plan
        .changes
        .iter()
        .enumerate()
        .filter(|(_, c)| desired.resources.get(&c.id).is_some_and(|r| r.is_handler))
        .map(|(i, _)| i)
        .collect();
    let mut triggered: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    loop {
        let mut grew = false;
        for &h in &handlers {
            let handler = &plan.changes[h];
            let host = handler.id.scope.name();
            let name = &handler.display_name;
            let notifiers: Vec<String> = plan
                .changes
                .iter()
                .enumerate()
                .filter(|(i, c)| {
                    c.id.scope.name() == host
                        && !c.delta.is_no_op()
                        && (!handlers.contains(i) || triggered.contains_key(i))
                        && desired
                            .resources
                            .get(&c.id)
                            .is_some_and(|r| r.notify.contains(name))
                })
                .map(|(_, c)| c.display_name.clone())
                .collect();
            if !notifiers.is_empty() && triggered.get(&h) != Some(&notifiers) {
                triggered.insert(h, notifiers);
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    for h in handlers {
        let change = &mut plan.changes[h];
        match triggered.remove(&h) {
            Some(by) => change.triggered_by = by,
            None => {
                change.delta = crate::diff::Delta {
                    reason: crate::diff::Reason::Other("handler not notified".into()),
                    ..crate::diff::Delta::no_op()
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{Action, Delta, Reason};
    use crate::drivers::builtin_registry;
    use crate::model::ResourceId;
    use crate::source::SourceFile;
    use crate::value::{Map, Value};

    fn resource(name: &str, path: &str, notify: &[&str], is_handler: bool) -> DesiredResource {
        let registry = builtin_registry();
        let kind = registry.find("ansible.builtin.file").unwrap();
        let mut args = Map::new();
        args.insert("path".into(), Value::Str(path.into()));
        let spec = kind.parse(&args).unwrap();
        DesiredResource {
            id: ResourceId::on_host("h1", kind.name(), path),
            spec,
            display_name: name.into(),
            args,
            declared_at: SourceFile::new("site.yml", "- x\n").span_at_line_col(1, 1, 1),
            depends_on: vec![],
            notify: notify.iter().map(|n| (*n).to_string()).collect(),
            tags: vec![],
            no_log: false,
            order: 0,
            keep_play_order: true,
            is_handler,
            become_as: None,
        }
    }

    fn change(r: &DesiredResource, action: Action) -> PlannedChange {
        PlannedChange {
            id: r.id.clone(),
            display_name: r.display_name.clone(),
            declared_at: String::new(),
            delta: Delta {
                action,
                reason: Reason::AttributesDiffer,
                changes: vec![],
                text_changes: vec![],
            },
            no_log: false,
            triggered_by: vec![],
        }
    }

    #[test]
    fn handlers_run_only_when_a_change_notifies_them_and_say_which() {
        let config = resource("write config", "/etc/a", &["restart app"], false);
        let quiet = resource("other file", "/etc/b", &["reload proxy"], false);
        let restart = resource("restart app", "/run/a", &["after restart"], true);
        let reload = resource("reload proxy", "/run/b", &[], true);
        let chained = resource("after restart", "/run/c", &[], true);
        let mut desired = DesiredState::default();
        for r in [&config, &quiet, &restart, &reload, &chained] {
            desired.resources.insert(r.id.clone(), r.clone());
        }
        let mut plan = Plan {
            changes: vec![
                change(&config, Action::Update),
                change(&quiet, Action::NoOp),
                change(&restart, Action::Restart),
                change(&reload, Action::Restart),
                change(&chained, Action::Update),
            ],
            problems: vec![],
        };
        notify_handlers(&mut plan, &desired);
        let by_name = |name: &str| {
            plan.changes
                .iter()
                .find(|c| c.display_name == name)
                .unwrap()
        };
        assert_eq!(by_name("restart app").delta.action, Action::Restart);
        assert_eq!(by_name("restart app").triggered_by, vec!["write config"]);
        // Its notifier has nothing to do, so the handler will not run whatever its own diff says.
        assert_eq!(by_name("reload proxy").delta.action, Action::NoOp);
        assert!(by_name("reload proxy").triggered_by.is_empty());
        // A handler notified by a handler that runs, runs too.
        assert_eq!(by_name("after restart").triggered_by, vec!["restart app"]);
    }
}
