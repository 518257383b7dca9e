//! A push-driven tar walker: the uncompressed layer stream goes in, in chunks of any size, and
//! [`Entry`] values come out, one per file, with their raw name bytes and the offset of their
//! data in the stream (enough to find a file again with one range read).
//!
//! Formats (POSIX.1-2001 pax and ustar; GNU tar manual "Basic Tar Format"; Go `archive/tar` is
//! the reference behaviour where they disagree):
//! - ustar (`ustar\0` `00`): 100-byte name plus the 155-byte prefix;
//! - GNU (`ustar ` ` \0`): `L` / `K` long name and link records, base-256 numbers, old sparse
//!   files (`S`, with extension headers);
//! - PAX `x` records `"%d %s=%s\n"`: path, linkpath, size, mtime, uid, gid, uname, gname, and the
//!   GNU sparse keys (marked, not expanded). A PAX size overrides the header size (the
//!   `tar`-crate differential CVE-2026-33055); `x` and `L`/`K` apply to the next *file* header
//!   only, not to a meta header that follows them (GHSA-3pv8-6f4r-ffg2). PAX `g` is skipped.
//!
//! Everything a header controls is capped ([`Caps`]): record sizes before they are read,
//! their total, the entry count. Header checksums are verified; numbers are parsed strictly
//! (octal or base-256; negative or 64-bit-overflowing values are errors). A name is never
//! trusted for anything but display: paths are normalised lexically here and flagged
//! ([`Flags`]) when they were absolute, held `..`, or are otherwise suspicious.

use std::sync::Arc;

use sha2::{Digest as _, Sha256};

use super::{Caps, LayerError};
use crate::oci::Digest;

const BLOCK: usize = 512;

/// What kind of file an entry is (the tar type flag).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    Hardlink,
    Char,
    Block,
    Fifo,
    /// Any other type flag (GNU `D`, `M`, `V`, vendor types): listed, data skipped.
    Other(u8),
}

impl EntryKind {
    /// The `ls -l` type letter.
    pub fn letter(self) -> char {
        match self {
            EntryKind::File => '-',
            EntryKind::Dir => 'd',
            EntryKind::Symlink => 'l',
            EntryKind::Hardlink => 'h',
            EntryKind::Char => 'c',
            EntryKind::Block => 'b',
            EntryKind::Fifo => 'p',
            EntryKind::Other(_) => '?',
        }
    }
}

/// Things worth a badge on an entry. A small bit set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Flags(pub u16);

impl Flags {
    /// The name started with `/` (stripped in [`Entry::path`]).
    pub const ABSOLUTE: Flags = Flags(1);
    /// The name has a `..` component (kept in [`Entry::path`]).
    pub const DOTDOT: Flags = Flags(1 << 1);
    /// An earlier entry of the same layer has the same path (image-spec: "MUST NOT").
    pub const DUPLICATE: Flags = Flags(1 << 2);
    /// A character or block device.
    pub const DEVICE: Flags = Flags(1 << 3);
    /// A sparse file (GNU `S` or PAX `GNU.sparse.*`): listed with its real size, but its data
    /// in the stream is the sparse map and chunks, so no content hash and no capture.
    pub const SPARSE: Flags = Flags(1 << 4);
    /// The path or link target is not valid UTF-8 (shown escaped).
    pub const NON_UTF8: Flags = Flags(1 << 5);
    /// A link whose target leaves the root: a relative symlink climbing above `/`, or a hard
    /// link target that is absolute or climbs.
    pub const LINK_ESCAPES: Flags = Flags(1 << 6);

    pub fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn insert(&mut self, other: Flags) {
        self.0 |= other.0;
    }
}

/// An OCI whiteout (image-spec `layer.md`, "Whiteouts"), recognised from an entry's name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Whiteout {
    /// `dir/.wh.name` deletes `dir/name` (and everything under it) from lower layers.
    Delete(Vec<u8>),
    /// `dir/.wh..wh..opq` hides every lower child of `dir` (the path of `dir`; empty for root).
    Opaque(Vec<u8>),
    /// Another `.wh..wh.` name (aufs hard-link bookkeeping such as `.wh..wh.plnk`): not a
    /// file of the image; appliers skip it.
    Meta,
}

/// Who owns an entry: the ids and names its headers give (PAX values over the header's).
/// Shared: a walk hands out one [`Arc`] per distinct owner, and almost every entry of a layer
/// has one of two (`root`/`root` and one service user).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Owner {
    pub uid: u64,
    pub gid: u64,
    pub uname: Box<[u8]>,
    pub gname: Box<[u8]>,
}

/// Distinct owners a walk shares; past these (a hostile layer), each entry gets its own. A
/// short list searched in order, not a hash set: layers have a handful, and the worker's wasm
/// is smaller without another map.
const MAX_OWNERS: usize = 64;

/// One file (or directory, link, device) of a layer, as the tar stream describes it.
///
/// Compact, because a listing holds up to a million of them (issue 7: a 1M-entry listing in
/// 128 MiB): 72 bytes (56 in wasm32), plus one allocation holding the path, the link target
/// and the SHA-256 (32 raw bytes, not 71 of text), and the [`Owner`] shared with other entries.
/// `mode` is a `u16` since the walker keeps only `mode & 0o7777`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The path's bytes, then the link target's, then the SHA-256's.
    bytes: Box<[u8]>,
    path_len: u32,
    /// What `bytes` holds besides the path: [`Entry::LINK`], [`Entry::ROOM`] (32 bytes for a
    /// digest at the end), [`Entry::DIGEST`] (they are filled: hashing can fail midway).
    parts: u8,
    owner: Arc<Owner>,
    pub kind: EntryKind,
    /// Permission bits and set-id/sticky bits (mode & 0o7777).
    pub mode: u16,
    /// Content size in bytes: the real size for sparse files, 0 for types that store no data
    /// (directories, links, devices, FIFOs).
    pub size: u64,
    /// Seconds since the epoch (PAX fractions dropped; may be negative).
    pub mtime: i64,
    /// Offset of the entry's data in the uncompressed stream.
    pub data_offset: u64,
    /// Offset of the entry's first header (its first meta header when it has some).
    pub header_offset: u64,
    pub flags: Flags,
}

// A listing holds up to a million entries: a field added here costs a million times over
// (tests/listing_memory.rs measures the whole listing).
const ENTRY_SIZE: usize = if cfg!(target_pointer_width = "32") {
    56
} else {
    72
};
const _: () = assert!(std::mem::size_of::<Entry>() <= ENTRY_SIZE);

impl Entry {
    const LINK: u8 = 1;
    const ROOM: u8 = 2;
    const DIGEST: u8 = 4;

    /// An entry of `kind` at `path` (raw bytes, normalised as [`Entry::path`] says; at most
    /// 4 GiB, which the walker's record cap ensures) with this link target; owned by
    /// `owner`, everything else zero.
    pub fn new(kind: EntryKind, path: &[u8], link: Option<&[u8]>, owner: Arc<Owner>) -> Entry {
        Entry::with_room(kind, path, link, owner, false)
    }

    /// [`Entry::new`] with room for a digest set later (no second allocation then).
    fn with_room(
        kind: EntryKind,
        path: &[u8],
        link: Option<&[u8]>,
        owner: Arc<Owner>,
        digest_room: bool,
    ) -> Entry {
        let path = &path[..path.len().min(u32::MAX as usize)];
        let link_len = link.map_or(0, <[u8]>::len);
        let room = if digest_room { 32 } else { 0 };
        let mut bytes = Vec::with_capacity(path.len() + link_len + room);
        bytes.extend_from_slice(path);
        bytes.extend_from_slice(link.unwrap_or_default());
        bytes.resize(path.len() + link_len + room, 0);
        Entry {
            bytes: bytes.into_boxed_slice(),
            path_len: path.len() as u32,
            parts: if link.is_some() { Entry::LINK } else { 0 }
                | if digest_room { Entry::ROOM } else { 0 },
            owner,
            kind,
            mode: 0,
            size: 0,
            mtime: 0,
            data_offset: 0,
            header_offset: 0,
            flags: Flags::default(),
        }
    }

    /// Raw name bytes, normalised lexically: `.` and empty components removed (so leading
    /// `./`, leading `/` and trailing `/` are gone), `..` kept. The root itself is empty.
    pub fn path(&self) -> &[u8] {
        self.bytes.get(..self.path_len as usize).unwrap_or_default()
    }

    /// Symlink target or hard link target, raw bytes as stored.
    pub fn link(&self) -> Option<&[u8]> {
        (self.parts & Entry::LINK != 0).then(|| {
            let end = self.bytes.len().saturating_sub(self.digest_len());
            self.bytes
                .get(self.path_len as usize..end)
                .unwrap_or_default()
        })
    }

    /// SHA-256 of the content, when hashing is on and the entry is a regular, non-sparse file.
    pub fn sha256(&self) -> Option<Digest> {
        self.sha256_bytes().map(Digest::sha256_from_bytes)
    }

    /// [`Entry::sha256`] as its 32 bytes.
    pub fn sha256_bytes(&self) -> Option<&[u8; 32]> {
        if self.parts & Entry::DIGEST == 0 {
            return None;
        }
        self.bytes.last_chunk::<32>()
    }

    /// Fills the digest room [`Entry::with_room`] made (no room: nothing to fill).
    fn fill_sha256(&mut self, sha256: [u8; 32]) {
        if self.parts & Entry::ROOM == 0 {
            return;
        }
        if let Some(slot) = self.bytes.last_chunk_mut::<32>() {
            *slot = sha256;
            self.parts |= Entry::DIGEST;
        }
    }

    /// Bytes at the end of `bytes` kept for the digest.
    fn digest_len(&self) -> usize {
        if self.parts & Entry::ROOM != 0 {
            32
        } else {
            0
        }
    }

    pub fn owner(&self) -> &Owner {
        &self.owner
    }

    pub fn uid(&self) -> u64 {
        self.owner.uid
    }

    pub fn gid(&self) -> u64 {
        self.owner.gid
    }

    pub fn uname(&self) -> &[u8] {
        &self.owner.uname
    }

    pub fn gname(&self) -> &[u8] {
        &self.owner.gname
    }

    /// The whiteout this entry stands for, if its last component is a `.wh.` name.
    pub fn whiteout(&self) -> Option<Whiteout> {
        let (dir, name) = split_last(self.path());
        let target = name.strip_prefix(b".wh.")?;
        if target == b".wh..opq" {
            return Some(Whiteout::Opaque(dir.to_vec()));
        }
        if target.starts_with(b".wh.") || target.is_empty() || target == b".." {
            return Some(Whiteout::Meta);
        }
        Some(Whiteout::Delete(join(dir, target)))
    }

    /// The `ls -l` mode column: type letter and permissions, with set-id and sticky bits
    /// (`s`/`S`, `t`/`T`), e.g. `drwxr-xr-x`, `-rwsr-x---`.
    pub fn mode_string(&self) -> String {
        let m = self.mode;
        let bit = |mask: u16, c: char| if m & mask != 0 { c } else { '-' };
        let special = |exec: u16, special: u16, set: char| match (m & exec != 0, m & special != 0) {
            (true, true) => set,
            (false, true) => set.to_ascii_uppercase(),
            (true, false) => 'x',
            (false, false) => '-',
        };
        [
            self.kind.letter(),
            bit(0o400, 'r'),
            bit(0o200, 'w'),
            special(0o100, 0o4000, 's'),
            bit(0o040, 'r'),
            bit(0o020, 'w'),
            special(0o010, 0o2000, 's'),
            bit(0o004, 'r'),
            bit(0o002, 'w'),
            special(0o001, 0o1000, 't'),
        ]
        .iter()
        .collect()
    }

    /// The mtime as `YYYY-MM-DD hh:mm:ss` UTC, computed with integers only (the page formats
    /// no floats); years outside 0..=9999 are shown as they come (`-0001`, `12000`).
    pub fn mtime_utc(&self) -> String {
        let days = self.mtime.div_euclid(86_400);
        let secs = self.mtime.rem_euclid(86_400);
        let (y, mo, d) = civil_from_days(days);
        format!(
            "{y:04}-{mo:02}-{d:02} {:02}:{:02}:{:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }

    /// Whether the last component is a `.wh.` name (cheaper than [`Entry::whiteout`]).
    pub fn is_whiteout(&self) -> bool {
        self.name().starts_with(b".wh.")
    }

    /// The last path component.
    pub fn name(&self) -> &[u8] {
        split_last(self.path()).1
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day): Howard Hinnant's
/// `civil_from_days` (eras of 400 years, March-based years so leap days come last).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// `(parent, last component)` of a normalised path.
pub(crate) fn split_last(path: &[u8]) -> (&[u8], &[u8]) {
    match path.iter().rposition(|&b| b == b'/') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => (&[], path),
    }
}

pub(crate) fn join(dir: &[u8], name: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(dir.len() + 1 + name.len());
    out.extend_from_slice(dir);
    if !dir.is_empty() {
        out.push(b'/');
    }
    out.extend_from_slice(name);
    out
}

/// Which entry's content to keep (for viewing one file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaptureTarget {
    /// The entry with this (normalised) path; the last one wins when it is duplicated, as it
    /// does when the layer is applied.
    Path(Vec<u8>),
    /// The entry at this index of the listing.
    Index(usize),
}

/// Keep up to `max` bytes of one entry's content. A hard link stores no data (its content is
/// its target's, earlier in the stream): capture the target's path instead. Sparse entries
/// are not captured (their stored bytes are not the file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capture {
    pub target: CaptureTarget,
    pub max: usize,
}

/// Walker options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WalkOptions {
    pub caps: Caps,
    /// Compute each regular file's SHA-256 (costs a hash pass over the content).
    pub hash_files: bool,
    pub capture: Option<Capture>,
}

/// What the walker found, besides errors.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Walked {
    pub entries: Vec<Entry>,
    /// Things that are accepted but worth saying (missing end-of-archive marker, ignored
    /// PAX global headers).
    pub warnings: Vec<String>,
    /// The captured content (see [`Capture`]): `None` when no entry matched.
    pub captured: Option<Vec<u8>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Meta {
    Pax,
    PaxGlobal,
    LongName,
    LongLink,
}

impl Meta {
    fn name(self) -> &'static str {
        match self {
            Meta::Pax => "PAX x",
            Meta::PaxGlobal => "PAX g",
            Meta::LongName => "GNU L (long name)",
            Meta::LongLink => "GNU K (long link)",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Collecting a 512-byte header block.
    Header,
    /// Collecting a meta record's payload, then skipping its padding.
    Meta { meta: Meta, left: u64, pad: u64 },
    /// GNU sparse extension headers follow; then `data` bytes of data.
    SparseExt { data: u64 },
    /// An entry's data (hashed / captured when asked), then its padding.
    Data { left: u64, pad: u64 },
    /// After the first zero block: only zeros may follow.
    End,
}

/// Meta values waiting for the next file header.
#[derive(Default)]
struct Pending {
    /// Offset of the first meta header of the pending group.
    start: Option<u64>,
    long_name: Option<Vec<u8>>,
    long_link: Option<Vec<u8>>,
    pax: Option<Pax>,
}

#[derive(Default)]
struct Pax {
    path: Option<Vec<u8>>,
    linkpath: Option<Vec<u8>>,
    size: Option<u64>,
    mtime: Option<i64>,
    uid: Option<u64>,
    gid: Option<u64>,
    uname: Option<Vec<u8>>,
    gname: Option<Vec<u8>>,
    sparse: bool,
    sparse_name: Option<Vec<u8>>,
    sparse_size: Option<u64>,
    /// PAX sparse format 1.0: the data starts with the sparse map.
    sparse_v1: bool,
}

/// Reads the PAX 1.0 sparse map at the start of an entry's data (decimal lines: a count
/// `n`, then `n` offset/size pairs; padded to a block) to find where the data really starts.
#[derive(Clone, Copy, Debug, Default)]
struct SparseMap {
    /// Bytes of the map seen so far.
    seen: u64,
    lines: u64,
    /// Lines the map has, once its first line is read.
    needed: Option<u64>,
    value: u64,
}

impl SparseMap {
    /// Feeds data bytes; `Some(len)` once the map (padded to a block) is complete, `None`
    /// while it goes on. A malformed map gives `Some(0)`: the offset is left as it is.
    fn feed(&mut self, bytes: &[u8]) -> Option<u64> {
        for &b in bytes {
            self.seen += 1;
            match b {
                b'0'..=b'9' => {
                    self.value = self
                        .value
                        .saturating_mul(10)
                        .saturating_add(u64::from(b - b'0'));
                }
                b'\n' => {
                    self.lines += 1;
                    let needed = *self
                        .needed
                        .get_or_insert(self.value.saturating_mul(2).saturating_add(1));
                    self.value = 0;
                    if self.lines >= needed {
                        return Some(self.seen.div_ceil(BLOCK as u64) * BLOCK as u64);
                    }
                }
                _ => return Some(0),
            }
        }
        None
    }
}

/// The push-driven walker. Feed the uncompressed stream with [`Walker::push`], then call
/// [`Walker::finish`].
pub struct Walker {
    opts: WalkOptions,
    state: State,
    offset: u64,
    block: Box<[u8; BLOCK]>,
    block_len: usize,
    record: Vec<u8>,
    metadata: u64,
    pending: Pending,
    entries: Vec<Entry>,
    warnings: Vec<String>,
    /// The current file's hash (only while in `Data` for a hashed entry).
    hasher: Option<Sha256>,
    /// The owners handed out so far (see [`Owner`]), up to [`MAX_OWNERS`], the last one
    /// used first.
    owners: Vec<Arc<Owner>>,
    /// Capturing the current entry: the buffer.
    capturing: bool,
    /// Reading a PAX 1.0 sparse map at the start of the current entry's data.
    sparse_map: Option<SparseMap>,
    captured: Option<Vec<u8>>,
    saw_global: bool,
}

impl Walker {
    pub fn new(opts: WalkOptions) -> Walker {
        Walker {
            opts,
            state: State::Header,
            offset: 0,
            block: Box::new([0; BLOCK]),
            block_len: 0,
            record: Vec::new(),
            metadata: 0,
            pending: Pending::default(),
            entries: Vec::new(),
            warnings: Vec::new(),
            hasher: None,
            owners: Vec::new(),
            capturing: false,
            sparse_map: None,
            captured: None,
            saw_global: false,
        }
    }

    /// Entries found so far.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Bytes of the stream consumed so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    pub fn push(&mut self, mut input: &[u8]) -> Result<(), LayerError> {
        while !input.is_empty() {
            match self.state {
                State::Header => {
                    let n = (BLOCK - self.block_len).min(input.len());
                    self.block[self.block_len..self.block_len + n].copy_from_slice(&input[..n]);
                    self.block_len += n;
                    input = &input[n..];
                    if self.block_len == BLOCK {
                        self.block_len = 0;
                        let header_offset = self.offset;
                        self.offset += BLOCK as u64;
                        self.header(header_offset)?;
                    }
                }
                State::SparseExt { data } => {
                    let n = (BLOCK - self.block_len).min(input.len());
                    self.block[self.block_len..self.block_len + n].copy_from_slice(&input[..n]);
                    self.block_len += n;
                    input = &input[n..];
                    if self.block_len == BLOCK {
                        self.block_len = 0;
                        self.add_metadata(BLOCK as u64)?;
                        self.offset += BLOCK as u64;
                        // isextended at byte 504 of an extension block.
                        if self.block[504] == 0 {
                            if let Some(entry) = self.entries.last_mut() {
                                entry.data_offset = self.offset;
                            }
                            self.state = data_state(data);
                        }
                    }
                }
                State::Meta { meta, left, pad } => {
                    if left > 0 {
                        let n = left.min(input.len() as u64) as usize;
                        if meta != Meta::PaxGlobal {
                            self.record.extend_from_slice(&input[..n]);
                        }
                        input = &input[n..];
                        self.offset += n as u64;
                        self.state = State::Meta {
                            meta,
                            left: left - n as u64,
                            pad,
                        };
                        continue;
                    }
                    let n = pad.min(input.len() as u64) as usize;
                    input = &input[n..];
                    self.offset += n as u64;
                    if pad - n as u64 > 0 {
                        self.state = State::Meta {
                            meta,
                            left,
                            pad: pad - n as u64,
                        };
                        continue;
                    }
                    self.state = State::Header;
                    self.end_meta(meta)?;
                }
                State::Data { left, pad } => {
                    if left > 0 {
                        let n = left.min(input.len() as u64) as usize;
                        self.content(&input[..n]);
                        input = &input[n..];
                        self.offset += n as u64;
                        self.state = State::Data {
                            left: left - n as u64,
                            pad,
                        };
                        if left - n as u64 == 0 {
                            self.end_data();
                        }
                        continue;
                    }
                    let n = pad.min(input.len() as u64) as usize;
                    input = &input[n..];
                    self.offset += n as u64;
                    self.state = if pad - n as u64 > 0 {
                        State::Data {
                            left,
                            pad: pad - n as u64,
                        }
                    } else {
                        State::Header
                    };
                }
                State::End => {
                    if let Some(i) = input.iter().position(|&b| b != 0) {
                        return Err(LayerError::TrailingGarbage {
                            what: "tar archive",
                            offset: self.offset + i as u64,
                            first: input[i],
                        });
                    }
                    self.offset += input.len() as u64;
                    input = &[];
                }
            }
        }
        Ok(())
    }

    /// Ends the stream. Ending inside a header, a record or an entry's data is a truncated
    /// tar; ending on a header boundary without the end-of-archive marker is accepted (as Go
    /// and GNU tar do) with a warning.
    pub fn finish(mut self) -> Result<Walked, LayerError> {
        let what = match self.state {
            State::End => None,
            State::Header if self.block_len == 0 => {
                if self.pending.start.is_some() {
                    Some("after a meta header, before the entry it describes")
                } else {
                    self.warnings.push(
                        "the tar stream has no end-of-archive marker (two zero blocks)".to_owned(),
                    );
                    None
                }
            }
            State::Header | State::SparseExt { .. } => Some("inside a header"),
            State::Meta { .. } => Some("inside a meta record"),
            State::Data { left: 0, .. } => Some("inside the padding of an entry"),
            State::Data { .. } => Some("inside an entry's data"),
        };
        if let Some(what) = what {
            return Err(LayerError::TruncatedTar {
                what,
                offset: self.offset + self.block_len as u64,
            });
        }
        mark_duplicates(&mut self.entries);
        // The listing is kept as long as the layer is open: not the up to 2× of a growing Vec.
        self.entries.shrink_to_fit();
        Ok(Walked {
            entries: self.entries,
            warnings: self.warnings,
            captured: self.captured,
        })
    }

    fn add_metadata(&mut self, bytes: u64) -> Result<(), LayerError> {
        self.metadata = self.metadata.saturating_add(bytes);
        if self.metadata > self.opts.caps.max_metadata {
            return Err(LayerError::MetadataTooLarge {
                offset: self.offset,
                cap: self.opts.caps.max_metadata,
            });
        }
        Ok(())
    }

    fn header(&mut self, offset: u64) -> Result<(), LayerError> {
        let b = &*self.block;
        if b.iter().all(|&x| x == 0) {
            if self.pending.start.is_some() {
                return Err(LayerError::TruncatedTar {
                    what: "after a meta header (end-of-archive instead of its entry)",
                    offset,
                });
            }
            self.state = State::End;
            return Ok(());
        }
        check_checksum(
            b,
            offset,
            self.entries.is_empty() && self.pending.start.is_none(),
        )?;
        let typeflag = b[156];
        let magic = &b[257..265];
        let ustar = magic == b"ustar\x0000";
        let gnu = magic == b"ustar  \x00";
        let size = parse_number(&b[124..136], "size", offset)?;
        let size = non_negative(size, "size", offset)?;
        let pad = padding(size);

        let meta = match typeflag {
            b'x' => Some(Meta::Pax),
            b'g' => Some(Meta::PaxGlobal),
            b'L' => Some(Meta::LongName),
            b'K' => Some(Meta::LongLink),
            _ => None,
        };
        if let Some(meta) = meta {
            // A name is at most 4 GiB whatever the cap (an entry keeps its length in a u32).
            let cap = self.opts.caps.max_record.min(u64::from(u32::MAX));
            if size > cap {
                return Err(LayerError::RecordTooLarge {
                    kind: meta.name(),
                    size,
                    offset,
                    cap,
                });
            }
            self.add_metadata(size)?;
            self.pending.start.get_or_insert(offset);
            self.record.clear();
            if meta == Meta::PaxGlobal && !self.saw_global {
                self.saw_global = true;
                self.warnings
                    .push(format!("PAX global header at offset {offset} ignored"));
            }
            self.state = State::Meta {
                meta,
                left: size,
                pad,
            };
            return Ok(());
        }

        if self.entries.len() as u64 >= self.opts.caps.max_entries {
            return Err(LayerError::TooManyEntries {
                cap: self.opts.caps.max_entries,
            });
        }
        let pending = std::mem::take(&mut self.pending);
        let pax = pending.pax.unwrap_or_default();

        let mut name = cstr(&b[0..100]).to_vec();
        if ustar {
            let prefix = cstr(&b[345..500]);
            if !prefix.is_empty() {
                name = join_raw(prefix, &name);
            }
        }
        if let Some(p) = pax.path {
            name = p;
        }
        if let Some(p) = pending.long_name {
            name = p;
        }
        let mut link = cstr(&b[157..257]).to_vec();
        if let Some(l) = pax.linkpath {
            link = l;
        }
        if let Some(l) = pending.long_link {
            link = l;
        }
        let mode = parse_number(&b[100..108], "mode", offset)?;
        let mode = (non_negative(mode, "mode", offset)? & 0o7777) as u16;
        let uid = match pax.uid {
            Some(v) => v,
            None => non_negative(parse_number(&b[108..116], "uid", offset)?, "uid", offset)?,
        };
        let gid = match pax.gid {
            Some(v) => v,
            None => non_negative(parse_number(&b[116..124], "gid", offset)?, "gid", offset)?,
        };
        let mtime = match pax.mtime {
            Some(v) => v,
            None => parse_number(&b[136..148], "mtime", offset)?,
        };
        let (uname, gname) = if ustar || gnu {
            (cstr(&b[265..297]).to_vec(), cstr(&b[297..329]).to_vec())
        } else {
            (Vec::new(), Vec::new())
        };
        let uname = pax.uname.unwrap_or(uname);
        let gname = pax.gname.unwrap_or(gname);
        // The stored size: PAX size wins over the header (as in Go and GNU tar).
        let stored = pax.size.unwrap_or(size);

        let mut flags = Flags::default();
        let mut kind = match typeflag {
            b'0' | 0 | b'7' => EntryKind::File,
            b'S' => {
                flags.insert(Flags::SPARSE);
                EntryKind::File
            }
            b'1' => EntryKind::Hardlink,
            b'2' => EntryKind::Symlink,
            b'3' => EntryKind::Char,
            b'4' => EntryKind::Block,
            b'5' => EntryKind::Dir,
            b'6' => EntryKind::Fifo,
            other => EntryKind::Other(other),
        };
        if pax.sparse {
            flags.insert(Flags::SPARSE);
            if let Some(n) = pax.sparse_name {
                name = n;
            }
        }
        // Old tar: a regular file whose name ends in '/' is a directory.
        if typeflag == 0 && name.last() == Some(&b'/') {
            kind = EntryKind::Dir;
        }
        let header_only = matches!(
            kind,
            EntryKind::Dir
                | EntryKind::Symlink
                | EntryKind::Hardlink
                | EntryKind::Char
                | EntryKind::Block
                | EntryKind::Fifo
        ) && typeflag != b'D';
        let data = if header_only { 0 } else { stored };
        let mut size = data;
        if typeflag == b'S' {
            // GNU sparse: the real size is at 483 (realsize), the stored data after the
            // extension headers is `size`.
            size = non_negative(
                parse_number(&b[483..495], "realsize", offset)?,
                "realsize",
                offset,
            )?;
        } else if let Some(real) = pax.sparse_size {
            size = real;
        }

        let (path, path_flags) = normalise(&name);
        flags.insert(path_flags);
        let link = match kind {
            EntryKind::Symlink | EntryKind::Hardlink => {
                if std::str::from_utf8(&link).is_err() {
                    flags.insert(Flags::NON_UTF8);
                }
                if link_escapes(&path, &link, kind == EntryKind::Hardlink) {
                    flags.insert(Flags::LINK_ESCAPES);
                }
                Some(link)
            }
            _ => None,
        };
        if matches!(kind, EntryKind::Char | EntryKind::Block) {
            flags.insert(Flags::DEVICE);
        }

        let index = self.entries.len();
        let hashed =
            self.opts.hash_files && kind == EntryKind::File && !flags.contains(Flags::SPARSE);
        self.capturing = !flags.contains(Flags::SPARSE)
            && match &self.opts.capture {
                Some(Capture {
                    target: CaptureTarget::Index(i),
                    ..
                }) => *i == index,
                Some(Capture {
                    target: CaptureTarget::Path(p),
                    ..
                }) => *p == path,
                None => false,
            };
        if self.capturing {
            // A later duplicate replaces an earlier capture, as applying the layer would.
            self.captured = Some(Vec::new());
        }
        let gnu_extended = typeflag == b'S' && b[482] != 0;
        let owner = self.owner(Owner {
            uid,
            gid,
            uname: uname.into_boxed_slice(),
            gname: gname.into_boxed_slice(),
        });
        let mut entry = Entry::with_room(kind, &path, link.as_deref(), owner, hashed);
        entry.mode = mode;
        entry.size = size;
        entry.mtime = mtime;
        entry.data_offset = self.offset;
        entry.header_offset = pending.start.unwrap_or(offset);
        entry.flags = flags;
        if hashed && data == 0 {
            entry.fill_sha256(Sha256::digest(b"").into());
        }
        self.entries.push(entry);
        self.hasher = (hashed && data > 0).then(Sha256::new);
        self.sparse_map = pax.sparse_v1.then(SparseMap::default);
        self.state = if gnu_extended {
            State::SparseExt { data }
        } else {
            data_state(data)
        };
        Ok(())
    }

    fn content(&mut self, bytes: &[u8]) {
        if let Some(map) = &mut self.sparse_map {
            if let Some(len) = map.feed(bytes) {
                self.sparse_map = None;
                if let Some(entry) = self.entries.last_mut() {
                    entry.data_offset += len;
                }
            }
        }
        if let Some(h) = &mut self.hasher {
            h.update(bytes);
        }
        if self.capturing {
            if let (Some(buf), Some(capture)) = (&mut self.captured, &self.opts.capture) {
                let room = capture.max.saturating_sub(buf.len());
                buf.extend_from_slice(&bytes[..room.min(bytes.len())]);
            }
        }
    }

    fn end_data(&mut self) {
        if let Some(h) = self.hasher.take() {
            if let Some(entry) = self.entries.last_mut() {
                entry.fill_sha256(h.finalize().into());
            }
        }
        self.capturing = false;
    }

    /// `owner`, shared with the earlier entries that have the same one.
    fn owner(&mut self, owner: Owner) -> Arc<Owner> {
        if let Some(i) = self.owners.iter().position(|known| **known == owner) {
            // Entries come in runs of one owner: the next lookup finds it at once.
            self.owners.swap(0, i);
            return Arc::clone(&self.owners[0]);
        }
        let owner = Arc::new(owner);
        if self.owners.len() < MAX_OWNERS {
            self.owners.push(Arc::clone(&owner));
        }
        owner
    }

    fn end_meta(&mut self, meta: Meta) -> Result<(), LayerError> {
        let record = std::mem::take(&mut self.record);
        let offset = self.pending.start.unwrap_or(self.offset);
        match meta {
            Meta::PaxGlobal => {}
            // GNU: the name is NUL-terminated inside the record.
            Meta::LongName => self.pending.long_name = Some(cstr(&record).to_vec()),
            Meta::LongLink => self.pending.long_link = Some(cstr(&record).to_vec()),
            // A second `x` replaces the first (Go's behaviour).
            Meta::Pax => self.pending.pax = Some(parse_pax(&record, offset)?),
        }
        Ok(())
    }
}

fn data_state(data: u64) -> State {
    if data == 0 {
        State::Header
    } else {
        State::Data {
            left: data,
            pad: padding(data),
        }
    }
}

fn padding(size: u64) -> u64 {
    (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64
}

/// Bytes up to the first NUL.
fn cstr(field: &[u8]) -> &[u8] {
    match field.iter().position(|&b| b == 0) {
        Some(i) => &field[..i],
        None => field,
    }
}

fn join_raw(prefix: &[u8], name: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(prefix.len() + 1 + name.len());
    out.extend_from_slice(prefix);
    out.push(b'/');
    out.extend_from_slice(name);
    out
}

/// Verifies the header checksum: the sum of all header bytes with the checksum field taken
/// as spaces, stored as octal. Both the unsigned and the historic signed sum are accepted.
fn check_checksum(b: &[u8; BLOCK], offset: u64, first: bool) -> Result<(), LayerError> {
    let mut unsigned: u64 = 0;
    let mut signed: i64 = 0;
    for (i, &x) in b.iter().enumerate() {
        let x = if (148..156).contains(&i) { b' ' } else { x };
        unsigned += u64::from(x);
        signed += i64::from(x as i8);
    }
    let not_tar = |reason: String| LayerError::NotTar { reason };
    let stored = match parse_octal(&b[148..156]) {
        Some(v) => v,
        None if first => {
            return Err(not_tar(format!(
                "the first 512 bytes are not a tar header (checksum field {})",
                escape(&b[148..156])
            )))
        }
        None => {
            return Err(LayerError::BadNumber {
                field: "checksum",
                offset,
                raw: escape(&b[148..156]),
            })
        }
    };
    if stored == unsigned || i64::try_from(stored).is_ok_and(|s| s == signed) {
        return Ok(());
    }
    if first && &b[257..262] != b"ustar" {
        return Err(not_tar(format!(
            "the first 512 bytes are not a tar header (no ustar magic, checksum {stored} ≠ {unsigned})"
        )));
    }
    Err(LayerError::TarChecksum {
        offset,
        stored,
        computed: unsigned,
    })
}

/// A plain octal field (leading/trailing spaces and NULs allowed), `None` if malformed.
fn parse_octal(field: &[u8]) -> Option<u64> {
    let trimmed = trim(field);
    let mut value: u64 = 0;
    for &c in trimmed {
        if !(b'0'..=b'7').contains(&c) {
            return None;
        }
        value = value.checked_mul(8)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(value)
}

fn trim(field: &[u8]) -> &[u8] {
    let is_pad = |c: &u8| *c == b' ' || *c == 0;
    let start = field.iter().position(|c| !is_pad(c)).unwrap_or(field.len());
    let end = field
        .iter()
        .rposition(|c| !is_pad(c))
        .map_or(start, |i| i + 1);
    &field[start..end]
}

/// A numeric header field: octal, or GNU base-256 when the high bit of the first byte is set
/// (0x80 positive, 0xff negative, two's complement). Values must fit in an i64.
fn parse_number(field: &[u8], name: &'static str, offset: u64) -> Result<i64, LayerError> {
    let overflow = || LayerError::NumberOverflow {
        field: name,
        offset,
        raw: escape(field),
    };
    if field.first().is_some_and(|&b| b & 0x80 != 0) {
        let negative = field[0] & 0x40 != 0;
        let inv = if negative { 0xff } else { 0 };
        let mut x: u64 = 0;
        for (i, &c) in field.iter().enumerate() {
            let mut c = c ^ inv;
            if i == 0 {
                c &= 0x7f;
            }
            if x >> 56 != 0 {
                return Err(overflow());
            }
            x = (x << 8) | u64::from(c);
        }
        if x >> 63 != 0 {
            return Err(overflow());
        }
        let x = x as i64;
        return Ok(if negative { !x } else { x });
    }
    let trimmed = trim(field);
    let mut value: u64 = 0;
    for &c in trimmed {
        if !(b'0'..=b'7').contains(&c) {
            return Err(LayerError::BadNumber {
                field: name,
                offset,
                raw: escape(field),
            });
        }
        value = value
            .checked_mul(8)
            .and_then(|v| v.checked_add(u64::from(c - b'0')))
            .ok_or_else(overflow)?;
    }
    i64::try_from(value).map_err(|_| overflow())
}

fn non_negative(value: i64, name: &'static str, offset: u64) -> Result<u64, LayerError> {
    u64::try_from(value).map_err(|_| LayerError::NegativeNumber {
        field: name,
        offset,
        value,
    })
}

fn escape(bytes: &[u8]) -> String {
    format!("\"{}\"", super::path::display(bytes))
}

/// Parses PAX extended header records: `"%d %s=%s\n"`, the length counting the whole record.
fn parse_pax(mut record: &[u8], offset: u64) -> Result<Pax, LayerError> {
    let bad = |reason: String| LayerError::BadPax { offset, reason };
    let mut pax = Pax::default();
    let mut sparse_map_seen = false;
    while !record.is_empty() {
        let space = record
            .iter()
            .take(21)
            .position(|&b| b == b' ')
            .ok_or_else(|| bad("record length not followed by a space".to_owned()))?;
        let len_text = &record[..space];
        if len_text.is_empty() || !len_text.iter().all(u8::is_ascii_digit) {
            return Err(bad(format!(
                "record length {} is not a number",
                escape(len_text)
            )));
        }
        let len = decimal(len_text)
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| bad(format!("record length {} overflows", escape(len_text))))?;
        if len <= space + 1 || len > record.len() {
            return Err(bad(format!(
                "record length {len} does not fit the {} bytes left",
                record.len()
            )));
        }
        let (this, rest) = record.split_at(len);
        record = rest;
        let body = &this[space + 1..];
        let Some(body) = body.strip_suffix(b"\n") else {
            return Err(bad(format!(
                "record of length {len} does not end with a newline"
            )));
        };
        let eq = body
            .iter()
            .position(|&b| b == b'=')
            .ok_or_else(|| bad(format!("record {} has no '='", escape(body))))?;
        let (key, value) = (&body[..eq], &body[eq + 1..]);
        let number = |v: &[u8]| -> Result<u64, LayerError> {
            decimal(v)
                .filter(|&n| i64::try_from(n).is_ok())
                .ok_or_else(|| {
                    bad(format!(
                        "{} is not a non-negative number: {}",
                        escape(key),
                        escape(v)
                    ))
                })
        };
        match key {
            b"path" => pax.path = Some(value.to_vec()),
            b"linkpath" => pax.linkpath = Some(value.to_vec()),
            b"size" => pax.size = Some(number(value)?),
            b"uid" => pax.uid = Some(number(value)?),
            b"gid" => pax.gid = Some(number(value)?),
            b"uname" => pax.uname = Some(value.to_vec()),
            b"gname" => pax.gname = Some(value.to_vec()),
            b"mtime" => {
                pax.mtime = Some(
                    parse_pax_time(value)
                        .ok_or_else(|| bad(format!("mtime {} is not a time", escape(value))))?,
                )
            }
            b"GNU.sparse.name" => {
                pax.sparse = true;
                pax.sparse_name = Some(value.to_vec());
            }
            b"GNU.sparse.realsize" | b"GNU.sparse.size" => {
                pax.sparse = true;
                pax.sparse_size = Some(number(value)?);
            }
            b"GNU.sparse.major" => {
                sparse_map_seen = true;
                pax.sparse_v1 = value == b"1";
            }
            b"GNU.sparse.map"
            | b"GNU.sparse.minor"
            | b"GNU.sparse.offset"
            | b"GNU.sparse.numbytes"
            | b"GNU.sparse.numblocks" => {
                sparse_map_seen = true;
            }
            _ => {}
        }
    }
    pax.sparse |= sparse_map_seen;
    Ok(pax)
}

/// Unsigned decimal digits (at least one, nothing else), `None` on overflow. One small
/// parser instead of `str::parse` for each integer type keeps the wasm smaller.
fn decimal(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &c| {
        if !c.is_ascii_digit() {
            return None;
        }
        n.checked_mul(10)?.checked_add(u64::from(c - b'0'))
    })
}

/// A PAX time: optional `-`, decimal seconds, optional `.fraction` (dropped, rounding down).
fn parse_pax_time(value: &[u8]) -> Option<i64> {
    let (secs, frac) = match value.iter().position(|&c| c == b'.') {
        Some(dot) => (&value[..dot], &value[dot + 1..]),
        None => (value, &[][..]),
    };
    if !frac.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let (negative, digits) = match secs.strip_prefix(b"-") {
        Some(d) => (true, d),
        None => (false, secs),
    };
    let whole = i64::try_from(decimal(digits)?).ok()?;
    let has_frac = frac.iter().any(|&c| c != b'0');
    Some(if negative {
        // -1.5 is 1.5 s before the epoch: floor is -2.
        -whole - i64::from(has_frac)
    } else {
        whole
    })
}

/// Lexical normalisation of a name: drops empty and `.` components (leading `./`, leading
/// `/`, trailing `/`, `a//b`), keeps `..`, and says what it saw.
pub(crate) fn normalise(name: &[u8]) -> (Vec<u8>, Flags) {
    let mut flags = Flags::default();
    if name.first() == Some(&b'/') {
        flags.insert(Flags::ABSOLUTE);
    }
    if std::str::from_utf8(name).is_err() {
        flags.insert(Flags::NON_UTF8);
    }
    let mut out = Vec::with_capacity(name.len());
    for part in name.split(|&b| b == b'/') {
        if part.is_empty() || part == b"." {
            continue;
        }
        if part == b".." {
            flags.insert(Flags::DOTDOT);
        }
        if !out.is_empty() {
            out.push(b'/');
        }
        out.extend_from_slice(part);
    }
    (out, flags)
}

/// Whether a link target leaves the root. A symlink is resolved from its own directory
/// (absolute targets are taken from the image root, where a container sees them); a hard
/// link names a path in the archive, so an absolute one or one climbing out is suspicious.
fn link_escapes(path: &[u8], target: &[u8], hard: bool) -> bool {
    if hard && target.first() == Some(&b'/') {
        return true;
    }
    let mut depth: i64 = if hard || target.first() == Some(&b'/') {
        0
    } else {
        // Components of the link's directory.
        let (dir, _) = split_last(path);
        dir.split(|&b| b == b'/').filter(|p| !p.is_empty()).count() as i64
    };
    for part in target.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => depth += 1,
        }
    }
    false
}

/// Flags every entry whose path an earlier entry of the same layer already had.
fn mark_duplicates(entries: &mut [Entry]) {
    let mut seen = std::collections::HashSet::with_capacity(entries.len());
    let mut dups = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if !seen.insert(e.path()) {
            dups.push(i);
        }
    }
    for i in dups {
        if let Some(e) = entries.get_mut(i) {
            e.flags.insert(Flags::DUPLICATE);
        }
    }
}
