//! Source files and spans: every value plimsoll loads remembers where it came from.

mod file;
pub mod yaml;

pub use file::{SourceFile, Span};
