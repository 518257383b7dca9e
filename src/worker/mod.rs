//! The layer worker (wasm only, no Leptos): a thin shell around the pure `layer` core. It
//! receives [`jobs::Request`]s, streams blobs from registries or dropped files through the
//! core (digest and size checked as bytes arrive, then decompression, tar walk), keeps the
//! verified results by key, and answers with small messages: summaries and pages of rows,
//! never whole listings. Big bytes (a file, a blob to save) travel as transferred buffers.
//!
//! Everything runs off the page's main thread; a job yields between chunks, so a `Cancel`
//! message is seen while a download runs.
//!
//! Two binaries share this shell, each with its own [`Extras`]: the layer worker
//! (`src/bin/worker.rs`, [`LayerWorker`]: layer requests only, what the layer views start) and
//! the full worker (`src/bin/fullworker.rs`, [`FullWorker`]: also archives from disk and the
//! file diff, what the compare and archive modules start). The shell is generic over it rather
//! than asking a flag, so the layer worker's wasm never links the archive reader (with its JSON
//! parser and document model) or the diff: LTO sees no call to them.

mod archives;
mod full;
mod io;
mod keyed;
mod store;

pub use full::FullWorker;

use std::cell::RefCell;

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::MessageEvent;

use crate::jobs::{Reply, Request};
use crate::oci::Digest;
use io::{scope, Stream};
use store::Store;

/// Where replies go when they are not posted to the page (see [`serve_in_process`]).
type Sink = Box<dyn Fn(&Reply, Option<Vec<u8>>)>;

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
    static SINK: RefCell<Option<Sink>> = const { RefCell::new(None) };
}

#[derive(Default)]
struct State {
    store: Store,
    /// Jobs cancelled while they run (a few at a time: a vector, no set's code).
    cancelled: Vec<u32>,
}

/// What a worker binary serves besides the layer pipeline: the requests about archives from
/// disk and the file diff. Each answer is the reply and the bytes that travel beside it, or
/// the error of a failed job.
pub trait Extras: 'static {
    /// [`Request::OpenArchive`]: `files` is the `File`, or the array of a folder's `File`s.
    fn open_archive(
        job: u32,
        key: String,
        paths: Vec<String>,
        files: JsValue,
    ) -> Result<Reply, String>;
    /// [`Request::ReadDocument`]: the verified document and its bytes.
    fn read_document(job: u32, archive: &str, digest: &Digest) -> Result<(Reply, Vec<u8>), String>;
    /// The bytes of blob `digest` of the open archive `archive` as a `Blob` slice, which an
    /// `Open` of [`crate::jobs::Source::Archive`] streams through the layer pipeline.
    fn archive_blob(archive: &str, digest: &Digest) -> Result<JsValue, String>;
    /// [`Request::DiffFiles`].
    fn diff_files(
        job: u32,
        left: &[String],
        right: &[String],
        compare_mtime: bool,
        limit: u32,
    ) -> Result<Reply, String>;
}

/// The layer worker: reads, lists and merges layers; refuses the rest by name.
pub enum LayerWorker {}

/// Why the layer worker refuses `request`.
fn not_served(request: &str) -> String {
    format!("the layer worker does not serve {request} (archives from disk and the file diff are the full worker's)")
}

impl Extras for LayerWorker {
    fn open_archive(_: u32, _: String, _: Vec<String>, _: JsValue) -> Result<Reply, String> {
        Err(not_served("OpenArchive"))
    }

    fn read_document(_: u32, _: &str, _: &Digest) -> Result<(Reply, Vec<u8>), String> {
        Err(not_served("ReadDocument"))
    }

    fn archive_blob(_: &str, _: &Digest) -> Result<JsValue, String> {
        Err(not_served("an Open of a blob in an archive"))
    }

    fn diff_files(_: u32, _: &[String], _: &[String], _: bool, _: u32) -> Result<Reply, String> {
        Err(not_served("DiffFiles"))
    }
}

/// Starts the worker: listens for requests, then says it is ready.
pub fn start<X: Extras>() {
    let onmessage =
        Closure::<dyn FnMut(MessageEvent)>::new(|ev: MessageEvent| receive::<X>(ev.data()));
    scope().set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    post(&Reply::Ready, None);
}

/// Hands every later reply to `sink` instead of posting it: the browser tests run this
/// worker's handler in their own worker and call [`receive`] directly, so they exercise the
/// same wire codec, jobs, cancellation and caps as the page's worker.
pub fn serve_in_process(sink: impl Fn(&Reply, Option<Vec<u8>>) + 'static) {
    SINK.with(|s| *s.borrow_mut() = Some(Box::new(sink)));
}

fn post(reply: &Reply, buffer: Option<Vec<u8>>) {
    let Some(buffer) = SINK.with(|s| match s.borrow().as_ref() {
        Some(sink) => {
            sink(reply, buffer);
            None
        }
        None => Some(buffer),
    }) else {
        return;
    };
    let message = Array::new();
    message.push(&Uint8Array::from(reply.encode().as_slice()));
    match buffer {
        Some(bytes) => {
            let array = Uint8Array::from(bytes.as_slice());
            message.push(&array);
            let transfer = Array::of1(&array.buffer());
            let _ = scope().post_message_with_transfer(&message, &transfer);
        }
        None => {
            let _ = scope().post_message(&message);
        }
    }
}

/// Posts the failure of a job (not at a cap).
fn post_failed(job: u32, error: String) {
    let (reply, buffer) = store::failed(job, error);
    post(&reply, buffer);
}

/// Posts a reply with a `Blob` beside it (a handle: the bytes stay where the browser keeps
/// them). The in-process sink of the tests gets the reply alone.
fn post_blob(reply: &Reply, blob: &web_sys::Blob) {
    if SINK.with(|s| s.borrow().is_some()) {
        post(reply, None);
        return;
    }
    let message = Array::new();
    message.push(&Uint8Array::from(reply.encode().as_slice()));
    message.push(blob);
    let _ = scope().post_message(&message);
}

/// One message from the page: `[encoded request, file or undefined]`, served as the worker
/// `X` serves it.
pub fn receive<X: Extras>(data: JsValue) {
    let message: Array = data.unchecked_into();
    let bytes = Uint8Array::new(&message.get(0)).to_vec();
    let extra = message.get(1);
    let request = match Request::decode(&bytes) {
        Ok(r) => r,
        Err(e) => {
            post_failed(0, format!("malformed request: {e}"));
            return;
        }
    };
    match request {
        Request::Cancel { job } => STATE.with(|s| {
            let cancelled = &mut s.borrow_mut().cancelled;
            if !cancelled.contains(&job) {
                cancelled.push(job);
            }
        }),
        Request::OpenArchive { job, key, paths } => match X::open_archive(job, key, paths, extra) {
            Ok(reply) => post(&reply, None),
            Err(error) => post_failed(job, error),
        },
        Request::ReadDocument {
            job,
            archive,
            digest,
        } => match X::read_document(job, &archive, &digest) {
            Ok((reply, bytes)) => post(&reply, Some(bytes)),
            Err(error) => post_failed(job, error),
        },
        Request::DiffFiles {
            job,
            left,
            right,
            compare_mtime,
            limit,
        } => match X::diff_files(job, &left, &right, compare_mtime, limit) {
            Ok(reply) => post(&reply, None),
            Err(error) => post_failed(job, error),
        },
        Request::Open {
            job,
            key,
            source,
            expected,
            diff_id,
            as_layer,
            caps,
            hash_files,
        } => wasm_bindgen_futures::spawn_local(async move {
            // A blob inside an open archive: its slice of the file stands in for a `File`.
            let extra = match &source {
                crate::jobs::Source::Archive { archive, digest } => {
                    match X::archive_blob(archive, digest) {
                        Ok(slice) => slice,
                        Err(error) => {
                            finish(job, Err(error.into()));
                            return;
                        }
                    }
                }
                _ => extra,
            };
            let open = store::Open {
                key,
                expected,
                diff_id,
                as_layer,
                caps,
                hash_files,
                capture: None,
                origin: Some((source.clone(), extra.clone())),
            };
            let reply = match stream_through(job, &source, extra, open).await {
                Ok(reading) => STATE.with(|s| reading.finish(&mut s.borrow_mut().store)),
                Err(e) => Err(e),
            }
            .map(|mut summary| {
                summary.memory = memory_bytes();
                summary
            });
            finish(
                job,
                reply.map(|summary| (Reply::Opened { job, summary }, None)),
            );
        }),
        Request::ReadFile {
            job,
            keys,
            path,
            max,
        } => match STATE.with(|s| s.borrow_mut().store.read_file(job, &keys, &path, max)) {
            Ok(store::FileRead::Done(reply, bytes)) => post(&reply, Some(bytes)),
            Ok(store::FileRead::Again {
                source,
                file,
                open,
                max,
            }) => wasm_bindgen_futures::spawn_local(async move {
                let reply = match stream_through(job, &source, file, open).await {
                    Ok(reading) => reading.finish_capture(),
                    Err(e) => Err(e),
                };
                finish(
                    job,
                    reply.map(|bytes| {
                        let (reply, bytes) = store::file_reply(job, bytes, max);
                        (reply, Some(bytes))
                    }),
                );
            }),
            Err(error) => post_failed(job, error),
        },
        Request::Blob { job, key } => match STATE.with(|s| s.borrow().store.blob(&key)) {
            Ok((size, store::Saved::Bytes(bytes))) => post(&Reply::Blob { job, size }, Some(bytes)),
            Ok((size, store::Saved::Browser(blob))) => post_blob(&Reply::Blob { job, size }, &blob),
            Err(error) => post_failed(job, error),
        },
        other => {
            let (reply, buffer) = STATE.with(|s| s.borrow_mut().store.answer(other));
            post(&reply, buffer);
        }
    }
}

/// The size of this worker's wasm memory (in 64 KiB pages; read with the wasm instruction,
/// no JS import needed).
fn memory_bytes() -> u64 {
    core::arch::wasm32::memory_size::<0>() as u64 * 65_536
}

/// Posts the end of a streaming job.
fn finish(job: u32, result: Result<(Reply, Option<Vec<u8>>), store::Failure>) {
    STATE.with(|s| s.borrow_mut().cancelled.retain(|&j| j != job));
    match result {
        Ok((reply, buffer)) => post(&reply, buffer),
        Err(store::Failure { error, cap }) => post(&Reply::Failed { job, error, cap }, None),
    }
}

/// Streams the blob through the core, posting progress at most every 100 ms.
async fn stream_through(
    job: u32,
    source: &crate::jobs::Source,
    file: JsValue,
    open: store::Open,
) -> Result<store::Reading, store::Failure> {
    let file = (!file.is_undefined()).then_some(file);
    let mut stream = Stream::open(source, file)
        .await
        .map_err(store::Failure::from)?;
    let total = stream.total.or(open.expected.as_ref().map(|(_, s)| *s));
    let mut reading = store::Reading::new(open, total)?;
    let mut last_progress = 0.0;
    loop {
        if STATE.with(|s| s.borrow().cancelled.contains(&job)) {
            stream.stop();
            return Err("cancelled".to_owned().into());
        }
        let Some(chunk) = stream.next().await.map_err(store::Failure::from)? else {
            break;
        };
        if let Err(e) = reading.push(&chunk) {
            stream.stop();
            return Err(e);
        }
        if let Some(array) = stream.last_chunk() {
            reading.spill(array);
        }
        let now = js_sys::Date::now();
        if now - last_progress > 100.0 {
            last_progress = now;
            let (received, uncompressed, entries) = reading.progress();
            post(
                &Reply::Progress {
                    job,
                    received,
                    total,
                    uncompressed,
                    entries,
                },
                None,
            );
        }
    }
    Ok(reading)
}
