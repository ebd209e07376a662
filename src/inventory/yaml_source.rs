//! Ansible's `yaml` inventory plugin: top-level keys are groups, each with optional `hosts`, `vars` and
//! `children` mappings (a bare string is accepted as a one-entry mapping).

use super::data::InventoryData;
use super::host_range::expand_hostpattern;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::source::SourceFile;
use crate::source::yaml::{self, Node, NodeValue};

/// Why a file is not a YAML inventory. `looks_like_yaml` says whether the YAML plugin's error is the one
/// to show (the file loaded as a YAML mapping) or the INI plugin should have its turn, as in Ansible.
#[derive(Debug)]
pub struct YamlInventoryError {
    pub diagnostic: Diagnostic,
    pub looks_like_yaml: bool,
}

pub fn parse_yaml_inventory(
    file: &SourceFile,
    inventory: &mut InventoryData,
    diagnostics: &mut Diagnostics,
) -> Result<(), YamlInventoryError> {
    let mut warnings = Vec::new();
    let loaded = yaml::load(file, &mut warnings);
    let root = match loaded {
        Ok(Some(root)) => root,
        Ok(None) => {
            return Err(YamlInventoryError {
                diagnostic: Diagnostic::error(format!(
                    "{}: Parsed empty YAML file",
                    file.path().display()
                )),
                looks_like_yaml: false,
            });
        }
        Err(diagnostic) => {
            return Err(YamlInventoryError {
                diagnostic,
                looks_like_yaml: false,
            });
        }
    };
    let NodeValue::Map(groups) = &root.value else {
        return Err(YamlInventoryError {
            diagnostic: Diagnostic::error(format!(
                "YAML inventory has invalid structure, it should be a dictionary, got: {}",
                yaml::to_value(&root).type_name()
            ))
            .at(root.span.clone()),
            looks_like_yaml: false,
        });
    };
    let structural = |diagnostic: Diagnostic| YamlInventoryError {
        diagnostic,
        looks_like_yaml: true,
    };
    if let Some((key, _)) = groups
        .iter()
        .find(|(k, v)| scalar_text(k).as_deref() == Some("plugin") && !is_null(v))
    {
        return Err(structural(
            Diagnostic::error("Plugin configuration YAML file, not YAML inventory")
                .at(key.span.clone())
                .with_help(
                    "plimsoll reads static inventories only; inventory plugins are not supported",
                ),
        ));
    }
    diagnostics.extend(warnings);
    let mut parser = Parser {
        inventory,
        diagnostics,
    };
    for (name, data) in groups {
        parser.group(name, data).map_err(structural)?;
    }
    Ok(())
}

struct Parser<'a> {
    inventory: &'a mut InventoryData,
    diagnostics: &'a mut Diagnostics,
}

impl Parser<'_> {
    fn group(&mut self, name_node: &Node, data: &Node) -> Result<String, Diagnostic> {
        let Some(name) = string_key(name_node) else {
            return Err(Diagnostic::error(format!(
                "Unable to add group {}: Invalid group name supplied, expected a string",
                yaml::to_value(name_node).type_name()
            ))
            .at(name_node.span.clone())
            .with_help("quote the group name"));
        };
        let entries = match &data.value {
            NodeValue::Map(entries) => Some(entries),
            NodeValue::Null => None,
            _ => {
                self.diagnostics.push(
                    Diagnostic::warning(format!(
                        "Skipping '{name}' as this is not a valid group definition"
                    ))
                    .at(data.span.clone()),
                );
                return Ok(name);
            }
        };
        let name = self
            .inventory
            .add_group(&name, Some(name_node.span.clone()))
            .map_err(|e| {
                Diagnostic::error(format!("Unable to add group {name}: {e}"))
                    .at(name_node.span.clone())
            })?;
        let Some(entries) = entries else {
            return Ok(name);
        };
        for (key, value) in entries {
            let key_text = scalar_text(key).unwrap_or_default();
            let is_section = matches!(key_text.as_str(), "vars" | "children" | "hosts");
            let section = match &value.value {
                // A bare string under hosts/children/vars is shorthand for a one-entry mapping.
                NodeValue::Str(_) if is_section => vec![(value.clone(), null_like(value))],
                NodeValue::Map(section) => section.clone(),
                NodeValue::Null => continue,
                _ if is_section => {
                    return Err(Diagnostic::error(format!(
                        "Invalid \"{key_text}\" entry for \"{name}\" group, requires a dictionary, found \"{}\" instead.",
                        python_class(&yaml::to_value(value))
                    ))
                    .at(value.span.clone()));
                }
                _ => {
                    self.diagnostics.push(
                        Diagnostic::warning(format!(
                            "Skipping key ({key_text}) in group ({name}) as it is not a mapping, it is a {}",
                            python_class(&yaml::to_value(value))
                        ))
                        .at(key.span.clone()),
                    );
                    continue;
                }
            };
            match key_text.as_str() {
                "vars" => {
                    for (var, val) in &section {
                        let var = key_string(var);
                        self.inventory
                            .set_variable(&name, &var, yaml::to_value(val))
                            .map_err(|e| Diagnostic::error(e.to_string()).at(val.span.clone()))?;
                    }
                }
                "children" => {
                    for (child, child_data) in &section {
                        let child_name = self.group(child, child_data)?;
                        self.inventory.add_child(&name, &child_name).map_err(|e| {
                            Diagnostic::error(e.to_string())
                                .at(child.span.clone())
                                .with_help("a group cannot contain itself or one of its ancestors")
                        })?;
                    }
                }
                "hosts" => {
                    for (pattern, host_vars) in &section {
                        self.hosts(&name, pattern, host_vars)?;
                    }
                }
                _ => self.diagnostics.push(
                    Diagnostic::warning(format!(
                        "Skipping unexpected key ({key_text}) in group ({name}), only \"vars\", \"children\" and \"hosts\" are valid"
                    ))
                    .at(key.span.clone()),
                ),
            }
        }
        Ok(name)
    }

    fn hosts(&mut self, group: &str, pattern_node: &Node, vars: &Node) -> Result<(), Diagnostic> {
        let NodeValue::Str(pattern) = &pattern_node.value else {
            return Err(Diagnostic::error(format!(
                "Host pattern {} must be a string. Enclose integers/floats in quotation marks.",
                pattern_node.span.text()
            ))
            .at(pattern_node.span.clone()));
        };
        let (hosts, port) = expand_hostpattern(pattern).map_err(|e| {
            Diagnostic::error(e.to_string())
                .at(pattern_node.span.clone())
                .with_help("host ranges look like web[01:10] or db-[a:f]")
        })?;
        let vars = match &vars.value {
            NodeValue::Map(entries) => entries.clone(),
            NodeValue::Null => Vec::new(),
            _ => {
                return Err(Diagnostic::error(format!(
                    "Invalid data from file, expected dictionary and got:\n\n{}",
                    vars.span.text()
                ))
                .at(vars.span.clone()));
            }
        };
        for host in hosts {
            self.inventory
                .add_host(&host, Some(group), port, Some(pattern_node.span.clone()))
                .map_err(|e| Diagnostic::error(e.to_string()).at(pattern_node.span.clone()))?;
            for (key, value) in &vars {
                self.inventory
                    .set_variable(&host, &key_string(key), yaml::to_value(value))
                    .map_err(|e| Diagnostic::error(e.to_string()).at(value.span.clone()))?;
            }
        }
        Ok(())
    }
}

fn scalar_text(node: &Node) -> Option<String> {
    match &node.value {
        NodeValue::Str(s) => Some(s.clone()),
        _ => None,
    }
}

fn is_null(node: &Node) -> bool {
    matches!(node.value, NodeValue::Null)
}

fn null_like(node: &Node) -> Node {
    Node {
        value: NodeValue::Null,
        span: node.span.clone(),
        tag: None,
    }
}

/// Group names must be strings; Ansible refuses other key types.
fn string_key(node: &Node) -> Option<String> {
    match &node.value {
        NodeValue::Str(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// A variable name as Ansible would end up printing it (`str()` of a non-string key).
fn key_string(node: &Node) -> String {
    match yaml::to_value(node) {
        crate::value::Value::Str(s) => s,
        other => crate::value::pyjson::to_json_sorted_indent4(&other),
    }
}

fn python_class(value: &crate::value::Value) -> String {
    format!("<class '{}'>", value.type_name())
}
