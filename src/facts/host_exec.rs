use std::time::Duration;

use crate::drivers::BoxFuture;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecOutput {
    pub status: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// What observing and applying need from a connection to one host: run a fixed POSIX sh script with
/// positional arguments (user data only ever travels as arguments or stdin, never inside the script).
pub trait HostExec: Send + Sync {
    fn host(&self) -> &str;

    fn run_script<'a>(
        &'a self,
        script: &'a str,
        args: &'a [String],
        stdin: &'a [u8],
        timeout: Duration,
    ) -> BoxFuture<'a, Result<ExecOutput, String>>;

    /// A client for the host's Docker engine, opened on first use and reused for the run.
    fn docker(&self) -> BoxFuture<'_, Result<bollard::Docker, String>> {
        let host = self.host().to_string();
        Box::pin(async move { Err(format!("{host}: no Docker engine is reachable this way")) })
    }
}
