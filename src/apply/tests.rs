//! The walker against this machine, through the real local transport, file kind and fact batch.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::*;
use crate::drivers::{Registry, builtin_registry};
use crate::graph::{GraphNode, build_graph};
use crate::model::{DesiredResource, DesiredState, ResourceId};
use crate::plan::planner::{HostHandle, plan};
use crate::source::SourceFile;
use crate::transport::{ConnectionPool, ConnectionSpec, TransportOptions};
use crate::value::{Map, Value};

fn file_resource(registry: &Registry, order: usize, args: &[(&str, &str)]) -> DesiredResource {
    let mut map = Map::new();
    for (k, v) in args {
        map.insert((*k).to_string(), Value::Str((*v).to_string()));
    }
    let kind = registry.find("ansible.builtin.file").unwrap();
    let spec = kind.parse(&map).unwrap();
    let key = kind.key(&spec);
    DesiredResource {
        id: ResourceId::on_host("localhost", kind.name(), &key),
        spec,
        display_name: format!("task {order}"),
        args: map,
        declared_at: SourceFile::new("site.yml", "- x\n".repeat(10)).span_at_line_col(
            order + 1,
            3,
            1,
        ),
        depends_on: vec![],
        notify: vec![],
        tags: vec![],
        no_log: false,
        become_as: None,
        order,
        keep_play_order: false,
        is_handler: false,
    }
}

async fn local() -> (ConnectionPool, BTreeMap<String, HostHandle>) {
    let pool = ConnectionPool::new(TransportOptions::default()).unwrap();
    let mut vars = Map::new();
    vars.insert("ansible_connection".into(), Value::Str("local".into()));
    let spec = ConnectionSpec::from_vars("localhost", &vars).unwrap();
    let connection = pool.connect(&spec).await.unwrap();
    let mut hosts: BTreeMap<String, HostHandle> = BTreeMap::new();
    hosts.insert("localhost".into(), Ok(Arc::new(connection)));
    (pool, hosts)
}

fn graph_of(registry: &Registry, desired: &DesiredState) -> crate::graph::ResourceGraph {
    let nodes = desired
        .resources
        .values()
        .map(|r| {
            let kind = registry.find(&r.id.kind).unwrap();
            GraphNode {
                id: r.id.clone(),
                host: "localhost".into(),
                display_name: r.display_name.clone(),
                declared_at: r.declared_at.clone(),
                provides: kind.provides(&r.spec),
                requires: kind.requires(&r.spec),
                depends_on: vec![],
                notify: vec![],
                is_handler: false,
                order: r.order,
                keep_play_order: false,
            }
        })
        .collect();
    build_graph(nodes).unwrap()
}

#[tokio::test]
async fn applies_in_dependency_order_converges_and_skips_dependents_of_failures() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().display().to_string();
    let registry = Arc::new(builtin_registry());
    let mut desired = DesiredState::default();
    // Declared child first: only the implicit path edges can order this correctly.
    let resources = [
        file_resource(
            &registry,
            0,
            &[
                ("path", &format!("{root}/a/b")),
                ("state", "directory"),
                ("mode", "0750"),
            ],
        ),
        file_resource(
            &registry,
            1,
            &[("path", &format!("{root}/a")), ("state", "directory")],
        ),
        // Fails: the owner does not exist; its child must be skipped, the sibling must still run.
        file_resource(
            &registry,
            2,
            &[
                ("path", &format!("{root}/bad")),
                ("state", "directory"),
                ("owner", "no-such-user-plimsoll"),
            ],
        ),
        file_resource(
            &registry,
            3,
            &[
                ("path", &format!("{root}/bad/child")),
                ("state", "directory"),
            ],
        ),
        file_resource(
            &registry,
            4,
            &[("path", &format!("{root}/c")), ("state", "directory")],
        ),
    ];
    for r in resources {
        desired.resources.insert(r.id.clone(), r);
    }
    let graph = graph_of(&registry, &desired);
    let (_pool, hosts) = local().await;
    let first_plan = plan(&desired, registry.clone(), hosts.clone(), 4).await;
    assert!(first_plan.problems.is_empty(), "{:?}", first_plan.problems);
    let options = ApplyOptions {
        forks: 4,
        cancel: Arc::new(AtomicBool::new(false)),
        plays: Vec::new(),
    };
    let report = apply(
        &graph,
        &desired,
        &first_plan,
        registry.clone(),
        &hosts,
        &options,
    )
    .await;
    let by_key: BTreeMap<String, Outcome> = report
        .outcomes
        .iter()
        .map(|o| {
            (
                o.id.key.trim_start_matches(&root).to_string(),
                o.outcome.clone(),
            )
        })
        .collect();
    assert_eq!(by_key["/a"], Outcome::Changed);
    assert_eq!(by_key["/a/b"], Outcome::Changed);
    assert_eq!(by_key["/c"], Outcome::Changed);
    assert!(by_key["/bad"].is_failure(), "{:?}", by_key["/bad"]);
    assert_eq!(by_key["/bad/child"], Outcome::SkippedUpstreamFailed);
    assert!(!dir.path().join("bad/child").exists());

    // A second run changes nothing on what converged.
    desired.resources.retain(|id, _| !id.key.contains("/bad"));
    let graph = graph_of(&registry, &desired);
    let second_plan = plan(&desired, registry.clone(), hosts.clone(), 4).await;
    assert!(!second_plan.has_changes(), "{second_plan:?}");
    let report = apply(&graph, &desired, &second_plan, registry, &hosts, &options).await;
    assert!(
        report
            .outcomes
            .iter()
            .all(|o| o.outcome == Outcome::Unchanged),
        "{report:?}"
    );
}

#[tokio::test]
async fn live_state_that_moved_since_the_plan_is_not_touched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x");
    let registry = Arc::new(builtin_registry());
    let mut desired = DesiredState::default();
    let r = file_resource(
        &registry,
        0,
        &[
            ("path", &path.display().to_string()),
            ("state", "directory"),
            ("mode", "0700"),
        ],
    );
    desired.resources.insert(r.id.clone(), r);
    let graph = graph_of(&registry, &desired);
    let (_pool, hosts) = local().await;
    let planned = plan(&desired, registry.clone(), hosts.clone(), 1).await;
    // Behind the tool's back, between plan and apply.
    std::fs::create_dir(&path).unwrap();
    let options = ApplyOptions {
        forks: 1,
        cancel: Arc::new(AtomicBool::new(false)),
        plays: Vec::new(),
    };
    let report = apply(&graph, &desired, &planned, registry, &hosts, &options).await;
    assert!(
        matches!(report.outcomes[0].outcome, Outcome::ChangedSincePlan(_)),
        "{report:?}"
    );
}
