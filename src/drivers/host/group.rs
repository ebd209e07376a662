//! `ansible.builtin.group`: a local group and its gid. A gid the system assigns is not compared.

use super::args::Args;
use super::attrs::change;
use super::exec::run_command;
use crate::diff::{Action, AttrChange, Delta, Reason};
use crate::drivers::{ApplyError, BoxFuture, Kind, Provision, SpecError};
use crate::facts::{FactRequest, Facts, GroupFact, HostExec};
use crate::value::{Map, Value};

pub struct Group;

#[derive(Clone, Debug, PartialEq)]
pub struct GroupSpec {
    pub name: String,
    pub present: bool,
    pub gid: Option<u32>,
    pub system: bool,
    pub force: bool,
    pub non_unique: bool,
    pub gid_min: Option<u32>,
    pub gid_max: Option<u32>,
}

/// Names that cannot be a group (or user) in /etc/group and /etc/passwd.
pub fn check_name(args: &mut Args, argument: &'static str, name: &str) {
    if name.is_empty() || name.contains([':', ',', '\n', '\0']) || name.trim() != name {
        args.error(Some(argument), format!("{name:?} is not a valid name"));
    }
}

impl Kind for Group {
    type Spec = GroupSpec;
    type Live = Option<GroupFact>;

    const NAME: &'static str = "ansible.builtin.group";
    const ALIASES: &'static [&'static str] = &["group", "ansible.legacy.group"];

    fn parse(map: &Map) -> Result<GroupSpec, Vec<SpecError>> {
        let mut args = Args::new(Self::NAME, map);
        let name = args.str("name", &[]).unwrap_or_default();
        if !map.contains_key("name") {
            args.error(Some("name"), "missing required arguments: name");
        } else {
            check_name(&mut args, "name", &name);
        }
        let present =
            args.choice("state", &[], &["absent", "present"]).as_deref() != Some("absent");
        let gid = args.id("gid");
        let system = args.bool("system", &[], false);
        let force = args.bool("force", &[], false);
        let non_unique = args.bool("non_unique", &[], false);
        if non_unique && gid.is_none() {
            args.error(
                Some("non_unique"),
                "non_unique is True but all of the following are missing: gid",
            );
        }
        let gid_min = args.id("gid_min");
        let gid_max = args.id("gid_max");
        args.unsupported(
            "local",
            &[],
            "plimsoll manages groups with groupadd/groupmod only",
        );
        args.finish()?;
        Ok(GroupSpec {
            name,
            present,
            gid,
            system,
            force,
            non_unique,
            gid_min,
            gid_max,
        })
    }

    fn key(spec: &GroupSpec) -> String {
        spec.name.clone()
    }

    fn provides(spec: &GroupSpec) -> Vec<Provision> {
        if spec.present {
            vec![Provision::Group(spec.name.clone())]
        } else {
            Vec::new()
        }
    }

    fn facts(spec: &GroupSpec) -> Vec<FactRequest> {
        vec![FactRequest::Group(spec.name.clone())]
    }

    fn live(spec: &GroupSpec, facts: &Facts) -> Result<Option<GroupFact>, String> {
        Ok(facts.group(&spec.name)?.cloned())
    }

    fn diff(spec: &GroupSpec, live: &Option<GroupFact>) -> Delta {
        match (spec.present, live) {
            (false, None) => Delta::no_op(),
            (false, Some(_)) => Delta {
                action: Action::Delete,
                reason: Reason::Absent,
                changes: vec![change("state", Some("present"), "absent")],
                text_changes: Vec::new(),
            },
            (true, None) => Delta {
                action: Action::Create,
                reason: Reason::Missing,
                changes: vec![AttrChange {
                    path: "gid".into(),
                    before: None,
                    // None: the system picks it (known after apply).
                    after: spec.gid.map(|g| Value::Int(g.into())),
                    sensitive: false,
                }],
                text_changes: Vec::new(),
            },
            (true, Some(fact)) => match spec.gid {
                Some(gid) if gid != fact.gid => Delta {
                    action: Action::Update,
                    reason: Reason::AttributesDiffer,
                    changes: vec![AttrChange {
                        path: "gid".into(),
                        before: Some(Value::Int(fact.gid.into())),
                        after: Some(Value::Int(gid.into())),
                        sensitive: false,
                    }],
                    text_changes: Vec::new(),
                },
                _ => Delta::no_op(),
            },
        }
    }

    fn apply<'a>(
        host: &'a dyn HostExec,
        spec: &'a GroupSpec,
        delta: &'a Delta,
    ) -> BoxFuture<'a, Result<(), ApplyError>> {
        Box::pin(async move {
            let argv = match delta.action {
                Action::Delete => delete_argv(spec),
                Action::Create => create_argv(spec),
                Action::Update => modify_argv(spec),
                other => {
                    return Err(ApplyError::Failed(format!(
                        "a group cannot be changed by a {other:?} plan"
                    )));
                }
            };
            run_command(host, argv).await
        })
    }
}

fn delete_argv(spec: &GroupSpec) -> Vec<String> {
    let mut argv = vec!["groupdel".to_string()];
    if spec.force {
        argv.push("-f".into());
    }
    argv.extend(["--".into(), spec.name.clone()]);
    argv
}

fn create_argv(spec: &GroupSpec) -> Vec<String> {
    let mut argv = vec!["groupadd".to_string()];
    if let Some(gid) = spec.gid {
        argv.extend(["-g".into(), gid.to_string()]);
        if spec.non_unique {
            argv.push("-o".into());
        }
    }
    if spec.system {
        argv.push("-r".into());
    }
    if let Some(min) = spec.gid_min {
        argv.extend(["-K".into(), format!("GID_MIN={min}")]);
    }
    if let Some(max) = spec.gid_max {
        argv.extend(["-K".into(), format!("GID_MAX={max}")]);
    }
    argv.extend(["--".into(), spec.name.clone()]);
    argv
}

fn modify_argv(spec: &GroupSpec) -> Vec<String> {
    let mut argv = vec!["groupmod".to_string()];
    if let Some(gid) = spec.gid {
        argv.extend(["-g".into(), gid.to_string()]);
        if spec.non_unique {
            argv.push("-o".into());
        }
    }
    argv.extend(["--".into(), spec.name.clone()]);
    argv
}
