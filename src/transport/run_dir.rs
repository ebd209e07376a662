//! A private directory for one run: ssh control sockets, generated ssh configs and forwarded sockets.
//! Short (`/tmp/plimsoll-PID-XXXXXXXX`) because Unix socket paths are limited to about 100 bytes.

use std::fs::DirBuilder;
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug)]
pub struct RunDir {
    path: PathBuf,
    next: AtomicU64,
}

impl RunDir {
    /// Creates the directory (mode 0700) under the system temp dir.
    pub fn create() -> io::Result<RunDir> {
        let base = std::env::temp_dir();
        let mut last_error = None;
        for _ in 0..8 {
            let mut random = [0u8; 4];
            getrandom::fill(&mut random).map_err(io::Error::other)?;
            let path = base.join(format!(
                "plimsoll-{}-{}",
                std::process::id(),
                hex::encode(random)
            ));
            match DirBuilder::new().mode(0o700).create(&path) {
                Ok(()) => {
                    return Ok(RunDir {
                        path,
                        next: AtomicU64::new(1),
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last_error = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last_error.unwrap_or_else(|| io::Error::other("no free run directory name")))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A fresh path inside the directory (not created): `<stem>-<n><ext>`.
    pub fn unique(&self, stem: &str, ext: &str) -> PathBuf {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        self.path.join(format!("{stem}-{n}{ext}"))
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        // Best effort: a leftover empty temp dir is harmless and there is nobody to tell.
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn private_unique_and_removed() {
        let dir = RunDir::create().unwrap();
        let path = dir.path().to_path_buf();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        assert_ne!(dir.unique("s", ".sock"), dir.unique("s", ".sock"));
        std::fs::write(dir.unique("f", ""), b"x").unwrap();
        drop(dir);
        assert!(!path.exists());
    }
}
