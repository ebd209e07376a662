use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use petgraph::stable_graph::NodeIndex;

use super::rollout::Rollout;
use super::walk::walk;
use super::{ApplyReport, Outcome, ResourceOutcome};
use crate::diff::Delta;
use crate::drivers::Registry;
use crate::graph::ResourceGraph;
use crate::model::{DesiredResource, DesiredState, ResourceId};
use crate::plan::Plan;
use crate::plan::planner::{HostHandle, exec_for, observe_host};
use crate::resolve::PlayInfo;

pub struct ApplyOptions {
    /// Resources worked on at once, across hosts.
    pub forks: usize,
    /// Set by Ctrl-C: nothing new starts once it is true.
    pub cancel: Arc<AtomicBool>,
    /// The plays, for `serial` batches and `max_fail_percentage`.
    pub plays: Vec<PlayInfo>,
}

/// Applies the plan: the graph walked dependencies first (see [`walk`]), each resource re-checked
/// against the plan before acting and verified after.
pub async fn apply(
    graph: &ResourceGraph,
    desired: &DesiredState,
    plan: &Plan,
    registry: Arc<Registry>,
    hosts: &BTreeMap<String, HostHandle>,
    options: &ApplyOptions,
) -> ApplyReport {
    let planned: BTreeMap<ResourceId, Delta> = plan
        .changes
        .iter()
        .map(|c| (c.id.clone(), c.delta.clone()))
        .collect();
    let act = |index: NodeIndex, upstream_changed: bool| {
        let node = graph.graph.node_weight(index);
        let resource = node.and_then(|n| desired.resources.get(&n.id)).cloned();
        let planned_delta = node.and_then(|n| planned.get(&n.id)).cloned();
        let host = node
            .and_then(|n| hosts.get(n.id.scope.name()).cloned())
            .unwrap_or_else(|| Err("no connection".into()));
        let registry = registry.clone();
        async move {
            let Some(resource) = resource else {
                return Outcome::Failed("not in the desired state".into());
            };
            apply_one(
                &resource,
                planned_delta.as_ref(),
                upstream_changed,
                host,
                &registry,
            )
            .await
        }
    };
    let walked = walk(
        graph,
        Rollout::new(&options.plays),
        &options.cancel,
        options.forks,
        act,
    )
    .await;
    let mut report = ApplyReport {
        cancelled: walked.cancelled,
        ..ApplyReport::default()
    };
    for problem in walked.internal_errors {
        report.outcomes.push(ResourceOutcome {
            id: ResourceId::on_host("", "internal", "panic"),
            display_name: "internal error".into(),
            outcome: Outcome::Failed(problem),
        });
    }
    for (index, outcome) in walked.outcomes {
        if let Some(node) = graph.graph.node_weight(index) {
            report.outcomes.push(ResourceOutcome {
                id: node.id.clone(),
                display_name: node.display_name.clone(),
                outcome,
            });
        }
    }
    report
}

/// Re-observe, compare with the plan, act, verify.
async fn apply_one(
    resource: &DesiredResource,
    planned: Option<&Delta>,
    upstream_changed: bool,
    host: HostHandle,
    registry: &Registry,
) -> Outcome {
    let host = match host {
        Ok(host) => exec_for(&host, resource.become_as.as_ref()),
        Err(why) => return Outcome::Failed(format!("host unreachable: {why}")),
    };
    let Some(kind) = registry.find(&resource.id.kind) else {
        return Outcome::Failed(format!("unknown resource kind {}", resource.id.kind));
    };
    let current = match observe_host(host.as_ref(), &[resource], registry).await {
        Ok(facts) => match kind.diff(&resource.spec, &facts) {
            Ok(delta) => delta,
            Err(e) => return Outcome::Failed(e),
        },
        Err(e) => return Outcome::Failed(format!("could not re-read the live state: {e}")),
    };
    // Work upstream may legitimately change what this resource sees; otherwise the live state must
    // still be what the plan saw.
    if !upstream_changed {
        if let Some(planned) = planned {
            if !same_change(planned, &current) {
                return Outcome::ChangedSincePlan(describe_drift(planned, &current));
            }
        }
    }
    if current.is_no_op() {
        return Outcome::Unchanged;
    }
    if current.action == crate::diff::Action::Refused {
        return Outcome::Failed(format!("refused: {:?}", current.reason));
    }
    if let Err(e) = kind.apply(host.as_ref(), &resource.spec, &current).await {
        return Outcome::Failed(e.to_string());
    }
    match observe_host(host.as_ref(), &[resource], registry).await {
        Ok(facts) => match kind.diff(&resource.spec, &facts) {
            Ok(after) if after.is_no_op() || is_standing_request(&after) => Outcome::Changed,
            Ok(after) => Outcome::DidNotConverge(
                after
                    .changed_paths()
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
            ),
            Err(e) => Outcome::Failed(format!("could not verify: {e}")),
        },
        Err(e) => Outcome::Failed(format!("could not verify: {e}")),
    }
}

/// A restart or recreate with no attribute differing is a task's standing request (`restart: true`,
/// `recreate: true`): done once it ran, though every diff asks for it again.
fn is_standing_request(delta: &Delta) -> bool {
    matches!(
        delta.action,
        crate::diff::Action::Restart | crate::diff::Action::Replace
    ) && delta.changes.is_empty()
        && delta.text_changes.is_empty()
}

fn same_change(planned: &Delta, current: &Delta) -> bool {
    planned.action == current.action
        && planned.changes == current.changes
        && planned.text_changes.len() == current.text_changes.len()
        && planned
            .text_changes
            .iter()
            .zip(&current.text_changes)
            .all(|(a, b)| a.path == b.path && a.before == b.before && a.after == b.after)
}

fn describe_drift(planned: &Delta, current: &Delta) -> String {
    let paths: BTreeSet<&str> = planned
        .changed_paths()
        .into_iter()
        .chain(current.changed_paths())
        .collect();
    format!(
        "planned {:?}, now {:?} ({}); run plan again",
        planned.action,
        current.action,
        paths.into_iter().collect::<Vec<_>>().join(", ")
    )
}

#[cfg(test)]
mod standing_request_tests {
    use super::*;
    use crate::diff::{Action, AttrChange, Reason};

    #[test]
    fn only_a_bare_restart_or_recreate_is_a_standing_request() {
        let bare = |action| Delta {
            action,
            reason: Reason::Other("restart: true".into()),
            changes: Vec::new(),
            text_changes: Vec::new(),
        };
        assert!(is_standing_request(&bare(Action::Restart)));
        assert!(is_standing_request(&bare(Action::Replace)));
        assert!(!is_standing_request(&bare(Action::Update)));
        let mut drift = bare(Action::Replace);
        drift.changes.push(AttrChange {
            path: "env.A".into(),
            before: None,
            after: None,
            sensitive: true,
        });
        assert!(
            !is_standing_request(&drift),
            "a remaining difference is not converged"
        );
    }
}
