//! `-e` / `--extra-vars` as Ansible's `load_extra_vars` reads them: `@file` (YAML or JSON, vault
//! allowed), inline YAML/JSON starting with `{` or `[`, or `key=value` pairs (values are strings).
//! Later arguments win, key by key.

use std::path::Path;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::secrets::VaultSecrets;
use crate::source::data_file::load_data_file;
use crate::source::{SourceFile, yaml};
use crate::value::{Map, Value, combine_vars};

/// All `-e` arguments merged. `@file` names are relative to `cwd`.
pub fn parse_extra_vars(
    args: &[String],
    cwd: &Path,
    secrets: &VaultSecrets,
) -> Result<Map, Diagnostics> {
    let mut vars = Map::new();
    let mut problems = Diagnostics::new();
    for arg in args {
        match one(arg, cwd, secrets) {
            Ok(Some(map)) => combine_vars(&mut vars, &map),
            Ok(None) => {}
            Err(problem) => problems.push(problem),
        }
    }
    if problems.is_empty() {
        Ok(vars)
    } else {
        Err(problems)
    }
}

fn one(arg: &str, cwd: &Path, secrets: &VaultSecrets) -> Result<Option<Map>, Diagnostic> {
    let Some(first) = arg.chars().next() else {
        return Ok(None);
    };
    let value = if let Some(file) = arg.strip_prefix('@') {
        load_data_file(&cwd.join(file), secrets)?.value
    } else if first == '/' || first == '.' {
        return Err(Diagnostic::error(format!(
            "Please prepend extra_vars filename '{arg}' with '@'"
        ))
        .with_help(format!("write -e @{arg}")));
    } else if first == '{' || first == '[' {
        let file = SourceFile::new("<extra vars>", arg);
        yaml::load(&file, &mut Vec::new())?
            .as_ref()
            .map(yaml::to_value)
    } else {
        Some(Value::Map(parse_kv(arg)))
    };
    match value {
        Some(Value::Map(map)) => Ok(Some(map)),
        // Ansible: an empty file is not a dictionary either.
        _ => Err(Diagnostic::error(format!(
            "Invalid extra vars data supplied. '{arg}' could not be made into a dictionary"
        ))
        .with_help("extra vars are key=value pairs, a YAML/JSON mapping, or @file holding one")),
    }
}

/// Ansible's `parse_kv` without `check_raw`: words that are not `key=value` are joined into
/// `_raw_params`, as Ansible does (they are then unused).
fn parse_kv(text: &str) -> Map {
    let mut map = Map::new();
    let mut raw = Vec::new();
    for word in split_args(text) {
        let decoded = decode_escapes(&word);
        match unescaped_equals(&decoded) {
            Some(pos) => {
                let key = decoded[..pos].trim().to_string();
                let value = unquote(decoded[pos + 1..].trim());
                map.insert(key, Value::Str(value));
            }
            None => raw.push(word),
        }
    }
    if !raw.is_empty() {
        map.insert("_raw_params".into(), Value::Str(raw.join(" ")));
    }
    map
}

/// The first `=` (after the first character) not preceded by a backslash.
fn unescaped_equals(word: &str) -> Option<usize> {
    let bytes = word.as_bytes();
    (1..bytes.len()).find(|&i| bytes[i] == b'=' && bytes[i - 1] != b'\\')
}

/// Splits on whitespace outside quotes and outside `{{ }}`, `{% %}` and `{# #}` (Ansible's
/// `split_args`, for one line).
fn split_args(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut depth = 0usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q && !current.ends_with('\\') => {
                quote = None;
                current.push(c);
            }
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') if depth == 0 => {
                quote = Some(c);
                current.push(c);
            }
            (None, '{') if matches!(chars.peek(), Some('{' | '%' | '#')) => {
                depth += 1;
                current.push(c);
                current.extend(chars.next());
            }
            (None, '}' | '%' | '#') if depth > 0 && chars.peek() == Some(&'}') => {
                depth -= 1;
                current.push(c);
                current.extend(chars.next());
            }
            (None, c) if c.is_whitespace() && depth == 0 => {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
            (None, c) => current.push(c),
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn unquote(value: &str) -> String {
    let mut chars = value.chars();
    match (chars.next(), chars.next_back()) {
        (Some(a), Some(b)) if a == b && (a == '"' || a == '\'') => chars.collect(),
        _ => value.to_string(),
    }
}

/// Python's unicode escapes that `_decode_escapes` turns into characters: `\n`, `\t`, `\\`, `\'`, `\"`,
/// `\xHH`, `\uHHHH`, `\UHHHHHHHH` (and `\a \b \f \r \v`).
fn decode_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('\\') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        let simple = match after.chars().next() {
            Some('\\') => Some('\\'),
            Some('\'') => Some('\''),
            Some('"') => Some('"'),
            Some('a') => Some('\u{7}'),
            Some('b') => Some('\u{8}'),
            Some('f') => Some('\u{c}'),
            Some('n') => Some('\n'),
            Some('r') => Some('\r'),
            Some('t') => Some('\t'),
            Some('v') => Some('\u{b}'),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            rest = &after[1..];
            continue;
        }
        let width = match after.chars().next() {
            Some('x') => 2,
            Some('u') => 4,
            Some('U') => 8,
            _ => 0,
        };
        let decoded = after
            .get(1..=width)
            .filter(|hex| width > 0 && hex.chars().all(|c| c.is_ascii_hexdigit()))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .and_then(char::from_u32);
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &after[1 + width..];
            }
            None => {
                out.push('\\');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str], cwd: &Path) -> Result<Map, Diagnostics> {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        parse_extra_vars(&args, cwd, &VaultSecrets::new())
    }

    #[test]
    fn reads_pairs_yaml_and_files_later_winning() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ev.yml"), "port: 8080\nlist: [1]\n").unwrap();
        // ansible-playbook -e 'a=1 b="x y" junk' -e '{"c": [1]}' -e 'a=5' gave a="5" (a string),
        // b="x y" and _raw_params="junk".
        let vars = parse(
            &[
                "a=1 b=\"x y\" junk",
                "{\"c\": [1]}",
                "a=5",
                "@ev.yml",
                "t={{ x | default('y z') }}",
            ],
            dir.path(),
        )
        .unwrap();
        assert_eq!(vars["a"], Value::Str("5".into()));
        assert_eq!(vars["b"], Value::Str("x y".into()));
        assert_eq!(vars["_raw_params"], Value::Str("junk".into()));
        assert_eq!(vars["c"], Value::List(vec![Value::Int(1)]));
        assert_eq!(vars["port"], Value::Int(8080));
        assert_eq!(vars["t"], Value::Str("{{ x | default('y z') }}".into()));
    }

    #[test]
    fn refuses_what_ansible_refuses() {
        let dir = tempfile::tempdir().unwrap();
        let errors = parse(&["./vars.yml", "[1, 2]", "@missing.yml"], dir.path()).unwrap_err();
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            text[0],
            "Please prepend extra_vars filename './vars.yml' with '@'"
        );
        assert_eq!(
            text[1],
            "Invalid extra vars data supplied. '[1, 2]' could not be made into a dictionary"
        );
        assert!(text[2].contains("missing.yml"), "{}", text[2]);
    }

    #[test]
    fn escapes_are_decoded() {
        assert_eq!(decode_escapes(r"a\nb\x41\u00e9\q"), "a\nbAé\\q");
    }
}
