//! Registry-less delivery: an image archive (exported from the controller's engine, or a `.tar` on the
//! controller) loaded into a host's engine through the socket forwarded on the host's SSH connection,
//! carrying only the layers the host lacks.
//!
//! Why this works: the engine's image loader (the classic, non-containerd image store) reads
//! `manifest.json` and the image config, then for each layer looks up its chain ID in the layer store
//! and opens the layer's tar only when the layer is missing. An archive rewritten to leave out the
//! layers the host has therefore loads into the same image ID. Seen on Debian's 20.10 engine; an
//! engine that refuses such an archive (say, one using the containerd image store, which wants every
//! blob) gets the whole archive instead, and the report says so.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use bollard::Docker;
use bollard::query_parameters::ImportImageOptions;
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use serde::Deserialize;
use tokio::io::AsyncReadExt;

use super::controller::ImageLayers;
use super::layers::{chain_ids, present_chains};
use super::tar_stream::{EntryRule, TarError, TarFilter};

/// How long one load may take, body included (the client's default of 2 minutes is too short for
/// a large image on a slow link).
const LOAD_TIMEOUT: Duration = Duration::from_secs(3600);
const READ_CHUNK: usize = 256 * 1024;

/// Where the image archive comes from.
#[derive(Clone, Debug)]
pub enum Origin {
    /// `GET /images/<id>/get` on the controller's engine.
    Engine(Docker),
    /// An archive file on the controller.
    Archive(PathBuf),
}

/// What a delivery sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryReport {
    pub layers: usize,
    /// Layers whose tar went over the connection.
    pub layers_sent: usize,
    /// Bytes of archive written to the host's engine (the last attempt's).
    pub bytes_sent: u64,
    /// Why the whole archive was sent after a reduced one was refused.
    pub fallback: Option<String>,
}

impl std::fmt::Display for DeliveryReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} of {} layers, {} bytes",
            self.layers_sent, self.layers, self.bytes_sent
        )?;
        if let Some(why) = &self.fallback {
            write!(f, " (whole archive: the reduced one was refused: {why})")?;
        }
        Ok(())
    }
}

/// One entry of an archive's `manifest.json`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManifestEntry {
    pub config: String,
    #[serde(default)]
    pub repo_tags: Option<Vec<String>>,
    pub layers: Vec<String>,
}

/// Parses `manifest.json`.
pub fn parse_manifest(bytes: &[u8]) -> Result<Vec<ManifestEntry>, String> {
    serde_json::from_slice(bytes).map_err(|e| format!("the archive's manifest.json: {e}"))
}

/// The image ID a manifest entry's config path names (`<hex>.json` or `blobs/sha256/<hex>`).
pub fn config_id(config_path: &str) -> Option<String> {
    let name = config_path.rsplit('/').next()?;
    let hex = name.strip_suffix(".json").unwrap_or(name);
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("sha256:{}", hex.to_ascii_lowercase()))
}

/// The entries to leave out of an archive: the files of the layers at `skip` (indexes into the
/// entry's layers), unless a layer still sent shares them. A layer stored as `<dir>/layer.tar` (the
/// classic format) takes its whole directory with it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeaveOut {
    directories: BTreeSet<String>,
    files: BTreeSet<String>,
}

impl LeaveOut {
    pub fn layers(entry: &ManifestEntry, skip: &BTreeSet<usize>) -> LeaveOut {
        let sent: BTreeSet<&str> = entry
            .layers
            .iter()
            .enumerate()
            .filter(|(i, _)| !skip.contains(i))
            .map(|(_, p)| p.as_str())
            .collect();
        let mut leave_out = LeaveOut::default();
        for (_, path) in entry
            .layers
            .iter()
            .enumerate()
            .filter(|(i, _)| skip.contains(i))
        {
            if sent.contains(path.as_str()) {
                continue;
            }
            match path.strip_suffix("/layer.tar") {
                Some(dir) => {
                    leave_out.directories.insert(format!("{dir}/"));
                }
                None => {
                    leave_out.files.insert(path.clone());
                }
            }
        }
        leave_out
    }

    pub fn is_empty(&self) -> bool {
        self.directories.is_empty() && self.files.is_empty()
    }
}

impl EntryRule for LeaveOut {
    fn keep(&self, path: &str) -> bool {
        let path = path.strip_prefix("./").unwrap_or(path);
        !(self.files.contains(path)
            || self
                .directories
                .iter()
                .any(|d| path.starts_with(d.as_str()) || d.strip_suffix('/') == Some(path)))
    }
}

struct CaptureManifest;

impl EntryRule for CaptureManifest {
    fn keep(&self, _path: &str) -> bool {
        false
    }
    fn capture(&self, path: &str) -> bool {
        path == "manifest.json" || path == "./manifest.json"
    }
}

type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, std::io::Error>> + Send>>;

fn open(origin: &Origin, image_id: &str) -> ByteStream {
    match origin {
        Origin::Engine(engine) => Box::pin(
            engine
                .export_image(image_id)
                .map(|chunk| chunk.map_err(std::io::Error::other)),
        ),
        Origin::Archive(path) => file_stream(path.clone()),
    }
}

fn file_stream(path: PathBuf) -> ByteStream {
    let opened = futures_util::stream::once(async move { tokio::fs::File::open(path).await });
    Box::pin(opened.flat_map(|file| {
        match file {
            Err(e) => futures_util::stream::once(async move { Err(e) }).boxed(),
            Ok(file) => futures_util::stream::unfold(file, |mut file| async move {
                let mut buffer = vec![0u8; READ_CHUNK];
                match file.read(&mut buffer).await {
                    Ok(0) => None,
                    Ok(n) => {
                        buffer.truncate(n);
                        Some((Ok(Bytes::from(buffer)), file))
                    }
                    Err(e) => Some((Err(e), file)),
                }
            })
            .boxed(),
        }
    }))
}

/// `source` through a [`TarFilter`], counting what passes into `sent`.
fn filtered<R: EntryRule + Send + 'static>(
    source: ByteStream,
    rule: R,
    sent: Arc<AtomicU64>,
) -> ByteStream {
    let tar_error = |e: TarError| std::io::Error::other(format!("the image archive: {e}"));
    Box::pin(futures_util::stream::unfold(
        Some((source, TarFilter::new(rule))),
        move |state| {
            let sent = sent.clone();
            async move {
                let (mut source, mut filter) = state?;
                loop {
                    match source.next().await {
                        Some(Ok(chunk)) => {
                            let mut out = Vec::with_capacity(chunk.len());
                            if let Err(e) = filter.push(&chunk, &mut out) {
                                return Some((Err(tar_error(e)), None));
                            }
                            if out.is_empty() {
                                continue;
                            }
                            sent.fetch_add(out.len() as u64, Ordering::Relaxed);
                            return Some((Ok(Bytes::from(out)), Some((source, filter))));
                        }
                        Some(Err(e)) => return Some((Err(e), None)),
                        None => {
                            return match filter.finish() {
                                Ok(_) => None,
                                Err(e) => Some((Err(tar_error(e)), None)),
                            };
                        }
                    }
                }
            }
        },
    ))
}

/// Reads an archive's `manifest.json` (the whole archive streams past; nothing is kept but it).
pub async fn read_manifest(origin: &Origin, image_id: &str) -> Result<Vec<ManifestEntry>, String> {
    let mut source = open(origin, image_id);
    let mut filter = TarFilter::new(CaptureManifest);
    let mut sink = Vec::new();
    while let Some(chunk) = source.next().await {
        let chunk = chunk.map_err(|e| format!("reading the image archive: {e}"))?;
        filter
            .push(&chunk, &mut sink)
            .map_err(|e| format!("the image archive: {e}"))?;
        sink.clear();
    }
    let outcome = filter
        .finish()
        .map_err(|e| format!("the image archive: {e}"))?;
    let manifest = outcome
        .captured
        .get("manifest.json")
        .or_else(|| outcome.captured.get("./manifest.json"))
        .ok_or("the image archive has no manifest.json")?;
    parse_manifest(manifest)
}

/// Manifests of images exported from the controller's engine, by image ID: an image delivered to ten
/// hosts is read once to learn its layout.
fn manifest_cache() -> &'static Mutex<BTreeMap<String, Vec<ManifestEntry>>> {
    static CACHE: OnceLock<Mutex<BTreeMap<String, Vec<ManifestEntry>>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

async fn manifest_entry(origin: &Origin, image: &ImageLayers) -> Result<ManifestEntry, String> {
    let cached = match origin {
        Origin::Engine(_) => manifest_cache()
            .lock()
            .ok()
            .and_then(|c| c.get(&image.id).cloned()),
        Origin::Archive(_) => None,
    };
    let manifest = match cached {
        Some(manifest) => manifest,
        None => {
            let manifest = read_manifest(origin, &image.id).await?;
            if let (Origin::Engine(_), Ok(mut cache)) = (origin, manifest_cache().lock()) {
                cache.insert(image.id.clone(), manifest.clone());
            }
            manifest
        }
    };
    let entry = manifest
        .into_iter()
        .find(|e| config_id(&e.config).as_deref() == Some(image.id.as_str()))
        .ok_or_else(|| format!("the image archive does not hold image {}", image.id))?;
    if entry.layers.len() != image.diff_ids.len() {
        return Err(format!(
            "the image archive lists {} layers for {}, its config {}",
            entry.layers.len(),
            image.id,
            image.diff_ids.len()
        ));
    }
    Ok(entry)
}

/// Loads `image` into `host` from `origin`, sending only the layers `host` does not have. Does
/// nothing to tags: the caller names the image.
pub async fn deliver(
    origin: &Origin,
    host: &Docker,
    image: &ImageLayers,
) -> Result<DeliveryReport, String> {
    // Already there under another name: the caller's tag is all that is missing.
    if host.inspect_image(&image.id).await.is_ok() {
        return Ok(DeliveryReport {
            layers: image.diff_ids.len(),
            layers_sent: 0,
            bytes_sent: 0,
            fallback: None,
        });
    }
    let present = present_chains(host)
        .await
        .map_err(|e| format!("listing the host's images: {e}"))?;
    deliver_over(origin, host, image, &present).await
}

/// [`deliver`] once the chain IDs the host has are known: the layers among them are left out of
/// the archive, and should the host refuse that archive, the whole one follows.
pub async fn deliver_over(
    origin: &Origin,
    host: &Docker,
    image: &ImageLayers,
    present: &BTreeSet<String>,
) -> Result<DeliveryReport, String> {
    let loader = &host.clone().with_timeout(LOAD_TIMEOUT);
    let layers = image.diff_ids.len();
    let chains = chain_ids(&image.diff_ids);
    let skip: BTreeSet<usize> = chains
        .iter()
        .enumerate()
        .filter(|(_, c)| present.contains(*c))
        .map(|(i, _)| i)
        .collect();
    let whole = |fallback| async move {
        let sent = Arc::new(AtomicU64::new(0));
        let stream = filtered(open(origin, &image.id), |_: &str| true, sent.clone());
        load(loader, stream).await?;
        Ok::<_, String>(DeliveryReport {
            layers,
            layers_sent: layers,
            bytes_sent: sent.load(Ordering::Relaxed),
            fallback,
        })
    };
    if skip.is_empty() {
        return whole(None).await;
    }
    let entry = manifest_entry(origin, image).await?;
    let leave_out = LeaveOut::layers(&entry, &skip);
    let sent = Arc::new(AtomicU64::new(0));
    let stream = filtered(open(origin, &image.id), leave_out, sent.clone());
    match load(loader, stream).await {
        Ok(()) => Ok(DeliveryReport {
            layers,
            layers_sent: layers - skip.len(),
            bytes_sent: sent.load(Ordering::Relaxed),
            fallback: None,
        }),
        Err(refused) => whole(Some(refused)).await,
    }
}

/// `POST /images/load` with `archive` as the body; the engine's own error when it fails.
async fn load(host: &Docker, archive: ByteStream) -> Result<(), String> {
    let options = ImportImageOptions {
        quiet: true,
        ..Default::default()
    };
    let mut progress = host.import_image_stream(options, archive, None);
    let mut said = Vec::new();
    while let Some(item) = progress.next().await {
        match item {
            Ok(info) => said.extend(info.stream.map(|s| s.trim().to_string())),
            Err(e) => return Err(format!("the host's engine refused the archive: {e}")),
        }
    }
    if said.iter().any(|line| line.starts_with("Loaded image")) {
        Ok(())
    } else {
        Err(format!(
            "the host's engine loaded no image (it said: {})",
            said.join("; ")
        ))
    }
}

/// Streams an archive file on the controller through `rule`, outside the runtime (the resolver).
fn scan_file<R: EntryRule>(path: &Path, rule: R) -> Result<super::tar_stream::Outcome, String> {
    let at = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let file = std::fs::File::open(path).map_err(|e| at(&e))?;
    let mut reader = std::io::BufReader::new(file);
    let mut filter = TarFilter::new(rule);
    let mut buffer = vec![0u8; READ_CHUNK];
    let mut sink = Vec::new();
    loop {
        let n = std::io::Read::read(&mut reader, &mut buffer).map_err(|e| at(&e))?;
        if n == 0 {
            break;
        }
        filter.push(&buffer[..n], &mut sink).map_err(|e| at(&e))?;
        sink.clear();
    }
    filter.finish().map_err(|e| at(&e))
}

/// The manifest of an archive file on the controller.
pub fn archive_manifest_blocking(path: &Path) -> Result<Vec<ManifestEntry>, String> {
    let outcome = scan_file(path, CaptureManifest)?;
    let manifest = outcome.captured.values().next().ok_or_else(|| {
        format!(
            "{} has no manifest.json: it is not an image archive as `docker save` writes one",
            path.display()
        )
    })?;
    parse_manifest(manifest)
}

/// One file of an archive on the controller (a config its manifest names).
pub fn archive_file_blocking(path: &Path, wanted: &str) -> Result<Vec<u8>, String> {
    struct Capture<'a>(&'a str);
    impl EntryRule for Capture<'_> {
        fn keep(&self, _path: &str) -> bool {
            false
        }
        fn capture(&self, path: &str) -> bool {
            path.strip_prefix("./").unwrap_or(path) == self.0
        }
    }
    let outcome = scan_file(path, Capture(wanted))?;
    outcome
        .captured
        .into_values()
        .next()
        .ok_or_else(|| format!("{} has no {wanted}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(layers: &[&str]) -> ManifestEntry {
        ManifestEntry {
            config: format!("{}.json", "a".repeat(64)),
            repo_tags: None,
            layers: layers.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn config_paths_name_the_image() {
        let hex = "0123456789abcdef".repeat(4);
        assert_eq!(
            config_id(&format!("{hex}.json")),
            Some(format!("sha256:{hex}"))
        );
        assert_eq!(
            config_id(&format!("blobs/sha256/{hex}")),
            Some(format!("sha256:{hex}"))
        );
        assert_eq!(config_id("config.json"), None);
    }

    #[test]
    fn a_classic_layer_leaves_with_its_directory() {
        let manifest = entry(&["aaa/layer.tar", "bbb/layer.tar", "ccc/layer.tar"]);
        let leave_out = LeaveOut::layers(&manifest, &BTreeSet::from([0, 1]));
        for gone in [
            "aaa/",
            "aaa/json",
            "aaa/VERSION",
            "aaa/layer.tar",
            "bbb/layer.tar",
            "bbb",
        ] {
            assert!(!leave_out.keep(gone), "{gone}");
        }
        for kept in [
            "ccc/layer.tar",
            "manifest.json",
            "aaab/layer.tar",
            "repositories",
        ] {
            assert!(leave_out.keep(kept), "{kept}");
        }
    }

    #[test]
    fn a_blob_another_sent_layer_needs_stays() {
        let manifest = entry(&["blobs/sha256/11", "blobs/sha256/22", "blobs/sha256/11"]);
        let leave_out = LeaveOut::layers(&manifest, &BTreeSet::from([0, 1]));
        assert!(leave_out.keep("blobs/sha256/11"));
        assert!(!leave_out.keep("blobs/sha256/22"));
        assert!(LeaveOut::layers(&manifest, &BTreeSet::new()).is_empty());
    }

    /// The rewrite end to end on bytes: an archive as `docker save` lays it out, with two of three
    /// layers left out, still reads as a tar holding the manifest, the config and the third layer.
    #[test]
    fn a_saved_image_rewritten_without_present_layers() {
        let config = "c".repeat(64);
        let dirs = ["1".repeat(64), "2".repeat(64), "3".repeat(64)];
        let manifest = format!(
            r#"[{{"Config":"{config}.json","RepoTags":["app:v2"],"Layers":["{}/layer.tar","{}/layer.tar","{}/layer.tar"]}}]"#,
            dirs[0], dirs[1], dirs[2]
        );
        let mut builder = tar::Builder::new(Vec::new());
        let mut add = |path: String, data: Vec<u8>| {
            let mut header = tar::Header::new_ustar();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            builder
                .append_data(&mut header, path, data.as_slice())
                .unwrap();
        };
        for (i, dir) in dirs.iter().enumerate() {
            add(format!("{dir}/VERSION"), b"1.0".to_vec());
            add(format!("{dir}/json"), b"{}".to_vec());
            add(format!("{dir}/layer.tar"), vec![i as u8; 10_000 * (3 - i)]);
        }
        add(format!("{config}.json"), b"{\"rootfs\":{}}".to_vec());
        add("manifest.json".into(), manifest.clone().into_bytes());
        add("repositories".into(), b"{}".to_vec());
        let archive = builder.into_inner().unwrap();

        let parsed = parse_manifest(manifest.as_bytes()).unwrap();
        let leave_out = LeaveOut::layers(&parsed[0], &BTreeSet::from([0, 1]));
        let mut filter = TarFilter::new(leave_out);
        let mut out = Vec::new();
        for chunk in archive.chunks(4096) {
            filter.push(chunk, &mut out).unwrap();
        }
        filter.finish().unwrap();
        let mut names = Vec::new();
        for e in tar::Archive::new(out.as_slice()).entries().unwrap() {
            names.push(e.unwrap().path().unwrap().display().to_string());
        }
        assert_eq!(
            names,
            [
                format!("{}/VERSION", dirs[2]),
                format!("{}/json", dirs[2]),
                format!("{}/layer.tar", dirs[2]),
                format!("{config}.json"),
                "manifest.json".into(),
                "repositories".into(),
            ]
        );
        assert!(out.len() < 20_000, "{} bytes", out.len());
    }
}
