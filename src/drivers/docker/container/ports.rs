//! `published_ports` and `exposed_ports` in Docker CLI syntax (`8080:80`, `127.0.0.1:8081:9001/udp`,
//! `7000-7010:9010-9020`), turned into the engine's `PortBindings` and `ExposedPorts`.

use std::collections::BTreeSet;

use serde_json::{Map as JsonMap, Value as Json, json};

/// What both options produce: the bindings (container port → host addresses) and every port the
/// container exposes because of them.
#[derive(Debug, Default, PartialEq)]
pub struct Ports {
    /// `PortBindings`: `"80/tcp"` → `[{"HostIp": "0.0.0.0", "HostPort": "8080"}]`.
    pub bindings: JsonMap<String, Json>,
    /// `"80/tcp"` keys.
    pub exposed: BTreeSet<String>,
}

/// Reads `published_ports`; `default_ip` stands in where no host address is written.
pub fn published(specs: &[String], default_ip: &str, ports: &mut Ports) -> Result<(), String> {
    for spec in specs {
        if spec == "all" {
            return Err(
                "Specifying \"all\" in published_ports is no longer allowed. Set publish_all_ports \
                 to \"true\" instead"
                    .into(),
            );
        }
        let parts = split_colons(spec)?;
        let (last, hosts): (&str, &[String]) = match parts.split_last() {
            Some((last, rest)) => (last, rest),
            None => return Err(format!("Invalid port description {spec:?}")),
        };
        let (container, protocol) = match last.split_once('/') {
            Some((port, protocol)) => (port, protocol),
            None => (last, "tcp"),
        };
        let container_ports = port_range(container)?;
        let binds: Vec<(String, String)> = match hosts {
            [] => vec![(default_ip.to_string(), String::new()); container_ports.len()],
            [host_port] => host_ports(host_port, container_ports.len())?
                .into_iter()
                .map(|p| (default_ip.to_string(), p))
                .collect(),
            [ip, host_port] => {
                let ip = bind_address(ip)?;
                if host_port.is_empty() {
                    vec![(ip, String::new()); container_ports.len()]
                } else {
                    host_ports(host_port, container_ports.len())?
                        .into_iter()
                        .map(|p| (ip.clone(), p))
                        .collect()
                }
            }
            _ => {
                return Err(format!(
                    "Invalid port description {spec:?} - expected 1 to 3 colon-separated parts, \
                     but got {}. Maybe you forgot to use square brackets ([...]) around an IPv6 \
                     address?",
                    parts.len()
                ));
            }
        };
        // Two ranges of different lengths pair up as far as the shorter one goes.
        for ((ip, host_port), port) in binds.into_iter().zip(container_ports) {
            let key = format!("{port}/{protocol}");
            ports.exposed.insert(key.clone());
            let entry = ports
                .bindings
                .entry(key)
                .or_insert_with(|| Json::Array(Vec::new()));
            if let Json::Array(list) = entry {
                list.push(json!({"HostIp": ip, "HostPort": host_port}));
            }
        }
    }
    Ok(())
}

/// Reads `exposed_ports`: `8080`, `53/udp`, `9000-9002`.
pub fn exposed(specs: &[String], ports: &mut Ports) -> Result<(), String> {
    for spec in specs {
        let spec = spec.trim();
        let (port, protocol) = spec.split_once('/').unwrap_or((spec, "tcp"));
        for number in port_range(port).map_err(|e| format!("Cannot parse port {spec:?}: {e}"))? {
            ports.exposed.insert(format!("{number}/{protocol}"));
        }
    }
    Ok(())
}

/// Host ports for `count` container ports: one port or range for a single container port is kept
/// as written (the engine picks a free one in a range); a range for several is spread over them.
fn host_ports(text: &str, count: usize) -> Result<Vec<String>, String> {
    if count == 1 {
        return Ok(vec![text.to_string()]);
    }
    Ok(port_range(text)?.iter().map(u32::to_string).collect())
}

fn port_range(text: &str) -> Result<Vec<u32>, String> {
    let number = |t: &str| {
        t.trim()
            .parse::<u32>()
            .map_err(|_| format!("Invalid port: {text:?}"))
    };
    match text.split_once('-') {
        Some((start, end)) => {
            let (start, end) = (number(start)?, number(end)?);
            if end < start {
                return Err(format!("Invalid port range: {text:?}"));
            }
            Ok((start..=end).collect())
        }
        None => Ok(vec![number(text)?]),
    }
}

/// Only literal IPv4 or bracketed IPv6 addresses are accepted (no host names, as community.docker).
fn bind_address(text: &str) -> Result<String, String> {
    let is_ipv4 = text.split('.').count() == 4
        && text
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    if is_ipv4 {
        return Ok(text.to_string());
    }
    if let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']'))
        && !inner.is_empty()
        && inner.chars().all(|c| c.is_ascii_hexdigit() || c == ':')
    {
        return Ok(inner.to_string());
    }
    Err(format!(
        "Bind addresses for published ports must be IPv4 or IPv6 addresses, not hostnames. \
         (Found hostname: {text})"
    ))
}

/// Splits on `:` but keeps `[...]` (an IPv6 address) in one piece.
fn split_colons(text: &str) -> Result<Vec<String>, String> {
    let mut parts = vec![String::new()];
    let mut in_brackets = false;
    for c in text.chars() {
        match c {
            '[' => in_brackets = true,
            ']' => in_brackets = false,
            ':' if !in_brackets => {
                parts.push(String::new());
                continue;
            }
            _ => {}
        }
        if let Some(last) = parts.last_mut() {
            last.push(c);
        }
    }
    if in_brackets {
        return Err(format!("Cannot find closing \"]\" in input {text:?}"));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn publish(specs: &[&str]) -> Result<Ports, String> {
        let mut ports = Ports::default();
        let specs: Vec<String> = specs.iter().map(|s| s.to_string()).collect();
        published(&specs, "0.0.0.0", &mut ports)?;
        Ok(ports)
    }

    #[test]
    fn docker_cli_forms() {
        let ports = publish(&[
            "8080:9000",
            "127.0.0.1:8081:9001/udp",
            "9002",
            "8000-8100:9003",
            "7000-7001:9010-9011",
            "[::1]:8082:9004",
        ])
        .unwrap();
        let b = |k: &str| ports.bindings.get(k).cloned().unwrap();
        assert_eq!(
            b("9000/tcp"),
            json!([{"HostIp": "0.0.0.0", "HostPort": "8080"}])
        );
        assert_eq!(
            b("9001/udp"),
            json!([{"HostIp": "127.0.0.1", "HostPort": "8081"}])
        );
        assert_eq!(
            b("9002/tcp"),
            json!([{"HostIp": "0.0.0.0", "HostPort": ""}])
        );
        assert_eq!(
            b("9003/tcp"),
            json!([{"HostIp": "0.0.0.0", "HostPort": "8000-8100"}])
        );
        assert_eq!(
            b("9011/tcp"),
            json!([{"HostIp": "0.0.0.0", "HostPort": "7001"}])
        );
        assert_eq!(
            b("9004/tcp"),
            json!([{"HostIp": "::1", "HostPort": "8082"}])
        );
        assert!(ports.exposed.contains("9001/udp"));
        assert_eq!(ports.exposed.len(), 7);
    }

    #[test]
    fn refused_forms() {
        assert!(publish(&["all"]).is_err());
        assert!(publish(&["example.com:80:80"]).is_err());
        assert!(publish(&["1:2:3:4"]).is_err());
        assert!(publish(&["x"]).is_err());
        assert!(publish(&["9-1"]).is_err());
    }

    #[test]
    fn exposed_ranges() {
        let mut ports = Ports::default();
        exposed(&["9000-9001".into(), "53/udp".into()], &mut ports).unwrap();
        let got: Vec<&str> = ports.exposed.iter().map(String::as_str).collect();
        assert_eq!(got, ["53/udp", "9000/tcp", "9001/tcp"]);
    }
}
