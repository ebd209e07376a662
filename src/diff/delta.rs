use serde::Serialize;

use crate::value::Value;

/// What must happen to one resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    NoOp,
    Create,
    Update,
    /// Delete then create: some attribute cannot change in place.
    Replace,
    /// Only a restart (a container, a service), nothing else changes.
    Restart,
    Delete,
    /// The change cannot be made safely (or at all); the reason says why.
    Refused,
}

/// Why the action was chosen, for people reading the plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum Reason {
    /// Nothing exists yet.
    Missing,
    /// Exists and matches.
    InSync,
    /// These attributes differ and can change in place.
    AttributesDiffer,
    /// These attribute paths force a replacement.
    RequiresReplace(Vec<String>),
    /// `state: absent` and the thing exists.
    Absent,
    Other(String),
}

/// One attribute's old and new value. `sensitive` values print masked everywhere.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AttrChange {
    pub path: String,
    pub before: Option<Value>,
    /// `None` means "known after apply".
    pub after: Option<Value>,
    pub sensitive: bool,
}

/// A file body that changes: rendered as a unified diff.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TextChange {
    pub path: String,
    pub before: Option<String>,
    pub after: String,
    pub sensitive: bool,
}

/// The result of a pure diff of (spec, live).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Delta {
    pub action: Action,
    pub reason: Reason,
    pub changes: Vec<AttrChange>,
    pub text_changes: Vec<TextChange>,
}

impl Delta {
    pub fn no_op() -> Self {
        Self {
            action: Action::NoOp,
            reason: Reason::InSync,
            changes: Vec::new(),
            text_changes: Vec::new(),
        }
    }

    pub fn is_no_op(&self) -> bool {
        self.action == Action::NoOp
    }

    /// The attribute paths that differ, for "did not converge: <attrs>" and plan summaries.
    pub fn changed_paths(&self) -> Vec<&str> {
        self.changes
            .iter()
            .map(|c| c.path.as_str())
            .chain(self.text_changes.iter().map(|t| t.path.as_str()))
            .collect()
    }
}
