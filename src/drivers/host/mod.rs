//! Resource kinds that manage one host's files and accounts, with Ansible's module arguments.

pub(crate) mod args;
mod attrs;
mod content_file;
mod exec;
mod mode;

pub mod copy;
pub mod file;
pub mod group;
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

pub use content_file::{ContentLive, ContentSpec, SRC_MODE_ARG};
pub use copy::{Copy, SRC_CONTENT_ARG};
pub use file::File;
pub use group::Group;
pub use template::{RENDERED_ARG, Template};
pub use user::User;
