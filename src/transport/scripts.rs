//! Shell scripts the transport runs on hosts. They get their data as positional arguments and on
//! stdin, never spliced into the text.

/// `$1`: destination path; stdin: the contents. The temporary file sits in the destination's
/// directory so the final `mv` is a rename(2): readers see the old file or the new one, never half.
pub const UPLOAD: &str = r#"set -eu
dest=$1
dir=$(dirname -- "$dest")
tmp=$(mktemp -- "$dir/.plimsoll-upload.XXXXXXXX")
trap 'rm -f -- "$tmp"' EXIT
cat >"$tmp"
if [ -e "$dest" ]; then
  chmod --reference="$dest" -- "$tmp"
  chown --reference="$dest" -- "$tmp" 2>/dev/null || true
else
  chmod -- "$(printf '%o' $((0666 & ~0$(umask))))" "$tmp"
fi
mv -f -- "$tmp" "$dest"
trap - EXIT
"#;
