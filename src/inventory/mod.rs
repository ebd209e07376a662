//! Ansible inventories: INI and YAML sources, directories, group_vars/host_vars, patterns, precedence.

pub mod address;
pub mod data;
mod host_list;
pub mod host_range;
pub mod ini;
pub mod loaded;
pub mod output;
pub mod pattern;
pub mod precedence;
pub mod pyliteral;
pub mod pystr;
pub mod reserved;
pub mod shlex;
pub mod sources;
pub mod vars_files;
mod yaml_source;

pub use data::{Group, Host, InventoryData, InventoryError};
pub use ini::parse_ini;
pub use loaded::{Inventory, LoadOptions};
