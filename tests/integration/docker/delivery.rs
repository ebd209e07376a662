//! Registry-less delivery against a real host engine, below the `docker_image` kind: the exact bytes
//! of archive written to the host's socket for a one-layer change, and the fallback to the whole
//! archive when the host refuses a reduced one.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bollard::Docker;
use plimsoll::endpoints::docker::controller::{self, ImageLayers};
use plimsoll::endpoints::docker::delivery::{Origin, deliver, deliver_over};
use plimsoll::endpoints::docker::layers::chain_ids;

use crate::support::docker::{DockerLab, TestImage};

/// `ssh -L` from a local socket to the host's engine socket, ended (by its PID) on drop.
struct Forward(Child);

impl Forward {
    fn open(lab: &DockerLab, host: &str, local: &Path) -> Forward {
        let forward = Forward(
            Command::new("ssh")
                .arg("-i")
                .arg(lab.testbed.key())
                .arg("-o")
                .arg(format!(
                    "UserKnownHostsFile={}",
                    lab.testbed.known_hosts.display()
                ))
                .args([
                    "-o",
                    "BatchMode=yes",
                    "-o",
                    "ExitOnForwardFailure=yes",
                    "-N",
                ])
                .arg("-L")
                .arg(format!("{}:/var/run/docker.sock", local.display()))
                .arg(format!("root@{}", lab.testbed.ip(host)))
                .stdin(Stdio::null())
                .spawn()
                .unwrap(),
        );
        for _ in 0..100 {
            if local.exists() {
                return forward;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "the forward to {host}'s engine never appeared at {}",
            local.display()
        );
    }
}

impl Drop for Forward {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn engines(socket: &Path) -> (Docker, Docker) {
    let host =
        Docker::connect_with_unix(&socket.to_string_lossy(), 120, bollard::API_DEFAULT_VERSION)
            .unwrap()
            .negotiate_version()
            .await
            .unwrap();
    (host, controller::connect().await.unwrap())
}

async fn layers_of(controller: &Docker, image: &TestImage) -> ImageLayers {
    controller::inspect(controller, &image.tag)
        .await
        .unwrap()
        .unwrap()
}

async fn host_id(host: &Docker, id: &str) -> Option<String> {
    host.inspect_image(id).await.ok().and_then(|i| i.id)
}

#[test]
fn a_one_layer_change_writes_only_that_layer_and_a_refused_archive_is_sent_whole() {
    let lab = DockerLab::start(1);
    let base = TestImage::busybox(&lab.testbed, "base");
    let v1 = TestImage::busybox_with(&lab.testbed, "v1", &[("/etc/release", "one\n")]);
    let v2 = TestImage::busybox_with(&lab.testbed, "v2", &[("/etc/release", "two\n")]);
    let socket = lab.dir.path().join("engine.sock");
    let _forward = Forward::open(&lab, "h1", &socket);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let (host, controller) = engines(&socket).await;
        let origin = Origin::Engine(controller.clone());
        let (base, v1, v2) = (
            layers_of(&controller, &base).await,
            layers_of(&controller, &v1).await,
            layers_of(&controller, &v2).await,
        );

        // The host says it has the base layer, but has nothing: the reduced archive is refused and
        // the whole one follows.
        let pretended = chain_ids(&v1.diff_ids[..1]).into_iter().collect();
        let report = deliver_over(&origin, &host, &v1, &pretended).await.unwrap();
        let why = report.fallback.clone().unwrap_or_default();
        assert!(why.contains("layer.tar"), "{report:?}");
        assert_eq!(report.layers_sent, v1.diff_ids.len());
        assert_eq!(
            host_id(&host, &v1.id).await.as_deref(),
            Some(v1.id.as_str())
        );
        let whole = report.bytes_sent;

        // Now it really has the base: v2 goes without it.
        let report = deliver(&origin, &host, &v2).await.unwrap();
        assert_eq!(report.fallback, None, "{report:?}");
        assert_eq!((report.layers_sent, report.layers), (1, 2));
        assert_eq!(
            host_id(&host, &v2.id).await.as_deref(),
            Some(v2.id.as_str())
        );
        assert!(
            report.bytes_sent * 20 < whole,
            "a one-layer change wrote {} bytes; the whole archive is {whole}",
            report.bytes_sent
        );
        eprintln!(
            "archive bytes written to the host's engine: whole image {whole}, one-layer change {}",
            report.bytes_sent
        );

        // Every layer of the base image is there (inside v1 and v2): only its config travels.
        let report = deliver(&origin, &host, &base).await.unwrap();
        assert_eq!((report.layers_sent, report.fallback.as_deref()), (0, None));
        assert!(report.bytes_sent < 16 * 1024, "{report:?}");
        assert_eq!(
            host_id(&host, &base.id).await.as_deref(),
            Some(base.id.as_str())
        );
        // And an image the host has already costs nothing.
        let report = deliver(&origin, &host, &base).await.unwrap();
        assert_eq!((report.layers_sent, report.bytes_sent), (0, 0));
    });
}
