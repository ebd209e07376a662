//! YAML 1.1 timestamps. PyYAML builds `datetime.date`/`datetime.datetime` objects; plimsoll has no date
//! type, so a timestamp becomes the text `ansible-inventory` prints for it: Python's `isoformat()`
//! (checked with ansible-core 2.19.14: `2001-12-14t21:59:43.10-05:00` prints as
//! `2001-12-14T21:59:43.100000-05:00`, `2001-12-14 21:59:43Z` as `2001-12-14T21:59:43+00:00`).

use std::sync::LazyLock;

use regex::Regex;

use super::resolve::ConvertError;

// SafeConstructor.timestamp_regexp from PyYAML 6.0.4.
static PARTS: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?P<year>[0-9][0-9][0-9][0-9])-(?P<month>[0-9][0-9]?)-(?P<day>[0-9][0-9]?)",
        r"(?:(?:[Tt]|[ \t]+)(?P<hour>[0-9][0-9]?):(?P<minute>[0-9][0-9]):(?P<second>[0-9][0-9])",
        r"(?:\.(?P<fraction>[0-9]*))?",
        r"(?:[ \t]*(?P<tz>Z|(?P<tz_sign>[-+])(?P<tz_hour>[0-9][0-9]?)(?::(?P<tz_minute>[0-9][0-9]))?))?)?$"
    ))
    .ok()
});

/// SafeConstructor.construct_yaml_timestamp followed by `isoformat()`.
pub fn timestamp_isoformat(text: &str) -> Result<String, ConvertError> {
    let core = text.strip_suffix('\n').unwrap_or(text);
    let caps = PARTS
        .as_ref()
        .and_then(|r| r.captures(core))
        .ok_or_else(|| format!("{text:?} is not a YAML timestamp (expected e.g. 2001-12-14 or 2001-12-14T21:59:43Z)"))?;
    let number =
        |name: &str| -> Option<u32> { caps.name(name).and_then(|m| m.as_str().parse().ok()) };
    let (year, month, day) = (
        number("year").unwrap_or(0),
        number("month").unwrap_or(0),
        number("day").unwrap_or(0),
    );
    let Some(hour) = number("hour") else {
        check_date(year, month, day)?;
        return Ok(format!("{year:04}-{month:02}-{day:02}"));
    };
    let minute = number("minute").unwrap_or(0);
    let second = number("second").unwrap_or(0);
    let micros = match caps.name("fraction").map(|m| m.as_str()) {
        Some(fraction) if !fraction.is_empty() => {
            let mut six: String = fraction.chars().take(6).collect();
            while six.len() < 6 {
                six.push('0');
            }
            six.parse::<u32>().unwrap_or(0)
        }
        _ => 0,
    };
    let zone = if let Some(sign) = caps.name("tz_sign") {
        let minutes = number("tz_hour").unwrap_or(0) * 60 + number("tz_minute").unwrap_or(0);
        if minutes >= 24 * 60 {
            return Err("offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24)".into());
        }
        let sign = if sign.as_str() == "-" && minutes != 0 {
            '-'
        } else {
            '+'
        };
        format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
    } else if caps.name("tz").is_some() {
        "+00:00".to_string()
    } else {
        String::new()
    };
    check_date(year, month, day)?;
    if hour > 23 {
        return Err("hour must be in 0..23".into());
    }
    if minute > 59 {
        return Err("minute must be in 0..59".into());
    }
    if second > 59 {
        return Err("second must be in 0..59".into());
    }
    let fraction = if micros == 0 {
        String::new()
    } else {
        format!(".{micros:06}")
    };
    Ok(format!(
        "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{fraction}{zone}"
    ))
}

/// The checks `datetime.date()` makes, with Python's messages.
fn check_date(year: u32, month: u32, day: u32) -> Result<(), ConvertError> {
    if !(1..=9999).contains(&year) {
        return Err(format!("year {year} is out of range"));
    }
    if !(1..=12).contains(&month) {
        return Err("month must be in 1..12".into());
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day < 1 || day > days {
        return Err("day is out of range for month".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isoformat_matches_what_ansible_inventory_prints() {
        // Outputs copied from `ansible-inventory --list` (ansible-core 2.19.14).
        assert_eq!(
            timestamp_isoformat("2001-12-14").as_deref(),
            Ok("2001-12-14")
        );
        assert_eq!(
            timestamp_isoformat("2001-12-14t21:59:43.10-05:00").as_deref(),
            Ok("2001-12-14T21:59:43.100000-05:00")
        );
        assert_eq!(
            timestamp_isoformat("2001-12-14 21:59:43.10").as_deref(),
            Ok("2001-12-14T21:59:43.100000")
        );
        assert_eq!(
            timestamp_isoformat("2001-12-14 21:59:43Z").as_deref(),
            Ok("2001-12-14T21:59:43+00:00")
        );
        assert_eq!(
            timestamp_isoformat("2001-12-14T21:59:43.1234567+05:30").as_deref(),
            Ok("2001-12-14T21:59:43.123456+05:30")
        );
    }

    #[test]
    fn impossible_dates_fail_as_python_does() {
        assert!(timestamp_isoformat("2001-02-29").is_err());
        assert!(timestamp_isoformat("2000-02-29").is_ok());
        assert!(timestamp_isoformat("2001-13-01").is_err());
        assert!(timestamp_isoformat("2001-12-14 24:00:00").is_err());
    }
}
