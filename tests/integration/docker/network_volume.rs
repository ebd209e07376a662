//! A network and a volume on a real Docker host through the `plimsoll` binary: created, in sync,
//! a network removed behind plimsoll's back found and repaired, and a subnet change planned as a
//! replace that gives the attached container its membership back.

use crate::support::docker::{DockerLab, TestImage};
use crate::support::text;

const PROJECT: &str = "shop";

fn playbook(subnet: &str) -> String {
    format!(
        "- hosts: all
  gather_facts: false
  vars:
    plimsoll_project: {PROJECT}
  tasks:
    - name: backend network
      community.docker.docker_network:
        name: backend
        ipam_config:
          - subnet: {subnet}
        labels:
          tier: backend
    - name: data volume
      docker_volume:
        volume_name: data
        labels:
          backup: daily
"
    )
}

fn plan(lab: &DockerLab, site: &str) -> (Option<i32>, String) {
    let out = lab.plimsoll(&["plan", site, "--detailed-exitcode"]);
    (out.status.code(), text(&out))
}

fn apply(lab: &DockerLab, site: &str) -> String {
    let out = lab.plimsoll(&["apply", site]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    report
}

fn inspect(lab: &DockerLab, what: &str, name: &str, format: &str) -> String {
    lab.docker_on("h1", &[what, "inspect", "--format", format, name])
}

#[test]
fn a_network_and_a_volume_converge_drift_is_repaired_and_a_subnet_change_replaces() {
    let lab = DockerLab::start(1);
    let site = lab.write("site.yml", &playbook("10.5.0.0/24"));
    let site = site.to_str().unwrap();

    let (code, first) = plan(&lab, site);
    assert_eq!(code, Some(2), "{first}");
    assert!(
        first.contains("Plan: 2 to create, 0 to update, 0 to delete"),
        "{first}"
    );
    assert!(
        first.contains("ipam_config[0].subnet: '10.5.0.0/24'"),
        "{first}"
    );

    apply(&lab, site);
    let (code, again) = plan(&lab, site);
    assert_eq!(code, Some(0), "a second plan must be empty: {again}");
    assert_eq!(
        inspect(
            &lab,
            "network",
            "backend",
            "{{index .Labels \"io.plimsoll.project\"}}"
        ),
        PROJECT,
        "what plimsoll creates carries its project's label"
    );
    assert_eq!(
        inspect(
            &lab,
            "volume",
            "data",
            "{{index .Labels \"io.plimsoll.project\"}}"
        ),
        PROJECT
    );

    // Drift behind plimsoll's back: the network is gone, the volume is not.
    lab.docker_on("h1", &["network", "rm", "backend"]);
    let (code, drift) = plan(&lab, site);
    assert_eq!(code, Some(2), "{drift}");
    assert!(
        drift.contains("Plan: 1 to create, 0 to update, 0 to delete"),
        "{drift}"
    );
    assert!(drift.contains("\"backend network\""), "{drift}");
    assert!(
        !drift.contains("\"data volume\""),
        "the volume is in sync: {drift}"
    );
    apply(&lab, site);
    let (code, repaired) = plan(&lab, site);
    assert_eq!(code, Some(0), "{repaired}");

    // A container on the network, with an alias, must stay on it through a replace.
    let image = TestImage::busybox(&lab.testbed, "netvol");
    image.load_onto(&lab.testbed, "h1");
    lab.docker_on(
        "h1",
        &[
            "run",
            "-d",
            "--name",
            "web",
            "--network",
            "backend",
            "--network-alias",
            "api",
            &image.tag,
            "sleep",
            "600",
        ],
    );

    // A stopped container keeps its membership in its own settings only; its fixed address does not
    // fit the new subnet, and must not stop it from starting there.
    lab.docker_on(
        "h1",
        &[
            "create",
            "--name",
            "idle",
            "--network",
            "backend",
            "--ip",
            "10.5.0.50",
            &image.tag,
            "sleep",
            "600",
        ],
    );

    lab.write("site.yml", &playbook("10.6.0.0/24"));
    let (code, moved) = plan(&lab, site);
    assert_eq!(code, Some(2), "{moved}");
    assert!(moved.contains("0 to delete, 1 to replace"), "{moved}");
    assert!(
        moved.contains("replace, forced by ipam_config[0].subnet"),
        "{moved}"
    );
    assert!(
        moved.contains("ipam_config[0].subnet: '10.5.0.0/24' → '10.6.0.0/24'"),
        "{moved}"
    );

    apply(&lab, site);
    let (code, settled) = plan(&lab, site);
    assert_eq!(code, Some(0), "{settled}");
    assert_eq!(
        inspect(
            &lab,
            "network",
            "backend",
            "{{range .IPAM.Config}}{{.Subnet}}{{end}}"
        ),
        "10.6.0.0/24"
    );
    let membership = inspect(
        &lab,
        "container",
        "web",
        "{{with index .NetworkSettings.Networks \"backend\"}}{{.IPAddress}} {{join .Aliases \",\"}}{{end}}",
    );
    assert!(
        membership.starts_with("10.6.0."),
        "reconnected in the new subnet: {membership}"
    );
    assert!(membership.contains("api"), "with its alias: {membership}");
    let idle = inspect(
        &lab,
        "container",
        "idle",
        "{{range $name, $_ := .NetworkSettings.Networks}}{{$name}} {{end}}",
    );
    assert_eq!(
        idle, "backend",
        "the stopped container is back on the network"
    );
    lab.docker_on("h1", &["start", "idle"]);
    let started = inspect(
        &lab,
        "container",
        "idle",
        "{{with index .NetworkSettings.Networks \"backend\"}}{{.IPAddress}}{{end}}",
    );
    assert!(started.starts_with("10.6.0."), "{started}");
}
