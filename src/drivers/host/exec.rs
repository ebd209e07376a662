//! Running an apply script on a host: a non-zero exit is a failure that carries the script's stderr.

use std::time::Duration;

use crate::drivers::ApplyError;
use crate::facts::HostExec;

/// How long one change may take before the host counts as hung.
pub const APPLY_TIMEOUT: Duration = Duration::from_secs(300);

/// Runs its arguments as one command (`useradd -u 1001 -- alice`): the program is a constant chosen by
/// the kind, everything after it is data. The sbin directories are added because a non-login shell
/// of a non-root user (then raised with sudo) often lacks them.
pub const EXEC_SCRIPT: &str = r#"PATH=/usr/local/sbin:/usr/sbin:/sbin:$PATH; export PATH
exec "$@"
"#;

pub async fn run(
    host: &dyn HostExec,
    script: &str,
    args: &[String],
    stdin: &[u8],
    timeout: Duration,
) -> Result<(), ApplyError> {
    let output = host
        .run_script(script, args, stdin, timeout)
        .await
        .map_err(ApplyError::Transport)?;
    if output.status == 0 {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let message = stderr.trim();
        Err(ApplyError::Failed(if message.is_empty() {
            format!("the change failed (exit status {})", output.status)
        } else {
            message.to_string()
        }))
    }
}

/// Runs one command given as an argument vector.
pub async fn run_command(host: &dyn HostExec, argv: Vec<String>) -> Result<(), ApplyError> {
    run(host, EXEC_SCRIPT, &argv, b"", APPLY_TIMEOUT).await
}
