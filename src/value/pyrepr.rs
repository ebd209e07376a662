//! Python's `str()` and `repr()` of the values variables hold, for output that Ansible formats with
//! `'%s' % value` (e.g. `ansible-inventory --graph --vars`).

use super::{Value, pyfloat};

/// `str(value)`: strings bare, everything else as `repr`.
pub fn str(value: &Value) -> String {
    match value {
        Value::Str(s) | Value::Unsafe(s) => s.clone(),
        Value::Vault(text) => text.0.clone(),
        other => repr(other),
    }
}

pub fn repr(value: &Value) -> String {
    match value {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => pyfloat::repr(*f),
        Value::Str(s) | Value::Unsafe(s) => repr_str(s),
        Value::Vault(text) => repr_str(&text.0),
        Value::List(items) => format!(
            "[{}]",
            items.iter().map(repr).collect::<Vec<_>>().join(", ")
        ),
        Value::Map(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", repr_str(k), repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Python picks single quotes unless the text has a single quote and no double quote.
pub fn repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Map;

    #[test]
    fn matches_python() {
        // python3: str({'a': [1, 2.0, None, True], "it's": 'x'}) -> {'a': [1, 2.0, None, True], "it's": 'x'}
        let mut map = Map::new();
        map.insert(
            "a".into(),
            Value::List(vec![
                Value::Int(1),
                Value::Float(2.0),
                Value::Null,
                Value::Bool(true),
            ]),
        );
        map.insert("it's".into(), Value::Str("x".into()));
        assert_eq!(
            str(&Value::Map(map)),
            "{'a': [1, 2.0, None, True], \"it's\": 'x'}"
        );
        // repr('a\'b"c\n') -> 'a\'b"c\n'
        assert_eq!(repr_str("a'b\"c\n"), "'a\\'b\"c\\n'");
    }
}
