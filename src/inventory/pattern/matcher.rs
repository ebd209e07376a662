//! Matching one pattern against group and host names (Ansible's `_match_list`): a glob, or with a
//! leading `~` a Python regular expression applied with `re.match` (anchored at the start only).
//!
//! The regex is compiled with the `regex` crate. Differences from Python's `re`:
//! - look-around, backreferences, atomic groups and possessive quantifiers are rejected (Python accepts
//!   them), reported as the same "Invalid host list pattern" error Ansible gives for a bad regex;
//! - a `{` that does not start a repetition is an error here but a literal in Python;
//! - some syntax Python rejects is accepted (`\z`, `\p{..}`, `[[:alpha:]]` classes, flags mid-pattern);
//! - `\Z` is rewritten to `\z` (end of text in both); `$` does not match before a final newline;
//! - Unicode classes (`\w`, `\d`, `\s`) differ at the edges.

use regex::Regex;

use super::glob::Glob;

#[derive(Clone, Debug)]
pub enum NameMatcher {
    Glob(Glob),
    Regex(Regex),
}

impl NameMatcher {
    /// Compiles `pattern` (with its `~`, if any). None means Python's `re.compile` would have failed
    /// (or the `regex` crate cannot express it).
    pub fn compile(pattern: &str) -> Option<Self> {
        match pattern.strip_prefix('~') {
            None => Some(Self::Glob(Glob::new(pattern))),
            Some(expr) => {
                let expr = python_to_rust_regex(expr);
                // Compiled on its own first, so an unbalanced `)` cannot pair with the wrapper's group.
                Regex::new(&expr).ok()?;
                Regex::new(&format!(r"\A(?:{expr})")).ok().map(Self::Regex)
            }
        }
    }

    pub fn is_match(&self, name: &str) -> bool {
        match self {
            Self::Glob(glob) => glob.is_match(name),
            Self::Regex(re) => re.is_match(name),
        }
    }
}

/// Rewrites the Python-only escape `\Z` (end of text) to Rust's `\z`.
fn python_to_rust_regex(expr: &str) -> String {
    let mut out = String::with_capacity(expr.len());
    let mut chars = expr.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('Z') => out.push_str(r"\z"),
            Some(next) => {
                out.push('\\');
                out.push(next);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, name: &str) -> bool {
        NameMatcher::compile(pattern).is_some_and(|p| p.is_match(name))
    }

    /// Python: `re.compile(p).match(n)`; rows checked on Python 3.11.7.
    #[test]
    fn regex_is_anchored_at_the_start_only() {
        assert!(m("~w[0-9]", "w1x"));
        assert!(!m("~[0-9]", "w1"));
        assert!(m("~", "anything"));
        assert!(m("~(?i)H1", "h1"));
        assert!(m(r"~h\d\Z", "h1"));
        assert!(!m(r"~h\d\Z", "h12"));
        assert!(m("~a|b", "b"));
    }

    #[test]
    fn bad_regexes_do_not_compile() {
        assert!(NameMatcher::compile("~(").is_none());
        assert!(NameMatcher::compile("~a)(b").is_none());
        assert!(NameMatcher::compile("~*").is_none());
    }

    #[test]
    fn without_tilde_it_is_a_glob() {
        assert!(m("w*", "w1"));
        assert!(!m("w*", "xw1"));
        assert!(m("(", "("));
    }
}
