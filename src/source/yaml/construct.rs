//! PyYAML's SafeConstructor with Ansible's additions (`!unsafe`, `!vault`, duplicate-key warnings), from
//! raw nodes to typed [`Node`]s. Aliases are expanded here, within the node budget; anchored nodes are
//! built once and copied, as PyYAML builds them once and shares them.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::compose::{Limits, Raw, RawKind, too_many_nodes};
use super::hints::{TEMPLATE_HELP, hint_for_line};
use super::mapping::{assign, kind_name};
use super::node::{Node, NodeValue};
use super::resolve::{self, Implicit};
use super::tags::{self, CollectionTag, Constructed, ScalarTag, UNSAFE, VAULT};
use super::timestamp::timestamp_isoformat;
use crate::diagnostics::Diagnostic;
use crate::source::Span;

/// Builds the typed tree for `root`.
pub fn construct(
    root: &Rc<Raw>,
    limits: Limits,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Node, Diagnostic> {
    let mut constructor = Constructor {
        limits,
        warnings,
        nodes: 0,
        depth: 0,
        unsafe_depth: 0,
        built: HashMap::new(),
        flattened: HashMap::new(),
        warned: HashSet::new(),
    };
    constructor.node(root).map(|(node, _)| node)
}

/// A mapping entry after merge keys are flattened.
#[derive(Clone)]
struct Pair {
    key: Rc<Raw>,
    value: Rc<Raw>,
    /// A `=` key (YAML 1.1's value key), which flatten_mapping turns into a plain string.
    key_as_str: bool,
}

/// The identity PyYAML 6.0.4's flatten_mapping uses to drop repeated merged keys: `id()` of the key
/// node's text. CPython shares the objects for "" and one-character Latin-1 strings, so those repeat by
/// text; any other key only repeats when it is the very same node (reached through an alias).
#[derive(Hash, PartialEq, Eq)]
enum KeyId {
    Shared(String),
    Node(usize),
}

fn key_id(key: &Rc<Raw>) -> KeyId {
    let key = key.target();
    if let RawKind::Scalar { text, .. } = &key.kind {
        let mut chars = text.chars();
        let shared = match (chars.next(), chars.next()) {
            (None, _) => true,
            (Some(c), None) => (c as u32) < 256,
            _ => false,
        };
        if shared {
            return KeyId::Shared(text.clone());
        }
    }
    KeyId::Node(Rc::as_ptr(key) as usize)
}

struct Constructor<'w> {
    limits: Limits,
    warnings: &'w mut Vec<Diagnostic>,
    nodes: usize,
    depth: usize,
    /// How many `!unsafe` collections enclose the node being built.
    unsafe_depth: usize,
    /// Anchored nodes already built, with their node counts.
    built: HashMap<usize, (Node, usize)>,
    /// Anchored mappings already flattened (merge chains would otherwise be re-flattened exponentially).
    flattened: HashMap<usize, Rc<Vec<Pair>>>,
    /// Mappings whose duplicate keys were reported. PyYAML builds each node once, so Ansible warns once
    /// per mapping even when merge keys make us build a mapping again.
    warned: HashSet<usize>,
}

type Built = Result<(Node, usize), Diagnostic>;

impl Constructor<'_> {
    fn count(&mut self, size: usize, span: &Span) -> Result<(), Diagnostic> {
        self.nodes = self.nodes.saturating_add(size);
        if self.nodes > self.limits.max_nodes {
            return Err(too_many_nodes(self.limits.max_nodes, span.clone()));
        }
        Ok(())
    }

    /// The typed node and how many nodes it holds.
    fn node(&mut self, raw: &Rc<Raw>) -> Built {
        let target = raw.target();
        let id = Rc::as_ptr(target) as usize;
        if let Some(size) = self.built.get(&id).map(|(_, size)| *size) {
            // Copies count against the budget at the alias that makes them.
            self.count(size, &raw.span)?;
            return self
                .built
                .get(&id)
                .map(|(n, _)| (n.clone(), size))
                .ok_or_else(|| {
                    Diagnostic::error("internal error: a built anchor disappeared")
                        .at(raw.span.clone())
                });
        }
        let (node, size) = match &target.kind {
            RawKind::Scalar { text, plain } => {
                self.count(1, &raw.span)?;
                (self.scalar(target, text, *plain)?, 1)
            }
            RawKind::Seq(items) => self.nested(raw, |c| c.seq(target, items))?,
            RawKind::Map(_) => self.nested(raw, |c| c.map(target))?,
            RawKind::Alias(_) => {
                return Err(
                    Diagnostic::error("internal error: alias to an alias").at(raw.span.clone())
                );
            }
        };
        if target.anchored {
            self.built.insert(id, (node.clone(), size));
        }
        Ok((node, size))
    }

    /// Builds a collection one level deeper; aliases can stack structures beyond what the parser saw.
    fn nested(&mut self, raw: &Rc<Raw>, build: impl FnOnce(&mut Self) -> Built) -> Built {
        if self.depth >= self.limits.max_depth {
            return Err(Diagnostic::error(format!(
                "YAML document nested too deeply: more than {} levels of lists and mappings (counting aliases).",
                self.limits.max_depth
            ))
            .at(raw.span.clone())
            .with_help("plimsoll stops at this depth to protect itself; flatten the data structure."));
        }
        self.count(1, &raw.span)?;
        self.depth += 1;
        let built = build(self);
        self.depth -= 1;
        built
    }

    fn collection_tag(&mut self, raw: &Raw, is_seq: bool) -> Result<CollectionTag, Diagnostic> {
        let kind =
            tags::collection_tag(raw.tag.as_deref(), is_seq).map_err(|m| failed(m, &raw.span))?;
        if let CollectionTag::Omap | CollectionTag::Pairs = kind {
            let (name, help) = if kind == CollectionTag::Omap {
                (
                    "omap",
                    "Use a standard mapping instead, as key order is always preserved.",
                )
            } else {
                ("pairs", "Use a standard mapping instead.")
            };
            self.warnings.push(
                Diagnostic::warning(format!(
                    "Use of the YAML `!!{name}` tag is deprecated. This feature will be removed from ansible-core \
                     version 2.23."
                ))
                .at(raw.span.clone())
                .with_help(help),
            );
        }
        Ok(kind)
    }

    fn seq(&mut self, raw: &Rc<Raw>, items: &[Rc<Raw>]) -> Built {
        let kind = self.collection_tag(raw, true)?;
        let unsafe_here = usize::from(kind == CollectionTag::Unsafe);
        self.unsafe_depth += unsafe_here;
        let built = match kind {
            CollectionTag::Omap | CollectionTag::Pairs => self.pairs_of(raw, items, kind),
            _ => {
                let mut nodes = Vec::with_capacity(items.len());
                let mut size = 1;
                for item in items {
                    let (node, n) = self.node(item)?;
                    size += n;
                    nodes.push(node);
                }
                Ok((self.collection(raw, NodeValue::Seq(nodes)), size))
            }
        };
        self.unsafe_depth -= unsafe_here;
        built
    }

    fn map(&mut self, raw: &Rc<Raw>) -> Built {
        let kind = self.collection_tag(raw, false)?;
        let unsafe_here = usize::from(kind == CollectionTag::Unsafe);
        self.unsafe_depth += unsafe_here;
        let first_time = self.warned.insert(Rc::as_ptr(raw) as usize);
        let built = self.map_pairs(raw).map(|(pairs, size)| {
            let mut found = Vec::new();
            let pairs = assign(pairs, &mut found);
            if first_time {
                self.warnings.extend(found);
            }
            let value = if kind == CollectionTag::Set {
                NodeValue::Seq(pairs.into_iter().map(|(k, _)| k).collect())
            } else {
                NodeValue::Map(pairs)
            };
            (self.collection(raw, value), size)
        });
        self.unsafe_depth -= unsafe_here;
        built
    }

    fn map_pairs(&mut self, raw: &Rc<Raw>) -> Result<(Vec<(Node, Node)>, usize), Diagnostic> {
        let flat = self.flatten(raw)?;
        let mut pairs = Vec::with_capacity(flat.len());
        let mut size = 1;
        for pair in flat.iter() {
            let key = if pair.key_as_str {
                let target = pair.key.target();
                let text = match &target.kind {
                    RawKind::Scalar { text, .. } => text.clone(),
                    _ => String::new(),
                };
                self.count(1, &pair.key.span)?;
                (
                    self.string(NodeValue::Str(text), target.span.clone(), None),
                    1,
                )
            } else {
                // PyYAML finds a collection key unhashable before it fills the collection in.
                check_raw_hashable(&pair.key)?;
                self.node(&pair.key)?
            };
            check_hashable(&key.0)?;
            let value = self.node(&pair.value)?;
            size += key.1 + value.1;
            pairs.push((key.0, value.0));
        }
        Ok((pairs, size))
    }

    /// SafeConstructor.flatten_mapping as in PyYAML 6.0.4: the pairs of merged mappings come first (in
    /// `<<` order, each merged key kept once by [`KeyId`]), then the mapping's own pairs.
    fn flatten(&mut self, raw: &Rc<Raw>) -> Result<Rc<Vec<Pair>>, Diagnostic> {
        let id = Rc::as_ptr(raw) as usize;
        if let Some(done) = self.flattened.get(&id) {
            return Ok(done.clone());
        }
        let RawKind::Map(pairs) = &raw.kind else {
            return Ok(Rc::new(Vec::new()));
        };
        let mut merged = Vec::new();
        let mut seen = HashSet::new();
        let mut own = Vec::with_capacity(pairs.len());
        for (key, value) in pairs {
            if !is_special_key(key.target(), Implicit::Merge) {
                own.push(Pair {
                    key: key.clone(),
                    value: value.clone(),
                    key_as_str: is_special_key(key.target(), Implicit::Value),
                });
                continue;
            }
            let source = value.target();
            let maps: Vec<&Rc<Raw>> = match &source.kind {
                RawKind::Map(_) => vec![source],
                RawKind::Seq(items) => {
                    let mut maps = Vec::with_capacity(items.len());
                    for item in items {
                        let item = item.target();
                        if !matches!(item.kind, RawKind::Map(_)) {
                            return Err(failed(
                                format!(
                                    "while constructing a mapping, expected a mapping for merging, but found {}.",
                                    raw_kind_name(item)
                                ),
                                &item.span,
                            )
                            .with_help("Every item of a `<<:` list must be a mapping, e.g. `<<: [*defaults, *extra]`."));
                        }
                        maps.push(item);
                    }
                    maps
                }
                _ => {
                    return Err(failed(
                        format!(
                            "while constructing a mapping, expected a mapping or list of mappings for merging, but \
                             found {}.",
                            raw_kind_name(source)
                        ),
                        &value.span,
                    )
                    .with_help(
                        "`<<` is YAML's merge key: its value must be a mapping (`<<: *defaults`) or a list of them. \
                         Quote it ('<<') to use it as an ordinary key.",
                    ));
                }
            };
            for map in maps {
                let sub = self.flatten(map)?;
                for pair in sub.iter() {
                    if seen.insert(key_id(&pair.key)) {
                        merged.push(pair.clone());
                    }
                }
            }
        }
        merged.extend(own);
        let merged = Rc::new(merged);
        if raw.anchored {
            self.flattened.insert(id, merged.clone());
        }
        Ok(merged)
    }

    /// `!!omap` and `!!pairs`: a list of single-entry mappings becomes a list of `[key, value]` pairs
    /// (Python tuples, printed as lists).
    fn pairs_of(&mut self, raw: &Rc<Raw>, items: &[Rc<Raw>], kind: CollectionTag) -> Built {
        let what = if kind == CollectionTag::Omap {
            "an ordered map"
        } else {
            "pairs"
        };
        let mut nodes = Vec::with_capacity(items.len());
        let mut size = 1;
        for item in items {
            let target = item.target();
            let entries = match &target.kind {
                RawKind::Map(entries) if entries.len() == 1 => entries,
                RawKind::Map(entries) => {
                    return Err(failed(
                        format!(
                            "while constructing {what}, expected a single mapping item, but found {} items.",
                            entries.len()
                        ),
                        &item.span,
                    ));
                }
                _ => {
                    return Err(failed(
                        format!(
                            "while constructing {what}, expected a mapping of length 1, but found {}.",
                            raw_kind_name(target)
                        ),
                        &item.span,
                    ));
                }
            };
            for (key, value) in entries {
                let (key, k) = self.node(key)?;
                let (value, v) = self.node(value)?;
                self.count(1, &item.span)?;
                size += k + v + 1;
                nodes.push(Node {
                    value: NodeValue::Seq(vec![key, value]),
                    span: target.span.clone(),
                    tag: None,
                });
            }
        }
        Ok((self.collection(raw, NodeValue::Seq(nodes)), size))
    }

    fn collection(&self, raw: &Raw, value: NodeValue) -> Node {
        Node {
            value,
            span: raw.span.clone(),
            tag: None,
        }
    }

    /// A string node, marked unsafe inside an `!unsafe` collection.
    fn string(&self, value: NodeValue, span: Span, tag: Option<&str>) -> Node {
        let tag = match tag {
            Some(tag) => Some(tag.to_string()),
            None if self.unsafe_depth > 0 && matches!(value, NodeValue::Str(_)) => {
                Some(UNSAFE.to_string())
            }
            None => None,
        };
        Node { value, span, tag }
    }

    fn scalar(&mut self, raw: &Raw, text: &str, plain: bool) -> Result<Node, Diagnostic> {
        let span = &raw.span;
        let tag = tags::scalar_tag(raw.tag.as_deref()).map_err(|m| failed(m, span))?;
        let (value, local_tag) = match tag {
            ScalarTag::Implicit if plain => (implicit(text, span)?, None),
            ScalarTag::Implicit => (NodeValue::Str(text.to_string()), None),
            // libyaml marks `! 'x'` as plain-implicit, so PyYAML resolves it as if it were plain.
            ScalarTag::NonSpecific => (implicit(text, span)?, None),
            // Ansible re-runs the resolver as if the scalar were plain: `!unsafe '123'` is the int 123.
            ScalarTag::Unsafe => {
                let value = implicit(text, span)?;
                let tag = matches!(value, NodeValue::Str(_)).then_some(UNSAFE);
                (value, tag)
            }
            ScalarTag::Vault { deprecated } => {
                if deprecated {
                    self.warnings.push(
                        Diagnostic::warning(
                            "Use of the YAML `!vault-encrypted` tag is deprecated. This feature will be removed from \
                             ansible-core version 2.23.",
                        )
                        .at(span.clone())
                        .with_help("Use the `!vault` tag instead."),
                    );
                }
                let value = implicit(text, span)?;
                if !matches!(value, NodeValue::Str(_)) {
                    let tag = raw.tag.as_deref().unwrap_or(VAULT);
                    return Err(failed(format!("the '{tag}' tag requires a string value."), span).with_help(
                        "Paste the output of `ansible-vault encrypt_string` as a block scalar: `key: !vault |`.",
                    ));
                }
                (value, Some(VAULT))
            }
            ScalarTag::Core(suffix) => {
                match tags::construct_core(suffix, text).map_err(|m| failed(m, span))? {
                    Constructed::Node(value) => (value, None),
                    Constructed::Merge => return Err(merge_error(span)),
                    Constructed::Value => return Err(value_error(span)),
                }
            }
        };
        Ok(self.string(value, span.clone(), local_tag))
    }
}

/// A scalar typed as PyYAML types a plain one; `<<` and `=` mean nothing outside a mapping key.
fn implicit(text: &str, span: &Span) -> Result<NodeValue, Diagnostic> {
    let fail = |m: String| failed(m, span);
    Ok(match resolve::resolve_plain(text) {
        Implicit::Null => NodeValue::Null,
        Implicit::Bool => NodeValue::Bool(resolve::construct_bool(text).map_err(fail)?),
        Implicit::Int => NodeValue::Int(resolve::construct_int(text).map_err(fail)?),
        Implicit::Float => NodeValue::Float(resolve::construct_float(text).map_err(fail)?),
        Implicit::Timestamp => NodeValue::Str(timestamp_isoformat(text).map_err(fail)?),
        Implicit::Merge => return Err(merge_error(span)),
        Implicit::Value => return Err(value_error(span)),
        Implicit::Str => NodeValue::Str(text.to_string()),
    })
}

/// Whether a key node carries the merge (`<<`) or value (`=`) tag, as PyYAML's flatten_mapping checks.
fn is_special_key(key: &Raw, which: Implicit) -> bool {
    let RawKind::Scalar { text, plain } = &key.kind else {
        return false;
    };
    let suffix = if which == Implicit::Merge {
        "merge"
    } else {
        "value"
    };
    match key.tag.as_deref() {
        None => *plain && resolve::resolve_plain(text) == which,
        Some("!") => resolve::resolve_plain(text) == which,
        Some(tag) => tag.strip_prefix("tag:yaml.org,2002:") == Some(suffix),
    }
}

fn failed(message: String, span: &Span) -> Diagnostic {
    Diagnostic::error(format!("YAML parsing failed: {message}")).at(span.clone())
}

fn merge_error(span: &Span) -> Diagnostic {
    failed(
        "could not determine a constructor for the tag 'tag:yaml.org,2002:merge'.".into(),
        span,
    )
    .with_help("`<<` is YAML's merge key and only works as a mapping key; quote it ('<<') to use the text.")
}

fn value_error(span: &Span) -> Diagnostic {
    failed(
        "could not determine a constructor for the tag 'tag:yaml.org,2002:value'.".into(),
        span,
    )
    .with_help("A bare `=` is special in YAML 1.1; quote it ('=') to use the text.")
}

fn raw_kind_name(raw: &Raw) -> &'static str {
    match raw.kind {
        RawKind::Seq(_) => "sequence",
        RawKind::Map(_) => "mapping",
        _ => "scalar",
    }
}

/// A list or mapping key, found before its content is built (so its own errors do not come first).
fn check_raw_hashable(key: &Rc<Raw>) -> Result<(), Diagnostic> {
    let target = key.target();
    let collection_tag = match target.tag.as_deref() {
        None | Some("!" | UNSAFE) => true,
        Some(tag) => tag
            .strip_prefix("tag:yaml.org,2002:")
            .is_some_and(|s| matches!(s, "map" | "seq" | "set" | "omap" | "pairs" | "python/dict")),
    };
    match &target.kind {
        RawKind::Seq(_) | RawKind::Map(_) if collection_tag => check_hashable(&Node {
            value: match target.kind {
                RawKind::Seq(_) => NodeValue::Seq(Vec::new()),
                _ => NodeValue::Map(Vec::new()),
            },
            span: key.span.clone(),
            tag: None,
        }),
        _ => Ok(()),
    }
}

/// Python dict keys must be hashable: lists and dicts are not (nor sets and ordered maps, which we
/// build as lists).
fn check_hashable(key: &Node) -> Result<(), Diagnostic> {
    if let NodeValue::Seq(_) | NodeValue::Map(_) = key.value {
        let line = key
            .span
            .file
            .text()
            .lines()
            .nth(key.span.line().saturating_sub(1))
            .unwrap_or("");
        let help = hint_for_line(line)
            .filter(|h| h.as_str() == TEMPLATE_HELP)
            .unwrap_or_else(|| {
                format!(
                    "A {} cannot be a mapping key. If this was meant as text, quote it.",
                    kind_name(&key.value)
                )
            });
        return Err(failed(
            "while constructing a mapping, found unhashable key.".into(),
            &key.span,
        )
        .with_help(help));
    }
    Ok(())
}
