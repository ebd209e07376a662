//! Source files and spans: every value plimsoll loads remembers where it came from.

pub mod data_file;
mod file;
pub mod yaml;

pub use file::{SourceFile, Span};
