//! plimsoll: Ansible inventories and playbooks, planned and applied like Terraform.

pub mod app;
pub mod cli;
pub mod diagnostics;
pub mod inventory;
pub mod secrets;
pub mod source;
pub mod transport;
pub mod value;
