//! Desired image vs the host's engine. Pure.
//!
//! An image is in sync when the host has, under the task's name, the image the source names: the
//! archive's or the controller's image ID (by ID, not merely by name), or for a build an image whose
//! labels say it was built from the same context and options. A pulled image, as in community.docker,
//! only has to exist (unless `force_source`).

use std::collections::{BTreeMap, BTreeSet};

use super::spec::{ARG_PREFIX, BuildSpec, Desired, ImageSpec};
use crate::diff::{Action, AttrChange, Delta, Reason};
use crate::facts::{DockerFact, DockerQuery, FactRequest, Facts};
use crate::value::Value;

/// Labels a built image carries, so a later plan can tell what it was built from.
pub const DIGEST_LABEL: &str = "io.plimsoll.build.digest";
pub const CONTEXT_LABEL: &str = "io.plimsoll.build.context";
pub const FILES_LABEL: &str = "io.plimsoll.build.files";
pub const OPTIONS_LABEL: &str = "io.plimsoll.build.options";
/// Beyond this many files, only the context's digest is kept (labels live in the image config).
pub const FILES_LABEL_LIMIT: usize = 500;

/// The change path of the image's identity.
pub const IMAGE_ID: &str = "image_id";
/// The change path of the `repository` name.
pub const REPOSITORY: &str = "repository";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveImage {
    pub id: String,
    pub labels: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageLive {
    /// What the task's name points at on the host.
    pub image: Option<LiveImage>,
    /// What `repository` points at.
    pub repository: Option<LiveImage>,
}

pub fn facts(spec: &ImageSpec) -> Vec<FactRequest> {
    let mut requests = vec![FactRequest::Docker(DockerQuery::Image(
        spec.reference.to_string(),
    ))];
    if let Some(repository) = &spec.repository {
        requests.push(FactRequest::Docker(DockerQuery::Image(
            repository.reference(),
        )));
    }
    requests
}

fn image(facts: &Facts, reference: &str) -> Result<Option<LiveImage>, String> {
    match facts.docker(&DockerQuery::Image(reference.to_string()))? {
        None => Ok(None),
        Some(DockerFact::Image(inspect)) => Ok(Some(LiveImage {
            id: inspect
                .id
                .clone()
                .ok_or_else(|| format!("the engine described {reference} without an ID"))?,
            labels: inspect
                .config
                .as_ref()
                .and_then(|c| c.labels.clone())
                .map(|l| l.into_iter().collect())
                .unwrap_or_default(),
        })),
        Some(_) => Err(format!("the fact for image {reference} has the wrong type")),
    }
}

pub fn live(spec: &ImageSpec, facts: &Facts) -> Result<ImageLive, String> {
    Ok(ImageLive {
        image: image(facts, &spec.reference.to_string())?,
        repository: match &spec.repository {
            Some(repository) => image(facts, &repository.reference())?,
            None => None,
        },
    })
}

fn text(s: &str) -> Option<Value> {
    Some(Value::Str(s.to_string()))
}

fn change(path: impl Into<String>, before: Option<Value>, after: Option<Value>) -> AttrChange {
    AttrChange {
        path: path.into(),
        before,
        after,
        sensitive: false,
    }
}

fn delta(action: Action, reason: Reason, changes: Vec<AttrChange>) -> Delta {
    Delta {
        action,
        reason,
        changes,
        text_changes: Vec::new(),
    }
}

pub fn diff(spec: &ImageSpec, live: &ImageLive) -> Delta {
    let current = live.image.as_ref();
    let before_id = current.map(|i| i.id.as_str());
    // What the image will be: (the main delta, the image ID after apply when known).
    let (main, after_id): (Delta, Option<String>) = match &spec.desired {
        Desired::Absent { .. } => {
            return match current {
                None => Delta::no_op(),
                Some(image) => delta(
                    Action::Delete,
                    Reason::Absent,
                    vec![change(IMAGE_ID, text(&image.id), None)],
                ),
            };
        }
        Desired::Local => match current {
            None => {
                return delta(
                    Action::Refused,
                    Reason::Other(format!(
                        "source: local never brings an image, and the host has no {}",
                        spec.reference
                    )),
                    Vec::new(),
                );
            }
            Some(image) => (Delta::no_op(), Some(image.id.clone())),
        },
        Desired::Pull { force, .. } => match current {
            None => (
                delta(
                    Action::Create,
                    Reason::Missing,
                    vec![change(IMAGE_ID, None, None)],
                ),
                None,
            ),
            Some(image) if *force => (
                delta(
                    Action::Update,
                    Reason::Other(
                        "force_source: pulls again; the registry decides whether the image changes"
                            .into(),
                    ),
                    vec![change(IMAGE_ID, text(&image.id), None)],
                ),
                None,
            ),
            Some(image) => (Delta::no_op(), Some(image.id.clone())),
        },
        Desired::Load(archive) => by_id(before_id, &archive.image.id),
        Desired::Controller(image) => by_id(before_id, &image.id),
        Desired::Build(build) => match current {
            None => (
                delta(
                    Action::Create,
                    Reason::Missing,
                    vec![
                        change("build.context", None, text(&build.context.digest)),
                        change(IMAGE_ID, None, None),
                    ],
                ),
                None,
            ),
            Some(image) => build_delta(build, image),
        },
    };
    with_repository(spec, live, main, after_id)
}

/// Sources whose image ID is known before apply.
fn by_id(before: Option<&str>, wanted: &str) -> (Delta, Option<String>) {
    let main = match before {
        None => delta(
            Action::Create,
            Reason::Missing,
            vec![change(IMAGE_ID, None, text(wanted))],
        ),
        Some(id) if id == wanted => Delta::no_op(),
        Some(id) => delta(
            Action::Update,
            Reason::AttributesDiffer,
            vec![change(IMAGE_ID, text(id), text(wanted))],
        ),
    };
    (main, Some(wanted.to_string()))
}

fn build_delta(build: &BuildSpec, image: &LiveImage) -> (Delta, Option<String>) {
    let built_from = image.labels.get(DIGEST_LABEL);
    if built_from == Some(&build.digest) && !build.rebuild_always {
        return (Delta::no_op(), Some(image.id.clone()));
    }
    let rebuilt = |changes, reason| {
        let mut changes: Vec<AttrChange> = changes;
        changes.push(change(IMAGE_ID, text(&image.id), None));
        (delta(Action::Update, reason, changes), None)
    };
    if built_from == Some(&build.digest) {
        return rebuilt(
            Vec::new(),
            Reason::Other(
                "force_source with build.pull or build.nocache: builds on every run".into(),
            ),
        );
    }
    let Some(built_from) = built_from else {
        return rebuilt(
            vec![change("build.digest", None, text(&build.digest))],
            Reason::Other(
                "the image on the host was not built by plimsoll from this context".into(),
            ),
        );
    };
    let mut changes = Vec::new();
    let old_context = image.labels.get(CONTEXT_LABEL);
    if old_context != Some(&build.context.digest) {
        match image
            .labels
            .get(FILES_LABEL)
            .and_then(|l| serde_json::from_str::<BTreeMap<String, String>>(l).ok())
        {
            Some(old_files) if !build.context.files.is_empty() => {
                changes.extend(map_changes(
                    "build.context",
                    &old_files,
                    &build.context.files,
                ));
            }
            _ => changes.push(change(
                "build.context",
                old_context.map(|c| Value::Str(c.clone())),
                text(&build.context.digest),
            )),
        }
    }
    let old_options: BTreeMap<String, String> = image
        .labels
        .get(OPTIONS_LABEL)
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_default();
    changes.extend(map_changes("build", &old_options, &build.options.shaping()));
    if changes.is_empty() {
        changes.push(change(
            "build.digest",
            text(built_from),
            text(&build.digest),
        ));
    }
    rebuilt(changes, Reason::AttributesDiffer)
}

/// One change per key whose value differs, as `<prefix>.<key>` (context files as `<prefix>/<path>`).
fn map_changes(
    prefix: &str,
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> Vec<AttrChange> {
    let separator = if prefix == "build.context" { "/" } else { "." };
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| AttrChange {
            path: format!("{prefix}{separator}{k}"),
            before: before.get(k).map(|v| Value::Str(v.clone())),
            after: after.get(k).map(|v| Value::Str(v.clone())),
            sensitive: prefix == "build" && k.starts_with(ARG_PREFIX),
        })
        .collect()
}

/// Adds the `repository` name: it must exist (with `force_tag`, point at this image).
fn with_repository(
    spec: &ImageSpec,
    live: &ImageLive,
    mut main: Delta,
    after_id: Option<String>,
) -> Delta {
    let Some(repository) = &spec.repository else {
        return main;
    };
    let current = live.repository.as_ref().map(|i| i.id.clone());
    let needed = match (&current, &after_id) {
        (None, _) => true,
        (Some(_), _) if !repository.force => false,
        (Some(now), Some(wanted)) => now != wanted,
        // The image is about to change: a forced tag follows it.
        (Some(_), None) => true,
    };
    if !needed {
        return main;
    }
    main.changes.push(change(
        REPOSITORY,
        current.map(Value::Str),
        after_id.map(Value::Str),
    ));
    if main.action == Action::NoOp {
        main.action = Action::Update;
        main.reason = Reason::AttributesDiffer;
    }
    main
}
