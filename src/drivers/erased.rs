use std::any::Any;
use std::marker::PhantomData;

use super::{ApplyError, BoxFuture, Kind, Provision, Requirement, SpecError};
use crate::diff::Delta;
use crate::facts::{FactRequest, Facts, HostExec};
use crate::value::Map;

/// A parsed spec of some kind, as the core holds it.
pub type AnySpec = std::sync::Arc<dyn Any + Send + Sync>;

/// The object-safe face of a [`Kind`], so the registry is a plain list.
pub trait ErasedKind: Send + Sync {
    fn name(&self) -> &'static str;
    fn aliases(&self) -> &'static [&'static str];
    fn labels_ownership(&self) -> bool;
    fn controller_paths(&self) -> &'static [&'static str];
    fn read_controller_inputs(&self, args: &mut Map) -> Result<(), SpecError>;
    fn owned_query(&self, project: &str) -> Option<FactRequest>;
    fn owned_names(&self, project: &str, facts: &Facts) -> Vec<String>;
    fn prune_args(&self, name: &str) -> Map;
    fn prune_round(&self) -> u8;
    fn parse(&self, args: &Map) -> Result<AnySpec, Vec<SpecError>>;
    fn key(&self, spec: &AnySpec) -> String;
    fn provides(&self, spec: &AnySpec) -> Vec<Provision>;
    fn requires(&self, spec: &AnySpec) -> Vec<Requirement>;
    fn facts(&self, spec: &AnySpec) -> Vec<FactRequest>;
    fn diff(&self, spec: &AnySpec, facts: &Facts) -> Result<Delta, String>;
    fn apply<'a>(
        &'a self,
        host: &'a dyn HostExec,
        spec: &'a AnySpec,
        delta: &'a Delta,
    ) -> BoxFuture<'a, Result<(), ApplyError>>;
}

/// Wraps a [`Kind`] as an [`ErasedKind`].
pub struct Erased<K: Kind>(PhantomData<fn() -> K>);

impl<K: Kind> Erased<K> {
    pub fn boxed() -> Box<dyn ErasedKind> {
        Box::new(Self(PhantomData))
    }

    fn spec(spec: &AnySpec) -> Option<&K::Spec> {
        spec.downcast_ref::<K::Spec>()
    }
}

const WRONG_SPEC: &str = "internal error: a spec reached the wrong resource kind";

impl<K: Kind> ErasedKind for Erased<K> {
    fn name(&self) -> &'static str {
        K::NAME
    }

    fn aliases(&self) -> &'static [&'static str] {
        K::ALIASES
    }

    fn labels_ownership(&self) -> bool {
        K::LABELS_OWNERSHIP
    }

    fn controller_paths(&self) -> &'static [&'static str] {
        K::CONTROLLER_PATHS
    }

    fn read_controller_inputs(&self, args: &mut Map) -> Result<(), SpecError> {
        K::read_controller_inputs(args)
    }

    fn owned_query(&self, project: &str) -> Option<FactRequest> {
        K::owned_query(project)
    }

    fn owned_names(&self, project: &str, facts: &Facts) -> Vec<String> {
        K::owned_names(project, facts)
    }

    fn prune_args(&self, name: &str) -> Map {
        K::prune_args(name)
    }

    fn prune_round(&self) -> u8 {
        K::PRUNE_ROUND
    }

    fn parse(&self, args: &Map) -> Result<AnySpec, Vec<SpecError>> {
        K::parse(args).map(|spec| std::sync::Arc::new(spec) as AnySpec)
    }

    fn key(&self, spec: &AnySpec) -> String {
        Self::spec(spec).map(K::key).unwrap_or_default()
    }

    fn provides(&self, spec: &AnySpec) -> Vec<Provision> {
        Self::spec(spec).map(K::provides).unwrap_or_default()
    }

    fn requires(&self, spec: &AnySpec) -> Vec<Requirement> {
        Self::spec(spec).map(K::requires).unwrap_or_default()
    }

    fn facts(&self, spec: &AnySpec) -> Vec<FactRequest> {
        Self::spec(spec).map(K::facts).unwrap_or_default()
    }

    fn diff(&self, spec: &AnySpec, facts: &Facts) -> Result<Delta, String> {
        let spec = Self::spec(spec).ok_or(WRONG_SPEC)?;
        let live = K::live(spec, facts)?;
        Ok(K::diff(spec, &live))
    }

    fn apply<'a>(
        &'a self,
        host: &'a dyn HostExec,
        spec: &'a AnySpec,
        delta: &'a Delta,
    ) -> BoxFuture<'a, Result<(), ApplyError>> {
        match Self::spec(spec) {
            Some(spec) => K::apply(host, spec, delta),
            None => Box::pin(async { Err(ApplyError::Failed(WRONG_SPEC.into())) }),
        }
    }
}
