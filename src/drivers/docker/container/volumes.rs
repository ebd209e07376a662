//! `volumes` (CLI syntax `/host:/container[:mode]`) and `mounts` (the engine's mount objects).

use std::collections::BTreeSet;

use serde_json::{Map as JsonMap, Value as Json};

use super::units::human_to_bytes;
use crate::value::{Map, Value};

/// What `volumes` asks for: bind mounts (`HostConfig.Binds`) and anonymous volumes (`Config.Volumes`).
#[derive(Debug, Default, PartialEq)]
pub struct Volumes {
    pub binds: Vec<String>,
    pub anonymous: Vec<String>,
}

const MODES: [&str; 14] = [
    "rw",
    "ro",
    "z",
    "Z",
    "consistent",
    "delegated",
    "cached",
    "rprivate",
    "private",
    "rshared",
    "shared",
    "rslave",
    "slave",
    "nocopy",
];

fn is_mode(text: &str) -> bool {
    text.split(',').all(|part| MODES.contains(&part))
}

/// Reads `volumes`. `targets` collects mount points, which may appear only once across `volumes`
/// and `mounts`.
pub fn volumes(specs: &[String], targets: &mut BTreeSet<String>) -> Result<Volumes, String> {
    let mut out = Volumes::default();
    for spec in specs {
        let parts: Vec<&str> = spec.split(':').collect();
        let (bind, target) = match parts.as_slice() {
            [host, container, mode] => {
                if !is_mode(mode) {
                    return Err(format!("Found invalid volumes mode: {mode}"));
                }
                (Some((*host, *container, *mode)), *container)
            }
            [host, container] if !is_mode(container) => {
                (Some((*host, *container, "rw")), *container)
            }
            [container, _mode] => (None, *container),
            [container] => (None, *container),
            _ => return Err(format!("Invalid volume specification {spec:?}")),
        };
        if !targets.insert(target.to_string()) {
            return Err(format!(
                "The mount point {target:?} appears twice in the volumes option"
            ));
        }
        match bind {
            Some((host, container, mode)) => {
                if host.starts_with('.') || host.starts_with('~') {
                    return Err(format!(
                        "{host:?}: community.docker would make this path absolute on the host; \
                         plimsoll plans with literal paths (write the absolute path)"
                    ));
                }
                out.binds.push(format!("{host}:{container}:{mode}"));
            }
            None => out.anonymous.push(spec.clone()),
        }
    }
    Ok(out)
}

/// The host paths `volumes` and `mounts` bind (absolute ones only: others name volumes).
pub fn bound_host_paths(binds: &[String], mounts: &[Json]) -> Vec<String> {
    let from_binds = binds
        .iter()
        .filter_map(|b| b.split(':').next())
        .filter(|h| h.starts_with('/'));
    let from_mounts = mounts
        .iter()
        .filter(|m| m.get("Type").and_then(Json::as_str) == Some("bind"))
        .filter_map(|m| m.get("Source").and_then(Json::as_str));
    from_binds.chain(from_mounts).map(str::to_string).collect()
}

/// Named volumes the container mounts: `volumes` entries whose source is a name, not a path, and
/// `mounts` of type `volume` with a source.
pub fn named_volumes(binds: &[String], mounts: &[Json]) -> Vec<String> {
    let from_binds = binds
        .iter()
        .filter(|b| b.contains(':'))
        .filter_map(|b| b.split(':').next())
        .filter(|source| !source.is_empty() && !source.starts_with('/'));
    let from_mounts = mounts
        .iter()
        .filter(|m| m.get("Type").and_then(Json::as_str) == Some("volume"))
        .filter_map(|m| m.get("Source").and_then(Json::as_str));
    from_binds.chain(from_mounts).map(str::to_string).collect()
}

const MOUNT_TYPES: [&str; 4] = ["bind", "volume", "tmpfs", "npipe"];

/// Sub-options valid only for some mount types.
const TYPE_ONLY: [(&str, &[&str]); 7] = [
    ("propagation", &["bind"]),
    ("no_copy", &["volume"]),
    ("labels", &["volume"]),
    ("volume_driver", &["volume"]),
    ("volume_options", &["volume"]),
    ("tmpfs_size", &["tmpfs"]),
    ("tmpfs_mode", &["tmpfs"]),
];

/// Sub-options community.docker has that plimsoll does not send (they need newer engines).
const NOT_SUPPORTED: [&str; 6] = [
    "create_mountpoint",
    "non_recursive",
    "read_only_non_recursive",
    "read_only_force_recursive",
    "subpath",
    "tmpfs_options",
];

/// One `mounts` entry as the engine stores it in `HostConfig.Mounts`.
pub fn mount(entry: &Map, targets: &mut BTreeSet<String>) -> Result<Json, String> {
    let text = |key: &str| -> Result<Option<String>, String> {
        match entry.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => crate::drivers::host::args::as_text(value)
                .map(Some)
                .map_err(|e| format!("mounts.{key}: {e}")),
        }
    };
    for key in entry.keys() {
        if NOT_SUPPORTED.contains(&key.as_str()) {
            return Err(format!(
                "mounts.{key} is not supported by plimsoll (it needs a newer Docker API than \
                 plimsoll speaks)"
            ));
        }
        let known = ["target", "source", "type", "read_only", "consistency"]
            .contains(&key.as_str())
            || TYPE_ONLY.iter().any(|(k, _)| k == key);
        if !known {
            return Err(format!("mounts: unsupported parameter {key}"));
        }
    }
    let target = text("target")?.ok_or("mounts: missing required arguments: target")?;
    let kind = text("type")?.unwrap_or_else(|| "volume".into());
    if !MOUNT_TYPES.contains(&kind.as_str()) {
        return Err(format!(
            "mounts.type must be one of: {}, got: {kind}",
            MOUNT_TYPES.join(", ")
        ));
    }
    if !targets.insert(target.clone()) {
        return Err(format!(
            "The mount point {target:?} appears twice in the mounts and volumes options"
        ));
    }
    let source = text("source")?;
    if source.is_none() && !["tmpfs", "volume"].contains(&kind.as_str()) {
        return Err(format!(
            "source must be specified for mount {target:?} of type {kind:?}"
        ));
    }
    for (key, types) in TYPE_ONLY {
        if entry.get(key).is_some_and(|v| *v != Value::Null) && !types.contains(&kind.as_str()) {
            return Err(format!(
                "{key} cannot be specified for mount {target:?} of type {kind:?} (needs type {:?})",
                types[0]
            ));
        }
    }
    let mut out = JsonMap::new();
    out.insert("Target".into(), Json::from(target.clone()));
    if let Some(source) = source {
        out.insert("Source".into(), Json::from(source));
    }
    out.insert("Type".into(), Json::from(kind));
    if flag(entry, "read_only")? == Some(true) {
        out.insert("ReadOnly".into(), Json::Bool(true));
    }
    if let Some(consistency) = text("consistency")? {
        out.insert("Consistency".into(), Json::from(consistency));
    }
    if let Some(propagation) = text("propagation")? {
        let mut bind = JsonMap::new();
        bind.insert("Propagation".into(), Json::from(propagation));
        out.insert("BindOptions".into(), Json::Object(bind));
    }
    let mut volume = JsonMap::new();
    if flag(entry, "no_copy")? == Some(true) {
        volume.insert("NoCopy".into(), Json::Bool(true));
    }
    if let Some(labels) = string_map(entry, "labels")? {
        volume.insert("Labels".into(), Json::Object(labels));
    }
    if let Some(driver) = text("volume_driver")? {
        let mut config = JsonMap::new();
        config.insert("Name".into(), Json::from(driver));
        if let Some(options) = string_map(entry, "volume_options")? {
            config.insert("Options".into(), Json::Object(options));
        }
        volume.insert("DriverConfig".into(), Json::Object(config));
    }
    if !volume.is_empty() {
        out.insert("VolumeOptions".into(), Json::Object(volume));
    }
    let mut tmpfs = JsonMap::new();
    if let Some(size) = text("tmpfs_size")? {
        let bytes = human_to_bytes(&size).map_err(|e| {
            format!("Failed to convert tmpfs_size of mount {target:?} to bytes: {e}")
        })?;
        tmpfs.insert("SizeBytes".into(), Json::from(bytes));
    }
    if let Some(mode) = text("tmpfs_mode")? {
        let mode = u32::from_str_radix(&mode, 8)
            .map_err(|_| format!("tmpfs_mode of mount {target:?} is not an octal string"))?;
        tmpfs.insert("Mode".into(), Json::from(mode));
    }
    if !tmpfs.is_empty() {
        out.insert("TmpfsOptions".into(), Json::Object(tmpfs));
    }
    Ok(Json::Object(out))
}

fn flag(entry: &Map, key: &str) -> Result<Option<bool>, String> {
    match entry.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => crate::drivers::host::args::as_bool(value)
            .map(Some)
            .ok_or_else(|| format!("mounts.{key}: not a valid boolean")),
    }
}

/// A dict option of strings; booleans become `true`/`false` as the Docker API wants them.
fn string_map(entry: &Map, key: &str) -> Result<Option<JsonMap<String, Json>>, String> {
    match entry.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Map(map)) => map
            .iter()
            .map(|(k, v)| {
                let text = match v {
                    Value::Bool(true) => Ok("true".to_string()),
                    Value::Bool(false) => Ok("false".to_string()),
                    other => crate::drivers::host::args::as_text(other),
                };
                text.map(|t| (k.clone(), Json::from(t)))
                    .map_err(|e| format!("mounts.{key}.{k}: {e}"))
            })
            .collect::<Result<_, _>>()
            .map(Some),
        Some(other) => Err(format!(
            "mounts.{key}: expected a dict, got a {}",
            other.type_name()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn binds_and_anonymous_volumes() {
        let mut targets = BTreeSet::new();
        let got = volumes(
            &strings(&[
                "/srv/data:/data",
                "/etc/app:/etc/app:ro",
                "cache:/cache",
                "/scratch",
            ]),
            &mut targets,
        )
        .unwrap();
        assert_eq!(
            got.binds,
            [
                "/srv/data:/data:rw",
                "/etc/app:/etc/app:ro",
                "cache:/cache:rw"
            ]
        );
        assert_eq!(got.anonymous, ["/scratch"]);
        assert_eq!(bound_host_paths(&got.binds, &[]), ["/srv/data", "/etc/app"]);
    }

    #[test]
    fn refused_volumes() {
        let mut targets = BTreeSet::new();
        assert!(volumes(&strings(&["/a:/x", "/b:/x"]), &mut targets).is_err());
        assert!(volumes(&strings(&["/a:/y:bogus"]), &mut BTreeSet::new()).is_err());
        assert!(volumes(&strings(&["./rel:/z"]), &mut BTreeSet::new()).is_err());
    }

    #[test]
    fn mounts_in_engine_form() {
        let mut entry = Map::new();
        entry.insert("target".into(), Value::from("/cache"));
        entry.insert("type".into(), Value::from("tmpfs"));
        entry.insert("tmpfs_size".into(), Value::from("16m"));
        entry.insert("tmpfs_mode".into(), Value::from("1700"));
        let got = mount(&entry, &mut BTreeSet::new()).unwrap();
        assert_eq!(
            got,
            serde_json::json!({"Target": "/cache", "Type": "tmpfs",
                "TmpfsOptions": {"SizeBytes": 16 << 20, "Mode": 0o1700}})
        );
        entry.insert("propagation".into(), Value::from("shared"));
        assert!(
            mount(&entry, &mut BTreeSet::new()).is_err(),
            "propagation is for binds"
        );
    }
}
