//! Resource kinds. Each kind is one module implementing [`Kind`]; the registry lists them. The core
//! (graph, plan, apply) only ever sees the type-erased [`ErasedKind`] and never matches on kind names.

pub mod docker;
mod erased;
pub mod host;
mod kind;
mod registry;

pub use erased::{AnySpec, Erased, ErasedKind};
pub use kind::{ApplyError, BoxFuture, Kind, PROJECT_ARG, Provision, Requirement, SpecError};
pub use registry::{Registry, builtin_registry};
