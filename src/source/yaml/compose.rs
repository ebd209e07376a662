//! PyYAML's composer: granit-parser events become a graph of raw nodes (tags unresolved, aliases shared
//! rather than copied), checked for one document, unique anchors, no recursion and the depth limit.
//! [`super::construct`] then types it.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::LazyLock;

use regex::Regex;

use serde_saphyr::granit_parser::{
    Event, Options, Parser, ScalarStyle, ScanError, Span as GSpan, StructureStyle, Tag,
};

use super::compat::{
    alias_key_colon, check_anchor_name, refuse_yaml11_line_breaks, tab_after_indicator,
};
use super::hints::hint_for_line;
use crate::diagnostics::Diagnostic;
use crate::source::{SourceFile, Span};

static ALIAS_KEY: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"\*[A-Za-z0-9_-]+:").ok());

/// How much work one file may cause.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Nodes built, counting every copy an alias makes.
    pub max_nodes: usize,
    /// Collections nested in one another.
    pub max_depth: usize,
}

/// A node as PyYAML's composer leaves it: the scalar text, its style and explicit tag; aliases point at
/// the anchored node.
pub struct Raw {
    pub kind: RawKind,
    /// From the node's properties (tag, anchor) to its end.
    pub span: Span,
    /// The full tag (`!vault`, `tag:yaml.org,2002:int`, `!`), if one was written.
    pub tag: Option<String>,
    /// Anchored nodes can be reached more than once.
    pub anchored: bool,
}

pub enum RawKind {
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Rc<Raw>>),
    Map(Vec<(Rc<Raw>, Rc<Raw>)>),
    /// `*name`: the anchored node, and the alias's own span lives in [`Raw::span`].
    Alias(Rc<Raw>),
}

impl Raw {
    /// The node an alias stands for (PyYAML's composer returns the anchored node itself).
    pub fn target(self: &Rc<Raw>) -> &Rc<Raw> {
        match &self.kind {
            RawKind::Alias(target) => target,
            _ => self,
        }
    }
}

/// Composes the single document of `file`; `None` when the stream holds no document.
pub fn compose(file: &SourceFile, limits: Limits) -> Result<Option<Rc<Raw>>, Diagnostic> {
    refuse_yaml11_line_breaks(file)?;
    let mut text = file.text().to_string();
    let mut inserted: Vec<usize> = Vec::new();
    loop {
        match compose_text(file, &text, &inserted, limits) {
            Ok(root) => return Ok(root),
            Err(Failure::Error(diagnostic)) => return Err(diagnostic),
            // libyaml ends an alias name at `:` (`*base: x` is an alias key); granit, following YAML 1.2,
            // reads the colon into the name. Parse again with a space after the name, as many times as
            // the file needs (within reason), and map positions back to the original text.
            Err(Failure::AliasKey { colon, diagnostic }) => {
                if inserted.len() >= MAX_ALIAS_KEY_FIXES {
                    return Err(diagnostic);
                }
                for at in inserted.iter_mut().filter(|at| **at >= colon) {
                    *at += 1;
                }
                text.insert(colon, ' ');
                inserted.push(colon);
            }
        }
    }
}

const MAX_ALIAS_KEY_FIXES: usize = 1000;

enum Failure {
    Error(Diagnostic),
    AliasKey {
        colon: usize,
        diagnostic: Diagnostic,
    },
}

impl From<Diagnostic> for Failure {
    fn from(diagnostic: Diagnostic) -> Self {
        Failure::Error(diagnostic)
    }
}

fn compose_text(
    file: &SourceFile,
    text: &str,
    inserted: &[usize],
    limits: Limits,
) -> Result<Option<Rc<Raw>>, Failure> {
    let mut options = Options::default();
    options.emit_anchor_events = true;
    options.set_emit_comments(false);
    // libyaml (which Ansible uses through PyYAML's CParser) adds no line feed to a block scalar that ends
    // the file without one.
    options.block_scalar_eof_without_line_feed = true;
    // Our own depth check, with its clearer message, must fire before the parser's.
    options.flow_nesting_limit = limits.max_depth.saturating_mul(2);
    options.block_nesting_limit = limits.max_depth.saturating_mul(2);
    let mut composer = Composer {
        file,
        text,
        inserted,
        limits,
        stack: Vec::new(),
        anchors: HashMap::new(),
        anchor_names: HashMap::new(),
        pending: None,
        nodes: 0,
        root: None,
        documents: 0,
    };
    for next in Parser::new_from_str_with_options(text, options) {
        let (event, span) = match next {
            Ok(next) => next,
            Err(error) => {
                let diagnostic = composer.scan_error(&error);
                let at = error.marker().byte_offset().unwrap_or(usize::MAX);
                return Err(match alias_key_colon(text, at) {
                    Some(colon) => Failure::AliasKey { colon, diagnostic },
                    None => Failure::Error(diagnostic),
                });
            }
        };
        if composer.event(event, span)? {
            break;
        }
    }
    composer.flush()?;
    Ok(composer.root.take())
}

struct Pending {
    raw: Raw,
    anchor: usize,
}

enum Content {
    Seq(Vec<Rc<Raw>>),
    Map {
        pairs: Vec<(Rc<Raw>, Rc<Raw>)>,
        key: Option<Rc<Raw>>,
    },
}

struct Frame {
    content: Content,
    flow: bool,
    tag: Option<String>,
    anchor: usize,
    start: usize,
    end: usize,
}

struct Composer<'a> {
    file: &'a SourceFile,
    /// The text being parsed: the file's, or a copy with spaces added after alias keys.
    text: &'a str,
    /// Where those spaces were added, in `text`'s offsets.
    inserted: &'a [usize],
    limits: Limits,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Rc<Raw>>,
    anchor_names: HashMap<String, Span>,
    /// The last scalar, held back one event because its anchor's span arrives after it.
    pending: Option<Pending>,
    nodes: usize,
    root: Option<Rc<Raw>>,
    documents: usize,
}

impl Composer<'_> {
    /// Handles one event; true at the end of the stream.
    fn event(&mut self, event: Event<'_>, span: GSpan) -> Result<bool, Diagnostic> {
        if let Event::Anchor(id, name) = &event {
            return self.anchor(*id, name, &span).map(|()| false);
        }
        self.flush()?;
        match event {
            Event::StreamEnd => return Ok(true),
            Event::DocumentStart(..) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(Diagnostic::error(
                        "YAML parsing failed: expected a single document in the stream, but found another document.",
                    )
                    .at(self.span(&span))
                    .with_help("Ansible reads one document per file; remove the `---` line or split the file."));
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                self.count(&span)?;
                let content = self.span(&span);
                let start = parse_start(&span);
                let properties = properties_start(&span).unwrap_or(start);
                let node_span = widen(&content, self.orig(properties));
                // granit reports an empty plain node as "~" with an empty span; PyYAML sees "".
                let plain = style == ScalarStyle::Plain;
                let empty = plain && content.len == 0 && value == "~";
                if anchor == 0 {
                    self.check_token_start(properties)?;
                }
                if empty && tag.is_none() && anchor == 0 {
                    self.check_empty_key(start)?;
                }
                let text = if empty {
                    String::new()
                } else {
                    value.into_owned()
                };
                self.pending = Some(Pending {
                    raw: Raw {
                        kind: RawKind::Scalar { text, plain },
                        span: node_span,
                        tag: tag.as_deref().map(tag_string),
                        anchored: anchor != 0,
                    },
                    anchor,
                });
            }
            Event::SequenceStart(style, anchor, tag) => {
                self.start(
                    true,
                    style == StructureStyle::Flow,
                    anchor,
                    tag.as_deref(),
                    &span,
                )?;
            }
            Event::MappingStart(style, anchor, tag) => {
                self.start(
                    false,
                    style == StructureStyle::Flow,
                    anchor,
                    tag.as_deref(),
                    &span,
                )?;
            }
            Event::SequenceEnd | Event::MappingEnd => self.end(&span)?,
            Event::Alias(id) => self.alias(id, &span)?,
            Event::UnresolvedAlias(name) => {
                return Err(Diagnostic::error(format!(
                    "YAML parsing failed: found undefined alias '{name}'."
                ))
                .at(self.span(&span)));
            }
            _ => {}
        }
        Ok(false)
    }

    fn anchor(&mut self, id: usize, name: &str, span: &GSpan) -> Result<(), Diagnostic> {
        let here = self.span(span);
        check_anchor_name(name, "an anchor", &here)?;
        if let Some(first) = self.anchor_names.get(name) {
            return Err(Diagnostic::error(format!(
                "YAML parsing failed: found duplicate anchor '{name}'; its first occurrence is at {first}."
            ))
            .at(here)
            .with_help("Anchor names must be unique within a file; rename one of them."));
        }
        self.anchor_names.insert(name.to_string(), here.clone());
        self.check_token_start(parse_start(span))?;
        // The anchor precedes its node in the text, so the node's span starts here.
        if let Some(frame) = self.stack.last_mut().filter(|f| f.anchor == id) {
            frame.start = frame.start.min(here.offset);
        } else if let Some(pending) = self.pending.as_mut().filter(|p| p.anchor == id) {
            pending.raw.span = widen(&pending.raw.span, here.offset);
        }
        Ok(())
    }

    /// Places the held-back scalar, registering its anchor.
    fn flush(&mut self) -> Result<(), Diagnostic> {
        let Some(Pending { raw, anchor }) = self.pending.take() else {
            return Ok(());
        };
        let raw = Rc::new(raw);
        if anchor != 0 {
            self.anchors.insert(anchor, raw.clone());
        }
        self.place(raw);
        Ok(())
    }

    fn count(&mut self, span: &GSpan) -> Result<(), Diagnostic> {
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes {
            return Err(too_many_nodes(self.limits.max_nodes, self.span(span)));
        }
        Ok(())
    }

    fn alias(&mut self, id: usize, span: &GSpan) -> Result<(), Diagnostic> {
        let here = self.span(span);
        self.check_token_start(parse_start(span))?;
        check_anchor_name(here.text().trim_start_matches('*'), "an alias", &here)?;
        if self.stack.iter().any(|f| f.anchor == id) {
            return Err(Diagnostic::error(
                "YAML parsing failed: recursive alias: it refers to a collection that contains it.",
            )
            .at(here)
            .with_help("A value cannot contain itself; Ansible's data cannot be circular."));
        }
        let Some(target) = self.anchors.get(&id).cloned() else {
            return Err(Diagnostic::error("YAML parsing failed: found undefined alias.").at(here));
        };
        self.place(Rc::new(Raw {
            kind: RawKind::Alias(target),
            span: here,
            tag: None,
            anchored: false,
        }));
        Ok(())
    }

    fn start(
        &mut self,
        is_seq: bool,
        flow: bool,
        anchor: usize,
        tag: Option<&Tag>,
        span: &GSpan,
    ) -> Result<(), Diagnostic> {
        let here = self.span(span);
        if self.stack.len() >= self.limits.max_depth {
            return Err(Diagnostic::error(format!(
                "YAML document nested too deeply: more than {} levels of lists and mappings.",
                self.limits.max_depth
            ))
            .at(here)
            .with_help(
                "plimsoll stops at this depth to protect itself; flatten the data structure.",
            ));
        }
        self.count(span)?;
        let start = properties_start(span).unwrap_or(parse_start(span));
        if anchor == 0 {
            self.check_token_start(start)?;
        }
        let start = self.orig(start);
        self.stack.push(Frame {
            flow,
            content: if is_seq {
                Content::Seq(Vec::new())
            } else {
                Content::Map {
                    pairs: Vec::new(),
                    key: None,
                }
            },
            tag: tag.map(tag_string),
            anchor,
            start,
            end: here.offset + here.len,
        });
        Ok(())
    }

    fn end(&mut self, span: &GSpan) -> Result<(), Diagnostic> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        // A flow collection ends at its bracket; a block one at its last child.
        let close = self.span(span);
        let end = if close.len > 0 {
            close.offset + close.len
        } else {
            frame.end
        };
        let kind = match frame.content {
            Content::Seq(items) => RawKind::Seq(items),
            Content::Map { pairs, .. } => RawKind::Map(pairs),
        };
        let raw = Rc::new(Raw {
            kind,
            span: self.file.span(frame.start, end.saturating_sub(frame.start)),
            tag: frame.tag,
            anchored: frame.anchor != 0,
        });
        if frame.anchor != 0 {
            self.anchors.insert(frame.anchor, raw.clone());
        }
        self.place(raw);
        Ok(())
    }

    fn place(&mut self, raw: Rc<Raw>) {
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(raw);
            return;
        };
        frame.end = frame.end.max(raw.span.offset + raw.span.len);
        match &mut frame.content {
            Content::Seq(items) => items.push(raw),
            Content::Map { pairs, key } => match key.take() {
                None => *key = Some(raw),
                Some(k) => pairs.push((k, raw)),
            },
        }
    }

    /// libyaml rejects a tab between a block `-` or `?` indicator and the next token (granit, following
    /// YAML 1.2, accepts it); Ansible then says tabs are usually invalid.
    fn check_token_start(&self, token_start: usize) -> Result<(), Diagnostic> {
        if self.stack.last().is_some_and(|f| f.flow) {
            return Ok(());
        }
        match tab_after_indicator(self.text, token_start) {
            Some(tab) => Err(Diagnostic::error(
                "YAML parsing failed: found a tab after a `-` or `?` indicator, which YAML 1.1 (and so Ansible) \
                 does not allow.",
            )
            .at(self.at(tab, 1))
            .with_help("Tabs are usually invalid in YAML: use spaces after `-` and `?`.")),
            None => Ok(()),
        }
    }

    /// libyaml has no empty implicit keys (`: value`, `{: value}`); only `? ` makes an empty key.
    fn check_empty_key(&self, offset: usize) -> Result<(), Diagnostic> {
        let in_key_position = matches!(
            self.stack.last(),
            Some(Frame {
                content: Content::Map { key: None, .. },
                ..
            })
        );
        let text = self.text;
        if !in_key_position || text.as_bytes().get(offset) != Some(&b':') {
            return Ok(());
        }
        let before = text.get(..offset).unwrap_or("").trim_end();
        if before.ends_with('?') {
            return Ok(());
        }
        Err(Diagnostic::error("YAML parsing failed: while parsing a mapping, did not find expected key.")
            .at(self.at(offset, 1))
            .with_help("A mapping key cannot be empty: put the key before the `:` (or quote a value that contains `: `)."))
    }

    fn span(&self, span: &GSpan) -> Span {
        match span.byte_range() {
            Some(range) => self.at(range.start, range.end.saturating_sub(range.start)),
            None => self
                .file
                .span_at_line_col(span.start.line(), span.start.col() + 1, 0),
        }
    }

    /// The original file's offset for an offset in the parsed text.
    fn orig(&self, offset: usize) -> usize {
        offset - self.inserted.iter().filter(|&&at| at < offset).count()
    }

    /// A span of the original file from a range of the parsed text.
    fn at(&self, start: usize, len: usize) -> Span {
        let from = self.orig(start);
        let to = self.orig(start + len);
        self.file.span(from, to.saturating_sub(from))
    }

    fn scan_error(&self, error: &ScanError) -> Diagnostic {
        let marker = error.marker();
        let span = match marker.byte_offset() {
            Some(offset) => self.at(offset, 0),
            None => self
                .file
                .span_at_line_col(marker.line(), marker.col() + 1, 0),
        };
        let line_text = self
            .file
            .text()
            .lines()
            .nth(span.line().saturating_sub(1))
            .unwrap_or("");
        let info = error.info();
        let mut chars = info.chars();
        let info = match chars.next() {
            Some(first) => format!("{}{}", first.to_uppercase(), chars.as_str()),
            None => "invalid YAML".into(),
        };
        let diagnostic = Diagnostic::error(format!("YAML parsing failed: {info}.")).at(span);
        if ALIAS_KEY.as_ref().is_some_and(|r| r.is_match(line_text)) {
            return diagnostic.with_help(
                "An alias used as a key needs a space before the colon (`*name : value`): without it, the colon \
                 is read as part of the alias name.",
            );
        }
        match hint_for_line(line_text) {
            Some(help) => diagnostic.with_help(help),
            None => diagnostic,
        }
    }
}

pub fn too_many_nodes(max: usize, span: Span) -> Diagnostic {
    Diagnostic::error(format!(
        "YAML document too large: more than {max} nodes after expanding aliases."
    ))
    .at(span)
    .with_help(
        "Aliases (`*name`) copy their anchor's content and nested aliases multiply it (a \"billion laughs\" \
         document). Reduce the aliasing or split the data into several files.",
    )
}

/// The full tag as PyYAML names it: `!vault`, `tag:yaml.org,2002:int`, `tag:example.com,2000:foo`.
fn tag_string(tag: &Tag) -> String {
    format!("{}{}", tag.handle(), tag.suffix())
}

/// Where a token starts in the parsed text.
fn parse_start(span: &GSpan) -> usize {
    span.byte_range().map_or(0, |r| r.start)
}

/// Where the node's tag begins, if it has one and it comes first.
fn properties_start(span: &GSpan) -> Option<usize> {
    let tag = span.tag_span()?;
    let tag_start = tag.byte_range()?.start;
    let own = span.byte_range()?.start;
    Some(tag_start.min(own))
}

/// `span` extended backwards to `start`.
fn widen(span: &Span, start: usize) -> Span {
    if start >= span.offset {
        return span.clone();
    }
    span.file.span(start, span.offset + span.len - start)
}
