//! Where granit-parser (YAML 1.2) and libyaml (YAML 1.1, what Ansible uses through PyYAML's CParser)
//! disagree on syntax: small checks on the source text around the tokens granit reports, so plimsoll
//! rejects what Ansible rejects (or accepts what it accepts).

use crate::diagnostics::Diagnostic;
use crate::source::{SourceFile, Span};

/// Where the colon of an alias key (`*name:`) starting at `at` is.
pub fn alias_key_colon(text: &str, at: usize) -> Option<usize> {
    let rest = text.get(at..)?.strip_prefix('*')?;
    let name = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
        .count();
    (name > 0 && rest.as_bytes().get(name) == Some(&b':')).then_some(at + 1 + name)
}

/// The text from the start of the line to `token_start` when it is made only of block indicators
/// (`-`, `?`) and blanks, with at least one indicator: then the token follows an indicator.
pub fn indicator_prefix(text: &str, token_start: usize) -> Option<&str> {
    let before = text.get(..token_start)?;
    let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line = before.get(line_start..)?;
    let indicators = line.trim_end_matches([' ', '\t']);
    let only = indicators.ends_with(['-', '?'])
        && indicators
            .split([' ', '\t'])
            .all(|word| word.is_empty() || word == "-" || word == "?");
    only.then_some(line)
}

/// Where a tab sits between a block indicator (`-`, `?`) and the token at `token_start`, if it does.
/// Only a line made of indicators up to that point counts: otherwise the `-` belongs to something else.
pub fn tab_after_indicator(text: &str, token_start: usize) -> Option<usize> {
    let line = indicator_prefix(text, token_start)?;
    let gap_start = line.trim_end_matches([' ', '\t']).len();
    let tab = line.get(gap_start..)?.find('\t')?;
    Some(token_start - line.len() + gap_start + tab)
}

/// libyaml's anchor names are ASCII letters, digits, `-` and `_` (YAML 1.2 allows far more, e.g. `.`).
pub fn check_anchor_name(name: &str, what: &str, span: &Span) -> Result<(), Diagnostic> {
    if !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Ok(());
    }
    Err(Diagnostic::error(format!(
        "YAML parsing failed: while scanning {what}, did not find expected alphabetic or numeric character."
    ))
    .at(span.clone())
    .with_help("YAML 1.1 (and so Ansible) allows only letters, digits, `-` and `_` in anchor and alias names."))
}

/// YAML 1.1 (libyaml, and so Ansible) reads NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR as line
/// breaks; granit follows YAML 1.2, where they are ordinary characters. Rather than read such a file
/// differently from Ansible, refuse it.
pub fn refuse_yaml11_line_breaks(file: &SourceFile) -> Result<(), Diagnostic> {
    let Some((offset, c)) = file
        .text()
        .char_indices()
        .find(|(_, c)| matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}'))
    else {
        return Ok(());
    };
    let (name, escape) = match c {
        '\u{85}' => ("U+0085 (NEXT LINE)", "\\N"),
        '\u{2028}' => ("U+2028 (LINE SEPARATOR)", "\\L"),
        _ => ("U+2029 (PARAGRAPH SEPARATOR)", "\\P"),
    };
    Err(Diagnostic::error(format!(
        "YAML parsing failed: the file contains {name}, which YAML 1.1 (and so Ansible) reads as a line break \
         but plimsoll's parser does not."
    ))
    .at(file.span(offset, c.len_utf8()))
    .with_help(format!(
        "Replace it with an ordinary line break, or write it as `{escape}` inside a double-quoted string."
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_after_block_indicators_are_found() {
        assert_eq!(tab_after_indicator("-\ta", 2), Some(1));
        assert_eq!(tab_after_indicator("x: 1\n- - \ta", 10), Some(9));
        assert_eq!(tab_after_indicator("? \ta", 3), Some(2));
        assert_eq!(tab_after_indicator("a:\tb", 3), None);
        assert_eq!(tab_after_indicator("- a -\tb", 7), None);
        assert_eq!(tab_after_indicator("- a", 2), None);
    }
}
