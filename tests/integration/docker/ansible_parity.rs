//! plimsoll and community.docker (the real one, from the reference virtualenv's `ansible` package)
//! agree on what "converged" means for a network, a volume and two containers using them (one with
//! the common options, one with limits, capabilities, logging, a healthcheck, mounts and a fixed
//! address): what ansible-playbook applied, plimsoll plans nothing for; what plimsoll applied,
//! ansible-playbook `--check` reports no change for; and drift made behind both is seen by both.

use crate::support::ansible::{recap, run_ansible};
use crate::support::docker::{DockerLab, TestImage};
use crate::support::text;

/// Options both tools support, each in community.docker's spelling.
fn playbook(project: &str, image: &str) -> String {
    // The worker names the image without its tag: both tools read that as `:latest`.
    let image_name = image.trim_end_matches(":latest");
    format!(
        r#"- hosts: all
  gather_facts: false
  vars:
    plimsoll_project: {project}
  tasks:
    - name: backend network
      community.docker.docker_network:
        name: backend
        ipam_config:
          - subnet: 10.9.0.0/24
        labels:
          tier: backend
    - name: data volume
      community.docker.docker_volume:
        volume_name: data
        labels:
          backup: daily
    - name: web container
      community.docker.docker_container:
        name: web
        image: {image}
        command: httpd -f -p 8080 -h /data
        env:
          APP_MODE: parity
          GREETING: hello world
          DSN: "postgres://db?sslmode=off"
          WORKERS: "4"
        published_ports: ["18080:8080"]
        networks:
          - name: backend
            aliases: [api]
        restart_policy: unless-stopped
        labels:
          app: web
          tier: front
        volumes:
          - data:/data
          - /srv/web:/srv/web
          - /etc/hostname:/etc/host-name:ro
          - /cache
        state: started
    - name: worker container
      community.docker.docker_container:
        name: worker
        image: {image_name}
        entrypoint: [/bin/sh, -c]
        command: ["exec sleep 600"]
        hostname: worker1
        user: "1000:1000"
        working_dir: /tmp
        exposed_ports: ["9000"]
        published_ports: ["127.0.0.1:19000:9000/udp"]
        networks:
          - name: backend
            ipv4_address: 10.9.0.50
        memory: 64m
        cap_drop: [NET_RAW]
        capabilities: [SYS_TIME]
        log_driver: json-file
        log_options:
          max-size: 1m
        healthcheck:
          test: [CMD, "true"]
          interval: 5s
          retries: 2
        init: true
        read_only: true
        tmpfs: [/run]
        etc_hosts:
          db.internal: 10.9.0.9
        dns_servers: [10.9.0.1]
        ulimits: ["nofile:1024:2048"]
        sysctls:
          net.ipv4.ip_unprivileged_port_start: "0"
        stop_timeout: 5
        mounts:
          - type: volume
            source: data
            target: /srv
            read_only: true
        state: started
"#
    )
}

#[test]
fn plimsoll_and_community_docker_agree_on_converged() {
    let lab = DockerLab::start(2);
    let image = TestImage::busybox(&lab.testbed, "parity");
    for host in ["h1", "h2"] {
        image.load_onto(&lab.testbed, host);
    }
    let site = lab.write("site.yml", &playbook(&lab.testbed.prefix, &image.tag));
    let site = site.to_str().unwrap();
    let ansible = |host: &str, extra: &[&str]| {
        let mut args = vec!["--limit", host];
        args.extend_from_slice(extra);
        run_ansible(lab.dir.path(), &lab.inventory, site, &args)
    };

    // h1: ansible-playbook applies; plimsoll finds nothing to change.
    let Some(applied) = ansible("h1", &[]) else {
        return;
    };
    assert!(
        recap(&applied, "h1").contains("changed=4"),
        "ansible-playbook creates all four: {applied}"
    );
    // Ansible's own idempotence, so a disagreement below is plimsoll's to explain.
    let rerun = ansible("h1", &["--check"]).unwrap();
    assert!(recap(&rerun, "h1").contains("changed=0"), "{rerun}");
    let plan = lab.plimsoll(&["plan", site, "--limit", "h1", "--detailed-exitcode"]);
    assert_eq!(
        plan.status.code(),
        Some(0),
        "after ansible-playbook, plimsoll must plan nothing: {}",
        text(&plan)
    );

    // h2: plimsoll applies; ansible-playbook --check finds nothing to change.
    let apply = lab.plimsoll(&["apply", site, "--limit", "h2"]);
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply));
    assert!(
        text(&apply).contains("Apply: 4 changed"),
        "plimsoll creates all four: {}",
        text(&apply)
    );
    let check = ansible("h2", &["--check", "--diff"]).unwrap();
    let line = recap(&check, "h2");
    assert!(
        line.contains("changed=0") && line.contains("failed=0"),
        "after plimsoll apply, ansible-playbook --check must report no change: {check}"
    );

    // Both hosts run the same thing: the container serves from the volume on its network.
    for host in ["h1", "h2"] {
        let membership = lab.docker_on(
            host,
            &[
                "inspect",
                "--format",
                "{{.State.Running}} {{with index .NetworkSettings.Networks \"backend\"}}{{join .Aliases \",\"}}{{end}}",
                "web",
            ],
        );
        assert!(
            membership.starts_with("true ") && membership.contains("api"),
            "{host}: {membership}"
        );
    }

    // And they see the same drift: a container stopped behind both tools' backs.
    lab.docker_on("h1", &["stop", "web"]);
    let drift = lab.plimsoll(&["plan", site, "--limit", "h1", "--detailed-exitcode"]);
    assert_eq!(drift.status.code(), Some(2), "{}", text(&drift));
    assert!(
        text(&drift).contains("Plan: 0 to create, 1 to update, 0 to delete"),
        "{}",
        text(&drift)
    );
    let check = ansible("h1", &["--check"]).unwrap();
    assert!(recap(&check, "h1").contains("changed=1"), "{check}");
}
