//! `--prune` on a real Docker host: what carries the project's label but is no longer declared is
//! planned as deletions (a container before the network it was on) and removed; what is still
//! declared, what another project owns, and what nobody labelled are never touched.

use crate::support::docker::{DockerLab, TestImage};
use crate::support::text;

fn playbook(image: &str, with_worker: bool) -> String {
    let worker = if with_worker {
        format!(
            "    - name: jobs network
      community.docker.docker_network: {{name: jobs}}
    - name: worker
      community.docker.docker_container:
        name: worker
        image: {image}
        command: [sleep, \"600\"]
        networks: [{{name: jobs}}]
"
        )
    } else {
        String::new()
    };
    format!(
        "- hosts: all
  gather_facts: false
  vars:
    plimsoll_project: shop
  tasks:
    - name: front network
      community.docker.docker_network: {{name: front}}
    - name: data volume
      community.docker.docker_volume: {{volume_name: data}}
{worker}"
    )
}

#[test]
fn prune_removes_only_what_is_labelled_ours_and_no_longer_declared() {
    let lab = DockerLab::start(1);
    let image = TestImage::busybox(&lab.testbed, "prune");
    image.load_onto(&lab.testbed, "h1");
    let full = lab.write("full.yml", &playbook(&image.tag, true));
    let full = full.display().to_string();
    let apply = lab.plimsoll(&["apply", &full]);
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply));
    // Not ours: made by hand, and labelled for another project.
    lab.docker_on("h1", &["network", "create", "handmade"]);
    lab.docker_on(
        "h1",
        &[
            "network",
            "create",
            "--label",
            "io.plimsoll.project=other",
            "theirs",
        ],
    );

    let smaller = lab.write("smaller.yml", &playbook(&image.tag, false));
    let smaller = smaller.display().to_string();
    // Without --prune, dropping tasks from the playbook changes nothing.
    let plan = lab.plimsoll(&["plan", &smaller, "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));

    let plan = lab.plimsoll(&["plan", &smaller, "--prune", "--detailed-exitcode"]);
    let shown = text(&plan);
    assert_eq!(plan.status.code(), Some(2), "{shown}");
    assert!(
        shown.contains("Plan: 0 to create, 0 to update, 2 to delete"),
        "{shown}"
    );
    assert!(shown.contains("prune worker"), "{shown}");
    assert!(shown.contains("prune jobs"), "{shown}");
    for untouched in ["handmade", "theirs", "front", "data"] {
        assert!(!shown.contains(&format!("prune {untouched}")), "{shown}");
    }

    let apply = lab.plimsoll(&["apply", &smaller, "--prune"]);
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply));
    let containers = lab.docker_on("h1", &["ps", "-a", "--format", "{{.Names}}"]);
    assert!(!containers.contains("worker"), "{containers}");
    let networks = lab.docker_on("h1", &["network", "ls", "--format", "{{.Name}}"]);
    for kept in ["handmade", "theirs", "front"] {
        assert!(networks.contains(kept), "{kept} must stay: {networks}");
    }
    assert!(!networks.lines().any(|n| n == "jobs"), "{networks}");
    let again = lab.plimsoll(&["plan", &smaller, "--prune", "--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
}
