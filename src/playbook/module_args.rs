//! Ansible's free-form `key=value` module arguments (`file: path=/tmp/x state=directory`), split as
//! `ansible.parsing.splitter.parse_kv` does: whitespace separates pairs except inside quotes.

/// `(key, value)` pairs, or the offending text.
pub fn parse_kv(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    for token in split_args(text)? {
        let Some((key, value)) = token.split_once('=') else {
            return Err(format!(
                "{token:?} is not key=value (free-form arguments only suit command-like modules)"
            ));
        };
        pairs.push((key.trim().to_string(), unquote(value.trim())));
    }
    Ok(pairs)
}

fn split_args(text: &str) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            current.push(c);
            escaped = false;
            continue;
        }
        match (quote, c) {
            (_, '\\') => {
                current.push(c);
                escaped = true;
            }
            (None, '"' | '\'') => {
                quote = Some(c);
                current.push(c);
            }
            (Some(q), c) if c == q => {
                quote = None;
                current.push(c);
            }
            (None, c) if c.is_whitespace() => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
            }
            (_, c) => current.push(c),
        }
    }
    if quote.is_some() {
        return Err(format!("unbalanced quotes in {text:?}"));
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    Ok(tokens)
}

fn unquote(value: &str) -> String {
    let bytes = value.as_bytes();
    if bytes.len() >= 2
        && (bytes[0] == b'"' || bytes[0] == b'\'')
        && bytes[bytes.len() - 1] == bytes[0]
    {
        value[1..value.len() - 1].to_string()
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_ansible() {
        // ansible.parsing.splitter.parse_kv('path="/a b" mode=0644 x=\'y z\'')
        //   -> {'path': '/a b', 'mode': '0644', 'x': 'y z'}
        assert_eq!(
            parse_kv("path=\"/a b\" mode=0644 x='y z'").unwrap(),
            [
                ("path".into(), "/a b".into()),
                ("mode".into(), "0644".into()),
                ("x".into(), "y z".into())
            ]
        );
        assert!(parse_kv("path=\"/a").is_err());
        assert!(parse_kv("echo hi").is_err());
    }
}
