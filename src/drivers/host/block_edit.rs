//! The edit `ansible.builtin.blockinfile` makes, as a pure function of the file's current text, step
//! for step as Ansible's `main()` makes it: the block between its two marker lines is replaced (or
//! removed), or inserted where `insertafter`/`insertbefore` say.

use super::line_edit::Pattern;

/// Where a block without markers in the file goes.
#[derive(Clone, Debug)]
pub enum BlockInsert {
    Eof,
    Bof,
    After(Pattern),
    Before(Pattern),
}

#[derive(Clone, Debug)]
pub struct BlockEdit {
    /// The marker with `{mark}` already replaced, without line ending.
    pub begin: String,
    pub end: String,
    pub block: String,
    pub present: bool,
    pub insert: BlockInsert,
    pub prepend_newline: bool,
    pub append_newline: bool,
}

/// Python's `bytes.splitlines(True)`: lines end at `\n`, `\r\n` or `\r`, and keep the ending.
fn split_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let end = match bytes[i] {
            b'\n' => i + 1,
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => i + 2,
            b'\r' => i + 1,
            _ => {
                i += 1;
                continue;
            }
        };
        lines.push(text[start..end].to_string());
        start = end;
        i = end;
    }
    if start < text.len() {
        lines.push(text[start..].to_string());
    }
    lines
}

/// The text after the edit; `original` is `None` when the file does not exist yet.
pub fn edit(original: Option<&str>, edit: &BlockEdit) -> Result<String, String> {
    let text = original.unwrap_or_default();
    let mut lines = split_lines(text);
    let marker0 = format!("{}\n", edit.begin);
    let marker1 = format!("{}\n", edit.end);
    let block_lines: Vec<String> = if edit.present && !edit.block.is_empty() {
        let mut block = edit.block.clone();
        if !block.ends_with('\n') {
            block.push('\n');
        }
        std::iter::once(marker0.clone())
            .chain(split_lines(&block))
            .chain(std::iter::once(marker1.clone()))
            .collect()
    } else {
        Vec::new()
    };
    let (mut n0, mut n1) = (None, None);
    for (i, line) in lines.iter().enumerate() {
        if *line == marker0 {
            n0 = Some(i);
        }
        if *line == marker1 {
            n1 = Some(i);
        }
    }
    let at = match (n0, n1) {
        (Some(a), Some(b)) if a < b => {
            lines.drain(a..=b);
            a
        }
        (Some(a), Some(b)) => {
            lines.drain(b..=a);
            b
        }
        _ => insertion_point(text, &lines, &edit.insert)?,
    };
    if at > 0 && !lines[at - 1].ends_with('\n') {
        lines[at - 1].push('\n');
    }
    let mut at = at;
    if edit.prepend_newline && edit.present && at != 0 && lines[at - 1] != "\n" {
        lines.insert(at, "\n".into());
        at += 1;
    }
    let after_block = at + block_lines.len();
    lines.splice(at..at, block_lines);
    if edit.append_newline
        && edit.present
        && after_block < lines.len()
        && lines[after_block] != "\n"
    {
        lines.insert(after_block, "\n".into());
    }
    Ok(lines.concat())
}

fn insertion_point(text: &str, lines: &[String], insert: &BlockInsert) -> Result<usize, String> {
    let (pattern, after) = match insert {
        BlockInsert::Eof => return Ok(lines.len()),
        BlockInsert::Bof => return Ok(0),
        BlockInsert::After(p) => (p, true),
        BlockInsert::Before(p) => (p, false),
    };
    let found = if pattern.is_multiline() {
        // A (?m) pattern is searched in the whole text; the line is the one the match starts
        // (insertbefore) or ends (insertafter) on.
        let hit = pattern
            .regex()
            .find(text)
            .map_err(|e| format!("regular expression {:?}: {e}", pattern.source))?;
        hit.map(|m| {
            let offset = if after { m.end() } else { m.start() };
            text[..offset].matches('\n').count()
        })
    } else {
        let mut last = None;
        for (i, line) in lines.iter().enumerate() {
            let searched = line.strip_suffix('\n').unwrap_or(line);
            let hit = pattern
                .regex()
                .is_match(searched)
                .map_err(|e| format!("regular expression {:?}: {e}", pattern.source))?;
            if hit {
                last = Some(i);
            }
        }
        last
    };
    Ok(match found {
        None => lines.len(),
        Some(i) if after => i + 1,
        Some(i) => i,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(text: &str, insert: BlockInsert) -> BlockEdit {
        BlockEdit {
            begin: "# BEGIN ANSIBLE MANAGED BLOCK".into(),
            end: "# END ANSIBLE MANAGED BLOCK".into(),
            block: text.into(),
            present: true,
            insert,
            prepend_newline: false,
            append_newline: false,
        }
    }

    const WRAPPED: &str = "# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\n";

    #[test]
    fn a_new_block_goes_at_the_end_and_an_existing_one_is_replaced_in_place() {
        assert_eq!(
            edit(Some("a"), &block("x", BlockInsert::Eof)).unwrap(),
            format!("a\n{WRAPPED}")
        );
        let current = format!("a\n{}b\n", WRAPPED.replace("x\n", "old\nold\n"));
        assert_eq!(
            edit(Some(&current), &block("x", BlockInsert::Bof)).unwrap(),
            format!("a\n{WRAPPED}b\n")
        );
        assert_eq!(edit(None, &block("x", BlockInsert::Eof)).unwrap(), WRAPPED);
    }

    #[test]
    fn insertafter_and_before_use_the_last_matching_line() {
        let after = BlockInsert::After(Pattern::compile("^s").unwrap());
        assert_eq!(
            edit(Some("s1\ns2\nt\n"), &block("x", after)).unwrap(),
            format!("s1\ns2\n{WRAPPED}t\n")
        );
        let before = BlockInsert::Before(Pattern::compile("^t").unwrap());
        assert_eq!(
            edit(Some("s\nt\n"), &block("x", before)).unwrap(),
            format!("s\n{WRAPPED}t\n")
        );
    }

    #[test]
    fn absent_or_empty_removes_the_block() {
        let mut e = block("x", BlockInsert::Eof);
        e.present = false;
        let current = format!("a\n{WRAPPED}b\n");
        assert_eq!(edit(Some(&current), &e).unwrap(), "a\nb\n");
        assert_eq!(
            edit(Some(&current), &block("", BlockInsert::Eof)).unwrap(),
            "a\nb\n"
        );
    }

    #[test]
    fn newlines_around_the_block_on_request() {
        let mut e = block("x", BlockInsert::Eof);
        e.prepend_newline = true;
        assert_eq!(edit(Some("a\n"), &e).unwrap(), format!("a\n\n{WRAPPED}"));
        let mut e = block("x", BlockInsert::Bof);
        e.append_newline = true;
        assert_eq!(edit(Some("a\n"), &e).unwrap(), format!("{WRAPPED}\na\n"));
    }
}
