use std::path::Path;

use super::*;
use crate::diagnostics::Diagnostics;

fn known(module: &str) -> bool {
    matches!(
        module,
        "file" | "ansible.builtin.file" | "copy" | "ansible.builtin.template" | "user"
    )
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn load(dir: &Path) -> Result<(Playbook, Diagnostics), Diagnostics> {
    let context = LoadContext {
        is_known_module: &known,
        roles_path: &[],
    };
    load_playbook(&dir.join("site.yml"), &context)
}

fn messages(errors: &Diagnostics) -> Vec<String> {
    errors.iter().map(ToString::to_string).collect()
}

#[test]
fn reads_plays_roles_blocks_loops_and_free_form_args() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "site.yml",
        "- hosts: web\n  plimsoll_ordering: dependencies\n  roles:\n    - base\n    - role: app\n      app_port: 8080\n  tasks:\n    - name: conf dir\n      file: path=/etc/app state=directory mode=0755\n    - block:\n        - user:\n            name: '{{ item }}'\n          loop: [a, b]\n          loop_control:\n            loop_var: u\n      when: manage_users\n",
    );
    write(
        dir.path(),
        "roles/base/defaults/main.yml",
        "base_dir: /srv\n",
    );
    write(
        dir.path(),
        "roles/base/tasks/main.yml",
        "- ansible.builtin.file:\n    path: '{{ base_dir }}'\n    state: directory\n",
    );
    write(
        dir.path(),
        "roles/app/meta/main.yml",
        "dependencies:\n  - base\n",
    );
    write(
        dir.path(),
        "roles/app/tasks/main.yaml",
        "- copy:\n    dest: /srv/app.conf\n    content: x\n",
    );
    let (playbook, _) = load(dir.path()).unwrap();
    let play = &playbook.plays[0];
    assert_eq!(play.ordering, Ordering::Dependencies);
    assert_eq!(play.roles.len(), 2);
    assert_eq!(play.roles[0].role.defaults[0].0, "base_dir");
    assert_eq!(play.roles[1].params[0].0, "app_port");
    assert_eq!(play.roles[1].role.dependencies[0].role.name, "base");
    let TaskItem::Task(conf) = &play.tasks[0] else {
        panic!("a task")
    };
    assert_eq!(conf.module, "file");
    let args: Vec<&str> = conf.args.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(args, ["path", "state", "mode"]);
    let TaskItem::Block(block) = &play.tasks[1] else {
        panic!("a block")
    };
    assert_eq!(block.when.len(), 1);
    let TaskItem::Task(user) = &block.tasks[0] else {
        panic!("a task")
    };
    assert_eq!(user.loop_spec.as_ref().unwrap().loop_var, "u");
    let TaskItem::Task(role_task) = &play.roles[0].role.tasks[0] else {
        panic!("a task")
    };
    assert_eq!(role_task.role.as_ref().unwrap().name, "base");
}

#[test]
fn refuses_what_cannot_be_planned_with_locations() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "site.yml",
        "- hosts: all\n  tasks:\n    - shell: echo hi\n    - file:\n        path: /x\n      register: out\n    - frobnicate:\n        x: 1\n    - name: nothing\n",
    );
    let errors = load(dir.path()).unwrap_err();
    let text = messages(&errors).join("\n");
    assert!(
        text.contains("site.yml:3:7: `shell` cannot be planned"),
        "{text}"
    );
    assert!(
        text.contains("site.yml:6:7: `register` cannot be planned"),
        "{text}"
    );
    assert!(
        text.contains("site.yml:7:7: couldn't resolve module/action 'frobnicate'"),
        "{text}"
    );
    assert!(
        text.contains("site.yml:9:7: no module/action detected in task"),
        "{text}"
    );
}

#[test]
fn missing_roles_and_role_loops_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "site.yml", "- hosts: all\n  roles: [a, nope]\n");
    write(dir.path(), "roles/a/meta/main.yml", "dependencies: [b]\n");
    write(dir.path(), "roles/b/meta/main.yml", "dependencies: [a]\n");
    let text = messages(&load(dir.path()).unwrap_err()).join("\n");
    assert!(text.contains("the role 'a' depends on itself"), "{text}");
    assert!(text.contains("the role 'nope' was not found"), "{text}");
}

#[test]
fn a_play_needs_hosts_and_known_keywords() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "site.yml", "- name: x\n  taks: []\n");
    let text = messages(&load(dir.path()).unwrap_err()).join("\n");
    assert!(
        text.contains("'taks' is not a valid attribute for a Play"),
        "{text}"
    );
    assert!(text.contains("the field 'hosts' is required"), "{text}");
}

#[test]
fn include_errors_point_at_the_include() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "site.yml",
        "- hosts: web\n  tasks:\n    - include_tasks: a.yml\n    - import_tasks: missing.yml\n    - import_tasks: a.yml\n      loop: [1]\n    - include_tasks: '{{ os }}.yml'\n    - include_role: {name: r, tasks_from: nope}\n    - include_role: {tasks_from: x}\n",
    );
    write(dir.path(), "a.yml", "- import_tasks: b.yml\n");
    write(dir.path(), "b.yml", "- include_tasks: a.yml\n");
    write(dir.path(), "roles/r/tasks/main.yml", "");
    let errors = messages(&load(dir.path()).unwrap_err());
    let has = |text: &str| errors.iter().any(|e| e.contains(text));
    assert!(
        has("b.yml:1:18: ") && has("a.yml includes itself") && has("site.yml:3:22"),
        "{errors:#?}"
    );
    assert!(
        has("site.yml:4:21: Could not find or access 'missing.yml'"),
        "{errors:#?}"
    );
    assert!(
        has("site.yml:5:7: You cannot use loops on 'import_tasks' statements"),
        "{errors:#?}"
    );
    assert!(
        has("site.yml:7:22: the file or role name \"{{ os }}.yml\" depends on variables"),
        "{errors:#?}"
    );
    assert!(has("Could not find specified file in role"), "{errors:#?}");
    assert!(
        has("site.yml:9:7: 'name' is a required field for include_role"),
        "{errors:#?}"
    );
}

#[test]
fn include_paths_are_found_where_ansible_looks() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "site.yml",
        "- hosts: web\n  roles: [r]\n  tasks:\n    - import_tasks: tasks/one.yml\n",
    );
    // Beside the including file first, then the playbook's directory.
    write(
        dir.path(),
        "tasks/one.yml",
        "- import_tasks: two.yml\n- import_tasks: top.yml\n",
    );
    write(dir.path(), "tasks/two.yml", "- file: {path: /two}\n");
    write(dir.path(), "top.yml", "- file: {path: /top}\n");
    // A role's task files are found in its tasks/ directory.
    write(
        dir.path(),
        "roles/r/tasks/main.yml",
        "- include_tasks: inner.yml\n",
    );
    write(
        dir.path(),
        "roles/r/tasks/inner.yml",
        "- file: {path: /inner}\n",
    );
    let (playbook, _) = load(dir.path()).unwrap_or_else(|e| panic!("{:#?}", messages(&e)));
    let play = &playbook.plays[0];
    let TaskItem::Block(one) = &play.tasks[0] else {
        panic!("an import is a block")
    };
    let paths: Vec<String> = one
        .tasks
        .iter()
        .map(|item| match item {
            TaskItem::Block(b) => match &b.tasks[0] {
                TaskItem::Task(t) => t.span.file.path().display().to_string(),
                _ => panic!("a task"),
            },
            _ => panic!("a block"),
        })
        .collect();
    assert!(
        paths[0].ends_with("tasks/two.yml") && paths[1].ends_with("/top.yml"),
        "{paths:?}"
    );
    let TaskItem::Include(inner) = &play.roles[0].role.tasks[0] else {
        panic!("an include")
    };
    let TaskItem::Task(task) = &inner.tasks[0] else {
        panic!("a task")
    };
    assert!(task.span.file.path().ends_with("roles/r/tasks/inner.yml"));
    assert_eq!(task.role.as_ref().unwrap().name, "r");
}

#[test]
fn task_connection_and_local_action_are_refused_with_a_way_out() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "site.yml",
        "- hosts: web\n  tasks:\n    - file: {path: /a}\n      connection: local\n    - local_action: file path=/b\n    - file: path={{ base }}/c echo\n",
    );
    let errors = messages(&load(dir.path()).unwrap_err());
    let has = |text: &str| errors.iter().any(|e| e.contains(text));
    assert!(
        has("site.yml:4:7: `connection` on a task or block cannot be planned"),
        "{errors:#?}"
    );
    assert!(
        has(
            "site.yml:5:7: `local_action` cannot be planned: local_action runs the task on the controller"
        ),
        "{errors:#?}"
    );
    assert!(
        has("site.yml:6:13: module arguments: \"echo\" is not key=value"),
        "{errors:#?}"
    );
}

#[test]
fn legacy_include_is_read_as_include_tasks_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "site.yml",
        "- hosts: web\n  tasks:\n    - include: other.yml\n",
    );
    write(dir.path(), "other.yml", "- file: {path: /x}\n");
    let (playbook, warnings) = load(dir.path()).unwrap_or_else(|e| panic!("{:#?}", messages(&e)));
    assert!(matches!(playbook.plays[0].tasks[0], TaskItem::Include(_)));
    let warnings = messages(&warnings);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("site.yml:3:7") && w.contains("`include` was removed")),
        "{warnings:#?}"
    );
}
