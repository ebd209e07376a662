use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::BecomeKeywords;
use super::load::{Loader, entries, key_text, list_of, load_yaml_file, scalar_string, strings};
use super::model::{Role, RoleOrigin, RoleRef, Vars};
use crate::diagnostics::Diagnostic;
use crate::source::yaml::{Node, NodeValue};

/// Finds roles (`roles/` beside the playbook, then `--roles-path`) and loads each once.
pub struct RoleLoader {
    search: Vec<PathBuf>,
    /// By directory and the files chosen (`tasks_from`, ...): each variant is a role of its own.
    loaded: BTreeMap<(PathBuf, RoleFiles), Arc<Role>>,
    /// Roles being loaded, to catch `meta/main.yml` dependency cycles.
    stack: Vec<(PathBuf, RoleFiles)>,
}

impl RoleLoader {
    pub fn new(playbook_dir: &Path, roles_path: &[PathBuf]) -> Self {
        let mut search = vec![playbook_dir.join("roles")];
        search.extend(roles_path.iter().cloned());
        search.push(playbook_dir.to_path_buf());
        Self {
            search,
            loaded: BTreeMap::new(),
            stack: Vec::new(),
        }
    }

    fn find(&self, name: &str) -> Option<PathBuf> {
        let as_path = Path::new(name);
        if as_path.is_absolute() {
            return as_path.is_dir().then(|| as_path.to_path_buf());
        }
        self.search
            .iter()
            .map(|dir| dir.join(name))
            .find(|p| p.is_dir())
    }

    fn searched(&self) -> String {
        self.search
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Which file of each role section is read: `main` unless `tasks_from:` and the like say otherwise.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RoleFiles {
    pub tasks: String,
    pub vars: String,
    pub defaults: String,
    pub handlers: String,
}

impl Default for RoleFiles {
    fn default() -> Self {
        Self {
            tasks: "main".into(),
            vars: "main".into(),
            defaults: "main".into(),
            handlers: "main".into(),
        }
    }
}

const EXTENSIONS: [&str; 4] = ["", ".yml", ".yaml", ".json"];

/// The file Ansible reads for a role section: `NAME`, `NAME.yml`, `NAME.yaml` or `NAME.json`.
fn section_file(dir: &Path, name: &str) -> Option<PathBuf> {
    EXTENSIONS
        .iter()
        .map(|ext| dir.join(format!("{name}{ext}")))
        .find(|p| p.is_file())
}

/// For `defaults/` and `vars/`: the section file, or every file under a `NAME/` directory in sorted
/// order (Ansible's `find_vars_files`: recursive, names without an extension or with .yml, .yaml or
/// .json, hidden files skipped).
fn vars_files(dir: &Path, name: &str) -> Vec<PathBuf> {
    if let Some(file) = section_file(dir, name) {
        return vec![file];
    }
    let mut found = Vec::new();
    collect_vars_files(&dir.join(name), &mut found);
    found
}

fn collect_vars_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = listing.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            collect_vars_files(&path, found);
        } else if path.extension().is_none_or(|ext| {
            EXTENSIONS[1..]
                .iter()
                .any(|e| e.trim_start_matches('.') == ext)
        }) {
            found.push(path);
        }
    }
}

impl Loader<'_> {
    pub(super) fn role_refs(&mut self, node: &Node) -> Vec<RoleRef> {
        list_of(node)
            .iter()
            .filter_map(|item| self.role_ref(item))
            .collect()
    }

    fn role_ref(&mut self, node: &Node) -> Option<RoleRef> {
        let mut become_keywords = BecomeKeywords::default();
        let (name, params, when, tags) = match &node.value {
            NodeValue::Str(name) => (name.clone(), Vec::new(), Vec::new(), Vec::new()),
            NodeValue::Map(fields) => {
                let mut name = None;
                let mut params: Vars = Vec::new();
                let mut when = Vec::new();
                let mut tags = Vec::new();
                for (key, value) in fields {
                    match key_text(key).as_str() {
                        "role" | "name" => name = scalar_string(value),
                        "when" => when = list_of(value),
                        "tags" => tags = strings(value),
                        "vars" => params.extend(self.vars(value)),
                        keyword if become_keywords.set(keyword, value) => {}
                        "delegate_to" | "no_log" | "collections" => {}
                        other => params.push((other.to_string(), value.clone())),
                    }
                }
                let Some(name) = name else {
                    self.diagnostics.push(
                        Diagnostic::error("role definitions must contain a role name")
                            .at(node.span.clone())
                            .with_help("write `- role: NAME`"),
                    );
                    return None;
                };
                (name, params, when, tags)
            }
            _ => {
                self.diagnostics.push(
                    Diagnostic::error("a role is named by a string or a mapping with `role:`")
                        .at(node.span.clone()),
                );
                return None;
            }
        };
        let role = self.load_role_with(&name, &RoleFiles::default(), &node.span)?;
        Some(RoleRef {
            role,
            params,
            when,
            tags,
            become_keywords,
            span: node.span.clone(),
        })
    }

    pub(super) fn load_role_with(
        &mut self,
        name: &str,
        files: &RoleFiles,
        at: &crate::source::Span,
    ) -> Option<Arc<Role>> {
        let Some(path) = self.roles.find(name) else {
            self.diagnostics.push(
                Diagnostic::error(format!(
                    "the role '{name}' was not found in {}",
                    self.roles.searched()
                ))
                .at(at.clone())
                .with_help("put the role under roles/ beside the playbook, or pass --roles-path"),
            );
            return None;
        };
        let key = (path.clone(), files.clone());
        if let Some(role) = self.roles.loaded.get(&key) {
            return Some(role.clone());
        }
        if self.roles.stack.contains(&key) {
            self.diagnostics.push(
                Diagnostic::error(format!(
                    "the role '{name}' depends on itself (through meta/main.yml or a role import)"
                ))
                .at(at.clone())
                .with_help("remove one of the role dependencies that form the loop"),
            );
            return None;
        }
        self.roles.stack.push(key.clone());
        let origin = Arc::new(RoleOrigin {
            name: name.to_string(),
            path: path.clone(),
        });
        let defaults = self.role_vars(&path.join("defaults"), &files.defaults, at);
        let vars = self.role_vars(&path.join("vars"), &files.vars, at);
        let tasks = self.role_tasks(&path.join("tasks"), &files.tasks, &origin, at);
        let handlers = self.role_tasks(&path.join("handlers"), &files.handlers, &origin, at);
        let dependencies = self.role_dependencies(&path.join("meta"));
        self.roles.stack.pop();
        let role = Arc::new(Role {
            name: name.to_string(),
            path: path.clone(),
            defaults,
            vars,
            tasks,
            handlers,
            dependencies,
        });
        self.roles.loaded.insert(key, role.clone());
        Some(role)
    }

    fn role_yaml(&mut self, file: &Path) -> Option<Node> {
        match load_yaml_file(file, &mut self.diagnostics) {
            Ok(node) => node,
            Err(problems) => {
                self.diagnostics.extend(problems);
                None
            }
        }
    }

    /// A `*_from` other than `main` must exist; `main` may be absent.
    fn missing_section(&mut self, dir: &Path, name: &str, at: &crate::source::Span) {
        if name != "main" {
            self.diagnostics.push(
                Diagnostic::error(format!(
                    "Could not find specified file in role: {}/{name}",
                    dir.display()
                ))
                .at(at.clone())
                .with_help("name a file of the role's directory, without or with its .yml"),
            );
        }
    }

    fn role_vars(&mut self, dir: &Path, name: &str, at: &crate::source::Span) -> Vars {
        let files = vars_files(dir, name);
        if files.is_empty() {
            self.missing_section(dir, name, at);
        }
        let mut vars = Vec::new();
        for file in files {
            if let Some(node) = self.role_yaml(&file) {
                vars.extend(self.vars(&node));
            }
        }
        vars
    }

    fn role_tasks(
        &mut self,
        dir: &Path,
        name: &str,
        origin: &Arc<RoleOrigin>,
        at: &crate::source::Span,
    ) -> Vec<super::model::TaskItem> {
        let Some(file) = section_file(dir, name) else {
            self.missing_section(dir, name, at);
            return Vec::new();
        };
        match self.role_yaml(&file) {
            Some(node) => self.task_list(&node, Some(origin)),
            None => Vec::new(),
        }
    }

    fn role_dependencies(&mut self, dir: &Path) -> Vec<RoleRef> {
        let Some(node) = section_file(dir, "main").and_then(|file| self.role_yaml(&file)) else {
            return Vec::new();
        };
        let Some(fields) = entries(&node) else {
            return Vec::new();
        };
        match fields.iter().find(|(k, _)| key_text(k) == "dependencies") {
            Some((_, deps)) => {
                let deps = deps.clone();
                self.role_refs(&deps)
            }
            None => Vec::new(),
        }
    }
}
