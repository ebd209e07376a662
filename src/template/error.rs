//! What went wrong while templating, with where in the template it happened.
//!
//! Callers attach the YAML span of the task argument; this error names the place *inside* the template
//! (line and column, counted from the template's first character) and, for files, the file.

use std::fmt;

/// A templating failure. `Display` gives the one-line message; [`TemplateError::help`] a next step.
/// The details are boxed (errors travel through many `Result`s); fields read through `Deref`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError(Box<TemplateErrorInfo>);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateErrorInfo {
    pub kind: TemplateErrorKind,
    /// The message, worded like Ansible's where Ansible has one ("'x' is undefined").
    pub message: String,
    /// The template's name: a file path for files and `lookup('template')`, `<template>` for strings.
    pub template: Option<String>,
    /// 1-based line and column inside the template, when minijinja knows them.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// Byte range inside the template source, when known.
    pub range: Option<std::ops::Range<usize>>,
    /// The undefined variable (top-level name) for `Undefined` and `FactsNotGathered` errors.
    pub variable: Option<String>,
    pub hint: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplateErrorKind {
    /// A variable or attribute that does not exist.
    Undefined,
    /// A fact (`ansible_facts`, `ansible_hostname`, ...): plimsoll gathers none.
    FactsNotGathered,
    Syntax,
    /// A variable whose value refers back to itself.
    RecursiveLoop,
    /// A `when:` that is empty or does not give a boolean.
    BrokenConditional,
    /// `{{ omit }}` where a value is required.
    Omitted,
    /// A filter, test or lookup failed (bad input, missing file, `mandatory`).
    Plugin,
    /// Something plimsoll refuses to do (controller-side file tests, `password_hash`, the `%` operator).
    Unsupported,
    /// A `!vault` value could not be decrypted.
    Vault,
    /// Anything else minijinja reports (bad operands, too much recursion).
    Other,
}

impl TemplateError {
    pub fn new(kind: TemplateErrorKind, message: impl Into<String>) -> Self {
        Self(Box::new(TemplateErrorInfo {
            kind,
            message: message.into(),
            template: None,
            line: None,
            column: None,
            range: None,
            variable: None,
            hint: None,
        }))
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_variable(mut self, name: impl Into<String>) -> Self {
        self.variable = Some(name.into());
        self
    }

    /// What the user can do about it, if there is something specific.
    pub fn help(&self) -> Option<&str> {
        self.hint.as_deref()
    }
}

impl std::ops::Deref for TemplateError {
    type Target = TemplateErrorInfo;

    fn deref(&self) -> &TemplateErrorInfo {
        &self.0
    }
}

impl std::ops::DerefMut for TemplateError {
    fn deref_mut(&mut self) -> &mut TemplateErrorInfo {
        &mut self.0
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        match (&self.template, self.line, self.column) {
            (Some(name), Some(line), Some(col)) => write!(f, " (in {name}:{line}:{col})"),
            (Some(name), Some(line), None) => write!(f, " (in {name}:{line})"),
            (None, Some(line), Some(col)) if line > 1 => {
                write!(f, " (template line {line}, column {col})")
            }
            _ => Ok(()),
        }
    }
}

impl std::error::Error for TemplateError {}
