//! `ansible.builtin.user`: a local account, as Ansible's Linux `User` class manages it with
//! `useradd`/`usermod`/`userdel`. What the system assigns (a uid or home not given) is never
//! compared; on creation it shows as known after apply. The password is a crypt hash, compared with
//! the shadow entry and never shown; it is set through `chpasswd -e` on stdin, not on a command line.

use std::collections::BTreeSet;

use super::args::Args;
use super::attrs::{change, numeric_id};
use super::exec::{APPLY_TIMEOUT, run};
use super::group::check_name;
use crate::diff::{Action, AttrChange, Delta, Reason};
use crate::drivers::{ApplyError, BoxFuture, Kind, Provision, Requirement, SpecError};
use crate::facts::{FactRequest, Facts, GroupFact, HostExec, ShadowFact, UserFact};
use crate::secrets::Sensitive;
use crate::value::{Map, Value};

const HIDDEN: &str = "(sensitive value)";

pub struct User;

#[derive(Clone, Debug, PartialEq)]
pub struct UserSpec {
    pub name: String,
    pub present: bool,
    pub uid: Option<u32>,
    pub non_unique: bool,
    pub group: Option<String>,
    /// `Some(vec![])` means "no supplementary groups" (`groups: ''` or `[]`).
    pub groups: Option<Vec<String>>,
    pub append: bool,
    pub comment: Option<String>,
    pub home: Option<String>,
    pub shell: Option<String>,
    pub password: Option<Sensitive<String>>,
    /// `update_password: on_create`: the password is set only when the user is created.
    pub password_on_create: bool,
    pub create_home: bool,
    pub move_home: bool,
    pub skeleton: Option<String>,
    pub system: bool,
    pub remove: bool,
    pub force: bool,
    pub umask: Option<String>,
    pub uid_min: Option<u32>,
    pub uid_max: Option<u32>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct UserLive {
    pub user: Option<UserFact>,
    pub shadow: Option<ShadowFact>,
    /// The `group` argument's entry, if it exists.
    pub group: Option<GroupFact>,
    /// Each of `groups` with its entry, if it exists.
    pub groups: Vec<(String, Option<GroupFact>)>,
    /// Whether the home directory the user will have exists.
    pub home_exists: bool,
}

impl Kind for User {
    type Spec = UserSpec;
    type Live = UserLive;

    const NAME: &'static str = "ansible.builtin.user";
    const ALIASES: &'static [&'static str] = &["user", "ansible.legacy.user"];

    fn parse(map: &Map) -> Result<UserSpec, Vec<SpecError>> {
        let mut args = Args::new(Self::NAME, map);
        let name = args.str("name", &["user"]).unwrap_or_default();
        if !map.contains_key("name") && !map.contains_key("user") {
            args.error(Some("name"), "missing required arguments: name");
        } else {
            check_name(&mut args, "name", &name);
        }
        let present =
            args.choice("state", &[], &["absent", "present"]).as_deref() != Some("absent");
        let uid = args.id("uid");
        let non_unique = args.bool("non_unique", &[], false);
        let group = args.str("group", &[]);
        if let Some(group) = &group {
            check_name(&mut args, "group", group);
        }
        let groups = args.list("groups", &[]).map(|list| {
            // Ansible joins the list with commas and splits it again, dropping empty names.
            list.iter()
                .flat_map(|g| g.split(','))
                .map(|g| g.trim().to_string())
                .filter(|g| !g.is_empty())
                .collect::<Vec<_>>()
        });
        for g in groups.iter().flatten() {
            check_name(&mut args, "groups", g);
        }
        let append = args.bool("append", &[], false);
        let comment = args.str("comment", &[]);
        let home = args.path("home", &[]);
        let shell = args.str("shell", &[]);
        for (argument, value) in [("comment", &comment), ("shell", &shell)] {
            if value
                .as_ref()
                .is_some_and(|v| v.contains([':', '\n', '\0']))
            {
                args.error(
                    Some(argument),
                    format!("{argument} cannot contain ':' or a newline"),
                );
            }
        }
        let password = args.str("password", &[]);
        if password
            .as_ref()
            .is_some_and(|p| p.contains([':', '\n', '\0']))
        {
            args.push(
                SpecError::new(Some("password"), "password must be a crypt hash")
                    .with_help("hash it, e.g. with the password_hash filter"),
            );
        }
        let password_on_create = args
            .choice("update_password", &[], &["always", "on_create"])
            .as_deref()
            == Some("on_create");
        let create_home = args.bool("create_home", &["createhome"], true);
        let move_home = args.bool("move_home", &[], false);
        let skeleton = args.str("skeleton", &[]);
        let system = args.bool("system", &[], false);
        let remove = args.bool("remove", &[], false);
        let force = args.bool("force", &[], false);
        let umask = args.str("umask", &[]);
        let uid_min = args.id("uid_min");
        let uid_max = args.id("uid_max");
        let later = "plimsoll does not manage it yet";
        for option in [
            "login_class",
            "password_expire_max",
            "password_expire_min",
            "password_expire_warn",
            "password_expire_account_disable",
            "expires",
            "password_lock",
            "seuser",
            "hidden",
            "profile",
            "authorization",
            "role",
            "generate_ssh_key",
        ] {
            args.unsupported(option, &[], later);
        }
        args.unsupported(
            "local",
            &[],
            "plimsoll manages users with useradd/usermod only",
        );
        // Only read when generate_ssh_key is set, which is refused above.
        for option in [
            "ssh_key_bits",
            "ssh_key_type",
            "ssh_key_file",
            "ssh_key_comment",
            "ssh_key_passphrase",
        ] {
            args.ignored(option);
        }
        args.finish()?;
        Ok(UserSpec {
            name,
            present,
            uid,
            non_unique,
            group,
            groups,
            append,
            comment,
            home,
            shell,
            password: password.map(Sensitive::new),
            password_on_create,
            create_home,
            move_home,
            skeleton,
            system,
            remove,
            force,
            umask,
            uid_min,
            uid_max,
        })
    }

    fn key(spec: &UserSpec) -> String {
        spec.name.clone()
    }

    fn provides(spec: &UserSpec) -> Vec<Provision> {
        let mut out = Vec::new();
        if spec.present {
            out.push(Provision::User(spec.name.clone()));
            if let (Some(home), true) = (&spec.home, spec.create_home) {
                out.push(Provision::Path(home.clone()));
            }
        }
        out
    }

    fn requires(spec: &UserSpec) -> Vec<Requirement> {
        if !spec.present {
            return Vec::new();
        }
        spec.group
            .iter()
            .chain(spec.groups.iter().flatten())
            .filter(|g| numeric_id(g).is_none())
            .map(|g| Requirement::Group(g.clone()))
            .collect()
    }

    fn facts(spec: &UserSpec) -> Vec<FactRequest> {
        let mut out = vec![FactRequest::User(spec.name.clone())];
        if !spec.present {
            return out;
        }
        if let Some(group) = &spec.group {
            out.push(FactRequest::Group(group.clone()));
        }
        for g in spec.groups.iter().flatten() {
            out.push(FactRequest::Group(g.clone()));
        }
        if spec.password.is_some() && !spec.password_on_create {
            out.push(FactRequest::Shadow(spec.name.clone()));
        }
        if let (Some(home), true) = (&spec.home, spec.create_home) {
            out.push(FactRequest::Path(home.clone()));
        }
        out.sort();
        out.dedup();
        out
    }

    fn live(spec: &UserSpec, facts: &Facts) -> Result<UserLive, String> {
        let user = facts.user(&spec.name)?.cloned();
        if !spec.present {
            return Ok(UserLive {
                user,
                shadow: None,
                group: None,
                groups: Vec::new(),
                home_exists: false,
            });
        }
        let group = match &spec.group {
            Some(g) => facts.group(g)?.cloned(),
            None => None,
        };
        let mut groups = Vec::new();
        for g in spec.groups.iter().flatten() {
            groups.push((g.clone(), facts.group(g)?.cloned()));
        }
        let shadow = match (&user, &spec.password, spec.password_on_create) {
            (Some(_), Some(_), false) => facts.shadow(&spec.name)?.cloned(),
            _ => None,
        };
        let home_exists = match (&spec.home, spec.create_home) {
            (Some(home), true) => facts.path(home)?.is_some(),
            _ => user.as_ref().is_some_and(|u| u.home_exists),
        };
        Ok(UserLive {
            user,
            shadow,
            group,
            groups,
            home_exists,
        })
    }

    fn diff(spec: &UserSpec, live: &UserLive) -> Delta {
        match (&live.user, spec.present) {
            (None, false) => Delta::no_op(),
            (Some(_), false) => Delta {
                action: Action::Delete,
                reason: Reason::Absent,
                changes: vec![change("state", Some("present"), "absent")],
                text_changes: Vec::new(),
            },
            (None, true) => Delta {
                action: Action::Create,
                reason: Reason::Missing,
                changes: create_changes(spec),
                text_changes: Vec::new(),
            },
            (Some(user), true) => {
                let changes = modify_changes(spec, user, live);
                if changes.is_empty() {
                    Delta::no_op()
                } else {
                    Delta {
                        action: Action::Update,
                        reason: Reason::AttributesDiffer,
                        changes,
                        text_changes: Vec::new(),
                    }
                }
            }
        }
    }

    fn apply<'a>(
        host: &'a dyn HostExec,
        spec: &'a UserSpec,
        delta: &'a Delta,
    ) -> BoxFuture<'a, Result<(), ApplyError>> {
        Box::pin(async move {
            let (op, argv) = match delta.action {
                Action::Delete => ("delete", userdel_argv(spec)),
                Action::Create => ("create", useradd_argv(spec)),
                Action::Update => ("modify", usermod_argv(spec, &delta.changes)),
                other => {
                    return Err(ApplyError::Failed(format!(
                        "a user cannot be changed by a {other:?} plan"
                    )));
                }
            };
            let has = |path: &str| delta.changes.iter().any(|c| c.path == path);
            let set_password = has("password");
            let make_home = has("home_directory");
            let mut args = vec![
                op.to_string(),
                spec.name.clone(),
                flag(set_password),
                flag(make_home),
                flag(spec.group.is_none()),
                spec.home.clone().unwrap_or_default(),
                spec.skeleton.clone().unwrap_or_default(),
                flag(spec.create_home),
            ];
            args.extend(argv);
            let stdin = match (&spec.password, set_password) {
                (Some(p), true) => p.expose().as_bytes().to_vec(),
                _ => Vec::new(),
            };
            run(host, USER_SCRIPT, &args, &stdin, APPLY_TIMEOUT).await
        })
    }
}

fn flag(on: bool) -> String {
    if on { "1" } else { "0" }.to_string()
}

fn hidden_change(before: Option<()>) -> AttrChange {
    AttrChange {
        path: "password".into(),
        before: before.map(|_| Value::from(HIDDEN)),
        after: Some(Value::from(HIDDEN)),
        sensitive: true,
    }
}

fn text_list(items: &BTreeSet<String>) -> Value {
    Value::List(items.iter().map(|s| Value::from(s.as_str())).collect())
}

fn create_changes(spec: &UserSpec) -> Vec<AttrChange> {
    let set = |path: &str, after: Option<Value>| AttrChange {
        path: path.into(),
        before: None,
        after,
        sensitive: false,
    };
    // uid and home are always shown: when not given, the system picks them (known after apply).
    let mut out = vec![set("uid", spec.uid.map(|u| Value::Int(u.into())))];
    if let Some(group) = &spec.group {
        out.push(set("group", Some(Value::from(group.as_str()))));
    }
    if let Some(groups) = spec.groups.as_ref().filter(|g| !g.is_empty()) {
        out.push(set(
            "groups",
            Some(text_list(&groups.iter().cloned().collect())),
        ));
    }
    if let Some(comment) = &spec.comment {
        out.push(set("comment", Some(Value::from(comment.as_str()))));
    }
    out.push(set("home", spec.home.as_deref().map(Value::from)));
    if let Some(shell) = &spec.shell {
        out.push(set("shell", Some(Value::from(shell.as_str()))));
    }
    if spec.password.is_some() {
        out.push(hidden_change(None));
    }
    out
}

fn modify_changes(spec: &UserSpec, user: &UserFact, live: &UserLive) -> Vec<AttrChange> {
    let mut out = Vec::new();
    if let Some(uid) = spec.uid.filter(|u| *u != user.uid) {
        out.push(AttrChange {
            path: "uid".into(),
            before: Some(Value::Int(user.uid.into())),
            after: Some(Value::Int(uid.into())),
            sensitive: false,
        });
    }
    if let Some(group) = &spec.group {
        // A group that does not exist yet cannot be the primary group already.
        let wanted_gid = live.group.as_ref().map(|g| g.gid);
        if wanted_gid != Some(user.gid) {
            let before = user
                .primary_group
                .clone()
                .unwrap_or_else(|| user.gid.to_string());
            out.push(change("group", Some(&before), group));
        }
    }
    if let Some(wanted) = &spec.groups {
        let current: BTreeSet<String> = user.member_of.iter().cloned().collect();
        // Groups given by gid compare by name, as Ansible's get_groups_set(names_only=True) does.
        let names: BTreeSet<String> = live
            .groups
            .iter()
            .map(|(given, fact)| {
                fact.as_ref()
                    .map_or_else(|| given.clone(), |f| f.name.clone())
            })
            .collect();
        let needs = if wanted.is_empty() {
            !current.is_empty() && !spec.append
        } else if spec.append {
            !names.is_subset(&current)
        } else {
            names != current
        };
        if needs {
            let after = if spec.append {
                current.union(&names).cloned().collect()
            } else {
                names
            };
            out.push(AttrChange {
                path: "groups".into(),
                before: Some(text_list(&current)),
                after: Some(text_list(&after)),
                sensitive: false,
            });
        }
    }
    for (path, wanted, have) in [
        ("comment", &spec.comment, &user.comment),
        ("home", &spec.home, &user.home),
        ("shell", &spec.shell, &user.shell),
    ] {
        if let Some(wanted) = wanted.as_ref().filter(|w| *w != have) {
            out.push(change(path, Some(have), wanted));
        }
    }
    if let (Some(password), false) = (&spec.password, spec.password_on_create) {
        // Ansible strips a leading "!" (a locked account) from both sides before comparing.
        let have = live.shadow.as_ref().map(|s| s.hash.trim_start_matches('!'));
        if have != Some(password.expose().trim_start_matches('!')) {
            out.push(hidden_change(Some(())));
        }
    }
    if spec.create_home && !live.home_exists {
        out.push(change("home_directory", Some("absent"), "directory"));
    }
    out
}

fn userdel_argv(spec: &UserSpec) -> Vec<String> {
    let mut argv = vec!["userdel".to_string()];
    if spec.force {
        argv.push("-f".into());
    }
    if spec.remove {
        argv.push("-r".into());
    }
    argv.extend(["--".into(), spec.name.clone()]);
    argv
}

fn useradd_argv(spec: &UserSpec) -> Vec<String> {
    let mut argv = vec!["useradd".to_string()];
    let mut opt = |flag: &str, value: &str| argv.extend([flag.to_string(), value.to_string()]);
    if let Some(uid) = spec.uid {
        opt("-u", &uid.to_string());
    }
    if let Some(group) = &spec.group {
        opt("-g", group);
    }
    if let Some(groups) = spec.groups.as_ref().filter(|g| !g.is_empty()) {
        opt("-G", &groups.join(","));
    }
    if let Some(comment) = &spec.comment {
        opt("-c", comment);
    }
    if let Some(home) = &spec.home {
        opt("-d", home);
    }
    if let Some(shell) = &spec.shell {
        opt("-s", shell);
    }
    if spec.create_home {
        if let Some(skeleton) = &spec.skeleton {
            opt("-k", skeleton);
        }
        if let Some(umask) = &spec.umask {
            opt("-K", &format!("UMASK={umask}"));
        }
    }
    if let Some(min) = spec.uid_min {
        opt("-K", &format!("UID_MIN={min}"));
    }
    if let Some(max) = spec.uid_max {
        opt("-K", &format!("UID_MAX={max}"));
    }
    if spec.uid.is_some() && spec.non_unique {
        argv.push("-o".into());
    }
    argv.push(if spec.create_home { "-m" } else { "-M" }.into());
    if spec.system {
        argv.push("-r".into());
    }
    argv.extend(["--".into(), spec.name.clone()]);
    argv
}

/// The usermod options for the attributes the delta lists (empty when only the password or the
/// home directory changes).
fn usermod_argv(spec: &UserSpec, changes: &[AttrChange]) -> Vec<String> {
    let has = |path: &str| changes.iter().any(|c| c.path == path);
    let mut argv = vec!["usermod".to_string()];
    if let (Some(uid), true) = (spec.uid, has("uid")) {
        argv.extend(["-u".into(), uid.to_string()]);
        if spec.non_unique {
            argv.push("-o".into());
        }
    }
    if let (Some(group), true) = (&spec.group, has("group")) {
        argv.extend(["-g".into(), group.clone()]);
    }
    if let (Some(groups), true) = (&spec.groups, has("groups")) {
        if spec.append {
            argv.push("-a".into());
        }
        argv.extend(["-G".into(), groups.join(",")]);
    }
    if let (Some(comment), true) = (&spec.comment, has("comment")) {
        argv.extend(["-c".into(), comment.clone()]);
    }
    if let (Some(home), true) = (&spec.home, has("home")) {
        argv.extend(["-d".into(), home.clone()]);
        if spec.move_home {
            argv.push("-m".into());
        }
    }
    if let (Some(shell), true) = (&spec.shell, has("shell")) {
        argv.extend(["-s".into(), shell.clone()]);
    }
    if argv.len() == 1 {
        return Vec::new();
    }
    argv.extend(["--".into(), spec.name.clone()]);
    argv
}

/// `$1` the operation, `$2` the user, then flags: set the password from stdin, create the home
/// directory, no primary group given; then home, skeleton, create_home; then the command to run.
const USER_SCRIPT: &str = r#"set -eu
PATH=/usr/local/sbin:/usr/sbin:/sbin:$PATH; export PATH
op=$1 name=$2 setpw=$3 mkhome=$4 nogroup=$5 home=$6 skel=$7 createhome=$8
shift 8
fail() { printf '%s\n' "$*" >&2; exit 1; }
case $op in
  create)
    # As Ansible: with no group given and a group named like the user, useradd must not create one.
    if [ "$nogroup" = 1 ] && getent group "$name" > /dev/null; then
      cmd=$1; shift; set -- "$cmd" -N "$@"
    fi
    if [ "$createhome" = 1 ] && [ -n "$home" ]; then
      parent=${home%/*}
      if [ -n "$parent" ] && [ ! -d "$parent" ]; then mkdir -p -- "$parent"; fi
    fi
    "$@" ;;
  modify) if [ $# -gt 0 ]; then "$@"; fi ;;
  delete) "$@" ;;
  *) fail "unknown operation $op" ;;
esac
if [ "$setpw" = 1 ]; then
  { printf '%s:' "$name"; cat; echo; } | chpasswd -e
fi
if [ "$mkhome" = 1 ]; then
  entry=$(getent passwd "$name") || fail "user $name does not exist"
  uid=$(printf '%s\n' "$entry" | cut -d: -f3)
  gid=$(printf '%s\n' "$entry" | cut -d: -f4)
  [ -n "$home" ] || home=$(printf '%s\n' "$entry" | cut -d: -f6)
  if [ ! -e "$home" ]; then
    [ -n "$skel" ] || skel=/etc/skel
    parent=${home%/*}
    if [ -n "$parent" ]; then mkdir -p -- "$parent"; fi
    if [ -d "$skel" ]; then cp -RP -- "$skel" "$home"; else mkdir -- "$home"; fi
    # Ansible's create_homedir: HOME_MODE from login.defs, else 0777 less its UMASK, else 0755.
    hm= um=
    if [ -r /etc/login.defs ]; then
      hm=$(sed -n 's/^HOME_MODE[[:space:]][[:space:]]*\([0-7][0-7]*\)$/\1/p' /etc/login.defs | head -n 1)
      um=$(sed -n 's/^UMASK[[:space:]][[:space:]]*\([0-7][0-7]*\)$/\1/p' /etc/login.defs | tail -n 1)
    fi
    if [ -n "$hm" ]; then m=$hm
    elif [ -n "$um" ]; then m=$(printf '%o' $(( 0777 & ~0$um )))
    else m=755; fi
    chmod -- "0$m" "$home"
    find "$home" ! -type l -exec chown -- "+$uid:+$gid" {} +
  fi
fi
"#;
