//! What differs between desired and live, as data: an action, the reason for it, and the attributes.

mod delta;

pub use delta::{Action, AttrChange, Delta, Reason, TextChange};
