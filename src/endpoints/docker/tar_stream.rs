//! A streaming filter over a tar archive (an image archive as `docker save` writes it): entries pass
//! through unchanged or are dropped whole, chosen by path, without holding the archive in memory.
//! Small entries can be captured on the way (`manifest.json`).
//!
//! Only the framing is read: 512-byte headers, the data padded to 512 bytes, and the metadata entries
//! that carry a following entry's long path (POSIX `x` records and GNU `L`/`K` entries), which travel
//! (or are dropped) with the entry they describe.

use std::collections::BTreeMap;

use thiserror::Error;

const BLOCK: usize = 512;
/// Metadata entries (long names, PAX records) are held until their entry's header arrives.
const METADATA_LIMIT: u64 = 1 << 20;
/// Captured files are small JSON documents; anything larger is refused rather than buffered.
const CAPTURE_LIMIT: u64 = 16 << 20;

#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum TarError {
    #[error("not a tar archive: the header at byte {offset} has a bad checksum")]
    BadChecksum { offset: u64 },
    #[error("the tar header at byte {offset} has an unreadable {field}")]
    BadField { offset: u64, field: &'static str },
    #[error("the tar entry {path:?} is {size} bytes, more than the {limit} this reader holds")]
    TooLarge { path: String, size: u64, limit: u64 },
    #[error("the archive ended inside an entry (at byte {offset})")]
    Truncated { offset: u64 },
}

/// Which entries pass, and which are captured.
pub trait EntryRule {
    fn keep(&self, path: &str) -> bool;
    fn capture(&self, _path: &str) -> bool {
        false
    }
}

impl<F: Fn(&str) -> bool> EntryRule for F {
    fn keep(&self, path: &str) -> bool {
        self(path)
    }
}

enum State {
    /// Collecting the next 512-byte header in `pending_block`.
    Header,
    /// The data (with its padding) of an entry.
    Data {
        remaining: u64,
        keep: bool,
        capture: Option<Capture>,
    },
    /// The data of a metadata entry, collected into `metadata`.
    Metadata { remaining: u64, size: u64, kind: u8 },
    /// After the first all-zero block: the rest passes through.
    End,
}

struct Capture {
    path: String,
    size: u64,
    bytes: Vec<u8>,
}

/// Feed it the archive's bytes in any chunks; it writes the kept entries' bytes to `out`.
pub struct TarFilter<R: EntryRule> {
    rule: R,
    state: State,
    offset: u64,
    pending_block: Vec<u8>,
    /// Metadata entries (header + data) waiting for the entry they describe.
    metadata: Vec<u8>,
    long_path: Option<String>,
    captured: BTreeMap<String, Vec<u8>>,
    kept: Vec<String>,
    dropped: Vec<String>,
}

impl<R: EntryRule> TarFilter<R> {
    pub fn new(rule: R) -> Self {
        Self {
            rule,
            state: State::Header,
            offset: 0,
            pending_block: Vec::with_capacity(BLOCK),
            metadata: Vec::new(),
            long_path: None,
            captured: BTreeMap::new(),
            kept: Vec::new(),
            dropped: Vec::new(),
        }
    }

    /// Reads `input`, appending what passes to `out`.
    pub fn push(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<(), TarError> {
        while !input.is_empty() {
            match &mut self.state {
                State::End => {
                    out.extend_from_slice(input);
                    self.offset += input.len() as u64;
                    return Ok(());
                }
                State::Header => {
                    let wanted = BLOCK - self.pending_block.len();
                    let take = wanted.min(input.len());
                    self.pending_block.extend_from_slice(&input[..take]);
                    input = &input[take..];
                    if self.pending_block.len() == BLOCK {
                        let block = std::mem::take(&mut self.pending_block);
                        self.header(&block, out)?;
                        self.offset += BLOCK as u64;
                        self.pending_block = block;
                        self.pending_block.clear();
                    }
                }
                State::Data {
                    remaining,
                    keep,
                    capture,
                } => {
                    let take = usize::try_from(*remaining)
                        .unwrap_or(usize::MAX)
                        .min(input.len());
                    let (chunk, rest) = input.split_at(take);
                    if *keep {
                        out.extend_from_slice(chunk);
                    }
                    if let Some(capture) = capture {
                        let room = capture.size.saturating_sub(capture.bytes.len() as u64);
                        let useful = usize::try_from(room).unwrap_or(usize::MAX).min(chunk.len());
                        capture.bytes.extend_from_slice(&chunk[..useful]);
                    }
                    *remaining -= take as u64;
                    self.offset += take as u64;
                    input = rest;
                    if *remaining == 0 {
                        if let State::Data {
                            capture: Some(capture),
                            ..
                        } = std::mem::replace(&mut self.state, State::Header)
                        {
                            self.captured.insert(capture.path, capture.bytes);
                        }
                    }
                }
                State::Metadata {
                    remaining,
                    size,
                    kind,
                } => {
                    let take = usize::try_from(*remaining)
                        .unwrap_or(usize::MAX)
                        .min(input.len());
                    self.metadata.extend_from_slice(&input[..take]);
                    *remaining -= take as u64;
                    self.offset += take as u64;
                    input = &input[take..];
                    if *remaining == 0 {
                        let (size, kind) = (*size, *kind);
                        self.state = State::Header;
                        self.metadata_done(size, kind);
                    }
                }
            }
        }
        Ok(())
    }

    /// Checks that the archive ended where an entry may end.
    pub fn finish(self) -> Result<Outcome, TarError> {
        match self.state {
            State::End => {}
            State::Header if self.pending_block.is_empty() && self.metadata.is_empty() => {}
            _ => {
                return Err(TarError::Truncated {
                    offset: self.offset + self.pending_block.len() as u64,
                });
            }
        }
        Ok(Outcome {
            captured: self.captured,
            kept: self.kept,
            dropped: self.dropped,
        })
    }

    fn header(&mut self, block: &[u8], out: &mut Vec<u8>) -> Result<(), TarError> {
        if block.iter().all(|b| *b == 0) {
            out.extend_from_slice(&self.metadata);
            self.metadata.clear();
            out.extend_from_slice(block);
            self.state = State::End;
            return Ok(());
        }
        let offset = self.offset;
        let stored = octal(&block[148..156], offset, "checksum");
        if stored != Ok(checksum(block)) {
            return Err(TarError::BadChecksum { offset });
        }
        let size = size(&block[124..136], offset)?;
        let padded = size.div_ceil(BLOCK as u64) * BLOCK as u64;
        let kind = block[156];
        match kind {
            // POSIX per-entry records and GNU long names describe the next entry.
            b'x' | b'L' | b'K' => {
                if size > METADATA_LIMIT {
                    return Err(TarError::TooLarge {
                        path: header_path(block),
                        size,
                        limit: METADATA_LIMIT,
                    });
                }
                self.metadata.extend_from_slice(block);
                self.state = if padded == 0 {
                    self.metadata_done(0, kind);
                    State::Header
                } else {
                    State::Metadata {
                        remaining: padded,
                        size,
                        kind,
                    }
                };
                Ok(())
            }
            _ => {
                // A global record (`g`) applies to every entry after it: it always passes.
                let path = if kind == b'g' {
                    None
                } else {
                    Some(self.long_path.take().unwrap_or_else(|| header_path(block)))
                };
                let keep = path.as_deref().is_none_or(|p| self.rule.keep(p));
                if keep {
                    out.extend_from_slice(&self.metadata);
                    out.extend_from_slice(block);
                }
                self.metadata.clear();
                let capture = match &path {
                    Some(p) if self.rule.capture(p) => {
                        if size > CAPTURE_LIMIT {
                            return Err(TarError::TooLarge {
                                path: p.clone(),
                                size,
                                limit: CAPTURE_LIMIT,
                            });
                        }
                        Some(Capture {
                            path: p.clone(),
                            size,
                            bytes: Vec::new(),
                        })
                    }
                    _ => None,
                };
                if let Some(path) = path {
                    if keep {
                        self.kept.push(path);
                    } else {
                        self.dropped.push(path);
                    }
                }
                self.state = if padded == 0 {
                    if let Some(capture) = capture {
                        self.captured.insert(capture.path, capture.bytes);
                    }
                    State::Header
                } else {
                    State::Data {
                        remaining: padded,
                        keep,
                        capture,
                    }
                };
                Ok(())
            }
        }
    }

    /// Reads the path a finished metadata entry carries (its bytes stay in `metadata`).
    fn metadata_done(&mut self, size: u64, kind: u8) {
        let start = self
            .metadata
            .len()
            .saturating_sub(size.div_ceil(BLOCK as u64) as usize * BLOCK);
        let data = &self.metadata[start..];
        let data = &data[..usize::try_from(size).unwrap_or(0).min(data.len())];
        match kind {
            b'L' => {
                let name = data.split(|b| *b == 0).next().unwrap_or_default();
                self.long_path = Some(String::from_utf8_lossy(name).into_owned());
            }
            b'x' => {
                if let Some(path) = pax_path(data) {
                    self.long_path = Some(path);
                }
            }
            _ => {}
        }
    }
}

/// What a finished pass saw.
#[derive(Debug, Default)]
pub struct Outcome {
    pub captured: BTreeMap<String, Vec<u8>>,
    pub kept: Vec<String>,
    pub dropped: Vec<String>,
}

/// The header's own checksum: the sum of its bytes with the checksum field read as spaces.
fn checksum(block: &[u8]) -> u64 {
    block
        .iter()
        .enumerate()
        .map(|(i, b)| {
            if (148..156).contains(&i) {
                u64::from(b' ')
            } else {
                u64::from(*b)
            }
        })
        .sum()
}

fn octal(field: &[u8], offset: u64, name: &'static str) -> Result<u64, TarError> {
    let text: String = field
        .iter()
        .take_while(|b| **b != 0)
        .map(|b| char::from(*b))
        .collect();
    let text = text.trim();
    if text.is_empty() {
        return Ok(0);
    }
    u64::from_str_radix(text, 8).map_err(|_| TarError::BadField {
        offset,
        field: name,
    })
}

/// The size field: octal, or big-endian binary when its first byte has the high bit set (GNU).
fn size(field: &[u8], offset: u64) -> Result<u64, TarError> {
    if field[0] & 0x80 != 0 {
        let mut value: u64 = u64::from(field[0] & 0x7f);
        for b in &field[1..] {
            value = value
                .checked_mul(256)
                .and_then(|v| v.checked_add(u64::from(*b)))
                .ok_or(TarError::BadField {
                    offset,
                    field: "size",
                })?;
        }
        return Ok(value);
    }
    octal(field, offset, "size")
}

/// `name`, with the ustar `prefix` in front when the header has one.
fn header_path(block: &[u8]) -> String {
    let field = |range: std::ops::Range<usize>| {
        let bytes = &block[range];
        let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
        String::from_utf8_lossy(&bytes[..end]).into_owned()
    };
    let name = field(0..100);
    // "ustar\0" is POSIX (with a prefix field); GNU's "ustar  \0" uses that space otherwise.
    if &block[257..263] == b"ustar\0" {
        let prefix = field(345..500);
        if !prefix.is_empty() {
            return format!("{prefix}/{name}");
        }
    }
    name
}

/// The `path` record of a PAX extended header (`<len> path=<value>\n` records).
fn pax_path(mut data: &[u8]) -> Option<String> {
    let mut found = None;
    while !data.is_empty() {
        let space = data.iter().position(|b| *b == b' ')?;
        let len: usize = std::str::from_utf8(&data[..space]).ok()?.parse().ok()?;
        if len <= space || len > data.len() {
            return None;
        }
        let record = &data[space + 1..len];
        let record = record.strip_suffix(b"\n").unwrap_or(record);
        if let Some(value) = record.strip_prefix(b"path=") {
            found = Some(String::from_utf8_lossy(value).into_owned());
        }
        data = &data[len..];
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An archive written by the `tar` crate: GNU headers, a long name, a directory, an empty file.
    fn sample() -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        let mut add = |path: &str, data: &[u8], kind: tar::EntryType| {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(kind);
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            builder.append_data(&mut header, path, data).unwrap();
        };
        add("abc/", b"", tar::EntryType::Directory);
        add("abc/VERSION", b"1.0", tar::EntryType::Regular);
        add("abc/layer.tar", &[7u8; 1500], tar::EntryType::Regular);
        let long = format!("{}/layer.tar", "d".repeat(120));
        add(&long, &[9u8; 700], tar::EntryType::Regular);
        add("empty", b"", tar::EntryType::Regular);
        add(
            "manifest.json",
            br#"[{"Config":"x.json"}]"#,
            tar::EntryType::Regular,
        );
        builder.into_inner().unwrap()
    }

    fn entries(archive: &[u8]) -> Vec<(String, Vec<u8>)> {
        let mut reader = tar::Archive::new(archive);
        reader
            .entries()
            .unwrap()
            .map(|e| {
                let mut e = e.unwrap();
                let path = e.path().unwrap().display().to_string();
                let mut data = Vec::new();
                std::io::Read::read_to_end(&mut e, &mut data).unwrap();
                (path, data)
            })
            .collect()
    }

    fn run(archive: &[u8], chunk: usize, rule: impl EntryRule) -> (Vec<u8>, Outcome) {
        let mut filter = TarFilter::new(rule);
        let mut out = Vec::new();
        for piece in archive.chunks(chunk) {
            filter.push(piece, &mut out).unwrap();
        }
        (out, filter.finish().unwrap())
    }

    #[test]
    fn keeping_everything_gives_the_same_bytes_whatever_the_chunks() {
        let archive = sample();
        for chunk in [1, 7, 511, 512, 513, 4096, archive.len()] {
            let (out, outcome) = run(&archive, chunk, |_: &str| true);
            assert_eq!(out, archive, "chunks of {chunk}");
            assert!(outcome.dropped.is_empty());
        }
    }

    #[test]
    fn a_dropped_entry_goes_whole_and_the_rest_still_reads() {
        let archive = sample();
        let long = format!("{}/layer.tar", "d".repeat(120));
        let drop_dir = |p: &str| !(p == "abc/" || p.starts_with("abc/"));
        for chunk in [3, 512, 1000] {
            let (out, outcome) = run(&archive, chunk, drop_dir);
            let names: Vec<String> = entries(&out).into_iter().map(|(p, _)| p).collect();
            assert_eq!(names, [long.as_str(), "empty", "manifest.json"]);
            assert_eq!(outcome.dropped, ["abc/", "abc/VERSION", "abc/layer.tar"]);
            assert!(out.len() < archive.len() - 1500);
        }
    }

    #[test]
    fn a_long_name_travels_with_its_entry() {
        let archive = sample();
        let long = format!("{}/layer.tar", "d".repeat(120));
        let (out, outcome) = run(&archive, 100, |p: &str| p != long);
        assert_eq!(outcome.dropped, std::slice::from_ref(&long));
        let found = entries(&out);
        assert!(found.iter().all(|(p, _)| *p != long), "{found:?}");
        assert_eq!(found.len(), 5);
        let (out, _) = run(&archive, 100, |p: &str| p == long);
        let found = entries(&out);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, long);
        assert_eq!(found[0].1, vec![9u8; 700]);
    }

    #[test]
    fn pax_paths_are_read() {
        let mut builder = tar::Builder::new(Vec::new());
        let long = format!("{}/config.json", "p".repeat(130));
        builder
            .append_pax_extensions([("path", long.as_bytes())])
            .unwrap();
        let mut header = tar::Header::new_ustar();
        header.set_size(2);
        header.set_mode(0o644);
        header.set_path("short-name").unwrap();
        header.set_cksum();
        builder.append(&header, &b"{}"[..]).unwrap();
        let archive = builder.into_inner().unwrap();
        let (_, outcome) = run(&archive, 64, |_: &str| false);
        assert_eq!(outcome.dropped, [long]);
    }

    struct CaptureManifest;
    impl EntryRule for CaptureManifest {
        fn keep(&self, _: &str) -> bool {
            false
        }
        fn capture(&self, path: &str) -> bool {
            path == "manifest.json"
        }
    }

    #[test]
    fn captured_entries_are_returned_without_padding() {
        let (out, outcome) = run(&sample(), 13, CaptureManifest);
        assert_eq!(out.len(), 1024, "only the end-of-archive blocks pass");
        assert_eq!(
            outcome.captured.get("manifest.json").map(Vec::as_slice),
            Some(&br#"[{"Config":"x.json"}]"#[..])
        );
    }

    #[test]
    fn garbage_and_truncation_are_errors() {
        let mut filter = TarFilter::new(|_: &str| true);
        let err = filter
            .push(
                br#"{"message":"No such image"}"#.repeat(30).as_slice(),
                &mut Vec::new(),
            )
            .unwrap_err();
        assert!(matches!(err, TarError::BadChecksum { offset: 0 }), "{err}");
        let archive = sample();
        let mut filter = TarFilter::new(|_: &str| true);
        filter.push(&archive[..2000], &mut Vec::new()).unwrap();
        assert!(matches!(
            filter.finish(),
            Err(TarError::Truncated { offset: 2000 })
        ));
    }
}
