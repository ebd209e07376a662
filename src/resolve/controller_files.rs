//! The files `copy` and `template` read on the controller. Their kinds' `parse` is pure, so the
//! resolver finds `src` the way Ansible's action plugins do (`_find_needle`: the role's `files/` or
//! `templates/`, the roles that pulled it in, the task's directory, the playbook's) and passes the bytes
//! (`copy`) or the rendered text (`template`) in the kinds' internal arguments.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::render::{Renderer, as_bool};
use super::spans::template_diagnostic;
use crate::diagnostics::Diagnostic;
use crate::drivers::host::{Copy, RENDERED_ARG, SRC_CONTENT_ARG, SRC_MODE_ARG, Template};
use crate::drivers::{ErasedKind, Kind};
use crate::secrets::{VaultSecrets, decrypt, is_vault};
use crate::source::Span;
use crate::value::{Map, Value};

pub(super) struct FileContext<'a> {
    /// Role directories (this role first), then the task file's directory.
    pub search: &'a [PathBuf],
    pub playbook_dir: &'a Path,
    pub secrets: &'a VaultSecrets,
    /// Where the task's arguments were written, by name; the module's span for the rest.
    pub spans: &'a dyn Fn(&str) -> Span,
    pub task: &'a str,
}

/// Adds what the kind needs from the controller to `args`: the paths it names on the controller made
/// absolute, what the kind reads from them (a build context's digest), and for `copy` and `template`
/// their sources read (and rendered).
pub(super) fn prepare(
    kind: &dyn ErasedKind,
    args: &mut Map,
    context: &FileContext<'_>,
    renderer: &mut Renderer<'_>,
) -> Result<(), Vec<Diagnostic>> {
    let problems: Vec<Diagnostic> = kind
        .controller_paths()
        .iter()
        .filter_map(|argument| locate_argument(args, argument, context).err())
        .collect();
    if !problems.is_empty() {
        return Err(problems);
    }
    kind.read_controller_inputs(args).map_err(|e| {
        let at = (context.spans)(e.argument.as_deref().unwrap_or(""));
        let diagnostic = Diagnostic::error(format!("{}: {}", context.task, e.message)).at(at);
        vec![match e.help {
            Some(help) => diagnostic.with_help(help),
            None => diagnostic,
        }]
    })?;
    let kind = kind.name();
    if kind == <Copy as Kind>::NAME {
        let decrypted = copy_source(args, context).map_err(|d| vec![d])?;
        // Content that was vaulted on the controller is as secret as a vaulted variable.
        renderer.secret_used |= decrypted;
        Ok(())
    } else if kind == <Template as Kind>::NAME {
        template_source(args, context, renderer)
    } else {
        Ok(())
    }
}

/// Replaces the controller path at `argument` (dotted for nested maps) with the absolute path of the
/// first candidate that exists. An absent argument is left alone.
fn locate_argument(
    args: &mut Map,
    argument: &str,
    context: &FileContext<'_>,
) -> Result<(), Diagnostic> {
    let mut parts = argument.split('.');
    let Some(mut last) = parts.next() else {
        return Ok(());
    };
    let mut map = args;
    for part in parts {
        match map.get_mut(last) {
            Some(Value::Map(inner)) => map = inner,
            _ => return Ok(()),
        }
        last = part;
    }
    let Some(Value::Str(written)) = map.get(last) else {
        return Ok(());
    };
    let top = argument.split('.').next().unwrap_or(argument);
    let found = find_at(context, "files", written, top)?;
    map.insert(last.to_string(), Value::Str(found.display().to_string()));
    Ok(())
}

fn text_arg<'m>(args: &'m Map, name: &str) -> Option<&'m str> {
    args.get(name).and_then(Value::as_str)
}

/// Whether the source was vaulted (and is now decrypted in the arguments).
fn copy_source(args: &mut Map, context: &FileContext<'_>) -> Result<bool, Diagnostic> {
    let has_content = args.get("content").is_some_and(|v| *v != Value::Null);
    let remote = args.get("remote_src").and_then(as_bool).unwrap_or(false);
    let Some(src) = text_arg(args, "src").map(str::to_string) else {
        return Ok(false);
    };
    // The kind reports these itself (content with src, remote_src, a directory given with `/`).
    if has_content || remote || src.ends_with('/') {
        return Ok(false);
    }
    let path = find(context, "files", &src)?;
    let at = (context.spans)("src");
    if path.is_dir() {
        return Err(Diagnostic::error(format!(
            "{}: src {src:?} is a directory ({}): copying directories is not supported yet",
            context.task,
            path.display()
        ))
        .at(at)
        .with_help("copy each file with its own task, or manage the directory with `file`"));
    }
    let mut bytes = std::fs::read(&path).map_err(|e| {
        Diagnostic::error(format!(
            "{}: cannot read {}: {e}",
            context.task,
            path.display()
        ))
        .at(at.clone())
    })?;
    let decrypt_wanted = args.get("decrypt").and_then(as_bool).unwrap_or(true);
    let mut decrypted = false;
    if decrypt_wanted
        && let Ok(text) = std::str::from_utf8(&bytes)
        && is_vault(text)
    {
        decrypted = true;
        bytes = decrypt(text, context.secrets)
            .map_err(|e| {
                Diagnostic::error(format!(
                    "{}: cannot decrypt {}: {e}",
                    context.task,
                    path.display()
                ))
                .at(at.clone())
                .with_help("pass the right password with --vault-password-file or --vault-id")
            })?
            .expose()
            .clone();
    }
    args.insert(SRC_CONTENT_ARG.into(), Value::Str(STANDARD.encode(&bytes)));
    if text_arg(args, "mode") == Some("preserve") {
        let mode = file_mode(&path).map_err(|e| {
            Diagnostic::error(format!(
                "{}: cannot read the mode of {}: {e}",
                context.task,
                path.display()
            ))
            .at(at)
        })?;
        args.insert(SRC_MODE_ARG.into(), Value::Int(i128::from(mode)));
    }
    Ok(decrypted)
}

#[cfg(unix)]
fn file_mode(path: &Path) -> std::io::Result<u32> {
    use std::os::unix::fs::PermissionsExt;
    Ok(std::fs::metadata(path)?.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn file_mode(_path: &Path) -> std::io::Result<u32> {
    Err(std::io::Error::other("file modes need a Unix controller"))
}

/// Template options whose non-default values plimsoll's engine cannot honour yet.
const FIXED_OPTIONS: &[(&str, &str)] = &[
    ("block_start_string", "{%"),
    ("block_end_string", "%}"),
    ("variable_start_string", "{{"),
    ("variable_end_string", "}}"),
    ("comment_start_string", "{#"),
    ("comment_end_string", "#}"),
];

fn template_source(
    args: &mut Map,
    context: &FileContext<'_>,
    renderer: &mut Renderer<'_>,
) -> Result<(), Vec<Diagnostic>> {
    let Some(src) = text_arg(args, "src").map(str::to_string) else {
        return Ok(());
    };
    let mut problems = Vec::new();
    for (name, default) in FIXED_OPTIONS {
        if let Some(value) = text_arg(args, name)
            && value != *default
        {
            problems.push(unsupported(context, name, "custom Jinja delimiters"));
        }
    }
    if args.get("trim_blocks").and_then(as_bool) == Some(false) {
        problems.push(unsupported(context, "trim_blocks", "trim_blocks: false"));
    }
    if args.get("lstrip_blocks").and_then(as_bool) == Some(true) {
        problems.push(unsupported(context, "lstrip_blocks", "lstrip_blocks: true"));
    }
    let path = find(context, "templates", &src).map_err(|d| vec![d])?;
    let rendered = renderer
        .templar
        .render_file(&path, renderer.vars)
        .map_err(|err| {
            let what = format!("{}: template {}", context.task, path.display());
            vec![template_diagnostic(
                &what,
                &(context.spans)("src"),
                None,
                &err,
            )]
        })?;
    renderer.secret_used |= rendered.uses_secret;
    if !problems.is_empty() {
        return Err(problems);
    }
    let text = match text_arg(args, "newline_sequence").and_then(newline_sequence) {
        Some(sequence) if sequence != "\n" => rendered
            .text
            .replace("\r\n", "\n")
            .replace('\r', "\n")
            .replace('\n', sequence),
        _ => rendered.text,
    };
    args.insert(RENDERED_ARG.into(), Value::Str(text));
    Ok(())
}

/// `newline_sequence` as written (`\n`, `\r\n`, or their escaped forms); the kind rejects the rest.
fn newline_sequence(written: &str) -> Option<&'static str> {
    match written {
        "\n" | "\\n" => Some("\n"),
        "\r" | "\\r" => Some("\r"),
        "\r\n" | "\\r\\n" => Some("\r\n"),
        _ => None,
    }
}

fn unsupported(context: &FileContext<'_>, argument: &str, what: &str) -> Diagnostic {
    Diagnostic::error(format!(
        "{}: {what} is not supported by plimsoll's template engine yet",
        context.task
    ))
    .at((context.spans)(argument))
    .with_help(format!(
        "remove `{argument}` and write the template with the default Jinja settings"
    ))
}

/// The first existing file Ansible's `path_dwim_relative_stack` would pick.
fn find(context: &FileContext<'_>, dirname: &str, source: &str) -> Result<PathBuf, Diagnostic> {
    find_at(context, dirname, source, "src")
}

/// [`find`], with errors pointing at `argument`.
fn find_at(
    context: &FileContext<'_>,
    dirname: &str,
    source: &str,
    argument: &str,
) -> Result<PathBuf, Diagnostic> {
    let candidates = candidates(context.search, context.playbook_dir, dirname, source);
    candidates
        .iter()
        .find(|p| p.exists())
        .cloned()
        .ok_or_else(|| {
            let searched = candidates
                .iter()
                .map(|p| format!("\n\t{}", p.display()))
                .collect::<String>();
            Diagnostic::error(format!(
                "{}: could not find or access '{source}'",
                context.task
            ))
            .at((context.spans)(argument))
            .with_help(format!("searched in:{searched}"))
        })
}

pub(super) fn candidates(
    search: &[PathBuf],
    playbook_dir: &Path,
    dirname: &str,
    source: &str,
) -> Vec<PathBuf> {
    if let Some(rest) = source.strip_prefix('~') {
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_default();
        return vec![home.join(rest.trim_start_matches('/'))];
    }
    if source.starts_with('/') {
        return vec![PathBuf::from(source)];
    }
    // Ansible does not add `files/` when the source already starts with it.
    let add_dirname = source.split('/').next() != Some(dirname);
    let mut out = Vec::new();
    for dir in search.iter().map(PathBuf::as_path).chain([playbook_dir]) {
        if add_dirname {
            out.push(dir.join(dirname).join(source));
        }
        out.push(dir.join(source));
    }
    // A play's task directory is the playbook's: looking twice finds nothing new.
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(p.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controller_paths_are_found_where_role_files_are_and_made_absolute() {
        let dir = tempfile::tempdir().unwrap();
        let role = dir.path().join("roles/app");
        std::fs::create_dir_all(role.join("files/context")).unwrap();
        let search = [role.clone()];
        let secrets = VaultSecrets::default();
        let file = crate::source::SourceFile::new("tasks.yml", "- x\n");
        let spans = |_: &str| file.span_at_line_col(1, 1, 1);
        let context = FileContext {
            search: &search,
            playbook_dir: dir.path(),
            secrets: &secrets,
            spans: &spans,
            task: "build image",
        };
        let mut args = Map::new();
        let mut build = Map::new();
        build.insert("path".into(), Value::Str("context".into()));
        args.insert("build".into(), Value::Map(build));
        locate_argument(&mut args, "build.path", &context).unwrap();
        let found = args["build"].as_map().unwrap()["path"].as_str().unwrap();
        assert_eq!(found, role.join("files/context").display().to_string());
        // Absent arguments are left alone; a missing path says where it looked.
        locate_argument(&mut args, "load_path", &context).unwrap();
        args.insert("load_path".into(), Value::Str("nowhere.tar".into()));
        let problem = locate_argument(&mut args, "load_path", &context).unwrap_err();
        let shown = format!("{problem:?}");
        assert!(
            shown.contains("could not find or access 'nowhere.tar'"),
            "{shown}"
        );
        assert!(shown.contains("roles/app/files/nowhere.tar"), "{shown}");
    }

    #[test]
    fn search_order_is_ansibles() {
        let search = [
            PathBuf::from("/pb/roles/app"),
            PathBuf::from("/pb/roles/app/tasks"),
        ];
        let found = candidates(&search, Path::new("/pb"), "files", "app.conf");
        let found: Vec<String> = found.iter().map(|p| p.display().to_string()).collect();
        assert_eq!(
            found,
            [
                "/pb/roles/app/files/app.conf",
                "/pb/roles/app/app.conf",
                "/pb/roles/app/tasks/files/app.conf",
                "/pb/roles/app/tasks/app.conf",
                "/pb/files/app.conf",
                "/pb/app.conf",
            ]
        );
        let found = candidates(&[], Path::new("/pb"), "files", "files/x");
        assert_eq!(found, [PathBuf::from("/pb/files/x")]);
        let found = candidates(&search, Path::new("/pb"), "templates", "/etc/x.j2");
        assert_eq!(found, [PathBuf::from("/etc/x.j2")]);
    }
}
