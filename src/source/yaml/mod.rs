//! The single YAML entry point: spanned, tagged nodes typed exactly as Ansible (PyYAML, YAML 1.1) types
//! them, within a size budget.
//!
//! Like Ansible's `from_yaml`, [`load`] first tries the text as JSON (Python's `json` grammar) and only
//! then as YAML; the two disagree on things like `1e3` (a float in JSON, a string in YAML 1.1).
//!
//! Python types plimsoll has no counterpart for are mapped to what `ansible-inventory` prints for them:
//! timestamps become their `isoformat()` text, `!!set` a list of its members (document order; Python's
//! is hash order), `!!omap`/`!!pairs` a list of `[key, value]` lists. `!!binary` becomes its bytes
//! read as UTF-8 (`ansible-inventory` cannot print bytes at all). Integers stop at i128 (an error
//! beyond); Python's are unbounded.
//!
//! Vault data is recognised only through the `!vault` tag (or a JSON `{"__ansible_vault": ...}` object),
//! never by sniffing a plain string for `$ANSIBLE_VAULT;`: Ansible does not do that for variables either.

mod compat;
mod compose;
mod construct;
mod hints;
mod json;
mod mapping;
mod node;
mod pyrepr;
mod resolve;
mod tags;
mod timestamp;
mod to_value;

#[cfg(test)]
mod corpus_tests;

/// Kept under its old name for callers; float printing lives in `crate::value::pyfloat`.
pub use crate::value::pyfloat::repr as float_repr;
pub use node::{Node, NodeValue};
pub use pyrepr::json_key;
pub use to_value::to_value;

use crate::diagnostics::Diagnostic;
use crate::source::SourceFile;

/// Whether PyYAML would read `text`, written as a plain scalar, back as a string (and not as a bool,
/// number, null, timestamp, `=` or `<<`). The YAML dumper quotes strings for which this is false.
pub fn plain_scalar_is_str(text: &str) -> bool {
    resolve::resolve_plain(text) == resolve::Implicit::Str
}

/// Files larger than this are refused before parsing; real inventories and vars files are far smaller.
pub const MAX_SOURCE_BYTES: usize = 16 * 1024 * 1024;
/// Nodes one file may produce, counting each copy an alias makes (stops "billion laughs" documents).
pub const MAX_NODES: usize = 1_000_000;
/// Lists and mappings nested in one another.
pub const MAX_DEPTH: usize = 256;

/// The tag a node carries when Ansible would treat it as unsafe (never templated): `!unsafe` itself,
/// and every string inside an `!unsafe` list or mapping.
pub const UNSAFE_TAG: &str = tags::UNSAFE;
/// The tag of an inline vault value (`!vault |`); its string is the ciphertext.
pub const VAULT_TAG: &str = tags::VAULT;

/// Reads the single document in `file`: `None` for an empty or comment-only file, an error for a
/// second document (as PyYAML's `get_single_node`). Duplicate keys add warnings; the last value wins.
pub fn load(file: &SourceFile, warnings: &mut Vec<Diagnostic>) -> Result<Option<Node>, Diagnostic> {
    check_size(file)?;
    let limits = compose::Limits {
        max_nodes: MAX_NODES,
        max_depth: MAX_DEPTH,
    };
    if let Some(node) = json::parse(file, limits)? {
        return Ok(Some(node));
    }
    let Some(raw) = compose::compose(file, limits)? else {
        return Ok(None);
    };
    let mut found = Vec::new();
    let node = construct::construct(&raw, limits, &mut found)?;
    // Ansible warns as it constructs, in an order of its own; document order is more useful to people.
    found.sort_by_key(|d| d.span.as_ref().map_or(0, |s| s.offset));
    warnings.extend(found);
    Ok(Some(node))
}

fn check_size(file: &SourceFile) -> Result<(), Diagnostic> {
    let size = file.text().len();
    if size > MAX_SOURCE_BYTES {
        return Err(Diagnostic::error(format!(
            "{}: the file is {size} bytes; plimsoll reads YAML and JSON files of up to {} bytes.",
            file.path().display(),
            MAX_SOURCE_BYTES
        ))
        .with_help(
            "Split the data into several files (e.g. one per group in group_vars/<group>/).",
        ));
    }
    Ok(())
}
