//! The messages between the page and the layer worker, and their wire format.
//!
//! The page and the worker share only this module: plain data types and a small binary codec,
//! so the page never links a decoder, a tar walker or a hash of blobs (see ARCHITECTURE in the
//! README). Every message is one `Uint8Array` (plus, for a dropped file, the `File` object,
//! and for file contents, a transferred buffer), encoded here and decoded on the other side.
//!
//! Pure: the codec is tested natively; a malformed message is a [`WireError`], never a panic.

use thiserror::Error;

use crate::oci::Digest;

/// Where the worker reads a blob from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A registry URL; `authorization` is the header the page's session settled on (sent to
    /// this URL only; the browser drops it on a cross-origin redirect).
    Url {
        url: String,
        authorization: Option<String>,
    },
    /// The `File` object sent along with the message (a layer opened from disk).
    File { name: String },
    /// A blob inside the archive opened under the key `archive` ([`Request::OpenArchive`]):
    /// its slice of the file (from the archive worker's [`Request::ArchiveBlob`]) is sent
    /// along like a `File`; `archive` and `digest` name it in messages.
    Archive { archive: String, digest: Digest },
}

/// Limits a person may raise for the session (the worker's defaults otherwise).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CapsMsg {
    pub max_entries: u64,
    pub max_output: u64,
    pub max_ratio: u64,
}

/// What the page asks of the worker. `job` numbers the reply stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// Reads a blob; as a layer it is decompressed and its tar listed. Kept under `key`.
    Open {
        job: u32,
        key: String,
        source: Source,
        expected: Option<(Digest, u64)>,
        diff_id: Option<Digest>,
        as_layer: bool,
        caps: CapsMsg,
        /// Hash each regular file of the layer (the file diff compares contents).
        hash_files: bool,
    },
    /// Stops the job `job` (a running download).
    Cancel { job: u32 },
    /// One page of rows: of one layer (`keys` has one entry) or of the merged filesystem of
    /// the layers `keys`, lowest first.
    List {
        job: u32,
        keys: Vec<String>,
        query: ListQuery,
    },
    /// The content of one entry (up to `max` bytes): of the layer `keys[0]`, or, with several
    /// keys, of the merged filesystem (the topmost layer that has it and did not delete it).
    ReadFile {
        job: u32,
        keys: Vec<String>,
        path: Vec<u8>,
        max: u64,
    },
    /// The whole verified blob `key`, to save as a file.
    Blob { job: u32, key: String },
    /// Figures about the image formed by `keys`: per-layer changes and where the bytes went.
    Analyse { job: u32, keys: Vec<String> },
    /// Forgets the bytes of every kept blob (listings stay; files are then read by
    /// downloading their layer again).
    Clear { job: u32 },
    /// The files that differ between the merged filesystems of the layers `left` and of the
    /// layers `right` (each lowest first, all open), at most `limit` rows.
    DiffFiles {
        job: u32,
        left: Vec<String>,
        right: Vec<String>,
        compare_mtime: bool,
        limit: u32,
    },
    /// Opens an image archive from disk under `key`, reading only its tar headers and
    /// documents. Sent along: the `File` (a `.tar`; `paths` is empty) or an array of `File`s
    /// of a folder, one per entry of `paths` (relative, `/`-separated), in the same order.
    OpenArchive {
        job: u32,
        key: String,
        paths: Vec<String>,
    },
    /// A document blob (manifest, index, config) of the archive `archive`, verified.
    ReadDocument {
        job: u32,
        archive: String,
        digest: Digest,
    },
    /// Where blob `digest` of the archive `archive` lies: answered by the archive worker with
    /// [`Reply::Blob`] and the blob's slice of the file (a JS `Blob`, not its bytes) beside
    /// it, which the page then sends to the layer worker with an `Open` of
    /// [`Source::Archive`]. Nothing is read or verified here: the layer worker verifies.
    ArchiveBlob {
        job: u32,
        archive: String,
        digest: Digest,
    },
}

/// How the rows of a listing are chosen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// Case-insensitive substring of the shown path.
    pub text: String,
    /// Only paths under this prefix (bytes, no leading `/`).
    pub prefix: Vec<u8>,
    pub sort_by_size: bool,
    /// Also rows that a later layer deleted or overwrote (merged view).
    pub show_hidden: bool,
    /// Only entries of this layer (merged view: "this layer only"), or with `up_to` the
    /// filesystem after this layer (dive's aggregated view).
    pub layer: Option<u32>,
    pub up_to: bool,
    pub offset: u64,
    pub limit: u32,
}

/// What the worker tells the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// The worker's wasm is loaded: messages sent before this one would have been dropped.
    Ready,
    Progress {
        job: u32,
        received: u64,
        total: Option<u64>,
        uncompressed: u64,
        entries: u64,
    },
    Opened {
        job: u32,
        summary: Summary,
    },
    Rows {
        job: u32,
        total: u64,
        rows: Vec<Row>,
    },
    /// File content; the bytes travel as a transferred buffer beside the message.
    File {
        job: u32,
        size: u64,
        sha256: Option<Digest>,
        truncated: bool,
    },
    /// The blob's bytes travel as a transferred buffer beside the message.
    Blob {
        job: u32,
        size: u64,
    },
    Analysis {
        job: u32,
        analysis: Analysis,
    },
    Cleared {
        job: u32,
        freed: u64,
    },
    Failed {
        job: u32,
        error: String,
        /// The read stopped at one of the caps (a person may raise them and retry).
        cap: bool,
    },
    FileDiff {
        job: u32,
        diff: FileDiffMsg,
    },
    /// An archive was opened (it may still have problems, each in the summary).
    Archive {
        job: u32,
        archive: ArchiveSummary,
    },
    /// The file is readable but no image archive (a plain layer tar, a compressed file):
    /// the page shows it as a layer instead.
    NotAnArchive {
        job: u32,
        reason: String,
    },
    /// A verified document; its bytes travel as a transferred buffer beside the message.
    Document {
        job: u32,
        digest: Digest,
        /// Made up by the reader for a legacy `docker save` entry (no registry served it).
        synthesized: bool,
    },
}

/// The file diff of two merged filesystems: the counts and bytes of all of it, and the
/// rows with the largest size change first (added and removed files count their size).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileDiffMsg {
    pub added: u64,
    pub removed: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub added_bytes: u64,
    pub removed_bytes: u64,
    /// Net size change from left to right, in bytes.
    pub delta: i64,
    pub rows: Vec<DiffRow>,
}

/// One path that differs: added (only `right`), removed (only `left`) or changed (both, with
/// the names of the attributes that differ).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffRow {
    pub path: Vec<u8>,
    pub shown: String,
    pub left: Option<FileSide>,
    pub right: Option<FileSide>,
    pub changed: Vec<String>,
}

/// A path's facts on one side, ready to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileSide {
    /// The `ls -l` type letter.
    pub kind: char,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
    pub link: Option<String>,
    pub content: Option<Digest>,
}

impl Reply {
    /// The job the reply belongs to (`None` for [`Reply::Ready`]).
    pub fn job(&self) -> Option<u32> {
        match self {
            Reply::Ready => None,
            Reply::Progress { job, .. }
            | Reply::Opened { job, .. }
            | Reply::Rows { job, .. }
            | Reply::File { job, .. }
            | Reply::Blob { job, .. }
            | Reply::Analysis { job, .. }
            | Reply::Cleared { job, .. }
            | Reply::Failed { job, .. }
            | Reply::FileDiff { job, .. }
            | Reply::Archive { job, .. }
            | Reply::NotAnArchive { job, .. }
            | Reply::Document { job, .. } => Some(*job),
        }
    }
}

/// The verdict on a read blob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub key: String,
    /// `gzip`, `zstd`, `tar` (uncompressed), or `blob` (not read as a layer).
    pub compression: String,
    pub size: u64,
    /// The digest the bytes hash to.
    pub digest: Digest,
    /// Whether that equals the digest the blob was addressed by (`None`: nothing to compare).
    pub digest_verified: Option<bool>,
    pub diff_id: Option<Digest>,
    pub diff_id_verified: Option<bool>,
    pub uncompressed: u64,
    pub entries: u64,
    pub warnings: Vec<String>,
    /// Bytes the worker keeps in memory now, over all blobs.
    pub kept: u64,
    /// The worker's whole wasm memory after the read: wasm memory never shrinks, so this is
    /// its peak so far.
    pub memory: u64,
}

/// One row of a listing, ready to show (`ls -l` columns).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Row {
    /// The path as raw bytes (for reading the file) and as shown (escaped).
    pub path: Vec<u8>,
    pub shown: String,
    /// `-` file, `d` dir, `l` symlink, `h` hard link, `c`/`b` devices, `p` fifo, `?` other.
    pub kind: char,
    /// The `ls -l` mode column and the modification time (UTC), formatted by the worker so
    /// the page carries no formatting code.
    pub mode: String,
    pub mtime: String,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
    pub link: Option<String>,
    /// Index of the layer that put the entry there (merged view; 0 for one layer).
    pub layer: u32,
    pub state: RowState,
    /// What the layer in view did to the path (a merged view scoped to one layer).
    pub mark: Option<Mark>,
    /// Problems the walker flagged (absolute path, `..`, duplicate, device file, …).
    pub flags: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RowState {
    #[default]
    Live,
    /// Deleted by a whiteout in layer `by`.
    Deleted { by: u32 },
    /// Replaced by the entry of the same path in layer `by`.
    Overwritten { by: u32 },
    /// A whiteout marker itself.
    Whiteout,
}

/// dive's marks: relative to the layers below, the layer in view added, modified or removed
/// the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Added,
    Modified,
    Removed,
}

impl Mark {
    pub fn name(self) -> &'static str {
        match self {
            Mark::Added => "added",
            Mark::Modified => "modified",
            Mark::Removed => "removed",
        }
    }
}

/// Per-layer changes and where the bytes went, for the merged view.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Analysis {
    pub layers: Vec<LayerFigures>,
    /// dive's efficiency score in parts per million.
    pub efficiency_ppm: u32,
    pub total_bytes: u64,
    pub reclaimable_bytes: u64,
    pub culprits: Vec<Culprit>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LayerFigures {
    pub added: u64,
    pub modified: u64,
    pub removed: u64,
    pub bytes: u64,
    /// Bytes of this layer's files that a later layer overwrites or deletes.
    pub reclaimable: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Culprit {
    pub shown: String,
    pub reclaimable: u64,
    /// (layer, size) of every copy, lowest layer first.
    pub copies: Vec<(u32, u64)>,
}

/// What an opened archive holds, as the page shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ArchiveSummary {
    pub key: String,
    /// `OCI image layout`, `docker save`, or `docker save (Docker 25+, OCI layout)`.
    pub format: String,
    /// The tags, then the untagged top-level images and indexes.
    pub entries: Vec<ArchiveEntry>,
    /// Every problem found while opening, each its own message.
    pub problems: Vec<String>,
    /// Files in the tar or folder (directories not counted), and of them blobs by digest.
    pub files: u64,
    pub blobs: u64,
    /// The archive's size, and the bytes read to open it.
    pub size: u64,
    pub read: u64,
}

/// One top-level image or index of an archive.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ArchiveEntry {
    /// The tag (`None`: an untagged entry).
    pub tag: Option<String>,
    /// Where the tag came from: `index.json` or `manifest.json`.
    pub from: String,
    pub digest: Option<Digest>,
    pub media_type: Option<String>,
    pub size: Option<u64>,
    pub platform: Option<String>,
    pub synthesized: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum WireError {
    #[error("message ends early (at byte {0})")]
    Truncated(usize),
    #[error("unknown message tag {tag} at byte {at}")]
    UnknownTag { tag: u8, at: usize },
    #[error("a text field is not UTF-8 (at byte {0})")]
    NotUtf8(usize),
    #[error("a digest field does not parse: {0}")]
    BadDigest(String),
    #[error("{0} trailing bytes after the message")]
    Trailing(usize),
    #[error("a list claims {0} items, more than the message could hold")]
    TooMany(u64),
}

// ---------------------------------------------------------------------------------------
// The codec: little-endian LEB128 varints, zigzag for signed, length-prefixed bytes. Small,
// so it costs the page almost nothing, and explicit, so both sides agree by construction.

#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn u64(&mut self, mut v: u64) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.0.push(byte);
                return;
            }
            self.0.push(byte | 0x80);
        }
    }
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    /// Zigzag: small negative numbers stay small.
    fn i64(&mut self, v: i64) {
        self.u64(((v << 1) ^ (v >> 63)) as u64);
    }
    fn bool(&mut self, v: bool) {
        self.0.push(u8::from(v));
    }
    fn bytes(&mut self, v: &[u8]) {
        self.u64(v.len() as u64);
        self.0.extend_from_slice(v);
    }
    fn str(&mut self, v: &str) {
        self.bytes(v.as_bytes());
    }
    fn opt<T>(&mut self, v: &Option<T>, f: impl FnOnce(&mut Self, &T)) {
        match v {
            None => self.u8(0),
            Some(x) => {
                self.u8(1);
                f(self, x);
            }
        }
    }
    fn digest(&mut self, d: &Digest) {
        self.str(&d.to_string());
    }
    fn list<T>(&mut self, items: &[T], mut f: impl FnMut(&mut Self, &T)) {
        self.u64(items.len() as u64);
        for item in items {
            f(self, item);
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn u8(&mut self) -> Result<u8, WireError> {
        let b = *self
            .bytes
            .get(self.at)
            .ok_or(WireError::Truncated(self.at))?;
        self.at += 1;
        Ok(b)
    }
    fn u64(&mut self) -> Result<u64, WireError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(WireError::Truncated(self.at))
    }
    fn u32(&mut self) -> Result<u32, WireError> {
        let at = self.at;
        u32::try_from(self.u64()?).map_err(|_| WireError::Truncated(at))
    }
    fn bool(&mut self) -> Result<bool, WireError> {
        Ok(self.u8()? != 0)
    }
    fn i64(&mut self) -> Result<i64, WireError> {
        let v = self.u64()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }
    fn bytes(&mut self) -> Result<&'a [u8], WireError> {
        let len = self.u64()?;
        let end = usize::try_from(len)
            .ok()
            .and_then(|l| self.at.checked_add(l))
            .filter(|&end| end <= self.bytes.len())
            .ok_or(WireError::Truncated(self.at))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn string(&mut self) -> Result<String, WireError> {
        let at = self.at;
        std::str::from_utf8(self.bytes()?)
            .map(str::to_owned)
            .map_err(|_| WireError::NotUtf8(at))
    }
    fn opt<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, WireError>,
    ) -> Result<Option<T>, WireError> {
        Ok(if self.bool()? { Some(f(self)?) } else { None })
    }
    fn digest(&mut self) -> Result<Digest, WireError> {
        let text = self.string()?;
        text.parse().map_err(|_| WireError::BadDigest(text))
    }
    fn list<T>(
        &mut self,
        mut f: impl FnMut(&mut Self) -> Result<T, WireError>,
    ) -> Result<Vec<T>, WireError> {
        let n = self.u64()?;
        // Every item takes at least one byte: a count beyond the rest is a lie, not a reason
        // to reserve memory.
        if n > (self.bytes.len() - self.at) as u64 {
            return Err(WireError::TooMany(n));
        }
        (0..n).map(|_| f(self)).collect()
    }
    fn end(self) -> Result<(), WireError> {
        match self.bytes.len() - self.at {
            0 => Ok(()),
            n => Err(WireError::Trailing(n)),
        }
    }
}

fn decode<T>(
    bytes: &[u8],
    f: impl FnOnce(&mut Reader) -> Result<T, WireError>,
) -> Result<T, WireError> {
    let mut r = Reader { bytes, at: 0 };
    let value = f(&mut r)?;
    r.end()?;
    Ok(value)
}

impl Request {
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        match self {
            Request::Open {
                job,
                key,
                source,
                expected,
                diff_id,
                as_layer,
                caps,
                hash_files,
            } => {
                w.u8(1);
                w.u64((*job).into());
                w.str(key);
                match source {
                    Source::Url { url, authorization } => {
                        w.u8(0);
                        w.str(url);
                        w.opt(authorization, |w, a| w.str(a));
                    }
                    Source::File { name } => {
                        w.u8(1);
                        w.str(name);
                    }
                    Source::Archive { archive, digest } => {
                        w.u8(2);
                        w.str(archive);
                        w.digest(digest);
                    }
                }
                w.opt(expected, |w, (d, s)| {
                    w.digest(d);
                    w.u64(*s);
                });
                w.opt(diff_id, Writer::digest);
                w.bool(*as_layer);
                w.u64(caps.max_entries);
                w.u64(caps.max_output);
                w.u64(caps.max_ratio);
                w.bool(*hash_files);
            }
            Request::Cancel { job } => {
                w.u8(2);
                w.u64((*job).into());
            }
            Request::List { job, keys, query } => {
                w.u8(3);
                w.u64((*job).into());
                w.list(keys, |w, k| w.str(k));
                w.str(&query.text);
                w.bytes(&query.prefix);
                w.bool(query.sort_by_size);
                w.bool(query.show_hidden);
                w.opt(&query.layer, |w, l| w.u64((*l).into()));
                w.bool(query.up_to);
                w.u64(query.offset);
                w.u64(query.limit.into());
            }
            Request::ReadFile {
                job,
                keys,
                path,
                max,
            } => {
                w.u8(4);
                w.u64((*job).into());
                w.list(keys, |w, k| w.str(k));
                w.bytes(path);
                w.u64(*max);
            }
            Request::Blob { job, key } => {
                w.u8(5);
                w.u64((*job).into());
                w.str(key);
            }
            Request::Analyse { job, keys } => {
                w.u8(6);
                w.u64((*job).into());
                w.list(keys, |w, k| w.str(k));
            }
            Request::Clear { job } => {
                w.u8(7);
                w.u64((*job).into());
            }
            Request::DiffFiles {
                job,
                left,
                right,
                compare_mtime,
                limit,
            } => {
                w.u8(8);
                w.u64((*job).into());
                w.list(left, |w, k| w.str(k));
                w.list(right, |w, k| w.str(k));
                w.bool(*compare_mtime);
                w.u64((*limit).into());
            }
            Request::OpenArchive { job, key, paths } => {
                w.u8(9);
                w.u64((*job).into());
                w.str(key);
                w.list(paths, |w, p| w.str(p));
            }
            Request::ReadDocument {
                job,
                archive,
                digest,
            } => {
                w.u8(10);
                w.u64((*job).into());
                w.str(archive);
                w.digest(digest);
            }
            Request::ArchiveBlob {
                job,
                archive,
                digest,
            } => {
                w.u8(11);
                w.u64((*job).into());
                w.str(archive);
                w.digest(digest);
            }
        }
        w.0
    }

    pub fn decode(bytes: &[u8]) -> Result<Request, WireError> {
        decode(bytes, |r| {
            let tag = r.u8()?;
            Ok(match tag {
                1 => Request::Open {
                    job: r.u32()?,
                    key: r.string()?,
                    source: match r.u8()? {
                        0 => Source::Url {
                            url: r.string()?,
                            authorization: r.opt(Reader::string)?,
                        },
                        1 => Source::File { name: r.string()? },
                        2 => Source::Archive {
                            archive: r.string()?,
                            digest: r.digest()?,
                        },
                        tag => return Err(WireError::UnknownTag { tag, at: r.at - 1 }),
                    },
                    expected: r.opt(|r| Ok((r.digest()?, r.u64()?)))?,
                    diff_id: r.opt(Reader::digest)?,
                    as_layer: r.bool()?,
                    caps: CapsMsg {
                        max_entries: r.u64()?,
                        max_output: r.u64()?,
                        max_ratio: r.u64()?,
                    },
                    hash_files: r.bool()?,
                },
                2 => Request::Cancel { job: r.u32()? },
                3 => Request::List {
                    job: r.u32()?,
                    keys: r.list(Reader::string)?,
                    query: ListQuery {
                        text: r.string()?,
                        prefix: r.bytes()?.to_vec(),
                        sort_by_size: r.bool()?,
                        show_hidden: r.bool()?,
                        layer: r.opt(Reader::u32)?,
                        up_to: r.bool()?,
                        offset: r.u64()?,
                        limit: r.u32()?,
                    },
                },
                4 => Request::ReadFile {
                    job: r.u32()?,
                    keys: r.list(Reader::string)?,
                    path: r.bytes()?.to_vec(),
                    max: r.u64()?,
                },
                5 => Request::Blob {
                    job: r.u32()?,
                    key: r.string()?,
                },
                6 => Request::Analyse {
                    job: r.u32()?,
                    keys: r.list(Reader::string)?,
                },
                7 => Request::Clear { job: r.u32()? },
                8 => Request::DiffFiles {
                    job: r.u32()?,
                    left: r.list(Reader::string)?,
                    right: r.list(Reader::string)?,
                    compare_mtime: r.bool()?,
                    limit: r.u32()?,
                },
                9 => Request::OpenArchive {
                    job: r.u32()?,
                    key: r.string()?,
                    paths: r.list(Reader::string)?,
                },
                10 => Request::ReadDocument {
                    job: r.u32()?,
                    archive: r.string()?,
                    digest: r.digest()?,
                },
                11 => Request::ArchiveBlob {
                    job: r.u32()?,
                    archive: r.string()?,
                    digest: r.digest()?,
                },
                tag => return Err(WireError::UnknownTag { tag, at: 0 }),
            })
        })
    }
}

fn write_side(w: &mut Writer, s: &FileSide) {
    w.u64(u64::from(u32::from(s.kind)));
    w.u64(s.mode.into());
    w.u64(s.uid);
    w.u64(s.gid);
    w.u64(s.size);
    w.opt(&s.link, |w, l| w.str(l));
    w.opt(&s.content, Writer::digest);
}

fn read_side(r: &mut Reader) -> Result<FileSide, WireError> {
    Ok(FileSide {
        kind: char::from_u32(r.u32()?).unwrap_or('?'),
        mode: r.u32()?,
        uid: r.u64()?,
        gid: r.u64()?,
        size: r.u64()?,
        link: r.opt(Reader::string)?,
        content: r.opt(Reader::digest)?,
    })
}

fn write_row(w: &mut Writer, row: &Row) {
    w.bytes(&row.path);
    w.str(&row.shown);
    w.u64(u64::from(u32::from(row.kind)));
    w.str(&row.mode);
    w.str(&row.mtime);
    w.u64(row.uid);
    w.u64(row.gid);
    w.u64(row.size);
    w.opt(&row.link, |w, l| w.str(l));
    w.u64(row.layer.into());
    match row.state {
        RowState::Live => w.u8(0),
        RowState::Deleted { by } => {
            w.u8(1);
            w.u64(by.into());
        }
        RowState::Overwritten { by } => {
            w.u8(2);
            w.u64(by.into());
        }
        RowState::Whiteout => w.u8(3),
    }
    w.u8(match row.mark {
        None => 0,
        Some(Mark::Added) => 1,
        Some(Mark::Modified) => 2,
        Some(Mark::Removed) => 3,
    });
    w.list(&row.flags, |w, f| w.str(f));
}

fn read_row(r: &mut Reader) -> Result<Row, WireError> {
    Ok(Row {
        path: r.bytes()?.to_vec(),
        shown: r.string()?,
        kind: char::from_u32(r.u32()?).unwrap_or('?'),
        mode: r.string()?,
        mtime: r.string()?,
        uid: r.u64()?,
        gid: r.u64()?,
        size: r.u64()?,
        link: r.opt(Reader::string)?,
        layer: r.u32()?,
        state: match r.u8()? {
            0 => RowState::Live,
            1 => RowState::Deleted { by: r.u32()? },
            2 => RowState::Overwritten { by: r.u32()? },
            3 => RowState::Whiteout,
            tag => return Err(WireError::UnknownTag { tag, at: r.at - 1 }),
        },
        mark: match r.u8()? {
            0 => None,
            1 => Some(Mark::Added),
            2 => Some(Mark::Modified),
            3 => Some(Mark::Removed),
            tag => return Err(WireError::UnknownTag { tag, at: r.at - 1 }),
        },
        flags: r.list(Reader::string)?,
    })
}

impl Reply {
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        match self {
            Reply::Ready => w.u8(0),
            Reply::Progress {
                job,
                received,
                total,
                uncompressed,
                entries,
            } => {
                w.u8(1);
                w.u64((*job).into());
                w.u64(*received);
                w.opt(total, |w, t| w.u64(*t));
                w.u64(*uncompressed);
                w.u64(*entries);
            }
            Reply::Opened { job, summary: s } => {
                w.u8(2);
                w.u64((*job).into());
                w.str(&s.key);
                w.str(&s.compression);
                w.u64(s.size);
                w.digest(&s.digest);
                w.opt(&s.digest_verified, |w, v| w.bool(*v));
                w.opt(&s.diff_id, Writer::digest);
                w.opt(&s.diff_id_verified, |w, v| w.bool(*v));
                w.u64(s.uncompressed);
                w.u64(s.entries);
                w.list(&s.warnings, |w, x| w.str(x));
                w.u64(s.kept);
                w.u64(s.memory);
            }
            Reply::Rows { job, total, rows } => {
                w.u8(3);
                w.u64((*job).into());
                w.u64(*total);
                w.list(rows, write_row);
            }
            Reply::File {
                job,
                size,
                sha256,
                truncated,
            } => {
                w.u8(4);
                w.u64((*job).into());
                w.u64(*size);
                w.opt(sha256, Writer::digest);
                w.bool(*truncated);
            }
            Reply::Blob { job, size } => {
                w.u8(5);
                w.u64((*job).into());
                w.u64(*size);
            }
            Reply::Analysis { job, analysis: a } => {
                w.u8(6);
                w.u64((*job).into());
                w.list(&a.layers, |w, l| {
                    w.u64(l.added);
                    w.u64(l.modified);
                    w.u64(l.removed);
                    w.u64(l.bytes);
                    w.u64(l.reclaimable);
                });
                w.u64(a.efficiency_ppm.into());
                w.u64(a.total_bytes);
                w.u64(a.reclaimable_bytes);
                w.list(&a.culprits, |w, c| {
                    w.str(&c.shown);
                    w.u64(c.reclaimable);
                    w.list(&c.copies, |w, (l, s)| {
                        w.u64((*l).into());
                        w.u64(*s);
                    });
                });
            }
            Reply::Cleared { job, freed } => {
                w.u8(7);
                w.u64((*job).into());
                w.u64(*freed);
            }
            Reply::Failed { job, error, cap } => {
                w.u8(8);
                w.u64((*job).into());
                w.str(error);
                w.bool(*cap);
            }
            Reply::FileDiff { job, diff: d } => {
                w.u8(9);
                w.u64((*job).into());
                for n in [d.added, d.removed, d.changed, d.unchanged] {
                    w.u64(n);
                }
                w.u64(d.added_bytes);
                w.u64(d.removed_bytes);
                w.i64(d.delta);
                w.list(&d.rows, |w, row| {
                    w.bytes(&row.path);
                    w.str(&row.shown);
                    w.opt(&row.left, write_side);
                    w.opt(&row.right, write_side);
                    w.list(&row.changed, |w, c| w.str(c));
                });
            }
            Reply::Archive { job, archive: a } => {
                w.u8(10);
                w.u64((*job).into());
                w.str(&a.key);
                w.str(&a.format);
                w.list(&a.entries, |w, e| {
                    w.opt(&e.tag, |w, t| w.str(t));
                    w.str(&e.from);
                    w.opt(&e.digest, Writer::digest);
                    w.opt(&e.media_type, |w, m| w.str(m));
                    w.opt(&e.size, |w, s| w.u64(*s));
                    w.opt(&e.platform, |w, p| w.str(p));
                    w.bool(e.synthesized);
                });
                w.list(&a.problems, |w, p| w.str(p));
                w.u64(a.files);
                w.u64(a.blobs);
                w.u64(a.size);
                w.u64(a.read);
            }
            Reply::NotAnArchive { job, reason } => {
                w.u8(11);
                w.u64((*job).into());
                w.str(reason);
            }
            Reply::Document {
                job,
                digest,
                synthesized,
            } => {
                w.u8(12);
                w.u64((*job).into());
                w.digest(digest);
                w.bool(*synthesized);
            }
        }
        w.0
    }

    pub fn decode(bytes: &[u8]) -> Result<Reply, WireError> {
        decode(bytes, |r| {
            let tag = r.u8()?;
            Ok(match tag {
                0 => Reply::Ready,
                1 => Reply::Progress {
                    job: r.u32()?,
                    received: r.u64()?,
                    total: r.opt(Reader::u64)?,
                    uncompressed: r.u64()?,
                    entries: r.u64()?,
                },
                2 => Reply::Opened {
                    job: r.u32()?,
                    summary: Summary {
                        key: r.string()?,
                        compression: r.string()?,
                        size: r.u64()?,
                        digest: r.digest()?,
                        digest_verified: r.opt(Reader::bool)?,
                        diff_id: r.opt(Reader::digest)?,
                        diff_id_verified: r.opt(Reader::bool)?,
                        uncompressed: r.u64()?,
                        entries: r.u64()?,
                        warnings: r.list(Reader::string)?,
                        kept: r.u64()?,
                        memory: r.u64()?,
                    },
                },
                3 => Reply::Rows {
                    job: r.u32()?,
                    total: r.u64()?,
                    rows: r.list(read_row)?,
                },
                4 => Reply::File {
                    job: r.u32()?,
                    size: r.u64()?,
                    sha256: r.opt(Reader::digest)?,
                    truncated: r.bool()?,
                },
                5 => Reply::Blob {
                    job: r.u32()?,
                    size: r.u64()?,
                },
                6 => Reply::Analysis {
                    job: r.u32()?,
                    analysis: Analysis {
                        layers: r.list(|r| {
                            Ok(LayerFigures {
                                added: r.u64()?,
                                modified: r.u64()?,
                                removed: r.u64()?,
                                bytes: r.u64()?,
                                reclaimable: r.u64()?,
                            })
                        })?,
                        efficiency_ppm: r.u32()?,
                        total_bytes: r.u64()?,
                        reclaimable_bytes: r.u64()?,
                        culprits: r.list(|r| {
                            Ok(Culprit {
                                shown: r.string()?,
                                reclaimable: r.u64()?,
                                copies: r.list(|r| Ok((r.u32()?, r.u64()?)))?,
                            })
                        })?,
                    },
                },
                7 => Reply::Cleared {
                    job: r.u32()?,
                    freed: r.u64()?,
                },
                8 => Reply::Failed {
                    job: r.u32()?,
                    error: r.string()?,
                    cap: r.bool()?,
                },
                9 => Reply::FileDiff {
                    job: r.u32()?,
                    diff: FileDiffMsg {
                        added: r.u64()?,
                        removed: r.u64()?,
                        changed: r.u64()?,
                        unchanged: r.u64()?,
                        added_bytes: r.u64()?,
                        removed_bytes: r.u64()?,
                        delta: r.i64()?,
                        rows: r.list(|r| {
                            Ok(DiffRow {
                                path: r.bytes()?.to_vec(),
                                shown: r.string()?,
                                left: r.opt(read_side)?,
                                right: r.opt(read_side)?,
                                changed: r.list(Reader::string)?,
                            })
                        })?,
                    },
                },
                10 => Reply::Archive {
                    job: r.u32()?,
                    archive: ArchiveSummary {
                        key: r.string()?,
                        format: r.string()?,
                        entries: r.list(|r| {
                            Ok(ArchiveEntry {
                                tag: r.opt(Reader::string)?,
                                from: r.string()?,
                                digest: r.opt(Reader::digest)?,
                                media_type: r.opt(Reader::string)?,
                                size: r.opt(Reader::u64)?,
                                platform: r.opt(Reader::string)?,
                                synthesized: r.bool()?,
                            })
                        })?,
                        problems: r.list(Reader::string)?,
                        files: r.u64()?,
                        blobs: r.u64()?,
                        size: r.u64()?,
                        read: r.u64()?,
                    },
                },
                11 => Reply::NotAnArchive {
                    job: r.u32()?,
                    reason: r.string()?,
                },
                12 => Reply::Document {
                    job: r.u32()?,
                    digest: r.digest()?,
                    synthesized: r.bool()?,
                },
                tag => return Err(WireError::UnknownTag { tag, at: 0 }),
            })
        })
    }
}
