//! One ssh master connection per host (openssh, native mux): every command, upload and forward of the
//! run goes through it as a channel.
//!
//! ssh gets the host's options through a config file generated for this run: the options first (ssh
//! keeps the first value of each), then `Include` of the user's `~/.ssh/config` and the system
//! `/etc/ssh/ssh_config` — the two files ssh reads when it is given no `-F` — so the user's
//! configuration and agent still apply to everything the inventory does not set.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use openssh::{ForwardType, KnownHosts, Session, SessionBuilder, Socket, Stdio};

use super::command::{Exit, RawOutput, RunError};
use super::error::{ConnectFailure, TransportError, classify_connect_failure, trim_stderr};
use super::pipes::pump;
use super::run_dir::RunDir;
use super::spec::{HostKeyPolicy, SshSpec};

/// Times a refused session open is retried (see `run`).
const SESSION_RETRIES: u32 = 4;

/// The settings a connection needs beyond the host's own spec.
#[derive(Clone, Debug)]
pub(crate) struct SshDefaults {
    pub host_key_policy: HostKeyPolicy,
    pub connect_timeout: Duration,
    pub server_alive_interval: Duration,
}

#[derive(Debug)]
pub struct SshTransport {
    session: Session,
    config_file: PathBuf,
}

impl SshTransport {
    pub(crate) async fn connect(
        host: &str,
        spec: &SshSpec,
        defaults: &SshDefaults,
        run_dir: &RunDir,
    ) -> Result<SshTransport, TransportError> {
        let config_file = run_dir.unique("ssh-config", "");
        write_config(host, spec, &config_file).map_err(|source| TransportError::Local {
            host: host.to_string(),
            what: format!("writing the ssh config {}", config_file.display()),
            source,
        })?;
        // openssh passes whole seconds, and 0 would mean "no limit" to ssh.
        let second = Duration::from_secs(1);
        let connect_timeout = spec
            .connect_timeout
            .unwrap_or(defaults.connect_timeout)
            .max(second);
        let server_alive_interval = spec
            .server_alive_interval
            .unwrap_or(defaults.server_alive_interval)
            .max(second);
        let mut builder = SessionBuilder::default();
        builder
            .known_hosts_check(
                match spec.host_key_policy.unwrap_or(defaults.host_key_policy) {
                    HostKeyPolicy::Strict => KnownHosts::Strict,
                    HostKeyPolicy::AcceptNew => KnownHosts::Add,
                    HostKeyPolicy::Off => KnownHosts::Accept,
                },
            )
            .connect_timeout(connect_timeout)
            .server_alive_interval(server_alive_interval)
            .control_directory(run_dir.path())
            .config_file(&config_file);
        // ssh's ConnectTimeout covers TCP and the banner; this also bounds authentication.
        let limit = connect_timeout + Duration::from_secs(10);
        let result = tokio::time::timeout(limit, builder.connect_mux(&spec.address)).await;
        let session = match result {
            Ok(Ok(session)) => session,
            Ok(Err(e)) => {
                let _ = std::fs::remove_file(&config_file);
                return Err(connect_error(host, spec, e));
            }
            Err(_) => {
                let _ = std::fs::remove_file(&config_file);
                return Err(TransportError::Timeout {
                    host: host.to_string(),
                    what: format!("connecting to {}", spec.address),
                    after: limit,
                });
            }
        };
        Ok(SshTransport {
            session,
            config_file,
        })
    }

    pub(crate) async fn run(
        &self,
        argv: &[String],
        stdin: Option<&[u8]>,
    ) -> Result<RawOutput, RunError> {
        let Some((program, args)) = argv.split_first() else {
            return Err(RunError::Lost("empty command".into()));
        };
        // `command` and `args` shell-quote every word for the remote login shell; nothing here is
        // ever formatted into a command line by hand.
        let mut command = self.session.command(program.as_str());
        command
            .args(args)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // sshd frees a closed session's slot a moment after the close; a session opened in that
        // moment is refused although we stay under MaxSessions. Nothing ran then, so trying again
        // after a short pause is safe.
        let mut attempt = 0u32;
        let mut child = loop {
            match command.spawn().await {
                Ok(child) => break child,
                Err(e) if attempt < SESSION_RETRIES && error_chain(&e).contains("open refused") => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
                }
                Err(e) => return Err(RunError::Lost(self.lost_detail(&e))),
            }
        };
        let stdin_pipe = child.stdin().take();
        let stdout_pipe = child.stdout().take();
        let stderr_pipe = child.stderr().take();
        let (stdout, stderr) = pump(stdin_pipe, stdin, stdout_pipe, stderr_pipe)
            .await
            .map_err(|e| RunError::Lost(format!("reading the command's output: {e}")))?;
        let exit = match child.wait().await {
            Ok(status) => status
                .code()
                .map(Exit::Code)
                .unwrap_or_else(|| Exit::Lost("the remote process ended without exit code".into())),
            // openssh turns exit code 127 into this error; the output was read already.
            Err(openssh::Error::Remote(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                Exit::Code(127)
            }
            Err(openssh::Error::RemoteProcessTerminated) => {
                // The mux protocol cannot tell a signal from a dropped connection; ask the master.
                if self.session.check().await.is_ok() {
                    Exit::Lost("the remote process was killed by a signal".into())
                } else {
                    Exit::Lost(
                        "the connection to the host was lost (host down or not answering)".into(),
                    )
                }
            }
            Err(e) => Exit::Lost(self.lost_detail(&e)),
        };
        Ok(RawOutput {
            exit,
            stdout,
            stderr,
        })
    }

    fn lost_detail(&self, e: &openssh::Error) -> String {
        let mut text = error_chain(e);
        if matches!(e, openssh::Error::SshMux(_) | openssh::Error::Disconnected) {
            text.push_str(
                " (the ssh connection is gone; if it was up, the server may allow fewer sessions \
                 per connection (MaxSessions) than plimsoll opens)",
            );
        }
        text
    }

    pub(crate) async fn forward_unix(&self, local: &Path, remote: &str) -> Result<(), String> {
        self.session
            .request_port_forward(ForwardType::Local, local, Path::new(remote))
            .await
            .map_err(|e| error_chain(&e))
    }

    pub(crate) async fn forward_tcp(
        &self,
        local_port: u16,
        remote_host: &str,
        remote_port: u16,
    ) -> Result<(), String> {
        self.session
            .request_port_forward(
                ForwardType::Local,
                Socket::new("127.0.0.1", local_port),
                Socket::new(remote_host, remote_port),
            )
            .await
            .map_err(|e| error_chain(&e))
    }

    pub(crate) async fn close(self) -> Result<(), String> {
        let _ = std::fs::remove_file(&self.config_file);
        self.session.close().await.map_err(|e| error_chain(&e))
    }
}

fn write_config(host: &str, spec: &SshSpec, path: &Path) -> std::io::Result<()> {
    let mut text =
        format!("# plimsoll: ssh options of inventory host {host:?}, generated for one run\n");
    for line in &spec.config_lines {
        text.push_str(line);
        text.push('\n');
    }
    match &spec.user_config_file {
        Some(file) => {
            let file = std::path::absolute(file)?;
            // Checked like every generated value: ssh_config cannot quote a double quote.
            let file = file.to_string_lossy();
            if file.contains('"') || file.chars().any(char::is_control) {
                return Err(std::io::Error::other(format!(
                    "ssh config file name {file:?} cannot be written into a config file"
                )));
            }
            text.push_str(&format!("Include \"{file}\"\n"));
        }
        None => text.push_str("Include ~/.ssh/config\nInclude /etc/ssh/ssh_config\n"),
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

fn connect_error(host: &str, spec: &SshSpec, e: openssh::Error) -> TransportError {
    let raw = match &e {
        openssh::Error::Connect(io) => io.to_string(),
        other => error_chain(other),
    };
    // One line: ssh's messages are short sentences, each on its own line.
    let stderr = trim_stderr(&raw).lines().collect::<Vec<_>>().join(" ");
    let address = match spec.port {
        Some(port) if port != 22 => format!("{}:{port}", spec.address),
        _ => spec.address.clone(),
    };
    let host = host.to_string();
    match classify_connect_failure(&stderr) {
        ConnectFailure::HostKeyUnknown => {
            let port = spec
                .port
                .filter(|p| *p != 22)
                .map(|p| format!("-p {p} "))
                .unwrap_or_default();
            let file = spec
                .known_hosts_file
                .as_deref()
                .unwrap_or("~/.ssh/known_hosts");
            TransportError::HostKeyUnknown {
                host,
                keyscan: format!("ssh-keyscan {port}{} >> {file}", spec.address),
                address,
                stderr,
            }
        }
        ConnectFailure::HostKeyChanged => {
            let changed = ChangedKey::read(&raw);
            let keygen = changed.remove_with.unwrap_or_else(|| {
                let target = match spec.port {
                    Some(port) if port != 22 => format!("'[{}]:{port}'", spec.address),
                    _ => spec.address.clone(),
                };
                let file = spec
                    .known_hosts_file
                    .as_deref()
                    .map(|f| format!(" -f {f}"))
                    .unwrap_or_default();
                format!("ssh-keygen{file} -R {target}")
            });
            TransportError::HostKeyChanged {
                host,
                keygen,
                address,
                stderr: changed.summary.unwrap_or(stderr),
            }
        }
        ConnectFailure::AuthFailed => TransportError::AuthFailed {
            host,
            address,
            stderr,
        },
        ConnectFailure::Unreachable => TransportError::Unreachable {
            host,
            address,
            stderr,
        },
    }
}

/// The useful part of ssh's "REMOTE HOST IDENTIFICATION HAS CHANGED" banner (ssh 9.2 wording):
/// the new fingerprint, where the old key is, and ssh's own command to remove it.
#[derive(Debug, Default, PartialEq, Eq)]
struct ChangedKey {
    summary: Option<String>,
    remove_with: Option<String>,
}

impl ChangedKey {
    fn read(stderr: &str) -> ChangedKey {
        let lines: Vec<&str> = stderr.lines().map(str::trim).collect();
        let mut parts = Vec::new();
        let mut remove_with = None;
        for (i, line) in lines.iter().enumerate() {
            let next = lines.get(i + 1).copied();
            if line.starts_with("The fingerprint for the") {
                if let Some(fingerprint) = next {
                    parts.push(format!("the host now presents {fingerprint}"));
                }
            } else if line.starts_with("Offending") {
                parts.push(line.to_string());
            } else if *line == "remove with:" {
                remove_with = next.map(str::to_string);
            }
        }
        ChangedKey {
            summary: (!parts.is_empty()).then(|| parts.join("; ")),
            remove_with,
        }
    }
}

/// An error and all its sources on one line: openssh's own messages are generic ("the remote command
/// could not be executed"); the cause is in the sources.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_changed_key_banner() {
        // What ssh 9.2p1 printed against a testbed host with a wrong key recorded.
        let banner = "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\r
@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\r
@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\r
IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\r
Someone could be eavesdropping on you right now (man-in-the-middle attack)!\r
It is also possible that a host key has just been changed.\r
The fingerprint for the ED25519 key sent by the remote host is\r
SHA256:4Sf5mkcVBnpgHMWi/NvzQVVCB38ig3yxKkzkbRvp9mw.\r
Please contact your system administrator.\r
Add correct host key in /tmp/kh to get rid of this message.\r
Offending ED25519 key in /tmp/kh:1\r
  remove with:\r
  ssh-keygen -f \"/tmp/kh\" -R \"10.79.0.11\"\r
Host key for 10.79.0.11 has changed and you have requested strict checking.\r
Host key verification failed.";
        assert_eq!(
            ChangedKey::read(banner),
            ChangedKey {
                summary: Some(
                    "the host now presents SHA256:4Sf5mkcVBnpgHMWi/NvzQVVCB38ig3yxKkzkbRvp9mw.; \
                     Offending ED25519 key in /tmp/kh:1"
                        .into()
                ),
                remove_with: Some("ssh-keygen -f \"/tmp/kh\" -R \"10.79.0.11\"".into()),
            }
        );
    }
}
