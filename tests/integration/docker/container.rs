//! `community.docker.docker_container` end to end: the real `plimsoll` binary against a host's own
//! engine. Apply converges; drift made behind plimsoll's back (a removed container, one recreated
//! with another env value, a stopped one, a left network) is found and repaired; a changed port is
//! a recreate the plan names; limits change in place; a healthcheck that never passes fails with
//! the container's name and its last health log.

use std::process::Output;

use crate::support::docker::{DockerLab, TestImage};
use crate::support::text;

/// The web container's task; `port` and `memory` vary between runs of the test.
fn playbook(project: &str, image: &str, network: &str, port: u16, memory: &str) -> String {
    format!(
        r#"- hosts: all
  gather_facts: false
  vars:
    plimsoll_project: {project}
  tasks:
    - name: web container
      community.docker.docker_container:
        name: web
        image: {image}
        command: [httpd, -f, -p, "8080"]
        env:
          APP_MODE: one
          SECRET_TOKEN: hunter2
        published_ports: ["{port}:8080"]
        restart_policy: unless-stopped
        memory: {memory}
        networks:
          - name: {network}
            aliases: [www]
        healthcheck:
          test: "true"
          interval: 1s
          retries: 3
"#
    )
}

struct Case<'a> {
    lab: &'a DockerLab,
    playbook: String,
}

impl Case<'_> {
    fn plan(&self) -> Output {
        self.lab
            .plimsoll(&["plan", &self.playbook, "--detailed-exitcode"])
    }

    /// Plans (expecting changes, whose text is returned), applies, and checks the next plan is empty.
    fn repair(&self) -> String {
        let plan = self.plan();
        let shown = text(&plan);
        eprintln!("{shown}");
        assert_eq!(plan.status.code(), Some(2), "{shown}");
        assert!(!shown.contains("hunter2"), "a secret printed: {shown}");
        let apply = self.lab.plimsoll(&["apply", &self.playbook]);
        assert_eq!(apply.status.code(), Some(0), "{}", text(&apply));
        let again = self.plan();
        assert_eq!(
            again.status.code(),
            Some(0),
            "the plan after apply must be empty: {}",
            text(&again)
        );
        shown
    }

    fn web(&self, format: &str) -> String {
        self.lab
            .docker_on("h1", &["inspect", "--format", format, "web"])
    }
}

#[test]
fn a_container_converges_and_drift_is_found_and_repaired() {
    let lab = DockerLab::start(1);
    let image = TestImage::busybox(&lab.testbed, "web");
    image.load_onto(&lab.testbed, "h1");
    let project = lab.testbed.prefix.clone();
    let network = format!("{project}-front");
    lab.docker_on("h1", &["network", "create", &network]);
    let write = |port, memory| {
        lab.write(
            "site.yml",
            &playbook(&project, &image.tag, &network, port, memory),
        )
        .display()
        .to_string()
    };
    let case = Case {
        lab: &lab,
        playbook: write(18080, "32m"),
    };

    let created = case.repair();
    assert!(created.contains("Plan: 1 to create"), "{created}");
    assert!(
        created.contains("env.SECRET_TOKEN: (sensitive value)"),
        "{created}"
    );
    assert_eq!(
        case.web("{{index .Config.Labels \"io.plimsoll.project\"}}"),
        project,
        "the container carries the ownership label"
    );
    assert_eq!(case.web("{{.State.Health.Status}}"), "healthy");

    // Removed behind plimsoll's back: created again.
    lab.docker_on("h1", &["rm", "-f", "web"]);
    let recreated = case.repair();
    assert!(recreated.contains("Plan: 1 to create"), "{recreated}");

    // Recreated by hand with another value for one variable: a recreate naming that variable, with
    // both values masked.
    lab.docker_on("h1", &["rm", "-f", "web"]);
    lab.docker_on(
        "h1",
        &[
            "run",
            "-d",
            "--name",
            "web",
            "--network",
            &network,
            "--network-alias",
            "www",
            "-e",
            "APP_MODE=two",
            "-e",
            "SECRET_TOKEN=hunter2",
            "-p",
            "0.0.0.0:18080:8080",
            "--restart",
            "unless-stopped",
            "--memory",
            "32m",
            "--health-cmd",
            "true",
            "--health-interval",
            "1s",
            "--health-retries",
            "3",
            &image.tag,
            "httpd",
            "-f",
            "-p",
            "8080",
        ],
    );
    let env_drift = case.repair();
    assert!(
        env_drift.contains("replace, forced by env.APP_MODE\n"),
        "exactly the changed variable forces the recreate: {env_drift}"
    );
    assert!(
        env_drift.contains("env.APP_MODE: (sensitive value) → (sensitive value)"),
        "{env_drift}"
    );
    assert!(!env_drift.contains("two"), "{env_drift}");

    // Stopped behind plimsoll's back: started in place.
    let id = case.web("{{.Id}}");
    lab.docker_on("h1", &["stop", "web"]);
    let stopped = case.repair();
    assert!(stopped.contains("running: False → True"), "{stopped}");
    assert_eq!(case.web("{{.Id}}"), id, "started, not recreated");

    // Left its network behind plimsoll's back: connected again, with its alias.
    lab.docker_on("h1", &["network", "disconnect", &network, "web"]);
    let left = case.repair();
    assert!(left.contains(&format!("networks.{network}")), "{left}");
    assert_eq!(case.web("{{.Id}}"), id);
    let aliases = case.web(&format!(
        "{{{{json (index .NetworkSettings.Networks \"{network}\").Aliases}}}}"
    ));
    assert!(aliases.contains("\"www\""), "{aliases}");

    // A memory limit changes in place, also beyond the swap limit the engine set at create.
    let case = Case {
        lab: &lab,
        playbook: write(18080, "128m"),
    };
    let limits = case.repair();
    assert!(limits.contains("— update\n"), "{limits}");
    assert!(limits.contains("memory: 33554432 → 134217728"), "{limits}");
    assert_eq!(case.web("{{.Id}}"), id, "updated in place, not recreated");
    assert_eq!(case.web("{{.HostConfig.Memory}}"), "134217728");

    // Another host port for the same container port: a recreate naming the port.
    let case = Case {
        lab: &lab,
        playbook: write(18081, "128m"),
    };
    let port = case.repair();
    assert!(
        port.contains("replace, forced by published_ports.8080/tcp\n"),
        "{port}"
    );
    assert_ne!(case.web("{{.Id}}"), id, "recreated");
    let bound = lab.docker_on("h1", &["port", "web", "8080/tcp"]);
    assert!(bound.contains(":18081"), "{bound}");
}

#[test]
fn a_healthcheck_that_never_passes_fails_with_its_health_log_while_unrelated_work_converges() {
    let lab = DockerLab::start(1);
    let image = TestImage::busybox(&lab.testbed, "sick");
    image.load_onto(&lab.testbed, "h1");
    let playbook = lab.write(
        "sick.yml",
        &format!(
            r#"- hosts: all
  gather_facts: false
  plimsoll_ordering: dependencies
  tasks:
    - name: a service that never gets ready
      community.docker.docker_container:
        name: sick
        image: {image}
        command: [sleep, "3600"]
        healthcheck:
          test: "echo database not reachable; exit 1"
          interval: 1s
          timeout: 1s
          retries: 2
    - name: its client
      community.docker.docker_container:
        name: client
        image: {image}
        command: [sleep, "3600"]
      depends_on: a service that never gets ready
    - name: an unrelated volume
      community.docker.docker_volume:
        volume_name: unrelated
"#,
            image = image.tag
        ),
    );
    let apply = lab.plimsoll(&["apply", playbook.to_str().unwrap()]);
    let output = text(&apply);
    eprintln!("{output}");
    assert_eq!(apply.status.code(), Some(1), "{output}");
    assert!(output.contains("container sick is unhealthy"), "{output}");
    assert!(
        output.contains("last health check (exit 1): database not reachable"),
        "{output}"
    );
    assert_eq!(
        lab.docker_on(
            "h1",
            &["inspect", "--format", "{{.State.Health.Status}}", "sick"]
        ),
        "unhealthy"
    );
    // What waits for it does not start; what does not converges anyway.
    assert!(
        output.contains("(\"its client\"): skipped: upstream failed"),
        "{output}"
    );
    let containers = lab.docker_on("h1", &["ps", "-a", "--format", "{{.Names}}"]);
    assert!(!containers.lines().any(|c| c == "client"), "{containers}");
    lab.docker_on("h1", &["volume", "inspect", "unrelated"]);
}
