//! The only module that does network I/O: one bounded HTTP request through the browser's
//! `fetch`. Bodies are read as a stream and cut off at a byte limit (a hostile registry can
//! send an endless body), requests time out, cookies are never sent, and nothing here logs.
//! What to request and how to read the answer is decided by the pure `registry` module.

use std::time::Duration;

use js_sys::{Reflect, Uint8Array};
use leptos::prelude::{set_timeout, window};
use thiserror::Error;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, Headers, ReadableStreamDefaultReader, Request, RequestCache,
    RequestCredentials, RequestInit, RequestMode, RequestRedirect, Response,
};

/// A response whose body was read completely, within the limit.
#[derive(Clone, Debug)]
pub struct HttpResponse {
    pub status: u16,
    /// The final URL, after redirects.
    pub url: String,
    pub redirected: bool,
    /// Headers as the browser lets scripts see them: cross-origin, only CORS-safelisted ones
    /// and those the server exposes.
    headers: Headers,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).ok().flatten()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum HttpError {
    /// `fetch` rejected: the network is down, the name does not resolve, or (most often for a
    /// registry) the response lacked CORS headers. Browsers do not say which, on purpose.
    #[error("the request to {url} failed before any response could be read (network error or CORS refusal)")]
    Network { url: String },
    #[error("the response from {url} is larger than the {limit}-byte limit; reading stopped")]
    TooLarge { url: String, limit: usize },
    #[error("no complete response from {url} within {seconds} s")]
    Timeout { url: String, seconds: u32 },
}

pub struct HttpRequest<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub headers: &'a [(&'a str, String)],
    /// The most body bytes accepted.
    pub limit: usize,
    pub timeout_seconds: u32,
}

/// Sends one request and reads the whole body (up to `limit` bytes).
pub async fn send(request: HttpRequest<'_>) -> Result<HttpResponse, HttpError> {
    let url = request.url.to_owned();
    let network = || HttpError::Network { url: url.clone() };
    let controller = AbortController::new().map_err(|_| network())?;
    let init = RequestInit::new();
    init.set_method(request.method);
    init.set_mode(RequestMode::Cors);
    // Registries never need cookies, and sending them would leak a session to any registry.
    init.set_credentials(RequestCredentials::Omit);
    // A tag is mutable: a cached manifest would show a digest the registry no longer serves.
    init.set_cache(RequestCache::NoStore);
    init.set_redirect(RequestRedirect::Follow);
    init.set_signal(Some(&controller.signal()));
    let headers = Headers::new().map_err(|_| network())?;
    for (name, value) in request.headers {
        headers.set(name, value).map_err(|_| network())?;
    }
    init.set_headers(&headers);
    let req = Request::new_with_str_and_init(request.url, &init).map_err(|_| network())?;

    let timed_out = std::rc::Rc::new(std::cell::Cell::new(false));
    {
        let controller = controller.clone();
        let timed_out = timed_out.clone();
        set_timeout(
            move || {
                timed_out.set(true);
                controller.abort();
            },
            Duration::from_secs(request.timeout_seconds.into()),
        );
    }
    let timeout = || HttpError::Timeout {
        url: url.clone(),
        seconds: request.timeout_seconds,
    };
    let fail = |timed_out: bool| if timed_out { timeout() } else { network() };

    let response: Response = JsFuture::from(window().fetch_with_request(&req))
        .await
        .map_err(|_| fail(timed_out.get()))?
        .unchecked_into();
    let mut body = Vec::new();
    if let Some(stream) = response.body() {
        let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
        loop {
            let chunk = JsFuture::from(reader.read())
                .await
                .map_err(|_| fail(timed_out.get()))?;
            if Reflect::get(&chunk, &JsValue::from_str("done"))
                .map(|d| d.is_truthy())
                .unwrap_or(true)
            {
                break;
            }
            let value = Reflect::get(&chunk, &JsValue::from_str("value")).map_err(|_| network())?;
            let bytes: Uint8Array = value.unchecked_into();
            if body.len() + bytes.length() as usize > request.limit {
                // Stop the download now rather than buffering a hostile endless body.
                let _ = reader.cancel();
                controller.abort();
                return Err(HttpError::TooLarge {
                    url: url.clone(),
                    limit: request.limit,
                });
            }
            let start = body.len();
            body.resize(start + bytes.length() as usize, 0);
            bytes.copy_to(&mut body[start..]);
        }
    }
    // The body is complete: a late timer must not abort anything that matters any more.
    Ok(HttpResponse {
        status: response.status(),
        url: response.url(),
        redirected: response.redirected(),
        headers: response.headers(),
        body,
    })
}
