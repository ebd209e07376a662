//! Ansible inventories: INI and YAML sources, directories, group_vars/host_vars, patterns, precedence.

pub mod data;
mod host_list;
pub mod loaded;
pub mod output;
pub mod pattern;
pub mod precedence;
pub mod reserved;
pub mod sources;
pub mod vars_files;
mod yaml_source;

pub use data::{Group, Host, InventoryData, InventoryError};
pub use loaded::{Inventory, LoadOptions};
