//! The attributes every file-like task shares (`owner`, `group`, `mode`): how they are read, what they
//! require, and how they compare with what a host has (Ansible's `set_fs_attributes_if_different`).

use super::args::Args;
use super::mode::{self, Mode};
use crate::diff::AttrChange;
use crate::drivers::Requirement;
use crate::facts::{FileType, PathFact, TreeEntry};
use crate::value::Value;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileAttrs {
    pub owner: Option<String>,
    pub group: Option<String>,
    pub mode: Option<Mode>,
}

/// The live attributes of one filesystem object.
#[derive(Clone, Debug, PartialEq)]
pub struct Observed {
    pub mode: u32,
    pub owner: String,
    pub group: String,
    pub uid: u32,
    pub gid: u32,
    pub is_dir: bool,
    pub is_link: bool,
}

impl From<&PathFact> for Observed {
    fn from(f: &PathFact) -> Self {
        Self {
            mode: f.mode,
            owner: f.owner.clone(),
            group: f.group.clone(),
            uid: f.uid,
            gid: f.gid,
            is_dir: f.file_type == FileType::Directory,
            is_link: f.file_type == FileType::Link,
        }
    }
}

impl From<&TreeEntry> for Observed {
    fn from(e: &TreeEntry) -> Self {
        Self {
            mode: e.mode,
            owner: e.owner.clone(),
            group: e.group.clone(),
            uid: e.uid,
            gid: e.gid,
            is_dir: e.file_type == FileType::Directory,
            is_link: e.file_type == FileType::Link,
        }
    }
}

/// Python's `int(owner)` decides whether an owner or group is an id or a name.
pub fn numeric_id(name: &str) -> Option<u32> {
    name.trim().trim_start_matches('+').parse().ok()
}

/// The argument `chown`/`chgrp` get: GNU's `+N` forces a number to be read as an id, as Ansible does.
pub fn chown_arg(name: &str) -> String {
    match numeric_id(name) {
        Some(id) => format!("+{id}"),
        None => name.to_string(),
    }
}

impl FileAttrs {
    /// Reads `owner`, `group` and `mode`, and the common file arguments plimsoll cannot plan.
    pub fn parse(args: &mut Args) -> Self {
        Self::parse_with_preserve(args, false).0
    }

    /// As [`FileAttrs::parse`]; with `allow_preserve`, `mode: preserve` (copy and template) is
    /// accepted and reported as `true`, leaving the mode unset.
    pub fn parse_with_preserve(args: &mut Args, allow_preserve: bool) -> (Self, bool) {
        let preserve =
            allow_preserve && args.value("mode", &[]).and_then(Value::as_str) == Some("preserve");
        let owner = args.str("owner", &[]);
        let group = args.str("group", &[]);
        for (name, value) in [("owner", &owner), ("group", &group)] {
            if let Some(value) = value
                && (value.is_empty() || value.contains([':', '\n', '\0']))
            {
                args.error(Some(name), format!("{name}: {value:?} is not a valid name"));
            }
        }
        let mode =
            args.value("mode", &[])
                .filter(|_| !preserve)
                .and_then(|value| match Mode::parse(value) {
                    Ok(mode) => Some(mode),
                    Err(message) => {
                        args.push(
                        crate::drivers::SpecError::new(Some("mode"), message).with_help(
                            "quote the mode as a string ('0644') or write it with a leading zero \
                             (0644) so YAML reads it as octal",
                        ),
                    );
                        None
                    }
                });
        for name in ["seuser", "serole", "selevel", "setype"] {
            args.unsupported(name, &[], "plimsoll does not manage SELinux contexts yet");
        }
        args.unsupported(
            "attributes",
            &["attr"],
            "plimsoll does not manage chattr attributes yet",
        );
        // Only changes how a failed atomic rename falls back; plimsoll's writes are always atomic.
        args.ignored("unsafe_writes");
        (Self { owner, group, mode }, preserve)
    }

    pub fn requires(&self) -> Vec<Requirement> {
        let mut out = Vec::new();
        if let Some(owner) = self.owner.as_ref().filter(|o| numeric_id(o).is_none()) {
            out.push(Requirement::User(owner.clone()));
        }
        if let Some(group) = self.group.as_ref().filter(|g| numeric_id(g).is_none()) {
            out.push(Requirement::Group(group.clone()));
        }
        out
    }

    pub fn needs_umask(&self) -> bool {
        matches!(self.mode, Some(Mode::Symbolic { .. }))
    }

    /// What differs on an existing object, as `<prefix>owner`, `<prefix>group`, `<prefix>mode`.
    /// Linux cannot change a symbolic link's own mode, so a link's mode is never compared.
    pub fn changes(&self, live: &Observed, umask: u32, prefix: &str) -> Vec<AttrChange> {
        let mut out = Vec::new();
        if let Some(owner) = &self.owner {
            let same = match numeric_id(owner) {
                Some(uid) => uid == live.uid,
                None => *owner == live.owner,
            };
            if !same {
                out.push(change(&format!("{prefix}owner"), Some(&live.owner), owner));
            }
        }
        if let Some(group) = &self.group {
            let same = match numeric_id(group) {
                Some(gid) => gid == live.gid,
                None => *group == live.group,
            };
            if !same {
                out.push(change(&format!("{prefix}group"), Some(&live.group), group));
            }
        }
        if let Some(mode) = &self.mode
            && !live.is_link
        {
            let wanted = mode.resolve(live.mode, live.is_dir, umask);
            if wanted != live.mode & 0o7777 {
                out.push(change(
                    &format!("{prefix}mode"),
                    Some(&mode::display(live.mode)),
                    &mode::display(wanted),
                ));
            }
        }
        out
    }

    /// The attributes of something about to be created with mode `base` (what the umask leaves).
    pub fn create_changes(&self, base: u32, is_dir: bool, umask: u32) -> Vec<AttrChange> {
        let mut out = Vec::new();
        if let Some(owner) = &self.owner {
            out.push(change("owner", None, owner));
        }
        if let Some(group) = &self.group {
            out.push(change("group", None, group));
        }
        if let Some(mode) = &self.mode {
            out.push(change(
                "mode",
                None,
                &mode::display(mode.resolve(base, is_dir, umask)),
            ));
        }
        out
    }
}

pub fn change(path: &str, before: Option<&str>, after: &str) -> AttrChange {
    AttrChange {
        path: path.to_string(),
        before: before.map(Value::from),
        after: Some(Value::from(after)),
        sensitive: false,
    }
}

/// The `after` text of the change at `path`, if the delta has one (apply reads its orders here).
pub fn after_of<'a>(changes: &'a [AttrChange], path: &str) -> Option<&'a str> {
    changes
        .iter()
        .find(|c| c.path == path)
        .and_then(|c| c.after.as_ref())
        .and_then(Value::as_str)
}

/// Mode text for `chmod`: five digits, because GNU chmod keeps a directory's setgid bit for shorter
/// numeric modes while Ansible's `os.chmod` clears it.
pub fn chmod_octal(display: &str) -> Option<String> {
    u32::from_str_radix(display, 8)
        .ok()
        .map(|m| format!("{m:05o}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observed(mode: u32) -> Observed {
        Observed {
            mode,
            owner: "root".into(),
            group: "adm".into(),
            uid: 0,
            gid: 4,
            is_dir: false,
            is_link: false,
        }
    }

    #[test]
    fn ids_compare_as_ids_and_names_as_names() {
        let attrs = FileAttrs {
            owner: Some("0".into()),
            group: Some("staff".into()),
            mode: None,
        };
        let changes = attrs.changes(&observed(0o644), 0o022, "");
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].path, "group");
        assert_eq!(chown_arg("1000"), "+1000");
        assert_eq!(chown_arg("www-data"), "www-data");
    }

    #[test]
    fn links_keep_their_mode() {
        let attrs = FileAttrs {
            mode: Some(Mode::Octal(0o600)),
            ..FileAttrs::default()
        };
        let mut link = observed(0o777);
        link.is_link = true;
        assert!(attrs.changes(&link, 0o022, "").is_empty());
        assert_eq!(attrs.changes(&observed(0o644), 0o022, "").len(), 1);
    }

    #[test]
    fn chmod_gets_five_digits() {
        assert_eq!(chmod_octal("0755").as_deref(), Some("00755"));
        assert_eq!(chmod_octal("02775").as_deref(), Some("02775"));
    }
}
