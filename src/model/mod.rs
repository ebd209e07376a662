//! The desired state: every resource on every host, each knowing where it was declared.

mod desired;
mod privilege;
mod resource_id;

pub use desired::{DependencyRef, DesiredResource, DesiredState};
pub use privilege::{Become, BecomeMethod};
pub use resource_id::{ResourceId, Scope};
