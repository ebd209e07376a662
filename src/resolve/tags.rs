//! `--tags` / `--skip-tags` as Ansible's `Taggable.evaluate_tags` applies them, with the special tags
//! `always`, `never`, `tagged`, `untagged` and `all`.

use std::collections::BTreeSet;

#[derive(Clone, Debug)]
pub(super) struct TagFilter {
    /// `--tags`, or `all` when none were given (as Ansible's `Play.only_tags`).
    only: BTreeSet<String>,
    skip: BTreeSet<String>,
}

impl TagFilter {
    /// Each argument may hold several comma-separated tags.
    pub fn new(only: &[String], skip: &[String]) -> Self {
        let split = |args: &[String]| -> BTreeSet<String> {
            args.iter()
                .flat_map(|a| a.split(','))
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect()
        };
        let mut only = split(only);
        if only.is_empty() {
            only.insert("all".into());
        }
        Self {
            only,
            skip: split(skip),
        }
    }

    pub fn run_tags(&self) -> Vec<String> {
        self.only.iter().cloned().collect()
    }

    pub fn skip_tags(&self) -> Vec<String> {
        self.skip.iter().cloned().collect()
    }

    /// Whether a task with these tags (its own and inherited) runs.
    pub fn should_run(&self, tags: &BTreeSet<String>) -> bool {
        let untagged: BTreeSet<String> = BTreeSet::from(["untagged".to_string()]);
        let tags = if tags.is_empty() { &untagged } else { tags };
        let has = |t: &str| tags.contains(t);
        let meets = |set: &BTreeSet<String>| !tags.is_disjoint(set);
        let is_untagged = tags == &untagged;
        let mut run = has("always")
            || (self.only.contains("all") && !has("never"))
            || meets(&self.only)
            || (self.only.contains("tagged") && !is_untagged && !has("never"));
        if run && !self.skip.is_empty() {
            if self.skip.contains("all") {
                if !has("always") || self.skip.contains("always") {
                    run = false;
                }
            } else if meets(&self.skip) || (self.skip.contains("tagged") && !is_untagged) {
                run = false;
            }
        }
        run
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|t| t.to_string()).collect()
    }

    /// Which of the tasks (tagged as below) run, as ansible-playbook 2.19.14 ran them:
    /// t_never [never, n], t_always [always], t_plain [], t_inner [inner, outer] (tags from its block).
    fn running(only: &[&str], skip: &[&str]) -> Vec<&'static str> {
        let filter = TagFilter::new(
            &only.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            &skip.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        );
        [
            ("t_never", tags(&["never", "n"])),
            ("t_always", tags(&["always"])),
            ("t_plain", tags(&[])),
            ("t_inner", tags(&["inner", "outer"])),
        ]
        .into_iter()
        .filter(|(_, t)| filter.should_run(t))
        .map(|(name, _)| name)
        .collect()
    }

    #[test]
    fn special_tags_as_ansible_applies_them() {
        assert_eq!(running(&[], &[]), ["t_always", "t_plain", "t_inner"]);
        assert_eq!(running(&["n"], &[]), ["t_never", "t_always"]);
        assert_eq!(running(&["never"], &[]), ["t_never", "t_always"]);
        assert_eq!(running(&["tagged"], &[]), ["t_always", "t_inner"]);
        assert_eq!(running(&["untagged"], &[]), ["t_always", "t_plain"]);
        assert_eq!(running(&["outer"], &[]), ["t_always", "t_inner"]);
        assert_eq!(running(&[], &["always"]), ["t_plain", "t_inner"]);
        assert_eq!(running(&[], &["all"]), ["t_always"]);
        assert_eq!(running(&["n,outer"], &["inner"]), ["t_never", "t_always"]);
    }
}
