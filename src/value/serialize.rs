use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use super::Value;

/// Values serialise as the JSON Ansible would print (tagged strings as one-key objects), so saved
/// plans and JSON reports never hold vault plaintext.
impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Int(i) => match i64::try_from(*i) {
                Ok(small) => serializer.serialize_i64(small),
                Err(_) => serializer.serialize_i128(*i),
            },
            Value::Float(f) => serializer.serialize_f64(*f),
            Value::Str(s) => serializer.serialize_str(s),
            Value::Unsafe(s) => tagged(serializer, "__ansible_unsafe", s),
            Value::Vault(text) => tagged(serializer, "__ansible_vault", &text.0),
            Value::List(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Map(map) => {
                let mut out = serializer.serialize_map(Some(map.len()))?;
                for (k, v) in map {
                    out.serialize_entry(k, v)?;
                }
                out.end()
            }
        }
    }
}

fn tagged<S: Serializer>(serializer: S, tag: &str, text: &str) -> Result<S::Ok, S::Error> {
    let mut out = serializer.serialize_map(Some(1))?;
    out.serialize_entry(tag, text)?;
    out.end()
}

#[cfg(test)]
mod tests {
    use crate::value::{Map, Value, VaultText};

    #[test]
    fn vault_values_serialise_as_ciphertext_objects() {
        let mut map = Map::new();
        map.insert(
            "p".into(),
            Value::Vault(VaultText("$ANSIBLE_VAULT;1.1;AES256\nab\n".into())),
        );
        map.insert("n".into(), Value::Int(3));
        let json = serde_json::to_string(&Value::Map(map)).unwrap();
        assert_eq!(
            json,
            r#"{"p":{"__ansible_vault":"$ANSIBLE_VAULT;1.1;AES256\nab\n"},"n":3}"#
        );
    }
}
