//! The part of Python's expression grammar (eval mode) that literals live in: constants, tuples, lists,
//! sets, dicts, `set()`, unary and binary `+`/`-`. It builds the same tree shape as `ast.parse`, so
//! `literal_eval`'s checks (which look at node types) can be replayed on it. Constructs outside this
//! grammar (calls, subscripts, other operators, comprehensions...) are refused at once.

use super::LiteralError;
use super::PyValue;
use super::lexer::{Op, StrKind, StrValue, Tok};

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Node {
    Const(PyValue),
    /// A bare name other than True/False/None: valid syntax that `literal_eval` refuses (unless it is
    /// `set` being called with no arguments).
    Name(String),
    /// Valid syntax that `literal_eval` refuses, such as an f-string or `--1`.
    Malformed,
    Tuple(Vec<Node>),
    List(Vec<Node>),
    Set(Vec<Node>),
    Dict(Vec<(Node, Node)>),
    EmptySetCall,
    Unary(Sign, Box<Node>),
    Binary(Box<Node>, Sign, Box<Node>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Sign {
    Plus,
    Minus,
}

pub(super) fn parse(tokens: &[Tok]) -> Result<Node, LiteralError> {
    let mut parser = Parser { tokens, pos: 0 };
    let (mut items, comma) = parser.expressions(None)?;
    while parser.peek() == Some(&Tok::Newline) {
        parser.pos += 1;
    }
    if parser.peek().is_some() {
        return Err(LiteralError::NotLiteral);
    }
    Ok(if comma || items.len() != 1 {
        Node::Tuple(items)
    } else {
        items.pop().unwrap_or(Node::Malformed)
    })
}

struct Parser<'a> {
    tokens: &'a [Tok],
    pos: usize,
}

fn syntax<T>() -> Result<T, LiteralError> {
    Err(LiteralError::NotLiteral)
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos)
    }

    fn peek_op(&self) -> Option<Op> {
        match self.peek() {
            Some(Tok::Op(op)) => Some(*op),
            _ => None,
        }
    }

    fn expect(&mut self, op: Op) -> Result<(), LiteralError> {
        if self.peek_op() == Some(op) {
            self.pos += 1;
            Ok(())
        } else {
            syntax()
        }
    }

    /// `expr (',' expr)* [',']` up to `closing` (or the end): the items and whether there was a comma.
    fn expressions(&mut self, closing: Option<Op>) -> Result<(Vec<Node>, bool), LiteralError> {
        let at_end = |p: &Self| match closing {
            Some(op) => p.peek_op() == Some(op),
            None => matches!(p.peek(), None | Some(Tok::Newline)),
        };
        let mut items = vec![self.expr()?];
        let mut comma = false;
        while self.peek_op() == Some(Op::Comma) {
            self.pos += 1;
            comma = true;
            if at_end(self) {
                break;
            }
            items.push(self.expr()?);
        }
        Ok((items, comma))
    }

    /// `sum: factor (('+' | '-') factor)*`, left-associative. A chain of two or more operations is
    /// refused by `literal_eval` without looking further (its left side is not a number), so it is kept
    /// flat instead of as a deep tree.
    fn expr(&mut self) -> Result<Node, LiteralError> {
        let mut left = self.factor()?;
        while let Some(sign) = self.sign() {
            let right = self.factor()?;
            left = match left {
                Node::Binary(..) | Node::Malformed => Node::Malformed,
                left => Node::Binary(Box::new(left), sign, Box::new(right)),
            };
        }
        Ok(left)
    }

    fn sign(&mut self) -> Option<Sign> {
        let sign = match self.peek_op()? {
            Op::Plus => Sign::Plus,
            Op::Minus => Sign::Minus,
            _ => return None,
        };
        self.pos += 1;
        Some(sign)
    }

    /// `factor: ('+' | '-') factor | primary`. Signs are read in a loop: `literal_eval` accepts one sign
    /// before a number, so two or more make a node it refuses whatever follows.
    fn factor(&mut self) -> Result<Node, LiteralError> {
        let mut signs = Vec::new();
        while let Some(sign) = self.sign() {
            signs.push(sign);
        }
        let operand = self.primary()?;
        Ok(match signs.as_slice() {
            [] => operand,
            [sign] => Node::Unary(*sign, Box::new(operand)),
            _ => Node::Malformed,
        })
    }

    /// An atom and its trailers. The only trailer a literal may have is `()` after the name `set`; other
    /// calls, subscripts and attributes are valid syntax that `literal_eval` refuses when it reaches them.
    fn primary(&mut self) -> Result<Node, LiteralError> {
        let mut node = self.atom()?;
        loop {
            match self.peek_op() {
                Some(Op::LParen) => {
                    self.pos += 1;
                    let is_set = matches!(&node, Node::Name(name) if name == "set");
                    if self.peek_op() == Some(Op::RParen) {
                        self.pos += 1;
                        node = if is_set {
                            Node::EmptySetCall
                        } else {
                            Node::Malformed
                        };
                        continue;
                    }
                    self.expressions(Some(Op::RParen))?;
                    self.expect(Op::RParen)?;
                    node = Node::Malformed;
                }
                Some(Op::LBracket) => {
                    self.pos += 1;
                    self.expressions(Some(Op::RBracket))?;
                    self.expect(Op::RBracket)?;
                    node = Node::Malformed;
                }
                Some(Op::Dot) => {
                    self.pos += 1;
                    match self.peek() {
                        Some(Tok::Name(name)) if !is_keyword(name) => self.pos += 1,
                        _ => return syntax(),
                    }
                    node = Node::Malformed;
                }
                _ => return Ok(node),
            }
        }
    }

    fn atom(&mut self) -> Result<Node, LiteralError> {
        let Some(token) = self.peek().cloned() else {
            return syntax();
        };
        self.pos += 1;
        match token {
            Tok::Int(Some(i)) => Ok(Node::Const(PyValue::Int(i))),
            Tok::Int(None) => Ok(Node::Const(PyValue::BigInt)),
            Tok::Float(f) => Ok(Node::Const(PyValue::Float(f))),
            Tok::Imaginary(f) => Ok(Node::Const(PyValue::Complex(0.0, f))),
            Tok::Str(first) => {
                let mut parts = vec![first];
                while let Some(Tok::Str(next)) = self.peek() {
                    parts.push(next.clone());
                    self.pos += 1;
                }
                concatenate(parts)
            }
            Tok::Name(name) => Ok(match name.as_str() {
                "True" => Node::Const(PyValue::Bool(true)),
                "False" => Node::Const(PyValue::Bool(false)),
                "None" => Node::Const(PyValue::None),
                keyword if is_keyword(keyword) => return syntax(),
                _ => Node::Name(name),
            }),
            Tok::Op(Op::Ellipsis) => Ok(Node::Const(PyValue::Ellipsis)),
            Tok::Op(Op::LParen) => {
                if self.peek_op() == Some(Op::RParen) {
                    self.pos += 1;
                    return Ok(Node::Tuple(Vec::new()));
                }
                let (mut items, comma) = self.expressions(Some(Op::RParen))?;
                self.expect(Op::RParen)?;
                Ok(if comma {
                    Node::Tuple(items)
                } else {
                    items.pop().unwrap_or(Node::Malformed)
                })
            }
            Tok::Op(Op::LBracket) => {
                if self.peek_op() == Some(Op::RBracket) {
                    self.pos += 1;
                    return Ok(Node::List(Vec::new()));
                }
                let (items, _) = self.expressions(Some(Op::RBracket))?;
                self.expect(Op::RBracket)?;
                Ok(Node::List(items))
            }
            Tok::Op(Op::LBrace) => self.braces(),
            _ => syntax(),
        }
    }

    /// After `{`: a dict (`{}`, `{k: v, ...}`) or a set (`{a, ...}`).
    fn braces(&mut self) -> Result<Node, LiteralError> {
        if self.peek_op() == Some(Op::RBrace) {
            self.pos += 1;
            return Ok(Node::Dict(Vec::new()));
        }
        let first = self.expr()?;
        if self.peek_op() != Some(Op::Colon) {
            let mut items = vec![first];
            while self.peek_op() == Some(Op::Comma) {
                self.pos += 1;
                if self.peek_op() == Some(Op::RBrace) {
                    break;
                }
                items.push(self.expr()?);
            }
            self.expect(Op::RBrace)?;
            return Ok(Node::Set(items));
        }
        let mut pairs = Vec::new();
        let mut key = first;
        loop {
            self.expect(Op::Colon)?;
            let value = self.expr()?;
            pairs.push((key, value));
            if self.peek_op() != Some(Op::Comma) {
                break;
            }
            self.pos += 1;
            if self.peek_op() == Some(Op::RBrace) {
                break;
            }
            key = self.expr()?;
        }
        self.expect(Op::RBrace)?;
        Ok(Node::Dict(pairs))
    }
}

/// Adjacent string literals join into one; bytes cannot be mixed with text (a syntax error), and any
/// f-string makes the whole a `JoinedStr`, which `literal_eval` refuses.
fn concatenate(parts: Vec<super::lexer::StrLit>) -> Result<Node, LiteralError> {
    let bytes = parts.iter().filter(|p| p.kind == StrKind::Bytes).count();
    if bytes != 0 && bytes != parts.len() {
        return syntax();
    }
    if parts.iter().any(|p| p.kind == StrKind::Formatted) {
        return Ok(Node::Malformed);
    }
    if bytes != 0 {
        let mut all = Vec::new();
        for part in parts {
            if let StrValue::Bytes(b) = part.value {
                all.extend(b);
            }
        }
        return Ok(Node::Const(PyValue::Bytes(all)));
    }
    let mut all = String::new();
    for part in parts {
        if let StrValue::Text(s) = part.value {
            all.push_str(&s);
        }
    }
    Ok(Node::Const(PyValue::Str(all)))
}

fn is_keyword(name: &str) -> bool {
    matches!(
        name,
        "and"
            | "as"
            | "assert"
            | "async"
            | "await"
            | "break"
            | "class"
            | "continue"
            | "def"
            | "del"
            | "elif"
            | "else"
            | "except"
            | "finally"
            | "for"
            | "from"
            | "global"
            | "if"
            | "import"
            | "in"
            | "is"
            | "lambda"
            | "nonlocal"
            | "not"
            | "or"
            | "pass"
            | "raise"
            | "return"
            | "try"
            | "while"
            | "with"
            | "yield"
    )
}
