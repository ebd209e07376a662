//! The single integration-test binary: each module is one area of end-to-end checks.

// Test code: a broken fixture or harness should stop loudly, and clippy.toml's
// allow-*-in-tests only covers #[test] functions, not the helpers they call.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli;
mod docker;
mod engine;
mod escalation;
mod inventory_errors;
mod inventory_parity;
mod support;
mod transport;
mod validate;
mod vault;
