//! `become` with sudo: every script of a resource runs as its become user through `sudo -n`. The
//! user and the script travel as arguments of a fixed wrapper, never inside a shell string, and
//! stdin passes through untouched. The wrapper's inner shell writes a marker line on stderr before
//! anything else, so a failure of sudo itself (a password needed, no sudo, a user sudo refuses) is
//! told apart from the script's own exit code and reported as what it is.

use std::sync::Arc;
use std::time::Duration;

use crate::drivers::BoxFuture;
use crate::facts::{ExecOutput, HostExec};

/// Proof that sudo started the command; everything sudo printed before it is sudo's own.
const STARTED: &[u8] = b"plimsoll-become-ok\n";

/// `$1` the user, `$2` the script, the rest its arguments. `-H`: the become user's HOME, as
/// Ansible's default flags do.
pub const SUDO_WRAPPER: &str = r#"u=$1; s=$2; shift 2
exec sudo -n -H -u "$u" -- sh -c 'echo plimsoll-become-ok >&2; exec sh -c "$0" sh "$@"' "$s" "$@"
"#;

/// A host reached as another user through sudo.
pub struct SudoExec {
    inner: Arc<dyn HostExec>,
    user: String,
}

impl SudoExec {
    pub fn new(inner: Arc<dyn HostExec>, user: impl Into<String>) -> SudoExec {
        SudoExec {
            inner,
            user: user.into(),
        }
    }

    /// Why sudo did not start the script, with what to do about it. The connecting user's name is
    /// asked only on this path, so the hint can name it.
    async fn refusal(&self, output: &ExecOutput, timeout: Duration) -> String {
        let login = match self.inner.run_script("id -un", &[], b"", timeout).await {
            Ok(out) if out.status == 0 => {
                let name = String::from_utf8_lossy(&out.stdout).trim().to_string();
                if name.is_empty() {
                    "the connecting user".to_string()
                } else {
                    name
                }
            }
            _ => "the connecting user".to_string(),
        };
        describe_refusal(&self.user, &login, output)
    }
}

impl HostExec for SudoExec {
    fn host(&self) -> &str {
        self.inner.host()
    }

    fn run_script<'a>(
        &'a self,
        script: &'a str,
        args: &'a [String],
        stdin: &'a [u8],
        timeout: Duration,
    ) -> BoxFuture<'a, Result<ExecOutput, String>> {
        Box::pin(async move {
            let mut wrapped = Vec::with_capacity(args.len() + 2);
            wrapped.push(self.user.clone());
            wrapped.push(script.to_string());
            wrapped.extend(args.iter().cloned());
            let output = self
                .inner
                .run_script(SUDO_WRAPPER, &wrapped, stdin, timeout)
                .await?;
            match after_marker(&output.stderr) {
                Some(stderr) => Ok(ExecOutput {
                    status: output.status,
                    stdout: output.stdout,
                    stderr,
                }),
                None => Err(self.refusal(&output, timeout).await),
            }
        })
    }

    /// The engine is reached through the connection's own forward, not through sudo.
    fn docker(&self) -> BoxFuture<'_, Result<bollard::Docker, String>> {
        self.inner.docker()
    }
}

/// The script's own stderr: what follows the marker line. `None` when sudo never started it.
fn after_marker(stderr: &[u8]) -> Option<Vec<u8>> {
    let mut start = 0;
    while start <= stderr.len() {
        let line = &stderr[start..];
        if line.starts_with(STARTED) {
            return Some(line[STARTED.len()..].to_vec());
        }
        let next = line.iter().position(|b| *b == b'\n')?;
        start += next + 1;
    }
    None
}

fn describe_refusal(user: &str, login: &str, output: &ExecOutput) -> String {
    let said = String::from_utf8_lossy(&output.stderr);
    let said = said
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    let needs_password = ["password is required", "terminal is required", "askpass"]
        .iter()
        .any(|sign| said.contains(sign));
    if needs_password {
        return format!(
            "become: sudo needs a password to run as {user}, and plimsoll runs `sudo -n` (no password prompt) ({said}); \
             hint: configure NOPASSWD sudo for {login} (e.g. `{login} ALL=(ALL) NOPASSWD: ALL` in /etc/sudoers.d/) or connect as root"
        );
    }
    if output.status == 127 {
        return format!(
            "become: sudo is not installed on the host ({said}); hint: install sudo, or connect as {user}"
        );
    }
    format!(
        "become: sudo could not run as {user} (exit {}): {said}; hint: check the sudoers rules for {login}, or connect as {user}",
        output.status
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(status: i32, stderr: &str) -> ExecOutput {
        ExecOutput {
            status,
            stdout: Vec::new(),
            stderr: stderr.as_bytes().to_vec(),
        }
    }

    #[test]
    fn the_scripts_stderr_is_what_follows_the_marker() {
        assert_eq!(
            after_marker(b"plimsoll-become-ok\nwarning: x\n").as_deref(),
            Some(&b"warning: x\n"[..])
        );
        // sudo may complain and still run the command.
        assert_eq!(
            after_marker(b"sudo: unable to resolve host h1\nplimsoll-become-ok\n").as_deref(),
            Some(&b""[..])
        );
        assert_eq!(after_marker(b"sudo: a password is required\n"), None);
        assert_eq!(after_marker(b""), None);
        // Only a whole line counts.
        assert_eq!(after_marker(b"xplimsoll-become-ok\n"), None);
    }

    #[test]
    fn a_needed_password_says_how_to_fix_it() {
        let message = describe_refusal(
            "root",
            "deploy",
            &failed(1, "sudo: a password is required\n"),
        );
        assert!(
            message.contains("sudo needs a password to run as root")
                && message.contains("configure NOPASSWD sudo for deploy")
                && message.contains("or connect as root"),
            "{message}"
        );
    }

    #[test]
    fn other_sudo_failures_are_named() {
        let missing = describe_refusal(
            "root",
            "deploy",
            &failed(127, "sh: 2: exec: sudo: not found"),
        );
        assert!(missing.contains("sudo is not installed"), "{missing}");
        let unknown = describe_refusal(
            "nobody2",
            "deploy",
            &failed(1, "sudo: unknown user nobody2"),
        );
        assert!(
            unknown.contains("sudo could not run as nobody2 (exit 1): sudo: unknown user nobody2"),
            "{unknown}"
        );
    }

    /// The wrapper under `sh` with a stand-in `sudo` that checks its options and runs the command
    /// as is: arguments and stdin must reach the script intact, nothing substituted.
    #[test]
    fn the_wrapper_hands_user_script_arguments_and_stdin_through_sudo_intact() {
        use std::io::Write;
        use std::os::unix::fs::PermissionsExt;
        use std::process::{Command, Stdio};

        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("sudo");
        std::fs::write(
            &fake,
            "#!/bin/sh\n[ \"$1 $2 $3 $5\" = \"-n -H -u --\" ] || exit 99\nprintf '%s\\n' \"$4\" > \"$(dirname \"$0\")/user\"\nshift 5\nexec \"$@\"\n",
        )
        .unwrap();
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = format!(
            "{}:{}",
            dir.path().display(),
            std::env::var("PATH").unwrap()
        );
        let canary = dir.path().join("substituted");
        let hostile = format!("$(touch {})", canary.display());
        let script = r#"printf '%s|' "$@"; cat; echo oops >&2; exit 3"#;
        let mut child = Command::new("sh")
            .args([
                "-c",
                SUDO_WRAPPER,
                "sh",
                "app user",
                script,
                &hostile,
                "a b",
                "it's",
                "",
            ])
            .env("PATH", path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(b"data\n").unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(3));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("{hostile}|a b|it's||data\n")
        );
        assert_eq!(after_marker(&out.stderr).as_deref(), Some(&b"oops\n"[..]));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("user")).unwrap(),
            "app user\n"
        );
        assert!(!canary.exists(), "an argument was run as a command");
    }
}
