//! A build context on the controller: the files under `build.path` that `.dockerignore` lets through,
//! each with its type, mode and content hash, and one digest over all of them. The digest keys the
//! plan (an unchanged context builds nothing); the per-file hashes let it name what changed.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::dockerignore::DockerIgnore;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Directory,
    Symlink(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextEntry {
    /// Relative to the context, `/`-separated.
    pub path: String,
    pub kind: EntryKind,
    pub mode: u32,
    /// sha256 of a file's content or a link's target; empty for a directory.
    pub hash: String,
}

impl ContextEntry {
    /// What the digest and the per-file summaries are made of.
    fn line(&self) -> String {
        let kind = match &self.kind {
            EntryKind::File => "file",
            EntryKind::Directory => "dir",
            EntryKind::Symlink(_) => "link",
        };
        format!("{kind} {:o} {} {}\n", self.mode, self.hash, self.path)
    }

    /// A short hash of everything about the entry, for the image's label.
    pub fn summary(&self) -> String {
        hex::encode(Sha256::digest(self.line()))[..16].to_string()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextListing {
    pub root: PathBuf,
    pub entries: Vec<ContextEntry>,
    /// sha256 over every entry, in path order.
    pub digest: String,
}

impl ContextListing {
    /// Path → short hash, for naming what changed.
    pub fn summaries(&self) -> BTreeMap<String, String> {
        self.entries
            .iter()
            .filter(|e| e.kind != EntryKind::Directory)
            .map(|e| (e.path.clone(), e.summary()))
            .collect()
    }
}

fn mode_of(metadata: &std::fs::Metadata) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        metadata.permissions().mode() & 0o7777
    }
    #[cfg(not(unix))]
    {
        if metadata.is_dir() { 0o755 } else { 0o644 }
    }
}

fn hash_file(path: &Path) -> Result<String, String> {
    let mut file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Lists the context under `root` as `docker build` would send it, with `dockerfile` (relative to
/// `root`) required to be a file in it.
pub fn read_context(root: &Path, dockerfile: &str) -> Result<ContextListing, String> {
    let meta = std::fs::metadata(root).map_err(|e| format!("{}: {e}", root.display()))?;
    if !meta.is_dir() {
        return Err(format!(
            "{} is not a directory: a build context is one",
            root.display()
        ));
    }
    let mut ignore = match std::fs::read_to_string(root.join(".dockerignore")) {
        Ok(text) => DockerIgnore::parse(&text)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => DockerIgnore::empty(),
        Err(e) => return Err(format!("{}/.dockerignore: {e}", root.display())),
    };
    ignore.keep_always(dockerfile);
    ignore.keep_always(".dockerignore");
    let mut entries = Vec::new();
    walk(root, "", &ignore, &mut entries)?;
    let wanted = dockerfile.trim_start_matches("./");
    if !entries
        .iter()
        .any(|e| e.path == wanted && e.kind == EntryKind::File)
    {
        return Err(format!(
            "there is no file {dockerfile} in the build context {}",
            root.display()
        ));
    }
    let mut hasher = Sha256::new();
    for entry in &entries {
        hasher.update(entry.line());
    }
    Ok(ContextListing {
        root: root.to_path_buf(),
        entries,
        digest: hex::encode(hasher.finalize()),
    })
}

fn walk(
    root: &Path,
    relative: &str,
    ignore: &DockerIgnore,
    out: &mut Vec<ContextEntry>,
) -> Result<(), String> {
    let dir = if relative.is_empty() {
        root.to_path_buf()
    } else {
        root.join(relative)
    };
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .map(|entry| {
            entry
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .map_err(|e| format!("{}: {e}", dir.display()))
        })
        .collect::<Result<_, _>>()?;
    names.sort();
    for name in names {
        let path = if relative.is_empty() {
            name.clone()
        } else {
            format!("{relative}/{name}")
        };
        let full = root.join(&path);
        let meta =
            std::fs::symlink_metadata(&full).map_err(|e| format!("{}: {e}", full.display()))?;
        let excluded = ignore.excludes(&path);
        let mode = mode_of(&meta);
        if meta.file_type().is_symlink() {
            if excluded {
                continue;
            }
            let target = std::fs::read_link(&full)
                .map_err(|e| format!("{}: {e}", full.display()))?
                .to_string_lossy()
                .into_owned();
            out.push(ContextEntry {
                hash: hex::encode(Sha256::digest(&target)),
                path,
                kind: EntryKind::Symlink(target),
                mode,
            });
        } else if meta.is_dir() {
            if !excluded {
                out.push(ContextEntry {
                    path: path.clone(),
                    kind: EntryKind::Directory,
                    mode,
                    hash: String::new(),
                });
            }
            // An excluded directory may still hold a file a `!` pattern takes back.
            walk(root, &path, ignore, out)?;
        } else if meta.is_file() {
            if excluded {
                continue;
            }
            out.push(ContextEntry {
                hash: hash_file(&full)?,
                path,
                kind: EntryKind::File,
                mode,
            });
        } else if !excluded {
            return Err(format!(
                "{} is neither a file, a directory nor a symbolic link: it cannot go into a build context",
                full.display()
            ));
        }
    }
    Ok(())
}

/// Writes the context as a tar to `out`, checking every file against the listing as it goes: a file
/// that changed since it was listed stops the build rather than building something unplanned.
pub fn write_tar(listing: &ContextListing, out: impl Write) -> Result<(), String> {
    let mut builder = tar::Builder::new(out);
    builder.follow_symlinks(false);
    for entry in &listing.entries {
        let full = listing.root.join(&entry.path);
        let mut header = tar::Header::new_gnu();
        header.set_mode(entry.mode);
        header.set_uid(0);
        header.set_gid(0);
        if let Ok(meta) = std::fs::symlink_metadata(&full)
            && let Ok(modified) = meta.modified()
            && let Ok(since) = modified.duration_since(std::time::UNIX_EPOCH)
        {
            header.set_mtime(since.as_secs());
        }
        let written = match &entry.kind {
            EntryKind::Directory => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_size(0);
                builder.append_data(&mut header, format!("{}/", entry.path), std::io::empty())
            }
            EntryKind::Symlink(target) => {
                header.set_entry_type(tar::EntryType::Symlink);
                header.set_size(0);
                builder.append_link(&mut header, &entry.path, target)
            }
            EntryKind::File => {
                let file =
                    std::fs::File::open(&full).map_err(|e| format!("{}: {e}", full.display()))?;
                let size = file
                    .metadata()
                    .map_err(|e| format!("{}: {e}", full.display()))?
                    .len();
                header.set_entry_type(tar::EntryType::Regular);
                header.set_size(size);
                let mut reader = Checked {
                    inner: file.take(size),
                    hasher: Sha256::new(),
                    expected: &entry.hash,
                    read: 0,
                    size,
                    path: &full,
                };
                builder.append_data(&mut header, &entry.path, &mut reader)
            }
        };
        written.map_err(|e| format!("{}: {e}", full.display()))?;
    }
    builder
        .into_inner()
        .and_then(|mut out| out.flush())
        .map_err(|e| format!("writing the build context: {e}"))
}

/// A file's bytes, failing at the end when they are not the bytes the listing hashed.
struct Checked<'a, R> {
    inner: R,
    hasher: Sha256,
    expected: &'a str,
    read: u64,
    size: u64,
    path: &'a Path,
}

impl<R: Read> Read for Checked<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.read += n as u64;
        if n == 0 || self.read == self.size {
            let got = hex::encode(self.hasher.clone().finalize());
            if self.read != self.size || got != self.expected {
                return Err(std::io::Error::other(format!(
                    "{} changed since the plan read it; plan again",
                    self.path.display()
                )));
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        dir
    }

    #[test]
    fn the_digest_follows_content_and_ignores_what_dockerignore_leaves_out() {
        let dir = context(&[
            ("Dockerfile", "FROM scratch\n"),
            ("app/main.sh", "echo 1\n"),
            ("build/out.bin", "x"),
            (".dockerignore", "build\n"),
        ]);
        let first = read_context(dir.path(), "Dockerfile").unwrap();
        let paths: Vec<&str> = first.entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, [".dockerignore", "Dockerfile", "app", "app/main.sh"]);
        std::fs::write(dir.path().join("build/out.bin"), "y").unwrap();
        assert_eq!(
            read_context(dir.path(), "Dockerfile").unwrap().digest,
            first.digest
        );
        std::fs::write(dir.path().join("app/main.sh"), "echo 2\n").unwrap();
        let second = read_context(dir.path(), "Dockerfile").unwrap();
        assert_ne!(second.digest, first.digest);
        let (a, b) = (first.summaries(), second.summaries());
        let changed: Vec<&String> = a.keys().filter(|k| a.get(*k) != b.get(*k)).collect();
        assert_eq!(changed, ["app/main.sh"]);
    }

    #[test]
    fn a_missing_dockerfile_is_named() {
        let dir = context(&[("app.sh", "x")]);
        let err = read_context(dir.path(), "Dockerfile").unwrap_err();
        assert!(err.contains("there is no file Dockerfile"), "{err}");
    }

    #[test]
    fn the_tar_holds_the_listing_and_refuses_a_file_changed_since() {
        let dir = context(&[("Dockerfile", "FROM scratch\nCOPY a /\n"), ("a", "hello")]);
        let listing = read_context(dir.path(), "Dockerfile").unwrap();
        let mut out = Vec::new();
        write_tar(&listing, &mut out).unwrap();
        let mut archive = tar::Archive::new(out.as_slice());
        let names: Vec<String> = archive
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["Dockerfile", "a"]);
        std::fs::write(dir.path().join("a"), "HELLO").unwrap();
        let err = write_tar(&listing, Vec::new()).unwrap_err();
        assert!(err.contains("changed since the plan"), "{err}");
    }
}
