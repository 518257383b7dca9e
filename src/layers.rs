//! The page's layer jobs (wasm only): opening a blob in the worker (with progress and
//! cancel), pages of a listing that follow a query, reading one file, saving bytes. The
//! components render the signals these fill; all heavy work happens in the worker.
//!
//! A blob opened once stays in the worker under its key (its digest, or a dropped file's name
//! and size), and the page remembers its summary: a second look at the same layer in the same
//! tab asks for rows again instead of downloading it again.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};

use crate::client::Session;
use crate::jobs::{
    Analysis, ArchiveSummary, CapsMsg, FileDiffMsg, ListQuery, Reply, Request, Row, Source, Summary,
};
use crate::oci::{Digest, Reference};
use crate::registry::Endpoint;
use crate::worker_client::{self, Binary};

/// The limits the worker applies unless the person raised them (see the layer core's caps).
pub const DEFAULT_CAPS: CapsMsg = CapsMsg {
    max_entries: 1_000_000,
    max_output: 4 << 30,
    max_ratio: 1000,
};

thread_local! {
    static OPENED: RefCell<BTreeMap<String, Summary>> = const { RefCell::new(BTreeMap::new()) };
    static CAPS: RefCell<CapsMsg> = const { RefCell::new(DEFAULT_CAPS) };
    static HASH_FILES: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the layers this module opens from now on hash each regular file: the compare
/// module turns it on (the file diff compares contents); the layer views do not pay for it.
/// Each module has its own worker, so the two never share a listing made the other way.
pub fn set_hash_files(on: bool) {
    HASH_FILES.with(|h| h.set(on));
}

/// The caps in force for this tab's session.
pub fn caps() -> CapsMsg {
    CAPS.with(|c| *c.borrow())
}

/// Raises (or lowers) the caps for the rest of the session; blobs already read keep theirs.
pub fn set_caps(caps: CapsMsg) {
    CAPS.with(|c| *c.borrow_mut() = caps);
}

/// Where a blob comes from.
#[derive(Clone)]
pub enum Origin {
    Registry {
        endpoint: Endpoint,
        reference: Reference,
    },
    File(web_sys::File),
    /// A blob inside the archive the worker opened under this key ([`open_archive`]).
    Archive(String),
}

impl Origin {
    /// The key a blob with `digest` is kept under. A blob in an archive is the archive's:
    /// another archive (or a registry) may hold other bytes under the same digest, and a
    /// verdict on those must not be reused for these.
    pub fn key(&self, digest: &Digest) -> String {
        match self {
            Origin::Archive(archive) => format!("{archive} {digest}"),
            _ => digest.to_string(),
        }
    }
}

/// One blob to open: what it is addressed by, and what to check it against.
#[derive(Clone)]
pub struct Blob {
    pub origin: Origin,
    pub key: String,
    pub expected: Option<(Digest, u64)>,
    pub diff_id: Option<Digest>,
    pub as_layer: bool,
}

/// Bytes so far, for the progress bar.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub received: u64,
    pub total: Option<u64>,
    pub uncompressed: u64,
    pub entries: u64,
    pub elapsed_ms: u64,
}

/// The state of opening one blob.
#[derive(Clone, Copy)]
pub struct Opening {
    pub progress: RwSignal<Option<Progress>>,
    pub summary: RwSignal<Option<Summary>>,
    pub error: RwSignal<Option<String>>,
    /// The read stopped at a cap: the person may raise the caps and retry.
    pub cap_hit: RwSignal<bool>,
    job: RwSignal<Option<u32>>,
}

impl Default for Opening {
    fn default() -> Self {
        Opening {
            progress: RwSignal::new(None),
            summary: RwSignal::new(None),
            error: RwSignal::new(None),
            cap_hit: RwSignal::new(false),
            job: RwSignal::new(None),
        }
    }
}

impl Opening {
    pub fn busy(&self) -> bool {
        self.job.get().is_some()
    }

    /// Opens `blob` in the worker, or takes the summary of an earlier opening of it.
    pub fn start(self, session: Session, blob: Blob) {
        if let Some(summary) = OPENED.with(|o| o.borrow().get(&blob.key).cloned()) {
            self.summary.set(Some(summary));
            return;
        }
        self.error.set(None);
        self.cap_hit.set(false);
        self.summary.set(None);
        self.progress.set(Some(Progress::default()));
        spawn_local(async move {
            let (source, extra) = match &blob.origin {
                Origin::Registry {
                    endpoint,
                    reference,
                } => {
                    let Some((digest, _)) = &blob.expected else {
                        self.fail("a registry blob needs its digest".into());
                        return;
                    };
                    match session.blob_access(endpoint, reference, digest).await {
                        Ok((url, authorization)) => (Source::Url { url, authorization }, None),
                        Err(e) => {
                            self.fail(e.to_string());
                            return;
                        }
                    }
                }
                Origin::File(file) => (
                    Source::File { name: file.name() },
                    Some(JsValue::from(file.clone())),
                ),
                Origin::Archive(archive) => {
                    let Some((digest, _)) = &blob.expected else {
                        self.fail("a blob in an archive needs its digest".into());
                        return;
                    };
                    let source = Source::Archive {
                        archive: archive.clone(),
                        digest: digest.clone(),
                    };
                    // The archive worker knows where the blob lies; the layer worker then
                    // streams that slice of the file (and verifies it) like a dropped file.
                    let opening = blob.clone();
                    ask(
                        Binary::Archive,
                        |job| Request::ArchiveBlob {
                            job,
                            archive: archive.clone(),
                            digest: digest.clone(),
                        },
                        None,
                        move |slice| match slice {
                            Ok(slice) => self.open(opening.clone(), source.clone(), Some(slice)),
                            Err(e) => self.fail(e),
                        },
                        |reply, extra| match (reply, extra) {
                            (Reply::Blob { .. }, Some(slice)) => Ok(slice),
                            (other, _) => unexpected(other),
                        },
                    );
                    return;
                }
            };
            self.open(blob, source, extra);
        });
    }

    /// Opens `blob` from `source` (`extra` beside it) in the layer worker.
    fn open(self, blob: Blob, source: Source, extra: Option<JsValue>) {
        let started = js_sys::Date::now();
        let key = blob.key.clone();
        let sent = worker_client::send(
            Binary::Layer,
            |job| Request::Open {
                job,
                key: blob.key,
                source,
                expected: blob.expected,
                diff_id: blob.diff_id,
                as_layer: blob.as_layer,
                caps: caps(),
                hash_files: HASH_FILES.with(|h| h.get()),
            },
            extra,
            move |reply, _| match reply {
                Reply::Progress {
                    received,
                    total,
                    uncompressed,
                    entries,
                    ..
                } => self.progress.set(Some(Progress {
                    received,
                    total,
                    uncompressed,
                    entries,
                    elapsed_ms: (js_sys::Date::now() - started) as u64,
                })),
                Reply::Opened { summary, .. } => {
                    OPENED.with(|o| o.borrow_mut().insert(key.clone(), summary.clone()));
                    self.job.set(None);
                    self.progress.set(None);
                    self.summary.set(Some(summary));
                }
                Reply::Failed { error, cap, .. } => {
                    self.cap_hit.set(cap);
                    self.fail(error)
                }
                _ => self.fail(UNEXPECTED.into()),
            },
        );
        match sent {
            Ok(job) => self.job.set(Some(job)),
            Err(e) => self.fail(e),
        }
    }

    fn fail(self, error: String) {
        self.job.set(None);
        self.progress.set(None);
        self.error.set(Some(error));
    }

    pub fn cancel(self) {
        if let Some(job) = self.job.get_untracked() {
            worker_client::cancel(Binary::Layer, job);
        }
    }
}

/// Rows of one layer (one key) or of the merged filesystem (several), following `query`.
#[derive(Clone, Copy)]
pub struct Listing {
    pub query: RwSignal<ListQuery>,
    pub rows: RwSignal<Vec<Row>>,
    pub total: RwSignal<u64>,
    pub error: RwSignal<Option<String>>,
    latest: RwSignal<u32>,
}

/// Rows per page of a listing: enough to scroll, small enough to render at once.
pub const PAGE_ROWS: u32 = 200;

impl Listing {
    pub fn new(keys: Vec<String>, query: ListQuery) -> Listing {
        let listing = Listing {
            query: RwSignal::new(query),
            rows: RwSignal::new(Vec::new()),
            total: RwSignal::new(0),
            error: RwSignal::new(None),
            latest: RwSignal::new(0),
        };
        Effect::new(move |_| {
            let query = listing.query.get();
            let keys = keys.clone();
            let sent = worker_client::send(
                Binary::Layer,
                |job| Request::List { job, keys, query },
                None,
                move |reply, _| {
                    // Only the answer to the latest query counts (typing sends many).
                    match reply {
                        Reply::Rows { job, total, rows }
                            if job == listing.latest.get_untracked() =>
                        {
                            listing.rows.set(rows);
                            listing.total.set(total);
                            listing.error.set(None);
                        }
                        Reply::Failed { job, error, .. }
                            if job == listing.latest.get_untracked() =>
                        {
                            listing.error.set(Some(error))
                        }
                        _ => {}
                    }
                },
            );
            match sent {
                Ok(job) => listing.latest.set(job),
                Err(e) => listing.error.set(Some(e)),
            }
        });
        listing
    }
}

/// A file's bytes as the worker read them from the layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileContent {
    pub bytes: Vec<u8>,
    pub size: u64,
    pub sha256: Option<Digest>,
    pub truncated: bool,
}

/// One question to the worker with one answer: `pick` turns the reply into the result
/// (a `Failed` reply, or a worker that cannot start, is an error already).
fn ask<T: 'static>(
    binary: Binary,
    make: impl FnOnce(u32) -> Request,
    extra: Option<JsValue>,
    done: impl Fn(Result<T, String>) + 'static,
    pick: impl Fn(Reply, Option<JsValue>) -> Result<T, String> + 'static,
) {
    let done = Rc::new(done);
    let answer = done.clone();
    let sent = worker_client::send(binary, make, extra, move |reply, extra| {
        answer(match reply {
            // A file read from a blob too big to keep downloads it again: not an answer yet.
            Reply::Progress { .. } => return,
            Reply::Failed { error, .. } => Err(error),
            other => pick(other, extra),
        })
    });
    if let Err(e) = sent {
        done(Err(e));
    }
}

const UNEXPECTED: &str = "the layer worker gave an answer of the wrong kind";

fn unexpected<T>(_: Reply) -> Result<T, String> {
    Err(UNEXPECTED.into())
}

/// Reads up to `max` bytes of `path` in layer `keys[0]`, or in the merged filesystem of `keys`.
pub fn read_file(
    keys: Vec<String>,
    path: Vec<u8>,
    max: u64,
    done: impl Fn(Result<FileContent, String>) + 'static,
) {
    ask(
        Binary::Layer,
        |job| Request::ReadFile {
            job,
            keys,
            path,
            max,
        },
        None,
        done,
        |reply, extra| match reply {
            Reply::File {
                size,
                sha256,
                truncated,
                ..
            } => Ok(FileContent {
                bytes: extra
                    .map(|b| js_sys::Uint8Array::new(&b).to_vec())
                    .unwrap_or_default(),
                size,
                sha256,
                truncated,
            }),
            other => unexpected(other),
        },
    );
}

/// Per-layer changes and where the bytes went for the image formed by `keys`.
pub fn analyse(keys: Vec<String>, done: impl Fn(Result<Analysis, String>) + 'static) {
    ask(
        Binary::Layer,
        |job| Request::Analyse { job, keys },
        None,
        done,
        |reply, _| match reply {
            Reply::Analysis { analysis, .. } => Ok(analysis),
            other => unexpected(other),
        },
    );
}

/// The files that differ between the images formed by the open layers `left` and `right`
/// (at most `limit` rows, largest size change first).
pub fn diff_files(
    left: Vec<String>,
    right: Vec<String>,
    compare_mtime: bool,
    limit: u32,
    done: impl Fn(Result<FileDiffMsg, String>) + 'static,
) {
    ask(
        Binary::Layer,
        |job| Request::DiffFiles {
            job,
            left,
            right,
            compare_mtime,
            limit,
        },
        None,
        done,
        |reply, _| match reply {
            Reply::FileDiff { diff, .. } => Ok(diff),
            other => unexpected(other),
        },
    );
}

/// Saves `bytes` as a download called `name` (through a `blob:` URL, never a data URL).
pub fn save_bytes(bytes: &[u8], name: &str) -> Result<(), String> {
    save_parts(&js_sys::Uint8Array::from(bytes), name)
}

/// Saves one `Blob` or byte array (a JS value: no copy through wasm memory) as `name`.
fn save_parts(part: &JsValue, name: &str) -> Result<(), String> {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/octet-stream");
    let blob =
        web_sys::Blob::new_with_blob_sequence_and_options(&js_sys::Array::of1(part), &options)
            .map_err(|_| "could not make the file".to_owned())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "could not make the file".to_owned())?;
    let anchor: web_sys::HtmlAnchorElement = document()
        .create_element("a")
        .map_err(|_| "could not make the link".to_owned())?
        .unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    // The click has started the download; the URL may go once the event loop turns.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(10),
    );
    Ok(())
}

/// Fetches the whole kept blob `key` from the worker and saves it as `name`.
pub fn save_blob(key: String, name: String, done: impl Fn(Result<(), String>) + 'static) {
    ask(
        Binary::Layer,
        |job| Request::Blob { job, key },
        None,
        done,
        move |reply, extra| match (reply, extra) {
            // A transferred buffer from the worker's memory, or the browser's copy of a big
            // blob (a `Blob` handle).
            (Reply::Blob { .. }, Some(extra)) if extra.is_instance_of::<web_sys::Blob>() => {
                save_parts(&extra, &name)
            }
            (Reply::Blob { .. }, Some(buffer)) => {
                save_parts(&js_sys::Uint8Array::new(&buffer), &name)
            }
            (other, _) => unexpected(other),
        },
    );
}

/// Forgets the bytes of every blob the worker keeps (listings stay); `done` gets the bytes
/// freed.
pub fn clear(done: impl Fn(Result<u64, String>) + 'static) {
    ask(
        Binary::Layer,
        |job| Request::Clear { job },
        None,
        done,
        |reply, _| match reply {
            Reply::Cleared { freed, .. } => Ok(freed),
            other => unexpected(other),
        },
    );
}

/// What a file or folder from disk turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Probe {
    Archive(ArchiveSummary),
    /// Readable, but no image archive (the reason says why): shown as a layer.
    NotAnArchive(String),
}

/// Opens an archive in the worker under `key`: `extra` is the `.tar` `File` (`paths` empty)
/// or an array of a folder's `File`s, one per path. Only tar headers and documents are read.
pub fn open_archive(
    key: String,
    paths: Vec<String>,
    extra: JsValue,
    done: impl Fn(Result<Probe, String>) + 'static,
) {
    ask(
        Binary::Archive,
        |job| Request::OpenArchive { job, key, paths },
        Some(extra),
        done,
        |reply, _| match reply {
            Reply::Archive { archive, .. } => Ok(Probe::Archive(archive)),
            Reply::NotAnArchive { reason, .. } => Ok(Probe::NotAnArchive(reason)),
            other => unexpected(other),
        },
    );
}

/// A document of the archive `archive`, verified against `digest` by the worker; `true` when
/// the reader made it up (a legacy `docker save` entry).
pub fn read_document(
    archive: String,
    digest: Digest,
    done: impl Fn(Result<(Vec<u8>, bool), String>) + 'static,
) {
    ask(
        Binary::Archive,
        |job| Request::ReadDocument {
            job,
            archive,
            digest,
        },
        None,
        done,
        |reply, extra| match (reply, extra) {
            (Reply::Document { synthesized, .. }, Some(buffer)) => {
                Ok((js_sys::Uint8Array::new(&buffer).to_vec(), synthesized))
            }
            (other, _) => unexpected(other),
        },
    );
}
