//! The edit `ansible.builtin.lineinfile` makes, as a pure function of the file's current text, step
//! for step as Ansible's `present()` and `absent()` make it. Lines keep their endings (Python's
//! `readlines()`); patterns are Python's, searched in each line.

use fancy_regex::Regex;

use crate::value::pyregex::{self, Part};

/// A Python pattern, compiled once at parse time.
#[derive(Clone, Debug)]
pub struct Pattern {
    pub source: String,
    regex: Regex,
}

impl Pattern {
    pub fn compile(source: &str) -> Result<Self, String> {
        Regex::new(&pyregex::translate(source))
            .map(|regex| Self {
                source: source.to_string(),
                regex,
            })
            .map_err(|e| format!("invalid regular expression {source:?}: {e}"))
    }

    /// `re.search(line)`. Python's `$` also matches before a line's final `\n`, which the regex
    /// engine's `$` does not: the line is searched without it.
    fn search<'t>(&self, line: &'t str) -> Result<Option<fancy_regex::Captures<'t, str>>, String> {
        self.regex
            .captures(line.strip_suffix('\n').unwrap_or(line))
            .map_err(|e| format!("regular expression {:?}: {e}", self.source))
    }

    /// Whether this pattern has Python's inline MULTILINE flag (`(?m)`), which makes blockinfile
    /// search the whole text instead of each line.
    pub fn is_multiline(&self) -> bool {
        self.source
            .strip_prefix("(?")
            .and_then(|rest| rest.split(')').next())
            .is_some_and(|flags| {
                flags.chars().all(|c| c.is_ascii_alphabetic()) && flags.contains('m')
            })
    }

    pub fn regex(&self) -> &Regex {
        &self.regex
    }
}

/// Where a missing line goes (`insertafter`/`insertbefore`; Ansible's default is after EOF).
#[derive(Clone, Debug)]
pub enum Insert {
    AfterEof,
    /// `insertafter: BOF` or `insertbefore: BOF`.
    Bof,
    After(Pattern),
    Before(Pattern),
}

/// What selects the line to replace or remove.
#[derive(Clone, Debug)]
pub enum Selector {
    Regexp(Pattern),
    SearchString(String),
    /// Only `line` itself, compared without its line ending.
    Line,
}

#[derive(Clone, Debug)]
pub struct LineEdit {
    pub selector: Selector,
    pub line: Option<String>,
    pub present: bool,
    pub insert: Insert,
    pub backrefs: bool,
    pub firstmatch: bool,
}

/// Python's `readlines()`: every line keeps its `\n`; the last may have none.
pub fn split_lines(text: &str) -> Vec<String> {
    text.split_inclusive('\n').map(str::to_string).collect()
}

fn without_ending(line: &str) -> &str {
    line.trim_end_matches(['\r', '\n'])
}

/// The text after the edit.
pub fn edit(text: &str, edit: &LineEdit) -> Result<String, String> {
    let mut lines = split_lines(text);
    if edit.present {
        present(&mut lines, edit)?;
    } else {
        absent(&mut lines, edit)?;
    }
    Ok(lines.concat())
}

/// The last (or with `firstmatch` the first) line the selector finds, with the regexp's captures
/// expanded into `line` when `backrefs` asks for it.
fn find_selected(
    lines: &[String],
    edit: &LineEdit,
    line: &str,
) -> Result<Option<(usize, String)>, String> {
    let mut found = None;
    for (index, current) in lines.iter().enumerate() {
        let hit = match &edit.selector {
            Selector::Regexp(pattern) => match pattern.search(current)? {
                None => None,
                Some(caps) if edit.backrefs => Some(expand(line, &caps)?),
                Some(_) => Some(line.to_string()),
            },
            Selector::SearchString(needle) => {
                current.contains(needle.as_str()).then(|| line.to_string())
            }
            Selector::Line => None,
        };
        if let Some(new_line) = hit {
            found = Some((index, new_line));
            if edit.firstmatch {
                break;
            }
        }
    }
    Ok(found)
}

fn expand(template: &str, caps: &fancy_regex::Captures<'_, str>) -> Result<String, String> {
    let parts: Vec<Part> = pyregex::parse_replacement(template)
        .map_err(|e| format!("line: {e} (backrefs: true reads line as a replacement template)"))?;
    let mut out = String::new();
    pyregex::expand(&parts, caps, &mut out)?;
    Ok(out)
}

fn with_newline(mut line: String) -> String {
    if !line.ends_with('\n') {
        line.push('\n');
    }
    line
}

fn present(lines: &mut Vec<String>, edit: &LineEdit) -> Result<(), String> {
    let line = edit.line.as_deref().unwrap_or_default();
    let selected = find_selected(lines, edit, line)?;
    if let Some((index, new_line)) = selected {
        let new_line = with_newline(new_line);
        if lines[index] != new_line {
            lines[index] = new_line;
        }
        return Ok(());
    }
    // Nothing selected: an identical line, or else where to insert.
    let mut exact = None;
    let mut insert_at = None;
    for (index, current) in lines.iter().enumerate() {
        if without_ending(current) == line {
            exact = Some(index);
            continue;
        }
        let (pattern, offset) = match &edit.insert {
            Insert::After(p) => (p, 1),
            Insert::Before(p) => (p, 0),
            _ => continue,
        };
        if pattern.search(current)?.is_some() {
            insert_at = Some(index + offset);
            if edit.firstmatch {
                break;
            }
        }
    }
    if let Some(index) = exact {
        let new_line = with_newline(line.to_string());
        if lines[index] != new_line {
            lines[index] = new_line;
        }
        return Ok(());
    }
    if edit.backrefs {
        // A regexp that matched nothing leaves the file as it is.
        return Ok(());
    }
    let new_line = with_newline(line.to_string());
    match (&edit.insert, insert_at) {
        (Insert::Bof, _) => lines.insert(0, new_line),
        (Insert::AfterEof, _) | (_, None) => {
            if let Some(last) = lines.last_mut()
                && !last.ends_with(['\n', '\r'])
            {
                last.push('\n');
            }
            lines.push(new_line);
        }
        (Insert::After(_), Some(at)) => {
            if at == lines.len() {
                if without_ending(&lines[at - 1]) != line {
                    lines.push(new_line);
                }
            } else if without_ending(&lines[at]) != line {
                lines.insert(at, new_line);
            }
        }
        (Insert::Before(_), Some(at)) => lines.insert(at, new_line),
    }
    Ok(())
}

fn absent(lines: &mut Vec<String>, edit: &LineEdit) -> Result<(), String> {
    let line = edit.line.as_deref().unwrap_or_default();
    let mut kept = Vec::with_capacity(lines.len());
    for current in lines.drain(..) {
        let matched = match &edit.selector {
            Selector::Regexp(pattern) => pattern.search(&current)?.is_some(),
            Selector::SearchString(needle) => current.contains(needle.as_str()),
            Selector::Line => without_ending(&current) == line,
        };
        if !matched {
            kept.push(current);
        }
    }
    *lines = kept;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(p: &str) -> Pattern {
        Pattern::compile(p).unwrap()
    }

    fn present_edit(selector: Selector, line: &str, insert: Insert) -> LineEdit {
        LineEdit {
            selector,
            line: Some(line.into()),
            present: true,
            insert,
            backrefs: false,
            firstmatch: false,
        }
    }

    #[test]
    fn a_regexp_replaces_the_last_match_or_with_firstmatch_the_first() {
        let text = "a=1\nb=2\na=3\n";
        let mut e = present_edit(Selector::Regexp(pattern("^a=")), "a=9", Insert::AfterEof);
        assert_eq!(edit(text, &e).unwrap(), "a=1\nb=2\na=9\n");
        e.firstmatch = true;
        assert_eq!(edit(text, &e).unwrap(), "a=9\nb=2\na=3\n");
    }

    #[test]
    fn dollar_matches_before_the_newline_as_in_python() {
        let e = present_edit(
            Selector::Regexp(pattern("^PermitRootLogin yes$")),
            "PermitRootLogin no",
            Insert::AfterEof,
        );
        assert_eq!(
            edit("PermitRootLogin yes\n", &e).unwrap(),
            "PermitRootLogin no\n"
        );
    }

    #[test]
    fn a_missing_line_goes_after_the_last_insertafter_match_or_at_the_end() {
        let e = present_edit(Selector::Line, "x", Insert::After(pattern("^\\[main\\]")));
        assert_eq!(
            edit("[main]\na\n[main]\nb", &e).unwrap(),
            "[main]\na\n[main]\nx\nb"
        );
        assert_eq!(edit("no section", &e).unwrap(), "no section\nx\n");
        let e = present_edit(Selector::Line, "x", Insert::Before(pattern("^b")));
        assert_eq!(edit("a\nb\n", &e).unwrap(), "a\nx\nb\n");
        let e = present_edit(Selector::Line, "x", Insert::Bof);
        assert_eq!(edit("a\n", &e).unwrap(), "x\na\n");
    }

    #[test]
    fn an_existing_line_is_left_alone() {
        let e = present_edit(Selector::Line, "x", Insert::Bof);
        assert_eq!(edit("a\nx\n", &e).unwrap(), "a\nx\n");
        let e = present_edit(Selector::Regexp(pattern("^y")), "x", Insert::AfterEof);
        assert_eq!(edit("a\nx\n", &e).unwrap(), "a\nx\n");
    }

    #[test]
    fn backrefs_expand_groups_and_leave_the_file_when_nothing_matches() {
        let mut e = present_edit(
            Selector::Regexp(pattern(r"^(\s*)Port \d+")),
            r"\1Port 2222",
            Insert::AfterEof,
        );
        e.backrefs = true;
        assert_eq!(edit("  Port 22\n", &e).unwrap(), "  Port 2222\n");
        assert_eq!(edit("other\n", &e).unwrap(), "other\n");
    }

    #[test]
    fn absent_removes_every_selected_line() {
        let e = LineEdit {
            selector: Selector::SearchString("tmp".into()),
            line: None,
            present: false,
            insert: Insert::AfterEof,
            backrefs: false,
            firstmatch: false,
        };
        assert_eq!(edit("a\n/tmp/x\nb\ntmp\n", &e).unwrap(), "a\nb\n");
    }

    #[test]
    fn multiline_flag_is_recognised() {
        assert!(pattern("(?m)^x$").is_multiline());
        assert!(pattern("(?im)^x").is_multiline());
        assert!(!pattern("(?i)^m").is_multiline());
        assert!(!pattern("^m").is_multiline());
    }
}
