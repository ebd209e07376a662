//! `community.docker.docker_volume`: a named volume on the host's engine.
//!
//! A volume cannot change in place, and recreating it loses its data, so a declared attribute that
//! differs (driver, a driver option, a label) is a replace only with `recreate: options-changed`; with
//! the default `recreate: never` the volume is left as it is and the plan says why (community.docker
//! reports it unchanged too). Only what the task declares is compared. A volume created here carries
//! plimsoll's ownership label. `recreate: always` is refused: it would never converge.

use std::collections::{BTreeMap, HashMap};

use bollard::Docker;
use bollard::models::{Volume, VolumeCreateRequest};
use bollard::query_parameters::{ListContainersOptions, RemoveVolumeOptions};

use super::engine_args::{Values, connection_options, labels_at_creation, project, string_map};
use super::engine_error::engine_error;
use crate::diff::{Action, AttrChange, Delta, Reason};
use crate::drivers::host::args::Args;
use crate::drivers::{ApplyError, BoxFuture, Kind, Provision, SpecError};
use crate::facts::{DockerFact, DockerQuery, FactRequest, Facts, HostExec};
use crate::value::{Map, Value};

pub struct DockerVolume;

#[derive(Clone, Debug, PartialEq)]
pub struct VolumeSpec {
    pub name: String,
    pub present: bool,
    pub driver: String,
    pub driver_options: BTreeMap<String, String>,
    pub labels: Option<BTreeMap<String, String>>,
    /// `recreate: options-changed`: a differing attribute replaces the volume (its data is lost).
    pub recreate_on_change: bool,
    pub project: Option<String>,
}

impl Kind for DockerVolume {
    type Spec = VolumeSpec;
    type Live = Option<Box<Volume>>;

    const NAME: &'static str = "community.docker.docker_volume";
    const ALIASES: &'static [&'static str] = &["docker_volume", "community.general.docker_volume"];
    const LABELS_OWNERSHIP: bool = true;

    fn parse(map: &Map) -> Result<VolumeSpec, Vec<SpecError>> {
        let mut args = Args::new(Self::NAME, map);
        let name = args.str("volume_name", &["name"]).unwrap_or_default();
        if name.is_empty() {
            args.error(
                Some("volume_name"),
                "missing required arguments: volume_name",
            );
        }
        let present =
            args.choice("state", &[], &["absent", "present"]).as_deref() != Some("absent");
        let driver = args
            .str("driver", &[])
            .unwrap_or_else(|| "local".to_string());
        let driver_options =
            string_map(&mut args, "driver_options", &[], Values::Options).unwrap_or_default();
        let labels = string_map(&mut args, "labels", &[], Values::Labels);
        let recreate = args.choice("recreate", &[], &["always", "never", "options-changed"]);
        if recreate.as_deref() == Some("always") {
            args.push(
                SpecError::new(
                    Some("recreate"),
                    "recreate: always recreates the volume (losing its data) on every run, so a \
                     plan could never be empty",
                )
                .with_help(
                    "use recreate: options-changed to replace it when a declared attribute differs",
                ),
            );
        }
        connection_options(&mut args);
        let project = project(&mut args);
        args.finish()?;
        Ok(VolumeSpec {
            name,
            present,
            driver,
            driver_options,
            labels,
            recreate_on_change: recreate.as_deref() == Some("options-changed"),
            project,
        })
    }

    const PRUNE_ROUND: u8 = 1;

    fn owned_query(project: &str) -> Option<FactRequest> {
        super::owned_query(project)
    }

    fn owned_names(project: &str, facts: &Facts) -> Vec<String> {
        super::owned_names(project, facts, "volume")
    }

    fn key(spec: &VolumeSpec) -> String {
        spec.name.clone()
    }

    fn provides(spec: &VolumeSpec) -> Vec<Provision> {
        if spec.present {
            vec![Provision::Object(super::VOLUME, spec.name.clone())]
        } else {
            Vec::new()
        }
    }

    fn facts(spec: &VolumeSpec) -> Vec<FactRequest> {
        vec![FactRequest::Docker(DockerQuery::Volume(spec.name.clone()))]
    }

    fn live(spec: &VolumeSpec, facts: &Facts) -> Result<Option<Box<Volume>>, String> {
        match facts.docker(&DockerQuery::Volume(spec.name.clone()))? {
            None => Ok(None),
            Some(DockerFact::Volume(volume)) => Ok(Some(volume.clone())),
            Some(_) => Err(format!(
                "volume {:?}: the engine's answer is not a volume",
                spec.name
            )),
        }
    }

    fn diff(spec: &VolumeSpec, live: &Option<Box<Volume>>) -> Delta {
        match (spec.present, live) {
            (false, None) => Delta::no_op(),
            (false, Some(_)) => Delta {
                action: Action::Delete,
                reason: Reason::Absent,
                changes: vec![attr("state", Some("present"), "absent")],
                text_changes: Vec::new(),
            },
            (true, None) => Delta {
                action: Action::Create,
                reason: Reason::Missing,
                changes: declared(spec)
                    .into_iter()
                    .map(|(path, value)| attr(&path, None, &value))
                    .collect(),
                text_changes: Vec::new(),
            },
            (true, Some(volume)) => {
                let differing = differences(spec, volume);
                if differing.is_empty() {
                    return Delta::no_op();
                }
                let paths: Vec<String> = differing.iter().map(|(p, _, _)| p.clone()).collect();
                if !spec.recreate_on_change {
                    return Delta {
                        reason: Reason::Other(format!(
                            "{} differ, and recreate: never keeps the volume and its data",
                            paths.join(", ")
                        )),
                        ..Delta::no_op()
                    };
                }
                Delta {
                    action: Action::Replace,
                    reason: Reason::RequiresReplace(paths),
                    changes: differing
                        .iter()
                        .map(|(path, before, after)| attr(path, before.as_deref(), after))
                        .collect(),
                    text_changes: Vec::new(),
                }
            }
        }
    }

    fn apply<'a>(
        host: &'a dyn HostExec,
        spec: &'a VolumeSpec,
        delta: &'a Delta,
    ) -> BoxFuture<'a, Result<(), ApplyError>> {
        Box::pin(async move {
            let client = host.docker().await.map_err(ApplyError::Transport)?;
            let result = match delta.action {
                Action::Create => create(&client, spec).await,
                Action::Delete => remove(&client, &spec.name).await,
                Action::Replace => match remove(&client, &spec.name).await {
                    Ok(()) => create(&client, spec).await,
                    Err(e) => Err(e),
                },
                other => Err(format!("a volume cannot be changed by a {other:?} plan")),
            };
            result.map_err(|e| {
                ApplyError::Failed(format!("{}: volume {:?}: {e}", host.host(), spec.name))
            })
        })
    }
}

fn attr(path: &str, before: Option<&str>, after: &str) -> AttrChange {
    AttrChange {
        path: path.to_string(),
        before: before.map(Value::from),
        after: Some(Value::from(after)),
        sensitive: false,
    }
}

/// What the task declares, for a plan that creates the volume.
fn declared(spec: &VolumeSpec) -> Vec<(String, String)> {
    let mut out = vec![("driver".to_string(), spec.driver.clone())];
    out.extend(
        spec.driver_options
            .iter()
            .map(|(k, v)| (format!("driver_options.{k}"), v.clone())),
    );
    out.extend(
        spec.labels
            .iter()
            .flatten()
            .map(|(k, v)| (format!("labels.{k}"), v.clone())),
    );
    out
}

/// Declared attributes whose live value differs: (path, live value, declared value).
fn differences(spec: &VolumeSpec, live: &Volume) -> Vec<(String, Option<String>, String)> {
    let mut out = Vec::new();
    if live.driver != spec.driver {
        out.push((
            "driver".into(),
            Some(live.driver.clone()),
            spec.driver.clone(),
        ));
    }
    for (key, value) in &spec.driver_options {
        let current = live.options.get(key);
        if current != Some(value) {
            out.push((
                format!("driver_options.{key}"),
                current.cloned(),
                value.clone(),
            ));
        }
    }
    for (key, value) in spec.labels.iter().flatten() {
        let current = live.labels.get(key);
        if current != Some(value) {
            out.push((format!("labels.{key}"), current.cloned(), value.clone()));
        }
    }
    out
}

async fn create(client: &Docker, spec: &VolumeSpec) -> Result<(), String> {
    client
        .create_volume(VolumeCreateRequest {
            name: Some(spec.name.clone()),
            driver: Some(spec.driver.clone()),
            driver_opts: Some(
                spec.driver_options
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ),
            labels: Some(labels_at_creation(
                spec.labels.as_ref(),
                spec.project.as_deref(),
            )),
            ..Default::default()
        })
        .await
        .map_err(|e| engine_error("creating it", e))?;
    Ok(())
}

/// Removes the volume; when containers still use it, the message names them.
async fn remove(client: &Docker, name: &str) -> Result<(), String> {
    match client
        .remove_volume(name, None::<RemoveVolumeOptions>)
        .await
    {
        Ok(()) => Ok(()),
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 409, ..
        }) => {
            let users = client
                .list_containers(Some(ListContainersOptions {
                    all: true,
                    filters: Some(HashMap::from([(
                        "volume".to_string(),
                        vec![name.to_string()],
                    )])),
                    ..Default::default()
                }))
                .await
                .unwrap_or_default();
            let names: Vec<String> = users
                .into_iter()
                .filter_map(|c| c.names?.into_iter().next())
                .map(|n| n.trim_start_matches('/').to_string())
                .collect();
            Err(format!(
                "it is in use by container(s) {}; remove them first",
                names.join(", ")
            ))
        }
        Err(e) => Err(engine_error("removing it", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drivers::builtin_registry;

    #[test]
    fn every_name_ansible_accepts_finds_the_kind() {
        let registry = builtin_registry();
        for name in [
            "community.docker.docker_volume",
            "docker_volume",
            "community.general.docker_volume",
        ] {
            let kind = registry.find(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(kind.name(), DockerVolume::NAME);
            assert!(kind.labels_ownership());
        }
    }

    #[test]
    fn a_replace_names_the_attributes_that_force_it() {
        let map: Map = [
            ("name".to_string(), Value::from("data")),
            ("driver".to_string(), Value::from("other")),
            ("recreate".to_string(), Value::from("options-changed")),
        ]
        .into_iter()
        .collect();
        let spec = DockerVolume::parse(&map).unwrap();
        let live = Volume {
            name: "data".into(),
            driver: "local".into(),
            ..Default::default()
        };
        let delta = DockerVolume::diff(&spec, &Some(Box::new(live)));
        assert_eq!(delta.action, Action::Replace);
        assert_eq!(delta.reason, Reason::RequiresReplace(vec!["driver".into()]));
    }
}
