//! `ansible.builtin.copy`: a file with the given `content`, or the content of `src` (a file on the
//! controller).
//!
//! `parse` is pure, so it cannot read `src`: the loader, which resolves `src` the way Ansible's
//! `_find_needle('files', src)` does (role `files/`, the playbook directory), reads the file, decrypts
//! it if it is vaulted, and passes its bytes base64-encoded in the internal argument
//! `_plimsoll_src_content`. `src` stays in the arguments as written, for display and for the file
//! name when `dest` ends with `/`. For `mode: preserve` the loader also passes the source file's mode
//! as `_plimsoll_src_mode`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::args::Args;
use super::content_file::{self, ContentLive, ContentSpec};
use super::mode::Mode;
use crate::diff::Delta;
use crate::drivers::{ApplyError, BoxFuture, Kind, Provision, Requirement, SpecError};
use crate::facts::{FactRequest, Facts, HostExec};
use crate::value::{Map, Value, pyfloat, pyjson};

/// The bytes of `src`, base64-encoded, supplied by the loader.
pub const SRC_CONTENT_ARG: &str = "_plimsoll_src_content";

pub struct Copy;

/// What Ansible's copy action writes for a `content` value: strings as UTF-8, lists and dicts as
/// `json.dumps`, other scalars as Python's `str()`.
fn content_bytes(value: &Value) -> Result<Vec<u8>, String> {
    Ok(match value {
        Value::Str(s) | Value::Unsafe(s) => s.as_bytes().to_vec(),
        Value::List(_) | Value::Map(_) => pyjson::to_json_dumps(value).into_bytes(),
        Value::Int(i) => i.to_string().into_bytes(),
        Value::Float(f) => pyfloat::repr(*f).into_bytes(),
        Value::Bool(b) => if *b { "True" } else { "False" }.as_bytes().to_vec(),
        Value::Null => Vec::new(),
        Value::Vault(_) => return Err("content is still vault-encrypted".into()),
    })
}

impl Kind for Copy {
    type Spec = ContentSpec;
    type Live = ContentLive;

    const NAME: &'static str = "ansible.builtin.copy";
    const ALIASES: &'static [&'static str] = &["copy", "ansible.legacy.copy"];

    fn parse(map: &Map) -> Result<ContentSpec, Vec<SpecError>> {
        let mut args = Args::new(Self::NAME, map);
        let src = args.str("src", &[]);
        let content = args.value("content", &[]);
        let encoded = args.str(SRC_CONTENT_ARG, &[]);
        let (dest, make_parents) = if content.is_some() {
            content_file::resolve_dest(&mut args, None)
        } else {
            content_file::resolve_dest(&mut args, src.as_deref())
        };
        let bytes = match (&src, content) {
            (None, None) => {
                args.error(None, "src (or content) is required");
                Vec::new()
            }
            (Some(_), Some(_)) => {
                args.error(Some("content"), "src and content are mutually exclusive");
                Vec::new()
            }
            (None, Some(value)) => content_bytes(value).unwrap_or_else(|e| {
                args.error(Some("content"), e);
                Vec::new()
            }),
            (Some(src), None) if src.ends_with('/') => {
                args.error(
                    Some("src"),
                    format!("src {src:?} is a directory: copying directories is not supported yet"),
                );
                Vec::new()
            }
            (Some(src), None) => match encoded.as_deref().map(|e| STANDARD.decode(e)) {
                Some(Ok(bytes)) => bytes,
                Some(Err(e)) => {
                    args.error(Some(SRC_CONTENT_ARG), format!("bad base64: {e}"));
                    Vec::new()
                }
                None => {
                    args.push(
                        SpecError::new(
                            Some("src"),
                            format!("the content of src {src:?} was not read"),
                        )
                        .with_help(format!(
                            "internal: the loader resolves src and passes its bytes in {SRC_CONTENT_ARG}"
                        )),
                    );
                    Vec::new()
                }
            },
        };
        let force = args.bool("force", &[], true);
        let follow = args.bool("follow", &[], false);
        let directory_mode = args
            .value("directory_mode", &[])
            .and_then(|v| match Mode::parse(v) {
                Ok(mode) => Some(mode),
                Err(e) => {
                    args.error(Some("directory_mode"), e);
                    None
                }
            });
        let attrs = content_file::read_attrs(&mut args);
        args.unsupported(
            "backup",
            &[],
            "a backup file is a new file on every change, outside any desired state",
        );
        args.unsupported(
            "validate",
            &[],
            "validating needs a command run on the host before the file moves into place",
        );
        args.unsupported(
            "remote_src",
            &[],
            "copying a file already on the host is not supported yet",
        );
        args.unsupported("checksum", &[], "the content is compared by sha256 anyway");
        // How the loader reads src on the controller; nothing to do on the host.
        args.ignored("local_follow");
        args.ignored("decrypt");
        args.finish()?;
        let origin = src.unwrap_or_else(|| "content".into());
        Ok(ContentSpec {
            dest,
            sha256: content_file::sha256_hex(&bytes),
            content: bytes,
            origin,
            force,
            follow,
            attrs,
            make_parents,
            directory_mode,
        })
    }

    fn key(spec: &ContentSpec) -> String {
        spec.dest.clone()
    }

    fn provides(spec: &ContentSpec) -> Vec<Provision> {
        content_file::provides(spec)
    }

    fn requires(spec: &ContentSpec) -> Vec<Requirement> {
        content_file::requires(spec)
    }

    fn facts(spec: &ContentSpec) -> Vec<FactRequest> {
        content_file::facts(spec)
    }

    fn live(spec: &ContentSpec, facts: &Facts) -> Result<ContentLive, String> {
        content_file::live(spec, facts)
    }

    fn diff(spec: &ContentSpec, live: &ContentLive) -> Delta {
        content_file::diff(spec, live)
    }

    fn apply<'a>(
        host: &'a dyn HostExec,
        spec: &'a ContentSpec,
        delta: &'a Delta,
    ) -> BoxFuture<'a, Result<(), ApplyError>> {
        Box::pin(content_file::apply(host, spec, delta))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(yaml_pairs: &[(&str, Value)]) -> Result<ContentSpec, Vec<SpecError>> {
        let map: Map = yaml_pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        Copy::parse(&map)
    }

    #[test]
    fn content_values_are_written_as_ansible_writes_them() {
        let mut data = Map::new();
        data.insert("a".into(), Value::Int(1));
        let spec = parse(&[
            ("dest", "/etc/x.json".into()),
            ("content", Value::Map(data)),
        ])
        .unwrap();
        assert_eq!(spec.content, br#"{"a": 1}"#);
        let spec = parse(&[("dest", "/etc/x".into()), ("content", Value::Bool(true))]).unwrap();
        assert_eq!(spec.content, b"True");
    }

    #[test]
    fn src_content_comes_from_the_loader() {
        let spec = parse(&[
            ("dest", "/etc/app/".into()),
            ("src", "files/app.conf".into()),
            (SRC_CONTENT_ARG, "aGVsbG8K".into()),
        ])
        .unwrap();
        assert_eq!(spec.dest, "/etc/app/app.conf");
        assert!(spec.make_parents);
        assert_eq!(spec.content, b"hello\n");
        let errors = parse(&[("dest", "/etc/x".into()), ("src", "x".into())]).unwrap_err();
        assert!(errors[0].message.contains("was not read"));
    }

    #[test]
    fn refusals_name_the_argument() {
        let errors = parse(&[
            ("dest", "/etc/x".into()),
            ("content", "x".into()),
            ("backup", "yes".into()),
            ("validate", "visudo -cf %s".into()),
        ])
        .unwrap_err();
        let args: Vec<_> = errors
            .iter()
            .filter_map(|e| e.argument.as_deref())
            .collect();
        assert_eq!(args, ["backup", "validate"]);
        let errors = parse(&[("dest", "/etc/".into()), ("content", "x".into())]).unwrap_err();
        assert!(
            errors[0]
                .message
                .contains("can not use content with a dir as dest")
        );
        let errors = parse(&[("dest", "/etc/x".into())]).unwrap_err();
        assert!(errors[0].message.contains("src (or content) is required"));
    }

    #[test]
    fn mode_preserve_needs_the_source_mode() {
        let spec = parse(&[
            ("dest", "/etc/x".into()),
            ("src", "x".into()),
            (SRC_CONTENT_ARG, "".into()),
            ("mode", "preserve".into()),
            ("_plimsoll_src_mode", Value::Int(0o750)),
        ])
        .unwrap();
        assert_eq!(spec.attrs.mode, Some(Mode::Octal(0o750)));
    }
}
