//! Secret values (vault passwords, vault plaintexts) that must never reach a log, an error or a diff.
//!
//! `Sensitive<T>` redacts itself in `Debug` and `Display`, so a secret that ends up in a `{:?}`, an error
//! message or a panic payload prints `<redacted>` instead. Reading the value needs an explicit `expose()`,
//! which makes every place a secret leaves its wrapper easy to find. On drop the value is overwritten with
//! zeros (best effort: without `unsafe` we cannot use volatile writes, so `black_box` keeps the optimiser
//! from discarding the wipe; copies the program made earlier are out of reach).

use std::fmt;

use crate::value::Value;

const REDACTED: &str = "<redacted>";

/// A value whose contents are secret. Debug and Display print `<redacted>`; `expose()` gives the value.
pub struct Sensitive<T: Wipe>(T);

impl<T: Wipe> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret itself. Callers must not log or display what they get here.
    pub fn expose(&self) -> &T {
        &self.0
    }

    pub fn expose_mut(&mut self) -> &mut T {
        &mut self.0
    }

    /// Transform the secret without it leaving a wrapper; the old value is wiped when `f` is done with it.
    pub fn map<U: Wipe>(mut self, f: impl FnOnce(&T) -> U) -> Sensitive<U> {
        let mapped = f(&self.0);
        self.0.wipe();
        Sensitive(mapped)
    }
}

impl<T: Wipe> Drop for Sensitive<T> {
    fn drop(&mut self) {
        self.0.wipe();
    }
}

impl<T: Wipe + Clone> Clone for Sensitive<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

/// Equality compares the secrets (not in constant time: do not use it to check passwords).
impl<T: Wipe + PartialEq> PartialEq for Sensitive<T> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<T: Wipe + Eq> Eq for Sensitive<T> {}

impl<T: Wipe + Default> Default for Sensitive<T> {
    fn default() -> Self {
        Self(T::default())
    }
}

impl<T: Wipe> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T: Wipe> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T: Wipe> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Overwrite a secret in place before its memory is released.
pub trait Wipe {
    fn wipe(&mut self);
}

impl Wipe for Vec<u8> {
    fn wipe(&mut self) {
        // Zero the whole allocation, spare capacity included: a shrunk or truncated buffer still holds
        // the old bytes there. `resize` within capacity never reallocates.
        let capacity = self.capacity();
        self.clear();
        self.resize(capacity, 0);
        std::hint::black_box(self.as_slice());
        self.clear();
    }
}

impl Wipe for String {
    fn wipe(&mut self) {
        std::mem::take(self).into_bytes().wipe();
    }
}

impl<const N: usize> Wipe for [u8; N] {
    fn wipe(&mut self) {
        self.fill(0);
        std::hint::black_box(&self[..]);
    }
}

impl<T: Wipe> Wipe for Option<T> {
    fn wipe(&mut self) {
        if let Some(inner) = self {
            inner.wipe();
        }
    }
}

impl<T: Wipe> Wipe for Vec<T> {
    fn wipe(&mut self) {
        for item in self.iter_mut() {
            item.wipe();
        }
    }
}

/// Decrypted vault values become `Value`s once parsed; their strings are wiped like any other secret.
impl Wipe for Value {
    fn wipe(&mut self) {
        match self {
            Value::Str(s) | Value::Unsafe(s) => s.wipe(),
            Value::Vault(v) => v.0.wipe(),
            Value::List(items) => items.wipe(),
            Value::Map(map) => {
                for (mut key, mut value) in map.drain(..) {
                    key.wipe();
                    value.wipe();
                }
            }
            Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact() {
        let secret = Sensitive::new(b"hunter2".to_vec());
        assert_eq!(format!("{secret:?}"), "<redacted>");
        assert_eq!(format!("{secret}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&secret)), "Some(<redacted>)");
        assert_eq!(secret.expose(), b"hunter2");
    }

    #[test]
    fn map_keeps_value_wrapped() {
        let secret = Sensitive::new(b"abc".to_vec());
        let text = secret.map(|b| String::from_utf8_lossy(b).into_owned());
        assert_eq!(text.expose(), "abc");
        assert_eq!(format!("{text:?}"), "<redacted>");
    }

    #[test]
    fn wipe_empties_without_freeing() {
        let mut v = Vec::with_capacity(16);
        v.extend_from_slice(b"password");
        v.wipe();
        assert!(v.is_empty());
        assert!(v.capacity() >= 16);
        let mut s = String::from("secret");
        s.wipe();
        assert!(s.is_empty());
    }

    #[test]
    fn wipe_value_recurses() {
        let mut map = crate::value::Map::new();
        map.insert("k".into(), Value::List(vec![Value::from("x")]));
        let mut value = Value::Map(map);
        value.wipe();
        assert_eq!(value, Value::Map(crate::value::Map::new()));
    }
}
