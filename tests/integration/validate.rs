//! `plimsoll validate` and `plimsoll graph` on real files, through the real binary: the shipped example
//! passes; broken playbooks exit 1 listing every problem with its file:line:col.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn plimsoll(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plimsoll"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("ANSIBLE_ROLES_PATH")
        .env_remove("ANSIBLE_INVENTORY")
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

#[test]
fn the_shipped_example_validates() {
    let out = plimsoll(
        &repo(),
        &["validate", "-i", "inventory.example", "playbooks/site.yml"],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    // 9 hosts × (group, user, root, 3 directories, template, copy).
    assert_eq!(err.trim(), "72 resources on 9 hosts, no problems");
    assert!(out.stdout.is_empty());
}

#[test]
fn every_problem_of_a_broken_playbook_is_listed_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("hosts", "[web]\nweb1\nweb2\n"),
            (
                "site.yml",
                "\
- hosts: web
  gather_facts: false
  tasks:
    - name: run a script
      shell: ./setup.sh
    - name: remember it
      file: {path: /srv, state: directory}
      register: out
    - name: something new
      frobnicate: {x: 1}
    - name: bad mode
      file: {path: /srv/app, state: directory, mode: 'rwxr'}
    - name: config
      template: {src: app.conf.j2, dest: /srv/app.conf}
",
            ),
            ("templates/app.conf.j2", "port={{ app_port }}\n"),
        ],
    );
    let out = plimsoll(dir.path(), &["validate", "-i", "hosts", "site.yml"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for expected in [
        "site.yml:5:7",
        "`shell` cannot be planned",
        "site.yml:8:7",
        "`register` cannot be planned",
        "site.yml:10:7",
        "couldn't resolve module/action 'frobnicate'",
        "site.yml:12:54",
        "mode must be in octal or symbolic form",
        "templates/app.conf.j2:1:9",
        "'app_port' is undefined (hosts web1, web2)",
    ] {
        assert!(err.contains(expected), "{expected:?} missing from:\n{err}");
    }
}

#[test]
fn a_depends_on_cycle_names_every_member() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("hosts", "[web]\nweb1\n"),
            (
                "site.yml",
                "\
- hosts: web
  gather_facts: false
  plimsoll_ordering: dependencies
  tasks:
    - name: first
      file: {path: /a, state: directory}
      depends_on: second
    - name: second
      file: {path: /b, state: directory}
      depends_on: first
",
            ),
        ],
    );
    let out = plimsoll(dir.path(), &["validate", "-i", "hosts", "site.yml"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("dependency cycle between 2 resources"),
        "{err}"
    );
    assert!(
        err.contains("site.yml:5:7") && err.contains("site.yml:8:7"),
        "{err}"
    );
}

#[test]
fn graph_prints_dot_with_the_edges_a_directory_tree_needs() {
    let out = plimsoll(
        &repo(),
        &[
            "graph",
            "-i",
            "inventory.example",
            "playbooks/site.yml",
            "--limit",
            "dock-1",
            "--format",
            "dot",
        ],
    );
    let dot = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dot.starts_with("digraph plimsoll {\n"), "{dot}");
    assert!(dot.trim_end().ends_with('}'), "{dot}");
    // Every line inside is a node, an edge with a label, or a graph attribute.
    for line in dot.lines().skip(1).filter(|l| *l != "}") {
        let line = line.trim();
        let node = line.starts_with('"') && line.ends_with("\";") && line.matches('"').count() == 2;
        let edge =
            line.contains("\" -> \"") && line.ends_with("\"];") && line.contains("[label=\"");
        let attribute = line == "rankdir=LR;" || line == "node [shape=box];";
        assert!(node || edge || attribute, "not DOT: {line:?}");
    }
    let conf = "dock-1: ansible.builtin.file[/srv/platform/app/conf]";
    let template = "dock-1: ansible.builtin.template[/srv/platform/app/conf/app.conf]";
    assert!(
        dot.contains(&format!(
            "\"{conf}\" -> \"{template}\" [label=\"needs path /srv/platform/app/conf\"];"
        )),
        "{dot}"
    );
    assert!(
        dot.contains(&format!(
            "\"dock-1: ansible.builtin.user[app]\" -> \"{template}\" [label=\"needs user app\"];"
        )),
        "{dot}"
    );
}

#[test]
fn task_files_and_roles_included_per_host_validate_and_their_errors_point_into_them() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "hosts",
                "[web]\nweb1 app_state=present\nweb2 app_state=absent\n",
            ),
            (
                "site.yml",
                "\
- hosts: web
  gather_facts: false
  tasks:
    - import_role: {name: app}
    - include_role: {name: app, tasks_from: users}
      when: app_state == 'present'
",
            ),
            ("roles/app/defaults/main/paths.yml", "app_dir: /srv/app\n"),
            (
                "roles/app/defaults/main/users.yml",
                "app_users: [ann, bob]\n",
            ),
            (
                "roles/app/tasks/main.yml",
                "\
- import_tasks: setup.yml
  when: app_state == 'present'
- import_tasks: cleanup.yml
  when: app_state == 'absent'
",
            ),
            (
                "roles/app/tasks/setup.yml",
                "- file: path={{ app_dir }} state=directory mode=0755\n",
            ),
            (
                "roles/app/tasks/cleanup.yml",
                "- file: {path: '{{ app_dir }}', state: absent}\n",
            ),
            (
                "roles/app/tasks/users.yml",
                "- include_tasks: user.yml\n  loop: '{{ app_users }}'\n  loop_control: {loop_var: who}\n",
            ),
            (
                "roles/app/tasks/user.yml",
                "- file: {path: '{{ app_dir }}/{{ who }}', state: directory}\n",
            ),
        ],
    );
    let out = plimsoll(dir.path(), &["validate", "-i", "hosts", "site.yml"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    // web1: the app dir and two user dirs; web2: the app dir removed.
    assert_eq!(err.trim(), "4 resources on 2 hosts, no problems");

    write(
        dir.path(),
        &[(
            "roles/app/tasks/user.yml",
            "- include_tasks: users.yml\n  loop: [1]\n- file: {path: '{{ app_dir }}/{{ who }}', state: directory, mode: 'rwxr'}\n",
        )],
    );
    let out = plimsoll(dir.path(), &["validate", "-i", "hosts", "site.yml"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("roles/app/tasks/user.yml:1:18") && err.contains("includes itself"),
        "{err}"
    );
}
