use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;

use thiserror::Error;

use crate::diff::Delta;
use crate::facts::{FactRequest, Facts};
use crate::value::Map;

/// The internal argument carrying the project name to kinds that label what they make.
pub const PROJECT_ARG: &str = "_plimsoll_project";

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Something a resource makes exist, which others may need (implicit graph edges).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Provision {
    /// A filesystem path on the resource's host (a directory or a file).
    Path(String),
    User(String),
    Group(String),
    /// A named object of some class on the resource's host (`Object("docker network", "backend")`);
    /// met only by a requirement of the same class and name.
    Object(&'static str, String),
}

/// Something a resource needs to exist first. A `Path` requirement is met by the nearest ancestor
/// directory that some resource provides.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Requirement {
    Path(String),
    User(String),
    Group(String),
    Object(&'static str, String),
}

/// A problem with a task's arguments, found before anything connects.
#[derive(Clone, Debug, Error, PartialEq)]
#[error("{message}")]
pub struct SpecError {
    /// The argument at fault (`mode`, `owner`), if one is.
    pub argument: Option<String>,
    pub message: String,
    pub help: Option<String>,
}

impl SpecError {
    pub fn new(argument: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            argument: argument.map(str::to_string),
            message: message.into(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

#[derive(Clone, Debug, Error, PartialEq)]
pub enum ApplyError {
    #[error("{0}")]
    Failed(String),
    #[error("the remote call failed: {0}")]
    Transport(String),
}

/// One resource kind: how its arguments parse, what it needs and provides, which facts describe its
/// live state, how live compares with desired (pure), and how a change is made.
pub trait Kind: Send + Sync + 'static {
    type Spec: Clone + Debug + Send + Sync + 'static;
    type Live: Clone + Debug + Send + Sync + 'static;

    /// The canonical module name (`ansible.builtin.file`).
    const NAME: &'static str;
    /// Other names Ansible accepts for it (`file`, `ansible.legacy.file`).
    const ALIASES: &'static [&'static str];
    /// Whether the objects it makes carry plimsoll's ownership label: the loader then passes the
    /// project's name to `parse` in the argument [`PROJECT_ARG`].
    const LABELS_OWNERSHIP: bool = false;
    /// Arguments (dotted for nested ones: `build.path`) that name a file or directory on the controller.
    /// The loader finds each where Ansible looks for a role's files (the role's `files/`, the role, the
    /// playbook's directory) and passes `parse` its absolute path; one that cannot be found is a load
    /// error at the argument.
    const CONTROLLER_PATHS: &'static [&'static str] = &[];

    /// Reads what the task needs from the controller into its arguments, at load time (a build
    /// context's digest, the image an archive holds), after [`Kind::CONTROLLER_PATHS`] were made
    /// absolute. Most kinds need nothing.
    fn read_controller_inputs(_args: &mut Map) -> Result<(), SpecError> {
        Ok(())
    }

    /// Arguments → spec, with Ansible's argument names, aliases and checks. Unknown arguments are errors.
    fn parse(args: &Map) -> Result<Self::Spec, Vec<SpecError>>;

    /// What identifies the managed object on its host (a path, a user name).
    fn key(spec: &Self::Spec) -> String;

    fn provides(_spec: &Self::Spec) -> Vec<Provision> {
        Vec::new()
    }

    fn requires(_spec: &Self::Spec) -> Vec<Requirement> {
        Vec::new()
    }

    /// The facts `live` needs; the observer gathers every resource's facts for a host in one batch.
    fn facts(spec: &Self::Spec) -> Vec<FactRequest>;

    /// Live state from the gathered facts. Pure.
    fn live(spec: &Self::Spec, facts: &Facts) -> Result<Self::Live, String>;

    /// For kinds whose objects carry the ownership label: the fact listing a project's objects on a
    /// host, for pruning. `None`: this kind is never pruned.
    fn owned_query(_project: &str) -> Option<FactRequest> {
        None
    }

    /// The names of the project's objects of this kind in the facts [`Kind::owned_query`] asked for.
    fn owned_names(_project: &str, _facts: &Facts) -> Vec<String> {
        Vec::new()
    }

    /// The arguments that remove object `name` (pruning plans them like a task with these arguments).
    fn prune_args(name: &str) -> Map {
        let mut args = Map::new();
        args.insert("name".into(), crate::value::Value::Str(name.to_string()));
        args.insert("state".into(), crate::value::Value::Str("absent".into()));
        args
    }

    /// Prunes run in rounds, lowest first, so an object goes before what it uses (containers before
    /// their networks and images).
    const PRUNE_ROUND: u8 = 0;

    /// Desired vs live. Pure: unit-tested with fixtures.
    fn diff(spec: &Self::Spec, live: &Self::Live) -> Delta;

    /// Makes the change the delta describes; never decides whether to (diff did).
    fn apply<'a>(
        host: &'a dyn crate::facts::HostExec,
        spec: &'a Self::Spec,
        delta: &'a Delta,
    ) -> BoxFuture<'a, Result<(), ApplyError>>;
}
