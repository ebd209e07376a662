//! A play's task lists flattened into units, each a task with everything it inherits from its blocks,
//! its role and its play: conditions (outermost first, all must hold), `vars:` layers, tags (the union),
//! `no_log`, `notify` and each `become*` keyword (the nearest that sets it). Nothing here depends on
//! a host.

use std::sync::Arc;

use super::layers::vars_map;
use super::roles::{self, RoleRun, RoleScope};
use crate::playbook::{BecomeKeywords, Include, Play, Role, RoleRef, Task, TaskItem};
use crate::source::yaml::Node;
use crate::value::Map;

/// A flattened task, or an `include_tasks` / `include_role` whose inclusion each host decides.
pub(super) enum Step<'p> {
    Unit(Box<Unit<'p>>),
    Include(Included<'p>),
}

/// A dynamic include with what it inherits: its `when:` (the enclosing ones and its own) and tags
/// decide whether it runs; `body` is what it includes, once per loop item.
pub(super) struct Included<'p> {
    pub include: &'p Include,
    pub role: Option<Arc<RoleScope>>,
    pub when: Vec<Node>,
    pub vars: Vec<Arc<Map>>,
    pub tags: Vec<String>,
    pub is_handler: bool,
    pub body: Vec<Step<'p>>,
}

impl<'p> Step<'p> {
    /// Every unit, included ones too, in order.
    pub(super) fn units<'s>(steps: &'s [Step<'p>]) -> Vec<&'s Unit<'p>> {
        let mut out = Vec::new();
        for step in steps {
            match step {
                Step::Unit(unit) => out.push(&**unit),
                Step::Include(included) => out.extend(Step::units(&included.body)),
            }
        }
        out
    }
}

#[derive(Clone)]
pub(super) struct Unit<'p> {
    pub task: &'p Task,
    pub role: Option<Arc<RoleScope>>,
    pub when: Vec<Node>,
    pub vars: Vec<Arc<Map>>,
    pub tags: Vec<String>,
    pub no_log: Option<Node>,
    pub notify: Vec<String>,
    pub become_keywords: BecomeKeywords,
    pub is_handler: bool,
}

#[derive(Clone, Default)]
struct Inherited {
    role: Option<Arc<RoleScope>>,
    when: Vec<Node>,
    vars: Vec<Arc<Map>>,
    tags: Vec<String>,
    no_log: Option<Node>,
    notify: Vec<String>,
    become_keywords: BecomeKeywords,
}

/// The play's tasks in the order Ansible runs them: `pre_tasks`, the roles (dependencies first),
/// `tasks`, `post_tasks`.
pub(super) fn tasks<'p>(play: &'p Play, roles: &'p [RoleRun]) -> Vec<Step<'p>> {
    let top = play_level(play);
    let mut units = Vec::new();
    walk(&play.pre_tasks, &top, false, &mut units);
    for run in roles {
        walk(&run.role.tasks, &role_level(&top, run), false, &mut units);
    }
    walk(&play.tasks, &top, false, &mut units);
    walk(&play.post_tasks, &top, false, &mut units);
    units
}

/// The play's handlers: the roles' (dependencies first), then the play's own, as Ansible lists them.
/// Roles pulled in by `import_role` / `include_role` add their handlers after the play's roles'.
pub(super) fn handlers<'p>(play: &'p Play, roles: &'p [RoleRun]) -> Vec<Step<'p>> {
    let top = play_level(play);
    let mut units = Vec::new();
    for run in roles {
        walk(&run.role.handlers, &role_level(&top, run), true, &mut units);
    }
    let mut included = Vec::new();
    for list in [&play.pre_tasks, &play.tasks, &play.post_tasks] {
        included_roles(list, &mut included);
    }
    for run in roles {
        included_roles(&run.role.tasks, &mut included);
    }
    for (role_ref, _) in included {
        for (role, run) in role_runs(role_ref) {
            walk(&role.handlers, &role_level(&top, &run), true, &mut units);
        }
    }
    walk(&play.handlers, &top, true, &mut units);
    units
}

/// The role entries of `import_role` / `include_role` anywhere in these tasks (inside included
/// files and roles too), each with whether it is public.
pub(super) fn included_roles<'p>(items: &'p [TaskItem], out: &mut Vec<(&'p RoleRef, bool)>) {
    for item in items {
        match item {
            TaskItem::Task(_) => {}
            TaskItem::Block(block) => included_roles(&block.tasks, out),
            TaskItem::Include(include) => {
                included_roles(&include.tasks, out);
                if let Some(role_ref) = &include.role {
                    out.push((role_ref, include.public));
                    for (role, _) in role_runs(role_ref) {
                        included_roles(&role.tasks, out);
                    }
                }
            }
        }
    }
}

/// The runs of an included role (dependencies first), each with the role it runs borrowed from
/// the entry, so units can point into it.
fn role_runs(role_ref: &RoleRef) -> Vec<(&Role, RoleRun)> {
    let mut tree: Vec<&Role> = Vec::new();
    collect_roles(role_ref, &mut tree);
    roles::expand(std::slice::from_ref(role_ref))
        .into_iter()
        .filter_map(|run| {
            let role = tree
                .iter()
                .find(|r| std::ptr::eq(**r, Arc::as_ptr(&run.role)))?;
            Some((*role, run))
        })
        .collect()
}

fn collect_roles<'p>(role_ref: &'p RoleRef, out: &mut Vec<&'p Role>) {
    out.push(&role_ref.role);
    for dependency in &role_ref.role.dependencies {
        collect_roles(dependency, out);
    }
}

fn play_level(play: &Play) -> Inherited {
    Inherited {
        tags: play.tags.clone(),
        no_log: play.no_log.clone(),
        become_keywords: play.become_keywords.clone(),
        ..Inherited::default()
    }
}

fn role_level(top: &Inherited, run: &RoleRun) -> Inherited {
    let mut inherited = top.clone();
    inherited.role = Some(run.scope.clone());
    inherited.when.extend(run.when.iter().cloned());
    inherited.tags.extend(run.tags.iter().cloned());
    inherited.become_keywords = run.become_keywords.within(&top.become_keywords);
    inherited
}

fn walk<'p>(
    items: &'p [TaskItem],
    inherited: &Inherited,
    is_handler: bool,
    out: &mut Vec<Step<'p>>,
) {
    for item in items {
        match item {
            TaskItem::Include(include) => {
                let mut level = inherited.clone();
                if include.is_static {
                    level.when.extend(include.when.iter().cloned());
                    level.tags.extend(include.tags.iter().cloned());
                }
                if !include.vars.is_empty() {
                    level.vars.push(Arc::new(vars_map(&include.vars)));
                }
                let mut body = Vec::new();
                walk(&include.tasks, &level, is_handler, &mut body);
                if let Some(role_ref) = &include.role {
                    for (role, run) in role_runs(role_ref) {
                        walk(
                            &role.tasks,
                            &role_level(&level, &run),
                            is_handler,
                            &mut body,
                        );
                    }
                }
                if include.is_static {
                    out.extend(body);
                } else {
                    out.push(Step::Include(Included {
                        include,
                        role: inherited.role.clone(),
                        when: inherited
                            .when
                            .iter()
                            .chain(&include.when)
                            .cloned()
                            .collect(),
                        vars: level.vars.clone(),
                        tags: inherited
                            .tags
                            .iter()
                            .chain(&include.tags)
                            .cloned()
                            .collect(),
                        is_handler,
                        body,
                    }));
                }
            }
            TaskItem::Block(block) => {
                let mut inner = inherited.clone();
                inner.when.extend(block.when.iter().cloned());
                if !block.vars.is_empty() {
                    inner.vars.push(Arc::new(vars_map(&block.vars)));
                }
                inner.tags.extend(block.tags.iter().cloned());
                if block.no_log.is_some() {
                    inner.no_log = block.no_log.clone();
                }
                if !block.notify.is_empty() {
                    inner.notify = block.notify.clone();
                }
                inner.become_keywords = block.become_keywords.within(&inherited.become_keywords);
                walk(&block.tasks, &inner, is_handler, out);
            }
            TaskItem::Task(task) => {
                let mut vars = inherited.vars.clone();
                if !task.vars.is_empty() {
                    vars.push(Arc::new(vars_map(&task.vars)));
                }
                out.push(Step::Unit(Box::new(Unit {
                    task,
                    role: inherited.role.clone(),
                    when: inherited.when.iter().chain(&task.when).cloned().collect(),
                    vars,
                    tags: inherited.tags.iter().chain(&task.tags).cloned().collect(),
                    no_log: task.no_log.clone().or_else(|| inherited.no_log.clone()),
                    notify: if task.notify.is_empty() {
                        inherited.notify.clone()
                    } else {
                        task.notify.clone()
                    },
                    become_keywords: task.become_keywords.within(&inherited.become_keywords),
                    is_handler,
                })));
            }
        }
    }
}
