//! Ansible inventories: INI and YAML sources, directories, group_vars/host_vars, patterns, precedence.

pub mod address;
pub mod data;
pub mod host_range;
pub mod ini;
pub mod pyliteral;
pub mod pystr;
pub mod shlex;

pub use data::{Group, Host, InventoryData, InventoryError};
pub use ini::parse_ini;
