//! Problems found while resolving, collected across hosts: the same mistake in a task that runs on fifty
//! hosts is one diagnostic naming the hosts, not fifty.

use indexmap::IndexMap;

use crate::diagnostics::{Diagnostic, Diagnostics};

/// How many host names a message lists before "and N more".
const HOSTS_SHOWN: usize = 3;

/// Where (file:line:col), what, and whether it is an error: what makes two problems the same.
type ProblemKey = (Option<String>, String, bool);

#[derive(Default)]
pub(super) struct Problems {
    /// Each problem once, with the hosts it was found for.
    entries: IndexMap<ProblemKey, (Diagnostic, Vec<String>)>,
}

impl Problems {
    /// Records `diagnostic`, found while resolving for `host` (if the problem depends on one).
    pub fn push(&mut self, host: Option<&str>, diagnostic: Diagnostic) {
        let key = (
            diagnostic.span.as_ref().map(ToString::to_string),
            diagnostic.message.clone(),
            diagnostic.is_error(),
        );
        let entry = self
            .entries
            .entry(key)
            .or_insert_with(|| (diagnostic, Vec::new()));
        if let Some(host) = host
            && !entry.1.iter().any(|h| h == host)
        {
            entry.1.push(host.to_string());
        }
    }

    pub fn extend(
        &mut self,
        host: Option<&str>,
        diagnostics: impl IntoIterator<Item = Diagnostic>,
    ) {
        for diagnostic in diagnostics {
            self.push(host, diagnostic);
        }
    }

    /// Errors first (in the order found), then warnings; each message names its hosts.
    pub fn finish(self) -> (Diagnostics, Diagnostics) {
        let mut errors = Diagnostics::new();
        let mut warnings = Diagnostics::new();
        for (_, (mut diagnostic, hosts)) in self.entries {
            if !hosts.is_empty() {
                diagnostic.message = format!("{} ({})", diagnostic.message, host_list(&hosts));
            }
            if diagnostic.is_error() {
                errors.push(diagnostic);
            } else {
                warnings.push(diagnostic);
            }
        }
        (errors, warnings)
    }
}

fn host_list(hosts: &[String]) -> String {
    let shown = hosts
        .iter()
        .take(HOSTS_SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    let word = if hosts.len() == 1 { "host" } else { "hosts" };
    match hosts.len().checked_sub(HOSTS_SHOWN) {
        Some(more) if more > 0 => format!("{word} {shown} and {more} more"),
        _ => format!("{word} {shown}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_problem_on_many_hosts_is_one_diagnostic() {
        let mut problems = Problems::default();
        for host in ["a", "b", "c", "d", "e", "a"] {
            problems.push(Some(host), Diagnostic::error("'x' is undefined"));
        }
        problems.push(None, Diagnostic::warning("no facts"));
        let (errors, warnings) = problems.finish();
        let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(errors, ["'x' is undefined (hosts a, b, c and 2 more)"]);
        assert_eq!(warnings.iter().count(), 1);
    }
}
