//! What `lineinfile` and `blockinfile` share: the wanted content is an edit of the live content, so
//! the diff computes it (purely, from the facts) and from there the file is handled as `copy`
//! handles a file whose whole content is given: the same text diff, attribute checks and atomic
//! write. Apply takes the new text from the delta (the executor re-diffs right before applying),
//! so it never reads the file again. Like Ansible, an edit goes through symbolic links.

use super::args::{Args, parent_dir};
use super::attrs::FileAttrs;
use super::content_file::{self, ContentLive, ContentSpec};
use crate::diff::{Action, Delta, Reason};
use crate::drivers::{ApplyError, Provision, Requirement};
use crate::facts::{CONTENT_LIMIT, FactRequest, Facts, FileType, HostExec, PathFact};

/// The file an edit applies to, and its attributes.
#[derive(Clone, Debug, PartialEq)]
pub struct EditedFile {
    pub path: String,
    /// A missing file is created (with missing parent directories), as with `create: true`.
    pub create: bool,
    pub attrs: FileAttrs,
}

/// What the edit needs done when the file is missing.
pub enum WhenMissing {
    /// `state: absent`: nothing to remove from a file that is not there.
    NothingToDo,
    /// Edit an empty text (with `create`), else refuse as Ansible fails.
    Edit,
}

impl EditedFile {
    /// Reads `path` (aliases `dest`, `destfile`, `name`), `create` and the file attributes.
    pub fn parse(args: &mut Args) -> Self {
        let path = args.required_path("path", &["dest", "destfile", "name"]);
        let create = args.bool("create", &[], false);
        let attrs = FileAttrs::parse(args);
        args.unsupported(
            "backup",
            &[],
            "a backup file is a new file on every change, outside any desired state",
        );
        args.unsupported(
            "validate",
            &[],
            "validating needs a command run on the host before the file moves into place",
        );
        Self {
            path,
            create,
            attrs,
        }
    }

    fn content_spec(&self, content: Vec<u8>) -> ContentSpec {
        ContentSpec {
            dest: self.path.clone(),
            sha256: content_file::sha256_hex(&content),
            content,
            origin: "the edited content".into(),
            force: true,
            follow: true,
            attrs: self.attrs.clone(),
            make_parents: self.create,
            directory_mode: None,
        }
    }

    pub fn provides(&self) -> Vec<Provision> {
        vec![Provision::Path(self.path.clone())]
    }

    pub fn requires(&self) -> Vec<Requirement> {
        let mut out = vec![Requirement::Path(parent_dir(&self.path))];
        out.extend(self.attrs.requires());
        out
    }

    pub fn facts(&self) -> Vec<FactRequest> {
        content_file::facts(&self.content_spec(Vec::new()))
    }

    pub fn live(&self, facts: &Facts) -> Result<ContentLive, String> {
        content_file::live(&self.content_spec(Vec::new()), facts)
    }

    /// The delta for the text `edit` makes of the live text (`None` when the file is missing).
    pub fn diff(
        &self,
        live: &ContentLive,
        when_missing: WhenMissing,
        edit: impl FnOnce(Option<&str>) -> Result<String, String>,
    ) -> Delta {
        let target = live.dest.as_ref().and_then(|fact| match fact.file_type {
            FileType::Link => fact.resolved.as_ref().and_then(|r| r.fact.as_deref()),
            _ => Some(fact),
        });
        let before = match target {
            Some(fact) => match self.live_text(fact) {
                Ok(text) => Some(text),
                Err(why) => return refused(why),
            },
            None => match when_missing {
                WhenMissing::NothingToDo => {
                    return Delta {
                        reason: Reason::Other(format!("{} is not present", self.path)),
                        ..Delta::no_op()
                    };
                }
                WhenMissing::Edit if !self.create => {
                    return refused(format!(
                        "Destination {} does not exist; create: true would create it",
                        self.path
                    ));
                }
                WhenMissing::Edit => None,
            },
        };
        let after = match edit(before) {
            Ok(text) => text,
            Err(why) => return refused(why),
        };
        if after.len() as u64 > CONTENT_LIMIT {
            return refused(format!(
                "the edited {} would be larger than {CONTENT_LIMIT} bytes, the most a plan shows",
                self.path
            ));
        }
        content_file::diff(&self.content_spec(after.into_bytes()), live)
    }

    fn live_text<'a>(&self, fact: &'a PathFact) -> Result<&'a str, String> {
        match &fact.file_type {
            FileType::File => {}
            FileType::Directory => return Err(format!("Path {} is a directory !", self.path)),
            other => {
                return Err(format!(
                    "{} is a {}, not a regular file",
                    self.path,
                    other.state_word()
                ));
            }
        }
        let bytes = fact.content.as_deref().ok_or_else(|| {
            format!(
                "{} is {} bytes long; a plan reads files up to {CONTENT_LIMIT} bytes, so the edit \
                 cannot be planned (manage the whole file with copy or template instead)",
                self.path, fact.size
            )
        })?;
        std::str::from_utf8(bytes)
            .ok()
            .filter(|text| !text.contains('\0'))
            .ok_or_else(|| {
                format!(
                    "{} is not UTF-8 text; plimsoll edits text files only",
                    self.path
                )
            })
    }

    /// Writes the text the delta carries (the whole new content) and the attributes it names.
    pub async fn apply(&self, host: &dyn HostExec, delta: &Delta) -> Result<(), ApplyError> {
        let content = delta
            .text_changes
            .iter()
            .find(|t| t.path == "content")
            .map(|t| t.after.clone().into_bytes())
            .unwrap_or_default();
        content_file::apply(host, &self.content_spec(content), delta).await
    }
}

fn refused(reason: String) -> Delta {
    Delta {
        action: Action::Refused,
        reason: Reason::Other(reason),
        changes: Vec::new(),
        text_changes: Vec::new(),
    }
}
