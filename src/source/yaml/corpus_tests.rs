//! The YAML corpus: every `tests/fixtures/yaml/<case>.yaml` is loaded and compared with what the real
//! Ansible loader (ansible-core 2.19.14, `from_yaml`) gave, as recorded in `<case>.expected.json` by
//! `scripts/regen-yaml-fixtures.py` (see that script for the JSON encoding of vault, inf/nan, big ints
//! and sets).

use std::path::{Path, PathBuf};

use serde_json::{Map as JsonMap, Number, Value as Json};

use super::{MAX_DEPTH, Node, load, to_value};
use crate::diagnostics::Diagnostic;
use crate::source::SourceFile;
use crate::value::Value;

/// Cases where our error is reported on another line than Ansible's, and why.
const LINE_DIFFERENCES: &[(&str, usize, &str)] = &[
    (
        "unclosed_quote",
        1,
        "libyaml reports the end of the stream; granit reports the opening quote, which is more useful",
    ),
    (
        "line_separator",
        1,
        "we refuse U+2028 where it is; libyaml counts it as a line break and fails two lines later",
    ),
    (
        "next_line_char",
        1,
        "we refuse U+0085 where it is; libyaml counts it as a line break and fails two lines later",
    ),
];

/// The committed corpus, or another directory of cases in the same layout (handy for differential
/// runs against generated inputs): `PLIMSOLL_YAML_CORPUS=/tmp/cases cargo test --lib corpus`.
fn corpus_dir() -> PathBuf {
    match std::env::var_os("PLIMSOLL_YAML_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/yaml"),
    }
}

/// Our value in the fixture encoding.
fn encode(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => match i64::try_from(*i) {
            Ok(small) => Json::from(small),
            Err(_) => tagged("__int", Json::String(i.to_string())),
        },
        Value::Float(f) if f.is_nan() => tagged("__float", "nan".into()),
        Value::Float(f) if f.is_infinite() => {
            tagged("__float", if *f > 0.0 { "inf" } else { "-inf" }.into())
        }
        Value::Float(f) => Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::Str(s) | Value::Unsafe(s) => Json::String(s.clone()),
        Value::List(items) => Json::Array(items.iter().map(encode).collect()),
        Value::Map(map) => Json::Object(map.iter().map(|(k, v)| (k.clone(), encode(v))).collect()),
        Value::Vault(v) => tagged("__ansible_vault", Json::String(v.0.clone())),
    }
}

fn tagged(key: &str, value: Json) -> Json {
    let mut map = JsonMap::new();
    map.insert(key.into(), value);
    Json::Object(map)
}

/// Structural equality where a float only equals a float with the same bits and a Python set (recorded
/// sorted) equals our list in any order.
fn same(ours: &Json, expected: &Json) -> bool {
    match (ours, expected) {
        (Json::Number(a), Json::Number(b)) => match (a.as_f64(), b.as_f64()) {
            _ if a.is_f64() != b.is_f64() => false,
            (Some(x), Some(y)) if b.is_f64() => x.to_bits() == y.to_bits(),
            _ => a == b,
        },
        (Json::Array(a), Json::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (Json::Array(a), Json::Object(b)) if b.len() == 1 && b.contains_key("__set") => {
            let mut sorted = a.clone();
            sorted.sort_by_key(|item| item.to_string());
            same(&Json::Array(sorted), &b["__set"])
        }
        (Json::Object(a), Json::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
        }
        _ => ours == expected,
    }
}

fn run_case(yaml: &Path) -> Result<(), String> {
    let name = yaml
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string();
    let expected_path = yaml.with_file_name(format!("{name}.expected.json"));
    let expected: Json = serde_json::from_str(
        &std::fs::read_to_string(&expected_path)
            .map_err(|e| format!("{name}: {e} (run the regen script)"))?,
    )
    .map_err(|e| format!("{name}: bad expected JSON: {e}"))?;
    let text = std::fs::read_to_string(yaml).map_err(|e| format!("{name}: {e}"))?;
    let file = SourceFile::new(yaml, text);
    let mut warnings = Vec::new();
    let result = load(&file, &mut warnings);

    if expected["error"] == Json::Bool(true) {
        let error = match result {
            Ok(node) => {
                return Err(format!(
                    "{name}: Ansible failed ({}) but we loaded {:?}",
                    expected["message"],
                    node.as_ref().map(to_value)
                ));
            }
            Err(error) => error,
        };
        let Some(span) = &error.span else {
            return Err(format!("{name}: our error has no location: {error}"));
        };
        if let Some(line) = expected["line"].as_u64() {
            let want = LINE_DIFFERENCES
                .iter()
                .find(|(case, _, _)| *case == name)
                .map_or(line as usize, |(_, ours, _)| *ours);
            if span.line() != want {
                return Err(format!(
                    "{name}: error on line {} but Ansible reported line {line} ({}); ours: {error}",
                    span.line(),
                    expected["message"]
                ));
            }
        }
        return Ok(());
    }

    let node = result.map_err(|e| format!("{name}: Ansible loaded it but we failed: {e}"))?;
    let ours = node
        .as_ref()
        .map(to_value)
        .map_or(Json::Null, |v| encode(&v));
    if !same(&ours, &expected["value"]) {
        return Err(format!(
            "{name}: value differs\n   ours: {ours}\n  ansible: {}",
            expected["value"]
        ));
    }
    check_warnings(&name, &warnings, &expected["warnings"])
}

fn check_warnings(name: &str, ours: &[Diagnostic], expected: &Json) -> Result<(), String> {
    let expected = expected.as_array().cloned().unwrap_or_default();
    if ours.len() != expected.len() {
        return Err(format!(
            "{name}: {} warnings, Ansible gave {}: ours {:?}",
            ours.len(),
            expected.len(),
            ours.iter().map(|d| d.to_string()).collect::<Vec<_>>()
        ));
    }
    for want in &expected {
        let message = want["message"].as_str().unwrap_or_default();
        let line = want["line"].as_u64();
        let found = ours.iter().any(|d| {
            d.message.starts_with(message)
                && line.is_none_or(|l| d.span.as_ref().is_some_and(|s| s.line() as u64 == l))
        });
        if !found {
            return Err(format!(
                "{name}: missing warning {message:?} on line {line:?}; ours {:?}",
                ours.iter().map(|d| d.to_string()).collect::<Vec<_>>()
            ));
        }
    }
    Ok(())
}

#[test]
fn corpus_matches_ansible() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 80 || std::env::var_os("PLIMSOLL_YAML_CORPUS").is_some(),
        "the corpus has only {} cases",
        cases.len()
    );
    let failures: Vec<String> = cases.iter().filter_map(|c| run_case(c).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from Ansible:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

fn load_text(text: &str) -> Result<Option<Node>, Diagnostic> {
    load(&SourceFile::new("t.yaml", text), &mut Vec::new())
}

#[test]
fn billion_laughs_fails_fast_with_a_location() {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut previous = 'a';
    for name in ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] {
        let refs = vec![format!("*{previous}"); 9].join(",");
        text.push_str(&format!("{name}: &{name} [{refs}]\n"));
        previous = name;
    }
    let started = std::time::Instant::now();
    let error = load_text(&text).expect_err("an alias bomb must be refused");
    assert!(
        started.elapsed().as_secs() < 5,
        "took {:?}",
        started.elapsed()
    );
    let span = error.span.clone().expect("the error names a location");
    // 9^7 = 4.8M nodes: the first alias of `g` on line 7 overflows the 1M budget.
    assert_eq!(span.line(), 7, "{error}");
    assert!(error.message.contains("after expanding aliases"), "{error}");
}

#[test]
fn a_hundred_nested_block_lists_load() {
    let mut text = String::new();
    for depth in 0..100 {
        text.push_str(&" ".repeat(depth * 2));
        text.push_str("-\n");
    }
    text.push_str(&" ".repeat(200));
    text.push_str("- leaf\n");
    let node = load_text(&text)
        .expect("100 levels are fine")
        .expect("a document");
    let mut value = to_value(&node);
    let mut depth = 0;
    while let Value::List(mut items) = value {
        depth += 1;
        value = items.pop().unwrap_or(Value::Null);
    }
    assert_eq!(depth, 101);
    assert_eq!(value, Value::Str("leaf".into()));
}

#[test]
fn nesting_beyond_the_limit_is_an_error_with_a_location() {
    let text = format!("a: {}{}\n", "[".repeat(300), "]".repeat(300));
    let error = load_text(&text).expect_err("300 levels are too deep");
    let span = error.span.clone().expect("a location");
    assert_eq!(span.line(), 1);
    // The mapping is level 1, so the 256th bracket (column 3 + 256) is one level too many.
    assert_eq!(span.line_col().1, 3 + MAX_DEPTH, "{error}");
    assert!(error.message.contains("nested too deeply"), "{error}");
    // The same through JSON, which Ansible tries first.
    let json = format!("{}{}", "[".repeat(300), "]".repeat(300));
    assert!(load_text(&json).is_err());
}

#[test]
fn duplicate_key_warning_points_at_the_repeat_and_keeps_the_first_position() {
    let file = SourceFile::new("d.yaml", "a: 1\nb: 2\na: 3\n");
    let mut warnings = Vec::new();
    let node = load(&file, &mut warnings)
        .expect("loads")
        .expect("a document");
    let Value::Map(map) = to_value(&node) else {
        panic!("not a map")
    };
    assert_eq!(map.keys().collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(map["a"], Value::Int(3));
    assert_eq!(warnings.len(), 1);
    assert_eq!(
        warnings[0].to_string(),
        "d.yaml:3:1: Found duplicate mapping key 'a'."
    );
    assert_eq!(
        warnings[0].help.as_deref(),
        Some("Using last defined value only.")
    );
}

#[test]
fn every_node_has_a_span_on_its_own_text() {
    let file = SourceFile::new(
        "s.yaml",
        "key: !unsafe '{{ x }}'\nlist:\n  - 0755\n  - &a yes\n",
    );
    let node = load(&file, &mut Vec::new())
        .expect("loads")
        .expect("a document");
    let super::NodeValue::Map(pairs) = &node.value else {
        panic!("not a map")
    };
    assert_eq!(pairs[0].0.span.text(), "key");
    assert_eq!(pairs[0].1.span.text(), "!unsafe '{{ x }}'");
    assert_eq!(pairs[0].1.tag.as_deref(), Some(super::UNSAFE_TAG));
    let super::NodeValue::Seq(items) = &pairs[1].1.value else {
        panic!("not a list")
    };
    assert_eq!(items[0].span.to_string(), "s.yaml:3:5");
    assert_eq!(items[0].value, super::NodeValue::Int(493));
    assert_eq!(items[1].span.text(), "&a yes");
}

#[test]
fn oversized_text_is_refused_before_parsing() {
    let text = "a".repeat(super::MAX_SOURCE_BYTES + 1);
    let error = load_text(&text).expect_err("too big");
    assert!(error.message.contains("bytes"), "{error}");
    assert!(error.help.is_some());
}

#[test]
fn integers_beyond_128_bits_are_a_clear_error() {
    // Python has unbounded ints; we stop at i128 and say so.
    let error = load_text("a: 1361129467683753853853498429727072845824\n").expect_err("too big");
    assert!(error.message.contains("128 bits"), "{error}");
    assert_eq!(error.span.map(|s| s.line_col()), Some((1, 4)));
}
