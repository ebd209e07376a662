//! Real test hosts (scripts/testbed/testbed.sh): containers with their own IP and sshd, named with a
//! per-run prefix and removed when the `Testbed` is dropped.
//!
//! A missing Docker engine fails the test (in CI and locally): these tests must never pass without
//! having run. A watchdog process removes the hosts if the test binary dies before `Drop` runs (a
//! panic in another thread, SIGKILL, or a testbed kept in a `static`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use plimsoll::inventory::{Inventory, LoadOptions};
use plimsoll::secrets::VaultSecrets;
use plimsoll::value::{Map, Value};

pub struct Testbed {
    pub prefix: String,
    /// The INI inventory the script printed.
    pub inventory: String,
    /// Written by the script with every host's ED25519 key.
    pub known_hosts: PathBuf,
    inventory_dir: tempfile::TempDir,
    watchdog: Option<Child>,
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/testbed/testbed.sh")
}

fn state_dir(prefix: &str) -> PathBuf {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    cache.join("plimsoll/testbed").join(prefix)
}

/// Panics unless a Docker engine answers: the end-to-end tests cannot run without one, and must not
/// pretend they did.
fn require_docker() {
    let info = Command::new("docker")
        .args(["info", "--format", "{{.ServerVersion}}"])
        .stdin(Stdio::null())
        .output();
    match info {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "no Docker engine answers (`docker info`: {}). The end-to-end tests need one: run \
             `bash scripts/testbed/testbed.sh engine` (CI={})",
            String::from_utf8_lossy(&out.stderr).trim(),
            std::env::var("CI").unwrap_or_default()
        ),
        Err(e) => panic!(
            "cannot run `docker` ({e}). The end-to-end tests need a Docker engine: run \
             `bash scripts/testbed/testbed.sh engine`"
        ),
    }
}

/// Whether hosts run their own Docker engine.
#[derive(Clone, Copy)]
pub enum Engines {
    /// As the environment says (`TESTBED_LIGHT=1`: sshd only).
    Default,
    /// Every host runs its own dockerd, whatever `TESTBED_LIGHT` says.
    Inner,
}

impl Testbed {
    /// Starts `count` hosts on a free /24 subnet.
    pub fn start(count: usize) -> Testbed {
        Testbed::start_with(count, Engines::Default)
    }

    pub fn start_with(count: usize, engines: Engines) -> Testbed {
        require_docker();
        let prefix = format!(
            "pltest-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let watchdog = spawn_watchdog(&prefix);
        let mut last_error = String::new();
        // Other test runs may hold subnets; pick another on an overlap.
        for attempt in 0..6u32 {
            let seed = std::process::id() as usize * 31
                + attempt as usize * 7
                + NEXT.load(Ordering::Relaxed) * 13;
            let subnet = format!("10.{}.{}.0/24", 140 + seed % 100, (seed / 100) % 250);
            let mut up = Command::new("bash");
            up.arg(script())
                .args(["up", &prefix, &count.to_string(), &subnet])
                .stdin(Stdio::null());
            if let Engines::Inner = engines {
                up.env("TESTBED_LIGHT", "0");
            }
            let out = up.output().expect("running testbed.sh");
            if out.status.success() {
                let inventory = String::from_utf8_lossy(&out.stdout).into_owned();
                let inventory_dir = tempfile::tempdir().expect("temp dir");
                eprintln!("testbed {prefix} up on {subnet}");
                return Testbed {
                    known_hosts: state_dir(&prefix).join("known_hosts"),
                    prefix,
                    inventory,
                    inventory_dir,
                    watchdog,
                };
            }
            last_error = String::from_utf8_lossy(&out.stderr).into_owned();
            down(&prefix);
        }
        panic!("testbed.sh up {prefix} failed: {last_error}");
    }

    /// An INI inventory of these hosts that trusts their keys (and only theirs), written to `path`.
    pub fn write_inventory(&self, path: &Path) {
        let text = format!(
            "{}\n[all:vars]\nansible_ssh_common_args='-o UserKnownHostsFile={}'\n",
            self.inventory,
            self.known_hosts.display()
        );
        std::fs::write(path, text).unwrap();
    }

    /// The container of inventory host `host`.
    pub fn container(&self, host: &str) -> String {
        format!("{}-{host}", self.prefix)
    }

    /// The address of inventory host `host`.
    pub fn ip(&self, host: &str) -> String {
        self.inventory
            .lines()
            .filter(|line| line.split_whitespace().next() == Some(host))
            .flat_map(|line| line.split_whitespace())
            .find_map(|word| word.strip_prefix("ansible_host="))
            .unwrap_or_else(|| panic!("no {host} in the testbed inventory"))
            .to_string()
    }

    /// The private key every host accepts for root.
    pub fn key(&self) -> PathBuf {
        state_dir(&self.prefix).join("id_ed25519")
    }

    /// `ssh root@host COMMAND_LINE` with the testbed's key and known hosts (the line goes through the
    /// host's shell).
    pub fn ssh(&self, host: &str) -> Command {
        let mut command = Command::new("ssh");
        command
            .arg("-i")
            .arg(self.key())
            .arg("-o")
            .arg(format!("UserKnownHostsFile={}", self.known_hosts.display()))
            .args(["-o", "BatchMode=yes", "-o", "ConnectTimeout=10"])
            .arg(format!("root@{}", self.ip(host)));
        command
    }

    /// `host`'s variables from the inventory the script printed, loaded by plimsoll's own inventory
    /// code, plus `extra` INI `key=value` words on the host line.
    pub fn host_vars(&self, host: &str, extra: &str) -> Map {
        let text: String = self
            .inventory
            .lines()
            .map(|line| {
                if line.split_whitespace().next() == Some(host) {
                    format!("{line} {extra}\n")
                } else {
                    format!("{line}\n")
                }
            })
            .collect();
        let path = self.inventory_dir.path().join(format!(
            "inventory-{}.ini",
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, text).expect("writing the test inventory");
        let sources = [path.to_string_lossy().into_owned()];
        let secrets = VaultSecrets::default();
        let (inventory, _warnings) = Inventory::load(&LoadOptions {
            sources: &sources,
            secrets: &secrets,
            playbook_dir: None,
            cwd: self.inventory_dir.path(),
        })
        .unwrap_or_else(|e| panic!("loading the test inventory: {e:?}"));
        inventory
            .host_vars(host)
            .unwrap_or_else(|e| panic!("vars of {host}: {e:?}"))
    }

    /// `host`'s variables with the testbed's known_hosts file (strict checking then succeeds).
    pub fn trusted_vars(&self, host: &str) -> Map {
        let mut vars = self.host_vars(host, "");
        vars.insert(
            "ansible_ssh_common_args".into(),
            Value::Str(format!(
                "-o UserKnownHostsFile={}",
                self.known_hosts.display()
            )),
        );
        vars
    }

    /// `docker ARGS... CONTAINER-of-host`, e.g. `docker(&["pause"], "h1")`.
    pub fn docker(&self, args: &[&str], host: &str) {
        let status = Command::new("docker")
            .args(args)
            .arg(self.container(host))
            .stdout(Stdio::null())
            .status()
            .expect("running docker");
        assert!(status.success(), "docker {args:?} {host} failed");
    }
}

impl Drop for Testbed {
    fn drop(&mut self) {
        down(&self.prefix);
        if let Some(mut watchdog) = self.watchdog.take() {
            let _ = watchdog.kill();
            let _ = watchdog.wait();
        }
    }
}

fn down(prefix: &str) {
    let _ = Command::new("bash")
        .arg(script())
        .args(["down", prefix])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status();
}

/// A detached shell that runs `testbed.sh down PREFIX` once this test process is gone.
fn spawn_watchdog(prefix: &str) -> Option<Child> {
    use std::os::unix::process::CommandExt;
    Command::new("sh")
        .args([
            "-c",
            "while kill -0 \"$1\" 2>/dev/null; do sleep 1; done; exec bash \"$2\" down \"$3\"",
            "testbed-watchdog",
            &std::process::id().to_string(),
            &script().to_string_lossy(),
            prefix,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Its own process group, so a Ctrl-C aimed at the test run does not stop the cleanup.
        .process_group(0)
        .spawn()
        .ok()
}

/// One testbed shared by every test that leaves its hosts as it found them; removed by the watchdog
/// when the test binary exits (statics are never dropped).
pub fn shared(count: usize) -> &'static Testbed {
    static SHARED: OnceLock<Testbed> = OnceLock::new();
    SHARED.get_or_init(|| Testbed::start(count))
}
