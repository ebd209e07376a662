use super::diff::{self, ImageLive};
use super::spec::{self, Desired, ImageSpec, RepositoryTag};
use crate::diff::Delta;
use crate::drivers::docker::{IMAGE, image_reference};
use crate::drivers::{ApplyError, BoxFuture, Kind, Provision, SpecError};
use crate::facts::{FactRequest, Facts, HostExec};
use crate::value::Map;

pub struct DockerImage;

impl Kind for DockerImage {
    type Spec = ImageSpec;
    type Live = ImageLive;

    const NAME: &'static str = spec::MODULE;
    const ALIASES: &'static [&'static str] = &["docker_image", "community.general.docker_image"];
    const LABELS_OWNERSHIP: bool = true;
    const CONTROLLER_PATHS: &'static [&'static str] = &["build.path", "load_path"];

    fn read_controller_inputs(args: &mut Map) -> Result<(), SpecError> {
        super::inputs::prepare(args)
    }

    fn parse(args: &Map) -> Result<ImageSpec, Vec<SpecError>> {
        spec::parse(args)
    }

    fn key(spec: &ImageSpec) -> String {
        spec.reference.to_string()
    }

    /// The image under its name (and its `repository` name), for the containers that run it.
    fn provides(spec: &ImageSpec) -> Vec<Provision> {
        if matches!(spec.desired, Desired::Absent { .. }) {
            return Vec::new();
        }
        std::iter::once(spec.reference.to_string())
            .chain(spec.repository.iter().map(RepositoryTag::reference))
            .map(|name| Provision::Object(IMAGE, image_reference(&name)))
            .collect()
    }

    fn facts(spec: &ImageSpec) -> Vec<FactRequest> {
        diff::facts(spec)
    }

    fn live(spec: &ImageSpec, facts: &Facts) -> Result<ImageLive, String> {
        diff::live(spec, facts)
    }

    fn diff(spec: &ImageSpec, live: &ImageLive) -> Delta {
        diff::diff(spec, live)
    }

    fn apply<'a>(
        host: &'a dyn HostExec,
        spec: &'a ImageSpec,
        delta: &'a Delta,
    ) -> BoxFuture<'a, Result<(), ApplyError>> {
        Box::pin(super::apply::apply(host, spec, delta))
    }
}
