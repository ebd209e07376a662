//! Ansible's `sequence` lookup (`with_sequence`): `start=1 end=10 stride=2 format=host%02d`,
//! `count=5`, or the shortcut `[start-]end[/stride][:format]`. Items are strings.

use crate::playbook::parse_kv;

struct Sequence {
    start: i64,
    end: Option<i64>,
    count: Option<i64>,
    stride: i64,
    format: String,
}

pub(super) fn items(term: &str) -> Result<Vec<crate::value::Value>, String> {
    let mut sequence = Sequence {
        start: 1,
        end: None,
        count: None,
        stride: 1,
        format: "%d".into(),
    };
    if !shortcut(term, &mut sequence)? {
        keyword_args(term, &mut sequence)?;
    }
    let end = match (sequence.count, sequence.end) {
        (None, None) => return Err("must specify count or end in with_sequence".into()),
        (Some(_), Some(_)) => {
            return Err("can't specify both count and end in with_sequence".into());
        }
        (Some(0), None) => return Ok(Vec::new()),
        (Some(count), None) => sequence.start + count * sequence.stride - 1,
        (None, Some(end)) => end,
    };
    if sequence.stride > 0 && end < sequence.start {
        return Err("to count backwards make stride negative".into());
    }
    if sequence.stride < 0 && end > sequence.start {
        return Err("to count forward don't make stride negative".into());
    }
    let conversion = Conversion::parse(&sequence.format)?;
    let mut out = Vec::new();
    let mut value = sequence.start;
    while sequence.stride != 0
        && ((sequence.stride > 0 && value <= end) || (sequence.stride < 0 && value >= end))
    {
        out.push(crate::value::Value::Str(conversion.format(value)));
        value += sequence.stride;
    }
    if sequence.stride == 0 {
        return Err("stride must not be 0 in with_sequence".into());
    }
    Ok(out)
}

/// Python's `int(text, 0)`: decimal, 0x, 0o, 0b.
fn integer(name: &str, text: &str) -> Result<i64, String> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let lower = digits.to_ascii_lowercase();
    let parsed = if let Some(hex) = lower.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()
    } else if let Some(octal) = lower.strip_prefix("0o") {
        i64::from_str_radix(octal, 8).ok()
    } else if let Some(binary) = lower.strip_prefix("0b") {
        i64::from_str_radix(binary, 2).ok()
    } else if lower.len() > 1 && lower.starts_with('0') && lower.bytes().any(|b| b != b'0') {
        None
    } else {
        lower.parse::<i64>().ok()
    };
    match parsed {
        Some(n) => Ok(if negative { -n } else { n }),
        None => Err(format!("can't parse {name}={text} as integer")),
    }
}

/// `[start-]end[/stride][:format]`; false when the term is not of that form.
fn shortcut(term: &str, sequence: &mut Sequence) -> Result<bool, String> {
    let term = term.trim();
    if term.contains('=') {
        return Ok(false);
    }
    let (numbers, format) = match term.split_once(':') {
        Some((numbers, format)) => (numbers, Some(format)),
        None => (term, None),
    };
    let (range, stride) = match numbers.split_once('/') {
        Some((range, stride)) => (range, Some(stride)),
        None => (numbers, None),
    };
    let (start, end) = match range.split_once('-') {
        Some((start, end)) => (Some(start), end),
        None => (None, range),
    };
    let looks_numeric = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_hexdigit() || c == 'x' || c == 'X')
    };
    if !looks_numeric(end) || start.is_some_and(|s| !looks_numeric(s)) {
        return Ok(false);
    }
    if let Some(start) = start {
        sequence.start = integer("start", start)?;
    }
    sequence.end = Some(integer("end", end)?);
    if let Some(stride) = stride {
        sequence.stride = integer("stride", stride)?;
    }
    if let Some(format) = format {
        sequence.format = format.to_string();
    }
    Ok(true)
}

fn keyword_args(term: &str, sequence: &mut Sequence) -> Result<(), String> {
    for (key, value) in parse_kv(term)? {
        match key.as_str() {
            "start" => sequence.start = integer("start", &value)?,
            "end" => sequence.end = Some(integer("end", &value)?),
            "count" => sequence.count = Some(integer("count", &value)?),
            "stride" => sequence.stride = integer("stride", &value)?,
            "format" => sequence.format = value,
            other => return Err(format!("unrecognized arguments to with_sequence: {other}")),
        }
    }
    Ok(())
}

/// The one `%` conversion of a format (`host%02d`, `%x`), as Python's `%` operator applies it.
struct Conversion {
    before: String,
    after: String,
    zero_pad: bool,
    left: bool,
    width: usize,
    kind: char,
}

impl Conversion {
    fn parse(format: &str) -> Result<Self, String> {
        let bad = || format!("bad formatting string: {format}");
        let mut before = String::new();
        let mut chars = format.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '%' {
                before.push(c);
                continue;
            }
            if chars.peek() == Some(&'%') {
                chars.next();
                before.push('%');
                continue;
            }
            let (mut zero_pad, mut left) = (false, false);
            while let Some(&flag) = chars.peek() {
                match flag {
                    '0' => zero_pad = true,
                    '-' => left = true,
                    _ => break,
                }
                chars.next();
            }
            let mut width = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                width.push(d);
                chars.next();
            }
            let kind = chars.next().ok_or_else(bad)?;
            if !matches!(kind, 'd' | 'i' | 'u' | 'x' | 'X' | 'o' | 's') {
                return Err(bad());
            }
            let after: String = chars.collect();
            if after.replace("%%", "").contains('%') {
                return Err(bad());
            }
            return Ok(Self {
                before,
                after: after.replace("%%", "%"),
                zero_pad,
                left,
                width: width.parse().unwrap_or(0),
                kind,
            });
        }
        Err(bad())
    }

    fn format(&self, value: i64) -> String {
        let digits = match self.kind {
            'x' => format!("{:x}", value.unsigned_abs()),
            'X' => format!("{:X}", value.unsigned_abs()),
            'o' => format!("{:o}", value.unsigned_abs()),
            _ => value.unsigned_abs().to_string(),
        };
        let sign = if value < 0 { "-" } else { "" };
        let body = if self.zero_pad && !self.left {
            let pad = self.width.saturating_sub(sign.len() + digits.len());
            format!("{sign}{}{digits}", "0".repeat(pad))
        } else {
            format!("{sign}{digits}")
        };
        let padded = if self.left {
            format!("{body:<width$}", width = self.width)
        } else {
            format!("{body:>width$}", width = self.width)
        };
        format!("{}{padded}{}", self.before, self.after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::pyrepr;

    fn shown(term: &str) -> Result<Vec<String>, String> {
        items(term).map(|items| items.iter().map(pyrepr::repr).collect())
    }

    #[test]
    fn sequences_as_ansible_generates_them() {
        // lookup('sequence', ...) in ansible-core: strings, end inclusive.
        assert_eq!(shown("start=1 end=3").unwrap(), ["'1'", "'2'", "'3'"]);
        assert_eq!(
            shown("start=0 end=8 stride=4 format=web%02d").unwrap(),
            ["'web00'", "'web04'", "'web08'"]
        );
        assert_eq!(shown("count=2").unwrap(), ["'1'", "'2'"]);
        assert_eq!(shown("4-6/2:x%x").unwrap(), ["'x4'", "'x6'"]);
        assert_eq!(shown("3").unwrap(), ["'1'", "'2'", "'3'"]);
        assert_eq!(shown("start=0x0a end=0x0b").unwrap(), ["'10'", "'11'"]);
        assert_eq!(
            shown("start=3 end=1 stride=-1").unwrap(),
            ["'3'", "'2'", "'1'"]
        );
        assert_eq!(shown("count=0").unwrap(), Vec::<String>::new());
        assert!(
            shown("start=1")
                .unwrap_err()
                .contains("must specify count or end")
        );
        assert!(
            shown("end=3 count=2")
                .unwrap_err()
                .contains("can't specify both")
        );
        assert!(
            shown("start=5 end=1")
                .unwrap_err()
                .contains("make stride negative")
        );
        assert!(
            shown("end=3 format=%d%d")
                .unwrap_err()
                .contains("bad formatting string")
        );
        assert!(
            shown("end=x1")
                .unwrap_err()
                .contains("can't parse end=x1 as integer")
        );
        assert!(
            shown("end=3 bogus=1")
                .unwrap_err()
                .contains("unrecognized arguments")
        );
    }
}
