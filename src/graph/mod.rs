//! One dependency graph of every resource on every host.

mod build;
mod cycles;
mod render;

pub use build::{EdgeReason, GraphNode, ResourceGraph, build_graph};
pub use render::{render_dot, render_text};
