//! PyYAML's YAML 1.1 implicit resolvers (`yaml/resolver.py`) and the SafeConstructor conversions behind
//! them, so a plain scalar gets exactly the type Ansible gives it (`y` stays a string, `0755` is 493,
//! `1e3` is a string, `1:30` is 90).

use std::sync::LazyLock;

use regex::Regex;

/// The tag PyYAML's resolver assigns to a plain scalar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Implicit {
    Bool,
    Float,
    Int,
    Merge,
    Null,
    Timestamp,
    Value,
    Str,
}

// The patterns are PyYAML 6.0.4's, verbatim apart from whitespace (they are written with re.X there).
static BOOL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$")
        .ok()
});
static FLOAT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?",
        r"|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?",
        r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*",
        r"|[-+]?\.(?:inf|Inf|INF)",
        r"|\.(?:nan|NaN|NAN))$"
    ))
    .ok()
});
static INT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:[-+]?0b[0-1_]+",
        r"|[-+]?0[0-7_]+",
        r"|[-+]?(?:0|[1-9][0-9_]*)",
        r"|[-+]?0x[0-9a-fA-F_]+",
        r"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$"
    ))
    .ok()
});
static NULL: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^(?:~|null|Null|NULL|)$").ok());
pub(super) static TIMESTAMP: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]",
        r"|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?",
        r"(?:[Tt]|[ \t]+)[0-9][0-9]?",
        r":[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?",
        r"(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$"
    ))
    .ok()
});

fn matches(regex: &LazyLock<Option<Regex>>, text: &str) -> bool {
    regex.as_ref().is_some_and(|r| r.is_match(text))
}

/// Resolves a scalar as PyYAML does for a plain (untagged, unquoted) scalar. The resolvers are tried in
/// PyYAML's registration order, restricted to those registered for the value's first character.
pub fn resolve_plain(value: &str) -> Implicit {
    // Python's `$` also matches just before one trailing newline; this matters only when a quoted
    // scalar is re-resolved (`!unsafe "1\n"` gives the int 1 in Ansible).
    let text = value.strip_suffix('\n').unwrap_or(value);
    let Some(first) = value.chars().next() else {
        return Implicit::Null;
    };
    let candidates: &[Implicit] = match first {
        'y' | 'Y' | 't' | 'T' | 'f' | 'F' | 'o' | 'O' => &[Implicit::Bool],
        'n' | 'N' => &[Implicit::Bool, Implicit::Null],
        '~' => &[Implicit::Null],
        '.' => &[Implicit::Float],
        '-' | '+' => &[Implicit::Float, Implicit::Int],
        '0'..='9' => &[Implicit::Float, Implicit::Int, Implicit::Timestamp],
        '<' => &[Implicit::Merge],
        '=' => &[Implicit::Value],
        _ => &[],
    };
    for &candidate in candidates {
        let hit = match candidate {
            Implicit::Bool => matches(&BOOL, text),
            Implicit::Float => matches(&FLOAT, text),
            Implicit::Int => matches(&INT, text),
            Implicit::Null => matches(&NULL, text),
            Implicit::Timestamp => matches(&TIMESTAMP, text),
            Implicit::Merge => text == "<<",
            Implicit::Value => text == "=",
            Implicit::Str => false,
        };
        if hit {
            return candidate;
        }
    }
    Implicit::Str
}

/// Why a conversion failed, in the words Python would use.
pub type ConvertError = String;

/// SafeConstructor.construct_yaml_bool: a lookup of the lowercased text.
pub fn construct_bool(text: &str) -> Result<bool, ConvertError> {
    match text.to_lowercase().as_str() {
        "yes" | "true" | "on" => Ok(true),
        "no" | "false" | "off" => Ok(false),
        _ => Err(format!(
            "{text:?} is not a YAML 1.1 boolean (yes/no/true/false/on/off)"
        )),
    }
}

/// SafeConstructor.construct_yaml_int, including its quirks: a leading `0` means octal, `0b`/`0x` are
/// binary/hex, `:` means base 60, underscores are dropped. Python ints are unbounded; ours stop at i128.
pub fn construct_int(text: &str) -> Result<i128, ConvertError> {
    let cleaned: String = text.chars().filter(|&c| c != '_').collect();
    let (sign, rest) =
        split_sign(&cleaned).ok_or_else(|| "an empty string is not an integer".to_string())?;
    // The sign goes into the parse (not a multiplication afterwards) so that i128::MIN fits.
    let negative = sign < 0;
    if rest == "0" {
        Ok(0)
    } else if let Some(digits) = rest.strip_prefix("0b") {
        signed_int(digits, 2, negative)
    } else if let Some(digits) = rest.strip_prefix("0x") {
        signed_int(digits, 16, negative)
    } else if rest.starts_with('0') {
        signed_int(rest, 8, negative)
    } else if rest.contains(':') {
        let mut value: i128 = 0;
        let mut base: i128 = 1;
        for part in rest.split(':').rev() {
            let digit = python_int(part, 10)?;
            value = digit
                .checked_mul(base)
                .and_then(|d| value.checked_add(d))
                .ok_or_else(|| too_large(text))?;
            base = base.checked_mul(60).ok_or_else(|| too_large(text))?;
        }
        value.checked_mul(sign).ok_or_else(|| too_large(text))
    } else {
        signed_int(rest, 10, negative)
    }
}

/// `sign * int(digits, base)` without overflowing on the most negative i128.
fn signed_int(digits: &str, base: u32, negative: bool) -> Result<i128, ConvertError> {
    if negative {
        let trimmed = digits.trim();
        // `int('-5')` inside a negative value flips back, as `-1 * -5` does in Python.
        match trimmed.strip_prefix('-') {
            Some(inner) => python_int(inner, base),
            None => python_int(
                &format!("-{}", trimmed.strip_prefix('+').unwrap_or(trimmed)),
                base,
            ),
        }
    } else {
        python_int(digits, base)
    }
}

/// SafeConstructor.construct_yaml_float: `.inf`, `.nan`, base 60, or Python's `float()`.
pub fn construct_float(text: &str) -> Result<f64, ConvertError> {
    let cleaned: String = text
        .chars()
        .filter(|&c| c != '_')
        .collect::<String>()
        .to_lowercase();
    let (sign, rest) =
        split_sign(&cleaned).ok_or_else(|| "an empty string is not a float".to_string())?;
    let sign = sign as f64;
    if rest == ".inf" {
        Ok(sign * f64::INFINITY)
    } else if rest == ".nan" {
        Ok(f64::NAN)
    } else if rest.contains(':') {
        let mut value = 0.0;
        let mut base = 1.0;
        for part in rest.split(':').rev() {
            value += python_float(part)? * base;
            base *= 60.0;
        }
        Ok(sign * value)
    } else {
        Ok(sign * python_float(rest)?)
    }
}

/// Splits one leading sign off as PyYAML does (`value[0] == '-'`); None for an empty string, where
/// Python raises IndexError.
fn split_sign(text: &str) -> Option<(i128, &str)> {
    let first = text.chars().next()?;
    Some(match first {
        '-' => (-1, &text[1..]),
        '+' => (1, &text[1..]),
        _ => (1, text),
    })
}

fn too_large(text: &str) -> ConvertError {
    format!("the integer {text} is too large (plimsoll supports integers of up to 128 bits)")
}

/// Python's `int(text, base)` for the bases PyYAML uses: surrounding whitespace, one sign, an optional
/// matching prefix (`0o`, `0x`, `0b`) and at least one digit.
pub fn python_int(text: &str, base: u32) -> Result<i128, ConvertError> {
    let invalid = || format!("invalid literal for int() with base {base}: {text:?}");
    let trimmed = text.trim();
    let (negative, digits) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    let prefix = match base {
        2 => Some("0b"),
        8 => Some("0o"),
        16 => Some("0x"),
        _ => None,
    };
    let digits = match prefix {
        Some(p) => match digits.get(..2) {
            Some(head) if head.eq_ignore_ascii_case(p) => &digits[2..],
            _ => digits,
        },
        None => digits,
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(base)) {
        return Err(invalid());
    }
    let signed = if negative {
        format!("-{digits}")
    } else {
        digits.to_string()
    };
    i128::from_str_radix(&signed, base).map_err(|_| too_large(text))
}

/// Python's `float(text)`: decimal or exponent notation, `inf`/`infinity`/`nan`, surrounding whitespace.
pub fn python_float(text: &str) -> Result<f64, ConvertError> {
    let trimmed = text.trim();
    let plausible = !trimmed.is_empty()
        && trimmed
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-'));
    trimmed
        .parse::<f64>()
        .ok()
        .filter(|_| plausible)
        .ok_or_else(|| format!("could not convert string to float: {text:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_are_the_yaml_1_1_words_but_not_y_or_n() {
        for word in ["yes", "Yes", "YES", "no", "On", "OFF", "true", "False"] {
            assert_eq!(resolve_plain(word), Implicit::Bool, "{word}");
        }
        for word in ["y", "Y", "n", "N", "yES", "tRUE", "nO"] {
            assert_eq!(resolve_plain(word), Implicit::Str, "{word}");
        }
    }

    #[test]
    fn integers_follow_pyyaml_including_octal_and_base_60() {
        // PyYAML 6.0.4 safe_load gave: 0755 -> 493, 0x_1F -> 31, 1:30 -> 90, 0b101 -> 5, 1__0 -> 10.
        for (text, want) in [
            ("0755", 493),
            ("0x_1F", 31),
            ("1:30", 90),
            ("0b101", 5),
            ("1__0", 10),
        ] {
            assert_eq!(resolve_plain(text), Implicit::Int, "{text}");
            assert_eq!(construct_int(text), Ok(want), "{text}");
        }
        assert_eq!(construct_int("-190:20:30"), Ok(-685230));
        // 08 and 0o755 are strings in PyYAML.
        assert_eq!(resolve_plain("08"), Implicit::Str);
        assert_eq!(resolve_plain("0o755"), Implicit::Str);
        // `!!int '0o755'` works in PyYAML because int('0o755', 8) accepts the prefix.
        assert_eq!(construct_int("0o755"), Ok(493));
        assert!(construct_int("0b").is_err());
        assert_eq!(
            construct_int("-170141183460469231731687303715884105728"),
            Ok(i128::MIN)
        );
        assert!(construct_int("170141183460469231731687303715884105728").is_err());
        assert_eq!(construct_int("-0b11"), Ok(-3));
        assert!(construct_int("").is_err());
    }

    #[test]
    fn floats_need_a_dot_and_a_signed_exponent() {
        assert_eq!(resolve_plain("1e3"), Implicit::Str);
        assert_eq!(resolve_plain("1.0e5"), Implicit::Str);
        assert_eq!(resolve_plain("-.5"), Implicit::Str);
        assert_eq!(resolve_plain("1.0e+5"), Implicit::Float);
        assert_eq!(resolve_plain("1."), Implicit::Float);
        assert_eq!(resolve_plain(".inf"), Implicit::Float);
        assert_eq!(resolve_plain("-.nan"), Implicit::Str);
        assert_eq!(construct_float("1:30.5"), Ok(90.5));
        assert_eq!(construct_float("-.INF"), Ok(f64::NEG_INFINITY));
        assert_eq!(construct_float("1.0e+400"), Ok(f64::INFINITY));
        assert!(construct_float(".nan").is_ok_and(f64::is_nan));
    }

    #[test]
    fn null_merge_value_and_timestamps() {
        assert_eq!(resolve_plain(""), Implicit::Null);
        assert_eq!(resolve_plain("~"), Implicit::Null);
        assert_eq!(resolve_plain("nULL"), Implicit::Str);
        assert_eq!(resolve_plain("<<"), Implicit::Merge);
        assert_eq!(resolve_plain("="), Implicit::Value);
        assert_eq!(resolve_plain("2001-12-14"), Implicit::Timestamp);
        assert_eq!(resolve_plain("2001-1-14"), Implicit::Str);
        assert_eq!(
            resolve_plain("2001-12-14 21:59:43.10 -5"),
            Implicit::Timestamp
        );
    }

    #[test]
    fn a_trailing_newline_is_ignored_as_python_dollar_does() {
        assert_eq!(resolve_plain("12\n"), Implicit::Int);
        assert_eq!(construct_int("12\n"), Ok(12));
    }
}
