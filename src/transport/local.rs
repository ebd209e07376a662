//! `ansible_connection=local`: commands run on this machine with tokio::process, argv as given (no
//! shell), under the same coreutils `timeout` wrapper as remote commands.

use std::net::SocketAddr;
use std::os::unix::fs::FileTypeExt;
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;

use tokio::process::Command;

use super::command::{Exit, RawOutput, RunError};
use super::pipes::pump;

#[derive(Debug, Default)]
pub struct LocalTransport;

impl LocalTransport {
    pub(crate) async fn run(
        &self,
        argv: &[String],
        stdin: Option<&[u8]>,
    ) -> Result<RawOutput, RunError> {
        let Some((program, args)) = argv.split_first() else {
            return Err(RunError::Lost("empty command".into()));
        };
        let mut child = Command::new(program)
            .args(args)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(RunError::Local)?;
        let (stdout, stderr) = pump(
            child.stdin.take(),
            stdin,
            child.stdout.take(),
            child.stderr.take(),
        )
        .await
        .map_err(RunError::Local)?;
        let status = child.wait().await.map_err(RunError::Local)?;
        let exit = match (status.code(), status.signal()) {
            (Some(code), _) => Exit::Code(code),
            (None, Some(signal)) => {
                Exit::Lost(format!("the process was killed by signal {signal}"))
            }
            (None, None) => Exit::Lost("the process ended without an exit code".into()),
        };
        Ok(RawOutput {
            exit,
            stdout,
            stderr,
        })
    }

    /// A local socket needs no forwarding; it must exist and be a socket.
    pub(crate) fn socket(&self, path: &str) -> Result<(), String> {
        match std::fs::metadata(path) {
            Ok(m) if m.file_type().is_socket() => Ok(()),
            Ok(_) => Err(format!("{path} is not a socket")),
            Err(e) => Err(format!("{path}: {e}")),
        }
    }

    pub(crate) async fn resolve(&self, host: &str, port: u16) -> Result<SocketAddr, String> {
        tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| format!("cannot resolve {host}: {e}"))?
            .next()
            .ok_or_else(|| format!("{host} has no address"))
    }
}
