//! Ansible's INI inventory plugin (ansible-core 2.19): sections `[group]`, `[group:vars]`,
//! `[group:children]` (and `[group:hosts]`, the same as `[group]`), hosts before any header in
//! `ungrouped`, host lines cut with shlex and their `key=value` words read as Python literals.
//!
//! Behaviour kept from Ansible that is easy to get wrong:
//! - `:vars` values are typed as Python literals too (`x=1` is an int, `x=[1, 2]` a list); only the
//!   inline values split on spaces. A `:vars` line is `key=value` split at the first `=`, both stripped,
//!   so `k = v = w` gives "v = w", and a `#` or `;` after the value is part of it (`x=foo # c` is
//!   "foo # c"), except that `x=1 # c` is the int 1 (Python's parser skips the comment).
//! - `[g:vars]` may come before `[g]`, and `[p:children]` may name a group declared later. What is still
//!   undeclared at the end is an error, the first one in the order the references were made. A group
//!   that has `[g:vars]` and is only ever named as a child is an error either way round.
//! - Everything done before an error stays in the inventory (Ansible does not roll back).
//! - A host's port (`host:2222`) becomes `ansible_port` only when the host is first created, and port 0
//!   is no port.
//! - Only `#` starts a comment on a section header or a children line; `;` works only at the start of a
//!   line. On host lines shlex treats `#` as a comment at the start of a word or inside one.

use std::collections::HashSet;

use indexmap::IndexMap;
use regex::Regex;
use std::sync::LazyLock;

use super::data::{InventoryData, InventoryError, UNGROUPED};
use super::host_range::expand_hostpattern_wide;
use super::pyliteral::parse_value;
use super::pystr::{parse_int, splitlines, strip};
use super::shlex::{ShlexError, shlex_split};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::source::{SourceFile, Span};
use crate::value::Value;
use crate::value::pyrepr::repr_str;

/// Python's `\s` also matches U+001C..U+001F, which Rust's does not.
static SECTION: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^\[([^:\]\s\x1c-\x1f]+)(?::(\w+))?\][\s\x1c-\x1f]*(?:#.*)?$").ok()
});
static GROUP_NAME: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^([^:\]\s\x1c-\x1f]+)[\s\x1c-\x1f]*(?:#.*)?$").ok());

/// Reads an INI inventory into `inventory`, calling its methods in the order Ansible's plugin does.
/// Warnings go to `diagnostics`; the first error stops the parse (what was added before it stays).
pub fn parse_ini(
    file: &SourceFile,
    inventory: &mut InventoryData,
    diagnostics: &mut Diagnostics,
) -> Result<(), Diagnostic> {
    inventory.current_source = Some(file.path().display().to_string());
    let mut parser = IniParser {
        file,
        inventory,
        diagnostics,
        pending: IndexMap::new(),
        warned_groups: HashSet::new(),
    };
    parser.parse()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Hosts,
    Vars,
    Children,
}

/// A group named before it was declared: by `[g:vars]`, or as a child in `[p:children]`.
struct Pending {
    state: State,
    /// Where it was first named.
    at: Span,
    /// For a pending child: the groups that named it, in order.
    parents: Vec<String>,
}

struct IniParser<'a> {
    file: &'a SourceFile,
    inventory: &'a mut InventoryData,
    diagnostics: &'a mut Diagnostics,
    pending: IndexMap<String, Pending>,
    warned_groups: HashSet<String>,
}

/// One stripped, non-empty line and where it starts in the file.
#[derive(Clone, Copy)]
struct Line<'t> {
    text: &'t str,
    offset: usize,
}

impl IniParser<'_> {
    fn span(&self, offset: usize, len: usize) -> Span {
        self.file.span(offset, len)
    }

    fn line_span(&self, line: Line<'_>) -> Span {
        self.span(line.offset, line.text.len())
    }

    fn parse(&mut self) -> Result<(), Diagnostic> {
        let text = self.file.text();
        let mut group = UNGROUPED.to_string();
        let mut state = State::Hosts;
        for (offset, raw) in splitlines(text) {
            let (lead, stripped) = strip(raw);
            let line = Line {
                text: stripped,
                offset: offset + lead,
            };
            if stripped.is_empty() || stripped.starts_with(['#', ';']) {
                continue;
            }
            if let Some((name, new_state)) = self.section(line)? {
                group = name;
                state = new_state;
                continue;
            }
            if stripped.starts_with('[') && stripped.ends_with(']') {
                return Err(Diagnostic::error(format!(
                    "Invalid section entry: '{stripped}'. Please make sure that there are no spaces in the section entry, \
                     and that there are no other invalid characters"
                ))
                .at(self.line_span(line))
                .with_help("a section header is [group], [group:vars] or [group:children]; the group name cannot hold spaces, ':' or ']'"));
            }
            match state {
                State::Hosts => self.host_line(line, &group)?,
                State::Vars => self.vars_line(line, &group)?,
                State::Children => self.children_line(line, &group)?,
            }
        }
        self.check_pending()
    }

    /// A `[group:state]` header: declares the group and resolves what was waiting for it.
    fn section(&mut self, line: Line<'_>) -> Result<Option<(String, State)>, Diagnostic> {
        let Some(found) = SECTION.as_ref().and_then(|re| re.captures(line.text)) else {
            return Ok(None);
        };
        let Some(name_match) = found.get(1) else {
            return Ok(None);
        };
        let name = name_match.as_str().to_string();
        let name_span = self.span(line.offset + name_match.start(), name_match.len());
        self.check_group_name(&name, &name_span);
        let state = match found.get(2) {
            None => State::Hosts,
            Some(tag) => match tag.as_str() {
                "hosts" => State::Hosts,
                "vars" => State::Vars,
                "children" => State::Children,
                other => {
                    return Err(Diagnostic::error(format!(
                        "Section [{name}:{other}] has unknown type: {other}"
                    ))
                    .at(self.span(line.offset + tag.start(), tag.len()))
                    .with_help("a section is [group] (hosts), [group:vars] or [group:children]"));
                }
            },
        };
        if !self.inventory.groups.contains_key(&name) {
            // `[g:vars]` does not declare `g`: it must be declared elsewhere in this file. A group already
            // waiting as a child keeps that (earlier) reason to be declared.
            if state == State::Vars && !self.pending.contains_key(&name) {
                let pending = Pending {
                    state,
                    at: name_span.clone(),
                    parents: Vec::new(),
                };
                self.pending.insert(name.clone(), pending);
            }
            self.inventory
                .add_group(&name, Some(name_span.clone()))
                .map_err(|e| inventory_error(e, name_span.clone()))?;
        }
        if state != State::Vars {
            match self.pending.get(&name).map(|p| p.state) {
                Some(State::Children) => self.add_pending_children(&name, &name_span)?,
                Some(State::Vars) => {
                    self.pending.shift_remove(&name);
                }
                _ => {}
            }
        }
        Ok(Some((name, state)))
    }

    /// Ansible (by default) keeps group names with characters invalid in variable names, with a warning.
    fn check_group_name(&mut self, name: &str, at: &Span) {
        let invalid = invalid_group_chars(name);
        if invalid.is_empty() || !self.warned_groups.insert(name.to_string()) {
            return;
        }
        let listed: Vec<String> = invalid.iter().map(|c| repr_str(&c.to_string())).collect();
        self.diagnostics.push(
            Diagnostic::warning("Invalid characters were found in group names but not replaced, use -vvvv to see details")
                .at(at.clone())
                .with_help(format!(
                    "invalid character(s) \"{{{}}}\" in group name ({name}); group names usable as variable names \
                     hold only letters, digits and '_', and do not start with a digit",
                    listed.join(", ")
                )),
        );
    }

    /// A group named as a child before its declaration is now declared: attach it to every group that
    /// named it, and resolve those in turn if they were waiting too.
    fn add_pending_children(&mut self, group: &str, at: &Span) -> Result<(), Diagnostic> {
        // Ansible deletes the entry after the loop; taking it first changes nothing (a group cannot be
        // its own parent) and rules out endless recursion.
        let Some(pending) = self.pending.shift_remove(group) else {
            return Ok(());
        };
        for parent in pending.parents {
            self.inventory
                .add_child(&parent, group)
                .map_err(|e| inventory_error(e, at.clone()))?;
            if self
                .pending
                .get(&parent)
                .is_some_and(|p| p.state == State::Children)
            {
                self.add_pending_children(&parent, at)?;
            }
        }
        Ok(())
    }

    fn host_line(&mut self, line: Line<'_>, group: &str) -> Result<(), Diagnostic> {
        let tokens = shlex_split(line.text, true).map_err(|e| {
            let (at, help) = match e {
                ShlexError::NoClosingQuotation { at } => {
                    (at, "close the quote, or escape it with a backslash")
                }
                ShlexError::NoEscapedCharacter { at } => (
                    at,
                    "a backslash at the end of a line escapes nothing: remove it",
                ),
            };
            Diagnostic::error(format!(
                "Error parsing host definition '{}': {e}",
                line.text
            ))
            .at(self.span(line.offset + at, 1))
            .with_help(help)
        })?;
        let Some(first) = tokens.first() else {
            return Err(Diagnostic::error("list index out of range").at(self.line_span(line)));
        };
        let pattern_span = self.span(line.offset + first.start, first.end - first.start);
        let pattern = first.text.as_str();
        let (hosts, port) = expand_hostpattern_wide(pattern).map_err(|e| {
            Diagnostic::error(e.to_string())
                .at(pattern_span.clone())
                .with_help(
                    "a host range is [start:end] or [start:end:step], as in web[01:10] or db-[a:f]",
                )
        })?;
        if strip(pattern).1.ends_with(':') && port.is_none() {
            return Err(Diagnostic::error(format!(
                "Invalid host pattern '{pattern}' supplied, ending in ':' is not allowed, this character is reserved to provide a port."
            ))
            .at(pattern_span)
            .with_help("remove the ':' or give a port after it, as in host:2222"));
        }
        if hosts.iter().any(|h| strip(h).1 == "---") {
            return Err(Diagnostic::error(format!(
                "Invalid host pattern '{pattern}' supplied, '---' is normally a sign this is a YAML file."
            ))
            .at(pattern_span)
            .with_help("a YAML inventory needs a .yml or .yaml extension (or no extension)"));
        }
        let mut variables: IndexMap<String, Value> = IndexMap::new();
        for token in tokens.iter().skip(1) {
            let token_span = self.span(line.offset + token.start, token.end - token.start);
            let Some((key, raw)) = token.text.split_once('=') else {
                return Err(Diagnostic::error(format!(
                    "Expected key=value host variable assignment, got: {}",
                    token.text
                ))
                .at(token_span)
                .with_help("after the host, every word is key=value; quote a value with spaces: key=\"a b\""));
            };
            let value = self.value(raw, &token_span)?;
            variables.insert(key.to_string(), value);
        }
        // Python's Host() sets ansible_port only for a truthy port; the model holds ports up to 65535.
        let (model_port, big_port) = match port {
            Some(0) | None => (None, None),
            Some(p) => match u16::try_from(p) {
                Ok(p) => (Some(p), None),
                Err(_) => (None, Some(p)),
            },
        };
        for host in &hosts {
            let is_new = !self.inventory.hosts.contains_key(host);
            self.inventory
                .add_host(host, Some(group), model_port, Some(pattern_span.clone()))
                .map_err(|e| inventory_error(e, pattern_span.clone()))?;
            if let (true, Some(p)) = (is_new, big_port) {
                let value = Value::Int(i128::try_from(p).unwrap_or(i128::MAX));
                self.set_variable(host, "ansible_port", value, &pattern_span)?;
            }
            for (key, value) in &variables {
                self.set_variable(host, key, value.clone(), &pattern_span)?;
            }
        }
        Ok(())
    }

    /// `key=value` in a `[group:vars]` section: split at the first `=`, both sides stripped.
    fn vars_line(&mut self, line: Line<'_>, group: &str) -> Result<(), Diagnostic> {
        let Some((key, raw)) = line.text.split_once('=') else {
            return Err(
                Diagnostic::error(format!("Expected key=value, got: {}", line.text))
                    .at(self.line_span(line))
                    .with_help("each line of a [group:vars] section is key=value"),
            );
        };
        let (_, key) = strip(key);
        let (_, raw) = strip(raw);
        let span = self.line_span(line);
        let value = self.value(raw, &span)?;
        if key == "ansible_group_priority" {
            check_priority(&value).map_err(|m| {
                Diagnostic::error(m)
                    .at(span.clone())
                    .with_help("ansible_group_priority must be an integer")
            })?;
        }
        self.set_variable(group, key, value, &span)
    }

    fn children_line(&mut self, line: Line<'_>, group: &str) -> Result<(), Diagnostic> {
        let Some(found) = GROUP_NAME.as_ref().and_then(|re| re.captures(line.text)) else {
            return Err(Diagnostic::error(format!("Expected group name, got: {}", line.text))
                .at(self.line_span(line))
                .with_help("each line of a [group:children] section names one group; only '#' starts a comment after it"));
        };
        let Some(name_match) = found.get(1) else {
            return Ok(());
        };
        let child = name_match.as_str();
        let span = self.span(line.offset + name_match.start(), name_match.len());
        if self.inventory.groups.contains_key(child) {
            self.inventory
                .add_child(group, child)
                .map_err(|e| inventory_error(e, span))?;
        } else if let Some(pending) = self.pending.get_mut(child) {
            pending.parents.push(group.to_string());
        } else {
            let pending = Pending {
                state: State::Children,
                at: span,
                parents: vec![group.to_string()],
            };
            self.pending.insert(child.to_string(), pending);
        }
        Ok(())
    }

    /// Anything still waiting for a declaration is an error; Ansible reports the first.
    fn check_pending(&mut self) -> Result<(), Diagnostic> {
        let Some((name, pending)) = self.pending.first() else {
            return Ok(());
        };
        let error = match pending.state {
            State::Children => {
                let parent = pending.parents.last().map_or("", String::as_str);
                Diagnostic::error(format!(
                    "Section [{parent}:children] includes undefined group {}.",
                    repr_str(name)
                ))
                .with_help(format!("declare it in this file with a [{name}] or [{name}:children] section"))
            }
            _ => Diagnostic::error(format!(
                "Section [{name}:vars] not valid for undefined group {}.",
                repr_str(name)
            ))
            .with_help(format!(
                "declare it in this file with a [{name}] or [{name}:children] section (naming it as a child is not enough)"
            )),
        };
        Err(error.at(pending.at.clone()))
    }

    /// `_parse_value`, with its Python exceptions turned into errors and its losses into warnings.
    fn value(&mut self, raw: &str, at: &Span) -> Result<Value, Diagnostic> {
        let parsed = parse_value(raw).map_err(|message| {
            Diagnostic::error(message)
                .at(at.clone())
                .with_help("dict keys and set elements must be hashable numbers, strings or tuples; quote the value to keep it a string")
        })?;
        for note in parsed.notes {
            self.diagnostics
                .push(Diagnostic::warning(note).at(at.clone()));
        }
        Ok(parsed.value)
    }

    fn set_variable(
        &mut self,
        entity: &str,
        key: &str,
        value: Value,
        at: &Span,
    ) -> Result<(), Diagnostic> {
        self.inventory
            .set_variable(entity, key, value)
            .map_err(|e| inventory_error(e, at.clone()))
    }
}

/// The characters Ansible's `to_safe_group_name` objects to (`^[\d\W]|[^\w]`), in order, once each.
fn invalid_group_chars(name: &str) -> Vec<char> {
    let is_word = |c: char| c == '_' || c.is_alphanumeric();
    let is_digit = |c: char| c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric());
    let mut invalid: Vec<char> = Vec::new();
    for (index, c) in name.chars().enumerate() {
        let bad = !is_word(c) || (index == 0 && is_digit(c));
        if bad && !invalid.contains(&c) {
            invalid.push(c);
        }
    }
    invalid
}

/// Python's `int(value)` on `ansible_group_priority`, with its error messages.
fn check_priority(value: &Value) -> Result<(), String> {
    match value {
        Value::Int(_) | Value::Bool(_) => Ok(()),
        Value::Float(f) if f.is_finite() => Ok(()),
        Value::Float(f) if f.is_nan() => Err("cannot convert float NaN to integer".into()),
        Value::Float(_) => Err("cannot convert float infinity to integer".into()),
        Value::Str(s) => parse_int(s).map(|_| ()),
        // The type names are those of Ansible's origin-tagged containers.
        other => Err(format!(
            "int() argument must be a string, a bytes-like object or a real number, not '{}'",
            match other {
                Value::List(_) => "_AnsibleTaggedList",
                Value::Map(_) => "_AnsibleTaggedDict",
                _ => "NoneType",
            }
        )),
    }
}

fn inventory_error(error: InventoryError, at: Span) -> Diagnostic {
    let message = match &error {
        InventoryError::GroupIsOwnChild(_) => "can't add group to itself".to_string(),
        InventoryError::EmptyHostName => "Invalid empty host name provided:".to_string(),
        other => other.to_string(),
    };
    let help = match &error {
        InventoryError::RecursiveGroup { .. } | InventoryError::GroupIsOwnChild(_) => {
            "a group cannot be its own ancestor: check the [group:children] sections"
        }
        InventoryError::EmptyHostName => "a host name cannot be empty ('' or \"\")",
        _ => "check the inventory structure around this line",
    };
    Diagnostic::error(message).at(at).with_help(help)
}

#[cfg(test)]
mod tests;
