//! Loading a whole inventory from its `-i` sources, as `ansible-inventory` does: parse every source,
//! reconcile, then read `group_vars/`/`host_vars/` beside each source (and beside the playbook).

use std::path::{Path, PathBuf};

use super::data::InventoryData;
use super::sources::{InventorySource, parse_source};
use super::vars_files::DirVars;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::secrets::VaultSecrets;

pub struct LoadOptions<'a> {
    pub sources: &'a [String],
    pub secrets: &'a VaultSecrets,
    /// `--playbook-dir`: its `group_vars/`/`host_vars/` apply too, above the inventory's.
    pub playbook_dir: Option<&'a Path>,
    pub cwd: &'a Path,
}

/// An inventory with everything needed to compute any host's variables without touching the disk again.
#[derive(Clone, Debug)]
pub struct Inventory {
    pub data: InventoryData,
    pub sources: Vec<InventorySource>,
    /// `group_vars/`/`host_vars/` beside each source, in source order.
    pub source_vars: Vec<DirVars>,
    pub playbook_vars: Option<DirVars>,
}

impl Inventory {
    /// Loads every source; all problems found are returned together.
    pub fn load(options: &LoadOptions<'_>) -> Result<(Inventory, Diagnostics), Diagnostics> {
        let mut diagnostics = Diagnostics::new();
        let mut data = InventoryData::new();
        let sources: Vec<InventorySource> = options
            .sources
            .iter()
            .map(|s| InventorySource::from_arg(s, options.cwd))
            .collect();
        let mut parsed_any = false;
        for source in &sources {
            parsed_any |= parse_source(source, &mut data, &mut diagnostics);
        }
        if parsed_any {
            data.reconcile();
        } else if !diagnostics.has_errors() {
            diagnostics.push(Diagnostic::warning(
                "No inventory was parsed, only implicit localhost is available",
            ));
        }
        for (message, span) in std::mem::take(&mut data.warnings) {
            diagnostics.push(Diagnostic::warning(message).at_opt(span));
        }
        let group_names: Vec<String> = data.groups.keys().cloned().collect();
        let host_names: Vec<String> = data.hosts.keys().cloned().collect();
        let source_vars = sources
            .iter()
            .filter_map(InventorySource::vars_dir)
            .map(|dir| {
                DirVars::load(
                    &dir,
                    &group_names,
                    &host_names,
                    options.secrets,
                    &mut diagnostics,
                )
            })
            .collect();
        let playbook_vars = options.playbook_dir.map(|dir| {
            let dir: PathBuf = options.cwd.join(dir);
            DirVars::load(
                &dir,
                &group_names,
                &host_names,
                options.secrets,
                &mut diagnostics,
            )
        });
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        Ok((
            Inventory {
                data,
                sources,
                source_vars,
                playbook_vars,
            },
            diagnostics,
        ))
    }
}
