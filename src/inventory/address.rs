//! Ansible's `parse_address`: splits `host:port`, `[host]:port` and checks the host is an IPv4 or IPv6
//! address or a hostname, each possibly with `[x:y]` ranges, using the same regular expressions.
//!
//! Quirks kept from Ansible: the two port forms are tried one after the other on what is left, so
//! `[foo:22]:33` gives host `foo` and port 22; an IPv6 address takes a port only in brackets; `1.2.3.256`
//! passes as a hostname; a label may start with `_` but not end with `_` or `-`.

use std::sync::LazyLock;

use regex::Regex;
use thiserror::Error;

#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum AddressError {
    #[error("Not a valid network hostname: {0}")]
    NotValid(String),
    #[error("Detected range in host but was asked to ignore ranges")]
    RangeNotAllowed,
}

const NUMERIC_RANGE: &str = r"\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]";
const HEXADECIMAL_RANGE: &str = r"\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]";
const ALPHANUMERIC_RANGE: &str = r"\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]";

/// Python's `$` also matches before one final newline.
const END: &str = r"\n?\z";

struct Patterns {
    bracketed_hostport: Regex,
    hostport: Regex,
    ipv4: Regex,
    ipv6: Regex,
    hostname: Regex,
}

fn build() -> Result<Patterns, regex::Error> {
    let ipv4_component = format!(r"(?:[01]?[0-9]{{1,2}}|2[0-4][0-9]|25[0-5]|{NUMERIC_RANGE})");
    let c = format!(r"(?:[0-9a-f]{{1,4}}|{HEXADECIMAL_RANGE})");
    let ipv6 = [
        format!(r"(?:{c}:){{7}}{c}"),
        format!(r"(?:{c}:){{1,6}}:"),
        format!(r"(?:{c}:)(?::{c}){{1,6}}"),
        format!(r"(?:{c}:){{2}}(?::{c}){{1,5}}"),
        format!(r"(?:{c}:){{3}}(?::{c}){{1,4}}"),
        format!(r"(?:{c}:){{4}}(?::{c}){{1,3}}"),
        format!(r"(?:{c}:){{5}}(?::{c}){{1,2}}"),
        format!(r"(?:{c}:){{6}}(?::{c})"),
        format!(r":(?::{c}){{1,6}}"),
        format!(r"{c}?::"),
        format!(r"(?:0:){{6}}(?:{c}\.){{3}}{c}"),
        format!(r"::(?:ffff:)?(?:{c}\.){{3}}{c}"),
        format!(r"(?:0:){{5}}ffff:(?:{c}\.){{3}}{c}"),
    ]
    .join("|");
    // Ansible's label is `(?:\w|R)(?:[\w_-]|R)*(?<![_-])`; without look-behind: one element that is not
    // `_`, or several whose last is not `_` or `-`.
    let r = ALPHANUMERIC_RANGE;
    let label = format!(r"(?:(?:[^\W_]|{r})|(?:\w|{r})(?:[\w-]|{r})*(?:[^\W_]|{r}))");
    Ok(Patterns {
        bracketed_hostport: Regex::new(&format!(r"^\[(.+)\]:([0-9]+){END}"))?,
        hostport: Regex::new(&format!(r"^((?:[^:\[\]]|\[[^\]]*\])*):([0-9]+){END}"))?,
        ipv4: Regex::new(&format!(
            r"(?i)^(?:{ipv4_component}\.){{3}}{ipv4_component}{END}"
        ))?,
        ipv6: Regex::new(&format!(r"(?i)^(?:{ipv6}){END}"))?,
        hostname: Regex::new(&format!(r"(?i)^{label}(?:\.{label})*{END}"))?,
    })
}

static PATTERNS: LazyLock<Result<Patterns, regex::Error>> = LazyLock::new(build);

/// `parse_address(address, allow_ranges)`: the host and the port, if one was given, as the inventory
/// model holds ports. Ansible keeps any port number (a Python int): a port past 65535 comes back as
/// `None` here; `parse_address_wide` has it.
pub fn parse_address(
    address: &str,
    allow_ranges: bool,
) -> Result<(String, Option<u16>), AddressError> {
    let (host, port) = parse_address_wide(address, allow_ranges)?;
    Ok((host, port.and_then(|p| u16::try_from(p).ok())))
}

/// `parse_address` with the port as large as it was written.
pub fn parse_address_wide(
    address: &str,
    allow_ranges: bool,
) -> Result<(String, Option<u128>), AddressError> {
    let not_valid = |a: &str| AddressError::NotValid(a.to_string());
    let Ok(patterns) = PATTERNS.as_ref() else {
        return Err(not_valid(address));
    };
    let mut address = address.to_string();
    let mut port = None;
    // Both forms are tried in turn, the second on what the first left (Ansible `continue`s, not `break`s).
    for pattern in [&patterns.bracketed_hostport, &patterns.hostport] {
        let Some(found) = pattern.captures(&address) else {
            continue;
        };
        let host = found.get(1).map_or("", |m| m.as_str()).to_string();
        let digits = found.get(2).map_or("", |m| m.as_str());
        // Python's int() has no limit; a port past u128 is treated as not a port at all.
        port = Some(digits.parse::<u128>().map_err(|_| not_valid(&address))?);
        address = host;
    }
    let is_host = [&patterns.ipv4, &patterns.ipv6, &patterns.hostname]
        .iter()
        .any(|p| p.is_match(&address));
    if !is_host {
        return Err(not_valid(&address));
    }
    if !allow_ranges && address.contains('[') {
        return Err(AddressError::RangeNotAllowed);
    }
    Ok((address, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Result<(String, Option<u128>), AddressError> {
        parse_address_wide(text, true)
    }

    fn ok(host: &str, port: Option<u128>) -> Result<(String, Option<u128>), AddressError> {
        Ok((host.to_string(), port))
    }

    #[test]
    fn patterns_compile() {
        assert!(PATTERNS.is_ok());
    }

    #[test]
    fn hosts_and_ports_as_ansible_parses_them() {
        // Python: ansible.parsing.utils.addresses.parse_address(text, allow_ranges=True).
        assert_eq!(parsed("web:22"), ok("web", Some(22)));
        assert_eq!(parsed("web[1:3]"), ok("web[1:3]", None));
        assert_eq!(parsed("[fe80::1]:22"), ok("fe80::1", Some(22)));
        assert_eq!(parsed("[foo:22]:33"), ok("foo", Some(22)));
        assert_eq!(parsed("[a:1]:22"), ok("a", Some(1)));
        assert_eq!(parsed("fe80::1"), ok("fe80::1", None));
        assert_eq!(parsed("FE80::A"), ok("FE80::A", None));
        assert_eq!(parsed("::"), ok("::", None));
        assert_eq!(parsed("::ffff:1.2.3.4"), ok("::ffff:1.2.3.4", None));
        assert_eq!(parsed("1.2.3.4:5"), ok("1.2.3.4", Some(5)));
        assert_eq!(parsed("[1.2.3.4]:5"), ok("1.2.3.4", Some(5)));
        assert_eq!(parsed("1.2.3.256"), ok("1.2.3.256", None));
        assert_eq!(parsed("1.2.3.[1:3]"), ok("1.2.3.[1:3]", None));
        assert_eq!(parsed("fe80::[1:2]"), ok("fe80::[1:2]", None));
        assert_eq!(parsed("1:2:3:4:5:6:7:8"), ok("1:2:3:4:5:6:7:8", None));
        assert_eq!(parsed("h:007"), ok("h", Some(7)));
        assert_eq!(parsed("a[1:2]b:3"), ok("a[1:2]b", Some(3)));
        assert_eq!(parsed("_web"), ok("_web", None));
        assert_eq!(parsed("wé"), ok("wé", None));
        assert_eq!(parsed("a[c:a]"), ok("a[c:a]", None));
        assert_eq!(parsed("[1:2]"), ok("[1:2]", None));
        assert_eq!(parsed("x[1:2]-y"), ok("x[1:2]-y", None));
        assert_eq!(parsed("a[1:2][3:4]"), ok("a[1:2][3:4]", None));
    }

    #[test]
    fn rejects_what_ansible_rejects() {
        for bad in [
            "[::1]",
            "web_",
            "web-",
            "-web",
            "a..b",
            "a.",
            ".a",
            "a b",
            "a[1]",
            "a[1:]",
            "a[:3]",
            "a[ 1:3]",
            "a[x:y:z]",
            "h[1:2]:x",
            "1:2:3:4:5:6:7:8:9",
            "a:b:c",
            "host:",
            "---",
        ] {
            assert!(parsed(bad).is_err(), "{bad}");
        }
        assert_eq!(parsed("---:22"), Err(AddressError::NotValid("---".into())));
        assert_eq!(
            parse_address("web[1:3]", false),
            Err(AddressError::RangeNotAllowed)
        );
    }
}
