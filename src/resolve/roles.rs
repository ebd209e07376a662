//! Roles as a play runs them: dependencies first, each role once per play unless it is invoked with
//! different parameters, `when` or tags (Ansible compares role invocations the same way), and the
//! variable layers a role's tasks see.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use super::layers::vars_map;
use super::magic;
use crate::playbook::{BecomeKeywords, Role, RoleRef};
use crate::source::yaml::Node;
use crate::value::{Map, combine_vars, pyrepr};

/// What a role's tasks and handlers see of their role.
#[derive(Debug)]
pub(super) struct RoleScope {
    pub name: String,
    /// Role defaults: the dependencies' defaults, then those of the roles that pulled this one in,
    /// then its own (Ansible's `get_default_vars(dep_chain)`).
    pub defaults: Arc<Map>,
    /// Role vars: the parents', the dependencies' (exported), its own (`get_vars(dep_chain)`).
    pub vars: Arc<Map>,
    /// Role parameters, the parents' first (`get_role_params(dep_chain)`).
    pub params: Arc<Map>,
    pub magic: Arc<Map>,
    /// Where `files/` and `templates/` are looked for: this role, then the roles that pulled it in.
    pub search: Vec<PathBuf>,
}

/// One role run in a play: its scope, and the `when`, tags and `become*` keywords it inherits from
/// its invocations.
pub(super) struct RoleRun {
    pub role: Arc<Role>,
    pub scope: Arc<RoleScope>,
    pub when: Vec<Node>,
    pub tags: Vec<String>,
    /// Its own entry's, then those of the roles that pulled it in, nearest first (Ansible's
    /// `get_dep_chain()` walked in reverse).
    pub become_keywords: BecomeKeywords,
}

/// The roles of a play's `roles:` in the order they run: each role's dependencies before it, a role
/// already run with the same invocation skipped (its dependencies too).
pub(super) fn expand(roles: &[RoleRef]) -> Vec<RoleRun> {
    let mut runs = Vec::new();
    let mut seen = HashSet::new();
    for role in roles {
        visit(role, &[], &mut seen, &mut runs);
    }
    runs
}

fn visit<'a>(
    invocation: &'a RoleRef,
    parents: &[&'a RoleRef],
    seen: &mut HashSet<String>,
    runs: &mut Vec<RoleRun>,
) {
    if !seen.insert(identity(invocation)) {
        return;
    }
    let mut chain: Vec<&RoleRef> = parents.to_vec();
    chain.push(invocation);
    for dependency in &invocation.role.dependencies {
        visit(dependency, &chain, seen, runs);
    }
    runs.push(RoleRun {
        role: invocation.role.clone(),
        scope: Arc::new(scope(&chain)),
        when: chain.iter().flat_map(|r| r.when.iter().cloned()).collect(),
        tags: chain.iter().flat_map(|r| r.tags.iter().cloned()).collect(),
        become_keywords: chain
            .iter()
            .rev()
            .fold(BecomeKeywords::default(), |nearer, link| {
                nearer.within(&link.become_keywords)
            }),
    });
}

/// What makes two invocations the same role run (Ansible's `Role._get_hash_dict`).
fn identity(invocation: &RoleRef) -> String {
    let params = crate::value::Value::Map(vars_map(&invocation.params));
    let when: Vec<&str> = invocation.when.iter().map(|n| n.span.text()).collect();
    format!(
        "{}\u{0}{}\u{0}{:?}\u{0}{:?}",
        invocation.role.path.display(),
        pyrepr::repr(&params),
        when,
        invocation.tags
    )
}

fn scope(chain: &[&RoleRef]) -> RoleScope {
    let Some(this) = chain.last() else {
        return RoleScope {
            name: String::new(),
            defaults: Arc::default(),
            vars: Arc::default(),
            params: Arc::default(),
            magic: Arc::default(),
            search: Vec::new(),
        };
    };
    let role = &this.role;
    let mut defaults = dependency_defaults(role);
    for link in chain {
        combine_vars(&mut defaults, &vars_map(&link.role.defaults));
    }
    let mut vars = Map::new();
    for link in chain {
        combine_vars(&mut vars, &vars_map(&link.role.vars));
    }
    let mut seen = HashSet::new();
    for dependency in &role.dependencies {
        combine_vars(&mut vars, &exports(&dependency.role, &mut seen));
    }
    combine_vars(&mut vars, &vars_map(&role.vars));
    let mut params = Map::new();
    for link in chain {
        combine_vars(&mut params, &vars_map(&link.params));
    }
    RoleScope {
        name: role.name.clone(),
        defaults: Arc::new(defaults),
        vars: Arc::new(vars),
        params: Arc::new(params),
        magic: Arc::new(magic::role(&role.name, &role.path)),
        search: chain.iter().rev().map(|r| r.role.path.clone()).collect(),
    }
}

/// A role's defaults with its dependencies' below them (`Role.get_default_vars()`).
pub(super) fn all_defaults(role: &Role) -> Map {
    let mut map = dependency_defaults(role);
    combine_vars(&mut map, &vars_map(&role.defaults));
    map
}

fn dependency_defaults(role: &Role) -> Map {
    let mut map = Map::new();
    for dependency in &role.dependencies {
        combine_vars(&mut map, &all_defaults(&dependency.role));
    }
    map
}

/// The role vars a role exports to the whole play: its dependencies', then its own
/// (`get_vars(include_params=False, only_exports=True)`).
pub(super) fn exports(role: &Role, seen: &mut HashSet<PathBuf>) -> Map {
    let mut map = Map::new();
    for dependency in &role.dependencies {
        if seen.insert(dependency.role.path.clone()) {
            combine_vars(&mut map, &exports(&dependency.role, seen));
        }
    }
    combine_vars(&mut map, &vars_map(&role.vars));
    map
}

/// Names of every role a play runs, directly or as a dependency, each once.
pub(super) fn all_names(roles: &[RoleRef]) -> Vec<String> {
    let mut names = Vec::new();
    let mut stack: Vec<&RoleRef> = roles.iter().rev().collect();
    while let Some(role) = stack.pop() {
        if !names.contains(&role.role.name) {
            names.push(role.role.name.clone());
        }
        stack.extend(role.role.dependencies.iter().rev());
    }
    names
}
