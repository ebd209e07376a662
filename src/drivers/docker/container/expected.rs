//! What a declared option should look like on a container made from the desired image, and what the
//! live container has: the image's defaults (Env, Labels, ExposedPorts, Volumes, Cmd) and what the
//! engine adds are folded in, so neither counts as drift.

use serde_json::{Map as JsonMap, Value as Json};

use super::compare::env_map;
use super::healthcheck;
use super::settings::{Section, Setting};
use crate::drivers::docker::OWNER_LABEL;

/// The value the container should show for `setting`, given the declared value and the image's
/// `Config` (when the image is on the host).
pub fn expected(setting: &Setting, declared: &Json, image: Option<&Json>) -> Json {
    let from_image = |field: &str| image.and_then(|i| i.get(field)).filter(|v| !v.is_null());
    match setting.name {
        "env" => {
            let mut merged = env_map(from_image("Env"));
            merged.extend(env_map(Some(declared)));
            Json::Array(
                merged
                    .into_iter()
                    .map(|(k, v)| Json::from(format!("{k}={}", v.as_str().unwrap_or_default())))
                    .collect(),
            )
        }
        "labels" | "exposed_ports" | "volumes" => {
            let field = match setting.name {
                "labels" => "Labels",
                "exposed_ports" => "ExposedPorts",
                _ => "Volumes",
            };
            let mut merged = object(from_image(field));
            merged.extend(object(Some(declared)));
            Json::Object(merged)
        }
        // An empty command means "the image's".
        "command" if declared.as_array().is_some_and(Vec::is_empty) => from_image("Cmd")
            .cloned()
            .unwrap_or_else(|| declared.clone()),
        "network_mode" => match declared.as_str() {
            Some("bridge") => Json::from("default"),
            _ => declared.clone(),
        },
        _ => declared.clone(),
    }
}

fn object(value: Option<&Json>) -> JsonMap<String, Json> {
    match value {
        Some(Json::Object(map)) => map.clone(),
        // The engine's models give key sets as lists (ExposedPorts, Volumes).
        Some(Json::Array(items)) => items
            .iter()
            .filter_map(Json::as_str)
            .map(|k| (k.to_string(), Json::Object(JsonMap::new())))
            .collect(),
        _ => JsonMap::new(),
    }
}

/// The live container's value for `setting` (`None` when the engine has none).
pub fn live(setting: &Setting, inspect: &Json) -> Option<Json> {
    let section = match setting.section {
        Section::Config => "Config",
        Section::HostConfig => "HostConfig",
    };
    let mut value = inspect.get(section);
    for step in setting.path {
        value = value.and_then(|v| v.get(step));
    }
    let value = value.filter(|v| !v.is_null()).cloned();
    match setting.name {
        "healthcheck" => Some(healthcheck::live_form(value.as_ref())),
        // plimsoll's own label is not the user's to compare.
        "labels" => value.map(|labels| {
            let mut map = object(Some(&labels));
            map.remove(OWNER_LABEL);
            Json::Object(map)
        }),
        "exposed_ports" | "volumes" => value.map(|v| Json::Object(object(Some(&v)))),
        // `bridge` and `default` are the same network on Linux (engines since 26.1 report
        // `default` as `bridge`).
        "network_mode" => value.map(|mode| match mode.as_str() {
            Some("bridge") => Json::from("default"),
            _ => mode,
        }),
        _ => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drivers::docker::container::settings::setting;
    use serde_json::json;

    #[test]
    fn image_defaults_join_the_expected_value() {
        let image = json!({"Env": ["PATH=/bin", "MODE=image"], "Labels": {"vendor": "x"},
            "ExposedPorts": ["80/tcp"], "Cmd": ["httpd"]});
        let env = setting("env").unwrap();
        assert_eq!(
            expected(env, &json!(["MODE=mine"]), Some(&image)),
            json!(["PATH=/bin", "MODE=mine"])
        );
        let labels = setting("labels").unwrap();
        assert_eq!(
            expected(labels, &json!({"app": "web"}), Some(&image)),
            json!({"vendor": "x", "app": "web"})
        );
        let ports = setting("exposed_ports").unwrap();
        assert_eq!(
            expected(ports, &json!({"8080/tcp": {}}), Some(&image)),
            json!({"80/tcp": {}, "8080/tcp": {}})
        );
        let command = setting("command").unwrap();
        assert_eq!(
            expected(command, &json!([]), Some(&image)),
            json!(["httpd"])
        );
        assert_eq!(
            expected(command, &json!(["sh"]), Some(&image)),
            json!(["sh"])
        );
    }

    #[test]
    fn live_values_without_plimsoll_s_label() {
        let inspect = json!({"Config": {"Labels": {"app": "web", OWNER_LABEL: "demo"}},
            "HostConfig": {"RestartPolicy": {"Name": "always"}, "NetworkMode": "bridge"}});
        assert_eq!(
            live(setting("labels").unwrap(), &inspect),
            Some(json!({"app": "web"}))
        );
        assert_eq!(
            live(setting("restart_policy").unwrap(), &inspect),
            Some(json!("always"))
        );
        assert_eq!(
            live(setting("network_mode").unwrap(), &inspect),
            Some(json!("default"))
        );
        assert_eq!(live(setting("memory").unwrap(), &inspect), None);
    }
}
