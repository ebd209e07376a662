//! Python `str` semantics that Ansible's INI parsing leans on: which characters `str.strip()` removes,
//! where `str.splitlines()` breaks, and how `int()` reads a string. `repr()` of strings and floats lives
//! in `crate::value::{pyrepr, pyfloat}`; the old names here are kept for callers.

pub use crate::value::pyfloat::{repr as float_repr, repr_bare as float_repr_bare};
pub use crate::value::pyrepr::repr_str;

/// `str.isspace()`: Unicode White_Space plus the ASCII information separators U+001C..U+001F, which
/// Python counts as whitespace (bidi class B/S) and Rust does not.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{1c}'..='\u{1f}')
}

/// `str.strip()`, also returning how many bytes were removed at the start (to keep spans right).
pub fn strip(s: &str) -> (usize, &str) {
    let start = s.len() - s.trim_start_matches(is_space).len();
    let stripped = s[start..].trim_end_matches(is_space);
    (start, stripped)
}

/// `str.splitlines()`: each line with its byte offset. Python also breaks lines at \v, \f, \x1c..\x1e,
/// \x85, U+2028 and U+2029, so Ansible's INI line numbers count those too.
pub fn splitlines(text: &str) -> Vec<(usize, &str)> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        let is_break = matches!(
            c,
            '\n' | '\r'
                | '\u{0b}'
                | '\u{0c}'
                | '\u{1c}'
                | '\u{1d}'
                | '\u{1e}'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if !is_break {
            continue;
        }
        lines.push((start, &text[start..index]));
        let mut end = index + c.len_utf8();
        if c == '\r' {
            if let Some((next, '\n')) = chars.peek().copied() {
                chars.next();
                end = next + 1;
            }
        }
        start = end;
    }
    if start < text.len() {
        lines.push((start, &text[start..]));
    }
    lines
}

/// `int(s)` for a `str`, base 10: surrounding whitespace, an optional sign, digits with single `_`
/// between them. Errors carry Python's message. Only ASCII digits are read (Python also accepts other
/// Unicode decimal digits), and values past i128 are refused (Python has no limit).
pub fn parse_int(s: &str) -> Result<i128, String> {
    let invalid = || format!("invalid literal for int() with base 10: {}", repr_str(s));
    let (_, body) = strip(s);
    let (negative, digits) = match body.as_bytes().first() {
        Some(b'-') => (true, &body[1..]),
        Some(b'+') => (false, &body[1..]),
        _ => (false, body),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return Err(invalid());
    }
    let mut value: i128 = 0;
    for c in digits.chars().filter(|c| *c != '_') {
        let digit = c.to_digit(10).ok_or_else(invalid)?;
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i128::from(digit)))
            .ok_or_else(|| format!("integer too large for plimsoll: {}", repr_str(s)))?;
    }
    Ok(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitlines_breaks_where_python_does() {
        let lines = splitlines("a\r\nb\rc\u{0c}d\u{2028}e\n");
        let texts: Vec<&str> = lines.iter().map(|(_, l)| *l).collect();
        assert_eq!(texts, ["a", "b", "c", "d", "e"]);
        assert_eq!(lines[1].0, 3);
        assert!(splitlines("").is_empty());
        assert_eq!(splitlines("\n\n").len(), 2);
    }

    #[test]
    fn int_parses_as_python_int() {
        assert_eq!(parse_int(" 1_0 "), Ok(10));
        assert_eq!(parse_int("+007"), Ok(7));
        assert_eq!(parse_int("-5"), Ok(-5));
        for bad in ["", "1__0", "_1", "1_", "0x1", "1.5", "- 1", "[1"] {
            assert_eq!(
                parse_int(bad),
                Err(format!(
                    "invalid literal for int() with base 10: {}",
                    repr_str(bad)
                ))
            );
        }
    }

    #[test]
    fn strip_removes_python_whitespace() {
        assert_eq!(strip("\u{1f} \u{a0}x y\t"), (4, "x y"));
        assert_eq!(strip("   "), (3, ""));
    }
}
