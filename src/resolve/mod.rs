//! Step 3 of the data flow: a loaded playbook and inventory become the desired state. For each play and
//! host: variables by Ansible's precedence, roles expanded and deduplicated, blocks flattened, loops
//! expanded, `when` and tags applied, arguments rendered, each task parsed by its resource kind into a
//! typed spec. Every problem is collected (with its file:line:col), not only the first.

mod become_settings;
mod controller_files;
mod extra_vars;
mod graph_nodes;
mod hostvars;
mod includes;
mod layers;
mod loops;
mod magic;
mod notify;
mod options;
mod play;
mod problems;
mod render;
mod roles;
mod spans;
mod tags;
mod task;
mod walk;

#[cfg(test)]
mod become_tests;
#[cfg(test)]
mod include_tests;
#[cfg(test)]
mod tests;

pub use extra_vars::parse_extra_vars;
pub use graph_nodes::{graph_nodes, graph_nodes_of};
pub use options::{BatchSize, PlayInfo, ResolveOptions, Resolved};
pub use play::resolve;
