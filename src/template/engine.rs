//! [`Templar`]: the minijinja environment configured as Ansible 2.19 configures Jinja, and the entry
//! points the loader uses (task arguments, `when:`, the template module).

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use minijinja::{Environment, UndefinedBehavior, Value as MjValue, syntax::SyntaxConfig};

use super::convert::{error_from_minijinja, to_value};
use super::error::{TemplateError, TemplateErrorKind};
use super::native::{self, RenderOptions};
use super::omit::{is_omit, omit_token};
use super::scope::Scope;
use super::vars::Vars;
use super::{filters, lookups};
use crate::secrets::{Sensitive, VaultSecrets, decrypt};
use crate::value::{Map, Value, VaultText, pyrepr};

/// Decrypts `!vault` values when a template reads them.
pub trait VaultResolver: Send + Sync {
    fn decrypt(&self, vault: &VaultText) -> Result<Sensitive<String>, String>;
}

impl VaultResolver for VaultSecrets {
    fn decrypt(&self, vault: &VaultText) -> Result<Sensitive<String>, String> {
        let plain = decrypt(&vault.0, self).map_err(|e| e.to_string())?;
        match std::str::from_utf8(plain.expose()) {
            Ok(text) => Ok(Sensitive::new(text.to_string())),
            Err(_) => Err("the decrypted value is not UTF-8 text".into()),
        }
    }
}

/// Reads an environment variable for `lookup('env', ...)`.
pub type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// A rendered value, and whether a vault secret went into it (callers mask such values in output).
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    pub value: Value,
    pub uses_secret: bool,
}

/// A rendered template file.
#[derive(Clone, Debug, PartialEq)]
pub struct RenderedText {
    pub text: String,
    pub uses_secret: bool,
}

pub(crate) struct Engine {
    pub env: Arc<Environment<'static>>,
    vault: Option<Arc<dyn VaultResolver>>,
    pub env_lookup: EnvLookup,
    /// Directories the `file`, `template` and `first_found` lookups search, as `ansible_search_path`.
    pub search_path: Vec<PathBuf>,
}

impl Engine {
    pub fn decrypt(&self, vault: &VaultText) -> Result<String, String> {
        let Some(resolver) = &self.vault else {
            return Err(
                "no vault password was given (use --vault-password-file or --vault-id)".into(),
            );
        };
        resolver.decrypt(vault).map(|plain| plain.expose().clone())
    }
}

/// Templates strings, values and files with Ansible's semantics. Build it once and share it; clones
/// are cheap.
#[derive(Clone)]
pub struct Templar {
    engine: Arc<Engine>,
}

impl Default for Templar {
    fn default() -> Self {
        Self::new()
    }
}

impl Templar {
    pub fn new() -> Self {
        Self {
            engine: Arc::new(Engine {
                env: Arc::new(environment()),
                vault: None,
                env_lookup: Arc::new(|name| std::env::var(name).ok()),
                search_path: Vec::new(),
            }),
        }
    }

    fn with_engine(&self, change: impl FnOnce(&mut Engine)) -> Self {
        let mut engine = Engine {
            env: self.engine.env.clone(),
            vault: self.engine.vault.clone(),
            env_lookup: self.engine.env_lookup.clone(),
            search_path: self.engine.search_path.clone(),
        };
        change(&mut engine);
        Self {
            engine: Arc::new(engine),
        }
    }

    /// Decrypt `!vault` values with `resolver` when a template reads them.
    pub fn with_vault(&self, resolver: Arc<dyn VaultResolver>) -> Self {
        self.with_engine(|e| e.vault = Some(resolver))
    }

    /// Where `lookup('env', ...)` reads (the process environment by default).
    pub fn with_env_lookup(&self, lookup: EnvLookup) -> Self {
        self.with_engine(|e| e.env_lookup = lookup)
    }

    /// The directories lookups search, in order, as Ansible's `ansible_search_path`: for a role task the
    /// role's directory, then the playbook's. `lookup('file', x)` tries `<dir>/files/x` then `<dir>/x`
    /// in each; `lookup('template', x)` uses `templates/`.
    pub fn with_search_path(&self, paths: Vec<PathBuf>) -> Self {
        self.with_engine(|e| e.search_path = paths)
    }

    /// The directories set by [`Templar::with_search_path`].
    pub fn search_path(&self) -> &[PathBuf] {
        &self.engine.search_path
    }

    fn scope(&self, vars: &Vars) -> Arc<Scope> {
        Scope::new(self.engine.clone(), vars.clone())
    }

    /// Templates a string as Ansible templates a task argument: a single `{{ }}` keeps its type
    /// (`"{{ 1 + 1 }}"` is the int 2), anything else is a string; strings without `{{`, `{%` or `{#`
    /// are returned as they are. A result equal to [`omit_token`] means "leave the parameter out".
    pub fn render_str(&self, template: &str, vars: &Vars) -> Result<Rendered, TemplateError> {
        let scope = self.scope(vars);
        let value = render_string(&scope, template)?;
        Ok(Rendered {
            value,
            uses_secret: scope.secret_used(),
        })
    }

    /// Templates every string in `value` (list items and dict values; dict keys are not templated, as in
    /// Ansible 2.19). Items that render to `omit` are dropped. `!unsafe` strings stay as they are; `!vault`
    /// values are decrypted.
    pub fn render_value(&self, value: &Value, vars: &Vars) -> Result<Rendered, TemplateError> {
        let scope = self.scope(vars);
        let value = render_tree(&scope, value)?;
        Ok(Rendered {
            value,
            uses_secret: scope.secret_used(),
        })
    }

    /// Evaluates a `when:` condition: a bare Jinja expression (`x is defined and y == 1`) that must give
    /// a boolean; Ansible 2.19 refuses other results ("Conditionals must have a boolean result").
    /// A condition wholly wrapped in `{{ }}` is still accepted, as Ansible does (with a deprecation).
    pub fn eval_condition(&self, condition: &str, vars: &Vars) -> Result<bool, TemplateError> {
        let scope = self.scope(vars);
        let result = evaluate_condition(&scope, condition).map_err(|mut err| {
            if matches!(
                err.kind,
                TemplateErrorKind::Undefined | TemplateErrorKind::FactsNotGathered
            ) && !err
                .message
                .starts_with("Error while evaluating conditional")
            {
                err.message = format!("Error while evaluating conditional: {}", err.message);
            }
            err
        })?;
        match result {
            Value::Bool(b) => Ok(b),
            other => Err(TemplateError::new(
                TemplateErrorKind::BrokenConditional,
                format!(
                    "Conditional result ({}) was derived from value of type '{}'. Conditionals must have a boolean result.",
                    if truthy(&other) { "True" } else { "False" },
                    other.type_name()
                ),
            )
            .with_hint(format!(
                "compare explicitly, e.g. `{0} | bool`, `{0} | length > 0` or `{0} is defined`",
                condition.trim()
            ))),
        }
    }

    /// A `when:` given as YAML: a boolean is its own result, a string is an expression.
    pub fn eval_condition_value(
        &self,
        condition: &Value,
        vars: &Vars,
    ) -> Result<bool, TemplateError> {
        match condition {
            Value::Bool(b) => Ok(*b),
            Value::Str(s) | Value::Unsafe(s) => self.eval_condition(s, vars),
            Value::Null => Err(TemplateError::new(
                TemplateErrorKind::BrokenConditional,
                "Empty conditional expressions are not allowed.",
            )),
            _ => Err(TemplateError::new(
                TemplateErrorKind::BrokenConditional,
                "Conditional expressions must be strings.",
            )),
        }
    }

    /// Renders a file as the template module does: backslashes in the file mean what Jinja says,
    /// `trim_blocks` on, trailing newlines kept. `template_path`, `template_fullpath` and
    /// `ansible_managed` are defined as Ansible defines them.
    pub fn render_file(&self, path: &Path, vars: &Vars) -> Result<RenderedText, TemplateError> {
        let source = read_template(path)?;
        let vars = vars.with_layer(template_vars(path, vars));
        let scope = self.scope(&vars);
        let name = path.display().to_string();
        let value = native::render(&scope, &source, &name, RenderOptions::FILE)
            .and_then(|v| to_value(&v))
            .map_err(|e| error_from_minijinja(&scope, &e, Some(&source)))?;
        Ok(RenderedText {
            text: file_text(&value),
            uses_secret: scope.secret_used(),
        })
    }

    /// The placeholder `omit` renders to.
    pub fn omit_token(&self) -> &'static str {
        omit_token()
    }
}

pub(crate) fn read_template(path: &Path) -> Result<String, TemplateError> {
    std::fs::read_to_string(path).map_err(|e| {
        TemplateError::new(
            TemplateErrorKind::Plugin,
            format!("cannot read the template {}: {e}", path.display()),
        )
    })
}

/// The text the template module writes for a rendered value.
pub(crate) fn file_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        other => pyrepr::str(other),
    }
}

/// The variables Ansible adds for the template module and `lookup('template')`.
pub(crate) fn template_vars(path: &Path, vars: &Vars) -> Map {
    let mut map = Map::new();
    let full = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    map.insert(
        "template_path".into(),
        Value::Str(path.display().to_string()),
    );
    map.insert(
        "template_fullpath".into(),
        Value::Str(full.display().to_string()),
    );
    if !vars.contains("ansible_managed") {
        // Ansible's DEFAULT_MANAGED_STR.
        map.insert(
            "ansible_managed".into(),
            Value::Str("Ansible managed".into()),
        );
    }
    map
}

fn render_string(scope: &Arc<Scope>, template: &str) -> Result<Value, TemplateError> {
    if !native::is_possibly_template(template) {
        return Ok(Value::Str(template.to_string()));
    }
    native::render(scope, template, "<template>", RenderOptions::VARIABLE)
        .and_then(|v| to_value(&v))
        .map_err(|e| error_from_minijinja(scope, &e, Some(template)))
}

fn render_tree(scope: &Arc<Scope>, value: &Value) -> Result<Value, TemplateError> {
    Ok(match value {
        Value::Str(s) => render_string(scope, s)?,
        Value::Vault(text) => {
            let plain = scope.engine.decrypt(text).map_err(|message| {
                TemplateError::new(
                    TemplateErrorKind::Vault,
                    format!("cannot decrypt a vaulted value: {message}"),
                )
            })?;
            scope.mark_secret_used();
            Value::Str(plain)
        }
        Value::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let item = render_tree(scope, item)?;
                if !is_omit(&item) {
                    out.push(item);
                }
            }
            Value::List(out)
        }
        Value::Map(map) => {
            let mut out = Map::with_capacity(map.len());
            for (key, item) in map {
                let item = render_tree(scope, item)?;
                if !is_omit(&item) {
                    out.insert(key.clone(), item);
                }
            }
            Value::Map(out)
        }
        other => other.clone(),
    })
}

fn evaluate_condition(scope: &Arc<Scope>, condition: &str) -> Result<Value, TemplateError> {
    let condition = condition.trim();
    if condition.is_empty() {
        return Err(TemplateError::new(
            TemplateErrorKind::BrokenConditional,
            "Empty conditional expressions are not allowed.",
        ));
    }
    let expression: Cow<'_, str> = if is_all_template(condition) {
        // Ansible still accepts `when: "{{ x }}"` (deprecated): the template gives either the result
        // or the text of an expression.
        match render_string(scope, condition)? {
            Value::Str(text) => Cow::Owned(text.trim().to_string()),
            other => return Ok(other),
        }
    } else {
        Cow::Borrowed(condition)
    };
    let env: &Environment<'_> = &scope.engine.env;
    let result = env
        .compile_expression(&expression)
        .and_then(|compiled| compiled.eval(scope.context()))
        .and_then(|value| to_value(&value));
    result.map_err(|e| error_from_minijinja(scope, &e, Some(&expression)))
}

fn is_all_template(text: &str) -> bool {
    (text.starts_with("{{") && text.ends_with("}}"))
        || (text.starts_with("{%") && text.ends_with("%}"))
}

/// Python's truthiness.
pub(crate) fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0,
        Value::Str(s) | Value::Unsafe(s) => !s.is_empty(),
        Value::Vault(_) => true,
        Value::List(items) => !items.is_empty(),
        Value::Map(map) => !map.is_empty(),
    }
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_debug(true);
    // Ansible's environment: trim_blocks on, lstrip_blocks off; Jinja drops one trailing newline of a
    // template and Ansible puts the missing ones back (see `native`).
    if let Ok(syntax) = SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(false)
        .keep_trailing_newline(false)
        .build()
    {
        env.set_syntax(syntax);
    }
    // Ansible never HTML-escapes, whatever the template's file name.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_formatter(native::formatter);
    minijinja_contrib::add_to_environment(&mut env);
    env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
    // `{% include %}` and `{% import %}` name files relative to the including template.
    env.set_path_join_callback(|name, parent| {
        let parent = Path::new(parent);
        if Path::new(name).is_absolute() || !parent.is_absolute() {
            return Cow::Borrowed(name);
        }
        let dir = parent.parent().unwrap_or(parent);
        Cow::Owned(dir.join(name).display().to_string())
    });
    env.set_loader(|name| {
        let path = Path::new(name);
        if !path.is_absolute() {
            return Ok(None);
        }
        match std::fs::read_to_string(path) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                format!("cannot read {name}: {e}"),
            )),
        }
    });
    env.add_global("omit", MjValue::from(omit_token()));
    filters::register(&mut env);
    lookups::register(&mut env);
    env
}
