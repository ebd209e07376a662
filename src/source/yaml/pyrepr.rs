//! How Python prints scalars: `repr()` for warnings that quote a key as Ansible does, and the text
//! `json.dumps` gives non-string dict keys.

use super::node::NodeValue;

/// Python's `repr(float)`: the shortest text that round-trips, fixed notation for exponents from -4 to
/// 15 and `1e+20` style outside; `inf`, `-inf`, `nan`.
pub fn float_repr(value: f64) -> String {
    if value.is_nan() {
        return "nan".into();
    }
    if value.is_infinite() {
        return if value > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    // `{:e}` gives the shortest round-trip digits, e.g. "1.5e-7", "-1e20", "0e0".
    let scientific = format!("{value:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if (-4..16).contains(&exponent) {
        let point = exponent + 1;
        let text = if point <= 0 {
            format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
        } else {
            let point = point as usize;
            if digits.len() > point {
                format!("{}.{}", &digits[..point], &digits[point..])
            } else {
                format!("{digits}{}.0", "0".repeat(point - digits.len()))
            }
        };
        format!("{sign}{text}")
    } else {
        let (head, tail) = digits.split_at(1.min(digits.len()));
        let mantissa = if tail.is_empty() {
            head.to_string()
        } else {
            format!("{head}.{tail}")
        };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        format!("{sign}{mantissa}e{exp_sign}{:02}", exponent.unsigned_abs())
    }
}

/// Python's `repr(str)`: single quotes unless the text has a single quote and no double quote.
pub fn str_repr(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
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

/// Python's `repr()` of a scalar key, as Ansible's duplicate-key warning shows it.
pub fn key_repr(value: &NodeValue) -> String {
    match value {
        NodeValue::Null => "None".into(),
        NodeValue::Bool(true) => "True".into(),
        NodeValue::Bool(false) => "False".into(),
        NodeValue::Int(i) => i.to_string(),
        NodeValue::Float(f) => float_repr(*f),
        NodeValue::Str(s) => str_repr(s),
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
        NodeValue::Float(f) if f.is_nan() => "NaN".into(),
        NodeValue::Float(f) if f.is_infinite() => {
            if *f > 0.0 {
                "Infinity".into()
            } else {
                "-Infinity".into()
            }
        }
        NodeValue::Float(f) => float_repr(*f),
        NodeValue::Str(s) => s.clone(),
        // Collections cannot be keys (the loader rejects them); keep the output total anyway.
        NodeValue::Seq(_) | NodeValue::Map(_) => key_repr(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_python_repr() {
        // Each expectation is what python3.11 `repr()` printed.
        for (value, want) in [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (1e20, "1e+20"),
            (1.5e-7, "1.5e-07"),
            (1e16, "1e+16"),
            (1234567890123456.0, "1234567890123456.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5, "-2.5"),
            (-0.0, "-0.0"),
            (6.8523015e5, "685230.15"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (f64::INFINITY, "inf"),
        ] {
            assert_eq!(float_repr(value), want);
        }
    }

    #[test]
    fn strings_repr_with_python_quoting() {
        assert_eq!(str_repr("a"), "'a'");
        assert_eq!(str_repr("it's"), "\"it's\"");
        assert_eq!(str_repr("a'\"b"), "'a\\'\"b'");
        assert_eq!(str_repr("x\ny"), "'x\\ny'");
    }

    #[test]
    fn json_keys_match_json_dumps() {
        assert_eq!(json_key(&NodeValue::Bool(true)), "true");
        assert_eq!(json_key(&NodeValue::Null), "null");
        assert_eq!(json_key(&NodeValue::Float(f64::INFINITY)), "Infinity");
        assert_eq!(json_key(&NodeValue::Float(1.5)), "1.5");
    }
}
