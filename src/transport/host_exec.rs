use std::time::Duration;

use super::Connection;
use crate::drivers::BoxFuture;
use crate::endpoints::docker::DockerEndpoint;
use crate::facts::{ExecOutput, HostExec};

/// Drivers and the fact batch reach a host through `HostExec`; a connection is one.
impl HostExec for Connection {
    fn host(&self) -> &str {
        Connection::host(self)
    }

    fn run_script<'a>(
        &'a self,
        script: &'a str,
        args: &'a [String],
        stdin: &'a [u8],
        timeout: Duration,
    ) -> BoxFuture<'a, Result<ExecOutput, String>> {
        Box::pin(async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let data = (!stdin.is_empty()).then_some(stdin);
            let output =
                Connection::run_script(self, "a plimsoll script", script, &args, data, timeout)
                    .await
                    .map_err(|e| e.to_string())?;
            Ok(ExecOutput {
                status: output.status,
                stdout: output.stdout,
                stderr: output.stderr,
            })
        })
    }

    fn docker(&self) -> BoxFuture<'_, Result<bollard::Docker, String>> {
        Box::pin(async move {
            let endpoint = self
                .endpoints
                .docker
                .get_or_try_init(|| DockerEndpoint::open(self))
                .await?;
            Ok(endpoint.client().clone())
        })
    }
}
