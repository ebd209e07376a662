//! One top-level render: the variables as minijinja sees them, rendered lazily.
//!
//! Ansible 2.19 templates a variable only when a template reads it (`a: "{{ b }}"`, `b: 1` makes
//! `{{ a }}` give 1), and inside a dict or list only the item that is read. [`VarsObject`] is the
//! render context: looking up a name lifts the crate value into minijinja. Strings that look like
//! templates are rendered then (once per render; the result is cached), lists and maps become
//! [`LazyNode`]s that do the same for their items. A string that is read again while it is being
//! rendered is a loop, which Ansible reports as "Recursive loop detected in template".
//!
//! A variable whose template uses an undefined name becomes undefined itself, so `a is defined` is
//! false and `a | default(5)` is 5, as in Ansible; the original cause is kept to explain the error if
//! the template then fails on it.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use minijinja::value::{Enumerator, Object, ObjectRepr};
use minijinja::{Error, ErrorKind, Value as MjValue};

use super::engine::Engine;
use super::error::{TemplateError, TemplateErrorKind};
use super::native::{self, RenderOptions};
use super::vars::{LazyVars, Vars};
use crate::value::{Value, pyrepr};

/// The name under which the render context can be found from filters and functions.
pub(crate) const SCOPE_KEY: &str = "__plimsoll_scope__";

/// How deep variables may refer to variables that refer to variables.
const MAX_LAZY_DEPTH: usize = 64;

pub(crate) struct Scope {
    pub engine: Arc<Engine>,
    pub vars: Vars,
    /// The render this one serves (a `hostvars` entry read from a task's template): secrets used
    /// here count there too.
    parent: Option<Weak<Scope>>,
    secret_used: AtomicBool,
    /// Set by the `mandatory` filter just before it fails on an undefined value.
    mandatory_failed: AtomicBool,
    state: Mutex<ScopeState>,
}

#[derive(Default)]
struct ScopeState {
    /// Strings being rendered right now (by address) and the variable path they belong to.
    resolving: Vec<(usize, String)>,
    cache: HashMap<usize, MjValue>,
    /// Variables that came out undefined, and why.
    undefined_causes: Vec<(String, TemplateError)>,
    /// The last variable name that was looked up and does not exist.
    last_missing: Option<String>,
    /// One capture per render in progress, innermost last (see `native`).
    sinks: Vec<native::Sink>,
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Scope")
    }
}

impl Scope {
    pub fn new(engine: Arc<Engine>, vars: Vars) -> Arc<Self> {
        Self::with_parent(engine, vars, None)
    }

    fn with_parent(engine: Arc<Engine>, vars: Vars, parent: Option<Weak<Scope>>) -> Arc<Self> {
        Arc::new(Self {
            engine,
            vars,
            parent,
            secret_used: AtomicBool::new(false),
            mandatory_failed: AtomicBool::new(false),
            state: Mutex::new(ScopeState::default()),
        })
    }

    fn state(&self) -> MutexGuard<'_, ScopeState> {
        // A panic elsewhere while the lock was held leaves plain data behind; keep using it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn context(self: &Arc<Self>) -> MjValue {
        MjValue::from_dyn_object(Arc::new(VarsObject(self.clone())))
    }

    pub fn mark_secret_used(&self) {
        self.secret_used.store(true, Ordering::Relaxed);
        if let Some(parent) = self.parent.as_ref().and_then(Weak::upgrade) {
            parent.mark_secret_used();
        }
    }

    pub fn secret_used(&self) -> bool {
        self.secret_used.load(Ordering::Relaxed)
    }

    pub fn note_mandatory_failed(&self) {
        self.mandatory_failed.store(true, Ordering::Relaxed);
    }

    pub fn take_mandatory_failed(&self) -> bool {
        self.mandatory_failed.swap(false, Ordering::Relaxed)
    }

    pub fn push_sink(&self) {
        self.state().sinks.push(native::Sink::default());
    }

    pub fn pop_sink(&self) -> native::Sink {
        self.state().sinks.pop().unwrap_or_default()
    }

    pub fn record_node(&self, value: &MjValue, text: &str) {
        if let Some(sink) = self.state().sinks.last_mut() {
            sink.record(value, text);
        }
    }

    /// Why the variable at `path` (or the one read last, without a path) came out undefined.
    pub fn undefined_cause(&self, path: Option<&str>) -> Option<TemplateError> {
        let state = self.state();
        match path {
            Some(path) => state
                .undefined_causes
                .iter()
                .rev()
                .find(|(p, _)| p == path)
                .map(|(_, e)| e.clone()),
            None => state.undefined_causes.last().map(|(_, e)| e.clone()),
        }
    }

    pub fn last_missing(&self) -> Option<String> {
        self.state().last_missing.clone()
    }

    fn note_missing(&self, name: &str) {
        self.state().last_missing = Some(name.to_string());
    }

    /// The scope of the render a filter or function runs in.
    pub fn of_state(state: &minijinja::State) -> Option<Arc<Scope>> {
        let ctx = state.lookup(SCOPE_KEY)?;
        ctx.downcast_object_ref::<VarsObject>()
            .map(|vars| vars.0.clone())
    }

    /// The minijinja value for a variable's value; templates in strings are rendered now.
    pub fn lift(self: &Arc<Self>, value: &Value, at: &NodeRef) -> MjValue {
        match value {
            Value::Null => MjValue::from(()),
            Value::Bool(b) => MjValue::from(*b),
            Value::Int(i) => match i64::try_from(*i) {
                Ok(small) => MjValue::from(small),
                Err(_) => MjValue::from(*i),
            },
            Value::Float(f) => MjValue::from(*f),
            Value::Str(s) => self.render_variable(s, at),
            Value::Unsafe(s) => MjValue::from(s.as_str()),
            Value::Vault(text) => match self.engine.decrypt(text) {
                Ok(plain) => {
                    self.mark_secret_used();
                    // Ansible never templates vault plaintext.
                    MjValue::from(plain)
                }
                Err(message) => MjValue::from(wrap(
                    TemplateError::new(
                        TemplateErrorKind::Vault,
                        format!("cannot decrypt the vaulted variable `{at}`: {message}"),
                    )
                    .with_variable(at.root()),
                )),
            },
            Value::List(_) | Value::Map(_) => MjValue::from_object(LazyNode {
                scope: self.clone(),
                at: at.clone(),
            }),
        }
    }

    fn render_variable(self: &Arc<Self>, text: &str, at: &NodeRef) -> MjValue {
        if !native::is_possibly_template(text) {
            return MjValue::from(text);
        }
        let address = text.as_ptr() as usize;
        {
            let mut state = self.state();
            if let Some(done) = state.cache.get(&address) {
                return done.clone();
            }
            if state.resolving.iter().any(|(a, _)| *a == address) {
                let mut chain: Vec<String> =
                    state.resolving.iter().map(|(_, p)| p.clone()).collect();
                chain.push(at.to_string());
                return MjValue::from(wrap(
                    TemplateError::new(
                        TemplateErrorKind::RecursiveLoop,
                        format!(
                            "Recursive loop detected in template: {} refers back to itself",
                            chain.join(" -> ")
                        ),
                    )
                    .with_variable(at.root())
                    .with_hint("a variable cannot be defined in terms of itself; give the value a new name"),
                ));
            }
            if state.resolving.len() >= MAX_LAZY_DEPTH {
                return MjValue::from(wrap(
                    TemplateError::new(
                        TemplateErrorKind::RecursiveLoop,
                        format!(
                            "Recursive loop detected in template: variables nest more than {MAX_LAZY_DEPTH} deep at `{at}`"
                        ),
                    )
                    .with_variable(at.root()),
                ));
            }
            state.resolving.push((address, at.to_string()));
        }
        let name = format!("<variable {at}>");
        let result = native::render(self, text, &name, RenderOptions::VARIABLE)
            .map_err(|err| super::convert::error_from_minijinja(self, &err, Some(text)));
        let mut state = self.state();
        state.resolving.pop();
        match result {
            Ok(value) => {
                state.cache.insert(address, value.clone());
                value
            }
            Err(err)
                if matches!(
                    err.kind,
                    TemplateErrorKind::Undefined | TemplateErrorKind::FactsNotGathered
                ) =>
            {
                state.undefined_causes.push((at.to_string(), err));
                MjValue::UNDEFINED
            }
            Err(err) => MjValue::from(wrap(err)),
        }
    }
}

/// A [`TemplateError`] carried through minijinja (as an invalid value or a filter's error) so that the
/// top level can report it as it was.
pub(crate) fn wrap(err: TemplateError) -> Error {
    let kind = match err.kind {
        TemplateErrorKind::Undefined | TemplateErrorKind::FactsNotGathered => {
            ErrorKind::UndefinedError
        }
        TemplateErrorKind::Syntax => ErrorKind::SyntaxError,
        _ => ErrorKind::InvalidOperation,
    };
    Error::new(kind, err.message.clone()).with_source(err)
}

/// Where a value sits in the variables: the layer and name of the variable, then keys and indices.
#[derive(Clone, Debug)]
pub(crate) struct NodeRef {
    layer: usize,
    name: Arc<str>,
    path: Vec<Seg>,
}

#[derive(Clone, Debug)]
enum Seg {
    Key(Arc<str>),
    Index(usize),
}

impl NodeRef {
    pub fn variable(layer: usize, name: &str) -> Self {
        Self {
            layer,
            name: name.into(),
            path: Vec::new(),
        }
    }

    fn key(&self, key: &str) -> Self {
        let mut next = self.clone();
        next.path.push(Seg::Key(key.into()));
        next
    }

    fn index(&self, index: usize) -> Self {
        let mut next = self.clone();
        next.path.push(Seg::Index(index));
        next
    }

    pub fn root(&self) -> &str {
        &self.name
    }

    fn resolve<'v>(&self, vars: &'v Vars) -> Option<&'v Value> {
        let mut value = vars.layer_value(self.layer, &self.name)?;
        for seg in &self.path {
            value = match (seg, value) {
                (Seg::Key(k), Value::Map(m)) => m.get(&**k)?,
                (Seg::Index(i), Value::List(l)) => l.get(*i)?,
                _ => return None,
            };
        }
        Some(value)
    }
}

impl fmt::Display for NodeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        for seg in &self.path {
            match seg {
                Seg::Key(k) if is_identifier(k) => write!(f, ".{k}")?,
                Seg::Key(k) => write!(f, "[{}]", pyrepr::repr_str(k))?,
                Seg::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// The render context: every variable, looked up lazily.
#[derive(Debug)]
pub(crate) struct VarsObject(pub Arc<Scope>);

impl Object for VarsObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &MjValue) -> Option<MjValue> {
        let name = key.as_str()?;
        if name == SCOPE_KEY {
            return Some(MjValue::from_dyn_object(self.clone()));
        }
        let scope = &self.0;
        if let Some(source) = scope.vars.lazy(name) {
            return Some(MjValue::from_object(LazyVarsObject {
                engine: scope.engine.clone(),
                source: source.clone(),
                parent: Arc::downgrade(scope),
                entries: Mutex::new(HashMap::new()),
            }));
        }
        let Some((layer, value)) = scope.vars.locate(name) else {
            if name == "vars" {
                // Ansible's `vars`: every variable, by name (`vars['app_' ~ x]`).
                return Some(MjValue::from_dyn_object(self.clone()));
            }
            scope.note_missing(name);
            return None;
        };
        Some(scope.lift(value, &NodeRef::variable(layer, name)))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let names: Vec<MjValue> = self.0.vars.names().into_iter().map(MjValue::from).collect();
        Enumerator::Values(names)
    }
}

/// A [`LazyVars`] as minijinja sees it: a mapping whose entries are whole variable scopes, each
/// computed on first read and rendered with its own variables.
pub(crate) struct LazyVarsObject {
    engine: Arc<Engine>,
    source: Arc<dyn LazyVars>,
    parent: Weak<Scope>,
    entries: Mutex<HashMap<String, Option<MjValue>>>,
}

impl fmt::Debug for LazyVarsObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LazyVars({:?})", self.source)
    }
}

impl Object for LazyVarsObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &MjValue) -> Option<MjValue> {
        let name = key.as_str()?;
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .entry(name.to_string())
            .or_insert_with(|| {
                self.source.get(name).map(|vars| {
                    Scope::with_parent(self.engine.clone(), vars, Some(self.parent.clone()))
                        .context()
                })
            })
            .clone()
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.source.names().into_iter().map(MjValue::from).collect())
    }
}

/// A list or map inside the variables; its items are lifted (and rendered) when read.
#[derive(Debug)]
pub(crate) struct LazyNode {
    pub scope: Arc<Scope>,
    pub at: NodeRef,
}

impl LazyNode {
    pub fn value(&self) -> Option<&Value> {
        self.at.resolve(&self.scope.vars)
    }

    /// The item under `key` (a map key or a list index), lifted.
    pub fn child(&self, key: &MjValue) -> Option<MjValue> {
        match self.value()? {
            Value::Map(map) => {
                let key = key.as_str()?;
                let item = map.get(key)?;
                Some(self.scope.lift(item, &self.at.key(key)))
            }
            Value::List(items) => {
                let index = key.as_i64()?;
                let index = if index < 0 {
                    usize::try_from(index + i64::try_from(items.len()).ok()?).ok()?
                } else {
                    usize::try_from(index).ok()?
                };
                let item = items.get(index)?;
                Some(self.scope.lift(item, &self.at.index(index)))
            }
            _ => None,
        }
    }

    /// The items as lifted values: (key, value) for maps, (index, value) for lists.
    pub fn items(&self) -> Vec<(MjValue, MjValue)> {
        match self.value() {
            Some(Value::Map(map)) => map
                .iter()
                .map(|(k, v)| {
                    (
                        MjValue::from(k.as_str()),
                        self.scope.lift(v, &self.at.key(k)),
                    )
                })
                .collect(),
            Some(Value::List(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (MjValue::from(i), self.scope.lift(v, &self.at.index(i))))
                .collect(),
            _ => Vec::new(),
        }
    }

    pub fn path(&self) -> String {
        self.at.to_string()
    }
}

impl Object for LazyNode {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        match self.value() {
            Some(Value::List(_)) => ObjectRepr::Seq,
            _ => ObjectRepr::Map,
        }
    }

    fn get_value(self: &Arc<Self>, key: &MjValue) -> Option<MjValue> {
        self.child(key)
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        match self.value() {
            Some(Value::Map(map)) => {
                Enumerator::Values(map.keys().map(|k| MjValue::from(k.as_str())).collect())
            }
            Some(Value::List(items)) => Enumerator::Seq(items.len()),
            _ => Enumerator::Empty,
        }
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        match self.value() {
            Some(Value::Map(map)) => Some(map.len()),
            Some(Value::List(items)) => Some(items.len()),
            _ => Some(0),
        }
    }

    /// `'x' ~ some_dict` and the like print as Python would.
    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = MjValue::from_dyn_object(self.clone());
        match super::convert::to_value(&value) {
            Ok(v) => f.write_str(&pyrepr::str(&v)),
            Err(_) => f.write_str("<error>"),
        }
    }
}
