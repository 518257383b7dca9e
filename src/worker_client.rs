//! The page's side of the workers (wasm only): one client per worker binary, each spawning
//! its worker on first use, queueing messages until it says it is ready (earlier ones would
//! be dropped while its wasm loads), and routing each reply to the callback of the job it
//! belongs to. Job numbers are per worker.
//!
//! The layer worker serves layers and the file diff; the archive worker, archives from disk.
//! Only the modules that read archives (compare, archive) ever start the archive worker.
//!
//! The worker's script name carries a hash of its content, written into `index.html` by the
//! post-build step (`scripts/trunk-post-build`), so a page never talks to a worker of another
//! build; without that tag (a development build without the hook) the plain name is used.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};

use crate::jobs::{Reply, Request};

/// Called with every reply of a job and, for file and blob replies, the transferred bytes.
type Handler = Box<dyn FnMut(Reply, Option<JsValue>)>;

struct Client {
    binary: Binary,
    worker: Worker,
    ready: bool,
    queue: Vec<Array>,
    handlers: BTreeMap<u32, Handler>,
    next_job: u32,
}

/// A worker binary (`src/bin/`), by what it serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binary {
    /// `worker`: layers, listings, files and the file diff.
    Layer,
    /// `archiveworker`: archives from disk, their documents and their blobs' slices.
    Archive,
}

impl Binary {
    /// The Cargo binary (and `<meta name="manifest-explorer-…">`) name.
    fn name(self) -> &'static str {
        match self {
            Binary::Layer => "worker",
            Binary::Archive => "archiveworker",
        }
    }

    /// What a person reads in an error.
    fn label(self) -> &'static str {
        match self {
            Binary::Layer => "the layer worker",
            Binary::Archive => "the archive worker",
        }
    }
}

type Clients = [Option<Rc<RefCell<Client>>>; 2];

thread_local! {
    static CLIENTS: RefCell<Clients> = const { RefCell::new([None, None]) };
}

fn client(binary: Binary) -> Result<Rc<RefCell<Client>>, String> {
    if let Some(c) = CLIENTS.with(|c| c.borrow()[binary as usize].clone()) {
        return Ok(c);
    }
    let worker = Worker::new(&crate::lazy::script_url(binary.name()))
        .map_err(|e| format!("{} could not be started: {e:?}", binary.label()))?;
    let client = Rc::new(RefCell::new(Client {
        binary,
        worker: worker.clone(),
        ready: false,
        queue: Vec::new(),
        handlers: BTreeMap::new(),
        next_job: 1,
    }));
    let weak = Rc::downgrade(&client);
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        if let Some(client) = weak.upgrade() {
            deliver(&client, ev.data());
        }
    });
    worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    let weak = Rc::downgrade(&client);
    let onerror = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        if let Some(client) = weak.upgrade() {
            let error = format!(
                "{} stopped (it could not load, or ran out of memory)",
                binary.label()
            );
            fail_all(&client, &error);
        }
    });
    worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
    onerror.forget();
    CLIENTS.with(|c| c.borrow_mut()[binary as usize] = Some(client.clone()));
    Ok(client)
}

fn deliver(client: &Rc<RefCell<Client>>, data: JsValue) {
    let message: Array = data.unchecked_into();
    let bytes = Uint8Array::new(&message.get(0)).to_vec();
    let extra = message.get(1);
    let extra = (!extra.is_undefined()).then_some(extra);
    let reply = match Reply::decode(&bytes) {
        Ok(reply) => reply,
        Err(e) => {
            let label = client.borrow().binary.label();
            fail_all(client, &format!("{label} sent a malformed message: {e}"));
            return;
        }
    };
    let Some(job) = reply.job() else {
        // Ready: send what was queued meanwhile.
        let (worker, queue) = {
            let mut c = client.borrow_mut();
            c.ready = true;
            (c.worker.clone(), std::mem::take(&mut c.queue))
        };
        for message in queue {
            let _ = worker.post_message(&message);
        }
        return;
    };
    let last = !matches!(reply, Reply::Progress { .. });
    // The handler runs outside the borrow: it may send the next request.
    let handler = client.borrow_mut().handlers.remove(&job);
    if let Some(mut handler) = handler {
        handler(reply, extra);
        if !last {
            client.borrow_mut().handlers.insert(job, handler);
        }
    }
}

fn fail_all(client: &Rc<RefCell<Client>>, error: &str) {
    let (binary, handlers) = {
        let mut c = client.borrow_mut();
        (c.binary, std::mem::take(&mut c.handlers))
    };
    for (job, mut handler) in handlers {
        handler(
            Reply::Failed {
                job,
                error: error.to_owned(),
                cap: false,
            },
            None,
        );
    }
    // The next request starts a fresh worker.
    CLIENTS.with(|c| c.borrow_mut()[binary as usize] = None);
}

/// Sends the request `make(job)` (with `extra`, e.g. a `File`, beside it) to the worker
/// `binary` and calls `on_reply` with each reply of that job. Returns the job number, for
/// [`cancel`].
pub fn send(
    binary: Binary,
    make: impl FnOnce(u32) -> Request,
    extra: Option<JsValue>,
    on_reply: impl FnMut(Reply, Option<JsValue>) + 'static,
) -> Result<u32, String> {
    let client = client(binary)?;
    let mut c = client.borrow_mut();
    let job = c.next_job;
    c.next_job = c.next_job.wrapping_add(1).max(1);
    c.handlers.insert(job, Box::new(on_reply));
    post(&mut c, &make(job), extra);
    Ok(job)
}

fn post(c: &mut Client, request: &Request, extra: Option<JsValue>) {
    let message = Array::new();
    message.push(&Uint8Array::from(request.encode().as_slice()));
    if let Some(extra) = extra {
        message.push(&extra);
    }
    if c.ready {
        let _ = c.worker.post_message(&message);
    } else {
        c.queue.push(message);
    }
}

/// Asks the worker `binary` to stop job `job`; its handler then receives a `Failed` reply.
pub fn cancel(binary: Binary, job: u32) {
    if let Ok(client) = client(binary) {
        post(&mut client.borrow_mut(), &Request::Cancel { job }, None);
    }
}
