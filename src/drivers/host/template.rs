//! `ansible.builtin.template`: a file whose content is a Jinja template rendered on the controller.
//!
//! Rendering needs the play's variables, so the loader renders `src` (with `newline_sequence`,
//! `trim_blocks`, `lstrip_blocks` and the `*_string` delimiters) and passes the text in the internal
//! argument `_plimsoll_rendered`; this kind checks those options and manages the file like `copy`.

use super::args::Args;
use super::content_file::{self, ContentLive, ContentSpec};
use super::mode::Mode;
use crate::diff::Delta;
use crate::drivers::{ApplyError, BoxFuture, Kind, Provision, Requirement, SpecError};
use crate::facts::{FactRequest, Facts, HostExec};
use crate::value::Map;

/// The rendered text, supplied by the loader.
pub const RENDERED_ARG: &str = "_plimsoll_rendered";

pub struct Template;

impl Kind for Template {
    type Spec = ContentSpec;
    type Live = ContentLive;

    const NAME: &'static str = "ansible.builtin.template";
    const ALIASES: &'static [&'static str] = &["template", "ansible.legacy.template"];

    fn parse(map: &Map) -> Result<ContentSpec, Vec<SpecError>> {
        let mut args = Args::new(Self::NAME, map);
        let src = args.str("src", &[]);
        if src.is_none() {
            args.error(Some("src"), "src and dest are required");
        }
        if map.contains_key("state") {
            args.error(Some("state"), "'state' cannot be specified on a template");
        }
        let (dest, make_parents) = content_file::resolve_dest(&mut args, src.as_deref());
        let rendered = args.str(RENDERED_ARG, &[]);
        if let Some(sequence) = args.str("newline_sequence", &[])
            && !["\n", "\r", "\r\n", "\\n", "\\r", "\\r\\n"].contains(&sequence.as_str())
        {
            args.error(
                Some("newline_sequence"),
                "newline_sequence needs to be one of: \\n, \\r or \\r\\n",
            );
        }
        for name in [
            "block_start_string",
            "block_end_string",
            "variable_start_string",
            "variable_end_string",
            "comment_start_string",
            "comment_end_string",
        ] {
            args.str(name, &[]);
        }
        args.opt_bool("trim_blocks", &[]);
        args.opt_bool("lstrip_blocks", &[]);
        if let Some(encoding) = args.str("output_encoding", &[])
            && !matches!(
                encoding.to_lowercase().replace('_', "-").as_str(),
                "utf-8" | "utf8" | ""
            )
        {
            args.error(
                Some("output_encoding"),
                format!("output_encoding {encoding} is not supported: plimsoll writes UTF-8"),
            );
        }
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
        if rendered.is_none() && src.is_some() {
            args.push(
                SpecError::new(Some("src"), "the template was not rendered").with_help(format!(
                    "internal: the loader renders src and passes the text in {RENDERED_ARG}"
                )),
            );
        }
        args.finish()?;
        Ok({
            let content = rendered.unwrap_or_default().into_bytes();
            ContentSpec {
                dest,
                sha256: content_file::sha256_hex(&content),
                content,
                origin: src.unwrap_or_default(),
                force,
                follow,
                attrs,
                make_parents,
                directory_mode,
            }
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
