//! Everything that can go wrong with vaults and their passwords.
//!
//! Messages use Ansible's wording (checked against ansible-core 2.19.14, including the `: cause` suffix its
//! error display adds) so users can search for them. No variant holds a password or a plaintext.

use std::io;
use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum VaultError {
    // --- The vault text itself -------------------------------------------------------------------------
    #[error("Input is not vault encrypted data.")]
    NotVault,

    /// The header line is not `$ANSIBLE_VAULT;version;cipher[;vault-id]`.
    #[error("Vault envelope format error: {detail}")]
    Envelope { detail: &'static str },

    /// The hex payload does not hold `salt\nhmac\nciphertext`.
    #[error("Vault vaulttext format error: {detail}")]
    Vaulttext { detail: String },

    #[error("Vault format unhexlify error: {detail}")]
    Unhexlify { detail: &'static str },

    #[error("Cipher '{0}' could not be found.")]
    UnknownCipher(String),

    /// Raised by the cipher after the HMAC matched, so only a forged or corrupted-then-re-signed payload
    /// gets here. Ansible lets the `cryptography` library's ValueError escape with this text.
    #[error("Invalid padding bytes.")]
    InvalidPadding,

    // --- Decrypting ------------------------------------------------------------------------------------
    #[error("Attempting to decrypt but no vault secrets found.")]
    NoSecrets,

    /// Ansible's message for a vaulted password file read before any secret is known.
    #[error("A vault password must be specified to decrypt data.")]
    NoPasswordToDecrypt,

    /// Every candidate secret failed the HMAC check. `vault_id` is the label the vault names (or the default
    /// identity for 1.1 vaults); `tried` are the labels of the secrets that were tried.
    #[error("Decryption failed (no vault secrets were found that could decrypt).")]
    DecryptionFailed {
        vault_id: String,
        tried: Vec<String>,
    },

    // --- Encrypting ------------------------------------------------------------------------------------
    #[error("input is already encrypted")]
    AlreadyEncrypted,

    #[error("Empty or invalid salt passed to encrypt()")]
    EmptySalt,

    #[error(
        "vault id {0:?} cannot be written into a vault header (it contains ';' or a line break)"
    )]
    InvalidVaultId(String),

    #[error("could not get random bytes for the vault salt: {0}")]
    Random(String),

    // --- Where passwords come from ---------------------------------------------------------------------
    #[error("The vault password file {} was not found", .0.display())]
    PasswordFileNotFound(PathBuf),

    #[error("The vault password file provided '{}' can not be a directory", .0.display())]
    PasswordFileIsDirectory(PathBuf),

    #[error("Could not read vault password file '{}'.: {source}", path.display())]
    PasswordFileRead { path: PathBuf, source: io::Error },

    #[error("Invalid vault password was provided from file ({})", .0.display())]
    EmptyPasswordFromFile(PathBuf),

    #[error("Invalid vault password was provided from script ({})", .0.display())]
    EmptyPasswordFromScript(PathBuf),

    #[error("Invalid vault password was provided")]
    EmptyPasswordFromPrompt,

    #[error(
        "Problem running vault password {kind} {} ({source}). If this is not a script, remove the executable bit from the file.",
        path.display()
    )]
    ScriptSpawn {
        kind: ScriptKind,
        path: PathBuf,
        source: io::Error,
    },

    /// Ansible appends `: None` here (a plain script's stderr is not captured); that artefact is dropped.
    #[error("Vault password script {} returned non-zero ({code})", path.display())]
    ScriptFailed { path: PathBuf, code: i32 },

    /// A `-client` script exits 2 when it has no secret for the vault id it was asked about.
    #[error(
        "Vault password client script {} did not find a secret for vault-id={vault_id}: {stderr}",
        path.display()
    )]
    ClientScriptUnknownId {
        path: PathBuf,
        vault_id: String,
        stderr: String,
    },

    #[error(
        "Vault password client script {} returned non-zero ({code}) when getting secret for vault-id={vault_id}: {stderr}",
        path.display()
    )]
    ClientScriptFailed {
        path: PathBuf,
        code: i32,
        vault_id: String,
        stderr: String,
    },

    /// Ansible falls back to reading an echoed password from stdin; plimsoll refuses instead.
    #[error(
        "cannot prompt for the vault password for vault id '{vault_id}': standard input is not a terminal; \
         give the password with --vault-password-file FILE or --vault-id {vault_id}@FILE"
    )]
    PromptNotATerminal { vault_id: String },

    #[error("EOFError (ctrl-d) on prompt for ({vault_id})")]
    PromptEof { vault_id: String },

    #[error("could not read the vault password from the terminal: {0}")]
    PromptIo(io::Error),
}

/// Which of Ansible's two script flavours a message is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScriptKind {
    Script,
    ClientScript,
}

impl std::fmt::Display for ScriptKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ScriptKind::Script => "script",
            ScriptKind::ClientScript => "client script",
        })
    }
}

impl VaultError {
    /// Advice beyond Ansible's message, for a diagnostic's help line. Never contains secrets.
    pub fn help(&self) -> Option<String> {
        match self {
            VaultError::DecryptionFailed { vault_id, tried } if tried.is_empty() => Some(format!(
                "the vault is for vault id '{vault_id}' and no secret with that label was given \
                 (vault id matching is on)"
            )),
            VaultError::DecryptionFailed { vault_id, tried } => Some(format!(
                "the vault is for vault id '{vault_id}'; tried the secrets labelled {}",
                tried
                    .iter()
                    .map(|t| format!("'{t}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            VaultError::NoSecrets => Some(
                "give a password with --vault-password-file FILE or --vault-id [LABEL@]FILE"
                    .to_string(),
            ),
            _ => None,
        }
    }
}
