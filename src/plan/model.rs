use serde::Serialize;

use crate::diff::{Action, Delta};
use crate::model::ResourceId;

/// One resource's planned change.
#[derive(Clone, Debug, Serialize)]
pub struct PlannedChange {
    pub id: ResourceId,
    pub display_name: String,
    /// `file:line:col` of the task.
    pub declared_at: String,
    pub delta: Delta,
    /// `no_log: true`: every value of this resource prints masked.
    pub no_log: bool,
    /// For a handler that will run: the tasks whose changes notify it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub triggered_by: Vec<String>,
}

/// A resource that could not be planned (its host unreachable, its facts unreadable).
#[derive(Clone, Debug, Serialize)]
pub struct ResourceProblem {
    pub host: String,
    pub id: Option<ResourceId>,
    pub message: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Plan {
    pub changes: Vec<PlannedChange>,
    pub problems: Vec<ResourceProblem>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PlanSummary {
    pub create: usize,
    pub update: usize,
    pub replace: usize,
    pub restart: usize,
    pub delete: usize,
    pub refused: usize,
    pub unchanged: usize,
}

impl Plan {
    pub fn summary(&self) -> PlanSummary {
        let mut summary = PlanSummary::default();
        for change in &self.changes {
            match change.delta.action {
                Action::NoOp => summary.unchanged += 1,
                Action::Create => summary.create += 1,
                Action::Update => summary.update += 1,
                Action::Replace => summary.replace += 1,
                Action::Restart => summary.restart += 1,
                Action::Delete => summary.delete += 1,
                Action::Refused => summary.refused += 1,
            }
        }
        summary
    }

    pub fn has_changes(&self) -> bool {
        self.changes.iter().any(|c| !c.delta.is_no_op())
    }
}
