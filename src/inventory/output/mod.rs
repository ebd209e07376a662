//! What `plimsoll inventory` prints: the same `--list` JSON, `--graph` text and `--host` JSON as
//! `ansible-inventory`.

mod graph;
mod list;

pub use graph::render_graph;
pub use list::{list_json, render_host};
