//! Reading one vault password from where the user pointed: a file, a script, a `-client` script or the
//! terminal (ansible.parsing.vault `get_file_vault_secret`, `FileVaultSecret`, `ScriptVaultSecret`,
//! `ClientScriptVaultSecret`, `PromptVaultSecret`).

use std::fs;
use std::io::{self, BufRead, IsTerminal, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::error::{ScriptKind, VaultError};
use super::sensitive::Sensitive;
use super::vault::{decrypt, is_vault, py_strip, py_strip_chars};
use super::vault_secrets::{VaultSecret, VaultSecrets};

/// Exit status by which a client script says it has no secret for the vault id asked about.
const CLIENT_UNKNOWN_VAULT_ID: i32 = 2;

/// A password file or script, checked to exist but not read yet (Ansible's `get_file_vault_secret`:
/// its errors are "getting" errors, the reading ones "loading" errors, and they warn differently).
#[derive(Debug)]
pub(super) enum FileSource {
    File(PathBuf),
    Script(PathBuf),
    /// A script named `*-client` or `*-client.*`, asked for a specific vault id.
    ClientScript {
        path: PathBuf,
        vault_id: Option<String>,
    },
}

impl FileSource {
    /// `filename` as given (it decides client-ness); `resolved` after `unfrack`.
    pub(super) fn locate(
        filename: &Path,
        resolved: PathBuf,
        vault_id: Option<&str>,
    ) -> Result<Self, VaultError> {
        let metadata = match fs::metadata(&resolved) {
            Ok(m) => m,
            Err(_) => return Err(VaultError::PasswordFileNotFound(resolved)),
        };
        if metadata.is_dir() {
            return Err(VaultError::PasswordFileIsDirectory(resolved));
        }
        // Ansible's is_executable: any of the three execute bits, whoever may actually run it.
        if metadata.permissions().mode() & 0o111 == 0 {
            return Ok(FileSource::File(resolved));
        }
        if script_is_client(filename) {
            Ok(FileSource::ClientScript {
                path: resolved,
                vault_id: vault_id.map(str::to_string),
            })
        } else {
            Ok(FileSource::Script(resolved))
        }
    }

    /// Read the password. `known` are the secrets found so far: a password file may itself be vaulted.
    pub(super) fn load(&self, known: &VaultSecrets) -> Result<VaultSecret, VaultError> {
        match self {
            FileSource::File(path) => read_password_file(path, known),
            FileSource::Script(path) => run_script(path, None, ScriptKind::Script),
            FileSource::ClientScript { path, vault_id } => {
                run_script(path, Some(vault_id.as_deref()), ScriptKind::ClientScript)
            }
        }
    }
}

/// `script_is_client`: the name without its extension ends in `-client`.
fn script_is_client(filename: &Path) -> bool {
    let text = filename.to_string_lossy();
    let stem = split_extension(&text);
    stem.ends_with("-client")
}

/// `os.path.splitext(p)[0]`: the extension starts at the last dot of the last component, unless that
/// component is only dots up to there (`.bashrc` has no extension).
fn split_extension(path: &str) -> &str {
    let name_start = path.rfind('/').map_or(0, |i| i + 1);
    let Some(dot) = path.rfind('.') else {
        return path;
    };
    if dot <= name_start {
        return path;
    }
    let before_dot = path.get(name_start..dot).unwrap_or("");
    if before_dot.chars().all(|c| c == '.') {
        return path;
    }
    path.get(..dot).unwrap_or(path)
}

fn read_password_file(path: &Path, known: &VaultSecrets) -> Result<VaultSecret, VaultError> {
    let content =
        Sensitive::new(
            fs::read(path).map_err(|source| VaultError::PasswordFileRead {
                path: path.to_path_buf(),
                source,
            })?,
        );
    // Ansible strips all surrounding ASCII whitespace from a file (but only CR/LF from a script's output).
    let stripped = Sensitive::new(py_strip(content.expose()).to_vec());
    let password = match std::str::from_utf8(stripped.expose()) {
        Ok(text) if is_vault(text) => {
            if known.is_empty() {
                return Err(VaultError::NoPasswordToDecrypt);
            }
            decrypt(text, known)?
        }
        _ => stripped,
    };
    let password = Sensitive::new(strip_cr_lf(password.expose()).to_vec());
    if password.expose().is_empty() {
        return Err(VaultError::EmptyPasswordFromFile(path.to_path_buf()));
    }
    Ok(VaultSecret::from_sensitive(password))
}

/// Run a password script; `client` is `Some(vault id)` for a client script. A plain script's stderr goes
/// to ours (so it can prompt); a client script's is captured for the error message.
fn run_script(
    path: &Path,
    client: Option<Option<&str>>,
    kind: ScriptKind,
) -> Result<VaultSecret, VaultError> {
    let mut command = Command::new(path);
    command.stdout(Stdio::piped());
    if let Some(vault_id) = client {
        command.stderr(Stdio::piped());
        // An empty or missing label means no arguments at all, as in Ansible.
        if let Some(id) = vault_id.filter(|id| !id.is_empty()) {
            command.args(["--vault-id", id]);
        }
    }
    let output = command.output().map_err(|source| VaultError::ScriptSpawn {
        kind,
        path: path.to_path_buf(),
        source,
    })?;
    let stdout = Sensitive::new(output.stdout);
    let code = exit_code(&output.status);
    if let Some(vault_id) = client {
        let vault_id = vault_id.unwrap_or("None").to_string();
        let stderr = String::from_utf8_lossy(&output.stderr)
            .trim_end()
            .to_string();
        if code == CLIENT_UNKNOWN_VAULT_ID {
            return Err(VaultError::ClientScriptUnknownId {
                path: path.to_path_buf(),
                vault_id,
                stderr,
            });
        }
        if code != 0 {
            return Err(VaultError::ClientScriptFailed {
                path: path.to_path_buf(),
                code,
                vault_id,
                stderr,
            });
        }
    } else if code != 0 {
        return Err(VaultError::ScriptFailed {
            path: path.to_path_buf(),
            code,
        });
    }
    let password = Sensitive::new(strip_cr_lf(stdout.expose()).to_vec());
    if password.expose().is_empty() {
        return Err(VaultError::EmptyPasswordFromScript(path.to_path_buf()));
    }
    Ok(VaultSecret::from_sensitive(password))
}

/// Python's `returncode`: the exit status, or minus the signal that killed the process.
fn exit_code(status: &std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .or_else(|| status.signal().map(|s| -s))
        .unwrap_or(-1)
}

/// `bytes.strip(b'\r\n')`: CR and LF off both ends, nothing else.
fn strip_cr_lf(data: &[u8]) -> &[u8] {
    py_strip_chars(data, b"\r\n")
}

/// Which prompt Ansible shows: `--vault-id x@prompt` names the vault id, `--ask-vault-pass` does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PromptStyle {
    VaultId,
    AskVaultPass,
}

/// Ask for a password on the terminal, without echo. Refuses when stdin is not a terminal, where Ansible
/// would read an echoed line from a pipe.
pub(super) fn prompt_password(
    vault_id: &str,
    style: PromptStyle,
) -> Result<VaultSecret, VaultError> {
    if !io::stdin().is_terminal() {
        return Err(VaultError::PromptNotATerminal {
            vault_id: vault_id.to_string(),
        });
    }
    let prompt = match style {
        PromptStyle::VaultId => format!("Vault password ({vault_id}): "),
        PromptStyle::AskVaultPass => "Vault password: ".to_string(),
    };
    let line = read_without_echo(&prompt)?.ok_or_else(|| VaultError::PromptEof {
        vault_id: vault_id.to_string(),
    })?;
    // Ansible checks emptiness before stripping whitespace, so "  " is accepted as an empty password.
    let line = line.map(|l| l.trim_end_matches(['\n', '\r']).to_string());
    if line.expose().is_empty() {
        return Err(VaultError::EmptyPasswordFromPrompt);
    }
    Ok(VaultSecret::from_sensitive(
        line.map(|l| py_strip(l.as_bytes()).to_vec()),
    ))
}

/// Prompt on stderr and read one line with terminal echo off (via `stty`, which works on the terminal
/// it inherits as stdin; this avoids `unsafe` termios calls). `None` on end of input.
fn read_without_echo(prompt: &str) -> Result<Option<Sensitive<String>>, VaultError> {
    let mut stderr = io::stderr();
    stderr
        .write_all(prompt.as_bytes())
        .and_then(|()| stderr.flush())
        .map_err(VaultError::PromptIo)?;
    let _echo = EchoOff::new()?;
    let mut line = Sensitive::new(String::new());
    let read = io::stdin()
        .lock()
        .read_line(line.expose_mut())
        .map_err(VaultError::PromptIo)?;
    // The user's Enter was not echoed; end the prompt line ourselves.
    let _ = stderr.write_all(b"\n");
    Ok((read > 0).then_some(line))
}

/// Terminal echo switched off for as long as this lives; the saved settings are restored on drop.
struct EchoOff {
    saved: String,
}

impl EchoOff {
    fn new() -> Result<Self, VaultError> {
        let saved = stty(&["-g"])?;
        stty(&["-echo"])?;
        Ok(Self {
            saved: saved.trim().to_string(),
        })
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        // Nothing useful to do if restoring fails; the user can run `stty sane`.
        let _ = stty(&[self.saved.as_str()]).or_else(|_| stty(&["echo"]));
    }
}

fn stty(args: &[&str]) -> Result<String, VaultError> {
    let output = Command::new("stty")
        .args(args)
        .stdin(Stdio::inherit())
        .stderr(Stdio::null())
        .output()
        .map_err(VaultError::PromptIo)?;
    if !output.status.success() {
        return Err(VaultError::PromptIo(io::Error::other(
            "could not switch off terminal echo with stty",
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_detection_matches_python_splitext() {
        // os.path.splitext results checked with python3 for each of these.
        for (name, client) in [
            ("a-client", true),
            ("a-client.sh", true),
            ("/x/.b-client", true),
            ("/x/y-client.tar.gz", false),
            ("/x.y/z-client", true),
            ("dir/a-client.", true),
            ("a-clients.sh", false),
            ("client", false),
        ] {
            assert_eq!(script_is_client(Path::new(name)), client, "{name}");
        }
    }

    #[test]
    fn cr_lf_strip_only() {
        assert_eq!(strip_cr_lf(b"\r\n pw \r\n\n"), b" pw ");
        assert_eq!(strip_cr_lf(b"\n\r"), b"");
    }

    #[test]
    fn prompt_refused_without_terminal() {
        // cargo test never gives the test binary a terminal on stdin... unless run by hand in one.
        if io::stdin().is_terminal() {
            return;
        }
        let err = prompt_password("prod", PromptStyle::VaultId).unwrap_err();
        assert!(matches!(err, VaultError::PromptNotATerminal { .. }));
        assert!(err.to_string().contains("--vault-id prod@FILE"), "{err}");
    }
}
