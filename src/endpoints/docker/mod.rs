//! The host's Docker engine: its `/var/run/docker.sock` forwarded over the host's SSH connection to a
//! local Unix socket, spoken to with bollard (not bollard's own ssh support, which would open an SSH
//! connection per HTTP connection).

pub mod controller;
pub mod delivery;
pub mod layers;
mod observe;
pub mod tar_stream;

pub use observe::observe;

use bollard::Docker;

use crate::transport::{Connection, LocalSocket};

/// Where the engine listens on a host.
pub const ENGINE_SOCKET: &str = "/var/run/docker.sock";

/// Seconds bollard waits for one API call.
const API_TIMEOUT_SECS: u64 = 120;

/// A client for one host's engine. The forwarded socket lives as long as this does.
#[derive(Debug)]
pub struct DockerEndpoint {
    client: Docker,
    _socket: LocalSocket,
}

impl DockerEndpoint {
    /// Forwards the engine's socket and agrees on an API version with the engine.
    pub async fn open(connection: &Connection) -> Result<DockerEndpoint, String> {
        let socket = connection
            .forward_unix(ENGINE_SOCKET)
            .await
            .map_err(|e| e.to_string())?;
        let path = socket.path().to_string_lossy().into_owned();
        let client =
            Docker::connect_with_unix(&path, API_TIMEOUT_SECS, bollard::API_DEFAULT_VERSION)
                .map_err(|e| format!("{}: the Docker engine: {e}", connection.host()))?
                .negotiate_version()
                .await
                .map_err(|e| {
                    format!(
                        "{}: the Docker engine did not answer at {ENGINE_SOCKET}: {e}",
                        connection.host()
                    )
                })?;
        Ok(DockerEndpoint {
            client,
            _socket: socket,
        })
    }

    pub fn client(&self) -> &Docker {
        &self.client
    }
}
