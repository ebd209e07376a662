//! Ansible's `unfrackpath(path, follow=False)`: how it resolves vault password file names.
//!
//! Environment variables (`$NAME`, `${NAME}`) and a leading `~` are expanded, a relative path is joined to
//! the current directory, and the result is normalised lexically (symlinks are not followed).

use std::env;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

/// Resolve `path` the way Ansible resolves `--vault-password-file`, `--vault-id` sources and
/// `ANSIBLE_VAULT_PASSWORD_FILE`. `{{CWD}}` is replaced only for config values (`resolve_path`).
pub fn unfrack(path: &Path, cwd: &Path) -> PathBuf {
    let expanded = match path.to_str() {
        Some(text) => PathBuf::from(expand_user(&expand_vars(text))),
        // Non-UTF-8 names cannot hold `$NAME` we could look up meaningfully; keep them as they are.
        None => path.to_path_buf(),
    };
    let absolute = if expanded.is_absolute() {
        expanded
    } else {
        cwd.join(expanded)
    };
    normalize(&absolute)
}

/// `resolve_path` for config values of type `path`: `{{CWD}}` first, then `unfrack`.
pub fn resolve_config_path(value: &str, cwd: &Path) -> PathBuf {
    let replaced = value.replace("{{CWD}}", &cwd.to_string_lossy());
    unfrack(Path::new(&replaced), cwd)
}

/// `posixpath.expandvars`: `$name` / `${name}` with `name` of ASCII word characters; unknown variables
/// and malformed references stay as written.
fn expand_vars(text: &str) -> String {
    if !text.contains('$') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        let (before, from_dollar) = rest.split_at(dollar);
        out.push_str(before);
        let after = from_dollar.get(1..).unwrap_or("");
        let (name, reference_len) = if let Some(braced) = after.strip_prefix('{') {
            match braced.find('}') {
                Some(close) => (braced.get(..close).unwrap_or(""), close + 3),
                None => ("", 0),
            }
        } else {
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (after.get(..len).unwrap_or(""), len + 1)
        };
        let value = (reference_len > 0 && !name.is_empty())
            .then(|| env::var_os(name))
            .flatten();
        match value {
            Some(value) => {
                out.push_str(&value.to_string_lossy());
                rest = from_dollar.get(reference_len..).unwrap_or("");
            }
            None => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `posixpath.expanduser` for `~` and `~/...` (from `$HOME`); `~user` is left as written.
fn expand_user(text: &str) -> OsString {
    let Some(after) = text.strip_prefix('~') else {
        return text.into();
    };
    if !(after.is_empty() || after.starts_with('/')) {
        return text.into();
    }
    let Some(home) = env::var_os("HOME") else {
        return text.into();
    };
    let home = home.to_string_lossy().trim_end_matches('/').to_string();
    let joined = format!("{home}{after}");
    if joined.is_empty() {
        "/".into()
    } else {
        joined.into()
    }
}

/// `os.path.normpath` on an absolute path: drop `.` and empty parts, apply `..` lexically.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Prefix(p) => out.push(p.as_os_str()),
            Component::RootDir => out.push("/"),
            Component::CurDir => {}
            Component::ParentDir => {
                // `/..` is `/`, as in Python.
                out.pop();
            }
            Component::Normal(part) => out.push(part),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_join_cwd_and_normalise() {
        let cwd = Path::new("/work/site");
        assert_eq!(
            unfrack(Path::new("pw.txt"), cwd),
            PathBuf::from("/work/site/pw.txt")
        );
        assert_eq!(
            unfrack(Path::new("../x/./pw"), cwd),
            PathBuf::from("/work/x/pw")
        );
        assert_eq!(
            unfrack(Path::new("/a//b/../../../c"), cwd),
            PathBuf::from("/c")
        );
        // Python: unfrackpath('') is the cwd itself.
        assert_eq!(unfrack(Path::new(""), cwd), PathBuf::from("/work/site"));
    }

    #[test]
    fn expands_home_and_vars() {
        // HOME is set in any test environment we run in; compare against it rather than a constant.
        let home = env::var("HOME").unwrap();
        let cwd = Path::new("/");
        assert_eq!(
            unfrack(Path::new("~/x/../p"), cwd),
            normalize(&PathBuf::from(format!("{home}/p")))
        );
        assert_eq!(
            unfrack(Path::new("$HOME/a"), cwd),
            normalize(&PathBuf::from(format!("{home}/a")))
        );
        assert_eq!(
            unfrack(Path::new("${HOME}/a"), cwd),
            normalize(&PathBuf::from(format!("{home}/a")))
        );
        assert_eq!(
            expand_vars("$PLIMSOLL_SURELY_UNSET_VAR/x"),
            "$PLIMSOLL_SURELY_UNSET_VAR/x"
        );
        assert_eq!(expand_vars("a$"), "a$");
        assert_eq!(expand_vars("${unclosed"), "${unclosed");
        assert_eq!(expand_vars("${}"), "${}");
        assert_eq!(expand_user("~someone/x"), OsString::from("~someone/x"));
    }

    #[test]
    fn config_paths_replace_cwd_marker() {
        assert_eq!(
            resolve_config_path("{{CWD}}/pw", Path::new("/srv")),
            PathBuf::from("/srv/pw")
        );
    }
}
