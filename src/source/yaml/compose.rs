//! Turns granit-parser events into [`Node`]s the way PyYAML's composer and Ansible's constructor do, in
//! one pass: tags are applied as each node completes, aliases are expanded (within the node budget),
//! merge keys are flattened and duplicate keys collapsed when a mapping ends.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_saphyr::granit_parser::{Event, Options, Parser, ScalarStyle, ScanError, Span as GSpan, Tag};

use super::hints::{TEMPLATE_HELP, hint_for_line};
use super::mapping::{self, Key, kind_name};
use super::node::{Node, NodeValue};
use super::resolve::{self, Implicit};
use super::tags::{self, CollectionTag, ScalarTag, UNSAFE, VAULT};
use super::timestamp::timestamp_isoformat;
use crate::diagnostics::Diagnostic;
use crate::source::{SourceFile, Span};

/// How much work one file may cause.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Nodes built, counting every copy an alias makes.
    pub max_nodes: usize,
    /// Collections nested in one another.
    pub max_depth: usize,
}

/// Composes the single document of `file`; `None` when the stream holds no document.
pub fn compose(file: &SourceFile, limits: Limits, warnings: &mut Vec<Diagnostic>) -> Result<Option<Node>, Diagnostic> {
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
        limits,
        warnings,
        stack: Vec::new(),
        anchors: HashMap::new(),
        anchor_names: HashMap::new(),
        pending: None,
        nodes: 0,
        unsafe_depth: 0,
        root: None,
        documents: 0,
    };
    for next in Parser::new_from_str_with_options(file.text(), options) {
        let (event, span) = next.map_err(|e| composer.scan_error(&e))?;
        if composer.event(event, span)? {
            break;
        }
    }
    composer.flush()?;
    Ok(composer.root.take())
}

/// A completed node, or one of the two scalars that only mean something as a mapping key.
#[derive(Clone)]
enum Built {
    Node(Node),
    /// A plain `<<` (or `!!merge`): PyYAML's merge key.
    Merge(Span),
    /// A plain `=` (or `!!value`): a string when it is a key, an error anywhere else.
    Value(Span),
}

struct Anchored {
    built: Built,
    size: usize,
}

struct Pending {
    built: Built,
    anchor: usize,
}

enum Content {
    Seq(Vec<Node>),
    Map { pairs: Vec<(Key, Node)>, key: Option<Key> },
}

struct Frame {
    content: Content,
    tag: CollectionTag,
    anchor: usize,
    start: usize,
    end: usize,
    size: usize,
}

struct Composer<'a> {
    file: &'a SourceFile,
    limits: Limits,
    warnings: &'a mut Vec<Diagnostic>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    anchor_names: HashMap<String, Span>,
    /// The last scalar, held back one event because its anchor's span arrives after it.
    pending: Option<Pending>,
    nodes: usize,
    /// How many `!unsafe` collections enclose the current event.
    unsafe_depth: usize,
    root: Option<Node>,
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
            Event::StreamStart | Event::DocumentEnd | Event::Anchor(..) => {}
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
                self.anchors.clear();
                self.anchor_names.clear();
            }
            Event::Scalar(value, style, anchor, tag) => {
                let built = self.scalar(value, style, tag.as_deref(), &span)?;
                self.count(1, &span)?;
                self.pending = Some(Pending { built, anchor });
            }
            Event::SequenceStart(_, anchor, tag) => self.start(true, anchor, tag.as_deref(), &span)?,
            Event::MappingStart(_, anchor, tag) => self.start(false, anchor, tag.as_deref(), &span)?,
            Event::SequenceEnd | Event::MappingEnd => self.end(&span)?,
            Event::Alias(id) => self.alias(id, &span)?,
            Event::UnresolvedAlias(name) => {
                return Err(Diagnostic::error(format!("YAML parsing failed: found undefined alias '{name}'."))
                    .at(self.span(&span)));
            }
            #[allow(unreachable_patterns)]
            _ => {}
        }
        Ok(false)
    }

    fn anchor(&mut self, id: usize, name: &str, span: &GSpan) -> Result<(), Diagnostic> {
        let here = self.span(span);
        if let Some(first) = self.anchor_names.get(name) {
            return Err(Diagnostic::error(format!(
                "YAML parsing failed: found duplicate anchor '{name}'; its first occurrence is at {first}."
            ))
            .at(here)
            .with_help("Anchor names must be unique within a file; rename one of them."));
        }
        self.anchor_names.insert(name.to_string(), here.clone());
        // The anchor precedes its node in the text, so the node's span starts here.
        if let Some(frame) = self.stack.last_mut().filter(|f| f.anchor == id) {
            frame.start = frame.start.min(here.offset);
        } else if let Some(Pending {
            built: Built::Node(node),
            ..
        }) = &mut self.pending
        {
            node.span = widen(&node.span, here.offset);
        }
        Ok(())
    }

    /// Places the held-back scalar, registering its anchor.
    fn flush(&mut self) -> Result<(), Diagnostic> {
        let Some(Pending { built, anchor }) = self.pending.take() else {
            return Ok(());
        };
        if anchor != 0 {
            self.anchors.insert(
                anchor,
                Anchored {
                    built: built.clone(),
                    size: 1,
                },
            );
        }
        self.place(built, 1)
    }

    fn count(&mut self, size: usize, span: &GSpan) -> Result<(), Diagnostic> {
        self.nodes = self.nodes.saturating_add(size);
        if self.nodes > self.limits.max_nodes {
            return Err(Diagnostic::error(format!(
                "YAML document too large: more than {} nodes after expanding aliases.",
                self.limits.max_nodes
            ))
            .at(self.span(span))
            .with_help(
                "Aliases (`*name`) copy their anchor's content; nested aliases multiply it (a \"billion laughs\" \
                 document). Reduce the aliasing or split the data into several files.",
            ));
        }
        Ok(())
    }

    fn alias(&mut self, id: usize, span: &GSpan) -> Result<(), Diagnostic> {
        if self.stack.iter().any(|f| f.anchor == id) {
            return Err(Diagnostic::error(
                "YAML parsing failed: recursive alias: it refers to a collection that contains it.",
            )
            .at(self.span(span))
            .with_help("A value cannot contain itself; Ansible's data cannot be circular."));
        }
        let Some(anchored) = self.anchors.get(&id) else {
            return Err(Diagnostic::error("YAML parsing failed: found undefined alias.").at(self.span(span)));
        };
        let size = anchored.size;
        self.count(size, span)?;
        let built = self.anchors.get(&id).map(|a| a.built.clone());
        match built {
            Some(built) => self.place(built, size),
            None => Ok(()),
        }
    }

    fn start(&mut self, is_seq: bool, anchor: usize, tag: Option<&Tag>, span: &GSpan) -> Result<(), Diagnostic> {
        let here = self.span(span);
        if self.stack.len() >= self.limits.max_depth {
            return Err(Diagnostic::error(format!(
                "YAML document nested too deeply: more than {} levels of lists and mappings.",
                self.limits.max_depth
            ))
            .at(here)
            .with_help("plimsoll stops at this depth to protect itself; flatten the data structure."));
        }
        self.count(1, span)?;
        let tag_text = tag.map(tag_string);
        let kind = tags::collection_tag(tag_text.as_deref(), is_seq).map_err(|message| {
            Diagnostic::error(format!("YAML parsing failed: {message}")).at(self.properties_span(span))
        })?;
        if let CollectionTag::Omap | CollectionTag::Pairs = kind {
            let name = if kind == CollectionTag::Omap { "omap" } else { "pairs" };
            let help = if kind == CollectionTag::Omap {
                "Use a standard mapping instead, as key order is always preserved."
            } else {
                "Use a standard mapping instead."
            };
            self.warnings.push(
                Diagnostic::warning(format!(
                    "Use of the YAML `!!{name}` tag is deprecated. This feature will be removed from ansible-core version 2.23."
                ))
                .at(self.properties_span(span))
                .with_help(help),
            );
        }
        if kind == CollectionTag::Unsafe {
            self.unsafe_depth += 1;
        }
        let start = properties_start(span).unwrap_or(here.offset);
        self.stack.push(Frame {
            content: if is_seq {
                Content::Seq(Vec::new())
            } else {
                Content::Map {
                    pairs: Vec::new(),
                    key: None,
                }
            },
            tag: kind,
            anchor,
            start,
            end: here.offset + here.len,
            size: 1,
        });
        Ok(())
    }

    fn end(&mut self, span: &GSpan) -> Result<(), Diagnostic> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        if frame.tag == CollectionTag::Unsafe {
            self.unsafe_depth = self.unsafe_depth.saturating_sub(1);
        }
        // A flow collection ends at its bracket; a block one at its last child.
        let close = self.span(span);
        let end = if close.len > 0 { close.offset + close.len } else { frame.end };
        let node_span = self.file.span(frame.start, end.saturating_sub(frame.start));
        let value = match frame.content {
            Content::Seq(items) => match frame.tag {
                CollectionTag::Omap | CollectionTag::Pairs => NodeValue::Seq(pairs_of(items, frame.tag)?),
                _ => NodeValue::Seq(items),
            },
            Content::Map { pairs, .. } => {
                let flat = mapping::flatten(pairs)?;
                let assigned = mapping::assign(flat, self.warnings);
                if frame.tag == CollectionTag::Set {
                    NodeValue::Seq(assigned.into_iter().map(|(k, _)| k).collect())
                } else {
                    NodeValue::Map(assigned)
                }
            }
        };
        let built = Built::Node(Node {
            value,
            span: node_span,
            tag: None,
        });
        if frame.anchor != 0 {
            self.anchors.insert(
                frame.anchor,
                Anchored {
                    built: built.clone(),
                    size: frame.size,
                },
            );
        }
        self.place(built, frame.size)
    }

    fn place(&mut self, built: Built, size: usize) -> Result<(), Diagnostic> {
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(value_node(built)?);
            return Ok(());
        };
        frame.size = frame.size.saturating_add(size);
        let node_end = match &built {
            Built::Node(n) => n.span.offset + n.span.len,
            Built::Merge(s) | Built::Value(s) => s.offset + s.len,
        };
        frame.end = frame.end.max(node_end);
        match &mut frame.content {
            Content::Seq(items) => items.push(value_node(built)?),
            Content::Map { pairs, key } => match key.take() {
                None => {
                    *key = Some(match built {
                        Built::Node(node) => {
                            check_hashable(&node)?;
                            Key::Node(node)
                        }
                        Built::Merge(_) => Key::Merge,
                        // flatten_mapping turns a `=` key into the string "=".
                        Built::Value(span) => Key::Node(Node {
                            value: NodeValue::Str("=".into()),
                            span,
                            tag: None,
                        }),
                    });
                }
                Some(k) => pairs.push((k, value_node(built)?)),
            },
        }
        Ok(())
    }

    fn scalar(
        &mut self,
        value: Cow<'_, str>,
        style: ScalarStyle,
        tag: Option<&Tag>,
        span: &GSpan,
    ) -> Result<Built, Diagnostic> {
        let content = self.span(span);
        let node_span = widen(&content, properties_start(span).unwrap_or(content.offset));
        // granit reports an empty plain node as "~" with an empty span; PyYAML sees the empty string.
        let text: &str = if style == ScalarStyle::Plain && content.len == 0 && value == "~" {
            ""
        } else {
            &value
        };
        let tag_text = tag.map(tag_string);
        let fail = |message: String| -> Diagnostic {
            Diagnostic::error(format!("YAML parsing failed: {message}")).at(node_span.clone())
        };
        let plain = style == ScalarStyle::Plain;
        let kind = tags::scalar_tag(tag_text.as_deref()).map_err(fail)?;
        let (value, local_tag) = match kind {
            ScalarTag::Implicit if plain => (self.implicit(text, &node_span)?, None),
            ScalarTag::Implicit => (Built::Node(Node::leaf(NodeValue::Str(text.into()), node_span.clone())), None),
            // libyaml marks `! 'x'` as plain-implicit, so PyYAML resolves it as if it were plain.
            ScalarTag::NonSpecific => (self.implicit(text, &node_span)?, None),
            ScalarTag::Unsafe => (self.implicit(text, &node_span)?, Some(UNSAFE)),
            ScalarTag::Vault { deprecated } => {
                if deprecated {
                    self.warnings.push(
                        Diagnostic::warning(
                            "Use of the YAML `!vault-encrypted` tag is deprecated. This feature will be removed from \
                             ansible-core version 2.23.",
                        )
                        .at(node_span.clone())
                        .with_help("Use the `!vault` tag instead."),
                    );
                }
                let resolved = self.implicit(text, &node_span)?;
                let is_str = matches!(&resolved, Built::Node(Node { value: NodeValue::Str(_), .. }));
                if !is_str {
                    return Err(fail(format!(
                        "the '{}' tag requires a string value.",
                        tag_text.as_deref().unwrap_or(VAULT)
                    ))
                    .with_help("Paste the output of `ansible-vault encrypt_string` as a block scalar: `key: !vault |`."));
                }
                (resolved, Some(VAULT))
            }
            ScalarTag::Core(core) => (
                tags::construct_core(core, text)
                    .map(|v| match v {
                        tags::Constructed::Node(value) => Built::Node(Node::leaf(value, node_span.clone())),
                        tags::Constructed::Merge => Built::Merge(node_span.clone()),
                        tags::Constructed::Value => Built::Value(node_span.clone()),
                    })
                    .map_err(fail)?,
                None,
            ),
        };
        let mut built = value;
        if let Built::Node(node) = &mut built {
            if let NodeValue::Str(_) = node.value {
                node.tag = match local_tag {
                    Some(tag) => Some(tag.to_string()),
                    None if self.unsafe_depth > 0 => Some(UNSAFE.to_string()),
                    None => None,
                };
            }
        }
        Ok(built)
    }

    /// A scalar resolved as PyYAML resolves a plain one.
    fn implicit(&self, text: &str, span: &Span) -> Result<Built, Diagnostic> {
        let fail = |message: String| Diagnostic::error(format!("YAML parsing failed: {message}")).at(span.clone());
        let value = match resolve::resolve_plain(text) {
            Implicit::Null => NodeValue::Null,
            Implicit::Bool => NodeValue::Bool(resolve::construct_bool(text).map_err(fail)?),
            Implicit::Int => NodeValue::Int(resolve::construct_int(text).map_err(fail)?),
            Implicit::Float => NodeValue::Float(resolve::construct_float(text).map_err(fail)?),
            Implicit::Timestamp => NodeValue::Str(timestamp_isoformat(text).map_err(fail)?),
            Implicit::Merge => return Ok(Built::Merge(span.clone())),
            Implicit::Value => return Ok(Built::Value(span.clone())),
            Implicit::Str => NodeValue::Str(text.to_string()),
        };
        Ok(Built::Node(Node::leaf(value, span.clone())))
    }

    fn span(&self, span: &GSpan) -> Span {
        match span.byte_range() {
            Some(range) => self.file.span(range.start, range.end.saturating_sub(range.start)),
            None => self.file.span_at_line_col(span.start.line(), span.start.col() + 1, 0),
        }
    }

    /// The span of a node's tag, or of the node itself when it has none.
    fn properties_span(&self, span: &GSpan) -> Span {
        span.tag_span().map_or_else(|| self.span(span), |t| self.span(&t))
    }

    fn scan_error(&self, error: &ScanError) -> Diagnostic {
        let marker = error.marker();
        let span = match marker.byte_offset() {
            Some(offset) => self.file.span(offset, 0),
            None => self.file.span_at_line_col(marker.line(), marker.col() + 1, 0),
        };
        let line_text = self.file.text().lines().nth(span.line().saturating_sub(1)).unwrap_or("");
        let mut info = error.info();
        if let Some(first) = info.get(..1) {
            info = format!("{}{}", first.to_uppercase(), info.get(1..).unwrap_or(""));
        }
        let diagnostic = Diagnostic::error(format!("YAML parsing failed: {info}.")).at(span);
        match hint_for_line(line_text) {
            Some(help) => diagnostic.with_help(help),
            None => diagnostic,
        }
    }
}

impl Node {
    fn leaf(value: NodeValue, span: Span) -> Node {
        Node { value, span, tag: None }
    }
}

/// A node in a value position; `<<` and `=` have no meaning there (PyYAML: no constructor for the tag).
fn value_node(built: Built) -> Result<Node, Diagnostic> {
    match built {
        Built::Node(node) => Ok(node),
        Built::Merge(span) => Err(Diagnostic::error(
            "YAML parsing failed: could not determine a constructor for the tag 'tag:yaml.org,2002:merge'.",
        )
        .at(span)
        .with_help("`<<` is YAML's merge key and only works as a mapping key; quote it ('<<') to use the text.")),
        Built::Value(span) => Err(Diagnostic::error(
            "YAML parsing failed: could not determine a constructor for the tag 'tag:yaml.org,2002:value'.",
        )
        .at(span)
        .with_help("A bare `=` is special in YAML 1.1; quote it ('=') to use the text.")),
    }
}

/// Python dict keys must be hashable: lists and dicts are not (nor sets and ordered maps, which we
/// build as lists).
fn check_hashable(key: &Node) -> Result<(), Diagnostic> {
    if let NodeValue::Seq(_) | NodeValue::Map(_) = key.value {
        let line = key.span.file.text().lines().nth(key.span.line().saturating_sub(1)).unwrap_or("");
        let help = hint_for_line(line)
            .filter(|h| h.as_str() == TEMPLATE_HELP)
            .unwrap_or_else(|| {
                format!(
                    "A {} cannot be a mapping key. If this was meant as text, quote it.",
                    kind_name(&key.value)
                )
            });
        return Err(Diagnostic::error("YAML parsing failed: while constructing a mapping, found unhashable key.")
            .at(key.span.clone())
            .with_help(help));
    }
    Ok(())
}

/// `!!omap` and `!!pairs`: a list of single-entry mappings becomes a list of `[key, value]` pairs.
fn pairs_of(items: Vec<Node>, tag: CollectionTag) -> Result<Vec<Node>, Diagnostic> {
    let what = if tag == CollectionTag::Omap {
        "an ordered map"
    } else {
        "pairs"
    };
    items
        .into_iter()
        .map(|item| {
            let span = item.span.clone();
            match item.value {
                NodeValue::Map(entries) if entries.len() == 1 => {
                    let pair: Vec<Node> = entries.into_iter().flat_map(|(k, v)| [k, v]).collect();
                    Ok(Node {
                        value: NodeValue::Seq(pair),
                        span,
                        tag: None,
                    })
                }
                NodeValue::Map(entries) => Err(Diagnostic::error(format!(
                    "YAML parsing failed: while constructing {what}, expected a single mapping item, but found {} items.",
                    entries.len()
                ))
                .at(span)),
                other => Err(Diagnostic::error(format!(
                    "YAML parsing failed: while constructing {what}, expected a mapping of length 1, but found {}.",
                    kind_name(&other)
                ))
                .at(span)),
            }
        })
        .collect()
}

/// The full tag as PyYAML names it: `!vault`, `tag:yaml.org,2002:int`, `tag:example.com,2000:foo`.
fn tag_string(tag: &Tag) -> String {
    format!("{}{}", tag.handle(), tag.suffix())
}

/// Where the node's properties (its tag) begin, if it has one.
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
