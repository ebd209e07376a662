use std::path::PathBuf;
use std::sync::Arc;

use super::BecomeKeywords;
use crate::model::DependencyRef;
use crate::source::Span;
use crate::source::yaml::Node;

/// Variables as written: name, value node (templated later, with its span for errors).
pub type Vars = Vec<(String, Node)>;

#[derive(Clone, Debug)]
pub struct Playbook {
    pub path: PathBuf,
    pub plays: Vec<Play>,
}

/// Whether work on a host keeps the playbook's order (Ansible's behaviour, the default) or follows
/// only real dependencies (`plimsoll_ordering: dependencies` on the play).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ordering {
    Playbook,
    Dependencies,
}

#[derive(Clone, Debug)]
pub struct Play {
    pub name: Option<String>,
    /// The `hosts:` pattern (may be templated).
    pub hosts: Node,
    pub vars: Vars,
    pub vars_files: Vec<Node>,
    pub roles: Vec<RoleRef>,
    pub pre_tasks: Vec<TaskItem>,
    pub tasks: Vec<TaskItem>,
    pub post_tasks: Vec<TaskItem>,
    pub handlers: Vec<TaskItem>,
    pub serial: Option<Node>,
    pub max_fail_percentage: Option<Node>,
    pub gather_facts: Option<bool>,
    pub ordering: Ordering,
    pub tags: Vec<String>,
    pub no_log: Option<Node>,
    pub become_keywords: BecomeKeywords,
    /// `connection:` (only `local` changes anything: the play's hosts run on this machine unless
    /// their inventory sets `ansible_connection`).
    pub connection: Option<Node>,
    pub span: Span,
}

/// A role named in a play's `roles:` or a role's `meta/main.yml` dependencies.
#[derive(Clone, Debug)]
pub struct RoleRef {
    pub role: Arc<Role>,
    /// Role parameters (`- role: x` with extra keys): variables above role vars.
    pub params: Vars,
    pub when: Vec<Node>,
    pub tags: Vec<String>,
    /// `become*` keywords on the entry: they apply to the role's tasks and handlers, and to the
    /// roles it depends on.
    pub become_keywords: BecomeKeywords,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Role {
    pub name: String,
    pub path: PathBuf,
    pub defaults: Vars,
    pub vars: Vars,
    pub tasks: Vec<TaskItem>,
    pub handlers: Vec<TaskItem>,
    pub dependencies: Vec<RoleRef>,
}

#[derive(Clone, Debug)]
pub enum TaskItem {
    Task(Box<Task>),
    Block(Box<Block>),
    /// `include_tasks`: decided per host at plan time (`when:`, loop), unlike `import_tasks`, which is
    /// loaded as a block.
    Include(Box<Include>),
}

/// An `include_tasks` (or `include_role`) entry with the tasks of the file it names, loaded once.
/// Its `when:` and tags decide whether the file is included at all; they are not inherited by the
/// included tasks (Ansible's dynamic includes), while `vars:` and the loop variable are.
#[derive(Clone, Debug)]
pub struct Include {
    pub tasks: Vec<TaskItem>,
    pub when: Vec<Node>,
    pub vars: Vars,
    pub tags: Vec<String>,
    pub loop_spec: Option<LoopSpec>,
    /// For `include_role` / `import_role`: the role whose tasks these are (its scope for variables
    /// and files); `tasks` is then empty.
    pub role: Option<RoleRef>,
    /// `import_role`: expanded at load time, `when:` and tags apply to every task of the role.
    pub is_static: bool,
    /// The role's defaults and vars are visible to the rest of the play (`public:`, always for
    /// `import_role`).
    pub public: bool,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Block {
    pub name: Option<String>,
    pub tasks: Vec<TaskItem>,
    pub when: Vec<Node>,
    pub vars: Vars,
    pub tags: Vec<String>,
    pub no_log: Option<Node>,
    pub notify: Vec<String>,
    pub become_keywords: BecomeKeywords,
    pub span: Span,
}

/// `loop:` or a `with_<lookup>:` loop.
#[derive(Clone, Debug)]
pub struct LoopSpec {
    /// `loop`, or the lookup name of `with_<lookup>` (`items`, `list`, `dict`).
    pub style: String,
    pub items: Node,
    pub loop_var: String,
    pub index_var: Option<String>,
    pub label: Option<Node>,
}

#[derive(Clone, Debug)]
pub struct Task {
    pub name: Option<Node>,
    /// The module name as written (`file`, `ansible.builtin.copy`).
    pub module: String,
    pub module_span: Span,
    /// The module's arguments: a mapping node (free-form `k=v` strings are turned into one).
    pub args: Vec<(String, Node)>,
    pub when: Vec<Node>,
    pub loop_spec: Option<LoopSpec>,
    pub vars: Vars,
    pub tags: Vec<String>,
    pub notify: Vec<String>,
    /// Handler topics this handler also answers to (`listen:`).
    pub listen: Vec<String>,
    pub no_log: Option<Node>,
    pub become_keywords: BecomeKeywords,
    pub depends_on: Vec<DependencyRef>,
    pub span: Span,
    /// The role the task comes from, for its files/templates search path.
    pub role: Option<Arc<RoleOrigin>>,
}

/// Where a role lives: its tasks find `files/` and `templates/` there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleOrigin {
    pub name: String,
    pub path: PathBuf,
}
