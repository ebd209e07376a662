//! Facts: what Ansible's `setup` module reports about a host. plimsoll gathers none, so a template that
//! reads one gets an error that says so instead of a plain "undefined".

/// Fact names as the setup module reports them (without the `ansible_` prefix under which Ansible
/// also injects each one as a variable). The common ones; interface facts are matched by shape.
const FACTS: &[&str] = &[
    "all_ipv4_addresses",
    "all_ipv6_addresses",
    "apparmor",
    "architecture",
    "bios_date",
    "bios_vendor",
    "bios_version",
    "board_name",
    "board_vendor",
    "chassis_vendor",
    "cmdline",
    "date_time",
    "default_ipv4",
    "default_ipv6",
    "device_links",
    "devices",
    "distribution",
    "distribution_file_parsed",
    "distribution_file_path",
    "distribution_file_variety",
    "distribution_major_version",
    "distribution_minor_version",
    "distribution_release",
    "distribution_version",
    "dns",
    "domain",
    "effective_group_id",
    "effective_user_id",
    "env",
    "fibre_channel_wwn",
    "fips",
    "form_factor",
    "fqdn",
    "hostname",
    "hostnqn",
    "interfaces",
    "is_chroot",
    "iscsi_iqn",
    "kernel",
    "kernel_version",
    "loadavg",
    "lsb",
    "lvm",
    "machine",
    "machine_id",
    "memfree_mb",
    "memory_mb",
    "memtotal_mb",
    "mounts",
    "nodename",
    "os_family",
    "pkg_mgr",
    "proc_cmdline",
    "processor",
    "processor_cores",
    "processor_count",
    "processor_nproc",
    "processor_threads_per_core",
    "processor_vcpus",
    "product_name",
    "product_serial",
    "product_uuid",
    "product_version",
    "python",
    "python_version",
    "real_group_id",
    "real_user_id",
    "selinux",
    "selinux_python_present",
    "service_mgr",
    "ssh_host_key_ecdsa_public",
    "ssh_host_key_ed25519_public",
    "ssh_host_key_rsa_public",
    "swapfree_mb",
    "swaptotal_mb",
    "system",
    "system_capabilities",
    "system_capabilities_enforced",
    "system_vendor",
    "uptime_seconds",
    "user_dir",
    "user_gecos",
    "user_gid",
    "user_id",
    "user_shell",
    "user_uid",
    "userspace_architecture",
    "userspace_bits",
    "virtualization_role",
    "virtualization_tech_guest",
    "virtualization_tech_host",
    "virtualization_type",
];

/// Network interface facts (`ansible_eth0`, `ansible_ens3`, `ansible_lo`, ...).
const INTERFACE_PREFIXES: &[&str] = &[
    "eth", "ens", "enp", "eno", "wlan", "wlp", "bond", "br", "docker", "veth",
];

/// Whether the variable `name` is a fact (or `ansible_facts`/`ansible_local` themselves).
pub fn is_fact(name: &str) -> bool {
    if matches!(name, "ansible_facts" | "ansible_local" | "facts") {
        return name != "facts";
    }
    let Some(fact) = name.strip_prefix("ansible_") else {
        return false;
    };
    FACTS.contains(&fact)
        || fact == "lo"
        || INTERFACE_PREFIXES.iter().any(|prefix| {
            fact.strip_prefix(prefix).is_some_and(|rest| {
                rest.starts_with(|c: char| c.is_ascii_digit())
                    && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_and_connection_variables_are_told_apart() {
        for fact in [
            "ansible_facts",
            "ansible_hostname",
            "ansible_distribution",
            "ansible_eth0",
            "ansible_lo",
            "ansible_default_ipv4",
        ] {
            assert!(is_fact(fact), "{fact}");
        }
        for var in [
            "ansible_host",
            "ansible_user",
            "ansible_port",
            "ansible_become",
            "hostname",
            "ansible_ssh_private_key_file",
            "ansible_loop_var",
        ] {
            assert!(!is_fact(var), "{var}");
        }
    }
}
