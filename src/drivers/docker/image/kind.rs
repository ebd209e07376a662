use super::diff::{self, ImageLive};
use super::spec::{self, ImageSpec};
use crate::diff::Delta;
use crate::drivers::{ApplyError, BoxFuture, Kind, SpecError};
use crate::facts::{FactRequest, Facts, HostExec};
use crate::value::Map;

pub struct DockerImage;

impl Kind for DockerImage {
    type Spec = ImageSpec;
    type Live = ImageLive;

    const NAME: &'static str = spec::MODULE;
    const ALIASES: &'static [&'static str] = &["docker_image", "community.general.docker_image"];
    const LABELS_OWNERSHIP: bool = true;

    fn parse(args: &Map) -> Result<ImageSpec, Vec<SpecError>> {
        spec::parse(args)
    }

    fn key(spec: &ImageSpec) -> String {
        spec.reference.to_string()
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
