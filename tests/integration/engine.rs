//! plan → apply → plan against real sshd hosts, with drift made behind plimsoll's back, a hostile
//! path, a stopped host, and the real ansible-playbook agreeing on what "converged" means.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::ansible;
use crate::support::testbed::Testbed;
use crate::support::text;

struct Lab {
    testbed: Testbed,
    dir: tempfile::TempDir,
    inventory: PathBuf,
}

impl Lab {
    fn start(hosts: usize) -> Lab {
        let testbed = Testbed::start(hosts);
        let dir = tempfile::tempdir().unwrap();
        let inventory = dir.path().join("hosts.ini");
        testbed.write_inventory(&inventory);
        Lab {
            testbed,
            dir,
            inventory,
        }
    }

    fn plimsoll(&self, args: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_plimsoll"));
        command.args(args).arg("-i").arg(&self.inventory);
        run(command, self.dir.path())
    }

    fn ssh(&self, host: &str, script: &str) -> Output {
        let status = Command::new("docker")
            .args(["exec", &self.testbed.container(host), "sh", "-c", script])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{script}: {}",
            String::from_utf8_lossy(&status.stderr)
        );
        status
    }
}

fn run(mut command: Command, cwd: &Path) -> Output {
    command
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn site() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("playbooks/site.yml")
        .display()
        .to_string()
}

#[test]
fn the_base_role_converges_and_drift_is_found_exactly_and_repaired() {
    let lab = Lab::start(2);
    let site = site();

    let first = lab.plimsoll(&["plan", &site, "--detailed-exitcode", "--stats"]);
    assert_eq!(first.status.code(), Some(2), "{}", text(&first));
    let report = text(&first);
    assert!(
        report.contains("Plan: 16 to create, 0 to update, 0 to delete."),
        "{report}"
    );
    // One connection and one batched read per host.
    assert!(
        report.contains("h1 1/1") && report.contains("h2 1/1"),
        "{report}"
    );

    let apply = lab.plimsoll(&["apply", &site]);
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply));
    assert!(
        text(&apply).contains("Apply: 16 changed, 0 unchanged, 0 failed, 0 skipped."),
        "{}",
        text(&apply)
    );

    let again = lab.plimsoll(&["plan", &site, "--detailed-exitcode"]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "a second plan must be empty: {}",
        text(&again)
    );

    // Drift behind the tool's back: a mode, a file body, a deleted user.
    lab.ssh(
        "h2",
        "chmod 600 /srv/app/README && echo extra >> /srv/app/conf/app.conf && userdel app",
    );
    let drift = lab.plimsoll(&["plan", &site, "--detailed-exitcode", "--limit", "h2"]);
    assert_eq!(drift.status.code(), Some(2), "{}", text(&drift));
    let drift = text(&drift);
    assert!(drift.contains("mode: '0600' → '0644'"), "{drift}");
    assert!(drift.contains("-extra"), "{drift}");
    assert!(
        drift.contains("ansible.builtin.user \"Service user\""),
        "{drift}"
    );
    assert!(
        !drift.contains("h1:"),
        "--limit h2 must leave h1 out: {drift}"
    );

    let repair = lab.plimsoll(&["apply", &site]);
    assert_eq!(repair.status.code(), Some(0), "{}", text(&repair));
    let clean = lab.plimsoll(&["plan", &site, "--detailed-exitcode"]);
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean));

    ansible_agrees(&lab, &site);
}

fn run_ansible(lab: &Lab, site: &str, extra: &[&str]) -> Option<String> {
    ansible::run_ansible(lab.dir.path(), &lab.inventory, site, extra)
}

#[test]
fn after_ansible_playbook_applies_plimsoll_finds_nothing_to_change() {
    let lab = Lab::start(1);
    let site = site();
    if run_ansible(&lab, &site, &[]).is_none() {
        return;
    }
    let out = lab.plimsoll(&["plan", &site, "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

/// After plimsoll converged the hosts, ansible-playbook --check reports nothing to change.
fn ansible_agrees(lab: &Lab, site: &str) {
    let Some(output) = run_ansible(lab, site, &["--check"]) else {
        return;
    };
    for host in ["h1", "h2"] {
        let recap = ansible::recap(&output, host);
        assert!(
            recap.contains("changed=0") && recap.contains("failed=0"),
            "{host}: {output}"
        );
    }
}

#[test]
fn a_stopped_host_fails_in_bounded_time_while_the_others_converge() {
    let lab = Lab::start(2);
    let site = site();
    lab.testbed.docker(&["stop", "-t", "1"], "h2");
    let started = Instant::now();
    let out = lab.plimsoll(&["apply", &site]);
    let elapsed = started.elapsed();
    let output = text(&out);
    assert_eq!(out.status.code(), Some(1), "{output}");
    assert!(
        output.contains("h2"),
        "the stopped host must be named: {output}"
    );
    assert!(
        output.contains("Apply: 8 changed"),
        "h1 must converge: {output}"
    );
    // The connect timeout is 10 s; the bound leaves room for a loaded CI machine, not a hang.
    assert!(elapsed < Duration::from_secs(60), "took {elapsed:?}");
}

#[test]
fn paths_with_quotes_spaces_and_substitutions_are_literal() {
    let lab = Lab::start(1);
    let playbook = lab.dir.path().join("hostile.yml");
    std::fs::write(
        &playbook,
        "- hosts: all\n  gather_facts: false\n  tasks:\n    - name: odd directory\n      file:\n        path: \"/tmp/it's a $(mkdir PWNED) dir\"\n        state: directory\n    - name: odd file\n      copy:\n        dest: \"/tmp/it's a $(mkdir PWNED) dir/`mkdir PWNED` \\\"x\\\"\"\n        content: \"hello\\n\"\n",
    )
    .unwrap();
    let playbook = playbook.display().to_string();
    let out = lab.plimsoll(&["apply", &playbook]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let listing = lab.ssh(
        "h1",
        "ls /tmp \"/tmp/it's a \\$(mkdir PWNED) dir\"; test -z \"$(find / -xdev -maxdepth 3 -name PWNED)\" && echo clean",
    );
    let listing = String::from_utf8_lossy(&listing.stdout).into_owned();
    assert!(listing.contains("it's a $(mkdir PWNED) dir"), "{listing}");
    assert!(listing.contains("`mkdir PWNED` \"x\""), "{listing}");
    assert!(
        listing.contains("clean"),
        "a path must never run as code: {listing}"
    );
    let again = lab.plimsoll(&["plan", &playbook, "--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
}

#[test]
fn bad_playbooks_exit_1_with_locations_before_connecting() {
    let lab_dir = tempfile::tempdir().unwrap();
    let playbook = lab_dir.path().join("bad.yml");
    std::fs::write(
        &playbook,
        "- hosts: all\n  tasks:\n    - shell: rm -rf /\n    - file:\n        path: /x\n        mode: 0644\n        owner: \"{{ nobody_defined }}\"\n",
    )
    .unwrap();
    let inventory = lab_dir.path().join("hosts");
    std::fs::write(&inventory, "unreachable.invalid\n").unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_plimsoll"));
    command.args([
        "plan",
        playbook.to_str().unwrap(),
        "-i",
        inventory.to_str().unwrap(),
    ]);
    let out = run(command, lab_dir.path());
    let output = text(&out);
    assert_eq!(out.status.code(), Some(1), "{output}");
    assert!(output.contains("bad.yml:3:7"), "{output}");
    assert!(
        output.contains("nobody_defined"),
        "every problem is reported: {output}"
    );
}

/// Nanoseconds since the epoch at which `path` was last written on `host` (the hosts share the
/// machine's clock, so times on different hosts compare).
fn written_at(lab: &Lab, host: &str, path: &str) -> u128 {
    let out = lab.ssh(host, &format!("stat -c %.9Y {path}"));
    let text = String::from_utf8_lossy(&out.stdout).trim().replace('.', "");
    text.parse()
        .unwrap_or_else(|e| panic!("{host}:{path}: {text:?}: {e}"))
}

#[test]
fn serial_batches_run_in_turn_and_max_fail_percentage_stops_the_play() {
    let lab = Lab::start(3);
    let playbook = lab.dir.path().join("rolling.yml");
    std::fs::write(
        &playbook,
        "- hosts: all\n  serial: 1\n  max_fail_percentage: 0\n  gather_facts: false\n  tasks:\n    - name: first\n      copy: {dest: /tmp/rolling-a, content: \"a\\n\", owner: \"{{ rolling_owner | default('root') }}\"}\n    - name: second\n      copy: {dest: /tmp/rolling-b, content: \"b\\n\"}\n",
    )
    .unwrap();
    let playbook = playbook.display().to_string();
    let out = lab.plimsoll(&["apply", &playbook]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // One host at a time: each host's last write comes before the next host's first.
    let h1_done = written_at(&lab, "h1", "/tmp/rolling-b");
    let h2_start = written_at(&lab, "h2", "/tmp/rolling-a");
    let h2_done = written_at(&lab, "h2", "/tmp/rolling-b");
    let h3_start = written_at(&lab, "h3", "/tmp/rolling-a");
    assert!(
        h1_done <= h2_start,
        "h1 finished at {h1_done}, h2 started at {h2_start}"
    );
    assert!(
        h2_done <= h3_start,
        "h2 finished at {h2_done}, h3 started at {h3_start}"
    );

    // Now h2's first task fails: its batch is over the 0% threshold, so h3 is never touched.
    std::fs::create_dir_all(lab.dir.path().join("host_vars")).unwrap();
    std::fs::write(
        lab.dir.path().join("host_vars/h2.yml"),
        "rolling_owner: no-such-user-plimsoll\n",
    )
    .unwrap();
    for host in ["h1", "h2", "h3"] {
        lab.ssh(host, "rm -f /tmp/rolling-a /tmp/rolling-b");
    }
    let out = lab.plimsoll(&["apply", &playbook]);
    let output = text(&out);
    assert_eq!(out.status.code(), Some(1), "{output}");
    assert!(output.contains("FAILED"), "{output}");
    assert!(
        output.contains("stopped: 1 of 1 hosts in batch 2 failed (max_fail_percentage 0)"),
        "{output}"
    );
    lab.ssh("h1", "test -f /tmp/rolling-b");
    lab.ssh("h3", "test ! -e /tmp/rolling-a && test ! -e /tmp/rolling-b");
}

#[test]
fn a_paused_host_is_reported_in_bounded_time_while_the_others_converge() {
    let lab = Lab::start(2);
    let site = site();
    lab.testbed.docker(&["pause"], "h2");
    let started = Instant::now();
    let out = lab.plimsoll(&["apply", &site]);
    let elapsed = started.elapsed();
    lab.testbed.docker(&["unpause"], "h2");
    let output = text(&out);
    assert_eq!(out.status.code(), Some(1), "{output}");
    assert!(
        output.contains("h2"),
        "the paused host must be named: {output}"
    );
    assert!(
        output.contains("Apply: 8 changed"),
        "h1 must converge: {output}"
    );
    assert!(elapsed < Duration::from_secs(90), "took {elapsed:?}");
}

#[test]
fn ctrl_c_stops_new_work_and_reports_what_ran() {
    let lab = Lab::start(1);
    let playbook = lab.dir.path().join("many.yml");
    std::fs::write(
        &playbook,
        "- hosts: all\n  gather_facts: false\n  tasks:\n    - name: marker\n      copy: {dest: \"/tmp/many-{{ item }}\", content: \"x\\n\"}\n      loop: \"{{ range(400) | list }}\"\n",
    )
    .unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_plimsoll"));
    command
        .args(["apply", playbook.to_str().unwrap(), "--forks", "1", "-i"])
        .arg(&lab.inventory)
        .current_dir(lab.dir.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = command.spawn().unwrap();
    // Interrupt once the apply has really started on the host.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let out = Command::new("docker")
            .args([
                "exec",
                &lab.testbed.container("h1"),
                "sh",
                "-c",
                "ls /tmp | grep -c '^many-' || true",
            ])
            .output()
            .unwrap();
        let made: usize = String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .unwrap_or(0);
        if made >= 3 {
            break;
        }
        assert!(Instant::now() < deadline, "the apply never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = child.id().to_string();
    let kill = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    let output = text(&out);
    assert_eq!(out.status.code(), Some(1), "{output}");
    assert!(
        output.contains("cancelled: nothing new was started after Ctrl-C"),
        "{output}"
    );
    assert!(output.contains("skipped: cancelled"), "{output}");
    let changed = output.matches(": changed\n").count();
    let listing = lab.ssh("h1", "ls /tmp | grep -c '^many-'");
    let made: usize = String::from_utf8_lossy(&listing.stdout)
        .trim()
        .parse()
        .unwrap();
    // What the report calls changed is exactly what exists: nothing ran unreported.
    assert_eq!(changed, made, "{output}");
    assert!(made < 400, "{output}");
}
