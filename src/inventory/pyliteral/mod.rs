//! Python's `ast.literal_eval` (3.11), for the values INI inventories hold, and Ansible's
//! `_parse_value` on top of it (see `coerce`).
//!
//! What `literal_eval` accepts: ints (`0x1F`, `0o17`, `0b1`, `1_000`; `0755` is a syntax error), floats
//! (`1e3`, `.5`, `5.`, `1e999` is inf), complex (`1j`, `1+2j`), strings with any prefix but `f` and
//! implicit concatenation, bytes, `True`/`False`/`None`, `...`, tuples, lists, dicts, sets, `set()`, one
//! sign before a number, and `real ± imaginary`. Not accepted: names, calls, other operators, `--1`,
//! `-True`, `1+2`. Dict keys and set elements must be hashable, or Python raises a TypeError, which is
//! not caught by Ansible and fails the whole inventory.

mod coerce;
mod lexer;
mod parser;
mod set;

use thiserror::Error;

pub use coerce::{ParsedValue, complex_repr, parse_value};

use parser::{Node, Sign};
use set::{PySet, py_eq, py_hash};

/// A Python object a literal evaluates to.
#[derive(Clone, Debug, PartialEq)]
pub enum PyValue {
    None,
    Bool(bool),
    Int(i128),
    /// An int literal too large for i128 (Python's ints are unbounded).
    BigInt,
    Float(f64),
    Complex(f64, f64),
    Str(String),
    Bytes(Vec<u8>),
    Ellipsis,
    Tuple(Vec<PyValue>),
    List(Vec<PyValue>),
    /// Elements in the order iterating the Python set gives (see `set`).
    Set(Vec<PyValue>),
    /// Keys in insertion order; a repeated key keeps its first place and its last value.
    Dict(Vec<(PyValue, PyValue)>),
}

#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum LiteralError {
    /// Python raises SyntaxError or ValueError: the text is not a literal.
    #[error("not a Python literal")]
    NotLiteral,
    /// Python raises another exception (a TypeError), which Ansible does not catch.
    #[error("{0}")]
    Fatal(String),
    /// A literal plimsoll cannot represent.
    #[error("plimsoll cannot evaluate {0}")]
    Unsupported(String),
}

/// `ast.literal_eval(text)`.
pub fn literal_eval(text: &str) -> Result<PyValue, LiteralError> {
    let tokens = lexer::tokenize(text.trim_start_matches([' ', '\t']))?;
    let tree = parser::parse(&tokens)?;
    convert(tree)
}

fn malformed<T>() -> Result<T, LiteralError> {
    Err(LiteralError::NotLiteral)
}

/// `literal_eval`'s `_convert`, evaluating in Python's order so the first error is the same one.
fn convert(node: Node) -> Result<PyValue, LiteralError> {
    match node {
        Node::Const(PyValue::BigInt) => Err(LiteralError::Unsupported(
            "an integer beyond 128 bits".into(),
        )),
        Node::Const(value) => Ok(value),
        Node::Tuple(items) => Ok(PyValue::Tuple(convert_all(items)?)),
        Node::List(items) => Ok(PyValue::List(convert_all(items)?)),
        Node::Set(items) => {
            let mut set = PySet::default();
            for item in items {
                set.add(convert(item)?)?;
            }
            Ok(PyValue::Set(set.into_items()))
        }
        Node::EmptySetCall => Ok(PyValue::Set(Vec::new())),
        Node::Dict(pairs) => {
            let mut dict: Vec<(PyValue, PyValue)> = Vec::with_capacity(pairs.len());
            for (key, value) in pairs {
                let key = convert(key)?;
                let value = convert(value)?;
                py_hash(&key)?;
                match dict.iter_mut().find(|(k, _)| py_eq(k, &key)) {
                    Some(slot) => slot.1 = value,
                    None => dict.push((key, value)),
                }
            }
            Ok(PyValue::Dict(dict))
        }
        Node::Binary(left, sign, right) => {
            let left = signed_number(*left)?;
            let right = number(*right)?;
            let real = match left {
                PyValue::Int(i) => i as f64,
                PyValue::Float(f) => f,
                _ => return malformed(),
            };
            match right {
                PyValue::Complex(re, im) => {
                    // Python turns the real number into complex(real, 0.0) first.
                    Ok(match sign {
                        Sign::Plus => PyValue::Complex(real + re, 0.0 + im),
                        Sign::Minus => PyValue::Complex(real - re, 0.0 - im),
                    })
                }
                _ => malformed(),
            }
        }
        other => signed_number(other),
    }
}

fn convert_all(items: Vec<Node>) -> Result<Vec<PyValue>, LiteralError> {
    items.into_iter().map(convert).collect()
}

/// `_convert_signed_num`: a number, or `+`/`-` applied to one.
fn signed_number(node: Node) -> Result<PyValue, LiteralError> {
    let Node::Unary(sign, operand) = node else {
        return number(node);
    };
    let value = number(*operand)?;
    Ok(match (sign, value) {
        (Sign::Plus, value) => value,
        (Sign::Minus, PyValue::Int(i)) => PyValue::Int(-i),
        (Sign::Minus, PyValue::Float(f)) => PyValue::Float(-f),
        (Sign::Minus, PyValue::Complex(re, im)) => PyValue::Complex(-re, -im),
        (Sign::Minus, value) => value,
    })
}

/// `_convert_num`: an int, float or complex constant (not a bool).
fn number(node: Node) -> Result<PyValue, LiteralError> {
    match node {
        Node::Const(PyValue::BigInt) => Err(LiteralError::Unsupported(
            "an integer beyond 128 bits".into(),
        )),
        Node::Const(value @ (PyValue::Int(_) | PyValue::Float(_) | PyValue::Complex(..))) => {
            Ok(value)
        }
        _ => malformed(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PyValue::*;

    fn eval(text: &str) -> Result<PyValue, LiteralError> {
        literal_eval(text)
    }

    // Expected values: Python 3.11 `ast.literal_eval` on the same text.
    #[test]
    fn scalars() {
        assert_eq!(eval("1"), Ok(Int(1)));
        assert_eq!(eval(" \t-1"), Ok(Int(-1)));
        assert_eq!(eval("+1.5"), Ok(Float(1.5)));
        assert_eq!(eval("-(1)"), Ok(Int(-1)));
        assert_eq!(eval("(1)"), Ok(Int(1)));
        assert_eq!(eval("1 # comment"), Ok(Int(1)));
        assert_eq!(eval("True"), Ok(Bool(true)));
        assert_eq!(eval("None"), Ok(None));
        assert_eq!(eval("..."), Ok(Ellipsis));
        assert_eq!(eval("'a' \"b\" u'c' r'\\n'"), Ok(Str("abc\\n".into())));
        assert_eq!(eval("b'a' B'b'"), Ok(Bytes(b"ab".to_vec())));
        assert_eq!(eval("1e999"), Ok(Float(f64::INFINITY)));
        assert_eq!(
            eval("170141183460469231731687303715884105727"),
            Ok(Int(i128::MAX))
        );
        assert!(matches!(
            eval("170141183460469231731687303715884105728"),
            Err(LiteralError::Unsupported(_))
        ));
    }

    #[test]
    fn complex_arithmetic_is_limited_to_real_plus_imaginary() {
        assert_eq!(eval("1j"), Ok(Complex(0.0, 1.0)));
        assert_eq!(eval("1-2j"), Ok(Complex(1.0, -2.0)));
        assert_eq!(eval("(1)+(2j)"), Ok(Complex(1.0, 2.0)));
        let Ok(Complex(re, im)) = eval("-1j") else {
            panic!()
        };
        assert!(re == 0.0 && re.is_sign_negative() && im == -1.0);
        for bad in ["1+2", "1j+2", "1+2j+3j", "1+-2j", "True+1j", "2j+1"] {
            assert_eq!(eval(bad), Err(LiteralError::NotLiteral), "{bad}");
        }
    }

    #[test]
    fn containers() {
        assert_eq!(eval("1,2"), Ok(Tuple(vec![Int(1), Int(2)])));
        assert_eq!(eval("(1,)"), Ok(Tuple(vec![Int(1)])));
        assert_eq!(eval("()"), Ok(Tuple(vec![])));
        assert_eq!(eval("[1,]"), Ok(List(vec![Int(1)])));
        assert_eq!(eval("{}"), Ok(Dict(vec![])));
        assert_eq!(eval("set()"), Ok(Set(vec![])));
        assert_eq!(eval("(set)( )"), Ok(Set(vec![])));
        assert_eq!(eval("{1,}"), Ok(Set(vec![Int(1)])));
        assert_eq!(
            eval("{4,3,2,1}"),
            Ok(Set(vec![Int(1), Int(2), Int(3), Int(4)]))
        );
        assert_eq!(eval("{1:2,True:3}"), Ok(Dict(vec![(Int(1), Int(3))])));
        assert_eq!(eval("(1\n,2)"), Ok(Tuple(vec![Int(1), Int(2)])));
    }

    #[test]
    fn non_literals_and_syntax_errors() {
        for bad in [
            "",
            "x",
            "set",
            "set(())",
            "--1",
            "-True",
            "(,)",
            "[,]",
            "1 2",
            "[1][0]",
            "(1)(2)",
            "True.real",
            "f'x'",
            "'a' f'b'",
            "b'a' 'b'",
            "{**{}}",
            "[*[1]]",
            "1if 1 else 2",
            "[1 for x in y]",
            "not 1",
            "1\n2",
            "\n 1",
            "1 \\",
            "0755",
            "ur'x'",
            ".e5",
            "yes",
            "a=b",
            "{'k': v}",
        ] {
            assert_eq!(eval(bad), Err(LiteralError::NotLiteral), "{bad:?}");
        }
    }

    #[test]
    fn long_chains_stay_flat() {
        // Python: "malformed node or string" (a ValueError), so Ansible keeps the text.
        let chain = format!("1{}", "+1".repeat(200_000));
        assert_eq!(eval(&chain), Err(LiteralError::NotLiteral));
        assert_eq!(
            eval(&format!("{}1", "-".repeat(200_000))),
            Err(LiteralError::NotLiteral)
        );
    }

    #[test]
    fn unhashable_keys_are_python_type_errors_in_evaluation_order() {
        let fatal = |m: &str| Err(LiteralError::Fatal(m.into()));
        assert_eq!(eval("{[1]:2}"), fatal("unhashable type: 'list'"));
        assert_eq!(eval("{[1]}"), fatal("unhashable type: 'list'"));
        assert_eq!(eval("{{1}}"), fatal("unhashable type: 'set'"));
        assert_eq!(eval("{(1,[2]):3}"), fatal("unhashable type: 'list'"));
        assert_eq!(eval("{[1]: 1, x: 2}"), fatal("unhashable type: 'list'"));
        // The value is converted before the key is hashed.
        assert_eq!(eval("{[1]: x}"), Err(LiteralError::NotLiteral));
        assert_eq!(eval("{x, [1]}"), Err(LiteralError::NotLiteral));
        // Calls, subscripts and attributes parse, and are refused only when evaluation reaches them.
        assert_eq!(eval("{[]: 1, 'a'(2): 3}"), fatal("unhashable type: 'list'"));
        assert_eq!(
            eval("[{[]: 1}, x[0], y.z]"),
            fatal("unhashable type: 'list'")
        );
    }
}
