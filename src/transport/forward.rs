//! Forwarded sockets and the check that they lead somewhere.
//!
//! ssh accepts a forward to a remote socket or port that nothing listens on: the local side accepts,
//! and every connection is closed at once (notes-dependencies.md §3). So after setting one up we
//! connect once and watch for that immediate end of stream.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::net::{TcpStream, UnixStream};

/// A local Unix socket leading to a socket on the host. A forwarded socket file lives in the run
/// directory and is removed on drop (ssh keeps listening until the connection closes, but nothing can
/// reach the listener without its path). For a local connection this is the socket itself, left alone.
#[derive(Debug)]
pub struct LocalSocket {
    path: PathBuf,
    remove_on_drop: bool,
}

impl LocalSocket {
    pub(crate) fn forwarded(path: PathBuf) -> LocalSocket {
        LocalSocket {
            path,
            remove_on_drop: true,
        }
    }

    pub(crate) fn existing(path: PathBuf) -> LocalSocket {
        LocalSocket {
            path,
            remove_on_drop: false,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for LocalSocket {
    fn drop(&mut self) {
        if self.remove_on_drop {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Connects to a forwarded Unix socket and fails if the far end closes at once.
pub(crate) async fn probe_unix(path: &Path, window: Duration) -> Result<(), String> {
    let stream = tokio::time::timeout(window, UnixStream::connect(path))
        .await
        .map_err(|_| "the local end of the forward did not accept".to_string())?
        .map_err(|e| format!("the local end of the forward did not accept: {e}"))?;
    expect_open(stream, window).await
}

pub(crate) async fn probe_tcp(addr: SocketAddr, window: Duration) -> Result<(), String> {
    let stream = tokio::time::timeout(window, TcpStream::connect(addr))
        .await
        .map_err(|_| "the local end of the forward did not accept".to_string())?
        .map_err(|e| format!("the local end of the forward did not accept: {e}"))?;
    expect_open(stream, window).await
}

/// Data or silence for `window` means the far end is there; end of stream or a reset means it is not.
async fn expect_open<S: AsyncRead + Unpin>(mut stream: S, window: Duration) -> Result<(), String> {
    let mut byte = [0u8; 1];
    match tokio::time::timeout(window, stream.read(&mut byte)).await {
        Err(_) | Ok(Ok(1..)) => Ok(()),
        Ok(Ok(0)) => Err(
            "the host closed the forwarded connection at once: nothing is listening there".into(),
        ),
        Ok(Err(e)) => Err(format!("the forwarded connection failed: {e}")),
    }
}

/// A local TCP port that is free right now (bound, then released for ssh to bind). Another process
/// could take it in between; the caller retries on failure.
pub(crate) fn free_local_port() -> io::Result<u16> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    Ok(listener.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;
    use tokio::net::UnixListener;

    #[tokio::test]
    async fn probe_tells_silence_and_data_from_immediate_close() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s");
        let listener = UnixListener::bind(&path).unwrap();
        let window = Duration::from_millis(200);

        let (result, accepted) = tokio::join!(probe_unix(&path, window), listener.accept());
        assert_eq!(result, Ok(()), "a silent server is fine");
        drop(accepted);

        let server = async {
            let (mut s, _) = listener.accept().await.unwrap();
            s.write_all(b"SSH-2.0\r\n").await.unwrap();
            s
        };
        let (result, _s) = tokio::join!(probe_unix(&path, window), server);
        assert_eq!(result, Ok(()), "a talking server is fine");

        let closer = async {
            let (s, _) = listener.accept().await.unwrap();
            drop(s);
        };
        let (result, ()) = tokio::join!(probe_unix(&path, window), closer);
        assert!(result.unwrap_err().contains("nothing is listening"));

        drop(listener);
        std::fs::remove_file(&path).unwrap();
        assert!(probe_unix(&path, window).await.is_err());
    }

    #[test]
    fn forwarded_sockets_are_removed_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fwd.sock");
        std::fs::write(&path, b"").unwrap();
        drop(LocalSocket::forwarded(path.clone()));
        assert!(!path.exists());
        std::fs::write(&path, b"").unwrap();
        drop(LocalSocket::existing(path.clone()));
        assert!(path.exists());
    }
}
