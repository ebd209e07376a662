//! Dropping spans: a [`Node`] tree becomes the [`Value`] Ansible's variables hold.

use super::node::{Node, NodeValue};
use super::pyrepr::json_key;
use super::tags::{UNSAFE, VAULT};
use crate::value::{Map, Value, VaultText};

/// The value without spans. `!vault` strings become [`Value::Vault`]; `!unsafe` strings become
/// [`Value::Unsafe`]. Mapping keys become the strings
/// `json.dumps` would write for them (`1`, `true`, `null`, `1.5`), so keys that differ in YAML but print
/// the same collapse as they do in `ansible-inventory`'s JSON: the later value wins.
pub fn to_value(node: &Node) -> Value {
    match &node.value {
        NodeValue::Null => Value::Null,
        NodeValue::Bool(b) => Value::Bool(*b),
        NodeValue::Int(i) => Value::Int(*i),
        NodeValue::Float(f) => Value::Float(*f),
        NodeValue::Str(s) if node.tag.as_deref() == Some(VAULT) => {
            Value::Vault(VaultText(s.clone()))
        }
        NodeValue::Str(s) if node.tag.as_deref() == Some(UNSAFE) => Value::Unsafe(s.clone()),
        NodeValue::Str(s) => Value::Str(s.clone()),
        NodeValue::Seq(items) => Value::List(items.iter().map(to_value).collect()),
        NodeValue::Map(pairs) => {
            let mut map = Map::with_capacity(pairs.len());
            for (key, value) in pairs {
                map.insert(json_key(&key.value), to_value(value));
            }
            Value::Map(map)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    #[test]
    fn keys_print_as_json_dumps_does_and_vault_is_kept_apart() {
        let file = SourceFile::new(
            "t.yaml",
            "1: a\ntrue: b\n~: c\n1.5: d\nv: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6134\n",
        );
        let node = super::super::load(&file, &mut Vec::new()).ok().flatten();
        let Some(Value::Map(map)) = node.as_ref().map(to_value) else {
            panic!("not a map: {node:?}");
        };
        // PyYAML gives {1: 'b', None: 'c', 1.5: 'd', ...}: `true` equals 1, so it only replaces the value.
        let keys: Vec<&str> = map.keys().map(String::as_str).collect();
        assert_eq!(keys, ["1", "null", "1.5", "v"]);
        assert_eq!(map["1"], Value::Str("b".into()));
        assert_eq!(
            map["v"],
            Value::Vault(VaultText("$ANSIBLE_VAULT;1.1;AES256\n6134\n".into()))
        );
    }
}
