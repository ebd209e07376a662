//! Splitting a pattern string into single patterns (Ansible's `split_host_pattern`) and putting them in
//! the order they are applied (`order_patterns`).

use std::sync::LazyLock;

use regex::Regex;

use super::address::parse_address;
use crate::inventory::pystr::strip;

/// Python's `str.strip()` without arguments.
pub(crate) fn python_strip(s: &str) -> &str {
    strip(s).1
}

/// The backwards-compatible `:`-separated form: runs of anything but whitespace, `:`, `[` and `]`, or
/// complete bracketed expressions (so `web[1:3]` stays whole). `\x1c-\x1f` are whitespace to Python's `\s`.
static COLON_SEPARATED: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?:[^\s\x1c-\x1f:\[\]]|\[[^\]]*\])+").ok());

/// Splits `a,b[1], c[2:3] , d` into single patterns, exactly as Ansible does:
/// - with a comma anywhere, the string is split on commas only;
/// - otherwise, if the whole string parses as one address (a host name, an IPv4 address or an IPv6 address,
///   possibly with a port and `[x:y]` ranges), it is one pattern: `fe80::1`, `host:22`, `web[1:3]`;
/// - otherwise it is split on `:` and whitespace, keeping bracketed expressions whole (`web[1:3]:db`).
///
/// Each piece is stripped and empty pieces are dropped. Note that `fe80::1:!web` is split into `fe80`, `1`
/// and `!web`, as in Ansible: use commas to combine IPv6 addresses with other patterns.
pub fn split_host_pattern(pattern: &str) -> Vec<String> {
    let pieces: Vec<&str> = if pattern.contains(',') {
        pattern.split(',').collect()
    } else if parse_address(pattern, true).is_ok() {
        vec![pattern]
    } else {
        match COLON_SEPARATED.as_ref() {
            Some(re) => re.find_iter(pattern).map(|m| m.as_str()).collect(),
            None => vec![pattern],
        }
    };
    pieces
        .into_iter()
        .map(python_strip)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// Puts plain patterns first, then `&` intersections, then `!` exclusions, each group in the order given;
/// empty patterns are dropped, and `all` stands in when there is no plain pattern (so `!web` means
/// `all:!web`).
pub fn order_patterns<S: AsRef<str>>(patterns: &[S]) -> Vec<String> {
    let mut regular = Vec::new();
    let mut intersection = Vec::new();
    let mut exclusion = Vec::new();
    for pattern in patterns {
        let p = pattern.as_ref();
        if p.starts_with('!') {
            exclusion.push(p.to_string());
        } else if p.starts_with('&') {
            intersection.push(p.to_string());
        } else if !p.is_empty() {
            regular.push(p.to_string());
        }
    }
    if regular.is_empty() {
        regular.push("all".to_string());
    }
    regular.extend(intersection);
    regular.extend(exclusion);
    regular
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(p: &str) -> Vec<String> {
        split_host_pattern(p)
    }

    /// Every expectation below is what Ansible 2.19's `split_host_pattern` returned for the same input.
    #[test]
    fn splits_as_ansible_does() {
        let cases: &[(&str, &[&str])] = &[
            ("a,b[1], c[2:3] , d", &["a", "b[1]", "c[2:3]", "d"]),
            ("a:b", &["a", "b"]),
            ("a:b:c", &["a", "b", "c"]),
            ("fe80::1", &["fe80::1"]),
            ("::1", &["::1"]),
            ("[::1]:22", &["[::1]:22"]),
            ("fe80::1:!web", &["fe80", "1", "!web"]),
            ("web[1:3]", &["web[1:3]"]),
            ("web[1:3]:db", &["web[1:3]", "db"]),
            ("web[1:]", &["web[1:]"]),
            ("a b", &["a", "b"]),
            ("10.0.0.1:22", &["10.0.0.1:22"]),
            ("10.0.0.1", &["10.0.0.1"]),
            ("host:22", &["host:22"]),
            ("host:!x", &["host", "!x"]),
            ("host:&x", &["host", "&x"]),
            ("~a:b", &["~a", "b"]),
            ("~a.*", &["~a.*"]),
            ("web*:&db", &["web*", "&db"]),
            ("web[0:2]-x", &["web[0:2]-x"]),
            ("[", &[]),
            ("ga[", &["ga"]),
            ("", &[]),
            ("  ", &[]),
            (",,a,,", &["a"]),
            ("a:", &["a"]),
            (":a", &["a"]),
            ("a::b", &["a::b"]),
            ("foo.example.com:2222", &["foo.example.com:2222"]),
            ("web-01:!web-02", &["web-01", "!web-02"]),
            ("web_", &["web_"]),
            ("x\n", &["x"]),
            ("a:1\n", &["a:1"]),
            ("a[x:z]", &["a[x:z]"]),
            ("a[x:z]:b", &["a[x:z]", "b"]),
            ("h[12]", &["h[12]"]),
            ("h[12]:b", &["h[12]", "b"]),
            ("[1:2]:22", &["[1:2]:22"]),
            ("1:2:3:4:5:6:7:8", &["1:2:3:4:5:6:7:8"]),
            (
                "1:2:3:4:5:6:7:8:9",
                &["1", "2", "3", "4", "5", "6", "7", "8", "9"],
            ),
            ("dead:beef::[1:3]", &["dead:beef::[1:3]"]),
            ("ab:&cd:!ef", &["ab", "&cd", "!ef"]),
            ("web:!web[0]", &["web", "!web[0]"]),
        ];
        for (input, expected) in cases {
            assert_eq!(split(input), *expected, "split_host_pattern({input:?})");
        }
    }

    #[test]
    fn python_whitespace_includes_ascii_separators() {
        assert_eq!(python_strip("\u{1f} web \u{a0}"), "web");
        assert_eq!(split("a\u{1c}b"), ["a", "b"]);
    }

    #[test]
    fn modifiers_go_last_and_all_stands_in() {
        assert_eq!(
            order_patterns(&["!a", "&b", "c", "", "!d", "e"]),
            ["c", "e", "&b", "!a", "!d"]
        );
        assert_eq!(order_patterns(&["!web"]), ["all", "!web"]);
        assert_eq!(order_patterns::<&str>(&[]), ["all"]);
    }
}
