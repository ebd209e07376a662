//! Python's tokenizer, for the tokens a literal can be made of: numbers, strings (with every prefix and
//! escape rule), names, brackets, `,` `:` `+` `-` and `...`. Anything else (another operator, a stray
//! character, a malformed number or string) ends the attempt: for `literal_eval` it is either a syntax
//! error or a node it refuses, and Ansible keeps the text as it was either way.

use super::LiteralError;

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
    /// An integer literal; `None` when it does not fit in i128.
    Int(Option<i128>),
    Float(f64),
    Imaginary(f64),
    Str(StrLit),
    Name(String),
    Op(Op),
    /// A line break outside brackets: only blank lines may follow.
    Newline,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Op {
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Colon,
    Plus,
    Minus,
    /// Attribute access: valid syntax, never part of a literal.
    Dot,
    Ellipsis,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct StrLit {
    pub kind: StrKind,
    pub value: StrValue,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum StrKind {
    Text,
    Bytes,
    /// An f-string: never a literal (`JoinedStr`), whatever it holds.
    Formatted,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum StrValue {
    Text(String),
    Bytes(Vec<u8>),
    None,
}

/// The tokenizer refuses more than 200 open brackets ("too many nested parentheses").
const MAX_DEPTH: usize = 200;

pub(super) fn tokenize(src: &str) -> Result<Vec<Tok>, LiteralError> {
    let chars: Vec<char> = src.chars().collect();
    let mut lexer = Lexer {
        chars: &chars,
        pos: 0,
        depth: 0,
        tokens: Vec::new(),
    };
    lexer.run()?;
    Ok(lexer.tokens)
}

struct Lexer<'a> {
    chars: &'a [char],
    pos: usize,
    depth: usize,
    tokens: Vec<Tok>,
}

fn not_literal<T>() -> Result<T, LiteralError> {
    Err(LiteralError::NotLiteral)
}

/// A character that may continue a name (and so may not follow a number directly).
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || !c.is_ascii()
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn run(&mut self) -> Result<(), LiteralError> {
        // Blank lines before the expression are skipped, but its first line may not be indented
        // (literal_eval strips spaces and tabs only before the very first line).
        let mut after_newline = false;
        let mut indented = false;
        while let Some(c) = self.peek(0) {
            match c {
                ' ' | '\t' | '\u{0c}' => {
                    indented |= after_newline && self.tokens.is_empty();
                    self.pos += 1;
                }
                '#' => {
                    while self.peek(0).is_some_and(|c| c != '\n' && c != '\r') {
                        self.pos += 1;
                    }
                }
                '\\' => match (self.peek(1), self.peek(2)) {
                    // A line continuation; a backslash before anything else is an error.
                    (Some('\r'), Some('\n')) => self.pos += 3,
                    (Some('\n' | '\r'), _) => self.pos += 2,
                    _ => return not_literal(),
                },
                '\n' | '\r' => {
                    self.pos += 1;
                    if self.depth == 0 {
                        if !self.tokens.is_empty() && self.tokens.last() != Some(&Tok::Newline) {
                            self.tokens.push(Tok::Newline);
                        }
                        after_newline = true;
                        indented = false;
                    }
                }
                _ => {
                    if indented {
                        return not_literal(); // IndentationError: unexpected indent
                    }
                    let token = self.token(c)?;
                    self.tokens.push(token);
                }
            }
        }
        Ok(())
    }

    fn token(&mut self, c: char) -> Result<Tok, LiteralError> {
        if c.is_ascii_digit() || (c == '.' && self.peek(1).is_some_and(|d| d.is_ascii_digit())) {
            return self.number();
        }
        if c == '\'' || c == '"' {
            return self.string("");
        }
        if is_name_char(c) && !c.is_ascii_digit() {
            let start = self.pos;
            while self.peek(0).is_some_and(is_name_char) {
                self.pos += 1;
            }
            let name: String = self.chars[start..self.pos].iter().collect();
            if matches!(self.peek(0), Some('\'' | '"')) && is_string_prefix(&name) {
                return self.string(&name);
            }
            return Ok(Tok::Name(name));
        }
        self.pos += 1;
        let op = match c {
            '(' | '[' | '{' => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return not_literal();
                }
                match c {
                    '(' => Op::LParen,
                    '[' => Op::LBracket,
                    _ => Op::LBrace,
                }
            }
            ')' | ']' | '}' => {
                if self.depth == 0 {
                    return not_literal();
                }
                self.depth -= 1;
                match c {
                    ')' => Op::RParen,
                    ']' => Op::RBracket,
                    _ => Op::RBrace,
                }
            }
            ',' => Op::Comma,
            ':' => Op::Colon,
            '+' => Op::Plus,
            '-' => Op::Minus,
            '.' if self.peek(0) == Some('.') && self.peek(1) == Some('.') => {
                self.pos += 2;
                Op::Ellipsis
            }
            '.' => Op::Dot,
            _ => return not_literal(),
        };
        Ok(Tok::Op(op))
    }

    /// Digits with single underscores between them (Python's `tok_decimal_tail`); the text without `_`.
    fn digits(
        &mut self,
        is_digit: impl Fn(char) -> bool,
        out: &mut String,
    ) -> Result<(), LiteralError> {
        loop {
            if !self.peek(0).is_some_and(&is_digit) {
                return not_literal();
            }
            while let Some(c) = self.peek(0).filter(|c| is_digit(*c)) {
                out.push(c);
                self.pos += 1;
            }
            if self.peek(0) == Some('_') {
                self.pos += 1;
            } else {
                return Ok(());
            }
        }
    }

    fn number(&mut self) -> Result<Tok, LiteralError> {
        let first = self.peek(0);
        let radix = match (first, self.peek(1)) {
            (Some('0'), Some('x' | 'X')) => Some(16),
            (Some('0'), Some('o' | 'O')) => Some(8),
            (Some('0'), Some('b' | 'B')) => Some(2),
            _ => None,
        };
        if let Some(radix) = radix {
            self.pos += 2;
            if self.peek(0) == Some('_') {
                self.pos += 1;
            }
            let mut text = String::new();
            self.digits(|c| c.is_digit(radix), &mut text)?;
            self.end_of_number()?;
            return Ok(Tok::Int(i128::from_str_radix(&text, radix).ok()));
        }
        let mut text = String::new();
        let mut is_float = false;
        if first == Some('.') {
            is_float = true;
        } else {
            self.digits(|c| c.is_ascii_digit(), &mut text)?;
        }
        if self.peek(0) == Some('.') {
            is_float = true;
            text.push('.');
            self.pos += 1;
            if self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
                self.digits(|c| c.is_ascii_digit(), &mut text)?;
            }
        }
        if matches!(self.peek(0), Some('e' | 'E')) {
            is_float = true;
            text.push('e');
            self.pos += 1;
            if let Some(sign @ ('+' | '-')) = self.peek(0) {
                text.push(sign);
                self.pos += 1;
            }
            self.digits(|c| c.is_ascii_digit(), &mut text)?;
        }
        if matches!(self.peek(0), Some('j' | 'J')) {
            self.pos += 1;
            self.end_of_number()?;
            return Ok(Tok::Imaginary(parse_float(&text)?));
        }
        self.end_of_number()?;
        if is_float {
            return Ok(Tok::Float(parse_float(&text)?));
        }
        // "leading zeros in decimal integer literals are not permitted" (`0755`), but `00` is 0.
        if text.len() > 1 && text.starts_with('0') && text.chars().any(|c| c != '0') {
            return not_literal();
        }
        Ok(Tok::Int(text.parse::<i128>().ok()))
    }

    /// A number may not run straight into a name (`1abc`, `0b12`, `1if`).
    fn end_of_number(&self) -> Result<(), LiteralError> {
        match self.peek(0) {
            Some(c) if is_name_char(c) => not_literal(),
            _ => Ok(()),
        }
    }

    fn string(&mut self, prefix: &str) -> Result<Tok, LiteralError> {
        let prefix = prefix.to_ascii_lowercase();
        let raw = prefix.contains('r');
        let kind = if prefix.contains('f') {
            StrKind::Formatted
        } else if prefix.contains('b') {
            StrKind::Bytes
        } else {
            StrKind::Text
        };
        let quote = self.peek(0).unwrap_or('\'');
        let triple = self.peek(1) == Some(quote) && self.peek(2) == Some(quote);
        self.pos += if triple { 3 } else { 1 };
        let start = self.pos;
        loop {
            let Some(c) = self.peek(0) else {
                return not_literal(); // unterminated string
            };
            if c == '\\' {
                if self.peek(1).is_none() {
                    return not_literal();
                }
                self.pos += 2;
                continue;
            }
            if !triple && (c == '\n' || c == '\r') {
                return not_literal();
            }
            if c == quote
                && (!triple || (self.peek(1) == Some(quote) && self.peek(2) == Some(quote)))
            {
                break;
            }
            self.pos += 1;
        }
        let body = &self.chars[start..self.pos];
        self.pos += if triple { 3 } else { 1 };
        let value = match kind {
            StrKind::Formatted => StrValue::None,
            StrKind::Bytes => StrValue::Bytes(decode_bytes(body, raw)?),
            StrKind::Text if raw => StrValue::Text(body.iter().collect()),
            StrKind::Text => StrValue::Text(decode_text(body)?),
        };
        Ok(Tok::Str(StrLit { kind, value }))
    }
}

fn is_string_prefix(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "r" | "u" | "b" | "br" | "rb" | "f" | "fr" | "rf"
    )
}

fn parse_float(text: &str) -> Result<f64, LiteralError> {
    text.parse::<f64>().map_err(|_| LiteralError::NotLiteral)
}

fn hex_value(chars: &[char]) -> Option<u32> {
    chars
        .iter()
        .try_fold(0u32, |acc, c| Some(acc * 16 + c.to_digit(16)?))
}

/// An escape common to `str` and `bytes` literals; `None` when `c` is not one of them.
fn simple_escape(c: char) -> Option<char> {
    Some(match c {
        '\n' => return None,
        '\\' => '\\',
        '\'' => '\'',
        '"' => '"',
        'a' => '\u{07}',
        'b' => '\u{08}',
        'f' => '\u{0c}',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'v' => '\u{0b}',
        _ => return None,
    })
}

/// Up to three octal digits at `body[i..]`: their value and how many there were.
fn octal(body: &[char], i: usize) -> (u32, usize) {
    let mut value = 0;
    let mut count = 0;
    while count < 3 {
        match body.get(i + count).and_then(|c| c.to_digit(8)) {
            Some(d) => value = value * 8 + d,
            None => break,
        }
        count += 1;
    }
    (value, count)
}

/// The escapes of a non-raw `str` literal. Lone surrogates (`\ud800`), which a Rust string cannot hold,
/// become U+FFFD; `\N{...}` needs the Unicode name table, which plimsoll does not carry.
fn decode_text(body: &[char]) -> Result<String, LiteralError> {
    let mut out = String::with_capacity(body.len());
    let mut i = 0;
    while let Some(&c) = body.get(i) {
        i += 1;
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(&e) = body.get(i) else {
            return not_literal();
        };
        i += 1;
        if e == '\n' {
            continue;
        }
        if let Some(ch) = simple_escape(e) {
            out.push(ch);
            continue;
        }
        match e {
            '0'..='7' => {
                let (value, count) = octal(body, i - 1);
                i += count - 1;
                out.push(char::from_u32(value).unwrap_or('\u{fffd}'));
            }
            'x' | 'u' | 'U' => {
                let len = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let Some(code) = body.get(i..i + len).and_then(hex_value) else {
                    return not_literal(); // truncated \xXX / \uXXXX / \UXXXXXXXX escape
                };
                i += len;
                if code > 0x10ffff {
                    return not_literal(); // illegal Unicode character
                }
                out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
            }
            'N' => {
                return Err(LiteralError::Unsupported(
                    "a \\N{...} escape (plimsoll has no Unicode name table)".into(),
                ));
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}

/// A bytes literal: ASCII only in the source; `\x` and octal escapes give bytes (octal values wrap to a
/// byte); `\u`, `\U`, `\N` are not escapes in bytes and stay as written.
fn decode_bytes(body: &[char], raw: bool) -> Result<Vec<u8>, LiteralError> {
    if !body.iter().all(char::is_ascii) {
        return not_literal(); // bytes can only contain ASCII literal characters
    }
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while let Some(&c) = body.get(i) {
        i += 1;
        if c != '\\' || raw {
            out.push(c as u8);
            continue;
        }
        let Some(&e) = body.get(i) else {
            return not_literal();
        };
        i += 1;
        if e == '\n' {
            continue;
        }
        if let Some(ch) = simple_escape(e) {
            out.push(ch as u8);
            continue;
        }
        match e {
            '0'..='7' => {
                let (value, count) = octal(body, i - 1);
                i += count - 1;
                out.push((value & 0xff) as u8);
            }
            'x' => {
                let Some(code) = body.get(i..i + 2).and_then(hex_value) else {
                    return not_literal();
                };
                i += 2;
                out.push(code as u8);
            }
            other => {
                out.push(b'\\');
                out.push(other as u8);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(src: &str) -> Option<String> {
        match tokenize(src).ok()?.first()? {
            Tok::Str(StrLit {
                value: StrValue::Text(s),
                ..
            }) => Some(s.clone()),
            _ => None,
        }
    }

    #[test]
    fn numbers_follow_python_tokenizer_rules() {
        assert_eq!(tokenize("1_000").unwrap(), [Tok::Int(Some(1000))]);
        assert_eq!(tokenize("0x_1f").unwrap(), [Tok::Int(Some(31))]);
        assert_eq!(tokenize("0O17").unwrap(), [Tok::Int(Some(15))]);
        assert_eq!(tokenize("00").unwrap(), [Tok::Int(Some(0))]);
        assert_eq!(tokenize("0755e1").unwrap(), [Tok::Float(7550.0)]);
        assert_eq!(tokenize("00.5").unwrap(), [Tok::Float(0.5)]);
        assert_eq!(tokenize("0755j").unwrap(), [Tok::Imaginary(755.0)]);
        assert_eq!(tokenize("1.e5").unwrap(), [Tok::Float(100000.0)]);
        assert_eq!(tokenize("5.").unwrap(), [Tok::Float(5.0)]);
        assert_eq!(tokenize(".5").unwrap(), [Tok::Float(0.5)]);
        assert_eq!(tokenize("1_2.3_4e5_6").unwrap(), [Tok::Float(1.234e57)]);
        assert_eq!(tokenize("1e999").unwrap(), [Tok::Float(f64::INFINITY)]);
        for bad in [
            "0755", "0_1", "1__0", "1_", "0x", "0b2", "1e", "1e+", "1._5", "0o8", "1if", "1e5_",
            "1.real",
        ] {
            assert_eq!(tokenize(bad), Err(LiteralError::NotLiteral), "{bad}");
        }
    }

    #[test]
    fn strings_decode_every_escape_python_knows() {
        assert_eq!(text(r"'\101\x41\u0041\U00000041'").as_deref(), Some("AAAA"));
        assert_eq!(text(r"'\777'").as_deref(), Some("\u{1ff}"));
        assert_eq!(text(r"'\d\8'").as_deref(), Some(r"\d\8"));
        assert_eq!(text(r"'\0'").as_deref(), Some("\0"));
        assert_eq!(text(r"r'\n'").as_deref(), Some(r"\n"));
        assert_eq!(text(r"r'\''").as_deref(), Some(r"\'"));
        assert_eq!(text("'''x'''").as_deref(), Some("x"));
        assert_eq!(text(r"'\ud800'").as_deref(), Some("\u{fffd}"));
        for bad in [r"'\x4'", r"'\U00110000'", "'abc", r"b'é'"] {
            assert_eq!(tokenize(bad), Err(LiteralError::NotLiteral), "{bad}");
        }
        assert!(matches!(
            tokenize(r"'\N{BULLET}'"),
            Err(LiteralError::Unsupported(_))
        ));
    }

    #[test]
    fn bytes_keep_unicode_escapes_and_wrap_octal() {
        let Ok(tokens) = tokenize(r"b'\u0041\777\x41'") else {
            panic!()
        };
        let [
            Tok::Str(StrLit {
                value: StrValue::Bytes(bytes),
                ..
            }),
        ] = tokens.as_slice()
        else {
            panic!()
        };
        assert_eq!(bytes, b"\\u0041\xffA");
    }

    #[test]
    fn brackets_nest_at_most_200_deep() {
        assert!(tokenize(&format!("{}{}", "[".repeat(200), "]".repeat(200))).is_ok());
        assert!(tokenize(&format!("{}{}", "[".repeat(201), "]".repeat(201))).is_err());
    }
}
