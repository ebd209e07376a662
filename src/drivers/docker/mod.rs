//! Docker resource kinds (community.docker's modules), driven through the host's engine API.
//!
//! Every object one of these kinds creates carries [`OWNER_LABEL`] with the project's name, so pruning
//! can tell plimsoll's objects from everyone else's (objects without it are never touched).

/// The label naming the project that owns an object.
pub const OWNER_LABEL: &str = "io.plimsoll.project";

pub mod container;

pub use container::Container;
