//! Names Ansible reserves for play/task keywords and template globals; a variable using one gets
//! Ansible's warning "Found variable using reserved name 'x'." (the variable still works).

use indexmap::IndexSet;

use crate::value::Map;

/// ansible-core 2.19's `_RESERVED_NAMES` (printed from `ansible.vars.reserved`).
const RESERVED_NAMES: &[&str] = &[
    "action",
    "always",
    "any_errors_fatal",
    "args",
    "async",
    "async_val",
    "become",
    "become_exe",
    "become_flags",
    "become_method",
    "become_user",
    "block",
    "changed_when",
    "check_mode",
    "collections",
    "connection",
    "cycler",
    "debugger",
    "delay",
    "delegate_facts",
    "delegate_to",
    "dict",
    "diff",
    "environment",
    "fact_path",
    "failed_when",
    "force_handlers",
    "gather_facts",
    "gather_timeout",
    "handlers",
    "hosts",
    "ignore_errors",
    "ignore_unreachable",
    "joiner",
    "lipsum",
    "local_action",
    "lookup",
    "loop",
    "loop_control",
    "loop_with",
    "max_fail_percentage",
    "module_defaults",
    "name",
    "namespace",
    "no_log",
    "notify",
    "now",
    "omit",
    "order",
    "poll",
    "port",
    "post_tasks",
    "pre_tasks",
    "q",
    "query",
    "range",
    "register",
    "remote_user",
    "rescue",
    "retries",
    "roles",
    "run_once",
    "serial",
    "strategy",
    "tags",
    "tasks",
    "throttle",
    "timeout",
    "undef",
    "until",
    "vars",
    "vars_files",
    "vars_prompt",
    "when",
    "with_",
];

/// The reserved names used in `vars`, in first-seen order, without repeats across calls.
pub fn reserved_names_used(vars: &Map, already: &mut IndexSet<String>) -> Vec<String> {
    vars.keys()
        .filter(|k| k.as_str() != "vars" && RESERVED_NAMES.contains(&k.as_str()))
        .filter(|k| already.insert((*k).clone()))
        .cloned()
        .collect()
}

pub fn warning_text(name: &str) -> String {
    format!("Found variable using reserved name '{name}'.")
}
