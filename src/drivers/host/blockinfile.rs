//! `ansible.builtin.blockinfile`: a block of lines between two marker lines, present or absent.
//! The wanted content is Ansible's edit of the live content ([`super::block_edit`]); the plan
//! shows the whole file's text diff and apply writes the new content atomically.

use super::args::Args;
use super::block_edit::{self, BlockEdit, BlockInsert};
use super::content_file::ContentLive;
use super::edited_file::{EditedFile, WhenMissing};
use super::line_edit::Pattern;
use crate::diff::Delta;
use crate::drivers::{ApplyError, BoxFuture, Kind, Provision, Requirement, SpecError};
use crate::facts::{FactRequest, Facts, HostExec};
use crate::value::Map;

pub struct BlockInFile;

#[derive(Clone, Debug)]
pub struct BlockInFileSpec {
    pub file: EditedFile,
    pub edit: BlockEdit,
}

const DEFAULT_MARKER: &str = "# {mark} ANSIBLE MANAGED BLOCK";

impl Kind for BlockInFile {
    type Spec = BlockInFileSpec;
    type Live = ContentLive;

    const NAME: &'static str = "ansible.builtin.blockinfile";
    const ALIASES: &'static [&'static str] = &["blockinfile", "ansible.legacy.blockinfile"];

    fn parse(map: &Map) -> Result<BlockInFileSpec, Vec<SpecError>> {
        let mut args = Args::new(Self::NAME, map);
        let file = EditedFile::parse(&mut args);
        let present =
            args.choice("state", &[], &["absent", "present"]).as_deref() != Some("absent");
        let marker = args
            .str("marker", &[])
            .unwrap_or_else(|| DEFAULT_MARKER.into());
        let block = args.str("block", &["content"]).unwrap_or_default();
        let marker_begin = args
            .str("marker_begin", &[])
            .unwrap_or_else(|| "BEGIN".into());
        let marker_end = args.str("marker_end", &[]).unwrap_or_else(|| "END".into());
        let insertafter = args.str("insertafter", &[]);
        let insertbefore = args.str("insertbefore", &[]);
        let append_newline = args.bool("append_newline", &[], false);
        let prepend_newline = args.bool("prepend_newline", &[], false);
        if insertafter.is_some() && insertbefore.is_some() {
            args.error(
                Some("insertbefore"),
                "parameters are mutually exclusive: insertbefore|insertafter",
            );
        }
        let mut compile = |name: &'static str, source: &str| match Pattern::compile(source) {
            Ok(p) => Some(p),
            Err(e) => {
                args.error(Some(name), format!("{name}: {e}"));
                None
            }
        };
        let insert = match (insertafter.as_deref(), insertbefore.as_deref()) {
            (None | Some("EOF"), None) => BlockInsert::Eof,
            (None, Some("BOF")) => BlockInsert::Bof,
            (Some(after), _) => {
                compile("insertafter", after).map_or(BlockInsert::Eof, BlockInsert::After)
            }
            (None, Some(before)) => {
                compile("insertbefore", before).map_or(BlockInsert::Eof, BlockInsert::Before)
            }
        };
        args.finish()?;
        Ok(BlockInFileSpec {
            file,
            edit: BlockEdit {
                begin: marker.replace("{mark}", &marker_begin),
                end: marker.replace("{mark}", &marker_end),
                block,
                present,
                insert,
                prepend_newline,
                append_newline,
            },
        })
    }

    /// Several blocks in one file are told apart by their markers, as Ansible tells them apart.
    fn key(spec: &BlockInFileSpec) -> String {
        format!("{} {}", spec.file.path, spec.edit.begin)
    }

    fn provides(spec: &BlockInFileSpec) -> Vec<Provision> {
        spec.file.provides()
    }

    fn requires(spec: &BlockInFileSpec) -> Vec<Requirement> {
        spec.file.requires()
    }

    fn facts(spec: &BlockInFileSpec) -> Vec<FactRequest> {
        spec.file.facts()
    }

    fn live(spec: &BlockInFileSpec, facts: &Facts) -> Result<ContentLive, String> {
        spec.file.live(facts)
    }

    fn diff(spec: &BlockInFileSpec, live: &ContentLive) -> Delta {
        let when_missing = if spec.edit.present {
            WhenMissing::Edit
        } else {
            WhenMissing::NothingToDo
        };
        spec.file.diff(live, when_missing, |text| {
            block_edit::edit(text, &spec.edit)
        })
    }

    fn apply<'a>(
        host: &'a dyn HostExec,
        spec: &'a BlockInFileSpec,
        delta: &'a Delta,
    ) -> BoxFuture<'a, Result<(), ApplyError>> {
        Box::pin(spec.file.apply(host, delta))
    }
}
