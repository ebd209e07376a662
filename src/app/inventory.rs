use std::path::PathBuf;

use indexmap::IndexSet;

use super::Terminal;
use crate::cli::InventoryArgs;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::inventory::data::ALL;
use crate::inventory::loaded::{Inventory, LoadOptions};
use crate::inventory::output::{list_json, render_graph, render_host};
use crate::inventory::pattern::HostSelector;
use crate::inventory::reserved::{reserved_names_used, warning_text};
use crate::secrets::VaultSecrets;

const DEFAULT_INVENTORY: &str = "/etc/ansible/hosts";

pub fn run(args: InventoryArgs, terminal: &Terminal) -> Result<Diagnostics, Diagnostics> {
    let cwd = std::env::current_dir().map_err(|e| {
        Diagnostics::from(Diagnostic::error(format!(
            "cannot read the current directory: {e}"
        )))
    })?;
    let sources = sources(&args);
    let secrets = VaultSecrets::from_cli(&args.vault_password_file, &args.vault_id)
        .map_err(|e| Diagnostics::from(Diagnostic::error(e.to_string())))?;
    let (inventory, mut diagnostics) = Inventory::load(&LoadOptions {
        sources: &sources,
        secrets: &secrets,
        playbook_dir: args.playbook_dir.as_deref(),
        cwd: &cwd,
    })?;
    let mut selector = HostSelector::new(&inventory.data, &cwd);

    let text = if let Some(host) = &args.host {
        // Like ansible-inventory, --host takes a pattern and ignores --limit; it must name one host.
        let hosts = selector
            .select(host)
            .map_err(|e| pattern_error(e, diagnostics.clone()))?;
        diagnostics.extend(selector.take_warnings());
        match hosts.as_slice() {
            [one] => {
                warn_reserved(&inventory, std::slice::from_ref(one), &mut diagnostics);
                render_host(&inventory, one)
            }
            _ => {
                diagnostics.push(
                    Diagnostic::error(format!(
                        "You must pass a single valid host to --host parameter (got {host:?})"
                    ))
                    .with_help("check the name with `plimsoll inventory --graph`"),
                );
                return Err(diagnostics);
            }
        }
    } else {
        if let Some(limit) = &args.limit {
            selector
                .set_limit(limit)
                .map_err(|e| pattern_error(e, diagnostics.clone()))?;
        }
        if args.graph {
            let start = args.pattern.as_deref().unwrap_or(ALL);
            match render_graph(&inventory, start, args.vars) {
                Some(text) => text,
                None => {
                    diagnostics.push(
                        Diagnostic::error("Pattern must be valid group name when using --graph")
                            .with_help(format!("{start:?} is not a group of this inventory")),
                    );
                    return Err(diagnostics);
                }
            }
        } else {
            let hosts = selector
                .select(ALL)
                .map_err(|e| pattern_error(e, diagnostics.clone()))?;
            diagnostics.extend(selector.take_warnings());
            if !args.export {
                warn_reserved(&inventory, &hosts, &mut diagnostics);
            }
            list_json(&inventory, &hosts, args.export)
        }
    };
    match &args.output {
        Some(path) => std::fs::write(path, text).map_err(|e| {
            diagnostics.push(Diagnostic::error(format!(
                "Unable to write to destination file {}: {e}",
                path.display()
            )));
            diagnostics.clone()
        })?,
        None => terminal.print(&text),
    }
    Ok(diagnostics)
}

fn sources(args: &InventoryArgs) -> Vec<String> {
    if !args.inventory.is_empty() {
        return args.inventory.clone();
    }
    match std::env::var("ANSIBLE_INVENTORY") {
        Ok(value) if !value.is_empty() => value.split(',').map(str::to_string).collect(),
        _ => vec![PathBuf::from(DEFAULT_INVENTORY).display().to_string()],
    }
}

fn pattern_error(error: impl std::fmt::Display, mut diagnostics: Diagnostics) -> Diagnostics {
    diagnostics.push(
        Diagnostic::error(error.to_string())
            .with_help("see `plimsoll inventory --help` for pattern syntax"),
    );
    diagnostics
}

fn warn_reserved(inventory: &Inventory, hosts: &[String], diagnostics: &mut Diagnostics) {
    let mut seen = IndexSet::new();
    for host in hosts {
        for name in reserved_names_used(&inventory.host_vars(host), &mut seen) {
            diagnostics.push(Diagnostic::warning(warning_text(&name)));
        }
    }
}
