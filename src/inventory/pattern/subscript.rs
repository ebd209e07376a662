//! `pattern[i]` and `pattern[start:end]` subscripts (Ansible's `_split_subscript` / `_apply_subscript`).
//!
//! The end of a range is inclusive (`web[1:2]` is the second and third host), an empty end means the
//! last host, and Python's truthiness leaks through: an end of `0` is taken as no end at all, so
//! `web[2:0]` selects the single host `web[2]`. Indices apply to the matches before duplicates are
//! removed (a host in two matching groups counts twice).

/// A parsed subscript.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subscript {
    /// `[i]`, `i` may be negative.
    Index(i64),
    /// `[start:end]` / `[start:]` (end `None`) / `[start-end]` (deprecated form).
    Range { start: i64, end: Option<i64> },
}

/// What `_split_subscript` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split<'a> {
    pub expr: &'a str,
    pub subscript: Option<Subscript>,
    /// The deprecated `[x-y]` form was used; Ansible warns (and still honours it).
    pub dash_range: bool,
}

pub const DASH_RANGE_WARNING: &str =
    "Use [x:y] inclusive subscripts instead of [x-y] which has been removed";

/// Python's `int()` of an ASCII-digit string, saturated (beyond `i64` every index is out of range anyway).
fn int(digits: &str) -> i64 {
    let (negative, digits) = match digits.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, digits),
    };
    let value = digits.bytes().fold(0i64, |acc, d| {
        acc.saturating_mul(10).saturating_add(i64::from(d - b'0'))
    });
    if negative { -value } else { value }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Splits `expr[subscript]`. Regex patterns (`~...`) never have a subscript: the brackets belong to
/// the regex. Brackets that are not a valid subscript stay part of the pattern (a glob class).
pub fn split_subscript(pattern: &str) -> Split<'_> {
    let whole = Split {
        expr: pattern,
        subscript: None,
        dash_range: false,
    };
    if pattern.starts_with('~') {
        return whole;
    }
    let Some(body) = pattern.strip_suffix(']') else {
        return whole;
    };
    // A subscript holds no `[`, so it can only start at the last one.
    let Some(open) = body.rfind('[') else {
        return whole;
    };
    let (expr, inner) = (&body[..open], &body[open + 1..]);
    // Ansible's expression is `(.+)`: at least one character, no newline.
    if expr.is_empty() || expr.contains('\n') {
        return whole;
    }
    let single = inner.strip_prefix('-').unwrap_or(inner);
    if all_digits(single) {
        return Split {
            expr,
            subscript: Some(Subscript::Index(int(inner))),
            dash_range: false,
        };
    }
    let Some(sep) = inner.find([':', '-']) else {
        return whole;
    };
    let (start, end) = (&inner[..sep], &inner[sep + 1..]);
    if !all_digits(start) || !(end.is_empty() || all_digits(end)) {
        return whole;
    }
    Split {
        expr,
        subscript: Some(Subscript::Range {
            start: int(start),
            end: (!end.is_empty()).then(|| int(end)),
        }),
        dash_range: inner.as_bytes().get(sep) == Some(&b'-'),
    }
}

/// Applies a subscript to the matches. Returns None where Python raises IndexError (a single index out
/// of range), which Ansible reports as "No hosts matched the subscripted pattern". No matches, no error.
pub fn apply_subscript<T: Clone>(hosts: &[T], subscript: Option<Subscript>) -> Option<Vec<T>> {
    let Some(subscript) = subscript else {
        return Some(hosts.to_vec());
    };
    if hosts.is_empty() {
        return Some(Vec::new());
    }
    let len = i64::try_from(hosts.len()).unwrap_or(i64::MAX);
    let index = |i: i64| {
        let i = if i < 0 { i.checked_add(len)? } else { i };
        hosts
            .get(usize::try_from(i).ok()?)
            .cloned()
            .map(|h| vec![h])
    };
    match subscript {
        Subscript::Index(i) => index(i),
        // `if end:` in Ansible: an end of 0 is falsy and falls back to indexing by start.
        Subscript::Range {
            start,
            end: Some(0),
        } => index(start),
        Subscript::Range { start, end } => {
            let stop = end.map_or(len, |e| e.saturating_add(1)).min(len);
            let start = start.min(len);
            if start >= stop {
                return Some(Vec::new());
            }
            let (start, stop) = (usize::try_from(start).ok()?, usize::try_from(stop).ok()?);
            hosts.get(start..stop).map(<[T]>::to_vec)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_valid_subscripts_only() {
        let s = split_subscript("web[0]");
        assert_eq!((s.expr, s.subscript), ("web", Some(Subscript::Index(0))));
        assert_eq!(
            split_subscript("web[-1]").subscript,
            Some(Subscript::Index(-1))
        );
        assert_eq!(
            split_subscript("web[1:3]").subscript,
            Some(Subscript::Range {
                start: 1,
                end: Some(3)
            })
        );
        assert_eq!(
            split_subscript("web[1:]").subscript,
            Some(Subscript::Range {
                start: 1,
                end: None
            })
        );
        let dash = split_subscript("g*[1-2]");
        assert_eq!(
            (dash.expr, dash.subscript, dash.dash_range),
            (
                "g*",
                Some(Subscript::Range {
                    start: 1,
                    end: Some(2)
                }),
                true
            )
        );
        assert_eq!(split_subscript("a[1][2]").expr, "a[1]");
        assert_eq!(
            split_subscript("ga[01]").subscript,
            Some(Subscript::Index(1))
        );
        for whole in [
            "~web[0]",
            "[0]",
            "web[x]",
            "web[1:2:3]",
            "web[-1:2]",
            "web[:2]",
            "web[]",
            "web[!1]",
            "web",
        ] {
            let s = split_subscript(whole);
            assert_eq!((s.expr, s.subscript), (whole, None), "{whole:?}");
        }
    }

    /// Results for hosts [a, b, c, d] as Ansible's `_apply_subscript` computes them.
    #[test]
    fn applies_with_inclusive_end_and_python_quirks() {
        let hosts = ["a", "b", "c", "d"];
        let apply = |s| apply_subscript(&hosts, Some(s));
        let range = |start, end| Subscript::Range { start, end };
        assert_eq!(apply(Subscript::Index(0)), Some(vec!["a"]));
        assert_eq!(apply(Subscript::Index(-1)), Some(vec!["d"]));
        assert_eq!(apply(Subscript::Index(-4)), Some(vec!["a"]));
        assert_eq!(apply(Subscript::Index(-5)), None);
        assert_eq!(apply(Subscript::Index(4)), None);
        assert_eq!(apply(range(1, Some(2))), Some(vec!["b", "c"]));
        assert_eq!(apply(range(1, None)), Some(vec!["b", "c", "d"]));
        assert_eq!(apply(range(0, Some(10))), Some(vec!["a", "b", "c", "d"]));
        assert_eq!(apply(range(2, Some(1))), Some(vec![]));
        assert_eq!(apply(range(7, None)), Some(vec![]));
        assert_eq!(apply(range(2, Some(0))), Some(vec!["c"]));
        assert_eq!(apply(range(9, Some(0))), None);
        assert_eq!(
            apply_subscript::<&str>(&[], Some(Subscript::Index(3))),
            Some(vec![])
        );
        assert_eq!(apply_subscript(&hosts, None), Some(hosts.to_vec()));
        assert_eq!(apply(Subscript::Index(i64::MAX)), None);
    }
}
