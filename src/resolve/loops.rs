//! Loop items: `loop:` (a list, after templating) and the `with_<lookup>` loops Ansible's lookups
//! produce: `items` (flattened one level), `list`, `dict` (key/value items), `indexed_items`,
//! `flattened` and `together`.

use super::render::Renderer;
use crate::diagnostics::Diagnostic;
use crate::inventory::pattern::Glob;
use crate::playbook::LoopSpec;
use crate::source::yaml::NodeValue;
use crate::value::{Map, Value, pyrepr};

mod sequence;

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
        "sequence" => {
            let mut out = Vec::new();
            for term in &terms {
                out.extend(sequence::items(&pyrepr::str(term)).map_err(&fail)?);
            }
            Ok(out)
        }
        "nested" | "cartesian" => Ok(nested(terms)),
        "subelements" => subelements(terms).map_err(fail),
        "fileglob" => Ok(fileglob(&terms, renderer.templar.search_path())),
        other => Err(fail(format!("`with_{other}` loops are not supported"))),
    }
}

/// Ansible's `nested` / `cartesian` lookups: every combination, the first list varying slowest, each
/// item a flat list.
fn nested(terms: Vec<Value>) -> Vec<Value> {
    let mut combinations: Vec<Vec<Value>> = vec![Vec::new()];
    for term in terms {
        let options = match term {
            Value::List(items) => items,
            other => vec![other],
        };
        combinations = combinations
            .into_iter()
            .flat_map(|prefix| {
                options.iter().map(move |option| {
                    let mut next = prefix.clone();
                    match option {
                        Value::List(inner) => next.extend(inner.iter().cloned()),
                        other => next.push(other.clone()),
                    }
                    next
                })
            })
            .collect();
    }
    if combinations.len() == 1 && combinations[0].is_empty() {
        return Vec::new();
    }
    combinations.into_iter().map(Value::List).collect()
}

/// Ansible's `subelements` lookup: `[list of mappings, 'key.path', {skip_missing: bool}]` gives
/// `[parent, element]` for every element of each parent's list at that key.
fn subelements(terms: Vec<Value>) -> Result<Vec<Value>, String> {
    let mut terms = terms.into_iter();
    let (Some(parents), Some(key)) = (terms.next(), terms.next()) else {
        return Err("subelements lookup expects a list of two or three items".into());
    };
    let skip_missing = match terms.next() {
        None => false,
        Some(Value::Map(flags)) => {
            if let Some(other) = flags.keys().find(|k| k.as_str() != "skip_missing") {
                return Err(format!(
                    "the optional third item of the subelements lookup must be a dictionary with flags skip_missing, not {other:?}"
                ));
            }
            flags
                .get("skip_missing")
                .and_then(super::render::as_bool)
                .unwrap_or(false)
        }
        Some(_) => {
            return Err(
                "the optional third item of the subelements lookup must be a dictionary".into(),
            );
        }
    };
    let Some(key) = key.as_str().map(str::to_string) else {
        return Err("the second item of the subelements lookup must be a string".into());
    };
    let parents = match parents {
        Value::List(items) => items,
        Value::Map(map) => map.into_values().collect(),
        _ => return Err("the first item of the subelements lookup must be a list".into()),
    };
    let mut out = Vec::new();
    for parent in parents {
        if matches!(
            parent.as_map().and_then(|m| m.get("skip")),
            Some(Value::Bool(true))
        ) {
            continue;
        }
        let mut node = Some(&parent);
        for part in key.split('.') {
            node = node.and_then(Value::as_map).and_then(|m| m.get(part));
        }
        match node {
            Some(Value::List(elements)) => {
                for element in elements {
                    out.push(Value::List(vec![parent.clone(), element.clone()]));
                }
            }
            Some(other) => {
                return Err(format!(
                    "the key {key} should point to a list, got {}",
                    pyrepr::repr(other)
                ));
            }
            None if skip_missing => {}
            None => {
                return Err(format!(
                    "could not find '{key}' key in iterated item {}",
                    pyrepr::repr(&parent)
                ));
            }
        }
    }
    Ok(out)
}

/// Ansible's `fileglob` lookup, on the controller: each pattern's directory is looked for in the
/// `files/` directories of the search path (the role's, then the playbook's) and then in those
/// directories themselves; the files (not directories) matching the name pattern there, sorted.
fn fileglob(terms: &[Value], search: &[std::path::PathBuf]) -> Vec<Value> {
    let mut out = Vec::new();
    for term in terms {
        let pattern = pyrepr::str(term);
        let path = std::path::Path::new(&pattern);
        let (dir, name) = (
            path.parent().unwrap_or(std::path::Path::new("")),
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
        let candidates: Vec<std::path::PathBuf> = if dir.is_absolute() {
            vec![dir.to_path_buf()]
        } else {
            search
                .iter()
                .flat_map(|base| [base.join("files").join(dir), base.join(dir)])
                .collect()
        };
        // A pattern with a directory uses the first search directory that has it; a bare name
        // tries them all, until one gives files.
        let dirs: Vec<std::path::PathBuf> = if dir.as_os_str().is_empty() {
            candidates
        } else {
            candidates
                .into_iter()
                .find(|d| d.is_dir())
                .into_iter()
                .collect()
        };
        let glob = Glob::new(&name);
        for found in dirs {
            let Ok(listing) = std::fs::read_dir(&found) else {
                continue;
            };
            let mut matched: Vec<String> = listing
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| glob.is_match(&n.to_string_lossy()))
                })
                .map(|p| p.display().to_string())
                .collect();
            if !matched.is_empty() {
                // glob.glob's order is the directory's; sorted keeps plans stable.
                matched.sort();
                out.extend(matched.into_iter().map(Value::Str));
                break;
            }
        }
    }
    out
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
    fn nested_subelements_and_sequence_loops() {
        // lookup('nested', [1, 2], ['a', 'b']) -> [[1, 'a'], [1, 'b'], [2, 'a'], [2, 'b']]
        let items = run("nested", "[[1, 2], [a, b]]", Vars::default()).unwrap();
        assert_eq!(
            shown(&items),
            ["[1, 'a']", "[1, 'b']", "[2, 'a']", "[2, 'b']"]
        );
        let items = run(
            "subelements",
            "[[{name: a, keys: [k1, k2]}, {name: b, keys: [k3]}], keys]",
            Vars::default(),
        )
        .unwrap();
        assert_eq!(items.len(), 3);
        assert_eq!(shown(&items)[2], "[{'name': 'b', 'keys': ['k3']}, 'k3']");
        let error = run("subelements", "[[{name: a}], keys]", Vars::default()).unwrap_err();
        assert!(error.contains("could not find 'keys' key"), "{error}");
        let items = run(
            "subelements",
            "[[{name: a}], keys, {skip_missing: true}]",
            Vars::default(),
        )
        .unwrap();
        assert!(items.is_empty());
        let items = run("sequence", "start=1 end=2 format=n%d", Vars::default()).unwrap();
        assert_eq!(shown(&items), ["'n1'", "'n2'"]);
        let error = run("sequence", "start=1", Vars::default()).unwrap_err();
        assert!(error.contains("must specify count or end"), "{error}");
    }

    #[test]
    fn fileglob_lists_controller_files_in_the_search_path() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["files/keys/b.pub", "files/keys/a.pub", "files/keys/c.txt"] {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        let found = fileglob(
            &[
                Value::Str("keys/*.pub".into()),
                Value::Str("nothing/*".into()),
            ],
            &[dir.path().to_path_buf()],
        );
        let base = dir.path().join("files/keys");
        assert_eq!(
            found,
            [
                Value::Str(base.join("a.pub").display().to_string()),
                Value::Str(base.join("b.pub").display().to_string()),
            ]
        );
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
