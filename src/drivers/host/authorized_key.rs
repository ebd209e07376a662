//! `ansible.posix.authorized_key`: SSH keys in a user's `authorized_keys` (by default
//! `~user/.ssh/authorized_keys`, observed with the user in one batch). The wanted text is Ansible's
//! edit of the live text ([`super::authorized_keys_edit`]), shown as a text diff (one line per key)
//! and written atomically, 0600 and owned by the user; `manage_dir` keeps the key file's directory
//! 0700 and owned by the user. Unlike Ansible, which fixes ownership and modes only when it rewrites
//! the file, plimsoll keeps them as wanted all the time.

use std::time::Duration;

use super::args::{Args, parent_dir};
use super::attrs::{FileAttrs, Observed, change};
use super::authorized_keys_edit::{self, AuthorizedKey};
use super::content_file::ContentLive;
use super::edited_file::{EditedFile, WhenMissing};
use super::exec::{APPLY_TIMEOUT, run};
use super::group::check_name;
use super::mode::Mode;
use crate::diff::{Action, Delta, Reason, TextChange};
use crate::drivers::{ApplyError, BoxFuture, Kind, Requirement, SpecError};
use crate::facts::{FactRequest, Facts, HostExec, PathFact, UserFact};
use crate::value::Map;

pub struct AuthorizedKeyKind;

const KEYS_FILE: &str = ".ssh/authorized_keys";
const SSH_DIR: &str = ".ssh";
const DIR_PREFIX: &str = "ssh_dir.";

#[derive(Clone, Debug)]
pub struct AuthorizedKeySpec {
    pub user: String,
    pub keys: Vec<AuthorizedKey>,
    pub present: bool,
    pub exclusive: bool,
    /// `None`: `~user/.ssh/authorized_keys`.
    pub path: Option<String>,
    pub manage_dir: bool,
}

#[derive(Clone, Debug)]
pub struct AuthorizedKeyLive {
    pub user: Option<UserFact>,
    pub file: Option<PathFact>,
    pub dir: Option<PathFact>,
}

impl AuthorizedKeySpec {
    fn file_request(&self) -> FactRequest {
        match &self.path {
            Some(path) => FactRequest::Path(path.clone()),
            None => FactRequest::HomePath {
                user: self.user.clone(),
                relative: KEYS_FILE.into(),
            },
        }
    }

    fn dir_request(&self) -> FactRequest {
        match &self.path {
            Some(path) => FactRequest::Path(parent_dir(path)),
            None => FactRequest::HomePath {
                user: self.user.clone(),
                relative: SSH_DIR.into(),
            },
        }
    }

    /// The key file and its attributes, for a user whose home is `home`.
    fn keys_file(&self, home: &str, user: Option<&UserFact>) -> EditedFile {
        let path = self
            .path
            .clone()
            .unwrap_or_else(|| format!("{}/{KEYS_FILE}", home.trim_end_matches('/')));
        EditedFile {
            path,
            create: true,
            attrs: owned_by(user, 0o600),
        }
    }
}

/// Owner and group as Ansible sets them (`pw_uid`, `pw_gid`), with a mode.
fn owned_by(user: Option<&UserFact>, mode: u32) -> FileAttrs {
    FileAttrs {
        owner: user.map(|u| u.name.clone()),
        group: user.map(|u| u.primary_group.clone().unwrap_or_else(|| u.gid.to_string())),
        mode: Some(Mode::Octal(mode)),
    }
}

fn fact<'a>(facts: &'a Facts, request: &FactRequest) -> Result<Option<&'a PathFact>, String> {
    match request {
        FactRequest::Path(path) => facts.path(path),
        FactRequest::HomePath { user, relative } => facts.home_path(user, relative),
        _ => Ok(None),
    }
}

impl Kind for AuthorizedKeyKind {
    type Spec = AuthorizedKeySpec;
    type Live = AuthorizedKeyLive;

    const NAME: &'static str = "ansible.posix.authorized_key";
    /// ansible-core's runtime routing sends the short and builtin names here.
    const ALIASES: &'static [&'static str] = &[
        "authorized_key",
        "ansible.builtin.authorized_key",
        "ansible.legacy.authorized_key",
    ];

    fn parse(map: &Map) -> Result<AuthorizedKeySpec, Vec<SpecError>> {
        let mut args = Args::new(Self::NAME, map);
        let user = args.str("user", &[]).unwrap_or_default();
        if !map.contains_key("user") {
            args.error(Some("user"), "missing required arguments: user");
        } else {
            check_name(&mut args, "user", &user);
        }
        let key = args.str("key", &[]);
        let path = args.path("path", &[]);
        let manage_dir = args.bool("manage_dir", &[], true);
        let present =
            args.choice("state", &[], &["absent", "present"]).as_deref() != Some("absent");
        let key_options = args.str("key_options", &[]);
        let exclusive = args.bool("exclusive", &[], false);
        let comment = args.str("comment", &[]);
        // plimsoll's edits always go through links to the file they lead to.
        args.bool("follow", &[], false);
        // Only matters for a key fetched from a URL, which is refused below.
        args.ignored("validate_certs");
        let keys = match key.as_deref() {
            None => {
                args.error(Some("key"), "missing required arguments: key");
                Vec::new()
            }
            Some(k) if k.starts_with("http") || k.starts_with("file") => {
                args.push(
                    SpecError::new(
                        Some("key"),
                        "a key fetched from a URL is read by the host at run time, so a plan cannot know it",
                    )
                    .with_help("read it on the controller instead: key: \"{{ lookup('url', ...) }}\" or lookup('file', ...)"),
                );
                Vec::new()
            }
            Some(k) => {
                authorized_keys_edit::wanted_keys(k, key_options.as_deref(), comment.as_deref())
                    .unwrap_or_else(|e| {
                        args.error(Some("key"), e);
                        Vec::new()
                    })
            }
        };
        args.finish()?;
        Ok(AuthorizedKeySpec {
            user,
            keys,
            present,
            exclusive,
            path,
            manage_dir,
        })
    }

    /// Several tasks often give one user different keys: the key names them.
    fn key(spec: &AuthorizedKeySpec) -> String {
        let labels: Vec<String> = spec.keys.iter().map(AuthorizedKey::label).collect();
        format!("{} {}", spec.user, labels.join(", "))
    }

    fn requires(spec: &AuthorizedKeySpec) -> Vec<Requirement> {
        vec![Requirement::User(spec.user.clone())]
    }

    fn facts(spec: &AuthorizedKeySpec) -> Vec<FactRequest> {
        vec![
            FactRequest::User(spec.user.clone()),
            spec.file_request(),
            spec.dir_request(),
        ]
    }

    fn live(spec: &AuthorizedKeySpec, facts: &Facts) -> Result<AuthorizedKeyLive, String> {
        Ok(AuthorizedKeyLive {
            user: facts.user(&spec.user)?.cloned(),
            file: fact(facts, &spec.file_request())?.cloned(),
            dir: fact(facts, &spec.dir_request())?.cloned(),
        })
    }

    fn diff(spec: &AuthorizedKeySpec, live: &AuthorizedKeyLive) -> Delta {
        let edit = |text: Option<&str>| {
            Ok(authorized_keys_edit::edit(
                text.unwrap_or_default(),
                &spec.keys,
                spec.present,
                spec.exclusive,
            ))
        };
        let Some(user) = &live.user else {
            if !spec.present {
                return Delta {
                    reason: Reason::Other(format!("user {} does not exist", spec.user)),
                    ..Delta::no_op()
                };
            }
            // The user is made by an earlier task: its file starts empty (the apply re-plans
            // once the user exists).
            let after = edit(None).unwrap_or_default();
            return Delta {
                action: Action::Create,
                reason: Reason::Other(format!(
                    "user {} does not exist yet; the keys are written once it does",
                    spec.user
                )),
                changes: Vec::new(),
                text_changes: vec![TextChange {
                    path: "content".into(),
                    before: None,
                    after,
                    sensitive: false,
                }],
            };
        };
        let file = spec.keys_file(&user.home, Some(user));
        let when_missing = if spec.present {
            WhenMissing::Edit
        } else {
            WhenMissing::NothingToDo
        };
        let content_live = ContentLive {
            dest: live.file.clone(),
            umask: 0o022,
        };
        let mut delta = file.diff(&content_live, when_missing, edit);
        if spec.manage_dir && delta.action != Action::Refused && (spec.present || !delta.is_no_op())
        {
            let dir_changes = match &live.dir {
                None => vec![change("ssh_dir", None, "directory")],
                Some(dir) => {
                    owned_by(Some(user), 0o700).changes(&Observed::from(dir), 0o022, DIR_PREFIX)
                }
            };
            if !dir_changes.is_empty() && delta.is_no_op() {
                delta = Delta {
                    action: Action::Update,
                    reason: Reason::AttributesDiffer,
                    changes: Vec::new(),
                    text_changes: Vec::new(),
                };
            }
            delta.changes.extend(dir_changes);
        }
        delta
    }

    fn apply<'a>(
        host: &'a dyn HostExec,
        spec: &'a AuthorizedKeySpec,
        delta: &'a Delta,
    ) -> BoxFuture<'a, Result<(), ApplyError>> {
        Box::pin(async move {
            let home = home_of(host, &spec.user).await?;
            let file = spec.keys_file(&home, None);
            if delta.changes.iter().any(|c| c.path.starts_with("ssh_dir")) {
                let dir = parent_dir(&file.path);
                run(
                    host,
                    SSH_DIR_SCRIPT,
                    &[dir, spec.user.clone()],
                    b"",
                    APPLY_TIMEOUT,
                )
                .await?;
            }
            file.apply(host, delta).await
        })
    }
}

/// The key file's directory as `manage_dir` makes it: 0700, owned by the user and its group.
const SSH_DIR_SCRIPT: &str = r#"set -eu
dir=$1 user=$2
[ -d "$dir" ] || mkdir -m 0700 -- "$dir"
chown -- "$user:" "$dir"
chmod 0700 "$dir"
"#;

/// The user's home as the host says now (the user may have been made since the plan).
async fn home_of(host: &dyn HostExec, user: &str) -> Result<String, ApplyError> {
    let output = host
        .run_script(
            r#"getent passwd "$1" | cut -d: -f6"#,
            &[user.to_string()],
            b"",
            Duration::from_secs(60),
        )
        .await
        .map_err(ApplyError::Transport)?;
    let home = String::from_utf8_lossy(&output.stdout)
        .trim_end_matches('\n')
        .to_string();
    if output.status != 0 || home.is_empty() {
        return Err(ApplyError::Failed(format!(
            "user {user} does not exist: its authorized keys cannot be written"
        )));
    }
    Ok(home)
}
