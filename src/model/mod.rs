//! The desired state: every resource on every host, each knowing where it was declared.

mod desired;
mod resource_id;

pub use desired::{DependencyRef, DesiredResource, DesiredState};
pub use resource_id::{ResourceId, Scope};
