use clap::{Args, ValueEnum};

use super::PlaybookArgs;

/// `plimsoll plan`: what would change, attribute by attribute.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  plimsoll plan -i inventory.example playbooks/site.yml
  plimsoll plan -i hosts.ini site.yml --limit web --detailed-exitcode   # 0 none, 2 changes, 1 error
  plimsoll plan -i hosts.ini site.yml --format json > plan.json
  plimsoll plan -i hosts.ini docker.yml --prune     # also what is labelled ours but no longer declared")]
pub struct PlanArgs {
    #[command(flatten)]
    pub playbook: PlaybookArgs,

    /// Exit 0 when nothing would change, 2 when something would, 1 on error (Terraform's convention).
    #[arg(long = "detailed-exitcode")]
    pub detailed_exitcode: bool,

    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,

    /// Also delete objects labelled as this project's (io.plimsoll.project) that no task declares any
    /// more. Objects without the label are never touched.
    #[arg(long)]
    pub prune: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

/// `plimsoll apply`: plan, then make the changes in dependency order.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  plimsoll apply -i inventory.example playbooks/site.yml
  plimsoll apply -i hosts.ini site.yml --limit 'web:!web03' --forks 20
  plimsoll apply -i hosts.ini site.yml --check      # the same as plan")]
pub struct ApplyArgs {
    #[command(flatten)]
    pub playbook: PlaybookArgs,

    /// Only show the plan (Ansible's --check): nothing is changed.
    #[arg(short = 'C', long = "check")]
    pub check: bool,

    /// With --check: Terraform's detailed exit codes (0 none, 2 changes, 1 error).
    #[arg(long = "detailed-exitcode")]
    pub detailed_exitcode: bool,

    /// Also delete objects labelled as this project's (io.plimsoll.project) that no task declares any
    /// more. Objects without the label are never touched.
    #[arg(long)]
    pub prune: bool,
}
