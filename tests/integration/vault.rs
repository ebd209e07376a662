//! Vault support checked against ciphertexts made by the real ansible-vault (ansible-core 2.19.14), see
//! scripts/regen-vault-fixtures.sh, and against password sources built the way Ansible's CLI builds them.

// Test helpers outside #[test] functions unwrap too; a failed fixture read should just fail the test.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use plimsoll::secrets::{
    VaultConfig, VaultError, VaultSecret, VaultSecrets, decrypt, decrypt_and_get_vault_id, encrypt,
    is_vault,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/vault")
        .join(name)
}

fn read(name: &str) -> String {
    fs::read_to_string(fixture(name)).unwrap()
}

fn read_bytes(name: &str) -> Vec<u8> {
    fs::read(fixture(name)).unwrap()
}

/// The ciphertext of an `encrypt_string` output (`name: !vault |` and an indented block), as YAML gives it.
fn inline_vault(yaml: &str) -> String {
    let mut lines = yaml.lines();
    let first = lines.next().unwrap();
    assert!(first.ends_with("!vault |"), "{first}");
    lines.map(|l| format!("{}\n", l.trim_start())).collect()
}

/// Secrets from the fixture password files, with the labels ansible-vault used.
fn fixture_secrets() -> VaultSecrets {
    no_env_sources(
        &[fixture("default.pass")],
        &[format!("prod@{}", fixture("prod.pass").display())],
    )
    .unwrap()
}

/// `from_cli` without the test runner's environment leaking in.
fn no_env_sources(files: &[PathBuf], ids: &[String]) -> Result<VaultSecrets, VaultError> {
    VaultSecrets::from_sources(&VaultConfig::default(), files, ids, Path::new("/"))
}

#[test]
fn decrypts_ansible_vault_files() {
    let secrets = fixture_secrets();
    let plaintext = read_bytes("plaintext.yml");

    let v11 = read("v11-file.vault");
    assert!(is_vault(&v11));
    assert!(v11.starts_with("$ANSIBLE_VAULT;1.1;AES256\n"));
    let d = decrypt_and_get_vault_id(&v11, &secrets).unwrap();
    assert_eq!(d.plaintext.expose(), &plaintext);
    assert_eq!(d.vault_id, "default");

    let v12 = read("v12-prod-file.vault");
    assert!(v12.starts_with("$ANSIBLE_VAULT;1.2;AES256;prod\n"));
    let d = decrypt_and_get_vault_id(&v12, &secrets).unwrap();
    assert_eq!(d.plaintext.expose(), &plaintext);
    assert_eq!(d.vault_id, "prod");
}

#[test]
fn decrypts_ansible_encrypt_string() {
    let secrets = fixture_secrets();
    let v11 = inline_vault(&read("v11-string.yml"));
    assert_eq!(
        decrypt(&v11, &secrets).unwrap().expose(),
        "hunter2 ünïcode".as_bytes()
    );
    let v12 = inline_vault(&read("v12-prod-string.yml"));
    assert_eq!(decrypt(&v12, &secrets).unwrap().expose(), b"prod value");
}

#[test]
fn non_utf8_plaintext_comes_back_as_bytes() {
    let secrets = fixture_secrets();
    let binary = read_bytes("binary.bin");
    assert!(std::str::from_utf8(&binary).is_err());
    assert_eq!(
        decrypt(&read("v11-binary.vault"), &secrets)
            .unwrap()
            .expose(),
        &binary
    );
}

#[test]
fn encrypt_with_fixed_salt_is_byte_identical_to_ansible() {
    // ansible-vault run with ANSIBLE_VAULT_ENCRYPT_SALT=plimsoll-fixed-salt.
    let salt = b"plimsoll-fixed-salt";
    let prod = VaultSecret::new("prod-secret");
    let ours = encrypt(
        &read_bytes("plaintext.yml"),
        &prod,
        Some("prod"),
        Some(salt),
    )
    .unwrap();
    assert_eq!(ours, read("v12-prod-fixed-salt.vault"));

    let default = VaultSecret::new("plimsoll fixture password");
    let ours = encrypt(&read_bytes("binary.bin"), &default, None, Some(salt)).unwrap();
    assert_eq!(ours, read("v11-binary-fixed-salt.vault"));
}

#[test]
fn our_encrypt_round_trips() {
    let secrets = fixture_secrets();
    let (label, secret) = secrets.for_encryption(Some("prod")).unwrap();
    let text = encrypt(b"round trip", secret, Some(label), None).unwrap();
    assert!(text.starts_with("$ANSIBLE_VAULT;1.2;AES256;prod\n"));
    assert_eq!(decrypt(&text, &secrets).unwrap().expose(), b"round trip");
}

#[test]
fn wrong_password_is_refused_with_ansible_message() {
    let mut wrong = VaultSecrets::new();
    wrong.push("prod", VaultSecret::new("not-the-password"));
    let err = decrypt(&read("v12-prod-file.vault"), &wrong).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Decryption failed (no vault secrets were found that could decrypt)."
    );
    let help = err.help().unwrap();
    assert!(help.contains("'prod'"), "{help}");
    assert!(!format!("{err:?} {help}").contains("not-the-password"));
}

#[test]
fn vault_id_match_restricts_candidates() {
    // ANSIBLE_VAULT_ID_MATCH=1 ansible-vault view --vault-id other@prod.pass v12-prod-file.vault fails;
    // without it, the same command decrypts.
    let other = format!("other@{}", fixture("prod.pass").display());
    let mut secrets = no_env_sources(&[], &[other]).unwrap();
    assert!(decrypt(&read("v12-prod-file.vault"), &secrets).is_ok());
    secrets.set_id_match(true);
    assert!(matches!(
        decrypt(&read("v12-prod-file.vault"), &secrets),
        Err(VaultError::DecryptionFailed { .. })
    ));
}

// Writing an executable and running it while another test thread forks can fail with ETXTBSY (the fork
// inherits the still-open write descriptor); tests that run scripts take this lock.
static SCRIPTS: Mutex<()> = Mutex::new(());

fn write_script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn password_script_output_is_used() {
    let _lock = SCRIPTS.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    // Ansible strips only CR/LF from a script's output.
    let script = write_script(
        dir.path(),
        "pass.sh",
        r"printf 'plimsoll fixture password\r\n\n'",
    );
    let secrets = no_env_sources(&[script], &[]).unwrap();
    assert_eq!(secrets.labels().collect::<Vec<_>>(), ["default"]);
    assert!(decrypt(&read("v11-file.vault"), &secrets).is_ok());

    let spaced = write_script(
        dir.path(),
        "spaced.sh",
        "echo '  plimsoll fixture password'",
    );
    let secrets = no_env_sources(&[spaced], &[]).unwrap();
    assert!(decrypt(&read("v11-file.vault"), &secrets).is_err());

    let failing = write_script(dir.path(), "fail.sh", "exit 3");
    let err = no_env_sources(std::slice::from_ref(&failing), &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "Vault password script {} returned non-zero (3)",
            failing.display()
        )
    );

    let empty = write_script(dir.path(), "empty.sh", "echo");
    let err = no_env_sources(std::slice::from_ref(&empty), &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "Invalid vault password was provided from script ({})",
            empty.display()
        )
    );
}

#[test]
fn client_script_gets_the_vault_id() {
    let _lock = SCRIPTS.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("args.log");
    let client = write_script(
        dir.path(),
        "vault-pass-client.sh",
        &format!(
            r#"echo "[$*]" >> '{}'
case "$2" in
  prod) echo prod-secret ;;
  default) echo 'plimsoll fixture password' ;;
  "") echo 'plimsoll fixture password' ;;
  *) echo "no secret for $2" >&2; exit 2 ;;
esac"#,
            log.display()
        ),
    );
    let c = client.display();
    let secrets = no_env_sources(
        std::slice::from_ref(&client),
        &[format!("prod@{c}"), format!("{c}")],
    )
    .unwrap();
    // --vault-id order first, then password files; an unlabelled --vault-id is labelled "default" but the
    // script is called without arguments, exactly as ansible-vault did.
    assert_eq!(
        secrets.labels().collect::<Vec<_>>(),
        ["prod", "default", "default"]
    );
    assert_eq!(
        fs::read_to_string(&log).unwrap(),
        "[--vault-id prod]\n[]\n[--vault-id default]\n"
    );
    assert!(decrypt(&read("v12-prod-file.vault"), &secrets).is_ok());
    assert!(decrypt(&read("v11-file.vault"), &secrets).is_ok());

    let err = no_env_sources(&[], &[format!("staging@{c}")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "Vault password client script {c} did not find a secret for vault-id=staging: no secret for staging"
        )
    );
}

#[test]
fn password_files_strip_whitespace_and_may_be_vaulted() {
    let dir = tempfile::tempdir().unwrap();
    // ansible-vault view --vault-password-file (containing "  hunter2  \n\n") works: files are fully stripped.
    let spaced = dir.path().join("spaced");
    fs::write(&spaced, "  plimsoll fixture password \t\n\n").unwrap();
    let secrets = no_env_sources(&[spaced], &[]).unwrap();
    assert!(decrypt(&read("v11-file.vault"), &secrets).is_ok());

    let blank = dir.path().join("blank");
    fs::write(&blank, " \n\n").unwrap();
    let err = no_env_sources(std::slice::from_ref(&blank), &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "Invalid vault password was provided from file ({})",
            blank.display()
        )
    );

    // A password file vaulted with an earlier secret is decrypted with it (checked with ansible-vault:
    // --vault-id a@pw --vault-id b@pwB.vault works, the reverse order warns and fails).
    let first = VaultSecret::new("plimsoll fixture password");
    let vaulted = dir.path().join("prod.pass.vault");
    fs::write(
        &vaulted,
        encrypt(b"prod-secret\n", &first, None, None).unwrap(),
    )
    .unwrap();
    let ids = [
        format!("a@{}", fixture("default.pass").display()),
        format!("b@{}", vaulted.display()),
    ];
    let secrets = no_env_sources(&[], &ids).unwrap();
    assert_eq!(
        decrypt_and_get_vault_id(&read("v12-prod-file.vault"), &secrets)
            .unwrap()
            .vault_id,
        "b"
    );

    let reversed = [ids[1].clone(), ids[0].clone()];
    let secrets = no_env_sources(&[], &reversed).unwrap();
    assert_eq!(secrets.labels().collect::<Vec<_>>(), ["a"]);
    assert_eq!(
        secrets.warnings()[0].message,
        "Error in vault password file loading (b): A vault password must be specified to decrypt data."
    );
}

#[test]
fn missing_sources_warn_unless_nothing_works() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let good = fixture("default.pass");
    let ids = [
        format!("a@{}", missing.display()),
        format!("{}", good.display()),
    ];
    let secrets = no_env_sources(&[], &ids).unwrap();
    assert_eq!(secrets.labels().collect::<Vec<_>>(), ["default"]);
    assert_eq!(
        secrets.warnings()[0].message,
        format!(
            "Error getting vault password file (a): The vault password file {} was not found",
            missing.display()
        )
    );

    let err = no_env_sources(&[], &[format!("a@{}", missing.display())]).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "The vault password file {} was not found",
            missing.display()
        )
    );
    let err = no_env_sources(&[dir.path().to_path_buf()], &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "The vault password file provided '{}' can not be a directory",
            dir.path().display()
        )
    );
}

#[test]
fn config_identity_and_password_file() {
    // ANSIBLE_VAULT_IDENTITY relabels unlabelled secrets; ANSIBLE_VAULT_PASSWORD_FILE comes after the CLI's.
    let config = VaultConfig {
        identity: "site".into(),
        password_file: Some(fixture("default.pass").display().to_string()),
        identity_list: vec![format!("prod@{}", fixture("prod.pass").display())],
        ..VaultConfig::default()
    };
    let secrets = VaultSecrets::from_sources(&config, &[], &[], Path::new("/")).unwrap();
    assert_eq!(secrets.labels().collect::<Vec<_>>(), ["prod", "site"]);
    assert_eq!(secrets.default_identity(), "site");
    assert!(decrypt(&read("v11-file.vault"), &secrets).is_ok());
}
