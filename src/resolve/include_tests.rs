//! `import_tasks`, `include_tasks`, `import_role` and `include_role` resolved per host. Where a case
//! states what Ansible does, it follows lib/ansible/playbook/{task_include,role_include,helpers}.py.

use super::tests::{Fixture, find, text};
use crate::value::Value;

fn keys(resolved: &super::Resolved) -> Vec<String> {
    resolved
        .resources
        .resources
        .keys()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn import_tasks_gives_when_tags_and_vars_to_every_imported_task() {
    let fixture = Fixture::new(&[
        ("hosts", "[web]\nh1 mode=setup\nh2 mode=cleanup\n"),
        (
            "site.yml",
            "- hosts: all\n  gather_facts: false\n  tasks:\n    - import_tasks: tasks/setup.yml\n      when: mode == 'setup'\n      vars: {base: /srv}\n      tags: [setup]\n    - import_tasks: tasks/cleanup.yml\n      when: mode == 'cleanup'\n",
        ),
        (
            "tasks/setup.yml",
            "- name: base dir\n  file: {path: '{{ base }}/app', state: directory}\n- import_tasks: nested.yml\n",
        ),
        (
            "tasks/nested.yml",
            "- file: {path: '{{ base }}/nested', state: directory}\n",
        ),
        (
            "tasks/cleanup.yml",
            "- file: {path: /srv/app, state: absent}\n",
        ),
    ]);
    let resolved = fixture.resolve();
    assert_eq!(
        keys(&resolved),
        [
            "h1: ansible.builtin.file[/srv/app]",
            "h1: ansible.builtin.file[/srv/nested]",
            "h2: ansible.builtin.file[/srv/app]",
        ]
    );
    let dir = find(&resolved, "h1", "/srv/app");
    assert_eq!(dir.tags, ["setup"]);
    // The span points into the imported file, two levels down for the nested import.
    assert!(dir.declared_at.to_string().contains("tasks/setup.yml:1:3"));
    let nested = find(&resolved, "h1", "/srv/nested");
    assert!(
        nested
            .declared_at
            .to_string()
            .contains("tasks/nested.yml:1:3"),
        "{}",
        nested.declared_at
    );
    assert_eq!(
        find(&resolved, "h2", "/srv/app").args["state"],
        Value::Str("absent".into())
    );
}

#[test]
fn include_tasks_is_decided_per_host_and_loops_with_its_variable() {
    let fixture = Fixture::new(&[
        (
            "hosts",
            "[web]\nh1 users='[\"ann\", \"bob\"]'\nh2 users='[]'\n",
        ),
        (
            "site.yml",
            "- hosts: all\n  gather_facts: false\n  tasks:\n    - include_tasks: user.yml\n      loop: '{{ users }}'\n      loop_control: {loop_var: who, index_var: n}\n      vars: {root: /home}\n    - include_tasks:\n        file: extra.yml\n        apply: {tags: [extra]}\n      when: users | length > 1\n      tags: [always]\n",
        ),
        (
            "user.yml",
            "- name: home of {{ who }}\n  file: {path: '{{ root }}/{{ who }}', state: directory, mode: '07{{ n }}0'}\n",
        ),
        ("extra.yml", "- file: {path: /extra, state: directory}\n"),
    ]);
    let resolved = fixture.resolve();
    assert_eq!(
        keys(&resolved),
        [
            "h1: ansible.builtin.file[/home/ann]",
            "h1: ansible.builtin.file[/home/bob]",
            "h1: ansible.builtin.file[/extra]",
        ]
    );
    let bob = find(&resolved, "h1", "/home/bob");
    assert_eq!(bob.display_name, "home of bob");
    assert_eq!(bob.args["mode"], Value::Str("0710".into()));
    // The include's own tags are not inherited (Ansible's dynamic includes); `apply:` tags are.
    assert_eq!(find(&resolved, "h1", "/extra").tags, ["extra"]);

    // Tags filter the include itself: `--tags extra` skips an include not tagged so.
    let (resolved, _) = fixture
        .resolve_with(|o| o.tags = vec!["extra".into()])
        .unwrap_or_else(|e| panic!("{}", text(&e)));
    assert_eq!(keys(&resolved), ["h1: ansible.builtin.file[/extra]"]);
}

#[test]
fn include_loop_items_that_manage_the_same_object_are_reported() {
    let fixture = Fixture::new(&[
        ("hosts", "[web]\nh1\n"),
        (
            "site.yml",
            "- hosts: all\n  gather_facts: false\n  tasks:\n    - include_tasks: same.yml\n      loop: [1, 2]\n",
        ),
        ("same.yml", "- file: {path: /same, state: directory}\n"),
    ]);
    let errors = fixture.errors();
    assert!(
        errors.contains("same.yml:1:3: h1: ansible.builtin.file[/same] is declared twice"),
        "{errors}"
    );
}

#[test]
fn roles_are_imported_and_included_with_their_files() {
    let fixture = Fixture::new(&[
        ("hosts", "[web]\nh1\n"),
        (
            "site.yml",
            "- hosts: all\n  gather_facts: false\n  tasks:\n    - import_role: {name: app, tasks_from: setup, vars_from: extra}\n      when: true\n    - include_role:\n        name: app\n      vars: {app_dir: /opt/included}\n      when: false\n    - include_role: {name: app, defaults_from: other}\n      loop: [x]\n    - copy: {dest: /seen, content: '{{ app_port }}'}\n",
        ),
        ("roles/app/defaults/main/10-dir.yml", "app_dir: /srv/app\n"),
        (
            "roles/app/defaults/main/20-port.yml",
            "app_port: 80\napp_dir: /srv/later\n",
        ),
        (
            "roles/app/defaults/other.yml",
            "app_dir: /srv/other\napp_port: 1\n",
        ),
        ("roles/app/vars/extra.yml", "app_user: svc\n"),
        (
            "roles/app/tasks/setup.yml",
            "- file: {path: '{{ app_dir }}/setup', state: directory, owner: '{{ app_user }}'}\n",
        ),
        (
            "roles/app/tasks/main.yml",
            "- file: {path: '{{ app_dir }}/main', state: directory}\n",
        ),
    ]);
    let resolved = fixture.resolve();
    assert_eq!(
        keys(&resolved),
        [
            "h1: ansible.builtin.file[/srv/later/setup]",
            "h1: ansible.builtin.file[/srv/other/main]",
            "h1: ansible.builtin.copy[/seen]",
        ]
    );
    assert_eq!(
        find(&resolved, "h1", "/srv/later/setup").args["owner"],
        Value::Str("svc".into())
    );
}

#[test]
fn connection_local_on_a_play_runs_its_hosts_locally() {
    let fixture = Fixture::new(&[
        ("hosts", "[web]\nh1\nh2 ansible_connection=ssh\n"),
        (
            "site.yml",
            "- hosts: all\n  connection: local\n  gather_facts: false\n  tasks:\n    - file: {path: /a, state: directory}\n",
        ),
    ]);
    let resolved = fixture.resolve();
    // The inventory's ansible_connection wins over the play keyword, as in Ansible.
    assert_eq!(resolved.local_hosts, ["h1"]);

    let fixture = Fixture::new(&[
        ("hosts", "[web]\nh1\n"),
        (
            "site.yml",
            "- hosts: all\n  connection: local\n  gather_facts: false\n  tasks: []\n- hosts: all\n  gather_facts: false\n  tasks: []\n- hosts: all\n  connection: winrm\n  gather_facts: false\n  tasks: []\n",
        ),
    ]);
    let errors = fixture.errors();
    assert!(
        errors.contains("site.yml:5:3: h1 connects over ssh here but locally at")
            && errors.contains("site.yml:2:15"),
        "{errors}"
    );
    assert!(
        errors.contains("site.yml:9:15: connection \"winrm\" is not supported"),
        "{errors}"
    );
    assert_eq!(errors.matches("h1 connects").count(), 1, "{errors}");
}

#[test]
fn included_roles_bring_their_handlers_and_apply_keywords() {
    let fixture = Fixture::new(&[
        ("hosts", "[web]\nh1\n"),
        (
            "site.yml",
            "- hosts: all\n  gather_facts: false\n  tasks:\n    - include_role:\n        name: app\n        handlers_from: extra\n        apply: {tags: [app]}\n  handlers:\n    - name: play handler\n      file: {path: /run/play, state: directory}\n      listen: restart\n",
        ),
        (
            "roles/app/tasks/main.yml",
            "- copy: {dest: /etc/app, content: x}\n  notify: [app reload, restart]\n- include_tasks: more.yml\n  tags: [always]\n",
        ),
        (
            "roles/app/tasks/more.yml",
            "- copy: {dest: /etc/more, content: y}\n",
        ),
        (
            "roles/app/handlers/extra.yml",
            "- name: app reload\n  file: {path: /run/app, state: directory}\n",
        ),
    ]);
    let resolved = fixture.resolve();
    let task = find(&resolved, "h1", "/etc/app");
    assert_eq!(task.notify, ["app reload", "play handler"]);
    assert_eq!(task.tags, ["app"]);
    assert!(find(&resolved, "h1", "/run/app").is_handler);
    // `apply:` reaches tasks the role includes in turn; the include's own tag stays its own.
    assert_eq!(find(&resolved, "h1", "/etc/more").tags, ["app"]);
}
