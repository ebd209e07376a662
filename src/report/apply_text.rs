use std::fmt::Write;

use crate::apply::{ApplyReport, Outcome};

/// One line per resource that did something or could not, then a summary line.
pub fn render_apply(report: &ApplyReport) -> String {
    let mut out = String::new();
    let mut outcomes: Vec<_> = report.outcomes.iter().collect();
    outcomes.sort_by(|a, b| a.id.cmp(&b.id));
    for item in outcomes {
        let line = match &item.outcome {
            Outcome::Unchanged | Outcome::NotNotified => continue,
            Outcome::Changed => "changed".to_string(),
            Outcome::ChangedSincePlan(why) => format!("NOT APPLIED, changed since plan: {why}"),
            Outcome::Failed(why) => format!("FAILED: {why}"),
            Outcome::DidNotConverge(attrs) => {
                format!("FAILED: did not converge: {}", attrs.join(", "))
            }
            Outcome::SkippedUpstreamFailed => "skipped: upstream failed".to_string(),
            Outcome::Cancelled => "skipped: cancelled".to_string(),
            Outcome::PlayStopped(why) => format!("skipped: {why}"),
        };
        let _ = writeln!(out, "{} ({:?}): {line}", item.id, item.display_name);
    }
    let changed = report.count(|o| *o == Outcome::Changed);
    let unchanged = report.count(|o| matches!(o, Outcome::Unchanged | Outcome::NotNotified));
    let failed = report.count(Outcome::is_failure);
    let skipped = report.count(|o| {
        matches!(
            o,
            Outcome::SkippedUpstreamFailed | Outcome::Cancelled | Outcome::PlayStopped(_)
        )
    });
    let _ = write!(
        out,
        "Apply: {changed} changed, {unchanged} unchanged, {failed} failed, {skipped} skipped"
    );
    if report.cancelled {
        out.push_str(" (cancelled: nothing new was started after Ctrl-C)");
    }
    out.push_str(".\n");
    out
}
