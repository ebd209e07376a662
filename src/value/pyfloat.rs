//! Python's `repr(float)`: the shortest round-tripping digits, in exponent form when the decimal exponent
//! is below -4 or at least 16 (`1e+16`, `1e-05`), otherwise positional with at least one decimal (`3.0`).
//! The one home for float printing: YAML warnings, INI values, `--graph --vars` and JSON output all use it.

/// `float.__repr__` (and `str(float)`): `1.0`, `0.1`, `1e+16`, `-0.0`, `inf`, `nan`.
pub fn repr(value: f64) -> String {
    format(value, true)
}

/// The float parts of `complex.__repr__`: like `repr` without the added `.0` (`1`, `2.5`, `1e+16`).
pub fn repr_bare(value: f64) -> String {
    format(value, false)
}

/// `json.dumps` spells the non-finite floats as JavaScript does.
pub fn json_repr(value: f64) -> String {
    if value.is_nan() {
        "NaN".into()
    } else if value.is_infinite() {
        if value > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else {
        repr(value)
    }
}

fn format(value: f64, add_dot_0: bool) -> String {
    if value.is_nan() {
        return "nan".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "inf" } else { "-inf" }.into();
    }
    let sign = if value.is_sign_negative() { "-" } else { "" };
    let (digits, exponent) = shortest_digits(value.abs());
    let body = if !(-4..16).contains(&exponent) {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        let mantissa = if rest.is_empty() {
            first.to_string()
        } else {
            format!("{first}.{rest}")
        };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{exp_sign}{:02}", exponent.unsigned_abs())
    } else if exponent < 0 {
        format!(
            "0.{}{digits}",
            "0".repeat((exponent + 1).unsigned_abs() as usize)
        )
    } else {
        let point = exponent.unsigned_abs() as usize + 1;
        match (digits.get(..point), digits.get(point..)) {
            (Some(int_part), Some(frac)) if !frac.is_empty() => format!("{int_part}.{frac}"),
            _ => {
                let int_part =
                    format!("{digits}{}", "0".repeat(point.saturating_sub(digits.len())));
                if add_dot_0 {
                    format!("{int_part}.0")
                } else {
                    int_part
                }
            }
        }
    };
    format!("{sign}{body}")
}

/// The digits Python's repr shows for a finite, non-negative value, and the decimal exponent of the
/// first one (`1.5e-7` -> ("15", -7)). Rust's `{:e}` gives the shortest round-tripping digit count, but
/// when the value lies exactly halfway between two such candidates it rounds the tie up, where Python
/// (David Gay's dtoa) takes the correctly rounded, ties-to-even one: 250907423955339.125 is
/// `250907423955339.12` in Python. Rust's fixed-precision `{:.N$e}` rounds exactly, ties to even, so
/// the digits come from that whenever it still round-trips.
fn shortest_digits(value: f64) -> (String, i32) {
    let shortest = format!("{value:e}");
    let count = shortest
        .split_once('e')
        .map_or(shortest.as_str(), |(mantissa, _)| mantissa)
        .chars()
        .filter(char::is_ascii_digit)
        .count();
    let rounded = format!("{value:.*e}", count.saturating_sub(1));
    let text = if rounded.parse::<f64>() == Ok(value) {
        rounded
    } else {
        shortest
    };
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let digits = mantissa.chars().filter(char::is_ascii_digit).collect();
    (digits, exponent.parse().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_python_repr() {
        // Each right-hand side is what python3.11 printed for repr(left).
        let cases = [
            (1.0, "1.0"),
            (1.5, "1.5"),
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (123456789.123, "123456789.123"),
            (1.5e300, "1.5e+300"),
            (-2.5e-7, "-2.5e-07"),
            (1.2345678901234568e17, "1.2345678901234568e+17"),
            (-0.0, "-0.0"),
            (100.0, "100.0"),
            (5e-324, "5e-324"),
            (1000.0, "1000.0"),
            (0.5, "0.5"),
            (-1.5, "-1.5"),
            (-2.5, "-2.5"),
            (1e20, "1e+20"),
            (1e-7, "1e-07"),
            (1.5e-7, "1.5e-07"),
            (1234567890123456.0, "1234567890123456.0"),
            (0.00001, "1e-05"),
            (6.8523015e5, "685230.15"),
            (1.2345e-300, "1.2345e-300"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (0.1 + 0.2, "0.30000000000000004"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
        ];
        for (value, expected) in cases {
            assert_eq!(repr(value), expected, "repr({value:e})");
        }
        assert_eq!(json_repr(f64::INFINITY), "Infinity");
        assert_eq!(json_repr(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(json_repr(f64::NAN), "NaN");
        assert_eq!(json_repr(1.5), "1.5");
    }

    #[test]
    fn bare_repr_drops_only_the_added_point_zero() {
        // python3: repr(1+0j) -> '(1+0j)', repr(1e16j) -> '1e+16j', repr(2.5j) -> '2.5j'
        assert_eq!(repr_bare(1.0), "1");
        assert_eq!(repr_bare(1e16), "1e+16");
        assert_eq!(repr_bare(2.5), "2.5");
        assert_eq!(repr_bare(-0.0), "-0");
    }

    #[test]
    fn exact_ties_round_to_even_as_python_does() {
        // Found by comparing 364,840 floats with python3.11 repr(): every copy this crate had printed
        // these with the last digit rounded up. Python: repr(250907423955339.125) -> '250907423955339.12',
        // repr(33080065697692.5625) -> '33080065697692.562', repr(-938579021743150.25) -> '-938579021743150.2'.
        // Written as sums so the literals are exact (each value needs at most 52 significant bits).
        assert_eq!(repr(250_907_423_955_339.0 + 0.125), "250907423955339.12");
        assert_eq!(repr(33_080_065_697_692.0 + 0.5625), "33080065697692.562");
        assert_eq!(repr(-938_579_021_743_150.0 - 0.25), "-938579021743150.2");
    }
}
