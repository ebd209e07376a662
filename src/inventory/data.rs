//! The inventory as Ansible's `InventoryData` holds it: groups with parents, children and hosts; hosts
//! with the groups they belong to (ancestors included); variables set by the inventory sources.
//! Parsers (INI, YAML) call the `add_*`/`set_variable` methods in file order, exactly as Ansible's
//! inventory plugins call theirs, so ordering and merge quirks come out the same.

use indexmap::{IndexMap, IndexSet};
use thiserror::Error;

use crate::source::Span;
use crate::value::{Map, Value, combine_vars};

pub const ALL: &str = "all";
pub const UNGROUPED: &str = "ungrouped";

#[derive(Debug, Error, Clone, PartialEq)]
pub enum InventoryError {
    #[error("Adding group '{child}' as child to '{parent}' creates a recursive dependency loop.")]
    RecursiveGroup { parent: String, child: String },
    #[error("can't add group '{0}' to itself")]
    GroupIsOwnChild(String),
    #[error("{0} is not a known host nor group")]
    UnknownMember(String),
    #[error("{0} is not a known group")]
    UnknownGroup(String),
    #[error("Could not identify group or host named {0}")]
    UnknownEntity(String),
    #[error("Invalid empty host name provided")]
    EmptyHostName,
    #[error("Invalid empty group name provided")]
    EmptyGroupName,
    #[error("ansible_group_priority must be an integer, got {0:?}")]
    BadPriority(String),
}

#[derive(Clone, Debug, Default)]
pub struct Group {
    pub name: String,
    pub vars: Map,
    /// Longest path from `all`; Ansible sorts groups by (depth, priority, name) to layer their vars.
    pub depth: usize,
    pub priority: i64,
    pub child_groups: Vec<String>,
    pub parent_groups: Vec<String>,
    /// Hosts added directly to this group, in the order they were added.
    pub hosts: IndexSet<String>,
    /// Where the group was first defined, for messages.
    pub defined_at: Option<Span>,
}

#[derive(Clone, Debug, Default)]
pub struct Host {
    pub name: String,
    pub vars: Map,
    /// Every group the host belongs to, ancestors included, in the order Ansible records them.
    pub groups: IndexSet<String>,
    pub port: Option<u16>,
    /// `localhost` made up because a pattern named it, not defined by any source.
    pub implicit: bool,
    /// The inventory source (file) the host was first seen in: Ansible's `inventory_file`.
    pub inventory_file: Option<String>,
    pub defined_at: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct InventoryData {
    pub groups: IndexMap<String, Group>,
    pub hosts: IndexMap<String, Host>,
    /// The inventory source being parsed; recorded on hosts it creates.
    pub current_source: Option<String>,
    pub warnings: Vec<(String, Option<Span>)>,
}

impl Default for InventoryData {
    fn default() -> Self {
        let mut data = Self {
            groups: IndexMap::new(),
            hosts: IndexMap::new(),
            current_source: None,
            warnings: Vec::new(),
        };
        data.add_group(ALL, None).ok();
        data.add_group(UNGROUPED, None).ok();
        data.add_child(ALL, UNGROUPED).ok();
        data
    }
}

impl InventoryData {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn group(&self, name: &str) -> Option<&Group> {
        self.groups.get(name)
    }

    pub fn host(&self, name: &str) -> Option<&Host> {
        self.hosts.get(name)
    }

    /// Adds a group if it is not there yet; returns its name.
    pub fn add_group(&mut self, name: &str, at: Option<Span>) -> Result<String, InventoryError> {
        if name.is_empty() {
            return Err(InventoryError::EmptyGroupName);
        }
        if !self.groups.contains_key(name) {
            self.groups.insert(
                name.to_string(),
                Group {
                    name: name.to_string(),
                    priority: 1,
                    defined_at: at,
                    ..Group::default()
                },
            );
        }
        Ok(name.to_string())
    }

    /// Adds a host (and, with `group`, puts it in that group). The group must exist.
    pub fn add_host(
        &mut self,
        name: &str,
        group: Option<&str>,
        port: Option<u16>,
        at: Option<Span>,
    ) -> Result<String, InventoryError> {
        if name.is_empty() {
            return Err(InventoryError::EmptyHostName);
        }
        if let Some(group) = group {
            if !self.groups.contains_key(group) {
                return Err(InventoryError::UnknownGroup(group.to_string()));
            }
        }
        if !self.hosts.contains_key(name) {
            let mut vars = Map::new();
            // Ansible's Host(name, port) sets ansible_port only for a new host, and only when non-zero.
            if let Some(port) = port.filter(|p| *p != 0) {
                vars.insert("ansible_port".into(), Value::Int(i128::from(port)));
            }
            self.hosts.insert(
                name.to_string(),
                Host {
                    name: name.to_string(),
                    vars,
                    port,
                    inventory_file: self.current_source.clone(),
                    defined_at: at,
                    ..Host::default()
                },
            );
        }
        if let Some(group) = group {
            self.add_host_to_group(group, name);
        }
        Ok(name.to_string())
    }

    /// Sets a variable on a group or host. `ansible_group_priority` on a group sets its priority; any
    /// other value replaces the old one whole (Ansible's `set_variable` with hash_behaviour=replace).
    pub fn set_variable(
        &mut self,
        entity: &str,
        key: &str,
        value: Value,
    ) -> Result<(), InventoryError> {
        if let Some(group) = self.groups.get_mut(entity) {
            if key == "ansible_group_priority" {
                group.priority = python_int(&value)
                    .ok_or_else(|| InventoryError::BadPriority(format!("{value:?}")))?;
                return Ok(());
            }
            set_merging(&mut group.vars, key, value);
            Ok(())
        } else if let Some(host) = self.hosts.get_mut(entity) {
            set_merging(&mut host.vars, key, value);
            Ok(())
        } else {
            Err(InventoryError::UnknownEntity(entity.to_string()))
        }
    }

    /// Adds a host or a group to `group`. Returns whether anything was added.
    pub fn add_child(&mut self, group: &str, child: &str) -> Result<bool, InventoryError> {
        if !self.groups.contains_key(group) {
            return Err(InventoryError::UnknownGroup(group.to_string()));
        }
        if self.groups.contains_key(child) {
            self.add_child_group(group, child)
        } else if self.hosts.contains_key(child) {
            Ok(self.add_host_to_group(group, child))
        } else {
            Err(InventoryError::UnknownMember(child.to_string()))
        }
    }

    fn add_child_group(&mut self, parent: &str, child: &str) -> Result<bool, InventoryError> {
        if parent == child {
            return Err(InventoryError::GroupIsOwnChild(parent.to_string()));
        }
        if self.groups[parent].child_groups.iter().any(|c| c == child) {
            return Ok(false);
        }
        let mut new_ancestors = self.ancestors(parent);
        if new_ancestors.contains(child) {
            return Err(InventoryError::RecursiveGroup {
                parent: parent.to_string(),
                child: child.to_string(),
            });
        }
        new_ancestors.insert(parent.to_string());
        let start_ancestors = self.ancestors(child);
        new_ancestors.retain(|g| !start_ancestors.contains(g));

        let parent_depth = self.groups[parent].depth;
        if let Some(p) = self.groups.get_mut(parent) {
            p.child_groups.push(child.to_string());
        }
        if let Some(c) = self.groups.get_mut(child) {
            c.depth = c.depth.max(parent_depth + 1);
        }
        self.update_descendant_depths(child);

        let already_parent = self.groups[child].parent_groups.iter().any(|p| p == parent);
        if !already_parent {
            if let Some(c) = self.groups.get_mut(child) {
                c.parent_groups.push(parent.to_string());
            }
            for host in self.hosts_of(child) {
                if let Some(h) = self.hosts.get_mut(&host) {
                    for group in &new_ancestors {
                        h.groups.insert(group.clone());
                    }
                }
            }
        }
        Ok(true)
    }

    fn update_descendant_depths(&mut self, start: &str) {
        let mut stack = vec![start.to_string()];
        while let Some(name) = stack.pop() {
            let depth = self.groups[&name].depth;
            for child in self.groups[&name].child_groups.clone() {
                if let Some(c) = self.groups.get_mut(&child) {
                    if c.depth < depth + 1 {
                        c.depth = depth + 1;
                        stack.push(child);
                    }
                }
            }
        }
    }

    fn add_host_to_group(&mut self, group: &str, host: &str) -> bool {
        let Some(g) = self.groups.get_mut(group) else {
            return false;
        };
        if !g.hosts.insert(host.to_string()) {
            return false;
        }
        let mut ancestors: Vec<String> = self.ancestors(group).into_iter().collect();
        ancestors.push(group.to_string());
        if let Some(h) = self.hosts.get_mut(host) {
            for a in ancestors {
                h.groups.insert(a);
            }
        }
        true
    }

    pub fn remove_host_from_group(&mut self, group: &str, host: &str) {
        if let Some(g) = self.groups.get_mut(group) {
            g.hosts.shift_remove(host);
        }
        if let Some(h) = self.hosts.get_mut(host) {
            h.groups.shift_remove(group);
        }
    }

    /// Every group above `group`.
    pub fn ancestors(&self, group: &str) -> IndexSet<String> {
        let mut seen = IndexSet::new();
        let mut stack: Vec<&str> = vec![group];
        while let Some(name) = stack.pop() {
            if let Some(g) = self.groups.get(name) {
                for parent in &g.parent_groups {
                    if seen.insert(parent.clone()) {
                        stack.push(parent);
                    }
                }
            }
        }
        seen
    }

    /// `group` and every group below it, nearest first (Ansible's `get_descendants(preserve_ordering)`).
    pub fn descendants(&self, group: &str) -> Vec<String> {
        let mut ordered = vec![group.to_string()];
        let mut seen: IndexSet<String> = IndexSet::from([group.to_string()]);
        let mut frontier = vec![group.to_string()];
        while !frontier.is_empty() {
            let mut next = Vec::new();
            for name in &frontier {
                if let Some(g) = self.groups.get(name) {
                    for child in &g.child_groups {
                        if seen.insert(child.clone()) {
                            ordered.push(child.clone());
                            next.push(child.clone());
                        }
                    }
                }
            }
            frontier = next;
        }
        ordered
    }

    /// The hosts of a group and of all its descendants, without duplicates (`Group.get_hosts()`).
    pub fn hosts_of(&self, group: &str) -> Vec<String> {
        let mut hosts = IndexSet::new();
        for name in self.descendants(group) {
            if let Some(g) = self.groups.get(&name) {
                for host in &g.hosts {
                    let implicit = self.hosts.get(host).is_some_and(|h| h.implicit);
                    if group == ALL && implicit {
                        continue;
                    }
                    hosts.insert(host.clone());
                }
            }
        }
        hosts.into_iter().collect()
    }

    /// Ansible's `reconcile_inventory`: every group hangs under `all`; hosts with no group go to
    /// `ungrouped`, and hosts in another group leave it.
    pub fn reconcile(&mut self) {
        self.current_source = None;
        let names: Vec<String> = self.groups.keys().cloned().collect();
        for name in &names {
            if name != ALL && self.ancestors(name).is_empty() {
                self.add_child_group(ALL, name).ok();
            }
        }
        let hosts: Vec<String> = self.hosts.keys().cloned().collect();
        for name in hosts {
            let Some(host) = self.hosts.get(&name) else {
                continue;
            };
            if host.groups.contains(UNGROUPED) {
                if host.groups.iter().any(|g| g != ALL && g != UNGROUPED) {
                    if let Some(g) = self.groups.get_mut(UNGROUPED) {
                        g.hosts.shift_remove(&name);
                    }
                    if let Some(h) = self.hosts.get_mut(&name) {
                        h.groups.shift_remove(UNGROUPED);
                    }
                }
            } else if !host.implicit {
                let only_all =
                    host.groups.is_empty() || (host.groups.len() == 1 && host.groups.contains(ALL));
                if only_all {
                    self.add_host_to_group(UNGROUPED, &name);
                }
            }
        }
        for name in self.groups.keys() {
            if self.hosts.contains_key(name) {
                self.warnings.push((
                    format!("Found both group and host with same name: {name}"),
                    None,
                ));
            }
        }
    }

    /// Groups sorted as Ansible layers their variables: by depth, then priority, then name.
    pub fn sort_groups<'a>(
        &'a self,
        names: impl IntoIterator<Item = &'a String>,
    ) -> Vec<&'a Group> {
        let mut groups: Vec<&Group> = names
            .into_iter()
            .filter_map(|n| self.groups.get(n))
            .collect();
        groups.sort_by(|a, b| (a.depth, a.priority, &a.name).cmp(&(b.depth, b.priority, &b.name)));
        groups
    }
}

fn set_merging(vars: &mut Map, key: &str, value: Value) {
    // Ansible does `self.vars = combine_vars(self.vars, {key: value})` when both are mappings: with the
    // default hash_behaviour=replace that replaces the whole value (checked with ansible-inventory:
    // `m={'a':1}` then `m={'b':2}` gives {"b": 2}); only hash_behaviour=merge would merge them.
    let mut update = Map::new();
    update.insert(key.to_string(), value);
    combine_vars(vars, &update);
}

/// Python's `int(value)` for the values inventories hold.
fn python_int(value: &Value) -> Option<i64> {
    match value {
        Value::Int(i) => i64::try_from(*i).ok(),
        Value::Bool(b) => Some(i64::from(*b)),
        Value::Float(f) if f.is_finite() => Some(f.trunc() as i64),
        Value::Str(s) => s.trim().replace('_', "").parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_that_would_be_its_own_ancestor_is_refused() {
        let mut inv = InventoryData::new();
        for g in ["a", "b", "c"] {
            inv.add_group(g, None).unwrap();
        }
        inv.add_child("a", "b").unwrap();
        inv.add_child("b", "c").unwrap();
        assert_eq!(
            inv.add_child("c", "a"),
            Err(InventoryError::RecursiveGroup {
                parent: "c".into(),
                child: "a".into()
            })
        );
    }

    #[test]
    fn reconcile_moves_orphans_under_all_and_ungrouped() {
        let mut inv = InventoryData::new();
        inv.add_group("web", None).unwrap();
        inv.add_host("w1", Some("web"), None, None).unwrap();
        inv.add_host("lonely", None, None, None).unwrap();
        inv.reconcile();
        assert_eq!(inv.groups[ALL].child_groups, ["ungrouped", "web"]);
        assert_eq!(inv.hosts_of(UNGROUPED), ["lonely"]);
        assert_eq!(inv.hosts_of(ALL), ["lonely", "w1"]);
        assert_eq!(inv.groups["web"].depth, 1);
    }

    #[test]
    fn setting_a_mapping_over_a_mapping_replaces_it() {
        let mut inv = InventoryData::new();
        inv.add_group("g", None).unwrap();
        let map = |k: &str| Value::Map(Map::from([(k.to_string(), Value::Int(1))]));
        inv.set_variable("g", "m", map("a")).unwrap();
        inv.set_variable("g", "m", map("b")).unwrap();
        assert_eq!(inv.groups["g"].vars["m"], map("b"));
    }

    #[test]
    fn depth_follows_the_longest_path() {
        let mut inv = InventoryData::new();
        for g in ["a", "b", "c"] {
            inv.add_group(g, None).unwrap();
        }
        inv.add_child("b", "c").unwrap();
        inv.add_child("a", "b").unwrap();
        inv.reconcile();
        assert_eq!(inv.groups["c"].depth, 3);
    }
}
