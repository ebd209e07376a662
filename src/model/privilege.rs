use std::fmt;

use serde::Serialize;

/// Privilege escalation for one resource (Ansible's `become`): its observations and changes run as
/// `user`, reached from the connecting user through `method`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Become {
    pub user: String,
    pub method: BecomeMethod,
}

/// The become methods plimsoll can run. Only sudo, non-interactive: nothing can answer a prompt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BecomeMethod {
    Sudo,
}

impl BecomeMethod {
    /// The method named as Ansible's `become_method` names it.
    pub fn from_name(name: &str) -> Option<BecomeMethod> {
        match name {
            "sudo" => Some(BecomeMethod::Sudo),
            _ => None,
        }
    }
}

/// `root (sudo)`
impl fmt::Display for Become {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let method = match self.method {
            BecomeMethod::Sudo => "sudo",
        };
        write!(f, "{} ({method})", self.user)
    }
}
