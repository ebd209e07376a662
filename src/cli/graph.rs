use clap::{Args, ValueEnum};

use super::PlaybookArgs;

/// `plimsoll graph`: the playbook's arguments and an output format.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  plimsoll graph -i inventory.example playbooks/site.yml
  plimsoll graph -i inventory.example playbooks/site.yml --format dot | dot -Tsvg > graph.svg")]
pub struct GraphArgs {
    #[command(flatten)]
    pub playbook: PlaybookArgs,

    /// `text`: each resource with what it waits for and why; `dot`: Graphviz.
    #[arg(long, value_enum, default_value_t = GraphFormat::Text)]
    pub format: GraphFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Text,
    Dot,
}
