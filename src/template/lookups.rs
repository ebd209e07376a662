//! `lookup()`, `query()` and `q()` with the lookups roles use: `file`, `template`, `env`, `vars`,
//! `first_found`. Files are searched as Ansible's `find_file_in_search_path` does.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use minijinja::value::{Kwargs, Rest, ValueKind};
use minijinja::{Environment, Error, ErrorKind, State, Value as MjValue};

use super::convert::{from_value, to_value};
use super::engine::{read_template, template_vars};
use super::error::{TemplateError, TemplateErrorKind};
use super::native::{self, RenderOptions};
use super::scope::{Scope, wrap};
use crate::value::{Map, Value};

pub(crate) fn register(env: &mut Environment<'static>) {
    env.add_function("lookup", lookup);
    env.add_function("query", query);
    env.add_function("q", query);
}

/// `lookup()` gives one value: the only result, or the results joined with commas.
fn lookup(
    state: &State,
    name: String,
    terms: Rest<MjValue>,
    kwargs: Kwargs,
) -> Result<MjValue, Error> {
    let wantlist: Option<bool> = kwargs.get("wantlist")?;
    let results = run(state, &name, &terms, &kwargs)?;
    if wantlist == Some(true) {
        return Ok(MjValue::from(results));
    }
    Ok(match results.len() {
        1 => results.into_iter().next().unwrap_or_default(),
        _ if results.iter().all(|r| r.kind() == ValueKind::String) => MjValue::from(
            results
                .iter()
                .map(|r| r.as_str().unwrap_or_default())
                .collect::<Vec<_>>()
                .join(","),
        ),
        _ => MjValue::from(results),
    })
}

/// `query()`/`q()` always give the list of results.
fn query(
    state: &State,
    name: String,
    terms: Rest<MjValue>,
    kwargs: Kwargs,
) -> Result<MjValue, Error> {
    run(state, &name, &terms, &kwargs).map(MjValue::from)
}

fn run(
    state: &State,
    name: &str,
    terms: &[MjValue],
    kwargs: &Kwargs,
) -> Result<Vec<MjValue>, Error> {
    let scope = Scope::of_state(state).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidOperation,
            "lookups need plimsoll's render context",
        )
    })?;
    let short = name.strip_prefix("ansible.builtin.").unwrap_or(name);
    let terms = flatten_terms(terms)?;
    let result = match short {
        "file" => file(&scope, &terms, kwargs),
        "template" => template(&scope, &terms, kwargs),
        "env" => env(&scope, &terms, kwargs),
        "vars" => vars(state, &terms, kwargs),
        "first_found" => first_found(&scope, &terms, kwargs),
        other => Err(TemplateError::new(
            TemplateErrorKind::Unsupported,
            format!("the lookup plugin '{other}' is not supported by plimsoll"),
        )
        .with_hint("plimsoll supports the file, template, env, vars and first_found lookups; a lookup that reaches outside the playbook (pipe, url, password, ...) cannot be planned")),
    };
    result.map_err(|err| {
        let mut err = err;
        if err.kind == TemplateErrorKind::Plugin {
            err.message = format!("The lookup plugin '{short}' failed: {}", err.message);
        }
        wrap(err)
    })
}

/// Terms may be given as one list (`lookup('file', ['a', 'b'])`).
fn flatten_terms(terms: &[MjValue]) -> Result<Vec<Value>, Error> {
    let mut out = Vec::new();
    for term in terms {
        match to_value(term)? {
            Value::List(items) => out.extend(items),
            other => out.push(other),
        }
    }
    Ok(out)
}

fn term_str(term: &Value) -> Result<&str, TemplateError> {
    term.as_str().ok_or_else(|| {
        TemplateError::new(
            TemplateErrorKind::Plugin,
            format!("expected a string term, got {}", term.type_name()),
        )
    })
}

fn plugin_error(message: String) -> TemplateError {
    TemplateError::new(TemplateErrorKind::Plugin, message)
}

/// Ansible's `path_dwim_relative_stack`: in each search directory, `<dir>/<subdir>/<name>` (unless the
/// name already starts with `<subdir>/`) then `<dir>/<name>`. Absolute names are used as they are.
fn find(scope: &Scope, subdir: &str, name: &str) -> Result<PathBuf, Vec<PathBuf>> {
    let path = Path::new(name);
    if path.is_absolute() {
        return if path.exists() {
            Ok(path.to_path_buf())
        } else {
            Err(vec![path.to_path_buf()])
        };
    }
    let mut searched = Vec::new();
    let skip_subdir = name.split('/').next() == Some(subdir);
    for dir in &scope.engine.search_path {
        if !skip_subdir {
            searched.push(dir.join(subdir).join(name));
        }
        searched.push(dir.join(name));
    }
    match searched.iter().find(|p| p.exists()) {
        Some(found) => Ok(found.clone()),
        None => Err(searched),
    }
}

fn not_found(name: &str, searched: &[PathBuf]) -> TemplateError {
    let list: Vec<String> = searched.iter().map(|p| p.display().to_string()).collect();
    plugin_error(format!(
        "Unable to access the file '{name}': File not found. Searched: {}",
        if list.is_empty() {
            "(no search path)".to_string()
        } else {
            list.join(", ")
        }
    ))
}

fn file(scope: &Scope, terms: &[Value], kwargs: &Kwargs) -> Result<Vec<MjValue>, TemplateError> {
    let opt = |key: &str, default: bool| -> Result<bool, TemplateError> {
        kwargs
            .get::<Option<bool>>(key)
            .map(|v| v.unwrap_or(default))
            .map_err(|e| plugin_error(e.to_string()))
    };
    let (lstrip, rstrip) = (opt("lstrip", false)?, opt("rstrip", true)?);
    let mut out = Vec::new();
    for term in terms {
        let name = term_str(term)?;
        let path = find(scope, "files", name).map_err(|searched| not_found(name, &searched))?;
        let text = std::fs::read_to_string(&path).map_err(|e| {
            plugin_error(format!("Unable to read the file '{}': {e}", path.display()))
        })?;
        let text = if lstrip { text.trim_start() } else { &text };
        let text = if rstrip { text.trim_end() } else { text };
        out.push(MjValue::from(text));
    }
    Ok(out)
}

fn template(
    scope: &Arc<Scope>,
    terms: &[Value],
    kwargs: &Kwargs,
) -> Result<Vec<MjValue>, TemplateError> {
    let extra: Option<MjValue> = kwargs
        .get("template_vars")
        .map_err(|e| plugin_error(e.to_string()))?;
    let extra = match extra.map(|v| to_value(&v)) {
        Some(Ok(Value::Map(map))) => map,
        Some(Ok(other)) => {
            return Err(plugin_error(format!(
                "template_vars must be a dict, got {}",
                other.type_name()
            )));
        }
        Some(Err(e)) => return Err(plugin_error(e.to_string())),
        None => Map::new(),
    };
    let mut out = Vec::new();
    for term in terms {
        let name = term_str(term)?;
        let path = find(scope, "templates", name).map_err(|_| {
            plugin_error(format!(
                "the template file {name} could not be found for the lookup"
            ))
        })?;
        let source = read_template(&path)?;
        let mut layer = template_vars(Path::new(name), &scope.vars);
        layer.insert(
            "template_fullpath".into(),
            Value::Str(path.display().to_string()),
        );
        layer.extend(extra.clone());
        let inner = Scope::new(scope.engine.clone(), scope.vars.with_layer(layer));
        let label = path.display().to_string();
        let rendered = native::render(&inner, &source, &label, RenderOptions::FILE)
            .and_then(|v| to_value(&v))
            .map_err(|e| super::convert::error_from_minijinja(&inner, &e, Some(&source)));
        if inner.secret_used() {
            scope.mark_secret_used();
        }
        out.push(from_value(&rendered?));
    }
    Ok(out)
}

fn env(scope: &Scope, terms: &[Value], kwargs: &Kwargs) -> Result<Vec<MjValue>, TemplateError> {
    let default: Option<MjValue> = kwargs
        .get("default")
        .map_err(|e| plugin_error(e.to_string()))?;
    let mut out = Vec::new();
    for term in terms {
        let name = term_str(term)?;
        out.push(match (scope.engine.env_lookup)(name) {
            Some(value) => MjValue::from(value),
            None => default.clone().unwrap_or_else(|| MjValue::from("")),
        });
    }
    Ok(out)
}

fn vars(state: &State, terms: &[Value], kwargs: &Kwargs) -> Result<Vec<MjValue>, TemplateError> {
    let default: Option<MjValue> = kwargs
        .get("default")
        .map_err(|e| plugin_error(e.to_string()))?;
    let mut out = Vec::new();
    for term in terms {
        let name = term_str(term)?;
        match state.lookup(name).filter(|v| !v.is_undefined()) {
            Some(value) => out.push(value),
            None => match &default {
                Some(d) => out.push(d.clone()),
                None => {
                    return Err(TemplateError::new(
                        TemplateErrorKind::Undefined,
                        format!("No variable named '{name}' was found"),
                    )
                    .with_variable(name));
                }
            },
        }
    }
    Ok(out)
}

/// `first_found`: the path of the first file that exists, looked for in `files/` of the search path.
/// Terms may be names or dicts `{files: [...], paths: [...]}`.
fn first_found(
    scope: &Scope,
    terms: &[Value],
    kwargs: &Kwargs,
) -> Result<Vec<MjValue>, TemplateError> {
    let skip: bool = kwargs
        .get::<Option<bool>>("skip")
        .map_err(|e| plugin_error(e.to_string()))?
        .unwrap_or(false);
    let mut candidates = Vec::new();
    let split = |v: &Value| -> Vec<String> {
        match v {
            Value::List(items) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect(),
            Value::Str(s) => s.split([',', ';']).map(str::to_string).collect(),
            _ => Vec::new(),
        }
    };
    for term in terms {
        match term {
            Value::Map(spec) => {
                let files = spec.get("files").map(split).unwrap_or_default();
                let paths = spec.get("paths").map(split).unwrap_or_default();
                if paths.is_empty() {
                    candidates.extend(files);
                } else {
                    for dir in &paths {
                        for name in &files {
                            candidates.push(Path::new(dir).join(name).display().to_string());
                        }
                    }
                }
            }
            other => candidates.push(term_str(other)?.to_string()),
        }
    }
    for name in &candidates {
        if let Ok(path) = find(scope, "files", name) {
            return Ok(vec![MjValue::from(path.display().to_string())]);
        }
    }
    if skip {
        return Ok(Vec::new());
    }
    Err(plugin_error(format!(
        "No file was found when using first_found. Tried: {}",
        candidates.join(", ")
    )))
}
