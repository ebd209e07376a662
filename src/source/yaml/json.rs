//! Ansible's loader tries JSON before YAML (`ansible.parsing.utils.yaml.from_yaml`): a file that
//! Python's `json.loads` accepts is typed by JSON's rules (`1e3` is a float there, a string in YAML),
//! repeated keys are silent, and `{"__ansible_vault": "..."}` / `{"__ansible_unsafe": "..."}` objects
//! become vaulted / unsafe strings. This is a JSON reader with Python's `json` module's grammar
//! (including `NaN`, `Infinity`, `-Infinity`) that keeps spans.

use super::compose::Limits;
use super::mapping;
use super::node::{Node, NodeValue};
use super::tags::{UNSAFE, VAULT};
use crate::diagnostics::Diagnostic;
use crate::source::SourceFile;

/// The document as Python's `json.loads` (with Ansible's legacy decoder) reads it, or `None` when
/// Python would fail and Ansible would fall back to YAML. Exceeding the node budget is an error.
pub fn parse(file: &SourceFile, limits: Limits) -> Result<Option<Node>, Diagnostic> {
    let mut reader = Reader {
        file,
        bytes: file.text().as_bytes(),
        pos: 0,
        depth: 0,
        nodes: 0,
        limits,
    };
    reader.skip_ws();
    let value = match reader.value() {
        Ok(value) => value,
        Err(Stop::NotJson) => return Ok(None),
        Err(Stop::Budget(d)) => return Err(d),
    };
    reader.skip_ws();
    Ok((reader.pos == reader.bytes.len()).then_some(value))
}

enum Stop {
    /// Python's json module would raise; Ansible then tries YAML.
    NotJson,
    Budget(Diagnostic),
}

type Step<T> = Result<T, Stop>;

struct Reader<'a> {
    file: &'a SourceFile,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
    nodes: usize,
    limits: Limits,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn eat(&mut self, literal: &str) -> bool {
        let hit = self.bytes.get(self.pos..self.pos + literal.len()) == Some(literal.as_bytes());
        if hit {
            self.pos += literal.len();
        }
        hit
    }

    fn node(&mut self, value: NodeValue, start: usize) -> Step<Node> {
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes {
            return Err(Stop::Budget(
                Diagnostic::error(format!(
                    "JSON document too large: more than {} values.",
                    self.limits.max_nodes
                ))
                .at(self.file.span(start, 0))
                .with_help("Split the data into several files."),
            ));
        }
        Ok(Node {
            value,
            span: self.file.span(start, self.pos - start),
            tag: None,
        })
    }

    fn value(&mut self) -> Step<Node> {
        let start = self.pos;
        match self.peek() {
            Some(b'"') => {
                let text = self.string()?;
                self.node(NodeValue::Str(text), start)
            }
            Some(b'{') => self.nested(Self::object),
            Some(b'[') => self.nested(Self::array),
            Some(b'n') if self.eat("null") => self.node(NodeValue::Null, start),
            Some(b't') if self.eat("true") => self.node(NodeValue::Bool(true), start),
            Some(b'f') if self.eat("false") => self.node(NodeValue::Bool(false), start),
            Some(b'-' | b'0'..=b'9') => {
                if let Some(value) = self.number() {
                    self.node(value, start)
                } else if self.eat("-Infinity") {
                    self.node(NodeValue::Float(f64::NEG_INFINITY), start)
                } else {
                    Err(Stop::NotJson)
                }
            }
            Some(b'N') if self.eat("NaN") => self.node(NodeValue::Float(f64::NAN), start),
            Some(b'I') if self.eat("Infinity") => self.node(NodeValue::Float(f64::INFINITY), start),
            _ => Err(Stop::NotJson),
        }
    }

    fn nested(&mut self, inner: fn(&mut Self) -> Step<Node>) -> Step<Node> {
        // Python stops at its recursion limit and Ansible falls back to YAML, which applies our own limit.
        if self.depth >= self.limits.max_depth {
            return Err(Stop::NotJson);
        }
        self.depth += 1;
        let node = inner(self);
        self.depth -= 1;
        node
    }

    /// Python's NUMBER_RE: `-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?`, an int unless it has a fraction or
    /// an exponent.
    fn number(&mut self) -> Option<NodeValue> {
        let start = self.pos;
        let mut pos = self.pos;
        let digits = |pos: &mut usize| {
            let from = *pos;
            while self.bytes.get(*pos).is_some_and(u8::is_ascii_digit) {
                *pos += 1;
            }
            *pos - from
        };
        if self.bytes.get(pos) == Some(&b'-') {
            pos += 1;
        }
        match self.bytes.get(pos) {
            Some(b'0') => pos += 1,
            Some(b'1'..=b'9') => {
                digits(&mut pos);
            }
            _ => return None,
        }
        let mut is_float = false;
        if self.bytes.get(pos) == Some(&b'.') {
            let mut after = pos + 1;
            if digits(&mut after) > 0 {
                pos = after;
                is_float = true;
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(pos) {
            let mut after = pos + 1;
            if let Some(b'-' | b'+') = self.bytes.get(after) {
                after += 1;
            }
            if digits(&mut after) > 0 {
                pos = after;
                is_float = true;
            }
        }
        let text = std::str::from_utf8(self.bytes.get(start..pos)?).ok()?;
        let value = if is_float {
            NodeValue::Float(text.parse().ok()?)
        } else {
            // Python ints are unbounded; beyond i128 we let YAML report the problem.
            NodeValue::Int(text.parse().ok()?)
        };
        self.pos = pos;
        Some(value)
    }

    fn string(&mut self) -> Step<String> {
        self.pos += 1;
        let mut out = String::new();
        let mut run = self.pos;
        loop {
            let byte = self.peek().ok_or(Stop::NotJson)?;
            match byte {
                b'"' => {
                    out.push_str(self.slice(run, self.pos)?);
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    out.push_str(self.slice(run, self.pos)?);
                    self.pos += 1;
                    let escape = self.peek().ok_or(Stop::NotJson)?;
                    self.pos += 1;
                    match escape {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => return Err(Stop::NotJson),
                    }
                    run = self.pos;
                }
                // Python's json is strict by default: raw control characters are errors.
                0..=0x1f => return Err(Stop::NotJson),
                _ => self.pos += 1,
            }
        }
    }

    fn slice(&self, from: usize, to: usize) -> Step<&str> {
        self.bytes
            .get(from..to)
            .and_then(|b| std::str::from_utf8(b).ok())
            .ok_or(Stop::NotJson)
    }

    fn hex4(&mut self) -> Step<u32> {
        let text = self.slice(self.pos, self.pos + 4)?;
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Stop::NotJson);
        }
        let code = u32::from_str_radix(text, 16).map_err(|_| Stop::NotJson)?;
        self.pos += 4;
        Ok(code)
    }

    /// `\uXXXX`, joining surrogate pairs. A lone surrogate makes a Python str that Ansible's decoder
    /// rejects (its string encoding check), so it is not JSON for us either.
    fn unicode_escape(&mut self) -> Step<char> {
        let first = self.hex4()?;
        let code = if (0xd800..0xdc00).contains(&first) && self.eat("\\u") {
            let second = self.hex4()?;
            if !(0xdc00..0xe000).contains(&second) {
                return Err(Stop::NotJson);
            }
            0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00)
        } else {
            first
        };
        char::from_u32(code).ok_or(Stop::NotJson)
    }

    fn array(&mut self) -> Step<Node> {
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.eat("]") {
            return self.node(NodeValue::Seq(items), start);
        }
        loop {
            self.skip_ws();
            items.push(self.value()?);
            self.skip_ws();
            if self.eat("]") {
                return self.node(NodeValue::Seq(items), start);
            }
            if !self.eat(",") {
                return Err(Stop::NotJson);
            }
        }
    }

    fn object(&mut self) -> Step<Node> {
        let start = self.pos;
        self.pos += 1;
        let mut pairs = Vec::new();
        self.skip_ws();
        if !self.eat("}") {
            loop {
                self.skip_ws();
                let key_start = self.pos;
                if self.peek() != Some(b'"') {
                    return Err(Stop::NotJson);
                }
                let key = self.string()?;
                let key = self.node(NodeValue::Str(key), key_start)?;
                self.skip_ws();
                if !self.eat(":") {
                    return Err(Stop::NotJson);
                }
                self.skip_ws();
                let value = self.value()?;
                pairs.push((key, value));
                self.skip_ws();
                if self.eat("}") {
                    break;
                }
                if !self.eat(",") {
                    return Err(Stop::NotJson);
                }
            }
        }
        // json.loads builds a dict (last value wins, first position kept) without any warning.
        let pairs = mapping::assign(pairs, &mut Vec::new());
        // Ansible's legacy decoder object_hook: these markers replace the whole object.
        for (marker, tag) in [("__ansible_unsafe", UNSAFE), ("__ansible_vault", VAULT)] {
            if let Some((_, value)) = pairs
                .iter()
                .find(|(k, _)| k.value == NodeValue::Str(marker.into()))
            {
                let NodeValue::Str(text) = &value.value else {
                    // The decoder raises TypeError, so Ansible reads the file as YAML instead.
                    return Err(Stop::NotJson);
                };
                let mut node = self.node(NodeValue::Str(text.clone()), start)?;
                node.tag = Some(tag.to_string());
                return Ok(node);
            }
        }
        self.node(NodeValue::Map(pairs), start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Option<Node> {
        let file = SourceFile::new("t.json", text);
        parse(
            &file,
            Limits {
                max_nodes: 1000,
                max_depth: 10,
            },
        )
        .ok()
        .flatten()
    }

    #[test]
    fn json_numbers_follow_python() {
        // from_yaml('{"a": 1e3, "b": -0, "c": 1.0e5}') gave {'a': 1000.0, 'b': 0, 'c': 100000.0}.
        let node = parse_text(r#"{"a": 1e3, "b": -0, "c": 1.0e5, "d": NaN}"#);
        let Some(NodeValue::Map(pairs)) = node.map(|n| n.value) else {
            panic!("not a map");
        };
        assert_eq!(pairs[0].1.value, NodeValue::Float(1000.0));
        assert_eq!(pairs[1].1.value, NodeValue::Int(0));
        assert_eq!(pairs[2].1.value, NodeValue::Float(100000.0));
        assert!(matches!(pairs[3].1.value, NodeValue::Float(f) if f.is_nan()));
    }

    #[test]
    fn what_python_rejects_falls_back_to_yaml() {
        for text in [
            "",
            "[1,]",
            "{\"a\": 1}{}",
            "\u{feff}{}",
            "[01]",
            "{'a': 1}",
            "[\"\\ud800\"]",
            "[1] # c",
        ] {
            assert!(parse_text(text).is_none(), "{text:?}");
        }
        assert!(parse_text(" [\"\\u00e9\\/\", 2.5] \n").is_some());
    }

    #[test]
    fn ansible_markers_become_tagged_strings() {
        let node = parse_text(r#"{"v": {"__ansible_vault": "$ANSIBLE_VAULT;1.1;AES256\n6134"}}"#);
        let Some(NodeValue::Map(pairs)) = node.map(|n| n.value) else {
            panic!("not a map");
        };
        assert_eq!(pairs[0].1.tag.as_deref(), Some(VAULT));
        assert!(parse_text(r#"{"__ansible_vault": 1}"#).is_none());
    }
}
