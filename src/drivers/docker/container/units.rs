//! The unit strings community.docker accepts: durations (`1m30s`, for healthchecks) and byte sizes
//! (`512m`, Ansible's `human_to_bytes`).

/// Nanoseconds in a duration written as community.docker writes them: `5h34m56s`, `1m30s`, `250ms`.
/// Units come in the order h, m, s, ms, us, each at most once; a bare number has no unit and is an
/// error (as in `convert_duration_to_nanosecond`).
pub fn duration_ns(text: &str) -> Result<i64, String> {
    const UNITS: [(&str, i64); 5] = [
        ("h", 3_600_000_000_000),
        ("m", 60_000_000_000),
        ("s", 1_000_000_000),
        ("ms", 1_000_000),
        ("us", 1_000),
    ];
    let invalid = || format!("Invalid time duration - {text}");
    let mut rest = text;
    let mut total: i64 = 0;
    let mut next_unit = 0;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return Err(invalid());
        }
        let (number, after) = rest.split_at(digits);
        let letters = after.len()
            - after
                .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                .len();
        let (unit, after) = after.split_at(letters);
        let position = UNITS
            .iter()
            .position(|(name, _)| *name == unit)
            .filter(|p| *p >= next_unit)
            .ok_or_else(invalid)?;
        let amount: i64 = number.parse().map_err(|_| invalid())?;
        total = amount
            .checked_mul(UNITS[position].1)
            .and_then(|n| total.checked_add(n))
            .ok_or_else(invalid)?;
        next_unit = position + 1;
        rest = after;
    }
    Ok(total)
}

/// Ansible's `human_to_bytes`: `512` (bytes), `512k`, `1.5G`, `64MB`; the unit's first letter picks
/// the power of 1024, a second letter must be `B` (or the word `byte(s)`).
pub fn human_to_bytes(text: &str) -> Result<i64, String> {
    const RANGES: [(char, u32); 9] = [
        ('B', 0),
        ('K', 10),
        ('M', 20),
        ('G', 30),
        ('T', 40),
        ('P', 50),
        ('E', 60),
        ('Z', 70),
        ('Y', 80),
    ];
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let unit = unit.trim();
    let value: f64 = number
        .parse()
        .map_err(|_| format!("human_to_bytes() can't interpret following string: {text}"))?;
    if unit.is_empty() {
        return Ok(value.round() as i64);
    }
    if !unit.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(format!(
            "human_to_bytes() can't interpret following string: {text}"
        ));
    }
    let first = unit.chars().next().map(|c| c.to_ascii_uppercase());
    let Some((range_key, shift)) = RANGES.iter().find(|(k, _)| Some(*k) == first) else {
        return Err(format!(
            "human_to_bytes() failed to convert {text} (unit = {unit}). The suffix must be one \
             of Y, Z, E, P, T, G, M, K, B"
        ));
    };
    if unit.len() > 1 && !unit.to_lowercase().contains("byte") && unit.get(1..2) != Some("B") {
        let expected = if *range_key == 'B' {
            "expect B or byte".to_string()
        } else {
            format!("expect {range_key}B or {range_key}")
        };
        return Err(format!(
            "human_to_bytes() failed to convert {text}. Value is not a valid string ({expected})"
        ));
    }
    let bytes = value * 2f64.powi(*shift as i32);
    if bytes >= i64::MAX as f64 {
        return Err(format!("{text} is too large"));
    }
    Ok(bytes.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_as_community_docker_reads_them() {
        assert_eq!(duration_ns("5s"), Ok(5_000_000_000));
        assert_eq!(duration_ns("1m30s"), Ok(90_000_000_000));
        assert_eq!(duration_ns("1h2m3s4ms5us"), Ok(3_723_004_005_000));
        assert_eq!(duration_ns("250ms"), Ok(250_000_000));
        assert_eq!(duration_ns(""), Ok(0));
        assert!(duration_ns("30").is_err(), "a number without a unit");
        assert!(duration_ns("1s1m").is_err(), "units out of order");
        assert!(duration_ns("1s1s").is_err(), "a unit twice");
        assert!(duration_ns("1d").is_err());
        assert!(duration_ns("1.5s").is_err());
    }

    #[test]
    fn sizes_as_human_to_bytes_reads_them() {
        assert_eq!(human_to_bytes("512"), Ok(512));
        assert_eq!(human_to_bytes("512m"), Ok(512 << 20));
        assert_eq!(human_to_bytes("512M"), Ok(512 << 20));
        assert_eq!(human_to_bytes("64MB"), Ok(64 << 20));
        assert_eq!(human_to_bytes("1.5g"), Ok(3 << 29));
        assert_eq!(human_to_bytes("0"), Ok(0));
        assert_eq!(human_to_bytes("10 bytes"), Ok(10));
        assert!(
            human_to_bytes("64mb").is_err(),
            "the second letter must be B"
        );
        assert!(human_to_bytes("12x").is_err());
        assert!(human_to_bytes("lots").is_err());
    }
}
