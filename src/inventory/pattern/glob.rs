//! Shell globs as Ansible applies them: `re.compile(fnmatch.translate(p)).match(name)` on Python 3.11.
//! That is case-sensitive on every platform (only `fnmatch.fnmatch` folds case, and only on Windows),
//! matches the whole name, and lets `*` and `?` match any character, newlines included.
//!
//! Rather than translating to a regex (the `regex` crate reads `[`, `&&`, `--` and `~~` inside classes
//! differently from Python), the glob is compiled to single-character tokens and matched directly.
//! Character classes follow `translate` exactly, including its quirks: `[!...]` negates, a `]` right
//! after `[` or `[!` is literal, a `[` without a closing `]` is a literal `[`, hyphens that cannot form
//! a range are literal, and reversed ranges such as `z-a` are dropped together with their endpoints
//! (so `[z-a]` matches nothing and `[!z-a]` matches any character).

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Literal(char),
    /// `?`, or a negated class left empty.
    AnyChar,
    /// A class left empty: never matches.
    Nothing,
    Class(CharClass),
    Star,
}

#[derive(Clone, Debug, PartialEq)]
struct CharClass {
    negated: bool,
    chars: Vec<char>,
    ranges: Vec<(char, char)>,
}

impl CharClass {
    fn matches(&self, c: char) -> bool {
        let inside =
            self.chars.contains(&c) || self.ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi);
        inside != self.negated
    }
}

impl Token {
    fn matches(&self, c: char) -> bool {
        match self {
            Token::Literal(l) => *l == c,
            Token::AnyChar => true,
            Token::Nothing | Token::Star => false,
            Token::Class(class) => class.matches(c),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Glob {
    tokens: Vec<Token>,
}

impl Glob {
    pub fn new(pattern: &str) -> Self {
        let pat: Vec<char> = pattern.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while let Some(&c) = pat.get(i) {
            i += 1;
            match c {
                '*' => {
                    if tokens.last() != Some(&Token::Star) {
                        tokens.push(Token::Star);
                    }
                }
                '?' => tokens.push(Token::AnyChar),
                '[' => match parse_class(&pat, i) {
                    Some((token, next)) => {
                        tokens.push(token);
                        i = next;
                    }
                    None => tokens.push(Token::Literal('[')),
                },
                c => tokens.push(Token::Literal(c)),
            }
        }
        Self { tokens }
    }

    /// Whether the whole of `name` matches.
    pub fn is_match(&self, name: &str) -> bool {
        let name: Vec<char> = name.chars().collect();
        // Classic wildcard matching with one backtrack point: every token but `*` takes one character,
        // so retrying from the latest `*` is enough.
        let (mut t, mut n) = (0, 0);
        let mut backtrack: Option<(usize, usize)> = None;
        loop {
            match (self.tokens.get(t), name.get(n)) {
                (Some(Token::Star), _) => {
                    backtrack = Some((t + 1, n));
                    t += 1;
                }
                (Some(token), Some(&c)) if token.matches(c) => {
                    t += 1;
                    n += 1;
                }
                (None, None) => return true,
                _ => match backtrack {
                    Some((bt, bn)) if bn < name.len() => {
                        backtrack = Some((bt, bn + 1));
                        t = bt;
                        n = bn + 1;
                    }
                    _ => return false,
                },
            }
        }
    }
}

/// Parses a class whose `[` is just before `start`. Returns the token and the index after the closing
/// `]`, or None when there is no closing `]` (then the `[` is literal).
fn parse_class(pat: &[char], start: usize) -> Option<(Token, usize)> {
    let n = pat.len();
    let mut j = start;
    if pat.get(j) == Some(&'!') {
        j += 1;
    }
    if pat.get(j) == Some(&']') {
        j += 1;
    }
    while j < n && pat.get(j) != Some(&']') {
        j += 1;
    }
    if j >= n {
        return None;
    }
    let stuff = pat.get(start..j)?;
    let chunks: Vec<Vec<char>> = if stuff.contains(&'-') {
        range_chunks(pat, start, j)
    } else {
        vec![stuff.to_vec()]
    };
    let token = class_from_chunks(chunks);
    Some((token, j + 1))
}

/// `translate`'s split of a class body into chunks: consecutive chunks are joined by a range (last
/// character of one to first character of the next); every other character, hyphens included, is literal.
fn range_chunks(pat: &[char], start: usize, end: usize) -> Vec<Vec<char>> {
    let mut chunks: Vec<Vec<char>> = Vec::new();
    let mut i = start;
    let mut k = if pat.get(start) == Some(&'!') {
        start + 2
    } else {
        start + 1
    };
    while let Some(hyphen) = (k..end).find(|&x| pat.get(x) == Some(&'-')) {
        chunks.push(pat.get(i..hyphen).unwrap_or_default().to_vec());
        i = hyphen + 1;
        k = hyphen + 3;
    }
    let tail = pat.get(i..end).unwrap_or_default();
    if !tail.is_empty() {
        chunks.push(tail.to_vec());
    } else if let Some(last) = chunks.last_mut() {
        last.push('-');
    }
    // Drop reversed ranges with both their endpoints, from the right, as `translate` does.
    let mut k = chunks.len();
    while k > 1 {
        k -= 1;
        let reversed = match (
            chunks.get(k - 1).and_then(|c| c.last()),
            chunks.get(k).and_then(|c| c.first()),
        ) {
            (Some(lo), Some(hi)) => lo > hi,
            _ => false,
        };
        if reversed {
            let next = chunks.remove(k);
            if let Some(prev) = chunks.get_mut(k - 1) {
                prev.pop();
                prev.extend(next.into_iter().skip(1));
            }
        }
    }
    chunks
}

fn class_from_chunks(mut chunks: Vec<Vec<char>>) -> Token {
    let negated = chunks.first().and_then(|c| c.first()) == Some(&'!');
    if negated {
        if let Some(first) = chunks.first_mut() {
            first.remove(0);
        }
    }
    let empty = chunks.iter().all(Vec::is_empty);
    match (empty, negated) {
        (true, false) => return Token::Nothing,
        (true, true) => return Token::AnyChar,
        _ => {}
    }
    let mut ranges = Vec::new();
    for pair in chunks.windows(2) {
        if let [prev, next] = pair {
            if let (Some(&lo), Some(&hi)) = (prev.last(), next.first()) {
                ranges.push((lo, hi));
            }
        }
    }
    Token::Class(CharClass {
        negated,
        chars: chunks.into_iter().flatten().collect(),
        ranges,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, name: &str) -> bool {
        Glob::new(pattern).is_match(name)
    }

    /// Each row is what `re.compile(fnmatch.translate(p)).match(n)` gave on Python 3.11.7.
    #[test]
    fn matches_like_python_fnmatch_translate() {
        let cases: &[(&str, &str, bool)] = &[
            ("web*", "web1", true),
            ("web*", "web", true),
            ("web*", "Web1", false),
            ("*", "", true),
            ("w?b", "web", true),
            ("w?b", "wb", false),
            ("*1", "web1", true),
            ("*1", "web12", false),
            ("a*b*c", "aXbYbZc", true),
            ("a*b*c", "aXbYbZ", false),
            ("h[12]", "h1", true),
            ("h[12]", "h3", false),
            ("h[!12]", "h3", true),
            ("h[!12]", "h1", false),
            ("h[1-3]", "h2", true),
            ("h[1-3]", "h-", false),
            ("h[3-1]", "h2", false),
            ("h[!3-1]", "hx", true),
            ("h[]]", "h]", true),
            ("h[!]]", "h]", false),
            ("h[!]]", "hx", true),
            ("h[", "h[", true),
            ("h[1", "h[1", true),
            ("h[-]", "h-", true),
            ("h[a-]", "h-", true),
            ("h[a-]", "ha", true),
            ("h[a-c-]", "h-", true),
            ("h[a-c-]", "hb", true),
            ("h[!-a]", "h-", false),
            ("h[!-a]", "hb", true),
            ("h[a--]", "ha", false),
            ("h[a--]", "h-", false),
            ("h[a-z-a]", "h-", true),
            ("h[a-zb-c]", "hq", true),
            ("h[z-ab]", "hb", true),
            ("h[z-ab]", "hz", false),
            ("h[!z-ab]", "hb", false),
            ("h[!z-ab]", "hz", true),
            ("h[^a]", "h^", true),
            ("h[^a]", "hb", false),
            ("h[[]", "h[", true),
            ("h[a[]", "h[", true),
            ("h[\\]", "h\\", true),
            ("h[&&]", "h&", true),
            ("h.x", "h.x", true),
            ("h.x", "hyx", false),
            ("web[0]", "web0", true),
            ("*[", "a[", true),
            ("h[[:alpha:]]", "h:]", true),
            ("h[[:alpha:]]", "ha", false),
            ("?", "é", true),
            ("*a*", "b\na", true),
        ];
        for (pattern, name, expected) in cases {
            assert_eq!(
                m(pattern, name),
                *expected,
                "glob {pattern:?} against {name:?}"
            );
        }
    }
}
