//! The dynamic values variables hold: what Python objects are to Ansible.

mod merge;
pub mod pyfloat;
pub mod pyjson;
pub mod pyregex;
pub mod pyrepr;
mod serialize;

use indexmap::IndexMap;

pub use merge::combine_vars;

/// A variable's value, with the types Ansible's YAML and INI loaders produce.
/// Maps keep insertion order as Python dicts do.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    List(Vec<Value>),
    Map(Map),
    /// An inline `!vault` value: the ciphertext as written (leading indentation stripped), never the secret.
    Vault(VaultText),
    /// A `!unsafe` string: used as written, never templated.
    Unsafe(String),
}

pub type Map = IndexMap<String, Value>;

/// Vault ciphertext (`$ANSIBLE_VAULT;1.1;AES256\n...`). Decrypted only where the secret is needed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VaultText(pub String);

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) | Value::Unsafe(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The Python type name, for messages that mirror Ansible's ("expected a dict, got a list").
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) | Value::Unsafe(_) => "str",
            Value::List(_) => "list",
            Value::Map(_) => "dict",
            Value::Vault(_) => "vaulted str",
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}
