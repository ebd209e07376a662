//! Fixtures shared by the end-to-end tests.

// Fixture helpers stop the test with a message instead of threading errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod ansible;
mod cases;
pub mod docker;
pub mod testbed;

pub use cases::*;

use std::process::Output;

/// What a command printed, stdout then stderr, for assertions and failure messages.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
