//! plimsoll: Ansible inventories and playbooks, planned and applied like Terraform.

pub mod app;
pub mod apply;
pub mod cli;
pub mod diagnostics;
pub mod diff;
pub mod drivers;
pub mod endpoints;
pub mod facts;
pub mod graph;
pub mod inventory;
pub mod model;
pub mod plan;
pub mod playbook;
pub mod report;
pub mod resolve;
pub mod secrets;
pub mod source;
pub mod template;
pub mod transport;
pub mod value;
