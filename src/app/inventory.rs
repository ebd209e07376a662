use std::path::{Path, PathBuf};

use indexmap::IndexSet;

use super::Terminal;
use crate::cli::InventoryArgs;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::inventory::data::ALL;
use crate::inventory::loaded::{Inventory, LoadOptions};
use crate::inventory::output::{list_json, render_graph, render_host};
use crate::inventory::pattern::{HostSelector, add_implicit_localhost};
use crate::inventory::reserved::{reserved_names_used, warning_text};
use crate::secrets::VaultSecrets;

const DEFAULT_INVENTORY: &str = "/etc/ansible/hosts";

pub fn run(args: InventoryArgs, terminal: &Terminal) -> Result<Diagnostics, Diagnostics> {
    let cwd = std::env::current_dir().map_err(|e| {
        Diagnostics::from(Diagnostic::error(format!(
            "cannot read the current directory: {e}"
        )))
    })?;
    let secrets =
        VaultSecrets::from_cli(&args.vault_password_file, &args.vault_id).map_err(|e| {
            let help = e.help();
            let diagnostic = Diagnostic::error(e.to_string());
            Diagnostics::from(match help {
                Some(help) => diagnostic.with_help(help),
                None => diagnostic,
            })
        })?;
    let sources = inventory_sources(&args.inventory);
    let (mut inventory, mut diagnostics) = Inventory::load(&LoadOptions {
        sources: &sources,
        secrets: &secrets,
        playbook_dir: args.playbook_dir.as_deref(),
        cwd: &cwd,
    })?;
    diagnostics.extend(secrets.warnings().iter().cloned());

    let text = match render(&args, &mut inventory, &cwd, &mut diagnostics) {
        Ok(text) => text,
        Err(errors) => {
            diagnostics.extend(errors);
            return Err(diagnostics);
        }
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, text) {
                diagnostics.push(Diagnostic::error(format!(
                    "Unable to write to destination file {}: {e}",
                    path.display()
                )));
                return Err(diagnostics);
            }
        }
        None => terminal.print(&text),
    }
    Ok(diagnostics)
}

/// The text `ansible-inventory` would print for these arguments.
fn render(
    args: &InventoryArgs,
    inventory: &mut Inventory,
    cwd: &Path,
    warnings: &mut Diagnostics,
) -> Result<String, Diagnostics> {
    if let Some(pattern) = &args.host {
        // Like ansible-inventory, --host takes a pattern, ignores --limit, and must name one host.
        let mut selector = HostSelector::new(&inventory.data, cwd);
        let hosts = selector.select(pattern).map_err(pattern_error)?;
        let implicit = hosts.first().filter(|h| selector.is_implicit(h)).cloned();
        warnings.extend(selector.take_warnings());
        let [host] = hosts.as_slice() else {
            return Err(Diagnostic::error(format!(
                "You must pass a single valid host to --host parameter (got {pattern:?})"
            ))
            .with_help("check the name with `plimsoll inventory --graph`")
            .into());
        };
        if let Some(name) = implicit {
            add_implicit_localhost(&mut inventory.data, &name, &controller_python());
        }
        warn_reserved(inventory, std::slice::from_ref(host), warnings)?;
        return render_host(inventory, host);
    }
    let mut selector = HostSelector::new(&inventory.data, cwd);
    if let Some(limit) = &args.limit {
        selector.set_limit(limit).map_err(pattern_error)?;
    }
    if args.graph {
        let start = args.pattern.as_deref().unwrap_or(ALL);
        warnings.extend(selector.take_warnings());
        return render_graph(inventory, start, args.vars).unwrap_or_else(|| {
            Err(
                Diagnostic::error("Pattern must be valid group name when using --graph")
                    .with_help(format!("{start:?} is not a group of this inventory"))
                    .into(),
            )
        });
    }
    let hosts = selector.select(ALL).map_err(pattern_error)?;
    warnings.extend(selector.take_warnings());
    if !args.export {
        warn_reserved(inventory, &hosts, warnings)?;
    }
    list_json(inventory, &hosts, args.export)
}

/// The `-i` sources, or Ansible's defaults: `$ANSIBLE_INVENTORY`, then /etc/ansible/hosts.
pub(super) fn inventory_sources(given: &[String]) -> Vec<String> {
    if !given.is_empty() {
        return given.to_vec();
    }
    match std::env::var("ANSIBLE_INVENTORY") {
        Ok(value) if !value.is_empty() => value.split(',').map(str::to_string).collect(),
        _ => vec![PathBuf::from(DEFAULT_INVENTORY).display().to_string()],
    }
}

/// Ansible gives the implicit localhost the controller's Python; plimsoll needs none, so it names
/// the `python3` an Ansible run on this machine would use.
pub(super) fn controller_python() -> String {
    std::env::var_os("PATH")
        .and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join("python3"))
                .find(|candidate| candidate.is_file())
        })
        .map_or_else(
            || "/usr/bin/python3".to_string(),
            |p| p.display().to_string(),
        )
}

pub(super) fn pattern_error(error: impl std::fmt::Display) -> Diagnostics {
    Diagnostic::error(error.to_string())
        .with_help(
            "host patterns look like 'web*', 'web:&prod', 'all:!db01', '~^web\\d+' or '@file'",
        )
        .into()
}

fn warn_reserved(
    inventory: &Inventory,
    hosts: &[String],
    warnings: &mut Diagnostics,
) -> Result<(), Diagnostics> {
    let mut seen = IndexSet::new();
    for host in hosts {
        for name in reserved_names_used(&inventory.host_vars(host)?, &mut seen) {
            warnings.push(Diagnostic::warning(warning_text(&name)));
        }
    }
    Ok(())
}
