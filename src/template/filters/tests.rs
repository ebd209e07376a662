//! Ansible's Jinja tests: `version`/`version_compare`, `contains`, `subset`, `superset`, `truthy`,
//! `falsy`, `nan`, `any`, `all`, `abs`. (`match`, `search`, `regex` live with the regex filters.)

use std::cmp::Ordering;

use minijinja::value::Kwargs;
use minijinja::{Environment, Error, Value as MjValue};

use super::version::{loose_cmp, semver_cmp, strict_cmp};
use super::{arg, failed};
use crate::template::engine::truthy;
use crate::template::native::python_str;
use crate::value::Value;

pub(super) fn register(env: &mut Environment<'static>) {
    env.add_test("version", version);
    env.add_test("version_compare", version);
    env.add_test(
        "contains",
        |seq: &MjValue, item: &MjValue| -> Result<bool, Error> {
            Ok(items(seq)?.contains(&arg(item)?))
        },
    );
    for name in ["subset", "issubset"] {
        env.add_test(name, |a: &MjValue, b: &MjValue| -> Result<bool, Error> {
            let (a, b) = (items(a)?, items(b)?);
            Ok(a.iter().all(|x| b.contains(x)))
        });
    }
    for name in ["superset", "issuperset"] {
        env.add_test(name, |a: &MjValue, b: &MjValue| -> Result<bool, Error> {
            let (a, b) = (items(a)?, items(b)?);
            Ok(b.iter().all(|x| a.contains(x)))
        });
    }
    env.add_test("truthy", |v: &MjValue, kwargs: Kwargs| {
        truthiness(v, kwargs)
    });
    env.add_test("falsy", |v: &MjValue, kwargs: Kwargs| {
        truthiness(v, kwargs).map(|t| !t)
    });
    for name in ["nan", "isnan"] {
        env.add_test(name, |v: &MjValue| -> Result<bool, Error> {
            Ok(matches!(arg(v)?, Value::Float(f) if f.is_nan()))
        });
    }
    env.add_test("any", |v: &MjValue| -> Result<bool, Error> {
        Ok(items(v)?.iter().any(truthy))
    });
    env.add_test("all", |v: &MjValue| -> Result<bool, Error> {
        Ok(items(v)?.iter().all(truthy))
    });
    env.add_test("abs", |v: &MjValue| -> Result<bool, Error> {
        Ok(python_str(v)?.starts_with('/'))
    });
}

fn items(value: &MjValue) -> Result<Vec<Value>, Error> {
    Ok(match arg(value)? {
        Value::List(items) => items,
        Value::Map(map) => map.into_keys().map(Value::Str).collect(),
        Value::Str(s) => s.chars().map(|c| Value::Str(c.to_string())).collect(),
        other => vec![other],
    })
}

/// `truthy(convert_bool=True)` reads 'yes'/'no' and friends first.
fn truthiness(value: &MjValue, kwargs: Kwargs) -> Result<bool, Error> {
    let convert = kwargs.get::<Option<bool>>("convert_bool")?.unwrap_or(false);
    let value = arg(value)?;
    if convert {
        let text = match &value {
            Value::Str(s) => Some(s.to_lowercase()),
            Value::Int(i) => Some(i.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        match text.as_deref() {
            Some("yes" | "on" | "1" | "true" | "y" | "t") => return Ok(true),
            Some("no" | "off" | "0" | "false" | "n" | "f") => return Ok(false),
            _ => {}
        }
    }
    Ok(truthy(&value))
}

/// `is version(other, operator='eq', strict=None, version_type=None)`.
fn version(
    value: &MjValue,
    other: &MjValue,
    operator: Option<String>,
    kwargs: Kwargs,
) -> Result<bool, Error> {
    let operator = match operator {
        Some(op) => Some(op),
        None => kwargs.get("operator")?,
    };
    let strict: Option<bool> = kwargs.get("strict")?;
    let version_type: Option<String> = kwargs.get("version_type")?;
    if strict.is_some() && version_type.is_some() {
        return Err(failed(
            "version",
            "Cannot specify both 'strict' and 'version_type'",
        ));
    }
    let (a, b) = (python_str(value)?, python_str(other)?);
    if a.is_empty() || value.is_none() {
        return Err(failed("version", "Input version value cannot be empty"));
    }
    if b.is_empty() {
        return Err(failed(
            "version",
            "Version parameter to compare against cannot be empty",
        ));
    }
    let op = match operator.as_deref().unwrap_or("eq") {
        "==" | "=" | "eq" => "eq",
        "<" | "lt" => "lt",
        "<=" | "le" => "le",
        ">" | "gt" => "gt",
        ">=" | "ge" => "ge",
        "!=" | "<>" | "ne" => "ne",
        other => {
            return Err(failed(
                "version",
                format!(
                    "Invalid operator type ({other}). Must be one of '==', '=', 'eq', '<', 'lt', '<=', 'le', '>', 'gt', '>=', 'ge', '!=', '<>', 'ne'"
                ),
            ));
        }
    };
    let kind = if strict == Some(true) {
        "strict"
    } else {
        version_type.as_deref().unwrap_or("loose")
    };
    let ordering = match kind {
        "loose" => loose_cmp(&a, &b),
        "strict" => strict_cmp(&a, &b),
        "semver" | "semantic" => semver_cmp(&a, &b),
        "pep440" => Err("the pep440 version_type is not supported by plimsoll".to_string()),
        other => {
            return Err(failed(
                "version",
                format!("Invalid version type ({other}). Must be one of 'loose', 'strict', 'semver', 'semantic', 'pep440'"),
            ));
        }
    }
    .map_err(|e| failed("version", format!("Version comparison failed: {e}")))?;
    Ok(match op {
        "eq" => ordering == Ordering::Equal,
        "ne" => ordering != Ordering::Equal,
        "lt" => ordering == Ordering::Less,
        "le" => ordering != Ordering::Greater,
        "gt" => ordering == Ordering::Greater,
        _ => ordering != Ordering::Less,
    })
}
