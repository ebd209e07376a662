//! The vault passwords a run knows, labelled by vault id, in the order Ansible's CLI builds them
//! (ansible/cli/__init__.py `setup_vault_secrets` and `build_vault_ids`).
//!
//! Order: `ANSIBLE_VAULT_IDENTITY_LIST`, then `--vault-id`s, then `--vault-password-file`s, then
//! `ANSIBLE_VAULT_PASSWORD_FILE`, then the `--ask-vault-pass` prompt. A source that cannot be read is a
//! warning as long as some other source gave a secret; if none did, the last failure is the error.

use std::env;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;

use super::error::VaultError;
use super::password_source::{FileSource, PromptStyle, prompt_password};
use super::sensitive::Sensitive;
use super::unfrack::{resolve_config_path, unfrack};

/// The label Ansible gives secrets that were not given one (config `DEFAULT_VAULT_IDENTITY`).
pub const DEFAULT_VAULT_IDENTITY: &str = "default";

/// One vault password. Its Debug output never shows the bytes.
#[derive(Clone)]
pub struct VaultSecret(Sensitive<Vec<u8>>);

impl VaultSecret {
    pub fn new(password: impl Into<Vec<u8>>) -> Self {
        Self(Sensitive::new(password.into()))
    }

    pub fn from_sensitive(password: Sensitive<Vec<u8>>) -> Self {
        Self(password)
    }

    /// The password itself, for key derivation only.
    pub fn bytes(&self) -> &[u8] {
        self.0.expose()
    }
}

impl fmt::Debug for VaultSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VaultSecret({})", self.0)
    }
}

/// The known secrets as (vault id label, password), best first, plus the two settings that change how
/// they are matched against a vault: the label assumed for unlabelled (1.1) vaults, and vault id matching.
#[derive(Clone, Debug)]
pub struct VaultSecrets {
    entries: Vec<(String, VaultSecret)>,
    default_identity: String,
    id_match: bool,
    warnings: Vec<Diagnostic>,
}

impl Default for VaultSecrets {
    fn default() -> Self {
        Self::new()
    }
}

impl VaultSecrets {
    pub fn new() -> Self {
        Self {
            entries: Vec::new(),
            default_identity: DEFAULT_VAULT_IDENTITY.to_string(),
            id_match: false,
            warnings: Vec::new(),
        }
    }

    pub fn push(&mut self, label: impl Into<String>, secret: VaultSecret) {
        self.entries.push((label.into(), secret));
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &VaultSecret)> {
        self.entries
            .iter()
            .map(|(label, secret)| (label.as_str(), secret))
    }

    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(label, _)| label.as_str())
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The first secret with this label (Ansible's `match_encrypt_vault_id_secret`); `None` picks the first
    /// secret of all (`match_encrypt_secret` without `--encrypt-vault-id`).
    pub fn for_encryption(&self, label: Option<&str>) -> Option<(&str, &VaultSecret)> {
        self.iter()
            .find(|(l, _)| label.is_none_or(|want| *l == want))
    }

    /// The label a vault without one (format 1.1) is taken to have.
    pub fn default_identity(&self) -> &str {
        &self.default_identity
    }

    pub fn set_default_identity(&mut self, label: impl Into<String>) {
        self.default_identity = label.into();
    }

    /// When on, a vault is only tried with secrets carrying its vault id (`DEFAULT_VAULT_ID_MATCH`).
    pub fn id_match(&self) -> bool {
        self.id_match
    }

    pub fn set_id_match(&mut self, on: bool) {
        self.id_match = on;
    }

    /// Sources that failed while others worked, worded as Ansible's warnings.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The secrets for a command line, reading Ansible's environment variables for the rest.
    pub fn from_cli(
        password_files: &[PathBuf],
        vault_ids: &[String],
    ) -> Result<VaultSecrets, VaultError> {
        let cwd = env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
        Self::from_sources(&VaultConfig::from_env(), password_files, vault_ids, &cwd)
    }

    /// `from_cli` with the configuration given rather than read from the environment, and relative paths
    /// resolved against `cwd`.
    pub fn from_sources(
        config: &VaultConfig,
        password_files: &[PathBuf],
        vault_ids: &[String],
        cwd: &Path,
    ) -> Result<VaultSecrets, VaultError> {
        let mut secrets = VaultSecrets::new();
        secrets.set_default_identity(config.identity.clone());
        secrets.set_id_match(config.id_match);

        let mut last_error = None;
        let mut found = false;
        for request in build_requests(config, password_files, vault_ids, cwd) {
            match request {
                Request::Prompt { label, style } => {
                    let label = label
                        .filter(|l| !l.is_empty())
                        .unwrap_or(config.identity.clone());
                    // A failed prompt is fatal at once, as in Ansible.
                    let secret = prompt_password(&label, style)?;
                    secrets.push(label, secret);
                    found = true;
                }
                Request::File {
                    label,
                    given,
                    resolved,
                } => {
                    let shown = label.clone().unwrap_or_else(|| "None".to_string());
                    let source = match FileSource::locate(&given, resolved, label.as_deref()) {
                        Ok(source) => source,
                        Err(e) => {
                            secrets.warnings.push(Diagnostic::warning(format!(
                                "Error getting vault password file ({shown}): {e}"
                            )));
                            last_error = Some(e);
                            continue;
                        }
                    };
                    match source.load(&secrets) {
                        Ok(secret) => {
                            let label = label
                                .filter(|l| !l.is_empty())
                                .unwrap_or(config.identity.clone());
                            secrets.push(label, secret);
                            found = true;
                        }
                        Err(e) => {
                            secrets.warnings.push(Diagnostic::warning(format!(
                                "Error in vault password file loading ({shown}): {e}"
                            )));
                            last_error = Some(e);
                        }
                    }
                }
            }
        }
        match last_error {
            Some(e) if !found => Err(e),
            _ => Ok(secrets),
        }
    }
}

/// Ansible configuration that shapes the vault secrets. `from_env` reads the environment variables; an
/// ansible.cfg reader can fill the same fields from `[defaults]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VaultConfig {
    /// `ANSIBLE_VAULT_IDENTITY`: the label for secrets given without one.
    pub identity: String,
    /// `ANSIBLE_VAULT_IDENTITY_LIST`: vault ids tried before the `--vault-id`s.
    pub identity_list: Vec<String>,
    /// `ANSIBLE_VAULT_PASSWORD_FILE`, unresolved (resolved like a config `path`).
    pub password_file: Option<String>,
    /// `ANSIBLE_VAULT_ID_MATCH`.
    pub id_match: bool,
    /// `ANSIBLE_ASK_VAULT_PASS` (or `--ask-vault-pass`): prompt for a `default` password.
    pub ask_vault_pass: bool,
}

impl Default for VaultConfig {
    fn default() -> Self {
        Self {
            identity: DEFAULT_VAULT_IDENTITY.to_string(),
            identity_list: Vec::new(),
            password_file: None,
            id_match: false,
            ask_vault_pass: false,
        }
    }
}

impl VaultConfig {
    /// Read the variables as Ansible's config manager does. A variable that is set counts even when
    /// empty (checked: `ANSIBLE_VAULT_PASSWORD_FILE=` makes Ansible use the cwd, and warn it is a directory).
    pub fn from_env() -> Self {
        Self::from_lookup(|name| env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let defaults = Self::default();
        Self {
            identity: lookup("ANSIBLE_VAULT_IDENTITY").unwrap_or(defaults.identity),
            identity_list: lookup("ANSIBLE_VAULT_IDENTITY_LIST")
                .map(|v| parse_config_list(&v))
                .unwrap_or_default(),
            password_file: lookup("ANSIBLE_VAULT_PASSWORD_FILE"),
            // The setting has no type in Ansible's config definitions, so it stays a string and any
            // non-empty value is true: ANSIBLE_VAULT_ID_MATCH=false or =0 turns matching ON (checked).
            id_match: lookup("ANSIBLE_VAULT_ID_MATCH").is_some_and(|v| !v.is_empty()),
            ask_vault_pass: lookup("ANSIBLE_ASK_VAULT_PASS").is_some_and(|v| config_boolean(&v)),
        }
    }
}

/// Config type `list` from a string: split on commas, strip whitespace, unquote each item.
fn parse_config_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|item| unquote(item.trim()).to_string())
        .collect()
}

/// `ansible.parsing.quoting.unquote`.
fn unquote(text: &str) -> &str {
    let bytes = text.as_bytes();
    match (
        bytes.first(),
        bytes.last(),
        bytes.len().checked_sub(2).and_then(|i| bytes.get(i)),
    ) {
        (Some(&first), Some(&last), Some(&before_last))
            if bytes.len() > 1
                && first == last
                && (first == b'"' || first == b'\'')
                && before_last != b'\\' =>
        {
            text.get(1..text.len() - 1).unwrap_or(text)
        }
        _ => text,
    }
}

/// Non-strict `boolean()`, as config type `boolean` uses.
fn config_boolean(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "y" | "yes" | "on" | "1" | "true" | "t"
    )
}

/// One place to get a secret from, in the order they are tried.
#[derive(Debug)]
enum Request {
    Prompt {
        label: Option<String>,
        style: PromptStyle,
    },
    File {
        label: Option<String>,
        /// The name as given: whether it is a client script depends on it.
        given: PathBuf,
        resolved: PathBuf,
    },
}

fn build_requests(
    config: &VaultConfig,
    password_files: &[PathBuf],
    vault_ids: &[String],
    cwd: &Path,
) -> Vec<Request> {
    let mut requests: Vec<Request> = config
        .identity_list
        .iter()
        .chain(vault_ids)
        .map(|slug| vault_id_request(slug, cwd))
        .collect();

    // Password files become `<default identity>@<file>`, already resolved (argparse's unfrack_path).
    let config_file = config
        .password_file
        .as_deref()
        .map(|f| resolve_config_path(f, cwd));
    for file in password_files
        .iter()
        .map(|f| unfrack(f, cwd))
        .chain(config_file)
    {
        requests.push(Request::File {
            label: Some(config.identity.clone()),
            given: file.clone(),
            resolved: unfrack(&file, cwd),
        });
    }

    if config.ask_vault_pass {
        requests.push(Request::Prompt {
            label: Some(config.identity.clone()),
            style: PromptStyle::AskVaultPass,
        });
    }
    requests
}

/// `--vault-id [label@]source`: split at the first `@`; `prompt` asks on the terminal, anything else is
/// a password file or script.
fn vault_id_request(slug: &str, cwd: &Path) -> Request {
    let (label, source) = match slug.split_once('@') {
        Some((label, source)) => (Some(label.to_string()), source),
        None => (None, slug),
    };
    match source {
        "prompt" => Request::Prompt {
            label,
            style: PromptStyle::VaultId,
        },
        "prompt_ask_vault_pass" => Request::Prompt {
            label,
            style: PromptStyle::AskVaultPass,
        },
        file => Request::File {
            label,
            given: PathBuf::from(file),
            resolved: unfrack(Path::new(file), cwd),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_debug_is_redacted() {
        let s = VaultSecret::new("hunter2");
        assert_eq!(format!("{s:?}"), "VaultSecret(<redacted>)");
        let mut all = VaultSecrets::new();
        all.push("prod", s);
        assert!(!format!("{all:?}").contains("hunter2"));
    }

    #[test]
    fn env_config_like_ansible() {
        // python -c 'from ansible import constants as C; ...' with these variables gave
        // DEFAULT_VAULT_IDENTITY_LIST ['a@x', 'b@y', ''] and DEFAULT_VAULT_ID_MATCH 'no' (truthy).
        let vars = [
            ("ANSIBLE_VAULT_IDENTITY_LIST", "a@x, \"b@y\" ,"),
            ("ANSIBLE_VAULT_ID_MATCH", "no"),
            ("ANSIBLE_ASK_VAULT_PASS", "Yes"),
        ];
        let config = VaultConfig::from_lookup(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        });
        assert_eq!(config.identity_list, ["a@x", "b@y", ""]);
        assert!(config.id_match);
        assert!(config.ask_vault_pass);
        assert_eq!(config.identity, "default");

        let empty = VaultConfig::from_lookup(|_| Some(String::new()));
        assert_eq!(empty.identity, "");
        assert_eq!(empty.identity_list, [""]);
        assert!(!empty.id_match);
        assert_eq!(empty.password_file.as_deref(), Some(""));
    }

    #[test]
    fn request_order_and_labels() {
        let config = VaultConfig {
            identity_list: vec!["env@/e".into()],
            password_file: Some("cfg".into()),
            ask_vault_pass: true,
            ..VaultConfig::default()
        };
        let requests = build_requests(
            &config,
            &[PathBuf::from("pwfile")],
            &["a@prompt".into(), "b@x@y".into(), "plain".into()],
            Path::new("/cwd"),
        );
        let shown: Vec<String> = requests
            .iter()
            .map(|r| match r {
                Request::Prompt { label, style } => format!("prompt {label:?} {style:?}"),
                Request::File {
                    label, resolved, ..
                } => format!("file {label:?} {}", resolved.display()),
            })
            .collect();
        assert_eq!(
            shown,
            [
                "file Some(\"env\") /e",
                "prompt Some(\"a\") VaultId",
                "file Some(\"b\") /cwd/x@y",
                "file None /cwd/plain",
                "file Some(\"default\") /cwd/pwfile",
                "file Some(\"default\") /cwd/cfg",
                "prompt Some(\"default\") AskVaultPass",
            ]
        );
    }

    #[test]
    fn unquote_like_ansible() {
        assert_eq!(unquote("'a'"), "a");
        assert_eq!(unquote("\"a\""), "a");
        assert_eq!(unquote("'a\\'"), "'a\\'");
        assert_eq!(unquote("'"), "'");
        assert_eq!(unquote("'a\""), "'a\"");
    }

    #[test]
    fn nothing_given_is_no_secrets_not_an_error() {
        let s =
            VaultSecrets::from_sources(&VaultConfig::default(), &[], &[], Path::new("/")).unwrap();
        assert!(s.is_empty());
    }
}
