use std::path::PathBuf;
use std::sync::Arc;

use crate::model::{DesiredState, ResourceId};
use crate::secrets::VaultSecrets;
use crate::source::Span;
use crate::value::Map;

/// What `resolve` needs besides the playbook, inventory and registry: the command line, already read.
#[derive(Clone, Debug)]
pub struct ResolveOptions {
    /// `--limit`: an Ansible host pattern (`@file` allowed).
    pub limit: Option<String>,
    /// `--tags` / `--skip-tags`, each entry possibly comma-separated.
    pub tags: Vec<String>,
    pub skip_tags: Vec<String>,
    /// `-e`, already parsed (see [`parse_extra_vars`](super::parse_extra_vars)).
    pub extra_vars: Map,
    /// The playbook's directory, absolute: `playbook_dir`, and the last place files are looked for.
    pub playbook_dir: PathBuf,
    /// Opens `!vault` values, vaulted vars files and vaulted `copy` sources.
    pub secrets: Arc<VaultSecrets>,
    /// Where a relative `--limit @file` is read from.
    pub cwd: PathBuf,
}

/// The desired state of every host the playbook targets.
#[derive(Clone, Debug, Default)]
pub struct Resolved {
    pub resources: DesiredState,
    pub plays: Vec<PlayInfo>,
    /// Every host some play targets, in the order plays first name them.
    pub hosts: Vec<String>,
    /// A `localhost` Ansible would make up because a play names it and the inventory does not have it
    /// (it connects locally). Callers add it to the inventory before connecting.
    pub implicit_localhost: Option<String>,
    /// Hosts a play with `connection: local` targets and whose inventory sets no
    /// `ansible_connection`: they run on this machine. Callers set their `ansible_connection` to
    /// `local` before connecting.
    pub local_hosts: Vec<String>,
}

/// One play as the executor needs it: its hosts, batching and failure threshold.
#[derive(Clone, Debug)]
pub struct PlayInfo {
    /// `name:`, or the host pattern as Ansible shows a nameless play.
    pub name: String,
    pub hosts: Vec<String>,
    /// `serial:` batch sizes, in order; the last repeats. Empty: all hosts at once.
    pub serial: Vec<BatchSize>,
    /// `max_fail_percentage:` (0–100); `None` when not set.
    pub max_fail_percentage: Option<f64>,
    pub keep_play_order: bool,
    /// The resources this play declares, in order (handlers included).
    pub resources: Vec<ResourceId>,
    pub declared_at: Span,
}

/// One `serial:` entry: a number of hosts, or a percentage of the play's hosts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BatchSize {
    Hosts(usize),
    Percent(f64),
}
