//! A [`HostExec`] for tests: runs scripts on this machine with `sh -c SCRIPT sh ARGS...`, stdin fed
//! from memory, under a timeout. It also gathers facts with the real batch script, so tests observe
//! exactly as a plan would.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use crate::drivers::BoxFuture;
use crate::facts::{
    BATCH_SCRIPT, ExecOutput, FactRequest, Facts, HostExec, batch_args, parse_batch_output,
};

#[derive(Default)]
pub struct LocalExec {
    /// The working directory of every script (the test's own by default).
    pub cwd: Option<std::path::PathBuf>,
}

impl HostExec for LocalExec {
    fn host(&self) -> &str {
        "localhost"
    }

    fn run_script<'a>(
        &'a self,
        script: &'a str,
        args: &'a [String],
        stdin: &'a [u8],
        timeout: Duration,
    ) -> BoxFuture<'a, Result<ExecOutput, String>> {
        Box::pin(async move {
            let mut command = Command::new("sh");
            if let Some(cwd) = &self.cwd {
                command.current_dir(cwd);
            }
            let mut child = command
                .arg("-c")
                .arg(script)
                .arg("sh")
                .args(args)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .kill_on_drop(true)
                .spawn()
                .map_err(|e| format!("cannot start sh: {e}"))?;
            let mut input = child.stdin.take().ok_or("no stdin")?;
            let data = stdin.to_vec();
            // Feed stdin while the output is read, so a large input cannot deadlock on full pipes.
            let writer = tokio::spawn(async move {
                let _ = input.write_all(&data).await;
            });
            let output = tokio::time::timeout(timeout, child.wait_with_output())
                .await
                .map_err(|_| format!("timed out after {timeout:?}"))?
                .map_err(|e| e.to_string())?;
            let _ = writer.await;
            Ok(ExecOutput {
                status: output.status.code().unwrap_or(-1),
                stdout: output.stdout,
                stderr: output.stderr,
            })
        })
    }
}

/// Observes with the real batch script.
pub async fn gather(host: &dyn HostExec, requests: &[FactRequest]) -> Facts {
    let args = batch_args(requests);
    let output = host
        .run_script(BATCH_SCRIPT, &args, b"", Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(
        output.status,
        0,
        "the fact script failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    parse_batch_output(requests, &String::from_utf8(output.stdout).unwrap()).unwrap()
}
