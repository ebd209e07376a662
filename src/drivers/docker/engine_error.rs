//! Engine API failures in a sentence: the engine's own message when it sent one.

use bollard::errors::Error;

/// `"{what}: {engine message} (HTTP {status})"`.
pub fn engine_error(what: &str, error: Error) -> String {
    match error {
        Error::DockerResponseServerError {
            status_code,
            message,
        } => format!("{what}: {message} (HTTP {status_code})"),
        other => format!("{what}: {other}"),
    }
}
