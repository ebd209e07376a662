//! Resolving whole playbooks written to a temporary directory. Where a case states what Ansible does,
//! it was checked with ansible-playbook 2.19.14 (`-c local`, debug tasks printing the same values).

use std::path::Path;
use std::sync::Arc;

use super::*;
use crate::diagnostics::Diagnostics;
use crate::drivers::builtin_registry;
use crate::drivers::host::ContentSpec;
use crate::inventory::{Inventory, LoadOptions};
use crate::model::DesiredResource;
use crate::playbook::{LoadContext, load_playbook};
use crate::secrets::VaultSecrets;
use crate::value::{Map, Value};

pub(super) struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    pub(super) fn new(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        Self { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    pub(super) fn resolve_with(
        &self,
        change: impl FnOnce(&mut ResolveOptions),
    ) -> Result<(Resolved, Diagnostics), Diagnostics> {
        self.resolve_with_secrets(VaultSecrets::new(), change)
    }

    fn resolve_with_secrets(
        &self,
        secrets: VaultSecrets,
        change: impl FnOnce(&mut ResolveOptions),
    ) -> Result<(Resolved, Diagnostics), Diagnostics> {
        let sources = [self.path().join("hosts").display().to_string()];
        let (inventory, _) = Inventory::load(&LoadOptions {
            sources: &sources,
            secrets: &secrets,
            playbook_dir: Some(self.path()),
            cwd: self.path(),
        })
        .unwrap();
        let registry = builtin_registry();
        let known = |m: &str| registry.find(m).is_some();
        let (playbook, _) = load_playbook(
            &self.path().join("site.yml"),
            &LoadContext {
                is_known_module: &known,
                roles_path: &[],
            },
        )
        .unwrap_or_else(|e| panic!("{}", text(&e)));
        let mut options = ResolveOptions {
            limit: None,
            tags: Vec::new(),
            skip_tags: Vec::new(),
            extra_vars: Map::new(),
            playbook_dir: self.path().to_path_buf(),
            secrets: Arc::new(secrets),
            cwd: self.path().to_path_buf(),
        };
        change(&mut options);
        super::resolve(&playbook, &inventory, &registry, &options)
    }

    pub(super) fn resolve(&self) -> Resolved {
        match self.resolve_with(|_| {}) {
            Ok((resolved, _)) => resolved,
            Err(errors) => panic!("{}", text(&errors)),
        }
    }

    pub(super) fn errors(&self) -> String {
        match self.resolve_with(|_| {}) {
            Ok(_) => panic!("resolving should fail"),
            Err(errors) => text(&errors),
        }
    }
}

pub(super) fn text(diagnostics: &Diagnostics) -> String {
    diagnostics
        .iter()
        .map(|d| format!("{d} [{}]", d.help.clone().unwrap_or_default()))
        .collect::<Vec<_>>()
        .join("\n")
}

pub(super) fn find<'r>(resolved: &'r Resolved, host: &str, key: &str) -> &'r DesiredResource {
    resolved
        .resources
        .resources
        .values()
        .find(|r| {
            r.id.scope.name() == host
                && (r.id.key == key || r.id.key.starts_with(&format!("{key} (handler: ")))
        })
        .unwrap_or_else(|| panic!("no {key} on {host}: {:?}", keys(resolved)))
}

fn keys(resolved: &Resolved) -> Vec<String> {
    resolved
        .resources
        .resources
        .keys()
        .map(ToString::to_string)
        .collect()
}

fn content(resource: &DesiredResource) -> String {
    let spec = resource.spec.downcast_ref::<ContentSpec>().unwrap();
    String::from_utf8(spec.content.clone()).unwrap()
}

pub(super) const ONE_HOST: &str = "[web]\nh1\n";

#[test]
fn variables_follow_ansibles_precedence() {
    // vN is defined at the first N levels; each must come from level N.
    let levels = [
        "defaults",
        "inventory",
        "play",
        "vars_files",
        "role_vars",
        "block",
        "task",
        "params",
        "extra",
    ];
    let define = |level: usize| -> String {
        (level..=levels.len())
            .map(|n| format!("v{n}: {}\n", levels[level - 1]))
            .collect()
    };
    let indent =
        |text: String, by: &str| -> String { text.lines().map(|l| format!("{by}{l}\n")).collect() };
    let all: String = (1..=levels.len())
        .map(|n| format!("{{{{ v{n} }}}}"))
        .collect::<Vec<_>>()
        .join(" ");
    let inventory_vars: String = (2..=levels.len())
        .map(|n| format!(" v{n}=inventory"))
        .collect();
    let fixture = Fixture::new(&[
        ("hosts", &format!("[web]\nh1{inventory_vars}\n")),
        (
            "site.yml",
            &format!(
                "- hosts: web\n  gather_facts: false\n  vars:\n{}  vars_files: [common.yml]\n  roles:\n    - role: app\n{}  tasks:\n    - copy:\n        dest: /play\n        content: \"{{{{ v3 }}}} {{{{ v5 }}}}\"\n",
                indent(define(3), "    "),
                indent(define(8), "      "),
            ),
        ),
        ("vars/common.yml", &define(4)),
        ("roles/app/defaults/main.yml", &define(1)),
        ("roles/app/vars/main.yml", &define(5)),
        (
            "roles/app/tasks/main.yml",
            &format!(
                "- block:\n    - copy:\n        dest: /role\n        content: \"{all}\"\n      vars:\n{}  vars:\n{}",
                indent(define(7), "        "),
                indent(define(6), "    "),
            ),
        ),
    ]);
    let (resolved, _) = fixture
        .resolve_with(|o| {
            o.extra_vars.insert("v9".into(), Value::Str("extra".into()));
        })
        .unwrap_or_else(|e| panic!("{}", text(&e)));
    assert_eq!(content(find(&resolved, "h1", "/role")), levels.join(" "));
    // Ansible: a play's own task sees every role's vars above the play's vars.
    assert_eq!(content(find(&resolved, "h1", "/play")), "play role_vars");
}

#[test]
fn magic_variables_and_lazy_hostvars() {
    let fixture = Fixture::new(&[
        (
            "hosts",
            "[web]\nweb1.example.com port=80\n[db]\n10.0.0.5 port=5432 pw=\"{{ inventory_hostname }}-pw\"\n",
        ),
        (
            "site.yml",
            "- hosts: web\n  gather_facts: false\n  vars:\n    only_in_play: x\n  roles: [app]\n",
        ),
        (
            "roles/app/tasks/main.yml",
            "- copy:\n    dest: /facts\n    content: \"{{ inventory_hostname_short }} {{ group_names }} {{ groups.db }} {{ hostvars['10.0.0.5'].port }} {{ hostvars['10.0.0.5'].pw }} {{ hostvars['10.0.0.5'].only_in_play is defined }} {{ role_name }} {{ role_path | basename }} {{ ansible_play_hosts }} {{ hostvars | length }}\"\n",
        ),
    ]);
    let resolved = fixture.resolve();
    assert_eq!(
        content(find(&resolved, "web1.example.com", "/facts")),
        "web1 ['web'] ['10.0.0.5'] 5432 10.0.0.5-pw False app app ['web1.example.com'] 2"
    );
    assert!(fixture.path().join("roles/app").is_dir());
}

#[test]
fn loops_expand_into_distinct_resources() {
    let fixture = Fixture::new(&[
        ("hosts", ONE_HOST),
        (
            "site.yml",
            "- hosts: all\n  gather_facts: false\n  vars:\n    dirs: [/a, /b]\n  tasks:\n    - name: dir {{ d }}\n      file: {path: '{{ d }}', state: directory, mode: '{{ i }}75{{ i }}'}\n      loop: '{{ dirs }}'\n      loop_control: {loop_var: d, index_var: i}\n    - file: {path: '/items{{ item }}', state: directory}\n      with_items: [[1, 2], 3]\n    - file: {path: '/dict/{{ item.key }}', state: directory, owner: '{{ item.value }}'}\n      with_dict: {x: root}\n",
        ),
    ]);
    let resolved = fixture.resolve();
    assert_eq!(
        keys(&resolved),
        [
            "h1: ansible.builtin.file[/a]",
            "h1: ansible.builtin.file[/b]",
            "h1: ansible.builtin.file[/items1]",
            "h1: ansible.builtin.file[/items2]",
            "h1: ansible.builtin.file[/items3]",
            "h1: ansible.builtin.file[/dict/x]",
        ]
    );
    let b = find(&resolved, "h1", "/b");
    assert_eq!(b.display_name, "dir /b");
    assert_eq!(b.args["mode"], Value::Str("1751".into()));
    assert_eq!(b.order, 1);
    assert_eq!(
        find(&resolved, "h1", "/items3").display_name,
        "ansible.builtin.file /items3"
    );
    assert_eq!(
        find(&resolved, "h1", "/dict/x").args["owner"],
        Value::Str("root".into())
    );
}

#[test]
fn when_conditions_from_roles_blocks_and_tasks_all_hold() {
    let fixture = Fixture::new(&[
        ("hosts", "[web]\nh1 on=true\nh2 on=false\n"),
        (
            "site.yml",
            "- hosts: all\n  gather_facts: false\n  roles:\n    - role: app\n      when: on | bool\n  tasks:\n    - block:\n        - file: {path: /blocked, state: directory}\n          when: true\n      when: inventory_hostname == 'h2'\n    - file: {path: '/item{{ item }}', state: directory}\n      loop: [1, 2, 3]\n      when: item != 2\n    - file: {path: '{{ nowhere }}', state: directory}\n      loop: '{{ undefined_list }}'\n      when: false\n",
        ),
        ("roles/app/meta/main.yml", "dependencies: [base]\n"),
        (
            "roles/base/tasks/main.yml",
            "- file: {path: /base, state: directory}\n",
        ),
        (
            "roles/app/tasks/main.yml",
            "- file: {path: /app, state: directory}\n",
        ),
    ]);
    let resolved = fixture.resolve();
    let on = |host: &str| -> Vec<String> {
        resolved
            .resources
            .resources
            .values()
            .filter(|r| r.id.scope.name() == host)
            .map(|r| r.id.key.clone())
            .collect()
    };
    // A dependency inherits its parent's `when:` (Ansible skipped base's task with the parent's when false).
    assert_eq!(on("h1"), ["/base", "/app", "/item1", "/item3"]);
    assert_eq!(on("h2"), ["/blocked", "/item1", "/item3"]);
}

#[test]
fn when_errors_name_the_condition() {
    let fixture = Fixture::new(&[
        ("hosts", ONE_HOST),
        (
            "site.yml",
            "- hosts: all\n  gather_facts: false\n  tasks:\n    - name: guarded\n      file: {path: /x, state: directory}\n      when: flag and other\n",
        ),
    ]);
    let errors = fixture.errors();
    assert!(
        errors.contains("site.yml:6:13: task \"guarded\", when: Error while evaluating conditional: 'flag' is undefined (host h1)"),
        "{errors}"
    );
}

#[test]
fn tags_select_tasks_as_ansible_does() {
    let fixture = Fixture::new(&[
        ("hosts", ONE_HOST),
        (
            "site.yml",
            "- hosts: all\n  gather_facts: false\n  roles:\n    - role: app\n      tags: apptag\n  tasks:\n    - file: {path: /never, state: directory}\n      tags: [never, n]\n    - file: {path: /always, state: directory}\n      tags: always\n    - file: {path: /plain, state: directory}\n    - block:\n        - file: {path: /inner, state: directory}\n          tags: inner\n      tags: outer\n",
        ),
        (
            "roles/app/tasks/main.yml",
            "- file: {path: /app, state: directory}\n",
        ),
    ]);
    let run = |tags: &[&str], skip: &[&str]| -> Vec<String> {
        let (resolved, _) = fixture
            .resolve_with(|o| {
                o.tags = tags.iter().map(|t| t.to_string()).collect();
                o.skip_tags = skip.iter().map(|t| t.to_string()).collect();
            })
            .unwrap();
        resolved
            .resources
            .resources
            .values()
            .map(|r| r.id.key.clone())
            .collect()
    };
    assert_eq!(run(&[], &[]), ["/app", "/always", "/plain", "/inner"]);
    assert_eq!(run(&["apptag"], &[]), ["/app", "/always"]);
    assert_eq!(run(&["tagged"], &[]), ["/app", "/always", "/inner"]);
    assert_eq!(run(&["n"], &["always"]), ["/never"]);
    assert_eq!(
        run(&["outer,untagged"], &[]),
        ["/always", "/plain", "/inner"]
    );
}

#[test]
fn handlers_are_marked_and_notifications_reach_them() {
    let fixture = Fixture::new(&[
        ("hosts", "[web]\nh1\nh2 skip=true\n"),
        (
            "site.yml",
            "- hosts: all\n  gather_facts: false\n  roles: [app]\n  tasks:\n    - copy: {dest: /etc/a, content: a}\n      notify: [restart app, reload things]\n  handlers:\n    - name: restart app\n      file: {path: /run/restart, state: directory}\n      when: skip is not defined\n    - name: never notified\n      file: {path: /run/never, state: directory}\n",
        ),
        (
            "roles/app/handlers/main.yml",
            "- name: reload\n  file: {path: /run/reload, state: directory}\n  listen: reload things\n",
        ),
        (
            "roles/app/tasks/main.yml",
            "- copy: {dest: /etc/b, content: b}\n  notify: 'app : reload'\n",
        ),
    ]);
    let resolved = fixture.resolve();
    let task = find(&resolved, "h1", "/etc/a");
    assert!(!task.is_handler);
    assert_eq!(task.notify, ["restart app", "reload"]);
    assert_eq!(find(&resolved, "h1", "/etc/b").notify, ["reload"]);
    assert!(find(&resolved, "h1", "/run/restart").is_handler);
    assert!(find(&resolved, "h1", "/run/never").is_handler);
    // On h2 the handler is skipped by its `when:`, so the task reaches only the other one.
    assert_eq!(find(&resolved, "h2", "/etc/a").notify, ["reload"]);
    // Handlers come after the play's tasks in a host's order.
    assert!(find(&resolved, "h1", "/run/reload").order > find(&resolved, "h1", "/etc/a").order);

    let fixture = Fixture::new(&[
        ("hosts", ONE_HOST),
        (
            "site.yml",
            "- hosts: all\n  gather_facts: false\n  tasks:\n    - copy: {dest: /etc/a, content: a}\n      notify: nobody\n",
        ),
    ]);
    assert!(
        fixture
            .errors()
            .contains("site.yml:4:7: The requested handler 'nobody' was not found"),
        "{}",
        fixture.errors()
    );
}

#[test]
fn omitted_arguments_are_left_out() {
    let fixture = Fixture::new(&[
        ("hosts", ONE_HOST),
        (
            "site.yml",
            "- hosts: all\n  gather_facts: false\n  tasks:\n    - file:\n        path: /x\n        state: directory\n        mode: \"{{ wanted_mode | default(omit) }}\"\n        owner: \"{{ omit }}\"\n",
        ),
    ]);
    let resolved = fixture.resolve();
    let args: Vec<&String> = find(&resolved, "h1", "/x").args.keys().collect();
    assert_eq!(args, ["path", "state"]);
}

#[test]
fn copy_and_template_sources_are_found_where_ansible_looks() {
    let fixture = Fixture::new(&[
        ("hosts", "[web]\nh1 port=8080\n"),
        (
            "site.yml",
            "- hosts: all\n  gather_facts: false\n  roles: [app]\n  tasks:\n    - copy: {src: top.txt, dest: /etc/top.txt}\n    - template: {src: play.j2, dest: /etc/play.conf}\n",
        ),
        ("files/top.txt", "from the playbook's files/\n"),
        ("top.txt", "beside the playbook\n"),
        ("play.j2", "play {{ inventory_hostname }}\n"),
        ("roles/app/files/app.txt", "role file\n"),
        (
            "roles/app/templates/app.conf.j2",
            "port={{ port }}\n{% for d in ['a', 'b'] %}\ndir={{ d }}\n{% endfor %}\n",
        ),
        (
            "roles/app/tasks/main.yml",
            "- copy: {src: app.txt, dest: /etc/app.txt, mode: preserve}\n- template: {src: app.conf.j2, dest: /etc/app.conf, newline_sequence: '\\r\\n'}\n",
        ),
    ]);
    let resolved = fixture.resolve();
    assert_eq!(
        content(find(&resolved, "h1", "/etc/app.txt")),
        "role file\n"
    );
    assert_eq!(
        content(find(&resolved, "h1", "/etc/top.txt")),
        "from the playbook's files/\n"
    );
    assert_eq!(
        content(find(&resolved, "h1", "/etc/app.conf")),
        "port=8080\r\ndir=a\r\ndir=b\r\n"
    );
    assert_eq!(
        content(find(&resolved, "h1", "/etc/play.conf")),
        "play h1\n"
    );
    assert!(
        find(&resolved, "h1", "/etc/app.txt")
            .args
            .contains_key(crate::drivers::host::SRC_MODE_ARG)
    );
}

#[test]
fn missing_sources_and_template_errors_point_at_files() {
    let fixture = Fixture::new(&[
        ("hosts", ONE_HOST),
        (
            "site.yml",
            "- hosts: all\n  gather_facts: false\n  tasks:\n    - copy: {src: nope.txt, dest: /etc/x}\n    - template: {src: bad.j2, dest: /etc/y}\n",
        ),
        ("templates/bad.j2", "line one\nvalue={{ missing }}\n"),
    ]);
    let errors = fixture.errors();
    assert!(
        errors.contains("site.yml:4:19: copy task: could not find or access 'nope.txt' (host h1)"),
        "{errors}"
    );
    assert!(errors.contains("/files/nope.txt"), "{errors}");
    assert!(
        errors.contains("templates/bad.j2:2:10: template task: template")
            && errors.contains("'missing' is undefined"),
        "{errors}"
    );
}

#[test]
fn every_problem_is_reported_with_its_place() {
    let fixture = Fixture::new(&[
        ("hosts", "[web]\nh1\nh2\n"),
        (
            "site.yml",
            "- hosts: all\n  gather_facts: false\n  tasks:\n    - name: bad mode\n      file: {path: /a, state: directory, mode: 'rwx'}\n    - name: undefined\n      file:\n        path: \"/srv/{{ app_dir }}\"\n        state: directory\n    - name: two\n      copy: {dest: /dup, content: a}\n    - name: three\n      copy: {dest: /dup, content: b}\n",
        ),
    ]);
    let errors = fixture.errors();
    let lines: Vec<&str> = errors.lines().collect();
    assert!(
        lines.iter().any(|l| l
            .contains("site.yml:5:48: task \"bad mode\": mode must be in octal or symbolic form")
            && l.contains("(hosts h1, h2)")),
        "{errors}"
    );
    assert!(
        lines.iter().any(|l| l.contains(
            "site.yml:8:24: task \"undefined\", argument `path`: 'app_dir' is undefined (hosts h1, h2)"
        )),
        "{errors}"
    );
    assert!(
        lines.iter().any(|l| l.contains(
            "site.yml:12:7: h1: ansible.builtin.copy[/dup] is declared twice: here and at"
        ) && l.contains("site.yml:10:7")),
        "{errors}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("h2: ansible.builtin.copy[/dup] is declared twice")),
        "{errors}"
    );
}

#[test]
fn roles_run_once_per_play_unless_invoked_differently() {
    let fixture = Fixture::new(&[
        ("hosts", ONE_HOST),
        (
            "site.yml",
            "- hosts: all\n  gather_facts: false\n  roles:\n    - base\n    - app\n    - role: base\n      p: two\n",
        ),
        ("roles/base/defaults/main.yml", "p: one\n"),
        (
            "roles/base/tasks/main.yml",
            "- file: {path: '/base/{{ p }}', state: directory}\n",
        ),
        ("roles/app/meta/main.yml", "dependencies: [base]\n"),
        (
            "roles/app/tasks/main.yml",
            "- file: {path: /app, state: directory}\n",
        ),
    ]);
    let resolved = fixture.resolve();
    // ansible-playbook ran base, app (its dependency base deduplicated), then base again with p=two.
    assert_eq!(
        keys(&resolved),
        [
            "h1: ansible.builtin.file[/base/one]",
            "h1: ansible.builtin.file[/app]",
            "h1: ansible.builtin.file[/base/two]",
        ]
    );
}

#[test]
fn plays_carry_batching_and_facts_are_warned_about_once() {
    let fixture = Fixture::new(&[
        ("hosts", "[web]\nh1\nh2\nh3\n"),
        (
            "site.yml",
            "- hosts: web\n  serial: [1, '50%']\n  max_fail_percentage: 25\n  plimsoll_ordering: dependencies\n  tasks:\n    - file: {path: /a, state: directory}\n- hosts: h1\n  tasks: []\n",
        ),
    ]);
    let (resolved, warnings) = fixture.resolve_with(|_| {}).unwrap();
    let play = &resolved.plays[0];
    assert_eq!(play.hosts, ["h1", "h2", "h3"]);
    assert_eq!(play.serial, [BatchSize::Hosts(1), BatchSize::Percent(50.0)]);
    assert_eq!(play.max_fail_percentage, Some(25.0));
    assert!(!play.keep_play_order);
    assert_eq!(play.resources.len(), 3);
    assert!(!find(&resolved, "h2", "/a").keep_play_order);
    assert_eq!(resolved.hosts, ["h1", "h2", "h3"]);
    let facts: Vec<_> = warnings
        .iter()
        .filter(|w| w.message.contains("gathers no facts"))
        .collect();
    assert_eq!(facts.len(), 1);
}

#[test]
fn limit_and_implicit_localhost() {
    let fixture = Fixture::new(&[
        ("hosts", "[web]\nh1\nh2\n"),
        (
            "site.yml",
            "- hosts: web\n  gather_facts: false\n  tasks:\n    - file: {path: /a, state: directory}\n- hosts: localhost\n  gather_facts: false\n  tasks:\n    - copy: {dest: /tmp/x, content: '{{ ansible_connection }}'}\n",
        ),
    ]);
    let (resolved, _) = fixture
        .resolve_with(|o| o.limit = Some("h2:localhost".into()))
        .unwrap();
    assert_eq!(resolved.hosts, ["h2", "localhost"]);
    assert_eq!(resolved.implicit_localhost.as_deref(), Some("localhost"));
    assert_eq!(content(find(&resolved, "localhost", "/tmp/x")), "local");
}

#[test]
fn graph_nodes_carry_what_kinds_provide_and_require() {
    let fixture = Fixture::new(&[
        ("hosts", ONE_HOST),
        (
            "site.yml",
            "- hosts: all\n  gather_facts: false\n  plimsoll_ordering: dependencies\n  tasks:\n    - copy: {dest: /srv/app/conf, content: x}\n    - file: {path: /srv/app, state: directory}\n",
        ),
    ]);
    let resolved = fixture.resolve();
    let registry = builtin_registry();
    let graph = crate::graph::build_graph(graph_nodes(&resolved, &registry)).unwrap();
    let conf = &find(&resolved, "h1", "/srv/app/conf").id;
    let deps: Vec<String> = graph
        .dependencies(conf)
        .iter()
        .map(|d| d.key.clone())
        .collect();
    assert_eq!(deps, ["/srv/app"]);
}

#[test]
fn depends_on_a_task_that_does_not_run_here_waits_for_nothing() {
    let fixture = Fixture::new(&[
        ("hosts", "[web]\nh1\n[db]\nd1\n"),
        (
            "site.yml",
            "- hosts: all\n  gather_facts: false\n  tasks:\n    - name: schema\n      file: {path: /schema, state: directory}\n      when: \"'db' in group_names\"\n    - name: app\n      file: {path: /app, state: directory}\n      depends_on: [schema, 'd1: schema', 'elsewhere: schema', typo]\n",
        ),
    ]);
    let (resolved, _) = fixture
        .resolve_with(|o| o.limit = Some("h1".into()))
        .unwrap();
    let kept: Vec<(Option<String>, String)> = find(&resolved, "h1", "/app")
        .depends_on
        .iter()
        .map(|d| (d.host.clone(), d.task.clone()))
        .collect();
    // `schema` is skipped on h1 and d1 is outside the limit; an unknown host or task stays for the
    // graph to report.
    assert_eq!(
        kept,
        [
            (Some("elsewhere".to_string()), "schema".to_string()),
            (None, "typo".to_string())
        ]
    );
}

#[test]
fn vaulted_values_and_files_are_decrypted_and_mark_the_resource_secret() {
    use crate::secrets::{VaultSecret, encrypt};
    let secret = VaultSecret::new("pw");
    let vaulted = encrypt(b"s3cret", &secret, None, None).unwrap();
    let inline: String = vaulted.lines().map(|l| format!("  {l}\n")).collect();
    let file = encrypt(b"file secret\n", &secret, None, None).unwrap();
    let fixture = Fixture::new(&[
        ("hosts", ONE_HOST),
        (
            "group_vars/all.yml",
            &format!("db_password: !vault |\n{inline}"),
        ),
        (
            "site.yml",
            "- hosts: all\n  gather_facts: false\n  tasks:\n    - copy: {dest: /etc/pw, content: '{{ db_password }}'}\n    - copy: {src: secret.txt, dest: /etc/secret}\n    - copy: {dest: /etc/plain, content: plain}\n",
        ),
        ("files/secret.txt", &file),
    ]);
    let mut secrets = VaultSecrets::new();
    secrets.push("default", secret);
    let (resolved, _) = fixture
        .resolve_with_secrets(secrets, |_| {})
        .unwrap_or_else(|e| panic!("{}", text(&e)));
    let pw = find(&resolved, "h1", "/etc/pw");
    assert_eq!(content(pw), "s3cret");
    assert!(pw.no_log);
    assert_eq!(
        content(find(&resolved, "h1", "/etc/secret")),
        "file secret\n"
    );
    assert!(find(&resolved, "h1", "/etc/secret").no_log);
    assert!(!find(&resolved, "h1", "/etc/plain").no_log);
}
