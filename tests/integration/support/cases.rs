//! Helpers shared by the integration tests: locating fixtures, running the binary
//! with a timeout, splitting `args` lines, and describing differences readably.

use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How long one invocation may run before it is killed and reported as hung.
/// Generous because CI machines are small and debug builds are slow.
pub const INVOCATION_TIMEOUT: Duration = Duration::from_secs(120);

/// What a finished (or killed) invocation left behind.
pub struct Outcome {
    /// `None` when the process was killed by a signal or by our timeout.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
}

pub fn fixtures_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

/// Every case directory under `root`, sorted by name so reports are stable.
pub fn case_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", root.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

pub fn case_name(case: &Path) -> String {
    case.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The invocations listed in `<case>/args`: one per non-blank line, `#` lines are
/// comments. The regen script splits lines with Python's `shlex.split`, so the same
/// rules apply here (see [`split_shell_words`]).
pub fn read_invocations(case: &Path) -> Result<Vec<Vec<String>>, String> {
    let path = case.join("args");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| split_shell_words(l).map_err(|e| format!("{}: {e}: {l}", path.display())))
        .collect()
}

/// POSIX shell word splitting as `shlex.split` does it: whitespace separates words,
/// '…' is literal, "…" allows \" \\ \$ \` escapes, a bare backslash escapes the next
/// character. No expansion of any kind.
pub fn split_shell_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("unterminated single quote".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(e @ ('"' | '\\' | '$' | '`')) => word.push(e),
                            Some(e) => {
                                word.push('\\');
                                word.push(e);
                            }
                            None => return Err("unterminated double quote".into()),
                        },
                        Some(c) => word.push(c),
                        None => return Err("unterminated double quote".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(e) => word.push(e),
                    None => return Err("trailing backslash".into()),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// The program the tests drive. `PLIMSOLL_INVENTORY_BIN` replaces the built binary,
/// e.g. with a wrapper that runs the real `ansible-inventory` to prove the harness
/// itself (see tests/fixtures/inventory/README.md).
pub fn plimsoll_program() -> PathBuf {
    match std::env::var_os("PLIMSOLL_INVENTORY_BIN") {
        // Made absolute here: a relative program path would be looked up from the
        // child's working directory (the case directory), not from ours.
        Some(p) if !p.is_empty() => std::path::absolute(&p).unwrap_or_else(|_| PathBuf::from(p)),
        _ => PathBuf::from(env!("CARGO_BIN_EXE_plimsoll")),
    }
}

/// Runs `plimsoll inventory ARGS` in `cwd` and waits at most [`INVOCATION_TIMEOUT`].
pub fn run_inventory(cwd: &Path, args: &[String]) -> Outcome {
    let mut command = Command::new(plimsoll_program());
    command
        .arg("inventory")
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Its own process group, so a timeout also kills grandchildren (a wrapper script's
    // ansible-inventory) that would otherwise keep our pipes open forever.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", plimsoll_program().display()));

    // Drain both pipes on threads so a chatty child can't block on a full pipe.
    let mut out_pipe = child.stdout.take().expect("stdout is piped");
    let mut err_pipe = child.stderr.take().expect("stderr is piped");
    let out_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out_pipe.read_to_end(&mut buf);
        buf
    });
    let err_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err_pipe.read_to_end(&mut buf);
        buf
    });

    let deadline = Instant::now() + INVOCATION_TIMEOUT;
    let mut timed_out = false;
    let status = loop {
        match child.try_wait().expect("try_wait") {
            Some(status) => break status,
            None if Instant::now() >= deadline => {
                timed_out = true;
                #[cfg(unix)]
                let _ = Command::new("kill")
                    .args(["-KILL", &format!("-{}", child.id())])
                    .status();
                let _ = child.kill();
                break child.wait().expect("wait after kill");
            }
            None => thread::sleep(Duration::from_millis(20)),
        }
    };
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    Outcome {
        code: if timed_out { None } else { status.code() },
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        timed_out,
    }
}

/// Replaces the case directory's absolute path with `{CASE_DIR}`, as the regen script
/// does for Ansible's output.
pub fn normalise_paths(text: &str, case: &Path) -> String {
    let mut forms = vec![case.to_string_lossy().into_owned()];
    if let Ok(real) = case.canonicalize() {
        forms.push(real.to_string_lossy().into_owned());
    }
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    let mut text = text.to_owned();
    for form in forms {
        text = text.replace(&form, "{CASE_DIR}");
    }
    text
}

/// Expectation strings that stand for "any string": values that depend on the machine
/// Ansible ran on (see the regen script's normalisation).
const WILDCARDS: &[&str] = &["{ANSIBLE_PYTHON}"];

/// Lists where `got` differs from `expected` as `path: expected …, got …` lines.
/// Objects compare by key regardless of order; numbers keep their kind (1 ≠ 1.0),
/// as in Ansible's JSON output.
pub fn json_differences(expected: &serde_json::Value, got: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    walk("$", expected, got, &mut out);
    out
}

fn walk(path: &str, expected: &serde_json::Value, got: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match (expected, got) {
        (Value::String(e), Value::String(_)) if WILDCARDS.contains(&e.as_str()) => {}
        (Value::Object(e), Value::Object(g)) => {
            for (k, ev) in e {
                let sub = format!("{path}.{}", key_repr(k));
                match g.get(k) {
                    Some(gv) => walk(&sub, ev, gv, out),
                    None => out.push(format!("{sub}: missing (expected {})", short(ev))),
                }
            }
            for (k, gv) in g {
                if !e.contains_key(k) {
                    out.push(format!(
                        "{path}.{}: unexpected (got {})",
                        key_repr(k),
                        short(gv)
                    ));
                }
            }
        }
        (Value::Array(e), Value::Array(g)) if e.len() == g.len() => {
            for (i, (ev, gv)) in e.iter().zip(g).enumerate() {
                walk(&format!("{path}[{i}]"), ev, gv, out);
            }
        }
        _ if expected == got => {}
        _ => out.push(format!(
            "{path}: expected {}, got {}",
            short(expected),
            short(got)
        )),
    }
}

fn key_repr(k: &str) -> String {
    if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        k.to_owned()
    } else {
        format!("{k:?}")
    }
}

fn short(v: &serde_json::Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 160 {
        let cut: String = s.chars().take(157).collect();
        format!("{cut}...")
    } else {
        s
    }
}

/// A line diff of two short texts (LCS based), `-` for expected, `+` for got, at most
/// `max_lines` lines of output.
pub fn text_diff(expected: &str, got: &str, max_lines: usize) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let g: Vec<&str> = got.lines().collect();
    // Quadratic table; graphs in the corpus are a few dozen lines.
    let mut lcs = vec![vec![0usize; g.len() + 1]; e.len() + 1];
    for i in (0..e.len()).rev() {
        for j in (0..g.len()).rev() {
            lcs[i][j] = if e[i] == g[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut lines = Vec::new();
    while i < e.len() || j < g.len() {
        if i < e.len() && j < g.len() && e[i] == g[j] {
            lines.push(format!("  {}", e[i]));
            i += 1;
            j += 1;
        } else if i < e.len() && (j == g.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            lines.push(format!("- {}", e[i]));
            i += 1;
        } else {
            lines.push(format!("+ {}", g[j]));
            j += 1;
        }
    }
    let mut out = String::new();
    for line in lines.iter().take(max_lines) {
        let _ = writeln!(out, "      {line}");
    }
    if lines.len() > max_lines {
        let _ = writeln!(out, "      ... ({} more lines)", lines.len() - max_lines);
    }
    out
}

/// The last few lines of a stream, indented, for failure reports.
pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(n);
    let mut out = String::new();
    for line in lines.get(start..).unwrap_or_default() {
        let _ = writeln!(out, "      | {line}");
    }
    if out.is_empty() {
        out.push_str("      | (empty)\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn splits_like_python_shlex() {
        // shlex.split("-i hosts.ini --limit 'web:!db' \"a b\" c\\ d") in Python 3.11
        // gives ['-i', 'hosts.ini', '--limit', 'web:!db', 'a b', 'c d'].
        let words = split_shell_words(r#"-i hosts.ini --limit 'web:!db' "a b" c\ d"#).unwrap();
        assert_eq!(
            words,
            ["-i", "hosts.ini", "--limit", "web:!db", "a b", "c d"]
        );
        assert_eq!(split_shell_words(r#""x\"y\n""#).unwrap(), ["x\"y\\n"]);
        assert_eq!(split_shell_words("'' a").unwrap(), ["", "a"]);
        assert!(split_shell_words("'open").is_err());
    }

    #[test]
    fn json_differences_respect_number_kind_and_wildcards() {
        let e = json!({"a": 1, "b": [1, 2], "py": "{ANSIBLE_PYTHON}", "gone": true});
        let g = json!({"a": 1.0, "b": [1, 2], "py": "/usr/bin/python3", "new": null});
        let d = json_differences(&e, &g);
        assert_eq!(
            d,
            [
                "$.a: expected 1, got 1.0",
                "$.gone: missing (expected true)",
                "$.new: unexpected (got null)"
            ]
        );
    }

    #[test]
    fn text_diff_marks_changed_lines() {
        let d = text_diff("a\nb\nc", "a\nx\nc", 10);
        assert!(d.contains("- b") && d.contains("+ x") && d.contains("  a"));
        assert!(d.find("- b") < d.find("+ x"), "removals come first: {d}");
    }
}
