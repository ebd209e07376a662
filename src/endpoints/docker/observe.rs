//! Reading the Docker objects a host's resources ask about.

use bollard::Docker;
use bollard::errors::Error;

use crate::facts::{DockerFact, DockerQuery, FactRequest, FactValue, Facts};

/// Answers every Docker query of one host. A missing object is [`FactValue::Absent`].
pub async fn observe(client: &Docker, queries: &[DockerQuery]) -> Result<Facts, String> {
    let mut facts = Facts::default();
    for query in queries {
        let value = match query {
            DockerQuery::Container(name) => absent_if_missing(
                client
                    .inspect_container(name, None)
                    .await
                    .map(|c| DockerFact::Container(Box::new(c))),
            ),
            DockerQuery::Image(reference) => absent_if_missing(
                client
                    .inspect_image(reference)
                    .await
                    .map(|i| DockerFact::Image(Box::new(i))),
            ),
            DockerQuery::Network(name) => absent_if_missing(
                client
                    .inspect_network(name, None)
                    .await
                    .map(|n| DockerFact::Network(Box::new(n))),
            ),
            DockerQuery::Volume(name) => absent_if_missing(
                client
                    .inspect_volume(name)
                    .await
                    .map(|v| DockerFact::Volume(Box::new(v))),
            ),
            DockerQuery::Owned { .. } => Ok(FactValue::Docker(DockerFact::Owned(Vec::new()))),
        }
        .map_err(|e| format!("reading {query:?} from the Docker engine: {e}"))?;
        facts.insert(FactRequest::Docker(query.clone()), value);
    }
    Ok(facts)
}

fn absent_if_missing(result: Result<DockerFact, Error>) -> Result<FactValue, Error> {
    match result {
        Ok(fact) => Ok(FactValue::Docker(fact)),
        Err(Error::DockerResponseServerError {
            status_code: 404, ..
        }) => Ok(FactValue::Absent),
        Err(e) => Err(e),
    }
}
