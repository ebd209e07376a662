//! Command-line types (clap). Flags are turned into plain option structs here; nothing else sees clap.

mod graph;
mod inventory;
mod plan;

use clap::{Parser, Subcommand, ValueEnum};

pub use graph::{GraphArgs, GraphFormat};
pub use inventory::InventoryArgs;
pub use plan::{ApplyArgs, OutputFormat, PlanArgs};

const EXAMPLES: &str = "\
Examples:
  plimsoll inventory -i inventory.example --graph
  plimsoll inventory -i inventory.example --list --limit 'kafka_brokers:!kafka-3'
  plimsoll inventory -i prod/ -i staging.yml --host web01 --vault-password-file ~/.vault-pass
  plimsoll validate -i inventory.example playbooks/site.yml
  plimsoll graph -i inventory.example playbooks/site.yml --format dot
  plimsoll completions bash > /etc/bash_completion.d/plimsoll";

/// Declarative infrastructure reconciler: Ansible inventories and playbooks, planned like Terraform.
#[derive(Debug, Parser)]
#[command(name = "plimsoll", version, about, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    /// When to use colour (NO_COLOR in the environment means never, unless --color=always).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show an inventory exactly as ansible-inventory does (--list, --graph, --host).
    Inventory(InventoryArgs),
    /// Show what would change on every host (not implemented yet).
    Plan(PlanArgs),
    /// Make the changes a plan shows (not implemented yet).
    Apply(ApplyArgs),
    /// Print the dependency graph of every resource (text, or Graphviz with --format dot).
    Graph(GraphArgs),
    /// Check a playbook and inventory without connecting to any host; every problem is listed.
    Validate(PlaybookArgs),
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Arguments shared by the playbook commands (plan, apply, graph, validate).
#[derive(Debug, clap::Args)]
pub struct PlaybookArgs {
    /// Inventory source: a file, a directory or a comma-separated host list (repeatable).
    /// Defaults to $ANSIBLE_INVENTORY, then /etc/ansible/hosts.
    #[arg(short = 'i', long = "inventory", value_name = "PATH")]
    pub inventory: Vec<String>,

    /// The playbook: plays of declarative tasks and roles.
    #[arg(value_name = "PLAYBOOK")]
    pub playbook: std::path::PathBuf,

    /// Only hosts matching this Ansible host pattern.
    #[arg(short = 'l', long = "limit", value_name = "PATTERN")]
    pub limit: Option<String>,

    /// Only tasks with these tags (comma-separated, repeatable).
    #[arg(short = 't', long = "tags", value_name = "TAGS")]
    pub tags: Vec<String>,

    /// Skip tasks with these tags (comma-separated, repeatable).
    #[arg(long = "skip-tags", value_name = "TAGS")]
    pub skip_tags: Vec<String>,

    /// Extra variables, highest precedence: key=value pairs, YAML/JSON, or @file (repeatable).
    #[arg(short = 'e', long = "extra-vars", value_name = "VARS")]
    pub extra_vars: Vec<String>,

    /// Directories to find roles in, after roles/ beside the playbook (repeatable); then
    /// $ANSIBLE_ROLES_PATH (colon-separated), as ansible-playbook reads it.
    #[arg(long = "roles-path", value_name = "DIR")]
    pub roles_path: Vec<std::path::PathBuf>,

    /// Read the vault password from this file (or run it, if executable).
    #[arg(
        long = "vault-password-file",
        alias = "vault-pass-file",
        value_name = "FILE"
    )]
    pub vault_password_file: Vec<std::path::PathBuf>,

    /// Vault identity to use: LABEL@SOURCE or SOURCE (repeatable).
    #[arg(long = "vault-id", value_name = "ID")]
    pub vault_id: Vec<String>,

    /// Not supported yet, refused with an explanation: plimsoll runs `sudo -n`, so `become` needs
    /// NOPASSWD sudo for the connecting user (or connecting as root).
    #[arg(short = 'K', long = "ask-become-pass")]
    pub ask_become_pass: bool,

    /// Not supported yet, refused with an explanation (see --ask-become-pass).
    #[arg(
        long = "become-password-file",
        alias = "become-pass-file",
        value_name = "FILE"
    )]
    pub become_password_file: Option<std::path::PathBuf>,

    /// Hosts worked on at once.
    #[arg(short = 'f', long = "forks", default_value_t = 10, value_name = "N")]
    pub forks: usize,

    /// Accept and remember host keys of hosts never seen before (ssh's accept-new).
    #[arg(long = "accept-new-host-keys")]
    pub accept_new_host_keys: bool,

    /// Print SSH connections, round trips and forwards per host on stderr when done.
    #[arg(long = "stats")]
    pub stats: bool,
}
