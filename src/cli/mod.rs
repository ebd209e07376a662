//! Command-line types (clap). Flags are turned into plain option structs here; nothing else sees clap.

mod inventory;

use clap::{Parser, Subcommand, ValueEnum};

pub use inventory::InventoryArgs;

const EXAMPLES: &str = "\
Examples:
  plimsoll inventory -i inventory.example --graph
  plimsoll inventory -i inventory.example --list --limit 'kafka_brokers:!kafka-3'
  plimsoll inventory -i prod/ -i staging.yml --host web01 --vault-password-file ~/.vault-pass
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
    Plan(PlaybookArgs),
    /// Make the changes a plan shows (not implemented yet).
    Apply(PlaybookArgs),
    /// Print the dependency graph of every resource (not implemented yet).
    Graph(PlaybookArgs),
    /// Check a playbook and inventory without connecting to any host (not implemented yet).
    Validate(PlaybookArgs),
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Arguments of the playbook commands, accepted now so scripts can be written against them.
#[derive(Debug, clap::Args)]
pub struct PlaybookArgs {
    /// Inventory source: a file, a directory or a comma-separated host list.
    #[arg(short = 'i', long = "inventory", value_name = "PATH")]
    pub inventory: Vec<String>,
    /// The playbook to plan.
    pub playbook: Option<String>,
}
