//! The resolver's driver: hosts of each play, then per play and host the variable layers, every task
//! and handler resolved, notifications connected, and each resource placed in its host's order.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;

use super::hostvars::Hosts;
use super::layers::vars_map;
use super::options::{BatchSize, PlayInfo, ResolveOptions, Resolved};
use super::problems::Problems;
use super::render::Renderer;
use super::roles::{self, RoleRun, RoleScope};
use super::tags::TagFilter;
use super::task::{self, HostTask, Pending};
use super::walk::{self, Step, Unit};
use super::{includes, magic, notify};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::drivers::Registry;
use crate::inventory::Inventory;
use crate::inventory::pattern::HostSelector;
use crate::model::{DesiredResource, DesiredState, ResourceId};
use crate::playbook::{Ordering, Play, Playbook, RoleRef};
use crate::source::Span;
use crate::source::data_file::load_data_file;
use crate::source::yaml::{Node, NodeValue};
use crate::template::{Templar, Vars, VaultResolver};
use crate::value::{Map, Value, combine_vars, pyrepr};

/// Resolves every play for every host it targets. Returns the desired state and warnings, or every
/// problem found (each with its location and, when it depends on them, the hosts).
pub fn resolve(
    playbook: &Playbook,
    inventory: &Inventory,
    registry: &Registry,
    options: &ResolveOptions,
) -> Result<(Resolved, Diagnostics), Diagnostics> {
    let mut problems = Problems::default();
    let tags = TagFilter::new(&options.tags, &options.skip_tags);
    let extra = Arc::new(options.extra_vars.clone());
    let vault: Arc<dyn VaultResolver> = options.secrets.clone();
    let templar = Templar::new().with_vault(vault);

    let mut selector = HostSelector::new(&inventory.data, &options.cwd);
    if let Some(limit) = &options.limit
        && let Err(e) = selector.set_limit(limit)
    {
        return Err(Diagnostic::error(e.to_string())
            .with_help("--limit takes a host pattern such as 'web*', 'all:!db1' or '@file'")
            .into());
    }
    let selections: Vec<Option<(String, Vec<String>)>> = playbook
        .plays
        .iter()
        .map(|play| select_hosts(play, &mut selector, &templar, &extra, &mut problems))
        .collect();
    problems.extend(None, selector.take_warnings());
    let implicit_localhost = selector
        .implicit_localhost()
        .filter(|h| {
            selections
                .iter()
                .flatten()
                .any(|(_, hosts)| hosts.iter().any(|x| x == h))
        })
        .map(str::to_string);

    if let Some(play) = playbook
        .plays
        .iter()
        .find(|p| p.gather_facts != Some(false))
    {
        problems.push(
            None,
            Diagnostic::warning(
                "gather_facts: plimsoll gathers no facts; a template that reads one (ansible_facts, ansible_hostname, ...) fails and says so",
            )
            .at(play.span.clone())
            .with_help("set `gather_facts: false` on the play to silence this"),
        );
    }

    let global = Arc::new(magic::global(
        inventory,
        &options.playbook_dir,
        &tags,
        options.limit.as_deref(),
    ));
    let hosts = Arc::new(Hosts::new(
        Arc::new(inventory.clone()),
        implicit_localhost.clone(),
        extra.clone(),
        global.clone(),
    ));
    let mut resolver = Resolver {
        registry,
        options,
        tags,
        templar,
        extra,
        global,
        hosts,
        problems,
        resources: IndexMap::new(),
        order: HashMap::new(),
        all_hosts: Vec::new(),
        plays: Vec::new(),
        vars_files: HashMap::new(),
        templars: HashMap::new(),
        declared: HashSet::new(),
        connections: IndexMap::new(),
    };
    for (play, selection) in playbook.plays.iter().zip(selections) {
        if let Some((pattern, hosts)) = selection {
            resolver.play(play, &pattern, &hosts);
        }
    }
    resolver.prune_dependencies(inventory);
    let (errors, warnings) = resolver.problems.finish();
    if errors.has_errors() {
        let mut all = errors;
        all.extend(warnings);
        return Err(all);
    }
    Ok((
        Resolved {
            resources: DesiredState {
                resources: resolver.resources,
            },
            plays: resolver.plays,
            hosts: resolver.all_hosts,
            implicit_localhost,
            local_hosts: resolver
                .connections
                .iter()
                .filter(|(_, (local, _))| *local)
                .map(|(host, _)| host.clone())
                .collect(),
        },
        warnings,
    ))
}

/// The play's `hosts:` (templated with extra vars only, as Ansible does before any host exists) and
/// the hosts it selects under the limit.
fn select_hosts(
    play: &Play,
    selector: &mut HostSelector<'_>,
    templar: &Templar,
    extra: &Arc<Map>,
    problems: &mut Problems,
) -> Option<(String, Vec<String>)> {
    let vars = Vars::from_shared(extra.clone());
    let mut renderer = Renderer::new(templar, &vars);
    let value = match renderer.node(&play.hosts, "hosts") {
        Ok(value) => value,
        Err(found) => {
            problems.extend(None, found);
            return None;
        }
    };
    let pattern = match &value {
        Value::List(items) => items.iter().map(pyrepr::str).collect::<Vec<_>>().join(","),
        Value::Null => String::new(),
        other => pyrepr::str(other),
    };
    if pattern.trim().is_empty() {
        problems.push(
            None,
            Diagnostic::error("Hosts list cannot be empty. Please check your playbook")
                .at(play.hosts.span.clone())
                .with_help("give the play a host pattern, e.g. `hosts: all`"),
        );
        return None;
    }
    match selector.select(&pattern) {
        Ok(hosts) => {
            if hosts.is_empty() {
                problems.push(
                    None,
                    Diagnostic::warning(format!(
                        "no hosts matched {pattern:?}: the play is skipped"
                    ))
                    .at(play.hosts.span.clone()),
                );
            }
            Some((pattern, hosts))
        }
        Err(e) => {
            problems.push(
                None,
                Diagnostic::error(e.to_string())
                    .at(play.hosts.span.clone())
                    .with_help(
                        "host patterns look like 'web*', 'web:&prod', 'all:!db01' or '~^web\\d+'",
                    ),
            );
            None
        }
    }
}

struct Resolver<'a> {
    registry: &'a Registry,
    options: &'a ResolveOptions,
    tags: TagFilter,
    templar: Templar,
    extra: Arc<Map>,
    global: Arc<Map>,
    hosts: Arc<Hosts>,
    problems: Problems,
    resources: IndexMap<ResourceId, DesiredResource>,
    /// The next position in each host's order.
    order: HashMap<String, usize>,
    all_hosts: Vec<String>,
    plays: Vec<PlayInfo>,
    /// Loaded vars files, by path (a broken one is reported once per host that reads it).
    vars_files: HashMap<PathBuf, Result<Arc<Map>, Diagnostics>>,
    /// Templars by lookup search path.
    templars: HashMap<Vec<PathBuf>, Templar>,
    /// Every task name written in the playbook and its roles.
    declared: HashSet<String>,
    /// Hosts whose connection a play's `connection:` decides: local or not, and the play that said
    /// so first.
    connections: IndexMap<String, (bool, Span)>,
}

/// The variable layers of one play on one host that do not depend on the task.
struct HostLayers {
    all_defaults: Arc<Map>,
    inventory: Arc<Map>,
    play_vars: Arc<Map>,
    vars_files: Arc<Map>,
    exports: Arc<Map>,
    extra: Arc<Map>,
    global: Arc<Map>,
    play_magic: Arc<Map>,
    host_magic: Arc<Map>,
}

impl HostLayers {
    /// Ansible's precedence, lowest first: role defaults (every role's, then the task's role's),
    /// inventory, play vars, vars_files, role vars (every role's exports, then the task's role's),
    /// block and task vars, role params, extra vars, magic variables.
    fn for_unit(&self, unit: &Unit<'_>, dynamic: &[Arc<Map>], hosts: &Arc<Hosts>) -> Vars {
        self.for_scope(unit.role.as_ref(), &unit.vars, dynamic, hosts)
    }

    /// `dynamic`: the layers a host's includes add (their loop variables), above all others.
    fn for_scope(
        &self,
        role: Option<&Arc<RoleScope>>,
        vars: &[Arc<Map>],
        dynamic: &[Arc<Map>],
        hosts: &Arc<Hosts>,
    ) -> Vars {
        let mut layers = vec![self.all_defaults.clone()];
        layers.extend(role.map(|r| r.defaults.clone()));
        layers.push(self.inventory.clone());
        layers.push(self.play_vars.clone());
        layers.push(self.vars_files.clone());
        layers.push(self.exports.clone());
        layers.extend(role.map(|r| r.vars.clone()));
        layers.extend(vars.iter().cloned());
        layers.extend(role.map(|r| r.params.clone()));
        layers.push(self.extra.clone());
        layers.push(self.global.clone());
        layers.push(self.play_magic.clone());
        layers.push(self.host_magic.clone());
        layers.extend(role.map(|r| r.magic.clone()));
        // Loop variables win over everything, as Ansible sets them last in the task's vars.
        layers.extend(dynamic.iter().cloned());
        Vars::from_layers(layers).with_lazy("hostvars", hosts.clone())
    }
}

impl Resolver<'_> {
    fn play(&mut self, play: &Play, pattern: &str, hosts: &[String]) {
        let runs: Vec<RoleRun> = roles::expand(&play.roles);
        let tasks = walk::tasks(play, &runs);
        let handlers = walk::handlers(play, &runs);
        for unit in Step::units(&tasks)
            .into_iter()
            .chain(Step::units(&handlers))
        {
            if let Some(NodeValue::Str(name)) = unit.task.name.as_ref().map(|n| &n.value) {
                self.declared.insert(name.clone());
            }
        }
        let mut all_defaults = Map::new();
        let mut exports = Map::new();
        let mut included = Vec::new();
        for list in [&play.pre_tasks, &play.tasks, &play.post_tasks] {
            walk::included_roles(list, &mut included);
        }
        // Public included roles (import_role, include_role with `public: true`) show their
        // defaults and vars to the whole play, as roles of `roles:` do.
        let public = included
            .into_iter()
            .filter(|(_, public)| *public)
            .map(|(role, _)| role.clone());
        let play_roles_and_public: Vec<RoleRef> =
            play.roles.iter().cloned().chain(public).collect();
        for role in &play_roles_and_public {
            combine_vars(&mut all_defaults, &roles::all_defaults(&role.role));
            combine_vars(
                &mut exports,
                &roles::exports(&role.role, &mut HashSet::new()),
            );
        }
        let play_vars = Arc::new(vars_map(&play.vars));
        let name = play.name.clone().unwrap_or_else(|| pattern.to_string());
        let play_roles: Vec<String> = play.roles.iter().map(|r| r.role.name.clone()).collect();
        let play_magic = Arc::new(magic::play(
            &name,
            hosts,
            &play_roles,
            &roles::all_names(&play.roles),
        ));
        let mut info = PlayInfo {
            name,
            hosts: hosts.to_vec(),
            serial: Vec::new(),
            max_fail_percentage: None,
            keep_play_order: play.ordering == Ordering::Playbook,
            resources: Vec::new(),
            declared_at: play.span.clone(),
        };
        self.batching(play, &play_vars, &mut info);
        let all_defaults = Arc::new(all_defaults);
        let exports = Arc::new(exports);
        let connection_local = self.play_connection(play);
        for host in hosts {
            if !self.all_hosts.contains(host) {
                self.all_hosts.push(host.clone());
            }
            let (inventory, host_magic) = match self.hosts.vars_of(host) {
                Ok(found) => found,
                Err(found) => {
                    self.problems.extend(Some(host), found);
                    continue;
                }
            };
            let mut layers = HostLayers {
                all_defaults: all_defaults.clone(),
                inventory,
                play_vars: play_vars.clone(),
                vars_files: Arc::default(),
                exports: exports.clone(),
                extra: self.extra.clone(),
                global: self.global.clone(),
                play_magic: play_magic.clone(),
                host_magic,
            };
            layers.vars_files = self.play_vars_files(play, host, &layers);
            if let Ok(local) = connection_local
                && !layers.inventory.contains_key("ansible_connection")
            {
                self.connection(host, local.unwrap_or(false), play);
            }
            self.host(host, &tasks, &handlers, &layers, &mut info);
        }
        self.plays.push(info);
    }

    fn host(
        &mut self,
        host: &str,
        tasks: &[Step<'_>],
        handlers: &[Step<'_>],
        layers: &HostLayers,
        info: &mut PlayInfo,
    ) {
        let mut out = HostOutput::default();
        self.steps(host, tasks, &[], layers, info, &mut out);
        self.steps(host, handlers, &[], layers, info, &mut out);
        let HostOutput {
            mut pending,
            defined,
            mut found,
        } = out;
        notify::connect(&mut pending, &defined, &mut found);
        self.problems.extend(Some(host), found);
        for item in pending {
            self.insert(item.resource, info);
        }
    }

    /// The play's `connection:` (templated with extra vars, like `hosts:`): whether its hosts run
    /// locally; `None` when the play does not say, `Err` when what it says is reported as wrong.
    fn play_connection(&mut self, play: &Play) -> Result<Option<bool>, ()> {
        let Some(node) = play.connection.as_ref() else {
            return Ok(None);
        };
        let vars = Vars::from_shared(self.extra.clone());
        let mut renderer = Renderer::new(&self.templar, &vars);
        match renderer.node(node, "connection") {
            Ok(Value::Str(name)) | Ok(Value::Unsafe(name)) => match name.as_str() {
                "local" | "ansible.builtin.local" => Ok(Some(true)),
                "ssh" | "smart" | "ansible.builtin.ssh" => Ok(Some(false)),
                other => {
                    self.problems.push(
                        None,
                        Diagnostic::error(format!(
                            "connection {other:?} is not supported; plimsoll connects with ssh or locally"
                        ))
                        .at(node.span.clone())
                        .with_help("use `connection: local` or `ssh`"),
                    );
                    Err(())
                }
            },
            Ok(Value::Null) => Ok(None),
            Ok(other) => {
                self.problems.push(
                    None,
                    Diagnostic::error(format!(
                        "connection must be a string, not {}",
                        other.type_name()
                    ))
                    .at(node.span.clone()),
                );
                Err(())
            }
            Err(found) => {
                self.problems.extend(None, found);
                Err(())
            }
        }
    }

    /// One connection per host: two plays that disagree on it are an error.
    fn connection(&mut self, host: &str, local: bool, play: &Play) {
        let at = play
            .connection
            .as_ref()
            .map_or_else(|| play.span.clone(), |n| n.span.clone());
        match self.connections.get(host) {
            Some((first, first_at)) if *first != local => {
                let first_at = first_at.clone();
                self.problems.push(
                    Some(host),
                    Diagnostic::error(format!(
                        "{host} connects {} here but {} at {first_at}",
                        if local { "locally" } else { "over ssh" },
                        if *first { "locally" } else { "over ssh" },
                    ))
                    .at(at)
                    .with_help("plimsoll keeps one connection per host; set ansible_connection for it in the inventory"),
                );
            }
            Some(_) => {}
            None => {
                self.connections.insert(host.to_string(), (local, at));
            }
        }
    }

    fn steps(
        &mut self,
        host: &str,
        steps: &[Step<'_>],
        dynamic: &[Arc<Map>],
        layers: &HostLayers,
        info: &PlayInfo,
        out: &mut HostOutput,
    ) {
        for step in steps {
            match step {
                Step::Unit(unit) => {
                    let templar = self.templar_for(unit.role.as_ref());
                    let context = HostTask {
                        registry: self.registry,
                        templar: &templar,
                        vars: layers.for_unit(unit, dynamic, &self.hosts),
                        host,
                        playbook_dir: &self.options.playbook_dir,
                        secrets: &self.options.secrets,
                        tags: &self.tags,
                        keep_play_order: info.keep_play_order,
                    };
                    let outcome = task::resolve(&context, unit, &mut out.found);
                    out.defined.extend(outcome.handler_names);
                    out.pending.extend(outcome.resources);
                }
                Step::Include(included) => {
                    let templar = self.templar_for(included.role.as_ref());
                    let vars = layers.for_scope(
                        included.role.as_ref(),
                        &included.vars,
                        dynamic,
                        &self.hosts,
                    );
                    let iterations =
                        includes::iterations(included, &templar, &vars, &self.tags, &mut out.found);
                    for layer in iterations {
                        let mut inner = dynamic.to_vec();
                        inner.push(Arc::new(layer));
                        self.steps(host, &included.body, &inner, layers, info, out);
                    }
                }
            }
        }
    }

    /// Lookups (`file`, `template`) search the role's directories, then the playbook's.
    fn templar_for(&mut self, role: Option<&Arc<RoleScope>>) -> Templar {
        let mut search: Vec<PathBuf> = role
            .into_iter()
            .flat_map(|r| r.search.iter().cloned())
            .collect();
        search.push(self.options.playbook_dir.clone());
        self.templars
            .entry(search.clone())
            .or_insert_with(|| self.templar.with_search_path(search))
            .clone()
    }

    fn insert(&mut self, mut resource: DesiredResource, info: &mut PlayInfo) {
        let host = resource.id.scope.name().to_string();
        let next = self.order.entry(host.clone()).or_insert(0);
        resource.order = *next;
        *next += 1;
        if let Some(first) = self.resources.get(&resource.id) {
            self.problems.push(
                Some(&host),
                Diagnostic::error(format!(
                    "{} is declared twice: here and at {}",
                    resource.id, first.declared_at
                ))
                .at(resource.declared_at.clone())
                .with_help("two tasks manage the same object on the same host; keep one of them"),
            );
            return;
        }
        info.resources.push(resource.id.clone());
        self.resources.insert(resource.id.clone(), resource);
    }

    /// Drops `depends_on` entries whose target is a real task that does not run in this invocation
    /// (skipped by `when:` or tags on its host, or on a host outside the play or the limit): there is
    /// nothing to wait for. Unknown names and hosts stay, for the graph to report.
    fn prune_dependencies(&mut self, inventory: &Inventory) {
        let present: HashSet<(String, String)> = self
            .resources
            .values()
            .map(|r| (r.id.scope.name().to_string(), r.display_name.clone()))
            .collect();
        let names: HashSet<&String> = self
            .declared
            .iter()
            .chain(present.iter().map(|(_, name)| name))
            .collect();
        let mut pruned = Vec::new();
        for resource in self.resources.values() {
            let host = resource.id.scope.name();
            let keep: Vec<bool> = resource
                .depends_on
                .iter()
                .map(|dependency| {
                    let target = dependency.host.as_deref().unwrap_or(host);
                    let known_host = inventory.data.host(target).is_some()
                        || self.all_hosts.iter().any(|h| h == target);
                    present.contains(&(target.to_string(), dependency.task.clone()))
                        || !known_host
                        || (self.all_hosts.iter().any(|h| h == target)
                            && !names.contains(&dependency.task))
                })
                .collect();
            if keep.contains(&false) {
                pruned.push((resource.id.clone(), keep));
            }
        }
        for (id, keep) in pruned {
            if let Some(resource) = self.resources.get_mut(&id) {
                let mut flags = keep.into_iter();
                resource.depends_on.retain(|_| flags.next().unwrap_or(true));
            }
        }
    }

    /// `serial:` and `max_fail_percentage:`, templated with the play's and extra vars.
    fn batching(&mut self, play: &Play, play_vars: &Arc<Map>, info: &mut PlayInfo) {
        let vars = Vars::from_layers(vec![
            play_vars.clone(),
            self.extra.clone(),
            self.global.clone(),
        ]);
        let mut renderer = Renderer::new(&self.templar, &vars);
        if let Some(node) = &play.serial {
            match renderer.node(node, "serial") {
                Ok(Value::List(items)) => {
                    for item in &items {
                        match batch_size(item) {
                            Some(size) => info.serial.push(size),
                            None => self.problems.push(None, bad_serial(node, item)),
                        }
                    }
                }
                Ok(Value::Null) => {}
                Ok(item) => match batch_size(&item) {
                    Some(size) => info.serial.push(size),
                    None => self.problems.push(None, bad_serial(node, &item)),
                },
                Err(found) => self.problems.extend(None, found),
            }
        }
        if let Some(node) = &play.max_fail_percentage {
            match renderer.node(node, "max_fail_percentage") {
                Ok(Value::Null) => {}
                Ok(value) => match percent(&value) {
                    Some(p) => info.max_fail_percentage = Some(p),
                    None => self.problems.push(
                        None,
                        Diagnostic::error(format!(
                            "max_fail_percentage must be a number or a percentage, not {}",
                            pyrepr::repr(&value)
                        ))
                        .at(node.span.clone()),
                    ),
                },
                Err(found) => self.problems.extend(None, found),
            }
        }
    }

    /// The play's `vars_files:` for one host: each entry (or the first existing file of a list
    /// entry), found in `vars/` or beside the playbook as Ansible looks for them.
    fn play_vars_files(&mut self, play: &Play, host: &str, layers: &HostLayers) -> Arc<Map> {
        if play.vars_files.is_empty() {
            return Arc::default();
        }
        let mut merged = Map::new();
        for entry in &play.vars_files {
            let vars = Vars::from_layers(vec![
                layers.all_defaults.clone(),
                layers.inventory.clone(),
                layers.play_vars.clone(),
                Arc::new(merged.clone()),
                self.extra.clone(),
                self.global.clone(),
                layers.play_magic.clone(),
                layers.host_magic.clone(),
            ])
            .with_lazy("hostvars", self.hosts.clone());
            let mut renderer = Renderer::new(&self.templar, &vars);
            let candidates: Vec<&Node> = match &entry.value {
                NodeValue::Seq(items) => items.iter().collect(),
                _ => vec![entry],
            };
            let mut loaded = false;
            for candidate in candidates {
                let name = match renderer.node(candidate, "vars_files") {
                    Ok(Value::Str(name)) | Ok(Value::Unsafe(name)) => name,
                    Ok(other) => {
                        self.problems.push(
                            Some(host),
                            Diagnostic::error(format!(
                                "Invalid `vars_files` value of type '{}'.",
                                other.type_name()
                            ))
                            .at(candidate.span.clone())
                            .with_help("A `vars_files` value should either be a string or list of strings."),
                        );
                        loaded = true;
                        break;
                    }
                    Err(_) if renderer.undefined_seen => {
                        self.problems.push(
                            Some(host),
                            Diagnostic::warning(
                                "skipping vars_files item due to an undefined variable",
                            )
                            .at(candidate.span.clone()),
                        );
                        loaded = true;
                        break;
                    }
                    Err(found) => {
                        self.problems.extend(Some(host), found);
                        loaded = true;
                        break;
                    }
                };
                let Some(path) = self.find_vars_file(&name) else {
                    continue;
                };
                match self.load_vars_file(&path) {
                    Ok(map) => combine_vars(&mut merged, &map),
                    Err(found) => self.problems.extend(Some(host), found),
                }
                loaded = true;
                break;
            }
            if !loaded {
                // Ansible 2.19 skips a missing vars file without a word; say it.
                self.problems.push(
                    None,
                    Diagnostic::warning(format!(
                        "vars file {} was not found (looked in {}/vars/ and {}/); it is skipped, as Ansible does",
                        entry.span.text(),
                        self.options.playbook_dir.display(),
                        self.options.playbook_dir.display(),
                    ))
                    .at(entry.span.clone()),
                );
            }
        }
        Arc::new(merged)
    }

    fn find_vars_file(&self, name: &str) -> Option<PathBuf> {
        let path = PathBuf::from(name);
        if path.is_absolute() {
            return path.is_file().then_some(path);
        }
        let base = &self.options.playbook_dir;
        [base.join("vars").join(name), base.join(name)]
            .into_iter()
            .find(|p| p.is_file())
    }

    fn load_vars_file(&mut self, path: &Path) -> Result<Arc<Map>, Diagnostics> {
        let secrets = self.options.secrets.clone();
        self.vars_files
            .entry(path.to_path_buf())
            .or_insert_with(|| {
                let file = load_data_file(path, &secrets).map_err(Diagnostics::from)?;
                let mut map = Map::new();
                match file.value {
                    None => {}
                    Some(Value::Map(found)) => map = found,
                    // Ansible also takes a list of mappings.
                    Some(Value::List(items)) if items.iter().all(|i| i.as_map().is_some()) => {
                        for item in items.iter().filter_map(Value::as_map) {
                            combine_vars(&mut map, item);
                        }
                    }
                    Some(other) => {
                        return Err(Diagnostic::error(format!(
                            "{}: a vars file must hold a mapping, not a {}",
                            path.display(),
                            other.type_name()
                        ))
                        .into());
                    }
                }
                Ok(Arc::new(map))
            })
            .clone()
    }
}

/// What resolving one host's tasks and handlers gives.
#[derive(Default)]
struct HostOutput {
    pending: Vec<Pending>,
    defined: HashSet<String>,
    found: Vec<Diagnostic>,
}

fn batch_size(value: &Value) -> Option<BatchSize> {
    match value {
        Value::Int(n) => Some(BatchSize::Hosts(usize::try_from(*n).unwrap_or(0))),
        Value::Str(s) | Value::Unsafe(s) => {
            let s = s.trim();
            match s.strip_suffix('%') {
                Some(p) => p.trim().parse::<f64>().ok().map(BatchSize::Percent),
                None => s
                    .parse::<i64>()
                    .ok()
                    .map(|n| BatchSize::Hosts(usize::try_from(n).unwrap_or(0))),
            }
        }
        _ => None,
    }
}

fn bad_serial(node: &Node, value: &Value) -> Diagnostic {
    Diagnostic::error(format!(
        "serial must be a number of hosts or a percentage, not {}",
        pyrepr::repr(value)
    ))
    .at(node.span.clone())
    .with_help("e.g. `serial: 2`, `serial: \"30%\"` or `serial: [1, \"50%\"]`")
}

fn percent(value: &Value) -> Option<f64> {
    match value {
        Value::Int(n) => Some(*n as f64),
        Value::Float(f) => Some(*f),
        Value::Str(s) | Value::Unsafe(s) => s.trim().trim_end_matches('%').trim().parse().ok(),
        _ => None,
    }
}
