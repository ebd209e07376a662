//! The `become*` keywords as written on a play, a role entry, a block or a task. Each is looked up on
//! its own along the parent chain (Ansible's `_get_parent_attribute`): a task's `become_user` can
//! come from its block while `become: true` comes from the play.

use crate::source::yaml::Node;

#[derive(Clone, Debug, Default)]
pub struct BecomeKeywords {
    /// `become`
    pub enabled: Option<Node>,
    pub user: Option<Node>,
    pub method: Option<Node>,
    pub flags: Option<Node>,
    pub exe: Option<Node>,
}

impl BecomeKeywords {
    /// Records `keyword` when it is one of the become keywords; false for any other keyword.
    pub fn set(&mut self, keyword: &str, value: &Node) -> bool {
        let slot = match keyword {
            "become" => &mut self.enabled,
            "become_user" => &mut self.user,
            "become_method" => &mut self.method,
            "become_flags" => &mut self.flags,
            "become_exe" => &mut self.exe,
            _ => return false,
        };
        *slot = Some(value.clone());
        true
    }

    pub fn is_empty(&self) -> bool {
        self.enabled.is_none()
            && self.user.is_none()
            && self.method.is_none()
            && self.flags.is_none()
            && self.exe.is_none()
    }

    /// What this level sets, each keyword falling back to `outer`'s.
    pub fn within(&self, outer: &BecomeKeywords) -> BecomeKeywords {
        let pick = |mine: &Option<Node>, theirs: &Option<Node>| mine.clone().or(theirs.clone());
        BecomeKeywords {
            enabled: pick(&self.enabled, &outer.enabled),
            user: pick(&self.user, &outer.user),
            method: pick(&self.method, &outer.method),
            flags: pick(&self.flags, &outer.flags),
            exe: pick(&self.exe, &outer.exe),
        }
    }
}
