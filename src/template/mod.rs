//! Templating with minijinja as Ansible 2.19 templates: strict undefined, native result types, lazy
//! variables, Ansible's filters, tests and lookups.
//!
//! Known differences from Ansible: the `%` string-format operator does not exist (the error says so and
//! suggests `format()`); the set filters keep first-seen order; `'x' ~ {'a': 1}` prints minijinja's
//! form of a literal dict; a top-level `{{ omit }}` gives the omit placeholder (callers drop the
//! parameter) where Ansible raises.

mod convert;
mod engine;
mod error;
mod facts;
mod filters;
mod lookups;
mod native;
mod omit;
mod scope;
mod vars;

#[cfg(test)]
mod tests;

pub use engine::{EnvLookup, Rendered, RenderedText, Templar, VaultResolver};
pub use error::{TemplateError, TemplateErrorInfo, TemplateErrorKind};
pub use facts::is_fact;
pub use native::is_possibly_template;
pub use omit::{is_omit, omit_token};
pub use vars::{LazyVars, Vars};
