//! What can go wrong talking to a host, phrased so the user knows the host, the step and what to do next.

use std::time::Duration;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum TransportError {
    /// The host's connection variables cannot be used (unsupported connection type, password auth, a
    /// value that is still a template, a malformed `ansible_ssh_common_args`, ...).
    #[error("{host}: {message}")]
    InvalidSpec { host: String, message: String },

    /// ssh could not reach or talk to the host (DNS, refused, no route, connect timeout).
    #[error("{host}: cannot connect to {address}: {stderr}")]
    Unreachable {
        host: String,
        address: String,
        stderr: String,
    },

    #[error(
        "{host}: the host key of {address} is not known and strict host key checking is on. \
         Check the host's fingerprint, then either add it to known_hosts ({keyscan}), or let ssh \
         record it on first use: set ansible_ssh_common_args='-o StrictHostKeyChecking=accept-new' \
         for this host, or run with --accept-new-host-keys. (ssh said: {stderr})"
    )]
    HostKeyUnknown {
        host: String,
        address: String,
        keyscan: String,
        stderr: String,
    },

    #[error(
        "{host}: the host key of {address} has CHANGED since it was recorded. This can be an attack; \
         if the host was reinstalled on purpose, remove the old key ({keygen}) and connect again. \
         (ssh said: {stderr})"
    )]
    HostKeyChanged {
        host: String,
        address: String,
        keygen: String,
        stderr: String,
    },

    #[error(
        "{host}: authentication to {address} failed: {stderr}. plimsoll authenticates with keys only \
         (ansible_ssh_private_key_file, ~/.ssh/config or ssh-agent); check that the key is authorised \
         for the user"
    )]
    AuthFailed {
        host: String,
        address: String,
        stderr: String,
    },

    /// A bounded step did not finish in time. For remote commands the process is killed on the host
    /// (they run under coreutils `timeout`).
    #[error("{host}: {what} timed out after {}", format_duration(*after))]
    Timeout {
        host: String,
        what: String,
        after: Duration,
    },

    #[error("{host}: {what} failed with exit code {code}{}", stderr_suffix(stderr))]
    CommandFailed {
        host: String,
        what: String,
        code: i32,
        stderr: String,
    },

    /// The connection broke while a command ran, or the remote process was killed by a signal.
    #[error("{host}: {what}: {detail}")]
    Disconnected {
        host: String,
        what: String,
        detail: String,
    },

    #[error("{host}: cannot forward {target}: {detail}")]
    Forward {
        host: String,
        target: String,
        detail: String,
    },

    /// Something failed on this machine (spawning a process, writing the run directory).
    #[error("{host}: {what}: {source}")]
    Local {
        host: String,
        what: String,
        #[source]
        source: std::io::Error,
    },
}

impl TransportError {
    /// The inventory host the error is about.
    pub fn host(&self) -> &str {
        match self {
            TransportError::InvalidSpec { host, .. }
            | TransportError::Unreachable { host, .. }
            | TransportError::HostKeyUnknown { host, .. }
            | TransportError::HostKeyChanged { host, .. }
            | TransportError::AuthFailed { host, .. }
            | TransportError::Timeout { host, .. }
            | TransportError::CommandFailed { host, .. }
            | TransportError::Disconnected { host, .. }
            | TransportError::Forward { host, .. }
            | TransportError::Local { host, .. } => host,
        }
    }

    /// True when the host could not be reached at all (Ansible's UNREACHABLE), as opposed to a command
    /// or configuration failure.
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            TransportError::Unreachable { .. }
                | TransportError::HostKeyUnknown { .. }
                | TransportError::HostKeyChanged { .. }
                | TransportError::AuthFailed { .. }
                | TransportError::Disconnected { .. }
        )
    }
}

fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

fn stderr_suffix(stderr: &str) -> String {
    if stderr.is_empty() {
        String::new()
    } else {
        format!(": {stderr}")
    }
}

/// Longest stderr kept in an error; the rest is cut so one noisy command cannot flood a report.
const MAX_STDERR: usize = 2000;

/// ssh/command stderr made fit for one error line: CRs dropped, ssh's "Permanently added" chatter
/// removed, surrounding blank space trimmed, and cut at a character boundary if very long.
pub fn trim_stderr(raw: &str) -> String {
    let text: String = raw
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.starts_with("Warning: Permanently added"))
        .collect::<Vec<_>>()
        .join("\n");
    let text = text.trim();
    if text.len() <= MAX_STDERR {
        return text.to_string();
    }
    let mut cut = MAX_STDERR;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", text.get(..cut).unwrap_or(""))
}

/// Where ssh's master connection failed, decided from its stderr (the only detail ssh gives).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectFailure {
    HostKeyUnknown,
    HostKeyChanged,
    AuthFailed,
    Unreachable,
}

pub fn classify_connect_failure(stderr: &str) -> ConnectFailure {
    // ssh 9.2's wording; checked against real failures (see tests/integration/transport.rs).
    if stderr.contains("REMOTE HOST IDENTIFICATION HAS CHANGED")
        || stderr.contains("HOST KEY HAS CHANGED")
    {
        ConnectFailure::HostKeyChanged
    } else if stderr.contains("Host key verification failed")
        || stderr.contains("host key is known for")
    {
        ConnectFailure::HostKeyUnknown
    } else if stderr.contains("Permission denied (")
        || stderr.contains("Too many authentication failures")
    {
        ConnectFailure::AuthFailed
    } else {
        ConnectFailure::Unreachable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_real_ssh_messages() {
        // Texts as ssh 9.2p1 printed them (notes-dependencies.md §3 and the testbed).
        let unknown = "No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.\r\nHost key verification failed.";
        assert_eq!(
            classify_connect_failure(unknown),
            ConnectFailure::HostKeyUnknown
        );
        let changed = "@@@@@@@@@@@\r\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\r\nHost key verification failed.";
        assert_eq!(
            classify_connect_failure(changed),
            ConnectFailure::HostKeyChanged
        );
        assert_eq!(
            classify_connect_failure("root@10.0.0.1: Permission denied (publickey)."),
            ConnectFailure::AuthFailed
        );
        assert_eq!(
            classify_connect_failure("ssh: connect to host 10.0.0.1 port 22: No route to host"),
            ConnectFailure::Unreachable
        );
    }

    #[test]
    fn trims_stderr() {
        let raw = "Warning: Permanently added '10.0.0.1' (ED25519) to the list of known hosts.\r\nboom\r\n\n";
        assert_eq!(trim_stderr(raw), "boom");
        let long = "é".repeat(MAX_STDERR);
        let cut = trim_stderr(&long);
        assert!(cut.len() <= MAX_STDERR + '…'.len_utf8());
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn messages_name_host_and_step() {
        let e = TransportError::Timeout {
            host: "h1".into(),
            what: "`sleep 100`".into(),
            after: Duration::from_millis(2500),
        };
        assert_eq!(e.to_string(), "h1: `sleep 100` timed out after 2.5 s");
        let e = TransportError::CommandFailed {
            host: "h1".into(),
            what: "`false`".into(),
            code: 1,
            stderr: String::new(),
        };
        assert_eq!(e.to_string(), "h1: `false` failed with exit code 1");
    }
}
