//! Making the host's image what the delta says: remove it, or bring it (build, load, pull, deliver
//! from the controller) and name it; then give it its `repository` name.

use std::collections::HashMap;
use std::time::Duration;

use bollard::Docker;
use bollard::query_parameters::{
    BuildImageOptions, CreateImageOptions, RemoveImageOptions, TagImageOptions,
};
use bytes::Bytes;
use futures_util::StreamExt;

use super::context::{read_context, write_tar};
use super::diff::{
    CONTEXT_LABEL, DIGEST_LABEL, FILES_LABEL, FILES_LABEL_LIMIT, OPTIONS_LABEL, REPOSITORY,
};
use super::reference::Reference;
use super::spec::{BuildSpec, Desired, ImageSpec};
use crate::diff::{Action, Delta};
use crate::drivers::ApplyError;
use crate::drivers::docker::OWNER_LABEL;
use crate::endpoints::docker::controller::{self, ImageLayers};
use crate::endpoints::docker::delivery::{DeliveryReport, Origin, deliver};
use crate::facts::HostExec;

/// How long a build may run when the task sets no `build.http_timeout`.
const BUILD_TIMEOUT: Duration = Duration::from_secs(3600);
/// Lines of build output kept for an error message.
const OUTPUT_TAIL: usize = 15;

pub async fn apply(host: &dyn HostExec, spec: &ImageSpec, delta: &Delta) -> Result<(), ApplyError> {
    let engine = host.docker().await.map_err(ApplyError::Transport)?;
    let at = host.host();
    match delta.action {
        Action::Delete => remove(&engine, spec, at).await,
        Action::Create | Action::Update => {
            if delta.changes.iter().any(|c| c.path != REPOSITORY) {
                bring(&engine, spec, at).await?;
            }
            if let Some(repository) = &spec.repository
                && delta.changes.iter().any(|c| c.path == REPOSITORY)
            {
                tag(
                    &engine,
                    &spec.reference.to_string(),
                    &repository.repository,
                    &repository.tag,
                )
                .await
                .map_err(|e| ApplyError::Failed(format!("{at}: {e}")))?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

async fn remove(engine: &Docker, spec: &ImageSpec, at: &str) -> Result<(), ApplyError> {
    let force = matches!(spec.desired, Desired::Absent { force: true });
    let options = RemoveImageOptions {
        force,
        ..Default::default()
    };
    match engine
        .remove_image(&spec.reference.to_string(), Some(options), None)
        .await
    {
        Ok(_)
        | Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) => Ok(()),
        Err(e) => Err(ApplyError::Failed(format!(
            "{at}: removing image {} failed: {e}",
            spec.reference
        ))),
    }
}

async fn bring(engine: &Docker, spec: &ImageSpec, at: &str) -> Result<(), ApplyError> {
    let failed = |e: String| ApplyError::Failed(format!("{at}: {e}"));
    match &spec.desired {
        Desired::Absent { .. } | Desired::Local => Ok(()),
        Desired::Pull { platform, .. } => pull(engine, &spec.reference, platform.as_deref())
            .await
            .map_err(failed),
        Desired::Load(archive) => {
            let origin = Origin::Archive(archive.path.clone());
            deliver_and_name(&origin, engine, &archive.image, &spec.reference)
                .await
                .map(|_| ())
                .map_err(|e| failed(format!("loading {}: {e}", archive.path.display())))
        }
        Desired::Controller(image) => {
            let controller = controller::connect().await.map_err(failed)?;
            let origin = Origin::Engine(controller);
            deliver_and_name(&origin, engine, image, &spec.reference)
                .await
                .map(|_| ())
                .map_err(|e| {
                    failed(format!(
                        "delivering {} ({}) from the controller: {e}",
                        spec.reference, image.id
                    ))
                })
        }
        Desired::Build(build) => build_image(engine, spec, build).await.map_err(failed),
    }
}

async fn deliver_and_name(
    origin: &Origin,
    engine: &Docker,
    image: &ImageLayers,
    reference: &Reference,
) -> Result<DeliveryReport, String> {
    let report = deliver(origin, engine, image).await?;
    if let Reference::Tagged {
        repository,
        tag: name_tag,
    } = reference
    {
        tag(engine, &image.id, repository, name_tag).await?;
    }
    Ok(report)
}

async fn tag(engine: &Docker, source: &str, repository: &str, tag: &str) -> Result<(), String> {
    engine
        .tag_image(
            source,
            Some(TagImageOptions {
                repo: Some(repository.to_string()),
                tag: Some(tag.to_string()),
            }),
        )
        .await
        .map_err(|e| format!("tagging {source} as {repository}:{tag} failed: {e}"))
}

async fn pull(
    engine: &Docker,
    reference: &Reference,
    platform: Option<&str>,
) -> Result<(), String> {
    let (from_image, tag) = match reference {
        Reference::Tagged { repository, tag } => (repository.clone(), Some(tag.clone())),
        other => (other.to_string(), None),
    };
    let options = CreateImageOptions {
        from_image: Some(from_image),
        tag,
        platform: platform.unwrap_or_default().to_string(),
        ..Default::default()
    };
    let mut progress = engine.create_image(Some(options), None, None);
    while let Some(item) = progress.next().await {
        if let Err(e) = item {
            return Err(format!(
                "pulling {reference} failed: the host's engine could not fetch it from its registry: {}",
                engine_message(&e)
            ));
        }
    }
    Ok(())
}

/// The engine's own words for an error (without bollard's wrapping).
fn engine_message(error: &bollard::errors::Error) -> String {
    match error {
        bollard::errors::Error::DockerResponseServerError { message, .. } => message.clone(),
        bollard::errors::Error::DockerStreamError { error } => error.clone(),
        other => other.to_string(),
    }
}

/// The labels a built image carries: the owner, and what it was built from.
fn build_labels(spec: &ImageSpec, build: &BuildSpec) -> HashMap<String, String> {
    let mut labels: HashMap<String, String> = build.options.labels.clone().into_iter().collect();
    if let Some(project) = &spec.project {
        labels.insert(OWNER_LABEL.into(), project.clone());
    }
    labels.insert(DIGEST_LABEL.into(), build.digest.clone());
    labels.insert(CONTEXT_LABEL.into(), build.context.digest.clone());
    if build.context.files.len() <= FILES_LABEL_LIMIT
        && let Ok(files) = serde_json::to_string(&build.context.files)
    {
        labels.insert(FILES_LABEL.into(), files);
    }
    if let Ok(options) = serde_json::to_string(&build.options.shaping()) {
        labels.insert(OPTIONS_LABEL.into(), options);
    }
    labels
}

fn build_options(spec: &ImageSpec, build: &BuildSpec) -> BuildImageOptions {
    let o = &build.options;
    let as_i32 = |v: Option<i64>| v.and_then(|v| i32::try_from(v).ok());
    BuildImageOptions {
        dockerfile: o.dockerfile.clone(),
        t: Some(spec.reference.to_string()),
        nocache: o.nocache,
        pull: o.pull.then(|| "1".to_string()),
        rm: o.rm,
        forcerm: o.rm,
        buildargs: (!o.args.is_empty()).then(|| o.args.clone().into_iter().collect()),
        labels: Some(build_labels(spec, build)),
        target: o.target.clone().unwrap_or_default(),
        platform: o.platform.clone().unwrap_or_default(),
        networkmode: o.network.clone(),
        extrahosts: (!o.etc_hosts.is_empty()).then(|| {
            o.etc_hosts
                .iter()
                .map(|(host, ip)| format!("{host}:{ip}"))
                .collect::<Vec<_>>()
                .join(",")
        }),
        cachefrom: (!o.cache_from.is_empty()).then(|| o.cache_from.clone()),
        shmsize: as_i32(o.shm_size),
        memory: as_i32(o.memory),
        memswap: as_i32(o.memswap),
        cpushares: as_i32(o.cpushares),
        cpusetcpus: o.cpusetcpus.clone(),
        ..Default::default()
    }
}

/// Sends the context as a tar (written on a blocking thread as the engine reads it) and builds.
async fn build_image(engine: &Docker, spec: &ImageSpec, build: &BuildSpec) -> Result<(), String> {
    let root = build.context.path.clone();
    let dockerfile = build.options.dockerfile.clone();
    let listing = tokio::task::spawn_blocking(move || read_context(&root, &dockerfile))
        .await
        .map_err(|e| format!("reading the build context: {e}"))??;
    if listing.digest != build.context.digest {
        return Err(format!(
            "the build context {} changed since the plan read it; plan again",
            build.context.path.display()
        ));
    }
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let writer = tokio::task::spawn_blocking(move || {
        let mut out = ChannelWriter {
            sender: sender.clone(),
            buffer: Vec::with_capacity(CHUNK),
        };
        if let Err(e) = write_tar(&listing, &mut out) {
            let _ = sender.blocking_send(Err(std::io::Error::other(e)));
        }
    });
    let body = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    });
    let timeout = build
        .options
        .http_timeout
        .map_or(BUILD_TIMEOUT, Duration::from_secs);
    let engine = engine.clone().with_timeout(timeout);
    let options = build_options(spec, build);
    let mut progress = engine.build_image(options, None, Some(bollard::body_try_stream(body)));
    let mut output: Vec<String> = Vec::new();
    let mut failure = None;
    while let Some(item) = progress.next().await {
        match item {
            Ok(info) => {
                if let Some(text) = info.stream {
                    output.extend(text.lines().map(str::to_string));
                }
                if let Some(error) = info.error_detail.and_then(|d| d.message) {
                    failure = Some(error);
                }
            }
            Err(e) => {
                failure = Some(engine_message(&e));
                break;
            }
        }
    }
    let _ = writer.await;
    match failure {
        None => Ok(()),
        Some(error) => {
            let tail: Vec<&String> = output.iter().rev().take(OUTPUT_TAIL).rev().collect();
            let tail: Vec<&str> = tail.iter().map(|s| s.as_str()).collect();
            Err(format!(
                "building {} from {} failed: {error}\nlast output:\n{}",
                spec.reference,
                build.context.path.display(),
                tail.join("\n")
            ))
        }
    }
}

const CHUNK: usize = 256 * 1024;

/// `Write` into the body of a request: chunks go through a channel the request reads.
struct ChannelWriter {
    sender: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
    buffer: Vec<u8>,
}

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(CHUNK),
        ));
        self.sender
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::other("the engine stopped reading the build context"))
    }
}

impl std::io::Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}
