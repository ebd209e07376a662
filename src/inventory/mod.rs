//! Ansible inventories: INI and YAML sources, directories, group_vars/host_vars, patterns, precedence.

pub mod data;
pub mod pattern;

pub use data::{Group, Host, InventoryData, InventoryError};
