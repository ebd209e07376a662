//! One POSIX sh script answers every fact request of a host in one round trip. The script is fixed
//! text; paths and names arrive as positional arguments, so nothing a user writes is ever parsed by a
//! shell. Each answer starts with a `@@` line; values that may hold newlines travel base64-encoded.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::{FactRequest, FactValue, Facts, FileType, GroupFact, PathFact, UserFact};

/// Files up to this size come back whole, so a plan can show their diff without a second round trip.
pub const CONTENT_LIMIT: u64 = 256 * 1024;

pub const BATCH_SCRIPT: &str = r#"limit=$1; shift
while [ $# -ge 2 ]; do
  kind=$1; arg=$2; shift 2
  echo "@@$kind"
  case $kind in
    path)
      if [ -L "$arg" ] || [ -e "$arg" ]; then
        stat -c 'stat:%F|%a|%U|%G|%u|%g|%s' -- "$arg" || echo 'error:stat failed'
        if [ -L "$arg" ]; then printf 'link:'; readlink -n -- "$arg" | base64 | tr -d '\n'; echo; fi
        if [ -f "$arg" ] && [ ! -L "$arg" ]; then
          printf 'sha256:'; sha256sum < "$arg" | cut -d' ' -f1
          size=$(stat -c %s -- "$arg")
          if [ "$size" -le "$limit" ]; then printf 'content:'; base64 < "$arg" | tr -d '\n'; echo; fi
        fi
      else
        echo absent
      fi ;;
    user) getent passwd "$arg" | sed 's/^/passwd:/' | grep . || echo absent ;;
    group) getent group "$arg" | sed 's/^/group:/' | grep . || echo absent ;;
  esac
done
"#;

/// The script's positional arguments for these requests.
pub fn batch_args<'a>(requests: impl IntoIterator<Item = &'a FactRequest>) -> Vec<String> {
    let mut args = vec![CONTENT_LIMIT.to_string()];
    for request in requests {
        let (kind, arg) = match request {
            FactRequest::Path(path) => ("path", path),
            FactRequest::User(name) => ("user", name),
            FactRequest::Group(name) => ("group", name),
        };
        args.push(kind.to_string());
        args.push(arg.clone());
    }
    args
}

/// Reads the script's output back, one answer per request, in request order.
pub fn parse_batch_output(requests: &[FactRequest], output: &str) -> Result<Facts, String> {
    let mut sections: Vec<Vec<&str>> = Vec::new();
    for line in output.lines() {
        if line.starts_with("@@") {
            sections.push(Vec::new());
        } else if let Some(section) = sections.last_mut() {
            section.push(line);
        }
    }
    if sections.len() != requests.len() {
        return Err(format!(
            "the fact script answered {} of {} requests",
            sections.len(),
            requests.len()
        ));
    }
    let mut facts = Facts::default();
    for (request, lines) in requests.iter().zip(sections) {
        let value = if lines.first() == Some(&"absent") {
            FactValue::Absent
        } else {
            match request {
                FactRequest::Path(path) => FactValue::Path(Box::new(parse_path(path, &lines)?)),
                FactRequest::User(name) => FactValue::User(parse_user(name, &lines)?),
                FactRequest::Group(name) => FactValue::Group(parse_group(name, &lines)?),
            }
        };
        facts.insert(request.clone(), value);
    }
    Ok(facts)
}

fn field<'a>(lines: &[&'a str], prefix: &str) -> Option<&'a str> {
    lines.iter().find_map(|l| l.strip_prefix(prefix))
}

fn parse_path(path: &str, lines: &[&str]) -> Result<PathFact, String> {
    let bad = |what: &str| format!("could not read the state of {path:?}: {what}");
    let stat = field(lines, "stat:")
        .ok_or_else(|| bad(field(lines, "error:").unwrap_or("no stat output")))?;
    let parts: Vec<&str> = stat.split('|').collect();
    let [kind, mode, owner, group, uid, gid, size] = parts.as_slice() else {
        return Err(bad(&format!("unexpected stat output {stat:?}")));
    };
    let file_type = match *kind {
        "regular file" | "regular empty file" => FileType::File,
        "directory" => FileType::Directory,
        "symbolic link" => FileType::Link,
        other => FileType::Other(other.to_string()),
    };
    let number = |text: &str| {
        text.parse::<u64>()
            .map_err(|_| bad(&format!("not a number: {text:?}")))
    };
    let link_target = field(lines, "link:")
        .map(|b| decode(b).map(|bytes| String::from_utf8_lossy(&bytes).into_owned()));
    Ok(PathFact {
        file_type,
        mode: u32::from_str_radix(mode, 8).map_err(|_| bad(&format!("bad mode {mode:?}")))?,
        owner: (*owner).to_string(),
        group: (*group).to_string(),
        uid: u32::try_from(number(uid)?).map_err(|_| bad("uid out of range"))?,
        gid: u32::try_from(number(gid)?).map_err(|_| bad("gid out of range"))?,
        size: number(size)?,
        link_target: link_target.transpose().map_err(|e| bad(&e))?,
        sha256: field(lines, "sha256:").map(str::to_string),
        content: field(lines, "content:")
            .map(decode)
            .transpose()
            .map_err(|e| bad(&e))?,
    })
}

fn decode(text: &str) -> Result<Vec<u8>, String> {
    STANDARD
        .decode(text.trim())
        .map_err(|e| format!("bad base64 from the host: {e}"))
}

fn parse_user(name: &str, lines: &[&str]) -> Result<UserFact, String> {
    let entry = field(lines, "passwd:").ok_or_else(|| format!("no passwd entry for {name:?}"))?;
    let parts: Vec<&str> = entry.split(':').collect();
    let [user, _, uid, gid, comment, home, shell] = parts.as_slice() else {
        return Err(format!("unexpected passwd entry {entry:?}"));
    };
    Ok(UserFact {
        name: (*user).to_string(),
        uid: uid.parse().map_err(|_| format!("bad uid in {entry:?}"))?,
        gid: gid.parse().map_err(|_| format!("bad gid in {entry:?}"))?,
        comment: (*comment).to_string(),
        home: (*home).to_string(),
        shell: (*shell).to_string(),
    })
}

fn parse_group(name: &str, lines: &[&str]) -> Result<GroupFact, String> {
    let entry = field(lines, "group:").ok_or_else(|| format!("no group entry for {name:?}"))?;
    let parts: Vec<&str> = entry.split(':').collect();
    let [group, _, gid, members] = parts.as_slice() else {
        return Err(format!("unexpected group entry {entry:?}"));
    };
    Ok(GroupFact {
        name: (*group).to_string(),
        gid: gid.parse().map_err(|_| format!("bad gid in {entry:?}"))?,
        members: members
            .split(',')
            .filter(|m| !m.is_empty())
            .map(str::to_string)
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::*;

    /// Runs the real script with the real sh and coreutils of this machine.
    fn gather(requests: &[FactRequest]) -> Facts {
        let output = Command::new("sh")
            .arg("-c")
            .arg(BATCH_SCRIPT)
            .arg("sh")
            .args(batch_args(requests))
            .output()
            .unwrap();
        parse_batch_output(requests, &String::from_utf8(output.stdout).unwrap()).unwrap()
    }

    #[test]
    fn reads_files_links_and_absent_paths_with_hostile_names() {
        let dir = tempfile::tempdir().unwrap();
        let hostile = dir.path().join("it's a $(touch pwned)\nfile");
        std::fs::write(&hostile, "hello\n").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&hostile, &link).unwrap();
        let missing = dir.path().join("missing");
        let requests = [
            FactRequest::Path(hostile.display().to_string()),
            FactRequest::Path(link.display().to_string()),
            FactRequest::Path(missing.display().to_string()),
            FactRequest::Path(dir.path().display().to_string()),
        ];
        let facts = gather(&requests);
        let file = facts.path(&hostile.display().to_string()).unwrap().unwrap();
        assert_eq!(file.file_type, FileType::File);
        assert_eq!(file.content.as_deref(), Some(&b"hello\n"[..]));
        assert_eq!(
            file.sha256.as_deref(),
            Some("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03")
        );
        let link_fact = facts.path(&link.display().to_string()).unwrap().unwrap();
        assert_eq!(link_fact.file_type, FileType::Link);
        assert_eq!(
            link_fact.link_target.as_deref(),
            Some(hostile.to_str().unwrap())
        );
        assert!(
            facts
                .path(&missing.display().to_string())
                .unwrap()
                .is_none()
        );
        let directory = facts
            .path(&dir.path().display().to_string())
            .unwrap()
            .unwrap();
        assert_eq!(directory.file_type, FileType::Directory);
        assert!(
            !dir.path().join("pwned").exists(),
            "a path must never be run as code"
        );
    }

    #[test]
    fn reads_users_and_groups() {
        let requests = [
            FactRequest::User("root".into()),
            FactRequest::User("no-such-user-plimsoll".into()),
            FactRequest::Group("root".into()),
        ];
        let facts = gather(&requests);
        let root = facts.user("root").unwrap().unwrap();
        assert_eq!((root.uid, root.gid), (0, 0));
        assert!(facts.user("no-such-user-plimsoll").unwrap().is_none());
        assert_eq!(facts.group("root").unwrap().unwrap().gid, 0);
    }

    #[test]
    fn a_short_answer_is_an_error_not_a_guess() {
        let requests = [FactRequest::User("a".into()), FactRequest::User("b".into())];
        assert!(parse_batch_output(&requests, "@@user\nabsent\n").is_err());
    }
}
