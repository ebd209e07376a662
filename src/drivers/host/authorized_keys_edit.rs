//! The edit `ansible.posix.authorized_key` makes to an `authorized_keys` text, as a pure function,
//! step for step as its `enforce_state()` makes it: keys are identified by their base64 blob; a key
//! whose type, options or comment differ is replaced and moves to the end; `exclusive` removes
//! every other line; when nothing changes the text stays byte for byte as it was (Ansible then
//! does not rewrite it).

use std::collections::BTreeMap;

/// Key types Ansible's `parsekey` recognises.
const KEY_TYPES: &[&str] = &[
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "webauthn-sk-ecdsa-sha2-nistp256@openssh.com",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp384-cert-v01@openssh.com",
    "ecdsa-sha2-nistp521",
    "ecdsa-sha2-nistp521-cert-v01@openssh.com",
    "sk-ssh-ed25519@openssh.com",
    "sk-ssh-ed25519-cert-v01@openssh.com",
    "ssh-ed25519",
    "ssh-ed25519-cert-v01@openssh.com",
    "ssh-dss",
    "ssh-rsa",
    "ssh-xmss@openssh.com",
    "ssh-xmss-cert-v01@openssh.com",
    "rsa-sha2-256",
    "rsa-sha2-512",
    "ssh-rsa-cert-v01@openssh.com",
    "rsa-sha2-256-cert-v01@openssh.com",
    "rsa-sha2-512-cert-v01@openssh.com",
    "ssh-dss-cert-v01@openssh.com",
];

/// `key=value` or flag options, in the order written.
pub type KeyOptions = Vec<(String, Option<String>)>;

#[derive(Clone, Debug, PartialEq)]
pub struct AuthorizedKey {
    pub blob: String,
    pub key_type: String,
    pub options: KeyOptions,
    pub comment: String,
}

impl AuthorizedKey {
    /// The line Ansible writes for it (`options type blob comment`; the space before an empty
    /// comment is Ansible's too).
    pub fn line(&self) -> String {
        let options = if self.options.is_empty() {
            String::new()
        } else {
            let joined: Vec<String> = self
                .options
                .iter()
                .map(|(k, v)| match v {
                    None => k.clone(),
                    Some(v) => format!("{k}={v}"),
                })
                .collect();
            format!("{} ", joined.join(","))
        };
        format!(
            "{options}{} {} {}\n",
            self.key_type, self.blob, self.comment
        )
    }

    /// Python compares the options as a dict of lists: order between different names is free.
    fn same_as(&self, other: &AuthorizedKey) -> bool {
        fn grouped(options: &KeyOptions) -> BTreeMap<&str, Vec<Option<&str>>> {
            let mut map: BTreeMap<&str, Vec<Option<&str>>> = BTreeMap::new();
            for (k, v) in options {
                map.entry(k.as_str()).or_default().push(v.as_deref());
            }
            map
        }
        self.blob == other.blob
            && self.key_type == other.key_type
            && self.comment == other.comment
            && grouped(&self.options) == grouped(&other.options)
    }

    /// A short name for people: the type, the blob's end, the comment.
    pub fn label(&self) -> String {
        let tail: String = self
            .blob
            .chars()
            .rev()
            .take(8)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!("{} …{tail} {}", self.key_type, self.comment)
            .trim_end()
            .to_string()
    }
}

/// `parseoptions`: split at commas outside double or single quotes.
pub fn parse_options(text: &str) -> KeyOptions {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quote = None;
    for c in text.chars() {
        match (quote, c) {
            (None, ',') => parts.push(std::mem::take(&mut current)),
            (None, '"' | '\'') => {
                quote = Some(c);
                current.push(c);
            }
            (Some(q), c) if c == q => {
                quote = None;
                current.push(c);
            }
            _ => current.push(c),
        }
    }
    parts.push(current);
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (p, None),
        })
        .collect()
}

/// `parsekey`: `None` for a line that holds no key of a known type (kept as it is).
pub fn parse_key(raw: &str) -> Option<AuthorizedKey> {
    let raw = raw.replace(r"\#", "#");
    let parts: Vec<&str> = raw.split_whitespace().collect();
    if parts.first() == Some(&"#") {
        return None;
    }
    let type_index = parts.iter().position(|p| KEY_TYPES.contains(p))?;
    let blob = parts.get(type_index + 1)?;
    Some(AuthorizedKey {
        blob: (*blob).to_string(),
        key_type: parts[type_index].to_string(),
        options: parse_options(&parts[..type_index].join(" ")),
        comment: parts.get(type_index + 2..).unwrap_or_default().join(" "),
    })
}

/// The keys the `key` argument holds: one per non-empty line not starting with `#`.
pub fn wanted_keys(
    key: &str,
    key_options: Option<&str>,
    comment: Option<&str>,
) -> Result<Vec<AuthorizedKey>, String> {
    key.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let mut parsed =
                parse_key(line).ok_or_else(|| format!("invalid key specified: {line}"))?;
            if let Some(options) = key_options {
                parsed.options = parse_options(options);
            }
            if let Some(comment) = comment {
                parsed.comment = comment.to_string();
            }
            Ok(parsed)
        })
        .collect()
}

/// One line of the file as Ansible holds it: a key, or any other line kept verbatim.
#[derive(Clone, Debug)]
enum Entry {
    Key(AuthorizedKey),
    Other(String),
}

impl Entry {
    fn text(&self) -> String {
        match self {
            Entry::Key(k) => k.line(),
            Entry::Other(line) => line.clone(),
        }
    }
}

/// Python's `str.splitlines(True)` for the separators an authorized_keys file has.
fn split_lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// The file's text after the edit.
pub fn edit(existing: &str, wanted: &[AuthorizedKey], present: bool, exclusive: bool) -> String {
    // Ansible's dict: keyed by blob (other lines by their text), ordered by rank when written.
    let mut entries: Vec<(String, Entry, usize)> = Vec::new();
    for (rank, line) in split_lines(existing).into_iter().enumerate() {
        let (id, entry) = match parse_key(line) {
            Some(key) => (key.blob.clone(), Entry::Key(key)),
            None => (line.to_string(), Entry::Other(line.to_string())),
        };
        match entries.iter_mut().find(|(i, _, _)| *i == id) {
            Some(slot) => *slot = (id, entry, rank),
            None => entries.push((id, entry, rank)),
        }
    }
    let max_rank = entries.len();
    let mut changed = false;
    for (rank, key) in wanted.iter().enumerate() {
        let existing = entries.iter().position(|(id, _, _)| *id == key.blob);
        if present {
            let matched = match existing {
                Some(at) => match &entries[at].1 {
                    Entry::Key(old) if old.same_as(key) => true,
                    _ => {
                        entries.remove(at);
                        false
                    }
                },
                None => false,
            };
            if !matched {
                entries.push((key.blob.clone(), Entry::Key(key.clone()), max_rank + rank));
                changed = true;
            }
        } else if let Some(at) = existing {
            entries.remove(at);
            changed = true;
        }
    }
    if present && exclusive {
        let before = entries.len();
        entries.retain(|(id, _, _)| wanted.iter().any(|k| k.blob == *id));
        changed |= entries.len() != before;
    }
    if !changed {
        return existing.to_string();
    }
    entries.sort_by_key(|(_, _, rank)| *rank);
    entries.iter().map(|(_, entry, _)| entry.text()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA alice@laptop";
    const B: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQAB bob";

    fn keys(text: &str) -> Vec<AuthorizedKey> {
        wanted_keys(text, None, None).unwrap()
    }

    #[test]
    fn a_missing_key_is_appended_and_a_present_one_leaves_the_text_as_it_is() {
        let existing = format!("# keep me\n{B}\n");
        assert_eq!(
            edit(&existing, &keys(A), true, false),
            format!("# keep me\n{B}\n{A}\n")
        );
        let odd = format!("{B}   \n");
        assert_eq!(edit(&odd, &keys(B), true, false), odd);
    }

    #[test]
    fn a_changed_comment_or_option_replaces_the_key_at_the_end() {
        let existing = format!("{A}\n{B}\n");
        let wanted = wanted_keys(A, Some("no-pty,from=\"10.0.0.1\""), Some("new")).unwrap();
        assert_eq!(
            edit(&existing, &wanted, true, false),
            format!("{B}\nno-pty,from=\"10.0.0.1\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA new\n")
        );
    }

    #[test]
    fn exclusive_keeps_only_the_wanted_keys_and_absent_removes() {
        let existing = format!("# comment\n{A}\n{B}\n");
        assert_eq!(edit(&existing, &keys(B), true, true), format!("{B}\n"));
        assert_eq!(
            edit(&existing, &keys(A), false, false),
            format!("# comment\n{B}\n")
        );
        assert_eq!(
            edit(&existing, &keys(&format!("{A}\n{B}")), false, false),
            "# comment\n"
        );
    }

    #[test]
    fn bad_keys_are_refused_and_options_split_outside_quotes() {
        assert!(wanted_keys("not a key", None, None).is_err());
        assert_eq!(
            parse_options(r#"command="a,b",no-pty"#),
            vec![
                ("command".to_string(), Some("\"a,b\"".to_string())),
                ("no-pty".to_string(), None)
            ]
        );
        let key = parse_key("ssh-ed25519 AAAA").unwrap();
        assert_eq!(key.line(), "ssh-ed25519 AAAA \n");
    }
}
