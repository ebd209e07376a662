//! Observe + diff: for each host, one batched fact read for all its resources, then a pure diff per
//! resource. Hosts are observed in parallel, at most `forks` at once; one host failing does not stop
//! the others.

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
use crate::model::{DesiredResource, DesiredState};

/// How long one host's fact batch may take.
pub const OBSERVE_TIMEOUT: Duration = Duration::from_secs(60);

/// A host's connection, or why there is none.
pub type HostHandle = Result<Arc<dyn HostExec>, String>;

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
            let refs: Vec<&DesiredResource> = resources.iter().collect();
            let facts = match handle {
                Ok(connection) => observe_host(connection.as_ref(), &refs, &registry).await,
                Err(why) => Err(why),
            };
            match facts {
                Ok(facts) => diff_host(&refs, &facts, &registry),
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
    plan
}
