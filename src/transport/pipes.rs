//! Feeding a child's stdin while draining its stdout and stderr, all at once: doing them one after the
//! other deadlocks as soon as a pipe buffer fills.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

pub(crate) async fn pump<W, O, E>(
    stdin: Option<W>,
    data: Option<&[u8]>,
    stdout: Option<O>,
    stderr: Option<E>,
) -> io::Result<(Vec<u8>, Vec<u8>)>
where
    W: AsyncWrite + Unpin,
    O: AsyncRead + Unpin,
    E: AsyncRead + Unpin,
{
    let write = async move {
        if let (Some(mut pipe), Some(data)) = (stdin, data) {
            // A command may exit without reading all its input (BrokenPipe); its exit code says
            // whether that was a failure, so write errors are not reported separately.
            let _ = pipe.write_all(data).await;
            let _ = pipe.shutdown().await;
        }
        // Dropping the pipe here closes it: the command sees end of input.
    };
    let (_, out, err) = tokio::join!(write, read_all(stdout), read_all(stderr));
    Ok((out?, err?))
}

async fn read_all<R: AsyncRead + Unpin>(pipe: Option<R>) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    if let Some(mut pipe) = pipe {
        pipe.read_to_end(&mut buf).await?;
    }
    Ok(buf)
}
