//! `omit`: a placeholder a template gives to say "leave this parameter out".
//!
//! Like Ansible's `__omit_place_holder__<40 hex digits>`, it is a string unique to the process, so it
//! cannot collide with real data. Rendered lists and dicts drop items equal to it (as Ansible 2.19
//! does); a task argument that renders to it is the caller's to drop (see [`is_omit`]).

use std::sync::OnceLock;

use crate::value::Value;

pub fn omit_token() -> &'static str {
    static TOKEN: OnceLock<String> = OnceLock::new();
    TOKEN.get_or_init(|| {
        let mut bytes = [0u8; 20];
        if getrandom::fill(&mut bytes).is_err() {
            // No randomness: the address of a static still differs between builds and runs with ASLR,
            // and the prefix alone is already unlikely in real data.
            let seed = &TOKEN as *const _ as usize as u64;
            bytes[..8].copy_from_slice(&seed.to_le_bytes());
        }
        format!("__omit_place_holder__{}", hex::encode(bytes))
    })
}

/// Whether a rendered value is `omit`: the parameter it was given to is to be left out.
pub fn is_omit(value: &Value) -> bool {
    matches!(value, Value::Str(s) if s == omit_token())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_stable_and_shaped_like_ansibles() {
        assert_eq!(omit_token(), omit_token());
        assert!(omit_token().starts_with("__omit_place_holder__"));
        assert_eq!(omit_token().len(), "__omit_place_holder__".len() + 40);
    }
}
