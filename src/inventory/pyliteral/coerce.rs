//! Ansible's INI `_parse_value`: try `literal_eval`, keep the text when it is not a literal, then make
//! the result something a variable can hold (`_parse_recursive_coerce_types_and_tag` and the
//! inventory's variable visitor): tuples and sets become lists, `...` becomes the string "...", a complex
//! number its `str()` ("(1+2j)"), bytes are decoded as UTF-8. Dict keys stay Python objects in Ansible;
//! here they become the strings `ansible-inventory`'s JSON shows (1 -> "1", True -> "true",
//! None -> "null", 1.5 -> "1.5", inf -> "Infinity").

use super::{LiteralError, PyValue, literal_eval};
use crate::value::pyfloat;
use crate::value::pyrepr::{repr_bytes, repr_str};
use crate::value::{Map, Value};

/// A value from an INI file, and what plimsoll could not carry over exactly from Ansible.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedValue {
    pub value: Value,
    /// Differences from Ansible worth a warning (the value is still the best match plimsoll can give).
    pub notes: Vec<String>,
}

/// `_parse_value(text)`. `Err` is the message of a Python exception Ansible does not catch, which makes
/// the whole INI source fail to parse (an unhashable dict key or set element, a complex or `...` dict
/// key, which Ansible's origin tagging refuses).
pub fn parse_value(text: &str) -> Result<ParsedValue, String> {
    let mut notes = Vec::new();
    let value = match literal_eval(text) {
        Ok(value) => coerce(value, &mut notes)?,
        Err(LiteralError::NotLiteral) => Value::Str(text.to_string()),
        Err(LiteralError::Unsupported(what)) => {
            notes.push(format!(
                "plimsoll cannot evaluate {what}; Ansible reads this value as a Python literal, plimsoll keeps it as the string {}",
                repr_str(text)
            ));
            Value::Str(text.to_string())
        }
        Err(LiteralError::Fatal(message)) => return Err(message),
    };
    Ok(ParsedValue { value, notes })
}

fn coerce(value: PyValue, notes: &mut Vec<String>) -> Result<Value, String> {
    Ok(match value {
        PyValue::None => Value::Null,
        PyValue::Bool(b) => Value::Bool(b),
        PyValue::Int(i) => Value::Int(i),
        PyValue::Float(f) => Value::Float(f),
        PyValue::Str(s) => Value::Str(s),
        PyValue::Bytes(bytes) => {
            notes.push(
                "a bytes literal: Ansible decodes it to a string that it does not trust as a template \
                 (ansible-inventory shows it as {\"__ansible_unsafe\": ...}); plimsoll keeps a plain string"
                    .into(),
            );
            Value::Str(String::from_utf8_lossy(&bytes).into_owned())
        }
        PyValue::Ellipsis => Value::Str("...".into()),
        PyValue::Complex(re, im) => Value::Str(complex_repr(re, im)),
        PyValue::BigInt => return Err("integer beyond 128 bits".into()),
        PyValue::Tuple(items) | PyValue::List(items) | PyValue::Set(items) => Value::List(
            items
                .into_iter()
                .map(|item| coerce(item, notes))
                .collect::<Result<_, _>>()?,
        ),
        PyValue::Dict(pairs) => {
            let mut map = Map::new();
            for (key, value) in pairs {
                let key = key_string(key, notes)?;
                map.insert(key, coerce(value, notes)?);
            }
            Value::Map(map)
        }
    })
}

/// A dict key as `json.dumps` writes it. Complex and `...` keys cannot be tagged with their origin, which
/// fails the parse in Ansible; bytes and tuple keys parse but make `ansible-inventory` crash on output.
fn key_string(key: PyValue, notes: &mut Vec<String>) -> Result<String, String> {
    Ok(match key {
        PyValue::Str(s) => s,
        PyValue::Int(i) => i.to_string(),
        PyValue::Bool(b) => b.to_string(),
        PyValue::None => "null".into(),
        PyValue::Float(f) => pyfloat::json_repr(f),
        PyValue::Complex(..) => return Err("<class 'complex'> is not taggable".into()),
        PyValue::Ellipsis => return Err("<class 'ellipsis'> is not taggable".into()),
        PyValue::Bytes(bytes) => {
            notes.push("a bytes dict key: Ansible keeps it as bytes and ansible-inventory cannot serialize it".into());
            String::from_utf8_lossy(&bytes).into_owned()
        }
        other => {
            let text = python_str(&other);
            notes.push(format!(
                "a tuple dict key {text}: Ansible keeps it as a tuple and ansible-inventory cannot serialize it"
            ));
            text
        }
    })
}

/// `str()` of a hashable literal value, for keys plimsoll has to spell out.
fn python_str(value: &PyValue) -> String {
    match value {
        PyValue::None => "None".into(),
        PyValue::Bool(b) => if *b { "True" } else { "False" }.into(),
        PyValue::Int(i) => i.to_string(),
        PyValue::BigInt => "<int>".into(),
        PyValue::Float(f) => pyfloat::repr(*f),
        PyValue::Complex(re, im) => complex_repr(*re, *im),
        PyValue::Str(s) => repr_str(s),
        PyValue::Bytes(b) => repr_bytes(b),
        PyValue::Ellipsis => "Ellipsis".into(),
        PyValue::Tuple(items) => {
            let inner: Vec<String> = items.iter().map(python_str).collect();
            if inner.len() == 1 {
                format!("({},)", inner.join(", "))
            } else {
                format!("({})", inner.join(", "))
            }
        }
        PyValue::List(_) | PyValue::Set(_) | PyValue::Dict(_) => "<unhashable>".into(),
    }
}

/// `str(complex)`: `1j`, `(1+2j)`, `(-0-1j)`, `infj`.
pub fn complex_repr(re: f64, im: f64) -> String {
    if re == 0.0 && re.is_sign_positive() {
        return format!("{}j", pyfloat::repr_bare(im));
    }
    let sign = if im.is_sign_negative() && !im.is_nan() {
        '-'
    } else {
        '+'
    };
    format!(
        "({}{sign}{}j)",
        pyfloat::repr_bare(re),
        pyfloat::repr_bare(im.abs())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Value {
        parse_value(text).unwrap().value
    }

    fn s(text: &str) -> Value {
        Value::Str(text.into())
    }

    // Expected values: Ansible 2.19.14's ini plugin `_parse_value` (through the inventory's variable
    // visitor) on the same text; ansible-inventory --list printed the same.
    #[test]
    fn values_come_out_as_ansible_types_them() {
        assert_eq!(parsed("1"), Value::Int(1));
        assert_eq!(parsed("0755"), s("0755"));
        assert_eq!(parsed("1e3"), Value::Float(1000.0));
        assert_eq!(parsed("True"), Value::Bool(true));
        assert_eq!(parsed("None"), Value::Null);
        assert_eq!(parsed("yes"), s("yes"));
        assert_eq!(parsed(" 1"), Value::Int(1));
        assert_eq!(parsed("foo # c"), s("foo # c"));
        assert_eq!(parsed("1 # c"), Value::Int(1));
        assert_eq!(parsed(""), s(""));
        assert_eq!(parsed("{k:1}"), s("{k:1}"));
        assert_eq!(parsed("1j"), s("1j"));
        assert_eq!(parsed("0755j"), s("755j"));
        assert_eq!(parsed("1+2j"), s("(1+2j)"));
        assert_eq!(parsed("-0j"), s("(-0-0j)"));
        assert_eq!(parsed("-0.0-0j"), s("(-0+0j)"));
        assert_eq!(parsed("1.5-0j"), s("(1.5+0j)"));
        assert_eq!(parsed("1e999j"), s("infj"));
        assert_eq!(parsed("1e999-1e999j"), s("(inf-infj)"));
        assert_eq!(parsed("..."), s("..."));
        assert_eq!(parsed("[...]"), Value::List(vec![s("...")]));
        assert_eq!(parsed("(1,)"), Value::List(vec![Value::Int(1)]));
        assert_eq!(parsed("1e999"), Value::Float(f64::INFINITY));
        assert_eq!(parsed("b'abc'"), s("abc"));
    }

    #[test]
    fn dict_keys_become_the_strings_json_output_shows() {
        let Value::Map(map) = parsed("{None:1,1.5:2,False:3,1e999:4,7:5,'s':6}") else {
            panic!()
        };
        assert_eq!(
            map.keys().collect::<Vec<_>>(),
            ["null", "1.5", "false", "Infinity", "7", "s"]
        );
        let Value::Map(map) = parsed("{1:'a',True:'b'}") else {
            panic!()
        };
        assert_eq!(
            map.into_iter().collect::<Vec<_>>(),
            [("1".to_string(), s("b"))]
        );
    }

    #[test]
    fn what_fails_the_inventory_in_ansible() {
        assert_eq!(
            parse_value("{[1]:2}"),
            Err("unhashable type: 'list'".into())
        );
        assert_eq!(
            parse_value("{1j:2}"),
            Err("<class 'complex'> is not taggable".into())
        );
        assert_eq!(
            parse_value("{...:1}"),
            Err("<class 'ellipsis'> is not taggable".into())
        );
    }

    #[test]
    fn what_plimsoll_cannot_carry_over_is_noted() {
        let big = parse_value("[170141183460469231731687303715884105728]").unwrap();
        assert_eq!(big.value, s("[170141183460469231731687303715884105728]"));
        assert_eq!(big.notes.len(), 1);
        let tuple_key = parse_value("{(1,2):3}").unwrap();
        assert_eq!(
            tuple_key.value,
            Value::Map(Map::from([("(1, 2)".to_string(), Value::Int(3))]))
        );
        assert_eq!(tuple_key.notes.len(), 1);
    }

    #[test]
    fn bytes_in_a_tuple_key_print_as_python_bytes() {
        // The old spelling decoded the bytes first (b'é'). python3.11: str((b'\xc3\xa9', b'\t')) ->
        // (b'\xc3\xa9', b'\t')
        let key = parse_value("{(b'\\xc3\\xa9', b'\\t'):1}").unwrap();
        assert_eq!(
            key.value,
            Value::Map(Map::from([(
                "(b'\\xc3\\xa9', b'\\t')".to_string(),
                Value::Int(1)
            )]))
        );
    }
}
