use crate::source::Span;

/// A YAML node as Ansible's loader sees it: plain scalars already resolved with PyYAML's YAML 1.1 rules,
/// aliases expanded, merge keys applied, duplicate keys collapsed (last wins, with a warning).
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: NodeValue,
    /// The node's own text; for collections at least their first token.
    pub span: Span,
    /// An explicit local tag such as `!vault` or `!unsafe` (standard `!!` tags are applied and dropped).
    pub tag: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeValue {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in document order; keys are scalars.
    Map(Vec<(Node, Node)>),
}
