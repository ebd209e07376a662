//! Host ranges: `web[01:10]`, `db[a:f]`, `x[1:10:2]`, several in one name. Ansible's
//! `expand_hostname_range` and the base inventory plugin's `_expand_hostpattern`, quirks included:
//!
//! - the first `[` and the first `]` are found independently, so `a]b[1:2]` reads range `b`;
//! - an alphabetic bound is looked up as a *substring* of `a..zA..Z`, so `[ab:cd]` is `a`, `b`, `c` and
//!   `[a:Z]` runs through all 52 letters;
//! - an empty start means 0; a start with a leading zero pads every number to its width;
//! - an end below the start, or a negative step, gives no hosts at all in Ansible, silently; plimsoll
//!   refuses such a range, since a host list that is quietly empty is always a mistake;
//! - bounds are read with Python's `int()`, so `[ 1:3]`, `[+1:3]` and `[1_0:12]` work.

use thiserror::Error;

use super::address::parse_address_wide;
use super::pystr::parse_int;

/// Why a range could not be expanded, in Ansible's (or Python's) words.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("{0}")]
pub struct RangeError(pub String);

const LETTERS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// `_expand_hostpattern`: the host names a pattern stands for and the port it gives them. A pattern
/// `parse_address` refuses is used whole, without a port (`h[1:2]:x` is `h1:x`, `h2:x`). The port is
/// as the inventory model holds it: one past 65535 (which Ansible keeps as `ansible_port`) comes back
/// as `None`; `expand_hostpattern_wide` has it.
pub fn expand_hostpattern(pattern: &str) -> Result<(Vec<String>, Option<u16>), RangeError> {
    let (hosts, port) = expand_hostpattern_wide(pattern)?;
    Ok((hosts, port.and_then(|p| u16::try_from(p).ok())))
}

/// `expand_hostpattern` with the port as large as it was written.
pub fn expand_hostpattern_wide(pattern: &str) -> Result<(Vec<String>, Option<u128>), RangeError> {
    let (host, port) =
        parse_address_wide(pattern, true).unwrap_or_else(|_| (pattern.to_string(), None));
    if host.contains('[') {
        Ok((expand_hostname_range(&host)?, port))
    } else {
        Ok((vec![host], port))
    }
}

/// `expand_hostname_range`: every name `line` stands for, ranges expanded left to right. Ansible recurses
/// into each name that still holds a `[`; this walks the same names in the same order with a stack.
pub fn expand_hostname_range(line: &str) -> Result<Vec<String>, RangeError> {
    enum Item {
        Expand(String),
        Done(String),
    }
    let mut hosts = Vec::new();
    if line.is_empty() {
        return Ok(hosts);
    }
    let mut stack = vec![Item::Expand(line.to_string())];
    while let Some(item) = stack.pop() {
        match item {
            Item::Done(name) => hosts.push(name),
            Item::Expand(name) => {
                let names = expand_first_range(&name)?;
                for name in names.into_iter().rev() {
                    stack.push(if name.contains('[') {
                        Item::Expand(name)
                    } else {
                        Item::Done(name)
                    });
                }
            }
        }
    }
    Ok(hosts)
}

/// The names `line` gives with its first range replaced by each of its values.
fn expand_first_range(line: &str) -> Result<Vec<String>, RangeError> {
    let marked = line.replacen('[', "|", 1).replacen(']', "|", 1);
    let parts: Vec<&str> = marked.split('|').collect();
    let [head, range, tail] = parts.as_slice() else {
        return Err(RangeError(if parts.len() > 3 {
            "too many values to unpack (expected 3)".to_string()
        } else {
            format!(
                "not enough values to unpack (expected 3, got {})",
                parts.len()
            )
        }));
    };
    let bounds: Vec<&str> = range.split(':').collect();
    let (begin, end, step) = match bounds.as_slice() {
        [begin, end] => (*begin, *end, None),
        [begin, end, step] => (*begin, *end, Some(*step)),
        _ => return Err(ansible("host range must be begin:end or begin:end:step")),
    };
    let begin = if begin.is_empty() { "0" } else { begin };
    if end.is_empty() {
        return Err(ansible("host range must specify end value"));
    }
    let width = if begin.starts_with('0') && begin.chars().count() > 1 {
        let width = begin.chars().count();
        if width != end.chars().count() {
            return Err(ansible(
                "host range must specify equal-length begin and end formats",
            ));
        }
        Some(width)
    } else {
        None
    };
    let items = sequence(begin, end, step)?;
    if items.is_empty() {
        return Err(RangeError(format!(
            "host range [{begin}:{end}{}] gives no hosts: its end comes before its start",
            step.map(|s| format!(":{s}")).unwrap_or_default()
        )));
    }
    Ok(items
        .into_iter()
        .map(|item| {
            let item = match width {
                Some(width) => zfill(&item, width),
                None => item,
            };
            format!("{head}{item}{tail}")
        })
        .collect())
}

fn ansible(message: &str) -> RangeError {
    RangeError(message.to_string())
}

/// The items of one range: letters when both bounds are found among the letters, else numbers. Any
/// Python ValueError in the letter path (a bad or zero step) falls through to the number path.
fn sequence(begin: &str, end: &str, step: Option<&str>) -> Result<Vec<String>, RangeError> {
    if let (Some(first), Some(last)) = (LETTERS.find(begin), LETTERS.find(end)) {
        if first > last {
            return Err(ansible("host range must have begin <= end"));
        }
        let step = match step {
            None => Ok(1),
            Some(step) => parse_int(step),
        };
        match step {
            Ok(step) if step > 0 => {
                let step = usize::try_from(step).unwrap_or(usize::MAX);
                return Ok(LETTERS[first..=last]
                    .chars()
                    .step_by(step)
                    .map(String::from)
                    .collect());
            }
            // A negative step slices forward from `first` to before `last + 1`: nothing.
            Ok(step) if step < 0 => return Ok(Vec::new()),
            _ => {}
        }
    }
    let begin = parse_int(begin).map_err(RangeError)?;
    let end = parse_int(end).map_err(RangeError)?;
    let step = match step {
        None => 1,
        Some(step) => parse_int(step).map_err(RangeError)?,
    };
    if step == 0 {
        return Err(ansible("range() arg 3 must not be zero"));
    }
    let stop = end.saturating_add(1);
    let mut items = Vec::new();
    let mut value = begin;
    while (step > 0 && value < stop) || (step < 0 && value > stop) {
        items.push(value.to_string());
        match value.checked_add(step) {
            Some(next) => value = next,
            None => break,
        }
    }
    Ok(items)
}

/// `str.zfill(width)`: zeros after any sign, up to `width` characters.
fn zfill(s: &str, width: usize) -> String {
    let len = s.chars().count();
    if len >= width {
        return s.to_string();
    }
    let zeros = "0".repeat(width - len);
    match s.strip_prefix(['-', '+']) {
        Some(rest) => format!("{}{zeros}{rest}", &s[..1]),
        None => format!("{zeros}{s}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(pattern: &str) -> Vec<String> {
        expand_hostpattern(pattern).unwrap().0
    }

    fn error(pattern: &str) -> String {
        expand_hostpattern(pattern).unwrap_err().0
    }

    // Expected values: Ansible 2.19.14's ini plugin `_expand_hostpattern` on the same patterns.
    #[test]
    fn numeric_alphabetic_stepped_and_nested_ranges() {
        assert_eq!(hosts("web[1:3]"), ["web1", "web2", "web3"]);
        assert_eq!(
            hosts("web[001:010:3]"),
            ["web001", "web004", "web007", "web010"]
        );
        assert_eq!(hosts("a[08:10]"), ["a08", "a09", "a10"]);
        assert_eq!(hosts("a[8:010]"), ["a8", "a9", "a10"]);
        assert_eq!(
            hosts("web[1:3]x[a:b]"),
            ["web1xa", "web1xb", "web2xa", "web2xb", "web3xa", "web3xb"]
        );
        assert_eq!(hosts("a[a:c:2]"), ["aa", "ac"]);
        assert_eq!(hosts("h[ab:cd]"), ["ha", "hb", "hc"]);
        assert_eq!(hosts("h[a:Z]").len(), 52);
        assert_eq!(hosts("a[:3]"), ["a0", "a1", "a2", "a3"]);
        assert_eq!(hosts("a[ 1:3]"), ["a1", "a2", "a3"]);
        assert_eq!(hosts("a[1_0:12]"), ["a10", "a11", "a12"]);
        assert_eq!(hosts("k[-1:1]"), ["k-1", "k0", "k1"]);
        assert_eq!(hosts("1.2.3.[1:3]"), ["1.2.3.1", "1.2.3.2", "1.2.3.3"]);
        assert_eq!(hosts("fe80::[1:2]"), ["fe80::1", "fe80::2"]);
        assert_eq!(hosts("h[1:3]]"), ["h1]", "h2]", "h3]"]);
        assert_eq!(hosts("[1:2]"), ["1", "2"]);
        // Ansible expands these to no hosts at all, silently; plimsoll refuses them.
        for empty in ["h[5:1]", "i[1:3:-1]", "j[00:-1]"] {
            let error = expand_hostpattern(empty).unwrap_err();
            assert!(error.0.contains("gives no hosts"), "{empty}: {error}");
        }
        assert_eq!(hosts("h[1:2]:x"), ["h1:x", "h2:x"]);
    }

    #[test]
    fn many_ranges_in_one_name_do_not_recurse() {
        let name = "h[1:1]".repeat(5000);
        assert_eq!(hosts(&name), ["h1".repeat(5000)]);
    }

    #[test]
    fn ports_come_with_the_pattern() {
        assert_eq!(
            expand_hostpattern("a[1:2]:22").unwrap(),
            (vec!["a1".into(), "a2".into()], Some(22))
        );
        assert_eq!(
            expand_hostpattern("---:22").unwrap(),
            (vec!["---:22".into()], None)
        );
    }

    #[test]
    fn errors_read_as_ansibles() {
        assert_eq!(
            error("web[01:3]"),
            "host range must specify equal-length begin and end formats"
        );
        assert_eq!(
            error("a[0x1:3]"),
            "host range must specify equal-length begin and end formats"
        );
        assert_eq!(error("[::1]"), "host range must specify end value");
        assert_eq!(error("a[1:]"), "host range must specify end value");
        assert_eq!(
            error("a]b[1:2]"),
            "host range must be begin:end or begin:end:step"
        );
        assert_eq!(
            error("a[1]"),
            "host range must be begin:end or begin:end:step"
        );
        assert_eq!(
            error("a[1:2:3:4]"),
            "host range must be begin:end or begin:end:step"
        );
        assert_eq!(error("a[c:a]"), "host range must have begin <= end");
        assert_eq!(error("a[A:z]"), "host range must have begin <= end");
        assert_eq!(
            error("a[1:2"),
            "not enough values to unpack (expected 3, got 2)"
        );
        assert_eq!(error("a|b[1:2]"), "too many values to unpack (expected 3)");
        assert_eq!(
            error("a[x:y:z]"),
            "invalid literal for int() with base 10: 'x'"
        );
        assert_eq!(
            error("a[1:3:x]"),
            "invalid literal for int() with base 10: 'x'"
        );
        assert_eq!(
            error("a[a:c:0]"),
            "invalid literal for int() with base 10: 'a'"
        );
        assert_eq!(
            error("a[[1:2]"),
            "invalid literal for int() with base 10: '[1'"
        );
        assert_eq!(error("h[1:3:0]"), "range() arg 3 must not be zero");
    }
}
