//! Facts: read-only observations of a host, requested by resource kinds and gathered per host in one
//! batch (pyinfra's facts, kept apart from the code that decides what to change).

mod host_exec;
mod shell_batch;

use std::collections::BTreeMap;

pub use host_exec::{ExecOutput, HostExec};
pub use shell_batch::{BATCH_SCRIPT, CONTENT_LIMIT, batch_args, parse_batch_output};

/// One observation a kind needs.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FactRequest {
    /// `lstat` of a path, its link target, and for a regular file its sha256 and (when small) content.
    Path(String),
    /// The passwd entry of a user.
    User(String),
    /// The group entry of a group.
    Group(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileType {
    File,
    Directory,
    Link,
    Other(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathFact {
    pub file_type: FileType,
    /// Permission bits, e.g. 0o644.
    pub mode: u32,
    pub owner: String,
    pub group: String,
    pub uid: u32,
    pub gid: u32,
    pub size: u64,
    pub link_target: Option<String>,
    pub sha256: Option<String>,
    /// The file's bytes when it is at most [`CONTENT_LIMIT`] long (for showing a diff).
    pub content: Option<Vec<u8>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserFact {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub comment: String,
    pub home: String,
    pub shell: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupFact {
    pub name: String,
    pub gid: u32,
    pub members: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FactValue {
    /// The path, user or group does not exist.
    Absent,
    Path(Box<PathFact>),
    User(UserFact),
    Group(GroupFact),
}

/// The answers to a host's fact requests.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts {
    values: BTreeMap<FactRequest, FactValue>,
}

impl Facts {
    pub fn insert(&mut self, request: FactRequest, value: FactValue) {
        self.values.insert(request, value);
    }

    pub fn get(&self, request: &FactRequest) -> Option<&FactValue> {
        self.values.get(request)
    }

    pub fn path(&self, path: &str) -> Result<Option<&PathFact>, String> {
        match self.get(&FactRequest::Path(path.to_string())) {
            Some(FactValue::Path(fact)) => Ok(Some(fact)),
            Some(FactValue::Absent) => Ok(None),
            _ => Err(format!("no fact was gathered for path {path:?}")),
        }
    }

    pub fn user(&self, name: &str) -> Result<Option<&UserFact>, String> {
        match self.get(&FactRequest::User(name.to_string())) {
            Some(FactValue::User(fact)) => Ok(Some(fact)),
            Some(FactValue::Absent) => Ok(None),
            _ => Err(format!("no fact was gathered for user {name:?}")),
        }
    }

    pub fn group(&self, name: &str) -> Result<Option<&GroupFact>, String> {
        match self.get(&FactRequest::Group(name.to_string())) {
            Some(FactValue::Group(fact)) => Ok(Some(fact)),
            Some(FactValue::Absent) => Ok(None),
            _ => Err(format!("no fact was gathered for group {name:?}")),
        }
    }
}
