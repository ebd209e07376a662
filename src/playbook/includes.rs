//! Task files and roles pulled in by a task: `import_tasks` (loaded here as a block whose `when:`,
//! tags and `vars:` every imported task inherits), `include_tasks` (its file loaded here, whether and
//! how often it is included decided per host by `resolve`), `import_role` and `include_role`.
//! Paths are looked for as Ansible does: the role's `tasks/` (or `handlers/`), the including file's
//! directory, then the playbook's.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::BecomeKeywords;
use super::keywords::{TASK_KEYWORDS, WITH_STYLES, refused_keyword};
use super::load::{Loader, entries, key_text, list_of, load_yaml_file, scalar_string, strings};
use super::model::{Block, Include, LoopSpec, RoleOrigin, RoleRef, TaskItem, Vars};
use super::module_args::parse_kv;
use super::role::RoleFiles;
use crate::source::Span;
use crate::source::yaml::{Node, NodeValue};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum IncludeAction {
    ImportTasks,
    IncludeTasks,
    ImportRole,
    IncludeRole,
}

impl IncludeAction {
    pub(super) fn of(key: &str) -> Option<Self> {
        let short = key
            .strip_prefix("ansible.builtin.")
            .or_else(|| key.strip_prefix("ansible.legacy."))
            .unwrap_or(key);
        Some(match short {
            "import_tasks" => Self::ImportTasks,
            "include_tasks" | "include" => Self::IncludeTasks,
            "import_role" => Self::ImportRole,
            "include_role" => Self::IncludeRole,
            _ => return None,
        })
    }

    fn is_static(self) -> bool {
        matches!(self, Self::ImportTasks | Self::ImportRole)
    }

    fn is_role(self) -> bool {
        matches!(self, Self::ImportRole | Self::IncludeRole)
    }
}

/// What the include entry says besides its action.
struct Entry {
    action_key: Node,
    action_value: Node,
    name: Option<Node>,
    when: Vec<Node>,
    vars: Vars,
    tags: Vec<String>,
    loop_items: Option<(String, Node)>,
    loop_control: Option<Node>,
    become_keywords: BecomeKeywords,
    no_log: Option<Node>,
    extra_args: Option<Node>,
}

impl Loader<'_> {
    pub(super) fn include(
        &mut self,
        node: &Node,
        fields: &[(Node, Node)],
        action: IncludeAction,
        role: Option<&Arc<RoleOrigin>>,
    ) -> Option<TaskItem> {
        let entry = self.include_entry(fields)?;
        if key_text(&entry.action_key).ends_with("include") {
            self.diagnostics.push(
                crate::diagnostics::Diagnostic::warning(
                    "`include` was removed in ansible-core 2.16; plimsoll reads it as `include_tasks`",
                )
                .at(entry.action_key.span.clone())
                .with_help("write `include_tasks:` (or `import_tasks:` for a static import)"),
            );
        }
        let mut options = self.include_options(&entry)?;
        let span = entry.action_key.span.clone();
        if action.is_static() {
            if let Some((style, _)) = &entry.loop_items {
                let what = if style == "loop" {
                    "loop".to_string()
                } else {
                    format!("with_{style}")
                };
                self.error_at(
                    format!(
                        "You cannot use loops on '{}' statements. You should use '{}' instead.",
                        key_text(&entry.action_key),
                        if action.is_role() {
                            "include_role"
                        } else {
                            "include_tasks"
                        }
                    ),
                    &span,
                    &format!("remove `{what}:` or switch to the dynamic include"),
                );
                return None;
            }
            if options.apply.is_some() {
                self.error_at(
                    "Invalid options for import: apply",
                    &span,
                    "`apply:` only exists for include_tasks / include_role",
                );
                return None;
            }
        }
        let loop_spec: Option<LoopSpec> = entry
            .loop_items
            .clone()
            .map(|(style, items)| self.loop_spec(style, items, entry.loop_control.clone()));

        if action.is_role() {
            let role_ref = self.included_role(&options, &span)?;
            let public = options.public.unwrap_or(action.is_static());
            let mut include = Include {
                tasks: Vec::new(),
                when: entry.when,
                vars: Vec::new(),
                tags: entry.tags,
                loop_spec,
                role: Some(role_ref),
                is_static: action.is_static(),
                public,
                span: node.span.clone(),
            };
            // Role parameters hold the entry's vars (Ansible passes `vars:` as role params).
            if let Some(role_ref) = include.role.as_mut() {
                role_ref.params.extend(entry.vars);
                role_ref.become_keywords = entry.become_keywords;
            }
            return Some(self.wrap_apply(TaskItem::Include(Box::new(include)), &mut options));
        }

        let file_name = options.file.take()?;
        let path = self.find_task_file(&file_name, &options.file_span, role)?;
        let tasks = self.task_file(&path, &options.file_span, role)?;
        let tasks = match options.apply.take() {
            Some(apply) => vec![TaskItem::Block(Box::new(self.apply_block(&apply, tasks)?))],
            None => tasks,
        };
        if action.is_static() {
            return Some(TaskItem::Block(Box::new(Block {
                name: entry.name.as_ref().and_then(scalar_string),
                tasks,
                when: entry.when,
                vars: entry.vars,
                tags: entry.tags,
                no_log: entry.no_log,
                notify: Vec::new(),
                become_keywords: entry.become_keywords,
                span: node.span.clone(),
            })));
        }
        if !entry.become_keywords.is_empty() {
            self.diagnostics.push(
                crate::diagnostics::Diagnostic::warning(
                    "become keywords on include_tasks apply to the include only, not to the included tasks (as in Ansible)",
                )
                .at(span.clone())
                .with_help("put them under `apply:` to give them to every included task"),
            );
        }
        Some(TaskItem::Include(Box::new(Include {
            tasks,
            when: entry.when,
            vars: entry.vars,
            tags: entry.tags,
            loop_spec,
            role: None,
            is_static: false,
            public: false,
            span: node.span.clone(),
        })))
    }

    fn include_entry(&mut self, fields: &[(Node, Node)]) -> Option<Entry> {
        let mut entry: Option<Entry> = None;
        let mut rest = Vec::new();
        for (key, value) in fields {
            if IncludeAction::of(&key_text(key)).is_some() && entry.is_none() {
                entry = Some(Entry {
                    action_key: key.clone(),
                    action_value: value.clone(),
                    name: None,
                    when: Vec::new(),
                    vars: Vec::new(),
                    tags: Vec::new(),
                    loop_items: None,
                    loop_control: None,
                    become_keywords: BecomeKeywords::default(),
                    no_log: None,
                    extra_args: None,
                });
            } else {
                rest.push((key, value));
            }
        }
        let mut entry = entry?;
        let mut failed = false;
        for (key, value) in rest {
            let name = key_text(key);
            if let Some((why, help)) = refused_keyword(&name) {
                self.error_at(
                    format!("`{name}` cannot be planned: {why}"),
                    &key.span,
                    help,
                );
                failed = true;
                continue;
            }
            match name.as_str() {
                "name" => entry.name = Some(value.clone()),
                "when" => entry.when = list_of(value),
                "vars" => entry.vars = self.vars(value),
                "tags" => entry.tags = strings(value),
                "no_log" => entry.no_log = Some(value.clone()),
                "args" => entry.extra_args = Some(value.clone()),
                "loop" => entry.loop_items = Some(("loop".into(), value.clone())),
                "loop_control" => entry.loop_control = Some(value.clone()),
                "connection" => {
                    self.refuse_connection(key);
                    failed = true;
                }
                other if other.starts_with("with_") => {
                    let style = other.trim_start_matches("with_");
                    if !WITH_STYLES.contains(&style) {
                        self.error_at(
                            format!("`{other}` loops are not supported"),
                            &key.span,
                            "use `loop:` with a list built by filters",
                        );
                        failed = true;
                    }
                    entry.loop_items = Some((style.to_string(), value.clone()));
                }
                other if entry.become_keywords.set(other, value) => {}
                other if TASK_KEYWORDS.contains(&other) => {}
                other => {
                    self.error_at(
                        format!(
                            "conflicting action statements: {}, {other}",
                            key_text(&entry.action_key)
                        ),
                        &key.span,
                        &format!(
                            "`{}` is a task of its own; put `{other}` in another task",
                            key_text(&entry.action_key)
                        ),
                    );
                    failed = true;
                }
            }
        }
        (!failed).then_some(entry)
    }

    /// The action's own arguments: `file`/`_raw_params` for task files, `name`/`*_from`/`public`
    /// for roles, `apply` for dynamic includes.
    fn include_options(&mut self, entry: &Entry) -> Option<IncludeOptions> {
        let value = &entry.action_value;
        let mut pairs: Vec<(String, Node)> = match &value.value {
            NodeValue::Str(text) => {
                let action = IncludeAction::of(&key_text(&entry.action_key))?;
                if action.is_role() || text.contains('=') {
                    match parse_kv(text) {
                        Ok(pairs) => pairs
                            .into_iter()
                            .map(|(k, v)| (k, string_node(v, &value.span)))
                            .collect(),
                        // `include_tasks: other.yml` (a file name) is the common form.
                        Err(_) if !action.is_role() => {
                            vec![("file".into(), value.clone())]
                        }
                        Err(problem) => {
                            self.error_at(
                                format!("{}: {problem}", key_text(&entry.action_key)),
                                &value.span,
                                "write `name: ROLE` under it",
                            );
                            return None;
                        }
                    }
                } else {
                    vec![("file".into(), value.clone())]
                }
            }
            NodeValue::Map(fields) => fields
                .iter()
                .map(|(k, v)| (key_text(k), v.clone()))
                .collect(),
            _ => {
                self.error_at(
                    format!(
                        "{} takes a file name or a mapping of options",
                        key_text(&entry.action_key)
                    ),
                    &value.span,
                    "e.g. `include_tasks: setup.yml` or `include_role: {name: web}`",
                );
                return None;
            }
        };
        if let Some(extra) = entry.extra_args.as_ref().and_then(entries) {
            pairs.extend(extra.iter().map(|(k, v)| (key_text(k), v.clone())));
        }
        let action = IncludeAction::of(&key_text(&entry.action_key))?;
        let mut options = IncludeOptions {
            file: None,
            file_span: value.span.clone(),
            role_name: None,
            files: RoleFiles::default(),
            public: None,
            apply: None,
        };
        let mut failed = false;
        for (key, node) in pairs {
            let allowed = match (action.is_role(), key.as_str()) {
                (false, "file" | "_raw_params") => {
                    options.file = self.static_path(&node);
                    options.file_span = node.span.clone();
                    options.file.is_some()
                }
                (true, "name" | "role") => {
                    options.role_name = self.static_path(&node);
                    options.file_span = node.span.clone();
                    options.role_name.is_some()
                }
                (true, "tasks_from") => set(&mut options.files.tasks, self.static_path(&node)),
                (true, "vars_from") => set(&mut options.files.vars, self.static_path(&node)),
                (true, "defaults_from") => {
                    set(&mut options.files.defaults, self.static_path(&node))
                }
                (true, "handlers_from") => {
                    set(&mut options.files.handlers, self.static_path(&node))
                }
                (true, "public") => {
                    options.public = Some(truthy_node(&node));
                    true
                }
                (true, "allow_duplicates" | "rolespec_validate") => true,
                (_, "apply") => {
                    options.apply = Some(node.clone());
                    true
                }
                (_, other) => {
                    self.error_at(
                        format!(
                            "Invalid options for {}: {other}",
                            key_text(&entry.action_key)
                        ),
                        &node.span,
                        if action.is_role() {
                            "the options are name, tasks_from, vars_from, defaults_from, handlers_from, public, apply"
                        } else {
                            "the options are file and apply"
                        },
                    );
                    false
                }
            };
            failed |= !allowed;
        }
        if failed {
            return None;
        }
        if action.is_role() && options.role_name.is_none() {
            self.error_at(
                "'name' is a required field for include_role / import_role",
                &entry.action_key.span,
                "write `name: ROLE` under it",
            );
            return None;
        }
        if !action.is_role() && options.file.is_none() {
            self.error_at(
                "No file specified for the include",
                &entry.action_key.span,
                "write `include_tasks: FILE.yml`",
            );
            return None;
        }
        Some(options)
    }

    /// A path as written: plimsoll loads every file before any host exists, so it cannot depend
    /// on a variable.
    fn static_path(&mut self, node: &Node) -> Option<String> {
        let text = scalar_string(node)?;
        if text.contains("{{") || text.contains("{%") {
            self.error_at(
                format!("the file or role name {text:?} depends on variables"),
                &node.span,
                "plimsoll reads every task file and role before planning; name it literally, or use `when:` on includes of each file",
            );
            return None;
        }
        Some(text)
    }

    fn included_role(&mut self, options: &IncludeOptions, span: &Span) -> Option<RoleRef> {
        let name = options.role_name.clone()?;
        let role = self.load_role_with(&name, &options.files, &options.file_span)?;
        Some(RoleRef {
            role,
            params: Vec::new(),
            when: Vec::new(),
            tags: Vec::new(),
            become_keywords: BecomeKeywords::default(),
            span: span.clone(),
        })
    }

    /// `apply:` on a dynamic include: block keywords given to every included task.
    fn wrap_apply(&mut self, item: TaskItem, options: &mut IncludeOptions) -> TaskItem {
        let Some(apply) = options.apply.take() else {
            return item;
        };
        match self.apply_block(&apply, Vec::new()) {
            Some(block) => match item {
                TaskItem::Include(mut include) => {
                    if let Some(role) = include.role.as_mut() {
                        role.when.extend(block.when);
                        role.tags.extend(block.tags);
                        role.become_keywords = block.become_keywords.within(&role.become_keywords);
                    }
                    TaskItem::Include(include)
                }
                other => other,
            },
            None => item,
        }
    }

    fn apply_block(&mut self, apply: &Node, tasks: Vec<TaskItem>) -> Option<Block> {
        let Some(fields) = entries(apply) else {
            self.error_at(
                "`apply:` must be a mapping of block keywords",
                &apply.span,
                "e.g. `apply: {tags: [web], become: true}`",
            );
            return None;
        };
        let mut fields: Vec<(Node, Node)> = fields.clone();
        fields.push((
            string_node("block".into(), &apply.span),
            Node {
                value: NodeValue::Null,
                span: apply.span.clone(),
                tag: None,
            },
        ));
        let mut block = self.block(apply, &fields, None)?;
        block.tasks = tasks;
        Some(block)
    }

    /// Where Ansible finds a task file: the role's `tasks/` and `handlers/`, the including file's
    /// directory, the playbook's directory.
    fn find_task_file(
        &mut self,
        name: &str,
        at: &Span,
        role: Option<&Arc<RoleOrigin>>,
    ) -> Option<PathBuf> {
        let wanted = Path::new(name);
        let mut candidates = Vec::new();
        if wanted.is_absolute() {
            candidates.push(wanted.to_path_buf());
        } else {
            if let Some(role) = role {
                candidates.push(role.path.join("tasks").join(wanted));
                candidates.push(role.path.join("handlers").join(wanted));
            }
            if let Some(dir) = at.file.path().parent() {
                candidates.push(dir.join(wanted));
            }
            candidates.push(self.base.join(wanted));
        }
        if let Some(found) = candidates.iter().find(|p| p.is_file()) {
            return Some(found.clone());
        }
        let looked: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
        self.error_at(
            format!(
                "Could not find or access '{name}' (looked in {})",
                looked.join(", ")
            ),
            at,
            "paths are relative to the role's tasks/, the including file, or the playbook",
        );
        None
    }

    fn task_file(
        &mut self,
        path: &Path,
        at: &Span,
        role: Option<&Arc<RoleOrigin>>,
    ) -> Option<Vec<TaskItem>> {
        let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        let own = at.file.path().canonicalize().ok();
        if own.as_deref() == Some(canonical.as_path())
            || self.including.iter().any(|(p, _)| *p == canonical)
        {
            let mut chain: Vec<String> = self
                .including
                .iter()
                .map(|(_, span)| span.to_string())
                .collect();
            chain.push(at.to_string());
            self.error_at(
                format!("{} includes itself: {}", path.display(), chain.join(" -> ")),
                at,
                "remove one of the includes that form the cycle",
            );
            return None;
        }
        let node = match load_yaml_file(path, &mut self.diagnostics) {
            Ok(node) => node,
            Err(problems) => {
                self.diagnostics.extend(problems);
                return None;
            }
        };
        self.including.push((canonical, at.clone()));
        let tasks = match node {
            Some(node) => self.task_list(&node, role),
            None => Vec::new(),
        };
        self.including.pop();
        Some(tasks)
    }

    pub(super) fn error_at(&mut self, message: impl Into<String>, span: &Span, help: &str) {
        self.diagnostics.push(
            crate::diagnostics::Diagnostic::error(message)
                .at(span.clone())
                .with_help(help),
        );
    }
}

struct IncludeOptions {
    file: Option<String>,
    file_span: Span,
    role_name: Option<String>,
    files: RoleFiles,
    public: Option<bool>,
    apply: Option<Node>,
}

fn set(slot: &mut String, value: Option<String>) -> bool {
    match value {
        Some(value) => {
            *slot = value;
            true
        }
        None => false,
    }
}

fn string_node(text: String, span: &Span) -> Node {
    Node {
        value: NodeValue::Str(text),
        span: span.clone(),
        tag: None,
    }
}

fn truthy_node(node: &Node) -> bool {
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
