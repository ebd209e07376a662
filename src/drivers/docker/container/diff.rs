//! Desired container vs live: what to do and why. Pure.
//!
//! As community.docker decides: options `docker update` can change (restart policy, memory, CPU)
//! change in place, network membership changes by connect/disconnect, the run state by start/stop,
//! and any other declared difference (or a new image ID for the tag) recreates the container. Only
//! what the task declares is compared, against the image's defaults where the image supplies them.

use serde_json::Value as Json;

use super::compare;
use super::expected;
use super::live::{ContainerLive, EnvFile, ObservedContainer};
use super::networks;
use super::spec::{ContainerSpec, Declared, DesiredState};
use crate::diff::{Action, AttrChange, Delta, Reason};
use crate::value::Value;

/// The change path that asks apply to start (`after: true`) or stop the container.
pub const RUNNING: &str = "running";
/// The change path that asks apply to restart the container after other in-place changes.
pub const RESTART: &str = "restart";

pub fn diff(spec: &ContainerSpec, live: &ContainerLive) -> Delta {
    if spec.state == DesiredState::Absent {
        return match &live.container {
            None => Delta::no_op(),
            Some(container) => delta(
                Action::Delete,
                Reason::Absent,
                vec![change("state", Some(&container.status), "absent")],
            ),
        };
    }
    let declared = match declared_with_env(spec, live) {
        Ok(declared) => declared,
        Err(why) => return delta(Action::Refused, Reason::Other(why), Vec::new()),
    };
    match &live.container {
        None => create(spec, &declared),
        Some(container) => existing(spec, live, container, &declared),
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

fn change(path: &str, before: Option<&str>, after: &str) -> AttrChange {
    AttrChange {
        path: path.into(),
        before: before.map(Value::from),
        after: Some(Value::from(after)),
        sensitive: false,
    }
}

/// The declared options plus `env` (from `env_file`, then `env`), in the engine's form.
fn declared_with_env(spec: &ContainerSpec, live: &ContainerLive) -> Result<Vec<Declared>, String> {
    let mut env: Vec<(String, String)> = Vec::new();
    if let Some(path) = &spec.env_file {
        match &live.env_file {
            Some(EnvFile::Read(vars)) => env.extend(vars.clone()),
            Some(EnvFile::Unusable(why)) => return Err(format!("env_file: {why}")),
            Some(EnvFile::Missing) | None => {
                return Err(format!(
                    "env_file {path} does not exist on the host (a task before this one must \
                     create it)"
                ));
            }
        }
    }
    if let Some(vars) = &spec.env {
        for (key, value) in vars {
            env.retain(|(k, _)| k != key);
            env.push((key.clone(), value.clone()));
        }
    }
    let mut declared = spec.settings.clone();
    if spec.env.is_some() || spec.env_file.is_some() {
        let entries: Vec<String> = env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if let Some(setting) = super::settings::setting("env") {
            declared.push(Declared {
                setting,
                value: Json::from(entries),
            });
        }
    }
    let position = |d: &Declared| {
        super::settings::SETTINGS
            .iter()
            .position(|s| s.name == d.setting.name)
    };
    declared.sort_by_key(position);
    Ok(declared)
}

fn create(spec: &ContainerSpec, declared: &[Declared]) -> Delta {
    let Some(image) = &spec.image else {
        return delta(
            Action::Refused,
            Reason::Other("the container does not exist and the task names no image".into()),
            Vec::new(),
        );
    };
    let mut changes = vec![change("image", None, image)];
    for item in declared {
        changes.extend(compare::changes(
            item.setting,
            super::settings::Comparison::AllowMorePresent,
            &item.value,
            None,
        ));
    }
    if let Some(desired) = &spec.networks {
        changes.extend(networks::changes(
            desired,
            &Default::default(),
            super::settings::Comparison::AllowMorePresent,
        ));
    }
    if spec.state.runs() {
        changes.push(AttrChange {
            path: RUNNING.into(),
            before: None,
            after: Some(Value::Bool(true)),
            sensitive: false,
        });
    }
    delta(Action::Create, Reason::Missing, changes)
}

fn existing(
    spec: &ContainerSpec,
    live: &ContainerLive,
    container: &ObservedContainer,
    declared: &[Declared],
) -> Delta {
    let image_config = live.image.as_ref().map(|i| &i.config);
    let mut recreate_changes = Vec::new();
    let mut in_place = Vec::new();
    for item in declared {
        let comparison = spec.comparisons.of(item.setting.name);
        let want = expected::expected(item.setting, &item.value, image_config);
        let have = expected::live(item.setting, &container.inspect);
        if compare::matches(item.setting.shape, comparison, &want, have.as_ref()) {
            continue;
        }
        let found = compare::changes(item.setting, comparison, &want, have.as_ref());
        if item.setting.in_place {
            in_place.extend(found);
        } else {
            recreate_changes.extend(found);
        }
    }
    recreate_changes.extend(image_changes(spec, live, container));
    let network_changes = match &spec.networks {
        Some(desired) => networks::changes(
            desired,
            &container.networks,
            spec.comparisons.of("networks"),
        ),
        None => Vec::new(),
    };
    if !recreate_changes.is_empty() || spec.recreate {
        let mut forced: Vec<String> = recreate_changes.iter().map(|c| c.path.clone()).collect();
        if spec.recreate {
            forced.push("recreate".into());
        }
        let mut changes = recreate_changes;
        changes.extend(in_place);
        changes.extend(network_changes);
        return delta(Action::Replace, Reason::RequiresReplace(forced), changes);
    }
    let mut changes = in_place;
    changes.extend(network_changes);
    if spec.state.runs() != container.running && spec.state != DesiredState::Present {
        changes.push(AttrChange {
            path: RUNNING.into(),
            before: Some(Value::Bool(container.running)),
            after: Some(Value::Bool(spec.state.runs())),
            sensitive: false,
        });
    }
    let restart = spec.restart && spec.state.runs() && container.running;
    match (changes.is_empty(), restart) {
        (true, false) => Delta::no_op(),
        (true, true) => delta(
            Action::Restart,
            Reason::Other("restart: true restarts the container on every run".into()),
            Vec::new(),
        ),
        (false, restart) => {
            if restart {
                changes.push(AttrChange {
                    path: RESTART.into(),
                    before: None,
                    after: Some(Value::Bool(true)),
                    sensitive: false,
                });
            }
            delta(Action::Update, Reason::AttributesDiffer, changes)
        }
    }
}

/// A different image ID behind the same name (or an image the host does not have yet), and with
/// `image_name_mismatch: recreate`, a container made from another name for the same image.
fn image_changes(
    spec: &ContainerSpec,
    live: &ContainerLive,
    container: &ObservedContainer,
) -> Vec<AttrChange> {
    let Some(reference) = &spec.image else {
        return Vec::new();
    };
    if spec.comparisons.of("image") == super::settings::Comparison::Ignore {
        return Vec::new();
    }
    let mut out = Vec::new();
    match &live.image {
        Some(image) if image.id == container.image_id => {}
        Some(image) => out.push(change("image", Some(&container.image_id), &image.id)),
        // Pulled or delivered at apply: its ID is known after apply.
        None => out.push(AttrChange {
            path: "image".into(),
            before: Some(Value::from(container.image_id.as_str())),
            after: None,
            sensitive: false,
        }),
    }
    if spec.recreate_on_image_name_mismatch
        && container.image_name.as_deref() != Some(reference.as_str())
    {
        out.push(AttrChange {
            path: "image_name".into(),
            before: container.image_name.as_deref().map(Value::from),
            after: Some(Value::from(reference.as_str())),
            sensitive: false,
        });
    }
    out
}
