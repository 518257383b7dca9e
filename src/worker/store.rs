//! What the worker keeps between requests: verified blobs (up to a memory budget) and layer
//! listings, by key; and the answers to requests about them.

use std::sync::Arc;

use super::io::Spill;
use super::keyed::Keyed;
use crate::jobs::{self, CapsMsg, ListQuery, Reply, Request, RowState, Summary};
use crate::layer::changes::{efficiency, layer_changes};
use crate::layer::path::display;
use crate::layer::tree::Tree;
use crate::layer::view::{self, Index, Query, Scope, Sort};
use crate::layer::{
    Caps, Capture, CaptureTarget, DigestVerdict, Entry, Flags, LayerError, LayerRead, LayerReader,
    Listing, ReadOptions,
};
use crate::oci::{Digest, Hasher, Verifier, VerifyError};

/// Blobs up to this size are kept, so viewing a file or saving the blob needs no second
/// download; bigger ones keep only their listing.
const KEEP_ONE: u64 = 128 << 20;
/// All kept blobs together; the oldest are dropped first.
const KEEP_ALL: u64 = 256 << 20;
/// All blobs kept by the browser ([`Spill`]) together; the oldest are dropped first.
const SPILL_ALL: u64 = 4 << 30;

/// What a read is for.
pub struct Open {
    pub key: String,
    pub expected: Option<(Digest, u64)>,
    pub diff_id: Option<Digest>,
    pub as_layer: bool,
    pub caps: CapsMsg,
    /// Hash each regular file (for the file diff).
    pub hash_files: bool,
    /// Keep one entry's content (reading a file out of a blob that is not kept).
    pub capture: Option<Capture>,
    /// Where the blob came from, to read it again for a file when it is too big to keep.
    pub origin: Option<(jobs::Source, wasm_bindgen::JsValue)>,
}

/// Answering a file request: done from the kept blob, or by reading the blob again.
pub enum FileRead {
    Done(Reply, Vec<u8>),
    Again {
        source: jobs::Source,
        file: wasm_bindgen::JsValue,
        open: Open,
        max: u64,
    },
}

/// The reply for a file read whole: its size and sha256, and up to `max` of its bytes.
pub fn file_reply(job: u32, mut bytes: Vec<u8>, max: u64) -> (Reply, Vec<u8>) {
    let sha256 = Digest::sha256(&bytes);
    let size = bytes.len() as u64;
    let truncated = size > max;
    bytes.truncate(usize::try_from(max).unwrap_or(usize::MAX));
    (
        Reply::File {
            job,
            size,
            sha256: Some(sha256),
            truncated,
        },
        bytes,
    )
}

struct Kept {
    summary: Summary,
    blob: Option<Vec<u8>>,
    /// The files, for a verified (or, from disk, unverifiable) layer; shared with the trees
    /// built over it.
    listing: Option<Arc<Listing>>,
    origin: Option<(jobs::Source, wasm_bindgen::JsValue)>,
    /// A verified blob too big to keep here, kept by the browser (and its size).
    spilled: Option<(web_sys::Blob, u64)>,
    /// The caps it was read with (a second read for a file uses them again).
    caps: CapsMsg,
    /// Insertion order, for dropping the oldest blob first.
    age: u64,
}

#[derive(Default)]
pub struct Store {
    kept: Keyed<Kept>,
    clock: u64,
    /// The last merged tree asked about (one layer's listing is a tree of one layer), with
    /// its sorted index: paging and filtering then cost one pass, not a merge.
    view: Option<(Vec<String>, Tree, Index)>,
}

/// A file read out of a kept layer is captured whole (to hash it) up to this size.
const MAX_FILE: u64 = 512 << 20;

const FLAG_NAMES: &[(Flags, &str)] = &[
    (Flags::ABSOLUTE, "absolute path"),
    (Flags::DOTDOT, "“..” in the path"),
    (Flags::DUPLICATE, "duplicate path"),
    (Flags::DEVICE, "device file"),
    (Flags::SPARSE, "sparse"),
    (Flags::NON_UTF8, "not UTF-8"),
    (Flags::LINK_ESCAPES, "link leaves the root"),
];

fn row(entry: &Entry, r: &view::Row) -> jobs::Row {
    let (layer, state) = (r.layer, r.state);
    jobs::Row {
        path: entry.path().to_vec(),
        shown: display(entry.path()),
        kind: entry.kind.letter(),
        mode: entry.mode_string(),
        mtime: entry.mtime_utc(),
        uid: entry.uid(),
        gid: entry.gid(),
        size: entry.size,
        link: entry.link().map(display),
        layer,
        state: match state {
            view::RowState::Live => RowState::Live,
            view::RowState::Overwritten { by } => RowState::Overwritten { by },
            view::RowState::Deleted { by } => RowState::Deleted { by },
            view::RowState::Whiteout => RowState::Whiteout,
        },
        mark: r.mark.map(|m| match m {
            view::Mark::Added => jobs::Mark::Added,
            view::Mark::Modified => jobs::Mark::Modified,
            view::Mark::Removed => jobs::Mark::Removed,
        }),
        flags: FLAG_NAMES
            .iter()
            .filter(|(f, _)| entry.flags.contains(*f))
            .map(|(_, name)| (*name).to_owned())
            .collect(),
    }
}

/// The layer core's query for a listing request. One layer's listing shows every entry it
/// holds (whiteouts and duplicates too); the merged view hides what a later layer removed
/// unless asked.
fn query(q: &ListQuery, layers: usize) -> Query {
    let all = layers == 1 || q.show_hidden;
    let scope = match q.layer {
        None => Scope::Merged,
        Some(n) if q.up_to => Scope::UpTo(n),
        Some(n) => Scope::Layer(n),
    };
    Query {
        scope,
        substring: q.text.clone(),
        prefix: q.prefix.clone(),
        sort: if q.sort_by_size {
            Sort::SizeDesc
        } else {
            Sort::Path
        },
        include_deleted: all,
        include_overwritten: all,
        include_whiteouts: all,
        offset: usize::try_from(q.offset).unwrap_or(usize::MAX),
        limit: q.limit.min(1000) as usize,
    }
}

/// A blob being read: through the layer core, or only checked; and its bytes while they may
/// be kept.
pub struct Reading {
    open: Open,
    check: Check,
    received: u64,
    blob: Option<Vec<u8>>,
    /// A registry download too big for `blob`, kept by the browser instead.
    spill: Option<Spill>,
}

enum Check {
    Layer(Box<LayerReader>),
    Verify(Verifier),
    Hash(Hasher),
}

/// Why a read failed, and whether a cap stopped it.
pub struct Failure {
    pub error: String,
    pub cap: bool,
}

impl From<String> for Failure {
    fn from(error: String) -> Failure {
        Failure { error, cap: false }
    }
}

impl From<LayerError> for Failure {
    fn from(e: LayerError) -> Failure {
        Failure {
            cap: e.is_cap(),
            error: e.to_string(),
        }
    }
}

/// The core's caps with the person's choices applied.
pub fn caps(msg: CapsMsg) -> Caps {
    Caps {
        max_entries: msg.max_entries,
        max_output: msg.max_output,
        max_ratio: msg.max_ratio,
        ..Caps::default()
    }
}

impl Reading {
    pub fn new(open: Open, total: Option<u64>) -> Result<Reading, Failure> {
        let check = match &open.expected {
            _ if open.as_layer => Check::Layer(Box::new(LayerReader::new(
                open.expected.clone(),
                open.diff_id.clone(),
                ReadOptions {
                    caps: caps(open.caps),
                    hash_files: open.hash_files,
                    capture: open.capture.clone(),
                },
            ))),
            Some((digest, size)) => Check::Verify(Verifier::new(digest.clone(), Some(*size))),
            None => Check::Hash(Hasher::new(crate::oci::Algorithm::Sha256)),
        };
        // Reserved up front: growing a vector of a hundred megabytes by doubling copies it.
        let keep = total.filter(|&t| t <= KEEP_ONE);
        // Only downloads: a file from disk is read again from the disk.
        let download = matches!(&open.origin, Some((jobs::Source::Url { .. }, _)));
        let spill = (download && keep.is_none() && total.is_none_or(|t| t <= super::io::SPILL_ONE))
            .then(Spill::new);
        Ok(Reading {
            open,
            check,
            received: 0,
            blob: keep.map(|t| Vec::with_capacity(t as usize)),
            spill,
        })
    }

    /// Hands the chunk just pushed, as it arrived, to the browser-kept copy (if any).
    pub fn spill(&mut self, chunk: &js_sys::Uint8Array) {
        if let Some(spill) = &mut self.spill {
            if !spill.push(chunk) {
                self.spill = None;
            }
        }
    }

    pub fn push(&mut self, chunk: &[u8]) -> Result<(), Failure> {
        self.received += chunk.len() as u64;
        match &mut self.check {
            Check::Layer(reader) => reader.push(chunk)?,
            Check::Verify(v) => v.update(chunk).map_err(|e| e.to_string())?,
            Check::Hash(h) => h.update(chunk),
        }
        if let Some(blob) = &mut self.blob {
            if blob.len() as u64 + chunk.len() as u64 > KEEP_ONE {
                self.blob = None;
            } else {
                blob.extend_from_slice(chunk);
            }
        }
        Ok(())
    }

    /// (compressed bytes read, uncompressed bytes, entries so far).
    pub fn progress(&self) -> (u64, u64, u64) {
        match &self.check {
            Check::Layer(reader) => reader.progress(),
            _ => (self.received, 0, 0),
        }
    }

    /// The verdict. A digest mismatch is an answer, not a failure: the summary says so
    /// loudly, and neither the bytes nor their listing are kept. Short and over-long reads
    /// and undecodable layers are failures.
    pub fn finish(self, store: &mut Store) -> Result<Summary, Failure> {
        let mut summary = Summary {
            key: self.open.key.clone(),
            compression: "blob".into(),
            size: self.received,
            digest: Digest::sha256(b""),
            digest_verified: None,
            diff_id: None,
            diff_id_verified: None,
            uncompressed: 0,
            entries: 0,
            warnings: Vec::new(),
            kept: 0,
            memory: 0,
        };
        let verdict = match self.check {
            Check::Layer(reader) => match reader.finish() {
                Ok(read) => Ok(Some(read)),
                Err(LayerError::Verify(e)) => Err(e),
                Err(e) => return Err(e.into()),
            },
            Check::Verify(v) => v.finish().map(|d| {
                summary.digest = d;
                summary.digest_verified = Some(true);
                None
            }),
            Check::Hash(h) => {
                summary.digest = h.finish();
                Ok(None)
            }
        };
        let listing = match verdict {
            Err(VerifyError::DigestMismatch { actual, .. }) => {
                summary.digest = actual;
                summary.digest_verified = Some(false);
                return Ok(summary);
            }
            Err(e) => return Err(e.to_string().into()),
            Ok(None) => None,
            Ok(Some(read)) => Some(Arc::new(describe(&mut summary, read))),
        };
        // Kept by the browser only once verified (or from disk, where nothing is spilled).
        let spilled = self
            .spill
            .filter(|_| summary.digest_verified == Some(true))
            .and_then(Spill::finish);
        let kept = Kept {
            summary,
            blob: self.blob,
            listing,
            spilled,
            origin: self.open.origin,
            caps: self.open.caps,
            age: 0,
        };
        Ok(store.keep(self.open.key, kept))
    }

    /// The captured entry of a layer read again for one file (digest checked first).
    pub fn finish_capture(self) -> Result<Vec<u8>, Failure> {
        match self.check {
            Check::Layer(reader) => Ok(reader.finish()?.captured.unwrap_or_default()),
            _ => Err("not a layer".to_owned().into()),
        }
    }
}

/// Fills the summary from a layer read; returns its listing.
fn describe(summary: &mut Summary, read: LayerRead) -> Listing {
    (summary.digest, summary.digest_verified) = match read.digest {
        DigestVerdict::Verified(d) => (d, Some(true)),
        DigestVerdict::Unverified(d) => (d, None),
    };
    summary.diff_id = Some(read.diff_id);
    summary.diff_id_verified = read.diff_id_matches;
    summary.compression = read.listing.compression.name().to_owned();
    summary.uncompressed = read.listing.uncompressed_size;
    summary.entries = read.listing.entries.len() as u64;
    summary.warnings = read.listing.warnings.clone();
    read.listing
}

impl Store {
    /// Bytes kept in this worker's memory.
    fn kept_bytes(&self) -> u64 {
        self.kept
            .values()
            .filter_map(|k| k.blob.as_ref())
            .map(|b| b.len() as u64)
            .sum()
    }

    /// Bytes kept by the browser for this worker.
    fn spilled_bytes(&self) -> u64 {
        self.kept
            .values()
            .filter_map(|k| k.spilled.as_ref())
            .map(|(_, size)| size)
            .sum()
    }

    /// Keeps a read blob's results; returns its summary with the bytes kept now.
    fn keep(&mut self, key: String, mut kept: Kept) -> Summary {
        self.clock += 1;
        kept.age = self.clock;
        let incoming = kept.blob.as_ref().map_or(0, |b| b.len() as u64);
        // Drop the oldest blobs (their listings stay) until the new one fits.
        while self.kept_bytes() + incoming > KEEP_ALL {
            let oldest = self
                .kept
                .iter()
                .filter(|(_, k)| k.blob.is_some())
                .min_by_key(|(_, k)| k.age)
                .map(|(key, _)| key.clone());
            match oldest.and_then(|key| self.kept.get_mut(&key)) {
                Some(k) => k.blob = None,
                None => break,
            }
        }
        let spilling = kept.spilled.as_ref().map_or(0, |(_, size)| *size);
        while self.spilled_bytes() + spilling > SPILL_ALL {
            let oldest = self
                .kept
                .iter()
                .filter(|(_, k)| k.spilled.is_some())
                .min_by_key(|(_, k)| k.age)
                .map(|(key, _)| key.clone());
            match oldest.and_then(|key| self.kept.get_mut(&key)) {
                Some(k) => k.spilled = None,
                None => break,
            }
        }
        // A blob read again replaces the trees that held its old listing.
        self.view = None;
        kept.summary.kept = self.kept_bytes() + incoming + self.spilled_bytes() + spilling;
        let summary = kept.summary.clone();
        self.kept.insert(key, kept);
        summary
    }

    /// The merged tree of the open layers `keys`, lowest first.
    pub fn build_tree(&self, keys: &[String]) -> Result<Tree, String> {
        let mut tree = Tree::new();
        for key in keys {
            let listing = self
                .kept
                .get(key)
                .and_then(|k| k.listing.clone())
                .ok_or_else(|| format!("layer {key} is not open in this tab (open it first)"))?;
            tree.push_layer(listing);
        }
        Ok(tree)
    }

    /// The merged tree of `keys` (cached for the last set asked about).
    fn tree(&mut self, keys: &[String]) -> Result<&(Vec<String>, Tree, Index), String> {
        if self.view.as_ref().is_none_or(|(k, _, _)| k != keys) {
            let tree = self.build_tree(keys)?;
            let index = Index::new(&tree);
            self.view = Some((keys.to_vec(), tree, index));
        }
        self.view.as_ref().ok_or_else(|| "no tree".to_owned())
    }

    fn list(&mut self, job: u32, keys: &[String], q: &ListQuery) -> Result<Reply, String> {
        let (_, tree, index) = self.tree(keys)?;
        let page = index.query(tree, &query(q, keys.len()));
        let rows = page
            .rows
            .iter()
            .map(|r| row(tree.entry(r.layer, r.entry), r))
            .collect();
        Ok(Reply::Rows {
            job,
            total: page.total as u64,
            rows,
        })
    }

    /// Reads one file: the live version of `path` in the tree of `keys`, decompressed again
    /// from the kept blob of its layer.
    /// Reads one file: the live version of `path` in the tree of `keys`, decompressed again
    /// from the kept blob of its layer, or (a blob too big to keep) from a second read of it.
    pub fn read_file(
        &mut self,
        job: u32,
        keys: &[String],
        path: &[u8],
        max: u64,
    ) -> Result<FileRead, String> {
        let shown = display(path);
        let (_, tree, _) = self.tree(keys)?;
        // A symlink shows what it points to (followed across layers, with a hop limit).
        let target = tree.resolve(path).map_err(|e| e.to_string())?;
        let version = tree
            .lookup(&target)
            .and_then(|id| tree.live(id))
            .ok_or_else(|| format!("/{shown} is not in this filesystem"))?;
        let entry = tree.entry(version.layer, version.entry);
        if entry.kind != crate::layer::EntryKind::File || entry.flags.contains(Flags::SPARSE) {
            return Err(format!("/{shown} is not a regular file (nothing to show)"));
        }
        let file_size = entry.size;
        if file_size > MAX_FILE {
            return Err(format!("/{shown} is {file_size} bytes, over the {MAX_FILE}-byte limit for reading one file"));
        }
        let (layer, index) = (version.layer as usize, version.entry as usize);
        let key = &keys[layer];
        let kept = self
            .kept
            .get(key)
            .ok_or_else(|| format!("layer {key} is not open"))?;
        let capture = Capture {
            target: CaptureTarget::Index(index),
            max: file_size as usize,
        };
        let Some(blob) = kept.blob.as_ref() else {
            // The browser's copy if there is one, else the original source again.
            let spilled = kept.spilled.as_ref().map(|(blob, _)| {
                let source = jobs::Source::File { name: key.clone() };
                (source, wasm_bindgen::JsValue::from(blob))
            });
            let (source, file) = spilled
                .or_else(|| kept.origin.clone())
                .ok_or_else(|| format!("layer {key} is not kept and cannot be read again"))?;
            let expected = (kept.summary.digest_verified == Some(true))
                .then(|| (kept.summary.digest.clone(), kept.summary.size));
            return Ok(FileRead::Again {
                source,
                file,
                max,
                open: Open {
                    key: key.clone(),
                    expected,
                    diff_id: None,
                    as_layer: true,
                    caps: kept.caps,
                    hash_files: false,
                    capture: Some(capture),
                    origin: None,
                },
            });
        };
        let mut reader = LayerReader::new(
            None,
            None,
            ReadOptions {
                capture: Some(capture),
                ..ReadOptions::default()
            },
        );
        reader.push(blob).map_err(|e| e.to_string())?;
        let bytes = reader
            .finish()
            .map_err(|e| e.to_string())?
            .captured
            .unwrap_or_default();
        let (reply, bytes) = file_reply(job, bytes, max);
        Ok(FileRead::Done(reply, bytes))
    }

    fn analyse(&mut self, job: u32, keys: &[String]) -> Result<Reply, String> {
        let (_, tree, _) = self.tree(keys)?;
        let changes = layer_changes(tree);
        let eff = efficiency(tree);
        Ok(Reply::Analysis {
            job,
            analysis: jobs::Analysis {
                layers: changes
                    .iter()
                    .map(|c| jobs::LayerFigures {
                        added: c.added,
                        modified: c.modified,
                        removed: c.removed,
                        bytes: c.added_bytes + c.modified_bytes,
                        reclaimable: c.wasted_bytes,
                    })
                    .collect(),
                efficiency_ppm: eff.score_ppm,
                total_bytes: eff.total_bytes,
                reclaimable_bytes: eff.reclaimable_bytes,
                culprits: eff
                    .culprits
                    .iter()
                    .take(200)
                    .map(|c| jobs::Culprit {
                        shown: display(&tree.path(c.node)),
                        reclaimable: c.reclaimable,
                        copies: c.copies.iter().map(|k| (k.layer, k.size)).collect(),
                    })
                    .collect(),
            },
        })
    }

    pub fn answer(&mut self, request: Request) -> (Reply, Option<Vec<u8>>) {
        match request {
            Request::List { job, keys, query } => match self.list(job, &keys, &query) {
                Ok(reply) => (reply, None),
                Err(e) => failed(job, e),
            },
            Request::Analyse { job, keys } => match self.analyse(job, &keys) {
                Ok(reply) => (reply, None),
                Err(e) => failed(job, e),
            },
            Request::DiffFiles {
                job,
                left,
                right,
                compare_mtime,
                limit,
            } => match super::diff::file_diff(self, job, &left, &right, compare_mtime, limit) {
                Ok(reply) => (reply, None),
                Err(e) => failed(job, e),
            },
            Request::Clear { job } => {
                // The bytes go; listings stay, and a file is then read by downloading its
                // layer again.
                let freed = self.kept_bytes() + self.spilled_bytes();
                for kept in self.kept.values_mut() {
                    kept.blob = None;
                    kept.spilled = None;
                }
                (Reply::Cleared { job, freed }, None)
            }
            Request::Open { job, .. }
            | Request::Cancel { job }
            | Request::ReadFile { job, .. }
            | Request::Blob { job, .. }
            | Request::OpenArchive { job, .. }
            | Request::ReadDocument { job, .. }
            | Request::ArchiveBlob { job, .. } => failed(job, "not a request for the store".into()),
        }
    }
}

/// A kept blob to save: bytes from this worker's memory, or the browser's copy.
pub enum Saved {
    Bytes(Vec<u8>),
    Browser(web_sys::Blob),
}

impl Store {
    pub fn blob(&self, key: &str) -> Result<(u64, Saved), String> {
        let kept = self.kept.get(key);
        if let Some(bytes) = kept.and_then(|k| k.blob.clone()) {
            return Ok((bytes.len() as u64, Saved::Bytes(bytes)));
        }
        match kept.and_then(|k| k.spilled.clone()) {
            Some((blob, size)) => Ok((size, Saved::Browser(blob))),
            None => Err(format!(
                "{key} is not kept (over {} bytes, or cleared): download it again",
                super::io::SPILL_ONE
            )),
        }
    }
}

/// The failure of a job (not at a cap), as a reply.
pub fn failed(job: u32, error: String) -> (Reply, Option<Vec<u8>>) {
    (
        Reply::Failed {
            job,
            error,
            cap: false,
        },
        None,
    )
}
