//! Arguments every community.docker module shares, read the way plimsoll can honour them, and the
//! `dict` arguments (labels, driver options) the Engine API wants as strings.

use std::collections::BTreeMap;

use super::OWNER_LABEL;
use crate::drivers::PROJECT_ARG;
use crate::drivers::host::args::{Args, as_text};
use crate::endpoints::docker::ENGINE_SOCKET;
use crate::value::{Value, pyrepr};

/// community.docker's connection options. plimsoll always speaks to the host's own engine through its
/// SSH connection, so only values that mean exactly that are accepted.
pub fn connection_options(args: &mut Args) {
    args.ignored("debug");
    // plimsoll has its own timeouts for every remote call.
    args.ignored("timeout");
    let default_host = format!("unix://{ENGINE_SOCKET}");
    if let Some(host) = args.str("docker_host", &["docker_url"])
        && host != default_host
    {
        args.error(
            Some("docker_host"),
            format!(
                "docker_host {host:?}: plimsoll reaches the engine at {default_host} on the task's host, \
                 through its SSH connection"
            ),
        );
    }
    if let Some(version) = args.str("api_version", &["docker_api_version"])
        && version != "auto"
    {
        args.error(
            Some("api_version"),
            format!("api_version {version:?}: plimsoll negotiates the API version with the engine"),
        );
    }
    let over_ssh = "the engine is reached through the host's SSH connection";
    args.unsupported("tls", &[], over_ssh);
    args.unsupported("validate_certs", &["tls_verify"], over_ssh);
    args.unsupported("use_ssh_client", &[], over_ssh);
    args.unsupported("tls_hostname", &[], over_ssh);
    args.unsupported(
        "ca_path",
        &["ca_cert", "tls_ca_cert", "cacert_path"],
        over_ssh,
    );
    args.unsupported("client_cert", &["tls_client_cert", "cert_path"], over_ssh);
    args.unsupported("client_key", &["tls_client_key", "key_path"], over_ssh);
}

/// How a `dict` argument's values become the strings the Engine API takes.
#[derive(Clone, Copy)]
pub enum Values {
    /// Labels: booleans and floats are refused, as community.docker's `sanitize_labels` does.
    Labels,
    /// Driver options: booleans become `true`/`false` (community.docker's
    /// `clean_dict_booleans_for_docker_api`), everything else its `str()`.
    Options,
}

/// A `dict` argument of string values.
pub fn string_map(
    args: &mut Args,
    name: &'static str,
    aliases: &[&'static str],
    values: Values,
) -> Option<BTreeMap<String, String>> {
    let value = args.value(name, aliases)?;
    let Value::Map(map) = value else {
        args.error(
            Some(name),
            format!("{name}: expected a dict, got a {}", value.type_name()),
        );
        return None;
    };
    let mut out = BTreeMap::new();
    for (key, item) in map {
        let text = match (values, item) {
            (Values::Labels, Value::Bool(_) | Value::Float(_)) => Err(format!(
                "The value {} for {key:?} of {name} is not a string or something than can be \
                 safely converted to a string!",
                pyrepr::repr(item)
            )),
            (Values::Options, Value::Bool(true)) => Ok("true".to_string()),
            (Values::Options, Value::Bool(false)) => Ok("false".to_string()),
            _ => as_text(item).map_err(|message| format!("{name}.{key}: {message}")),
        };
        match text {
            Ok(text) => {
                out.insert(key.clone(), text);
            }
            Err(message) => args.error(Some(name), message),
        }
    }
    Some(out)
}

/// The project the loader names for labelling what a kind creates (absent in fixtures and tests).
pub fn project(args: &mut Args) -> Option<String> {
    args.str(PROJECT_ARG, &[]).filter(|p| !p.is_empty())
}

/// The labels an object is created with: the user's, plus plimsoll's ownership label.
pub fn labels_at_creation(
    declared: Option<&BTreeMap<String, String>>,
    project: Option<&str>,
) -> std::collections::HashMap<String, String> {
    let mut labels: std::collections::HashMap<String, String> = declared
        .map(|d| d.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    if let Some(project) = project {
        labels
            .entry(OWNER_LABEL.to_string())
            .or_insert_with(|| project.to_string());
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Map;

    fn map(pairs: &[(&str, Value)]) -> Map {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn option_booleans_become_go_words_and_label_booleans_are_refused() {
        let args = map(&[(
            "opts",
            Value::Map(map(&[
                ("a", Value::Bool(true)),
                ("b", Value::Int(3)),
                ("c", Value::Str("x".into())),
            ])),
        )]);
        let mut parsed = Args::new("m", &args);
        let options = string_map(&mut parsed, "opts", &[], Values::Options).unwrap();
        assert_eq!(options["a"], "true");
        assert_eq!(options["b"], "3");
        assert!(parsed.finish().is_ok());

        let mut parsed = Args::new("m", &args);
        string_map(&mut parsed, "opts", &[], Values::Labels);
        let errors = parsed.finish().unwrap_err();
        assert!(errors[0].message.contains("True for \"a\""), "{errors:?}");
    }

    #[test]
    fn only_the_hosts_own_socket_is_accepted() {
        let args = map(&[
            ("docker_host", Value::Str("tcp://10.0.0.1:2376".into())),
            ("tls", Value::Bool(true)),
            ("debug", Value::Bool(true)),
        ]);
        let mut parsed = Args::new("m", &args);
        connection_options(&mut parsed);
        let errors = parsed.finish().unwrap_err();
        let arguments: Vec<_> = errors.iter().map(|e| e.argument.as_deref()).collect();
        assert_eq!(arguments, [Some("docker_host"), Some("tls")]);

        let args = map(&[(
            "docker_host",
            Value::Str("unix:///var/run/docker.sock".into()),
        )]);
        let mut parsed = Args::new("m", &args);
        connection_options(&mut parsed);
        assert!(parsed.finish().is_ok());
    }

    #[test]
    fn created_objects_carry_the_owner_label_beside_the_users() {
        let declared = BTreeMap::from([("tier".to_string(), "web".to_string())]);
        let labels = labels_at_creation(Some(&declared), Some("shop"));
        assert_eq!(labels.get("tier").map(String::as_str), Some("web"));
        assert_eq!(labels.get(OWNER_LABEL).map(String::as_str), Some("shop"));
        assert!(labels_at_creation(None, None).is_empty());
    }
}
