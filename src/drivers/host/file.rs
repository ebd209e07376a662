//! `ansible.builtin.file`: directories, symbolic links, removal, and the owner/group/mode of what
//! exists. `state: touch` changes timestamps on every run, so it has no desired state and is refused;
//! `state: hard` is not supported yet.

use std::time::Duration;

use super::args::{Args, link_target_path, parent_dir};
use super::attrs::{FileAttrs, Observed, after_of, change, chmod_octal, chown_arg};
use super::exec::run;
use crate::diff::{Action, AttrChange, Delta, Reason};
use crate::drivers::{ApplyError, BoxFuture, Kind, Provision, Requirement, SpecError};
use crate::facts::{FactRequest, Facts, FileType, HostExec, PathFact, TreeEntry};
use crate::value::{Map, Value};

/// Entries of a recursive change listed one by one; the rest are counted.
const LISTED_ENTRIES: usize = 100;

pub struct File;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileState {
    Absent,
    Directory,
    File,
    Link,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FileSpec {
    pub path: String,
    /// `None`: Ansible's default, whatever the path already is.
    pub state: Option<FileState>,
    /// The link target, as written (relative targets are relative to the link's directory).
    pub src: Option<String>,
    pub recurse: bool,
    pub force: bool,
    pub follow: bool,
    pub attrs: FileAttrs,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FileLive {
    pub path: Option<PathFact>,
    /// For links: the `src` path as the link would resolve it.
    pub src_target: Option<PathFact>,
    pub tree: Option<Vec<TreeEntry>>,
    pub umask: u32,
}

impl FileSpec {
    fn src_path(&self) -> Option<String> {
        self.src.as_ref().map(|s| link_target_path(&self.path, s))
    }
}

impl Kind for File {
    type Spec = FileSpec;
    type Live = FileLive;

    const NAME: &'static str = "ansible.builtin.file";
    const ALIASES: &'static [&'static str] = &["file", "ansible.legacy.file"];

    fn parse(map: &Map) -> Result<FileSpec, Vec<SpecError>> {
        let mut args = Args::new(Self::NAME, map);
        let path = args.required_path("path", &["dest", "name"]);
        let state = args
            .choice(
                "state",
                &[],
                &["absent", "directory", "file", "hard", "link", "touch"],
            )
            .and_then(|state| match state.as_str() {
                "absent" => Some(FileState::Absent),
                "directory" => Some(FileState::Directory),
                "file" => Some(FileState::File),
                "link" => Some(FileState::Link),
                "touch" => {
                    args.push(
                        SpecError::new(
                            Some("state"),
                            "state: touch updates the file's times on every run, so it has no \
                             desired state to plan",
                        )
                        .with_help(
                            "to make sure a file exists, use ansible.builtin.copy with content: '' \
                             and force: false; to set attributes of an existing file, use state: file",
                        ),
                    );
                    None
                }
                _ => {
                    args.push(
                        SpecError::new(Some("state"), "state: hard is not supported by plimsoll yet")
                            .with_help("use state: link, or a copy of the file"),
                    );
                    None
                }
            });
        let src = args.str("src", &[]);
        let recurse = args.bool("recurse", &[], false);
        let force = args.bool("force", &[], false);
        let follow = args.bool("follow", &[], true);
        let attrs = FileAttrs::parse(&mut args);
        for name in ["modification_time", "access_time"] {
            if let Some(value) = args.str(name, &[])
                && value != "preserve"
            {
                args.error(
                    Some(name),
                    format!("{name}: {value} is not supported: only preserve (the default) is"),
                );
            }
        }
        args.ignored("modification_time_format");
        args.ignored("access_time_format");
        if recurse && !matches!(state, None | Some(FileState::Directory)) {
            args.error(
                Some("recurse"),
                "recurse option requires state to be 'directory'",
            );
        }
        if src.is_some() && !matches!(state, Some(FileState::Link)) && !args.has_errors() {
            args.error(
                Some("src"),
                "src option requires state to be 'link' or 'hard'",
            );
        }
        if let Some(src) = &src
            && (src.is_empty() || src.contains('\0'))
        {
            args.error(Some("src"), "src must be a non-empty path");
        }
        args.finish()?;
        Ok(FileSpec {
            path,
            state,
            src,
            recurse,
            force,
            follow,
            attrs,
        })
    }

    fn key(spec: &FileSpec) -> String {
        spec.path.clone()
    }

    /// Only what the task can create: a directory or a link (state: file never creates anything).
    fn provides(spec: &FileSpec) -> Vec<Provision> {
        match spec.state {
            Some(FileState::Directory | FileState::Link) => {
                vec![Provision::Path(spec.path.clone())]
            }
            None if spec.recurse => vec![Provision::Path(spec.path.clone())],
            _ => Vec::new(),
        }
    }

    fn requires(spec: &FileSpec) -> Vec<Requirement> {
        let mut out = vec![Requirement::Path(parent_dir(&spec.path))];
        if spec.state == Some(FileState::File) {
            // state: file never creates the file: whatever creates it comes first.
            out.push(Requirement::Path(spec.path.clone()));
        }
        if let Some(target) = spec.src_path() {
            out.push(Requirement::Path(target));
        }
        if spec.state != Some(FileState::Absent) {
            out.extend(spec.attrs.requires());
        }
        out
    }

    fn facts(spec: &FileSpec) -> Vec<FactRequest> {
        let mut out = vec![FactRequest::Path(spec.path.clone())];
        if let Some(target) = spec.src_path() {
            out.push(FactRequest::Path(target));
        }
        if spec.recurse {
            out.push(FactRequest::Tree(spec.path.clone()));
        }
        if spec.attrs.needs_umask() {
            out.push(FactRequest::Umask);
        }
        out
    }

    fn live(spec: &FileSpec, facts: &Facts) -> Result<FileLive, String> {
        let src_target = match spec.src_path() {
            Some(target) => facts.path(&target)?.cloned(),
            None => None,
        };
        let tree = if spec.recurse {
            facts.tree(&spec.path)?.map(<[TreeEntry]>::to_vec)
        } else {
            None
        };
        Ok(FileLive {
            path: facts.path(&spec.path)?.cloned(),
            src_target,
            tree,
            umask: if spec.attrs.needs_umask() {
                facts.umask()?
            } else {
                0o022
            },
        })
    }

    fn diff(spec: &FileSpec, live: &FileLive) -> Delta {
        let state = match (spec.state, &live.path) {
            (Some(state), _) => state,
            // Ansible's default: the state the path is already in.
            (None, Some(fact)) => match fact.file_type {
                FileType::Directory => FileState::Directory,
                FileType::Link => FileState::Link,
                _ if spec.recurse => {
                    return refused(format!(
                        "{} is a {}: recurse option requires state to be 'directory'",
                        spec.path,
                        fact.file_type.state_word()
                    ));
                }
                _ => FileState::File,
            },
            (None, None) if spec.recurse => FileState::Directory,
            (None, None) => FileState::File,
        };
        match state {
            FileState::Absent => diff_absent(live),
            FileState::Directory => diff_directory(spec, live),
            FileState::File => diff_file(spec, live),
            FileState::Link => diff_link(spec, live),
        }
    }

    fn apply<'a>(
        host: &'a dyn HostExec,
        spec: &'a FileSpec,
        delta: &'a Delta,
    ) -> BoxFuture<'a, Result<(), ApplyError>> {
        Box::pin(async move {
            let args = apply_args(spec, delta);
            run(host, FILE_SCRIPT, &args, b"", Duration::from_secs(300)).await
        })
    }
}

fn refused(reason: String) -> Delta {
    Delta {
        action: Action::Refused,
        reason: Reason::Other(reason),
        changes: Vec::new(),
        text_changes: Vec::new(),
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

fn updates(changes: Vec<AttrChange>) -> Delta {
    if changes.is_empty() {
        Delta::no_op()
    } else {
        delta(Action::Update, Reason::AttributesDiffer, changes)
    }
}

fn state_change(before: Option<&str>, after: &str) -> AttrChange {
    change("state", before, after)
}

fn diff_absent(live: &FileLive) -> Delta {
    match &live.path {
        None => Delta::no_op(),
        Some(fact) => delta(
            Action::Delete,
            Reason::Absent,
            vec![state_change(Some(fact.file_type.state_word()), "absent")],
        ),
    }
}

/// What attributes apply to: with `follow`, a link's final target (`None` when it dangles).
enum Subject<'a> {
    Missing,
    Found(&'a PathFact),
}

impl Subject<'_> {
    fn is_missing(&self) -> bool {
        matches!(self, Subject::Missing)
    }
}

fn subject<'a>(fact: Option<&'a PathFact>, follow: bool) -> Subject<'a> {
    match fact {
        None => Subject::Missing,
        Some(f) if f.file_type == FileType::Link && follow => match &f.resolved {
            Some(resolved) => match &resolved.fact {
                Some(target) => Subject::Found(target),
                None => Subject::Missing,
            },
            None => Subject::Missing,
        },
        Some(f) => Subject::Found(f),
    }
}

fn diff_directory(spec: &FileSpec, live: &FileLive) -> Delta {
    match subject(live.path.as_ref(), spec.follow) {
        Subject::Missing => {
            let mut changes = vec![state_change(None, "directory")];
            changes.extend(
                spec.attrs
                    .create_changes(0o777 & !live.umask, true, live.umask),
            );
            delta(Action::Create, Reason::Missing, changes)
        }
        Subject::Found(fact) if fact.file_type != FileType::Directory => refused(format!(
            "{} already exists as a {}",
            spec.path,
            fact.file_type.state_word()
        )),
        Subject::Found(fact) => {
            let mut changes = spec.attrs.changes(&Observed::from(fact), live.umask, "");
            if spec.recurse {
                changes.extend(contents_changes(spec, live));
            }
            updates(changes)
        }
    }
}

/// Attributes of everything below a directory (`recurse: true`), listed per entry up to a limit.
fn contents_changes(spec: &FileSpec, live: &FileLive) -> Vec<AttrChange> {
    let Some(tree) = &live.tree else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut unlisted = 0usize;
    let mut listed = 0usize;
    for entry in tree {
        let prefix = format!("contents[{}].", entry.path);
        let changes = spec
            .attrs
            .changes(&Observed::from(entry), live.umask, &prefix);
        if changes.is_empty() {
            continue;
        }
        if listed < LISTED_ENTRIES {
            listed += 1;
            out.extend(changes);
        } else {
            unlisted += 1;
        }
    }
    if unlisted > 0 {
        out.push(AttrChange {
            path: "contents[...]".into(),
            before: Some(Value::from(format!("{unlisted} more entries differ"))),
            after: Some(Value::from("as above")),
            sensitive: false,
        });
    }
    out
}

fn diff_file(spec: &FileSpec, live: &FileLive) -> Delta {
    match subject(live.path.as_ref(), spec.follow) {
        Subject::Missing => refused(format!(
            "file ({}) is absent, cannot continue: state: file never creates a file",
            spec.path
        )),
        Subject::Found(fact) if matches!(fact.file_type, FileType::Directory | FileType::Link) => {
            refused(format!(
                "file ({}) is {}, cannot continue",
                spec.path,
                fact.file_type.state_word()
            ))
        }
        Subject::Found(fact) => updates(spec.attrs.changes(&Observed::from(fact), live.umask, "")),
    }
}

fn diff_link(spec: &FileSpec, live: &FileLive) -> Delta {
    // With follow, attributes go to what the link leads to once it points at src.
    let target_attrs = |changes: &mut Vec<AttrChange>| match subject(live.src_target.as_ref(), true)
    {
        Subject::Found(target) => {
            changes.extend(spec.attrs.changes(&Observed::from(target), live.umask, ""))
        }
        Subject::Missing => {}
    };
    let Some(src) = &spec.src else {
        // No src: only the attributes of an existing link are managed.
        return match &live.path {
            Some(fact) if fact.file_type == FileType::Link => {
                let observed = match subject(Some(fact), spec.follow) {
                    Subject::Found(target) => Observed::from(target),
                    Subject::Missing => Observed::from(fact),
                };
                updates(spec.attrs.changes(&observed, live.umask, ""))
            }
            _ => refused(format!(
                "src is required for creating new symlinks ({})",
                spec.path
            )),
        };
    };
    if !spec.force && subject(live.src_target.as_ref(), true).is_missing() {
        return refused(format!(
            "src file does not exist, use force: true if you really want to create the link: {}",
            spec.src_path().unwrap_or_default()
        ));
    }
    let Some(fact) = &live.path else {
        let mut changes = vec![state_change(None, "link"), change("src", None, src)];
        if spec.follow {
            target_attrs(&mut changes);
        } else {
            changes.extend(
                spec.attrs
                    .create_changes(0o777, false, live.umask)
                    .into_iter()
                    .filter(|c| c.path != "mode"),
            );
        }
        return delta(Action::Create, Reason::Missing, changes);
    };
    if fact.file_type == FileType::Link {
        let mut changes = Vec::new();
        if fact.link_target.as_deref() != Some(src.as_str()) {
            changes.push(change("src", fact.link_target.as_deref(), src));
        }
        if spec.follow {
            target_attrs(&mut changes);
        } else {
            changes.extend(spec.attrs.changes(&Observed::from(fact), live.umask, ""));
        }
        return updates(changes);
    }
    let word = match fact.file_type {
        FileType::Directory => "directory",
        _ => "file",
    };
    if !spec.force {
        return refused(format!(
            "refusing to convert from {word} to symlink for {} (force: true replaces it)",
            spec.path
        ));
    }
    let mut changes = vec![state_change(Some(word), "link"), change("src", None, src)];
    if spec.follow {
        target_attrs(&mut changes);
    }
    delta(
        Action::Replace,
        Reason::RequiresReplace(vec!["state".into()]),
        changes,
    )
}

/// One script for every file change; the first argument names the operation. Paths and names are
/// positional arguments, never script text.
const FILE_SCRIPT: &str = r#"set -eu
op=$1 path=$2 follow=$3 mode=$4 owner=$5 group=$6 src=$7 rmode=$8 rowner=$9
fail() { printf '%s\n' "$*" >&2; exit 1; }
# Attributes of one object; -h: a link's own owner (Ansible's lchown).
attrs() {
  if [ -n "$owner" ]; then chown -h -- "$owner" "$1"; fi
  if [ -n "$group" ]; then chgrp -h -- "$group" "$1"; fi
  if [ -n "$mode" ] && [ ! -L "$1" ]; then chmod -- "$mode" "$1"; fi
}
resolve() {
  target=$path
  if [ "$follow" = 1 ] && [ -L "$path" ]; then
    target=$(readlink -f -- "$path" && echo x) || fail "cannot resolve the link $path"
    target=${target%??}
  fi
}
# mkdir -p, with the attributes applied to each directory it creates (as Ansible's file module does).
mkdirs() {
  rest=${1#/} cur=
  while [ -n "$rest" ]; do
    case $rest in
      */*) part=${rest%%/*} rest=${rest#*/} ;;
      *) part=$rest rest= ;;
    esac
    [ -n "$part" ] || continue
    cur=$cur/$part
    if [ ! -e "$cur" ] && [ ! -L "$cur" ]; then mkdir -- "$cur"; attrs "$cur"; fi
  done
}
case $op in
  absent) rm -rf -- "$path" ;;
  directory)
    resolve
    if [ -d "$target" ]; then attrs "$target"; else mkdirs "$target"; fi
    if [ -n "$rowner" ]; then find -H "$target" -mindepth 1 -exec chown -h -- "$rowner" {} +; fi
    if [ -n "${10}" ]; then find -H "$target" -mindepth 1 -exec chgrp -h -- "${10}" {} +; fi
    if [ -n "$rmode" ]; then find -H "$target" -mindepth 1 ! -type l -exec chmod -- "$rmode" {} +; fi ;;
  file) resolve; attrs "$target" ;;
  link)
    if [ "${11}" = 1 ]; then
      dir=${path%/*}; [ -n "$dir" ] || dir=/
      if [ -d "$path" ] && [ ! -L "$path" ]; then
        rmdir -- "$path" 2>/dev/null || fail "the directory $path is not empty, refusing to convert it"
      fi
      tmp=$dir/.plimsoll-link.$$
      ln -s -- "$src" "$tmp"
      mv -fT -- "$tmp" "$path" || { rm -f -- "$tmp"; exit 1; }
    fi
    if [ "$follow" = 1 ]; then
      if [ -e "$path" ]; then resolve; attrs "$target"; fi
    else
      mode=; attrs "$path"
    fi ;;
  *) fail "unknown operation $op" ;;
esac
"#;

/// The script's arguments, taken from the spec and the delta (which says what to change).
fn apply_args(spec: &FileSpec, delta: &Delta) -> Vec<String> {
    let changes = &delta.changes;
    let op = match (delta.action, spec.state) {
        (Action::Delete, _) => "absent",
        (_, Some(FileState::Link)) => "link",
        (_, Some(FileState::Directory)) => "directory",
        (_, Some(FileState::File)) => "file",
        // No state: the diff went by what exists; a directory is the only case with more to do.
        _ if recursive(changes, "") || after_of(changes, "state") == Some("directory") => {
            "directory"
        }
        _ => "file",
    };
    let owner = after_of(changes, "owner")
        .map(chown_arg)
        .unwrap_or_default();
    let group = after_of(changes, "group")
        .map(chown_arg)
        .unwrap_or_default();
    let mode = after_of(changes, "mode")
        .and_then(chmod_octal)
        .unwrap_or_default();
    let pick = |attr: &str, value: Option<&String>| {
        if recursive(changes, attr) {
            value.map(|v| chown_arg(v)).unwrap_or_default()
        } else {
            String::new()
        }
    };
    let rmode = if recursive(changes, "mode") {
        spec.attrs
            .mode
            .as_ref()
            .map(|m| match m {
                super::mode::Mode::Octal(o) => format!("{o:05o}"),
                symbolic => symbolic.chmod_arg(),
            })
            .unwrap_or_default()
    } else {
        String::new()
    };
    let relink = changes.iter().any(|c| c.path == "src");
    vec![
        op.to_string(),
        spec.path.clone(),
        if spec.follow { "1" } else { "0" }.to_string(),
        mode,
        owner,
        group,
        spec.src.clone().unwrap_or_default(),
        rmode,
        pick("owner", spec.attrs.owner.as_ref()),
        pick("group", spec.attrs.group.as_ref()),
        if relink { "1" } else { "0" }.to_string(),
    ]
}

/// Whether some entry below the directory needs `attr` changed (any attribute when `attr` is empty).
fn recursive(changes: &[AttrChange], attr: &str) -> bool {
    changes.iter().any(|c| {
        c.path.starts_with("contents[")
            && (attr.is_empty() || c.path.ends_with(&format!(".{attr}")))
            || c.path == "contents[...]"
    })
}
