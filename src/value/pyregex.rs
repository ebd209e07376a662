//! Python `re` syntax on top of fancy-regex (which has the lookarounds and backreferences Python
//! has): the pattern syntax only Python has, and Python's replacement templates (`\1`, `\g<name>`).

use fancy_regex::Captures;

/// Python's regex syntax where it differs from fancy-regex's.
pub fn translate(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('Z') => out.push_str(r"\z"),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            },
            '(' if pattern_continues(&mut chars, "?P=") => {
                let name: String = chars.by_ref().take_while(|c| *c != ')').collect();
                out.push_str(&format!(r"\k<{name}>"));
            }
            other => out.push(other),
        }
    }
    out
}

/// Consumes `prefix` from `chars` if it is next.
fn pattern_continues(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, prefix: &str) -> bool {
    let ahead: String = chars.clone().take(prefix.len()).collect();
    if ahead == prefix {
        for _ in 0..prefix.len() {
            chars.next();
        }
        true
    } else {
        false
    }
}

pub enum Part {
    Text(String),
    Group(GroupRef),
}

pub enum GroupRef {
    Index(usize),
    Name(String),
}

/// Parses a Python replacement template (`\1`, `\g<1>`, `\g<name>`, `\n`, `\\`).
pub fn parse_replacement(template: &str) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            text.push(c);
            continue;
        }
        let group = match chars.next() {
            None => return Err("bad escape (end of pattern)".into()),
            Some('g') => {
                if chars.next() != Some('<') {
                    return Err("missing <".into());
                }
                let name: String = chars.by_ref().take_while(|c| *c != '>').collect();
                Some(match name.parse::<usize>() {
                    Ok(i) => GroupRef::Index(i),
                    Err(_) => GroupRef::Name(name),
                })
            }
            Some(d) if d.is_ascii_digit() => {
                let mut digits = d.to_string();
                if let Some(n) = chars.peek().copied().filter(char::is_ascii_digit) {
                    digits.push(n);
                    chars.next();
                }
                Some(GroupRef::Index(digits.parse().unwrap_or(0)))
            }
            Some('n') => {
                text.push('\n');
                None
            }
            Some('t') => {
                text.push('\t');
                None
            }
            Some('r') => {
                text.push('\r');
                None
            }
            Some('\\') => {
                text.push('\\');
                None
            }
            Some(other) if other.is_ascii_alphabetic() => {
                return Err(format!("bad escape \\{other}"));
            }
            Some(other) => {
                text.push('\\');
                text.push(other);
                None
            }
        };
        if let Some(group) = group {
            if !text.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut text)));
            }
            parts.push(Part::Group(group));
        }
    }
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    Ok(parts)
}

pub fn expand(parts: &[Part], caps: &Captures<'_, str>, out: &mut String) -> Result<(), String> {
    for part in parts {
        match part {
            Part::Text(t) => out.push_str(t),
            Part::Group(GroupRef::Index(i)) => {
                if *i >= caps.len() {
                    return Err(format!("invalid group reference {i}"));
                }
                out.push_str(caps.get(*i).map_or("", |m| m.as_str()));
            }
            Part::Group(GroupRef::Name(n)) => match caps.name(n) {
                Some(m) => out.push_str(m.as_str()),
                None => return Err(format!("unknown group name '{n}'")),
            },
        }
    }
    Ok(())
}
