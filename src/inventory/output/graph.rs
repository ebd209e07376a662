use crate::diagnostics::Diagnostics;
use crate::inventory::data::ALL;
use crate::inventory::loaded::Inventory;
use crate::value::pyrepr;

/// `ansible-inventory --graph [GROUP] [--vars]`.
/// `None` when `start` is not a group.
pub fn render_graph(
    inventory: &Inventory,
    start: &str,
    show_vars: bool,
) -> Option<Result<String, Diagnostics>> {
    inventory.data.group(start)?;
    let mut lines = Vec::new();
    Some(graph_group(inventory, start, 0, show_vars, &mut lines).map(|()| lines.join("\n")))
}

fn graph_name(name: &str, depth: usize) -> String {
    if depth == 0 {
        name.to_string()
    } else {
        format!("{}--{name}", "  |".repeat(depth))
    }
}

fn graph_group(
    inventory: &Inventory,
    name: &str,
    depth: usize,
    show_vars: bool,
    lines: &mut Vec<String>,
) -> Result<(), Diagnostics> {
    let Some(group) = inventory.data.group(name) else {
        return Ok(());
    };
    lines.push(graph_name(&format!("@{name}:"), depth));
    let depth = depth + 1;
    for child in &group.child_groups {
        graph_group(inventory, child, depth, show_vars, lines)?;
    }
    if name != ALL {
        for host in &group.hosts {
            lines.push(graph_name(host, depth));
            if show_vars {
                show(&inventory.host_vars(host)?, depth + 1, lines);
            }
        }
    }
    if show_vars {
        show(&inventory.group_vars(name)?, depth, lines);
    }
    Ok(())
}

fn show(vars: &crate::value::Map, depth: usize, lines: &mut Vec<String>) {
    let mut entries: Vec<_> = vars.iter().collect();
    entries.sort_by(|a, b| a.0.chars().cmp(b.0.chars()));
    for (name, value) in entries {
        lines.push(graph_name(
            &format!("{{{name} = {}}}", pyrepr::str(value)),
            depth,
        ));
    }
}
