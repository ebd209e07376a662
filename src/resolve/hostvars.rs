//! Hosts' own variables, computed once per host and only when needed: the inventory layers of a host in
//! a play, and Ansible's `hostvars`, which a template reads lazily (`hostvars['db1'].port` computes db1's
//! variables then, and only then, so a large inventory costs nothing until a template looks).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use super::magic;
use crate::diagnostics::Diagnostics;
use crate::inventory::Inventory;
use crate::template::{LazyVars, Vars};
use crate::value::{Map, Value};

/// A host's inventory variables and its magic variables (`inventory_hostname`, `group_names`, ...).
type HostVars = (Arc<Map>, Arc<Map>);

pub(super) struct Hosts {
    inventory: Arc<Inventory>,
    implicit_localhost: Option<String>,
    extra: Arc<Map>,
    global: Arc<Map>,
    cache: Mutex<HashMap<String, HostVars>>,
}

impl fmt::Debug for Hosts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("hostvars")
    }
}

impl Hosts {
    pub fn new(
        inventory: Arc<Inventory>,
        implicit_localhost: Option<String>,
        extra: Arc<Map>,
        global: Arc<Map>,
    ) -> Self {
        Self {
            inventory,
            implicit_localhost,
            extra,
            global,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// A host's inventory variables (group and host vars, vars files) and its magic variables.
    pub fn vars_of(&self, host: &str) -> Result<HostVars, Diagnostics> {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = cache.get(host) {
            return Ok(found.clone());
        }
        let mut vars = self.inventory.host_vars(host)?;
        if self.implicit_localhost.as_deref() == Some(host) {
            // Ansible's implicit localhost connects locally.
            vars.insert("ansible_connection".into(), Value::Str("local".into()));
        }
        let found = (Arc::new(vars), Arc::new(magic::host(&self.inventory, host)));
        cache.insert(host.to_string(), found.clone());
        Ok(found)
    }

    fn exists(&self, host: &str) -> bool {
        self.implicit_localhost.as_deref() == Some(host)
            || self.inventory.data.host(host).is_some_and(|h| !h.implicit)
    }
}

/// `hostvars[host]` is what Ansible's `VariableManager.get_vars(host=host)` gives: no play, no task —
/// inventory variables, extra vars and magic variables (checked with ansible-playbook 2.19.14: play
/// vars and role vars are not in it).
impl LazyVars for Hosts {
    fn names(&self) -> Vec<String> {
        self.inventory
            .data
            .hosts
            .values()
            .filter(|h| !h.implicit)
            .map(|h| h.name.clone())
            .collect()
    }

    fn get(&self, host: &str) -> Option<Vars> {
        if !self.exists(host) {
            return None;
        }
        let (inventory, host_magic) = self.vars_of(host).ok()?;
        Some(Vars::from_layers(vec![
            inventory,
            self.extra.clone(),
            self.global.clone(),
            host_magic,
        ]))
    }
}
