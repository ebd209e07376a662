//! `plimsoll inventory` must print what `ansible-inventory` prints.
//!
//! Walks tests/fixtures/inventory/<case>/: each line of `args` is one invocation, and
//! `expected/<N>.json` holds what ansible-core 2.19.14 printed for it (recorded by
//! scripts/regen-inventory-fixtures, whose `--check` mode proves the files are exactly
//! Ansible's output). Compared: success vs failure of the exit code, and on success
//! stdout — as JSON values for --list/--host (key order free, number kinds strict), as
//! text for --graph (trailing newlines free). Every disagreement is collected and the
//! test fails once with all of them.

use std::fmt::Write as _;
use std::path::Path;

use crate::support::{
    case_dirs, case_name, fixtures_dir, json_differences, normalise_paths, read_invocations,
    run_inventory, tail, text_diff,
};

/// Below this the corpus has lost cases (or was never there) and passing means nothing.
const MIN_CASES: usize = 30;
const MAX_DETAIL_LINES: usize = 12;
const MAX_DETAILED_FAILURES: usize = 30;

struct Expected {
    args: Vec<String>,
    exit_code: i64,
    stdout: String,
}

fn load_expected(path: &Path) -> Result<Expected, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
    let args = v["args"]
        .as_array()
        .ok_or("no \"args\" array")?
        .iter()
        .map(|a| {
            a.as_str()
                .map(str::to_owned)
                .ok_or("non-string in \"args\"")
        })
        .collect::<Result<Vec<_>, _>>()?;
    let exit_code = v["exit_code"].as_i64().ok_or("no integer \"exit_code\"")?;
    let stdout = v["stdout"]
        .as_str()
        .ok_or("no string \"stdout\"")?
        .to_owned();
    Ok(Expected {
        args,
        exit_code,
        stdout,
    })
}

/// Compares one invocation; `None` when plimsoll agrees with Ansible.
fn compare(case: &Path, expected: &Expected) -> Option<String> {
    let got = run_inventory(case, &expected.args);
    let mut report = String::new();
    if got.timed_out {
        return Some("    timed out (killed)\n".to_owned());
    }
    if got.stderr.contains("panicked") {
        let _ = write!(report, "    panicked:\n{}", tail(&got.stderr, 8));
        return Some(report);
    }
    let want_ok = expected.exit_code == 0;
    let got_ok = got.code == Some(0);
    if want_ok != got_ok {
        let _ = write!(
            report,
            "    exit code: ansible-inventory gave {}, plimsoll gave {}\n    plimsoll stderr:\n{}",
            expected.exit_code,
            got.code.map_or("a signal".to_owned(), |c| c.to_string()),
            tail(&got.stderr, 8)
        );
        return Some(report);
    }
    if !want_ok {
        return None; // both refused; wording is not compared
    }

    let stdout = normalise_paths(&got.stdout, case);
    if expected.args.iter().any(|a| a == "--graph") {
        let want = expected.stdout.trim_end_matches('\n');
        let have = stdout.trim_end_matches('\n');
        if want != have {
            let _ = write!(
                report,
                "    --graph text differs (- ansible, + plimsoll):\n{}",
                text_diff(want, have, 40)
            );
            return Some(report);
        }
        return None;
    }

    let want: serde_json::Value = match serde_json::from_str(&expected.stdout) {
        Ok(v) => v,
        Err(e) => return Some(format!("    expectation stdout is not JSON: {e}\n")),
    };
    let have: serde_json::Value = match serde_json::from_str(&stdout) {
        Ok(v) => v,
        Err(e) => {
            let _ = write!(
                report,
                "    plimsoll stdout is not JSON ({e}):\n{}    plimsoll stderr:\n{}",
                tail(&stdout, 6),
                tail(&got.stderr, 6)
            );
            return Some(report);
        }
    };
    let diffs = json_differences(&want, &have);
    if diffs.is_empty() {
        return None;
    }
    let _ = writeln!(report, "    JSON differs in {} place(s):", diffs.len());
    for d in diffs.iter().take(MAX_DETAIL_LINES) {
        let _ = writeln!(report, "      {d}");
    }
    if diffs.len() > MAX_DETAIL_LINES {
        let _ = writeln!(
            report,
            "      ... and {} more",
            diffs.len() - MAX_DETAIL_LINES
        );
    }
    Some(report)
}

#[test]
fn inventory_output_matches_ansible() {
    let root = fixtures_dir("inventory");
    let mut failures: Vec<String> = Vec::new();
    let mut invocations = 0usize;

    // PLIMSOLL_PARITY_CASES=a,b runs only those cases (for debugging one case quickly).
    let only: Option<Vec<String>> = std::env::var("PLIMSOLL_PARITY_CASES")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect());
    for case in case_dirs(&root) {
        let name = case_name(&case);
        if only.as_ref().is_some_and(|o| !o.contains(&name)) {
            continue;
        }
        let lines = match read_invocations(&case) {
            Ok(lines) => lines,
            Err(e) => {
                failures.push(format!("{name}: {e}\n"));
                continue;
            }
        };
        for (i, args) in lines.iter().enumerate() {
            let n = i + 1;
            invocations += 1;
            let label = format!("{name} #{n}: plimsoll inventory {}", args.join(" "));
            let path = case.join("expected").join(format!("{n}.json"));
            let expected = match load_expected(&path) {
                Ok(e) => e,
                Err(e) => {
                    failures.push(format!(
                        "{label}\n    expected/{n}.json: {e} (run scripts/regen-inventory-fixtures)\n"
                    ));
                    continue;
                }
            };
            if &expected.args != args {
                failures.push(format!(
                    "{label}\n    expected/{n}.json was recorded for {:?}; the args file is newer \
                     (run scripts/regen-inventory-fixtures)\n",
                    expected.args
                ));
                continue;
            }
            if let Some(report) = compare(&case, &expected) {
                failures.push(format!("{label}\n{report}"));
            }
        }
        // An expected file without an args line means the corpus and args drifted apart.
        if let Ok(entries) = std::fs::read_dir(case.join("expected")) {
            for entry in entries.flatten() {
                let file = entry.file_name().to_string_lossy().into_owned();
                let n: Option<usize> = file.strip_suffix(".json").and_then(|s| s.parse().ok());
                if n.is_none_or(|n| n == 0 || n > lines.len()) {
                    failures.push(format!("{name}: expected/{file} has no args line\n"));
                }
            }
        }
    }

    assert!(
        invocations > 0,
        "no invocations found under {}",
        root.display()
    );
    if !failures.is_empty() {
        // Full detail for the first ones, then just the headlines: a CLI that is broken
        // everywhere should not bury the report in thousands of lines.
        let mut report = failures
            .iter()
            .take(MAX_DETAILED_FAILURES)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n");
        if failures.len() > MAX_DETAILED_FAILURES {
            let _ = writeln!(
                report,
                "\n... {} more (PLIMSOLL_PARITY_CASES=case,... narrows the run):",
                failures.len() - MAX_DETAILED_FAILURES
            );
            for f in failures.iter().skip(MAX_DETAILED_FAILURES) {
                let _ = writeln!(report, "  {}", f.lines().next().unwrap_or_default());
            }
        }
        panic!(
            "{} of {} inventory invocations disagree with ansible-inventory:\n\n{report}",
            failures.len(),
            invocations,
        );
    }
}

#[test]
fn inventory_corpus_is_substantial() {
    let root = fixtures_dir("inventory");
    let cases = case_dirs(&root);
    assert!(
        cases.len() >= MIN_CASES,
        "only {} cases under {} (want at least {MIN_CASES})",
        cases.len(),
        root.display()
    );
    let mut total = 0;
    for case in &cases {
        let lines = read_invocations(case).unwrap_or_default();
        assert!(!lines.is_empty(), "{} has no invocations", case.display());
        total += lines.len();
    }
    // Every case also needs its recorded output; the parity test reports which ones.
    assert!(
        total >= 3 * MIN_CASES,
        "only {total} invocations in the corpus"
    );
}
