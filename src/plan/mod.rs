//! A plan: for every resource, what will happen and why — serialisable data, rendered by `report`.

mod model;
pub mod planner;
pub mod prune;

pub use model::{Plan, PlanSummary, PlannedChange, ResourceProblem};
