use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::BecomeKeywords;
use super::includes::IncludeAction;
use super::keywords::{
    BLOCK_KEYWORDS, PLAY_KEYWORDS, PLIMSOLL_ORDERING, TASK_KEYWORDS, WITH_STYLES, refused_keyword,
    refused_module,
};
use super::model::{Block, LoopSpec, Ordering, Play, Playbook, RoleOrigin, Task, TaskItem, Vars};
use super::module_args::parse_kv;
use super::role::RoleLoader;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::DependencyRef;
use crate::source::yaml::{self, Node, NodeValue};
use crate::source::{Span, read_source};

/// What loading needs from outside: which modules exist, and where roles are found.
pub struct LoadContext<'a> {
    pub is_known_module: &'a dyn Fn(&str) -> bool,
    /// `--roles-path` directories, searched after `roles/` beside the playbook.
    pub roles_path: &'a [PathBuf],
}

/// Reads a playbook and the roles it uses. Every problem found is returned, each with its location.
pub fn load_playbook(
    path: &Path,
    context: &LoadContext<'_>,
) -> Result<(Playbook, Diagnostics), Diagnostics> {
    match load_playbook_partial(path, context) {
        (Some(playbook), diagnostics) if !diagnostics.has_errors() => Ok((playbook, diagnostics)),
        (_, diagnostics) => Err(diagnostics),
    }
}

/// Like [`load_playbook`], but also returns what could be read when there are errors: tasks, plays and
/// roles with problems are left out, so the rest can still be checked and every problem shown at once.
/// `None` when nothing could be read (the file is missing, empty or not a list of plays).
pub fn load_playbook_partial(
    path: &Path,
    context: &LoadContext<'_>,
) -> (Option<Playbook>, Diagnostics) {
    let mut diagnostics = Diagnostics::new();
    let root = match load_yaml_file(path, &mut diagnostics) {
        Ok(root) => root,
        Err(problems) => {
            diagnostics.extend(problems);
            return (None, diagnostics);
        }
    };
    let Some(root) = root else {
        diagnostics.push(
            Diagnostic::error(format!("{}: the playbook is empty", path.display())).with_help(
                "a playbook is a list of plays, each with `hosts:` and `tasks:` or `roles:`",
            ),
        );
        return (None, diagnostics);
    };
    let NodeValue::Seq(items) = &root.value else {
        diagnostics.push(
            Diagnostic::error("A playbook must be a list of plays")
                .at(root.span.clone())
                .with_help("start each play with `- hosts: PATTERN`"),
        );
        return (None, diagnostics);
    };
    let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let mut loader = Loader {
        context,
        roles: RoleLoader::new(&base, context.roles_path),
        diagnostics,
        base: base.clone(),
        including: Vec::new(),
    };
    let mut plays = Vec::new();
    for item in items {
        if let Some(play) = loader.play(item) {
            plays.push(play);
        }
    }
    (
        Some(Playbook {
            path: path.to_path_buf(),
            plays,
        }),
        loader.diagnostics,
    )
}

/// Loads one YAML file, turning its warnings into diagnostics.
pub(super) fn load_yaml_file(
    path: &Path,
    diagnostics: &mut Diagnostics,
) -> Result<Option<Node>, Diagnostics> {
    let file = read_source(path).map_err(Diagnostics::from)?;
    let mut warnings = Vec::new();
    let node = yaml::load(&file, &mut warnings).map_err(Diagnostics::from)?;
    diagnostics.extend(warnings);
    Ok(node)
}

pub(super) struct Loader<'a> {
    pub context: &'a LoadContext<'a>,
    pub roles: RoleLoader,
    pub diagnostics: Diagnostics,
    /// The playbook's directory: include paths are also looked for there.
    pub base: PathBuf,
    /// Task files being loaded, outermost first, to catch include cycles.
    pub including: Vec<(PathBuf, Span)>,
}

pub(super) fn entries(node: &Node) -> Option<&Vec<(Node, Node)>> {
    match &node.value {
        NodeValue::Map(entries) => Some(entries),
        _ => None,
    }
}

pub(super) fn key_text(node: &Node) -> String {
    match &node.value {
        NodeValue::Str(s) => s.clone(),
        _ => node.span.text().to_string(),
    }
}

pub(super) fn scalar_string(node: &Node) -> Option<String> {
    match &node.value {
        NodeValue::Str(s) => Some(s.clone()),
        NodeValue::Int(i) => Some(i.to_string()),
        NodeValue::Bool(b) => Some(if *b { "True" } else { "False" }.into()),
        NodeValue::Float(f) => Some(crate::value::pyfloat::repr(*f)),
        _ => None,
    }
}

impl Loader<'_> {
    fn error(&mut self, message: impl Into<String>, span: &Span, help: &str) {
        self.diagnostics
            .push(Diagnostic::error(message).at(span.clone()).with_help(help));
    }

    /// A task or block that connects differently from its host is delegation in disguise.
    pub(super) fn refuse_connection(&mut self, key: &Node) {
        self.error(
            "`connection` on a task or block cannot be planned: plimsoll keeps one connection per host",
            &key.span,
            "set `connection: local` on the play, or `ansible_connection` for the host in the inventory",
        );
    }

    fn play(&mut self, node: &Node) -> Option<Play> {
        let Some(fields) = entries(node) else {
            self.error(
                "A play must be a mapping",
                &node.span,
                "start each play with `- hosts: PATTERN`",
            );
            return None;
        };
        let mut play = Play {
            name: None,
            hosts: Node {
                value: NodeValue::Null,
                span: node.span.clone(),
                tag: None,
            },
            vars: Vec::new(),
            vars_files: Vec::new(),
            roles: Vec::new(),
            pre_tasks: Vec::new(),
            tasks: Vec::new(),
            post_tasks: Vec::new(),
            handlers: Vec::new(),
            serial: None,
            max_fail_percentage: None,
            gather_facts: None,
            ordering: Ordering::Playbook,
            tags: Vec::new(),
            no_log: None,
            become_keywords: BecomeKeywords::default(),
            connection: None,
            span: node.span.clone(),
        };
        let mut has_hosts = false;
        for (key, value) in fields {
            let name = key_text(key);
            if let Some((why, help)) = refused_keyword(&name) {
                self.error(
                    format!("`{name}` cannot be planned: {why}"),
                    &key.span,
                    help,
                );
                continue;
            }
            match name.as_str() {
                "name" => play.name = scalar_string(value),
                "hosts" => {
                    has_hosts = true;
                    play.hosts = value.clone();
                }
                "vars" => play.vars = self.vars(value),
                "vars_files" => play.vars_files = list_of(value),
                "roles" => play.roles = self.role_refs(value),
                "pre_tasks" => play.pre_tasks = self.task_list(value, None),
                "tasks" => play.tasks = self.task_list(value, None),
                "post_tasks" => play.post_tasks = self.task_list(value, None),
                "handlers" => play.handlers = self.task_list(value, None),
                "serial" => play.serial = Some(value.clone()),
                "max_fail_percentage" => play.max_fail_percentage = Some(value.clone()),
                "gather_facts" => play.gather_facts = Some(truthy(value)),
                "tags" => play.tags = strings(value),
                "no_log" => play.no_log = Some(value.clone()),
                "connection" => play.connection = Some(value.clone()),
                PLIMSOLL_ORDERING => match scalar_string(value).as_deref() {
                    Some("playbook") => play.ordering = Ordering::Playbook,
                    Some("dependencies") => play.ordering = Ordering::Dependencies,
                    _ => self.error(
                        format!("{PLIMSOLL_ORDERING} must be `playbook` or `dependencies`"),
                        &value.span,
                        "`dependencies` lets a host's independent tasks run in parallel",
                    ),
                },
                other if play.become_keywords.set(other, value) => {}
                other if PLAY_KEYWORDS.contains(&other) => {}
                other => self.error(
                    format!("'{other}' is not a valid attribute for a Play"),
                    &key.span,
                    "check the spelling; tasks go under `tasks:`",
                ),
            }
        }
        if !has_hosts {
            self.error(
                "the field 'hosts' is required but was not set",
                &node.span,
                "add `hosts: PATTERN` to the play",
            );
            return None;
        }
        Some(play)
    }

    pub(super) fn vars(&mut self, node: &Node) -> Vars {
        match &node.value {
            NodeValue::Map(entries) => entries
                .iter()
                .map(|(k, v)| (key_text(k), v.clone()))
                .collect(),
            NodeValue::Null => Vec::new(),
            // Ansible also accepts a list of mappings.
            NodeValue::Seq(items) if items.iter().all(|i| matches!(i.value, NodeValue::Map(_))) => {
                items.iter().flat_map(|i| self.vars(i)).collect()
            }
            _ => {
                self.error(
                    "Vars in a Task/Play/Block must be specified as a dictionary",
                    &node.span,
                    "write `vars:` as `name: value` lines",
                );
                Vec::new()
            }
        }
    }

    pub(super) fn task_list(
        &mut self,
        node: &Node,
        role: Option<&Arc<RoleOrigin>>,
    ) -> Vec<TaskItem> {
        match &node.value {
            NodeValue::Seq(items) => items
                .iter()
                .filter_map(|item| self.task_item(item, role))
                .collect(),
            NodeValue::Null => Vec::new(),
            _ => {
                self.error(
                    "A list of tasks is expected here",
                    &node.span,
                    "start each task with `- name:`",
                );
                Vec::new()
            }
        }
    }

    fn task_item(&mut self, node: &Node, role: Option<&Arc<RoleOrigin>>) -> Option<TaskItem> {
        let Some(fields) = entries(node) else {
            self.error(
                "A task must be a mapping",
                &node.span,
                "write `- name: ...` followed by the module",
            );
            return None;
        };
        if let Some(include) = fields
            .iter()
            .find_map(|(k, _)| IncludeAction::of(&key_text(k)))
        {
            return self.include(node, fields, include, role);
        }
        if fields.iter().any(|(k, _)| key_text(k) == "block") {
            return self
                .block(node, fields, role)
                .map(|b| TaskItem::Block(Box::new(b)));
        }
        self.task(node, fields, role)
            .map(|t| TaskItem::Task(Box::new(t)))
    }

    pub(super) fn block(
        &mut self,
        node: &Node,
        fields: &[(Node, Node)],
        role: Option<&Arc<RoleOrigin>>,
    ) -> Option<Block> {
        let mut block = Block {
            name: None,
            tasks: Vec::new(),
            when: Vec::new(),
            vars: Vec::new(),
            tags: Vec::new(),
            no_log: None,
            notify: Vec::new(),
            become_keywords: BecomeKeywords::default(),
            span: node.span.clone(),
        };
        for (key, value) in fields {
            let name = key_text(key);
            if let Some((why, help)) = refused_keyword(&name) {
                self.error(
                    format!("`{name}` cannot be planned: {why}"),
                    &key.span,
                    help,
                );
                continue;
            }
            match name.as_str() {
                "block" => block.tasks = self.task_list(value, role),
                "name" => block.name = scalar_string(value),
                "when" => block.when = list_of(value),
                "vars" => block.vars = self.vars(value),
                "tags" => block.tags = strings(value),
                "no_log" => block.no_log = Some(value.clone()),
                "notify" => block.notify = strings(value),
                "connection" => self.refuse_connection(key),
                other if block.become_keywords.set(other, value) => {}
                other if BLOCK_KEYWORDS.contains(&other) => {}
                other => self.error(
                    format!("'{other}' is not a valid attribute for a Block"),
                    &key.span,
                    "a block holds `block:` and keywords such as `when`, `vars`, `tags`",
                ),
            }
        }
        Some(block)
    }

    fn task(
        &mut self,
        node: &Node,
        fields: &[(Node, Node)],
        role: Option<&Arc<RoleOrigin>>,
    ) -> Option<Task> {
        let mut module: Option<(String, Span, Node)> = None;
        let mut task = Task {
            name: None,
            module: String::new(),
            module_span: node.span.clone(),
            args: Vec::new(),
            when: Vec::new(),
            loop_spec: None,
            vars: Vec::new(),
            tags: Vec::new(),
            notify: Vec::new(),
            listen: Vec::new(),
            no_log: None,
            become_keywords: BecomeKeywords::default(),
            depends_on: Vec::new(),
            span: node.span.clone(),
            role: role.cloned(),
        };
        let mut extra_args: Option<Node> = None;
        let mut loop_items: Option<(String, Node)> = None;
        let mut loop_control: Option<Node> = None;
        let mut failed = false;
        for (key, value) in fields {
            let name = key_text(key);
            if let Some((why, help)) = refused_keyword(&name) {
                self.error(
                    format!("`{name}` cannot be planned: {why}"),
                    &key.span,
                    help,
                );
                failed = true;
                continue;
            }
            match name.as_str() {
                "name" => task.name = Some(value.clone()),
                "when" => task.when = list_of(value),
                "vars" => task.vars = self.vars(value),
                "tags" => task.tags = strings(value),
                "notify" => task.notify = strings(value),
                "listen" => task.listen = strings(value),
                "no_log" => task.no_log = Some(value.clone()),
                "args" => extra_args = Some(value.clone()),
                "loop" => loop_items = Some(("loop".into(), value.clone())),
                "loop_control" => loop_control = Some(value.clone()),
                "depends_on" => task.depends_on = dependency_refs(value),
                "connection" => {
                    self.refuse_connection(key);
                    failed = true;
                }
                "action" => match action_module(value) {
                    Some((m, args)) => module = Some((m, value.span.clone(), args)),
                    None => {
                        self.error(
                            "could not read `action:`",
                            &value.span,
                            "write `action: MODULE key=value ...`",
                        );
                        failed = true;
                    }
                },
                other if other.starts_with("with_") => {
                    let style = other.trim_start_matches("with_").to_string();
                    if !WITH_STYLES.contains(&style.as_str()) {
                        self.error(
                            format!("`{other}` loops are not supported"),
                            &key.span,
                            "use `loop:` with a list built by filters",
                        );
                        failed = true;
                    }
                    loop_items = Some((style, value.clone()));
                }
                other if task.become_keywords.set(other, value) => {}
                other if TASK_KEYWORDS.contains(&other) => {}
                other => {
                    if let Some((first, first_span, _)) = &module {
                        self.error(
                            format!("conflicting action statements: {first}, {other}"),
                            &key.span,
                            &format!("a task runs one module; {first} is at {first_span}"),
                        );
                        failed = true;
                    } else {
                        module = Some((other.to_string(), key.span.clone(), value.clone()));
                    }
                }
            }
        }
        let Some((module_name, module_span, args_node)) = module else {
            if !failed {
                self.error(
                    "no module/action detected in task",
                    &node.span,
                    "a task names exactly one module, e.g. `ansible.builtin.file:`",
                );
            }
            return None;
        };
        if let Some(why) = refused_module(&module_name) {
            self.error(
                format!("`{module_name}` cannot be planned: it {why}"),
                &module_span,
                "use a declarative module (file, copy, template, user, group, docker_container, ...)",
            );
            return None;
        }
        if !(self.context.is_known_module)(&module_name) {
            self.error(
                format!("couldn't resolve module/action '{module_name}'"),
                &module_span,
                "plimsoll plans only the modules it knows; `plimsoll validate --help` lists them",
            );
            return None;
        }
        task.module = module_name;
        task.module_span = module_span;
        task.args = self.module_args(&args_node);
        if let Some(extra) = extra_args {
            task.args.extend(self.module_args(&extra));
        }
        if let Some((style, items)) = loop_items {
            task.loop_spec = Some(self.loop_spec(style, items, loop_control));
        }
        (!failed).then_some(task)
    }

    fn module_args(&mut self, node: &Node) -> Vec<(String, Node)> {
        match &node.value {
            NodeValue::Map(entries) => entries
                .iter()
                .map(|(k, v)| (key_text(k), v.clone()))
                .collect(),
            NodeValue::Null => Vec::new(),
            NodeValue::Str(text) => match parse_kv(text) {
                Ok(pairs) => pairs
                    .into_iter()
                    .map(|(k, v)| {
                        (
                            k,
                            Node {
                                value: NodeValue::Str(v),
                                span: node.span.clone(),
                                tag: node.tag.clone(),
                            },
                        )
                    })
                    .collect(),
                Err(problem) => {
                    self.error(
                        format!("module arguments: {problem}"),
                        &node.span,
                        "write the arguments as a mapping",
                    );
                    Vec::new()
                }
            },
            _ => {
                self.error(
                    "module arguments must be a mapping",
                    &node.span,
                    "write `key: value` lines",
                );
                Vec::new()
            }
        }
    }

    pub(super) fn loop_spec(
        &mut self,
        style: String,
        items: Node,
        control: Option<Node>,
    ) -> LoopSpec {
        let mut spec = LoopSpec {
            style,
            items,
            loop_var: "item".into(),
            index_var: None,
            label: None,
        };
        if let Some(control) = control.as_ref().and_then(entries) {
            for (key, value) in control {
                match key_text(key).as_str() {
                    "loop_var" => {
                        spec.loop_var = scalar_string(value).unwrap_or_else(|| "item".into())
                    }
                    "index_var" => spec.index_var = scalar_string(value),
                    "label" => spec.label = Some(value.clone()),
                    "pause" | "extended" | "extended_allitems" | "break_when" => {}
                    other => self.error(
                        format!("'{other}' is not a valid loop_control option"),
                        &key.span,
                        "use loop_var, index_var or label",
                    ),
                }
            }
        }
        spec
    }
}

/// `action: file path=/x` or `action: {module: file, path: /x}`.
fn action_module(node: &Node) -> Option<(String, Node)> {
    match &node.value {
        NodeValue::Str(text) => {
            let (module, rest) = text
                .trim()
                .split_once(char::is_whitespace)
                .unwrap_or((text.trim(), ""));
            Some((
                module.to_string(),
                Node {
                    value: NodeValue::Str(rest.to_string()),
                    span: node.span.clone(),
                    tag: None,
                },
            ))
        }
        NodeValue::Map(entries) => {
            let module = entries
                .iter()
                .find(|(k, _)| key_text(k) == "module")
                .and_then(|(_, v)| scalar_string(v))?;
            let rest: Vec<(Node, Node)> = entries
                .iter()
                .filter(|(k, _)| key_text(k) != "module")
                .cloned()
                .collect();
            Some((
                module,
                Node {
                    value: NodeValue::Map(rest),
                    span: node.span.clone(),
                    tag: None,
                },
            ))
        }
        _ => None,
    }
}

/// `depends_on: "task"`, `depends_on: ["host: task", ...]`, or `{host: h, task: t}` entries.
fn dependency_refs(node: &Node) -> Vec<DependencyRef> {
    list_of(node)
        .into_iter()
        .filter_map(|item| match &item.value {
            NodeValue::Str(text) => Some(match text.split_once(": ") {
                Some((host, task)) => DependencyRef {
                    host: Some(host.trim().to_string()),
                    task: task.trim().to_string(),
                    declared_at: Some(item.span.clone()),
                },
                None => DependencyRef {
                    host: None,
                    task: text.clone(),
                    declared_at: Some(item.span.clone()),
                },
            }),
            NodeValue::Map(entries) => {
                let get = |k: &str| {
                    entries
                        .iter()
                        .find(|(key, _)| key_text(key) == k)
                        .and_then(|(_, v)| scalar_string(v))
                };
                Some(DependencyRef {
                    host: get("host"),
                    task: get("task")?,
                    declared_at: Some(item.span.clone()),
                })
            }
            _ => None,
        })
        .collect()
}

pub(super) fn list_of(node: &Node) -> Vec<Node> {
    match &node.value {
        NodeValue::Seq(items) => items.clone(),
        NodeValue::Null => Vec::new(),
        _ => vec![node.clone()],
    }
}

/// Tags and notify lists: a string (comma-separated for tags) or a list of strings.
pub(super) fn strings(node: &Node) -> Vec<String> {
    match &node.value {
        NodeValue::Str(s) => s
            .split(',')
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect(),
        NodeValue::Seq(items) => items.iter().filter_map(scalar_string).collect(),
        _ => scalar_string(node).into_iter().collect(),
    }
}

fn truthy(node: &Node) -> bool {
    match &node.value {
        NodeValue::Bool(b) => *b,
        NodeValue::Str(s) => matches!(
            s.to_ascii_lowercase().as_str(),
            "yes" | "on" | "true" | "1" | "y" | "t"
        ),
        NodeValue::Int(i) => *i != 0,
        _ => false,
    }
}
