//! Assigning a mapping's pairs into a Python dict as Ansible's constructor does: a repeated key keeps
//! its first position and takes its last value, and Ansible warns about every repeat.

use std::collections::HashMap;

use super::node::{Node, NodeValue};
use super::pyrepr::key_repr;
use crate::diagnostics::Diagnostic;

/// Assigns pairs into a dict: a key equal (as Python compares) to an earlier one replaces its value but
/// keeps the earlier key and position. Each repeat pushes Ansible's warning at the repeated key.
pub fn assign(pairs: Vec<(Node, Node)>, warnings: &mut Vec<Diagnostic>) -> Vec<(Node, Node)> {
    let mut out: Vec<(Node, Node)> = Vec::with_capacity(pairs.len());
    // Keys are looked up through an index so a large flat inventory does not go quadratic.
    let mut index: HashMap<DictKey, usize> = HashMap::new();
    for (key, value) in pairs {
        let dict_key = DictKey::of(&key.value);
        match dict_key
            .as_ref()
            .and_then(|k| index.get(k))
            .and_then(|&i| out.get_mut(i))
        {
            Some(slot) => {
                warnings.push(
                    Diagnostic::warning(format!(
                        "Found duplicate mapping key {}.",
                        key_repr(&key.value)
                    ))
                    .at(key.span)
                    .with_help("Using last defined value only."),
                );
                slot.1 = value;
            }
            None => {
                if let Some(k) = dict_key {
                    index.insert(k, out.len());
                }
                out.push((key, value));
            }
        }
    }
    out
}

/// A key's identity under Python's `==`/`hash`: `1`, `1.0` and `True` are one key; NaN is never equal
/// to anything (so it has no identity here and never collides).
#[derive(Hash, PartialEq, Eq)]
enum DictKey {
    Null,
    Str(String),
    Integral(i128),
    Fractional(u64),
}

impl DictKey {
    fn of(value: &NodeValue) -> Option<DictKey> {
        match value {
            NodeValue::Null => Some(DictKey::Null),
            NodeValue::Str(s) => Some(DictKey::Str(s.clone())),
            NodeValue::Bool(b) => Some(DictKey::Integral(i128::from(*b))),
            NodeValue::Int(i) => Some(DictKey::Integral(*i)),
            NodeValue::Float(f) if f.is_nan() => None,
            NodeValue::Float(f) if f.fract() == 0.0 && f.abs() < 1.7e38 => {
                Some(DictKey::Integral(*f as i128))
            }
            NodeValue::Float(f) => Some(DictKey::Fractional(f.to_bits())),
            // Unhashable; the constructor rejects them before they get here.
            NodeValue::Seq(_) | NodeValue::Map(_) => None,
        }
    }
}

/// PyYAML's node kind names, used in its messages.
pub fn kind_name(value: &NodeValue) -> &'static str {
    match value {
        NodeValue::Seq(_) => "sequence",
        NodeValue::Map(_) => "mapping",
        _ => "scalar",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn node(value: NodeValue) -> Node {
        Node {
            value,
            span: SourceFile::new("t.yaml", "").span(0, 0),
            tag: None,
        }
    }

    /// Python's `==` between two hashable keys.
    fn python_eq(a: &NodeValue, b: &NodeValue) -> bool {
        DictKey::of(a).is_some_and(|k| Some(k) == DictKey::of(b))
    }

    fn s(text: &str) -> Node {
        node(NodeValue::Str(text.into()))
    }

    #[test]
    fn python_equality_joins_ints_floats_and_bools() {
        assert!(python_eq(&NodeValue::Int(1), &NodeValue::Bool(true)));
        assert!(python_eq(&NodeValue::Float(1.0), &NodeValue::Int(1)));
        assert!(python_eq(&NodeValue::Int(0), &NodeValue::Bool(false)));
        assert!(!python_eq(&NodeValue::Float(1.5), &NodeValue::Int(1)));
        assert!(!python_eq(
            &NodeValue::Float(f64::NAN),
            &NodeValue::Float(f64::NAN)
        ));
        assert!(!python_eq(&NodeValue::Str("1".into()), &NodeValue::Int(1)));
    }

    #[test]
    fn a_repeated_key_keeps_its_first_position_and_last_value() {
        let mut warnings = Vec::new();
        let out = assign(
            vec![(s("a"), s("1")), (s("b"), s("2")), (s("a"), s("3"))],
            &mut warnings,
        );
        let keys: Vec<_> = out
            .iter()
            .map(|(k, v)| (k.value.clone(), v.value.clone()))
            .collect();
        assert_eq!(
            keys,
            vec![
                (NodeValue::Str("a".into()), NodeValue::Str("3".into())),
                (NodeValue::Str("b".into()), NodeValue::Str("2".into()))
            ]
        );
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].message, "Found duplicate mapping key 'a'.");
    }
}
