//! Problems found in user input, accumulated and rendered for people at the edge.

mod diagnostic;
mod render;

pub use diagnostic::{Diagnostic, Diagnostics, Severity};
pub use render::{render, render_all};
