//! One POSIX sh script answers every fact request of a host in one round trip. The script is fixed
//! text; paths and names arrive as positional arguments, so nothing a user writes is ever parsed by a
//! shell. Each answer starts with a `@@` line; values that may hold newlines travel base64-encoded.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::{
    FactRequest, FactValue, Facts, FileType, GroupFact, PathFact, Resolved, ShadowFact, TreeEntry,
    UserFact,
};

/// Files up to this size come back whole, so a plan can show their diff without a second round trip.
pub const CONTENT_LIMIT: u64 = 256 * 1024;

pub const BATCH_SCRIPT: &str = r#"limit=$1; shift
b64() { base64 | tr -d '\n'; echo; }
describe() {
  stat -c "${2}stat:%F|%a|%U|%G|%u|%g|%s" -- "$1" || echo "${2}error:stat failed"
  if [ -L "$1" ]; then printf '%slink:' "$2"; readlink -n -- "$1" | b64; fi
  if [ -f "$1" ] && [ ! -L "$1" ]; then
    printf '%ssha256:' "$2"; sha256sum < "$1" | cut -d' ' -f1
    size=$(stat -c %s -- "$1")
    if [ "$size" -le "$limit" ]; then printf '%scontent:' "$2"; b64 < "$1"; fi
  fi
}
# Says `absent` only when nothing hides the path: a directory on the way that this user cannot
# search makes every path below it look missing.
missing() {
  d=$1
  while d=$(dirname -- "$d"); do
    if [ -d "$d" ]; then
      if [ -x "$d" ]; then echo absent
      else echo "unreadable:permission denied: $d cannot be searched by $(id -un) (become: true reads it as root)"
      fi
      return
    fi
    case $d in /|.) echo absent; return ;; esac
  done
  echo absent
}
observe() {
  if [ -L "$1" ] || [ -e "$1" ]; then
    describe "$1" ""
    if [ -L "$1" ]; then
      real=$(readlink -f -- "$1" && echo x) || real=
      if [ -n "$real" ]; then
        real=${real%??}
        printf 'real:'; printf '%s' "$real" | b64
        if [ -e "$real" ]; then describe "$real" t.; fi
      fi
    fi
  else
    missing "$1"
  fi
}
while [ $# -ge 2 ]; do
  kind=$1; arg=$2; shift 2
  echo "@@$kind"
  case $kind in
    path) observe "$arg" ;;
    homepath)
      user=${arg%%/*} rel=${arg#*/}
      if entry=$(getent passwd "$user"); then
        home=$(printf '%s\n' "$entry" | cut -d: -f6)
        observe "${home%/}/$rel"
      else
        echo absent
      fi ;;
    tree)
      if [ -d "$arg" ]; then
        printf 'tree:'; find -H "$arg" -mindepth 1 -printf '%y|%m|%U|%G|%u|%g|%P\0' | b64
      else
        missing "$arg"
      fi ;;
    user)
      if entry=$(getent passwd "$arg"); then
        printf 'passwd:%s\n' "$entry"
        name=$(printf '%s\n' "$entry" | cut -d: -f1)
        gid=$(printf '%s\n' "$entry" | cut -d: -f4)
        home=$(printf '%s\n' "$entry" | cut -d: -f6)
        printf 'pgroup:'; getent group "$gid" | cut -d: -f1 | grep . || echo
        if [ -n "$home" ] && [ -e "$home" ]; then echo home:yes; else echo home:no; fi
        getent group | while IFS=: read -r g _ _ members; do
          case ",$members," in *",$name,"*) printf 'member:%s\n' "$g" ;; esac
        done
      else
        echo absent
      fi ;;
    group) getent group "$arg" | sed 's/^/group:/' | grep . || echo absent ;;
    shadow)
      if entry=$(getent shadow "$arg"); then
        printf 'shadow:%s\n' "$entry" | cut -d: -f1-3
      elif getent passwd "$arg" > /dev/null; then
        echo 'unreadable:the shadow entry cannot be read (comparing passwords needs root: become: true)'
      else
        echo absent
      fi ;;
    umask) printf 'umask:%s\n' "$(umask)" ;;
  esac
done
"#;

/// The script's positional arguments for these requests.
pub fn batch_args<'a>(requests: impl IntoIterator<Item = &'a FactRequest>) -> Vec<String> {
    let mut args = vec![CONTENT_LIMIT.to_string()];
    for request in requests {
        let (kind, arg) = match request {
            FactRequest::Docker(_) => continue,
            FactRequest::Path(path) => ("path", path.as_str()),
            FactRequest::HomePath { user, relative } => {
                args.push("homepath".to_string());
                args.push(format!("{user}/{relative}"));
                continue;
            }
            FactRequest::Tree(path) => ("tree", path.as_str()),
            FactRequest::User(name) => ("user", name.as_str()),
            FactRequest::Group(name) => ("group", name.as_str()),
            FactRequest::Shadow(name) => ("shadow", name.as_str()),
            FactRequest::Umask => ("umask", ""),
        };
        args.push(kind.to_string());
        args.push(arg.to_string());
    }
    args
}

/// Reads the script's output back, one answer per request, in request order.
pub fn parse_batch_output(requests: &[FactRequest], output: &str) -> Result<Facts, String> {
    let requests: Vec<&FactRequest> = requests.iter().filter(|r| r.is_shell()).collect();
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
        } else if let Some(why) = field(&lines, "unreadable:") {
            FactValue::Unreadable(why.to_string())
        } else {
            match request {
                FactRequest::Path(path) => FactValue::Path(Box::new(parse_path(path, &lines)?)),
                FactRequest::HomePath { user, relative } => FactValue::Path(Box::new(parse_path(
                    &format!("~{user}/{relative}"),
                    &lines,
                )?)),
                FactRequest::Tree(path) => FactValue::Tree(parse_tree(path, &lines)?),
                FactRequest::User(name) => FactValue::User(parse_user(name, &lines)?),
                FactRequest::Group(name) => FactValue::Group(parse_group(name, &lines)?),
                FactRequest::Shadow(name) => FactValue::Shadow(parse_shadow(name, &lines)?),
                FactRequest::Umask => FactValue::Umask(parse_umask(&lines)?),
                FactRequest::Docker(_) => continue,
            }
        };
        facts.insert((*request).clone(), value);
    }
    Ok(facts)
}

fn field<'a>(lines: &[&'a str], prefix: &str) -> Option<&'a str> {
    lines.iter().find_map(|l| l.strip_prefix(prefix))
}

fn file_type(kind: &str) -> FileType {
    match kind {
        "regular file" | "regular empty file" | "f" => FileType::File,
        "directory" | "d" => FileType::Directory,
        "symbolic link" | "l" => FileType::Link,
        other => FileType::Other(other.to_string()),
    }
}

fn parse_path(path: &str, lines: &[&str]) -> Result<PathFact, String> {
    let mut fact = parse_described(path, lines, "")?;
    if let Some(real) = field(lines, "real:") {
        let real = String::from_utf8_lossy(&decode(real)?).into_owned();
        let target = if field(lines, "t.stat:").is_some() || field(lines, "t.error:").is_some() {
            Some(Box::new(parse_described(&real, lines, "t.")?))
        } else {
            None
        };
        fact.resolved = Some(Resolved {
            path: real,
            fact: target,
        });
    }
    Ok(fact)
}

/// The lines `describe` wrote for one path, each starting with `prefix`.
fn parse_described(path: &str, all: &[&str], prefix: &str) -> Result<PathFact, String> {
    let lines: Vec<&str> = all.iter().filter_map(|l| l.strip_prefix(prefix)).collect();
    let lines = lines.as_slice();
    let bad = |what: &str| format!("could not read the state of {path:?}: {what}");
    let stat = field(lines, "stat:")
        .ok_or_else(|| bad(field(lines, "error:").unwrap_or("no stat output")))?;
    let parts: Vec<&str> = stat.split('|').collect();
    let [kind, mode, owner, group, uid, gid, size] = parts.as_slice() else {
        return Err(bad(&format!("unexpected stat output {stat:?}")));
    };
    let number = |text: &str| {
        text.parse::<u64>()
            .map_err(|_| bad(&format!("not a number: {text:?}")))
    };
    let link_target = field(lines, "link:")
        .map(|b| decode(b).map(|bytes| String::from_utf8_lossy(&bytes).into_owned()));
    Ok(PathFact {
        file_type: file_type(kind),
        mode: u32::from_str_radix(mode, 8).map_err(|_| bad(&format!("bad mode {mode:?}")))?,
        owner: name_or_id(owner, uid),
        group: name_or_id(group, gid),
        uid: u32::try_from(number(uid)?).map_err(|_| bad("uid out of range"))?,
        gid: u32::try_from(number(gid)?).map_err(|_| bad("gid out of range"))?,
        size: number(size)?,
        link_target: link_target.transpose().map_err(|e| bad(&e))?,
        sha256: field(lines, "sha256:").map(str::to_string),
        content: field(lines, "content:")
            .map(decode)
            .transpose()
            .map_err(|e| bad(&e))?,
        resolved: None,
    })
}

/// GNU stat prints `UNKNOWN` for an id no user or group has; show the number instead, as `find` and
/// `ls` do, so a plan says `owner: '999' → 'app'`.
fn name_or_id(name: &str, id: &str) -> String {
    if name == "UNKNOWN" {
        id.to_string()
    } else {
        name.to_string()
    }
}

/// `find -printf '%y|%m|%U|%G|%u|%g|%P\0'`, base64-encoded: NUL ends each record, so any byte but NUL
/// may appear in a name (the relative path comes last, so `|` in it is harmless).
fn parse_tree(path: &str, lines: &[&str]) -> Result<Vec<TreeEntry>, String> {
    let bad = |what: &str| format!("could not list the contents of {path:?}: {what}");
    let blob = field(lines, "tree:").ok_or_else(|| bad("no listing"))?;
    let bytes = decode(blob).map_err(|e| bad(&e))?;
    let mut entries = Vec::new();
    for record in bytes.split(|b| *b == 0).filter(|r| !r.is_empty()) {
        let text = String::from_utf8_lossy(record);
        let parts: Vec<&str> = text.splitn(7, '|').collect();
        let [kind, mode, uid, gid, owner, group, rel] = parts.as_slice() else {
            return Err(bad(&format!("unexpected entry {text:?}")));
        };
        entries.push(TreeEntry {
            path: (*rel).to_string(),
            file_type: file_type(kind),
            mode: u32::from_str_radix(mode, 8).map_err(|_| bad(&format!("bad mode {mode:?}")))?,
            owner: (*owner).to_string(),
            group: (*group).to_string(),
            uid: uid.parse().map_err(|_| bad(&format!("bad uid {uid:?}")))?,
            gid: gid.parse().map_err(|_| bad(&format!("bad gid {gid:?}")))?,
        });
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(entries)
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
        primary_group: field(lines, "pgroup:")
            .filter(|g| !g.is_empty())
            .map(str::to_string),
        member_of: lines
            .iter()
            .filter_map(|l| l.strip_prefix("member:"))
            .map(str::to_string)
            .collect(),
        home_exists: field(lines, "home:") == Some("yes"),
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

fn parse_shadow(name: &str, lines: &[&str]) -> Result<ShadowFact, String> {
    let entry = field(lines, "shadow:").ok_or_else(|| format!("no shadow entry for {name:?}"))?;
    let (_, hash) = entry
        .split_once(':')
        .ok_or_else(|| format!("unexpected shadow entry for {name:?}"))?;
    Ok(ShadowFact {
        hash: hash.to_string(),
    })
}

fn parse_umask(lines: &[&str]) -> Result<u32, String> {
    let text = field(lines, "umask:").ok_or("no umask output")?;
    u32::from_str_radix(text.trim(), 8).map_err(|_| format!("bad umask {text:?}"))
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
    fn home_paths_are_found_through_the_users_entry() {
        let requests = [
            FactRequest::HomePath {
                user: "root".into(),
                relative: ".".into(),
            },
            FactRequest::HomePath {
                user: "no-such-user-plimsoll".into(),
                relative: ".ssh".into(),
            },
        ];
        let facts = gather(&requests);
        let home = facts.home_path("root", ".").unwrap().unwrap();
        assert_eq!(home.file_type, FileType::Directory);
        assert!(
            facts
                .home_path("no-such-user-plimsoll", ".ssh")
                .unwrap()
                .is_none()
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
    fn links_resolve_to_their_final_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target file");
        std::fs::write(&target, "x").unwrap();
        let first = dir.path().join("first");
        let second = dir.path().join("second\nlink");
        std::os::unix::fs::symlink("target file", &first).unwrap();
        std::os::unix::fs::symlink(&first, &second).unwrap();
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink("nowhere", &dangling).unwrap();
        let requests = [
            FactRequest::Path(second.display().to_string()),
            FactRequest::Path(dangling.display().to_string()),
        ];
        let facts = gather(&requests);
        let link = facts.path(&second.display().to_string()).unwrap().unwrap();
        assert_eq!(link.file_type, FileType::Link);
        let resolved = link.resolved.as_ref().unwrap();
        assert_eq!(resolved.path, target.display().to_string());
        let end = resolved.fact.as_ref().unwrap();
        assert_eq!(end.file_type, FileType::File);
        assert_eq!(end.content.as_deref(), Some(&b"x"[..]));
        let dangling = facts
            .path(&dangling.display().to_string())
            .unwrap()
            .unwrap();
        assert_eq!(dangling.link_target.as_deref(), Some("nowhere"));
        let resolved = dangling.resolved.as_ref().unwrap();
        assert!(resolved.path.ends_with("/nowhere"));
        assert!(resolved.fact.is_none());
    }

    #[test]
    fn lists_trees_with_any_names() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a|b\nc $(touch pwned)");
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(sub.join("f"), "").unwrap();
        std::fs::set_permissions(sub.join("f"), std::fs::Permissions::from_mode(0o4750)).unwrap();
        std::os::unix::fs::symlink("f", sub.join("l")).unwrap();
        let empty = dir.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        let requests = [
            FactRequest::Tree(dir.path().display().to_string()),
            FactRequest::Tree(empty.display().to_string()),
            FactRequest::Tree(dir.path().join("missing").display().to_string()),
        ];
        let facts = gather(&requests);
        let tree = facts
            .tree(&dir.path().display().to_string())
            .unwrap()
            .unwrap();
        let names: Vec<&str> = tree.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            names,
            [
                "a|b\nc $(touch pwned)",
                "a|b\nc $(touch pwned)/f",
                "a|b\nc $(touch pwned)/l",
                "empty"
            ]
        );
        assert_eq!(tree[1].mode, 0o4750);
        assert_eq!(tree[1].file_type, FileType::File);
        assert_eq!(tree[2].file_type, FileType::Link);
        assert_eq!(tree[0].file_type, FileType::Directory);
        assert_eq!((tree[0].uid, tree[0].owner.as_str()), (0, "root"));
        assert_eq!(
            facts.tree(&empty.display().to_string()).unwrap(),
            Some(&[][..])
        );
        assert_eq!(
            facts
                .tree(&dir.path().join("missing").display().to_string())
                .unwrap(),
            None
        );
        assert!(!dir.path().join("pwned").exists());
    }

    #[test]
    fn reads_membership_shadow_and_umask() {
        // These tests run as root (the brief's test machine); root's shadow entry is readable.
        let requests = [
            FactRequest::User("root".into()),
            FactRequest::Shadow("root".into()),
            FactRequest::Shadow("no-such-user-plimsoll".into()),
            FactRequest::Umask,
            FactRequest::Group("0".into()),
        ];
        let facts = gather(&requests);
        let root = facts.user("root").unwrap().unwrap();
        assert_eq!(root.primary_group.as_deref(), Some("root"));
        assert!(root.home_exists);
        assert!(!facts.shadow("root").unwrap().unwrap().hash.is_empty());
        assert!(facts.shadow("no-such-user-plimsoll").unwrap().is_none());
        let umask = facts.umask().unwrap();
        assert!(umask <= 0o777);
        assert_eq!(facts.group("0").unwrap().unwrap().name, "root");
    }

    #[test]
    fn an_unreadable_fact_is_an_error_for_that_fact_only() {
        let requests = [
            FactRequest::Shadow("alice".into()),
            FactRequest::User("alice".into()),
        ];
        let output = "@@shadow\nunreadable:needs root\n@@user\nabsent\n";
        let facts = parse_batch_output(&requests, output).unwrap();
        assert!(facts.shadow("alice").unwrap_err().contains("needs root"));
        assert!(facts.user("alice").unwrap().is_none());
    }

    /// As a user who cannot search a directory on the way, a path below it is not reported absent
    /// (a plan would then create what already exists). Run as `nobody` when the tests run as root.
    #[test]
    fn a_path_behind_an_unsearchable_directory_is_unreadable_not_absent() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let locked = dir.path().join("locked");
        std::fs::create_dir(&locked).unwrap();
        std::fs::write(locked.join("file"), "x").unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let inside = locked.join("file").display().to_string();
        let below = locked.join("sub/deeper").display().to_string();
        let missing = dir.path().join("nothing/here").display().to_string();
        let requests = [
            FactRequest::Path(inside.clone()),
            FactRequest::Tree(below.clone()),
            FactRequest::Path(missing.clone()),
        ];
        let mut command = if runs_as_root() {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "sh"]);
            c
        } else {
            Command::new("sh")
        };
        let output = command
            .arg("-c")
            .arg(BATCH_SCRIPT)
            .arg("sh")
            .args(batch_args(&requests))
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let facts =
            parse_batch_output(&requests, &String::from_utf8_lossy(&output.stdout)).unwrap();
        let denied = format!(
            "permission denied: {} cannot be searched by",
            locked.display()
        );
        assert!(facts.path(&inside).unwrap_err().contains(&denied));
        assert!(facts.tree(&below).unwrap_err().contains(&denied));
        assert!(facts.path(&missing).unwrap().is_none());
    }

    fn runs_as_root() -> bool {
        Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
    }

    #[test]
    fn a_short_answer_is_an_error_not_a_guess() {
        let requests = [FactRequest::User("a".into()), FactRequest::User("b".into())];
        assert!(parse_batch_output(&requests, "@@user\nabsent\n").is_err());
    }
}

#[cfg(test)]
mod unknown_owner_tests {
    use super::*;

    #[test]
    fn an_owner_without_a_name_shows_its_number() {
        // A file whose uid no user has, as GNU stat reports it.
        let requests = [FactRequest::Path("/srv/x".into())];
        let output = "@@path\nstat:directory|750|UNKNOWN|UNKNOWN|999|998|4096\n";
        let facts = parse_batch_output(&requests, output).unwrap();
        let fact = facts.path("/srv/x").unwrap().unwrap();
        assert_eq!((fact.owner.as_str(), fact.group.as_str()), ("999", "998"));
    }
}
