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
    /// For a symbolic link, also the path it resolves to and that path's own fact.
    Path(String),
    /// A path below a user's home directory (`.ssh/authorized_keys`), answered as `Path` is once
    /// the host has looked the home up: a kind can then observe `~user/...` in the same batch as
    /// the user. Absent when the user is.
    HomePath { user: String, relative: String },
    /// Every entry below a directory (the directory itself followed if it is a symlink): type, mode
    /// and ownership, for attributes applied with `recurse`.
    Tree(String),
    /// The passwd entry of a user, its primary group's name, the groups listing it as a member, and
    /// whether its home directory exists.
    User(String),
    /// The group entry of a group (by name, or by gid when the argument is a number).
    Group(String),
    /// The shadow entry of a user (its password hash). Reading it needs root.
    Shadow(String),
    /// The umask the host's shell runs with: it decides new files' modes and symbolic modes without a
    /// `who` part (`+x`).
    Umask,
    /// An object of the host's Docker engine, read through its API (not the shell batch).
    Docker(DockerQuery),
}

/// What a Docker resource asks its host's engine. Names are as the user wrote them (a container or
/// network name, an image reference).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DockerQuery {
    Container(String),
    Image(String),
    Network(String),
    Volume(String),
    /// Every object carrying plimsoll's ownership label for this project (for pruning).
    Owned {
        project: String,
    },
}

impl FactRequest {
    /// Whether the shell batch answers this request (the rest go to the host's endpoints).
    pub fn is_shell(&self) -> bool {
        !matches!(self, FactRequest::Docker(_))
    }
}

/// An object plimsoll's label says it owns.
#[derive(Clone, Debug, PartialEq)]
pub struct OwnedObject {
    /// `container`, `network`, `volume` or `image`.
    pub object_type: String,
    pub name: String,
}

/// The engine's own description of an object, as its API returns it.
#[derive(Clone, Debug, PartialEq)]
pub enum DockerFact {
    Container(Box<bollard::models::ContainerInspectResponse>),
    Image(Box<bollard::models::ImageInspect>),
    Network(Box<bollard::models::NetworkInspect>),
    Volume(Box<bollard::models::Volume>),
    Owned(Vec<OwnedObject>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileType {
    File,
    Directory,
    Link,
    Other(String),
}

impl FileType {
    /// The word Ansible's `file` module uses for this type (`state` in its diffs).
    pub fn state_word(&self) -> &str {
        match self {
            FileType::File => "file",
            FileType::Directory => "directory",
            FileType::Link => "link",
            FileType::Other(name) => name,
        }
    }
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
    /// For a symbolic link: where it leads once every link is followed (`readlink -f`).
    pub resolved: Option<Resolved>,
}

/// The end of a chain of symbolic links.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub path: String,
    /// `None` when the link dangles.
    pub fact: Option<Box<PathFact>>,
}

/// One entry below a directory, relative to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeEntry {
    pub path: String,
    pub file_type: FileType,
    pub mode: u32,
    pub owner: String,
    pub group: String,
    pub uid: u32,
    pub gid: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserFact {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub comment: String,
    pub home: String,
    pub shell: String,
    /// The name of the group `gid` names, if it has an entry.
    pub primary_group: Option<String>,
    /// Groups whose member list names the user (Ansible's `user_group_membership`).
    pub member_of: Vec<String>,
    pub home_exists: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupFact {
    pub name: String,
    pub gid: u32,
    pub members: Vec<String>,
}

#[derive(Clone, PartialEq, Eq)]
pub struct ShadowFact {
    /// The password field: a crypt hash, or `!`/`*` forms for locked accounts.
    pub hash: String,
}

/// The hash never prints, not even in debug output.
impl std::fmt::Debug for ShadowFact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ShadowFact { hash: <hidden> }")
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum FactValue {
    /// The path, user or group does not exist.
    Absent,
    Path(Box<PathFact>),
    Tree(Vec<TreeEntry>),
    User(UserFact),
    Group(GroupFact),
    Shadow(ShadowFact),
    Umask(u32),
    Docker(DockerFact),
    /// The host could not say (e.g. the shadow file needs root); the text says why.
    Unreadable(String),
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

    /// Adds another source's answers (the shell batch's and the endpoints').
    pub fn extend(&mut self, other: Facts) {
        self.values.extend(other.values);
    }

    pub fn get(&self, request: &FactRequest) -> Option<&FactValue> {
        self.values.get(request)
    }

    fn lookup(&self, request: FactRequest, what: &str) -> Result<Option<&FactValue>, String> {
        match self.values.get(&request) {
            None => Err(format!("no fact was gathered for {what}")),
            Some(FactValue::Absent) => Ok(None),
            Some(FactValue::Unreadable(why)) => Err(format!("{what}: {why}")),
            Some(value) => Ok(Some(value)),
        }
    }

    pub fn path(&self, path: &str) -> Result<Option<&PathFact>, String> {
        let what = format!("path {path:?}");
        match self.lookup(FactRequest::Path(path.to_string()), &what)? {
            None => Ok(None),
            Some(FactValue::Path(fact)) => Ok(Some(fact)),
            Some(_) => Err(format!("the fact for {what} has the wrong type")),
        }
    }

    /// The fact for a path below a user's home (see [`FactRequest::HomePath`]).
    pub fn home_path(&self, user: &str, relative: &str) -> Result<Option<&PathFact>, String> {
        let what = format!("~{user}/{relative}");
        let request = FactRequest::HomePath {
            user: user.to_string(),
            relative: relative.to_string(),
        };
        match self.lookup(request, &what)? {
            None => Ok(None),
            Some(FactValue::Path(fact)) => Ok(Some(fact)),
            Some(_) => Err(format!("the fact for {what} has the wrong type")),
        }
    }

    pub fn tree(&self, path: &str) -> Result<Option<&[TreeEntry]>, String> {
        let what = format!("the contents of {path:?}");
        match self.lookup(FactRequest::Tree(path.to_string()), &what)? {
            None => Ok(None),
            Some(FactValue::Tree(entries)) => Ok(Some(entries)),
            Some(_) => Err(format!("the fact for {what} has the wrong type")),
        }
    }

    pub fn user(&self, name: &str) -> Result<Option<&UserFact>, String> {
        let what = format!("user {name:?}");
        match self.lookup(FactRequest::User(name.to_string()), &what)? {
            None => Ok(None),
            Some(FactValue::User(fact)) => Ok(Some(fact)),
            Some(_) => Err(format!("the fact for {what} has the wrong type")),
        }
    }

    pub fn group(&self, name: &str) -> Result<Option<&GroupFact>, String> {
        let what = format!("group {name:?}");
        match self.lookup(FactRequest::Group(name.to_string()), &what)? {
            None => Ok(None),
            Some(FactValue::Group(fact)) => Ok(Some(fact)),
            Some(_) => Err(format!("the fact for {what} has the wrong type")),
        }
    }

    /// The shadow entry; an error when the host could not read it.
    pub fn shadow(&self, name: &str) -> Result<Option<&ShadowFact>, String> {
        let what = format!("the password of user {name:?}");
        match self.lookup(FactRequest::Shadow(name.to_string()), &what)? {
            None => Ok(None),
            Some(FactValue::Shadow(fact)) => Ok(Some(fact)),
            Some(_) => Err(format!("the fact for {what} has the wrong type")),
        }
    }

    /// The engine's answer for a Docker object; `None` when it does not exist.
    pub fn docker(&self, query: &DockerQuery) -> Result<Option<&DockerFact>, String> {
        let what = format!("{query:?}");
        match self.lookup(FactRequest::Docker(query.clone()), &what)? {
            None => Ok(None),
            Some(FactValue::Docker(fact)) => Ok(Some(fact)),
            Some(_) => Err(format!("the fact for {what} has the wrong type")),
        }
    }

    pub fn umask(&self) -> Result<u32, String> {
        match self.lookup(FactRequest::Umask, "the umask")? {
            Some(FactValue::Umask(mask)) => Ok(*mask),
            _ => Err("the umask fact has the wrong type".into()),
        }
    }
}
