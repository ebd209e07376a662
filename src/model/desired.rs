use indexmap::IndexMap;

use super::{Become, ResourceId};
use crate::drivers::AnySpec;
use crate::source::Span;
use crate::value::Map;

/// A reference to another task by name, optionally on another host (`depends_on: "db1: Create schema"`).
#[derive(Clone, Debug, PartialEq)]
pub struct DependencyRef {
    pub host: Option<String>,
    pub task: String,
    pub declared_at: Option<Span>,
}

/// One task, resolved for one host: its kind, its rendered arguments and its provenance.
#[derive(Clone)]
pub struct DesiredResource {
    pub id: ResourceId,
    /// The kind's parsed spec (see `drivers::ErasedKind::parse`); `id.kind` names the kind.
    pub spec: AnySpec,
    /// The task's `name:` (or a name made from the kind and key).
    pub display_name: String,
    /// The task's arguments after templating, `omit` removed.
    pub args: Map,
    pub declared_at: Span,
    pub depends_on: Vec<DependencyRef>,
    pub notify: Vec<String>,
    pub tags: Vec<String>,
    /// `no_log: true`: values never print.
    pub no_log: bool,
    /// `become`: whom the resource is observed and changed as; `None` runs as the connecting user.
    pub become_as: Option<Become>,
    /// Position in the host's playbook order; orders work within a host unless the play turns it off.
    pub order: usize,
    /// Whether this play keeps Ansible's in-host order (the default) or only real dependencies.
    pub keep_play_order: bool,
    /// A handler runs only when something that notifies it changes.
    pub is_handler: bool,
}

impl std::fmt::Debug for DesiredResource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DesiredResource")
            .field("id", &self.id)
            .field("display_name", &self.display_name)
            .field("declared_at", &self.declared_at.to_string())
            .field("become_as", &self.become_as)
            .finish_non_exhaustive()
    }
}

/// Every resource on every host, in declaration order.
#[derive(Clone, Debug, Default)]
pub struct DesiredState {
    pub resources: IndexMap<ResourceId, DesiredResource>,
}
