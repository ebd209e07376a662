//! File modes as Ansible reads them: octal numbers and strings, and chmod-style symbolic modes
//! (`u=rw,g=r,o=r`, `u+x`, `a-w`, `u=rwX`) applied to the live mode exactly as
//! `AnsibleModule._symbolic_mode_to_octal` applies them.

use crate::value::Value;

const PERM_BITS: u32 = 0o7777;
const EXEC_ANY: u32 = 0o111;

/// A `mode` argument, checked when the task is read (Ansible checks it only on the host).
#[derive(Clone, Debug, PartialEq)]
pub enum Mode {
    Octal(u32),
    Symbolic { text: String, clauses: Vec<Clause> },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    /// `u`, `g` and `o` letters (`a` and an empty part become `ugo`).
    who: String,
    /// No `who` was written: `r`, `w` and `x` are limited by the umask, as in chmod.
    use_umask: bool,
    /// Each operator with the permission letters after it.
    ops: Vec<(char, String)>,
}

impl Mode {
    /// Reads a `mode` value: an int is the mode itself; a string is octal (`'0644'`, `'644'`) or
    /// symbolic.
    pub fn parse(value: &Value) -> Result<Mode, String> {
        match value {
            Value::Int(i) => {
                let decimal = i.to_string();
                // YAML `644` is the decimal 644 = 0o1204: Ansible would silently set the sticky bit and
                // odd permissions. The classic mistakes (6xx, 7xx, 5xx written without a leading 0) all
                // land in 512..=777 and carry the sticky bit; genuine octal literals almost never do.
                if (512..=777).contains(i) && decimal.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                    return Err(format!(
                        "mode {i} is a decimal number: it means {} ({}), not 0{i}",
                        display(*i as u32),
                        describe(*i as u32)
                    ));
                }
                u32::try_from(*i)
                    .ok()
                    .filter(|m| *m <= PERM_BITS)
                    .map(Mode::Octal)
                    .ok_or_else(|| format!("mode {i} is not a valid permission mode"))
            }
            Value::Str(s) | Value::Unsafe(s) => match parse_octal(s) {
                Some(m) if m <= PERM_BITS => Ok(Mode::Octal(m)),
                Some(_) => Err(format!("mode {s:?}: only permission bits are allowed")),
                None => parse_symbolic(s).map(|clauses| Mode::Symbolic {
                    text: s.clone(),
                    clauses,
                }),
            },
            other => Err(format!(
                "mode must be in octal or symbolic form, got a {}",
                other.type_name()
            )),
        }
    }

    /// Whether computing the mode needs the host's umask (a symbolic clause without `who`).
    pub fn needs_umask(&self) -> bool {
        match self {
            Mode::Octal(_) => false,
            Mode::Symbolic { clauses, .. } => clauses.iter().any(|c| c.use_umask),
        }
    }

    /// The mode to set on something whose mode is `current`.
    pub fn resolve(&self, current: u32, is_dir: bool, umask: u32) -> u32 {
        match self {
            Mode::Octal(m) => *m,
            Mode::Symbolic { clauses, .. } => {
                let mut mode = current & PERM_BITS;
                for clause in clauses {
                    for (op, perms) in &clause.ops {
                        for who in clause.who.chars() {
                            let bits = perm_bits(who, perms, clause.use_umask, mode, is_dir, umask);
                            mode = apply(who, *op, bits, mode);
                        }
                    }
                }
                mode
            }
        }
    }

    /// What `chmod` is given to apply this mode to many entries at once (recurse).
    pub fn chmod_arg(&self) -> String {
        match self {
            Mode::Octal(m) => display(*m),
            Mode::Symbolic { text, .. } => text.clone(),
        }
    }
}

/// Ansible's `'0%03o' % mode`.
pub fn display(mode: u32) -> String {
    format!("0{mode:03o}")
}

/// `rwxr-xr-x`-style text, with the setuid/setgid/sticky letters as `ls` prints them.
pub fn describe(mode: u32) -> String {
    let bit = |mask: u32, c: char| if mode & mask != 0 { c } else { '-' };
    let special = |exec: bool, set: bool, on: char, off: char| match (exec, set) {
        (true, true) => on,
        (false, true) => off,
        (true, false) => 'x',
        (false, false) => '-',
    };
    [
        bit(0o400, 'r'),
        bit(0o200, 'w'),
        special(mode & 0o100 != 0, mode & 0o4000 != 0, 's', 'S'),
        bit(0o040, 'r'),
        bit(0o020, 'w'),
        special(mode & 0o010 != 0, mode & 0o2000 != 0, 's', 'S'),
        bit(0o004, 'r'),
        bit(0o002, 'w'),
        special(mode & 0o001 != 0, mode & 0o1000 != 0, 't', 'T'),
    ]
    .iter()
    .collect()
}

/// Python's `int(text, 8)`: surrounding whitespace, a sign, an optional `0o`, digits with single
/// underscores between them.
fn parse_octal(text: &str) -> Option<u32> {
    let t = text.trim();
    let (negative, t) = match t.as_bytes().first() {
        Some(b'-') => (true, t.get(1..)?),
        Some(b'+') => (false, t.get(1..)?),
        _ => (false, t),
    };
    let (prefixed, digits) = match t.get(..2) {
        Some("0o") | Some("0O") => (true, t.get(2..)?),
        _ => (false, t),
    };
    let digits = if prefixed {
        digits.strip_prefix('_').unwrap_or(digits)
    } else {
        digits
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits
            .bytes()
            .all(|b| b == b'_' || (b'0'..=b'7').contains(&b))
    {
        return None;
    }
    let value = u64::from_str_radix(&digits.replace('_', ""), 8).ok()?;
    // A negative octal number parses in Python but is never a mode; report it as out of range.
    if negative && value != 0 {
        return Some(u32::MAX);
    }
    Some(u32::try_from(value).unwrap_or(u32::MAX))
}

fn parse_symbolic(text: &str) -> Result<Vec<Clause>, String> {
    let bad = |clause: &str| {
        format!(
            "mode must be in octal or symbolic form: bad symbolic permission for mode: {clause}"
        )
    };
    let mut clauses = Vec::new();
    for clause in text.split(',') {
        let first_op = clause.find(['+', '-', '=']).unwrap_or(clause.len());
        let who_text = clause.get(..first_op).unwrap_or_default();
        let use_umask = who_text.is_empty();
        let who = if who_text.is_empty() || who_text == "a" {
            "ugo"
        } else {
            who_text
        };
        if !who.chars().all(|c| matches!(c, 'u' | 'g' | 'o')) {
            return Err(bad(clause));
        }
        let mut ops = Vec::new();
        let rest = clause.get(first_op..).unwrap_or_default();
        let mut chars = rest.chars().peekable();
        while let Some(op) = chars.next() {
            let mut perms = String::new();
            while let Some(c) = chars.next_if(|c| !matches!(c, '+' | '-' | '=')) {
                perms.push(c);
            }
            if !perms
                .chars()
                .all(|c| matches!(c, 'r' | 'w' | 'x' | 'X' | 's' | 't' | 'u' | 'g' | 'o'))
            {
                return Err(bad(clause));
            }
            ops.push((op, perms));
        }
        clauses.push(Clause {
            who: who.to_string(),
            use_umask,
            ops,
        });
    }
    Ok(clauses)
}

/// `_get_octal_mode_from_symbolic_perms` for one class letter.
fn perm_bits(who: char, perms: &str, use_umask: bool, prev: u32, is_dir: bool, umask: u32) -> u32 {
    let allowed = if use_umask {
        !umask & PERM_BITS
    } else {
        PERM_BITS
    };
    let apply_x = is_dir || prev & EXEC_ANY != 0;
    let (r, w, x, s, t) = match who {
        'u' => (0o400, 0o200, 0o100, 0o4000, 0),
        'g' => (0o040, 0o020, 0o010, 0o2000, 0),
        _ => (0o004, 0o002, 0o001, 0, 0o1000),
    };
    // Copy another class's bits into this class's position (`g=u`).
    let copy = |from_shift: u32| {
        let bits = (prev >> from_shift) & 0o7;
        let to_shift = match who {
            'u' => 6,
            'g' => 3,
            _ => 0,
        };
        bits << to_shift
    };
    perms.chars().fold(0, |acc, p| {
        acc | match p {
            'r' => r & allowed,
            'w' => w & allowed,
            'x' => x & allowed,
            'X' if apply_x => x,
            's' => s,
            't' => t,
            'u' => copy(6),
            'g' => copy(3),
            'o' => copy(0),
            _ => 0,
        }
    })
}

/// `_apply_operation_to_mode`.
fn apply(who: char, op: char, bits: u32, current: u32) -> u32 {
    match op {
        '=' => {
            let class = match who {
                'u' => 0o700 | 0o4000,
                'g' => 0o070 | 0o2000,
                _ => 0o007 | 0o1000,
            };
            (current & !class & PERM_BITS) | bits
        }
        '+' => current | bits,
        _ => current & !bits,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sym(text: &str) -> Mode {
        Mode::parse(&Value::from(text)).unwrap()
    }

    #[test]
    fn octal_strings_and_ints() {
        assert_eq!(Mode::parse(&Value::from("0644")), Ok(Mode::Octal(0o644)));
        // A string is always octal, with or without the leading zero (Python's int(mode, 8)).
        assert_eq!(Mode::parse(&Value::from("644")), Ok(Mode::Octal(0o644)));
        assert_eq!(
            Mode::parse(&Value::from(" 0o7_55 ")),
            Ok(Mode::Octal(0o755))
        );
        assert_eq!(Mode::parse(&Value::from("1777")), Ok(Mode::Octal(0o1777)));
        // YAML 1.1 `0644` is the int 420.
        assert_eq!(Mode::parse(&Value::Int(420)), Ok(Mode::Octal(0o644)));
        assert_eq!(Mode::parse(&Value::Int(0o4755)), Ok(Mode::Octal(0o4755)));
        let err = Mode::parse(&Value::Int(644)).unwrap_err();
        assert!(err.contains("01204 (-w----r-T)"), "{err}");
        assert!(Mode::parse(&Value::from("17777")).is_err());
        assert!(Mode::parse(&Value::from("-644")).is_err());
        assert!(Mode::parse(&Value::Float(644.0)).is_err());
    }

    #[test]
    fn symbolic_modes_follow_ansible() {
        // Values checked with AnsibleModule._symbolic_mode_to_octal on ansible-core 2.19 (umask 022).
        let cases = [
            ("u=rw,g=r,o=r", 0o777, false, 0o644),
            ("u+x", 0o644, false, 0o744),
            ("a-w", 0o664, false, 0o444),
            ("u=rwX,g=rX,o=rX", 0o600, false, 0o644),
            ("u=rwX,g=rX,o=rX", 0o700, false, 0o755),
            ("u=rwX,g=rX,o=rX", 0o600, true, 0o755),
            ("+x", 0o644, false, 0o755),
            ("=rw", 0o777, false, 0o644),
            ("g=u", 0o750, false, 0o770),
            ("u+s,g+s,o+t", 0o755, true, 0o7755),
            ("u=rw-x+X", 0o600, false, 0o600),
            ("o=", 0o1777, true, 0o770),
            ("u", 0o640, false, 0o640),
        ];
        for (text, current, is_dir, expected) in cases {
            assert_eq!(
                sym(text).resolve(current, is_dir, 0o022),
                expected,
                "{text} on {current:o}"
            );
        }
    }

    #[test]
    fn bad_symbolic_modes_are_errors() {
        for text in ["rw", "ua+x", "u+q", "preserve", "0x1ff"] {
            assert!(Mode::parse(&Value::from(text)).is_err(), "{text}");
        }
    }

    #[test]
    fn only_umask_free_modes_skip_the_umask() {
        assert!(sym("+x").needs_umask());
        assert!(!sym("a+x").needs_umask());
        assert!(!sym("0644").needs_umask());
    }

    #[test]
    fn describes_like_ls() {
        assert_eq!(describe(0o4755), "rwsr-xr-x");
        assert_eq!(describe(0o1204), "-w----r-T");
        assert_eq!(display(0o644), "0644");
        assert_eq!(display(0o4755), "04755");
    }
}
