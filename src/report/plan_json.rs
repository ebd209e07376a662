use serde::Serialize;

use crate::plan::{Plan, PlanSummary};
use crate::value::Value;

const MASK: &str = "(sensitive value)";

#[derive(Serialize)]
struct JsonPlan<'a> {
    format_version: u32,
    summary: PlanSummary,
    #[serde(flatten)]
    plan: &'a Plan,
}

/// The plan as JSON for CI and tools, with every sensitive or `no_log` value replaced by a mask
/// before it is serialised (saved plans and reports never hold secrets).
pub fn render_plan_json(plan: &Plan) -> String {
    let mut masked = plan.clone();
    for change in &mut masked.changes {
        let no_log = change.no_log;
        for attr in &mut change.delta.changes {
            if attr.sensitive || no_log {
                attr.before = attr.before.as_ref().map(|_| Value::Str(MASK.into()));
                attr.after = attr.after.as_ref().map(|_| Value::Str(MASK.into()));
            } else {
                attr.before = attr.before.take().map(mask_vault);
                attr.after = attr.after.take().map(mask_vault);
            }
        }
        for text in &mut change.delta.text_changes {
            if text.sensitive || no_log {
                text.before = text.before.as_ref().map(|_| MASK.into());
                text.after = MASK.into();
            }
        }
    }
    let document = JsonPlan {
        format_version: 1,
        summary: masked.summary(),
        plan: &masked,
    };
    serde_json::to_string_pretty(&document).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

fn mask_vault(value: Value) -> Value {
    match value {
        Value::Vault(_) => Value::Str(MASK.into()),
        Value::List(items) => Value::List(items.into_iter().map(mask_vault).collect()),
        Value::Map(map) => Value::Map(map.into_iter().map(|(k, v)| (k, mask_vault(v))).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{Action, AttrChange, Delta, Reason};
    use crate::model::ResourceId;
    use crate::plan::PlannedChange;

    #[test]
    fn secrets_are_masked_and_the_summary_is_included() {
        let plan = Plan {
            changes: vec![PlannedChange {
                id: ResourceId::on_host("h1", "ansible.builtin.user", "app"),
                display_name: "app user".into(),
                declared_at: "site.yml:3:7".into(),
                delta: Delta {
                    action: Action::Update,
                    reason: Reason::AttributesDiffer,
                    changes: vec![
                        AttrChange {
                            path: "password".into(),
                            before: Some(Value::Str("$6$old".into())),
                            after: Some(Value::Str("$6$new".into())),
                            sensitive: true,
                        },
                        AttrChange {
                            path: "shell".into(),
                            before: Some(Value::Str("/bin/sh".into())),
                            after: Some(Value::Str("/bin/bash".into())),
                            sensitive: false,
                        },
                    ],
                    text_changes: vec![],
                },
                no_log: false,
                triggered_by: Vec::new(),
            }],
            problems: vec![],
        };
        let json = render_plan_json(&plan);
        assert!(
            !json.contains("$6$old") && !json.contains("$6$new"),
            "{json}"
        );
        assert!(json.contains("/bin/bash"), "{json}");
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed["summary"]["update"], 1);
        assert_eq!(parsed["changes"][0]["delta"]["action"], "update");
    }
}
