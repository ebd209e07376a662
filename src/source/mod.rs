//! Source files and spans: every value plimsoll loads remembers where it came from.

pub mod data_file;
mod file;
mod read;
pub mod yaml;

pub use file::{SourceFile, Span};
pub use read::read_source;
