//! Building a mapping as PyYAML's SafeConstructor and Ansible's constructor do: merge keys (`<<`) are
//! flattened first, then pairs are assigned into a Python dict, so a repeated key keeps its first
//! position and takes its last value, and Ansible warns about every repeat.

use super::node::{Node, NodeValue};
use super::pyrepr::key_repr;
use crate::diagnostics::Diagnostic;

/// A mapping key as the event stream gave it: an ordinary node, or PyYAML's `<<` merge key.
pub enum Key {
    Node(Node),
    Merge,
}

/// SafeConstructor.flatten_mapping: the merged pairs go first (for a list of maps, the last map's pairs
/// first so that earlier maps win), then the explicit pairs.
pub fn flatten(pairs: Vec<(Key, Node)>) -> Result<Vec<(Node, Node)>, Diagnostic> {
    let mut merged = Vec::new();
    let mut explicit = Vec::new();
    for (key, value) in pairs {
        match key {
            Key::Node(key) => explicit.push((key, value)),
            Key::Merge => match value.value {
                NodeValue::Map(entries) => merged.extend(entries),
                NodeValue::Seq(items) => {
                    let mut groups = Vec::with_capacity(items.len());
                    for item in items {
                        match item.value {
                            NodeValue::Map(entries) => groups.push(entries),
                            other => {
                                return Err(Diagnostic::error(format!(
                                    "YAML parsing failed: while constructing a mapping, expected a mapping for \
                                     merging, but found {}.",
                                    kind_name(&other)
                                ))
                                .at(item.span)
                                .with_help("Every item of a `<<:` list must be a mapping, e.g. `<<: [*defaults, *extra]`."));
                            }
                        }
                    }
                    for entries in groups.into_iter().rev() {
                        merged.extend(entries);
                    }
                }
                other => {
                    return Err(Diagnostic::error(format!(
                        "YAML parsing failed: while constructing a mapping, expected a mapping or list of mappings \
                         for merging, but found {}.",
                        kind_name(&other)
                    ))
                    .at(value.span)
                    .with_help("`<<` is YAML's merge key: its value must be a mapping (`<<: *defaults`) or a list of them. Quote it (`'<<'`) to use it as an ordinary key."));
                }
            },
        }
    }
    merged.extend(explicit);
    Ok(merged)
}

/// Assigns pairs into a dict: a key equal (as Python compares) to an earlier one replaces its value but
/// keeps the earlier key and position. Each repeat pushes Ansible's warning at the repeated key.
pub fn assign(pairs: Vec<(Node, Node)>, warnings: &mut Vec<Diagnostic>) -> Vec<(Node, Node)> {
    let mut out: Vec<(Node, Node)> = Vec::with_capacity(pairs.len());
    // Most mappings are small; beyond a few dozen entries look string keys up through an index so a
    // large flat inventory does not go quadratic.
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (key, value) in pairs {
        let existing = match &key.value {
            NodeValue::Str(s) => index.get(s).copied(),
            other => out.iter().position(|(k, _)| python_eq(&k.value, other)),
        };
        match existing.and_then(|i| out.get_mut(i)) {
            Some(slot) => {
                warnings.push(
                    Diagnostic::warning(format!("Found duplicate mapping key {}.", key_repr(&key.value)))
                        .at(key.span)
                        .with_help("Using last defined value only."),
                );
                slot.1 = value;
            }
            None => {
                if let NodeValue::Str(s) = &key.value {
                    index.insert(s.clone(), out.len());
                }
                out.push((key, value));
            }
        }
    }
    out
}

/// Python's `==` between two hashable scalar keys: `1 == 1.0 == True`, `0 == False`, NaN equal to nothing.
pub fn python_eq(a: &NodeValue, b: &NodeValue) -> bool {
    match (number(a), number(b)) {
        (Some(x), Some(y)) => x.eq(&y),
        (None, None) => match (a, b) {
            (NodeValue::Null, NodeValue::Null) => true,
            (NodeValue::Str(x), NodeValue::Str(y)) => x == y,
            _ => false,
        },
        _ => false,
    }
}

#[derive(Clone, Copy)]
enum Number {
    Int(i128),
    Float(f64),
}

impl Number {
    fn eq(&self, other: &Number) -> bool {
        match (*self, *other) {
            (Number::Int(x), Number::Int(y)) => x == y,
            (Number::Float(x), Number::Float(y)) => x == y,
            (Number::Int(i), Number::Float(f)) | (Number::Float(f), Number::Int(i)) => {
                // Exact comparison, as Python does: the float must be integral and equal to the int.
                f.fract() == 0.0 && f.abs() < 1.8e38 && (f as i128) == i
            }
        }
    }
}

fn number(value: &NodeValue) -> Option<Number> {
    match value {
        NodeValue::Bool(b) => Some(Number::Int(i128::from(*b))),
        NodeValue::Int(i) => Some(Number::Int(*i)),
        NodeValue::Float(f) => Some(Number::Float(*f)),
        _ => None,
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

    fn s(text: &str) -> Node {
        node(NodeValue::Str(text.into()))
    }

    #[test]
    fn python_equality_joins_ints_floats_and_bools() {
        assert!(python_eq(&NodeValue::Int(1), &NodeValue::Bool(true)));
        assert!(python_eq(&NodeValue::Float(1.0), &NodeValue::Int(1)));
        assert!(python_eq(&NodeValue::Int(0), &NodeValue::Bool(false)));
        assert!(!python_eq(&NodeValue::Float(1.5), &NodeValue::Int(1)));
        assert!(!python_eq(&NodeValue::Float(f64::NAN), &NodeValue::Float(f64::NAN)));
        assert!(!python_eq(&NodeValue::Str("1".into()), &NodeValue::Int(1)));
    }

    #[test]
    fn a_repeated_key_keeps_its_first_position_and_last_value() {
        let mut warnings = Vec::new();
        let out = assign(
            vec![(s("a"), s("1")), (s("b"), s("2")), (s("a"), s("3"))],
            &mut warnings,
        );
        let keys: Vec<_> = out.iter().map(|(k, v)| (k.value.clone(), v.value.clone())).collect();
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
