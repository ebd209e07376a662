use indexmap::IndexSet;

use crate::diagnostics::Diagnostics;
use crate::inventory::data::ALL;
use crate::inventory::loaded::Inventory;
use crate::value::pyjson::to_json_sorted_indent4;
use crate::value::{Map, Value};

/// `ansible-inventory --list` (legacy profile): every group reachable from `all` with its direct hosts
/// (only the selected ones) and children, empty keys and empty groups dropped, then `_meta.hostvars`.
pub fn list_json(
    inventory: &Inventory,
    selected_hosts: &[String],
    export: bool,
) -> Result<String, Diagnostics> {
    let available: IndexSet<&str> = selected_hosts.iter().map(String::as_str).collect();
    let mut results = Map::new();
    let mut seen = IndexSet::new();
    format_group(inventory, ALL, &available, export, &mut seen, &mut results)?;

    let mut hostvars = Map::new();
    for host in selected_hosts {
        let vars = if export {
            export_host_vars(inventory, host)?
        } else {
            inventory.host_vars(host)?
        };
        if !vars.is_empty() {
            hostvars.insert(host.clone(), Value::Map(vars));
        }
    }
    let mut meta = Map::new();
    meta.insert("hostvars".into(), Value::Map(hostvars));
    meta.insert("profile".into(), Value::Str("inventory_legacy".into()));
    results.insert("_meta".into(), Value::Map(meta));
    Ok(to_json_sorted_indent4(&Value::Map(results)))
}

/// `ansible-inventory --host NAME`.
pub fn render_host(inventory: &Inventory, host: &str) -> Result<String, Diagnostics> {
    Ok(to_json_sorted_indent4(&Value::Map(
        inventory.host_vars(host)?,
    )))
}

fn format_group(
    inventory: &Inventory,
    name: &str,
    available: &IndexSet<&str>,
    export: bool,
    seen: &mut IndexSet<String>,
    results: &mut Map,
) -> Result<(), Diagnostics> {
    let Some(group) = inventory.data.group(name) else {
        return Ok(());
    };
    let mut entry = Map::new();
    if name != ALL {
        let hosts: Vec<Value> = group
            .hosts
            .iter()
            .filter(|h| available.contains(h.as_str()))
            .map(|h| Value::Str(h.clone()))
            .collect();
        entry.insert("hosts".into(), Value::List(hosts));
    }
    let mut children = Vec::new();
    // Ansible inserts this group's entry before its children's (dict order), then fills it in.
    results.insert(name.to_string(), Value::Null);
    for child in &group.child_groups {
        children.push(Value::Str(child.clone()));
        if !seen.contains(child) {
            format_group(inventory, child, available, export, seen, results)?;
            seen.insert(child.clone());
        }
    }
    entry.insert("children".into(), Value::List(children));
    if export {
        entry.insert("vars".into(), Value::Map(inventory.group_vars(name)?));
    }
    entry.retain(|_, v| !is_empty(v));
    if entry.is_empty() {
        results.shift_remove(name);
    } else {
        results.insert(name.to_string(), Value::Map(entry));
    }
    Ok(())
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::List(l) => l.is_empty(),
        Value::Map(m) => m.is_empty(),
        _ => false,
    }
}

/// `--export`: only what is set on the host itself (inventory + host_vars files).
fn export_host_vars(inventory: &Inventory, host: &str) -> Result<Map, Diagnostics> {
    let mut vars = Map::new();
    if let Some(h) = inventory.data.host(host) {
        crate::value::combine_vars(&mut vars, &h.vars);
    }
    for dir in inventory
        .source_vars
        .iter()
        .chain(inventory.playbook_vars.as_ref())
    {
        match dir.host(host) {
            Some(Ok(from)) => crate::value::combine_vars(&mut vars, from),
            Some(Err(problems)) => return Err(problems.clone()),
            None => {}
        }
    }
    vars.retain(|k, _| !crate::inventory::precedence::INTERNAL_VARS.contains(&k.as_str()));
    Ok(vars)
}
