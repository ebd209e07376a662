//! A play's task lists flattened into units, each a task with everything it inherits from its blocks,
//! its role and its play: conditions (outermost first, all must hold), `vars:` layers, tags (the union),
//! `no_log`, `notify` and each `become*` keyword (the nearest that sets it). Nothing here depends on
//! a host.

use std::sync::Arc;

use super::layers::vars_map;
use super::roles::{RoleRun, RoleScope};
use crate::playbook::{BecomeKeywords, Play, Task, TaskItem};
use crate::source::yaml::Node;
use crate::value::Map;

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
pub(super) fn tasks<'p>(play: &'p Play, roles: &'p [RoleRun]) -> Vec<Unit<'p>> {
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
pub(super) fn handlers<'p>(play: &'p Play, roles: &'p [RoleRun]) -> Vec<Unit<'p>> {
    let top = play_level(play);
    let mut units = Vec::new();
    for run in roles {
        walk(&run.role.handlers, &role_level(&top, run), true, &mut units);
    }
    walk(&play.handlers, &top, true, &mut units);
    units
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
    out: &mut Vec<Unit<'p>>,
) {
    for item in items {
        match item {
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
                out.push(Unit {
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
                });
            }
        }
    }
}
