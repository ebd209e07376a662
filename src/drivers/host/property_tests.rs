//! Properties of the host kinds' pure diff: a live state that is what the spec asks for is no change,
//! and moving any one attribute away from it is a change that names that attribute.

use proptest::prelude::*;

use crate::diff::Action;
use crate::drivers::builtin_registry;
use crate::facts::{FactRequest, FactValue, Facts, FileType, PathFact};
use crate::value::{Map, Value};

#[derive(Clone, Debug)]
struct Wanted {
    path: String,
    directory: bool,
    mode: u32,
    owner: &'static str,
    group: &'static str,
}

fn wanted() -> impl Strategy<Value = Wanted> {
    (
        "/[a-z]{1,8}(/[a-z0-9 ._-]{1,8}){0,3}",
        proptest::bool::ANY,
        0u32..0o7777,
        prop_oneof![Just("root"), Just("app"), Just("daemon")],
        prop_oneof![Just("root"), Just("app"), Just("adm")],
    )
        .prop_map(|(path, directory, mode, owner, group)| Wanted {
            path,
            directory,
            mode,
            owner,
            group,
        })
}

fn args(w: &Wanted) -> Map {
    let mut args = Map::new();
    args.insert("path".into(), Value::Str(w.path.clone()));
    let state = if w.directory { "directory" } else { "file" };
    args.insert("state".into(), Value::Str(state.into()));
    args.insert("mode".into(), Value::Str(format!("{:04o}", w.mode)));
    args.insert("owner".into(), Value::Str(w.owner.into()));
    args.insert("group".into(), Value::Str(w.group.into()));
    args
}

fn live(w: &Wanted, requests: &[FactRequest]) -> Facts {
    let mut facts = Facts::default();
    for request in requests {
        let value = match request {
            FactRequest::Path(p) if *p == w.path => FactValue::Path(Box::new(PathFact {
                file_type: if w.directory {
                    FileType::Directory
                } else {
                    FileType::File
                },
                mode: w.mode,
                owner: w.owner.into(),
                group: w.group.into(),
                uid: 0,
                gid: 0,
                size: 0,
                link_target: None,
                sha256: None,
                content: None,
                resolved: None,
            })),
            FactRequest::Umask => FactValue::Umask(0o022),
            _ => FactValue::Absent,
        };
        facts.insert(request.clone(), value);
    }
    facts
}

proptest! {
    #[test]
    fn a_file_that_is_as_wanted_is_no_change_and_each_drift_is_named(w in wanted(), drift in 0usize..3) {
        let registry = builtin_registry();
        let kind = registry.find("ansible.builtin.file").unwrap();
        let spec = kind.parse(&args(&w)).unwrap();
        let requests = kind.facts(&spec);
        let delta = kind.diff(&spec, &live(&w, &requests)).unwrap();
        prop_assert_eq!(delta.action, Action::NoOp, "{:?}", delta);

        let mut moved = w.clone();
        let attribute = match drift {
            0 => { moved.mode ^= 0o100; "mode" }
            1 => { moved.owner = if w.owner == "nobody" { "root" } else { "nobody" }; "owner" }
            _ => { moved.group = if w.group == "nogroup" { "root" } else { "nogroup" }; "group" }
        };
        let delta = kind.diff(&spec, &live(&moved, &requests)).unwrap();
        prop_assert_eq!(delta.action, Action::Update, "{:?}", delta);
        prop_assert_eq!(delta.changed_paths(), vec![attribute]);
    }
}
