//! The Docker-capable test hosts themselves: an engine inside each host that runs containers from an
//! image built on this machine.

use crate::support::docker::{DockerLab, TestImage};

#[test]
fn a_docker_host_runs_a_container_from_a_locally_built_image() {
    let lab = DockerLab::start(1);
    let image = TestImage::busybox(&lab.testbed, "smoke");
    image.load_onto(&lab.testbed, "h1");

    let on_host = lab.docker_on(
        "h1",
        &["image", "inspect", "--format", "{{.Id}}", &image.tag],
    );
    assert_eq!(on_host, image.id, "the host has the same image");
    let said = lab.docker_on("h1", &["run", "--rm", &image.tag, "echo", "it's alive"]);
    assert_eq!(said, "it's alive");

    let layered = TestImage::busybox_with(&lab.testbed, "layered", &[("/etc/motd", "hello\n")]);
    let base_layers = layers(&image.tag);
    let more_layers = layers(&layered.tag);
    assert_eq!(more_layers.len(), base_layers.len() + 1, "{more_layers:?}");
    assert!(more_layers.starts_with(&base_layers), "{more_layers:?}");

    // plimsoll itself reaches the host through the lab's inventory.
    let playbook = lab.write(
        "site.yml",
        "- hosts: all\n  gather_facts: false\n  tasks:\n    - name: a directory\n      file:\n        path: /tmp/reached\n        state: directory\n",
    );
    let plan = lab.plimsoll(&["plan", playbook.to_str().unwrap(), "--detailed-exitcode"]);
    assert_eq!(
        plan.status.code(),
        Some(2),
        "{}{}",
        String::from_utf8_lossy(&plan.stdout),
        String::from_utf8_lossy(&plan.stderr)
    );
}

fn layers(tag: &str) -> Vec<String> {
    let out = std::process::Command::new("docker")
        .args([
            "image",
            "inspect",
            "--format",
            "{{json .RootFS.Layers}}",
            tag,
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}
