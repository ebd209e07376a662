//! `healthcheck`: the task's form (`test`, `interval: 1m30s`, ...) to the engine's `Healthcheck`, and
//! how long a start may take before the check must have passed.

use std::time::Duration;

use serde_json::{Map as JsonMap, Value as Json};

use super::units::duration_ns;
use crate::drivers::host::args::{as_bool, as_text};
use crate::value::{Map, Value};

const DURATIONS: [(&str, &str); 3] = [
    ("interval", "Interval"),
    ("timeout", "Timeout"),
    ("start_period", "StartPeriod"),
];

/// The engine's `Healthcheck` for the option's value, as community.docker builds it: without a
/// `test` (and without `test_cli_compatible`) the check is disabled (`["NONE"]`); a string test
/// runs in a shell (`CMD-SHELL`); zero durations and retries are left to the engine's defaults.
pub fn parse(map: &Map) -> Result<Json, String> {
    for key in map.keys() {
        match key.as_str() {
            "test"
            | "test_cli_compatible"
            | "interval"
            | "timeout"
            | "start_period"
            | "retries" => {}
            "start_interval" => {
                return Err(
                    "healthcheck.start_interval needs Docker API 1.44 (engine 25); \
                            plimsoll does not send it"
                        .into(),
                );
            }
            other => return Err(format!("healthcheck: unsupported parameter {other}")),
        }
    }
    let given = |key: &str| map.get(key).filter(|v| **v != Value::Null);
    let cli_compatible = match given("test_cli_compatible") {
        Some(v) => as_bool(v).ok_or("healthcheck.test_cli_compatible: not a valid boolean")?,
        None => false,
    };
    // An empty test (`''`, `[]`) counts as none, as in community.docker.
    let test = match given("test") {
        None => None,
        Some(Value::List(items)) if items.is_empty() => None,
        Some(Value::List(items)) => Some(
            items
                .iter()
                .map(as_text)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("healthcheck.test: {e}"))?,
        ),
        Some(other) => {
            let text = as_text(other).map_err(|e| format!("healthcheck.test: {e}"))?;
            (!text.is_empty()).then(|| vec!["CMD-SHELL".to_string(), text])
        }
    };
    let mut out = JsonMap::new();
    match test {
        Some(test) => {
            out.insert("Test".into(), Json::from(test));
        }
        None if cli_compatible => {}
        None => {
            out.insert("Test".into(), Json::from(vec!["NONE"]));
            return Ok(Json::Object(out));
        }
    }
    for (key, field) in DURATIONS {
        if let Some(value) = given(key) {
            let text = as_text(value).map_err(|e| format!("healthcheck.{key}: {e}"))?;
            let ns = duration_ns(&text).map_err(|e| format!("healthcheck.{key}: {e}"))?;
            if ns != 0 {
                out.insert(field.into(), Json::from(ns));
            }
        }
    }
    if let Some(value) = given("retries") {
        let text = as_text(value).map_err(|e| format!("healthcheck.retries: {e}"))?;
        let retries: i64 = text.trim().parse().map_err(|_| {
            format!(
                "Cannot parse number of retries for healthcheck. Expected an integer, got \"{text}\"."
            )
        })?;
        if retries != 0 {
            out.insert("Retries".into(), Json::from(retries));
        }
    }
    Ok(Json::Object(out))
}

/// The live `Healthcheck` as community.docker reads it: none at all means disabled.
pub fn live_form(value: Option<&Json>) -> Json {
    match value {
        Some(Json::Object(map)) if map.get("Test") != Some(&Json::from(vec!["NONE"])) => {
            Json::Object(map.clone())
        }
        _ => serde_json::json!({"Test": ["NONE"]}),
    }
}

/// The engine's defaults for what a healthcheck leaves out.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(30);
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_RETRIES: u32 = 3;
/// Room for the engine to start the container and schedule the first check.
const MARGIN: Duration = Duration::from_secs(15);
/// However slow the check, a start is not waited on longer than this.
pub const WAIT_CAP: Duration = Duration::from_secs(600);

/// How long a container with this (effective) healthcheck may take to become healthy: every retry
/// running to its timeout after the start period, plus a margin, capped.
pub fn start_bound(check: &bollard::models::HealthConfig) -> Duration {
    let ns = |v: Option<i64>, default: Duration| match v {
        Some(n) if n > 0 => Duration::from_nanos(n.unsigned_abs()),
        _ => default,
    };
    let interval = ns(check.interval, DEFAULT_INTERVAL);
    let timeout = ns(check.timeout, DEFAULT_TIMEOUT);
    let start_period = ns(check.start_period, Duration::ZERO);
    let retries = match check.retries {
        Some(n) if n > 0 => u32::try_from(n).unwrap_or(u32::MAX),
        _ => DEFAULT_RETRIES,
    };
    let per_try = interval.saturating_add(timeout);
    per_try
        .saturating_mul(retries)
        .saturating_add(start_period)
        .saturating_add(MARGIN)
        .min(WAIT_CAP)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(pairs: &[(&str, Value)]) -> Result<Json, String> {
        parse(
            &pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn normalised_like_community_docker() {
        assert_eq!(
            check(&[
                ("test", Value::from("wget -q -O- http://localhost/")),
                ("interval", Value::from("1m30s")),
                ("retries", Value::Int(3)),
                ("start_period", Value::from("0s")),
            ]),
            Ok(
                json!({"Test": ["CMD-SHELL", "wget -q -O- http://localhost/"],
                "Interval": 90_000_000_000i64, "Retries": 3})
            )
        );
        assert_eq!(
            check(&[(
                "test",
                Value::List(vec![Value::from("CMD"), Value::from("true")])
            )]),
            Ok(json!({"Test": ["CMD", "true"]}))
        );
        assert_eq!(
            check(&[("interval", Value::from("5s"))]),
            Ok(json!({"Test": ["NONE"]})),
            "no test disables the check"
        );
        assert_eq!(
            check(&[
                ("interval", Value::from("5s")),
                ("test_cli_compatible", Value::Bool(true))
            ]),
            Ok(json!({"Interval": 5_000_000_000i64}))
        );
        assert!(check(&[("test", Value::from("x")), ("interval", Value::from("5"))]).is_err());
        assert!(check(&[("start_interval", Value::from("1s"))]).is_err());
    }

    #[test]
    fn live_checks_without_a_test_are_disabled() {
        assert_eq!(live_form(None), json!({"Test": ["NONE"]}));
        assert_eq!(
            live_form(Some(&json!({"Test": ["NONE"], "Interval": 5}))),
            json!({"Test": ["NONE"]})
        );
        let real = json!({"Test": ["CMD", "true"], "Interval": 5});
        assert_eq!(live_form(Some(&real)), real);
    }

    #[test]
    fn start_bound_counts_every_retry_and_is_capped() {
        let fast = bollard::models::HealthConfig {
            interval: Some(1_000_000_000),
            timeout: Some(1_000_000_000),
            retries: Some(2),
            start_period: Some(3_000_000_000),
            ..Default::default()
        };
        assert_eq!(start_bound(&fast), Duration::from_secs(2 * 2 + 3) + MARGIN);
        let defaults = bollard::models::HealthConfig::default();
        assert_eq!(start_bound(&defaults), Duration::from_secs(60 * 3) + MARGIN);
        let slow = bollard::models::HealthConfig {
            interval: Some(3_600_000_000_000),
            ..Default::default()
        };
        assert_eq!(start_bound(&slow), WAIT_CAP);
    }
}
