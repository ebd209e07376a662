//! YAML as PyYAML's `yaml.dump` writes it for `to_yaml` and `to_nice_yaml` (sorted keys, PyYAML's
//! scalar style choice, folding of long plain and single-quoted scalars at `width`,
//! `default_flow_style`: `None` puts collections of scalars in flow style, `False` never does).
//!
//! Not reproduced: folding of double-quoted scalars and of long flow collections.

use std::fmt::Write;

use crate::source::yaml::plain_scalar_is_str;
use crate::value::{Value, pyfloat};

pub struct DumpOptions {
    pub indent: usize,
    pub default_flow_style: Option<bool>,
    pub width: usize,
}

struct Emitter<'o> {
    out: String,
    column: usize,
    options: &'o DumpOptions,
}

pub fn dump(value: &Value, options: &DumpOptions) -> String {
    let mut e = Emitter {
        out: String::new(),
        column: 0,
        options,
    };
    match value {
        Value::List(items) if !items.is_empty() && !e.flow(value) => {
            e.block_seq(items, 0);
            e.newline();
        }
        Value::Map(map) if !map.is_empty() && !e.flow(value) => {
            e.block_map(value, 0);
            e.newline();
        }
        Value::List(_) | Value::Map(_) => {
            e.flow_node(value);
            e.newline();
        }
        scalar => {
            // PyYAML adds a `...` document end after a lone plain scalar; Ansible's dumper does not.
            e.scalar(scalar, 0, false, false);
            e.newline();
        }
    }
    e.out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
}

impl Emitter<'_> {
    fn write(&mut self, text: &str) {
        self.out.push_str(text);
        self.column += text.chars().count();
    }

    fn newline(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn indent_to(&mut self, indent: usize) {
        if self.column > indent {
            self.newline();
        }
        let pad = indent.saturating_sub(self.column);
        self.write(&" ".repeat(pad));
    }

    /// Whether a collection is written in flow style.
    fn flow(&self, value: &Value) -> bool {
        match (value, self.options.default_flow_style) {
            (Value::List(items), _) if items.is_empty() => true,
            (Value::Map(map), _) if map.is_empty() => true,
            (_, Some(flow)) => flow,
            (Value::List(items), None) => items.iter().all(is_scalar),
            (Value::Map(map), None) => map.values().all(is_scalar),
            _ => false,
        }
    }

    fn block_map(&mut self, value: &Value, indent: usize) {
        let Value::Map(map) = value else { return };
        let mut keys: Vec<&String> = map.keys().collect();
        keys.sort_by(|a, b| a.chars().cmp(b.chars()));
        for key in keys {
            let Some(item) = map.get(key) else { continue };
            self.indent_to(indent);
            self.scalar(&Value::Str(key.clone()), indent, true, false);
            self.write(":");
            self.value_after_indicator(item, indent, true);
        }
    }

    fn block_seq(&mut self, items: &[Value], indent: usize) {
        for item in items {
            self.indent_to(indent);
            self.write("-");
            self.value_after_indicator(item, indent, false);
        }
    }

    /// A mapping value after `key:` or a sequence item after `-`.
    fn value_after_indicator(&mut self, item: &Value, indent: usize, in_map: bool) {
        let step = self.options.indent;
        match item {
            Value::Map(_) if !self.flow(item) => {
                if in_map {
                    self.newline();
                    self.block_map(item, indent + step);
                } else {
                    // The first key goes on the dash's line, aligned with the ones below.
                    self.write(&" ".repeat(step.saturating_sub(1).max(1)));
                    self.block_map(item, indent + step.max(2));
                }
            }
            Value::List(items) if !self.flow(item) => {
                if in_map {
                    // PyYAML does not indent a sequence inside a mapping.
                    self.newline();
                    self.block_seq(items, indent);
                } else {
                    self.write(&" ".repeat(step.saturating_sub(1).max(1)));
                    self.block_seq(items, indent + step.max(2));
                }
            }
            Value::List(_) | Value::Map(_) => {
                self.write(" ");
                self.flow_node(item);
            }
            scalar => {
                self.scalar(scalar, indent + step, false, true);
            }
        }
    }

    fn flow_node(&mut self, value: &Value) {
        match value {
            Value::List(items) => {
                self.write("[");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.write(", ");
                    }
                    self.flow_node(item);
                }
                self.write("]");
            }
            Value::Map(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort_by(|a, b| a.chars().cmp(b.chars()));
                self.write("{");
                for (i, key) in keys.into_iter().enumerate() {
                    if i > 0 {
                        self.write(", ");
                    }
                    self.scalar_flow(&Value::Str(key.clone()), true);
                    self.write(": ");
                    if let Some(item) = map.get(key) {
                        self.flow_node(item);
                    }
                }
                self.write("}");
            }
            scalar => self.scalar_flow(scalar, false),
        }
    }

    fn scalar_flow(&mut self, value: &Value, simple_key: bool) {
        let (text, is_str) = scalar_text(value);
        let style = choose_style(&text, is_str, true, simple_key);
        self.write_scalar(&text, style, 0, false);
    }

    /// Writes a scalar in block context; `space_first` writes the separating space before it.
    fn scalar(
        &mut self,
        value: &Value,
        indent: usize,
        simple_key: bool,
        space_first: bool,
    ) -> Style {
        let (text, is_str) = scalar_text(value);
        let style = choose_style(&text, is_str, false, simple_key);
        if space_first {
            self.write(" ");
        }
        self.write_scalar(&text, style, indent, !simple_key);
        style
    }

    fn write_scalar(&mut self, text: &str, style: Style, indent: usize, fold: bool) {
        match style {
            Style::Plain => self.write_folded(text, indent, fold, false),
            Style::Single => {
                self.write("'");
                self.write_folded(text, indent, fold, true);
                self.write("'");
            }
            Style::Double => self.write(&double_quoted(text)),
        }
    }

    /// Plain and single-quoted text, broken at single spaces once past the width (PyYAML's
    /// `write_plain`/`write_single_quoted`). Line breaks (single-quoted only) are doubled.
    fn write_folded(&mut self, text: &str, indent: usize, fold: bool, quoted: bool) {
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == ' ' {
                let run = chars[i..].iter().take_while(|c| **c == ' ').count();
                let next_is_end = i + run >= chars.len();
                if fold && run == 1 && self.column > self.options.width && !next_is_end && i > 0 {
                    self.newline();
                    self.write(&" ".repeat(indent));
                } else {
                    self.write(&" ".repeat(run));
                }
                i += run;
            } else if c == '\n' && quoted {
                let run = chars[i..].iter().take_while(|c| **c == '\n').count();
                self.newline();
                for _ in 0..run {
                    self.newline();
                }
                self.write(&" ".repeat(indent));
                i += run;
            } else {
                let mut s = String::new();
                while i < chars.len() && chars[i] != ' ' && !(quoted && chars[i] == '\n') {
                    if quoted && chars[i] == '\'' {
                        s.push('\'');
                    }
                    s.push(chars[i]);
                    i += 1;
                }
                self.write(&s);
            }
        }
    }
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::List(_) | Value::Map(_))
}

/// The text PyYAML's SafeRepresenter gives a scalar, and whether it is a string.
fn scalar_text(value: &Value) -> (String, bool) {
    match value {
        Value::Null => ("null".into(), false),
        Value::Bool(b) => (if *b { "true" } else { "false" }.into(), false),
        Value::Int(i) => (i.to_string(), false),
        Value::Float(f) => (float_text(*f), false),
        Value::Str(s) | Value::Unsafe(s) => (s.clone(), true),
        Value::Vault(v) => (v.0.clone(), true),
        Value::List(_) | Value::Map(_) => (String::new(), false),
    }
}

/// `represent_float`: `.nan`, `.inf`, `-.inf`, else `repr()` lower-cased with a `.0` before an exponent.
fn float_text(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    let text = pyfloat::repr(f).to_lowercase();
    if !text.contains('.') && text.contains('e') {
        text.replacen('e', ".0e", 1)
    } else {
        text
    }
}

#[derive(Default)]
struct Analysis {
    empty: bool,
    multiline: bool,
    allow_flow_plain: bool,
    allow_block_plain: bool,
    allow_single_quoted: bool,
}

fn is_space_or_break(c: Option<char>) -> bool {
    matches!(
        c,
        None | Some('\0' | ' ' | '\t' | '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
    )
}

fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// PyYAML's `Emitter.analyze_scalar` (with `allow_unicode=True`, as Ansible dumps).
fn analyze(text: &str) -> Analysis {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return Analysis {
            empty: true,
            multiline: false,
            allow_flow_plain: false,
            allow_block_plain: true,
            allow_single_quoted: true,
        };
    }
    let (mut block_ind, mut flow_ind) = (false, false);
    if text.starts_with("---") || text.starts_with("...") {
        block_ind = true;
        flow_ind = true;
    }
    let (mut line_breaks, mut special) = (false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut previous_space, mut previous_break) = (false, false);
    let mut preceded_by_ws = true;
    let mut followed_by_ws = chars.len() == 1 || is_space_or_break(chars.get(1).copied());
    let last = chars.len() - 1;
    for (index, &c) in chars.iter().enumerate() {
        if index == 0 {
            if "#,[]{}&*!|>'\"%@`".contains(c) {
                flow_ind = true;
                block_ind = true;
            }
            if c == '?' || c == ':' {
                flow_ind = true;
                if followed_by_ws {
                    block_ind = true;
                }
            }
            if c == '-' && followed_by_ws {
                flow_ind = true;
                block_ind = true;
            }
        } else {
            if ",?[]{}".contains(c) {
                flow_ind = true;
            }
            if c == ':' {
                flow_ind = true;
                if followed_by_ws {
                    block_ind = true;
                }
            }
            if c == '#' && preceded_by_ws {
                flow_ind = true;
                block_ind = true;
            }
        }
        if is_break(c) {
            line_breaks = true;
        }
        if !(c == '\n' || (' '..='~').contains(&c)) {
            let printable_unicode = (c == '\u{85}'
                || ('\u{a0}'..='\u{d7ff}').contains(&c)
                || ('\u{e000}'..='\u{fffd}').contains(&c)
                || ('\u{10000}'..'\u{10ffff}').contains(&c))
                && c != '\u{feff}';
            if !printable_unicode {
                special = true;
            }
        }
        if c == ' ' {
            if index == 0 {
                leading_space = true;
            }
            if index == last {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            if index == 0 {
                leading_break = true;
            }
            if index == last {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_ws = is_space_or_break(Some(c));
        followed_by_ws =
            index + 2 >= chars.len() || is_space_or_break(chars.get(index + 2).copied());
    }
    let mut a = Analysis {
        empty: false,
        multiline: line_breaks,
        allow_flow_plain: true,
        allow_block_plain: true,
        allow_single_quoted: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.allow_flow_plain = false;
        a.allow_block_plain = false;
    }
    if break_space {
        a.allow_flow_plain = false;
        a.allow_block_plain = false;
        a.allow_single_quoted = false;
    }
    if space_break || special {
        a.allow_flow_plain = false;
        a.allow_block_plain = false;
        a.allow_single_quoted = false;
    }
    if line_breaks {
        a.allow_flow_plain = false;
        a.allow_block_plain = false;
    }
    if flow_ind {
        a.allow_flow_plain = false;
    }
    if block_ind {
        a.allow_block_plain = false;
    }
    a
}

/// PyYAML's `choose_scalar_style` for an unstyled scalar.
fn choose_style(text: &str, is_str: bool, flow: bool, simple_key: bool) -> Style {
    let analysis = analyze(text);
    // A string whose plain form would read back as another type (`'yes'`, `'1'`, `''`) is quoted.
    let implicit = !is_str || plain_scalar_is_str(text);
    if implicit
        && !(simple_key && (analysis.empty || analysis.multiline))
        && ((flow && analysis.allow_flow_plain) || (!flow && analysis.allow_block_plain))
    {
        return Style::Plain;
    }
    if analysis.allow_single_quoted && !(simple_key && analysis.multiline) {
        return Style::Single;
    }
    Style::Double
}

/// A double-quoted scalar with PyYAML's escapes (no folding).
fn double_quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            '\u{85}' => out.push_str("\\N"),
            '\u{a0}' => out.push_str("\\_"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            '\u{feff}' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Map;

    fn nice() -> DumpOptions {
        DumpOptions {
            indent: 4,
            default_flow_style: Some(false),
            width: 80,
        }
    }

    #[test]
    fn scalars_are_quoted_as_pyyaml_quotes_them() {
        // ansible.plugins.filter.core.to_yaml(x) for each x
        let flow = DumpOptions {
            indent: 2,
            default_flow_style: None,
            width: 80,
        };
        assert_eq!(dump(&Value::Str("foo".into()), &flow), "foo\n");
        assert_eq!(dump(&Value::Str("yes".into()), &flow), "'yes'\n");
        assert_eq!(dump(&Value::Str("".into()), &flow), "''\n");
        assert_eq!(dump(&Value::Str("a: b".into()), &flow), "'a: b'\n");
        assert_eq!(dump(&Value::Str("it's".into()), &flow), "it's\n");
        assert_eq!(dump(&Value::Str("- x".into()), &flow), "'- x'\n");
        assert_eq!(dump(&Value::Float(1e20), &flow), "1.0e+20\n");
    }

    #[test]
    fn nested_collections_indent_as_pyyaml() {
        // yaml.dump({'l': [{'a': 1, 'b': [1, 2]}], 'm': {'k': 'v'}}, indent=4, default_flow_style=False)
        let value = Value::Map(Map::from([
            (
                "m".into(),
                Value::Map(Map::from([("k".into(), Value::Str("v".into()))])),
            ),
            (
                "l".into(),
                Value::List(vec![Value::Map(Map::from([
                    ("a".into(), Value::Int(1)),
                    ("b".into(), Value::List(vec![Value::Int(1), Value::Int(2)])),
                ]))]),
            ),
        ]));
        assert_eq!(
            dump(&value, &nice()),
            "l:\n-   a: 1\n    b:\n    - 1\n    - 2\nm:\n    k: v\n"
        );
    }
}
