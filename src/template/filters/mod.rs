//! Ansible's filters and tests (ansible.builtin) on top of minijinja's Jinja builtins, and the
//! controller-side ones plimsoll refuses with a clear message.

mod core;
mod data;
mod path;
mod regex;
mod serialize;
mod tests;
mod version;
mod yaml_dump;

use minijinja::{Environment, Error, Value as MjValue};

use super::convert::to_value;
use super::error::{TemplateError, TemplateErrorKind};
use super::scope::wrap;
use crate::value::Value;

pub(crate) fn register(env: &mut Environment<'static>) {
    core::register(env);
    data::register(env);
    path::register(env);
    regex::register(env);
    serialize::register(env);
    tests::register(env);
    refuse(env);
}

/// A filter's input as a crate value (lazy variables rendered).
pub(super) fn arg(value: &MjValue) -> Result<Value, Error> {
    to_value(value)
}

/// An error a filter raises, worded as Ansible words plugin failures.
pub(super) fn failed(filter: &str, message: impl std::fmt::Display) -> Error {
    wrap(TemplateError::new(
        TemplateErrorKind::Plugin,
        format!("The filter plugin 'ansible.builtin.{filter}' failed: {message}"),
    ))
}

pub(super) fn type_error(filter: &str, expected: &str, got: &Value) -> Error {
    failed(
        filter,
        format!(
            "{filter} requires {expected}, got {} instead.",
            got.type_name()
        ),
    )
}

/// Filters and tests that look at the controller (its files, its clock, randomness) or compute
/// password hashes: a plan cannot depend on them, so plimsoll says so instead of "no filter named".
fn refuse(env: &mut Environment<'static>) {
    const FILTERS: &[(&str, &str)] = &[
        (
            "password_hash",
            "password hashes use a random salt, so the plan would change on every run; hash the password once and store the hash (vaulted)",
        ),
        ("hash", "compute the digest once and store it as a variable"),
        ("md5", "compute the digest once and store it as a variable"),
        ("sha1", "compute the digest once and store it as a variable"),
        (
            "checksum",
            "compute the digest once and store it as a variable",
        ),
        (
            "realpath",
            "it reads the controller's filesystem; use the path as it is",
        ),
        (
            "expanduser",
            "it reads the controller's home directory; write the path out",
        ),
        (
            "expandvars",
            "it reads the controller's environment; use lookup('env', ...)",
        ),
        (
            "fileglob",
            "it lists the controller's files; list them explicitly",
        ),
        ("random", "a random value changes the plan on every run"),
        ("shuffle", "a random order changes the plan on every run"),
        (
            "strftime",
            "the controller's clock changes the plan on every run",
        ),
        ("to_uuid", "not implemented in plimsoll"),
        ("vault", "encrypt the value with ansible-vault beforehand"),
        ("unvault", "use a !vault variable instead"),
    ];
    const TESTS: &[&str] = &[
        "file",
        "directory",
        "exists",
        "link",
        "link_exists",
        "mount",
        "same_file",
        "is_file",
        "is_dir",
        "is_link",
        "is_mount",
        "is_same_file",
        "vaulted_file",
    ];
    for (name, hint) in FILTERS {
        env.add_filter(
            *name,
            move |_: minijinja::value::Rest<MjValue>| -> Result<MjValue, Error> {
                Err(wrap(
                    TemplateError::new(
                        TemplateErrorKind::Unsupported,
                        format!("the '{name}' filter is not supported by plimsoll"),
                    )
                    .with_hint(*hint),
                ))
            },
        );
    }
    for name in TESTS {
        env.add_test(*name, move |_: minijinja::value::Rest<MjValue>| -> Result<bool, Error> {
            Err(wrap(
                TemplateError::new(
                    TemplateErrorKind::Unsupported,
                    format!("the '{name}' test checks the controller's filesystem, which plimsoll does not read while planning"),
                )
                .with_hint("test the file on the managed host with a resource instead, or give the answer as a variable"),
            ))
        });
    }
}
