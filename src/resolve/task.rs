//! One task on one host: tags, loop items, `when:`, arguments rendered, controller files read, and the
//! resource kind's parse — giving zero, one or (for a loop) several desired resources.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use super::become_settings;
use super::controller_files::{self, FileContext};
use super::loops;
use super::render::{Renderer, as_bool, rendered};
use super::tags::TagFilter;
use super::walk::Unit;
use crate::diagnostics::Diagnostic;
use crate::drivers::{ErasedKind, PROJECT_ARG, Registry, SpecError};
use crate::model::{DesiredResource, ResourceId};
use crate::secrets::VaultSecrets;
use crate::source::Span;
use crate::source::yaml::NodeValue;
use crate::template::{Templar, Vars, is_omit};
use crate::value::{Map, Value, pyrepr};

pub(super) struct HostTask<'a> {
    pub registry: &'a Registry,
    pub templar: &'a Templar,
    pub vars: Vars,
    pub host: &'a str,
    pub playbook_dir: &'a Path,
    pub secrets: &'a VaultSecrets,
    pub tags: &'a TagFilter,
    pub keep_play_order: bool,
}

/// The project whose label a created object carries: `plimsoll_project` when set, else the name of
/// the playbook's directory. Pruning only ever touches objects with the same project.
fn project_name(
    context: &HostTask<'_>,
    renderer: &mut Renderer<'_>,
    at: &Span,
) -> Result<String, Diagnostic> {
    let Some(value) = context.vars.get("plimsoll_project").cloned() else {
        return Ok(context.playbook_dir.file_name().map_or_else(
            || "plimsoll".to_string(),
            |n| n.to_string_lossy().into_owned(),
        ));
    };
    let rendered = match value.as_str() {
        Some(text) => renderer.string(text, at, "plimsoll_project")?,
        None => value,
    };
    match rendered.as_str() {
        Some(name) if !name.is_empty() => Ok(name.to_string()),
        _ => Err(Diagnostic::error(format!(
            "plimsoll_project must be a non-empty string, not {}",
            pyrepr::repr(&rendered)
        ))
        .at(at.clone())),
    }
}

/// A resolved task, before it gets its place in the host's order.
pub(super) struct Pending {
    pub resource: DesiredResource,
    /// For a handler: the names it can be notified by (its name, `role : name`, `listen:` topics).
    pub answers_to: Vec<String>,
}

/// What one task gave on one host.
#[derive(Default)]
pub(super) struct Outcome {
    pub resources: Vec<Pending>,
    /// For a handler: the names it answers to, even when it is skipped on this host.
    pub handler_names: Vec<String>,
}

pub(super) fn resolve(
    context: &HostTask<'_>,
    unit: &Unit<'_>,
    problems: &mut Vec<Diagnostic>,
) -> Outcome {
    let task = unit.task;
    let mut outcome = Outcome::default();
    let mut renderer = Renderer::new(context.templar, &context.vars);
    let label = label(unit);
    let tags = render_tags(&unit.tags, &mut renderer, &task.span, problems);
    if unit.is_handler {
        outcome.handler_names = handler_names(unit, &mut renderer);
    } else if !context.tags.should_run(&tags) {
        // Ansible never filters handlers by tag; they run when notified.
        return outcome;
    }
    let Some(kind) = context.registry.find(&task.module) else {
        problems.push(
            Diagnostic::error(format!("couldn't resolve module/action '{}'", task.module))
                .at(task.module_span.clone())
                .with_help("plimsoll plans only the modules it knows"),
        );
        return outcome;
    };
    let items: Vec<Option<Value>> = match &task.loop_spec {
        None => vec![None],
        Some(spec) => match loops::items(spec, &mut renderer) {
            Ok(items) => items.into_iter().map(Some).collect(),
            Err(error) => {
                // Ansible keeps an undefined loop's error until `when:` has had its say.
                if error.undefined && !conditions_hold(unit, &mut renderer, &label, &mut Vec::new())
                {
                    return outcome;
                }
                problems.push(error.diagnostic);
                return outcome;
            }
        },
    };
    for (index, item) in items.into_iter().enumerate() {
        let vars = match (&item, &task.loop_spec) {
            (Some(item), Some(spec)) => {
                let mut layer = Map::new();
                layer.insert(spec.loop_var.clone(), rendered(item.clone()));
                layer.insert("ansible_loop_var".into(), Value::Str(spec.loop_var.clone()));
                if let Some(index_var) = &spec.index_var {
                    layer.insert(index_var.clone(), Value::Int(index as i128));
                    layer.insert("ansible_index_var".into(), Value::Str(index_var.clone()));
                }
                context.vars.with_layer(layer)
            }
            _ => context.vars.clone(),
        };
        let mut renderer = Renderer::new(context.templar, &vars);
        if !conditions_hold(unit, &mut renderer, &label, problems) {
            continue;
        }
        if let Some(resource) = one(context, unit, kind, &tags, &label, &mut renderer, problems) {
            outcome.resources.push(Pending {
                resource,
                answers_to: outcome.handler_names.clone(),
            });
        }
    }
    outcome
}

/// How messages name a task: its name as written, or its module.
fn label(unit: &Unit<'_>) -> String {
    match unit.task.name.as_ref().map(|n| &n.value) {
        Some(NodeValue::Str(name)) => format!("task {name:?}"),
        _ => format!("{} task", unit.task.module),
    }
}

/// Every condition, outermost first; the first false one (or error) stops.
fn conditions_hold(
    unit: &Unit<'_>,
    renderer: &mut Renderer<'_>,
    label: &str,
    problems: &mut Vec<Diagnostic>,
) -> bool {
    let what = format!("{label}, when");
    for condition in &unit.when {
        match renderer.condition(condition, &what) {
            Ok(true) => {}
            Ok(false) => return false,
            Err(problem) => {
                problems.push(problem);
                return false;
            }
        }
    }
    true
}

pub(super) fn render_tags(
    tags: &[String],
    renderer: &mut Renderer<'_>,
    at: &Span,
    problems: &mut Vec<Diagnostic>,
) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for tag in tags {
        match renderer.string(tag, at, "tags") {
            Ok(Value::List(items)) => out.extend(items.iter().map(pyrepr::str)),
            Ok(value) => out.extend(
                pyrepr::str(&value)
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string),
            ),
            Err(problem) => problems.push(problem),
        }
    }
    out
}

fn handler_names(unit: &Unit<'_>, renderer: &mut Renderer<'_>) -> Vec<String> {
    let mut names = Vec::new();
    if let Some(name) = rendered_name(unit, renderer) {
        if let Some(role) = &unit.role {
            names.push(format!("{} : {name}", role.name));
        }
        names.push(name);
    }
    names.extend(unit.task.listen.iter().cloned());
    names
}

/// The task's `name:`, rendered; a name that cannot be rendered is shown as written, as Ansible does.
fn rendered_name(unit: &Unit<'_>, renderer: &mut Renderer<'_>) -> Option<String> {
    let node = unit.task.name.as_ref()?;
    let NodeValue::Str(text) = &node.value else {
        return Some(pyrepr::str(&crate::source::yaml::to_value(node)));
    };
    Some(match renderer.string(text, &node.span, "name") {
        Ok(value) => pyrepr::str(&value),
        Err(_) => text.clone(),
    })
}

fn one(
    context: &HostTask<'_>,
    unit: &Unit<'_>,
    kind: &dyn ErasedKind,
    tags: &BTreeSet<String>,
    label: &str,
    renderer: &mut Renderer<'_>,
    problems: &mut Vec<Diagnostic>,
) -> Option<DesiredResource> {
    let task = unit.task;
    let spans = |argument: &str| -> Span {
        task.args
            .iter()
            .rev()
            .find(|(name, _)| name == argument)
            .map_or_else(|| task.module_span.clone(), |(_, node)| node.span.clone())
    };
    let mut args = Map::new();
    let mut failed = false;
    for (name, node) in &task.args {
        match renderer.node(node, &format!("{label}, argument `{name}`")) {
            Ok(value) if is_omit(&value) => {
                args.shift_remove(name);
            }
            Ok(value) => {
                args.insert(name.clone(), value);
            }
            Err(found) => {
                problems.extend(found);
                failed = true;
            }
        }
    }
    let no_log = match &unit.no_log {
        None => false,
        Some(node) => match renderer.node(node, &format!("{label}, no_log")) {
            Ok(value) => as_bool(&value).unwrap_or_else(|| {
                problems.push(
                    Diagnostic::error(format!(
                        "{label}: no_log must be a boolean, not {}",
                        pyrepr::repr(&value)
                    ))
                    .at(node.span.clone()),
                );
                true
            }),
            Err(found) => {
                problems.extend(found);
                true
            }
        },
    };
    let become_as = match become_settings::effective(
        &unit.become_keywords,
        renderer,
        label,
        &task.span,
        problems,
    ) {
        Ok(become_as) => become_as,
        Err(()) => {
            failed = true;
            None
        }
    };
    let mut notify = Vec::new();
    for name in &unit.notify {
        match renderer.string(name, &task.span, &format!("{label}, notify")) {
            Ok(value) => notify.push(pyrepr::str(&value)),
            Err(problem) => problems.push(problem),
        }
    }
    if failed {
        return None;
    }
    let mut search: Vec<_> = unit
        .role
        .iter()
        .flat_map(|r| r.search.iter().cloned())
        .collect();
    if let Some(dir) = task.span.file.path().parent()
        && !search.iter().any(|p| p == dir)
    {
        search.push(dir.to_path_buf());
    }
    let files = FileContext {
        search: &search,
        playbook_dir: context.playbook_dir,
        secrets: context.secrets,
        spans: &spans,
        task: label,
    };
    if let Err(found) = controller_files::prepare(kind, &mut args, &files, renderer) {
        problems.extend(found);
        return None;
    }
    if kind.labels_ownership() {
        match project_name(context, renderer, &task.span) {
            Ok(project) => {
                args.insert(PROJECT_ARG.into(), Value::Str(project));
            }
            Err(problem) => {
                problems.push(problem);
                return None;
            }
        }
    }
    let spec = match kind.parse(&args) {
        Ok(spec) => spec,
        Err(errors) => {
            problems.extend(
                errors
                    .into_iter()
                    .map(|e| spec_diagnostic(e, label, &spans)),
            );
            return None;
        }
    };
    let key = kind.key(&spec);
    let display_name =
        rendered_name(unit, renderer).unwrap_or_else(|| format!("{} {key}", kind.name()));
    // A handler usually acts on an object a task also manages (restart the container the play runs):
    // it is a resource of its own.
    let id_key = if unit.is_handler {
        format!("{key} (handler: {display_name})")
    } else {
        key
    };
    Some(DesiredResource {
        id: ResourceId::on_host(context.host, kind.name(), &id_key),
        spec: Arc::clone(&spec),
        display_name,
        args,
        declared_at: task.span.clone(),
        depends_on: task.depends_on.clone(),
        notify,
        tags: tags.iter().cloned().collect(),
        // A value that came from a vault is as secret as an explicit no_log.
        no_log: no_log || renderer.secret_used,
        become_as,
        order: 0,
        keep_play_order: context.keep_play_order,
        is_handler: unit.is_handler,
    })
}

fn spec_diagnostic(error: SpecError, label: &str, spans: &dyn Fn(&str) -> Span) -> Diagnostic {
    let at = spans(error.argument.as_deref().unwrap_or(""));
    let diagnostic = Diagnostic::error(format!("{label}: {}", error.message)).at(at);
    match error.help {
        Some(help) => diagnostic.with_help(help),
        None => diagnostic,
    }
}
