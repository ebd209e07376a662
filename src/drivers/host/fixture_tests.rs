//! The diff fixtures: `tests/fixtures/diff/<kind>/<case>.yaml`, each with the task's `args`, the
//! gathered `facts` in a short form, and the `expected` delta (or `spec_error` when the arguments
//! are refused). One test runs every case and reports every failure.
//!
//! Facts form (anything a kind asks for and the case does not list is absent; the umask is 0022):
//! ```yaml
//! facts:
//!   paths:
//!     /srv/app: {type: directory, mode: '0755', owner: root, group: root, uid: 0, gid: 0}
//!     /etc/motd: {type: file, content: "hello\n"}        # sha256 and size from the content
//!     /srv/big: {type: file, sha256: 0123abcd}            # content not fetched (too big)
//!     /srv/cur: {type: link, link: v1, resolved: {path: /srv/v1, fact: {type: directory}}}
//!   trees: {/srv/app: [{path: a.txt, type: file, mode: '0644'}]}
//!   users: {alice: {uid: 1001, gid: 1001, home: /home/alice, member_of: [adm]}}
//!   # a HomePath request (~alice/.ssh) is answered from users' home and paths (/home/alice/.ssh)
//!   groups: {adm: {gid: 4}}
//!   shadow: {alice: '$6$salt$hash'}
//!   umask: '0077'
//!   docker_containers: {web: {Id: abc, Config: {Image: busybox}, State: {Running: true}}}
//!   docker_images: {busybox: {Id: 'sha256:...'}}        # each entry is the engine's inspect JSON
//!   docker_networks: {backend: {Name: backend, Driver: bridge}}
//!   docker_volumes: {data: {Name: data, Driver: local, Mountpoint: /var/lib/docker/volumes/data}}
//!   docker_owned: [{object_type: container, name: old}]
//! ```

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use crate::diff::Delta;
use crate::drivers::builtin_registry;
use crate::facts::{
    DockerFact, DockerQuery, FactRequest, FactValue, Facts, FileType, GroupFact, OwnedObject,
    PathFact, Resolved, ShadowFact, TreeEntry, UserFact,
};
use crate::source::SourceFile;
use crate::source::yaml::{load, to_value};
use crate::value::{Map, Value};

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff")
}

fn text<'a>(map: &'a Map, key: &str) -> Option<&'a str> {
    map.get(key).and_then(Value::as_str)
}

fn int(map: &Map, key: &str, default: u32) -> u32 {
    match map.get(key) {
        Some(Value::Int(i)) => u32::try_from(*i).unwrap(),
        None => default,
        other => panic!("{key}: not an int: {other:?}"),
    }
}

fn octal(map: &Map, key: &str, default: u32) -> u32 {
    match map.get(key) {
        Some(Value::Str(s)) => u32::from_str_radix(s, 8).unwrap(),
        None => default,
        other => panic!("{key}: write modes as quoted octal strings, got {other:?}"),
    }
}

fn file_type(word: &str) -> FileType {
    match word {
        "file" => FileType::File,
        "directory" => FileType::Directory,
        "link" => FileType::Link,
        other => FileType::Other(other.to_string()),
    }
}

fn path_fact(map: &Map) -> PathFact {
    let kind = file_type(text(map, "type").unwrap_or("file"));
    let default_mode = match kind {
        FileType::Directory => 0o755,
        FileType::Link => 0o777,
        _ => 0o644,
    };
    let content: Option<Vec<u8>> = text(map, "content")
        .map(|c| c.as_bytes().to_vec())
        .or_else(|| text(map, "content_base64").map(|b| STANDARD.decode(b).unwrap()));
    let sha256 = text(map, "sha256")
        .map(str::to_string)
        .or_else(|| content.as_ref().map(|c| hex::encode(Sha256::digest(c))));
    let resolved = map
        .get("resolved")
        .and_then(Value::as_map)
        .map(|r| Resolved {
            path: text(r, "path").unwrap().to_string(),
            fact: r
                .get("fact")
                .and_then(Value::as_map)
                .map(|f| Box::new(path_fact(f))),
        });
    PathFact {
        mode: octal(map, "mode", default_mode),
        owner: text(map, "owner").unwrap_or("root").to_string(),
        group: text(map, "group").unwrap_or("root").to_string(),
        uid: int(map, "uid", 0),
        gid: int(map, "gid", 0),
        size: content.as_ref().map_or(0, |c| c.len() as u64),
        link_target: text(map, "link").map(str::to_string),
        sha256,
        content,
        resolved,
        file_type: kind,
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::List(items)) => items
            .iter()
            .map(|i| i.as_str().unwrap().to_string())
            .collect(),
        None => Vec::new(),
        other => panic!("expected a list of strings, got {other:?}"),
    }
}

/// The answer the fixture gives to one request.
fn answer(facts: &Map, request: &FactRequest) -> FactValue {
    let section = |name: &str, key: &str| {
        facts
            .get(name)
            .and_then(Value::as_map)
            .and_then(|m| m.get(key))
            .cloned()
    };
    match request {
        FactRequest::Path(path) => match section("paths", path) {
            Some(Value::Map(m)) => FactValue::Path(Box::new(path_fact(&m))),
            _ => FactValue::Absent,
        },
        // The user's home from `users` (default /home/<name>), then the path under `paths`.
        FactRequest::HomePath { user, relative } => match section("users", user) {
            Some(Value::Map(m)) => {
                let home = text(&m, "home").map_or_else(|| format!("/home/{user}"), str::to_string);
                answer(facts, &FactRequest::Path(format!("{home}/{relative}")))
            }
            _ => FactValue::Absent,
        },
        FactRequest::Tree(path) => match section("trees", path) {
            Some(Value::List(items)) => FactValue::Tree(
                items
                    .iter()
                    .map(|item| {
                        let m = item.as_map().unwrap();
                        let fact = path_fact(m);
                        TreeEntry {
                            path: text(m, "path").unwrap().to_string(),
                            file_type: fact.file_type,
                            mode: fact.mode,
                            owner: fact.owner,
                            group: fact.group,
                            uid: fact.uid,
                            gid: fact.gid,
                        }
                    })
                    .collect(),
            ),
            _ => FactValue::Absent,
        },
        FactRequest::User(name) => match section("users", name) {
            Some(Value::Map(m)) => FactValue::User(UserFact {
                name: name.clone(),
                uid: int(&m, "uid", 1000),
                gid: int(&m, "gid", 1000),
                comment: text(&m, "comment").unwrap_or("").to_string(),
                home: text(&m, "home").map_or_else(|| format!("/home/{name}"), str::to_string),
                shell: text(&m, "shell").unwrap_or("/bin/sh").to_string(),
                primary_group: Some(text(&m, "primary_group").unwrap_or(name).to_string()),
                member_of: strings(m.get("member_of")),
                home_exists: m.get("home_exists") != Some(&Value::Bool(false)),
            }),
            _ => FactValue::Absent,
        },
        FactRequest::Group(name) => match section("groups", name) {
            Some(Value::Map(m)) => FactValue::Group(GroupFact {
                name: text(&m, "name").unwrap_or(name).to_string(),
                gid: int(&m, "gid", 1000),
                members: strings(m.get("members")),
            }),
            _ => FactValue::Absent,
        },
        FactRequest::Shadow(name) => match section("shadow", name) {
            Some(Value::Str(hash)) => FactValue::Shadow(ShadowFact { hash }),
            _ => FactValue::Absent,
        },
        FactRequest::Docker(query) => docker_answer(facts, query),
        FactRequest::Umask => FactValue::Umask(
            facts
                .get("umask")
                .and_then(Value::as_str)
                .map_or(0o022, |u| u32::from_str_radix(u, 8).unwrap()),
        ),
    }
}

/// A Docker object from the fixture's inspect JSON, read with the engine API's own models.
fn docker_answer(facts: &Map, query: &DockerQuery) -> FactValue {
    fn inspect<T: serde::de::DeserializeOwned>(
        facts: &Map,
        section: &str,
        name: &str,
    ) -> Option<T> {
        let found = facts.get(section)?.as_map()?.get(name)?;
        let json = serde_json::to_value(found).unwrap();
        Some(serde_json::from_value(json).unwrap_or_else(|e| panic!("{section}.{name}: {e}")))
    }
    let fact = match query {
        DockerQuery::Container(name) => {
            inspect(facts, "docker_containers", name).map(|c| DockerFact::Container(Box::new(c)))
        }
        DockerQuery::Image(name) => {
            inspect(facts, "docker_images", name).map(|i| DockerFact::Image(Box::new(i)))
        }
        DockerQuery::Network(name) => {
            inspect(facts, "docker_networks", name).map(|n| DockerFact::Network(Box::new(n)))
        }
        DockerQuery::Volume(name) => {
            inspect(facts, "docker_volumes", name).map(|v| DockerFact::Volume(Box::new(v)))
        }
        DockerQuery::Owned { .. } => {
            let owned = match facts.get("docker_owned") {
                Some(Value::List(items)) => items
                    .iter()
                    .map(|item| {
                        let m = item.as_map().unwrap();
                        OwnedObject {
                            object_type: text(m, "object_type").unwrap().to_string(),
                            name: text(m, "name").unwrap().to_string(),
                        }
                    })
                    .collect(),
                _ => Vec::new(),
            };
            Some(DockerFact::Owned(owned))
        }
    };
    fact.map_or(FactValue::Absent, FactValue::Docker)
}

fn snake(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| match v {
            serde_json::Value::String(s) => Some(s),
            serde_json::Value::Object(o) => {
                o.get("kind").and_then(|k| k.as_str()).map(String::from)
            }
            _ => None,
        })
        .unwrap_or_default()
}

/// Differences between the delta and what the case expects, as messages.
fn compare(delta: &Delta, expected: &Map) -> Vec<String> {
    let mut problems = Vec::new();
    let action = snake(&delta.action);
    if let Some(want) = text(expected, "action")
        && want != action
    {
        problems.push(format!("action: got {action}, expected {want}"));
    }
    let reason = snake(&delta.reason);
    match expected.get("reason") {
        Some(Value::Str(want)) if *want != reason => {
            problems.push(format!("reason: got {:?}, expected {want}", delta.reason))
        }
        Some(Value::Map(m)) => {
            let want = text(m, "other").unwrap_or_default();
            match &delta.reason {
                crate::diff::Reason::Other(got) if got.contains(want) => {}
                got => problems.push(format!(
                    "reason: got {got:?}, expected one containing {want:?}"
                )),
            }
        }
        _ => {}
    }
    if let Some(Value::List(changes)) = expected.get("changes") {
        let got: Vec<&str> = delta.changes.iter().map(|c| c.path.as_str()).collect();
        let want: Vec<&str> = changes
            .iter()
            .map(|c| text(c.as_map().unwrap(), "path").unwrap())
            .collect();
        if got != want {
            problems.push(format!(
                "changed attributes: got {got:?}, expected {want:?}"
            ));
        }
        for (change, want) in delta.changes.iter().zip(changes) {
            let want = want.as_map().unwrap();
            for (key, got) in [("before", &change.before), ("after", &change.after)] {
                if let Some(w) = want.get(key) {
                    let w = (*w != Value::Null).then_some(w);
                    if got.as_ref() != w {
                        problems.push(format!(
                            "{} {key}: got {got:?}, expected {w:?}",
                            change.path
                        ));
                    }
                }
            }
            if let Some(Value::Bool(s)) = want.get("sensitive")
                && *s != change.sensitive
            {
                problems.push(format!(
                    "{} sensitive: got {}",
                    change.path, change.sensitive
                ));
            }
        }
    }
    if let Some(Value::List(texts)) = expected.get("text_changes") {
        let got: Vec<&str> = delta.text_changes.iter().map(|c| c.path.as_str()).collect();
        let want: Vec<&str> = texts
            .iter()
            .map(|c| text(c.as_map().unwrap(), "path").unwrap())
            .collect();
        if got != want {
            problems.push(format!("text changes: got {got:?}, expected {want:?}"));
        }
        for (change, want) in delta.text_changes.iter().zip(texts) {
            let want = want.as_map().unwrap();
            if let Some(w) = want.get("before") {
                let w = w.as_str();
                if change.before.as_deref() != w {
                    problems.push(format!("{} before: got {:?}", change.path, change.before));
                }
            }
            if let Some(w) = text(want, "after")
                && change.after != w
            {
                problems.push(format!("{} after: got {:?}", change.path, change.after));
            }
        }
    } else if !delta.text_changes.is_empty() && expected.contains_key("changes") {
        problems.push(format!(
            "unexpected text changes: {:?}",
            delta
                .text_changes
                .iter()
                .map(|t| &t.path)
                .collect::<Vec<_>>()
        ));
    }
    problems
}

fn run_case(kind_dir: &str, path: &Path) -> Vec<String> {
    let source = SourceFile::new(path, std::fs::read_to_string(path).unwrap());
    let node = load(&source, &mut Vec::new()).unwrap().unwrap();
    let Value::Map(case) = to_value(&node) else {
        return vec!["the case is not a mapping".into()];
    };
    let registry = builtin_registry();
    let kind = registry.find(kind_dir).unwrap();
    let args = case
        .get("args")
        .and_then(Value::as_map)
        .cloned()
        .unwrap_or_default();
    let facts_map = case
        .get("facts")
        .and_then(Value::as_map)
        .cloned()
        .unwrap_or_default();
    let expected = case.get("expected").and_then(Value::as_map).unwrap();
    let spec = match (kind.parse(&args), text(expected, "spec_error")) {
        (Err(errors), Some(want)) => {
            return if errors.iter().any(|e| e.message.contains(want)) {
                Vec::new()
            } else {
                vec![format!("spec errors {errors:?} do not mention {want:?}")]
            };
        }
        (Err(errors), None) => return vec![format!("the arguments were refused: {errors:?}")],
        (Ok(_), Some(want)) => return vec![format!("expected a spec error {want:?}")],
        (Ok(spec), None) => spec,
    };
    let mut facts = Facts::default();
    for request in kind.facts(&spec) {
        let value = answer(&facts_map, &request);
        facts.insert(request, value);
    }
    match kind.diff(&spec, &facts) {
        Ok(delta) => compare(&delta, expected)
            .into_iter()
            .map(|p| format!("{p}\n      delta: {delta:?}"))
            .collect(),
        Err(e) => vec![format!("live state could not be read: {e}")],
    }
}

#[test]
fn every_diff_fixture() {
    let mut failures = Vec::new();
    let mut counts = Vec::new();
    let mut kinds: Vec<_> = std::fs::read_dir(fixtures_root())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    kinds.sort();
    for kind_dir in kinds {
        let kind = kind_dir.file_name().unwrap().to_str().unwrap().to_string();
        let mut cases: Vec<_> = std::fs::read_dir(&kind_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        cases.sort();
        counts.push((kind.clone(), cases.len()));
        for case in cases {
            for problem in run_case(&kind, &case) {
                failures.push(format!("{}: {problem}", case.display()));
            }
        }
    }
    for (kind, count) in &counts {
        assert!(*count >= 8, "{kind} has only {count} diff fixtures");
    }
    assert_eq!(
        counts.len(),
        builtin_registry().names().count(),
        "one fixture directory per kind: {counts:?}"
    );
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// A resource never waits for itself: no requirement is met by the same resource's provisions
/// (the graph would report a cycle of one).
#[test]
fn no_kind_requires_what_it_provides() {
    use crate::drivers::{Provision, Requirement};
    let registry = builtin_registry();
    let cases: &[(&str, &str)] = &[
        ("file", "{path: /srv/app/conf, state: file, owner: app}"),
        ("file", "{path: /srv/app, state: directory, recurse: true}"),
        ("file", "{path: /srv/app, recurse: true}"),
        ("file", "{path: /srv/cur, src: /srv/v1, state: link}"),
        (
            "copy",
            "{dest: /etc/app/, src: a.conf, _plimsoll_src_content: ''}",
        ),
        (
            "copy",
            "{dest: /etc/app/a.conf, content: x, owner: app, group: app}",
        ),
        (
            "template",
            "{dest: /etc/app/, src: a.j2, _plimsoll_rendered: ''}",
        ),
        (
            "user",
            "{name: app, group: app, groups: [adm], home: /srv/app}",
        ),
        ("group", "{name: app}"),
        (
            "lineinfile",
            "{path: /etc/app/a.conf, line: x, create: true, owner: app}",
        ),
        (
            "blockinfile",
            "{path: /etc/app/a.conf, block: x, create: true}",
        ),
        ("authorized_key", "{user: app, key: 'ssh-rsa AAAA app'}"),
        ("stat", "{path: /etc/app}"),
    ];
    for (kind, args) in cases {
        let source = SourceFile::new("case", *args);
        let Value::Map(args) = to_value(&load(&source, &mut Vec::new()).unwrap().unwrap()) else {
            panic!()
        };
        let kind = registry.find(kind).unwrap();
        let spec = kind.parse(&args).unwrap();
        let provided = kind.provides(&spec);
        for requirement in kind.requires(&spec) {
            let met_by_self = match &requirement {
                Requirement::Path(path) => Path::new(path)
                    .ancestors()
                    .any(|a| provided.contains(&Provision::Path(a.display().to_string()))),
                Requirement::User(name) => provided.contains(&Provision::User(name.clone())),
                Requirement::Group(name) => provided.contains(&Provision::Group(name.clone())),
                Requirement::Object(class, name) => {
                    provided.contains(&Provision::Object(class, name.clone()))
                }
            };
            assert!(!met_by_self, "{args:?}: {requirement:?} is met by itself");
        }
    }
}
