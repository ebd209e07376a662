//! `ansible_ssh_args` / `ansible_ssh_common_args` / `ansible_ssh_extra_args`: the ssh command-line
//! options a user wrote, turned into ssh_config lines.
//!
//! ssh parses the argument of `-o` exactly as a line of a config file, and for every option the first
//! value it obtains wins, on the command line and in config files alike. So writing the options, in
//! the order Ansible would have put them on the command line, as the first lines of a generated config
//! file gives ssh the same settings. Ansible splits these strings with Python's `shlex.split`.

use crate::inventory::shlex::shlex_split;

/// ssh's short options that take an argument and map to one config keyword.
const KEYWORD_FLAGS: &[(char, &str)] = &[
    ('i', "IdentityFile"),
    ('l', "User"),
    ('p', "Port"),
    ('J', "ProxyJump"),
    ('c', "Ciphers"),
    ('m', "MACs"),
    ('b', "BindAddress"),
    ('B', "BindInterface"),
    ('I', "PKCS11Provider"),
    ('P', "Tag"),
];

/// ssh's short flags without argument that are settings, as ssh.c translates them.
const SETTING_FLAGS: &[(char, &[&str])] = &[
    ('4', &["AddressFamily inet"]),
    ('6', &["AddressFamily inet6"]),
    ('A', &["ForwardAgent yes"]),
    ('a', &["ForwardAgent no"]),
    ('C', &["Compression yes"]),
    ('X', &["ForwardX11 yes"]),
    ('x', &["ForwardX11 no"]),
    ('Y', &["ForwardX11 yes", "ForwardX11Trusted yes"]),
    ('k', &["GSSAPIDelegateCredentials no"]),
    (
        'K',
        &["GSSAPIAuthentication yes", "GSSAPIDelegateCredentials yes"],
    ),
    ('g', &["GatewayPorts yes"]),
    ('q', &["LogLevel QUIET"]),
];

/// Flags that only shape an interactive ssh invocation (verbosity, tty, backgrounding, master mode);
/// plimsoll's master connection and its commands decide these themselves.
const IGNORED_FLAGS: &[char] = &['v', 'T', 't', 'n', 'N', 'f', 's', 'M', '1', '2'];

/// Flags that would change what the connection does (forwards, control sockets, log files, queries);
/// refused rather than silently dropped.
const REFUSED_WITH_ARG: &[char] = &['L', 'R', 'D', 'W', 'w', 'O', 'S', 'E', 'e', 'Q'];
const REFUSED_FLAGS: &[char] = &['G', 'V', 'y'];

/// The options found in one argument string.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedArgs {
    /// ssh_config lines, in command-line order.
    pub lines: Vec<String>,
    /// `-F FILE`: the user's own config file replaces `~/.ssh/config` and the system one.
    pub config_file: Option<String>,
}

/// Parses `text` as ssh command-line options. `var` names the variable, for messages.
pub fn parse_ssh_args(var: &str, text: &str) -> Result<ParsedArgs, String> {
    let words = shlex_split(text.trim(), false).map_err(|e| format!("{var}: {e}"))?;
    let mut words = words.into_iter().map(|t| t.text);
    let mut parsed = ParsedArgs::default();
    while let Some(word) = words.next() {
        let Some(flags) = word.strip_prefix('-').filter(|f| !f.is_empty()) else {
            return Err(format!(
                "{var}: unexpected argument {word:?}: only ssh options are allowed here (the host \
                 comes from ansible_host)"
            ));
        };
        for (at, flag) in flags.char_indices() {
            if IGNORED_FLAGS.contains(&flag) {
                continue;
            }
            if let Some((_, lines)) = SETTING_FLAGS.iter().find(|(f, _)| *f == flag) {
                parsed.lines.extend(lines.iter().map(|l| l.to_string()));
                continue;
            }
            if REFUSED_FLAGS.contains(&flag) {
                return Err(format!(
                    "{var}: ssh option -{flag} is not supported by plimsoll"
                ));
            }
            let takes_arg = flag == 'o'
                || flag == 'F'
                || REFUSED_WITH_ARG.contains(&flag)
                || KEYWORD_FLAGS.iter().any(|(f, _)| *f == flag);
            if !takes_arg {
                return Err(format!("{var}: unknown ssh option -{flag}"));
            }
            // As getopt does: the rest of this word is the argument, or else the next word is.
            let rest = flags.get(at + flag.len_utf8()..).unwrap_or("");
            let arg = if rest.is_empty() {
                words
                    .next()
                    .ok_or_else(|| format!("{var}: ssh option -{flag} needs an argument"))?
            } else {
                rest.to_string()
            };
            if REFUSED_WITH_ARG.contains(&flag) {
                return Err(format!(
                    "{var}: ssh option -{flag} {arg} is not supported by plimsoll (it manages its \
                     own control socket, log and forwards)"
                ));
            }
            match flag {
                'o' => parsed.lines.push(option_line(var, &arg)?),
                'F' => parsed.config_file = Some(arg),
                _ => {
                    let keyword = KEYWORD_FLAGS
                        .iter()
                        .find(|(f, _)| *f == flag)
                        .map(|(_, k)| *k)
                        .unwrap_or("");
                    let value = if keyword == "IdentityFile" {
                        // ssh expands %-tokens in identity file names however they were given.
                        arg.replace('%', "%%")
                    } else {
                        arg
                    };
                    parsed
                        .lines
                        .push(format!("{keyword} {}", quote_value(var, &value)?));
                }
            }
            break;
        }
    }
    Ok(parsed)
}

/// A `-o` argument as a config line. ssh parses both the same way; only line breaks could smuggle in
/// extra lines, so those are refused.
fn option_line(var: &str, arg: &str) -> Result<String, String> {
    if arg.chars().any(|c| c == '\n' || c == '\r' || c == '\0') {
        return Err(format!(
            "{var}: ssh option -o {arg:?} contains a line break"
        ));
    }
    if keyword(arg).is_empty() {
        return Err(format!("{var}: ssh option -o needs Key=Value, got {arg:?}"));
    }
    Ok(arg.trim().to_string())
}

/// A value for a generated config line, double-quoted so spaces survive ssh's word splitting.
/// ssh_config has no way to write a double quote inside a quoted word (and treats backslashes as
/// escapes), so such values are refused.
pub fn quote_value(var: &str, value: &str) -> Result<String, String> {
    if value
        .chars()
        .any(|c| c == '"' || c == '\\' || c.is_control())
    {
        return Err(format!(
            "{var}: {value:?} cannot be passed to ssh (it contains a double quote, backslash or \
             control character)"
        ));
    }
    Ok(format!("\"{value}\""))
}

/// The keyword of a config line (`Port 22`, `Port=22`, `Port = 22`), as ssh reads it.
pub fn keyword(line: &str) -> &str {
    let line = line.trim_start();
    let end = line
        .find(|c: char| c.is_whitespace() || c == '=')
        .unwrap_or(line.len());
    line.get(..end).unwrap_or("")
}

/// The value of a config line without its keyword, separators and one pair of surrounding quotes.
pub fn value(line: &str) -> &str {
    let line = line.trim_start();
    let rest = line.get(keyword(line).len()..).unwrap_or("");
    let rest = rest.trim_start();
    let rest = rest.strip_prefix('=').unwrap_or(rest).trim();
    rest.strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        parse_ssh_args("ansible_ssh_common_args", text)
            .map(|p| p.lines)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn options_become_config_lines_in_order() {
        assert_eq!(
            lines(
                "-o StrictHostKeyChecking=accept-new -oUserKnownHostsFile=/tmp/kh -o 'ProxyCommand=ssh -W %h:%p bastion'"
            ),
            vec![
                "StrictHostKeyChecking=accept-new",
                "UserKnownHostsFile=/tmp/kh",
                "ProxyCommand=ssh -W %h:%p bastion",
            ]
        );
    }

    #[test]
    fn short_flags_translate_as_ssh_does() {
        assert_eq!(
            lines("-4C -J jump@bastion:2222 -p2200 -i '/keys/my key' -l deploy"),
            vec![
                "AddressFamily inet",
                "Compression yes",
                "ProxyJump \"jump@bastion:2222\"",
                "Port \"2200\"",
                "IdentityFile \"/keys/my key\"",
                "User \"deploy\"",
            ]
        );
        assert_eq!(lines("-i /k/50%"), vec!["IdentityFile \"/k/50%%\""]);
        assert_eq!(lines("-vvv -T"), Vec::<String>::new());
    }

    #[test]
    fn config_file_is_kept_apart() {
        let parsed = parse_ssh_args("v", "-F /etc/plimsoll/ssh_config -o Port=22").ok();
        assert_eq!(
            parsed,
            Some(ParsedArgs {
                lines: vec!["Port=22".into()],
                config_file: Some("/etc/plimsoll/ssh_config".into()),
            })
        );
    }

    #[test]
    fn refuses_what_cannot_be_honoured() {
        for bad in [
            "-L 8080:localhost:80",
            "-S /tmp/ctl",
            "bastion",
            "-o",
            "-Z",
            "-o 'Port 22\nProxyCommand evil'",
            "-i 'a\"b'",
            "-o 'unterminated",
        ] {
            assert!(parse_ssh_args("v", bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn keyword_and_value() {
        assert_eq!(keyword("  Port=22"), "Port");
        assert_eq!(value("Port=22"), "22");
        assert_eq!(value("Port = 22"), "22");
        assert_eq!(value("UserKnownHostsFile \"/a b\""), "/a b");
        assert_eq!(keyword("StrictHostKeyChecking no"), "StrictHostKeyChecking");
    }
}
