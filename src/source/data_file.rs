//! Reading a variables file as Ansible's `DataLoader.load_from_file` does: a whole-file vault is
//! decrypted first, JSON is tried before YAML (so `1e3` in a `.json` file is a float), and YAML is read
//! with Ansible's typing.

use std::path::Path;

use super::{SourceFile, read_source, yaml};
use crate::diagnostics::Diagnostic;
use crate::secrets::{VaultSecrets, decrypt, is_vault};
use crate::value::{Map, Value, VaultText};

/// A loaded data file: its value (None for an empty file) and warnings (duplicate keys and the like).
pub struct DataFile {
    pub value: Option<Value>,
    pub warnings: Vec<Diagnostic>,
}

pub fn load_data_file(path: &Path, secrets: &VaultSecrets) -> Result<DataFile, Diagnostic> {
    let file = read_source(path)?;
    let file = if is_vault(file.text()) {
        let plaintext = decrypt(file.text(), secrets).map_err(|e| {
            Diagnostic::error(format!("{}: {e}", path.display()))
                .with_help("pass the right password with --vault-password-file or --vault-id")
        })?;
        let text = String::from_utf8(plaintext.to_vec()).map_err(|_| {
            Diagnostic::error(format!(
                "{}: the decrypted vault is not UTF-8 text",
                path.display()
            ))
        })?;
        SourceFile::new(path, text)
    } else {
        file
    };
    if let Some(value) = parse_json(file.text()) {
        return Ok(DataFile {
            value: Some(value),
            warnings: Vec::new(),
        });
    }
    let mut warnings = Vec::new();
    let node = yaml::load(&file, &mut warnings)?;
    Ok(DataFile {
        value: node.as_ref().map(yaml::to_value),
        warnings,
    })
}

/// Ansible tries `json.loads` first; a `{"__ansible_vault": ...}` object is vault data.
fn parse_json(text: &str) -> Option<Value> {
    let trimmed = text.trim_start();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[') || trimmed.starts_with('"')) {
        return None;
    }
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .map(from_json)
}

fn from_json(value: serde_json::Value) -> Value {
    match value {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Int(i128::from(i))
            } else if let Some(u) = n.as_u64() {
                Value::Int(i128::from(u))
            } else {
                Value::Float(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        serde_json::Value::String(s) => Value::Str(s),
        serde_json::Value::Array(items) => Value::List(items.into_iter().map(from_json).collect()),
        serde_json::Value::Object(object) => {
            if object.len() == 1 {
                if let Some(serde_json::Value::String(cipher)) = object.get("__ansible_vault") {
                    return Value::Vault(VaultText(cipher.clone()));
                }
            }
            Value::Map(
                object
                    .into_iter()
                    .map(|(k, v)| (k, from_json(v)))
                    .collect::<Map>(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_read_as_json() {
        // json.loads('{"a": 1e3, "b": [1, "x"]}') -> {'a': 1000.0, 'b': [1, 'x']}
        let value = parse_json(r#"{"a": 1e3, "b": [1, "x"]}"#).unwrap();
        let map = value.as_map().unwrap();
        assert_eq!(map["a"], Value::Float(1000.0));
        assert_eq!(
            map["b"],
            Value::List(vec![Value::Int(1), Value::Str("x".into())])
        );
    }

    #[test]
    fn yaml_that_is_not_json_is_left_to_the_yaml_loader() {
        assert!(parse_json("a: 1\n").is_none());
        assert!(parse_json("{a: 1}").is_none());
    }
}
