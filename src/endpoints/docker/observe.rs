//! Reading the Docker objects a host's resources ask about: one batch per host, a few API calls in
//! flight at once.

use std::collections::HashMap;
use std::sync::Arc;

use bollard::Docker;
use bollard::errors::Error;
use bollard::query_parameters::{
    ListContainersOptions, ListImagesOptions, ListNetworksOptions, ListVolumesOptions,
};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::drivers::docker::OWNER_LABEL;
use crate::facts::{DockerFact, DockerQuery, FactRequest, FactValue, Facts, OwnedObject};

/// API calls in flight at once on one host. Each is an SSH channel on the host's one connection, and
/// sshd allows ten sessions per connection (MaxSessions), some of them the transport's own.
pub const CONCURRENT_CALLS: usize = 4;

/// Answers every Docker query of one host. A missing object is [`FactValue::Absent`]; any other
/// failure names the host and the object.
pub async fn observe(
    host: &str,
    client: &Docker,
    queries: &[DockerQuery],
) -> Result<Facts, String> {
    let limit = Arc::new(Semaphore::new(CONCURRENT_CALLS));
    let mut reads = JoinSet::new();
    for (index, query) in queries.iter().enumerate() {
        let client = client.clone();
        let query = query.clone();
        let limit = limit.clone();
        reads.spawn(async move {
            let _permit = limit.acquire_owned().await;
            (index, read(&client, &query).await)
        });
    }
    let mut answers: Vec<Option<Result<FactValue, Error>>> = queries.iter().map(|_| None).collect();
    while let Some(joined) = reads.join_next().await {
        let (index, answer) =
            joined.map_err(|e| format!("{host}: reading from the Docker engine stopped: {e}"))?;
        answers[index] = Some(answer);
    }
    let mut facts = Facts::default();
    // The first failure in query order, so the message does not depend on which call finished first.
    for (query, answer) in queries.iter().zip(answers) {
        let value = match answer {
            Some(Ok(value)) => value,
            Some(Err(e)) => {
                return Err(format!(
                    "{host}: reading {} from the Docker engine: {}",
                    describe(query),
                    engine_message(&e)
                ));
            }
            None => return Err(format!("{host}: {} was never read", describe(query))),
        };
        facts.insert(FactRequest::Docker(query.clone()), value);
    }
    Ok(facts)
}

/// How an error reads in a sentence: the engine's own message when it sent one.
fn engine_message(error: &Error) -> String {
    match error {
        Error::DockerResponseServerError {
            status_code,
            message,
        } => format!("{message} (HTTP {status_code})"),
        other => other.to_string(),
    }
}

/// The object a query is about, for messages.
pub fn describe(query: &DockerQuery) -> String {
    match query {
        DockerQuery::Container(name) => format!("container {name:?}"),
        DockerQuery::Image(reference) => format!("image {reference:?}"),
        DockerQuery::Network(name) => format!("network {name:?}"),
        DockerQuery::Volume(name) => format!("volume {name:?}"),
        DockerQuery::Owned { project } => format!("the objects labelled {OWNER_LABEL}={project}"),
    }
}

async fn read(client: &Docker, query: &DockerQuery) -> Result<FactValue, Error> {
    let fact = match query {
        DockerQuery::Container(name) => {
            absent_if_missing(client.inspect_container(name, None).await)?
                // The engine also answers to an ID prefix: a different container is not this one.
                .filter(|c| {
                    c.name.as_deref().map(|n| n.trim_start_matches('/')) == Some(name.as_str())
                        || c.id.as_deref() == Some(name.as_str())
                })
                .map(|c| DockerFact::Container(Box::new(c)))
        }
        DockerQuery::Image(reference) => absent_if_missing(client.inspect_image(reference).await)?
            .map(|i| DockerFact::Image(Box::new(i))),
        DockerQuery::Network(name) => absent_if_missing(client.inspect_network(name, None).await)?
            .filter(|n| n.name.as_deref() == Some(name.as_str()) || n.id.as_deref() == Some(name))
            .map(|n| DockerFact::Network(Box::new(n))),
        DockerQuery::Volume(name) => absent_if_missing(client.inspect_volume(name).await)?
            .map(|v| DockerFact::Volume(Box::new(v))),
        DockerQuery::Owned { project } => Some(DockerFact::Owned(owned(client, project).await?)),
    };
    Ok(fact.map_or(FactValue::Absent, FactValue::Docker))
}

fn absent_if_missing<T>(result: Result<T, Error>) -> Result<Option<T>, Error> {
    match result {
        Ok(found) => Ok(Some(found)),
        Err(Error::DockerResponseServerError {
            status_code: 404, ..
        }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Every container, network, volume and image labelled as `project`'s, sorted by type then name.
async fn owned(client: &Docker, project: &str) -> Result<Vec<OwnedObject>, Error> {
    let filters = || {
        Some(HashMap::from([(
            "label".to_string(),
            vec![format!("{OWNER_LABEL}={project}")],
        )]))
    };
    let object = |object_type: &str, name: String| OwnedObject {
        object_type: object_type.to_string(),
        name,
    };
    let mut found = Vec::new();
    let containers = client
        .list_containers(Some(ListContainersOptions {
            all: true,
            filters: filters(),
            ..Default::default()
        }))
        .await?;
    found.extend(containers.into_iter().filter_map(|c| {
        let name = c.names?.into_iter().next()?;
        Some(object(
            "container",
            name.trim_start_matches('/').to_string(),
        ))
    }));
    let networks = client
        .list_networks(Some(ListNetworksOptions { filters: filters() }))
        .await?;
    found.extend(
        networks
            .into_iter()
            .filter_map(|n| Some(object("network", n.name?))),
    );
    let volumes = client
        .list_volumes(Some(ListVolumesOptions { filters: filters() }))
        .await?;
    found.extend(
        volumes
            .volumes
            .unwrap_or_default()
            .into_iter()
            .map(|v| object("volume", v.name)),
    );
    let images = client
        .list_images(Some(ListImagesOptions {
            filters: filters(),
            ..Default::default()
        }))
        .await?;
    found.extend(images.into_iter().map(|i| {
        // An image is known by its first tag; an untagged one by its ID.
        let name = i
            .repo_tags
            .into_iter()
            .find(|t| t != "<none>:<none>")
            .unwrap_or(i.id);
        object("image", name)
    }));
    found.sort_by(|a, b| (&a.object_type, &a.name).cmp(&(&b.object_type, &b.name)));
    Ok(found)
}
