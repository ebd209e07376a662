use std::fmt::Write;

use similar::TextDiff;

use crate::diff::{Action, AttrChange, TextChange};
use crate::plan::{Plan, PlannedChange};
use crate::value::Value;
use crate::value::pyrepr;

const MASK: &str = "(sensitive value)";

/// The human plan: per host and resource, the action with the attributes that differ and unified diffs
/// of file bodies, then Terraform's summary line.
pub fn render_plan(plan: &Plan) -> String {
    let mut out = String::new();
    let mut current_host: Option<&str> = None;
    for change in plan.changes.iter().filter(|c| !c.delta.is_no_op()) {
        let host = change.id.scope.name();
        if current_host != Some(host) {
            let _ = writeln!(out, "{host}:");
            current_host = Some(host);
        }
        render_change(&mut out, change);
    }
    for problem in &plan.problems {
        let what = problem
            .id
            .as_ref()
            .map_or_else(|| problem.host.clone(), ToString::to_string);
        let _ = writeln!(out, "! {what}: {}", problem.message);
    }
    let s = plan.summary();
    let _ = write!(
        out,
        "Plan: {} to create, {} to update, {} to delete",
        s.create, s.update, s.delete
    );
    if s.restart > 0 {
        let _ = write!(out, ", {} to restart", s.restart);
    }
    if s.replace > 0 {
        let _ = write!(out, ", {} to replace", s.replace);
    }
    if s.refused > 0 {
        let _ = write!(out, ", {} refused", s.refused);
    }
    out.push_str(".\n");
    out
}

fn symbol(action: Action) -> &'static str {
    match action {
        Action::NoOp => " ",
        Action::Create => "+",
        Action::Update => "~",
        Action::Replace => "-/+",
        Action::Restart => "↻",
        Action::Delete => "-",
        Action::Refused => "!",
    }
}

fn verb(action: Action) -> &'static str {
    match action {
        Action::NoOp => "no change",
        Action::Create => "create",
        Action::Update => "update",
        Action::Replace => "replace",
        Action::Restart => "restart",
        Action::Delete => "delete",
        Action::Refused => "refused",
    }
}

fn render_change(out: &mut String, change: &PlannedChange) {
    let delta = &change.delta;
    let _ = write!(
        out,
        "  {} {} {:?} ({}) — {}",
        symbol(delta.action),
        change.id.kind,
        change.display_name,
        change.declared_at,
        verb(delta.action)
    );
    if let crate::diff::Reason::RequiresReplace(paths) = &delta.reason {
        let _ = write!(out, ", forced by {}", paths.join(", "));
    }
    // A triggered handler runs because of what notifies it: that is its reason.
    if let crate::diff::Reason::Other(why) = &delta.reason
        && change.triggered_by.is_empty()
    {
        let _ = write!(out, ": {why}");
    }
    if !change.triggered_by.is_empty() {
        let _ = write!(out, ", triggered by {}", quoted_list(&change.triggered_by));
    }
    out.push('\n');
    for attr in &delta.changes {
        render_attr(out, attr, change.no_log);
    }
    for text in &delta.text_changes {
        render_text(out, text, change.no_log);
    }
}

fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn shown(value: Option<&Value>, masked: bool) -> String {
    match value {
        _ if masked => MASK.into(),
        None => "(known after apply)".into(),
        Some(Value::Vault(_)) => MASK.into(),
        Some(value) => pyrepr::repr(value),
    }
}

fn render_attr(out: &mut String, attr: &AttrChange, no_log: bool) {
    let masked = attr.sensitive || no_log;
    let _ = match &attr.before {
        None => writeln!(
            out,
            "      {}: {}",
            attr.path,
            shown(attr.after.as_ref(), masked)
        ),
        Some(before) => writeln!(
            out,
            "      {}: {} → {}",
            attr.path,
            shown(Some(before), masked),
            shown(attr.after.as_ref(), masked)
        ),
    };
}

fn render_text(out: &mut String, text: &TextChange, no_log: bool) {
    if text.sensitive || no_log {
        let _ = writeln!(out, "      {}: (sensitive content changed)", text.path);
        return;
    }
    let before = text.before.as_deref().unwrap_or("");
    let diff = TextDiff::from_lines(before, &text.after);
    let unified = diff
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{} (live)", text.path),
            &format!("{} (desired)", text.path),
        )
        .to_string();
    for line in unified.lines() {
        let _ = writeln!(out, "      {line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{Delta, Reason};
    use crate::model::ResourceId;

    fn change(
        action: Action,
        changes: Vec<AttrChange>,
        texts: Vec<TextChange>,
        no_log: bool,
    ) -> PlannedChange {
        PlannedChange {
            id: ResourceId::on_host("h1", "ansible.builtin.copy", "/etc/app.conf"),
            display_name: "app config".into(),
            declared_at: "roles/base/tasks/main.yml:4:3".into(),
            delta: Delta {
                action,
                reason: Reason::AttributesDiffer,
                changes,
                text_changes: texts,
            },
            no_log,
            triggered_by: Vec::new(),
        }
    }

    #[test]
    fn a_triggered_handler_says_what_triggers_it_and_restarts_are_counted() {
        let mut restart = change(Action::Restart, vec![], vec![], false);
        restart.delta.reason = Reason::Other("restart: true restarts it on every run".into());
        restart.triggered_by = vec!["Service content".into()];
        let text = render_plan(&Plan {
            changes: vec![restart],
            problems: vec![],
        });
        assert!(
            text.contains("— restart, triggered by \"Service content\"\n"),
            "{text}"
        );
        assert!(
            text.ends_with("Plan: 0 to create, 0 to update, 0 to delete, 1 to restart.\n"),
            "{text}"
        );
    }

    #[test]
    fn shows_attributes_diffs_and_the_summary() {
        let plan = Plan {
            changes: vec![change(
                Action::Update,
                vec![AttrChange {
                    path: "owner".into(),
                    before: Some(Value::Str("root".into())),
                    after: Some(Value::Str("app".into())),
                    sensitive: false,
                }],
                vec![TextChange {
                    path: "content".into(),
                    before: Some("a=1\nb=2\n".into()),
                    after: "a=1\nb=3\n".into(),
                    sensitive: false,
                }],
                false,
            )],
            problems: vec![],
        };
        let text = render_plan(&plan);
        assert!(text.contains("h1:\n  ~ ansible.builtin.copy \"app config\" (roles/base/tasks/main.yml:4:3) — update"), "{text}");
        assert!(text.contains("owner: 'root' → 'app'"), "{text}");
        assert!(text.contains("-b=2") && text.contains("+b=3"), "{text}");
        assert!(
            text.ends_with("Plan: 0 to create, 1 to update, 0 to delete.\n"),
            "{text}"
        );
    }

    #[test]
    fn no_log_and_sensitive_values_never_print() {
        let plan = Plan {
            changes: vec![change(
                Action::Update,
                vec![AttrChange {
                    path: "password".into(),
                    before: Some(Value::Str("old-secret".into())),
                    after: Some(Value::Str("new-secret".into())),
                    sensitive: true,
                }],
                vec![TextChange {
                    path: "content".into(),
                    before: None,
                    after: "token=hunter2\n".into(),
                    sensitive: false,
                }],
                true,
            )],
            problems: vec![],
        };
        let text = render_plan(&plan);
        for secret in ["old-secret", "new-secret", "hunter2"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert!(
            text.contains("password: (sensitive value) → (sensitive value)"),
            "{text}"
        );
    }
}
