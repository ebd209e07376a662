//! Task arguments → [`ContainerSpec`], with community.docker's option names, aliases, types and
//! checks. Options plimsoll cannot honour are refused with a reason; the few it accepts and ignores
//! are listed in [`IGNORED`].

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;
use serde_json::{Map as JsonMap, Value as Json};

use super::healthcheck;
use super::networks;
use super::ports::{self, Ports};
use super::settings::{Comparison, setting};
use super::spec::{Comparisons, ContainerSpec, Declared, DesiredState, Pull};
use super::units::human_to_bytes;
use super::volumes;
use crate::drivers::host::args::{Args, as_text, check_path};
use crate::drivers::{PROJECT_ARG, SpecError};
use crate::value::{Map, Value};

const MODULE: &str = "community.docker.docker_container";

/// Options accepted for compatibility that change nothing plimsoll does, and why.
pub const IGNORED: &[(&str, &str)] = &[
    ("debug", "plimsoll's plan shows what would change"),
    ("pull_check_mode_behavior", "a plan never pulls"),
    (
        "removal_wait_timeout",
        "removal is awaited within the engine call's own timeout",
    ),
    (
        "output_logs",
        "only used with detach: false, which is refused",
    ),
];

/// Options for the engine connection: plimsoll reaches the engine over the host's SSH connection.
const CONNECTION: &[&str] = &[
    "docker_host",
    "tls_hostname",
    "api_version",
    "timeout",
    "ca_path",
    "client_cert",
    "client_key",
    "tls",
    "use_ssh_client",
    "validate_certs",
];

/// Container options community.docker has and plimsoll does not (yet) manage.
const NOT_MANAGED: &[&str] = &[
    "devices",
    "device_read_bps",
    "device_write_bps",
    "device_read_iops",
    "device_write_iops",
    "device_requests",
    "device_cgroup_rules",
    "links",
    "mac_address",
    "platform",
    "kernel_memory",
    "cgroupns_mode",
    "storage_opts",
    "paused",
    "cleanup",
];

pub fn parse(map: &Map) -> Result<ContainerSpec, Vec<SpecError>> {
    let mut args = Args::new(MODULE, map);
    let mut reader = Reader {
        args: &mut args,
        settings: BTreeMap::new(),
    };
    let spec = reader.spec(map);
    let settings = std::mem::take(&mut reader.settings);
    args.finish()?;
    let mut spec = spec;
    spec.settings = super::settings::SETTINGS
        .iter()
        .filter_map(|s| {
            settings.get(s.name).map(|value| Declared {
                setting: s,
                value: value.clone(),
            })
        })
        .collect();
    Ok(spec)
}

struct Reader<'r, 'a> {
    args: &'r mut Args<'a>,
    /// Declared options in the engine's form, by option name.
    settings: BTreeMap<&'static str, Json>,
}

impl Reader<'_, '_> {
    fn error(&mut self, argument: &str, message: impl Into<String>) {
        self.args.push(SpecError::new(Some(argument), message));
    }

    fn declare(&mut self, name: &'static str, value: Json) {
        debug_assert!(setting(name).is_some(), "{name} is not in SETTINGS");
        self.settings.insert(name, value);
    }

    fn spec(&mut self, map: &Map) -> ContainerSpec {
        let name = match self.args.str("name", &[]) {
            Some(name) if !name.is_empty() => name,
            _ => {
                self.error("name", "missing required arguments: name");
                String::new()
            }
        };
        let project = self.args.str(PROJECT_ARG, &[]);
        let state = match self
            .args
            .choice(
                "state",
                &[],
                &["absent", "present", "healthy", "started", "stopped"],
            )
            .as_deref()
        {
            Some("absent") => DesiredState::Absent,
            Some("present") => DesiredState::Present,
            Some("healthy") => DesiredState::Healthy,
            Some("stopped") => DesiredState::Stopped,
            _ => DesiredState::Started,
        };
        let image = self.args.str("image", &[]);
        if state == DesiredState::Present && image.is_none() {
            self.error(
                "image",
                "state is present but all of the following are missing: image",
            );
        }
        let pull = self.pull();
        self.compatibility_defaults();
        self.simple_options();
        self.command();
        let env = self.env();
        let env_file = self.args.str("env_file", &[]);
        if let Some(path) = &env_file
            && let Err(e) = check_path(path)
        {
            self.error("env_file", e.message);
        }
        self.ports();
        self.volumes();
        let networks_cli_compatible = self.args.bool("networks_cli_compatible", &[], true);
        let networks = self.networks();
        if let Some(mode) = self.args.str("network_mode", &[]) {
            self.declare("network_mode", Json::from(mode));
        } else if networks_cli_compatible
            && let Some(first) = networks.as_ref().and_then(|n| n.first())
        {
            // As `docker run --network`: the first network is the network mode.
            self.declare("network_mode", Json::from(first.name.clone()));
        }
        self.healthcheck();
        self.restart_policy();
        self.log_config();
        let comparisons = self.comparisons();
        let restart = self.args.bool("restart", &[], false);
        let recreate = self.args.bool("recreate", &[], false);
        let force_kill = self.args.bool("force_kill", &["forcekill"], false);
        let kill_signal = self.args.str("kill_signal", &[]);
        let keep_volumes = self.args.bool("keep_volumes", &[], true);
        let stop_timeout = self.int("stop_timeout");
        if let Some(timeout) = stop_timeout {
            self.declare("stop_timeout", Json::from(timeout));
        }
        let recreate_on_image_name_mismatch = self
            .args
            .choice("image_name_mismatch", &[], &["recreate", "ignore"])
            .as_deref()
            != Some("ignore");
        self.only(
            "image_label_mismatch",
            "ignore",
            "the image's labels are never compared",
        );
        self.only(
            "image_comparison",
            "desired-image",
            "plimsoll compares with the image the task names",
        );
        self.only(
            "command_handling",
            "correct",
            "commands are kept as lists, as community.docker has done since 3.0.0",
        );
        let healthy_wait_timeout = match self.float("healthy_wait_timeout") {
            Some(t) if t <= 0.0 => None,
            Some(t) => Some(t),
            None => Some(300.0),
        };
        for (option, _why) in IGNORED {
            self.args.ignored(option);
        }
        for option in CONNECTION {
            self.args.unsupported(
                option,
                &[],
                "plimsoll reaches each host's engine through its SSH connection",
            );
        }
        for option in NOT_MANAGED {
            self.args
                .unsupported(option, &[], "plimsoll does not manage this option yet");
        }
        if self.args.opt_bool("detach", &[]) == Some(false) {
            self.error(
                "detach",
                "detach: false runs a container to completion, which is a job, not a state \
                 plimsoll can plan",
            );
        } else if map.contains_key("detach") {
            self.declare("detach", Json::Bool(false));
        }
        ContainerSpec {
            name,
            project,
            state,
            image,
            pull,
            settings: Vec::new(),
            env,
            env_file,
            networks,
            networks_cli_compatible,
            comparisons,
            restart,
            recreate,
            force_kill,
            kill_signal,
            keep_volumes,
            stop_timeout,
            recreate_on_image_name_mismatch,
            healthy_wait_timeout,
        }
    }

    /// An option with one accepted value.
    fn only(&mut self, option: &'static str, accepted: &str, why: &str) {
        if let Some(value) = self.args.str(option, &[])
            && value != accepted
        {
            self.error(
                option,
                format!("{option}: only {accepted:?} is supported ({why}), got {value:?}"),
            );
        }
    }

    fn pull(&mut self) -> Pull {
        let Some(value) = self.args.value("pull", &[]) else {
            return Pull::Missing;
        };
        let word = match value {
            Value::Bool(false) => "missing",
            Value::Bool(true) => "always",
            other => other.as_str().unwrap_or_default(),
        };
        match word {
            "missing" => Pull::Missing,
            "never" => Pull::Never,
            "always" => {
                self.error(
                    "pull",
                    "pull: always is not supported: a plan cannot know what a pull would bring. \
                     Deliver or pull the image with a docker_image task before this one",
                );
                Pull::Missing
            }
            _ => {
                let shown = crate::value::pyrepr::repr(value);
                self.error(
                    "pull",
                    format!(
                        "value of pull must be one of: never, missing, always, True, False, got: \
                         {shown}"
                    ),
                );
                Pull::Missing
            }
        }
    }

    /// `container_default_behavior: compatibility` gives some options their old defaults.
    fn compatibility_defaults(&mut self) {
        let behaviour = self.args.choice(
            "container_default_behavior",
            &[],
            &["compatibility", "no_defaults"],
        );
        if behaviour.as_deref() != Some("compatibility") {
            return;
        }
        for name in [
            "auto_remove",
            "init",
            "interactive",
            "privileged",
            "read_only",
            "tty",
        ] {
            self.declare(name, Json::Bool(false));
        }
        self.declare("detach", Json::Bool(false));
        self.declare("memory", Json::from(0));
    }

    fn int(&mut self, name: &'static str) -> Option<i64> {
        let value = self.args.int(name, &[])?;
        match i64::try_from(value) {
            Ok(v) => Some(v),
            Err(_) => {
                self.error(name, format!("{name}: {value} is out of range"));
                None
            }
        }
    }

    fn float(&mut self, name: &'static str) -> Option<f64> {
        let value = self.args.value(name, &[])?;
        let parsed = match value {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            Value::Str(s) | Value::Unsafe(s) => s.trim().parse().ok(),
            _ => None,
        };
        if parsed.is_none() {
            self.error(
                name,
                format!(
                    "{name}: {} cannot be converted to a float",
                    crate::value::pyrepr::repr(value)
                ),
            );
        }
        parsed.filter(|f: &f64| f.is_finite())
    }

    fn string_list(&mut self, name: &'static str, aliases: &[&'static str]) -> Option<Vec<String>> {
        self.args.list(name, aliases)
    }

    /// A `dict` option whose values become strings. `strict` refuses non-strings (as `env` does).
    fn string_dict(
        &mut self,
        name: &'static str,
        aliases: &[&'static str],
        strict: bool,
    ) -> Option<IndexMap<String, String>> {
        let value = self.args.value(name, aliases)?;
        let Value::Map(map) = value else {
            self.error(
                name,
                format!("{name}: expected a dict, got a {}", value.type_name()),
            );
            return None;
        };
        let mut out = IndexMap::new();
        for (key, item) in map {
            let text = match item {
                Value::Str(s) | Value::Unsafe(s) => Ok(s.clone()),
                _ if strict => Err(format!(
                    "Non-string value found for {name} option. Ambiguous {name} options must be \
                     wrapped in quotes to avoid them being interpreted. Key: {key}"
                )),
                Value::Bool(_) | Value::Float(_) if name == "labels" => Err(format!(
                    "The value {} for {key:?} of labels is not a string or something than can \
                     be safely converted to a string!",
                    crate::value::pyrepr::repr(item)
                )),
                other => as_text(other).map_err(|e| format!("{name}.{key}: {e}")),
            };
            match text {
                Ok(text) => {
                    out.insert(key.clone(), text);
                }
                Err(message) => self.error(name, message),
            }
        }
        Some(out)
    }

    fn size(&mut self, name: &'static str, unlimited: bool) -> Option<i64> {
        let text = self.args.str(name, &[])?;
        if unlimited && (text == "unlimited" || text == "-1") {
            return Some(-1);
        }
        match human_to_bytes(&text) {
            Ok(bytes) => Some(bytes),
            Err(e) => {
                self.error(name, format!("Failed to convert {name} to bytes: {e}"));
                None
            }
        }
    }

    fn simple_options(&mut self) {
        for name in [
            "hostname",
            "domainname",
            "user",
            "working_dir",
            "stop_signal",
            "cpuset_cpus",
            "cpuset_mems",
            "pid_mode",
            "ipc_mode",
            "uts",
            "userns_mode",
            "runtime",
            "cgroup_parent",
            "volume_driver",
        ] {
            if let Some(text) = self.args.str(name, &[]) {
                self.declare(name, Json::from(text));
            }
        }
        for name in [
            "tty",
            "interactive",
            "init",
            "privileged",
            "read_only",
            "auto_remove",
            "oom_killer",
            "publish_all_ports",
        ] {
            if let Some(flag) = self.args.opt_bool(name, &[]) {
                self.declare(name, Json::Bool(flag));
            }
        }
        for name in [
            "cpu_shares",
            "cpu_period",
            "cpu_quota",
            "blkio_weight",
            "memory_swappiness",
            "oom_score_adj",
            "pids_limit",
        ] {
            if let Some(number) = self.int(name) {
                self.declare(name, Json::from(number));
            }
        }
        for (name, unlimited) in [
            ("memory", false),
            ("memory_reservation", false),
            ("memory_swap", true),
            ("shm_size", false),
        ] {
            if let Some(bytes) = self.size(name, unlimited) {
                self.declare(name, Json::from(bytes));
            }
        }
        if let Some(cpus) = self.float("cpus") {
            self.declare("cpus", Json::from((cpus * 1e9).round() as i64));
        }
        for (name, aliases) in [
            ("capabilities", &[][..]),
            ("cap_drop", &[]),
            ("volumes_from", &[]),
            ("dns_servers", &[]),
            ("dns_search_domains", &[]),
            ("dns_opts", &[]),
            ("groups", &[]),
            ("security_opts", &[]),
        ] {
            if let Some(items) = self.string_list(name, aliases) {
                self.declare(name, Json::from(items));
            }
        }
        if let Some(labels) = self.string_dict("labels", &[], false) {
            self.declare("labels", json_map(labels));
        }
        if let Some(sysctls) = self.string_dict("sysctls", &[], false) {
            self.declare("sysctls", json_map(sysctls));
        }
        if let Some(hosts) = self.string_dict("etc_hosts", &[], false) {
            let entries: Vec<String> = hosts.iter().map(|(h, ip)| format!("{h}:{ip}")).collect();
            self.declare("etc_hosts", Json::from(entries));
        }
        if let Some(entries) = self.string_list("tmpfs", &[]) {
            let map: IndexMap<String, String> = entries
                .iter()
                .map(|e| match e.split_once(':') {
                    Some((path, options)) => (path.to_string(), options.to_string()),
                    None => (e.clone(), String::new()),
                })
                .collect();
            self.declare("tmpfs", json_map(map));
        }
        if let Some(entries) = self.string_list("ulimits", &[]) {
            let mut limits = Vec::new();
            for entry in &entries {
                match ulimit(entry) {
                    Ok(limit) => limits.push(limit),
                    Err(e) => self.error("ulimits", e),
                }
            }
            self.declare("ulimits", Json::Array(limits));
        }
    }

    /// `command`: a list as written, or a string split as a POSIX shell would.
    fn command(&mut self) {
        if let Some(value) = self.args.value("command", &[]) {
            let words = match value {
                Value::List(items) => items.iter().map(as_text).collect::<Result<Vec<_>, _>>(),
                other => as_text(other).and_then(|line| {
                    crate::inventory::shlex::shlex_split(&line, false)
                        .map(|tokens| tokens.into_iter().map(|t| t.text).collect())
                        .map_err(|e| e.to_string())
                }),
            };
            match words {
                Ok(words) => self.declare("command", Json::from(words)),
                Err(e) => self.error("command", format!("command: {e}")),
            }
        }
        if let Some(words) = self.string_list("entrypoint", &[]) {
            self.declare("entrypoint", Json::from(words));
        }
    }

    fn env(&mut self) -> Option<IndexMap<String, String>> {
        self.string_dict("env", &[], true)
    }

    fn ports(&mut self) {
        let default_ip = self
            .args
            .str("default_host_ip", &[])
            .unwrap_or_else(|| "0.0.0.0".into());
        let mut ports = Ports::default();
        let published = self.string_list("published_ports", &["ports"]);
        if let Some(specs) = &published
            && let Err(e) = ports::published(specs, &default_ip, &mut ports)
        {
            self.error("published_ports", e);
        }
        let exposed = self.string_list("exposed_ports", &["exposed", "expose"]);
        if let Some(specs) = &exposed
            && let Err(e) = ports::exposed(specs, &mut ports)
        {
            self.error("exposed_ports", e);
        }
        if published.is_some() {
            self.declare("published_ports", Json::Object(ports.bindings));
        }
        if published.is_some() || exposed.is_some() {
            let keys: JsonMap<String, Json> = ports
                .exposed
                .into_iter()
                .map(|p| (p, Json::Object(JsonMap::new())))
                .collect();
            self.declare("exposed_ports", Json::Object(keys));
        }
    }

    fn volumes(&mut self) {
        let mut targets = BTreeSet::new();
        if let Some(specs) = self.string_list("volumes", &[]) {
            match volumes::volumes(&specs, &mut targets) {
                Ok(parsed) => {
                    let anonymous: JsonMap<String, Json> = parsed
                        .anonymous
                        .into_iter()
                        .map(|v| (v, Json::Object(JsonMap::new())))
                        .collect();
                    self.declare("volumes", Json::Object(anonymous));
                    self.declare("volume_binds", Json::from(parsed.binds));
                }
                Err(e) => self.error("volumes", e),
            }
        }
        let Some(value) = self.args.value("mounts", &[]) else {
            return;
        };
        let Value::List(entries) = value else {
            self.error("mounts", "mounts: expected a list of dicts");
            return;
        };
        let mut mounts = Vec::new();
        for entry in entries {
            match entry {
                Value::Map(entry) => match volumes::mount(entry, &mut targets) {
                    Ok(mount) => mounts.push(mount),
                    Err(e) => self.error("mounts", e),
                },
                other => self.error(
                    "mounts",
                    format!(
                        "mounts: each entry must be a dict, got a {}",
                        other.type_name()
                    ),
                ),
            }
        }
        self.declare("mounts", Json::Array(mounts));
    }

    fn networks(&mut self) -> Option<Vec<super::spec::NetworkSpec>> {
        let value = self.args.value("networks", &[])?;
        let Value::List(entries) = value else {
            self.error("networks", "networks: expected a list of dicts");
            return None;
        };
        let mut out = Vec::new();
        for entry in entries {
            match networks::parse(entry) {
                Ok(network) => out.push(network),
                Err(e) => self.error("networks", e),
            }
        }
        Some(out)
    }

    fn healthcheck(&mut self) {
        let Some(value) = self.args.value("healthcheck", &[]) else {
            return;
        };
        match value {
            Value::Map(map) => match healthcheck::parse(map) {
                Ok(check) => self.declare("healthcheck", check),
                Err(e) => self.error("healthcheck", e),
            },
            other => self.error(
                "healthcheck",
                format!("healthcheck: expected a dict, got a {}", other.type_name()),
            ),
        }
    }

    fn restart_policy(&mut self) {
        let policy = self.args.choice(
            "restart_policy",
            &[],
            &["no", "on-failure", "always", "unless-stopped"],
        );
        let retries = self.int("restart_retries");
        if retries.is_some() && policy.is_none() {
            self.error(
                "restart_retries",
                "missing parameter(s) required by 'restart_retries': restart_policy",
            );
        }
        if let Some(policy) = policy {
            self.declare("restart_policy", Json::from(policy));
        }
        if let Some(retries) = retries {
            self.declare("restart_retries", Json::from(retries));
        }
    }

    fn log_config(&mut self) {
        let driver = self.args.str("log_driver", &[]);
        let options = self.string_dict("log_options", &["log_opt"], false);
        if options.is_some() && driver.is_none() {
            self.error(
                "log_options",
                "missing parameter(s) required by 'log_options': log_driver",
            );
        }
        if let Some(driver) = driver {
            self.declare("log_driver", Json::from(driver));
            if let Some(options) = options {
                self.declare("log_options", json_map(options));
            }
        }
    }

    fn comparisons(&mut self) -> Comparisons {
        let Some(value) = self.args.value("comparisons", &[]) else {
            return Comparisons::default();
        };
        let Value::Map(map) = value else {
            self.error("comparisons", "comparisons: expected a dict");
            return Comparisons::default();
        };
        let mut wildcard = None;
        let mut named = BTreeMap::new();
        for (key, mode) in map {
            let word = mode.as_str().unwrap_or_default();
            let Some(comparison) = Comparison::parse(word) else {
                self.error("comparisons", format!("Unknown comparison mode '{word}'!"));
                continue;
            };
            if key == "*" {
                if comparison == Comparison::AllowMorePresent {
                    self.error(
                        "comparisons",
                        "The wildcard can only be used with comparison modes 'strict' and 'ignore'!",
                    );
                }
                wildcard = Some(comparison);
                continue;
            }
            let option = match key.as_str() {
                "ports" => "published_ports",
                "exposed" | "expose" => "exposed_ports",
                "log_opt" => "log_options",
                "forcekill" => "force_kill",
                other => other,
            };
            if !Comparisons::knows(option) || option == "volume_binds" {
                self.error(
                    "comparisons",
                    format!(
                        "Unknown module option '{key}' in comparisons dict! (Only options that \
                         describe the container's state can be compared.)"
                    ),
                );
                continue;
            }
            let is_value = setting(option).is_some_and(|s| !s.is_collection()) || option == "image";
            if comparison == Comparison::AllowMorePresent && is_value {
                self.error(
                    "comparisons",
                    format!(
                        "Option '{key}' is a value and not a set/list/dict, so its comparison \
                         cannot be allow_more_present"
                    ),
                );
                continue;
            }
            named.insert(option.to_string(), comparison);
        }
        Comparisons::new(wildcard, named)
    }
}

fn json_map(map: IndexMap<String, String>) -> Json {
    Json::Object(map.into_iter().map(|(k, v)| (k, Json::from(v))).collect())
}

/// `nofile:262144:262144` → `{"Name": "nofile", "Soft": 262144, "Hard": 262144}`.
fn ulimit(text: &str) -> Result<Json, String> {
    let pieces: Vec<&str> = text.split(':').collect();
    let number = |t: &str| {
        t.parse::<i64>()
            .map_err(|_| format!("ulimits: {t:?} in {text:?} is not a number"))
    };
    match pieces.as_slice() {
        [name, soft] => {
            let soft = number(soft)?;
            Ok(serde_json::json!({"Name": name, "Soft": soft, "Hard": soft}))
        }
        [name, soft, hard] => {
            Ok(serde_json::json!({"Name": name, "Soft": number(soft)?, "Hard": number(hard)?}))
        }
        _ => Err(format!("ulimits: {text:?} is not NAME:SOFT[:HARD]")),
    }
}
