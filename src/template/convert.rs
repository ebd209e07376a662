//! Between the crate's `Value` and minijinja's, and from minijinja's errors to [`TemplateError`].

use std::sync::Arc;

use minijinja::value::ValueKind;
use minijinja::{Error, ErrorKind, Value as MjValue};

use super::error::{TemplateError, TemplateErrorKind};
use super::facts::is_fact;
use super::omit::omit_token;
use super::scope::{LazyNode, Scope, wrap};
use crate::value::{Map, Value, pyrepr};

/// A plain (already rendered) value for minijinja: filter results, lookups, parsed JSON/YAML.
pub(crate) fn from_value(value: &Value) -> MjValue {
    match value {
        Value::Null => MjValue::from(()),
        Value::Bool(b) => MjValue::from(*b),
        Value::Int(i) => match i64::try_from(*i) {
            Ok(small) => MjValue::from(small),
            Err(_) => MjValue::from(*i),
        },
        Value::Float(f) => MjValue::from(*f),
        Value::Str(s) | Value::Unsafe(s) => MjValue::from(s.as_str()),
        Value::Vault(text) => MjValue::from(text.0.as_str()),
        Value::List(items) => items.iter().map(from_value).collect(),
        Value::Map(map) => MjValue::from_pairs(
            map.iter()
                .map(|(k, v)| (MjValue::from(k.as_str()), from_value(v))),
        ),
    }
}

/// The finished value of a template result: lazy variables rendered all the way down, iterators
/// collected, and `omit` dropped from lists and dicts as Ansible drops it.
pub(crate) fn to_value(value: &MjValue) -> Result<Value, Error> {
    match value.kind() {
        ValueKind::Undefined => Err(value
            .get_attr("__undefined__")
            .err()
            .unwrap_or_else(|| Error::from(ErrorKind::UndefinedError))),
        ValueKind::Invalid => Err(invalid_error(value)),
        ValueKind::None => Ok(Value::Null),
        ValueKind::Bool => Ok(Value::Bool(value.is_true())),
        ValueKind::Number => {
            if value.is_integer() {
                i128::try_from(value.clone()).map(Value::Int)
            } else {
                f64::try_from(value.clone()).map(Value::Float)
            }
        }
        ValueKind::String => Ok(Value::Str(value.as_str().unwrap_or_default().to_string())),
        ValueKind::Bytes => Ok(Value::Str(
            String::from_utf8_lossy(value.as_bytes().unwrap_or_default()).into_owned(),
        )),
        ValueKind::Seq | ValueKind::Iterable => {
            if let Some(node) = value.downcast_object_ref::<LazyNode>() {
                return lazy_to_value(node);
            }
            let mut items = Vec::new();
            for item in value.try_iter()? {
                let item = to_value(&item)?;
                if !is_omit(&item) {
                    items.push(item);
                }
            }
            Ok(Value::List(items))
        }
        ValueKind::Map => {
            if let Some(node) = value.downcast_object_ref::<LazyNode>() {
                return lazy_to_value(node);
            }
            let mut map = Map::new();
            for key in value.try_iter()? {
                let item = to_value(&value.get_item(&key)?)?;
                if !is_omit(&item) {
                    map.insert(key_string(&key)?, item);
                }
            }
            Ok(Value::Map(map))
        }
        // Macros, namespaces, functions: Python would print their repr; this is the closest.
        _ => Ok(Value::Str(value.to_string())),
    }
}

fn lazy_to_value(node: &LazyNode) -> Result<Value, Error> {
    let is_map = matches!(node.value(), Some(Value::Map(_)));
    let mut map = Map::new();
    let mut list = Vec::new();
    for (key, item) in node.items() {
        if item.is_undefined() {
            let path = match key.as_str() {
                Some(k) => format!("{}.{k}", node.path()),
                None => format!("{}[{key}]", node.path()),
            };
            let cause = node
                .scope
                .undefined_cause(Some(&path))
                .or_else(|| node.scope.undefined_cause(None));
            return Err(match cause {
                Some(cause) => wrap(cause),
                None => Error::new(ErrorKind::UndefinedError, format!("`{path}` is undefined")),
            });
        }
        let item = to_value(&item)?;
        if is_omit(&item) {
            continue;
        }
        if is_map {
            map.insert(key_string(&key)?, item);
        } else {
            list.push(item);
        }
    }
    Ok(if is_map {
        Value::Map(map)
    } else {
        Value::List(list)
    })
}

fn is_omit(value: &Value) -> bool {
    matches!(value, Value::Str(s) if s == omit_token())
}

/// Dict keys become strings as Python's `str()` writes them (plimsoll's maps have string keys).
fn key_string(key: &MjValue) -> Result<String, Error> {
    if key.kind() == ValueKind::String {
        return Ok(key.as_str().unwrap_or_default().to_string());
    }
    Ok(pyrepr::str(&to_value(key)?))
}

/// The error an invalid value carries.
fn invalid_error(value: &MjValue) -> Error {
    let wrapped: MjValue = std::iter::once(value.clone()).collect();
    wrapped
        .try_iter()
        .ok()
        .and_then(|iter| iter.checked().find_map(Result::err))
        .unwrap_or_else(|| Error::new(ErrorKind::InvalidOperation, value.to_string()))
}

/// Our error for a minijinja error: a [`TemplateError`] it carries is reported as it is; undefined
/// names become Ansible's "'x' is undefined" (or the facts error); the place in the template is added.
pub(crate) fn error_from_minijinja(
    scope: &Arc<Scope>,
    err: &Error,
    source: Option<&str>,
) -> TemplateError {
    let mut out = carried(err).unwrap_or_else(|| classify(scope, err));
    if out.line.is_none() {
        if let Some(name) = err.name() {
            if !name.starts_with('<') {
                out.template = Some(name.to_string());
            }
        }
        out.line = err.line();
        if let (Some(range), Some(text)) = (err.range(), source) {
            out.column = column_of(text, range.start);
            out.range = Some(range);
        }
    }
    out
}

fn carried(err: &Error) -> Option<TemplateError> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(err);
    while let Some(inner) = source {
        if let Some(ours) = inner.downcast_ref::<TemplateError>() {
            return Some(ours.clone());
        }
        source = inner.source();
    }
    None
}

fn classify(scope: &Arc<Scope>, err: &Error) -> TemplateError {
    let detail = err.detail().unwrap_or_default();
    match err.kind() {
        ErrorKind::UndefinedError => undefined(scope, detail),
        ErrorKind::SyntaxError => TemplateError::new(
            TemplateErrorKind::Syntax,
            format!("Syntax error in template: {detail}"),
        ),
        ErrorKind::UnknownFilter => unknown("filter", detail),
        ErrorKind::UnknownTest => unknown("test", detail),
        ErrorKind::UnknownFunction => unknown("function", detail),
        ErrorKind::UnknownMethod => TemplateError::new(
            TemplateErrorKind::Other,
            format!("unknown method: {detail}"),
        )
        .with_hint("plimsoll's values are immutable: methods like dict.update() and list.append() do not exist; use filters such as combine or `+`"),
        ErrorKind::InvalidOperation if detail.contains("% operator") => TemplateError::new(
            TemplateErrorKind::Unsupported,
            format!("the % string-format operator is not supported by plimsoll's Jinja engine ({detail})"),
        )
        .with_hint("write `'%s-%d' | format(a, b)` or join with `~`: `a ~ '-' ~ b`"),
        ErrorKind::BadEscape => TemplateError::new(
            TemplateErrorKind::Syntax,
            format!("Syntax error in template: {}", err.kind()),
        ),
        kind => {
            let message = if detail.is_empty() {
                kind.to_string()
            } else {
                format!("{kind}: {detail}")
            };
            TemplateError::new(TemplateErrorKind::Other, message)
        }
    }
}

/// minijinja says "filter x is unknown".
fn unknown(what: &str, detail: &str) -> TemplateError {
    let name = detail
        .strip_prefix(what)
        .and_then(|rest| rest.strip_suffix(" is unknown"))
        .map_or(detail, str::trim);
    TemplateError::new(
        TemplateErrorKind::Syntax,
        format!("Syntax error in template: No {what} named '{name}'."),
    )
    .with_hint(format!(
        "plimsoll supports ansible.builtin's common filters, tests and lookups; a collection's {what} (or a rarely used builtin) is not available"
    ))
}

/// "`d.zz` is undefined": the expression minijinja names, if any.
fn undefined_expression(detail: &str) -> Option<&str> {
    let start = detail.find('`')? + 1;
    let len = detail[start..].find('`')?;
    Some(&detail[start..start + len])
}

fn root_name(expression: &str) -> &str {
    let end = expression
        .find(|c: char| c == '.' || c == '[' || c == '(' || c == '|' || c.is_whitespace())
        .unwrap_or(expression.len());
    &expression[..end]
}

fn undefined(scope: &Arc<Scope>, detail: &str) -> TemplateError {
    let expression = undefined_expression(detail);
    if scope.take_mandatory_failed() {
        let name = expression.map(|e| format!("'{e}' ")).unwrap_or_default();
        return TemplateError::new(
            TemplateErrorKind::Plugin,
            format!("The filter plugin 'ansible.builtin.mandatory' failed: Mandatory variable {name}not defined."),
        )
        .with_hint("define the variable (inventory, group_vars, host_vars, play or role vars)");
    }
    let cause = match expression {
        Some(expr) => scope
            .undefined_cause(Some(expr))
            .or_else(|| scope.undefined_cause(Some(root_name(expr)))),
        None => scope.undefined_cause(None),
    };
    // Expressions (conditions) report no name; the last name that was looked up and missing is it.
    let missing = scope.last_missing();
    let expression = expression.or(missing.as_deref());
    if let Some(cause) = cause {
        return cause;
    }
    let Some(expression) = expression else {
        return TemplateError::new(TemplateErrorKind::Undefined, "undefined value");
    };
    let name = root_name(expression);
    if is_fact(name) {
        return TemplateError::new(
            TemplateErrorKind::FactsNotGathered,
            format!("'{name}' is a fact, and plimsoll gathers no facts ('{expression}' is undefined)"),
        )
        .with_variable(name)
        .with_hint(format!(
            "set `{name}` as a variable (e.g. in host_vars) or use inventory data such as inventory_hostname instead of facts"
        ));
    }
    let message = if expression == name {
        format!("'{name}' is undefined")
    } else {
        format!("`{expression}` is undefined")
    };
    TemplateError::new(TemplateErrorKind::Undefined, message)
        .with_variable(name)
        .with_hint(format!(
            "define it (inventory, group_vars, host_vars, play or role vars) or give a fallback: `{expression} | default(...)`"
        ))
}

/// 1-based column (in characters) of byte `offset` in `text`.
fn column_of(text: &str, offset: usize) -> Option<usize> {
    let before = text.get(..offset)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Some(before[line_start..].chars().count() + 1)
}
