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

/// `repr(str)`: single quotes unless the text has a single quote and no double quote; characters
/// `str.isprintable()` refuses come out as `\xhh`, `\uhhhh` or `\Uhhhhhhhh`.
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
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if !is_printable(c) => {
                let code = u32::from(c);
                if code < 0x100 {
                    out.push_str(&format!("\\x{code:02x}"));
                } else if code < 0x10000 {
                    out.push_str(&format!("\\u{code:04x}"));
                } else {
                    out.push_str(&format!("\\U{code:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// `repr(bytes)`: `b'...'` with the same quote choice as `repr_str`; only printable ASCII stays as it
/// is, every other byte is `\xhh` (Ansible prints paths this way in some errors: `b'hosts.txt'`).
pub fn repr_bytes(bytes: &[u8]) -> String {
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = format!("b{quote}");
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b if char::from(b) == quote => {
                out.push('\\');
                out.push(quote);
            }
            0x20..=0x7e => out.push(char::from(b)),
            b => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push(quote);
    out
}

/// `str.isprintable()` for one character (Unicode 14, as in Python 3.11), without category tables:
/// control characters (Cc), separators other than the space (Zs, Zl, Zp: all White_Space), format
/// characters (Cf, listed) and private-use code points (Co) are not printable. Compared with python3.11
/// over every code point, the only difference left is unassigned code points (Cn, e.g. U+0378), which
/// Python escapes and this keeps.
fn is_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c,
        '\u{ad}' | '\u{600}'..='\u{605}' | '\u{61c}' | '\u{6dd}' | '\u{70f}' | '\u{890}'..='\u{891}'
        | '\u{8e2}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}'
        | '\u{110bd}' | '\u{110cd}' | '\u{13430}'..='\u{13438}' | '\u{1bca0}'..='\u{1bca3}'
        | '\u{1d173}'..='\u{1d17a}' | '\u{e0001}' | '\u{e0020}'..='\u{e007f}'
        | '\u{e000}'..='\u{f8ff}' | '\u{f0000}'..='\u{10ffff}')
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

    #[test]
    fn strings_repr_with_python_quoting() {
        assert_eq!(repr_str("a"), "'a'");
        assert_eq!(repr_str("it's"), "\"it's\"");
        assert_eq!(repr_str("a'\"b"), "'a\\'\"b'");
        assert_eq!(repr_str("'\""), "'\\'\"'");
        assert_eq!(repr_str("x\ny"), "'x\\ny'");
        assert_eq!(repr_str("a\tb\\\u{1}é"), "'a\\tb\\\\\\x01é'");
    }

    #[test]
    fn non_printable_characters_are_escaped_as_python_does() {
        // The copies this replaced disagreed here: two escaped only C0 and DEL. python3.11:
        // repr('a\x85\xa0\u200b\U000e0001b\x7f\x1c') -> 'a\x85\xa0\u200b\U000e0001b\x7f\x1c', and
        // ansible-inventory's duplicate-key warning showed 'a\x85\xa0\u200b\u0378\U000e0001b'.
        assert_eq!(
            repr_str("a\u{85}\u{a0}\u{200b}\u{e0001}b\u{7f}\u{1c}"),
            "'a\\x85\\xa0\\u200b\\U000e0001b\\x7f\\x1c'"
        );
        // Printable non-ASCII stays as it is: repr('é€😀') -> 'é€😀'.
        assert_eq!(repr_str("é€😀"), "'é€😀'");
    }

    #[test]
    fn bytes_repr_matches_python() {
        // Python: repr(b"nolim.txt"), repr("it's".encode()), repr("é\t".encode()), repr(b'a\'"')
        assert_eq!(repr_bytes(b"nolim.txt"), "b'nolim.txt'");
        assert_eq!(repr_bytes("it's".as_bytes()), "b\"it's\"");
        assert_eq!(repr_bytes("é\t".as_bytes()), "b'\\xc3\\xa9\\t'");
        assert_eq!(repr_bytes(b"a'\""), "b'a\\'\"'");
        // repr(b'\x00\x7f\\') -> b'\x00\x7f\\'
        assert_eq!(repr_bytes(b"\x00\x7f\\"), "b'\\x00\\x7f\\\\'");
    }
}
