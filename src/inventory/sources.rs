//! Which inventory plugin reads which `-i` source, as Ansible's `InventoryManager.parse_source` decides:
//! a comma list is a host list, a directory is walked in sorted order (skipping what Ansible skips),
//! a file is tried as YAML (by extension) and then as INI.

use std::path::{Path, PathBuf};

use super::data::InventoryData;
use super::{host_list, ini, yaml_source};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::source::{SourceFile, read_source};

/// Ansible's INVENTORY_IGNORE_EXTS default: REJECT_EXTS + .orig, .cfg, .retry.
const IGNORED_EXTENSIONS: &[&str] = &[
    ".pyc", ".pyo", ".swp", ".bak", "~", ".rpm", ".md", ".txt", ".rst", ".orig", ".cfg", ".retry",
];
const YAML_EXTENSIONS: &[&str] = &[".yaml", ".yml", ".json"];

/// One `-i` argument, resolved the way Ansible's `unfrackpath(follow=False)` resolves it.
#[derive(Clone, Debug, PartialEq)]
pub enum InventorySource {
    /// `host1,host2,` — not a path.
    HostList(String),
    Path(PathBuf),
}

impl InventorySource {
    pub fn from_arg(arg: &str, cwd: &Path) -> Self {
        let expanded = expand_home(arg);
        if arg.contains(',') && !expanded.exists() {
            return InventorySource::HostList(arg.to_string());
        }
        InventorySource::Path(normalize(&cwd.join(expanded)))
    }

    /// The directory whose `group_vars/` and `host_vars/` belong to this source.
    pub fn vars_dir(&self) -> Option<PathBuf> {
        match self {
            InventorySource::HostList(_) => None,
            InventorySource::Path(path) if path.is_dir() => Some(path.clone()),
            InventorySource::Path(path) => path.parent().map(Path::to_path_buf),
        }
    }
}

/// Parses one source into `inventory`. Returns whether anything was parsed; problems go to `diagnostics`.
pub fn parse_source(
    source: &InventorySource,
    inventory: &mut InventoryData,
    diagnostics: &mut Diagnostics,
) -> bool {
    match source {
        InventorySource::HostList(list) => {
            host_list::parse_host_list(list, inventory, diagnostics);
            true
        }
        InventorySource::Path(path) => parse_path(path, inventory, diagnostics, true),
    }
}

fn parse_path(
    path: &Path,
    inventory: &mut InventoryData,
    diagnostics: &mut Diagnostics,
    top_level: bool,
) -> bool {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                diagnostics.push(
                    Diagnostic::error(format!(
                        "cannot read inventory directory {}: {e}",
                        path.display()
                    ))
                    .with_help("check the path and its permissions"),
                );
                return false;
            }
        };
        entries.sort();
        let mut parsed = false;
        for entry in entries {
            let name = entry
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if is_ignored(&name) {
                continue;
            }
            parsed |= parse_path(&entry, inventory, diagnostics, false);
        }
        return parsed;
    }
    if !path.exists() {
        // Ansible only warns here and goes on with what the other sources give.
        if top_level {
            diagnostics.push(
                Diagnostic::warning(format!(
                    "Unable to parse {} as an inventory source",
                    path.display()
                ))
                .with_help("the path does not exist; pass an existing file or directory to -i"),
            );
        }
        return false;
    }
    let file = match read_source(path) {
        Ok(file) => file,
        Err(diagnostic) => {
            diagnostics.push(diagnostic);
            return false;
        }
    };
    inventory.current_source = Some(path.display().to_string());
    let parsed = parse_file(&file, inventory, diagnostics);
    inventory.current_source = None;
    parsed
}

fn parse_file(
    file: &SourceFile,
    inventory: &mut InventoryData,
    diagnostics: &mut Diagnostics,
) -> bool {
    let extension = extension_of(file.path());
    if extension == ".toml" {
        diagnostics.push(
            Diagnostic::error(format!(
                "{}: TOML inventories are not supported",
                file.path().display()
            ))
            .with_help("convert the inventory to INI or YAML"),
        );
        return false;
    }
    let yaml_candidate = extension.is_empty() || YAML_EXTENSIONS.contains(&extension.as_str());
    if yaml_candidate {
        // Ansible tries the YAML plugin first and falls back to INI; a failed attempt must not leave
        // half a YAML inventory behind, so it works on a copy.
        let mut attempt = inventory.clone();
        let mut yaml_diagnostics = Diagnostics::new();
        match yaml_source::parse_yaml_inventory(file, &mut attempt, &mut yaml_diagnostics) {
            Ok(()) => {
                *inventory = attempt;
                diagnostics.extend(yaml_diagnostics);
                return true;
            }
            Err(yaml_error) if !extension.is_empty() => {
                // `.yml`/`.json` files that are not YAML inventories are still offered to INI by
                // Ansible; it fails too on anything YAML-shaped, so the YAML error is the useful one.
                let mut ini_attempt = inventory.clone();
                let mut ini_diagnostics = Diagnostics::new();
                if !yaml_error.looks_like_yaml
                    && ini::parse_ini(file, &mut ini_attempt, &mut ini_diagnostics).is_ok()
                {
                    *inventory = ini_attempt;
                    diagnostics.extend(ini_diagnostics);
                    return true;
                }
                diagnostics.push(yaml_error.diagnostic);
                return false;
            }
            Err(yaml_error) if yaml_error.looks_like_yaml => {
                diagnostics.push(yaml_error.diagnostic);
                return false;
            }
            Err(_) => {}
        }
    }
    match ini::parse_ini(file, inventory, diagnostics) {
        Ok(()) => true,
        Err(diagnostic) => {
            diagnostics.push(diagnostic);
            false
        }
    }
}

fn extension_of(path: &Path) -> String {
    path.extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default()
}

/// Ansible's IGNORED regex: hidden files, the vars directories, and the ignored extensions.
fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || matches!(name, "host_vars" | "group_vars" | "vars_plugins")
        || IGNORED_EXTENSIONS.iter().any(|ext| name.ends_with(ext))
}

fn expand_home(arg: &str) -> PathBuf {
    if let Some(rest) = arg.strip_prefix("~/") {
        if let Some(home) = std::env::var_os("HOME") {
            return Path::new(&home).join(rest);
        }
    }
    PathBuf::from(arg)
}

/// `os.path.normpath(abspath)` without following symlinks.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignores_what_ansible_ignores_in_inventory_directories() {
        for name in [
            ".hidden",
            "group_vars",
            "host_vars",
            "notes.md",
            "x.retry",
            "hosts~",
            "a.cfg",
            "b.txt",
        ] {
            assert!(is_ignored(name), "{name} should be ignored");
        }
        for name in ["hosts", "hosts.ini", "prod.yml", "x.json", "group_vars2"] {
            assert!(!is_ignored(name), "{name} should be read");
        }
    }

    #[test]
    fn a_comma_makes_a_host_list_unless_the_path_exists() {
        let cwd = Path::new("/nonexistent-dir");
        assert_eq!(
            InventorySource::from_arg("a,b", cwd),
            InventorySource::HostList("a,b".into())
        );
        assert_eq!(
            InventorySource::from_arg("inv/../hosts", cwd),
            InventorySource::Path(PathBuf::from("/nonexistent-dir/hosts"))
        );
    }
}
