use std::fmt;

use serde::Serialize;

/// Where a resource lives: on one host, or on a cluster reached through its members (Kafka topics).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Scope {
    Host(String),
    Cluster(String),
}

impl Scope {
    pub fn name(&self) -> &str {
        match self {
            Scope::Host(name) | Scope::Cluster(name) => name,
        }
    }
}

/// A stable identity: scope, kind and the kind's key (a path, a user name, a container name).
/// Two tasks that manage the same thing on the same host get the same id, which is how duplicate
/// declarations are caught.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ResourceId {
    pub scope: Scope,
    pub kind: String,
    pub key: String,
}

impl ResourceId {
    pub fn on_host(host: &str, kind: &str, key: &str) -> Self {
        Self {
            scope: Scope::Host(host.to_string()),
            kind: kind.to_string(),
            key: key.to_string(),
        }
    }
}

/// `h1: ansible.builtin.file[/etc/app]`
impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}[{}]", self.scope.name(), self.kind, self.key)
    }
}
