//! How to reach one inventory host, read from its variables as Ansible's `ssh` and `local` connection
//! plugins read them (ansible-core 2.19: `plugins/connection/ssh.py` option `vars:` lists; when several
//! aliases are set, the one listed last wins, so `ansible_ssh_host` beats `ansible_host` — checked with
//! `ansible -vvvv`).

use std::time::Duration;

use super::error::TransportError;
use super::ssh_args::{self, parse_ssh_args, quote_value};
use crate::value::{Map, Value};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionSpec {
    /// The inventory host name; every message about the connection names it.
    pub host: String,
    pub kind: ConnectionKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectionKind {
    Ssh(SshSpec),
    /// `ansible_connection=local`: commands run on this machine.
    Local,
}

/// What ssh does with a host key it has not recorded (ssh's `StrictHostKeyChecking`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostKeyPolicy {
    /// Refuse unknown and changed keys (`yes`; also `ask`, since nobody can answer).
    Strict,
    /// Record unknown keys, refuse changed ones (`accept-new`).
    AcceptNew,
    /// Accept anything (`no`/`off`, or Ansible's `host_key_checking: false`). Only when the user says so.
    Off,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SshSpec {
    /// Where ssh connects: `ansible_host`, else the inventory name.
    pub address: String,
    /// The port and user ssh will use when they come from the variables or the ssh arguments (`None`:
    /// ssh's own configuration decides). For messages; ssh gets them through `config_lines`.
    pub port: Option<u16>,
    pub user: Option<String>,
    /// `None`: the run's default (strict unless the CLI says otherwise).
    pub host_key_policy: Option<HostKeyPolicy>,
    /// `None`: the run's default.
    pub connect_timeout: Option<Duration>,
    pub server_alive_interval: Option<Duration>,
    /// A `UserKnownHostsFile` the user set, for the hints in host key errors.
    pub known_hosts_file: Option<String>,
    /// ssh_config lines in the order Ansible puts the matching options on ssh's command line; ssh
    /// keeps the first value of each option, so the order matters.
    pub config_lines: Vec<String>,
    /// `-F FILE` from the ssh arguments: read instead of `~/.ssh/config` and `/etc/ssh/ssh_config`.
    pub user_config_file: Option<String>,
}

impl ConnectionSpec {
    /// Reads the connection variables of `host` from its resolved variables.
    pub fn from_vars(host: &str, vars: &Map) -> Result<ConnectionSpec, TransportError> {
        let reader = VarReader { host, vars };
        let connection = reader.string(&["ansible_connection"])?;
        let plugin = connection
            .as_deref()
            .map(|c| {
                c.strip_prefix("ansible.builtin.")
                    .or_else(|| c.strip_prefix("ansible.legacy."))
                    .unwrap_or(c)
            })
            .unwrap_or("ssh");
        let kind = match plugin {
            "ssh" | "smart" => ConnectionKind::Ssh(reader.ssh_spec()?),
            "local" => ConnectionKind::Local,
            other => {
                return Err(reader.invalid(format!(
                    "ansible_connection={other:?} is not supported; plimsoll connects with \
                     ssh (also `smart`) or local"
                )));
            }
        };
        Ok(ConnectionSpec {
            host: host.to_string(),
            kind,
        })
    }
}

struct VarReader<'a> {
    host: &'a str,
    vars: &'a Map,
}

impl VarReader<'_> {
    fn invalid(&self, message: String) -> TransportError {
        TransportError::InvalidSpec {
            host: self.host.to_string(),
            message,
        }
    }

    /// The value of the last of `names` that is set and not null, with the name it came from.
    fn last_set<'v>(&'v self, names: &[&'static str]) -> Option<(&'static str, &'v Value)> {
        names.iter().rev().find_map(|n| match self.vars.get(*n) {
            None | Some(Value::Null) => None,
            Some(v) => Some((*n, v)),
        })
    }

    fn string(&self, names: &[&'static str]) -> Result<Option<String>, TransportError> {
        let Some((name, value)) = self.last_set(names) else {
            return Ok(None);
        };
        match value {
            Value::Str(s) => {
                if s.contains("{{") || s.contains("{%") {
                    return Err(self.invalid(format!(
                        "{name} is still a template ({s:?}); connection variables must be resolved \
                         before connecting"
                    )));
                }
                Ok(Some(s.clone()))
            }
            // `!unsafe` text is never templated, so braces in it are literal.
            Value::Unsafe(s) => Ok(Some(s.clone())),
            Value::Int(i) => Ok(Some(i.to_string())),
            Value::Vault(_) => Err(self.invalid(format!(
                "{name} is vault-encrypted; it must be decrypted before connecting"
            ))),
            other => Err(self.invalid(format!(
                "{name} must be a string, got a {}",
                other.type_name()
            ))),
        }
    }

    fn int(&self, names: &[&'static str]) -> Result<Option<(&'static str, i128)>, TransportError> {
        let Some((name, value)) = self.last_set(names) else {
            return Ok(None);
        };
        let parsed = match value {
            Value::Int(i) => Some(*i),
            Value::Str(_) | Value::Unsafe(_) => self
                .string(&[name])?
                .and_then(|s| s.trim().parse::<i128>().ok()),
            _ => None,
        };
        parsed
            .map(|i| Some((name, i)))
            .ok_or_else(|| self.invalid(format!("{name} must be an integer")))
    }

    /// Ansible's boolean words; anything else is refused (Ansible would read it as false, which here
    /// could silently turn host key checking off).
    fn boolean(&self, names: &[&'static str]) -> Result<Option<bool>, TransportError> {
        let Some((name, value)) = self.last_set(names) else {
            return Ok(None);
        };
        let word = match value {
            Value::Bool(b) => return Ok(Some(*b)),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Str(_) | Value::Unsafe(_) => self.string(&[name])?.unwrap_or_default(),
            other => other.type_name().to_string(),
        };
        match word.trim().to_lowercase().as_str() {
            "y" | "yes" | "on" | "1" | "true" | "t" => Ok(Some(true)),
            "n" | "no" | "off" | "0" | "false" | "f" => Ok(Some(false)),
            _ => Err(self.invalid(format!("{name} must be a boolean, got {word:?}"))),
        }
    }

    fn refuse_set(&self, names: &[&'static str], why: &str) -> Result<(), TransportError> {
        match self.last_set(names) {
            Some((_, Value::Str(s))) if s.is_empty() => Ok(()),
            Some((name, _)) => Err(self.invalid(format!("{name} is set: {why}"))),
            None => Ok(()),
        }
    }

    fn ssh_spec(&self) -> Result<SshSpec, TransportError> {
        self.refuse_set(
            &[
                "ansible_password",
                "ansible_ssh_pass",
                "ansible_ssh_password",
            ],
            "password authentication is not supported; use an SSH key \
             (ansible_ssh_private_key_file) or ssh-agent",
        )?;
        self.refuse_set(
            &["ansible_private_key", "ansible_ssh_private_key"],
            "private key contents are not supported; point ansible_ssh_private_key_file at the \
             key file or load the key into ssh-agent",
        )?;
        let address = self
            .string(&["ansible_host", "ansible_ssh_host"])?
            .unwrap_or_else(|| self.host.to_string());
        // ssh would read an address starting with `-` as an option (`-oProxyCommand=...`).
        if address.is_empty()
            || address.starts_with('-')
            || address.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(self.invalid(format!(
                "{address:?} is not a host name or address ssh can connect to"
            )));
        }

        let mut lines = Vec::new();
        let mut user_config_file = None;
        let mut add_args = |var: &'static str, lines: &mut Vec<String>| {
            let Some(text) = self.string(&[var])? else {
                return Ok(());
            };
            let parsed = parse_ssh_args(var, &text).map_err(|m| self.invalid(m))?;
            lines.extend(parsed.lines);
            if parsed.config_file.is_some() {
                user_config_file = parsed.config_file;
            }
            Ok::<(), TransportError>(())
        };
        add_args("ansible_ssh_args", &mut lines)?;
        if self.boolean(&["ansible_host_key_checking", "ansible_ssh_host_key_checking"])?
            == Some(false)
        {
            lines.push("StrictHostKeyChecking no".into());
        }
        if let Some((name, port)) = self.int(&["ansible_port", "ansible_ssh_port"])? {
            let port = u16::try_from(port)
                .map_err(|_| self.invalid(format!("{name}={port} is not a TCP port")))?;
            lines.push(format!("Port {port}"));
        }
        if let Some(key) =
            self.string(&["ansible_private_key_file", "ansible_ssh_private_key_file"])?
        {
            // Ansible expands `~` itself (os.path.expanduser); ssh expands %-tokens in it.
            let key = expand_home(&key).replace('%', "%%");
            let quoted =
                quote_value("ansible_ssh_private_key_file", &key).map_err(|m| self.invalid(m))?;
            lines.push(format!("IdentityFile {quoted}"));
        }
        if let Some(user) = self.string(&["ansible_user", "ansible_ssh_user"])? {
            let quoted = quote_value("ansible_user", &user).map_err(|m| self.invalid(m))?;
            lines.push(format!("User {quoted}"));
        }
        if let Some((_, secs)) = self.int(&["ansible_ssh_timeout"])? {
            lines.push(format!("ConnectTimeout {secs}"));
        }
        add_args("ansible_ssh_common_args", &mut lines)?;
        add_args("ansible_ssh_extra_args", &mut lines)?;

        let mut spec = SshSpec {
            address,
            port: None,
            user: None,
            host_key_policy: None,
            connect_timeout: None,
            server_alive_interval: None,
            known_hosts_file: None,
            config_lines: Vec::new(),
            user_config_file,
        };
        for line in lines {
            if self.take_builder_option(&mut spec, &line)? {
                continue;
            }
            let value = ssh_args::value(&line).to_string();
            match ssh_args::keyword(&line).to_ascii_lowercase().as_str() {
                "port" if spec.port.is_none() => {
                    spec.port = Some(value.parse().map_err(|_| {
                        self.invalid(format!("ssh option {line:?}: not a TCP port"))
                    })?);
                }
                "user" if spec.user.is_none() => spec.user = Some(value),
                "userknownhostsfile" if spec.known_hosts_file.is_none() => {
                    // Only the first of several files is named in hints; ssh uses them all.
                    spec.known_hosts_file = value.split_whitespace().next().map(str::to_string);
                }
                _ => {}
            }
            spec.config_lines.push(line);
        }
        Ok(spec)
    }

    /// Options openssh's SessionBuilder always puts on ssh's command line (where they would beat the
    /// config file): their first value goes to the builder instead. Returns true if `line` was one.
    fn take_builder_option(&self, spec: &mut SshSpec, line: &str) -> Result<bool, TransportError> {
        let value = ssh_args::value(line);
        match ssh_args::keyword(line).to_ascii_lowercase().as_str() {
            "stricthostkeychecking" => {
                let policy = match value.to_ascii_lowercase().as_str() {
                    "yes" | "ask" => HostKeyPolicy::Strict,
                    "accept-new" => HostKeyPolicy::AcceptNew,
                    "no" | "off" => HostKeyPolicy::Off,
                    _ => {
                        return Err(self.invalid(format!(
                            "ssh option {line:?}: StrictHostKeyChecking must be yes, accept-new or no"
                        )));
                    }
                };
                spec.host_key_policy.get_or_insert(policy);
            }
            "connecttimeout" => {
                let secs = self.seconds(line, value)?;
                spec.connect_timeout.get_or_insert(secs);
            }
            "serveraliveinterval" => {
                let secs = self.seconds(line, value)?;
                spec.server_alive_interval.get_or_insert(secs);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn seconds(&self, line: &str, value: &str) -> Result<Duration, TransportError> {
        value
            .parse::<u64>()
            .ok()
            .filter(|s| *s > 0)
            .map(Duration::from_secs)
            .ok_or_else(|| {
                self.invalid(format!(
                    "ssh option {line:?}: expected a positive number of seconds"
                ))
            })
    }
}

fn expand_home(path: &str) -> String {
    match (path.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{}/{rest}", home.trim_end_matches('/')),
        _ if path == "~" => std::env::var("HOME").unwrap_or_else(|_| path.to_string()),
        _ => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, Value)]) -> Map {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn ssh(host: &str, pairs: &[(&str, Value)]) -> SshSpec {
        match ConnectionSpec::from_vars(host, &vars(pairs)).map(|s| s.kind) {
            Ok(ConnectionKind::Ssh(spec)) => spec,
            other => panic!("expected an ssh spec, got {other:?}"),
        }
    }

    fn error(pairs: &[(&str, Value)]) -> String {
        match ConnectionSpec::from_vars("web1", &vars(pairs)) {
            Err(e) => e.to_string(),
            Ok(spec) => panic!("expected an error, got {spec:?}"),
        }
    }

    #[test]
    fn defaults_to_ssh_to_the_inventory_name() {
        let spec = ssh("web1", &[]);
        assert_eq!(spec.address, "web1");
        assert_eq!(spec.config_lines, Vec::<String>::new());
        assert_eq!(spec.host_key_policy, None);
    }

    #[test]
    fn reads_variables_in_ansibles_command_line_order() {
        // The order `ansible -vvvv` printed: Port, IdentityFile, User, ConnectTimeout, common, extra.
        let spec = ssh(
            "web1",
            &[
                ("ansible_host", "10.0.0.5".into()),
                ("ansible_port", Value::Int(2222)),
                ("ansible_user", "deploy".into()),
                ("ansible_ssh_private_key_file", "/keys/id".into()),
                ("ansible_ssh_timeout", "7".into()),
                (
                    "ansible_ssh_common_args",
                    "-o UserKnownHostsFile=/kh -o Port=22 -J bastion".into(),
                ),
                ("ansible_ssh_extra_args", "-o Compression=yes".into()),
            ],
        );
        assert_eq!(spec.address, "10.0.0.5");
        assert_eq!(spec.port, Some(2222));
        assert_eq!(spec.user.as_deref(), Some("deploy"));
        assert_eq!(spec.connect_timeout, Some(Duration::from_secs(7)));
        assert_eq!(spec.known_hosts_file.as_deref(), Some("/kh"));
        assert_eq!(
            spec.config_lines,
            vec![
                "Port 2222",
                "IdentityFile \"/keys/id\"",
                "User \"deploy\"",
                "UserKnownHostsFile=/kh",
                "Port=22",
                "ProxyJump \"bastion\"",
                "Compression=yes",
            ]
        );
    }

    #[test]
    fn ssh_prefixed_aliases_win() {
        // ansible 2.19 with both set connected to ansible_ssh_host, port ansible_ssh_port, user
        // ansible_ssh_user and key ansible_ssh_private_key_file.
        let spec = ssh(
            "h",
            &[
                ("ansible_host", "10.0.0.99".into()),
                ("ansible_ssh_host", "10.0.0.11".into()),
                ("ansible_port", Value::Int(2222)),
                ("ansible_ssh_port", "22".into()),
                ("ansible_user", "nobody".into()),
                ("ansible_ssh_user", "root".into()),
                ("ansible_private_key_file", "/no".into()),
                ("ansible_ssh_private_key_file", "/yes".into()),
            ],
        );
        assert_eq!(spec.address, "10.0.0.11");
        assert_eq!(spec.port, Some(22));
        assert_eq!(spec.user.as_deref(), Some("root"));
        assert!(
            spec.config_lines
                .contains(&"IdentityFile \"/yes\"".to_string())
        );
        // A null value counts as unset, as in Ansible's config manager.
        let spec = ssh(
            "h",
            &[
                ("ansible_host", "10.0.0.1".into()),
                ("ansible_ssh_host", Value::Null),
            ],
        );
        assert_eq!(spec.address, "10.0.0.1");
    }

    #[test]
    fn first_host_key_and_timeout_options_go_to_the_builder() {
        let spec = ssh(
            "h",
            &[(
                "ansible_ssh_common_args",
                "-o StrictHostKeyChecking=accept-new -o StrictHostKeyChecking=no -o ConnectTimeout=3 -o ServerAliveInterval=9".into(),
            )],
        );
        assert_eq!(spec.host_key_policy, Some(HostKeyPolicy::AcceptNew));
        assert_eq!(spec.connect_timeout, Some(Duration::from_secs(3)));
        assert_eq!(spec.server_alive_interval, Some(Duration::from_secs(9)));
        assert!(spec.config_lines.is_empty());

        let spec = ssh("h", &[("ansible_host_key_checking", Value::Bool(false))]);
        assert_eq!(spec.host_key_policy, Some(HostKeyPolicy::Off));
        let spec = ssh("h", &[("ansible_host_key_checking", "yes".into())]);
        assert_eq!(spec.host_key_policy, None);
    }

    #[test]
    fn local_and_fqcn_connections() {
        for (value, local) in [
            ("local", true),
            ("ansible.builtin.local", true),
            ("smart", false),
            ("ansible.builtin.ssh", false),
            ("ansible.legacy.ssh", false),
        ] {
            let spec =
                ConnectionSpec::from_vars("h", &vars(&[("ansible_connection", value.into())]));
            assert_eq!(
                matches!(spec.map(|s| s.kind), Ok(ConnectionKind::Local)),
                local,
                "{value}"
            );
        }
    }

    #[test]
    fn clear_errors() {
        let e = error(&[("ansible_connection", "winrm".into())]);
        assert!(
            e.starts_with("web1: ansible_connection=\"winrm\" is not supported"),
            "{e}"
        );
        let e = error(&[("ansible_ssh_pass", "hunter2".into())]);
        assert!(
            e.contains("ansible_ssh_pass is set: password authentication is not supported"),
            "{e}"
        );
        assert!(!e.contains("hunter2"));
        let e = error(&[("ansible_host", "{{ lookup('env', 'X') }}".into())]);
        assert!(e.contains("ansible_host is still a template"), "{e}");
        let e = error(&[("ansible_host", "-oProxyCommand=touch /tmp/x".into())]);
        assert!(e.contains("not a host name"), "{e}");
        let e = error(&[("ansible_port", Value::Int(70000))]);
        assert!(e.contains("ansible_port=70000 is not a TCP port"), "{e}");
        let e = error(&[(
            "ansible_user",
            Value::Vault(crate::value::VaultText(
                "$ANSIBLE_VAULT;1.1;AES256\n61".into(),
            )),
        )]);
        assert!(e.contains("ansible_user is vault-encrypted"), "{e}");
        let e = error(&[("ansible_ssh_common_args", "-L 80:x:80".into())]);
        assert!(e.contains("ansible_ssh_common_args: ssh option -L"), "{e}");
        let e = error(&[("ansible_host_key_checking", "maybe".into())]);
        assert!(e.contains("must be a boolean"), "{e}");
        // An empty password is what Ansible ignores too.
        assert!(ConnectionSpec::from_vars("h", &vars(&[("ansible_password", "".into())])).is_ok());
        // !unsafe text is literal, braces and all.
        let spec = ssh("h", &[("ansible_user", Value::Unsafe("a{{b}}".into()))]);
        assert_eq!(spec.user.as_deref(), Some("a{{b}}"));
    }
}
