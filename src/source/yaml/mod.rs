//! The single YAML entry point: spanned, tagged nodes typed exactly as Ansible (PyYAML, YAML 1.1) types
//! them, within a size budget.

mod node;

pub use node::{Node, NodeValue};
