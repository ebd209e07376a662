use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file's path and full text, shared cheaply by every span that points into it.
#[derive(Clone)]
pub struct SourceFile(Arc<Inner>);

struct Inner {
    path: PathBuf,
    text: Arc<str>,
    /// Decrypted vault text: diagnostics name its lines but never quote them.
    sensitive: bool,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        Self(Arc::new(Inner {
            path: path.into(),
            text: text.into(),
            sensitive: false,
        }))
    }

    /// A file whose text is secret (a decrypted vault): spans into it print as locations only.
    pub fn new_sensitive(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        Self(Arc::new(Inner {
            path: path.into(),
            text: text.into(),
            sensitive: true,
        }))
    }

    pub fn is_sensitive(&self) -> bool {
        self.0.sensitive
    }

    pub fn path(&self) -> &Path {
        &self.0.path
    }

    pub fn text(&self) -> &str {
        &self.0.text
    }

    /// A span covering `len` bytes from byte `offset` (clamped to the text).
    pub fn span(&self, offset: usize, len: usize) -> Span {
        let end = self.text().len();
        let offset = offset.min(end);
        Span {
            file: self.clone(),
            offset,
            len: len.min(end - offset),
        }
    }

    /// A span for 1-based `line` and `column` (counted in characters), `len` bytes long.
    pub fn span_at_line_col(&self, line: usize, column: usize, len: usize) -> Span {
        let mut offset = 0;
        for (index, text) in self.text().split_inclusive('\n').enumerate() {
            if index + 1 == line {
                let within: usize = text
                    .trim_end_matches(['\n', '\r'])
                    .chars()
                    .take(column.saturating_sub(1))
                    .map(char::len_utf8)
                    .sum();
                return self.span(offset + within, len);
            }
            offset += text.len();
        }
        self.span(offset, 0)
    }
}

impl fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SourceFile({})", self.path().display())
    }
}

impl PartialEq for SourceFile {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.path() == other.path()
    }
}

/// A byte range in a source file. Line and column are computed when asked (1-based, columns in characters).
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    pub file: SourceFile,
    pub offset: usize,
    pub len: usize,
}

impl Span {
    pub fn line_col(&self) -> (usize, usize) {
        let before = &self.file.text()[..floor_char_boundary(self.file.text(), self.offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    pub fn line(&self) -> usize {
        self.line_col().0
    }

    pub fn text(&self) -> &str {
        let text = self.file.text();
        let start = floor_char_boundary(text, self.offset);
        let end = floor_char_boundary(text, self.offset + self.len);
        &text[start..end]
    }
}

/// `path:line:col`, the form editors and terminals turn into links.
impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (line, column) = self.line_col();
        write!(f, "{}:{line}:{column}", self.file.path().display())
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let file = SourceFile::new("x.ini", "[a]\nhé=1 b\n");
        let span = file.span(9, 1);
        assert_eq!(span.line_col(), (2, 5));
        assert_eq!(span.to_string(), "x.ini:2:5");
        assert_eq!(file.span_at_line_col(2, 5, 1), span);
    }
}
