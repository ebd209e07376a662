use std::path::PathBuf;

use clap::{ArgGroup, Args};

/// `plimsoll inventory` takes ansible-inventory's arguments.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("action").required(true).args(["list", "host", "graph"])))]
#[command(after_help = "\
Examples:
  plimsoll inventory -i hosts.ini --list
  plimsoll inventory -i hosts.ini --graph wildfly
  plimsoll inventory -i hosts.ini --host web01
  plimsoll inventory -i inv/ --list --limit 'web*:&prod:!web03'")]
pub struct InventoryArgs {
    /// Inventory source: a file, a directory or a comma-separated host list (repeatable).
    /// Defaults to $ANSIBLE_INVENTORY, then /etc/ansible/hosts.
    #[arg(short = 'i', long = "inventory", value_name = "PATH")]
    pub inventory: Vec<String>,

    /// Print the whole inventory as JSON.
    #[arg(long)]
    pub list: bool,

    /// Print one host's variables as JSON.
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,

    /// Print the group tree (from GROUP, default all).
    #[arg(long)]
    pub graph: bool,

    /// With --graph, show variables too.
    #[arg(long)]
    pub vars: bool,

    /// With --list, print each group's and host's own variables instead of the flattened host vars.
    #[arg(long)]
    pub export: bool,

    /// Only hosts matching this Ansible host pattern (e.g. 'web*:&prod:!web03', '@retry.txt').
    #[arg(short = 'l', long = "limit", value_name = "PATTERN")]
    pub limit: Option<String>,

    /// Read the vault password from this file (or run it, if executable).
    #[arg(
        long = "vault-password-file",
        alias = "vault-pass-file",
        value_name = "FILE"
    )]
    pub vault_password_file: Vec<PathBuf>,

    /// Vault identity to use: LABEL@SOURCE or SOURCE (repeatable).
    #[arg(long = "vault-id", value_name = "ID")]
    pub vault_id: Vec<String>,

    /// Also read group_vars/ and host_vars/ from this directory, as a playbook there would.
    #[arg(long = "playbook-dir", value_name = "DIR")]
    pub playbook_dir: Option<PathBuf>,

    /// Write the result to this file instead of standard output.
    #[arg(long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The group to start --graph at.
    #[arg(value_name = "GROUP")]
    pub pattern: Option<String>,
}
