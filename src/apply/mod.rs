//! Walking the graph to make the planned changes: dependencies first, independent work in parallel,
//! each resource re-checked before acting and verified after.

mod executor;
mod outcome;
mod rollout;
mod walk;

pub use executor::{ApplyOptions, apply};
pub use outcome::{ApplyReport, Outcome, ResourceOutcome};

#[cfg(test)]
mod tests;
