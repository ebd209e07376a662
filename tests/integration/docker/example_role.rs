//! The example role `roles/docker_host` on a real Docker host: its image is delivered from this
//! machine's engine, it converges, and a change to the served content restarts the container through
//! its handler, which the plan announces.

use std::path::Path;

use crate::support::docker::{DockerLab, TestImage};
use crate::support::text;

#[test]
fn the_docker_host_role_converges_and_a_content_change_restarts_the_service() {
    let lab = DockerLab::start(1);
    // Delivered by the role's image task from this machine's engine.
    let image = TestImage::busybox(&lab.testbed, "web");
    let roles = Path::new(env!("CARGO_MANIFEST_DIR")).join("roles");
    let playbook = lab.write(
        "site.yml",
        &format!(
            "- hosts: all\n  gather_facts: false\n  vars:\n    docker_host_image: {}\n    docker_host_image_source: controller\n    docker_host_port: 18080\n  roles:\n    - docker_host\n",
            image.tag
        ),
    );
    let playbook = playbook.display().to_string();
    let roles = roles.display().to_string();
    let with = |extra: &[&str]| {
        let mut args = vec![extra[0], playbook.as_str(), "--roles-path", roles.as_str()];
        args.extend_from_slice(&extra[1..]);
        lab.plimsoll(&args)
    };

    let apply = with(&["apply"]);
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply));
    let served = lab.docker_on(
        "h1",
        &[
            "exec",
            "hello",
            "wget",
            "-q",
            "-O",
            "-",
            "http://127.0.0.1:8080/",
        ],
    );
    assert!(served.contains("hello from h1"), "{served}");
    let again = with(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    let started = lab.docker_on(
        "h1",
        &["inspect", "--format", "{{.State.StartedAt}}", "hello"],
    );

    // New content: the template changes, and the handler will restart the container.
    let message = "docker_host_message=fresh-words";
    let plan = with(&["plan", "-e", message, "--detailed-exitcode"]);
    let shown = text(&plan);
    assert_eq!(plan.status.code(), Some(2), "{shown}");
    assert!(
        shown.contains("\"Restart service\"") && shown.contains("triggered by \"Service content\""),
        "{shown}"
    );
    let apply = with(&["apply", "-e", message]);
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply));
    let restarted = lab.docker_on(
        "h1",
        &["inspect", "--format", "{{.State.StartedAt}}", "hello"],
    );
    assert_ne!(started, restarted, "the handler must restart the container");
    let served = lab.docker_on(
        "h1",
        &[
            "exec",
            "hello",
            "wget",
            "-q",
            "-O",
            "-",
            "http://127.0.0.1:8080/",
        ],
    );
    assert!(served.contains("fresh-words"), "{served}");
    let again = with(&["plan", "-e", message, "--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
}
