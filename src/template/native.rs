//! Ansible 2.19's native rendering: what type a rendered string has.
//!
//! Jinja renders a template as a list of output nodes (text and `{{ }}` results, `None` results dropped).
//! Ansible returns the node itself when there is exactly one (`"{{ 1 + 1 }}"` is the int 2, `"{{ [1] }}"`
//! a list, `"{% for i in [1] %}{{ i }}{% endfor %}"` the int 1), `None` when there is none, and the
//! concatenated text otherwise; nothing is re-parsed (`"{{ '[1, 2]' }}"` stays a string).
//!
//! minijinja only produces text, so the formatter (called for every `{{ }}` result) records the values
//! it writes in a [`Sink`]; when exactly one value was written and the output is exactly its text, the
//! value is the result.

use std::borrow::Cow;
use std::sync::Arc;

use minijinja::{Error, ErrorKind, Output, State, Value as MjValue};

use super::scope::Scope;
use crate::value::pyrepr;

#[derive(Clone, Copy, Debug)]
pub(crate) struct RenderOptions {
    /// Backslashes in string literals inside `{{ }}` are taken literally (Ansible does this for templates
    /// that come from YAML, where the YAML quoting already handled escapes; not for template files).
    pub escape_backslashes: bool,
}

impl RenderOptions {
    pub const VARIABLE: Self = Self {
        escape_backslashes: true,
    };
    pub const FILE: Self = Self {
        escape_backslashes: false,
    };
}

#[derive(Default)]
pub(crate) struct Sink {
    nodes: Vec<(MjValue, String)>,
}

impl Sink {
    pub fn record(&mut self, value: &MjValue, text: &str) {
        // Only the first two matter: one node is native, more is text.
        if self.nodes.len() < 2 {
            self.nodes.push((value.clone(), text.to_string()));
        } else {
            self.nodes.push((MjValue::from(()), String::new()));
        }
    }

    /// The template's value given the text minijinja produced.
    fn result(self, output: String) -> MjValue {
        match self.nodes.as_slice() {
            [] if output.is_empty() => MjValue::from(()),
            [(value, text)] if *text == output => value.clone(),
            _ => MjValue::from(output),
        }
    }
}

/// Whether Ansible would treat the string as a template at all (it looks for the start delimiters).
pub fn is_possibly_template(text: &str) -> bool {
    text.contains("{{") || text.contains("{%") || text.contains("{#")
}

/// Renders `source` with the scope's variables and gives its native value.
pub(crate) fn render(
    scope: &Arc<Scope>,
    source: &str,
    name: &str,
    options: RenderOptions,
) -> Result<MjValue, Error> {
    let source: Cow<'_, str> = if options.escape_backslashes {
        Cow::Owned(escape_backslashes(source))
    } else {
        Cow::Borrowed(source)
    };
    scope.push_sink();
    let env = &scope.engine.env;
    let output = env
        .template_from_named_str(name, &source)
        .and_then(|template| template.render(scope.context()));
    let sink = scope.pop_sink();
    let value = sink.result(output?);
    Ok(match value.as_str() {
        Some(text) if value.kind() == minijinja::value::ValueKind::String => {
            MjValue::from(preserve_trailing_newlines(&source, text))
        }
        _ => value,
    })
}

/// Jinja drops one trailing newline of the template; Ansible adds back as many as the result lacks.
fn preserve_trailing_newlines(template: &str, result: &str) -> String {
    let wanted = trailing_newlines(template);
    let have = trailing_newlines(result);
    let mut out = result.to_string();
    for _ in have..wanted {
        out.push('\n');
    }
    out
}

fn trailing_newlines(text: &str) -> usize {
    text.bytes().rev().take_while(|b| *b == b'\n').count()
}

/// The formatter for `{{ }}` results: Python's `str()` of the value, `None` as nothing.
pub(crate) fn formatter(out: &mut Output, state: &mut State, value: &MjValue) -> Result<(), Error> {
    if value.is_undefined() {
        // Reading an attribute of an undefined value gives minijinja's own undefined error, which
        // names the expression.
        return Err(value
            .get_attr("__undefined__")
            .err()
            .unwrap_or_else(|| Error::from(ErrorKind::UndefinedError)));
    }
    if value.is_none() {
        return Ok(());
    }
    let text = python_str(value)?;
    if let Some(scope) = Scope::of_state(state) {
        scope.record_node(value, &text);
    }
    out.write_str(&text).map_err(Error::from)
}

/// Python's `str()` of a template value (lists and dicts as their repr).
pub(crate) fn python_str(value: &MjValue) -> Result<String, Error> {
    if let Some(text) = value.as_str() {
        if value.kind() == minijinja::value::ValueKind::String {
            return Ok(text.to_string());
        }
    }
    let converted = super::convert::to_value(value)?;
    Ok(pyrepr::str(&converted))
}

/// Doubles the backslashes in string literals inside `{{ }}`, as Ansible's lexer does before Jinja
/// reads escapes: `"{{ 'a\d' }}"` means the two characters `\d`, as the YAML author wrote them.
pub(crate) fn escape_backslashes(source: &str) -> String {
    if !source.contains('\\') {
        return source.to_string();
    }
    let mut out = String::with_capacity(source.len() + 8);
    let mut rest = source;
    while let Some(start) = find_tag(rest) {
        let (before, tag) = rest.split_at(start);
        out.push_str(before);
        if tag.starts_with("{#") {
            let end = tag.find("#}").map_or(tag.len(), |e| e + 2);
            out.push_str(&tag[..end]);
            rest = &tag[end..];
        } else if tag.starts_with("{%") {
            if let Some(after_raw) = raw_block_end(tag) {
                out.push_str(&tag[..after_raw]);
                rest = &tag[after_raw..];
            } else {
                let end = block_end(tag, "%}", false, &mut out);
                rest = &tag[end..];
            }
        } else {
            let end = block_end(tag, "}}", true, &mut out);
            rest = &tag[end..];
        }
    }
    out.push_str(rest);
    out
}

fn find_tag(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(1))
        .find(|&i| bytes[i] == b'{' && matches!(bytes[i + 1], b'{' | b'%' | b'#'))
}

/// Copies a `{{ }}` or `{% %}` block to `out` (doubling backslashes in its strings if `escape`) and
/// gives the length consumed; strings may contain the closing delimiter.
fn block_end(tag: &str, close: &str, escape: bool, out: &mut String) -> usize {
    let mut chars = tag.char_indices().peekable();
    let mut quote: Option<char> = None;
    // Skip the opening delimiter.
    chars.next();
    chars.next();
    out.push_str(&tag[..2]);
    while let Some((i, c)) = chars.next() {
        match quote {
            Some(q) => {
                if c == '\\' {
                    let next = chars.next().map(|(_, n)| n);
                    if !escape {
                        out.push('\\');
                        out.extend(next);
                        continue;
                    }
                    // The literal's value must be its raw text: each backslash doubled, and an
                    // escaped quote still escaped so that it does not end the literal.
                    out.push_str("\\\\");
                    match next {
                        Some('\\') => out.push_str("\\\\"),
                        Some(n) if n == q => {
                            out.push('\\');
                            out.push(n);
                        }
                        Some(n) => out.push(n),
                        None => {}
                    }
                    continue;
                }
                if c == q {
                    quote = None;
                }
                out.push(c);
            }
            None => {
                if tag[i..].starts_with(close) {
                    out.push_str(close);
                    return i + close.len();
                }
                if c == '\'' || c == '"' {
                    quote = Some(c);
                }
                out.push(c);
            }
        }
    }
    tag.len()
}

/// For `{% raw %}`, the length up to the end of the matching `{% endraw %}`.
fn raw_block_end(tag: &str) -> Option<usize> {
    let inner_end = tag.find("%}")?;
    let inner = tag[2..inner_end].trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace());
    if inner != "raw" {
        return None;
    }
    let mut search = inner_end + 2;
    while let Some(pos) = tag[search..].find("{%") {
        let at = search + pos;
        let close = tag[at..].find("%}")? + at;
        let word =
            tag[at + 2..close].trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace());
        if word == "endraw" {
            return Some(close + 2);
        }
        search = close + 2;
    }
    Some(tag.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_only_strings_in_expressions() {
        assert_eq!(escape_backslashes(r"a\n{{ 'x\d' }}"), r"a\n{{ 'x\\d' }}");
        assert_eq!(
            escape_backslashes(r#"{% set a = '\n' %}{{ "\\" ~ '}}\'' }}"#),
            r#"{% set a = '\n' %}{{ "\\\\" ~ '}}\\\'' }}"#
        );
        assert_eq!(
            escape_backslashes(r"{% raw %}{{ '\d' }}{% endraw %}{# '\d' #}"),
            r"{% raw %}{{ '\d' }}{% endraw %}{# '\d' #}"
        );
    }

    #[test]
    fn trailing_newlines_come_back() {
        assert_eq!(preserve_trailing_newlines("a\n\n", "a"), "a\n\n");
        assert_eq!(preserve_trailing_newlines("{{ x }}\n", "b\n"), "b\n");
        assert_eq!(preserve_trailing_newlines("x", "y"), "y");
    }
}
