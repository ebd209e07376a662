//! One host's Docker facts read in one batch through the engine socket forwarded on plimsoll's own
//! SSH connection, against a real engine.

use std::time::Duration;

use plimsoll::drivers::docker::OWNER_LABEL;
use plimsoll::endpoints::docker::observe;
use plimsoll::facts::{DockerFact, DockerQuery, FactRequest, FactValue, HostExec, OwnedObject};
use plimsoll::transport::{ConnectionPool, ConnectionSpec, TransportOptions};

use crate::support::docker::{DockerLab, TestImage};

const PROJECT: &str = "shop";

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_answers_present_absent_and_owned_objects_of_a_real_engine() {
    let lab = DockerLab::start(1);
    let image = TestImage::busybox(&lab.testbed, "observe");
    image.load_onto(&lab.testbed, "h1");
    let owned = format!("{OWNER_LABEL}={PROJECT}");
    let other = format!("{OWNER_LABEL}=someone-else");
    lab.docker_on("h1", &["network", "create", "--label", &owned, "backend"]);
    lab.docker_on("h1", &["network", "create", "--label", &other, "theirs"]);
    lab.docker_on("h1", &["volume", "create", "--label", &owned, "data"]);
    lab.docker_on("h1", &["volume", "create", "unlabelled"]);
    lab.docker_on(
        "h1",
        &[
            "create", "--name", "web", "--label", &owned, &image.tag, "sleep", "600",
        ],
    );
    // A batch ten times the number of calls in flight: every answer lands on its own query.
    let many: Vec<String> = (0..40).map(|i| format!("v{i:02}")).collect();
    for name in &many {
        lab.docker_on("h1", &["volume", "create", name]);
    }
    let backend_id = lab.docker_on(
        "h1",
        &["network", "inspect", "--format", "{{.Id}}", "backend"],
    );

    let pool = ConnectionPool::new(TransportOptions {
        connect_timeout: Duration::from_secs(10),
        ..TransportOptions::default()
    })
    .unwrap();
    let spec = ConnectionSpec::from_vars("h1", &lab.testbed.trusted_vars("h1")).unwrap();
    let connection = pool.connect(&spec).await.unwrap();
    let client = connection.docker().await.unwrap();

    let mut queries = vec![
        DockerQuery::Network("backend".into()),
        DockerQuery::Network("missing".into()),
        // The engine resolves an ID prefix too; a network of another name is not this one.
        DockerQuery::Network(backend_id[..6].to_string()),
        DockerQuery::Volume("data".into()),
        DockerQuery::Volume("gone".into()),
        DockerQuery::Container("web".into()),
        DockerQuery::Container("nothere".into()),
        DockerQuery::Image(image.tag.clone()),
        DockerQuery::Image("nosuch:latest".into()),
        DockerQuery::Owned {
            project: PROJECT.into(),
        },
    ];
    queries.extend(many.iter().map(|n| DockerQuery::Volume(n.clone())));
    let facts = observe("h1", &client, &queries).await.unwrap();

    match facts
        .docker(&DockerQuery::Network("backend".into()))
        .unwrap()
    {
        Some(DockerFact::Network(n)) => {
            assert_eq!(n.name.as_deref(), Some("backend"));
            assert_eq!(n.id.as_deref(), Some(backend_id.as_str()));
        }
        other => panic!("backend: {other:?}"),
    }
    for absent in [
        DockerQuery::Network("missing".into()),
        DockerQuery::Network(backend_id[..6].to_string()),
        DockerQuery::Volume("gone".into()),
        DockerQuery::Container("nothere".into()),
        DockerQuery::Image("nosuch:latest".into()),
    ] {
        assert_eq!(
            facts.get(&FactRequest::Docker(absent.clone())),
            Some(&FactValue::Absent),
            "{absent:?}"
        );
    }
    match facts.docker(&DockerQuery::Container("web".into())).unwrap() {
        Some(DockerFact::Container(c)) => assert_eq!(c.name.as_deref(), Some("/web")),
        other => panic!("web: {other:?}"),
    }
    match facts
        .docker(&DockerQuery::Image(image.tag.clone()))
        .unwrap()
    {
        Some(DockerFact::Image(i)) => assert_eq!(i.id.as_deref(), Some(image.id.as_str())),
        other => panic!("image: {other:?}"),
    }
    for name in &many {
        assert!(
            matches!(
                facts.docker(&DockerQuery::Volume(name.clone())),
                Ok(Some(DockerFact::Volume(_)))
            ),
            "{name}"
        );
    }
    let listed = facts
        .docker(&DockerQuery::Owned {
            project: PROJECT.into(),
        })
        .unwrap();
    let object = |object_type: &str, name: &str| OwnedObject {
        object_type: object_type.into(),
        name: name.into(),
    };
    assert_eq!(
        listed,
        Some(&DockerFact::Owned(vec![
            object("container", "web"),
            object("network", "backend"),
            object("volume", "data"),
        ])),
        "only {PROJECT}'s labelled objects"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_read_names_the_host_and_the_object() {
    let lab = DockerLab::start(1);
    let pool = ConnectionPool::new(TransportOptions::default()).unwrap();
    let spec = ConnectionSpec::from_vars("h1", &lab.testbed.trusted_vars("h1")).unwrap();
    let connection = pool.connect(&spec).await.unwrap();
    let client = connection.docker().await.unwrap();
    // A reference the engine refuses as malformed (not a 404).
    let error = observe("h1", &client, &[DockerQuery::Image("UPPER/Case:x".into())])
        .await
        .unwrap_err();
    assert!(error.starts_with("h1: "), "{error}");
    assert!(error.contains("image \"UPPER/Case:x\""), "{error}");
}
