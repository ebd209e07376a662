//! The container options that map onto one field of the engine's container description, with how
//! community.docker compares them and whether `docker update` changes them in place.
//!
//! Desired values are kept in the engine's own JSON form (the shape `docker inspect` shows), so the
//! same value is compared with the live container and sent to the engine when creating one.

/// Where a field lives: `Config` (top level of a create request) or `HostConfig`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Config,
    HostConfig,
}

/// How values compare (community.docker's comparison types).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A scalar: equal or not.
    Value,
    /// A list whose order matters.
    List,
    /// A list whose order does not matter.
    Set,
    /// A mapping of strings.
    Dict,
    /// A list of mappings whose order does not matter (mounts, ulimits).
    Dicts,
    /// A mapping whose keys alone matter (`ExposedPorts`, `Volumes`: every value is `{}`).
    Keys,
}

/// How one option is compared (community.docker's `comparisons`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    Strict,
    Ignore,
    /// The container may have more entries than declared (sets, lists, dicts only).
    AllowMorePresent,
}

impl Comparison {
    pub fn parse(word: &str) -> Option<Comparison> {
        match word {
            "strict" => Some(Comparison::Strict),
            "ignore" => Some(Comparison::Ignore),
            "allow_more_present" => Some(Comparison::AllowMorePresent),
            _ => None,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct Setting {
    /// The module option (and `comparisons` key).
    pub name: &'static str,
    pub section: Section,
    /// The field's path inside its section.
    pub path: &'static [&'static str],
    pub shape: Shape,
    /// `docker update` changes it on a running container.
    pub in_place: bool,
    /// Compared this way unless `comparisons` says otherwise; `None` means by shape.
    pub default_comparison: Option<Comparison>,
}

impl Setting {
    pub fn default_comparison(&self) -> Comparison {
        self.default_comparison.unwrap_or(match self.shape {
            Shape::Value | Shape::List => Comparison::Strict,
            _ => Comparison::AllowMorePresent,
        })
    }

    /// Whether values of this option may say "at least these" (not scalars).
    pub fn is_collection(&self) -> bool {
        self.shape != Shape::Value
    }
}

const fn config(name: &'static str, path: &'static [&'static str], shape: Shape) -> Setting {
    Setting {
        name,
        section: Section::Config,
        path,
        shape,
        in_place: false,
        default_comparison: None,
    }
}

const fn host(name: &'static str, path: &'static [&'static str], shape: Shape) -> Setting {
    Setting {
        name,
        section: Section::HostConfig,
        path,
        shape,
        in_place: false,
        default_comparison: None,
    }
}

/// A resource limit or policy `docker update` can change.
const fn updatable(name: &'static str, path: &'static [&'static str]) -> Setting {
    Setting {
        in_place: true,
        ..host(name, path, Shape::Value)
    }
}

pub const SETTINGS: &[Setting] = &[
    config("command", &["Cmd"], Shape::List),
    config("entrypoint", &["Entrypoint"], Shape::List),
    config("env", &["Env"], Shape::Set),
    config("labels", &["Labels"], Shape::Dict),
    config("hostname", &["Hostname"], Shape::Value),
    config("domainname", &["Domainname"], Shape::Value),
    config("user", &["User"], Shape::Value),
    config("working_dir", &["WorkingDir"], Shape::Value),
    config("healthcheck", &["Healthcheck"], Shape::Dict),
    config("exposed_ports", &["ExposedPorts"], Shape::Keys),
    config("volumes", &["Volumes"], Shape::Keys),
    config("stop_signal", &["StopSignal"], Shape::Value),
    Setting {
        default_comparison: Some(Comparison::Ignore),
        ..config("stop_timeout", &["StopTimeout"], Shape::Value)
    },
    config("tty", &["Tty"], Shape::Value),
    config("interactive", &["OpenStdin"], Shape::Value),
    // `detach: false` attaches stdout and stderr; the value compared is "both attached".
    config("detach", &["AttachStdout"], Shape::Value),
    host("published_ports", &["PortBindings"], Shape::Dict),
    host("publish_all_ports", &["PublishAllPorts"], Shape::Value),
    host("volume_binds", &["Binds"], Shape::Set),
    host("mounts", &["Mounts"], Shape::Dicts),
    host("volumes_from", &["VolumesFrom"], Shape::Set),
    host("network_mode", &["NetworkMode"], Shape::Value),
    updatable("restart_policy", &["RestartPolicy", "Name"]),
    updatable("restart_retries", &["RestartPolicy", "MaximumRetryCount"]),
    updatable("memory", &["Memory"]),
    updatable("memory_reservation", &["MemoryReservation"]),
    updatable("memory_swap", &["MemorySwap"]),
    // community.docker recreates for `cpus`; the engine's update API changes NanoCpus in place.
    updatable("cpus", &["NanoCpus"]),
    updatable("cpu_shares", &["CpuShares"]),
    updatable("cpu_period", &["CpuPeriod"]),
    updatable("cpu_quota", &["CpuQuota"]),
    updatable("cpuset_cpus", &["CpusetCpus"]),
    updatable("cpuset_mems", &["CpusetMems"]),
    updatable("blkio_weight", &["BlkioWeight"]),
    host("memory_swappiness", &["MemorySwappiness"], Shape::Value),
    host("pids_limit", &["PidsLimit"], Shape::Value),
    host("shm_size", &["ShmSize"], Shape::Value),
    host("oom_score_adj", &["OomScoreAdj"], Shape::Value),
    host("oom_killer", &["OomKillDisable"], Shape::Value),
    host("capabilities", &["CapAdd"], Shape::Set),
    host("cap_drop", &["CapDrop"], Shape::Set),
    host("log_driver", &["LogConfig", "Type"], Shape::Value),
    host("log_options", &["LogConfig", "Config"], Shape::Dict),
    host("init", &["Init"], Shape::Value),
    host("privileged", &["Privileged"], Shape::Value),
    host("read_only", &["ReadonlyRootfs"], Shape::Value),
    host("auto_remove", &["AutoRemove"], Shape::Value),
    host("dns_servers", &["Dns"], Shape::List),
    host("dns_search_domains", &["DnsSearch"], Shape::List),
    host("dns_opts", &["DnsOptions"], Shape::Set),
    host("etc_hosts", &["ExtraHosts"], Shape::Set),
    host("groups", &["GroupAdd"], Shape::Set),
    host("security_opts", &["SecurityOpt"], Shape::Set),
    host("sysctls", &["Sysctls"], Shape::Dict),
    host("tmpfs", &["Tmpfs"], Shape::Dict),
    host("ulimits", &["Ulimits"], Shape::Dicts),
    host("pid_mode", &["PidMode"], Shape::Value),
    host("ipc_mode", &["IpcMode"], Shape::Value),
    host("uts", &["UTSMode"], Shape::Value),
    host("userns_mode", &["UsernsMode"], Shape::Value),
    host("runtime", &["Runtime"], Shape::Value),
    host("cgroup_parent", &["CgroupParent"], Shape::Value),
    host("volume_driver", &["VolumeDriver"], Shape::Value),
];

/// Names `comparisons` accepts beyond [`SETTINGS`]: they are compared by the diff itself.
pub const SPECIAL_COMPARISONS: &[&str] = &["image", "networks"];

pub fn setting(name: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_defaults_follow_community_docker() {
        let mut names: Vec<&str> = SETTINGS.iter().map(|s| s.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), SETTINGS.len());
        let by = |n| setting(n).map(Setting::default_comparison);
        assert_eq!(by("env"), Some(Comparison::AllowMorePresent));
        assert_eq!(by("command"), Some(Comparison::Strict));
        assert_eq!(by("published_ports"), Some(Comparison::AllowMorePresent));
        assert_eq!(by("stop_timeout"), Some(Comparison::Ignore));
        assert!(setting("memory").is_some_and(|s| s.in_place));
        assert!(setting("env").is_some_and(|s| !s.in_place));
    }
}
