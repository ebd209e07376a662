//! `community.docker.docker_container`: a container on the host's engine, with community.docker's
//! options and comparison rules. Facts are the container and the desired image (whose defaults are
//! not drift); changes say whether they happen in place, by restart, or by recreating, and why.

mod apply;
mod compare;
mod create;
mod diff;
mod expected;
mod health;
mod healthcheck;
mod live;
mod networks;
mod parse;
mod ports;
mod settings;
mod spec;
mod units;
mod volumes;

pub use live::ContainerLive;
pub use spec::ContainerSpec;

use crate::diff::Delta;
use crate::drivers::{ApplyError, BoxFuture, Kind, Requirement, SpecError};
use crate::facts::{DockerQuery, FactRequest, Facts, HostExec};
use crate::value::Map;

pub struct Container;

impl Kind for Container {
    type Spec = ContainerSpec;
    type Live = ContainerLive;

    const NAME: &'static str = "community.docker.docker_container";
    const ALIASES: &'static [&'static str] =
        &["docker_container", "community.general.docker_container"];
    const LABELS_OWNERSHIP: bool = true;

    fn parse(args: &Map) -> Result<ContainerSpec, Vec<SpecError>> {
        parse::parse(args)
    }

    const PRUNE_ROUND: u8 = 0;

    fn owned_query(project: &str) -> Option<FactRequest> {
        super::owned_query(project)
    }

    fn owned_names(project: &str, facts: &Facts) -> Vec<String> {
        super::owned_names(project, facts, "container")
    }

    fn key(spec: &ContainerSpec) -> String {
        spec.name.clone()
    }

    fn requires(spec: &ContainerSpec) -> Vec<Requirement> {
        if spec.state == spec::DesiredState::Absent {
            return Vec::new();
        }
        let binds = spec
            .declared("volume_binds")
            .and_then(|b| serde_json::from_value::<Vec<String>>(b.clone()).ok())
            .unwrap_or_default();
        let mounts = spec
            .declared("mounts")
            .and_then(|m| m.as_array().cloned())
            .unwrap_or_default();
        let networks = spec.networks.iter().flatten().map(|n| n.name.clone());
        spec.env_file
            .iter()
            .cloned()
            .chain(volumes::bound_host_paths(&binds, &mounts))
            .map(Requirement::Path)
            .chain(
                volumes::named_volumes(&binds, &mounts)
                    .into_iter()
                    .map(|v| Requirement::Object(super::VOLUME, v)),
            )
            .chain(networks.map(|n| Requirement::Object(super::NETWORK, n)))
            .chain(
                spec.image
                    .iter()
                    .map(|i| Requirement::Object(super::IMAGE, super::image_reference(i))),
            )
            .collect()
    }

    fn facts(spec: &ContainerSpec) -> Vec<FactRequest> {
        let mut facts = vec![FactRequest::Docker(DockerQuery::Container(
            spec.name.clone(),
        ))];
        if spec.state != spec::DesiredState::Absent {
            if let Some(image) = &spec.image {
                facts.push(FactRequest::Docker(DockerQuery::Image(image.clone())));
            }
            if let Some(path) = &spec.env_file {
                facts.push(FactRequest::Path(path.clone()));
            }
        }
        facts
    }

    fn live(spec: &ContainerSpec, facts: &Facts) -> Result<ContainerLive, String> {
        live::from_facts(spec, facts)
    }

    fn diff(spec: &ContainerSpec, live: &ContainerLive) -> Delta {
        diff::diff(spec, live)
    }

    fn apply<'a>(
        host: &'a dyn HostExec,
        spec: &'a ContainerSpec,
        delta: &'a Delta,
    ) -> BoxFuture<'a, Result<(), ApplyError>> {
        Box::pin(apply::apply(host, spec, delta))
    }
}
