//! Docker resource kinds (community.docker's modules), driven through the host's engine API.
//!
//! Every object one of these kinds creates carries [`OWNER_LABEL`] with the project's name, so pruning
//! can tell plimsoll's objects from everyone else's (objects without it are never touched).

pub mod container;
mod engine_args;
mod engine_error;
pub mod image;
pub mod network;
pub mod volume;

pub use container::Container;
pub use image::DockerImage;
pub use network::DockerNetwork;
pub use volume::DockerVolume;

use crate::facts::{DockerFact, DockerQuery, FactRequest, Facts};

/// The label naming the project that owns an object.
pub const OWNER_LABEL: &str = "io.plimsoll.project";

/// Classes of the objects Docker kinds provide and require (implicit graph edges on a host).
pub const NETWORK: &str = "docker network";
pub const VOLUME: &str = "docker volume";
pub const IMAGE: &str = "docker image";

/// The fact listing the objects a project owns on a host (one engine listing serves every kind).
pub(crate) fn owned_query(project: &str) -> Option<FactRequest> {
    Some(FactRequest::Docker(DockerQuery::Owned {
        project: project.to_string(),
    }))
}

/// The names of the project's objects of one type (`container`, `network`, `volume`, `image`).
pub(crate) fn owned_names(project: &str, facts: &Facts, object_type: &str) -> Vec<String> {
    let query = DockerQuery::Owned {
        project: project.to_string(),
    };
    match facts.docker(&query) {
        Ok(Some(DockerFact::Owned(objects))) => objects
            .iter()
            .filter(|o| o.object_type == object_type)
            .map(|o| o.name.clone())
            .collect(),
        _ => Vec::new(),
    }
}

/// An image reference with the tag Docker assumes (`busybox` is `busybox:latest`), so a container and
/// the image task that makes its image meet in the graph. References by digest stay as written.
pub fn image_reference(reference: &str) -> String {
    let last = reference.rsplit('/').next().unwrap_or(reference);
    if reference.contains('@') || last.contains(':') {
        reference.to_string()
    } else {
        format!("{reference}:latest")
    }
}

#[cfg(test)]
mod tests {
    use super::image_reference;

    #[test]
    fn references_get_the_tag_docker_assumes() {
        assert_eq!(image_reference("busybox"), "busybox:latest");
        assert_eq!(image_reference("busybox:1.36"), "busybox:1.36");
        assert_eq!(
            image_reference("registry:5000/app"),
            "registry:5000/app:latest"
        );
        assert_eq!(
            image_reference("registry:5000/app:2"),
            "registry:5000/app:2"
        );
        assert_eq!(image_reference("app@sha256:abc"), "app@sha256:abc");
    }
}
