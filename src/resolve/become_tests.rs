//! `become`: keywords inherited task > block > role entry > play, connection variables overriding
//! them (Ansible's TaskExecutor and sudo become plugin), and what plimsoll cannot run refused before
//! connecting.

use super::tests::{Fixture, ONE_HOST, find, text};
use crate::model::{Become, BecomeMethod};

fn sudo(user: &str) -> Option<Become> {
    Some(Become {
        user: user.into(),
        method: BecomeMethod::Sudo,
    })
}

fn dir(path: &str) -> String {
    format!("file: {{path: {path}, state: directory}}")
}

#[test]
fn keywords_are_inherited_task_then_block_then_role_entry_then_play() {
    let fixture = Fixture::new(&[
        ("hosts", ONE_HOST),
        (
            "site.yml",
            &format!(
                "- hosts: all
  gather_facts: false
  become: true
  become_user: app
  roles:
    - role: db
      become_user: dbadmin
    - role: plain
  tasks:
    - {}
    - block:
        - {}
        - {}
          become: false
        - {}
          become_user: '{{{{ owner }}}}'
          vars: {{owner: web}}
      become_user: www
  handlers:
    - name: restart
      {}
",
                dir("/play"),
                dir("/block"),
                dir("/off"),
                dir("/task"),
                dir("/handler"),
            ),
        ),
        ("roles/db/tasks/main.yml", &format!("- {}\n", dir("/db"))),
        (
            "roles/db/meta/main.yml",
            "dependencies:\n  - role: common\n  - role: audit\n    become_user: auditor\n",
        ),
        (
            "roles/common/tasks/main.yml",
            &format!("- {}\n", dir("/common")),
        ),
        (
            "roles/audit/tasks/main.yml",
            &format!("- {}\n", dir("/audit")),
        ),
        (
            "roles/plain/tasks/main.yml",
            &format!("- {}\n", dir("/plain")),
        ),
    ]);
    let resolved = fixture.resolve();
    let become_of = |key: &str| find(&resolved, "h1", key).become_as.clone();
    assert_eq!(become_of("/play"), sudo("app"));
    assert_eq!(become_of("/block"), sudo("www"));
    assert_eq!(become_of("/off"), None);
    assert_eq!(become_of("/task"), sudo("web"));
    assert_eq!(become_of("/handler"), sudo("app"));
    assert_eq!(become_of("/db"), sudo("dbadmin"));
    // A dependency inherits from the entry that pulled it in, unless its own entry says otherwise.
    assert_eq!(become_of("/common"), sudo("dbadmin"));
    assert_eq!(become_of("/audit"), sudo("auditor"));
    assert_eq!(become_of("/plain"), sudo("app"));
}

#[test]
fn become_user_defaults_to_root_and_without_become_nothing_escalates() {
    let fixture = Fixture::new(&[
        ("hosts", ONE_HOST),
        (
            "site.yml",
            &format!(
                "- hosts: all
  gather_facts: false
  tasks:
    - {}
      become: yes
    - {}
      become_user: app
      become_method: su
",
                dir("/root-owned"),
                dir("/plain"),
            ),
        ),
    ]);
    let resolved = fixture.resolve();
    assert_eq!(find(&resolved, "h1", "/root-owned").become_as, sudo("root"));
    // become_user and become_method mean nothing until become is on (Ansible runs the task as is).
    assert_eq!(find(&resolved, "h1", "/plain").become_as, None);
}

#[test]
fn connection_variables_override_the_keywords() {
    let fixture = Fixture::new(&[
        (
            "hosts",
            "[web]
disabled ansible_become=false
user ansible_become_user=ops
enabled ansible_become=true
method ansible_become_method=sudo
",
        ),
        (
            "site.yml",
            &format!(
                "- hosts: web
  gather_facts: false
  become: true
  become_user: app
  become_method: su
  vars:
    ansible_become_method: sudo
  tasks:
    - {}
- hosts: enabled
  gather_facts: false
  tasks:
    - {}
    - {}
      vars:
        svc: batch
        ansible_become_user: '{{{{ svc }}}}'
",
                dir("/srv"),
                dir("/inventory-only"),
                dir("/templated"),
            ),
        ),
    ]);
    let resolved = fixture.resolve();
    assert_eq!(find(&resolved, "disabled", "/srv").become_as, None);
    assert_eq!(find(&resolved, "user", "/srv").become_as, sudo("ops"));
    assert_eq!(find(&resolved, "enabled", "/srv").become_as, sudo("app"));
    // `become_method: su` is overridden by the play's `ansible_become_method: sudo`.
    assert_eq!(find(&resolved, "method", "/srv").become_as, sudo("app"));
    assert_eq!(
        find(&resolved, "enabled", "/inventory-only").become_as,
        sudo("root")
    );
    assert_eq!(
        find(&resolved, "enabled", "/templated").become_as,
        sudo("batch")
    );
}

#[test]
fn extra_vars_override_like_any_variable() {
    let fixture = Fixture::new(&[
        ("hosts", ONE_HOST),
        (
            "site.yml",
            &format!(
                "- hosts: all\n  gather_facts: false\n  become: true\n  tasks:\n    - {}\n",
                dir("/x")
            ),
        ),
    ]);
    let (resolved, _) = fixture
        .resolve_with(|o| {
            o.extra_vars.insert(
                "ansible_become_user".into(),
                crate::value::Value::Str("deploy".into()),
            );
        })
        .unwrap_or_else(|e| panic!("{}", text(&e)));
    assert_eq!(find(&resolved, "h1", "/x").become_as, sudo("deploy"));
}

#[test]
fn another_method_is_refused_at_its_place() {
    let fixture = Fixture::new(&[
        ("hosts", "[web]\nh1\nh2 ansible_become_method=doas\n"),
        (
            "site.yml",
            &format!(
                "- hosts: h1\n  gather_facts: false\n  become: true\n  become_method: su\n  tasks:\n    - name: app dir\n      {}\n- hosts: h2\n  gather_facts: false\n  become: true\n  tasks:\n    - name: other\n      {}\n",
                dir("/a"),
                dir("/b")
            ),
        ),
    ]);
    let errors = fixture.errors();
    assert!(
        errors.contains(
            "site.yml:4:18: task \"app dir\": become_method `su` is not supported: plimsoll escalates with sudo only"
        ) && errors.contains("[use `become_method: sudo`"),
        "{errors}"
    );
    assert!(
        errors.contains(
            "task \"other\": ansible_become_method `doas` is not supported: plimsoll escalates with sudo only (`sudo -n`, no password) (host h2)"
        ),
        "{errors}"
    );
}

#[test]
fn a_become_password_is_refused_not_ignored() {
    let fixture = Fixture::new(&[
        (
            "hosts",
            "[web]\nh1 ansible_become_password=secret\nh2 ansible_become_pass=secret\nh3\n",
        ),
        (
            "site.yml",
            &format!(
                "- hosts: all\n  gather_facts: false\n  tasks:\n    - {}\n      become: true\n    - {}\n",
                dir("/a"),
                dir("/b")
            ),
        ),
    ]);
    let errors = fixture.errors();
    assert!(
        errors.contains(
            "ansible_become_password is set, but plimsoll cannot give sudo a password (not supported yet): it runs `sudo -n` (host h1)"
        ) && errors.contains("configure NOPASSWD sudo for the connecting user"),
        "{errors}"
    );
    assert!(
        errors.contains("ansible_become_pass is set") && errors.contains("(host h2)"),
        "{errors}"
    );
    // Only the task that escalates needs the password; h3 has none to refuse.
    assert!(!errors.contains("h3"), "{errors}");
}

#[test]
fn non_boolean_become_and_a_become_exe_are_errors_and_unknown_flags_a_warning() {
    let fixture = Fixture::new(&[
        ("hosts", ONE_HOST),
        (
            "site.yml",
            &format!(
                "- hosts: all\n  gather_facts: false\n  tasks:\n    - {}\n      become: maybe\n    - {}\n      become: true\n      become_exe: /opt/bin/sudo\n",
                dir("/a"),
                dir("/b")
            ),
        ),
    ]);
    let errors = fixture.errors();
    assert!(
        errors.contains("site.yml:5:15: file task: become must be a boolean, not 'maybe'"),
        "{errors}"
    );
    assert!(
        errors.contains("site.yml:8:19: file task: become_exe `/opt/bin/sudo` is not supported"),
        "{errors}"
    );

    let flags = Fixture::new(&[
        ("hosts", ONE_HOST),
        (
            "site.yml",
            &format!(
                "- hosts: all\n  gather_facts: false\n  become: true\n  become_flags: '-E'\n  tasks:\n    - {}\n    - {}\n      become_flags: -H -S -n\n",
                dir("/a"),
                dir("/b")
            ),
        ),
    ]);
    let (resolved, warnings) = flags
        .resolve_with(|_| {})
        .unwrap_or_else(|e| panic!("{}", text(&e)));
    assert_eq!(find(&resolved, "h1", "/a").become_as, sudo("root"));
    let warnings = text(&warnings);
    assert!(
        warnings.contains(
            "site.yml:4:17: become_flags `-E` is ignored: plimsoll always runs `sudo -n -H -u USER`"
        ),
        "{warnings}"
    );
    // Ansible's default flags are what plimsoll does anyway: nothing to warn about.
    assert!(!warnings.contains("-H -S -n"), "{warnings}");
}
