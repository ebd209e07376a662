//! `community.docker.docker_network`: a network on the host's engine.
//!
//! The engine cannot change a network in place, so any declared attribute that differs (driver, its
//! options, IPAM pools, flags, labels) is a replace, naming the attributes. Only what the task
//! declares is compared: options and labels the engine (or another tool) added are not drift, and
//! neither is plimsoll's ownership label, which a network created here carries.
//! Replacing disconnects the containers attached, recreates the network, and reconnects them.
//!
//! Not supported (refused at load): `connected`/`appends` (declare membership on the containers),
//! swarm-only options, and `force: true`, which recreates on every run and so never converges.

mod engine;
mod ipam;

use std::collections::BTreeMap;

use bollard::models::NetworkInspect;

use super::engine_args::{Values, connection_options, project, string_map};
use crate::diff::{Action, AttrChange, Delta, Reason};
use crate::drivers::host::args::Args;
use crate::drivers::{ApplyError, BoxFuture, Kind, Provision, SpecError};
use crate::facts::{DockerFact, DockerQuery, FactRequest, Facts, HostExec};
use crate::value::{Map, Value};

pub use ipam::IpamPool;

pub struct DockerNetwork;

#[derive(Clone, Debug, PartialEq)]
pub struct NetworkSpec {
    pub name: String,
    pub present: bool,
    pub driver: String,
    pub driver_options: BTreeMap<String, String>,
    pub ipam_driver: Option<String>,
    pub ipam_driver_options: Option<BTreeMap<String, String>>,
    pub ipam_config: Option<Vec<IpamPool>>,
    pub internal: Option<bool>,
    pub attachable: Option<bool>,
    pub enable_ipv6: Option<bool>,
    pub scope: Option<String>,
    pub labels: BTreeMap<String, String>,
    /// The project whose ownership label the network is created with.
    pub project: Option<String>,
}

impl Kind for DockerNetwork {
    type Spec = NetworkSpec;
    type Live = Option<Box<NetworkInspect>>;

    const NAME: &'static str = "community.docker.docker_network";
    const ALIASES: &'static [&'static str] =
        &["docker_network", "community.general.docker_network"];
    const LABELS_OWNERSHIP: bool = true;

    fn parse(map: &Map) -> Result<NetworkSpec, Vec<SpecError>> {
        let mut args = Args::new(Self::NAME, map);
        let name = args.str("name", &["network_name"]).unwrap_or_default();
        if name.is_empty() {
            args.error(Some("name"), "missing required arguments: name");
        }
        let present =
            args.choice("state", &[], &["absent", "present"]).as_deref() != Some("absent");
        let driver = args
            .str("driver", &[])
            .unwrap_or_else(|| "bridge".to_string());
        let driver_options =
            string_map(&mut args, "driver_options", &[], Values::Options).unwrap_or_default();
        let ipam_driver = args.str("ipam_driver", &[]);
        let ipam_driver_options =
            string_map(&mut args, "ipam_driver_options", &[], Values::Options);
        let ipam_config = ipam::parse(&mut args);
        let internal = args.opt_bool("internal", &[]);
        let attachable = args.opt_bool("attachable", &[]);
        let enable_ipv6 = args.opt_bool("enable_ipv6", &[]);
        let scope = args.choice("scope", &[], &["local", "global", "swarm"]);
        let labels = string_map(&mut args, "labels", &[], Values::Labels).unwrap_or_default();
        if args.bool("force", &[], false) {
            args.push(
                SpecError::new(
                    Some("force"),
                    "force: true recreates the network on every run, so a plan could never be \
                     empty",
                )
                .with_help(
                    "remove force: plimsoll replaces the network (reconnecting its containers) \
                     whenever an attribute that cannot change in place differs",
                ),
            );
        }
        let membership = "declare each container's networks on its docker_container task";
        args.unsupported("connected", &["containers"], membership);
        args.unsupported("appends", &["incremental"], membership);
        let swarm = "plimsoll manages single engines, not swarms";
        args.unsupported("ingress", &[], swarm);
        args.unsupported("config_only", &[], swarm);
        args.unsupported("config_from", &[], swarm);
        args.unsupported(
            "enable_ipv4",
            &[],
            "it needs Docker API 1.47; Debian's engine speaks 1.41",
        );
        connection_options(&mut args);
        let project = project(&mut args);
        args.finish()?;
        Ok(NetworkSpec {
            name,
            present,
            driver,
            driver_options,
            ipam_driver,
            ipam_driver_options,
            ipam_config,
            internal,
            attachable,
            enable_ipv6,
            scope,
            labels,
            project,
        })
    }

    const PRUNE_ROUND: u8 = 1;

    fn owned_query(project: &str) -> Option<FactRequest> {
        super::owned_query(project)
    }

    fn owned_names(project: &str, facts: &Facts) -> Vec<String> {
        super::owned_names(project, facts, "network")
    }

    fn key(spec: &NetworkSpec) -> String {
        spec.name.clone()
    }

    fn provides(spec: &NetworkSpec) -> Vec<Provision> {
        if spec.present {
            vec![Provision::Object(super::NETWORK, spec.name.clone())]
        } else {
            Vec::new()
        }
    }

    fn facts(spec: &NetworkSpec) -> Vec<FactRequest> {
        vec![FactRequest::Docker(DockerQuery::Network(spec.name.clone()))]
    }

    fn live(spec: &NetworkSpec, facts: &Facts) -> Result<Option<Box<NetworkInspect>>, String> {
        match facts.docker(&DockerQuery::Network(spec.name.clone()))? {
            None => Ok(None),
            Some(DockerFact::Network(network)) => Ok(Some(network.clone())),
            Some(_) => Err(format!(
                "network {:?}: the engine's answer is not a network",
                spec.name
            )),
        }
    }

    fn diff(spec: &NetworkSpec, live: &Option<Box<NetworkInspect>>) -> Delta {
        match (spec.present, live) {
            (false, None) => Delta::no_op(),
            (false, Some(_)) => Delta {
                action: Action::Delete,
                reason: Reason::Absent,
                changes: vec![attr(
                    "state",
                    Some(Value::from("present")),
                    Value::from("absent"),
                )],
                text_changes: Vec::new(),
            },
            (true, None) => Delta {
                action: Action::Create,
                reason: Reason::Missing,
                changes: declared(spec)
                    .into_iter()
                    .map(|(path, value)| attr(&path, None, value))
                    .collect(),
                text_changes: Vec::new(),
            },
            (true, Some(network)) => {
                let differing = differences(spec, network);
                if differing.is_empty() {
                    return Delta::no_op();
                }
                Delta {
                    action: Action::Replace,
                    reason: Reason::RequiresReplace(
                        differing.iter().map(|(path, _, _)| path.clone()).collect(),
                    ),
                    changes: differing
                        .into_iter()
                        .map(|(path, before, after)| attr(&path, before, after))
                        .collect(),
                    text_changes: Vec::new(),
                }
            }
        }
    }

    fn apply<'a>(
        host: &'a dyn HostExec,
        spec: &'a NetworkSpec,
        delta: &'a Delta,
    ) -> BoxFuture<'a, Result<(), ApplyError>> {
        Box::pin(async move {
            let client = host.docker().await.map_err(ApplyError::Transport)?;
            let at = |e: String| {
                ApplyError::Failed(format!("{}: network {:?}: {e}", host.host(), spec.name))
            };
            match delta.action {
                Action::Create => engine::create(&client, spec).await.map_err(at),
                Action::Delete => engine::delete(&client, &spec.name).await.map_err(at),
                Action::Replace => engine::replace(&client, spec).await.map_err(at),
                other => Err(ApplyError::Failed(format!(
                    "a network cannot be changed by a {other:?} plan"
                ))),
            }
        })
    }
}

fn attr(path: &str, before: Option<Value>, after: Value) -> AttrChange {
    AttrChange {
        path: path.to_string(),
        before,
        after: Some(after),
        sensitive: false,
    }
}

/// What the task declares, as (attribute path, value), for a plan that creates the network.
fn declared(spec: &NetworkSpec) -> Vec<(String, Value)> {
    let mut out = vec![("driver".to_string(), Value::from(spec.driver.as_str()))];
    out.extend(
        spec.driver_options
            .iter()
            .map(|(k, v)| (format!("driver_options.{k}"), Value::from(v.as_str()))),
    );
    if let Some(driver) = &spec.ipam_driver {
        out.push(("ipam_driver".into(), Value::from(driver.as_str())));
    }
    if let Some(options) = &spec.ipam_driver_options {
        out.push(("ipam_driver_options".into(), string_map_value(options)));
    }
    for (index, pool) in spec.ipam_config.iter().flatten().enumerate() {
        out.extend(ipam::creation_values(index, pool));
    }
    for (path, flag) in flags(spec) {
        if let Some(flag) = flag {
            out.push((path.into(), Value::Bool(flag)));
        }
    }
    if let Some(scope) = &spec.scope {
        out.push(("scope".into(), Value::from(scope.as_str())));
    }
    out.extend(
        spec.labels
            .iter()
            .map(|(k, v)| (format!("labels.{k}"), Value::from(v.as_str()))),
    );
    out
}

fn flags(spec: &NetworkSpec) -> [(&'static str, Option<bool>); 3] {
    [
        ("internal", spec.internal),
        ("attachable", spec.attachable),
        ("enable_ipv6", spec.enable_ipv6),
    ]
}

fn string_map_value(map: &BTreeMap<String, String>) -> Value {
    Value::Map(
        map.iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect(),
    )
}

/// Declared attributes whose live value differs: (path, live value, declared value).
fn differences(spec: &NetworkSpec, live: &NetworkInspect) -> Vec<ipam::Difference> {
    let mut out = Vec::new();
    let mut compare = |path: String, current: Option<Value>, wanted: Value| {
        if current.as_ref() != Some(&wanted) {
            out.push((path, current, wanted));
        }
    };
    compare(
        "driver".into(),
        live.driver.as_deref().map(Value::from),
        Value::from(spec.driver.as_str()),
    );
    let options = live.options.clone().unwrap_or_default();
    for (key, value) in &spec.driver_options {
        compare(
            format!("driver_options.{key}"),
            options.get(key).map(|v| Value::from(v.as_str())),
            Value::from(value.as_str()),
        );
    }
    let live_ipam = live.ipam.clone().unwrap_or_default();
    if let Some(driver) = &spec.ipam_driver {
        compare(
            "ipam_driver".into(),
            live_ipam.driver.as_deref().map(Value::from),
            Value::from(driver.as_str()),
        );
    }
    if let Some(options) = &spec.ipam_driver_options {
        let current: BTreeMap<String, String> = live_ipam
            .options
            .clone()
            .unwrap_or_default()
            .into_iter()
            .collect();
        compare(
            "ipam_driver_options".into(),
            Some(string_map_value(&current)),
            string_map_value(options),
        );
    }
    if let Some(pools) = spec.ipam_config.as_deref().filter(|p| !p.is_empty()) {
        let configs = live_ipam.config.clone().unwrap_or_default();
        for (path, current, wanted) in ipam::differences(pools, &configs) {
            compare(path, current, wanted);
        }
    }
    let live_flags = [
        live.internal.unwrap_or(false),
        live.attachable.unwrap_or(false),
        live.enable_ipv6.unwrap_or(false),
    ];
    for ((path, flag), current) in flags(spec).into_iter().zip(live_flags) {
        if let Some(flag) = flag {
            compare(path.into(), Some(Value::Bool(current)), Value::Bool(flag));
        }
    }
    if let Some(scope) = &spec.scope {
        compare(
            "scope".into(),
            live.scope.as_deref().map(Value::from),
            Value::from(scope.as_str()),
        );
    }
    let labels = live.labels.clone().unwrap_or_default();
    for (key, value) in &spec.labels {
        compare(
            format!("labels.{key}"),
            labels.get(key).map(|v| Value::from(v.as_str())),
            Value::from(value.as_str()),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drivers::builtin_registry;
    use bollard::models::{Ipam, IpamConfig};

    fn spec(pairs: &[(&str, Value)]) -> NetworkSpec {
        let map: Map = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        DockerNetwork::parse(&map).unwrap()
    }

    #[test]
    fn every_name_ansible_accepts_finds_the_kind() {
        let registry = builtin_registry();
        for name in [
            "community.docker.docker_network",
            "docker_network",
            "community.general.docker_network",
        ] {
            let kind = registry.find(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(kind.name(), DockerNetwork::NAME);
            assert!(kind.labels_ownership());
        }
    }

    #[test]
    fn a_replace_names_the_attributes_that_force_it() {
        let wanted = spec(&[
            ("name", Value::from("backend")),
            ("internal", Value::Bool(true)),
            (
                "ipam_config",
                Value::List(vec![Value::Map(
                    [("subnet".to_string(), Value::from("10.6.0.0/24"))]
                        .into_iter()
                        .collect(),
                )]),
            ),
        ]);
        let live = NetworkInspect {
            name: Some("backend".into()),
            driver: Some("bridge".into()),
            ipam: Some(Ipam {
                config: Some(vec![IpamConfig {
                    subnet: Some("10.5.0.0/24".into()),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        };
        let delta = DockerNetwork::diff(&wanted, &Some(Box::new(live)));
        assert_eq!(delta.action, Action::Replace);
        assert_eq!(
            delta.reason,
            Reason::RequiresReplace(vec!["ipam_config[0].subnet".into(), "internal".into()])
        );
    }

    #[test]
    fn the_project_name_is_taken_and_not_an_unknown_argument() {
        let parsed = spec(&[
            ("name", Value::from("backend")),
            ("_plimsoll_project", Value::from("shop")),
        ]);
        assert_eq!(parsed.project.as_deref(), Some("shop"));
    }
}
