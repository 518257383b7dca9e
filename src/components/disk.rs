//! What was opened from disk, opened in this module's layer worker (wasm only). Each lazily
//! loaded module has a worker of its own, so the archive views and the compare view each open
//! the same handle (a `File`, a picked folder's `FileList`, or a dropped folder's directory
//! entry) in theirs: once per module and tab, the probe kept by key.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::rc::Rc;
use std::task::{Poll, Waker};

use js_sys::{Array, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::layers::{self, Probe};
use crate::oci::Digest;

/// A dropped folder with more files than this is refused (the worker's limit too).
const MAX_FILES: usize = 100_000;

thread_local! {
    /// Probes by key: the views are mounted again on every navigation, the file is not read
    /// again.
    static PROBED: RefCell<BTreeMap<String, (Probe, u64)>> = const { RefCell::new(BTreeMap::new()) };
    /// One key per thing opened from disk, by identity: the page hands over the same handle
    /// on every mount, and two files may share a name and a size (a tampered copy).
    static KEYS: RefCell<Vec<(JsValue, String, String)>> = const { RefCell::new(Vec::new()) };
}

/// The key and name of `disk` if it was seen in this module before.
fn known(disk: &JsValue) -> Option<(String, String)> {
    KEYS.with(|keys| {
        keys.borrow()
            .iter()
            .find(|(d, _, _)| js_sys::Object::is(d, disk))
            .map(|(_, key, name)| (key.clone(), name.clone()))
    })
}

/// A new key for `disk`, called `name`.
fn new_key(disk: &JsValue, name: &str) -> String {
    KEYS.with(|keys| {
        let mut keys = keys.borrow_mut();
        let key = format!("disk{}:{name}", keys.len() + 1);
        keys.push((disk.clone(), key.clone(), name.to_owned()));
        key
    })
}

/// A folder's files and their relative paths (`/`-separated, starting with its name).
struct Folder {
    name: String,
    paths: Vec<String>,
    files: Array,
}

impl Folder {
    fn push(&mut self, path: String, file: web_sys::File) -> Result<(), String> {
        if self.paths.len() >= MAX_FILES {
            return Err(format!(
                "the folder {} has more than {MAX_FILES} files",
                self.name
            ));
        }
        self.paths.push(path);
        self.files.push(&file);
        Ok(())
    }
}

/// A promise of a callback API (`readEntries`, `file`, a worker answer): `call(resolve,
/// reject)`.
async fn callback(
    call: impl FnOnce(&js_sys::Function, &js_sys::Function),
) -> Result<JsValue, JsValue> {
    let mut call = Some(call);
    let promise = Promise::new(&mut |resolve, reject| {
        if let Some(call) = call.take() {
            call(&resolve, &reject);
        }
    });
    JsFuture::from(promise).await
}

fn unreadable(e: JsValue) -> String {
    format!("the folder could not be read: {e:?}")
}

/// The files of a picked folder (a `FileList` of `File`s with `webkitRelativePath`) or of a
/// dropped one (a `FileSystemDirectoryEntry`, walked here).
async fn folder(disk: JsValue) -> Result<Folder, String> {
    let mut folder = Folder {
        name: String::new(),
        paths: Vec::new(),
        files: Array::new(),
    };
    if let Some(picked) = disk.dyn_ref::<web_sys::FileList>() {
        for file in (0..picked.length()).filter_map(|i| picked.get(i)) {
            let path = Reflect::get(&file, &JsValue::from_str("webkitRelativePath"))
                .ok()
                .and_then(|p| p.as_string())
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| file.name());
            if folder.name.is_empty() {
                folder.name = path.split('/').next().unwrap_or_default().to_owned();
            }
            folder.push(path, file)?;
        }
        return Ok(folder);
    }
    // Chromium's entries are `DirectoryEntry` objects, not instances of the standard
    // `FileSystemDirectoryEntry` name: checked by what they say they are.
    let is_directory =
        Reflect::get(&disk, &JsValue::from_str("isDirectory")).is_ok_and(|d| d.is_truthy());
    if !is_directory {
        return Err("what was dropped is neither a file nor a folder".to_owned());
    }
    let root: web_sys::FileSystemDirectoryEntry = disk.unchecked_into();
    folder.name = root.name();
    let mut pending = vec![root];
    while let Some(dir) = pending.pop() {
        let reader = dir.create_reader();
        // readEntries answers in batches until an empty one.
        loop {
            let batch = Array::from(
                &callback(|ok, err| {
                    let _ = reader.read_entries_with_callback_and_callback(ok, err);
                })
                .await
                .map_err(unreadable)?,
            );
            if batch.length() == 0 {
                break;
            }
            for entry in batch.iter() {
                let entry: web_sys::FileSystemEntry = entry.unchecked_into();
                if entry.is_directory() {
                    pending.push(entry.unchecked_into());
                } else if entry.is_file() {
                    let file_entry: web_sys::FileSystemFileEntry = entry.clone().unchecked_into();
                    let file =
                        callback(|ok, err| file_entry.file_with_callback_and_callback(ok, err))
                            .await
                            .map_err(unreadable)?;
                    let path = entry.full_path().trim_start_matches('/').to_owned();
                    folder.push(path, file.unchecked_into())?;
                }
            }
        }
    }
    Ok(folder)
}

/// What was opened from disk, open in this module's worker.
#[derive(Clone)]
pub struct Opened {
    /// The worker's key for it (blobs in it are kept under `key digest`).
    pub key: String,
    /// The file's or folder's name.
    pub name: String,
    pub probe: Probe,
    /// Milliseconds the first opening took (in this module).
    pub ms: u64,
}

/// Opens `disk` in this module's worker (a folder is walked first), or takes the probe of
/// an earlier opening; only tar headers and documents are read.
pub async fn open(disk: JsValue) -> Result<Opened, String> {
    let started = js_sys::Date::now();
    if let Some((key, name)) = known(&disk) {
        if let Some((probe, ms)) = PROBED.with(|p| p.borrow().get(&key).cloned()) {
            return Ok(Opened {
                key,
                name,
                probe,
                ms,
            });
        }
    }
    let handle = disk.clone();
    let (name, paths, extra) = match disk.dyn_into::<web_sys::File>() {
        Ok(file) => (file.name(), Vec::new(), JsValue::from(file)),
        Err(disk) => {
            let f = folder(disk).await?;
            (f.name, f.paths, f.files.into())
        }
    };
    let key = known(&handle).map_or_else(|| new_key(&handle, &name), |(key, _)| key);
    let probe = {
        let key = key.clone();
        answer(move |done| layers::open_archive(key, paths, extra, done)).await?
    };
    let ms = (js_sys::Date::now() - started) as u64;
    PROBED.with(|p| p.borrow_mut().insert(key.clone(), (probe.clone(), ms)));
    Ok(Opened {
        key,
        name,
        probe,
        ms,
    })
}

/// Reads `digest` from the archive open under `archive`, verified by the worker; `true` when
/// the reader made it up (a legacy `docker save` manifest).
pub async fn read_document(archive: &str, digest: &Digest) -> Result<(Vec<u8>, bool), String> {
    let (archive, digest) = (archive.to_owned(), digest.clone());
    answer(move |done| layers::read_document(archive, digest, done)).await
}

/// Where a callback's one answer waits for the future that awaits it.
struct Slot<T> {
    value: Option<T>,
    waker: Option<Waker>,
}

/// The first answer of a callback API (the layer jobs answer through callbacks), awaited.
fn answer<T: 'static>(ask: impl FnOnce(Box<dyn Fn(T)>)) -> impl Future<Output = T> {
    let slot = Rc::new(RefCell::new(Slot {
        value: None,
        waker: None,
    }));
    let filled = slot.clone();
    ask(Box::new(move |value| {
        let mut s = filled.borrow_mut();
        if s.value.is_none() {
            s.value = Some(value);
            if let Some(waker) = s.waker.take() {
                waker.wake();
            }
        }
    }));
    std::future::poll_fn(move |cx| {
        let mut s = slot.borrow_mut();
        match s.value.take() {
            Some(value) => Poll::Ready(value),
            None => {
                s.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    })
}
