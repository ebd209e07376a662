//! Ansible playbooks and roles, read declaratively: plays, blocks and tasks with their spans, roles
//! with defaults/vars/tasks/handlers/templates/files/meta. Nothing is templated here; `resolve` does
//! that per play and host.

mod become_keywords;
mod includes;
mod keywords;
mod load;
mod model;
mod module_args;
mod role;

pub use become_keywords::BecomeKeywords;
pub use load::{LoadContext, load_playbook, load_playbook_partial};
pub use model::{
    Block, Include, LoopSpec, Ordering, Play, Playbook, Role, RoleOrigin, RoleRef, Task, TaskItem,
    Vars,
};
pub use module_args::parse_kv;

#[cfg(test)]
mod tests;
