//! Image names as community.docker reads them: `name`, `name:tag` (the tag in the name wins over
//! `tag`), `name@sha256:...`, or an image ID `sha256:<64 hex>`.

/// What the engine is asked about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reference {
    /// `repository:tag`.
    Tagged { repository: String, tag: String },
    /// `repository@sha256:...`: fixed content; it cannot be tagged or built.
    Digest { repository: String, digest: String },
    /// `sha256:<hex>`.
    Id(String),
}

impl Reference {
    /// Reads `name` (and `tag`, used when the name carries none).
    pub fn parse(name: &str, tag: &str) -> Result<Reference, String> {
        if name.is_empty() {
            return Err("name must not be empty".into());
        }
        if is_image_id(name) {
            return Ok(Reference::Id(name.to_ascii_lowercase()));
        }
        if let Some((repository, digest)) = name.rsplit_once('@') {
            return Ok(Reference::Digest {
                repository: repository.to_string(),
                digest: digest.to_string(),
            });
        }
        let (repository, tag) = match name.rsplit_once(':') {
            Some((repository, tag)) if !tag.contains('/') => (repository, tag),
            _ => (name, tag),
        };
        if !is_valid_tag(tag) {
            return Err(format!("\"{tag}\" is not a valid docker tag!"));
        }
        Ok(Reference::Tagged {
            repository: repository.to_string(),
            tag: tag.to_string(),
        })
    }

    pub fn is_id(&self) -> bool {
        matches!(self, Reference::Id(_))
    }
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reference::Tagged { repository, tag } => write!(f, "{repository}:{tag}"),
            Reference::Digest { repository, digest } => write!(f, "{repository}@{digest}"),
            Reference::Id(id) => f.write_str(id),
        }
    }
}

pub fn is_image_id(name: &str) -> bool {
    name.strip_prefix("sha256:")
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Docker's tag rule: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
pub fn is_valid_tag(tag: &str) -> bool {
    let mut bytes = tag.bytes();
    let Some(first) = bytes.next() else {
        return false;
    };
    tag.len() <= 128
        && (first.is_ascii_alphanumeric() || first == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_community_docker_reads_them() {
        let parsed = |n: &str| Reference::parse(n, "latest").unwrap().to_string();
        assert_eq!(parsed("busybox"), "busybox:latest");
        assert_eq!(parsed("app:1.2"), "app:1.2");
        assert_eq!(
            parsed("registry:5000/team/app"),
            "registry:5000/team/app:latest"
        );
        assert_eq!(
            parsed("registry:5000/team/app:v3"),
            "registry:5000/team/app:v3"
        );
        assert_eq!(
            Reference::parse("app", "2.0").unwrap().to_string(),
            "app:2.0"
        );
        let id = format!("sha256:{}", "A".repeat(64));
        assert_eq!(
            Reference::parse(&id, "latest").unwrap(),
            Reference::Id(id.to_ascii_lowercase())
        );
        assert!(matches!(
            Reference::parse("app@sha256:abc", "latest").unwrap(),
            Reference::Digest { .. }
        ));
        assert!(Reference::parse("app", "-bad").is_err());
        assert!(Reference::parse("app:", "latest").is_err());
    }
}
