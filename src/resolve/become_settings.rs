//! The effective `become` of one task on one host. The keywords (task > block > role entry > play,
//! see `walk`) give the defaults; the connection variables override them wherever they are set, as
//! Ansible's TaskExecutor (`ansible_become`, `ansible_become_method`) and its sudo become plugin (the
//! user, flags, exe and password variables) do. plimsoll runs only `sudo -n`: another method, a
//! become executable or a password it cannot honour is refused here, before any host is touched.

use super::render::{Renderer, as_bool};
use super::spans::template_diagnostic;
use crate::diagnostics::Diagnostic;
use crate::model::{Become, BecomeMethod};
use crate::playbook::BecomeKeywords;
use crate::source::Span;
use crate::source::yaml::Node;
use crate::value::{Value, pyrepr};

/// Ansible's `DEFAULT_BECOME_USER` and `DEFAULT_BECOME_METHOD`.
const DEFAULT_USER: &str = "root";
const DEFAULT_METHOD: &str = "sudo";

/// Variables the sudo become plugin reads for each option; the last one set wins (Ansible's
/// `ConfigManager._loop_entries` keeps looping).
const USER_VARS: &[&str] = &["ansible_become_user", "ansible_sudo_user"];
const FLAGS_VARS: &[&str] = &["ansible_become_flags", "ansible_sudo_flags"];
const EXE_VARS: &[&str] = &["ansible_become_exe", "ansible_sudo_exe"];
const PASSWORD_VARS: &[&str] = &[
    "ansible_become_password",
    "ansible_become_pass",
    "ansible_sudo_pass",
];

/// sudo flags plimsoll's own `sudo -n -H` already honours (Ansible's default `-H -S -n`; `-S` reads
/// a password from stdin, and there is none to read).
const HONOURED_FLAGS: &[&str] = &[
    "-H",
    "-S",
    "-n",
    "--set-home",
    "--stdin",
    "--non-interactive",
];

/// Where a setting came from, for messages.
enum Origin<'a> {
    Keyword(&'static str, &'a Node),
    Variable(&'static str),
}

impl Origin<'_> {
    fn name(&self) -> &'static str {
        match self {
            Origin::Keyword(name, _) | Origin::Variable(name) => name,
        }
    }

    fn span(&self) -> Option<Span> {
        match self {
            Origin::Keyword(_, node) => Some(node.span.clone()),
            Origin::Variable(_) => None,
        }
    }
}

struct Setting<'a> {
    value: Value,
    origin: Origin<'a>,
}

/// Renders keywords and connection variables of one task.
struct Lookup<'r, 'v> {
    renderer: &'r mut Renderer<'v>,
    label: &'r str,
    /// The task: variables have no place of their own in the playbook.
    at: &'r Span,
    problems: Vec<Diagnostic>,
}

/// The task's become, or `None` when it runs as the connecting user. Errors and warnings go to
/// `problems`; `Err` when one of them is an error.
pub(super) fn effective(
    keywords: &BecomeKeywords,
    renderer: &mut Renderer<'_>,
    label: &str,
    at: &Span,
    problems: &mut Vec<Diagnostic>,
) -> Result<Option<Become>, ()> {
    let mut lookup = Lookup {
        renderer,
        label,
        at,
        problems: Vec::new(),
    };
    let result = lookup.resolve(keywords);
    let failed = lookup.problems.iter().any(Diagnostic::is_error);
    problems.append(&mut lookup.problems);
    match result {
        Some(become_as) if !failed => Ok(become_as),
        _ => Err(()),
    }
}

impl<'a> Lookup<'_, '_> {
    /// `None` after an error (already recorded).
    fn resolve(&mut self, keywords: &'a BecomeKeywords) -> Option<Option<Become>> {
        // TaskExecutor._set_become_plugin: `ansible_become` when it is not None, else the keyword.
        let enabled =
            match self.setting(&["ansible_become"], "become", keywords.enabled.as_ref())? {
                None => false,
                Some(setting) => self.boolean(&setting)?,
            };
        if !enabled {
            return Some(None);
        }
        // `ansible_become_method` only when truthy, else the keyword.
        let method_var = self
            .variable(&["ansible_become_method"])?
            .filter(|s| truthy(&s.value));
        let method = match method_var {
            Some(setting) => Some(setting),
            None => self.keyword("become_method", keywords.method.as_ref())?,
        };
        let method = self.method(method);
        let user = self.setting(USER_VARS, "become_user", keywords.user.as_ref())?;
        let user = user
            .map(|s| text(&s.value))
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| DEFAULT_USER.to_string());
        if let Some(flags) = self.setting(FLAGS_VARS, "become_flags", keywords.flags.as_ref())? {
            self.flags(&flags);
        }
        if let Some(exe) = self.setting(EXE_VARS, "become_exe", keywords.exe.as_ref())? {
            self.exe(&exe);
        }
        self.password();
        Some(method.map(|method| Become { user, method }))
    }

    /// The variable when one of `vars` is set, else the keyword.
    fn setting(
        &mut self,
        vars: &[&'static str],
        keyword: &'static str,
        node: Option<&'a Node>,
    ) -> Option<Option<Setting<'a>>> {
        match self.variable(vars)? {
            Some(setting) => Some(Some(setting)),
            None => self.keyword(keyword, node),
        }
    }

    /// The last of `names` set to something other than null, rendered.
    fn variable(&mut self, names: &[&'static str]) -> Option<Option<Setting<'a>>> {
        let Some((name, raw)) = names.iter().rev().find_map(|name| {
            self.renderer
                .vars
                .get(name)
                .filter(|v| !matches!(v, Value::Null))
                .map(|v| (*name, v.clone()))
        }) else {
            return Some(None);
        };
        let what = format!("{}, {name}", self.label);
        match self.renderer.templar.render_value(&raw, self.renderer.vars) {
            Ok(rendered) => Some(Some(Setting {
                value: rendered.value,
                origin: Origin::Variable(name),
            })),
            Err(err) => {
                self.problems
                    .push(template_diagnostic(&what, self.at, None, &err));
                None
            }
        }
    }

    fn keyword(
        &mut self,
        name: &'static str,
        node: Option<&'a Node>,
    ) -> Option<Option<Setting<'a>>> {
        let Some(node) = node else {
            return Some(None);
        };
        match self.renderer.node(node, &format!("{}, {name}", self.label)) {
            Ok(value) => Some(Some(Setting {
                value,
                origin: Origin::Keyword(name, node),
            })),
            Err(found) => {
                self.problems.extend(found);
                None
            }
        }
    }

    fn boolean(&mut self, setting: &Setting<'_>) -> Option<bool> {
        let parsed = as_bool(&setting.value);
        if parsed.is_none() {
            self.problems.push(
                Diagnostic::error(format!(
                    "{}: {} must be a boolean, not {}",
                    self.label,
                    setting.origin.name(),
                    pyrepr::repr(&setting.value)
                ))
                .at_opt(setting.origin.span())
                .with_help("write `true` or `false`"),
            );
        }
        parsed
    }

    fn method(&mut self, setting: Option<Setting<'_>>) -> Option<BecomeMethod> {
        let Some(setting) = setting else {
            return BecomeMethod::from_name(DEFAULT_METHOD);
        };
        let name = text(&setting.value);
        let method = BecomeMethod::from_name(&name);
        if method.is_none() {
            self.problems.push(
                Diagnostic::error(format!(
                    "{}: {} `{name}` is not supported: plimsoll escalates with sudo only (`sudo -n`, no password)",
                    self.label,
                    setting.origin.name(),
                ))
                .at_opt(setting.origin.span())
                .with_help(
                    "use `become_method: sudo` with NOPASSWD sudo for the connecting user, or connect as the user the task needs",
                ),
            );
        }
        method
    }

    /// Flags plimsoll does not pass on are said, not silently dropped.
    fn flags(&mut self, setting: &Setting<'_>) {
        let flags = text(&setting.value);
        if flags
            .split_whitespace()
            .all(|flag| HONOURED_FLAGS.contains(&flag))
        {
            return;
        }
        self.problems.push(
            Diagnostic::warning(format!(
                "{} `{flags}` is ignored: plimsoll always runs `sudo -n -H -u USER`",
                setting.origin.name()
            ))
            .at_opt(setting.origin.span())
            .with_help("remove it, or check that the task does not depend on these flags"),
        );
    }

    fn exe(&mut self, setting: &Setting<'_>) {
        let exe = text(&setting.value);
        if exe.is_empty() || exe == "sudo" {
            return;
        }
        self.problems.push(
            Diagnostic::error(format!(
                "{}: {} `{exe}` is not supported: plimsoll runs `sudo` from the host's PATH",
                self.label,
                setting.origin.name()
            ))
            .at_opt(setting.origin.span())
            .with_help("remove it, and make `sudo` on the PATH the one to use"),
        );
    }

    /// A password would have to be typed into sudo's prompt; plimsoll only runs `sudo -n`.
    fn password(&mut self) {
        let set = PASSWORD_VARS.iter().find(|name| {
            self.renderer
                .vars
                .get(name)
                .is_some_and(|v| !matches!(v, Value::Null) && v.as_str() != Some(""))
        });
        if let Some(name) = set {
            self.problems.push(
                Diagnostic::error(format!(
                    "{name} is set, but plimsoll cannot give sudo a password (not supported yet): it runs `sudo -n`"
                ))
                .with_help(
                    "configure NOPASSWD sudo for the connecting user (e.g. `deploy ALL=(ALL) NOPASSWD: ALL` in /etc/sudoers.d/deploy) and remove the password variable, or connect as root",
                ),
            );
        }
    }
}

/// Ansible's truthiness of a variable's value (`if cvars.get(...)`).
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(false) | Value::Int(0) => false,
        Value::Str(s) | Value::Unsafe(s) => !s.is_empty(),
        Value::List(items) => !items.is_empty(),
        Value::Map(map) => !map.is_empty(),
        _ => true,
    }
}

/// A rendered value as the text a command line gets (`None` and `''` give an empty string).
fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        other => pyrepr::str(other),
    }
}
