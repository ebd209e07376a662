//! JSON text exactly as Python's `json.dumps(obj, sort_keys=True, indent=4)` writes it (ASCII-only
//! escapes, `", "`-free separators with indent, Python float repr), so `plimsoll inventory` output can be
//! compared byte for byte with `ansible-inventory`.

use std::fmt::Write;

use super::{Value, pyfloat};

pub fn to_json_sorted_indent4(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value, 0);
    out
}

fn write_value(out: &mut String, value: &Value, depth: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => out.push_str(&pyfloat::json_repr(*f)),
        Value::Str(s) => write_string(out, s),
        Value::List(items) if items.is_empty() => out.push_str("[]"),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline_indent(out, depth + 1);
                write_value(out, item, depth + 1);
            }
            newline_indent(out, depth);
            out.push(']');
        }
        Value::Map(map) if map.is_empty() => out.push_str("{}"),
        Value::Map(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| python_str_cmp(a.0, b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline_indent(out, depth + 1);
                write_string(out, key);
                out.push_str(": ");
                write_value(out, item, depth + 1);
            }
            newline_indent(out, depth);
            out.push('}');
        }
        // Ansible never prints vault plaintext in inventory output: the ciphertext goes out tagged.
        Value::Vault(text) => write_tagged(out, "__ansible_vault", &text.0, depth),
        Value::Unsafe(text) => write_tagged(out, "__ansible_unsafe", text, depth),
    }
}

/// `json.dumps(value)` with Python's defaults: insertion order, `", "` and `": "` separators,
/// ASCII-only escapes (what `copy` writes for a `content` that is a list or a dict).
pub fn to_json_dumps(value: &Value) -> String {
    let mut out = String::new();
    write_compact(&mut out, value);
    out
}

fn write_compact(out: &mut String, value: &Value) {
    match value {
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_compact(out, item);
            }
            out.push(']');
        }
        Value::Map(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_string(out, key);
                out.push_str(": ");
                write_compact(out, item);
            }
            out.push('}');
        }
        Value::Vault(text) => write_string(out, &text.0),
        Value::Unsafe(text) => write_string(out, text),
        scalar => write_value(out, scalar, 0),
    }
}

/// Ansible's legacy inventory profile writes tagged strings as one-key objects.
fn write_tagged(out: &mut String, tag: &str, text: &str, depth: usize) {
    out.push('{');
    newline_indent(out, depth + 1);
    write_string(out, tag);
    out.push_str(": ");
    write_string(out, text);
    newline_indent(out, depth);
    out.push('}');
}

/// Python compares strings by code point, which is what `char` ordering gives (not UTF-16 order).
fn python_str_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    a.chars().cmp(b.chars())
}

fn newline_indent(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("    ");
    }
}

/// A JSON string as `json.dumps` writes it with `ensure_ascii=True`; `html_safe` also escapes `<`, `>`,
/// `&` and `'` as Ansible's `to_json`/`tojson` filters do.
pub fn write_json_string(out: &mut String, s: &str, html_safe: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\'' if html_safe => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_string(out: &mut String, s: &str) {
    write_json_string(out, s, false);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Map;

    #[test]
    fn compact_dumps_keeps_order_and_python_separators() {
        // python3 -c 'import json; print(json.dumps({"b": [1, 2.5, None, True], "a": "\u00e9"}))'
        let mut map = Map::new();
        map.insert(
            "b".into(),
            Value::List(vec![
                Value::Int(1),
                Value::Float(2.5),
                Value::Null,
                Value::Bool(true),
            ]),
        );
        map.insert("a".into(), Value::from("\u{e9}"));
        assert_eq!(
            to_json_dumps(&Value::Map(map)),
            r#"{"b": [1, 2.5, null, true], "a": "\u00e9"}"#
        );
    }

    #[test]
    fn matches_python_json_dumps() {
        // python3 -c 'import json; print(json.dumps({"b": [1, 2.5, None], "a": "é\n\u2028", "c": {}, "d": []}, sort_keys=True, indent=4))'
        let expected = "{\n    \"a\": \"\\u00e9\\n\\u2028\",\n    \"b\": [\n        1,\n        2.5,\n        null\n    ],\n    \"c\": {},\n    \"d\": []\n}";
        let mut map = Map::new();
        map.insert(
            "b".into(),
            Value::List(vec![Value::Int(1), Value::Float(2.5), Value::Null]),
        );
        map.insert("a".into(), Value::Str("é\n\u{2028}".into()));
        map.insert("c".into(), Value::Map(Map::new()));
        map.insert("d".into(), Value::List(vec![]));
        assert_eq!(to_json_sorted_indent4(&Value::Map(map)), expected);
    }

    #[test]
    fn astral_characters_become_surrogate_pairs() {
        // python3 -c 'import json; print(json.dumps("😀"))' -> "\ud83d\ude00"
        assert_eq!(
            to_json_sorted_indent4(&Value::Str("😀".into())),
            "\"\\ud83d\\ude00\""
        );
    }

    #[test]
    fn delete_character_is_kept_raw() {
        // python3 -c 'import json; print(json.dumps("\x7f"))' -> "\u007f"
        assert_eq!(
            to_json_sorted_indent4(&Value::Str("\u{7f}".into())),
            "\"\\u007f\""
        );
    }
}
