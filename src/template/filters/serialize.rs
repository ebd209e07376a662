//! Serialisation filters: `to_json`, `to_nice_json`, `tojson`, `from_json`, `to_yaml`, `to_nice_yaml`,
//! `from_yaml`, `b64encode`, `b64decode`. JSON is written exactly as Python's `json.dumps` writes it.

use std::fmt::Write;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use minijinja::value::Kwargs;
use minijinja::{Environment, Error, Value as MjValue};

use super::yaml_dump::{self, DumpOptions};
use super::{arg, failed};
use crate::source::{SourceFile, yaml};
use crate::template::convert::from_value;
use crate::template::native::python_str;
use crate::value::{Map, Value, pyfloat};

pub(super) fn register(env: &mut Environment<'static>) {
    env.add_filter("to_json", to_json);
    env.add_filter("to_nice_json", to_nice_json);
    env.add_filter("tojson", tojson);
    env.add_filter("from_json", from_json);
    env.add_filter("to_yaml", to_yaml);
    env.add_filter("to_nice_yaml", to_nice_yaml);
    env.add_filter("from_yaml", from_yaml);
    env.add_filter("b64encode", b64encode);
    env.add_filter("b64decode", b64decode);
}

pub(crate) struct JsonOptions {
    pub indent: Option<usize>,
    pub sort_keys: bool,
    pub item_separator: &'static str,
    pub key_separator: &'static str,
    pub html_safe: bool,
}

fn to_json(value: &MjValue, kwargs: Kwargs) -> Result<String, Error> {
    let indent: Option<usize> = kwargs.get("indent")?;
    let sort_keys = kwargs.get::<Option<bool>>("sort_keys")?.unwrap_or(false);
    let value = arg(value)?;
    Ok(dumps(
        &value,
        &JsonOptions {
            indent,
            sort_keys,
            item_separator: if indent.is_some() { "," } else { ", " },
            key_separator: ": ",
            html_safe: false,
        },
    ))
}

fn to_nice_json(value: &MjValue, kwargs: Kwargs) -> Result<String, Error> {
    let indent = kwargs.get::<Option<usize>>("indent")?.unwrap_or(4);
    let sort_keys = kwargs.get::<Option<bool>>("sort_keys")?.unwrap_or(true);
    let value = arg(value)?;
    Ok(dumps(
        &value,
        &JsonOptions {
            indent: Some(indent),
            sort_keys,
            item_separator: ",",
            key_separator: ": ",
            html_safe: false,
        },
    ))
}

/// Jinja's `tojson`: sorted keys, `<`, `>`, `&` and `'` escaped for HTML.
fn tojson(value: &MjValue, indent: Option<usize>) -> Result<String, Error> {
    let value = arg(value)?;
    Ok(dumps(
        &value,
        &JsonOptions {
            indent,
            sort_keys: true,
            item_separator: if indent.is_some() { "," } else { ", " },
            key_separator: ": ",
            html_safe: true,
        },
    ))
}

pub(crate) fn dumps(value: &Value, options: &JsonOptions) -> String {
    let mut out = String::new();
    write_json(&mut out, value, options, 0);
    out
}

fn newline(out: &mut String, options: &JsonOptions, depth: usize) {
    if let Some(indent) = options.indent {
        out.push('\n');
        out.push_str(&" ".repeat(indent * depth));
    }
}

fn write_json(out: &mut String, value: &Value, options: &JsonOptions, depth: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => out.push_str(&pyfloat::json_repr(*f)),
        Value::Str(s) | Value::Unsafe(s) => write_string(out, s, options.html_safe),
        Value::Vault(v) => write_string(out, &v.0, options.html_safe),
        Value::List(items) if items.is_empty() => out.push_str("[]"),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(options.item_separator);
                }
                newline(out, options, depth + 1);
                write_json(out, item, options, depth + 1);
            }
            newline(out, options, depth);
            out.push(']');
        }
        Value::Map(map) if map.is_empty() => out.push_str("{}"),
        Value::Map(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            if options.sort_keys {
                entries.sort_by(|a, b| a.0.chars().cmp(b.0.chars()));
            }
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(options.item_separator);
                }
                newline(out, options, depth + 1);
                write_string(out, key, options.html_safe);
                out.push_str(options.key_separator);
                write_json(out, item, options, depth + 1);
            }
            newline(out, options, depth);
            out.push('}');
        }
    }
}

/// `json.dumps` with `ensure_ascii=True`.
fn write_string(out: &mut String, s: &str, html_safe: bool) {
    crate::value::pyjson::write_json_string(out, s, html_safe);
}

fn from_json(value: &MjValue) -> Result<MjValue, Error> {
    let text = python_str(value)?;
    let parsed: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| failed("from_json", e))?;
    Ok(from_value(&from_serde(parsed)))
}

fn from_serde(value: serde_json::Value) -> Value {
    match value {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Value::Int(i128::from(i)),
            (None, Some(u)) => Value::Int(i128::from(u)),
            _ => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::Str(s),
        serde_json::Value::Array(items) => Value::List(items.into_iter().map(from_serde).collect()),
        serde_json::Value::Object(map) => Value::Map(
            map.into_iter()
                .map(|(k, v)| (k, from_serde(v)))
                .collect::<Map>(),
        ),
    }
}

fn to_yaml(value: &MjValue, kwargs: Kwargs) -> Result<String, Error> {
    let indent = kwargs.get::<Option<usize>>("indent")?.unwrap_or(2);
    let flow: Option<bool> = kwargs.get("default_flow_style")?;
    let width = kwargs.get::<Option<usize>>("width")?.unwrap_or(80);
    let value = arg(value)?;
    Ok(yaml_dump::dump(
        &value,
        &DumpOptions {
            indent,
            default_flow_style: flow,
            width,
        },
    ))
}

fn to_nice_yaml(value: &MjValue, kwargs: Kwargs) -> Result<String, Error> {
    let indent = kwargs.get::<Option<usize>>("indent")?.unwrap_or(4);
    let flow = kwargs
        .get::<Option<bool>>("default_flow_style")?
        .unwrap_or(false);
    let width = kwargs.get::<Option<usize>>("width")?.unwrap_or(80);
    let value = arg(value)?;
    Ok(yaml_dump::dump(
        &value,
        &DumpOptions {
            indent,
            default_flow_style: Some(flow),
            width,
        },
    ))
}

fn from_yaml(value: &MjValue) -> Result<MjValue, Error> {
    if value.is_none() {
        return Ok(MjValue::from(()));
    }
    let text = python_str(value)?;
    let file = SourceFile::new("<from_yaml>", text);
    let node = yaml::load(&file, &mut Vec::new()).map_err(|d| failed("from_yaml", d.message))?;
    Ok(node.map_or(MjValue::from(()), |n| from_value(&yaml::to_value(&n))))
}

fn b64encode(value: &MjValue, kwargs: Kwargs) -> Result<String, Error> {
    let urlsafe = kwargs.get::<Option<bool>>("urlsafe")?.unwrap_or(false);
    let _: Option<String> = kwargs.get("encoding")?;
    let text = python_str(value)?;
    Ok(if urlsafe {
        URL_SAFE.encode(text)
    } else {
        STANDARD.encode(text)
    })
}

fn b64decode(value: &MjValue, kwargs: Kwargs) -> Result<String, Error> {
    let urlsafe = kwargs.get::<Option<bool>>("urlsafe")?.unwrap_or(false);
    let _: Option<String> = kwargs.get("encoding")?;
    let text = python_str(value)?;
    // Python's b64decode ignores characters outside the alphabet; whitespace is the common case.
    let cleaned: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = if urlsafe {
        URL_SAFE.decode(cleaned)
    } else {
        STANDARD.decode(cleaned)
    }
    .map_err(|e| failed("b64decode", e))?;
    String::from_utf8(bytes).map_err(|_| failed("b64decode", "the decoded data is not UTF-8 text"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_matches_python_dumps() {
        // python3 -c 'import json; print(json.dumps({"a": [1, 2.0, None], "é": {}}))'
        let value = Value::Map(Map::from([
            (
                "a".into(),
                Value::List(vec![Value::Int(1), Value::Float(2.0), Value::Null]),
            ),
            ("é".into(), Value::Map(Map::new())),
        ]));
        let compact = JsonOptions {
            indent: None,
            sort_keys: false,
            item_separator: ", ",
            key_separator: ": ",
            html_safe: false,
        };
        assert_eq!(
            dumps(&value, &compact),
            r#"{"a": [1, 2.0, null], "\u00e9": {}}"#
        );
    }
}
