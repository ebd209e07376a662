//! Malformed inventories: plimsoll must refuse them cleanly.
//!
//! Each tests/fixtures/inventory-errors/<case>/ has the inventory files, `args` (one
//! line: the arguments after `plimsoll inventory`) and `expect`: line 1 is a substring
//! stderr must contain (the `FILE:LINE:COL` of the problem, relative to the case
//! directory so it also matches absolute paths), line 2 a word the message must contain
//! (case-insensitive). Required: exit code exactly 1, both substrings, no panic.
//!
//! A case with a `generate` file is copied to a temporary directory first and the files
//! it names are created there (`<path> <bytes>` per line: an INI inventory of that size),
//! so huge inputs need not be committed.
//!
//! Ansible itself mostly only warns on these (it skips an unparsable source); what it
//! prints for each is recorded in `<case>/ansible.json` and summarised in README.md.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::support::{case_dirs, case_name, fixtures_dir, read_invocations, run_inventory, tail};

const MIN_CASES: usize = 15;

struct Expect {
    location: String,
    word: String,
}

fn read_expect(case: &Path) -> Result<Expect, String> {
    let text = std::fs::read_to_string(case.join("expect"))
        .map_err(|e| format!("cannot read expect: {e}"))?;
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    match (lines.next(), lines.next()) {
        (Some(location), Some(word)) => Ok(Expect {
            location: location.to_owned(),
            word: word.to_owned(),
        }),
        _ => Err("expect needs two lines: a location and a word".to_owned()),
    }
}

/// Writes an INI inventory of exactly `bytes` bytes: one group, many host lines.
fn generate_ini(path: &Path, bytes: usize) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let header = b"[generated]\n";
    out.write_all(header)?;
    let mut written = header.len();
    let mut n = 0u64;
    while written < bytes {
        let line = format!("host{n:012} role=filler\n");
        let take = line.len().min(bytes - written);
        out.write_all(line.as_bytes().get(..take).unwrap_or_default())?;
        written += take;
        n += 1;
    }
    out.flush()
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Where to run the case: the case itself, or a generated copy (kept alive by the guard).
fn workdir(case: &Path) -> Result<(PathBuf, Option<tempfile::TempDir>), String> {
    let spec = case.join("generate");
    if !spec.is_file() {
        return Ok((case.to_path_buf(), None));
    }
    let tmp = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
    let dir = tmp.path().join(case_name(case));
    copy_dir(case, &dir).map_err(|e| format!("copying case: {e}"))?;
    let text = std::fs::read_to_string(&spec).map_err(|e| format!("reading generate: {e}"))?;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let mut parts = line.split_whitespace();
        let (Some(name), Some(size)) = (parts.next(), parts.next()) else {
            return Err(format!("bad generate line: {line}"));
        };
        let size: usize = size
            .parse()
            .map_err(|e| format!("bad size in generate: {e}"))?;
        generate_ini(&dir.join(name), size).map_err(|e| format!("generating {name}: {e}"))?;
    }
    Ok((dir, Some(tmp)))
}

fn check_case(case: &Path) -> Result<(), String> {
    let expect = read_expect(case)?;
    let mut invocations = read_invocations(case)?;
    if invocations.len() != 1 {
        return Err(format!(
            "args must hold one invocation, found {}",
            invocations.len()
        ));
    }
    let args = invocations.remove(0);
    let (dir, _guard) = workdir(case)?;
    let got = run_inventory(&dir, &args);

    let mut problems = String::new();
    if got.timed_out {
        problems.push_str("    timed out (killed)\n");
    }
    if got.code != Some(1) {
        let _ = writeln!(
            problems,
            "    exit code {} (want 1)",
            got.code
                .map_or("from a signal".to_owned(), |c| c.to_string())
        );
    }
    if got.stderr.contains("panicked") {
        problems.push_str("    stderr shows a panic\n");
    }
    if !got.stderr.contains(&expect.location) {
        let _ = writeln!(
            problems,
            "    stderr lacks the location {:?}",
            expect.location
        );
    }
    if !got
        .stderr
        .to_lowercase()
        .contains(&expect.word.to_lowercase())
    {
        let _ = writeln!(problems, "    stderr lacks the word {:?}", expect.word);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        let _ = write!(problems, "    stderr:\n{}", tail(&got.stderr, 10));
        Err(format!("plimsoll inventory {}\n{problems}", args.join(" ")))
    }
}

#[test]
fn malformed_inventories_fail_with_a_location() {
    let root = fixtures_dir("inventory-errors");
    let cases = case_dirs(&root);
    assert!(
        cases.len() >= MIN_CASES,
        "only {} cases under {} (want at least {MIN_CASES})",
        cases.len(),
        root.display()
    );
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            check_case(case)
                .err()
                .map(|e| format!("{}: {e}", case_name(case)))
        })
        .collect();
    if !failures.is_empty() {
        panic!(
            "{} of {} malformed-inventory cases were not refused properly:\n\n{}",
            failures.len(),
            cases.len(),
            failures.join("\n")
        );
    }
}
