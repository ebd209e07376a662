//! Reading a source file from disk: size budget first, then UTF-8 with the position of the first bad byte.

use std::io::Read;
use std::path::Path;

use super::SourceFile;
use super::yaml::MAX_SOURCE_BYTES;
use crate::diagnostics::Diagnostic;

/// Reads `path` as UTF-8 text. Files over [`MAX_SOURCE_BYTES`] are refused without being read whole;
/// invalid UTF-8 is reported at its `path:line:col`.
pub fn read_source(path: &Path) -> Result<SourceFile, Diagnostic> {
    let io_error = |e: std::io::Error| {
        Diagnostic::error(format!("{}: cannot read the file: {e}", path.display()))
    };
    let file = std::fs::File::open(path).map_err(io_error)?;
    let limit = MAX_SOURCE_BYTES as u64;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > limit {
        return Err(Diagnostic::error(format!(
            "{}: the file is larger than {MAX_SOURCE_BYTES} bytes, the most plimsoll reads from one source file.",
            path.display()
        ))
        .with_help("Split the data into several files (e.g. one per group in group_vars/<group>/)."));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(path, text)),
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let bytes = error.into_bytes();
            let valid =
                String::from_utf8_lossy(bytes.get(..offset).unwrap_or_default()).into_owned();
            let byte = bytes.get(offset).copied().unwrap_or_default();
            // The span points into the valid prefix, so line:col come out right.
            let file = SourceFile::new(path, valid);
            let span = file.span(offset, 0);
            Err(Diagnostic::error(format!(
                "the file is not valid UTF-8 (byte 0x{byte:02x} at offset {offset})."
            ))
            .at(span)
            .with_help("Save the file as UTF-8 (Ansible reads YAML and INI files as UTF-8)."))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_reported_at_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.yaml");
        std::fs::write(&path, b"a: 1\nb: x\xffy\n").unwrap();
        let error = read_source(&path).unwrap_err();
        assert_eq!(error.span.unwrap().line_col(), (2, 5));
        assert!(error.message.contains("offset 9"));
    }

    #[test]
    fn oversized_files_are_refused_before_reading_them_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.yaml");
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(MAX_SOURCE_BYTES as u64 + 1).unwrap();
        let error = read_source(&path).unwrap_err();
        assert!(error.message.contains("larger than"));
    }

    #[test]
    fn reads_good_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ok.yaml");
        std::fs::write(&path, "a: é\n").unwrap();
        assert_eq!(read_source(&path).unwrap().text(), "a: é\n");
    }
}
