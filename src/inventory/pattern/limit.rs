//! `--limit` parsing (Ansible's `InventoryManager.subset`): the limit is split like any pattern, and a
//! piece starting with `@` names a file holding one pattern per line.

use std::path::Path;

use super::PatternError;
use super::split::{python_strip, split_host_pattern};
use crate::value::pyrepr::repr_bytes;

/// The patterns a limit stands for. Lines of an `@file` are taken whole (commas and colons in them are
/// not split) and stripped; blank lines are kept as empty patterns, which evaluation skips — but they
/// still make the limit non-empty, so an empty file limits to `all` (dropping an implicit localhost).
/// A relative file name is resolved against `base_dir` (Ansible uses its working directory).
pub fn limit_patterns(limit: &str, base_dir: &Path) -> Result<Vec<String>, PatternError> {
    let mut patterns = Vec::new();
    for piece in split_host_pattern(limit) {
        let Some(file) = piece.strip_prefix('@') else {
            patterns.push(piece);
            continue;
        };
        let path = base_dir.join(file);
        if !path.exists() {
            return Err(PatternError::LimitFileNotFound(repr_bytes(file.as_bytes())));
        }
        if !path.is_file() {
            return Err(PatternError::LimitFileNotAFile(repr_bytes(file.as_bytes())));
        }
        let text = std::fs::read(&path).map_err(|e| {
            PatternError::LimitFileUnreadable(path.display().to_string(), e.to_string())
        })?;
        let text = String::from_utf8(text).map_err(|e| {
            PatternError::LimitFileUnreadable(path.display().to_string(), e.to_string())
        })?;
        // Python reads the file in text mode: `\r\n` and lone `\r` end lines too.
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        patterns.extend(text.split('\n').map(|line| python_strip(line).to_string()));
    }
    Ok(patterns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_limit_files_line_by_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("lim.txt"), "ga\r\n!h1\n\n  h4  \rgb,gab\n").unwrap();
        let patterns = limit_patterns("x:@lim.txt", dir.path()).unwrap();
        assert_eq!(patterns, ["x", "ga", "!h1", "", "h4", "gb,gab", ""]);
    }

    #[test]
    fn limit_file_errors_use_ansible_wording() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("limdir")).unwrap();
        // Ansible: "Unable to find limit file b'nolim.txt'" and
        // "Limit starting with "@" must be a file, not a directory: b'limdir'".
        let missing = limit_patterns("@nolim.txt", dir.path()).unwrap_err();
        assert_eq!(
            missing.to_string(),
            "Unable to find limit file b'nolim.txt'"
        );
        let is_dir = limit_patterns("@limdir", dir.path()).unwrap_err();
        assert_eq!(
            is_dir.to_string(),
            "Limit starting with \"@\" must be a file, not a directory: b'limdir'"
        );
    }
}
