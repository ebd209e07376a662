//! What every playbook command does first, connecting to nothing: read the inventory and the playbook
//! (with its roles), resolve the desired state of every host, build the dependency graph. Every problem
//! found on the way is returned together.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::inventory::{controller_python, inventory_sources};
use crate::cli::PlaybookArgs;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::drivers::{Registry, builtin_registry};
use crate::graph::{ResourceGraph, build_graph};
use crate::inventory::pattern::add_implicit_localhost;
use crate::inventory::{Inventory, LoadOptions};
use crate::playbook::{LoadContext, Playbook, load_playbook_partial};
use crate::resolve::{ResolveOptions, Resolved, graph_nodes, parse_extra_vars, resolve};
use crate::secrets::VaultSecrets;

/// Everything the playbook commands work from.
pub struct Prepared {
    pub inventory: Inventory,
    pub playbook: Playbook,
    pub options: ResolveOptions,
    pub resolved: Resolved,
    pub graph: ResourceGraph,
    pub registry: Registry,
    pub secrets: Arc<VaultSecrets>,
    /// Warnings from every step, to show with the command's result.
    pub warnings: Diagnostics,
}

/// Ansible's default roles path, used when `$ANSIBLE_ROLES_PATH` is not set.
const DEFAULT_ROLES_PATH: &str = "~/.ansible/roles:/usr/share/ansible/roles:/etc/ansible/roles";

pub fn prepare(args: &PlaybookArgs) -> Result<Prepared, Diagnostics> {
    refuse_become_password(args)?;
    let cwd = std::env::current_dir().map_err(|e| {
        Diagnostics::from(Diagnostic::error(format!(
            "cannot read the current directory: {e}"
        )))
    })?;
    let secrets =
        VaultSecrets::from_cli(&args.vault_password_file, &args.vault_id).map_err(|e| {
            let diagnostic = Diagnostic::error(e.to_string());
            Diagnostics::from(match e.help() {
                Some(help) => diagnostic.with_help(help),
                None => diagnostic,
            })
        })?;
    let secrets = Arc::new(secrets);
    let mut problems = Diagnostics::new();
    problems.extend(secrets.warnings().iter().cloned());

    let playbook_path = cwd.join(&args.playbook);
    let playbook_dir = playbook_path
        .parent()
        .map_or_else(|| cwd.clone(), Path::to_path_buf);
    let sources = inventory_sources(&args.inventory);
    let inventory = match Inventory::load(&LoadOptions {
        sources: &sources,
        secrets: &secrets,
        playbook_dir: Some(&playbook_dir),
        cwd: &cwd,
    }) {
        Ok((inventory, warnings)) => {
            problems.extend(warnings);
            Some(inventory)
        }
        Err(found) => {
            problems.extend(found);
            None
        }
    };

    let registry = builtin_registry();
    let roles_path = roles_path(&args.roles_path, &cwd);
    let known = |module: &str| registry.find(module).is_some();
    let (playbook, found) = load_playbook_partial(
        &args.playbook,
        &LoadContext {
            is_known_module: &known,
            roles_path: &roles_path,
        },
    );
    problems.extend(found);
    let extra_vars = match parse_extra_vars(&args.extra_vars, &cwd, &secrets) {
        Ok(vars) => Some(vars),
        Err(found) => {
            problems.extend(found);
            None
        }
    };
    let (Some(mut inventory), Some(playbook), Some(extra_vars)) = (inventory, playbook, extra_vars)
    else {
        return Err(problems);
    };
    let options = ResolveOptions {
        limit: args.limit.clone(),
        tags: args.tags.clone(),
        skip_tags: args.skip_tags.clone(),
        extra_vars,
        playbook_dir,
        secrets: secrets.clone(),
        cwd,
    };
    // A playbook with load errors is still resolved: what loaded may hold more problems to show now.
    let resolved = match resolve(&playbook, &inventory, &registry, &options) {
        Ok((resolved, warnings)) => {
            problems.extend(warnings);
            resolved
        }
        Err(found) => {
            problems.extend(found);
            return Err(problems);
        }
    };
    if problems.has_errors() {
        return Err(problems);
    }
    let graph = match build_graph(graph_nodes(&resolved, &registry)) {
        Ok(graph) => graph,
        Err(found) => {
            problems.extend(found);
            return Err(problems);
        }
    };
    if let Some(name) = &resolved.implicit_localhost {
        add_implicit_localhost(&mut inventory.data, name, &controller_python());
    }
    // `connection: local` on a play: below the host's own vars (which then set none), as Ansible
    // ranks play keywords under connection variables.
    for name in &resolved.local_hosts {
        if let Some(host) = inventory.data.hosts.get_mut(name) {
            host.vars.insert(
                "ansible_connection".into(),
                crate::value::Value::Str("local".into()),
            );
        }
    }
    Ok(Prepared {
        inventory,
        playbook,
        options,
        resolved,
        graph,
        registry,
        secrets,
        warnings: problems,
    })
}

/// A become password would have to be typed into sudo's prompt, which `sudo -n` never shows.
fn refuse_become_password(args: &PlaybookArgs) -> Result<(), Diagnostics> {
    let flag = if args.ask_become_pass {
        "--ask-become-pass"
    } else if args.become_password_file.is_some() {
        "--become-password-file"
    } else {
        return Ok(());
    };
    Err(Diagnostic::error(format!(
        "{flag} is not supported yet: plimsoll runs `sudo -n` and cannot give sudo a password"
    ))
    .with_help(
        "configure NOPASSWD sudo for the connecting user (e.g. `deploy ALL=(ALL) NOPASSWD: ALL` in /etc/sudoers.d/deploy), or connect as root",
    )
    .into())
}

/// `--roles-path` directories, then `$ANSIBLE_ROLES_PATH` (or Ansible's default roles path), as
/// ansible-playbook searches them after `roles/` beside the playbook.
fn roles_path(given: &[PathBuf], cwd: &Path) -> Vec<PathBuf> {
    let configured = std::env::var("ANSIBLE_ROLES_PATH")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| DEFAULT_ROLES_PATH.to_string());
    let home = std::env::var_os("HOME").map(PathBuf::from);
    given
        .iter()
        .map(|p| cwd.join(p))
        .chain(configured.split(':').filter(|p| !p.is_empty()).map(|p| {
            match (p.strip_prefix("~/"), &home) {
                (Some(rest), Some(home)) => home.join(rest),
                _ => cwd.join(p),
            }
        }))
        .collect()
}
