//! Loop items: `loop:` (a list, after templating) and the `with_<lookup>` loops Ansible's lookups
//! produce: `items` (flattened one level), `list`, `dict` (key/value items), `indexed_items`,
//! `flattened` and `together`.

use super::render::Renderer;
use crate::diagnostics::Diagnostic;
use crate::playbook::LoopSpec;
use crate::source::yaml::NodeValue;
use crate::value::{Map, Value};

/// Why the items could not be computed. An undefined variable lets a false `when:` skip the task first,
/// as Ansible's task executor does.
pub(super) struct LoopError {
    pub diagnostic: Diagnostic,
    pub undefined: bool,
}

pub(super) fn items(spec: &LoopSpec, renderer: &mut Renderer<'_>) -> Result<Vec<Value>, LoopError> {
    let what = if spec.style == "loop" {
        "loop".to_string()
    } else {
        format!("with_{}", spec.style)
    };
    renderer.undefined_seen = false;
    let terms = match &spec.items.value {
        // Ansible templates a string and uses the result; a list has each item templated.
        NodeValue::Str(text) => renderer
            .string(text, &spec.items.span, &what)
            .map_err(|d| vec![d]),
        _ => renderer.node(&spec.items, &what),
    };
    let terms = match terms {
        Ok(terms) => terms,
        Err(problems) => {
            let undefined = renderer.undefined_seen;
            let diagnostic = problems
                .into_iter()
                .next()
                .unwrap_or_else(|| Diagnostic::error("the loop could not be rendered"));
            return Err(LoopError {
                diagnostic,
                undefined,
            });
        }
    };
    let fail = |message: String| LoopError {
        diagnostic: Diagnostic::error(message)
            .at(spec.items.span.clone())
            .with_help("give the loop a list (or, for with_dict, a mapping)"),
        undefined: false,
    };
    if spec.style == "loop" {
        return match terms {
            Value::List(items) => Ok(items),
            other => Err(fail(format!(
                "The `loop` value must resolve to a 'list', not '{}'.",
                other.type_name()
            ))),
        };
    }
    let terms = match terms {
        Value::List(terms) => terms,
        other => vec![other],
    };
    match spec.style.as_str() {
        "items" => Ok(flatten_once(terms)),
        "list" => Ok(terms),
        "indexed_items" => Ok(flatten_once(terms)
            .into_iter()
            .enumerate()
            .map(|(i, item)| Value::List(vec![Value::Int(i as i128), item]))
            .collect()),
        "flattened" => {
            let mut out = Vec::new();
            flatten_all(terms, &mut out);
            Ok(out)
        }
        "dict" => {
            let mut out = Vec::new();
            for term in terms {
                let Value::Map(map) = term else {
                    return Err(fail(format!(
                        "with_dict expects a dict, got a '{}'",
                        term.type_name()
                    )));
                };
                for (key, value) in map {
                    out.push(Value::Map(Map::from([
                        ("key".into(), Value::Str(key)),
                        ("value".into(), value),
                    ])));
                }
            }
            Ok(out)
        }
        "together" => {
            let lists: Vec<Vec<Value>> = terms
                .into_iter()
                .map(|t| match t {
                    Value::List(items) => items,
                    other => vec![other],
                })
                .collect();
            if lists.is_empty() {
                return Err(fail(
                    "with_together requires at least one element in each list".into(),
                ));
            }
            let longest = lists.iter().map(Vec::len).max().unwrap_or(0);
            Ok((0..longest)
                .map(|i| {
                    Value::List(
                        lists
                            .iter()
                            .map(|l| l.get(i).cloned().unwrap_or(Value::Null))
                            .collect(),
                    )
                })
                .collect())
        }
        other => Err(fail(format!("`with_{other}` loops are not supported"))),
    }
}

/// Ansible's `LookupBase._flatten`: list terms are spliced in, one level deep.
fn flatten_once(terms: Vec<Value>) -> Vec<Value> {
    let mut out = Vec::new();
    for term in terms {
        match term {
            Value::List(items) => out.extend(items),
            other => out.push(other),
        }
    }
    out
}

fn flatten_all(terms: Vec<Value>, out: &mut Vec<Value>) {
    for term in terms {
        match term {
            Value::List(items) => flatten_all(items, out),
            Value::Null => {}
            other => out.push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use crate::source::yaml;
    use crate::template::{Templar, Vars};

    fn run(style: &str, yaml_text: &str, vars: Vars) -> Result<Vec<Value>, String> {
        let file = SourceFile::new("t.yml", yaml_text);
        let node = yaml::load(&file, &mut Vec::new()).unwrap().unwrap();
        let spec = LoopSpec {
            style: style.into(),
            items: node,
            loop_var: "item".into(),
            index_var: None,
            label: None,
        };
        let templar = Templar::new();
        let mut renderer = Renderer::new(&templar, &vars);
        items(&spec, &mut renderer).map_err(|e| e.diagnostic.to_string())
    }

    fn shown(items: &[Value]) -> Vec<String> {
        items.iter().map(crate::value::pyrepr::repr).collect()
    }

    #[test]
    fn with_loops_shape_items_as_ansible_does() {
        // ansible-playbook 2.19.14, debug over each: items of [[1, 2], 3, [[4]]] are 1, 2, 3, [4];
        // with_list keeps [1, 2] whole; with_dict gives {'key': 'a', 'value': 1}, ...
        let items = run("items", "[[1, 2], 3, [[4]]]", Vars::default()).unwrap();
        assert_eq!(shown(&items), ["1", "2", "3", "[4]"]);
        let items = run("list", "[[1, 2], 3]", Vars::default()).unwrap();
        assert_eq!(shown(&items), ["[1, 2]", "3"]);
        let items = run("dict", "{a: 1, b: 2}", Vars::default()).unwrap();
        assert_eq!(
            shown(&items),
            ["{'key': 'a', 'value': 1}", "{'key': 'b', 'value': 2}"]
        );
        let items = run("indexed_items", "[a, b]", Vars::default()).unwrap();
        assert_eq!(shown(&items), ["[0, 'a']", "[1, 'b']"]);
        let items = run("together", "[[a, b], [1]]", Vars::default()).unwrap();
        assert_eq!(shown(&items), ["['a', 1]", "['b', None]"]);
    }

    #[test]
    fn loop_templates_and_needs_a_list() {
        let vars = Vars::new(Map::from([(
            "dirs".into(),
            Value::List(vec!["/a".into(), "/b".into()]),
        )]));
        let items = run("loop", "'{{ dirs }}'", vars.clone()).unwrap();
        assert_eq!(shown(&items), ["'/a'", "'/b'"]);
        let error = run("loop", "'{{ dirs | join(\",\") }}'", vars).unwrap_err();
        assert!(
            error.contains("The `loop` value must resolve to a 'list', not 'str'."),
            "{error}"
        );
        let error = run("dict", "[1]", Vars::default()).unwrap_err();
        assert!(error.contains("with_dict expects a dict"), "{error}");
    }
}
