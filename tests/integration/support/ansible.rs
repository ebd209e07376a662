//! The real `ansible-playbook` from the reference virtualenv (`scripts/setup.sh` builds it and sets
//! `PLIMSOLL_ANSIBLE_VENV`), run against the testbed's hosts for parity checks.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::text;

/// The real ansible-playbook. Outside CI a run without the venv skips the comparison (with a note);
/// in CI the comparison must run, so a missing venv fails the test.
pub fn ansible_playbook() -> Option<PathBuf> {
    let Some(venv) = std::env::var_os("PLIMSOLL_ANSIBLE_VENV") else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the Ansible comparison: PLIMSOLL_ANSIBLE_VENV is not set (scripts/test.sh sets it)"
        );
        eprintln!(
            "PLIMSOLL_ANSIBLE_VENV not set: run through scripts/test.sh to compare with Ansible"
        );
        return None;
    };
    Some(PathBuf::from(venv).join("bin/ansible-playbook"))
}

/// `ansible-playbook -i INVENTORY PLAYBOOK EXTRA...` in `dir`, with no user configuration and no
/// colour; panics with its output unless it succeeds, and returns that output (stdout then stderr).
/// `None` when there is no reference Ansible outside CI (see [`ansible_playbook`]).
pub fn run_ansible(dir: &Path, inventory: &Path, playbook: &str, extra: &[&str]) -> Option<String> {
    let config = dir.join("none.cfg");
    std::fs::write(&config, "").unwrap();
    let out = Command::new(ansible_playbook()?)
        .arg("-i")
        .arg(inventory)
        .arg(playbook)
        .args(extra)
        .current_dir(dir)
        .env("ANSIBLE_CONFIG", &config)
        .env("ANSIBLE_NOCOLOR", "1")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let output = text(&out);
    assert!(out.status.success(), "ansible-playbook {extra:?}: {output}");
    Some(output)
}

/// The `PLAY RECAP` line of `host` in ansible-playbook's output.
pub fn recap<'a>(output: &'a str, host: &str) -> &'a str {
    output
        .lines()
        .skip_while(|l| !l.starts_with("PLAY RECAP"))
        .find(|l| l.split_whitespace().next() == Some(host) && l.contains("ok="))
        .unwrap_or_else(|| panic!("no PLAY RECAP line for {host}: {output}"))
}
