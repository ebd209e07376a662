//! Docker resource kinds (community.docker's modules), driven through the host's engine API.
//!
//! Every object one of these kinds creates carries [`OWNER_LABEL`] with the project's name, so pruning
//! can tell plimsoll's objects from everyone else's (objects without it are never touched).

pub mod container;
mod engine_args;
mod engine_error;
pub mod network;
pub mod volume;

pub use container::Container;
pub use network::DockerNetwork;
pub use volume::DockerVolume;

/// The label naming the project that owns an object.
pub const OWNER_LABEL: &str = "io.plimsoll.project";
