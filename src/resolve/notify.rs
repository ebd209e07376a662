//! `notify:` names turned into the handlers they reach on one host. A handler answers to its name, to
//! `role : name`, and to its `listen:` topics; the graph connects a task to handlers by display name.

use std::collections::HashSet;

use super::task::Pending;
use crate::diagnostics::Diagnostic;

/// Rewrites every resource's `notify` to the display names of the handlers it reaches on this host.
/// A name no handler of the play answers to is an error (Ansible fails when such a task changes); a
/// handler skipped on this host (`when:`) is simply not reached.
pub(super) fn connect(
    pending: &mut [Pending],
    defined: &HashSet<String>,
    problems: &mut Vec<Diagnostic>,
) {
    let handlers: Vec<(Vec<String>, String)> = pending
        .iter()
        .filter(|p| p.resource.is_handler)
        .map(|p| (p.answers_to.clone(), p.resource.display_name.clone()))
        .collect();
    for item in pending.iter_mut() {
        let mut reached = Vec::new();
        for name in &item.resource.notify {
            let targets: Vec<&String> = handlers
                .iter()
                .filter(|(answers, _)| answers.contains(name))
                .map(|(_, display)| display)
                .collect();
            if targets.is_empty() && !defined.contains(name) {
                problems.push(
                    Diagnostic::error(format!(
                        "The requested handler '{name}' was not found in either the main handlers list nor in the listening handlers list"
                    ))
                    .at(item.resource.declared_at.clone())
                    .with_help(format!(
                        "define a handler named {name:?} (or with `listen: {name}`) in the play's or a role's handlers"
                    )),
                );
            }
            for target in targets {
                if !reached.contains(target) {
                    reached.push(target.clone());
                }
            }
        }
        item.resource.notify = reached;
    }
}
