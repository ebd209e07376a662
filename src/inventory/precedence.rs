//! A host's variables, layered in Ansible's default `VARIABLE_PRECEDENCE`:
//! `[all:vars]` < other groups' inventory vars (by depth, priority, name) < `group_vars/all` beside the
//! inventory < beside the playbook < `group_vars/<group>` beside the inventory < beside the playbook <
//! the host's inventory vars < `host_vars/` beside the inventory < beside the playbook.
//! So `group_vars/all.yml` beats a child group's `[web:vars]` — Ansible's order, kept on purpose.

use super::data::ALL;
use super::loaded::Inventory;
use super::vars_files::{DirVars, EntityVars};
use crate::diagnostics::Diagnostics;
use crate::value::{Map, combine_vars};

/// Names Ansible computes itself (`C.INTERNAL_STATIC_VARS`); `ansible-inventory` never prints them.
pub const INTERNAL_VARS: &[&str] = &[
    "ansible_async_path",
    "ansible_collection_name",
    "ansible_config_file",
    "ansible_dependent_role_names",
    "ansible_diff_mode",
    "ansible_facts",
    "ansible_forks",
    "ansible_inventory_sources",
    "ansible_limit",
    "ansible_play_batch",
    "ansible_play_hosts",
    "ansible_play_hosts_all",
    "ansible_play_role_names",
    "ansible_playbook_python",
    "ansible_role_name",
    "ansible_role_names",
    "ansible_run_tags",
    "ansible_skip_tags",
    "ansible_verbosity",
    "ansible_version",
    "inventory_dir",
    "inventory_file",
    "inventory_hostname",
    "inventory_hostname_short",
    "groups",
    "group_names",
    "hostvars",
    "playbook_dir",
    "play_hosts",
    "role_name",
    "role_names",
    "role_path",
    "role_uuid",
];

impl Inventory {
    /// Every variable of `host` from the inventory, as `ansible-inventory --host` computes them.
    /// Fails only if a vars file this host needs could not be read.
    pub fn host_vars(&self, host: &str) -> Result<Map, Diagnostics> {
        let mut vars = Map::new();
        let mut errors = Diagnostics::new();
        let Some(h) = self.data.host(host) else {
            return Ok(vars);
        };
        let all = self.data.group(ALL);
        let groups = self
            .data
            .sort_groups(h.groups.iter().filter(|g| g.as_str() != ALL));

        if let Some(all) = all {
            combine_vars(&mut vars, &all.vars);
        }
        for group in &groups {
            combine_vars(&mut vars, &group.vars);
        }
        for dir in &self.source_vars {
            layer(&mut vars, &mut errors, dir.group(ALL));
        }
        if let Some(dir) = &self.playbook_vars {
            layer(&mut vars, &mut errors, dir.group(ALL));
        }
        for dir in &self.source_vars {
            for group in &groups {
                layer(&mut vars, &mut errors, dir.group(&group.name));
            }
        }
        if let Some(dir) = &self.playbook_vars {
            for group in &groups {
                layer(&mut vars, &mut errors, dir.group(&group.name));
            }
        }
        combine_vars(&mut vars, &h.vars);
        for dir in self.dirs() {
            layer(&mut vars, &mut errors, dir.host(host));
        }
        vars.retain(|k, _| !INTERNAL_VARS.contains(&k.as_str()));
        if errors.is_empty() {
            Ok(vars)
        } else {
            Err(errors)
        }
    }

    /// A group's own variables (inventory + vars files), as `ansible-inventory --export` prints them.
    pub fn group_vars(&self, group: &str) -> Result<Map, Diagnostics> {
        let mut vars = Map::new();
        let mut errors = Diagnostics::new();
        let Some(g) = self.data.group(group) else {
            return Ok(vars);
        };
        combine_vars(&mut vars, &g.vars);
        for dir in self.dirs() {
            layer(&mut vars, &mut errors, dir.group(group));
        }
        if g.priority != 1 {
            vars.insert(
                "ansible_group_priority".into(),
                crate::value::Value::Int(i128::from(g.priority)),
            );
        }
        vars.retain(|k, _| !INTERNAL_VARS.contains(&k.as_str()));
        if errors.is_empty() {
            Ok(vars)
        } else {
            Err(errors)
        }
    }

    fn dirs(&self) -> impl Iterator<Item = &DirVars> {
        self.source_vars.iter().chain(self.playbook_vars.as_ref())
    }
}

fn layer(vars: &mut Map, errors: &mut Diagnostics, from: Option<&EntityVars>) {
    match from {
        Some(Ok(from)) => combine_vars(vars, from),
        Some(Err(problems)) => {
            for problem in problems.iter() {
                if !errors.iter().any(|seen| seen == problem) {
                    errors.push(problem.clone());
                }
            }
        }
        None => {}
    }
}
