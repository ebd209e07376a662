//! Ansible's `host_list` plugin: `-i 'web1,web2:2222,'` puts each host in `ungrouped`.

use super::address::parse_address;
use super::data::{InventoryData, UNGROUPED};
use crate::diagnostics::{Diagnostic, Diagnostics};

pub fn parse_host_list(list: &str, inventory: &mut InventoryData, diagnostics: &mut Diagnostics) {
    for entry in list.split(',').map(str::trim).filter(|h| !h.is_empty()) {
        let (host, port) =
            parse_address(entry, false).unwrap_or_else(|_| (entry.to_string(), None));
        if inventory.hosts.contains_key(&host) {
            continue;
        }
        if let Err(e) = inventory.add_host(&host, Some(UNGROUPED), port, None) {
            diagnostics.push(Diagnostic::error(format!("host list {list:?}: {e}")));
        }
    }
}
