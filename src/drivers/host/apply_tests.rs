//! Applying for real on this machine: create → observe again (with the real batch script) → no-op;
//! drift made behind the tool's back → the diff shows exactly that → apply → no-op. Users and groups
//! get unique names and are removed by a guard even when an assertion fails. (These tests run as
//! root; the user and group tests skip themselves otherwise.)

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::Command;

use super::local_exec::{LocalExec, gather};
use crate::diff::{Action, Delta};
use crate::drivers::{AnySpec, ErasedKind, Registry, builtin_registry};
use crate::value::{Map, Value};

fn m(pairs: &[(&str, Value)]) -> Map {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn s(text: impl Into<String>) -> Value {
    Value::Str(text.into())
}

fn p(path: &Path) -> Value {
    s(path.to_str().unwrap())
}

struct Tool {
    registry: Registry,
    host: LocalExec,
}

impl Tool {
    fn new() -> Self {
        Self {
            registry: builtin_registry(),
            host: LocalExec::default(),
        }
    }

    /// Scripts run in `cwd`, so a relative file a script creates by mistake shows up there.
    fn in_dir(cwd: &Path) -> Self {
        Self {
            registry: builtin_registry(),
            host: LocalExec {
                cwd: Some(cwd.to_path_buf()),
            },
        }
    }

    fn kind(&self, name: &str) -> &dyn ErasedKind {
        self.registry.find(name).unwrap()
    }

    async fn plan(&self, kind: &str, args: &Map) -> (AnySpec, Delta) {
        let kind = self.kind(kind);
        let spec = kind.parse(args).unwrap();
        let facts = gather(&self.host, &kind.facts(&spec)).await;
        let delta = kind.diff(&spec, &facts).unwrap();
        (spec, delta)
    }

    /// Plans, applies what the plan says, and checks that a second plan has nothing to do.
    async fn converge(&self, kind: &str, args: &Map) -> Delta {
        let (spec, delta) = self.plan(kind, args).await;
        if !delta.is_no_op() {
            assert_ne!(delta.action, Action::Refused, "{delta:?}");
            self.kind(kind)
                .apply(&self.host, &spec, &delta)
                .await
                .unwrap_or_else(|e| panic!("apply failed: {e}; delta: {delta:?}"));
        }
        let (_, again) = self.plan(kind, args).await;
        assert!(again.is_no_op(), "did not converge: {again:?}");
        delta
    }
}

fn mode_of(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o7777
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[tokio::test]
async fn directories_converge_and_drift_is_found_exactly() {
    let tool = Tool::new();
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("srv/app");
    let args = m(&[
        ("path", p(&app)),
        ("state", s("directory")),
        ("mode", s("0750")),
    ]);
    let created = tool.converge("file", &args).await;
    assert_eq!(created.action, Action::Create);
    assert_eq!(mode_of(&app), 0o750);
    // Parents made on the way get the same attributes, as in Ansible.
    assert_eq!(mode_of(&dir.path().join("srv")), 0o750);

    chmod(&app, 0o755);
    let (_, drift) = tool.plan("file", &args).await;
    assert_eq!(drift.changed_paths(), ["mode"]);
    assert_eq!(drift.changes[0].before, Some(s("0755")));
    tool.converge("file", &args).await;
    assert_eq!(mode_of(&app), 0o750);

    // A setgid directory loses the bit with an octal mode, as os.chmod does (GNU chmod would keep it).
    chmod(&app, 0o2750);
    tool.converge("file", &args).await;
    assert_eq!(mode_of(&app), 0o750);
}

#[tokio::test]
async fn recurse_sets_everything_below() {
    let tool = Tool::new();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("www");
    std::fs::create_dir_all(root.join("js")).unwrap();
    std::fs::write(root.join("index.html"), "hi").unwrap();
    std::fs::write(root.join("js/app.js"), "x").unwrap();
    std::fs::write(root.join("run.sh"), "x").unwrap();
    chmod(&root.join("index.html"), 0o600);
    chmod(&root.join("run.sh"), 0o700);
    chmod(&root.join("js"), 0o700);
    std::os::unix::fs::symlink("index.html", root.join("latest")).unwrap();
    let args = m(&[
        ("path", p(&root)),
        ("state", s("directory")),
        ("recurse", Value::Bool(true)),
        ("mode", s("u=rwX,g=rX,o=rX")),
        ("group", s("adm")),
    ]);
    let delta = tool.converge("file", &args).await;
    assert!(delta.changed_paths().contains(&"contents[index.html].mode"));
    assert_eq!(mode_of(&root.join("index.html")), 0o644);
    assert_eq!(mode_of(&root.join("run.sh")), 0o755);
    assert_eq!(mode_of(&root.join("js")), 0o755);
    let adm = std::fs::metadata(&root).unwrap().gid();
    let link = std::fs::symlink_metadata(root.join("latest")).unwrap();
    assert_eq!(link.gid(), adm, "links get their own group");

    chmod(&root.join("js/app.js"), 0o600);
    let (_, drift) = tool.plan("file", &args).await;
    assert_eq!(drift.changed_paths(), ["contents[js/app.js].mode"]);
    tool.converge("file", &args).await;
    assert_eq!(mode_of(&root.join("js/app.js")), 0o644);
}

#[tokio::test]
async fn files_converge_with_text_and_binary_content() {
    let tool = Tool::new();
    let dir = tempfile::tempdir().unwrap();
    let motd = dir.path().join("motd");
    let args = m(&[
        ("dest", p(&motd)),
        ("content", s("Welcome\n")),
        ("mode", s("0640")),
        ("owner", s("root")),
    ]);
    let created = tool.converge("copy", &args).await;
    assert_eq!(created.action, Action::Create);
    assert_eq!(std::fs::read_to_string(&motd).unwrap(), "Welcome\n");
    assert_eq!(mode_of(&motd), 0o640);

    std::fs::write(&motd, "Go away\n").unwrap();
    let (_, drift) = tool.plan("copy", &args).await;
    assert_eq!(drift.changed_paths(), ["content"]);
    assert_eq!(drift.text_changes[0].before.as_deref(), Some("Go away\n"));
    tool.converge("copy", &args).await;
    assert_eq!(std::fs::read_to_string(&motd).unwrap(), "Welcome\n");
    assert_eq!(mode_of(&motd), 0o640, "a rewrite keeps the attributes");

    chmod(&motd, 0o666);
    let (_, drift) = tool.plan("copy", &args).await;
    assert_eq!(drift.changed_paths(), ["mode"]);
    tool.converge("copy", &args).await;
    assert_eq!(mode_of(&motd), 0o640);

    // Binary content from the loader: compared and shown by sha256.
    let blob = dir.path().join("blob");
    let bytes: Vec<u8> = (0..=255u8).cycle().take(300_000).collect();
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let args = m(&[
        ("dest", p(&blob)),
        ("src", s("files/blob.bin")),
        ("_plimsoll_src_content", s(encoded)),
    ]);
    tool.converge("copy", &args).await;
    assert_eq!(std::fs::read(&blob).unwrap(), bytes);
    std::fs::write(&blob, b"\0short").unwrap();
    let (_, drift) = tool.plan("copy", &args).await;
    assert_eq!(drift.changed_paths(), ["content"]);
    assert!(drift.text_changes.is_empty());
    tool.converge("copy", &args).await;
    assert_eq!(std::fs::read(&blob).unwrap(), bytes);
}

#[tokio::test]
async fn templates_replace_a_link_unless_following_it() {
    let tool = Tool::new();
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.conf");
    let conf = dir.path().join("app.conf");
    std::fs::write(&real, "old\n").unwrap();
    std::os::unix::fs::symlink(&real, &conf).unwrap();
    let rendered = |text: &str, follow: bool| {
        m(&[
            ("src", s("app.conf.j2")),
            ("dest", p(&conf)),
            ("_plimsoll_rendered", s(text)),
            ("follow", Value::Bool(follow)),
        ])
    };
    // follow: the link's target gets the content and the link stays.
    tool.converge("template", &rendered("one\n", true)).await;
    assert!(
        std::fs::symlink_metadata(&conf)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&real).unwrap(), "one\n");
    // No follow (the default): the link becomes a file.
    let replaced = tool.converge("template", &rendered("two\n", false)).await;
    assert_eq!(replaced.action, Action::Replace);
    assert!(std::fs::symlink_metadata(&conf).unwrap().is_file());
    assert_eq!(std::fs::read_to_string(&conf).unwrap(), "two\n");
    assert_eq!(std::fs::read_to_string(&real).unwrap(), "one\n");
}

#[tokio::test]
async fn links_and_absent() {
    let tool = Tool::new();
    let dir = tempfile::tempdir().unwrap();
    for release in ["1.2", "1.3"] {
        std::fs::create_dir_all(dir.path().join("releases").join(release)).unwrap();
    }
    let current = dir.path().join("current");
    let link = |target: &str| {
        m(&[
            ("path", p(&current)),
            ("src", s(target)),
            ("state", s("link")),
        ])
    };
    tool.converge("file", &link("releases/1.2")).await;
    assert_eq!(
        std::fs::read_link(&current).unwrap(),
        Path::new("releases/1.2")
    );
    let moved = tool.converge("file", &link("releases/1.3")).await;
    assert_eq!(moved.changed_paths(), ["src"]);
    assert_eq!(
        std::fs::read_link(&current).unwrap(),
        Path::new("releases/1.3")
    );

    // A file in the way needs force.
    let blocked = dir.path().join("blocked");
    std::fs::write(&blocked, "x").unwrap();
    let over = |force: bool| {
        m(&[
            ("path", p(&blocked)),
            ("src", s("releases/1.2")),
            ("state", s("link")),
            ("force", Value::Bool(force)),
        ])
    };
    assert_eq!(
        tool.plan("file", &over(false)).await.1.action,
        Action::Refused
    );
    tool.converge("file", &over(true)).await;
    assert!(
        std::fs::symlink_metadata(&blocked)
            .unwrap()
            .file_type()
            .is_symlink()
    );

    let releases = m(&[
        ("path", p(&dir.path().join("releases"))),
        ("state", s("absent")),
    ]);
    assert_eq!(
        tool.converge("file", &releases).await.action,
        Action::Delete
    );
    assert!(!dir.path().join("releases").exists());
    // The dangling link is a link all the same.
    let gone = m(&[("path", p(&current)), ("state", s("absent"))]);
    assert_eq!(tool.converge("file", &gone).await.action, Action::Delete);
}

#[tokio::test]
async fn hostile_paths_are_data_never_code() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let tool = Tool::in_dir(cwd.path());
    // Every way a shell could run it would create `pwned` in the scripts' working directory.
    let payload = "it's a \"$(touch pwned)\" `touch pwned`; touch pwned\n-x * $ $$ ${";
    let hostile_dir = dir.path().join(payload);
    let args = m(&[("path", p(&hostile_dir)), ("state", s("directory"))]);
    tool.converge("file", &args).await;
    assert!(hostile_dir.is_dir());

    let file = hostile_dir.join(format!("{payload}.conf"));
    let args = m(&[
        ("dest", p(&file)),
        ("content", s(format!("{payload}\n"))),
        ("mode", s("u=rw,go=")),
    ]);
    tool.converge("copy", &args).await;
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        format!("{payload}\n")
    );
    assert_eq!(mode_of(&file), 0o600);

    let link = hostile_dir.join("link $(x)");
    let args = m(&[
        ("path", p(&link)),
        ("src", p(&file)),
        ("state", s("link")),
        ("mode", s("0640")),
    ]);
    tool.converge("file", &args).await;
    assert_eq!(mode_of(&file), 0o640, "follow sets the target's mode");

    let args = m(&[
        ("path", p(&hostile_dir)),
        ("state", s("directory")),
        ("recurse", Value::Bool(true)),
        ("mode", s("a+rX")),
    ]);
    tool.converge("file", &args).await;
    assert_eq!(mode_of(&file), 0o644);

    let args = m(&[("path", p(&hostile_dir)), ("state", s("absent"))]);
    tool.converge("file", &args).await;
    assert!(!hostile_dir.exists());
    let made: Vec<_> = std::fs::read_dir(cwd.path()).unwrap().collect();
    assert!(made.is_empty(), "a path was run as code: {made:?}");
}

/// Removes test users and groups however the test ends.
struct AccountGuard {
    users: Vec<String>,
    groups: Vec<String>,
}

impl Drop for AccountGuard {
    fn drop(&mut self) {
        for user in &self.users {
            let _ = Command::new("userdel")
                .args(["-r", "-f", "--", user])
                .output();
        }
        for group in &self.groups {
            let _ = Command::new("groupdel").args(["--", group]).output();
        }
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

fn sh(script: &str, args: &[&str]) {
    let status = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg("sh")
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "{script} failed");
}

/// Two hashes of different passwords (openssl passwd -6 -salt ... a / b).
const HASH_A: &str = "$6$plimsoll$RGA/EEIRnUwm5Ng0MOCSkFCq8vJpIX89Ue.fdMHqhBo3db8yPqlUMTnWTPmQXOx9fX0REMtyL.BTopIinEvpD0";
const HASH_B: &str = "$6$plimsoll$M7YWSWAQ1LQob7IM9dY6qBqG1ReiXmwgKPbQgnA1QFPQ2lUMQLpBX.q23SmfFGyzJTF8pB8ZvjhzQwkxsbVs2.";

#[tokio::test]
async fn users_and_groups_converge_and_clean_up() {
    if !is_root() {
        eprintln!("skipped: managing users needs root");
        return;
    }
    let tool = Tool::new();
    let pid = std::process::id();
    let user = format!("plimsoll-t-{pid}");
    let group = format!("plimsoll-g-{pid}");
    let extra = format!("plimsoll-x-{pid}");
    let _guard = AccountGuard {
        users: vec![user.clone()],
        groups: vec![group.clone(), extra.clone(), user.clone()],
    };
    let homes = tempfile::tempdir().unwrap();
    let home = homes.path().join("home").join(&user);

    let group_args = m(&[("name", s(&group))]);
    let created = tool.converge("group", &group_args).await;
    assert_eq!(
        created.changes[0].after, None,
        "the gid is known after apply"
    );
    tool.converge(
        "group",
        &m(&[("name", s(&extra)), ("system", Value::Bool(true))]),
    )
    .await;
    let gid_args = m(&[("name", s(&group)), ("gid", Value::Int(43_210))]);
    assert_eq!(
        tool.converge("group", &gid_args).await.changed_paths(),
        ["gid"]
    );

    let user_args = m(&[
        ("name", s(&user)),
        ("group", s(&group)),
        ("groups", Value::List(vec![s(&extra)])),
        ("shell", s("/bin/sh")),
        ("comment", s("Plimsoll test, it's $(x) `y`")),
        ("home", p(&home)),
        ("password", s(HASH_A)),
    ]);
    let created = tool.converge("user", &user_args).await;
    assert_eq!(created.action, Action::Create);
    assert!(home.is_dir(), "create_home made the home directory");
    let shadow = String::from_utf8(
        Command::new("getent")
            .args(["shadow", &user])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(shadow.contains(HASH_A));

    sh("usermod -s /bin/bash -- \"$1\"", &[&user]);
    let (_, drift) = tool.plan("user", &user_args).await;
    assert_eq!(drift.changed_paths(), ["shell"]);
    tool.converge("user", &user_args).await;

    sh(
        "printf '%s:%s\\n' \"$1\" \"$2\" | chpasswd -e",
        &[&user, HASH_B],
    );
    let (_, drift) = tool.plan("user", &user_args).await;
    assert_eq!(drift.changed_paths(), ["password"]);
    assert!(
        !format!("{drift:?}").contains(HASH_A),
        "the hash never shows"
    );
    tool.converge("user", &user_args).await;

    sh("gpasswd -d \"$1\" \"$2\" > /dev/null", &[&user, &extra]);
    let (_, drift) = tool.plan("user", &user_args).await;
    assert_eq!(drift.changed_paths(), ["groups"]);
    tool.converge("user", &user_args).await;

    std::fs::remove_dir_all(&home).unwrap();
    let (_, drift) = tool.plan("user", &user_args).await;
    assert_eq!(drift.changed_paths(), ["home_directory"]);
    tool.converge("user", &user_args).await;
    let meta = std::fs::metadata(&home).unwrap();
    assert_eq!(
        meta.gid(),
        43_210,
        "the new home belongs to the user's group"
    );

    // A uid the system picked stays as it is when none is given.
    let bare = m(&[("name", s(&user)), ("create_home", Value::Bool(false))]);
    assert!(tool.plan("user", &bare).await.1.is_no_op());

    let absent = m(&[
        ("name", s(&user)),
        ("state", s("absent")),
        ("remove", Value::Bool(true)),
    ]);
    assert_eq!(tool.converge("user", &absent).await.action, Action::Delete);
    for name in [&group, &extra] {
        let gone = m(&[("name", s(name)), ("state", s("absent"))]);
        assert_eq!(tool.converge("group", &gone).await.action, Action::Delete);
    }
}

#[tokio::test]
async fn lines_and_blocks_converge_through_the_real_file() {
    let tool = Tool::new();
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("sshd_config");
    std::fs::write(&conf, "Port 22\n#PermitRootLogin yes\n").unwrap();
    chmod(&conf, 0o640);
    let line = m(&[
        ("path", p(&conf)),
        ("regexp", s("^#?PermitRootLogin")),
        ("line", s("PermitRootLogin no")),
    ]);
    let changed = tool.converge("lineinfile", &line).await;
    assert_eq!(changed.changed_paths(), ["content"]);
    assert_eq!(
        std::fs::read_to_string(&conf).unwrap(),
        "Port 22\nPermitRootLogin no\n"
    );
    assert_eq!(mode_of(&conf), 0o640, "an edit keeps the file's mode");

    let block = m(&[
        ("path", p(&conf)),
        (
            "block",
            s("Match User backup\n  ForceCommand internal-sftp"),
        ),
        ("insertbefore", s("^Port")),
    ]);
    tool.converge("blockinfile", &block).await;
    assert_eq!(
        std::fs::read_to_string(&conf).unwrap(),
        "# BEGIN ANSIBLE MANAGED BLOCK\nMatch User backup\n  ForceCommand internal-sftp\n\
         # END ANSIBLE MANAGED BLOCK\nPort 22\nPermitRootLogin no\n"
    );

    // Drift behind the tool's back inside the block: the diff finds it, apply restores it.
    let drifted = std::fs::read_to_string(&conf)
        .unwrap()
        .replace("backup", "intruder");
    std::fs::write(&conf, drifted).unwrap();
    let (_, drift) = tool.plan("blockinfile", &block).await;
    assert_eq!(drift.changed_paths(), ["content"]);
    tool.converge("blockinfile", &block).await;
    assert!(
        std::fs::read_to_string(&conf)
            .unwrap()
            .contains("User backup\n")
    );

    let gone = m(&[
        ("path", p(&conf)),
        ("regexp", s("^PermitRootLogin")),
        ("state", s("absent")),
    ]);
    tool.converge("lineinfile", &gone).await;
    let absent_block = m(&[("path", p(&conf)), ("state", s("absent"))]);
    tool.converge("blockinfile", &absent_block).await;
    assert_eq!(std::fs::read_to_string(&conf).unwrap(), "Port 22\n");

    // create: true makes the file (and its directory) with the attributes asked for.
    let new = dir.path().join("new.d/app.conf");
    let created = m(&[
        ("path", p(&new)),
        ("line", s("x=1")),
        ("create", Value::Bool(true)),
        ("mode", s("0600")),
    ]);
    assert_eq!(
        tool.converge("lineinfile", &created).await.action,
        Action::Create
    );
    assert_eq!(std::fs::read_to_string(&new).unwrap(), "x=1\n");
    assert_eq!(mode_of(&new), 0o600);
}

#[tokio::test]
async fn authorized_keys_converge_for_a_new_user() {
    if !is_root() {
        eprintln!("skipped: managing users needs root");
        return;
    }
    let tool = Tool::new();
    let user = format!("plimsoll-k-{}", std::process::id());
    let _guard = AccountGuard {
        users: vec![user.clone()],
        groups: vec![user.clone()],
    };
    let homes = tempfile::tempdir().unwrap();
    let home = homes.path().join(&user);
    let alice = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAlice alice@laptop";
    let bob = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABbob bob";
    let keys = m(&[("user", s(&user)), ("key", s(format!("{alice}\n{bob}")))]);

    // Planned before the user exists: the new file's keys, known now.
    let (_, planned) = tool.plan("authorized_key", &keys).await;
    assert_eq!(planned.action, Action::Create);
    tool.converge("user", &m(&[("name", s(&user)), ("home", p(&home))]))
        .await;
    tool.converge("authorized_key", &keys).await;
    let file = home.join(".ssh/authorized_keys");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        format!("{alice}\n{bob}\n")
    );
    let uid = std::fs::metadata(&home).unwrap().uid();
    for (path, mode) in [(home.join(".ssh"), 0o700), (file.clone(), 0o600)] {
        assert_eq!(mode_of(&path), mode, "{path:?}");
        assert_eq!(std::fs::metadata(&path).unwrap().uid(), uid, "{path:?}");
    }

    // A key added behind the tool's back stays, unless exclusive.
    let intruder = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABevil mallory";
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str(&format!("{intruder}\n"));
    std::fs::write(&file, &text).unwrap();
    assert!(tool.plan("authorized_key", &keys).await.1.is_no_op());
    let mut exclusive = keys.clone();
    exclusive.insert("exclusive".into(), Value::Bool(true));
    let (_, drift) = tool.plan("authorized_key", &exclusive).await;
    assert_eq!(drift.changed_paths(), ["content"]);
    tool.converge("authorized_key", &exclusive).await;
    assert!(!std::fs::read_to_string(&file).unwrap().contains("mallory"));

    let gone = m(&[("user", s(&user)), ("key", s(bob)), ("state", s("absent"))]);
    tool.converge("authorized_key", &gone).await;
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        format!("{alice}\n")
    );
}
