//! Type and control filters: `default`/`d`, `mandatory`, `bool`, `int`, `float`, `string`, `ternary`,
//! `type_debug`, `join`, `extract`.

use minijinja::value::{Kwargs, ValueKind};
use minijinja::{Environment, Error, State, Value as MjValue};

use super::{arg, failed};
use crate::template::convert::from_value;
use crate::template::error::{TemplateError, TemplateErrorKind};
use crate::template::native::python_str;
use crate::template::scope::{Scope, wrap};
use crate::value::Value;

pub(super) fn register(env: &mut Environment<'static>) {
    env.add_filter("default", default);
    env.add_filter("d", default);
    env.add_filter("mandatory", mandatory);
    env.add_filter("bool", to_bool);
    env.add_filter("int", to_int);
    env.add_filter("float", to_float);
    env.add_filter("string", string);
    env.add_filter("ternary", ternary);
    env.add_filter("type_debug", type_debug);
    env.add_filter("join", join);
    env.add_filter("extract", extract);
}

/// Ansible's `default`: only an undefined value (or a falsy one with `boolean=true`) is replaced.
fn default(value: &MjValue, fallback: Option<MjValue>, boolean: Option<bool>) -> MjValue {
    let fallback = fallback.unwrap_or_else(|| MjValue::from(""));
    if value.is_undefined() || (boolean == Some(true) && !value.is_true()) {
        fallback
    } else {
        value.clone()
    }
}

fn mandatory(state: &State, value: &MjValue, msg: Option<String>) -> Result<MjValue, Error> {
    if !value.is_undefined() {
        return Ok(value.clone());
    }
    if let Some(msg) = msg {
        return Err(wrap(TemplateError::new(
            TemplateErrorKind::Plugin,
            format!("The filter plugin 'ansible.builtin.mandatory' failed: {msg}"),
        )));
    }
    // minijinja's own undefined error names the expression; the scope remembers it was `mandatory`.
    if let Some(scope) = Scope::of_state(state) {
        scope.note_mandatory_failed();
    }
    Err(value
        .get_attr("__mandatory__")
        .err()
        .unwrap_or_else(|| failed("mandatory", "Mandatory variable not defined.")))
}

/// Ansible's `bool`: 'yes', 'on', '1', 'true' (any case), 1 and True are true; 'no', 'off', '0',
/// 'false', 0 and False are false; anything else is true only if it equals 1 (Ansible warns there).
fn to_bool(value: &MjValue) -> Result<bool, Error> {
    let value = arg(value)?;
    let text = match &value {
        Value::Str(s) | Value::Unsafe(s) => Some(s.to_lowercase()),
        Value::Bool(b) => Some(if *b { "true" } else { "false" }.to_string()),
        Value::Int(i) => Some(i.to_string()),
        _ => None,
    };
    if let Some(text) = text {
        match text.as_str() {
            "yes" | "on" | "true" | "1" => return Ok(true),
            "no" | "off" | "false" | "0" => return Ok(false),
            _ => {}
        }
    }
    Ok(matches!(value, Value::Float(f) if f == 1.0))
}

/// Jinja's `int`: strings are parsed in `base` (a `0x`/`0o`/`0b` prefix matching the base is allowed),
/// then as a float; anything unparsable gives `default` (0).
fn to_int(value: &MjValue, default: Option<MjValue>, kwargs: Kwargs) -> Result<MjValue, Error> {
    let default = match default {
        Some(d) => Some(d),
        None => kwargs.get::<Option<MjValue>>("default")?,
    };
    let base: Option<u32> = kwargs.get("base")?;
    let base = base.unwrap_or(10);
    let fallback = || default.clone().unwrap_or_else(|| MjValue::from(0));
    Ok(match arg(value)? {
        Value::Int(i) => from_value(&Value::Int(i)),
        Value::Bool(b) => MjValue::from(i64::from(b)),
        Value::Float(f) if f.is_finite() => from_value(&Value::Int(f.trunc() as i128)),
        Value::Str(s) | Value::Unsafe(s) => match python_int(&s, base) {
            Some(i) => from_value(&Value::Int(i)),
            None => match python_float(&s) {
                Some(f) if f.is_finite() => from_value(&Value::Int(f.trunc() as i128)),
                _ => fallback(),
            },
        },
        _ => fallback(),
    })
}

fn to_float(value: &MjValue, default: Option<f64>) -> Result<f64, Error> {
    let fallback = default.unwrap_or(0.0);
    Ok(match arg(value)? {
        Value::Int(i) => i as f64,
        Value::Float(f) => f,
        Value::Bool(b) => f64::from(u8::from(b)),
        Value::Str(s) | Value::Unsafe(s) => python_float(&s).unwrap_or(fallback),
        _ => fallback,
    })
}

/// Python's `int(text, base)`: surrounding whitespace, a sign, underscores between digits, and the base's
/// prefix are allowed.
pub(crate) fn python_int(text: &str, base: u32) -> Option<i128> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let lower = digits.to_ascii_lowercase();
    let (base, digits) = match (base, lower.get(..2)) {
        (16 | 0, Some("0x")) => (16, &digits[2..]),
        (8 | 0, Some("0o")) => (8, &digits[2..]),
        (2 | 0, Some("0b")) => (2, &digits[2..]),
        (0, _) => (10, digits),
        (b, _) if (2..=36).contains(&b) => (b, digits),
        _ => return None,
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let cleaned: String = digits.chars().filter(|c| *c != '_').collect();
    let magnitude = i128::from_str_radix(&cleaned, base).ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

/// Python's `float(text)`.
pub(crate) fn python_float(text: &str) -> Option<f64> {
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if matches!(unsigned, "inf" | "infinity" | "nan") {
        let value = if unsigned == "nan" {
            f64::NAN
        } else {
            f64::INFINITY
        };
        return Some(if lower.starts_with('-') {
            -value
        } else {
            value
        });
    }
    if text.contains("__") || text.starts_with('_') || text.ends_with('_') {
        return None;
    }
    let cleaned: String = text.chars().filter(|c| *c != '_').collect();
    cleaned.parse::<f64>().ok()
}

/// Python's `str()`: `None`, `True`, lists and dicts as Python writes them.
fn string(value: &MjValue) -> Result<String, Error> {
    python_str(value)
}

fn ternary(
    value: &MjValue,
    true_val: MjValue,
    false_val: MjValue,
    none_val: Option<MjValue>,
) -> MjValue {
    match none_val {
        Some(none_val) if value.is_none() && !none_val.is_none() => none_val,
        _ if value.is_true() => true_val,
        _ => false_val,
    }
}

fn type_debug(value: &MjValue) -> Result<String, Error> {
    Ok(arg(value)?.type_name().to_string())
}

/// Jinja's `join`, with Python's `str()` of each item.
fn join(value: &MjValue, sep: Option<String>, attribute: Option<String>) -> Result<String, Error> {
    let sep = sep.unwrap_or_default();
    if value.kind() == ValueKind::String {
        let text = value.as_str().unwrap_or_default();
        return Ok(text
            .chars()
            .map(String::from)
            .collect::<Vec<_>>()
            .join(&sep));
    }
    let mut parts = Vec::new();
    for item in value.try_iter()? {
        let item = match &attribute {
            Some(attr) => item.get_attr(attr)?,
            None => item,
        };
        parts.push(python_str(&item)?);
    }
    Ok(parts.join(&sep))
}

/// `extract`: `container[item]`, then `[key]` for each of `morekeys`.
fn extract(
    item: &MjValue,
    container: &MjValue,
    morekeys: Option<MjValue>,
) -> Result<MjValue, Error> {
    let mut keys = vec![item.clone()];
    match morekeys {
        None => {}
        Some(more) if more.kind() == ValueKind::Seq => keys.extend(more.try_iter()?),
        Some(more) => keys.push(more),
    }
    let mut value = container.clone();
    for key in keys {
        value = value.get_item(&key)?;
        if value.is_undefined() {
            break;
        }
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_int_and_float_parse_as_python() {
        // python3: int('0x1F', 16), int(' -1_0 '), int('abc') -> ValueError, float('1e3'), float('inf')
        assert_eq!(python_int("0x1F", 16), Some(31));
        assert_eq!(python_int(" -1_0 ", 10), Some(-10));
        assert_eq!(python_int("abc", 10), None);
        assert_eq!(python_int("1__0", 10), None);
        assert_eq!(python_float("1e3"), Some(1000.0));
        assert_eq!(python_float("-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(python_float("x"), None);
    }
}
