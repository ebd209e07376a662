//! Evaluating host patterns against an inventory: Ansible's `InventoryManager.get_hosts` with `subset`,
//! `_evaluate_patterns`, `_match_one_pattern` and `_enumerate_matches`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use indexmap::IndexSet;

use super::PatternError;
use super::limit::limit_patterns;
use super::matcher::NameMatcher;
use super::split::{order_patterns, split_host_pattern};
use super::subscript::{DASH_RANGE_WARNING, apply_subscript, split_subscript};
use crate::diagnostics::Diagnostic;
use crate::inventory::data::{ALL, Host, InventoryData};
use crate::value::Value;

/// Names for which Ansible makes up an implicit localhost (`C.LOCALHOST`).
pub const LOCALHOST_NAMES: [&str; 3] = ["127.0.0.1", "localhost", "::1"];

/// What to do when a pattern matches nothing (Ansible's `HOST_PATTERN_MISMATCH` setting).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PatternMismatch {
    #[default]
    Warning,
    Error,
    Ignore,
}

/// Selects hosts the way one `InventoryManager` does: a limit set with [`HostSelector::set_limit`]
/// applies to every later [`HostSelector::select`] (`get_hosts`), and the implicit localhost, once made up, is the same
/// host for all later lookups (so after `localhost` matched, `127.0.0.1` also selects `localhost`).
///
/// The inventory is not changed. When a pattern names `localhost`, `127.0.0.1` or `::1` and the
/// inventory has no such host, the selector makes one up as Ansible does: it is returned by name like
/// any other host, and [`HostSelector::implicit_localhost`] names it. It is not in `all` and matches no
/// glob or regex. Hosts flagged `implicit` in the inventory (see [`add_implicit_localhost`]) are treated
/// the same way, so a selector over an inventory that already holds the implicit host agrees.
#[derive(Clone, Debug)]
pub struct HostSelector<'a> {
    inventory: &'a InventoryData,
    /// Where a relative `@file` limit is looked for (Ansible: its working directory).
    base_dir: PathBuf,
    /// The limit's patterns; empty means no limit (Ansible tests the list's truthiness).
    subset: Vec<String>,
    mismatch: PatternMismatch,
    implicit_localhost: Option<String>,
    warnings: IndexSet<String>,
}

impl<'a> HostSelector<'a> {
    pub fn new(inventory: &'a InventoryData, base_dir: &Path) -> Self {
        Self {
            inventory,
            base_dir: base_dir.to_path_buf(),
            subset: Vec::new(),
            mismatch: PatternMismatch::default(),
            implicit_localhost: None,
            warnings: IndexSet::new(),
        }
    }

    pub fn with_mismatch(mut self, mismatch: PatternMismatch) -> Self {
        self.mismatch = mismatch;
        self
    }

    /// Sets the limit, as `--limit` does (`InventoryManager.subset`). `@file` names are resolved against
    /// the base directory; a missing file is an error now, but the patterns are only evaluated by
    /// [`HostSelector::select`], so their warnings and errors come from there.
    pub fn set_limit(&mut self, limit: &str) -> Result<(), PatternError> {
        self.subset = limit_patterns(limit, &self.base_dir)?;
        Ok(())
    }

    pub fn clear_limit(&mut self) {
        self.subset.clear();
    }

    /// The host names `pattern` selects, restricted to the limit, without duplicates, in Ansible's order:
    /// plain patterns contribute hosts in the order they are given (a group's hosts in `Group.get_hosts`
    /// order, groups in inventory order before matching host names), then `&` and `!` patterns filter.
    pub fn select(&mut self, pattern: &str) -> Result<Vec<String>, PatternError> {
        let mut hosts = self.evaluate_patterns(&split_host_pattern(pattern))?;
        if !self.subset.is_empty() {
            let subset = self.subset.clone();
            let allowed: HashSet<String> = self.evaluate_patterns(&subset)?.into_iter().collect();
            hosts.retain(|h| allowed.contains(h));
        }
        let unique: IndexSet<String> = hosts.into_iter().collect();
        Ok(unique.into_iter().collect())
    }

    /// The implicit localhost made up so far, if any (it may since have been filtered out of a result).
    pub fn implicit_localhost(&self) -> Option<&str> {
        self.implicit_localhost.as_deref()
    }

    /// Whether `name` is an implicit localhost: made up by this selector or flagged so in the inventory.
    pub fn is_implicit(&self, name: &str) -> bool {
        self.implicit_localhost.as_deref() == Some(name)
            || self.inventory.host(name).is_some_and(|h| h.implicit)
    }

    /// Warnings so far, each once (Ansible's display shows a repeated warning only once).
    pub fn warnings(&self) -> impl Iterator<Item = &str> {
        self.warnings.iter().map(String::as_str)
    }

    /// The warnings so far as diagnostics (no span: patterns come from the command line), clearing them.
    pub fn take_warnings(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.warnings)
            .into_iter()
            .map(Diagnostic::warning)
            .collect()
    }

    fn warn(&mut self, message: String) {
        self.warnings.insert(message);
    }

    /// A host of the inventory proper: implicit hosts are not in Ansible's hosts dictionary.
    fn explicit_host(&self, name: &str) -> Option<&'a Host> {
        self.inventory.host(name).filter(|h| !h.implicit)
    }

    fn evaluate_patterns<S: AsRef<str>>(
        &mut self,
        patterns: &[S],
    ) -> Result<Vec<String>, PatternError> {
        let mut hosts: Vec<String> = Vec::new();
        for p in order_patterns(patterns) {
            // A pattern naming a host is that host, even when a group has the same name.
            if self.explicit_host(&p).is_some() {
                hosts.push(p);
                continue;
            }
            let that = self.match_one_pattern(&p)?;
            if p.starts_with('!') {
                let that: HashSet<&String> = that.iter().collect();
                hosts.retain(|h| !that.contains(h));
            } else if p.starts_with('&') {
                let that: HashSet<&String> = that.iter().collect();
                hosts.retain(|h| that.contains(h));
            } else {
                let existing: HashSet<String> = hosts.iter().cloned().collect();
                hosts.extend(that.into_iter().filter(|h| !existing.contains(h)));
            }
        }
        Ok(hosts)
    }

    fn match_one_pattern(&mut self, p: &str) -> Result<Vec<String>, PatternError> {
        let pattern = p.strip_prefix(['&', '!']).unwrap_or(p);
        if pattern.is_empty() {
            return Err(PatternError::EmptyPattern(p.to_string()));
        }
        let split = split_subscript(pattern);
        if split.dash_range {
            self.warn(DASH_RANGE_WARNING.to_string());
        }
        let hosts = self.enumerate_matches(split.expr)?;
        apply_subscript(&hosts, split.subscript)
            .ok_or_else(|| PatternError::SubscriptOutOfRange(pattern.to_string()))
    }

    /// Hosts of every group whose name matches, then (when no group matched, or the pattern is a regex or
    /// has glob or `.` characters) every host whose name matches. Duplicates are kept: subscripts count them.
    fn enumerate_matches(&mut self, expr: &str) -> Result<Vec<String>, PatternError> {
        let inventory = self.inventory;
        let matcher = NameMatcher::compile(expr)
            .ok_or_else(|| PatternError::InvalidPattern(expr.to_string()))?;
        let groups: Vec<&String> = inventory
            .groups
            .keys()
            .filter(|g| matcher.is_match(g))
            .collect();
        let mut results: Vec<String> = groups.iter().flat_map(|g| inventory.hosts_of(g)).collect();

        let wildcard = expr.starts_with('~') || expr.contains(['.', '?', '*', '[']);
        if groups.is_empty() || wildcard {
            results.extend(
                inventory
                    .hosts
                    .values()
                    .filter(|h| !h.implicit && matcher.is_match(&h.name))
                    .map(|h| h.name.clone()),
            );
        }
        if results.is_empty() && LOCALHOST_NAMES.contains(&expr) {
            results.push(self.localhost(expr));
        }
        if results.is_empty() && groups.is_empty() && expr != ALL {
            let message = format!("Could not match supplied host pattern, ignoring: {expr}");
            match self.mismatch {
                PatternMismatch::Warning => self.warn(message),
                PatternMismatch::Error => return Err(PatternError::NoMatch(expr.to_string())),
                PatternMismatch::Ignore => {}
            }
        }
        Ok(results)
    }

    /// Ansible's `InventoryData.get_host` for a localhost-like name: the host of that name, else the
    /// inventory's first localhost-like host, else the implicit localhost (made up on first use).
    fn localhost(&mut self, name: &str) -> String {
        if self.explicit_host(name).is_some() {
            return name.to_string();
        }
        let existing = self
            .inventory
            .hosts
            .keys()
            .find(|h| LOCALHOST_NAMES.contains(&h.as_str()));
        if let Some(existing) = existing {
            return existing.clone();
        }
        self.implicit_localhost
            .get_or_insert_with(|| name.to_string())
            .clone()
    }
}

/// The result of [`get_hosts`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub hosts: Vec<String>,
    /// Set when one of `hosts` is the implicit localhost (not defined by the inventory).
    pub implicit_localhost: Option<String>,
    /// Warnings Ansible would print, in order, each once.
    pub warnings: Vec<String>,
}

/// One-shot selection: `inv.subset(limit)` then `inv.get_hosts(pattern)` on a fresh manager. Warnings
/// given before an error are dropped; use [`HostSelector`] to keep them.
pub fn get_hosts(
    inventory: &InventoryData,
    pattern: &str,
    limit: Option<&str>,
    base_dir: &Path,
) -> Result<Selection, PatternError> {
    let mut selector = HostSelector::new(inventory, base_dir);
    if let Some(limit) = limit {
        selector.set_limit(limit)?;
    }
    let hosts = selector.select(pattern)?;
    let implicit_localhost = hosts.iter().find(|h| selector.is_implicit(h)).cloned();
    Ok(Selection {
        hosts,
        implicit_localhost,
        warnings: selector.warnings().map(str::to_string).collect(),
    })
}

/// Adds the implicit localhost to the inventory as Ansible builds it (`_create_implicit_localhost`):
/// flagged `implicit`, in no group (so outside `all` and `ungrouped`), with `ansible_python_interpreter`
/// set to the controller's Python and `ansible_connection: local`. Does nothing if the host exists.
pub fn add_implicit_localhost(inventory: &mut InventoryData, name: &str, python_interpreter: &str) {
    if inventory.hosts.contains_key(name) {
        return;
    }
    let mut host = Host {
        name: name.to_string(),
        implicit: true,
        ..Host::default()
    };
    host.vars.insert(
        "ansible_python_interpreter".to_string(),
        Value::Str(python_interpreter.to_string()),
    );
    host.vars.insert(
        "ansible_connection".to_string(),
        Value::Str("local".to_string()),
    );
    inventory.hosts.insert(name.to_string(), host);
}
