//! Ansible's free-form `key=value` module arguments (`file: path=/tmp/x state=directory`), split as
//! `ansible.parsing.splitter.parse_kv` does: whitespace separates pairs except inside quotes and
//! Jinja2 blocks (`path={{ base }}/x` stays one pair), the first unescaped `=` separates key and
//! value, matching quotes around a value are removed, and `\=` is a literal `=`.

/// `(key, value)` pairs, or why the text is not only pairs: Ansible collects words without `=` as
/// `_raw_params`, which only command-like modules (refused by plimsoll) accept.
pub fn parse_kv(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    let mut raw_params = Vec::new();
    for token in split_args(text)? {
        match split_pair(&token) {
            Some((key, value)) => pairs.push((key.trim().to_string(), unquote(value.trim()))),
            None => raw_params.push(token.replace("\\=", "=")),
        }
    }
    if !raw_params.is_empty() {
        return Err(format!(
            "{:?} is not key=value: it has extra params (Ansible's _raw_params), which only command-like modules take",
            raw_params.join(" ")
        ));
    }
    Ok(pairs)
}

/// At the first `=` that is neither the first character nor escaped (`while pos := x.index('=',
/// pos + 1)` in Ansible).
fn split_pair(token: &str) -> Option<(&str, &str)> {
    let bytes = token.as_bytes();
    (1..bytes.len())
        .find(|&i| bytes[i] == b'=' && bytes[i - 1] != b'\\')
        .map(|i| (&token[..i], &token[i + 1..]))
}

fn split_args(text: &str) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    // Open `{{`, `{%` and `{#` blocks: whitespace inside them does not split.
    let mut jinja_depth = 0usize;
    let mut previous: Option<char> = None;
    for c in text.chars() {
        if escaped {
            current.push(c);
            escaped = false;
            previous = Some(c);
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
            (None, c) if c.is_whitespace() && jinja_depth == 0 => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
            }
            (_, c) => {
                match (previous, c) {
                    (Some('{'), '{' | '%' | '#') => jinja_depth += 1,
                    (Some('}' | '%' | '#'), '}') => jinja_depth = jinja_depth.saturating_sub(1),
                    _ => {}
                }
                current.push(c);
            }
        }
        previous = Some(c);
    }
    if quote.is_some() {
        return Err(format!("unbalanced quotes in {text:?}"));
    }
    if jinja_depth > 0 {
        return Err(format!("unbalanced jinja2 block or quotes in {text:?}"));
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
        && bytes[bytes.len() - 2] != b'\\'
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
        let error = parse_kv("echo hi").unwrap_err();
        assert!(error.contains("\"echo hi\" is not key=value"), "{error}");
    }

    #[test]
    fn jinja_blocks_equals_and_escapes_stay_in_their_value() {
        // parse_kv('path={{ base }}/x line="a=b" msg=c\\=d') -> path '{{ base }}/x', line 'a=b',
        // msg 'c\\=d' (the value keeps the backslash; only raw params lose it).
        assert_eq!(
            parse_kv("path={{ base }}/x line=\"a=b\" when={% if x %}1{% endif %}").unwrap(),
            [
                ("path".into(), "{{ base }}/x".into()),
                ("line".into(), "a=b".into()),
                ("when".into(), "{% if x %}1{% endif %}".into()),
            ]
        );
        assert!(parse_kv("=x").unwrap_err().contains("_raw_params"));
        assert!(parse_kv("a\\=b").unwrap_err().contains("\"a=b\""));
        assert!(
            parse_kv("path={{ x")
                .unwrap_err()
                .contains("unbalanced jinja2")
        );
    }
}
