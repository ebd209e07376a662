//! What `copy` and `template` share: a file whose whole content is given (literally, from a file the
//! loader read on the controller, or rendered by the loader), written atomically, with the common
//! file attributes. The two kinds differ only in how they read their arguments.

use std::time::Duration;

use sha2::{Digest, Sha256};

use super::args::{Args, parent_dir};
use super::attrs::{FileAttrs, Observed, after_of, change, chmod_octal, chown_arg};
use super::exec::run;
use super::mode::Mode;
use crate::diff::{Action, AttrChange, Delta, Reason, TextChange};
use crate::drivers::{ApplyError, Provision, Requirement, SpecError};
use crate::facts::{CONTENT_LIMIT, FactRequest, Facts, FileType, HostExec, PathFact};
use crate::value::Value;

/// Set by the loader when `mode: preserve`: the mode of the source file on the controller.
pub const SRC_MODE_ARG: &str = "_plimsoll_src_mode";

#[derive(Clone, Debug, PartialEq)]
pub struct ContentSpec {
    pub dest: String,
    pub content: Vec<u8>,
    pub sha256: String,
    /// Where the content came from, for people (`src` as written, or `content`).
    pub origin: String,
    pub force: bool,
    pub follow: bool,
    pub attrs: FileAttrs,
    /// `dest` ended with `/`: missing parent directories are created, with this mode.
    pub make_parents: bool,
    pub directory_mode: Option<Mode>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ContentLive {
    pub dest: Option<PathFact>,
    pub umask: u32,
}

/// `dest`, with `src`'s file name appended when `dest` names a directory (ends with `/`).
pub fn resolve_dest(args: &mut Args, src: Option<&str>) -> (String, bool) {
    let dest = args.required_path("dest", &[]);
    if !dest.ends_with('/') {
        return (dest, false);
    }
    match src.and_then(|s| s.trim_end_matches('/').rsplit('/').next()) {
        Some(name) if !name.is_empty() => (format!("{dest}{name}"), true),
        _ => {
            args.error(Some("dest"), "can not use content with a dir as dest");
            (dest, false)
        }
    }
}

/// The common file attributes; `mode: preserve` takes the source file's mode, which only the loader
/// can read (it passes it as `_plimsoll_src_mode`).
pub fn read_attrs(args: &mut Args) -> FileAttrs {
    let (mut attrs, preserve) = FileAttrs::parse_with_preserve(args, true);
    let src_mode = args.int(SRC_MODE_ARG, &[]);
    if preserve {
        match src_mode
            .and_then(|m| u32::try_from(m).ok())
            .filter(|m| *m <= 0o7777)
        {
            Some(mode) => attrs.mode = Some(Mode::Octal(mode)),
            None => args.push(
                SpecError::new(
                    Some("mode"),
                    "mode: preserve needs the source file's mode, which the loader did not supply",
                )
                .with_help(format!(
                    "internal: the loader sets {SRC_MODE_ARG} for mode: preserve"
                )),
            ),
        }
    }
    attrs
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub fn provides(spec: &ContentSpec) -> Vec<Provision> {
    let mut out = vec![Provision::Path(spec.dest.clone())];
    if spec.make_parents {
        out.push(Provision::Path(parent_dir(&spec.dest)));
    }
    out
}

pub fn requires(spec: &ContentSpec) -> Vec<Requirement> {
    // With make_parents the task makes its own directory: what it needs is the one above.
    let parent = parent_dir(&spec.dest);
    let needed = if spec.make_parents {
        parent_dir(&parent)
    } else {
        parent
    };
    let mut out = vec![Requirement::Path(needed)];
    out.extend(spec.attrs.requires());
    out
}

pub fn facts(spec: &ContentSpec) -> Vec<FactRequest> {
    let mut out = vec![FactRequest::Path(spec.dest.clone())];
    if spec.attrs.needs_umask() {
        out.push(FactRequest::Umask);
    }
    out
}

pub fn live(spec: &ContentSpec, facts: &Facts) -> Result<ContentLive, String> {
    Ok(ContentLive {
        dest: facts.path(&spec.dest)?.cloned(),
        umask: if spec.attrs.needs_umask() {
            facts.umask()?
        } else {
            0o022
        },
    })
}

fn refused(reason: String) -> Delta {
    Delta {
        action: Action::Refused,
        reason: Reason::Other(reason),
        changes: Vec::new(),
        text_changes: Vec::new(),
    }
}

/// Text worth showing as a diff: UTF-8 without NUL bytes (Ansible's own binary test is a NUL in
/// the first 8 KiB), small enough that the host sent it back.
fn as_text(bytes: &[u8]) -> Option<&str> {
    if bytes.len() as u64 > CONTENT_LIMIT || bytes.contains(&0) {
        return None;
    }
    std::str::from_utf8(bytes).ok()
}

/// The content change: a text diff when both sides are text, else the two sha256 sums.
fn content_change(
    spec: &ContentSpec,
    live: Option<&PathFact>,
) -> (Vec<AttrChange>, Vec<TextChange>) {
    let before_text = match live {
        None => Some(None),
        Some(fact) => fact.content.as_deref().and_then(as_text).map(Some),
    };
    match (before_text, as_text(&spec.content)) {
        (Some(before), Some(after)) => (
            Vec::new(),
            vec![TextChange {
                path: "content".into(),
                before: before.map(str::to_string),
                after: after.to_string(),
                sensitive: false,
            }],
        ),
        _ => (
            vec![AttrChange {
                path: "content".into(),
                before: live
                    .and_then(|f| f.sha256.as_ref())
                    .map(|s| Value::from(format!("sha256:{s}"))),
                after: Some(Value::from(format!("sha256:{}", spec.sha256))),
                sensitive: false,
            }],
            Vec::new(),
        ),
    }
}

fn written(
    spec: &ContentSpec,
    live: Option<&PathFact>,
    umask: u32,
) -> (Vec<AttrChange>, Vec<TextChange>) {
    let (mut changes, texts) = content_change(spec, live.filter(|f| f.file_type == FileType::File));
    // A new file starts as 0666 less the umask (Ansible's atomic_move for a new destination).
    changes.extend(spec.attrs.create_changes(0o666 & !umask, false, umask));
    (changes, texts)
}

pub fn diff(spec: &ContentSpec, live: &ContentLive) -> Delta {
    let Some(fact) = &live.dest else {
        let (changes, text_changes) = written(spec, None, live.umask);
        return Delta {
            action: Action::Create,
            reason: Reason::Missing,
            changes,
            text_changes,
        };
    };
    // With follow, an existing link's final target is the file managed; a dangling link does not
    // "exist" (Python's os.path.exists) and is replaced by the file.
    let target = match (&fact.file_type, spec.follow) {
        (FileType::Link, true) => fact.resolved.as_ref().and_then(|r| r.fact.as_deref()),
        (FileType::Link, false) => None,
        _ => Some(fact),
    };
    let exists = match fact.file_type {
        FileType::Link => fact.resolved.as_ref().is_some_and(|r| r.fact.is_some()),
        _ => true,
    };
    if exists && !spec.force {
        return Delta {
            reason: Reason::Other("dest exists and force: false leaves it as it is".into()),
            ..Delta::no_op()
        };
    }
    match target {
        None => {
            let (mut changes, text_changes) = written(spec, None, live.umask);
            changes.insert(0, change("type", Some("link"), "file"));
            Delta {
                action: Action::Replace,
                reason: Reason::RequiresReplace(vec!["type".into()]),
                changes,
                text_changes,
            }
        }
        Some(t) if t.file_type == FileType::Directory => refused(format!(
            "dest {} is a directory: Ansible would write {} inside it; name the file in dest",
            spec.dest,
            if spec.origin == "content" {
                "nothing (content cannot go to a directory)".to_string()
            } else {
                format!("the file {}", spec.origin)
            }
        )),
        Some(t) if t.file_type != FileType::File => refused(format!(
            "dest {} is a {}, not a regular file",
            spec.dest,
            t.file_type.state_word()
        )),
        Some(t) => {
            let (mut changes, text_changes) = if t.sha256.as_deref() == Some(spec.sha256.as_str()) {
                (Vec::new(), Vec::new())
            } else {
                content_change(spec, Some(t))
            };
            changes.extend(spec.attrs.changes(&Observed::from(t), live.umask, ""));
            if changes.is_empty() && text_changes.is_empty() {
                Delta::no_op()
            } else {
                Delta {
                    action: Action::Update,
                    reason: Reason::AttributesDiffer,
                    changes,
                    text_changes,
                }
            }
        }
    }
}

/// Writes the content (stdin) to a temporary file beside the destination, gives it its attributes,
/// and renames it into place: readers see the old file or the new one, never a partial one.
const WRITE_SCRIPT: &str = r#"set -eu
dest=$1 follow=$2 mode=$3 owner=$4 group=$5 write=$6 mkparents=$7 dirmode=$8
fail() { printf '%s\n' "$*" >&2; exit 1; }
attrs() {
  if [ -n "$owner" ]; then chown -h -- "$owner" "$1"; fi
  if [ -n "$group" ]; then chgrp -h -- "$group" "$1"; fi
  if [ -n "$2" ]; then chmod -- "$2" "$1"; fi
}
target=$dest
if [ "$follow" = 1 ] && [ -L "$dest" ] && [ -e "$dest" ]; then
  target=$(readlink -f -- "$dest" && echo x) || fail "cannot resolve the link $dest"
  target=${target%??}
fi
dir=${target%/*}; [ -n "$dir" ] || dir=/
if [ "$mkparents" = 1 ] && [ ! -d "$dir" ]; then
  rest=${dir#/} cur=
  while [ -n "$rest" ]; do
    case $rest in
      */*) part=${rest%%/*} rest=${rest#*/} ;;
      *) part=$rest rest= ;;
    esac
    [ -n "$part" ] || continue
    cur=$cur/$part
    if [ ! -e "$cur" ]; then mkdir -- "$cur"; attrs "$cur" "$dirmode"; fi
  done
fi
[ -d "$dir" ] || fail "Destination directory $dir does not exist"
if [ "$write" = 1 ]; then
  tmp=$(mktemp -- "$dir/.plimsoll.XXXXXXXX")
  trap 'rm -f -- "$tmp"' EXIT
  cat > "$tmp"
  if [ -f "$target" ] && [ ! -L "$target" ]; then
    chown --reference="$target" -- "$tmp"
    chmod --reference="$target" -- "$tmp"
  else
    chmod -- "$(printf '%04o' $(( 0666 & ~0$(umask) )))" "$tmp"
  fi
  attrs "$tmp" "$mode"
  mv -fT -- "$tmp" "$target"
  trap - EXIT
else
  attrs "$target" "$mode"
fi
"#;

pub async fn apply(
    host: &dyn HostExec,
    spec: &ContentSpec,
    delta: &Delta,
) -> Result<(), ApplyError> {
    let changes = &delta.changes;
    let write = delta.action != Action::Update
        || !delta.text_changes.is_empty()
        || changes.iter().any(|c| c.path == "content");
    let dirmode = spec
        .directory_mode
        .as_ref()
        .map(|m| match m {
            Mode::Octal(o) => format!("{o:05o}"),
            symbolic => symbolic.chmod_arg(),
        })
        .unwrap_or_default();
    let args = vec![
        spec.dest.clone(),
        if spec.follow { "1" } else { "0" }.to_string(),
        after_of(changes, "mode")
            .and_then(chmod_octal)
            .unwrap_or_default(),
        after_of(changes, "owner")
            .map(chown_arg)
            .unwrap_or_default(),
        after_of(changes, "group")
            .map(chown_arg)
            .unwrap_or_default(),
        if write { "1" } else { "0" }.to_string(),
        if spec.make_parents { "1" } else { "0" }.to_string(),
        dirmode,
    ];
    let stdin: &[u8] = if write { &spec.content } else { b"" };
    run(host, WRITE_SCRIPT, &args, stdin, Duration::from_secs(300)).await
}
