//! `ipam_config`: address pools as community.docker reads them, compared with the engine's after
//! normalising addresses (so `fd00::0/64` and `fd00::/64` are the same subnet).

use std::collections::BTreeMap;
use std::net::IpAddr;

use bollard::models::IpamConfig;

use crate::drivers::host::args::{Args, as_text};
use crate::value::{Map, Value};

/// One address pool.
#[derive(Clone, Debug, PartialEq)]
pub struct IpamPool {
    pub subnet: String,
    pub iprange: Option<String>,
    pub gateway: Option<String>,
    pub aux_addresses: Option<BTreeMap<String, String>>,
}

const KEYS: [&str; 4] = ["subnet", "iprange", "gateway", "aux_addresses"];

/// `ipam_config`: a list of pools, each with a valid CIDR `subnet`.
pub fn parse(args: &mut Args) -> Option<Vec<IpamPool>> {
    let value = args.value("ipam_config", &[])?;
    let Value::List(items) = value else {
        args.error(
            Some("ipam_config"),
            format!("ipam_config: expected a list, got a {}", value.type_name()),
        );
        return None;
    };
    let mut pools = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let Value::Map(map) = item else {
            args.error(
                Some("ipam_config"),
                format!(
                    "ipam_config[{index}]: expected a dict, got a {}",
                    item.type_name()
                ),
            );
            continue;
        };
        match pool(map) {
            Ok(pool) => pools.push(pool),
            Err(message) => args.error(
                Some("ipam_config"),
                format!("ipam_config[{index}]: {message}"),
            ),
        }
    }
    Some(pools)
}

fn pool(map: &Map) -> Result<IpamPool, String> {
    let unknown: Vec<&str> = map
        .keys()
        .map(String::as_str)
        .filter(|k| !KEYS.contains(k))
        .collect();
    if !unknown.is_empty() {
        return Err(format!(
            "unsupported parameters: {} (supported: {})",
            unknown.join(", "),
            KEYS.join(", ")
        ));
    }
    let text = |key: &str| -> Result<Option<String>, String> {
        match map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => as_text(value)
                .map(Some)
                .map_err(|message| format!("{key}: {message}")),
        }
    };
    let subnet = text("subnet")?.ok_or("subnet is required")?;
    if !is_cidr(&subnet) {
        return Err(format!("\"{subnet}\" is not a valid CIDR"));
    }
    let aux_addresses = match map.get("aux_addresses") {
        None | Some(Value::Null) => None,
        Some(Value::Map(aux)) => Some(
            aux.iter()
                .map(|(host, ip)| {
                    as_text(ip)
                        .map(|ip| (host.clone(), ip))
                        .map_err(|message| format!("aux_addresses.{host}: {message}"))
                })
                .collect::<Result<BTreeMap<_, _>, _>>()?,
        ),
        Some(other) => {
            return Err(format!(
                "aux_addresses: expected a dict, got a {}",
                other.type_name()
            ));
        }
    };
    Ok(IpamPool {
        subnet,
        iprange: text("iprange")?,
        gateway: text("gateway")?,
        aux_addresses,
    })
}

/// community.docker's check: dotted IPv4 or hex-and-colons IPv6, with a prefix length in range.
fn is_cidr(text: &str) -> bool {
    let Some((address, prefix)) = text.split_once('/') else {
        return false;
    };
    // Digits without a leading zero, as its regular expressions require.
    let prefix = match prefix.parse::<u8>() {
        Ok(p) if p.to_string() == prefix => p,
        _ => return false,
    };
    let octets: Vec<&str> = address.split('.').collect();
    let ipv4 = octets.len() == 4
        && octets
            .iter()
            .all(|o| (1..=3).contains(&o.len()) && o.bytes().all(|b| b.is_ascii_digit()));
    let ipv6 = !address.is_empty() && address.bytes().all(|b| b.is_ascii_hexdigit() || b == b':');
    (ipv4 && prefix <= 32) || (ipv6 && prefix <= 128)
}

/// A network written canonically (`ipaddress.ip_network(x).compressed`); text that is not a network
/// with its host bits clear stays as written.
pub fn normalize_network(text: &str) -> String {
    parse_network(text).map_or_else(
        || text.to_string(),
        |(address, prefix)| format!("{address}/{prefix}"),
    )
}

/// An address written canonically; anything else as written.
pub fn normalize_address(text: &str) -> String {
    text.parse::<IpAddr>()
        .map_or_else(|_| text.to_string(), |a| a.to_string())
}

fn parse_network(text: &str) -> Option<(IpAddr, u8)> {
    let (address, prefix) = text.split_once('/')?;
    let address: IpAddr = address.parse().ok()?;
    let prefix: u8 = prefix.parse().ok()?;
    let bits = match address {
        IpAddr::V4(a) => (u128::from(u32::from(a)), 32u8),
        IpAddr::V6(a) => (u128::from(a), 128u8),
    };
    if prefix > bits.1 {
        return None;
    }
    let host_bits = u32::from(bits.1 - prefix);
    let host_mask = if host_bits == 128 {
        u128::MAX
    } else {
        (1u128 << host_bits) - 1
    };
    (bits.0 & host_mask == 0).then_some((address, prefix))
}

/// Whether `address` lies in `subnet`.
pub fn contains(subnet: &str, address: &str) -> bool {
    let (Some((network, prefix)), Ok(address)) = (parse_network(subnet), address.parse::<IpAddr>())
    else {
        return false;
    };
    let (network, address, width) = match (network, address) {
        (IpAddr::V4(n), IpAddr::V4(a)) => (u128::from(u32::from(n)), u128::from(u32::from(a)), 32),
        (IpAddr::V6(n), IpAddr::V6(a)) => (u128::from(n), u128::from(a), 128),
        _ => return false,
    };
    let host_bits = width - u32::from(prefix);
    let mask = if host_bits == 128 {
        0
    } else {
        !((1u128 << host_bits) - 1)
    };
    network & mask == address & mask
}

/// One declared pool's keys, normalised, as (key, value) for comparison and display.
fn declared_values(pool: &IpamPool) -> Vec<(&'static str, Value)> {
    let mut values = vec![("subnet", Value::from(normalize_network(&pool.subnet)))];
    if let Some(range) = &pool.iprange {
        values.push(("iprange", Value::from(normalize_network(range))));
    }
    if let Some(gateway) = &pool.gateway {
        values.push(("gateway", Value::from(normalize_address(gateway))));
    }
    if let Some(aux) = &pool.aux_addresses {
        values.push(("aux_addresses", aux_value(aux.iter())));
    }
    values
}

fn aux_value<'a>(aux: impl Iterator<Item = (&'a String, &'a String)>) -> Value {
    let sorted: BTreeMap<&String, String> = aux.map(|(k, v)| (k, normalize_address(v))).collect();
    Value::Map(
        sorted
            .into_iter()
            .map(|(k, v)| (k.clone(), Value::from(v)))
            .collect(),
    )
}

/// The engine's value for a pool key, normalised as the declared one is.
fn live_value(config: &IpamConfig, key: &str) -> Option<Value> {
    match key {
        "subnet" => config
            .subnet
            .as_deref()
            .map(|s| Value::from(normalize_network(s))),
        "iprange" => config
            .ip_range
            .as_deref()
            .map(|s| Value::from(normalize_network(s))),
        "gateway" => config
            .gateway
            .as_deref()
            .map(|s| Value::from(normalize_address(s))),
        "aux_addresses" => config
            .auxiliary_addresses
            .as_ref()
            .filter(|aux| !aux.is_empty())
            .map(|aux| aux_value(aux.iter())),
        _ => None,
    }
}

/// A declared attribute that differs: its path, the engine's value (if any), the declared value.
pub type Difference = (String, Option<Value>, Value);

/// Each declared pool against the engine's pool that has every declared value (community.docker
/// compares them as sets); with no such pool, against the pool at the same position. Keys not
/// declared (a gateway the engine picked) are not compared.
pub fn differences(declared: &[IpamPool], live: &[IpamConfig]) -> Vec<Difference> {
    let mut out = Vec::new();
    for (index, pool) in declared.iter().enumerate() {
        let wanted = declared_values(pool);
        let matches = |config: &IpamConfig| {
            wanted
                .iter()
                .all(|(k, v)| live_value(config, k).as_ref() == Some(v))
        };
        let counterpart = live.iter().find(|c| matches(c)).or_else(|| live.get(index));
        for (key, value) in wanted {
            let current = counterpart.and_then(|c| live_value(c, key));
            if current.as_ref() != Some(&value) {
                out.push((format!("ipam_config[{index}].{key}"), current, value));
            }
        }
    }
    out
}

/// The pool as the Engine API takes it.
pub fn to_engine(pool: &IpamPool) -> IpamConfig {
    IpamConfig {
        subnet: Some(pool.subnet.clone()),
        ip_range: pool.iprange.clone(),
        gateway: pool.gateway.clone(),
        auxiliary_addresses: pool
            .aux_addresses
            .as_ref()
            .map(|aux| aux.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
    }
}

/// The declared pool's values, for a plan that creates the network.
pub fn creation_values(index: usize, pool: &IpamPool) -> Vec<(String, Value)> {
    declared_values(pool)
        .into_iter()
        .map(|(key, value)| (format!("ipam_config[{index}].{key}"), value))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_compare_in_canonical_form_and_odd_text_as_written() {
        assert_eq!(normalize_network("fd00:0:0::0/64"), "fd00::/64");
        assert_eq!(normalize_network("10.1.0.0/24"), "10.1.0.0/24");
        // Host bits set: Python's ip_network refuses it, and community.docker keeps the text.
        assert_eq!(normalize_network("10.1.0.5/24"), "10.1.0.5/24");
        assert_eq!(normalize_address("fd00:0::1"), "fd00::1");
    }

    #[test]
    fn cidr_check_follows_community_docker() {
        assert!(is_cidr("10.1.0.0/24"));
        assert!(is_cidr("fd00::/64"));
        assert!(!is_cidr("10.1.0.0"));
        assert!(!is_cidr("10.1.0.0/33"));
        assert!(!is_cidr("example.com/24"));
    }

    #[test]
    fn membership_of_an_address_in_a_subnet() {
        assert!(contains("10.5.0.0/24", "10.5.0.9"));
        assert!(!contains("10.6.0.0/24", "10.5.0.9"));
        assert!(contains("fd00::/64", "fd00::9"));
        assert!(!contains("10.5.0.0/24", "fd00::9"));
        assert!(contains("0.0.0.0/0", "192.0.2.1"));
    }

    fn config(subnet: &str, gateway: Option<&str>) -> IpamConfig {
        IpamConfig {
            subnet: Some(subnet.into()),
            gateway: gateway.map(str::to_string),
            ..Default::default()
        }
    }

    fn pool(subnet: &str) -> IpamPool {
        IpamPool {
            subnet: subnet.into(),
            iprange: None,
            gateway: None,
            aux_addresses: None,
        }
    }

    #[test]
    fn a_gateway_the_engine_picked_is_not_drift_but_a_subnet_is() {
        let live = [config("10.5.0.0/24", Some("10.5.0.1"))];
        assert!(differences(&[pool("10.5.0.0/24")], &live).is_empty());
        let moved = differences(&[pool("10.6.0.0/24")], &live);
        assert_eq!(
            moved,
            [(
                "ipam_config[0].subnet".to_string(),
                Some(Value::from("10.5.0.0/24")),
                Value::from("10.6.0.0/24")
            )]
        );
    }

    #[test]
    fn pools_match_in_any_order() {
        let live = [config("fd00::/64", None), config("10.5.0.0/24", None)];
        assert!(differences(&[pool("10.5.0.0/24"), pool("fd00::/64")], &live).is_empty());
    }
}
