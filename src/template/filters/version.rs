//! Version comparison for the `version` test: distutils' LooseVersion (Ansible's default) and
//! StrictVersion, and semantic versions (Ansible's SemanticVersion).

use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Num(u128),
    Text(String),
}

/// LooseVersion: runs of digits become numbers, runs of lowercase letters and of anything else
/// become strings, dots separate. Comparing a number with a string fails, as in Python 3.
pub fn loose_cmp(a: &str, b: &str) -> Result<Ordering, String> {
    let (a, b) = (loose_parts(a), loose_parts(b));
    for (x, y) in a.iter().zip(&b) {
        let ord = match (x, y) {
            (Part::Num(x), Part::Num(y)) => x.cmp(y),
            (Part::Text(x), Part::Text(y)) => x.cmp(y),
            (Part::Num(_), Part::Text(_)) => {
                return Err("'<' not supported between instances of 'int' and 'str'".into());
            }
            (Part::Text(_), Part::Num(_)) => {
                return Err("'<' not supported between instances of 'str' and 'int'".into());
            }
        };
        if ord != Ordering::Equal {
            return Ok(ord);
        }
    }
    Ok(a.len().cmp(&b.len()))
}

fn loose_parts(text: &str) -> Vec<Part> {
    #[derive(PartialEq)]
    enum Class {
        Digit,
        Lower,
        Dot,
        Other,
    }
    let class = |c: char| {
        if c.is_ascii_digit() {
            Class::Digit
        } else if c.is_ascii_lowercase() {
            Class::Lower
        } else if c == '.' {
            Class::Dot
        } else {
            Class::Other
        }
    };
    let mut parts = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let kind = class(c);
        if kind == Class::Dot {
            continue;
        }
        let mut run = c.to_string();
        while let Some(&n) = chars.peek() {
            if class(n) != kind {
                break;
            }
            run.push(n);
            chars.next();
        }
        parts.push(match kind {
            Class::Digit => run.parse().map_or(Part::Text(run), Part::Num),
            _ => Part::Text(run),
        });
    }
    parts
}

/// StrictVersion: `N.N[.N][(a|b)N]`; a missing patch is 0, a release sorts after its pre-releases.
pub fn strict_cmp(a: &str, b: &str) -> Result<Ordering, String> {
    Ok(strict_key(a)?.cmp(&strict_key(b)?))
}

fn strict_key(text: &str) -> Result<(u64, u64, u64, (u8, u64)), String> {
    let invalid = || format!("invalid version number '{text}'");
    let (release, pre) = match text.find(['a', 'b']) {
        Some(i) => (&text[..i], Some(&text[i..])),
        None => (text, None),
    };
    let nums: Vec<&str> = release.split('.').collect();
    if !(2..=3).contains(&nums.len())
        || nums
            .iter()
            .any(|n| n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(invalid());
    }
    let num = |s: &str| s.parse::<u64>().map_err(|_| invalid());
    let patch = match nums.get(2) {
        Some(p) => num(p)?,
        None => 0,
    };
    let pre = match pre {
        None => (2, 0),
        Some(p) => {
            let (tag, n) = p.split_at(1);
            if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid());
            }
            (u8::from(tag == "b"), num(n)?)
        }
    };
    Ok((num(nums[0])?, num(nums[1])?, patch, pre))
}

/// Semantic Versioning 2.0.0 precedence (build metadata ignored).
pub fn semver_cmp(a: &str, b: &str) -> Result<Ordering, String> {
    let (a, b) = (semver_parts(a)?, semver_parts(b)?);
    let core = (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2));
    if core != Ordering::Equal {
        return Ok(core);
    }
    Ok(match (a.3.is_empty(), b.3.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => {
            for (x, y) in a.3.iter().zip(&b.3) {
                let ord = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(x), Ok(y)) => x.cmp(&y),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    (Err(_), Err(_)) => x.cmp(y),
                };
                if ord != Ordering::Equal {
                    return Ok(ord);
                }
            }
            a.3.len().cmp(&b.3.len())
        }
    })
}

fn semver_parts(text: &str) -> Result<(u64, u64, u64, Vec<String>), String> {
    let invalid = || format!("invalid semantic version '{text}'");
    let text_no_build = text.split('+').next().unwrap_or(text);
    let (core, pre) = match text_no_build.split_once('-') {
        Some((core, pre)) => (core, pre.split('.').map(str::to_string).collect()),
        None => (text_no_build, Vec::new()),
    };
    let nums: Vec<u64> = core
        .split('.')
        .map(|n| n.parse::<u64>().map_err(|_| invalid()))
        .collect::<Result<_, _>>()?;
    match nums.as_slice() {
        [major, minor, patch] => Ok((*major, *minor, *patch, pre)),
        _ => Err(invalid()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_like_python() {
        // LooseVersion('2.10') > LooseVersion('2.9'); LooseVersion('1.0.0') != LooseVersion('1.0')
        assert_eq!(loose_cmp("2.10", "2.9"), Ok(Ordering::Greater));
        assert_eq!(loose_cmp("1.0.0", "1.0"), Ok(Ordering::Greater));
        assert!(loose_cmp("1.0a", "1.0.1").is_err());
        // StrictVersion('1.0') == StrictVersion('1.0.0'); StrictVersion('1.0a1') < StrictVersion('1.0')
        assert_eq!(strict_cmp("1.0", "1.0.0"), Ok(Ordering::Equal));
        assert_eq!(strict_cmp("1.0a1", "1.0"), Ok(Ordering::Less));
        assert!(strict_cmp("1", "1.0").is_err());
        assert_eq!(semver_cmp("1.10.0", "1.9.0"), Ok(Ordering::Greater));
        assert_eq!(semver_cmp("1.0.0-alpha", "1.0.0"), Ok(Ordering::Less));
        assert_eq!(
            semver_cmp("1.0.0-alpha.1", "1.0.0-alpha.beta"),
            Ok(Ordering::Less)
        );
    }
}
