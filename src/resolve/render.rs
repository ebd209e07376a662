//! Rendering values written in YAML, keeping each string's span so a templating error names the exact
//! place: task arguments, `when:` conditions, names, `no_log`, `notify`.

use super::spans::template_diagnostic;
use crate::diagnostics::Diagnostic;
use crate::source::Span;
use crate::source::yaml::{Node, NodeValue, UNSAFE_TAG, VAULT_TAG, json_key, to_value};
use crate::template::{Templar, TemplateError, TemplateErrorKind, Vars, is_omit};
use crate::value::{Map, Value};

/// Renders with one set of variables, remembering whether a vault secret went into any result.
pub(super) struct Renderer<'a> {
    pub templar: &'a Templar,
    pub vars: &'a Vars,
    pub secret_used: bool,
    /// Some failure so far was an undefined variable (a false `when:` may still skip the task).
    pub undefined_seen: bool,
}

impl<'a> Renderer<'a> {
    pub fn new(templar: &'a Templar, vars: &'a Vars) -> Self {
        Self {
            templar,
            vars,
            secret_used: false,
            undefined_seen: false,
        }
    }

    /// A YAML value with every string rendered (dict keys are not, as in Ansible 2.19). List items and
    /// dict values that render to `omit` are dropped; the caller drops a top-level `omit`.
    pub fn node(&mut self, node: &Node, what: &str) -> Result<Value, Vec<Diagnostic>> {
        let mut problems = Vec::new();
        let value = self.tree(node, what, &mut problems);
        if problems.is_empty() {
            Ok(value)
        } else {
            Err(problems)
        }
    }

    fn tree(&mut self, node: &Node, what: &str, problems: &mut Vec<Diagnostic>) -> Value {
        match &node.value {
            NodeValue::Str(_) if node.tag.as_deref() == Some(VAULT_TAG) => {
                match self.templar.render_value(&to_value(node), self.vars) {
                    Ok(rendered) => {
                        self.secret_used |= rendered.uses_secret;
                        rendered.value
                    }
                    Err(err) => {
                        self.note(&err);
                        problems.push(template_diagnostic(what, &node.span, None, &err));
                        Value::Null
                    }
                }
            }
            NodeValue::Str(text) if node.tag.as_deref() == Some(UNSAFE_TAG) => {
                Value::Unsafe(text.clone())
            }
            NodeValue::Str(text) => match self.string(text, &node.span, what) {
                Ok(value) => value,
                Err(problem) => {
                    problems.push(problem);
                    Value::Null
                }
            },
            NodeValue::Seq(items) => Value::List(
                items
                    .iter()
                    .map(|item| self.tree(item, what, problems))
                    .filter(|v| !is_omit(v))
                    .collect(),
            ),
            NodeValue::Map(entries) => {
                let mut map = Map::with_capacity(entries.len());
                for (key, item) in entries {
                    let item = self.tree(item, what, problems);
                    if !is_omit(&item) {
                        map.insert(json_key(&key.value), item);
                    }
                }
                Value::Map(map)
            }
            _ => to_value(node),
        }
    }

    /// One string written at `at`, rendered.
    pub fn string(&mut self, text: &str, at: &Span, what: &str) -> Result<Value, Diagnostic> {
        match self.templar.render_str(text, self.vars) {
            Ok(rendered) => {
                self.secret_used |= rendered.uses_secret;
                Ok(rendered.value)
            }
            Err(err) => {
                self.note(&err);
                Err(template_diagnostic(what, at, Some(text), &err))
            }
        }
    }

    fn note(&mut self, err: &TemplateError) {
        if matches!(
            err.kind,
            TemplateErrorKind::Undefined | TemplateErrorKind::FactsNotGathered
        ) {
            self.undefined_seen = true;
        }
    }

    /// One `when:` condition.
    pub fn condition(&mut self, node: &Node, what: &str) -> Result<bool, Diagnostic> {
        let text = match &node.value {
            NodeValue::Str(text) => Some(text.as_str()),
            _ => None,
        };
        self.templar
            .eval_condition_value(&to_value(node), self.vars)
            .map_err(|err| {
                self.note(&err);
                template_diagnostic(what, &node.span, text, &err)
            })
    }
}

/// Ansible's `boolean()`: the YAML 1.1 words, `1`/`0`, and real booleans.
pub(super) fn as_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Int(1) => Some(true),
        Value::Int(0) | Value::Null => Some(false),
        Value::Float(f) if *f == 1.0 => Some(true),
        Value::Float(f) if *f == 0.0 => Some(false),
        Value::Str(s) | Value::Unsafe(s) => match s.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" | "on" | "1" | "true" | "t" => Some(true),
            "n" | "no" | "off" | "0" | "false" | "f" | "" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Strings in `value` marked as already rendered, so reading it again as a variable (a loop item) does
/// not template it a second time.
pub(super) fn rendered(value: Value) -> Value {
    match value {
        Value::Str(s) => Value::Unsafe(s),
        Value::List(items) => Value::List(items.into_iter().map(rendered).collect()),
        Value::Map(map) => Value::Map(map.into_iter().map(|(k, v)| (k, rendered(v))).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use crate::source::yaml;
    use crate::template::omit_token;

    fn node(text: &str) -> Node {
        let file = SourceFile::new("t.yml", text);
        yaml::load(&file, &mut Vec::new()).unwrap().unwrap()
    }

    #[test]
    fn renders_every_string_and_drops_omitted_items() {
        let vars = Vars::new(Map::from([
            ("name".into(), Value::Str("app".into())),
            ("nothing".into(), Value::Str(omit_token().into())),
        ]));
        let templar = Templar::new();
        let mut renderer = Renderer::new(&templar, &vars);
        let value = renderer
            .node(
                &node("a: '{{ name }}'\nb: ['{{ nothing }}', x]\nc: '{{ omit }}'\nd: !unsafe '{{ raw }}'\n"),
                "args",
            )
            .unwrap();
        let Value::Map(map) = value else { panic!() };
        assert_eq!(map["a"], Value::Str("app".into()));
        assert_eq!(map["b"], Value::List(vec![Value::Str("x".into())]));
        assert!(!map.contains_key("c"));
        assert_eq!(map["d"], Value::Unsafe("{{ raw }}".into()));
    }

    #[test]
    fn every_failing_string_is_reported_at_its_place() {
        let vars = Vars::default();
        let templar = Templar::new();
        let mut renderer = Renderer::new(&templar, &vars);
        let problems = renderer
            .node(&node("a: '{{ x }}'\nb:\n  - ok\n  - '{{ y }}'\n"), "args")
            .unwrap_err();
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "t.yml:1:8: args: 'x' is undefined",
                "t.yml:4:9: args: 'y' is undefined"
            ]
        );
    }

    #[test]
    fn booleans_as_ansible_reads_them() {
        assert_eq!(as_bool(&Value::Str("Yes".into())), Some(true));
        assert_eq!(as_bool(&Value::Str("off".into())), Some(false));
        assert_eq!(as_bool(&Value::Int(2)), None);
        assert_eq!(as_bool(&Value::Str("maybe".into())), None);
    }
}
