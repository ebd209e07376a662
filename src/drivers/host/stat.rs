//! `ansible.builtin.stat`: a read-only data source. It never changes anything (its diff is always a
//! no-op); it exists so that roles doing `register: x` then `when: x.stat.exists` can be planned.
//! [`stat_result`] builds the `stat` dictionary Ansible returns, from the same facts.
//!
//! From the one batched observation: `exists`, `path`, `mode`, the `is*` types, the permission
//! bits (`rusr` ... `isgid`), `uid`, `gid`, `size`, `pw_name`, `gr_name`, `lnk_source`,
//! `lnk_target`, and `checksum`. The batch hashes files with sha256 and sends back files up to
//! [`CONTENT_LIMIT`] bytes; Ansible's default checksum is sha1: sha1 (and sha224/384/512) are computed
//! from that content, sha256 is the batch's own; for a larger file, or md5, `checksum` is left out
//! (so a template reading it fails loudly instead of comparing a wrong value). Not observed, so
//! left out: `inode`, `dev`, `nlink`, the times, `readable`/`writeable`/`executable`, `mimetype`,
//! `charset`, `attributes`.

use sha2::{Digest, Sha224, Sha384, Sha512};

use super::args::Args;
use super::sha1::sha1_hex;
use crate::diff::{Delta, Reason};
use crate::drivers::{ApplyError, BoxFuture, Kind, Requirement, SpecError};
use crate::facts::{CONTENT_LIMIT, FactRequest, Facts, FileType, HostExec, PathFact};
use crate::value::{Map, Value};

pub struct Stat;

#[derive(Clone, Debug, PartialEq)]
pub struct StatSpec {
    pub path: String,
    pub follow: bool,
    pub get_checksum: bool,
    pub checksum_algorithm: String,
}

const ALGORITHMS: [&str; 6] = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"];

impl Kind for Stat {
    type Spec = StatSpec;
    type Live = ();

    const NAME: &'static str = "ansible.builtin.stat";
    const ALIASES: &'static [&'static str] = &["stat", "ansible.legacy.stat"];

    fn parse(map: &Map) -> Result<StatSpec, Vec<SpecError>> {
        let mut args = Args::new(Self::NAME, map);
        let path = args.required_path("path", &["dest", "name"]);
        let follow = args.bool("follow", &[], false);
        let get_checksum = args.bool("get_checksum", &[], true);
        let checksum_algorithm = args
            .choice(
                "checksum_algorithm",
                &["checksum", "checksum_algo"],
                &ALGORITHMS,
            )
            .unwrap_or_else(|| "sha1".into());
        // Not observed: the result leaves these keys out (see the module documentation).
        args.opt_bool("get_mime", &["mime", "mime_type", "mime-type"]);
        args.opt_bool("get_attributes", &["attr", "attributes"]);
        args.finish()?;
        Ok(StatSpec {
            path,
            follow,
            get_checksum,
            checksum_algorithm,
        })
    }

    fn key(spec: &StatSpec) -> String {
        spec.path.clone()
    }

    /// Read after whatever makes the path, so an apply sees what earlier tasks did.
    fn requires(spec: &StatSpec) -> Vec<Requirement> {
        vec![Requirement::Path(spec.path.clone())]
    }

    fn facts(spec: &StatSpec) -> Vec<FactRequest> {
        vec![FactRequest::Path(spec.path.clone())]
    }

    /// Checks that the facts can be read, so an unreadable path is an error in the plan.
    fn live(spec: &StatSpec, facts: &Facts) -> Result<(), String> {
        facts.path(&spec.path).map(|_| ())
    }

    fn diff(_spec: &StatSpec, _live: &()) -> Delta {
        Delta {
            reason: Reason::Other("stat only reads".into()),
            ..Delta::no_op()
        }
    }

    fn apply<'a>(
        _host: &'a dyn HostExec,
        _spec: &'a StatSpec,
        _delta: &'a Delta,
    ) -> BoxFuture<'a, Result<(), ApplyError>> {
        Box::pin(async { Ok(()) })
    }
}

/// Ansible's `stat` dictionary for `spec`'s path (what `register: x` exposes as `x.stat`).
pub fn stat_result(facts: &Facts, spec: &StatSpec) -> Result<Value, String> {
    let fact = facts.path(&spec.path)?;
    let observed = match fact {
        Some(f) if spec.follow && f.file_type == FileType::Link => {
            f.resolved.as_ref().and_then(|r| r.fact.as_deref())
        }
        other => other,
    };
    let mut out = Map::new();
    let Some(st) = observed else {
        out.insert("exists".into(), Value::Bool(false));
        return Ok(Value::Map(out));
    };
    let kind = |word: &str| match &st.file_type {
        FileType::Other(name) => name == word,
        _ => false,
    };
    let bit = |mask: u32| Value::Bool(st.mode & mask != 0);
    let entries: Vec<(&str, Value)> = vec![
        ("exists", Value::Bool(true)),
        ("path", Value::from(spec.path.as_str())),
        ("mode", Value::from(format!("{:04o}", st.mode & 0o7777))),
        ("isdir", Value::Bool(st.file_type == FileType::Directory)),
        ("ischr", Value::Bool(kind("character special file"))),
        ("isblk", Value::Bool(kind("block special file"))),
        ("isreg", Value::Bool(st.file_type == FileType::File)),
        ("isfifo", Value::Bool(kind("fifo"))),
        ("islnk", Value::Bool(st.file_type == FileType::Link)),
        ("issock", Value::Bool(kind("socket"))),
        ("uid", Value::Int(st.uid.into())),
        ("gid", Value::Int(st.gid.into())),
        ("size", Value::Int(st.size.into())),
        ("wusr", bit(0o200)),
        ("rusr", bit(0o400)),
        ("xusr", bit(0o100)),
        ("wgrp", bit(0o020)),
        ("rgrp", bit(0o040)),
        ("xgrp", bit(0o010)),
        ("woth", bit(0o002)),
        ("roth", bit(0o004)),
        ("xoth", bit(0o001)),
        ("isuid", bit(0o4000)),
        ("isgid", bit(0o2000)),
    ];
    for (name, value) in entries {
        out.insert(name.into(), value);
    }
    if st.file_type == FileType::Link {
        if let Some(resolved) = &st.resolved {
            out.insert("lnk_source".into(), Value::from(resolved.path.as_str()));
        }
        if let Some(target) = &st.link_target {
            out.insert("lnk_target".into(), Value::from(target.as_str()));
        }
    }
    // The batch shows an id without a name as the number; Ansible then leaves the name out.
    if st.owner != st.uid.to_string() {
        out.insert("pw_name".into(), Value::from(st.owner.as_str()));
    }
    if st.group != st.gid.to_string() {
        out.insert("gr_name".into(), Value::from(st.group.as_str()));
    }
    if st.file_type == FileType::File
        && spec.get_checksum
        && let Some(sum) = checksum(st, &spec.checksum_algorithm)
    {
        out.insert("checksum".into(), Value::from(sum));
    }
    Ok(Value::Map(out))
}

/// The file's digest with `algorithm`, when the observed facts allow it.
fn checksum(st: &PathFact, algorithm: &str) -> Option<String> {
    if algorithm == "sha256" {
        return st.sha256.clone();
    }
    let content = st
        .content
        .as_deref()
        .filter(|c| c.len() as u64 <= CONTENT_LIMIT)?;
    match algorithm {
        "sha1" => Some(sha1_hex(content)),
        "sha224" => Some(hex::encode(Sha224::digest(content))),
        "sha384" => Some(hex::encode(Sha384::digest(content))),
        "sha512" => Some(hex::encode(Sha512::digest(content))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drivers::host::local_exec::{LocalExec, gather};

    fn spec(path: &str, follow: bool) -> StatSpec {
        StatSpec {
            path: path.into(),
            follow,
            get_checksum: true,
            checksum_algorithm: "sha1".into(),
        }
    }

    fn get<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
        value.as_map().and_then(|m| m.get(key))
    }

    #[tokio::test]
    async fn the_stat_dict_from_a_real_observation() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "abc").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o4750)).unwrap();
        let link = dir.path().join("l");
        std::os::unix::fs::symlink("f", &link).unwrap();
        let missing = dir.path().join("missing");
        let paths: Vec<String> = [&file, &link, &missing]
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        let requests: Vec<FactRequest> = paths.iter().cloned().map(FactRequest::Path).collect();
        let facts = gather(&LocalExec::default(), &requests).await;

        let st = stat_result(&facts, &spec(&paths[0], false)).unwrap();
        assert_eq!(get(&st, "exists"), Some(&Value::Bool(true)));
        assert_eq!(get(&st, "isreg"), Some(&Value::Bool(true)));
        assert_eq!(get(&st, "mode"), Some(&Value::from("4750")));
        assert_eq!(get(&st, "isuid"), Some(&Value::Bool(true)));
        assert_eq!(get(&st, "xoth"), Some(&Value::Bool(false)));
        assert_eq!(get(&st, "size"), Some(&Value::Int(3)));
        assert_eq!(
            get(&st, "checksum"),
            Some(&Value::from("a9993e364706816aba3e25717850c26c9cd0d89d"))
        );

        let st = stat_result(&facts, &spec(&paths[1], false)).unwrap();
        assert_eq!(get(&st, "islnk"), Some(&Value::Bool(true)));
        assert_eq!(get(&st, "lnk_target"), Some(&Value::from("f")));
        assert_eq!(
            get(&st, "lnk_source"),
            Some(&Value::from(paths[0].as_str()))
        );
        assert_eq!(get(&st, "checksum"), None);
        let followed = stat_result(&facts, &spec(&paths[1], true)).unwrap();
        assert_eq!(get(&followed, "isreg"), Some(&Value::Bool(true)));
        assert_eq!(
            get(&followed, "path"),
            Some(&Value::from(paths[1].as_str()))
        );

        let st = stat_result(&facts, &spec(&paths[2], false)).unwrap();
        assert_eq!(
            st,
            Value::Map(
                [("exists".to_string(), Value::Bool(false))]
                    .into_iter()
                    .collect()
            )
        );
    }

    #[test]
    fn checksums_other_than_the_batch_come_from_the_content() {
        let fact = PathFact {
            file_type: FileType::File,
            mode: 0o644,
            owner: "root".into(),
            group: "root".into(),
            uid: 0,
            gid: 0,
            size: 3,
            link_target: None,
            sha256: Some("batch".into()),
            content: Some(b"abc".to_vec()),
            resolved: None,
        };
        assert_eq!(checksum(&fact, "sha256").as_deref(), Some("batch"));
        assert_eq!(
            checksum(&fact, "sha224").as_deref(),
            Some("23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7")
        );
        assert_eq!(checksum(&fact, "md5"), None);
        let big = PathFact {
            content: None,
            ..fact
        };
        assert_eq!(checksum(&big, "sha1"), None);
    }
}
