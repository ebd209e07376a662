use std::io::Write;

use crate::diagnostics::{Diagnostics, render};

/// Where people read results: standard output for data, standard error for diagnostics.
pub struct Terminal {
    color: bool,
}

impl Terminal {
    pub fn new(color: bool) -> Self {
        Self { color }
    }

    pub fn report(&self, diagnostics: &Diagnostics) {
        let mut stderr = std::io::stderr().lock();
        for diagnostic in diagnostics.iter() {
            let _ = write!(stderr, "{}", render(diagnostic, self.color));
        }
    }

    /// A line for people, not data (a summary): standard error.
    pub fn note(&self, text: &str) {
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "{text}");
    }

    pub fn print(&self, text: &str) {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{text}");
    }
}
