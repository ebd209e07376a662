//! `docker_image` end to end: images from this machine's engine delivered to hosts over their SSH
//! connection (a new version sends only its new layer), a role's files built on the host, an archive
//! loaded, and a pull without a registry failing with the registry's error.

use std::process::{Command, Output, Stdio};

use crate::support::docker::{DockerLab, TestImage};
use crate::support::text;

fn docker(args: &[&str]) -> Output {
    Command::new("docker")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// A second name for an image on this machine's engine, removed on drop.
struct Tag(String);

impl Tag {
    fn point(name: &str, image: &TestImage) -> Tag {
        let out = docker(&["tag", &image.tag, name]);
        assert!(out.status.success(), "{}", text(&out));
        Tag(name.to_string())
    }
}

impl Drop for Tag {
    fn drop(&mut self) {
        let _ = docker(&["image", "rm", &self.0]);
    }
}

/// Bytes the host's network interface has received so far (everything plimsoll sends it, SSH
/// framing and encryption included).
fn received(lab: &DockerLab, host: &str) -> u64 {
    let out = docker(&[
        "exec",
        &lab.testbed.container(host),
        "cat",
        "/sys/class/net/eth0/statistics/rx_bytes",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// The size of `docker save IMAGE`: what a plain delivery would send.
fn saved_size(image: &str) -> u64 {
    let out = docker(&["save", image]);
    assert!(out.status.success(), "docker save {image}");
    out.stdout.len() as u64
}

fn layers_on(lab: &DockerLab, host: &str, image: &str) -> Vec<String> {
    let json = lab.docker_on(
        host,
        &[
            "image",
            "inspect",
            "--format",
            "{{json .RootFS.Layers}}",
            image,
        ],
    );
    serde_json::from_str(&json).unwrap()
}

fn local_layers(image: &str) -> Vec<String> {
    let out = docker(&[
        "image",
        "inspect",
        "--format",
        "{{json .RootFS.Layers}}",
        image,
    ]);
    serde_json::from_slice(&out.stdout).unwrap()
}

const DELIVER: &str = "- hosts: all
  gather_facts: false
  tasks:
    - name: the app's image
      community.docker.docker_image:
        name: '{{ app_image }}'
        source: controller
";

#[test]
fn an_image_on_the_controller_is_delivered_and_a_new_version_sends_only_its_new_layer() {
    let lab = DockerLab::start(1);
    let v1 = TestImage::busybox_with(&lab.testbed, "app-v1", &[("/etc/app.conf", "one\n")]);
    let v2 = TestImage::busybox_with(&lab.testbed, "app-v2", &[("/etc/app.conf", "two\n")]);
    let name = format!("{}-app:current", lab.testbed.prefix);
    let playbook = lab.write("deliver.yml", DELIVER);
    let playbook = playbook.to_str().unwrap();
    let vars = format!("app_image={name}");

    let current = Tag::point(&name, &v1);
    let plan = lab.plimsoll(&["plan", playbook, "-e", &vars, "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(2), "{}", text(&plan));
    assert!(text(&plan).contains(&v1.id), "{}", text(&plan));

    let before = received(&lab, "h1");
    let apply = lab.plimsoll(&["apply", playbook, "-e", &vars]);
    assert!(apply.status.success(), "{}", text(&apply));
    let first_delivery = received(&lab, "h1") - before;
    let id = lab.docker_on("h1", &["image", "inspect", "--format", "{{.Id}}", &name]);
    assert_eq!(
        id, v1.id,
        "the host has the controller's image under its name"
    );

    let again = lab.plimsoll(&["plan", playbook, "-e", &vars, "--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));

    // A new version under the same name: one layer differs from what the host has.
    drop(current);
    let _current = Tag::point(&name, &v2);
    let plan = lab.plimsoll(&["plan", playbook, "-e", &vars, "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(2), "{}", text(&plan));
    let shown = text(&plan);
    assert!(
        shown.contains("image_id") && shown.contains(&v1.id) && shown.contains(&v2.id),
        "the plan names the old and the new image ID:\n{shown}"
    );
    let before = received(&lab, "h1");
    let apply = lab.plimsoll(&["apply", playbook, "-e", &vars]);
    assert!(apply.status.success(), "{}", text(&apply));
    let second_delivery = received(&lab, "h1") - before;
    let id = lab.docker_on("h1", &["image", "inspect", "--format", "{{.Id}}", &name]);
    assert_eq!(id, v2.id);
    assert_eq!(layers_on(&lab, "h1", &name), local_layers(&v2.tag));
    let said = lab.docker_on("h1", &["run", "--rm", &name, "cat", "/etc/app.conf"]);
    assert_eq!(said, "two");

    let full = saved_size(&v2.tag);
    // Both versions are the busybox image plus one small layer.
    let base_layer = saved_size(&TestImage::busybox(&lab.testbed, "base").tag);
    eprintln!(
        "delivery bytes received by the host: first {first_delivery}, one-layer change \
         {second_delivery}; `docker save` of the new version is {full} bytes"
    );
    assert!(
        first_delivery >= base_layer,
        "the first delivery carried the image ({first_delivery} of {full} bytes)"
    );
    assert!(
        second_delivery < base_layer / 4,
        "the second delivery sent {second_delivery} bytes; the layer the host already had is \
         {base_layer} bytes"
    );

    let clean = lab.plimsoll(&["plan", playbook, "-e", &vars, "--detailed-exitcode"]);
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean));
}

#[test]
fn a_role_builds_its_image_from_its_files_and_a_changed_file_is_named() {
    let lab = DockerLab::start(1);
    let base = TestImage::busybox(&lab.testbed, "base");
    lab.write(
        "roles/web/files/web/Dockerfile",
        "ARG BASE\nFROM $BASE\nCOPY index.html /www/index.html\n",
    );
    lab.write("roles/web/files/web/index.html", "hello\n");
    lab.write("roles/web/files/web/.dockerignore", "notes.txt\n");
    lab.write("roles/web/files/web/notes.txt", "not sent\n");
    lab.write(
        "roles/web/tasks/main.yml",
        "- name: the base image
  community.docker.docker_image:
    name: '{{ base_image }}'
    source: controller
- name: the web image
  community.docker.docker_image:
    name: '{{ web_image }}'
    source: build
    build:
      path: web
      args: {BASE: '{{ base_image }}'}
",
    );
    let playbook = lab.write(
        "web.yml",
        "- hosts: all\n  gather_facts: false\n  roles: [web]\n",
    );
    let playbook = playbook.to_str().unwrap();
    let web = format!("{}-web:1", lab.testbed.prefix);
    let base_var = format!("base_image={}", base.tag);
    let web_var = format!("web_image={web}");
    let run = |command: &str| lab.plimsoll(&[command, playbook, "-e", &base_var, "-e", &web_var]);

    let apply = run("apply");
    assert!(apply.status.success(), "{}", text(&apply));
    let said = lab.docker_on("h1", &["run", "--rm", &web, "cat", "/www/index.html"]);
    assert_eq!(said, "hello");
    let listed = lab.docker_on("h1", &["run", "--rm", &web, "ls", "/www"]);
    assert_eq!(listed, "index.html");
    let owner = lab.docker_on(
        "h1",
        &[
            "image",
            "inspect",
            "--format",
            "{{index .Config.Labels \"io.plimsoll.project\"}}",
            &web,
        ],
    );
    assert!(!owner.is_empty(), "the built image carries the owner label");

    let plan = lab.plimsoll(&[
        "plan",
        playbook,
        "-e",
        &base_var,
        "-e",
        &web_var,
        "--detailed-exitcode",
    ]);
    assert_eq!(
        plan.status.code(),
        Some(0),
        "unchanged context: {}",
        text(&plan)
    );

    // A file .dockerignore leaves out changes nothing; a file of the context plans an update naming it.
    lab.write("roles/web/files/web/notes.txt", "still not sent\n");
    lab.write("roles/web/files/web/index.html", "changed\n");
    let plan = lab.plimsoll(&[
        "plan",
        playbook,
        "-e",
        &base_var,
        "-e",
        &web_var,
        "--detailed-exitcode",
    ]);
    assert_eq!(plan.status.code(), Some(2), "{}", text(&plan));
    let shown = text(&plan);
    assert!(shown.contains("build.context/index.html"), "{shown}");
    assert!(!shown.contains("notes.txt"), "{shown}");

    let apply = run("apply");
    assert!(apply.status.success(), "{}", text(&apply));
    let said = lab.docker_on("h1", &["run", "--rm", &web, "cat", "/www/index.html"]);
    assert_eq!(said, "changed");
    let clean = lab.plimsoll(&[
        "plan",
        playbook,
        "-e",
        &base_var,
        "-e",
        &web_var,
        "--detailed-exitcode",
    ]);
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean));
}

#[test]
fn an_archive_is_loaded_and_a_pull_without_a_registry_fails_with_the_registry_error() {
    let lab = DockerLab::start(1);
    let image = TestImage::busybox_with(&lab.testbed, "archived", &[("/etc/x", "x\n")]);
    let archive = lab.dir.path().join("files/app.tar");
    std::fs::create_dir_all(archive.parent().unwrap()).unwrap();
    let out = docker(&["save", "-o", archive.to_str().unwrap(), &image.tag]);
    assert!(out.status.success(), "{}", text(&out));
    let missing = format!("registry.invalid/{}/app:1", lab.testbed.prefix);
    let playbook = lab.write(
        "load.yml",
        &format!(
            "- hosts: all
  gather_facts: false
  tasks:
    - name: from the archive
      community.docker.docker_image:
        name: '{}'
        source: load
        load_path: app.tar
    - name: from a registry
      docker_image:
        name: '{missing}'
        source: pull
",
            image.tag
        ),
    );
    let playbook = playbook.to_str().unwrap();
    let apply = lab.plimsoll(&["apply", playbook]);
    let shown = text(&apply);
    assert_eq!(apply.status.code(), Some(1), "{shown}");
    let id = lab.docker_on(
        "h1",
        &["image", "inspect", "--format", "{{.Id}}", &image.tag],
    );
    assert_eq!(id, image.id, "the archive's image was loaded");
    let failure = shown
        .lines()
        .find(|l| l.contains("FAILED"))
        .unwrap_or_else(|| panic!("no failure reported:\n{shown}"));
    assert!(
        failure.contains(&format!("pulling {missing} failed"))
            && failure.contains("registry.invalid"),
        "the failure names the image and the registry's error: {failure}"
    );

    let plan = lab.plimsoll(&["plan", playbook, "--detailed-exitcode"]);
    let shown = text(&plan);
    assert!(
        shown.contains("from a registry") && !shown.contains("from the archive"),
        "only the pull is left to do:\n{shown}"
    );
}
