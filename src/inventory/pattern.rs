//! Ansible host patterns (`ansible.inventory.manager`): `all`, globs, `~regex`, `a:b` / `a,b` unions,
//! `&` intersections, `!` exclusions, `[i]` / `[x:y]` subscripts, `--limit` with `@file`, and the
//! implicit localhost. Results are host names in the order Ansible returns them.

mod address;
mod glob;
mod limit;
mod matcher;
mod selector;
mod split;
mod subscript;

#[cfg(test)]
mod tests;

use thiserror::Error;

pub use address::{AddressError, parse_address};
pub use glob::Glob;
pub use limit::limit_patterns;
pub use selector::{
    HostSelector, LOCALHOST_NAMES, PatternMismatch, Selection, add_implicit_localhost, get_hosts,
};
pub use split::{order_patterns, split_host_pattern};

/// Errors worded as Ansible words them.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PatternError {
    /// A `~regex` that does not compile.
    #[error("Invalid host list pattern: {0}")]
    InvalidPattern(String),
    /// A single index past the matched hosts.
    #[error("No hosts matched the subscripted pattern '{0}'")]
    SubscriptOutOfRange(String),
    /// `HOST_PATTERN_MISMATCH=error` and a pattern matched nothing.
    #[error("Could not match supplied host pattern, ignoring: {0}")]
    NoMatch(String),
    /// A bare `!` or `&`: Ansible crashes on these (IndexError); this is the message its CLI prints.
    #[error("Unexpected Exception, this is probably a bug: string index out of range")]
    EmptyPattern(String),
    /// The path is shown as Python's bytes repr, as Ansible does.
    #[error("Unable to find limit file {0}")]
    LimitFileNotFound(String),
    #[error("Limit starting with \"@\" must be a file, not a directory: {0}")]
    LimitFileNotAFile(String),
    #[error("Unable to read limit file {0}: {1}")]
    LimitFileUnreadable(String, String),
}
