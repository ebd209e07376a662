//! `networks`: which networks the container is attached to, with its aliases and static addresses
//! there. Membership changes in place (connect / disconnect), as in community.docker.

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::live::Endpoint;
use super::settings::Comparison;
use super::spec::NetworkSpec;
use crate::diff::AttrChange;
use crate::drivers::host::args::as_text;
use crate::value::{Map, Value};

/// Sub-options of a `networks` entry plimsoll does not send.
const NOT_SUPPORTED: [&str; 4] = ["links", "mac_address", "driver_opts", "gw_priority"];

pub fn parse(entry: &Value) -> Result<NetworkSpec, String> {
    let Value::Map(map) = entry else {
        return Err(format!(
            "networks: each entry must be a dict, got a {}",
            entry.type_name()
        ));
    };
    let given = |key: &str| map.get(key).filter(|v| **v != Value::Null);
    for key in map.keys() {
        if NOT_SUPPORTED.contains(&key.as_str()) && given(key).is_some() {
            return Err(format!("networks.{key} is not supported by plimsoll"));
        }
        if !["name", "ipv4_address", "ipv6_address", "aliases"].contains(&key.as_str())
            && !NOT_SUPPORTED.contains(&key.as_str())
        {
            return Err(format!("networks: unsupported parameter {key}"));
        }
    }
    let text = |key: &str| -> Result<Option<String>, String> {
        given(key)
            .map(|v| as_text(v).map_err(|e| format!("networks.{key}: {e}")))
            .transpose()
    };
    let name = text("name")?.ok_or("networks: missing required arguments: name")?;
    let aliases = match given("aliases") {
        None => Vec::new(),
        Some(Value::List(items)) => items
            .iter()
            .map(as_text)
            .collect::<Result<_, _>>()
            .map_err(|e| format!("networks.aliases: {e}"))?,
        Some(other) => vec![as_text(other).map_err(|e| format!("networks.aliases: {e}"))?],
    };
    Ok(NetworkSpec {
        name,
        ipv4_address: text("ipv4_address")?,
        ipv6_address: text("ipv6_address")?,
        aliases,
    })
}

/// Addresses compare in canonical form (`::0001` is `::1`).
fn same_address(desired: &str, live: Option<&str>) -> bool {
    let canonical = |a: &str| {
        a.parse::<IpAddr>()
            .map_or(a.to_string(), |ip| ip.to_string())
    };
    live.is_some_and(|l| canonical(desired) == canonical(l))
}

fn differs(desired: &NetworkSpec, live: &Endpoint) -> bool {
    let address_differs = |want: &Option<String>, have: &Option<String>| {
        want.as_deref()
            .is_some_and(|w| !same_address(w, have.as_deref()))
    };
    address_differs(&desired.ipv4_address, &live.ipv4_address)
        || address_differs(&desired.ipv6_address, &live.ipv6_address)
        || desired.aliases.iter().any(|a| !live.aliases.contains(a))
}

fn desired_value(network: &NetworkSpec) -> Value {
    let mut map = Map::new();
    if !network.aliases.is_empty() {
        map.insert(
            "aliases".into(),
            Value::List(
                network
                    .aliases
                    .iter()
                    .map(|a| Value::from(a.as_str()))
                    .collect(),
            ),
        );
    }
    if let Some(ip) = &network.ipv4_address {
        map.insert("ipv4_address".into(), Value::from(ip.as_str()));
    }
    if let Some(ip) = &network.ipv6_address {
        map.insert("ipv6_address".into(), Value::from(ip.as_str()));
    }
    Value::Map(map)
}

fn live_value(endpoint: &Endpoint) -> Value {
    let mut map = Map::new();
    map.insert(
        "aliases".into(),
        Value::List(
            endpoint
                .aliases
                .iter()
                .map(|a| Value::from(a.as_str()))
                .collect(),
        ),
    );
    if let Some(ip) = &endpoint.ipv4_address {
        map.insert("ipv4_address".into(), Value::from(ip.as_str()));
    }
    if let Some(ip) = &endpoint.ipv6_address {
        map.insert("ipv6_address".into(), Value::from(ip.as_str()));
    }
    Value::Map(map)
}

/// The path of a network's change in a delta (apply connects or disconnects by it).
pub const PREFIX: &str = "networks.";

/// Networks to connect (or reconnect with other settings), and with `networks: strict`, those to
/// leave. `after: None` means disconnect.
pub fn changes(
    desired: &[NetworkSpec],
    live: &BTreeMap<String, Endpoint>,
    comparison: Comparison,
) -> Vec<AttrChange> {
    if comparison == Comparison::Ignore {
        return Vec::new();
    }
    let mut out = Vec::new();
    for network in desired {
        let current = live.get(&network.name);
        if current.is_none_or(|endpoint| differs(network, endpoint)) {
            out.push(AttrChange {
                path: format!("{PREFIX}{}", network.name),
                before: current.map(live_value),
                after: Some(desired_value(network)),
                sensitive: false,
            });
        }
    }
    if comparison == Comparison::Strict {
        for (name, endpoint) in live {
            if !desired.iter().any(|n| n.name == *name) {
                out.push(AttrChange {
                    path: format!("{PREFIX}{name}"),
                    before: Some(live_value(endpoint)),
                    after: None,
                    sensitive: false,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, aliases: &[&str], ip: Option<&str>) -> NetworkSpec {
        NetworkSpec {
            name: name.into(),
            ipv4_address: ip.map(str::to_string),
            ipv6_address: None,
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
        }
    }

    fn endpoint(aliases: &[&str], ip: Option<&str>) -> Endpoint {
        Endpoint {
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            ipv4_address: ip.map(str::to_string),
            ipv6_address: None,
        }
    }

    #[test]
    fn connects_reconnects_and_leaves_only_when_strict() {
        let live: BTreeMap<String, Endpoint> = [
            ("front".to_string(), endpoint(&["web", "abc123"], None)),
            ("old".to_string(), endpoint(&[], None)),
        ]
        .into();
        let desired = [
            spec("front", &["web"], None),
            spec("back", &[], Some("10.1.0.5")),
        ];
        let paths = |c: Vec<AttrChange>| c.into_iter().map(|c| c.path).collect::<Vec<_>>();
        assert_eq!(
            paths(changes(&desired, &live, Comparison::AllowMorePresent)),
            ["networks.back"]
        );
        assert_eq!(
            paths(changes(&desired, &live, Comparison::Strict)),
            ["networks.back", "networks.old"]
        );
        assert!(changes(&desired, &live, Comparison::Ignore).is_empty());
        let moved = [spec("front", &["web", "www"], None)];
        assert_eq!(
            paths(changes(&moved, &live, Comparison::AllowMorePresent)),
            ["networks.front"]
        );
    }

    #[test]
    fn addresses_compare_canonically() {
        assert!(same_address("fd00::0001", Some("fd00::1")));
        assert!(!same_address("10.0.0.1", None));
    }
}
