//! `become`: connecting as an unprivileged user and reaching root through `sudo -n`, against a real
//! host with real sudo; without become the same file is a permission problem, and a user whose sudo
//! wants a password gets told how to fix it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::support::testbed::Testbed;
use crate::support::text;

/// Two users on the host, both logging in with the testbed's key: `deploy` may sudo without a
/// password, `guest` only with one.
const USERS: &str = r#"set -e
for u in deploy guest; do
  useradd -m -s /bin/sh "$u"
  mkdir -p "/home/$u/.ssh"
  cp /root/.ssh/authorized_keys "/home/$u/.ssh/authorized_keys"
  chown -R "$u:$u" "/home/$u/.ssh"
  chmod 700 "/home/$u/.ssh"
done
usermod -p '*' deploy
echo 'guest:not-known-to-plimsoll' | chpasswd
echo 'deploy ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/deploy
echo 'guest ALL=(ALL) ALL' > /etc/sudoers.d/guest
chmod 440 /etc/sudoers.d/deploy /etc/sudoers.d/guest
"#;

const WITH_BECOME: &str = "- hosts: all
  gather_facts: false
  tasks:
    - name: private dir
      file: {path: /root/plimsoll-become, state: directory, mode: '0700'}
      become: true
    - name: root-owned file
      copy:
        dest: /root/plimsoll-become/managed.conf
        content: \"managed\\n\"
        owner: root
        group: root
        mode: '0600'
      become: true
    - name: deploy's own file
      copy: {dest: /home/deploy/plain.txt, content: \"plain\\n\"}
";

const WITHOUT_BECOME: &str = "- hosts: all
  gather_facts: false
  tasks:
    - name: root-owned file
      copy: {dest: /root/plimsoll-become/other.conf, content: \"x\\n\", owner: root}
";

struct Lab {
    testbed: Testbed,
    dir: tempfile::TempDir,
}

impl Lab {
    fn start() -> Lab {
        let testbed = Testbed::start(1);
        let lab = Lab {
            testbed,
            dir: tempfile::tempdir().unwrap(),
        };
        lab.root_shell(USERS);
        for (name, text) in [
            ("with-become.yml", WITH_BECOME),
            ("without-become.yml", WITHOUT_BECOME),
        ] {
            std::fs::write(lab.dir.path().join(name), text).unwrap();
        }
        lab
    }

    /// An inventory connecting as `user` instead of root.
    fn inventory(&self, user: &str) -> PathBuf {
        let path = self.dir.path().join(format!("{user}.ini"));
        self.testbed.write_inventory(&path);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(
            &path,
            text.replace("ansible_user=root", &format!("ansible_user={user}")),
        )
        .unwrap();
        path
    }

    fn plimsoll(&self, user: &str, args: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_plimsoll"));
        command.args(args).arg("-i").arg(self.inventory(user));
        run(command, self.dir.path())
    }

    /// Runs `script` as root on the host, behind plimsoll's back.
    fn root_shell(&self, script: &str) -> String {
        let out = Command::new("docker")
            .args(["exec", &self.testbed.container("h1"), "sh", "-c", script])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "{script}: {}", text(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

fn run(mut command: Command, cwd: &Path) -> Output {
    command
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn become_reaches_root_through_sudo_and_without_it_root_files_are_a_permission_problem() {
    let lab = Lab::start();

    let first = lab.plimsoll(
        "deploy",
        &["plan", "with-become.yml", "--detailed-exitcode", "--stats"],
    );
    let report = text(&first);
    assert_eq!(first.status.code(), Some(2), "{report}");
    assert!(
        report.contains("Plan: 3 to create, 0 to update, 0 to delete."),
        "{report}"
    );
    // One batched read per become identity: as deploy, and as root through sudo.
    assert!(report.contains("h1 1/2"), "{report}");

    let apply = lab.plimsoll("deploy", &["apply", "with-become.yml"]);
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply));
    assert!(
        text(&apply).contains("Apply: 3 changed, 0 unchanged, 0 failed, 0 skipped."),
        "{}",
        text(&apply)
    );
    assert_eq!(
        lab.root_shell(
            "stat -c '%U:%G %a' /root/plimsoll-become /root/plimsoll-become/managed.conf /home/deploy/plain.txt; cat /root/plimsoll-become/managed.conf"
        ),
        "root:root 700\nroot:root 600\ndeploy:deploy 644\nmanaged\n"
    );

    let again = lab.plimsoll(
        "deploy",
        &["plan", "with-become.yml", "--detailed-exitcode"],
    );
    assert_eq!(
        again.status.code(),
        Some(0),
        "a second plan must be empty: {}",
        text(&again)
    );

    // The same kind of file without become: deploy cannot even look, and the plan says so instead
    // of planning to create what may exist.
    let denied = lab.plimsoll(
        "deploy",
        &["plan", "without-become.yml", "--detailed-exitcode"],
    );
    let report = text(&denied);
    assert_eq!(denied.status.code(), Some(1), "{report}");
    assert!(
        report.contains(
            "permission denied: /root cannot be searched by deploy (become: true reads it as root)"
        ),
        "{report}"
    );

    ansible_agrees(&lab);
}

#[test]
fn sudo_that_wants_a_password_is_reported_with_the_fix() {
    let lab = Lab::start();
    let out = lab.plimsoll("guest", &["plan", "with-become.yml", "--detailed-exitcode"]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(
        report.contains("sudo needs a password to run as root")
            && report.contains("configure NOPASSWD sudo for guest")
            && report.contains("or connect as root"),
        "{report}"
    );
    // Nothing was changed on the way.
    assert_eq!(
        lab.root_shell("test -e /root/plimsoll-become && echo exists || echo absent"),
        "absent\n"
    );
}

#[test]
fn asking_for_a_become_password_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hosts"), "h1 ansible_host=192.0.2.1\n").unwrap();
    std::fs::write(dir.path().join("site.yml"), WITH_BECOME).unwrap();
    for flag in ["-K", "--ask-become-pass"] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_plimsoll"));
        command.args(["plan", "-i", "hosts", "site.yml", flag]);
        let out = run(command, dir.path());
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(
            text(&out).contains("--ask-become-pass is not supported yet")
                && text(&out).contains("NOPASSWD sudo"),
            "{}",
            text(&out)
        );
    }
}

/// After plimsoll converged the host, the real ansible-playbook (connecting as deploy, become with
/// sudo) has nothing to change either.
fn ansible_agrees(lab: &Lab) {
    let Some(venv) = std::env::var_os("PLIMSOLL_ANSIBLE_VENV") else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the Ansible comparison: PLIMSOLL_ANSIBLE_VENV is not set (scripts/test.sh sets it)"
        );
        eprintln!("PLIMSOLL_ANSIBLE_VENV not set: the comparison with Ansible is skipped");
        return;
    };
    std::fs::write(lab.dir.path().join("none.cfg"), "").unwrap();
    let mut command = Command::new(PathBuf::from(venv).join("bin/ansible-playbook"));
    command
        .args(["-i", lab.inventory("deploy").to_str().unwrap()])
        .args(["with-become.yml", "--check"])
        .env("ANSIBLE_CONFIG", lab.dir.path().join("none.cfg"))
        .env("ANSIBLE_NOCOLOR", "1");
    let out = run(command, lab.dir.path());
    let output = text(&out);
    assert!(out.status.success(), "{output}");
    let recap = output
        .lines()
        .find(|l| l.starts_with("h1") && l.contains("ok="))
        .unwrap_or_default();
    assert!(
        recap.contains("changed=0") && recap.contains("failed=0"),
        "{output}"
    );
}
