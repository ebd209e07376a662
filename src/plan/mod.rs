//! A plan: for every resource, what will happen and why — serialisable data, rendered by `report`.

mod model;

pub use model::{Plan, PlanSummary, PlannedChange, ResourceProblem};
