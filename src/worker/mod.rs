//! The layer worker (wasm only, no Leptos): a thin shell around the pure `layer` core. It
//! receives [`jobs::Request`]s, streams blobs from registries or dropped files through the
//! core (digest and size checked as bytes arrive, then decompression, tar walk), keeps the
//! verified results by key, and answers with small messages: summaries and pages of rows,
//! never whole listings. Big bytes (a file, a blob to save) travel as transferred buffers.
//!
//! Everything runs off the page's main thread; a job yields between chunks, so a `Cancel`
//! message is seen while a download runs.
//!
//! Two binaries share this shell, each with its own dispatch ([`start`] takes it): the layer
//! worker (`src/bin/worker.rs`, [`receive`]: layers, listings, files and the file diff) and
//! the archive worker (`src/bin/archiveworker.rs`, [`receive_archive`]: image archives from
//! disk, their documents, and the slice of the file a blob lies in). Neither dispatch names
//! the other's code, so LTO keeps the archive reader (JSON parser, document model) out of the
//! layer worker and the layer pipeline (decoders, tar walker, trees) out of the archive
//! worker: each stays under its 100 kB budget. A layer in an archive crosses the page: its
//! slice from the archive worker is sent to the layer worker like a dropped `File`.

mod archives;
mod diff;
mod io;
mod keyed;
mod store;

pub use archives::receive as receive_archive;

use std::cell::RefCell;

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::MessageEvent;

use crate::jobs::{Reply, Request};
use io::{scope, Stream};
use store::Store;

/// Where replies go when they are not posted to the page (see [`serve_in_process`]).
/// What travels beside a reply is a `Uint8Array` or a `Blob`, as in a posted message.
type Sink = Box<dyn Fn(&Reply, Option<JsValue>)>;

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

/// Starts the worker: listens for requests, each handed to `serve` ([`receive`] or
/// [`receive_archive`]), then says it is ready.
pub fn start(serve: fn(JsValue)) {
    let onmessage =
        Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| serve(ev.data()));
    scope().set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    post(&Reply::Ready, None);
}

/// Hands every later reply to `sink` instead of posting it: the browser tests run this
/// worker's handler in their own worker and call [`receive`] directly, so they exercise the
/// same wire codec, jobs, cancellation and caps as the page's worker.
pub fn serve_in_process(sink: impl Fn(&Reply, Option<JsValue>) + 'static) {
    SINK.with(|s| *s.borrow_mut() = Some(Box::new(sink)));
}

/// Posts a reply, with its bytes (a file, a blob) transferred beside it.
fn post(reply: &Reply, buffer: Option<Vec<u8>>) {
    let array = buffer.map(|bytes| Uint8Array::from(bytes.as_slice()));
    let transfer = array.as_ref().map(|a| Array::of1(&a.buffer()));
    deliver(reply, array.map(JsValue::from), transfer);
}

/// Posts the failure of a job (not at a cap).
fn post_failed(job: u32, error: String) {
    let (reply, buffer) = store::failed(job, error);
    post(&reply, buffer);
}

/// Posts a reply with a `Blob` beside it (a handle: the bytes stay where the browser keeps
/// them).
fn post_blob(reply: &Reply, blob: &web_sys::Blob) {
    deliver(reply, Some(blob.into()), None);
}

/// `[encoded reply, extra]` to the page (`transfer`: the buffers that move with it), or to the
/// in-process sink of the tests when one is set.
fn deliver(reply: &Reply, extra: Option<JsValue>, transfer: Option<Array>) {
    let sunk = SINK.with(|s| match s.borrow().as_ref() {
        Some(sink) => {
            sink(reply, extra.clone());
            true
        }
        None => false,
    });
    if sunk {
        return;
    }
    let message = Array::new();
    message.push(&Uint8Array::from(reply.encode().as_slice()));
    if let Some(extra) = &extra {
        message.push(extra);
    }
    let _ = match transfer {
        Some(transfer) => scope().post_message_with_transfer(&message, &transfer),
        None => scope().post_message(&message),
    };
}

/// The request of one message from the page, `[encoded request, file or undefined]`, and
/// what came beside it; a malformed request is answered here.
fn decode(data: JsValue) -> Option<(Request, JsValue)> {
    let message: Array = data.unchecked_into();
    let bytes = Uint8Array::new(&message.get(0)).to_vec();
    match Request::decode(&bytes) {
        Ok(request) => Some((request, message.get(1))),
        Err(e) => {
            post_failed(0, format!("malformed request: {e}"));
            None
        }
    }
}

/// The layer worker's dispatch of one message from the page.
pub fn receive(data: JsValue) {
    let Some((request, extra)) = decode(data) else {
        return;
    };
    match request {
        Request::Cancel { job } => STATE.with(|s| {
            let cancelled = &mut s.borrow_mut().cancelled;
            if !cancelled.contains(&job) {
                cancelled.push(job);
            }
        }),
        Request::OpenArchive { job, .. }
        | Request::ReadDocument { job, .. }
        | Request::ArchiveBlob { job, .. } => post_failed(
            job,
            "the layer worker does not read archives (the archive worker does)".into(),
        ),
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
