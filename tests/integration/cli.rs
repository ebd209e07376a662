//! The command line itself: help, version, completions, colour, exit codes.

use std::process::{Command, Stdio};

fn plimsoll(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_plimsoll"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn help_shows_examples_and_version_is_the_crates() {
    let help = plimsoll(&["--help"]);
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(
        text.contains("Examples:")
            && text.contains("plimsoll inventory -i inventory.example --graph"),
        "{text}"
    );
    let version = plimsoll(&["--version"]);
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("plimsoll {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn completions_for_each_shell() {
    for (shell, marker) in [
        ("bash", "_plimsoll()"),
        ("zsh", "#compdef plimsoll"),
        ("fish", "complete -c plimsoll"),
    ] {
        let out = plimsoll(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(marker),
            "{shell}"
        );
    }
}

#[test]
fn usage_errors_exit_1_and_no_color_means_no_escape_codes() {
    let out = plimsoll(&["inventory", "-i", "nonexistent-dir/hosts"]);
    assert_eq!(out.status.code(), Some(1));
    let bad = std::env::temp_dir().join(format!("plimsoll-cli-{}.ini", std::process::id()));
    std::fs::write(&bad, "[web\nh1\n").unwrap();
    let out = plimsoll(&["inventory", "-i", bad.to_str().unwrap(), "--list"]);
    std::fs::remove_file(&bad).ok();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(":1:1:"), "{stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "NO_COLOR must turn colour off: {stderr:?}"
    );
}
