//! A `docker_container` task's arguments, normalised to what the engine stores.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde_json::Value as Json;

use super::settings::{Comparison, SPECIAL_COMPARISONS, Setting, setting};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DesiredState {
    Absent,
    /// Exists (created), running or not.
    Present,
    Started,
    Stopped,
    /// Started, and `apply` waits until its healthcheck passes (`healthy_wait_timeout`).
    Healthy,
}

impl DesiredState {
    pub fn runs(self) -> bool {
        matches!(self, DesiredState::Started | DesiredState::Healthy)
    }
}

/// When the image is pulled: `never`, or only when the host lacks it (`missing`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pull {
    Never,
    Missing,
}

/// One entry of `networks`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkSpec {
    pub name: String,
    pub ipv4_address: Option<String>,
    pub ipv6_address: Option<String>,
    pub aliases: Vec<String>,
}

/// A declared option and its desired value in the engine's form.
#[derive(Clone, Debug, PartialEq)]
pub struct Declared {
    pub setting: &'static Setting,
    pub value: Json,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ContainerSpec {
    pub name: String,
    /// The project whose ownership label a created container carries.
    pub project: Option<String>,
    pub state: DesiredState,
    pub image: Option<String>,
    pub pull: Pull,
    /// Options with a place in the engine's description, in [`super::settings::SETTINGS`] order.
    /// `env` is kept apart: it may come partly from `env_file`.
    pub settings: Vec<Declared>,
    /// `env`, in the order written. Values may be secrets.
    pub env: Option<IndexMap<String, String>>,
    /// A file on the host with `KEY=value` lines, read before `env` (which overrides it).
    pub env_file: Option<String>,
    pub networks: Option<Vec<NetworkSpec>>,
    pub networks_cli_compatible: bool,
    pub comparisons: Comparisons,
    pub restart: bool,
    pub recreate: bool,
    pub force_kill: bool,
    pub kill_signal: Option<String>,
    pub keep_volumes: bool,
    pub stop_timeout: Option<i64>,
    /// Recreate when the container was made from another image name, even with the same ID.
    pub recreate_on_image_name_mismatch: bool,
    /// Seconds `state: healthy` waits; `None` waits without end.
    pub healthy_wait_timeout: Option<f64>,
}

impl ContainerSpec {
    pub fn declared(&self, name: &str) -> Option<&Json> {
        self.settings
            .iter()
            .find(|d| d.setting.name == name)
            .map(|d| &d.value)
    }
}

/// How each option compares: the defaults, then `'*'`, then each named option.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comparisons {
    wildcard: Option<Comparison>,
    named: BTreeMap<String, Comparison>,
}

impl Comparisons {
    pub fn new(wildcard: Option<Comparison>, named: BTreeMap<String, Comparison>) -> Self {
        Self { wildcard, named }
    }

    /// The comparison for an option of [`super::settings::SETTINGS`] or `image`/`networks`.
    pub fn of(&self, name: &str) -> Comparison {
        // `volume_binds` is how `volumes` reach HostConfig.Binds: they compare alike.
        let lookup = if name == "volume_binds" {
            "volumes"
        } else {
            name
        };
        if let Some(named) = self.named.get(lookup) {
            return *named;
        }
        if let Some(wildcard) = self.wildcard {
            return wildcard;
        }
        match setting(name) {
            Some(s) => s.default_comparison(),
            // `image` is strict; `networks` allow more than declared unless told otherwise.
            None if name == "networks" => Comparison::AllowMorePresent,
            None => Comparison::Strict,
        }
    }

    /// Whether `name` is something `comparisons` may name.
    pub fn knows(name: &str) -> bool {
        setting(name).is_some() || SPECIAL_COMPARISONS.contains(&name)
    }
}
