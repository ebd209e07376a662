//! The variables a template sees: layers of maps, later layers winning, shared cheaply between renders.
//!
//! String values are templates (Ansible trusts strings from playbooks, roles and inventories) and are
//! rendered only when a template reads them, as Ansible 2.19 does. `Value::Unsafe` strings and vault
//! plaintexts are never rendered.

use std::sync::Arc;

use crate::value::{Map, Value};

#[derive(Clone, Debug, Default)]
pub struct Vars {
    layers: Vec<Arc<Map>>,
}

impl Vars {
    pub fn new(map: Map) -> Self {
        Self {
            layers: vec![Arc::new(map)],
        }
    }

    /// Shares an already merged map (e.g. one host's variables) without copying it.
    pub fn from_shared(map: Arc<Map>) -> Self {
        Self { layers: vec![map] }
    }

    /// These variables with `map` on top (loop variables, `template_*` variables, `vars:` of a task).
    pub fn with_layer(&self, map: Map) -> Self {
        let mut layers = self.layers.clone();
        layers.push(Arc::new(map));
        Self { layers }
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.locate(name).map(|(_, value)| value)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The layer that holds `name` (the topmost) and its value.
    pub(crate) fn locate(&self, name: &str) -> Option<(usize, &Value)> {
        self.layers
            .iter()
            .enumerate()
            .rev()
            .find_map(|(i, layer)| layer.get(name).map(|value| (i, value)))
    }

    pub(crate) fn layer_value(&self, layer: usize, name: &str) -> Option<&Value> {
        self.layers.get(layer)?.get(name)
    }

    /// Every variable name once, bottom layer first.
    pub fn names(&self) -> Vec<&str> {
        let mut seen = indexmap::IndexSet::new();
        for layer in &self.layers {
            for key in layer.keys() {
                seen.insert(key.as_str());
            }
        }
        seen.into_iter().collect()
    }
}

impl From<Map> for Vars {
    fn from(map: Map) -> Self {
        Self::new(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_layers_win() {
        let base = Vars::new(Map::from([
            ("a".into(), Value::Int(1)),
            ("b".into(), Value::Int(2)),
        ]));
        let top = base.with_layer(Map::from([("a".into(), Value::Int(3))]));
        assert_eq!(top.get("a"), Some(&Value::Int(3)));
        assert_eq!(top.get("b"), Some(&Value::Int(2)));
        assert_eq!(base.get("a"), Some(&Value::Int(1)));
        assert_eq!(top.names(), ["a", "b"]);
    }
}
