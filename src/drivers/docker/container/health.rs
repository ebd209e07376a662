//! Health-gated starts: a container with a healthcheck counts as applied only once it is healthy.
//! The wait is bounded by what its healthcheck allows; a failure names the container and quotes its
//! last health check.

use std::time::Duration;

use bollard::Docker;
use bollard::models::{ContainerInspectResponse, HealthStatusEnum};

use super::healthcheck::start_bound;

/// How often the container's state is read while waiting.
const POLL: Duration = Duration::from_millis(500);

/// What the wait is bounded by.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bound {
    /// `state: started`: the healthcheck's own limits; an `unhealthy` verdict fails at once.
    Healthcheck,
    /// `state: healthy`: `healthy_wait_timeout` (none: no limit); `unhealthy` may still recover.
    Timeout(Option<Duration>),
}

/// Waits until `name` is healthy. A container without a healthcheck is done at once.
pub async fn wait_healthy(docker: &Docker, name: &str, bound: Bound) -> Result<(), String> {
    let started = tokio::time::Instant::now();
    let mut limit: Option<Duration> = None;
    loop {
        let inspect = docker
            .inspect_container(name, None)
            .await
            .map_err(|e| format!("container {name}: reading its health: {e}"))?;
        let state = inspect.state.clone().unwrap_or_default();
        let Some(health) = state.health.clone() else {
            return Ok(());
        };
        if state.running != Some(true) {
            return Err(format!(
                "container {name} stopped (exit code {}) before it became healthy{}",
                state.exit_code.unwrap_or_default(),
                last_check(&inspect)
            ));
        }
        let status = health.status.unwrap_or(HealthStatusEnum::EMPTY);
        match status {
            HealthStatusEnum::HEALTHY | HealthStatusEnum::NONE | HealthStatusEnum::EMPTY => {
                return Ok(());
            }
            HealthStatusEnum::UNHEALTHY if bound == Bound::Healthcheck => {
                return Err(format!(
                    "container {name} is unhealthy{}",
                    last_check(&inspect)
                ));
            }
            _ => {}
        }
        let limit = *limit.get_or_insert_with(|| match bound {
            Bound::Healthcheck => start_bound(
                &inspect
                    .config
                    .as_ref()
                    .and_then(|c| c.healthcheck.clone())
                    .unwrap_or_default(),
            ),
            Bound::Timeout(timeout) => timeout.unwrap_or(Duration::MAX),
        });
        if started.elapsed() >= limit {
            return Err(format!(
                "container {name} did not become healthy within {} s (status {status}){}",
                limit.as_secs(),
                last_check(&inspect)
            ));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// `; last health check (exit 1): <output>`, or nothing when no check has run yet.
fn last_check(inspect: &ContainerInspectResponse) -> String {
    let last = inspect
        .state
        .as_ref()
        .and_then(|s| s.health.as_ref())
        .and_then(|h| h.log.as_ref())
        .and_then(|log| log.last());
    match last {
        None => "; no health check has run yet".into(),
        Some(result) => format!(
            "; last health check (exit {}): {}",
            result.exit_code.unwrap_or_default(),
            result.output.as_deref().unwrap_or_default().trim()
        ),
    }
}
