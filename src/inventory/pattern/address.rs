//! Ansible's `parse_address`: a host name, IPv4 or IPv6 address, with an optional port and optional
//! `[x:y]` ranges. The host pattern splitter uses it to decide whether a colon separates patterns.
//!
//! Python's `$` also matches before a final newline; the expressions end in `\n?\z` to do the same.
//! Known differences: Rust's `\w` counts combining marks and connector punctuation as word characters
//! where Python counts `isalnum()` characters (including other-numeric ones) and `_`.

use std::sync::LazyLock;

use regex::Regex;
use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum AddressError {
    #[error("Not a valid network hostname: {0}")]
    NotAHostname(String),
    #[error("Detected range in host but was asked to ignore ranges")]
    RangeNotAllowed,
}

/// `[host]:port`; what is inside the brackets is checked afterwards.
static BRACKETED_HOSTPORT: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\[(.+)\]:([0-9]+)\n?\z").ok());

/// `host:port`, where host has no colon outside complete bracketed expressions.
static HOSTPORT: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^((?:[^:\[\]]|\[[^\]]*\])*):([0-9]+)\n?\z").ok());

static IPV4: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let part = r"(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|\[[0-9]+:[0-9]+(?::[0-9]+)?\])";
    Regex::new(&format!(r"(?i)^(?:{part}\.){{3}}{part}\n?\z")).ok()
});

static IPV6: LazyLock<Option<Regex>> = LazyLock::new(|| {
    // One 16-bit group, or a hexadecimal range standing for one.
    let x = r"(?:[0-9a-f]{1,4}|\[[0-9a-f]+:[0-9a-f]+(?::[0-9]+)?\])";
    let forms = [
        format!(r"(?:{x}:){{7}}{x}"),
        format!(r"(?:{x}:){{1,6}}:"),
        format!(r"(?:{x}:)(?::{x}){{1,6}}"),
        format!(r"(?:{x}:){{2}}(?::{x}){{1,5}}"),
        format!(r"(?:{x}:){{3}}(?::{x}){{1,4}}"),
        format!(r"(?:{x}:){{4}}(?::{x}){{1,3}}"),
        format!(r"(?:{x}:){{5}}(?::{x}){{1,2}}"),
        format!(r"(?:{x}:){{6}}(?::{x})"),
        format!(r":(?::{x}){{1,6}}"),
        format!(r"{x}?::"),
        format!(r"(?:0:){{6}}(?:{x}\.){{3}}{x}"),
        format!(r"::(?:ffff:)?(?:{x}\.){{3}}{x}"),
        format!(r"(?:0:){{5}}ffff:(?:{x}\.){{3}}{x}"),
    ];
    Regex::new(&format!(r"(?i)^(?:{})\n?\z", forms.join("|"))).ok()
});

/// One DNS-like label; Ansible also forbids a trailing `_` or `-`, checked separately because the
/// `regex` crate has no look-behind.
static LABEL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let range = r"\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]";
    Regex::new(&format!(r"(?i)^(?:\w|{range})(?:[\w_-]|{range})*\z")).ok()
});

fn matches(re: &LazyLock<Option<Regex>>, text: &str) -> bool {
    re.as_ref().is_some_and(|r| r.is_match(text))
}

fn is_hostname(address: &str) -> bool {
    let address = address.strip_suffix('\n').unwrap_or(address);
    // Neither labels nor ranges can hold a dot, so splitting on dots finds the labels.
    address
        .split('.')
        .all(|label| matches(&LABEL, label) && !label.ends_with(['_', '-']))
}

/// Returns the host and the port (saturated at `u64::MAX`; Python's int has no limit).
pub fn parse_address(
    address: &str,
    allow_ranges: bool,
) -> Result<(String, Option<u64>), AddressError> {
    let mut host = address.to_string();
    let mut port = None;
    // Both forms are tried in turn, the second on what the first left, as Ansible's loop does.
    for re in [&BRACKETED_HOSTPORT, &HOSTPORT] {
        let Some(re) = re.as_ref() else { continue };
        if let Some(caps) = re.captures(&host) {
            let (h, p) = match (caps.get(1), caps.get(2)) {
                (Some(h), Some(p)) => (h.as_str().to_string(), p.as_str()),
                _ => continue,
            };
            port = Some(p.parse::<u64>().unwrap_or(u64::MAX));
            host = h;
        }
    }
    if !(matches(&IPV4, &host) || matches(&IPV6, &host) || is_hostname(&host)) {
        return Err(AddressError::NotAHostname(host));
    }
    if !allow_ranges && host.contains('[') {
        return Err(AddressError::RangeNotAllowed);
    }
    Ok((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expectations from Ansible 2.19's `parse_address(x, allow_ranges=True)`.
    #[test]
    fn parses_like_ansible() {
        let ok: &[(&str, &str, Option<u64>)] = &[
            ("foo.example.com", "foo.example.com", None),
            ("foo.example.com:2222", "foo.example.com", Some(2222)),
            ("10.0.0.1:22", "10.0.0.1", Some(22)),
            ("[::1]:22", "::1", Some(22)),
            ("fe80::1", "fe80::1", None),
            ("::", "::", None),
            ("web[1:3]", "web[1:3]", None),
            ("web[a:c].x", "web[a:c].x", None),
            ("10.0.[1:3].1", "10.0.[1:3].1", None),
            ("dead:beef::[1:3]", "dead:beef::[1:3]", None),
            ("::ffff:10.0.0.1", "::ffff:10.0.0.1", None),
            ("[1:2]:22", "1", Some(2)),
            ("_x", "_x", None),
        ];
        for (input, host, port) in ok {
            assert_eq!(
                parse_address(input, true),
                Ok((host.to_string(), *port)),
                "{input:?}"
            );
        }
        for bad in [
            "web_",
            "web-",
            "a b",
            "a:b",
            "1:2:3:4:5:6:7:8:9",
            "h[12]",
            "web.",
            "",
            "x..y",
        ] {
            assert!(
                parse_address(bad, true).is_err(),
                "{bad:?} should not parse"
            );
        }
        assert_eq!(
            parse_address("nope!", true),
            Err(AddressError::NotAHostname("nope!".into()))
        );
        assert_eq!(
            parse_address("web[1:3]", false),
            Err(AddressError::RangeNotAllowed)
        );
    }
}
