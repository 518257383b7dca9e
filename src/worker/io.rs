//! The worker's one I/O module: a blob as a stream of chunks, from a registry URL (streamed
//! `fetch`, no cookies, Authorization only as given) or from a `File` the page sent along.
//! A stalled download is aborted after [`IDLE_SECONDS`] without a byte.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, Blob, DedicatedWorkerGlobalScope, Headers, ReadableStreamDefaultReader,
    RequestCredentials, RequestInit, RequestMode, RequestRedirect, Response,
};

use crate::jobs::Source;

/// An integer: formatting a float would pull float formatting code into the worker.
const IDLE_SECONDS: u32 = 60;
const IDLE_MS: f64 = IDLE_SECONDS as f64 * 1000.0;

pub fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// An open byte stream and, when the source says, its length.
pub struct Stream {
    reader: ReadableStreamDefaultReader,
    controller: Option<AbortController>,
    pub total: Option<u64>,
    last_byte: Rc<Cell<f64>>,
    /// The idle watchdog of a download: its interval id and closure, dropped with the stream.
    watchdog: Option<(i32, Closure<dyn FnMut()>)>,
    /// The chunk [`Stream::next`] returned last, as the JS array it arrived in.
    last: Option<Uint8Array>,
}

impl Drop for Stream {
    fn drop(&mut self) {
        if let Some((id, _)) = &self.watchdog {
            scope().clear_interval_with_handle(*id);
        }
    }
}

impl Stream {
    pub async fn open(source: &Source, file: Option<JsValue>) -> Result<Stream, String> {
        match source {
            Source::Url { url, authorization } => fetch(url, authorization.as_deref()).await,
            Source::File { name } | Source::Archive { archive: name, .. } => {
                let blob: web_sys::Blob = file
                    .and_then(|f| f.dyn_into().ok())
                    .ok_or_else(|| format!("the file {name} did not reach the worker"))?;
                Ok(Stream {
                    total: Some(blob.size() as u64),
                    reader: blob.stream().get_reader().unchecked_into(),
                    controller: None,
                    last_byte: Rc::new(Cell::new(js_sys::Date::now())),
                    watchdog: None,
                    last: None,
                })
            }
        }
    }

    /// The next chunk, or `None` at the end of the stream.
    pub async fn next(&mut self) -> Result<Option<Vec<u8>>, String> {
        let chunk = JsFuture::from(self.reader.read()).await.map_err(|_| {
            if js_sys::Date::now() - self.last_byte.get() > IDLE_MS {
                format!("no data for {IDLE_SECONDS} s: the download was stopped")
            } else {
                "the connection broke off while reading".to_owned()
            }
        })?;
        let done = Reflect::get(&chunk, &JsValue::from_str("done"))
            .map(|d| d.is_truthy())
            .unwrap_or(true);
        if done {
            return Ok(None);
        }
        let value = Reflect::get(&chunk, &JsValue::from_str("value"))
            .map_err(|_| "a chunk without data".to_owned())?;
        self.last_byte.set(js_sys::Date::now());
        let array = Uint8Array::new(&value);
        let bytes = array.to_vec();
        self.last = Some(array);
        Ok(Some(bytes))
    }

    /// The chunk [`Stream::next`] returned last, without copying it again.
    pub fn last_chunk(&self) -> Option<&Uint8Array> {
        self.last.as_ref()
    }

    /// Stops reading (cancel, a cap, a verdict reached early).
    pub fn stop(&self) {
        let _ = self.reader.cancel();
        if let Some(c) = &self.controller {
            c.abort();
        }
    }
}

async fn fetch(url: &str, authorization: Option<&str>) -> Result<Stream, String> {
    let failed = || {
        format!("the request to {url} failed before any response (network error or CORS refusal)")
    };
    let controller = AbortController::new().map_err(|_| failed())?;
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_mode(RequestMode::Cors);
    // Registries never need cookies; blobs are content-addressed, so the HTTP cache may keep them.
    init.set_credentials(RequestCredentials::Omit);
    init.set_redirect(RequestRedirect::Follow);
    init.set_signal(Some(&controller.signal()));
    let headers = Headers::new().map_err(|_| failed())?;
    if let Some(value) = authorization {
        // The fetch standard drops Authorization when a redirect leaves the origin (a CDN).
        headers.set("Authorization", value).map_err(|_| failed())?;
    }
    init.set_headers(&headers);
    let response: Response = JsFuture::from(scope().fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| failed())?
        .unchecked_into();
    if response.status() != 200 {
        return Err(format!(
            "the registry answered HTTP {} for {url}",
            response.status()
        ));
    }
    let total = response
        .headers()
        .get("Content-Length")
        .ok()
        .flatten()
        .and_then(|v| v.parse().ok());
    let body = response
        .body()
        .ok_or_else(|| format!("the response for {url} has no body"))?;
    let last_byte = Rc::new(Cell::new(js_sys::Date::now()));
    let watchdog = watch_idle(controller.clone(), last_byte.clone());
    Ok(Stream {
        reader: body.get_reader().unchecked_into(),
        controller: Some(controller),
        total,
        last_byte,
        watchdog,
        last: None,
    })
}

/// Aborts the request once no byte arrived for [`IDLE_SECONDS`]: the pending read then fails.
fn watch_idle(
    controller: AbortController,
    last_byte: Rc<Cell<f64>>,
) -> Option<(i32, Closure<dyn FnMut()>)> {
    let tick = Closure::<dyn FnMut()>::new(move || {
        if js_sys::Date::now() - last_byte.get() > IDLE_MS {
            controller.abort();
        }
    });
    let id = scope()
        .set_interval_with_callback_and_timeout_and_arguments_0(
            tick.as_ref().unchecked_ref(),
            5_000,
        )
        .ok()?;
    Some((id, tick))
}

/// Most bytes of one blob kept by the browser ([`Spill`]).
pub const SPILL_ONE: u64 = 2 << 30;
/// Chunks are folded into the growing `Blob` every this many bytes, so the worker's JS heap
/// holds at most this much of a download at a time.
const SPILL_STEP: u64 = 16 << 20;

/// A download too big for the worker's wasm memory, kept by the browser instead: a `Blob`
/// built from the chunks as they arrive (a `Blob` made of blobs copies nothing, and Chromium
/// moves big blobs out of memory to disk). A file read or a save later reads this `Blob`,
/// not the network.
pub struct Spill {
    /// `Err` once the browser refused to make the blob (nothing is then kept).
    whole: Result<Option<Blob>, ()>,
    pending: Array,
    pending_bytes: u64,
    bytes: u64,
}

impl Spill {
    pub fn new() -> Spill {
        Spill {
            whole: Ok(None),
            pending: Array::new(),
            pending_bytes: 0,
            bytes: 0,
        }
    }

    /// Adds a chunk; `false` once the blob is over [`SPILL_ONE`] (it is then not kept).
    pub fn push(&mut self, chunk: &Uint8Array) -> bool {
        let len = u64::from(chunk.length());
        self.bytes += len;
        if self.bytes > SPILL_ONE || self.whole.is_err() {
            return false;
        }
        self.pending.push(chunk);
        self.pending_bytes += len;
        if self.pending_bytes >= SPILL_STEP {
            self.fold();
        }
        true
    }

    fn fold(&mut self) {
        let Ok(whole) = &self.whole else {
            return;
        };
        let parts = Array::new();
        if let Some(whole) = whole {
            parts.push(whole);
        }
        for chunk in self.pending.iter() {
            parts.push(&chunk);
        }
        self.whole = Blob::new_with_blob_sequence(&parts)
            .map(Some)
            .map_err(|_| ());
        self.pending = Array::new();
        self.pending_bytes = 0;
    }

    /// The whole blob and its size (`None` if it grew too big or the browser refused it).
    pub fn finish(mut self) -> Option<(Blob, u64)> {
        if self.bytes > SPILL_ONE {
            return None;
        }
        self.fold();
        let bytes = self.bytes;
        self.whole.ok().flatten().map(|whole| (whole, bytes))
    }
}
