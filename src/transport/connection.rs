//! A connected host: commands, scripts, uploads and forwards, each bounded in time, counted, and
//! limited to a few at once.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use super::command::{
    Exit, LOCAL_GRACE, Output, RunError, describe, is_remote_timeout, with_timeout,
};
use super::error::{TransportError, trim_stderr};
use super::forward::{LocalSocket, free_local_port, probe_tcp, probe_unix};
use super::local::LocalTransport;
use super::run_dir::RunDir;
use super::scripts::UPLOAD;
use super::ssh::SshTransport;

/// How a host is reached.
#[derive(Debug)]
pub enum Transport {
    Ssh(SshTransport),
    Local(LocalTransport),
}

/// What a plan cost on one host, measured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HostCounters {
    /// SSH master connections opened (0 for a local connection).
    pub connections: u64,
    /// Commands run: every exec, script and upload is one round trip.
    pub round_trips: u64,
    /// Port or socket forwards set up.
    pub forwards: u64,
}

#[derive(Debug, Default)]
pub(crate) struct HostStats {
    connections: AtomicU64,
    round_trips: AtomicU64,
    forwards: AtomicU64,
}

impl HostStats {
    pub(crate) fn connected(&self) {
        self.connections.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> HostCounters {
        HostCounters {
            connections: self.connections.load(Ordering::Relaxed),
            round_trips: self.round_trips.load(Ordering::Relaxed),
            forwards: self.forwards.load(Ordering::Relaxed),
        }
    }
}

#[derive(Debug)]
pub struct Connection {
    host: String,
    transport: Transport,
    /// sshd allows 10 sessions per connection by default (MaxSessions) and fails the rest with
    /// misleading errors, so commands queue here instead.
    channels: Semaphore,
    stats: Arc<HostStats>,
    run_dir: Arc<RunDir>,
    probe_window: Duration,
    /// APIs reached through forwards on this connection, opened on first use.
    pub(crate) endpoints: Endpoints,
}

/// The per-host API clients a connection carries (each keeps its forward open).
#[derive(Debug, Default)]
pub(crate) struct Endpoints {
    pub(crate) docker: tokio::sync::OnceCell<crate::endpoints::docker::DockerEndpoint>,
}

impl Connection {
    pub(crate) fn new(
        host: String,
        transport: Transport,
        max_channels: usize,
        stats: Arc<HostStats>,
        run_dir: Arc<RunDir>,
        probe_window: Duration,
    ) -> Connection {
        Connection {
            host,
            transport,
            channels: Semaphore::new(max_channels.max(1)),
            stats,
            run_dir,
            probe_window,
            endpoints: Endpoints::default(),
        }
    }

    /// The inventory host name.
    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn is_local(&self) -> bool {
        matches!(self.transport, Transport::Local(_))
    }

    pub fn counters(&self) -> HostCounters {
        self.stats.snapshot()
    }

    /// Runs `argv` (no shell: each word arrives as one argument) with `stdin` as its input, killed on
    /// the host after `timeout`. A non-zero exit is returned as is; use [`Output::checked`].
    pub async fn exec(
        &self,
        argv: &[&str],
        stdin: Option<&[u8]>,
        timeout: Duration,
    ) -> Result<Output, TransportError> {
        self.exec_as(&describe(argv), argv, stdin, timeout).await
    }

    /// [`exec`](Self::exec) with the purpose errors should name ("reading /etc/hosts").
    pub async fn exec_as(
        &self,
        purpose: &str,
        argv: &[&str],
        stdin: Option<&[u8]>,
        timeout: Duration,
    ) -> Result<Output, TransportError> {
        if argv.is_empty() {
            return Err(TransportError::InvalidSpec {
                host: self.host.clone(),
                message: format!("{purpose}: empty command"),
            });
        }
        if argv.iter().any(|a| a.contains('\0')) {
            return Err(TransportError::InvalidSpec {
                host: self.host.clone(),
                message: format!(
                    "{purpose}: an argument contains a NUL byte, which no command line can carry"
                ),
            });
        }
        // Waiting for a free channel does not eat into the command's own time.
        let _permit = self
            .channels
            .acquire()
            .await
            .map_err(|_| self.lost(purpose, "the connection is closing".into()))?;
        self.stats.round_trips.fetch_add(1, Ordering::Relaxed);
        let wrapped = with_timeout(argv, timeout);
        let started = Instant::now();
        let run = async {
            match &self.transport {
                Transport::Ssh(ssh) => ssh.run(&wrapped, stdin).await,
                Transport::Local(local) => local.run(&wrapped, stdin).await,
            }
        };
        let raw = match tokio::time::timeout(timeout + LOCAL_GRACE, run).await {
            Err(_) => return Err(self.timeout(purpose, timeout)),
            Ok(Err(RunError::Lost(detail))) => return Err(self.lost(purpose, detail)),
            Ok(Err(RunError::Local(source))) => {
                return Err(TransportError::Local {
                    host: self.host.clone(),
                    what: purpose.to_string(),
                    source,
                });
            }
            Ok(Ok(raw)) => raw,
        };
        match raw.exit {
            Exit::Code(code) if is_remote_timeout(code, started.elapsed(), timeout) => {
                Err(self.timeout(purpose, timeout))
            }
            Exit::Code(status) => Ok(Output {
                host: self.host.clone(),
                purpose: purpose.to_string(),
                status,
                stdout: raw.stdout,
                stderr: raw.stderr,
            }),
            Exit::Lost(detail) => {
                let stderr = trim_stderr(&String::from_utf8_lossy(&raw.stderr));
                let detail = if stderr.is_empty() {
                    detail
                } else {
                    format!("{detail}; stderr: {stderr}")
                };
                Err(self.lost(purpose, detail))
            }
        }
    }

    /// Runs a POSIX `sh` script with `args` as `$1...`. Without `stdin_data` it runs as
    /// `sh -s -- ARGS` with the script on stdin, so the script never shows up in the host's process
    /// list (and must not read stdin itself). With `stdin_data` it runs as `sh -c SCRIPT sh ARGS`
    /// — the script is one argument, quoted like any other — and the data is its stdin.
    pub async fn run_script(
        &self,
        purpose: &str,
        script: &str,
        args: &[&str],
        stdin_data: Option<&[u8]>,
        timeout: Duration,
    ) -> Result<Output, TransportError> {
        match stdin_data {
            None => {
                let mut argv = vec!["sh", "-s", "--"];
                argv.extend_from_slice(args);
                self.exec_as(purpose, &argv, Some(script.as_bytes()), timeout)
                    .await
            }
            Some(data) => {
                let mut argv = vec!["sh", "-c", script, "sh"];
                argv.extend_from_slice(args);
                self.exec_as(purpose, &argv, Some(data), timeout).await
            }
        }
    }

    /// Writes `contents` to `path` on the host atomically: into a temporary file in the same
    /// directory, then renamed over `path`. An existing file keeps its mode (and owner, where
    /// permitted); a new one gets the mode the user's umask gives. A symlink at `path` is replaced,
    /// not followed.
    pub async fn upload(
        &self,
        path: &str,
        contents: &[u8],
        timeout: Duration,
    ) -> Result<(), TransportError> {
        let purpose = format!("upload of {path}");
        self.run_script(&purpose, UPLOAD, &[path], Some(contents), timeout)
            .await?
            .checked()
            .map(|_| ())
    }

    /// Forwards a local Unix socket (in the run directory, removed when the result is dropped) to
    /// `remote_socket` on the host, after checking that something answers there.
    pub async fn forward_unix(&self, remote_socket: &str) -> Result<LocalSocket, TransportError> {
        let fail = |detail: String| TransportError::Forward {
            host: self.host.clone(),
            target: format!("socket {remote_socket}"),
            detail,
        };
        self.stats.forwards.fetch_add(1, Ordering::Relaxed);
        match &self.transport {
            Transport::Local(local) => {
                local.socket(remote_socket).map_err(fail)?;
                Ok(LocalSocket::existing(PathBuf::from(remote_socket)))
            }
            Transport::Ssh(ssh) => {
                let check = self
                    .exec_as(
                        &format!("checking socket {remote_socket}"),
                        &["test", "-S", remote_socket],
                        None,
                        Duration::from_secs(10),
                    )
                    .await?;
                if !check.success() {
                    return Err(fail(format!(
                        "there is no socket at {remote_socket} on the host"
                    )));
                }
                let local = LocalSocket::forwarded(self.run_dir.unique("fwd", ".sock"));
                ssh.forward_unix(local.path(), remote_socket)
                    .await
                    .map_err(fail)?;
                probe_unix(local.path(), self.probe_window)
                    .await
                    .map_err(fail)?;
                Ok(local)
            }
        }
    }

    /// Forwards a local TCP port on 127.0.0.1 to `remote_host:remote_port` as seen from the host, after
    /// checking that something answers there. The forward lasts as long as the connection.
    pub async fn forward_tcp(
        &self,
        remote_host: &str,
        remote_port: u16,
    ) -> Result<SocketAddr, TransportError> {
        let fail = |detail: String| TransportError::Forward {
            host: self.host.clone(),
            target: format!("{remote_host}:{remote_port}"),
            detail,
        };
        self.stats.forwards.fetch_add(1, Ordering::Relaxed);
        let ssh = match &self.transport {
            Transport::Local(local) => {
                return local.resolve(remote_host, remote_port).await.map_err(fail);
            }
            Transport::Ssh(ssh) => ssh,
        };
        let mut last = String::new();
        // The free port can be taken by someone else before ssh binds it; try a few.
        for _ in 0..3 {
            let port = free_local_port().map_err(|e| fail(format!("no free local port: {e}")))?;
            match ssh.forward_tcp(port, remote_host, remote_port).await {
                Ok(()) => {
                    let addr = SocketAddr::from(([127, 0, 0, 1], port));
                    probe_tcp(addr, self.probe_window).await.map_err(fail)?;
                    return Ok(addr);
                }
                Err(e) => last = e,
            }
        }
        Err(fail(last))
    }

    /// Closes the connection (stops the ssh master). Dropping a connection does that too, without
    /// reporting errors.
    pub async fn close(self) -> Result<(), TransportError> {
        match self.transport {
            Transport::Local(_) => Ok(()),
            Transport::Ssh(ssh) => {
                ssh.close()
                    .await
                    .map_err(|detail| TransportError::Disconnected {
                        host: self.host,
                        what: "closing the connection".into(),
                        detail,
                    })
            }
        }
    }

    fn timeout(&self, purpose: &str, after: Duration) -> TransportError {
        TransportError::Timeout {
            host: self.host.clone(),
            what: purpose.to_string(),
            after,
        }
    }

    fn lost(&self, purpose: &str, detail: String) -> TransportError {
        TransportError::Disconnected {
            host: self.host.clone(),
            what: purpose.to_string(),
            detail,
        }
    }
}
