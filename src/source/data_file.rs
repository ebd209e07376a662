//! Reading a variables file as Ansible's `DataLoader.load_from_file` does: a whole-file vault is
//! decrypted first, then the text goes to the one YAML entry point (which tries JSON first, as Ansible does).

use std::path::Path;

use super::{SourceFile, read_source, yaml};
use crate::diagnostics::Diagnostic;
use crate::secrets::{VaultSecrets, decrypt, is_vault};
use crate::value::Value;

/// A loaded data file: its value (None for an empty file) and warnings (duplicate keys and the like).
pub struct DataFile {
    pub value: Option<Value>,
    pub warnings: Vec<Diagnostic>,
}

pub fn load_data_file(path: &Path, secrets: &VaultSecrets) -> Result<DataFile, Diagnostic> {
    let file = read_source(path)?;
    let file = if is_vault(file.text()) {
        let header = file.text().lines().next().map_or(0, str::len);
        let plaintext = decrypt(file.text(), secrets).map_err(|e| {
            Diagnostic::error(e.to_string())
                .at(file.span(0, header))
                .with_help("pass the right password with --vault-password-file or --vault-id")
        })?;
        let text = String::from_utf8(plaintext.expose().clone()).map_err(|_| {
            Diagnostic::error(format!(
                "{}: the decrypted vault is not UTF-8 text",
                path.display()
            ))
        })?;
        SourceFile::new_sensitive(path, text)
    } else {
        file
    };
    let mut warnings = Vec::new();
    let node = yaml::load(&file, &mut warnings)?;
    Ok(DataFile {
        value: node.as_ref().map(yaml::to_value),
        warnings,
    })
}
