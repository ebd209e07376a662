//! `docker_image`'s arguments, with community.docker's names and checks, read into a spec.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::inputs::{
    ArchiveInput, BUILD_CONTEXT_ARG, CONTROLLER_IMAGE_ARG, ContextInput, LOAD_ARCHIVE_ARG,
    archive_from, context_from, controller_image_from,
};
use super::reference::Reference;
use crate::drivers::host::args::{Args, as_text};
use crate::drivers::{PROJECT_ARG, SpecError};
use crate::endpoints::docker::controller::ImageLayers;
use crate::value::{Map, Value};

pub const MODULE: &str = "community.docker.docker_image";

/// How build arguments appear among the shaping options (`args.VERSION`).
pub const ARG_PREFIX: &str = "args.";

#[derive(Clone, Debug, PartialEq)]
pub struct ImageSpec {
    pub reference: Reference,
    pub desired: Desired,
    /// `repository`: another name the image gets.
    pub repository: Option<RepositoryTag>,
    /// The project whose label a built image carries.
    pub project: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepositoryTag {
    pub repository: String,
    pub tag: String,
    /// `force_tag`: the name must point at this image, not merely exist.
    pub force: bool,
}

impl RepositoryTag {
    pub fn reference(&self) -> String {
        format!("{}:{}", self.repository, self.tag)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Desired {
    /// `state: absent`.
    Absent { force: bool },
    /// `source: local`: the image must already be on the host; nothing brings it.
    Local,
    /// `source: pull`.
    Pull {
        platform: Option<String>,
        force: bool,
    },
    /// `source: load`: an archive on the controller.
    Load(ArchiveInput),
    /// `source: controller`: the image as the controller's engine has it, delivered over SSH.
    Controller(ImageLayers),
    /// `source: build`: a context on the controller, built by the host's engine.
    Build(Box<BuildSpec>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct BuildSpec {
    pub context: ContextInput,
    pub options: BuildOptions,
    /// sha256 over the context's digest and the options that shape the image.
    pub digest: String,
    /// `force_source` with `build.pull` or `build.nocache`: the result depends on more than the
    /// context, so every run builds.
    pub rebuild_always: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct BuildOptions {
    pub dockerfile: String,
    pub args: BTreeMap<String, String>,
    pub target: Option<String>,
    pub platform: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub nocache: bool,
    pub pull: bool,
    pub rm: bool,
    pub network: Option<String>,
    pub etc_hosts: BTreeMap<String, String>,
    pub cache_from: Vec<String>,
    pub shm_size: Option<i64>,
    pub memory: Option<i64>,
    pub memswap: Option<i64>,
    pub cpushares: Option<i64>,
    pub cpusetcpus: Option<String>,
    pub http_timeout: Option<u64>,
}

impl BuildOptions {
    /// The options that decide what the image holds, flattened (`args.VERSION`): part of the digest,
    /// and stored on the image so a plan can name the one that changed. Build arguments may be
    /// secrets, so only a hash of each value is kept (and plans mask them).
    pub fn shaping(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        out.insert("dockerfile".to_string(), self.dockerfile.clone());
        for (k, v) in &self.args {
            out.insert(
                format!("{ARG_PREFIX}{k}"),
                hex::encode(Sha256::digest(v))[..16].to_string(),
            );
        }
        for (k, v) in &self.labels {
            out.insert(format!("labels.{k}"), v.clone());
        }
        if let Some(target) = &self.target {
            out.insert("target".into(), target.clone());
        }
        if let Some(platform) = &self.platform {
            out.insert("platform".into(), platform.clone());
        }
        out
    }
}

/// sha256 over a context digest and the shaping options.
pub fn build_digest(context_digest: &str, shaping: &BTreeMap<String, String>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(format!("context {context_digest}\n"));
    for (k, v) in shaping {
        hasher.update(format!("{} {k}={v}\n", k.len()));
    }
    hex::encode(hasher.finalize())
}

/// community.docker's `clean_dict_booleans_for_docker_api`: booleans as `true`/`false`, the rest
/// as Python's `str()`.
fn docker_text(value: &Value) -> Result<String, String> {
    match value {
        Value::Bool(b) => Ok(b.to_string()),
        other => as_text(other),
    }
}

fn string_map(
    map: &Map,
    key: &'static str,
    convert: fn(&Value) -> Result<String, String>,
    errors: &mut Vec<SpecError>,
) -> BTreeMap<String, String> {
    match map.get(key) {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(Value::Map(entries)) => entries
            .iter()
            .filter_map(|(k, v)| match convert(v) {
                Ok(text) => Some((k.clone(), text)),
                Err(e) => {
                    errors.push(SpecError::new(
                        Some("build"),
                        format!("build.{key}.{k}: {e}"),
                    ));
                    None
                }
            })
            .collect(),
        Some(other) => {
            errors.push(SpecError::new(
                Some("build"),
                format!("build.{key}: expected a dict, got a {}", other.type_name()),
            ));
            BTreeMap::new()
        }
    }
}

/// Ansible's `human_to_bytes` for the sizes community.docker takes (`512M`, `1g`, `1024`).
pub fn human_to_bytes(text: &str) -> Result<i64, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("can't interpret following string: {text}"))?;
    let unit = unit.trim().to_ascii_uppercase();
    let unit = unit.strip_suffix('B').unwrap_or(&unit);
    let power = match unit {
        "" => 0,
        "K" => 1,
        "M" => 2,
        "G" => 3,
        "T" => 4,
        "P" => 5,
        _ => return Err(format!("can't interpret following string: {text}")),
    };
    let bytes = number * 1024f64.powi(power);
    if bytes.fract() != 0.0 || !(0.0..9.2e18).contains(&bytes) {
        return Err(format!("{text} is not a whole number of bytes"));
    }
    Ok(bytes as i64)
}

/// Errors from a sub-dictionary name it (`build.path`) and point at its top-level argument.
fn nested(errors: Vec<SpecError>, parent: &str) -> Vec<SpecError> {
    errors
        .into_iter()
        .map(|mut e| {
            e.message = match &e.argument {
                Some(arg) if !e.message.contains(&format!("{parent}.")) => {
                    e.message
                        .replacen(arg.as_str(), &format!("{parent}.{arg}"), 1)
                }
                _ => e.message,
            };
            e.argument = Some(parent.to_string());
            e
        })
        .collect()
}

fn parse_build(map: &Map, errors: &mut Vec<SpecError>) -> Option<BuildOptions> {
    let mut args = Args::new(MODULE, map);
    let path = args.str("path", &[]);
    let dockerfile = args.str("dockerfile", &[]);
    let target = args.str("target", &[]);
    let platform = args.str("platform", &[]);
    let network = args.str("network", &[]);
    let nocache = args.bool("nocache", &[], false);
    let pull = args.bool("pull", &[], false);
    let rm = args.bool("rm", &[], true);
    let cache_from = args.list("cache_from", &[]).unwrap_or_default();
    let shm_size = args.str("shm_size", &[]);
    let http_timeout = args.int("http_timeout", &[]);
    let limits = args.value("container_limits", &[]).cloned();
    // Read directly below: dicts of strings.
    args.ignored("args");
    args.ignored("labels");
    args.ignored("etc_hosts");
    args.unsupported(
        "use_config_proxy",
        &[],
        "it reads proxies from the Docker client configuration of the machine running the module",
    );
    if path.is_none() {
        args.error(Some("path"), "missing required arguments: path");
    }
    let mut found = Vec::new();
    if let Err(e) = args.finish() {
        found.extend(e);
    }
    let mut options = BuildOptions {
        dockerfile: dockerfile.unwrap_or_else(|| "Dockerfile".into()),
        target,
        platform,
        nocache,
        pull,
        rm,
        network,
        cache_from,
        http_timeout: http_timeout.and_then(|t| u64::try_from(t).ok()),
        ..BuildOptions::default()
    };
    options.args = string_map(map, "args", as_text, &mut found);
    options.labels = string_map(map, "labels", docker_text, &mut found);
    options.etc_hosts = string_map(map, "etc_hosts", docker_text, &mut found);
    if let Some(size) = shm_size {
        match human_to_bytes(&size) {
            Ok(bytes) => options.shm_size = Some(bytes),
            Err(e) => found.push(SpecError::new(
                Some("shm_size"),
                format!("Failed to convert shm_size to bytes: {e}"),
            )),
        }
    }
    match limits {
        None | Some(Value::Null) => {}
        Some(Value::Map(limits)) => {
            let mut limit_args = Args::new(MODULE, &limits);
            let memory = limit_args.str("memory", &[]);
            let memswap = limit_args.str("memswap", &[]);
            options.cpushares = limit_args
                .int("cpushares", &[])
                .and_then(|v| i64::try_from(v).ok());
            options.cpusetcpus = limit_args.str("cpusetcpus", &[]);
            if let Err(e) = limit_args.finish() {
                found.extend(nested(e, "container_limits"));
            }
            let bytes = |name: &str, text: Option<String>, found: &mut Vec<SpecError>| {
                let text = text?;
                if name == "memswap" && (text == "unlimited" || text == "-1") {
                    return Some(-1);
                }
                human_to_bytes(&text)
                    .map_err(|e| {
                        found.push(SpecError::new(
                            Some("container_limits"),
                            format!("Failed to convert container_limits.{name} to bytes: {e}"),
                        ))
                    })
                    .ok()
            };
            options.memory = bytes("memory", memory, &mut found);
            options.memswap = bytes("memswap", memswap, &mut found);
        }
        Some(other) => found.push(SpecError::new(
            Some("container_limits"),
            format!(
                "container_limits: expected a dict, got a {}",
                other.type_name()
            ),
        )),
    }
    let ok = found.is_empty();
    errors.extend(nested(found, "build"));
    ok.then_some(options)
}

pub fn parse(map: &Map) -> Result<ImageSpec, Vec<SpecError>> {
    let mut args = Args::new(MODULE, map);
    let name = args.str("name", &[]);
    let tag = args.str("tag", &[]).unwrap_or_else(|| "latest".into());
    let state = args
        .choice("state", &[], &["present", "absent"])
        .unwrap_or_else(|| "present".into());
    let source = args.choice(
        "source",
        &[],
        &["build", "load", "pull", "local", "controller"],
    );
    let force_source = args.bool("force_source", &[], false);
    let force_absent = args.bool("force_absent", &[], false);
    let force_tag = args.bool("force_tag", &[], false);
    let load_path = args.str("load_path", &[]);
    let repository = args.str("repository", &[]);
    let build = args.value("build", &[]).cloned();
    let pull = args.value("pull", &[]).cloned();
    let project = args.str(PROJECT_ARG, &[]);
    let context = args.value(BUILD_CONTEXT_ARG, &[]).cloned();
    let archive = args.value(LOAD_ARCHIVE_ARG, &[]).cloned();
    let controller_image = args.value(CONTROLLER_IMAGE_ARG, &[]).cloned();
    args.unsupported(
        "push",
        &[],
        "pushing sends the image to a registry, outside the host's desired state",
    );
    args.unsupported(
        "archive_path",
        &[],
        "writing an archive of the image is an export, not a state of the host",
    );
    let mut errors = Vec::new();
    if name.is_none() {
        args.error(Some("name"), "missing required arguments: name");
    }
    let reference = name.as_deref().map(|n| Reference::parse(n, &tag));
    let reference = match reference {
        Some(Ok(r)) => Some(r),
        Some(Err(e)) => {
            args.error(Some("name"), e);
            None
        }
        None => None,
    };
    let pull_platform = match &pull {
        None | Some(Value::Null) => None,
        Some(Value::Map(pull)) => {
            let mut pull_args = Args::new(MODULE, pull);
            let platform = pull_args.str("platform", &[]);
            if let Err(e) = pull_args.finish() {
                errors.extend(nested(e, "pull"));
            }
            platform
        }
        Some(other) => {
            args.error(
                Some("pull"),
                format!("pull: expected a dict, got a {}", other.type_name()),
            );
            None
        }
    };
    let build_options = match (&build, source.as_deref()) {
        (None | Some(Value::Null), _) => None,
        (Some(Value::Map(build)), Some("build")) => parse_build(build, &mut errors),
        (Some(Value::Map(_)), _) => None,
        (Some(other), _) => {
            args.error(
                Some("build"),
                format!("build: expected a dict, got a {}", other.type_name()),
            );
            None
        }
    };
    let problem = |argument: &str, message: String| SpecError::new(Some(argument), message);
    let desired = match (state.as_str(), source.as_deref()) {
        ("absent", _) => Some(Desired::Absent {
            force: force_absent,
        }),
        (_, None) => {
            if !args.has_errors() {
                errors.push(
                    problem(
                        "source",
                        "state is present but all of the following are missing: source".into(),
                    )
                    .with_help(
                        "source: build, load, pull or local as in community.docker, or \
                         source: controller to deliver the image from this machine's engine",
                    ),
                );
            }
            None
        }
        (_, Some("local")) => Some(Desired::Local),
        (_, Some("pull")) => Some(Desired::Pull {
            platform: pull_platform,
            force: force_source,
        }),
        (_, Some("load")) => match (&load_path, archive.as_ref().and_then(archive_from)) {
            (None, _) => {
                errors.push(problem(
                    "load_path",
                    "source is load but all of the following are missing: load_path".into(),
                ));
                None
            }
            (Some(_), Some(archive)) => Some(Desired::Load(archive)),
            (Some(path), None) => {
                errors.push(
                    problem("load_path", format!("the archive {path:?} was not read"))
                        .with_help(format!(
                            "internal: the loader reads load_path and passes the image in {LOAD_ARCHIVE_ARG}"
                        )),
                );
                None
            }
        },
        (_, Some("controller")) => {
            match controller_image.as_ref().and_then(controller_image_from) {
                Some(image) => Some(Desired::Controller(image)),
                None => {
                    errors.push(
                    problem(
                        "source",
                        "the image was not read from the controller's engine".into(),
                    )
                    .with_help(format!(
                        "internal: the loader asks the controller's engine and passes the image in {CONTROLLER_IMAGE_ARG}"
                    )),
                );
                    None
                }
            }
        }
        (_, Some(_)) => match (&build, build_options) {
            (None | Some(Value::Null), _) => {
                errors.push(problem(
                    "build",
                    "If \"source\" is set to \"build\", the \"build.path\" option must be specified."
                        .into(),
                ));
                None
            }
            (_, None) => None,
            (_, Some(options)) => match context.as_ref().and_then(context_from) {
                Some(context) => {
                    let digest = build_digest(&context.digest, &options.shaping());
                    Some(Desired::Build(Box::new(BuildSpec {
                        rebuild_always: force_source && (options.pull || options.nocache),
                        context,
                        options,
                        digest,
                    })))
                }
                None => {
                    errors.push(
                        problem("build", "the build context was not read".into()).with_help(
                            format!(
                                "internal: the loader reads build.path and passes it in {BUILD_CONTEXT_ARG}"
                            ),
                        ),
                    );
                    None
                }
            },
        },
    };
    if let (Some(reference), Some(desired)) = (&reference, &desired) {
        let refused = match (reference, desired) {
            (Reference::Id(_), Desired::Build(_) | Desired::Pull { .. }) => Some(format!(
                "Image name must not be an image ID for source={}; got: {reference}",
                source.as_deref().unwrap_or_default()
            )),
            (Reference::Digest { .. }, Desired::Build(_)) => Some(format!(
                "a built image cannot be named by a digest: {reference}"
            )),
            (Reference::Digest { .. }, Desired::Load(_) | Desired::Controller(_)) => Some(format!(
                "{reference} names an image in a registry by digest; a delivered image can only \
                 be named by a tag (or its ID)"
            )),
            _ => None,
        };
        if let Some(message) = refused {
            errors.push(problem("name", message));
        }
    }
    let repository = repository.and_then(|repo| {
        if super::reference::is_image_id(&repo) {
            errors.push(problem(
                "repository",
                format!("`repository` must not be an image ID; got: {repo}"),
            ));
            return None;
        }
        let (repository, repo_tag) = match repo.rsplit_once(':') {
            Some((r, t)) if !t.contains('/') => (r.to_string(), t.to_string()),
            _ => (repo.clone(), tag.clone()),
        };
        Some(RepositoryTag {
            repository,
            tag: repo_tag,
            force: force_tag,
        })
    });
    if let Err(found) = args.finish() {
        errors.splice(0..0, found);
    }
    match (reference, desired) {
        (Some(reference), Some(desired)) if errors.is_empty() => Ok(ImageSpec {
            reference,
            desired,
            repository,
            project,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_as_ansible_reads_them() {
        assert_eq!(human_to_bytes("512"), Ok(512));
        assert_eq!(human_to_bytes("64M"), Ok(64 << 20));
        assert_eq!(human_to_bytes("1g"), Ok(1 << 30));
        assert_eq!(human_to_bytes("2KB"), Ok(2048));
        assert!(human_to_bytes("lots").is_err());
        assert!(human_to_bytes("1.3").is_err());
    }

    #[test]
    fn errors_inside_build_point_at_build() {
        let mut build = Map::new();
        build.insert("path".into(), "web".into());
        build.insert("shm_size".into(), "huge".into());
        build.insert("use_config_proxy".into(), Value::Bool(true));
        let map: Map = [
            ("name".to_string(), Value::from("web")),
            ("source".to_string(), Value::from("build")),
            ("build".to_string(), Value::Map(build)),
        ]
        .into_iter()
        .collect();
        let errors = parse(&map).unwrap_err();
        assert!(
            errors
                .iter()
                .all(|e| e.argument.as_deref() == Some("build"))
        );
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert!(
            messages.iter().any(|m| m.contains("build.shm_size")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("build.use_config_proxy")),
            "{messages:?}"
        );
    }
}
