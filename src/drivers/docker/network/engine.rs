//! Making a network's change on the engine: create, delete (its containers disconnected first), and
//! replace, which gives the containers attached back their membership in the new network.

use std::collections::{BTreeMap, HashMap};

use bollard::Docker;
use bollard::models::{
    EndpointIpamConfig, EndpointSettings, Ipam, NetworkConnectRequest, NetworkCreateRequest,
    NetworkDisconnectRequest,
};
use bollard::query_parameters::ListContainersOptions;

use super::NetworkSpec;
use super::ipam;
use crate::drivers::docker::engine_args::labels_at_creation;
use crate::drivers::docker::engine_error::engine_error;

/// A container's membership of the network, as the engine reports it.
#[derive(Debug)]
struct Attachment {
    container: String,
    aliases: Vec<String>,
    ipv4: Option<String>,
    ipv6: Option<String>,
}

pub async fn create(client: &Docker, spec: &NetworkSpec) -> Result<(), String> {
    client
        .create_network(request(spec))
        .await
        .map_err(|e| engine_error("creating it", e))?;
    Ok(())
}

pub async fn delete(client: &Docker, name: &str) -> Result<(), String> {
    for attachment in attachments(client, name).await? {
        disconnect(client, name, &attachment.container).await?;
    }
    client
        .remove_network(name)
        .await
        .map_err(|e| engine_error("removing it", e))
}

/// Disconnect every container, recreate, reconnect each with the aliases and addresses it had (an
/// address outside the new network's declared subnets cannot be kept; the container then gets one
/// the engine picks, and its own task says which it should have).
pub async fn replace(client: &Docker, spec: &NetworkSpec) -> Result<(), String> {
    let attached = attachments(client, &spec.name).await?;
    for attachment in &attached {
        disconnect(client, &spec.name, &attachment.container).await?;
    }
    client
        .remove_network(&spec.name)
        .await
        .map_err(|e| engine_error("removing the old network", e))?;
    create(client, spec).await?;
    let subnets: Vec<&str> = spec
        .ipam_config
        .iter()
        .flatten()
        .map(|p| p.subnet.as_str())
        .collect();
    let fits = |address: &Option<String>| {
        address
            .clone()
            .filter(|a| subnets.iter().any(|s| ipam::contains(s, a)))
    };
    let mut failures = Vec::new();
    for attachment in attached {
        let ipam_config = EndpointIpamConfig {
            ipv4_address: fits(&attachment.ipv4),
            ipv6_address: fits(&attachment.ipv6),
            link_local_ips: None,
        };
        let endpoint = EndpointSettings {
            aliases: (!attachment.aliases.is_empty()).then_some(attachment.aliases),
            ipam_config: (ipam_config.ipv4_address.is_some() || ipam_config.ipv6_address.is_some())
                .then_some(ipam_config),
            ..Default::default()
        };
        let connected = client
            .connect_network(
                &spec.name,
                NetworkConnectRequest {
                    container: attachment.container.clone(),
                    endpoint_config: Some(endpoint),
                },
            )
            .await;
        if let Err(e) = connected {
            failures.push(engine_error(
                &format!("reconnecting container {:?}", attachment.container),
                e,
            ));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "recreated, but not every container is back: {}",
            failures.join("; ")
        ))
    }
}

fn request(spec: &NetworkSpec) -> NetworkCreateRequest {
    let pools: Vec<_> = spec
        .ipam_config
        .iter()
        .flatten()
        .map(ipam::to_engine)
        .collect();
    let ipam =
        (spec.ipam_driver.is_some() || spec.ipam_driver_options.is_some() || !pools.is_empty())
            .then(|| Ipam {
                driver: spec.ipam_driver.clone(),
                config: Some(pools),
                options: spec.ipam_driver_options.as_ref().map(hash_map),
            });
    NetworkCreateRequest {
        name: spec.name.clone(),
        driver: Some(spec.driver.clone()),
        scope: spec.scope.clone(),
        internal: spec.internal,
        attachable: spec.attachable,
        enable_ipv6: spec.enable_ipv6,
        ipam,
        options: Some(hash_map(&spec.driver_options)),
        labels: Some(labels_at_creation(
            Some(&spec.labels),
            spec.project.as_deref(),
        )),
        ..Default::default()
    }
}

fn hash_map(map: &BTreeMap<String, String>) -> HashMap<String, String> {
    map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

async fn disconnect(client: &Docker, network: &str, container: &str) -> Result<(), String> {
    client
        .disconnect_network(
            network,
            NetworkDisconnectRequest {
                container: container.to_string(),
                force: Some(true),
            },
        )
        .await
        .map_err(|e| engine_error(&format!("disconnecting container {container:?}"), e))
}

/// Every container attached, running or not (the network's own list has only running ones), with
/// the aliases the user gave it (not the short ID the engine adds) and the addresses it asked for.
async fn attachments(client: &Docker, network: &str) -> Result<Vec<Attachment>, String> {
    let inspected = client
        .inspect_network(network, None)
        .await
        .map_err(|e| engine_error("reading it", e))?;
    let id = inspected.id.unwrap_or_else(|| network.to_string());
    let containers = client
        .list_containers(Some(ListContainersOptions {
            all: true,
            // A stopped container's settings name the network but may not carry its ID.
            filters: Some(HashMap::from([(
                "network".to_string(),
                vec![id.clone(), network.to_string()],
            )])),
            ..Default::default()
        }))
        .await
        .map_err(|e| engine_error("listing its containers", e))?;
    let mut out = Vec::new();
    for summary in containers {
        let Some(container_id) = summary.id else {
            continue;
        };
        let container = client
            .inspect_container(&container_id, None)
            .await
            .map_err(|e| engine_error(&format!("reading container {container_id}"), e))?;
        let name = container
            .name
            .as_deref()
            .map_or(container_id.as_str(), |n| n.trim_start_matches('/'))
            .to_string();
        let endpoint = container
            .network_settings
            .and_then(|s| s.networks)
            .and_then(|mut networks| {
                // Keyed by network name; a stopped container may not have the ID filled in.
                networks.remove(network).or_else(|| {
                    networks
                        .into_values()
                        .find(|e| e.network_id.as_deref() == Some(id.as_str()))
                })
            })
            .unwrap_or_default();
        let short_id = container_id.get(..12).unwrap_or(&container_id);
        let aliases = endpoint
            .aliases
            .unwrap_or_default()
            .into_iter()
            .filter(|a| a != short_id && *a != container_id)
            .collect();
        let requested = endpoint.ipam_config.unwrap_or_default();
        out.push(Attachment {
            container: name,
            aliases,
            ipv4: requested.ipv4_address.filter(|a| !a.is_empty()),
            ipv6: requested.ipv6_address.filter(|a| !a.is_empty()),
        });
    }
    Ok(out)
}
