//! Variables as written (name, YAML node) turned into the maps templates read.

use crate::playbook::Vars as WrittenVars;
use crate::source::yaml::to_value;
use crate::value::Map;

/// `vars:` as a map; strings stay templates, rendered when a template reads them.
pub(super) fn vars_map(vars: &WrittenVars) -> Map {
    vars.iter()
        .map(|(name, node)| (name.clone(), to_value(node)))
        .collect()
}
