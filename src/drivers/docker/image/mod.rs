//! `community.docker.docker_image`: an image on a host's Docker engine, with community.docker's
//! arguments (`name`, `tag`, `source: build | load | pull | local`, `build: {...}`, `load_path`,
//! `force_source`, `force_absent`, `force_tag`, `repository`, `state`) and one source of plimsoll's own.
//!
//! Where plimsoll differs, and why:
//! - **`source: controller`** (plimsoll's): the image as it is in the controller's Docker engine
//!   (this machine's, reached as the `docker` CLI would: `DOCKER_HOST`, else the local socket),
//!   delivered to the host over its SSH connection, with only the layers the host lacks. No registry
//!   is involved. community.docker's `source: local` keeps its meaning: the image must already be on
//!   the host, and the plan refuses it when it is not.
//! - **`build.path` and `load_path` are read on the controller** (the role's `files/`, then paths
//!   relative to the playbook, as `copy` finds `src`); the build context travels as a tar over the
//!   engine API, the archive as a load. In community.docker they are paths on the managed host.
//! - **Images are compared by ID, not by name.** A loaded or delivered image is in sync only when the
//!   host's image has the archive's or the controller's ID (community.docker's `force_source: true`
//!   outcome, which reports no change when the ID is the same); a built image when its labels record
//!   the same context and options digest. A changed file plans an update naming the file.
//! - `push` and `archive_path` are refused: they act on a registry or write an export, not a state of
//!   the host.

mod apply;
mod context;
mod diff;
mod dockerignore;
pub mod inputs;
mod kind;
mod reference;
mod spec;

pub use inputs::{BUILD_CONTEXT_ARG, CONTROLLER_IMAGE_ARG, LOAD_ARCHIVE_ARG};
pub use kind::DockerImage;
pub use spec::ImageSpec;
