//! How Python prints scalar keys: `repr()` for warnings that quote a key as Ansible does, and the text
//! `json.dumps` gives non-string dict keys. The printing itself lives in `crate::value::{pyrepr, pyfloat}`.

use super::node::NodeValue;
use crate::value::{pyfloat, pyrepr};

/// Python's `repr()` of a scalar key, as Ansible's duplicate-key warning shows it.
pub fn key_repr(value: &NodeValue) -> String {
    match value {
        NodeValue::Null => "None".into(),
        NodeValue::Bool(true) => "True".into(),
        NodeValue::Bool(false) => "False".into(),
        NodeValue::Int(i) => i.to_string(),
        NodeValue::Float(f) => pyfloat::repr(*f),
        NodeValue::Str(s) => pyrepr::repr_str(s),
        NodeValue::Seq(_) => "[...]".into(),
        NodeValue::Map(_) => "{...}".into(),
    }
}

/// The string `json.dumps` makes of a dict key: `true`, `null`, `1`, `1.5`, `Infinity`, `NaN`.
pub fn json_key(value: &NodeValue) -> String {
    match value {
        NodeValue::Null => "null".into(),
        NodeValue::Bool(b) => b.to_string(),
        NodeValue::Int(i) => i.to_string(),
        NodeValue::Float(f) => pyfloat::json_repr(*f),
        NodeValue::Str(s) => s.clone(),
        // Collections cannot be keys (the loader rejects them); keep the output total anyway.
        NodeValue::Seq(_) | NodeValue::Map(_) => key_repr(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_repr_as_python() {
        // python3.11: repr(None), repr(1.5), repr("it's")
        assert_eq!(key_repr(&NodeValue::Null), "None");
        assert_eq!(key_repr(&NodeValue::Float(1.5)), "1.5");
        assert_eq!(key_repr(&NodeValue::Str("it's".into())), "\"it's\"");
    }

    #[test]
    fn json_keys_match_json_dumps() {
        assert_eq!(json_key(&NodeValue::Bool(true)), "true");
        assert_eq!(json_key(&NodeValue::Null), "null");
        assert_eq!(json_key(&NodeValue::Float(f64::INFINITY)), "Infinity");
        assert_eq!(json_key(&NodeValue::Float(1.5)), "1.5");
    }
}
