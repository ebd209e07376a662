//! What `docker_image` reads on the controller before anything connects, so that `parse` stays pure:
//! the resolver calls [`prepare`], which reads the build context, the archive, or the image in the
//! controller's engine, and passes what it learnt in internal arguments. By then the loader has made
//! `build.path` and `load_path` absolute, finding them as `copy` finds `src` (the role's `files/`,
//! then the playbook's directory): they are the kind's `CONTROLLER_PATHS`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use super::context::{ContextListing, read_context};
use crate::drivers::SpecError;
use crate::endpoints::docker::controller::{self, ImageLayers};
use crate::endpoints::docker::delivery::{
    ManifestEntry, archive_file_blocking, archive_manifest_blocking, config_id,
};
use crate::value::{Map, Value};

/// The build context: `{path, digest, files: {path: short hash}}`.
pub const BUILD_CONTEXT_ARG: &str = "_plimsoll_build_context";
/// The archive of `source: load`: `{path, image_id, diff_ids}`.
pub const LOAD_ARCHIVE_ARG: &str = "_plimsoll_load_archive";
/// The image of `source: controller` in the controller's engine: `{image_id, diff_ids}`.
pub const CONTROLLER_IMAGE_ARG: &str = "_plimsoll_controller_image";

/// Where a build context lives and what it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextInput {
    pub path: PathBuf,
    pub digest: String,
    /// Path → short hash of every file and link.
    pub files: BTreeMap<String, String>,
}

/// An archive on the controller and the image in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchiveInput {
    pub path: PathBuf,
    pub image: ImageLayers,
}

fn text<'a>(map: &'a Map, key: &str) -> Option<&'a str> {
    map.get(key).and_then(Value::as_str)
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::List(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn image_value(image: &ImageLayers) -> Map {
    let mut map = Map::new();
    map.insert("image_id".into(), Value::Str(image.id.clone()));
    map.insert(
        "diff_ids".into(),
        Value::List(image.diff_ids.iter().cloned().map(Value::Str).collect()),
    );
    map
}

fn image_from(map: &Map) -> Option<ImageLayers> {
    Some(ImageLayers {
        id: text(map, "image_id")?.to_string(),
        diff_ids: strings(map.get("diff_ids")),
    })
}

pub fn context_from(value: &Value) -> Option<ContextInput> {
    let map = value.as_map()?;
    let files = map
        .get("files")
        .and_then(Value::as_map)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    Some(ContextInput {
        path: PathBuf::from(text(map, "path")?),
        digest: text(map, "digest")?.to_string(),
        files,
    })
}

pub fn archive_from(value: &Value) -> Option<ArchiveInput> {
    let map = value.as_map()?;
    Some(ArchiveInput {
        path: PathBuf::from(text(map, "path")?),
        image: image_from(map)?,
    })
}

pub fn controller_image_from(value: &Value) -> Option<ImageLayers> {
    image_from(value.as_map()?)
}

fn context_value(listing: &ContextListing) -> Value {
    let mut map = Map::new();
    map.insert(
        "path".into(),
        Value::Str(listing.root.to_string_lossy().into_owned()),
    );
    map.insert("digest".into(), Value::Str(listing.digest.clone()));
    map.insert(
        "files".into(),
        Value::Map(
            listing
                .summaries()
                .into_iter()
                .map(|(k, v)| (k, Value::Str(v)))
                .collect(),
        ),
    );
    Value::Map(map)
}

type Answers<T> = OnceLock<Mutex<BTreeMap<String, Result<T, String>>>>;

/// Reads each controller input once per run, however many hosts the task applies to (a context
/// is hashed once, an archive scanned once), and every host is planned against the same answer.
fn once<T: Clone>(
    cache: &'static Answers<T>,
    key: String,
    read: impl FnOnce() -> Result<T, String>,
) -> Result<T, String> {
    let cache = cache.get_or_init(Default::default);
    if let Some(answer) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return answer;
    }
    let answer = read();
    if let Ok(mut cache) = cache.lock() {
        cache.insert(key, answer.clone());
    }
    answer
}

/// Adds the controller-side inputs the task's source needs. Arguments the kind will refuse anyway
/// (a wrong type, a missing path) are left for `parse` to report.
pub fn prepare(args: &mut Map) -> Result<(), SpecError> {
    let state = text(args, "state").unwrap_or("present");
    if state != "present" {
        return Ok(());
    }
    match text(args, "source") {
        Some("build") => prepare_build(args),
        Some("load") => prepare_load(args),
        Some("controller") => prepare_controller(args),
        _ => Ok(()),
    }
}

fn prepare_build(args: &mut Map) -> Result<(), SpecError> {
    let Some(build) = args.get("build").and_then(Value::as_map) else {
        return Ok(());
    };
    let Some(path) = text(build, "path").map(str::to_string) else {
        return Ok(());
    };
    let dockerfile = text(build, "dockerfile")
        .unwrap_or("Dockerfile")
        .to_string();
    // Apply reads it again, maybe from another directory: keep it absolute.
    let root = PathBuf::from(&path);
    let root = std::path::absolute(&root).unwrap_or(root);
    static CONTEXTS: Answers<ContextListing> = OnceLock::new();
    let key = format!("{}\0{dockerfile}", root.display());
    let listing = once(&CONTEXTS, key, || read_context(&root, &dockerfile))
        .map_err(|e| SpecError::new(Some("build"), format!("build.path {path:?}: {e}")))?;
    args.insert(BUILD_CONTEXT_ARG.into(), context_value(&listing));
    Ok(())
}

fn prepare_load(args: &mut Map) -> Result<(), SpecError> {
    let Some(load_path) = text(args, "load_path").map(str::to_string) else {
        return Ok(());
    };
    let path = PathBuf::from(&load_path);
    let path = std::path::absolute(&path).unwrap_or(path);
    let fail = |message: String| SpecError::new(Some("load_path"), message);
    static MANIFESTS: Answers<Vec<ManifestEntry>> = OnceLock::new();
    static CONFIGS: Answers<Vec<u8>> = OnceLock::new();
    let key = path.display().to_string();
    let manifest = once(&MANIFESTS, key, || archive_manifest_blocking(&path)).map_err(fail)?;
    let name = text(args, "name").unwrap_or_default();
    let tag = text(args, "tag").unwrap_or("latest");
    let wanted = super::reference::Reference::parse(name, tag)
        .map(|r| r.to_string())
        .unwrap_or_default();
    let entry = match manifest.as_slice() {
        [only] => only,
        several => several
            .iter()
            .find(|e| {
                config_id(&e.config).as_deref() == Some(wanted.as_str())
                    || e.repo_tags.iter().flatten().any(|t| *t == wanted)
            })
            .ok_or_else(|| {
                fail(format!(
                    "{} holds {} images and none is {wanted}",
                    path.display(),
                    several.len()
                ))
            })?,
    };
    let id = config_id(&entry.config).ok_or_else(|| {
        fail(format!(
            "{}: the manifest names the config {:?}, which is not named by its digest",
            path.display(),
            entry.config
        ))
    })?;
    let key = format!("{}\0{}", path.display(), entry.config);
    let config = once(&CONFIGS, key, || {
        archive_file_blocking(&path, &entry.config)
    })
    .map_err(fail)?;
    let parsed: serde_json::Value = serde_json::from_slice(&config)
        .map_err(|e| fail(format!("{}: the image config: {e}", path.display())))?;
    let diff_ids: Vec<String> = parsed
        .pointer("/rootfs/diff_ids")
        .and_then(|v| v.as_array())
        .map(|ids| {
            ids.iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut map = image_value(&ImageLayers { id, diff_ids });
    map.insert(
        "path".into(),
        Value::Str(path.to_string_lossy().into_owned()),
    );
    args.insert(LOAD_ARCHIVE_ARG.into(), Value::Map(map));
    Ok(())
}

fn prepare_controller(args: &mut Map) -> Result<(), SpecError> {
    let name = text(args, "name").unwrap_or_default();
    let tag = text(args, "tag").unwrap_or("latest");
    let Ok(reference) = super::reference::Reference::parse(name, tag) else {
        return Ok(());
    };
    let reference = reference.to_string();
    match controller::inspect_blocking(&reference) {
        Ok(Some(image)) => {
            args.insert(
                CONTROLLER_IMAGE_ARG.into(),
                Value::Map(image_value(&image)),
            );
            Ok(())
        }
        Ok(None) => Err(SpecError::new(
            Some("name"),
            format!(
                "source: controller, but the controller's Docker engine ({}) has no image {reference}",
                controller::address()
            ),
        )
        .with_help(format!(
            "build or load {reference} on this machine first (`docker image ls` lists what it has)"
        ))),
        Err(e) => Err(SpecError::new(Some("source"), e).with_help(
            "source: controller reads the image from this machine's Docker engine; start it, or \
             point DOCKER_HOST at the engine that holds the image",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drivers::Kind;
    use crate::drivers::docker::image::DockerImage;
    use crate::drivers::docker::image::spec::Desired;

    fn args(pairs: &[(&str, Value)]) -> Map {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn a_build_context_is_listed_and_hashed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("files/web")).unwrap();
        std::fs::write(dir.path().join("files/web/Dockerfile"), "FROM scratch\n").unwrap();
        let mut build = Map::new();
        let context = dir.path().join("files/web");
        build.insert("path".into(), context.display().to_string().into());
        let mut map = args(&[
            ("name", "web".into()),
            ("source", "build".into()),
            ("build", Value::Map(build)),
        ]);
        prepare(&mut map).unwrap();
        let spec = DockerImage::parse(&map).unwrap();
        let Desired::Build(build) = spec.desired else {
            panic!("{:?}", spec.desired)
        };
        assert_eq!(build.context.path, dir.path().join("files/web"));
        assert_eq!(
            build.context.files.keys().collect::<Vec<_>>(),
            ["Dockerfile"]
        );

        let mut missing = args(&[
            ("name", "web".into()),
            ("source", "build".into()),
            (
                "build",
                Value::Map(Map::from_iter([(
                    "path".into(),
                    dir.path().join("nope").display().to_string().into(),
                )])),
            ),
        ]);
        let err = prepare(&mut missing).unwrap_err();
        assert_eq!(err.argument.as_deref(), Some("build"));
        assert!(err.message.contains("nope"), "{err:?}");
    }

    #[test]
    fn an_archive_names_its_image_by_the_config_digest() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("files")).unwrap();
        let config = br#"{"rootfs":{"type":"layers","diff_ids":["sha256:01","sha256:02"]}}"#;
        let hex = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(config));
        let manifest = format!(
            r#"[{{"Config":"{hex}.json","RepoTags":["app:v2"],"Layers":["a/layer.tar","b/layer.tar"]}}]"#
        );
        let mut builder = tar::Builder::new(Vec::new());
        for (path, data) in [
            (format!("{hex}.json"), config.to_vec()),
            ("manifest.json".to_string(), manifest.into_bytes()),
        ] {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            builder
                .append_data(&mut header, path, data.as_slice())
                .unwrap();
        }
        std::fs::write(
            dir.path().join("files/app.tar"),
            builder.into_inner().unwrap(),
        )
        .unwrap();
        let mut map = args(&[
            ("name", "app:v2".into()),
            ("source", "load".into()),
            (
                "load_path",
                dir.path()
                    .join("files/app.tar")
                    .display()
                    .to_string()
                    .into(),
            ),
        ]);
        prepare(&mut map).unwrap();
        let spec = DockerImage::parse(&map).unwrap();
        let Desired::Load(archive) = spec.desired else {
            panic!("{:?}", spec.desired)
        };
        assert_eq!(archive.image.id, format!("sha256:{hex}"));
        assert_eq!(archive.image.diff_ids, ["sha256:01", "sha256:02"]);

        std::fs::write(dir.path().join("files/not.tar"), b"hello").unwrap();
        let mut map = args(&[
            ("name", "app:v2".into()),
            ("source", "load".into()),
            (
                "load_path",
                dir.path()
                    .join("files/not.tar")
                    .display()
                    .to_string()
                    .into(),
            ),
        ]);
        let err = prepare(&mut map).unwrap_err();
        assert_eq!(err.argument.as_deref(), Some("load_path"));
    }
}
