//! Python `str` semantics that Ansible's INI parsing leans on: which characters `str.strip()` removes,
//! where `str.splitlines()` breaks, and how `repr()` shows a string or a float in messages and values.

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

/// `repr(s)` for a `str`: single quotes unless the text has a single quote and no double quote.
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

/// `str.isprintable()` for one character, approximated without Unicode category tables: control and
/// format characters and separators other than the space are not printable. (Python also escapes
/// unassigned and private-use code points; only the private-use areas are covered here.)
fn is_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || is_space(c) {
        return false;
    }
    !matches!(c,
        '\u{ad}' | '\u{600}'..='\u{605}' | '\u{61c}' | '\u{6dd}' | '\u{70f}' | '\u{180e}'
        | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}'
        | '\u{e000}'..='\u{f8ff}' | '\u{f0000}'..='\u{10ffff}')
}

/// `float.__repr__`: the shortest digits that round-trip, in fixed notation when the decimal exponent
/// is in [-4, 16), else `1e+16` style; integral values get a `.0` (`1000.0`).
pub fn float_repr(x: f64) -> String {
    format_float(x, true)
}

/// The float parts of `complex.__repr__`: like `float_repr` without the added `.0` (`1`, `2.5`, `1e+16`).
pub fn float_repr_bare(x: f64) -> String {
    format_float(x, false)
}

fn format_float(x: f64, add_dot_0: bool) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    // Rust's `{:e}` gives the same shortest round-trip digits as Python's repr; only the layout differs.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent: i32 = exponent.parse().unwrap_or(0);
    // Python's `decpt`: the value is 0.DIGITS x 10^decpt.
    let decpt = exponent + 1;
    let body = if decpt <= -4 || decpt > 16 {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        let mut s = first.to_string();
        if !rest.is_empty() {
            s.push('.');
            s.push_str(rest);
        }
        let exp = decpt - 1;
        format!(
            "{s}e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.unsigned_abs()
        )
    } else if decpt <= 0 {
        format!("0.{}{digits}", "0".repeat(decpt.unsigned_abs() as usize))
    } else {
        let point = decpt as usize;
        if digits.len() > point {
            format!("{}.{}", &digits[..point], &digits[point..])
        } else {
            let int_part = format!("{digits}{}", "0".repeat(point - digits.len()));
            if add_dot_0 {
                format!("{int_part}.0")
            } else {
                int_part
            }
        }
    };
    format!("{sign}{body}")
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
    fn floats_print_as_python_repr() {
        // Python: repr() of each of these floats.
        let cases = [
            (1000.0, "1000.0"),
            (0.5, "0.5"),
            (-1.5, "-1.5"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1e-7, "1e-07"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-0.0, "-0.0"),
            (1.2345e-300, "1.2345e-300"),
            (123456789.123, "123456789.123"),
            (f64::INFINITY, "inf"),
            (0.1 + 0.2, "0.30000000000000004"),
        ];
        for (x, want) in cases {
            assert_eq!(float_repr(x), want, "{x}");
        }
        assert_eq!(float_repr_bare(1.0), "1");
        assert_eq!(float_repr_bare(1e16), "1e+16");
    }

    #[test]
    fn strings_print_as_python_repr() {
        assert_eq!(repr_str("g"), "'g'");
        assert_eq!(repr_str("it's"), "\"it's\"");
        assert_eq!(repr_str("'\""), "'\\'\"'");
        assert_eq!(repr_str("a\tb\\\u{1}é"), "'a\\tb\\\\\\x01é'");
    }

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
