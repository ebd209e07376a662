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
    loaded: BTreeMap<PathBuf, Arc<Role>>,
    /// Roles being loaded, to catch `meta/main.yml` dependency cycles.
    stack: Vec<PathBuf>,
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

/// The file Ansible reads for a role section: `main`, `main.yml`, `main.yaml` or `main.json`.
fn main_file(dir: &Path) -> Option<PathBuf> {
    ["main.yml", "main.yaml", "main.json", "main"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
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
        let role = self.load_role(&name, &node.span)?;
        Some(RoleRef {
            role,
            params,
            when,
            tags,
            become_keywords,
            span: node.span.clone(),
        })
    }

    fn load_role(&mut self, name: &str, at: &crate::source::Span) -> Option<Arc<Role>> {
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
        if let Some(role) = self.roles.loaded.get(&path) {
            return Some(role.clone());
        }
        if self.roles.stack.contains(&path) {
            self.diagnostics.push(
                Diagnostic::error(format!(
                    "the role '{name}' depends on itself through meta/main.yml"
                ))
                .at(at.clone())
                .with_help("remove one of the role dependencies that form the loop"),
            );
            return None;
        }
        self.roles.stack.push(path.clone());
        let origin = Arc::new(RoleOrigin {
            name: name.to_string(),
            path: path.clone(),
        });
        let defaults = self.role_vars(&path.join("defaults"));
        let vars = self.role_vars(&path.join("vars"));
        let tasks = self.role_tasks(&path.join("tasks"), &origin);
        let handlers = self.role_tasks(&path.join("handlers"), &origin);
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
        self.roles.loaded.insert(path, role.clone());
        Some(role)
    }

    fn role_yaml(&mut self, dir: &Path) -> Option<Node> {
        let file = main_file(dir)?;
        match load_yaml_file(&file, &mut self.diagnostics) {
            Ok(node) => node,
            Err(problems) => {
                self.diagnostics.extend(problems);
                None
            }
        }
    }

    fn role_vars(&mut self, dir: &Path) -> Vars {
        match self.role_yaml(dir) {
            Some(node) => self.vars(&node),
            None => Vec::new(),
        }
    }

    fn role_tasks(&mut self, dir: &Path, origin: &Arc<RoleOrigin>) -> Vec<super::model::TaskItem> {
        match self.role_yaml(dir) {
            Some(node) => self.task_list(&node, Some(origin)),
            None => Vec::new(),
        }
    }

    fn role_dependencies(&mut self, dir: &Path) -> Vec<RoleRef> {
        let Some(node) = self.role_yaml(dir) else {
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
