//! Ansible's magic variables: set by Ansible itself, above every other level.

use std::net::IpAddr;
use std::path::Path;

use super::tags::TagFilter;
use crate::inventory::Inventory;
use crate::value::{Map, Value};

/// The ansible-core version plimsoll follows (`ansible_version`).
const ANSIBLE_VERSION: (i128, i128, i128) = (2, 19, 14);

fn strings(items: impl IntoIterator<Item = impl Into<String>>) -> Value {
    Value::List(items.into_iter().map(|s| Value::Str(s.into())).collect())
}

/// Variables the same for every play and host: `playbook_dir`, `groups` and the command-line options
/// Ansible exposes (`ansible_run_tags`, `ansible_limit`, `ansible_check_mode`, ...).
pub(super) fn global(
    inventory: &Inventory,
    playbook_dir: &Path,
    tags: &TagFilter,
    limit: Option<&str>,
) -> Map {
    let mut map = Map::new();
    map.insert(
        "playbook_dir".into(),
        Value::Str(playbook_dir.display().to_string()),
    );
    let groups: Map = inventory
        .data
        .groups
        .keys()
        .map(|g| (g.clone(), strings(inventory.data.hosts_of(g))))
        .collect();
    map.insert("groups".into(), Value::Map(groups));
    let (major, minor, revision) = ANSIBLE_VERSION;
    let full = format!("{major}.{minor}.{revision}");
    map.insert(
        "ansible_version".into(),
        Value::Map(Map::from([
            ("string".into(), Value::Str(full.clone())),
            ("full".into(), Value::Str(full)),
            ("major".into(), Value::Int(major)),
            ("minor".into(), Value::Int(minor)),
            ("revision".into(), Value::Int(revision)),
        ])),
    );
    // The desired state is the same whether it is planned or applied, so templates see what a real
    // `ansible-playbook` run (not `--check`) would show them.
    map.insert("ansible_check_mode".into(), Value::Bool(false));
    map.insert("ansible_diff_mode".into(), Value::Bool(false));
    map.insert("ansible_verbosity".into(), Value::Int(0));
    map.insert("ansible_run_tags".into(), strings(tags.run_tags()));
    map.insert("ansible_skip_tags".into(), strings(tags.skip_tags()));
    if let Some(limit) = limit {
        map.insert("ansible_limit".into(), Value::Str(limit.to_string()));
    }
    map
}

/// Variables about one play: its hosts (serial batches are not known before apply, so a batch is
/// all of them) and its roles.
pub(super) fn play(
    name: &str,
    hosts: &[String],
    play_roles: &[String],
    all_roles: &[String],
) -> Map {
    let mut map = Map::new();
    for key in [
        "ansible_play_hosts_all",
        "ansible_play_hosts",
        "ansible_play_batch",
        "play_hosts",
    ] {
        map.insert(key.into(), strings(hosts.iter().cloned()));
    }
    map.insert("ansible_play_name".into(), Value::Str(name.to_string()));
    map.insert(
        "ansible_play_role_names".into(),
        strings(play_roles.iter().cloned()),
    );
    map.insert("role_names".into(), strings(play_roles.iter().cloned()));
    map.insert(
        "ansible_role_names".into(),
        strings(all_roles.iter().cloned()),
    );
    let dependent: Vec<String> = all_roles
        .iter()
        .filter(|r| !play_roles.contains(r))
        .cloned()
        .collect();
    map.insert("ansible_dependent_role_names".into(), strings(dependent));
    map
}

/// Variables about one host (Ansible's `Host.get_magic_vars`, plus `inventory_file`/`inventory_dir`).
pub(super) fn host(inventory: &Inventory, name: &str) -> Map {
    let mut map = Map::new();
    map.insert("inventory_hostname".into(), Value::Str(name.to_string()));
    // An address is its own short name; a DNS name is cut at the first dot.
    let short = if name.parse::<IpAddr>().is_ok() {
        name
    } else {
        name.split('.').next().unwrap_or(name)
    };
    map.insert(
        "inventory_hostname_short".into(),
        Value::Str(short.to_string()),
    );
    let host = inventory.data.host(name);
    let mut groups: Vec<String> = host
        .map(|h| h.groups.iter().filter(|g| *g != "all").cloned().collect())
        .unwrap_or_default();
    groups.sort();
    map.insert("group_names".into(), strings(groups));
    // Ansible keeps the source's absolute path; its directory is `basedir(source)`.
    let file = host
        .and_then(|h| h.inventory_file.as_deref())
        .map(|f| std::path::absolute(f).unwrap_or_else(|_| Path::new(f).to_path_buf()));
    let dir = file.as_ref().map(|f| {
        let dir = if f.is_dir() {
            f.as_path()
        } else {
            f.parent().unwrap_or(f)
        };
        dir.display().to_string()
    });
    let file = file.map(|f| f.display().to_string());
    map.insert(
        "inventory_file".into(),
        file.map_or(Value::Null, Value::Str),
    );
    map.insert("inventory_dir".into(), dir.map_or(Value::Null, Value::Str));
    map
}

/// Variables about the role a task comes from.
pub(super) fn role(name: &str, path: &Path) -> Map {
    Map::from([
        ("role_name".into(), Value::Str(name.to_string())),
        ("ansible_role_name".into(), Value::Str(name.to_string())),
        ("role_path".into(), Value::Str(path.display().to_string())),
    ])
}
