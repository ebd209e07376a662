//! Resource kinds that manage one host's files and accounts, with Ansible's module arguments.

pub(crate) mod args;
mod attrs;
mod authorized_keys_edit;
mod block_edit;
mod content_file;
mod edited_file;
mod exec;
mod line_edit;
mod mode;
mod sha1;

pub mod authorized_key;
pub mod blockinfile;
pub mod copy;
pub mod file;
pub mod group;
pub mod lineinfile;
pub mod stat;
pub mod template;
pub mod user;

#[cfg(test)]
mod apply_tests;
#[cfg(test)]
mod fixture_tests;
#[cfg(test)]
mod local_exec;
#[cfg(test)]
mod property_tests;

pub use authorized_key::AuthorizedKeyKind;
pub use blockinfile::BlockInFile;
pub use content_file::{ContentLive, ContentSpec, SRC_MODE_ARG};
pub use copy::{Copy, SRC_CONTENT_ARG};
pub use file::File;
pub use group::Group;
pub use lineinfile::LineInFile;
pub use stat::{Stat, StatSpec, stat_result};
pub use template::{RENDERED_ARG, Template};
pub use user::User;
