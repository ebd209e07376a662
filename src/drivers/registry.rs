use super::docker::{Container, DockerImage, DockerNetwork, DockerVolume};
use super::host::{
    AuthorizedKeyKind, BlockInFile, Copy, File, Group, LineInFile, Stat, Template, User,
};
use super::{Erased, ErasedKind};

/// Every resource kind plimsoll knows, by canonical name and alias. Adding a kind is one line here.
pub struct Registry {
    kinds: Vec<Box<dyn ErasedKind>>,
}

impl Registry {
    pub fn new(kinds: Vec<Box<dyn ErasedKind>>) -> Self {
        Self { kinds }
    }

    /// The kind a module name refers to (`file`, `ansible.builtin.file`, `ansible.legacy.file`).
    pub fn find(&self, module: &str) -> Option<&dyn ErasedKind> {
        self.kinds
            .iter()
            .find(|k| k.name() == module || k.aliases().contains(&module))
            .map(Box::as_ref)
    }

    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.kinds.iter().map(|k| k.name())
    }
}

/// The kinds plimsoll ships, one line each.
pub fn builtin_registry() -> Registry {
    Registry::new(vec![
        Erased::<File>::boxed(),
        Erased::<Copy>::boxed(),
        Erased::<Template>::boxed(),
        Erased::<User>::boxed(),
        Erased::<Group>::boxed(),
        Erased::<LineInFile>::boxed(),
        Erased::<BlockInFile>::boxed(),
        Erased::<AuthorizedKeyKind>::boxed(),
        Erased::<Stat>::boxed(),
        Erased::<Container>::boxed(),
        Erased::<DockerNetwork>::boxed(),
        Erased::<DockerVolume>::boxed(),
        Erased::<DockerImage>::boxed(),
    ])
}
