//! The engine's create request for a spec: every declared option at its place, the ownership label,
//! and the first network (an engine speaking API 1.41 attaches one network at create; the others
//! are connected afterwards, as community.docker does).

use bollard::models::{
    ContainerCreateBody, ContainerUpdateBody, EndpointIpamConfig, EndpointSettings,
};
use serde_json::{Map as JsonMap, Value as Json};

use super::settings::Section;
use super::spec::{ContainerSpec, Declared, NetworkSpec};
use crate::drivers::docker::OWNER_LABEL;

/// The request body for `POST /containers/create`. `env` holds the final environment (`env_file`
/// read on the host, then `env`).
pub fn body(spec: &ContainerSpec, env: Option<Vec<String>>) -> Result<ContainerCreateBody, String> {
    let mut root = JsonMap::new();
    let mut host = JsonMap::new();
    for Declared { setting, value } in &spec.settings {
        let section = match setting.section {
            Section::Config => &mut root,
            Section::HostConfig => &mut host,
        };
        put(section, setting.path, value.clone());
    }
    if let Some(detached) = root.get("AttachStdout").cloned() {
        root.insert("AttachStderr".into(), detached);
    }
    if let Some(env) = env {
        root.insert("Env".into(), Json::from(env));
    }
    if let Some(project) = &spec.project {
        let labels = root
            .entry("Labels")
            .or_insert_with(|| Json::Object(JsonMap::new()));
        if let Json::Object(labels) = labels {
            labels.insert(OWNER_LABEL.into(), Json::from(project.as_str()));
        }
    }
    if let Some(image) = &spec.image {
        root.insert("Image".into(), Json::from(image.as_str()));
    }
    if !host.is_empty() {
        root.insert("HostConfig".into(), Json::Object(host));
    }
    let mut body: ContainerCreateBody = serde_json::from_value(Json::Object(root))
        .map_err(|e| format!("building the create request: {e}"))?;
    if spec.networks_cli_compatible
        && let Some(first) = spec.networks.as_ref().and_then(|n| n.first())
    {
        body.networking_config = Some(bollard::models::NetworkingConfig {
            endpoints_config: Some([(first.name.clone(), endpoint(first))].into()),
        });
    }
    Ok(body)
}

fn put(section: &mut JsonMap<String, Json>, path: &[&str], value: Json) {
    match path {
        [] => {}
        [last] => {
            section.insert((*last).to_string(), value);
        }
        [first, rest @ ..] => {
            let inner = section
                .entry(*first)
                .or_insert_with(|| Json::Object(JsonMap::new()));
            if let Json::Object(inner) = inner {
                put(inner, rest, value);
            }
        }
    }
}

/// The networks to connect after creating: all of them, or all but the first when it was attached
/// at create.
pub fn networks_after_create(spec: &ContainerSpec) -> &[NetworkSpec] {
    let all = spec.networks.as_deref().unwrap_or_default();
    if spec.networks_cli_compatible {
        all.get(1..).unwrap_or_default()
    } else {
        all
    }
}

/// The endpoint settings for connecting to a network: aliases and static addresses.
pub fn endpoint(network: &NetworkSpec) -> EndpointSettings {
    let ipam = (network.ipv4_address.is_some() || network.ipv6_address.is_some()).then(|| {
        EndpointIpamConfig {
            ipv4_address: network.ipv4_address.clone(),
            ipv6_address: network.ipv6_address.clone(),
            ..Default::default()
        }
    });
    EndpointSettings {
        ipam_config: ipam,
        aliases: (!network.aliases.is_empty()).then(|| network.aliases.clone()),
        ..Default::default()
    }
}

/// The request body for `docker update`: every declared option that changes in place (as
/// community.docker sends them all, not only the ones that differ).
pub fn update_body(spec: &ContainerSpec) -> Result<ContainerUpdateBody, String> {
    let mut host = JsonMap::new();
    for Declared { setting, value } in spec.settings.iter().filter(|d| d.setting.in_place) {
        put(&mut host, setting.path, value.clone());
    }
    // The engine refuses a memory limit above the swap limit it set at create (twice the memory
    // then). Without a declared memory_swap, give the new limit the swap a new container would get.
    if let Some(memory) = host.get("Memory").and_then(Json::as_i64)
        && memory > 0
        && !host.contains_key("MemorySwap")
    {
        host.insert("MemorySwap".into(), Json::from(memory.saturating_mul(2)));
    }
    serde_json::from_value(Json::Object(host))
        .map_err(|e| format!("building the update request: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drivers::Kind;
    use crate::drivers::docker::container::Container;
    use crate::source::SourceFile;
    use crate::source::yaml::{load, to_value};
    use crate::value::Value;

    fn spec(yaml: &str) -> ContainerSpec {
        let source = SourceFile::new("case", yaml);
        let Value::Map(args) = to_value(&load(&source, &mut Vec::new()).unwrap().unwrap()) else {
            panic!("not a mapping")
        };
        Container::parse(&args).unwrap()
    }

    #[test]
    fn create_request_carries_options_label_and_first_network() {
        let spec = spec(
            "{name: web, image: 'busybox:1', _plimsoll_project: demo, command: 'httpd -f',
              published_ports: ['8080:80'], restart_policy: always, restart_retries: 0,
              memory: 64m, log_driver: json-file, log_options: {max-size: 1m},
              labels: {app: web}, networks: [{name: front, aliases: [www]}, {name: back}]}",
        );
        let body = body(&spec, Some(vec!["A=1".into()])).unwrap();
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["Image"], "busybox:1");
        assert_eq!(json["Cmd"], serde_json::json!(["httpd", "-f"]));
        assert_eq!(json["Env"], serde_json::json!(["A=1"]));
        assert_eq!(json["Labels"][OWNER_LABEL], "demo");
        assert_eq!(json["Labels"]["app"], "web");
        assert_eq!(json["ExposedPorts"], serde_json::json!({"80/tcp": {}}));
        let host = &json["HostConfig"];
        assert_eq!(
            host["PortBindings"]["80/tcp"],
            serde_json::json!([{"HostIp": "0.0.0.0", "HostPort": "8080"}])
        );
        assert_eq!(host["RestartPolicy"]["Name"], "always");
        assert_eq!(host["Memory"], 64 << 20);
        assert_eq!(host["LogConfig"]["Config"]["max-size"], "1m");
        assert_eq!(host["NetworkMode"], "front");
        let endpoints = &json["NetworkingConfig"]["EndpointsConfig"];
        assert_eq!(endpoints["front"]["Aliases"], serde_json::json!(["www"]));
        assert!(endpoints.get("back").is_none());
        assert_eq!(networks_after_create(&spec).len(), 1);
        let update = serde_json::to_value(update_body(&spec).unwrap()).unwrap();
        assert_eq!(update["Memory"], 64 << 20);
        assert_eq!(
            update["MemorySwap"],
            128 << 20,
            "as the engine sets it at create"
        );
        assert_eq!(update["RestartPolicy"]["Name"], "always");
        assert!(update.get("PortBindings").is_none());
    }
}
