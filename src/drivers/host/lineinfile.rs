//! `ansible.builtin.lineinfile`: one line of a file, present (replacing what `regexp` or
//! `search_string` selects, or inserted where `insertafter`/`insertbefore` say) or absent. The
//! wanted content is Ansible's edit of the live content ([`super::line_edit`]); the plan shows the
//! whole file's text diff and apply writes the new content atomically.

use super::args::Args;
use super::content_file::ContentLive;
use super::edited_file::{EditedFile, WhenMissing};
use super::line_edit::{self, Insert, LineEdit, Pattern, Selector};
use crate::diff::Delta;
use crate::drivers::{ApplyError, BoxFuture, Kind, Provision, Requirement, SpecError};
use crate::facts::{FactRequest, Facts, HostExec};
use crate::value::Map;

pub struct LineInFile;

#[derive(Clone, Debug)]
pub struct LineInFileSpec {
    pub file: EditedFile,
    pub edit: LineEdit,
}

fn pattern(args: &mut Args, name: &'static str, source: Option<String>) -> Option<Pattern> {
    let source = source?;
    match Pattern::compile(&source) {
        Ok(p) => Some(p),
        Err(e) => {
            args.error(Some(name), format!("{name}: {e}"));
            None
        }
    }
}

impl Kind for LineInFile {
    type Spec = LineInFileSpec;
    type Live = ContentLive;

    const NAME: &'static str = "ansible.builtin.lineinfile";
    const ALIASES: &'static [&'static str] = &["lineinfile", "ansible.legacy.lineinfile"];

    fn parse(map: &Map) -> Result<LineInFileSpec, Vec<SpecError>> {
        let mut args = Args::new(Self::NAME, map);
        let file = EditedFile::parse(&mut args);
        let present =
            args.choice("state", &[], &["absent", "present"]).as_deref() != Some("absent");
        let regexp = args.str("regexp", &["regex"]);
        let search_string = args.str("search_string", &[]);
        let line = args.str("line", &["value"]);
        let insertafter = args.str("insertafter", &[]);
        let insertbefore = args.str("insertbefore", &[]);
        let backrefs = args.bool("backrefs", &[], false);
        let firstmatch = args.bool("firstmatch", &[], false);
        for (a, b, set) in [
            (
                "insertbefore",
                "insertafter",
                insertbefore.is_some() && insertafter.is_some(),
            ),
            (
                "regexp",
                "search_string",
                regexp.is_some() && search_string.is_some(),
            ),
            (
                "backrefs",
                "search_string",
                backrefs && search_string.is_some(),
            ),
        ] {
            if set {
                args.error(
                    Some(a),
                    format!("parameters are mutually exclusive: {a}|{b}"),
                );
            }
        }
        if present {
            if backrefs && regexp.is_none() {
                args.error(Some("backrefs"), "regexp is required with backrefs=true");
            }
            if line.is_none() {
                args.error(Some("line"), "line is required with state=present");
            }
        } else if regexp.is_none() && search_string.is_none() && line.is_none() {
            args.error(
                None,
                "one of line, search_string, or regexp is required with state=absent",
            );
        }
        let selector = match (pattern(&mut args, "regexp", regexp), search_string) {
            (Some(p), _) => Selector::Regexp(p),
            (None, Some(s)) => Selector::SearchString(s),
            (None, None) => Selector::Line,
        };
        let insert = match (insertafter.as_deref(), insertbefore.as_deref()) {
            (Some("BOF"), _) | (_, Some("BOF")) => Insert::Bof,
            (Some("EOF"), _) | (None, None) => Insert::AfterEof,
            (Some(_), _) => pattern(&mut args, "insertafter", insertafter)
                .map_or(Insert::AfterEof, Insert::After),
            (None, Some(_)) => pattern(&mut args, "insertbefore", insertbefore)
                .map_or(Insert::AfterEof, Insert::Before),
        };
        args.finish()?;
        Ok(LineInFileSpec {
            file,
            edit: LineEdit {
                selector,
                line,
                present,
                insert,
                backrefs,
                firstmatch,
            },
        })
    }

    /// A file often has several lines managed by several tasks: the key names the line too.
    fn key(spec: &LineInFileSpec) -> String {
        let selected = match &spec.edit.selector {
            Selector::Regexp(p) => format!("regexp={}", p.source),
            Selector::SearchString(s) => format!("search_string={s}"),
            Selector::Line => format!("line={}", spec.edit.line.as_deref().unwrap_or_default()),
        };
        format!("{} {selected}", spec.file.path)
    }

    fn provides(spec: &LineInFileSpec) -> Vec<Provision> {
        spec.file.provides()
    }

    fn requires(spec: &LineInFileSpec) -> Vec<Requirement> {
        spec.file.requires()
    }

    fn facts(spec: &LineInFileSpec) -> Vec<FactRequest> {
        spec.file.facts()
    }

    fn live(spec: &LineInFileSpec, facts: &Facts) -> Result<ContentLive, String> {
        spec.file.live(facts)
    }

    fn diff(spec: &LineInFileSpec, live: &ContentLive) -> Delta {
        let when_missing = if spec.edit.present {
            WhenMissing::Edit
        } else {
            WhenMissing::NothingToDo
        };
        spec.file.diff(live, when_missing, |text| {
            line_edit::edit(text.unwrap_or_default(), &spec.edit)
        })
    }

    fn apply<'a>(
        host: &'a dyn HostExec,
        spec: &'a LineInFileSpec,
        delta: &'a Delta,
    ) -> BoxFuture<'a, Result<(), ApplyError>> {
        Box::pin(spec.file.apply(host, delta))
    }
}
