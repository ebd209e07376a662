//! Rendering plans and apply events for people (and as JSON). Sees plans and events, never drivers.

mod apply_text;
mod plan_json;
mod plan_text;

pub use apply_text::render_apply;
pub use plan_json::render_plan_json;
pub use plan_text::render_plan;
