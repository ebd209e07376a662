//! `plimsoll graph`: the dependency graph of every resource, as text or Graphviz DOT.

use super::Terminal;
use super::prepare::prepare;
use crate::cli::{GraphArgs, GraphFormat};
use crate::diagnostics::Diagnostics;
use crate::graph::{render_dot, render_text};

pub fn run(args: GraphArgs, terminal: &Terminal) -> Result<Diagnostics, Diagnostics> {
    let prepared = prepare(&args.playbook)?;
    let text = match args.format {
        GraphFormat::Text => render_text(&prepared.graph),
        GraphFormat::Dot => render_dot(&prepared.graph),
    };
    terminal.print(text.trim_end_matches('\n'));
    Ok(prepared.warnings)
}
