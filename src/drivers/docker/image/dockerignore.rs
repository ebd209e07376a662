//! `.dockerignore`, read as the docker CLI reads it: one pattern a line (`#` comments, blank lines
//! skipped), `*`/`?`/`[...]` within a path component, `**` across components, a leading `!` to take
//! a path back; the last pattern that matches decides. A pattern that matches a directory covers
//! everything below it.

use regex::Regex;

struct Pattern {
    regex: Regex,
    /// How many path components the pattern has: it is also tried against the path's first
    /// components (so `build` covers `build/out/x`).
    components: usize,
    exception: bool,
}

pub struct DockerIgnore {
    patterns: Vec<Pattern>,
}

impl DockerIgnore {
    /// Reads the file's text; a pattern that cannot be read is an error naming its line.
    pub fn parse(text: &str) -> Result<DockerIgnore, String> {
        let mut patterns = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (exception, body) = match line.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, line),
            };
            let cleaned = clean(body);
            if cleaned.is_empty() {
                continue;
            }
            let regex = Regex::new(&to_regex(&cleaned)).map_err(|e| {
                format!(
                    ".dockerignore line {}: {line:?} is not a pattern: {e}",
                    number + 1
                )
            })?;
            patterns.push(Pattern {
                regex,
                components: cleaned.split('/').count(),
                exception,
            });
        }
        Ok(DockerIgnore { patterns })
    }

    pub fn empty() -> DockerIgnore {
        DockerIgnore {
            patterns: Vec::new(),
        }
    }

    /// Takes `path` back whatever the patterns say (the CLI always sends the Dockerfile and the
    /// `.dockerignore` itself).
    pub fn keep_always(&mut self, path: &str) {
        let cleaned = clean(path);
        if let Ok(regex) = Regex::new(&format!("^{}$", regex::escape(&cleaned))) {
            self.patterns.push(Pattern {
                regex,
                components: cleaned.split('/').count(),
                exception: true,
            });
        }
    }

    /// Whether `path` (relative to the context, `/`-separated) is left out of the context.
    pub fn excludes(&self, path: &str) -> bool {
        let components: Vec<&str> = path.split('/').collect();
        let mut excluded = false;
        for pattern in &self.patterns {
            if pattern.exception != excluded {
                continue;
            }
            let matches = pattern.regex.is_match(path)
                || (pattern.components < components.len()
                    && pattern
                        .regex
                        .is_match(&components[..pattern.components].join("/")));
            if matches {
                excluded = !pattern.exception;
            }
        }
        excluded
    }
}

/// `filepath.Clean` for a pattern, then without a leading `/` (patterns are relative to the context).
fn clean(pattern: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in pattern.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

fn to_regex(pattern: &str) -> String {
    let mut out = String::from("^");
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' if chars.get(i + 1) == Some(&'*') => {
                i += 1;
                if chars.get(i + 1) == Some(&'/') {
                    // `**/` also matches no directory at all.
                    i += 1;
                    out.push_str("(.*/)?");
                } else {
                    out.push_str(".*");
                }
            }
            '*' => out.push_str("[^/]*"),
            '?' => out.push_str("[^/]"),
            '\\' => {
                i += 1;
                if let Some(next) = chars.get(i) {
                    out.push_str(&regex::escape(&next.to_string()));
                }
            }
            '[' => {
                let end = chars[i..].iter().position(|c| *c == ']').map(|p| p + i);
                match end {
                    Some(end) => {
                        let class: String = chars[i + 1..end].iter().collect();
                        let class = class
                            .strip_prefix('^')
                            .map_or_else(|| class.clone(), |rest| format!("^{rest}"));
                        out.push('[');
                        out.push_str(&class.replace('\\', "\\\\").replace('[', "\\["));
                        out.push(']');
                        i = end;
                    }
                    None => out.push_str("\\["),
                }
            }
            other => out.push_str(&regex::escape(&other.to_string())),
        }
        i += 1;
    }
    out.push('$');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignore(text: &str) -> DockerIgnore {
        DockerIgnore::parse(text).unwrap()
    }

    #[test]
    fn patterns_as_the_cli_reads_them() {
        let rules = ignore("# build output\n/target\n*.log\n**/*.tmp\n!keep.log\ndocs/*.md\n");
        for excluded in [
            "target",
            "target/debug/x",
            "a.log",
            "x.tmp",
            "deep/er/x.tmp",
            "docs/a.md",
        ] {
            assert!(rules.excludes(excluded), "{excluded} should be left out");
        }
        for kept in [
            "keep.log",
            "src/a.log",
            "docs/sub/a.md",
            "Dockerfile",
            "targets",
        ] {
            assert!(!rules.excludes(kept), "{kept} should be sent");
        }
    }

    #[test]
    fn the_last_matching_pattern_decides() {
        let rules = ignore("data\n!data/keep\n");
        assert!(rules.excludes("data/drop"));
        assert!(!rules.excludes("data/keep"));
        let rules = ignore("!data/keep\ndata\n");
        assert!(rules.excludes("data/keep"));
    }

    #[test]
    fn the_dockerfile_is_always_sent() {
        let mut rules = ignore("*\n");
        rules.keep_always("Dockerfile");
        rules.keep_always(".dockerignore");
        assert!(!rules.excludes("Dockerfile"));
        assert!(!rules.excludes(".dockerignore"));
        assert!(rules.excludes("app.py"));
    }

    #[test]
    fn classes_and_escapes() {
        let rules = ignore("file[0-9].txt\nq\\*\n");
        assert!(rules.excludes("file3.txt"));
        assert!(!rules.excludes("filex.txt"));
        assert!(rules.excludes("q*"));
        assert!(!rules.excludes("qq"));
    }
}
