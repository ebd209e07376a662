//! Secrets: Ansible Vault ciphertext, the passwords that open it, and a wrapper that keeps secret values
//! out of logs and errors.

mod error;
mod password_source;
mod sensitive;
mod unfrack;
mod vault;
mod vault_secrets;

pub use error::{ScriptKind, VaultError};
pub use sensitive::{Sensitive, Wipe};
pub use vault::{Decrypted, decrypt, decrypt_and_get_vault_id, encrypt, is_vault};
pub use vault_secrets::{DEFAULT_VAULT_IDENTITY, VaultConfig, VaultSecret, VaultSecrets};
