//! One remote or local command: how it is bounded in time, what it returns, how it is named in errors.
//!
//! Every command runs as `timeout --kill-after=2s T ARGV...` (GNU coreutils `timeout`, present on the
//! Debian/RHEL hosts plimsoll targets). Dropping an ssh channel does not stop the remote process (seen
//! in notes-dependencies.md §3), so the bound has to be enforced on the host itself: `timeout` sends
//! TERM to the command's whole process group at T and KILL 2 s later. Locally we also stop waiting at
//! T + 1 s, which covers a host that stopped answering altogether (paused, cable pulled).

use std::borrow::Cow;
use std::time::Duration;

use super::error::{TransportError, trim_stderr};

/// How long after the remote `timeout` sends TERM it sends KILL.
pub const KILL_AFTER: Duration = Duration::from_secs(2);
/// How much longer than the command's own bound we wait before giving up on the host.
pub const LOCAL_GRACE: Duration = Duration::from_secs(1);

/// What a finished command gave back. A non-zero exit is not an error here; `checked` makes it one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    /// The inventory host and the command's purpose, so `checked` can say what failed where.
    pub host: String,
    pub purpose: String,
    pub status: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Output {
    pub fn success(&self) -> bool {
        self.status == 0
    }

    pub fn stdout_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.stdout)
    }

    pub fn stderr_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.stderr)
    }

    /// `Err(CommandFailed)` with the exit code and stderr unless the command exited 0.
    pub fn checked(self) -> Result<Output, TransportError> {
        if self.success() {
            return Ok(self);
        }
        Err(TransportError::CommandFailed {
            stderr: trim_stderr(&self.stderr_lossy()),
            host: self.host,
            what: self.purpose,
            code: self.status,
        })
    }
}

/// How a backend saw the command end.
#[derive(Debug)]
pub(crate) enum Exit {
    Code(i32),
    /// No exit code: the connection broke, or the process was killed by a signal.
    Lost(String),
}

#[derive(Debug)]
pub(crate) struct RawOutput {
    pub exit: Exit,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

#[derive(Debug)]
pub(crate) enum RunError {
    /// The command could not be started on the host (master connection gone, channel refused).
    Lost(String),
    /// Something failed on this machine.
    Local(std::io::Error),
}

/// `argv` prefixed with coreutils `timeout` so the host itself kills the command at `limit`.
pub(crate) fn with_timeout(argv: &[&str], limit: Duration) -> Vec<String> {
    // `timeout 0` would mean "no limit"; the smallest real bound is a millisecond.
    let limit = limit.max(Duration::from_millis(1));
    let mut out = vec![
        "timeout".to_string(),
        format!("--kill-after={}s", KILL_AFTER.as_secs()),
        format!("{}.{:03}s", limit.as_secs(), limit.subsec_millis()),
    ];
    out.extend(argv.iter().map(|a| a.to_string()));
    out
}

/// Exit codes that mean the remote `timeout` fired rather than the command failing by itself: 124
/// (TERM sent) or 137 (KILL sent) — but only once the bound has really passed, so a command that exits
/// 124 on its own early is reported as it is.
pub(crate) fn is_remote_timeout(code: i32, elapsed: Duration, limit: Duration) -> bool {
    (code == 124 || code == 137) && elapsed >= limit
}

/// A command line for messages: shell-quoted as `sh` would need it, cut after 120 characters.
pub fn describe(argv: &[&str]) -> String {
    let line = argv
        .iter()
        .map(|a| shell_quote(a))
        .collect::<Vec<_>>()
        .join(" ");
    let mut short: String = line.chars().take(120).collect();
    if short.len() < line.len() {
        short.push('…');
    }
    format!("`{short}`")
}

fn shell_quote(arg: &str) -> Cow<'_, str> {
    let plain = !arg.is_empty()
        && arg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_=/,.+:@%".contains(&b));
    if plain {
        Cow::Borrowed(arg)
    } else {
        Cow::Owned(format!("'{}'", arg.replace('\'', "'\\''")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_with_coreutils_timeout() {
        assert_eq!(
            with_timeout(&["cat", "a b"], Duration::from_millis(2500)),
            vec!["timeout", "--kill-after=2s", "2.500s", "cat", "a b"]
        );
        assert_eq!(with_timeout(&["true"], Duration::ZERO)[2], "0.001s");
    }

    #[test]
    fn remote_timeout_needs_the_bound_to_have_passed() {
        let limit = Duration::from_secs(3);
        assert!(is_remote_timeout(124, Duration::from_secs(3), limit));
        assert!(is_remote_timeout(137, Duration::from_secs(5), limit));
        assert!(!is_remote_timeout(124, Duration::from_millis(10), limit));
        assert!(!is_remote_timeout(1, Duration::from_secs(9), limit));
    }

    #[test]
    fn describes_commands() {
        assert_eq!(describe(&["ls", "-l", "/tmp"]), "`ls -l /tmp`");
        assert_eq!(describe(&["rm", "it's", ""]), "`rm 'it'\\''s' ''`");
        let long = "x".repeat(200);
        assert_eq!(describe(&[&long]).chars().count(), 120 + 3);
    }

    #[test]
    fn checked_names_host_purpose_code_and_stderr() {
        let out = Output {
            host: "h1".into(),
            purpose: "`false`".into(),
            status: 3,
            stdout: vec![],
            stderr: b"nope\n".to_vec(),
        };
        let err = out.checked().unwrap_err();
        assert_eq!(err.to_string(), "h1: `false` failed with exit code 3: nope");
    }
}
