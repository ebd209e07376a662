//! Python `re` through fancy-regex (which has the lookarounds and backreferences Python has):
//! `regex_replace`, `regex_search`, `regex_findall`, `regex_escape`, and the tests `match`, `search`,
//! `regex`. Python-only syntax is translated (`(?P=name)`, `\Z`); replacement strings use Python's
//! `\1`, `\g<1>`, `\g<name>`.

use fancy_regex::{Regex, RegexBuilder};
use minijinja::value::{Kwargs, Rest};
use minijinja::{Environment, Error, Value as MjValue};

use super::failed;
use crate::template::convert::from_value;
use crate::template::native::python_str;
use crate::value::Value;
use crate::value::pyregex::{GroupRef, expand, parse_replacement, translate};

pub(super) fn register(env: &mut Environment<'static>) {
    env.add_filter("regex_replace", regex_replace);
    env.add_filter("regex_search", regex_search);
    env.add_filter("regex_findall", regex_findall);
    env.add_filter("regex_escape", regex_escape);
    env.add_test("match", |v: &MjValue, p: String, kwargs: Kwargs| {
        test(v, &p, kwargs, "match")
    });
    env.add_test("search", |v: &MjValue, p: String, kwargs: Kwargs| {
        test(v, &p, kwargs, "search")
    });
    env.add_test("regex", |v: &MjValue, p: String, kwargs: Kwargs| {
        let kind: Option<String> = kwargs.get("match_type")?;
        let kind = kind.unwrap_or_else(|| "search".into());
        test(v, &p, kwargs, &kind)
    });
}

fn flags(kwargs: &Kwargs) -> Result<(bool, bool), Error> {
    Ok((
        kwargs.get::<Option<bool>>("ignorecase")?.unwrap_or(false),
        kwargs.get::<Option<bool>>("multiline")?.unwrap_or(false),
    ))
}

/// Compiles a Python pattern; `anchored` gives `re.match` (at the start only) or `re.fullmatch`.
fn compile(
    filter: &str,
    pattern: &str,
    ignorecase: bool,
    multiline: bool,
    anchor: Anchor,
) -> Result<Regex, Error> {
    let translated = translate(pattern);
    let body = match anchor {
        Anchor::None => translated,
        Anchor::Start => format!(r"\A(?:{translated})"),
        Anchor::Full => format!(r"\A(?:{translated})\z"),
    };
    RegexBuilder::new(&body)
        .case_insensitive(ignorecase)
        .multi_line(multiline)
        .build()
        .map_err(|e| {
            failed(
                filter,
                format!("invalid regular expression {pattern:?}: {e}"),
            )
        })
}

#[derive(Clone, Copy)]
enum Anchor {
    None,
    Start,
    Full,
}

fn regex_replace(
    value: &MjValue,
    pattern: Option<String>,
    replacement: Option<String>,
    kwargs: Kwargs,
) -> Result<String, Error> {
    let text = if value.is_none() {
        String::new()
    } else {
        python_str(value)?
    };
    let pattern = pattern.unwrap_or_default();
    let replacement = replacement.unwrap_or_default();
    let (ignorecase, multiline) = flags(&kwargs)?;
    let count = kwargs.get::<Option<usize>>("count")?.unwrap_or(0);
    let mandatory_count = kwargs.get::<Option<usize>>("mandatory_count")?.unwrap_or(0);
    let re = compile(
        "regex_replace",
        &pattern,
        ignorecase,
        multiline,
        Anchor::None,
    )?;
    let parts = parse_replacement(&replacement).map_err(|e| failed("regex_replace", e))?;
    let mut out = String::new();
    let mut last = 0;
    let mut subs = 0;
    for caps in re.captures_iter(text.as_str()) {
        if count != 0 && subs == count {
            break;
        }
        let caps = caps.map_err(|e| failed("regex_replace", e))?;
        let Some(whole) = caps.get(0) else { continue };
        out.push_str(&text[last..whole.start()]);
        expand(&parts, &caps, &mut out).map_err(|e| failed("regex_replace", e))?;
        last = whole.end();
        subs += 1;
    }
    out.push_str(&text[last..]);
    if mandatory_count != 0 && mandatory_count != subs {
        return Err(failed(
            "regex_replace",
            format!(
                "'{pattern}' should match {mandatory_count} times, but matches {subs} times in '{text}'"
            ),
        ));
    }
    Ok(out)
}

fn regex_search(
    value: &MjValue,
    pattern: String,
    groups: Rest<String>,
    kwargs: Kwargs,
) -> Result<MjValue, Error> {
    let text = python_str(value)?;
    let (ignorecase, multiline) = flags(&kwargs)?;
    let re = compile(
        "regex_search",
        &pattern,
        ignorecase,
        multiline,
        Anchor::None,
    )?;
    let mut wanted = Vec::new();
    for g in groups.iter() {
        let group = if let Some(name) = g.strip_prefix("\\g<").and_then(|r| r.strip_suffix('>')) {
            match name.parse::<usize>() {
                Ok(i) => GroupRef::Index(i),
                Err(_) => GroupRef::Name(name.to_string()),
            }
        } else if let Some(index) = g.strip_prefix('\\').and_then(|d| d.parse::<usize>().ok()) {
            GroupRef::Index(index)
        } else {
            return Err(failed("regex_search", "Unknown argument"));
        };
        wanted.push(group);
    }
    let Some(caps) = re
        .captures(text.as_str())
        .map_err(|e| failed("regex_search", e))?
    else {
        return Ok(MjValue::from(()));
    };
    if wanted.is_empty() {
        return Ok(MjValue::from(caps.get(0).map_or("", |m| m.as_str())));
    }
    let mut out = Vec::new();
    for group in wanted {
        let found = match &group {
            GroupRef::Index(i) if *i < caps.len() => caps.get(*i).map(|m| m.as_str().to_string()),
            GroupRef::Name(n) => caps.name(n).map(|m| m.as_str().to_string()),
            GroupRef::Index(i) => return Err(failed("regex_search", format!("no such group {i}"))),
        };
        out.push(found.map_or(Value::Null, Value::Str));
    }
    Ok(from_value(&Value::List(out)))
}

/// `re.findall`: whole matches, the one group, or lists of all groups.
fn regex_findall(value: &MjValue, pattern: String, kwargs: Kwargs) -> Result<MjValue, Error> {
    let text = python_str(value)?;
    let (ignorecase, multiline) = flags(&kwargs)?;
    let re = compile(
        "regex_findall",
        &pattern,
        ignorecase,
        multiline,
        Anchor::None,
    )?;
    let mut out = Vec::new();
    for caps in re.captures_iter(text.as_str()) {
        let caps = caps.map_err(|e| failed("regex_findall", e))?;
        let group = |i: usize| Value::Str(caps.get(i).map_or("", |m| m.as_str()).to_string());
        out.push(match caps.len() {
            1 => group(0),
            2 => group(1),
            n => Value::List((1..n).map(group).collect()),
        });
    }
    Ok(from_value(&Value::List(out)))
}

/// `re.escape` (Python 3.7+: only special characters are escaped).
fn regex_escape(value: &MjValue, re_type: Option<String>) -> Result<String, Error> {
    let text = python_str(value)?;
    match re_type.as_deref().unwrap_or("python") {
        "python" => Ok(text
            .chars()
            .map(|c| {
                if "()[]{}?*+-|^$\\.&~# \t\n\r\u{b}\u{c}".contains(c) {
                    format!("\\{c}")
                } else {
                    c.to_string()
                }
            })
            .collect()),
        "posix_basic" => Ok(text
            .chars()
            .map(|c| {
                if "].[^$*\\".contains(c) {
                    format!("\\{c}")
                } else {
                    c.to_string()
                }
            })
            .collect()),
        "posix_extended" => Err(failed(
            "regex_escape",
            "Regex type (posix_extended) not yet implemented",
        )),
        other => Err(failed(
            "regex_escape",
            format!("Invalid regex type ({other})"),
        )),
    }
}

fn test(value: &MjValue, pattern: &str, kwargs: Kwargs, kind: &str) -> Result<bool, Error> {
    let text = python_str(value)?;
    let (ignorecase, multiline) = flags(&kwargs)?;
    let anchor = match kind {
        "match" => Anchor::Start,
        "fullmatch" => Anchor::Full,
        _ => Anchor::None,
    };
    let re = compile(kind, pattern, ignorecase, multiline, anchor)?;
    re.is_match(text.as_str()).map_err(|e| failed(kind, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_syntax_is_translated() {
        assert_eq!(translate(r"(?P<a>x)(?P=a)\Z"), r"(?P<a>x)\k<a>\z");
        let re = compile("t", r"(?P<a>x)(?P=a)\Z", false, false, Anchor::None).ok();
        assert!(re.is_some_and(|re| re.is_match("yxx").unwrap_or(false)));
    }

    #[test]
    fn replacement_templates_are_python_ones() {
        assert!(parse_replacement(r"\q").is_err());
        let parts = parse_replacement(r"<\g<k>\1\\>").unwrap_or_default();
        assert_eq!(parts.len(), 4);
    }
}
