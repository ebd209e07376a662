//! `include_tasks` / `include_role` on one host: Ansible decides at run time whether a dynamic
//! include happens and how often; every variable is known when planning, so plimsoll decides it here.
//! Tags and `when:` are the include's own (and its enclosing blocks'), the loop gives one inclusion
//! per item with the loop variable set for everything included.

use super::loops;
use super::render::{Renderer, rendered};
use super::tags::TagFilter;
use super::task::render_tags;
use super::walk::Included;
use crate::diagnostics::Diagnostic;
use crate::template::{Templar, Vars};
use crate::value::{Map, Value};

/// The variable layer of each inclusion: empty without a loop, the loop variables with one. No
/// inclusion when the tags filter the include out or its `when:` is false.
pub(super) fn iterations(
    included: &Included<'_>,
    templar: &Templar,
    vars: &Vars,
    tags: &TagFilter,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Map> {
    let include = included.include;
    let mut renderer = Renderer::new(templar, vars);
    if !included.is_handler {
        let rendered_tags = render_tags(&included.tags, &mut renderer, &include.span, problems);
        if !tags.should_run(&rendered_tags) {
            return Vec::new();
        }
    }
    let items: Vec<Option<Value>> = match &include.loop_spec {
        None => vec![None],
        Some(spec) => match loops::items(spec, &mut renderer) {
            Ok(items) => items.into_iter().map(Some).collect(),
            Err(error) => {
                if error.undefined && !holds(included, &mut renderer, &mut Vec::new()) {
                    return Vec::new();
                }
                problems.push(error.diagnostic);
                return Vec::new();
            }
        },
    };
    let mut out = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        let mut layer = Map::new();
        if let (Some(item), Some(spec)) = (item, &include.loop_spec) {
            layer.insert(spec.loop_var.clone(), rendered(item));
            layer.insert("ansible_loop_var".into(), Value::Str(spec.loop_var.clone()));
            if let Some(index_var) = &spec.index_var {
                layer.insert(index_var.clone(), Value::Int(index as i128));
                layer.insert("ansible_index_var".into(), Value::Str(index_var.clone()));
            }
        }
        let vars = vars.with_layer(layer.clone());
        let mut renderer = Renderer::new(templar, &vars);
        if holds(included, &mut renderer, problems) {
            out.push(layer);
        }
    }
    out
}

fn holds(
    included: &Included<'_>,
    renderer: &mut Renderer<'_>,
    problems: &mut Vec<Diagnostic>,
) -> bool {
    for condition in &included.when {
        match renderer.condition(condition, "include, when") {
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
