//! Explicit tags: which constructor Ansible's loader (PyYAML SafeConstructor plus `!unsafe`, `!vault`)
//! applies to a tagged node, and the standard `!!` scalar constructors.

use super::node::NodeValue;
use super::resolve::{ConvertError, construct_bool, construct_float, construct_int};
use super::timestamp::timestamp_isoformat;

pub const UNSAFE: &str = "!unsafe";
pub const VAULT: &str = "!vault";

const CORE: &str = "tag:yaml.org,2002:";

/// What to do with a tagged (or untagged) scalar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarTag<'a> {
    /// No tag: plain scalars are resolved, quoted and block scalars are strings.
    Implicit,
    /// The non-specific tag `!`: resolved as if plain, whatever the style (libyaml's plain_implicit).
    NonSpecific,
    /// `!unsafe`: resolved as if plain (Ansible re-runs the resolver); strings are marked unsafe.
    Unsafe,
    /// `!vault` (or the deprecated `!vault-encrypted`): resolved as if plain, and must be a string.
    Vault { deprecated: bool },
    /// A `tag:yaml.org,2002:` tag with a scalar constructor (the suffix).
    Core(&'a str),
}

/// What to do with a tagged (or untagged) sequence or mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CollectionTag {
    Default,
    Unsafe,
    Set,
    Omap,
    Pairs,
}

/// The constructor for a scalar's tag, or PyYAML's complaint about it.
pub fn scalar_tag(tag: Option<&str>) -> Result<ScalarTag<'_>, ConvertError> {
    let Some(tag) = tag else {
        return Ok(ScalarTag::Implicit);
    };
    match tag {
        "!" => Ok(ScalarTag::NonSpecific),
        UNSAFE => Ok(ScalarTag::Unsafe),
        VAULT => Ok(ScalarTag::Vault { deprecated: false }),
        "!vault-encrypted" => Ok(ScalarTag::Vault { deprecated: true }),
        _ => match tag.strip_prefix(CORE) {
            Some(
                suffix @ ("str" | "python/unicode" | "int" | "float" | "bool" | "null" | "binary"
                | "timestamp" | "merge" | "value"),
            ) => Ok(ScalarTag::Core(suffix)),
            Some("map" | "python/dict" | "set") => {
                Err("expected a mapping node, but found scalar.".into())
            }
            Some("seq") => Err("expected a sequence node, but found scalar.".into()),
            Some("omap" | "pairs") => Err("expected a sequence, but found scalar.".into()),
            _ => Err(unknown(tag)),
        },
    }
}

/// The constructor for a collection's tag, or PyYAML's complaint about it.
pub fn collection_tag(tag: Option<&str>, is_seq: bool) -> Result<CollectionTag, ConvertError> {
    let found = if is_seq { "sequence" } else { "mapping" };
    let Some(tag) = tag else {
        return Ok(CollectionTag::Default);
    };
    let core = tag.strip_prefix(CORE);
    match (tag, core, is_seq) {
        ("!", _, _) => Ok(CollectionTag::Default),
        (UNSAFE, _, _) => Ok(CollectionTag::Unsafe),
        (VAULT | "!vault-encrypted", _, _) => {
            Err(format!("the '{tag}' tag requires a string value."))
        }
        (_, Some("seq"), true) | (_, Some("map" | "python/dict"), false) => {
            Ok(CollectionTag::Default)
        }
        (_, Some("set"), false) => Ok(CollectionTag::Set),
        (_, Some("omap"), true) => Ok(CollectionTag::Omap),
        (_, Some("pairs"), true) => Ok(CollectionTag::Pairs),
        (_, Some("map" | "python/dict" | "set"), true) => {
            Err(format!("expected a mapping node, but found {found}."))
        }
        (_, Some("seq" | "omap" | "pairs"), false) => {
            Err(format!("expected a sequence, but found {found}."))
        }
        (
            _,
            Some(
                "str" | "python/unicode" | "int" | "float" | "bool" | "null" | "binary"
                | "timestamp",
            ),
            _,
        ) => Err(format!("expected a scalar node, but found {found}.")),
        _ => Err(unknown(tag)),
    }
}

fn unknown(tag: &str) -> String {
    format!("could not determine a constructor for the tag '{tag}'.")
}

/// The result of a standard scalar constructor.
pub enum Constructed {
    Node(NodeValue),
    Merge,
    Value,
}

/// Applies the `tag:yaml.org,2002:<suffix>` constructor to a scalar's text.
pub fn construct_core(suffix: &str, text: &str) -> Result<Constructed, ConvertError> {
    let value = match suffix {
        "str" | "python/unicode" => NodeValue::Str(text.to_string()),
        "int" => NodeValue::Int(construct_int(text)?),
        "float" => NodeValue::Float(construct_float(text)?),
        "bool" => NodeValue::Bool(construct_bool(text)?),
        "null" => NodeValue::Null,
        "timestamp" => NodeValue::Str(timestamp_isoformat(text)?),
        "binary" => NodeValue::Str(decode_binary(text)?),
        "merge" => return Ok(Constructed::Merge),
        "value" => return Ok(Constructed::Value),
        _ => return Err(unknown(&format!("{CORE}{suffix}"))),
    };
    Ok(Constructed::Node(value))
}

/// `!!binary`: PyYAML gives `bytes` (base64.decodebytes, which skips characters outside the alphabet).
/// plimsoll has no bytes type, so the bytes are read as UTF-8 text (invalid sequences replaced);
/// `ansible-inventory` cannot print bytes at all.
fn decode_binary(text: &str) -> Result<String, ConvertError> {
    if !text.is_ascii() {
        return Err(
            "failed to convert base64 data into ascii: the text has non-ASCII characters.".into(),
        );
    }
    let mut bits: u32 = 0;
    let mut count = 0u32;
    let mut data = 0usize;
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    for byte in text.bytes() {
        let six = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' if count >= 2 => break,
            _ => continue,
        };
        data += 1;
        bits = (bits << 6) | u32::from(six);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    if data % 4 == 1 {
        return Err(format!(
            "failed to decode base64 data: Invalid base64-encoded string: number of data characters ({data}) cannot \
             be 1 more than a multiple of 4"
        ));
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_decodes_base64_ignoring_line_breaks() {
        assert_eq!(decode_binary("aGVs\n bG8=").as_deref(), Ok("hello"));
        assert!(decode_binary("aGVsb").is_err());
    }

    #[test]
    fn tags_pick_pyyaml_constructors() {
        assert_eq!(
            scalar_tag(Some("tag:yaml.org,2002:int")),
            Ok(ScalarTag::Core("int"))
        );
        assert!(scalar_tag(Some("!foo")).is_err());
        assert_eq!(
            collection_tag(Some("tag:yaml.org,2002:set"), false),
            Ok(CollectionTag::Set)
        );
        assert!(collection_tag(Some("tag:yaml.org,2002:set"), true).is_err());
        assert!(collection_tag(Some("!vault"), false).is_err());
    }
}
