//! Docker-capable test hosts: each runs its own dockerd (docker-in-docker, `../shared/testbed.md` §3),
//! and a tiny busybox image built on this machine's engine, since no registry is reachable.
//!
//! Everything is named with the testbed's per-run prefix: hosts (and so every object inside their
//! engines) go when the [`DockerLab`] is dropped, images built here when their [`TestImage`] is, and
//! `testbed.sh down PREFIX` removes any `PREFIX-*` image a crashed run left behind.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use super::testbed::{Engines, Testbed};

/// How many times (half a second apart) to ask a fresh host's dockerd whether it is up.
const ENGINE_START_POLLS: u32 = 240;

/// Docker-capable hosts, with an inventory file and a working directory for playbooks.
pub struct DockerLab {
    pub testbed: Testbed,
    pub dir: tempfile::TempDir,
    pub inventory: PathBuf,
}

impl DockerLab {
    /// Starts `hosts` hosts (`h1`..`hN`), each with its own engine, and returns once every engine
    /// answers.
    pub fn start(hosts: usize) -> DockerLab {
        let testbed = Testbed::start_with(hosts, Engines::Inner);
        for i in 1..=hosts {
            wait_for_engine(&testbed, &format!("h{i}"));
        }
        let dir = tempfile::tempdir().unwrap();
        let inventory = dir.path().join("hosts.ini");
        testbed.write_inventory(&inventory);
        DockerLab {
            testbed,
            dir,
            inventory,
        }
    }

    /// The real `plimsoll` binary with `args` and this lab's inventory, run in the lab's directory.
    pub fn plimsoll(&self, args: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_plimsoll"));
        command
            .args(args)
            .arg("-i")
            .arg(&self.inventory)
            .current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        command.output().unwrap()
    }

    /// Writes `text` to `name` in the lab's directory (a playbook, a role file) and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, text).unwrap();
        path
    }

    /// `docker ARGS...` on `host`'s own engine over SSH; panics with its stderr unless it succeeds.
    /// Returns its stdout, trimmed.
    pub fn docker_on(&self, host: &str, args: &[&str]) -> String {
        let out = self.try_docker_on(host, args);
        assert!(
            out.status.success(),
            "docker {args:?} on {host}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// `docker ARGS...` on `host`'s own engine over SSH, whatever its outcome.
    pub fn try_docker_on(&self, host: &str, args: &[&str]) -> Output {
        let quoted: Vec<String> = args.iter().map(|a| shell_quote(a)).collect();
        self.testbed
            .ssh(host)
            .arg(format!("docker {}", quoted.join(" ")))
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }
}

/// Polls `docker info` inside `host` until its dockerd answers; panics with the end of its log if it
/// never does.
pub fn wait_for_engine(testbed: &Testbed, host: &str) {
    let container = testbed.container(host);
    for _ in 0..ENGINE_START_POLLS {
        let answered = Command::new("docker")
            .args(["exec", &container, "docker", "info", "--format", "{{.ID}}"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if answered {
            return;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let log = Command::new("docker")
        .args(["exec", &container, "tail", "-20", "/var/log/dockerd.log"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    panic!("the Docker engine inside {container} never answered; its log ends:\n{log}");
}

/// An image on this machine's engine, tagged `PREFIX-NAME:latest`; the tag is removed on drop.
pub struct TestImage {
    /// `PREFIX-NAME:latest`.
    pub tag: String,
    /// `sha256:...`.
    pub id: String,
}

impl TestImage {
    /// The busybox image (`/bin/sh`, `sleep`, `httpd`, ... as links to `/bin/busybox`), one layer. Its
    /// ID is the same on every run on this machine: it is built once, keyed on its inputs.
    pub fn busybox(testbed: &Testbed, name: &str) -> TestImage {
        let base = base_image();
        let tag = format!("{}-{name}:latest", testbed.prefix);
        docker_ok(&["tag", &base, &tag]);
        TestImage::named(tag)
    }

    /// The busybox image plus one layer holding `files` (absolute path in the image → contents): an
    /// image that differs from [`TestImage::busybox`] by exactly one layer.
    pub fn busybox_with(testbed: &Testbed, name: &str, files: &[(&str, &str)]) -> TestImage {
        let base = base_image();
        let context = tempfile::tempdir().unwrap();
        let layer = context.path().join("layer");
        for (path, contents) in files {
            let relative = path.trim_start_matches('/');
            let target = layer.join(relative);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(target, contents).unwrap();
        }
        std::fs::create_dir_all(&layer).unwrap();
        std::fs::write(
            context.path().join("Dockerfile"),
            format!("FROM {base}\nCOPY layer /\n"),
        )
        .unwrap();
        let tag = format!("{}-{name}:latest", testbed.prefix);
        build(context.path(), &tag);
        TestImage::named(tag)
    }

    fn named(tag: String) -> TestImage {
        let id = docker_ok(&["image", "inspect", "--format", "{{.Id}}", &tag]);
        TestImage { tag, id }
    }

    /// Puts this image into `host`'s engine the plain way (`docker save | ssh host docker load`), for
    /// tests that are not about delivering images.
    pub fn load_onto(&self, testbed: &Testbed, host: &str) {
        let mut save = Command::new("docker")
            .args(["save", &self.tag])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let load = testbed
            .ssh(host)
            .arg("docker load --quiet")
            .stdin(save.stdout.take().unwrap())
            .output()
            .unwrap();
        assert!(save.wait().unwrap().success(), "docker save {}", self.tag);
        assert!(
            load.status.success(),
            "docker load of {} on {host}: {}",
            self.tag,
            String::from_utf8_lossy(&load.stderr)
        );
    }
}

impl Drop for TestImage {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["image", "rm", &self.tag])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The cached busybox image's tag (`testbed.sh testimage` builds it once per machine).
fn base_image() -> String {
    let out = Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/testbed/testbed.sh"))
        .arg("testimage")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "testbed.sh testimage: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn build(context: &Path, tag: &str) {
    let out = Command::new("docker")
        .args(["build", "-q", "-t", tag])
        .arg(context)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "docker build {tag}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `docker ARGS...` on this machine's engine; its trimmed stdout.
fn docker_ok(args: &[&str]) -> String {
    let out = Command::new("docker")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// One word for a POSIX shell, whatever it contains.
pub fn shell_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', "'\\''"))
}
