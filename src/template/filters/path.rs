//! Path and shell filters, with Python's `posixpath` and `shlex.quote` semantics: `basename`,
//! `dirname`, `splitext`, `path_join`, `normpath`, `quote`.

use minijinja::{Environment, Error, Value as MjValue};

use super::{arg, type_error};
use crate::template::convert::from_value;
use crate::template::native::python_str;
use crate::value::Value;

pub(super) fn register(env: &mut Environment<'static>) {
    env.add_filter("basename", |p: &MjValue| -> Result<String, Error> {
        Ok(basename(&python_str(p)?).to_string())
    });
    env.add_filter("dirname", |p: &MjValue| -> Result<String, Error> {
        Ok(dirname(&python_str(p)?))
    });
    env.add_filter("splitext", |p: &MjValue| -> Result<MjValue, Error> {
        let text = python_str(p)?;
        let (root, ext) = splitext(&text);
        Ok(from_value(&Value::List(vec![
            Value::Str(root.into()),
            Value::Str(ext.into()),
        ])))
    });
    env.add_filter("normpath", |p: &MjValue| -> Result<String, Error> {
        Ok(normpath(&python_str(p)?))
    });
    env.add_filter("path_join", path_join);
    env.add_filter("quote", |v: &MjValue| -> Result<String, Error> {
        if v.is_none() {
            return Ok(quote(""));
        }
        Ok(quote(&python_str(v)?))
    });
}

pub(crate) fn basename(path: &str) -> &str {
    path.rfind('/').map_or(path, |i| &path[i + 1..])
}

pub(crate) fn dirname(path: &str) -> String {
    let head = path.rfind('/').map_or("", |i| &path[..=i]);
    if !head.is_empty() && !head.chars().all(|c| c == '/') {
        head.trim_end_matches('/').to_string()
    } else {
        head.to_string()
    }
}

/// `os.path.splitext`: the extension starts at the last dot of the last component, unless that
/// component is all leading dots up to it (`.bashrc` has no extension).
pub(crate) fn splitext(path: &str) -> (&str, &str) {
    let sep = path.rfind('/').map_or(0, |i| i + 1);
    if let Some(dot) = path.rfind('.') {
        if dot > sep && path[sep..dot].chars().any(|c| c != '.') {
            return (&path[..dot], &path[dot..]);
        }
    }
    (path, "")
}

fn path_join(paths: &MjValue) -> Result<String, Error> {
    match arg(paths)? {
        Value::Str(s) | Value::Unsafe(s) => Ok(s),
        Value::List(parts) => {
            let mut out = String::new();
            for part in &parts {
                let part = match part {
                    Value::Str(s) | Value::Unsafe(s) => s.clone(),
                    other => return Err(type_error("path_join", "strings", other)),
                };
                if part.starts_with('/') {
                    out = part;
                } else if out.is_empty() || out.ends_with('/') {
                    out.push_str(&part);
                } else {
                    out.push('/');
                    out.push_str(&part);
                }
            }
            Ok(out)
        }
        other => Err(type_error("path_join", "a string or sequence", &other)),
    }
}

/// `posixpath.normpath`.
pub(crate) fn normpath(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let leading = if path.starts_with("//") && !path.starts_with("///") {
        2
    } else if path.starts_with('/') {
        1
    } else {
        0
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if leading == 0 && (parts.is_empty() || parts.last() == Some(&"..")) => {
                parts.push("..")
            }
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let body = parts.join("/");
    let out = format!("{}{body}", "/".repeat(leading));
    if out.is_empty() { ".".into() } else { out }
}

/// `shlex.quote`.
pub(crate) fn quote(text: &str) -> String {
    if text.is_empty() {
        return "''".into();
    }
    let safe = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c));
    if safe {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\"'\"'"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_python_posixpath() {
        // python3: os.path.dirname('/a//b') -> '/a', dirname('//x') -> '//', splitext('.bashrc') -> ('.bashrc', '')
        assert_eq!(dirname("/a//b"), "/a");
        assert_eq!(dirname("//x"), "//");
        assert_eq!(dirname("x"), "");
        assert_eq!(basename("/a/b/"), "");
        assert_eq!(splitext(".bashrc"), (".bashrc", ""));
        assert_eq!(splitext("a/b.tar.gz"), ("a/b.tar", ".gz"));
        assert_eq!(splitext("a.d/b"), ("a.d/b", ""));
        // normpath('/a/./b/../c//'), normpath('../x/..'), normpath('//a')
        assert_eq!(normpath("/a/./b/../c//"), "/a/c");
        assert_eq!(normpath("../x/.."), "..");
        assert_eq!(normpath("//a"), "//a");
        // shlex.quote("it's") -> 'it'"'"'s'
        assert_eq!(quote("it's"), "'it'\"'\"'s'");
        assert_eq!(quote("a-b/c.d"), "a-b/c.d");
    }
}
