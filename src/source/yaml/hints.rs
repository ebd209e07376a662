//! The hints Ansible adds to YAML syntax errors (`_internal/_yaml/_errors.py`): it looks at the line the
//! error points to and guesses the usual mistake. We keep the parser's message and offer the guess as help.

use std::sync::LazyLock;

use regex::Regex;

static TEMPLATE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\s*(?:-\s+)*(?:[\w\s]+:\s+)?(?P<value>\{\{.*\}\})").ok());
static VALUE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\s*(?:-\s+)*(?:[\w\s\[\]{}]+:\s+)?(?P<value>.*)$").ok());
static QUOTED: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r#"^\s*('[^']*'|"[^"]*")\s*$"#).ok());
static UNQUOTED_COLON: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r":($| )").ok());

pub const TEMPLATE_HELP: &str = "This may be an issue with missing quotes around a template block: \
    YAML reads `{{ some_var }}` as a mapping. Write `raw: \"{{ some_var }}\"` instead of `raw: {{ some_var }}`.";

/// The help Ansible would give for an error reported on `line`, if one of its heuristics applies.
pub fn hint_for_line(line: &str) -> Option<String> {
    if line.contains('\t') {
        return Some("Tabs are usually invalid in YAML: indent with spaces.".into());
    }
    if TEMPLATE.as_ref().is_some_and(|r| r.is_match(line)) {
        return Some(TEMPLATE_HELP.into());
    }
    if !line.trim_start().starts_with(':') {
        let value = VALUE
            .as_ref()
            .and_then(|r| r.captures(line))
            .and_then(|c| c.name("value"))
            .map(|m| m.as_str())?;
        let unquoted = QUOTED.as_ref().is_none_or(|r| !r.is_match(value));
        if unquoted && UNQUOTED_COLON.as_ref().is_some_and(|r| r.is_match(value)) {
            return Some(
                "Colons in unquoted values must be followed by a non-space character; quote the value, \
                 e.g. `raw: \"echo 'name: ansible'\"`."
                    .into(),
            );
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_ansibles_usual_suspects() {
        assert_eq!(
            hint_for_line("a: {{ foo }}").as_deref(),
            Some(TEMPLATE_HELP)
        );
        assert!(hint_for_line("\ta: 1").is_some_and(|h| h.starts_with("Tabs")));
        assert!(hint_for_line("- msg: echo name: x").is_some_and(|h| h.starts_with("Colons")));
        assert_eq!(hint_for_line("a: 'x: y'"), None);
    }
}
