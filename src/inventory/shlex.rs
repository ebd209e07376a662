//! Python's `shlex.split(line, comments=True)` in POSIX mode, which Ansible's INI plugin uses to cut a
//! host line into the host pattern and its `key=value` words.
//!
//! POSIX rules as Python implements them: only space, tab, CR and LF separate words; `'...'` keeps
//! everything literally; inside `"..."` a backslash escapes only `"` and `\` (before anything else it is
//! kept); outside quotes a backslash escapes any character; `#` starts a comment at the start of a word
//! or inside one (`a#b` is `a`), but not inside quotes.

use thiserror::Error;

/// One word, with the byte range in the input it was read from (quotes and escapes included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum ShlexError {
    /// A quote opened at `at` (byte offset) is never closed.
    #[error("No closing quotation")]
    NoClosingQuotation { at: usize },
    /// The input ends with a backslash at `at`.
    #[error("No escaped character")]
    NoEscapedCharacter { at: usize },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Whitespace,
    Word,
    Quote(char),
    /// After a backslash; holds the state to return to.
    Escape(Escaped),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Escaped {
    Word,
    DoubleQuote,
}

const WHITESPACE: [char; 4] = [' ', '\t', '\r', '\n'];

/// Splits `line` into words as `shlex.split(line, comments=comments)` does (posix=True).
pub fn shlex_split(line: &str, comments: bool) -> Result<Vec<Token>, ShlexError> {
    let mut tokens = Vec::new();
    let mut state = State::Whitespace;
    // A word is emitted even when empty if it had quotes (`''`); every path into the word state either
    // pushed a character or closed a quote, so the word state always emits.
    let mut text = String::new();
    let mut start = 0;
    let mut quote_at = 0;
    let mut escape_at = 0;
    let mut chars = line.char_indices();
    loop {
        let next = chars.next();
        match state {
            State::Whitespace => {
                let Some((index, c)) = next else { break };
                if WHITESPACE.contains(&c) {
                    continue;
                }
                start = index;
                if comments && c == '#' {
                    skip_comment(&mut chars);
                } else if c == '\\' {
                    escape_at = index;
                    state = State::Escape(Escaped::Word);
                } else if c == '\'' || c == '"' {
                    quote_at = index;
                    state = State::Quote(c);
                } else {
                    text.push(c);
                    state = State::Word;
                }
            }
            State::Quote(q) => {
                let Some((index, c)) = next else {
                    return Err(ShlexError::NoClosingQuotation { at: quote_at });
                };
                if c == q {
                    state = State::Word;
                } else if c == '\\' && q == '"' {
                    escape_at = index;
                    state = State::Escape(Escaped::DoubleQuote);
                } else {
                    text.push(c);
                }
            }
            State::Escape(back) => {
                let Some((_, c)) = next else {
                    return Err(ShlexError::NoEscapedCharacter { at: escape_at });
                };
                if back == Escaped::DoubleQuote && c != '\\' && c != '"' {
                    text.push('\\');
                }
                text.push(c);
                state = match back {
                    Escaped::Word => State::Word,
                    Escaped::DoubleQuote => State::Quote('"'),
                };
            }
            State::Word => {
                let Some((index, c)) = next else {
                    tokens.push(finish(&mut text, start, line.len()));
                    return Ok(tokens);
                };
                if WHITESPACE.contains(&c) {
                    tokens.push(finish(&mut text, start, index));
                    state = State::Whitespace;
                } else if comments && c == '#' {
                    tokens.push(finish(&mut text, start, index));
                    skip_comment(&mut chars);
                    state = State::Whitespace;
                } else if c == '\'' || c == '"' {
                    quote_at = index;
                    state = State::Quote(c);
                } else if c == '\\' {
                    escape_at = index;
                    state = State::Escape(Escaped::Word);
                } else {
                    text.push(c);
                }
            }
        }
    }
    Ok(tokens)
}

/// A comment runs to the end of its line (Python's `readline()`).
fn skip_comment(chars: &mut std::str::CharIndices<'_>) {
    for (_, c) in chars.by_ref() {
        if c == '\n' {
            break;
        }
    }
}

fn finish(text: &mut String, start: usize, end: usize) -> Token {
    Token {
        text: std::mem::take(text),
        start,
        end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        shlex_split(line, true)
            .unwrap()
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    #[test]
    fn splits_as_python_shlex_posix_with_comments() {
        // Python: shlex.split(line, comments=True) for each line.
        assert_eq!(
            words(r#"h3 a="x#y" b='p q' c=x\ y d="\"q\"" e='\n' f="\n" g=\z"#),
            [
                "h3", "a=x#y", "b=p q", "c=x y", "d=\"q\"", r"e=\n", r"f=\n", "g=z"
            ]
        );
        assert_eq!(words("h1#c"), ["h1"]);
        assert_eq!(words("h2 a=1#c"), ["h2", "a=1"]);
        assert_eq!(words("# all comment"), Vec::<String>::new());
        assert_eq!(words("a '' b"), ["a", "", "b"]);
        assert_eq!(words(r#"a"b c"d"#), ["ab cd"]);
        assert_eq!(words(r#"x="a\\b\$""#), [r"x=a\b\$"]);
        assert_eq!(words("a\u{a0}b\u{0b}c"), ["a\u{a0}b\u{0b}c"]);
        assert_eq!(words("x ;y"), ["x", ";y"]);
    }

    #[test]
    fn tokens_know_where_they_came_from() {
        let tokens = shlex_split(r#"web  b="x y" c"#, true).unwrap();
        assert_eq!((tokens[1].start, tokens[1].end), (5, 12));
        assert_eq!((tokens[2].start, tokens[2].end), (13, 14));
    }

    #[test]
    fn unbalanced_quotes_and_trailing_backslash_fail_like_python() {
        assert_eq!(
            shlex_split(r#"h "unterminated"#, true),
            Err(ShlexError::NoClosingQuotation { at: 2 })
        );
        assert_eq!(
            shlex_split(r"h trailing\", true),
            Err(ShlexError::NoEscapedCharacter { at: 10 })
        );
        assert_eq!(
            ShlexError::NoClosingQuotation { at: 0 }.to_string(),
            "No closing quotation"
        );
    }
}
