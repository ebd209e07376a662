//! One declared option against the live container: community.docker's `compare_generic`, and the
//! attribute changes a difference is reported as (per key for env, labels and ports, so a plan names
//! `env.DB_PASSWORD` rather than "env").

use serde_json::{Map as JsonMap, Value as Json};

use super::settings::{Comparison, Setting, Shape};
use crate::diff::AttrChange;
use crate::value::{Map, Value};

/// Whether the live value satisfies the expected one.
pub fn matches(shape: Shape, comparison: Comparison, expected: &Json, live: Option<&Json>) -> bool {
    if comparison == Comparison::Ignore {
        return true;
    }
    let live = live.filter(|l| !l.is_null());
    let Some(live) = live else {
        // An absent collection equals an empty one; an absent scalar equals nothing.
        return match shape {
            Shape::Value => expected.is_null(),
            _ => is_empty(expected),
        };
    };
    let strict = comparison == Comparison::Strict;
    match shape {
        Shape::Value => expected == live,
        Shape::List => {
            let (want, have) = (items(expected), items(live));
            if strict {
                want == have
            } else {
                // In order, possibly with others in between.
                let mut rest = have.iter();
                want.iter().all(|w| rest.any(|h| h == w))
            }
        }
        Shape::Set => set_matches(&items(expected), &items(live), strict),
        Shape::Keys => set_matches(&keys(expected), &keys(live), strict),
        Shape::Dict => {
            let (want, have) = (entries(expected), entries(live));
            if strict {
                want == have
            } else {
                want.iter().all(|(k, v)| have.get(k) == Some(v))
            }
        }
        Shape::Dicts => {
            let (want, have) = (items(expected), items(live));
            let covered =
                |a: &[Json], b: &[Json]| a.iter().all(|x| b.iter().any(|y| dict_within(x, y)));
            covered(&want, &have) && (!strict || covered(&have, &want))
        }
    }
}

fn set_matches(want: &[Json], have: &[Json], strict: bool) -> bool {
    want.iter().all(|w| have.contains(w)) && (!strict || have.iter().all(|h| want.contains(h)))
}

fn is_empty(value: &Json) -> bool {
    match value {
        Json::Null => true,
        Json::Array(items) => items.is_empty(),
        Json::Object(map) => map.is_empty(),
        Json::String(s) => s.is_empty(),
        _ => false,
    }
}

fn items(value: &Json) -> Vec<Json> {
    match value {
        Json::Array(items) => items.clone(),
        Json::Null => Vec::new(),
        other => vec![other.clone()],
    }
}

fn keys(value: &Json) -> Vec<Json> {
    match value {
        Json::Object(map) => map.keys().map(|k| Json::from(k.as_str())).collect(),
        other => items(other),
    }
}

fn entries(value: &Json) -> JsonMap<String, Json> {
    match value {
        Json::Object(map) => map.clone(),
        _ => JsonMap::new(),
    }
}

/// Every entry of `a` is in `b` (a dict "allow more present").
fn dict_within(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Object(a), Json::Object(b)) => a.iter().all(|(k, v)| b.get(k) == Some(v)),
        _ => a == b,
    }
}

/// `KEY=value` strings as a map (the engine's form of an environment).
pub fn env_map(value: Option<&Json>) -> JsonMap<String, Json> {
    value
        .map(items)
        .unwrap_or_default()
        .iter()
        .filter_map(Json::as_str)
        .map(|entry| match entry.split_once('=') {
            Some((k, v)) => (k.to_string(), Json::from(v)),
            None => (entry.to_string(), Json::Null),
        })
        .collect()
}

/// The changes reporting a difference of `setting`. Mappings (and the environment) are reported
/// key by key; with `strict`, keys only the container has are reported as removed.
pub fn changes(
    setting: &Setting,
    comparison: Comparison,
    expected: &Json,
    live: Option<&Json>,
) -> Vec<AttrChange> {
    let sensitive = setting.name == "env";
    let keyed = match (setting.name, setting.shape) {
        ("env", _) => Some((env_map(Some(expected)), env_map(live))),
        // A healthcheck reads best whole; other mappings key by key.
        ("healthcheck", _) => None,
        (_, Shape::Dict) => Some((entries(expected), live.map(entries).unwrap_or_default())),
        _ => None,
    };
    let Some((want, have)) = keyed else {
        return vec![AttrChange {
            path: setting.name.to_string(),
            before: live.filter(|l| !l.is_null()).map(to_value),
            after: Some(to_value(expected)),
            sensitive,
        }];
    };
    let mut out: Vec<AttrChange> = want
        .iter()
        .filter(|(k, v)| have.get(*k) != Some(*v))
        .map(|(k, v)| AttrChange {
            path: format!("{}.{k}", setting.name),
            before: have.get(k).map(to_value),
            after: Some(to_value(v)),
            sensitive,
        })
        .collect();
    if comparison == Comparison::Strict {
        out.extend(
            have.iter()
                .filter(|(k, _)| !want.contains_key(*k))
                .map(|(k, v)| AttrChange {
                    path: format!("{}.{k}", setting.name),
                    before: Some(to_value(v)),
                    after: None,
                    sensitive,
                }),
        );
    }
    out
}

/// An engine value as a plan value.
pub fn to_value(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i.into()),
            None => n
                .as_u64()
                .map(|u| Value::Int(u.into()))
                .unwrap_or_else(|| Value::Float(n.as_f64().unwrap_or_default())),
        },
        Json::String(s) => Value::Str(s.clone()),
        Json::Array(items) => Value::List(items.iter().map(to_value).collect()),
        Json::Object(map) => Value::Map(
            map.iter()
                .map(|(k, v)| (k.clone(), to_value(v)))
                .collect::<Map>(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn compare_generic_semantics() {
        use Comparison::*;
        assert!(matches(
            Shape::Set,
            AllowMorePresent,
            &json!(["a"]),
            Some(&json!(["b", "a"]))
        ));
        assert!(!matches(
            Shape::Set,
            Strict,
            &json!(["a"]),
            Some(&json!(["b", "a"]))
        ));
        assert!(matches(
            Shape::Set,
            Strict,
            &json!(["a", "b"]),
            Some(&json!(["b", "a"]))
        ));
        assert!(matches(
            Shape::List,
            AllowMorePresent,
            &json!(["a", "c"]),
            Some(&json!(["a", "b", "c"]))
        ));
        assert!(!matches(
            Shape::List,
            AllowMorePresent,
            &json!(["c", "a"]),
            Some(&json!(["a", "b", "c"]))
        ));
        assert!(!matches(
            Shape::List,
            Strict,
            &json!(["a", "c"]),
            Some(&json!(["a", "b", "c"]))
        ));
        assert!(matches(
            Shape::Dict,
            AllowMorePresent,
            &json!({"a": "1"}),
            Some(&json!({"a": "1", "b": "2"}))
        ));
        assert!(!matches(
            Shape::Dict,
            Strict,
            &json!({"a": "1"}),
            Some(&json!({"a": "1", "b": "2"}))
        ));
        assert!(
            matches(Shape::Set, Strict, &json!([]), None),
            "absent equals empty"
        );
        assert!(!matches(Shape::Value, Strict, &json!("x"), None));
        assert!(matches(
            Shape::Value,
            Ignore,
            &json!("x"),
            Some(&json!("y"))
        ));
        assert!(matches(
            Shape::Keys,
            AllowMorePresent,
            &json!({"80/tcp": {}}),
            Some(&json!({"80/tcp": {}, "443/tcp": {}}))
        ));
        assert!(matches(
            Shape::Dicts,
            AllowMorePresent,
            &json!([{"Target": "/a", "Type": "volume"}]),
            Some(&json!([{"Target": "/a", "Type": "volume", "Source": ""}, {"Target": "/b"}]))
        ));
        assert!(!matches(
            Shape::Dicts,
            Strict,
            &json!([{"Target": "/a", "Type": "volume"}]),
            Some(&json!([{"Target": "/a", "Type": "volume"}, {"Target": "/b"}]))
        ));
    }

    #[test]
    fn env_changes_name_each_key_and_are_sensitive() {
        let env = super::super::settings::setting("env").unwrap();
        let got = changes(
            env,
            Comparison::Strict,
            &json!(["A=1", "B=2"]),
            Some(&json!(["A=1", "B=3", "C=4"])),
        );
        let paths: Vec<&str> = got.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["env.B", "env.C"]);
        assert!(got.iter().all(|c| c.sensitive));
        assert_eq!(got[1].after, None);
    }
}
