//! Which task, block and play keywords plimsoll plans, and why it refuses the others.

/// Task keywords that are not the module name.
pub const TASK_KEYWORDS: &[&str] = &[
    "action",
    "any_errors_fatal",
    "args",
    "async",
    "become",
    "become_exe",
    "become_flags",
    "become_method",
    "become_user",
    "changed_when",
    "check_mode",
    "collections",
    "connection",
    "debugger",
    "delay",
    "delegate_facts",
    "delegate_to",
    "depends_on",
    "diff",
    "environment",
    "failed_when",
    "ignore_errors",
    "ignore_unreachable",
    "listen",
    "local_action",
    "loop",
    "loop_control",
    "module_defaults",
    "name",
    "no_log",
    "notify",
    "poll",
    "port",
    "register",
    "remote_user",
    "retries",
    "run_once",
    "tags",
    "throttle",
    "timeout",
    "until",
    "vars",
    "when",
];

pub const BLOCK_KEYWORDS: &[&str] = &[
    "always",
    "any_errors_fatal",
    "become",
    "become_exe",
    "become_flags",
    "become_method",
    "become_user",
    "block",
    "check_mode",
    "collections",
    "connection",
    "debugger",
    "delegate_facts",
    "delegate_to",
    "diff",
    "environment",
    "ignore_errors",
    "ignore_unreachable",
    "module_defaults",
    "name",
    "no_log",
    "notify",
    "port",
    "remote_user",
    "rescue",
    "run_once",
    "tags",
    "throttle",
    "timeout",
    "vars",
    "when",
];

pub const PLAY_KEYWORDS: &[&str] = &[
    "any_errors_fatal",
    "become",
    "become_exe",
    "become_flags",
    "become_method",
    "become_user",
    "check_mode",
    "collections",
    "connection",
    "debugger",
    "diff",
    "environment",
    "fact_path",
    "force_handlers",
    "gather_facts",
    "gather_subset",
    "gather_timeout",
    "handlers",
    "hosts",
    "ignore_errors",
    "ignore_unreachable",
    "max_fail_percentage",
    "module_defaults",
    "name",
    "no_log",
    "order",
    "port",
    "post_tasks",
    "pre_tasks",
    "remote_user",
    "roles",
    "run_once",
    "serial",
    "strategy",
    "tags",
    "tasks",
    "throttle",
    "timeout",
    "vars",
    "vars_files",
    "vars_prompt",
    PLIMSOLL_ORDERING,
];

/// The play keyword that turns Ansible's in-host ordering off. Prefixed so it can never clash with a
/// keyword Ansible adds.
pub const PLIMSOLL_ORDERING: &str = "plimsoll_ordering";

/// The `with_<lookup>` loops plimsoll expands (see `resolve::loops`).
pub const WITH_STYLES: &[&str] = &[
    "items",
    "list",
    "dict",
    "indexed_items",
    "together",
    "flattened",
    "sequence",
    "nested",
    "cartesian",
    "subelements",
    "fileglob",
];

/// Keywords whose meaning depends on running the task, so a plan cannot honour them: the reason and
/// what to do instead.
pub fn refused_keyword(keyword: &str) -> Option<(&'static str, &'static str)> {
    Some(match keyword {
        "register" => (
            "`register` captures a module's result at run time, which a plan cannot know",
            "reference the managed object directly, or use depends_on to order tasks",
        ),
        "until" | "retries" | "delay" => (
            "retry loops depend on results only known at run time",
            "remove the retry; plimsoll verifies every change after applying it",
        ),
        "changed_when" | "failed_when" => (
            "result conditions depend on output only known at run time",
            "remove it; plimsoll decides changes by comparing desired and live state",
        ),
        "local_action" => (
            "local_action runs the task on the controller instead of the host it plans for",
            "put the task in a play with `hosts: localhost` (or `connection: local`), written as an ordinary task",
        ),
        "delegate_to" | "delegate_facts" => (
            "delegation runs a task on another host than the one it plans for",
            "declare the task in a play for the host that owns the object",
        ),
        "run_once" => (
            "run_once picks a host at run time",
            "target one host with a pattern such as `group[0]`",
        ),
        "async" | "poll" => (
            "asynchronous tasks are run-time control flow",
            "remove async/poll; plimsoll runs independent work in parallel by itself",
        ),
        "rescue" | "always" => (
            "rescue/always sections are run-time error handling",
            "remove them; a failed resource stops only what depends on it",
        ),
        "vars_prompt" => (
            "prompting for variables needs a terminal at run time",
            "pass the values with -e or a vars file",
        ),
        _ => return None,
    })
}

/// Modules that run arbitrary commands: nothing about them can be planned.
pub fn refused_module(module: &str) -> Option<&'static str> {
    let short = module.rsplit('.').next().unwrap_or(module);
    matches!(short, "shell" | "command" | "raw" | "script" | "expect")
        .then_some("runs an arbitrary command, whose effect plimsoll cannot plan or verify")
}
