//! `group_vars/` and `host_vars/` beside an inventory source (Ansible's `host_group_vars` vars plugin):
//! for an entity named N, the first of `N`, `N.yml`, `N.yaml`, `N.json` that exists wins; a directory is
//! read whole (sorted, recursively, skipping hidden and `~` files and unknown extensions).

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::secrets::VaultSecrets;
use crate::source::data_file::load_data_file;
use crate::value::{Map, Value, combine_vars};

const EXTENSIONS: &[&str] = &["", ".yml", ".yaml", ".json"];

/// What one entity's vars files gave: their merged variables, or why they could not be read. Like
/// Ansible, a broken (or undecryptable) file only fails the commands that need that entity's variables.
pub type EntityVars = Result<Map, Diagnostics>;

/// The variables found in one directory's `group_vars/` and `host_vars/`, per group and host name.
#[derive(Clone, Debug, Default)]
pub struct DirVars {
    pub dir: PathBuf,
    pub groups: IndexMap<String, EntityVars>,
    pub hosts: IndexMap<String, EntityVars>,
}

impl DirVars {
    pub fn load<'a>(
        dir: &Path,
        groups: impl IntoIterator<Item = &'a String>,
        hosts: impl IntoIterator<Item = &'a String>,
        secrets: &VaultSecrets,
        diagnostics: &mut Diagnostics,
    ) -> Self {
        // Ansible resolves the directory with realpath before looking inside.
        let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        let mut vars = DirVars {
            dir: dir.clone(),
            ..DirVars::default()
        };
        for (subdir, names, into) in [
            (
                "group_vars",
                groups.into_iter().collect::<Vec<_>>(),
                &mut vars.groups,
            ),
            (
                "host_vars",
                hosts.into_iter().collect::<Vec<_>>(),
                &mut vars.hosts,
            ),
        ] {
            let base = dir.join(subdir);
            if !base.exists() {
                continue;
            }
            if !base.is_dir() {
                diagnostics.push(Diagnostic::warning(format!(
                    "Found {subdir} that is not a directory, skipping: {}",
                    base.display()
                )));
                continue;
            }
            for name in names {
                // Ansible skips entities whose name starts with a path separator (chroot-style hosts).
                if name.starts_with('/') {
                    continue;
                }
                let files = find_vars_files(&base, name);
                if !files.is_empty() {
                    into.insert(name.clone(), load_files(&files, secrets, diagnostics));
                }
            }
        }
        vars
    }

    pub fn group(&self, name: &str) -> Option<&EntityVars> {
        self.groups.get(name)
    }

    pub fn host(&self, name: &str) -> Option<&EntityVars> {
        self.hosts.get(name)
    }
}

fn find_vars_files(base: &Path, name: &str) -> Vec<PathBuf> {
    for ext in EXTENSIONS {
        let candidate = base.join(format!("{name}{ext}"));
        if candidate.is_dir() {
            return dir_vars_files(&candidate);
        }
        if candidate.exists() {
            return vec![candidate];
        }
    }
    Vec::new()
}

fn dir_vars_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    let mut found = Vec::new();
    for name in names {
        if name.starts_with('.') || name.ends_with('~') {
            continue;
        }
        let path = dir.join(&name);
        let ext = Path::new(&name)
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy()))
            .unwrap_or_default();
        if path.is_dir() && ext.is_empty() {
            found.extend(dir_vars_files(&path));
        } else if path.is_file() && EXTENSIONS.contains(&ext.as_str()) {
            found.push(path);
        }
    }
    found
}

fn load_files(files: &[PathBuf], secrets: &VaultSecrets, warnings: &mut Diagnostics) -> EntityVars {
    let mut merged = Map::new();
    let mut errors = Diagnostics::new();
    for path in files {
        match load_data_file(path, secrets) {
            Ok(data) => {
                warnings.extend(data.warnings);
                match data.value {
                    Some(Value::Map(map)) => combine_vars(&mut merged, &map),
                    Some(value) if !is_truthy(&value) => {}
                    None => {}
                    Some(other) => errors.push(
                        Diagnostic::error(format!(
                            "{}: failed to combine variables, expected dicts but got a 'dict' and a '{}'",
                            path.display(),
                            other.type_name()
                        ))
                        .with_help("a variables file must hold a mapping of variable names to values"),
                    ),
                }
            }
            Err(diagnostic) => errors.push(diagnostic),
        }
    }
    if errors.is_empty() {
        Ok(merged)
    } else {
        Err(errors)
    }
}

/// Python truthiness: Ansible skips a vars file whose data is falsy (`if new_data:`).
fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0,
        Value::Str(s) | Value::Unsafe(s) => !s.is_empty(),
        Value::List(l) => !l.is_empty(),
        Value::Map(m) => !m.is_empty(),
        Value::Vault(_) => true,
    }
}
