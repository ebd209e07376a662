use serde::Serialize;

use crate::model::ResourceId;

/// What happened to one resource.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "detail", rename_all = "snake_case")]
pub enum Outcome {
    /// Already as desired; nothing done.
    Unchanged,
    Changed,
    /// The live state moved since the plan was made; left alone so nothing unplanned happens.
    ChangedSincePlan(String),
    Failed(String),
    /// The change ran but these attributes still differ.
    DidNotConverge(Vec<String>),
    /// Something it depends on failed.
    SkippedUpstreamFailed,
    /// A handler that nothing notified.
    NotNotified,
    /// Ctrl-C arrived before it started.
    Cancelled,
    /// Its play, or an earlier one, was stopped by `max_fail_percentage` or a batch where every host
    /// failed (as `ansible-playbook` ends the run); the text says which.
    PlayStopped(String),
}

impl Outcome {
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            Outcome::Failed(_) | Outcome::DidNotConverge(_) | Outcome::ChangedSincePlan(_)
        )
    }

    /// Whether dependents must not run.
    pub fn blocks_dependents(&self) -> bool {
        self.is_failure()
            || matches!(
                self,
                Outcome::SkippedUpstreamFailed | Outcome::Cancelled | Outcome::PlayStopped(_)
            )
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ResourceOutcome {
    pub id: ResourceId,
    pub display_name: String,
    pub outcome: Outcome,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ApplyReport {
    pub outcomes: Vec<ResourceOutcome>,
    pub cancelled: bool,
}

impl ApplyReport {
    pub fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.outcomes.iter().filter(|o| f(&o.outcome)).count()
    }

    pub fn failed(&self) -> bool {
        self.outcomes
            .iter()
            .any(|o| o.outcome.is_failure() || matches!(o.outcome, Outcome::PlayStopped(_)))
            || self.cancelled
    }
}
