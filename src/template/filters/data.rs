//! Data-structure filters: `combine`, `dict2items`, `items2dict`, `flatten`, `unique`, the set filters,
//! `zip`, `zip_longest`.
//!
//! The set filters (`difference`, `union`, `intersect`, `symmetric_difference`) go through a Python
//! `set` in Ansible, so their order is hash order (random for strings between runs). plimsoll keeps
//! first-seen order, which is deterministic; sort the result where order matters.

use minijinja::value::{Kwargs, Rest};
use minijinja::{Environment, Error, Value as MjValue};

use super::{arg, failed, type_error};
use crate::template::convert::from_value;
use crate::value::{Map, Value};

pub(super) fn register(env: &mut Environment<'static>) {
    env.add_filter("combine", combine);
    env.add_filter("dict2items", dict2items);
    env.add_filter("items2dict", items2dict);
    env.add_filter("flatten", flatten_filter);
    env.add_filter("unique", unique);
    env.add_filter("difference", difference);
    env.add_filter("union", union);
    env.add_filter("intersect", intersect);
    env.add_filter("symmetric_difference", symmetric_difference);
    env.add_filter("zip", zip);
    env.add_filter("zip_longest", zip_longest);
}

fn combine(terms: Rest<MjValue>, kwargs: Kwargs) -> Result<MjValue, Error> {
    let recursive: bool = kwargs.get::<Option<bool>>("recursive")?.unwrap_or(false);
    let list_merge: String = kwargs
        .get::<Option<String>>("list_merge")?
        .unwrap_or_else(|| "replace".into());
    if ![
        "replace",
        "keep",
        "append",
        "prepend",
        "append_rp",
        "prepend_rp",
    ]
    .contains(&list_merge.as_str())
    {
        return Err(failed(
            "combine",
            "merge_hash: 'list_merge' argument can only be equal to 'replace', 'keep', 'append', 'prepend', 'append_rp' or 'prepend_rp'",
        ));
    }
    let mut dicts = Vec::new();
    for term in terms.iter() {
        match arg(term)? {
            Value::List(items) => dicts.extend(items),
            other => dicts.push(other),
        }
    }
    let mut maps = Vec::with_capacity(dicts.len());
    for dict in dicts {
        match dict {
            Value::Map(map) => maps.push(map),
            other => {
                return Err(failed(
                    "combine",
                    format!(
                        "failed to combine variables, expected dicts but got a '{}'",
                        other.type_name()
                    ),
                ));
            }
        }
    }
    // Ansible merges from the highest priority (last) down.
    let Some(mut result) = maps.pop() else {
        return Ok(from_value(&Value::Map(Map::new())));
    };
    while let Some(lower) = maps.pop() {
        result = merge_hash(lower, result, recursive, &list_merge);
    }
    Ok(from_value(&Value::Map(result)))
}

/// Ansible's `merge_hash(x, y)`: y wins; x's keys keep their place.
fn merge_hash(x: Map, y: Map, recursive: bool, list_merge: &str) -> Map {
    if x.is_empty() || x == y {
        return y;
    }
    if y.is_empty() {
        return x;
    }
    let mut x = x;
    for (key, y_value) in y {
        let Some(x_value) = x.get(&key).cloned() else {
            x.insert(key, y_value);
            continue;
        };
        let merged = match (x_value, y_value) {
            (Value::Map(xm), Value::Map(ym)) if recursive => {
                Value::Map(merge_hash(xm, ym, recursive, list_merge))
            }
            (Value::List(xl), Value::List(yl)) => Value::List(match list_merge {
                "append" => xl.into_iter().chain(yl).collect(),
                "prepend" => yl.into_iter().chain(xl).collect(),
                "append_rp" => {
                    let kept: Vec<Value> = xl.into_iter().filter(|z| !yl.contains(z)).collect();
                    kept.into_iter().chain(yl).collect()
                }
                "prepend_rp" => {
                    let kept: Vec<Value> = xl.into_iter().filter(|z| !yl.contains(z)).collect();
                    yl.into_iter().chain(kept).collect()
                }
                "keep" => xl,
                _ => yl,
            }),
            (_, y_value) => y_value,
        };
        x.insert(key, merged);
    }
    x
}

fn dict2items(value: &MjValue, kwargs: Kwargs) -> Result<MjValue, Error> {
    let key_name = kwargs
        .get::<Option<String>>("key_name")?
        .unwrap_or_else(|| "key".into());
    let value_name = kwargs
        .get::<Option<String>>("value_name")?
        .unwrap_or_else(|| "value".into());
    let Value::Map(map) = arg(value)? else {
        return Err(type_error("dict2items", "a dictionary", &arg(value)?));
    };
    let items = map
        .into_iter()
        .map(|(k, v)| {
            Value::Map(Map::from([
                (key_name.clone(), Value::Str(k)),
                (value_name.clone(), v),
            ]))
        })
        .collect();
    Ok(from_value(&Value::List(items)))
}

fn items2dict(value: &MjValue, kwargs: Kwargs) -> Result<MjValue, Error> {
    let key_name = kwargs
        .get::<Option<String>>("key_name")?
        .unwrap_or_else(|| "key".into());
    let value_name = kwargs
        .get::<Option<String>>("value_name")?
        .unwrap_or_else(|| "value".into());
    let Value::List(items) = arg(value)? else {
        return Err(type_error("items2dict", "a list", &arg(value)?));
    };
    let mut out = Map::new();
    for item in items {
        let (Some(k), Some(v)) = (
            item.as_map().and_then(|m| m.get(&key_name)),
            item.as_map().and_then(|m| m.get(&value_name)),
        ) else {
            return Err(failed(
                "items2dict",
                format!(
                    "items2dict requires each dictionary in the list to contain the keys '{key_name}' and '{value_name}'"
                ),
            ));
        };
        let key = match k {
            Value::Str(s) | Value::Unsafe(s) => s.clone(),
            other => crate::value::pyrepr::str(other),
        };
        out.insert(key, v.clone());
    }
    Ok(from_value(&Value::Map(out)))
}

fn flatten_filter(value: &MjValue, levels: Option<i64>, kwargs: Kwargs) -> Result<MjValue, Error> {
    let levels = match levels {
        Some(l) => Some(l),
        None => kwargs.get::<Option<i64>>("levels")?,
    };
    let skip_nulls = kwargs.get::<Option<bool>>("skip_nulls")?.unwrap_or(true);
    let Value::List(items) = arg(value)? else {
        return Err(type_error("flatten", "a list", &arg(value)?));
    };
    Ok(from_value(&Value::List(flatten(items, levels, skip_nulls))))
}

/// Ansible's `flatten`: nested lists spliced in (down to `levels`), `None`, `'None'` and `'null'` dropped.
fn flatten(items: Vec<Value>, levels: Option<i64>, skip_nulls: bool) -> Vec<Value> {
    let mut out = Vec::new();
    for item in items {
        if skip_nulls && matches!(&item, Value::Null)
            || matches!(&item, Value::Str(s) if skip_nulls && (s == "None" || s == "null"))
        {
            continue;
        }
        match item {
            Value::List(inner) => match levels {
                None => out.extend(flatten(inner, None, skip_nulls)),
                Some(l) if l >= 1 => out.extend(flatten(inner, Some(l - 1), skip_nulls)),
                Some(_) => out.push(Value::List(inner)),
            },
            other => out.push(other),
        }
    }
    out
}

fn list_arg(filter: &str, value: &MjValue) -> Result<Vec<Value>, Error> {
    match arg(value)? {
        Value::List(items) => Ok(items),
        Value::Map(map) => Ok(map.into_keys().map(Value::Str).collect()),
        Value::Str(s) => Ok(s.chars().map(|c| Value::Str(c.to_string())).collect()),
        other => Err(type_error(filter, "a list", &other)),
    }
}

/// Jinja's `unique` as Ansible calls it: strings compared case-insensitively, first one kept.
fn unique(value: &MjValue, kwargs: Kwargs) -> Result<MjValue, Error> {
    let case_sensitive = kwargs
        .get::<Option<bool>>("case_sensitive")?
        .unwrap_or(false);
    let attribute: Option<String> = kwargs.get("attribute")?;
    let items = list_arg("unique", value)?;
    let key = |item: &Value| -> Value {
        let item = match &attribute {
            Some(attr) => item
                .as_map()
                .and_then(|m| m.get(attr))
                .cloned()
                .unwrap_or(Value::Null),
            None => item.clone(),
        };
        match item {
            Value::Str(s) if !case_sensitive => Value::Str(s.to_lowercase()),
            other => other,
        }
    };
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for item in items {
        let k = key(&item);
        if !seen.contains(&k) {
            seen.push(k);
            out.push(item);
        }
    }
    Ok(from_value(&Value::List(out)))
}

fn dedup(items: impl IntoIterator<Item = Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

fn difference(a: &MjValue, b: &MjValue) -> Result<MjValue, Error> {
    let (a, b) = (list_arg("difference", a)?, list_arg("difference", b)?);
    Ok(from_value(&Value::List(dedup(
        a.into_iter().filter(|x| !b.contains(x)),
    ))))
}

fn union(a: &MjValue, b: &MjValue) -> Result<MjValue, Error> {
    let (a, b) = (list_arg("union", a)?, list_arg("union", b)?);
    Ok(from_value(&Value::List(dedup(a.into_iter().chain(b)))))
}

fn intersect(a: &MjValue, b: &MjValue) -> Result<MjValue, Error> {
    let (a, b) = (list_arg("intersect", a)?, list_arg("intersect", b)?);
    Ok(from_value(&Value::List(dedup(
        a.into_iter().filter(|x| b.contains(x)),
    ))))
}

fn symmetric_difference(a: &MjValue, b: &MjValue) -> Result<MjValue, Error> {
    let (a, b) = (
        list_arg("symmetric_difference", a)?,
        list_arg("symmetric_difference", b)?,
    );
    let only_a = a.iter().filter(|x| !b.contains(x)).cloned();
    let only_b = b.iter().filter(|x| !a.contains(x)).cloned();
    Ok(from_value(&Value::List(dedup(only_a.chain(only_b)))))
}

fn zip(first: &MjValue, others: Rest<MjValue>) -> Result<MjValue, Error> {
    let mut lists = vec![list_arg("zip", first)?];
    for other in others.iter() {
        lists.push(list_arg("zip", other)?);
    }
    let len = lists.iter().map(Vec::len).min().unwrap_or(0);
    let rows = (0..len)
        .map(|i| Value::List(lists.iter().map(|l| l[i].clone()).collect()))
        .collect();
    Ok(from_value(&Value::List(rows)))
}

fn zip_longest(first: &MjValue, others: Rest<MjValue>, kwargs: Kwargs) -> Result<MjValue, Error> {
    let fill = match kwargs.get::<Option<MjValue>>("fillvalue")? {
        Some(v) => arg(&v)?,
        None => Value::Null,
    };
    let mut lists = vec![list_arg("zip_longest", first)?];
    for other in others.iter() {
        lists.push(list_arg("zip_longest", other)?);
    }
    let len = lists.iter().map(Vec::len).max().unwrap_or(0);
    let rows = (0..len)
        .map(|i| {
            Value::List(
                lists
                    .iter()
                    .map(|l| l.get(i).cloned().unwrap_or_else(|| fill.clone()))
                    .collect(),
            )
        })
        .collect();
    Ok(from_value(&Value::List(rows)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, Value)]) -> Map {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn merge_hash_matches_ansible() {
        // ansible.utils.vars.merge_hash({'a': [1], 'n': {'x': 1}}, {'a': [2], 'n': {'y': 2}}, True, 'append')
        // -> {'a': [1, 2], 'n': {'x': 1, 'y': 2}}
        let x = map(&[
            ("a", Value::List(vec![Value::Int(1)])),
            ("n", Value::Map(map(&[("x", Value::Int(1))]))),
        ]);
        let y = map(&[
            ("a", Value::List(vec![Value::Int(2)])),
            ("n", Value::Map(map(&[("y", Value::Int(2))]))),
        ]);
        let merged = merge_hash(x, y, true, "append");
        assert_eq!(merged["a"], Value::List(vec![Value::Int(1), Value::Int(2)]));
        assert_eq!(
            merged["n"],
            Value::Map(map(&[("x", Value::Int(1)), ("y", Value::Int(2))]))
        );
    }
}
