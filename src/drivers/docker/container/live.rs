//! The live side of a diff: the container as the engine describes it, the desired image's defaults,
//! and the `env_file` read from the host.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde_json::Value as Json;

use super::spec::ContainerSpec;
use crate::facts::{DockerFact, DockerQuery, Facts};

#[derive(Clone, Debug, PartialEq)]
pub struct ContainerLive {
    pub container: Option<ObservedContainer>,
    /// The desired image on the host; `None` when the host lacks it (or no image is declared).
    pub image: Option<ObservedImage>,
    /// `None` when the task has no `env_file`.
    pub env_file: Option<EnvFile>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ObservedContainer {
    pub id: String,
    /// The ID of the image it was created from.
    pub image_id: String,
    /// The image name it was created with (`Config.Image`).
    pub image_name: Option<String>,
    /// The engine's word: `running`, `exited`, `created`, `paused`, ...
    pub status: String,
    pub running: bool,
    /// The engine's description, in its JSON form (`Config`, `HostConfig`, ...).
    pub inspect: Json,
    pub networks: BTreeMap<String, Endpoint>,
}

/// A container's attachment to one network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub aliases: Vec<String>,
    /// The static addresses it was given (not the ones the engine assigned).
    pub ipv4_address: Option<String>,
    pub ipv6_address: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ObservedImage {
    pub id: String,
    /// The image's `Config`: defaults a container inherits (Cmd, Env, Labels, ...).
    pub config: Json,
}

/// An `env_file` as found on the host. Its values may be secrets: they never print.
#[derive(Clone, PartialEq)]
pub enum EnvFile {
    Read(IndexMap<String, String>),
    Missing,
    /// Too large to read in the batch, or not `KEY=value` lines; the text says why.
    Unusable(String),
}

impl std::fmt::Debug for EnvFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EnvFile::Read(vars) => write!(f, "Read({} variables)", vars.len()),
            EnvFile::Missing => f.write_str("Missing"),
            EnvFile::Unusable(why) => write!(f, "Unusable({why:?})"),
        }
    }
}

pub fn from_facts(spec: &ContainerSpec, facts: &Facts) -> Result<ContainerLive, String> {
    let container = match facts.docker(&DockerQuery::Container(spec.name.clone()))? {
        None => None,
        Some(DockerFact::Container(inspect)) => Some(observed_container(inspect)?),
        Some(_) => {
            return Err(format!(
                "the fact for container {:?} is not a container",
                spec.name
            ));
        }
    };
    let image = match (&spec.image, spec.state) {
        (Some(reference), state) if state != super::spec::DesiredState::Absent => {
            match facts.docker(&DockerQuery::Image(reference.clone()))? {
                None => None,
                Some(DockerFact::Image(inspect)) => Some(ObservedImage {
                    id: inspect.id.clone().unwrap_or_default(),
                    config: json_of(&inspect.config)?,
                }),
                Some(_) => return Err(format!("the fact for image {reference:?} is not an image")),
            }
        }
        _ => None,
    };
    let env_file = match &spec.env_file {
        None => None,
        Some(path) => Some(match facts.path(path)? {
            None => EnvFile::Missing,
            Some(fact) => match &fact.content {
                Some(bytes) => match parse_env_file(&String::from_utf8_lossy(bytes)) {
                    Ok(vars) => EnvFile::Read(vars),
                    Err(why) => EnvFile::Unusable(format!("{path}: {why}")),
                },
                None if fact.file_type != crate::facts::FileType::File => {
                    EnvFile::Unusable(format!("{path} is not a regular file"))
                }
                None => EnvFile::Unusable(format!(
                    "{path} is larger than {} bytes, too large to plan with",
                    crate::facts::CONTENT_LIMIT
                )),
            },
        }),
    };
    Ok(ContainerLive {
        container,
        image,
        env_file,
    })
}

fn json_of(value: &impl serde::Serialize) -> Result<Json, String> {
    serde_json::to_value(value).map_err(|e| format!("reading the engine's answer: {e}"))
}

fn observed_container(
    inspect: &bollard::models::ContainerInspectResponse,
) -> Result<ObservedContainer, String> {
    let state = inspect.state.clone().unwrap_or_default();
    let networks = inspect
        .network_settings
        .as_ref()
        .and_then(|n| n.networks.as_ref())
        .map(|networks| {
            networks
                .iter()
                .map(|(name, endpoint)| {
                    let ipam = endpoint.ipam_config.clone().unwrap_or_default();
                    let nonempty = |a: Option<String>| a.filter(|a| !a.is_empty());
                    (
                        name.clone(),
                        Endpoint {
                            aliases: endpoint.aliases.clone().unwrap_or_default(),
                            ipv4_address: nonempty(ipam.ipv4_address),
                            ipv6_address: nonempty(ipam.ipv6_address),
                        },
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(ObservedContainer {
        id: inspect.id.clone().unwrap_or_default(),
        image_id: inspect.image.clone().unwrap_or_default(),
        image_name: inspect.config.as_ref().and_then(|c| c.image.clone()),
        status: state
            .status
            .map_or_else(|| "unknown".to_string(), |s| s.to_string()),
        running: state.running == Some(true),
        inspect: json_of(inspect)?,
        networks,
    })
}

/// docker-py's `parse_env_file`: `KEY=value` lines; a line starting with `#` is a comment (only
/// at the very start of the line), blank lines are skipped, anything else is an error.
pub fn parse_env_file(text: &str) -> Result<IndexMap<String, String>, String> {
    let mut vars = IndexMap::new();
    for (number, line) in text.lines().enumerate() {
        if line.starts_with('#') {
            continue;
        }
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match line.split_once('=') {
            Some((key, value)) => {
                vars.insert(key.to_string(), value.to_string());
            }
            None => {
                return Err(format!(
                    "line {} is not KEY=value (it has no '=')",
                    number + 1
                ));
            }
        }
    }
    Ok(vars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_files_as_docker_py_reads_them() {
        let vars = parse_env_file("# comment\n\nA=1\n  B = two=2  \nC=\n").unwrap();
        let got: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(got, [("A", "1"), ("B ", " two=2"), ("C", "")]);
        let err = parse_env_file("A=1\nSECRET\n").unwrap_err();
        assert!(err.contains("line 2"), "{err}");
        assert!(
            !err.contains("SECRET"),
            "the line itself may be a secret: {err}"
        );
    }

    #[test]
    fn env_file_contents_never_print() {
        let file = EnvFile::Read([("TOKEN".to_string(), "hunter2".to_string())].into());
        assert!(!format!("{file:?}").contains("hunter2"));
    }
}
