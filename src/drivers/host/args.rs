//! Task arguments read the way Ansible's argument spec reads them: names and aliases, `str`/`bool`/
//! `int`/`list`/`path` conversions, defaults, and an error for every argument the module does not know.
//! Every problem is collected, so a task with three bad arguments reports three errors.

use std::collections::BTreeSet;

use crate::drivers::SpecError;
use crate::value::{Map, Value, pyfloat};

/// Strings Ansible's `boolean()` accepts (compared lower-cased).
const TRUE_WORDS: [&str; 6] = ["y", "yes", "on", "1", "true", "t"];
const FALSE_WORDS: [&str; 6] = ["n", "no", "off", "0", "false", "f"];

pub struct Args<'a> {
    module: &'static str,
    map: &'a Map,
    known: BTreeSet<&'static str>,
    errors: Vec<SpecError>,
}

impl<'a> Args<'a> {
    pub fn new(module: &'static str, map: &'a Map) -> Self {
        Self {
            module,
            map,
            known: BTreeSet::new(),
            errors: Vec::new(),
        }
    }

    pub fn error(&mut self, argument: Option<&str>, message: impl Into<String>) {
        self.errors.push(SpecError::new(argument, message));
    }

    pub fn push(&mut self, error: SpecError) {
        self.errors.push(error);
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The value of an option written under its name or one of its aliases; `null` counts as unset
    /// (as a templated `omit` or an empty value does in Ansible).
    pub fn value(&mut self, name: &'static str, aliases: &[&'static str]) -> Option<&'a Value> {
        self.known.insert(name);
        let mut found: Option<(&str, &'a Value)> = None;
        for key in std::iter::once(&name).chain(aliases) {
            self.known.insert(key);
            if let Some(value) = self.map.get(*key).filter(|v| **v != Value::Null) {
                if let Some((first, _)) = found {
                    self.errors.push(
                        SpecError::new(
                            Some(name),
                            format!("both {first} and its alias {key} are set"),
                        )
                        .with_help(format!("keep one of them (Ansible would use {key})")),
                    );
                }
                found = Some((key, value));
            }
        }
        found.map(|(_, value)| value)
    }

    /// A `str` option; numbers and booleans convert as Python's `str()` would.
    pub fn str(&mut self, name: &'static str, aliases: &[&'static str]) -> Option<String> {
        let value = self.value(name, aliases)?;
        match as_text(value) {
            Ok(text) => Some(text),
            Err(message) => {
                self.error(Some(name), format!("{name}: {message}"));
                None
            }
        }
    }

    /// A `path` option. Ansible expands `~` and `$VARS` on the target; a plan cannot, so such paths
    /// are refused rather than managed literally. Relative paths depend on the remote working
    /// directory and are refused too.
    pub fn path(&mut self, name: &'static str, aliases: &[&'static str]) -> Option<String> {
        let path = self.str(name, aliases)?;
        match check_path(&path) {
            Ok(()) => Some(path),
            Err(error) => {
                self.push(error.for_argument(name));
                None
            }
        }
    }

    pub fn required_path(&mut self, name: &'static str, aliases: &[&'static str]) -> String {
        if self.map.get(name).is_none() && aliases.iter().all(|a| self.map.get(*a).is_none()) {
            self.known.insert(name);
            self.known.extend(aliases);
            self.error(Some(name), format!("missing required arguments: {name}"));
            return String::new();
        }
        self.path(name, aliases).unwrap_or_default()
    }

    pub fn opt_bool(&mut self, name: &'static str, aliases: &[&'static str]) -> Option<bool> {
        let value = self.value(name, aliases)?;
        match as_bool(value) {
            Some(b) => Some(b),
            None => {
                self.error(
                    Some(name),
                    format!(
                        "{name}: the value {} is not a valid boolean. Valid booleans include: \
                         yes, no, true, false, on, off, 1, 0",
                        crate::value::pyrepr::repr(value)
                    ),
                );
                None
            }
        }
    }

    pub fn bool(&mut self, name: &'static str, aliases: &[&'static str], default: bool) -> bool {
        self.opt_bool(name, aliases).unwrap_or(default)
    }

    /// An `int` option: integers, integral floats and strings holding an integer.
    pub fn int(&mut self, name: &'static str, aliases: &[&'static str]) -> Option<i128> {
        let value = self.value(name, aliases)?;
        let parsed = match value {
            Value::Int(i) => Some(*i),
            Value::Float(f) if f.fract() == 0.0 && f.is_finite() && f.abs() < 1e30 => {
                Some(*f as i128)
            }
            Value::Str(s) | Value::Unsafe(s) => s.trim().replace('_', "").parse::<i128>().ok(),
            _ => None,
        };
        if parsed.is_none() {
            self.error(
                Some(name),
                format!(
                    "{name}: {} cannot be converted to an int",
                    crate::value::pyrepr::repr(value)
                ),
            );
        }
        parsed
    }

    /// An id (uid, gid): an int within 0..2^32-1.
    pub fn id(&mut self, name: &'static str) -> Option<u32> {
        let value = self.int(name, &[])?;
        match u32::try_from(value) {
            Ok(id) if id != u32::MAX => Some(id),
            _ => {
                self.error(Some(name), format!("{name}: {value} is not a valid id"));
                None
            }
        }
    }

    /// A `list` of `str`: a list, or a comma-separated string split as Ansible splits it.
    pub fn list(&mut self, name: &'static str, aliases: &[&'static str]) -> Option<Vec<String>> {
        let value = self.value(name, aliases)?;
        let items: Vec<Value> = match value {
            Value::List(items) => items.clone(),
            Value::Str(s) | Value::Unsafe(s) => s.split(',').map(Value::from).collect(),
            Value::Int(_) | Value::Float(_) => vec![value.clone()],
            other => {
                self.error(
                    Some(name),
                    format!(
                        "{name}: {} cannot be converted to a list",
                        other.type_name()
                    ),
                );
                return None;
            }
        };
        let mut out = Vec::new();
        for item in &items {
            match as_text(item) {
                Ok(text) => out.push(text),
                Err(message) => self.error(Some(name), format!("{name}: {message}")),
            }
        }
        Some(out)
    }

    pub fn choice(
        &mut self,
        name: &'static str,
        aliases: &[&'static str],
        choices: &[&str],
    ) -> Option<String> {
        let value = self.str(name, aliases)?;
        if choices.contains(&value.as_str()) {
            Some(value)
        } else {
            self.error(
                Some(name),
                format!(
                    "value of {name} must be one of: {}, got: {value}",
                    choices.join(", ")
                ),
            );
            None
        }
    }

    /// An option Ansible has and plimsoll cannot plan: accepted only when unset, `null` or false.
    pub fn unsupported(&mut self, name: &'static str, aliases: &[&'static str], why: &str) {
        if let Some(value) = self.value(name, aliases)
            && as_bool(value) != Some(false)
        {
            self.errors.push(
                SpecError::new(
                    Some(name),
                    format!("{} of {} is not supported: {why}", name, self.module),
                )
                .with_help(format!("remove {name} from the task")),
            );
        }
    }

    /// An option that changes nothing plimsoll does (e.g. `unsafe_writes`), accepted for compatibility.
    pub fn ignored(&mut self, name: &'static str) {
        self.known.insert(name);
    }

    /// Ends parsing: every argument the module does not know is an error, as in Ansible.
    pub fn finish(mut self) -> Result<(), Vec<SpecError>> {
        let unknown: Vec<&str> = self
            .map
            .keys()
            .map(String::as_str)
            .filter(|k| !self.known.contains(k))
            .collect();
        if !unknown.is_empty() {
            let known: Vec<&str> = self
                .known
                .iter()
                .copied()
                .filter(|k| !k.starts_with('_'))
                .collect();
            self.errors.push(
                SpecError::new(
                    unknown.first().copied(),
                    format!(
                        "Unsupported parameters for ({}) module: {}",
                        self.module,
                        unknown.join(", ")
                    ),
                )
                .with_help(format!(
                    "Supported parameters include: {}",
                    known.join(", ")
                )),
            );
        }
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}

impl SpecError {
    fn for_argument(mut self, name: &str) -> Self {
        self.argument = Some(name.to_string());
        self
    }
}

/// `str(value)` for scalars; collections and encrypted values are refused.
pub fn as_text(value: &Value) -> Result<String, String> {
    match value {
        Value::Str(s) | Value::Unsafe(s) => Ok(s.clone()),
        Value::Int(i) => Ok(i.to_string()),
        Value::Bool(true) => Ok("True".into()),
        Value::Bool(false) => Ok("False".into()),
        Value::Float(f) => Ok(pyfloat::repr(*f)),
        Value::Null => Ok(String::new()),
        Value::Vault(_) => Err("the value is still vault-encrypted".into()),
        Value::List(_) | Value::Map(_) => {
            Err(format!("expected a string, got a {}", value.type_name()))
        }
    }
}

/// Ansible's `boolean()`.
pub fn as_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Int(1) => Some(true),
        Value::Int(0) => Some(false),
        Value::Float(f) if *f == 1.0 => Some(true),
        Value::Float(f) if *f == 0.0 => Some(false),
        Value::Str(s) | Value::Unsafe(s) => {
            let lower = s.trim().to_lowercase();
            if TRUE_WORDS.contains(&lower.as_str()) {
                Some(true)
            } else if FALSE_WORDS.contains(&lower.as_str()) {
                Some(false)
            } else {
                None
            }
        }
        _ => None,
    }
}

pub fn check_path(path: &str) -> Result<(), SpecError> {
    if path.starts_with('~') {
        return Err(SpecError::new(
            None,
            format!("{path:?}: plimsoll does not expand ~ on the target"),
        )
        .with_help("write the absolute path"));
    }
    if has_env_reference(path) {
        return Err(SpecError::new(
            None,
            format!(
                "{path:?}: Ansible would expand environment variables in it on the target; \
                 plimsoll plans with literal paths"
            ),
        )
        .with_help("write the path out, or use a variable of the play instead"));
    }
    if !path.starts_with('/') {
        return Err(SpecError::new(
            None,
            format!("{path:?} is relative; it would depend on the remote working directory"),
        )
        .with_help("write an absolute path"));
    }
    if path.contains('\0') {
        return Err(SpecError::new(None, "a path cannot contain a NUL byte"));
    }
    Ok(())
}

/// What Python's `os.path.expandvars` would replace: `$name` or `${...}`.
fn has_env_reference(path: &str) -> bool {
    let bytes = path.as_bytes();
    bytes.iter().enumerate().any(|(i, b)| {
        *b == b'$'
            && match bytes.get(i + 1) {
                Some(b'{') => bytes.get(i + 2..).is_some_and(|rest| rest.contains(&b'}')),
                Some(c) => c.is_ascii_alphanumeric() || *c == b'_' || *c >= 0x80,
                None => false,
            }
    })
}

/// The directory holding `path` (`/` for top-level entries).
pub fn parent_dir(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(0) | None => "/".to_string(),
        Some(i) => trimmed.get(..i).unwrap_or("/").to_string(),
    }
}

/// `os.path.join(dirname(path), src)`: a relative link target is relative to the link's directory.
pub fn link_target_path(path: &str, src: &str) -> String {
    if src.starts_with('/') {
        src.to_string()
    } else {
        let parent = parent_dir(path);
        if parent.ends_with('/') {
            format!("{parent}{src}")
        } else {
            format!("{parent}/{src}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, Value)]) -> Map {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn booleans_as_ansible_reads_them() {
        for (value, expected) in [
            (Value::from("yes"), Some(true)),
            (Value::from("On"), Some(true)),
            (Value::from("t"), Some(true)),
            (Value::Int(0), Some(false)),
            (Value::from("n"), Some(false)),
            (Value::from("maybe"), None),
            (Value::Int(2), None),
        ] {
            assert_eq!(as_bool(&value), expected, "{value:?}");
        }
    }

    #[test]
    fn unknown_arguments_and_alias_clashes_are_errors() {
        let args = map(&[
            ("path", "/a".into()),
            ("dest", "/b".into()),
            ("colour", "red".into()),
        ]);
        let mut a = Args::new("ansible.builtin.file", &args);
        a.path("path", &["dest", "name"]);
        let errors = a.finish().unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(errors[0].message.contains("both path and its alias dest"));
        assert!(
            errors[1]
                .message
                .contains("Unsupported parameters for (ansible.builtin.file) module: colour")
        );
    }

    #[test]
    fn lists_split_strings_on_commas_like_ansible() {
        let args = map(&[("groups", "wheel,adm".into()), ("other", Value::Int(5))]);
        let mut a = Args::new("user", &args);
        assert_eq!(
            a.list("groups", &[]),
            Some(vec!["wheel".to_string(), "adm".to_string()])
        );
        assert_eq!(a.list("other", &[]), Some(vec!["5".to_string()]));
        a.finish().unwrap();
    }

    #[test]
    fn paths_must_be_literal_and_absolute() {
        assert!(check_path("/srv/it's $(x) `y`\nz").is_ok());
        assert!(check_path("/srv/$HOME/x").is_err());
        assert!(check_path("/srv/${X}").is_err());
        assert!(check_path("/srv/cost$").is_ok());
        assert!(check_path("~/x").is_err());
        assert!(check_path("x/y").is_err());
    }

    #[test]
    fn parents_and_link_targets() {
        assert_eq!(parent_dir("/etc/app/x.conf"), "/etc/app");
        assert_eq!(parent_dir("/x"), "/");
        assert_eq!(parent_dir("/etc/app/"), "/etc");
        assert_eq!(link_target_path("/etc/app/cur", "v1"), "/etc/app/v1");
        assert_eq!(link_target_path("/cur", "v1"), "/v1");
        assert_eq!(link_target_path("/etc/cur", "/opt/v1"), "/opt/v1");
    }
}
