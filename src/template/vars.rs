//! The variables a template sees: layers of maps, later layers winning, shared cheaply between renders.
//!
//! String values are templates (Ansible trusts strings from playbooks, roles and inventories) and are
//! rendered only when a template reads them, as Ansible 2.19 does. `Value::Unsafe` strings and vault
//! plaintexts are never rendered.

use std::fmt;
use std::sync::Arc;

use crate::value::{Map, Value};

/// A variable whose entries are computed only when a template reads them, each entry being a whole
/// set of variables rendered in its own scope: Ansible's `hostvars` (`hostvars['web1'].x` is templated
/// with web1's variables, and a thousand-host inventory costs nothing until a template looks).
pub trait LazyVars: Send + Sync + fmt::Debug {
    /// The entry names, for iteration (`hostvars | list`).
    fn names(&self) -> Vec<String>;
    /// One entry's variables, or `None` when there is no such entry (the lookup is undefined).
    fn get(&self, name: &str) -> Option<Vars>;
}

#[derive(Clone, Debug, Default)]
pub struct Vars {
    layers: Vec<Arc<Map>>,
    /// Lazily computed variables; they win over every layer, as Ansible's magic variables do.
    lazy: Vec<(Arc<str>, Arc<dyn LazyVars>)>,
}

impl Vars {
    pub fn new(map: Map) -> Self {
        Self {
            layers: vec![Arc::new(map)],
            lazy: Vec::new(),
        }
    }

    /// Shares an already merged map (e.g. one host's variables) without copying it.
    pub fn from_shared(map: Arc<Map>) -> Self {
        Self {
            layers: vec![map],
            lazy: Vec::new(),
        }
    }

    /// Variables made of shared layers, lowest precedence first.
    pub fn from_layers(layers: Vec<Arc<Map>>) -> Self {
        Self {
            layers,
            lazy: Vec::new(),
        }
    }

    /// These variables with `map` on top (loop variables, `template_*` variables, `vars:` of a task).
    pub fn with_layer(&self, map: Map) -> Self {
        self.with_shared_layer(Arc::new(map))
    }

    /// These variables with a shared layer on top.
    pub fn with_shared_layer(&self, map: Arc<Map>) -> Self {
        let mut next = self.clone();
        next.layers.push(map);
        next
    }

    /// These variables with `name` answered by `source` when read (see [`LazyVars`]).
    pub fn with_lazy(&self, name: &str, source: Arc<dyn LazyVars>) -> Self {
        let mut next = self.clone();
        next.lazy.retain(|(n, _)| &**n != name);
        next.lazy.push((name.into(), source));
        next
    }

    pub(crate) fn lazy(&self, name: &str) -> Option<&Arc<dyn LazyVars>> {
        self.lazy
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|(_, source)| source)
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.locate(name).map(|(_, value)| value)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some() || self.lazy(name).is_some()
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
        for (name, _) in &self.lazy {
            seen.insert(name);
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

    #[derive(Debug)]
    struct Hosts(std::sync::Mutex<Vec<String>>);

    impl LazyVars for Hosts {
        fn names(&self) -> Vec<String> {
            vec!["a".into(), "b".into()]
        }

        fn get(&self, name: &str) -> Option<Vars> {
            self.0.lock().unwrap().push(name.to_string());
            (name == "a" || name == "b").then(|| {
                Vars::new(Map::from([
                    ("me".into(), Value::Str("{{ inventory_hostname }}".into())),
                    ("inventory_hostname".into(), Value::Str(name.into())),
                ]))
            })
        }
    }

    #[test]
    fn lazy_entries_are_computed_when_read_and_rendered_in_their_own_scope() {
        let source = Arc::new(Hosts(Default::default()));
        let vars = Vars::new(Map::from([(
            "inventory_hostname".into(),
            Value::Str("a".into()),
        )]))
        .with_lazy("hostvars", source.clone());
        let templar = crate::template::Templar::new();
        let out = templar
            .render_str("{{ hostvars['b'].me }} {{ hostvars | list }}", &vars)
            .unwrap();
        // Ansible: hostvars['b'].me is templated with b's variables.
        assert_eq!(out.value, Value::Str("b ['a', 'b']".into()));
        assert_eq!(*source.0.lock().unwrap(), ["b"]);
        assert!(
            templar
                .render_str("{{ hostvars['zz'].me }}", &vars)
                .is_err()
        );
        let all = templar
            .render_str("{{ vars['inventory_hostname'] }}", &vars)
            .unwrap();
        assert_eq!(all.value, Value::Str("a".into()));
    }
}
