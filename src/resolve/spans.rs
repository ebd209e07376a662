//! Placing a templating error in the YAML: at the exact characters inside the string when they can be
//! found (a plain or quoted one-line string, a line of a `|` block), in the template file for errors in
//! a template file, and at the whole value otherwise.

use crate::diagnostics::Diagnostic;
use crate::source::{SourceFile, Span};
use crate::template::TemplateError;

/// A diagnostic for `err`, raised while rendering `template` (the string written at `at`). `what` says
/// which value it was ("argument `dest` of task \"x\"").
pub(super) fn template_diagnostic(
    what: &str,
    at: &Span,
    template: Option<&str>,
    err: &TemplateError,
) -> Diagnostic {
    let (span, exact) = match file_span(err) {
        Some(span) => (span, true),
        None => match template.and_then(|t| inside(at, t, err)) {
            Some(span) => (span, true),
            None => (at.clone(), false),
        },
    };
    let message = if exact {
        format!("{what}: {}", err.message)
    } else {
        format!("{what}: {err}")
    };
    let diagnostic = Diagnostic::error(message).at(span);
    match err.help() {
        Some(help) => diagnostic.with_help(help),
        None => diagnostic,
    }
}

/// The error's place in a template file (the template module's `src`, `lookup('template')`).
fn file_span(err: &TemplateError) -> Option<Span> {
    let name = err.template.as_deref()?;
    let line = err.line?;
    let text = std::fs::read_to_string(name).ok()?;
    let file = SourceFile::new(name, text);
    let len = err.range.as_ref().map_or(0, |r| r.len());
    Some(file.span_at_line_col(line, err.column.unwrap_or(1), len))
}

/// The error's characters inside the YAML string, if the string can be found in the source as written.
fn inside(at: &Span, template: &str, err: &TemplateError) -> Option<Span> {
    let range = err.range.clone()?;
    let failing = template.get(range.clone())?;
    // An error carried up from another variable's template has a range in *that* template.
    if let Some(variable) = &err.variable
        && !failing.contains(variable.as_str())
    {
        return None;
    }
    let offset = if template.contains('\n') {
        in_block(at, template, range.start)?
    } else {
        at.text().find(template)? + range.start
    };
    Some(at.file.span(at.offset + offset, range.len()))
}

/// For a literal block (`|`), the offset in the scalar's text of byte `at` of `template`: line N of
/// the template is line N of the block (whose span starts at its first character). Folded blocks join
/// lines, so they are not mapped.
fn in_block(span: &Span, template: &str, at: usize) -> Option<usize> {
    let before = span.file.text().get(..span.offset)?;
    let header = before.trim_end().rsplit('\n').next()?.trim_end();
    if !header.rsplit(' ').next()?.starts_with('|') {
        return None;
    }
    let prefix = template.get(..at)?;
    let line_index = prefix.matches('\n').count();
    let line_start = prefix.rfind('\n').map_or(0, |i| i + 1);
    let template_line = template.get(line_start..)?.split('\n').next()?;
    let mut offset = 0;
    for (index, line) in span.text().split_inclusive('\n').enumerate() {
        if index == line_index {
            return Some(offset + line.find(template_line)? + (at - line_start));
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{Templar, Vars};

    fn error_for(template: &str) -> TemplateError {
        Templar::new()
            .render_str(template, &Vars::default())
            .unwrap_err()
    }

    #[test]
    fn an_error_in_a_one_line_string_points_at_the_expression() {
        let file = SourceFile::new("t.yml", "    dest: \"/srv/{{ app_dir }}/x\"\n");
        let at = file.span(10, 22);
        let template = "/srv/{{ app_dir }}/x";
        let diagnostic = template_diagnostic("dest", &at, Some(template), &error_for(template));
        assert_eq!(
            diagnostic.to_string(),
            "t.yml:1:20: dest: 'app_dir' is undefined"
        );
    }

    fn value_of(file: &SourceFile, key: &str) -> crate::source::yaml::Node {
        let node = crate::source::yaml::load(file, &mut Vec::new())
            .unwrap()
            .unwrap();
        let crate::source::yaml::NodeValue::Map(entries) = node.value else {
            panic!("a mapping")
        };
        entries
            .into_iter()
            .find(|(k, _)| k.span.text() == key)
            .unwrap()
            .1
    }

    #[test]
    fn an_error_in_a_literal_block_points_at_its_line() {
        let file = SourceFile::new(
            "t.yml",
            "content: |\n  port={{ port }}\n  name={{ missing }}\nfolded: >\n  a\n  {{ missing }}\n",
        );
        let vars = Vars::new(crate::value::Map::from([(
            "port".to_string(),
            crate::value::Value::Int(80),
        )]));
        let node = value_of(&file, "content");
        let crate::source::yaml::NodeValue::Str(template) = &node.value else {
            panic!("a string")
        };
        let err = Templar::new().render_str(template, &vars).unwrap_err();
        let diagnostic = template_diagnostic("content", &node.span, Some(template), &err);
        assert_eq!(
            diagnostic.to_string(),
            "t.yml:3:11: content: 'missing' is undefined"
        );
        // A folded block is reported at its start, with the position inside the template.
        let node = value_of(&file, "folded");
        let crate::source::yaml::NodeValue::Str(template) = &node.value else {
            panic!("a string")
        };
        let err = Templar::new().render_str(template, &vars).unwrap_err();
        let diagnostic = template_diagnostic("folded", &node.span, Some(template), &err);
        assert!(
            diagnostic
                .to_string()
                .starts_with("t.yml:5:3: folded: 'missing' is undefined"),
            "{diagnostic}"
        );
    }

    #[test]
    fn otherwise_the_whole_value_with_the_templates_own_position() {
        let file = SourceFile::new("t.yml", "    content: >\n      a {{ b }}\n");
        let at = file.span(13, 16);
        let template = "x\na {{ b }}\n";
        let err = error_for(template);
        let diagnostic = template_diagnostic("content", &at, Some(template), &err);
        assert!(
            diagnostic
                .to_string()
                .starts_with("t.yml:1:14: content: 'b' is undefined"),
            "{diagnostic}"
        );
    }
}
