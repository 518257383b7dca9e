//! The archive worker (`src/bin/archiveworker.rs`): image archives from disk, read by the
//! pure `archive` core over `File.slice()` + `FileReaderSync` (synchronous reads exist in
//! workers only, and the core's `Source` is synchronous), kept by key with the `File`s they
//! came from. A layer inside an archive is not read here: [`Request::ArchiveBlob`] answers
//! with its `Blob.slice(offset, offset + size)`, which the page hands to the layer worker to
//! stream and verify like a dropped file. So this worker links no layer pipeline.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use js_sys::{Array, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, FileReaderSync};

use super::{decode, post, post_blob, post_failed};
use crate::archive::{Archive, ArchiveError, Directory, Input, ReadAhead, Source, SourceError};
use crate::jobs::{ArchiveSummary, Reply, Request};
use crate::oci::Digest;

thread_local! {
    static ARCHIVES: RefCell<Archives> = RefCell::new(Archives::default());
}

/// The archive worker's dispatch of one message from the page. Its jobs answer at once (the
/// reads are synchronous), so there is nothing to cancel; what the layer worker serves is
/// refused by name.
pub fn receive(data: JsValue) {
    let Some((request, extra)) = decode(data) else {
        return;
    };
    match request {
        Request::Cancel { .. } => {}
        Request::OpenArchive { job, key, paths } => {
            match ARCHIVES.with(|a| a.borrow_mut().open(job, key, paths, extra)) {
                Ok(reply) => post(&reply, None),
                Err(error) => post_failed(job, error),
            }
        }
        Request::ReadDocument {
            job,
            archive,
            digest,
        } => match ARCHIVES.with(|a| a.borrow().document(job, &archive, &digest)) {
            Ok((reply, bytes)) => post(&reply, Some(bytes)),
            Err(error) => post_failed(job, error),
        },
        Request::ArchiveBlob {
            job,
            archive,
            digest,
        } => match ARCHIVES.with(|a| a.borrow().slice(&archive, &digest)) {
            Ok(slice) => post_blob(
                &Reply::Blob {
                    job,
                    size: slice.size() as u64,
                },
                &slice,
            ),
            Err(error) => post_failed(job, error),
        },
        Request::Open { job, .. }
        | Request::List { job, .. }
        | Request::ReadFile { job, .. }
        | Request::Blob { job, .. }
        | Request::Analyse { job, .. }
        | Request::Clear { job }
        | Request::DiffFiles { job, .. } => post_failed(
            job,
            "the archive worker reads archives only (layers are the layer worker's)".into(),
        ),
    }
}

/// A folder with more files than this is refused (a layout has a few per image).
const MAX_FILES: usize = 100_000;
/// The read-ahead window ([`ReadAhead`]): the tar walk reads 512-byte headers one at a time,
/// and a layer tar has thousands.
const READ_AHEAD: usize = 32 * 1024;

/// A `File` (or any `Blob`) as a [`Source`]. Reads are counted into `read`.
struct BlobSource {
    blob: Blob,
    len: u64,
    reader: Rc<FileReaderSync>,
    read: Rc<Cell<u64>>,
}

impl BlobSource {
    fn fetch(&self, offset: u64, len: usize) -> Result<Vec<u8>, String> {
        // Offsets below 2^53 are exact as f64; files are smaller than that.
        let slice = self
            .blob
            .slice_with_f64_and_f64(offset as f64, (offset + len as u64) as f64)
            .map_err(|e| format!("{e:?}"))?;
        let buffer = self
            .reader
            .read_as_array_buffer(&slice)
            .map_err(|e| format!("{e:?}"))?;
        let bytes = Uint8Array::new(&buffer).to_vec();
        self.read.set(self.read.get() + bytes.len() as u64);
        if bytes.len() != len {
            return Err(format!("got {} bytes (the file changed?)", bytes.len()));
        }
        Ok(bytes)
    }
}

impl Source for BlobSource {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&self, offset: u64, len: usize) -> Result<Vec<u8>, SourceError> {
        if offset
            .checked_add(len as u64)
            .is_none_or(|end| end > self.len)
        {
            return Err(SourceError {
                offset,
                len,
                reason: format!("past the end ({} bytes)", self.len),
            });
        }
        self.fetch(offset, len).map_err(|reason| SourceError {
            offset,
            len,
            reason,
        })
    }
}

/// An open archive and the `Blob`s its members live in.
struct Open {
    archive: Archive,
    /// The `.tar`, or the folder's files by relative path.
    files: Files,
    summary: ArchiveSummary,
}

enum Files {
    Tar(Blob),
    Folder(BTreeMap<String, Blob>),
}

#[derive(Default)]
struct Archives {
    open: BTreeMap<String, Open>,
}

impl Archives {
    /// Opens the archive sent as `extra` (a `File`, or an array of `File`s for `paths`), or
    /// answers with the summary of the one already open under `key`.
    fn open(
        &mut self,
        job: u32,
        key: String,
        paths: Vec<String>,
        extra: JsValue,
    ) -> Result<Reply, String> {
        if let Some(open) = self.open.get(&key) {
            return Ok(Reply::Archive {
                job,
                archive: open.summary.clone(),
            });
        }
        let reader = FileReaderSync::new()
            .map(Rc::new)
            .map_err(|_| "this browser cannot read files in a worker".to_owned())?;
        let read = Rc::new(Cell::new(0));
        let source = |blob: Blob| {
            ReadAhead::new(
                BlobSource {
                    len: blob.size() as u64,
                    blob,
                    reader: reader.clone(),
                    read: read.clone(),
                },
                READ_AHEAD,
            )
        };
        let (input, files, size) = if paths.is_empty() {
            let Ok(blob) = extra.dyn_into::<Blob>() else {
                return Err(format!("the file {key} did not reach the worker"));
            };
            let size = blob.size() as u64;
            (
                Input::Tar(Box::new(source(blob.clone()))),
                Files::Tar(blob),
                size,
            )
        } else {
            if paths.len() > MAX_FILES {
                return Err(format!(
                    "the folder has {} files, over the {MAX_FILES} file limit",
                    paths.len()
                ));
            }
            let list: Array = extra.unchecked_into();
            let mut directory = Directory::new();
            let mut blobs = BTreeMap::new();
            let mut size = 0;
            for (i, path) in paths.into_iter().enumerate() {
                let Ok(blob) = list.get(i as u32).dyn_into::<Blob>() else {
                    return Err(format!("the file {path} did not reach the worker"));
                };
                size += blob.size() as u64;
                blobs.insert(path.clone(), blob.clone());
                directory.insert(path, Box::new(source(blob)) as Box<dyn Source>);
            }
            (Input::Directory(directory), Files::Folder(blobs), size)
        };
        match Archive::open(input) {
            Ok(archive) => {
                let summary = archive.summary(&key, size, read.get());
                self.open.insert(
                    key,
                    Open {
                        archive,
                        files,
                        summary: summary.clone(),
                    },
                );
                Ok(Reply::Archive {
                    job,
                    archive: summary,
                })
            }
            // Readable, but no image archive: the page shows the file as a layer.
            Err(e @ (ArchiveError::NotATar { .. } | ArchiveError::NotALayout { .. })) => {
                Ok(Reply::NotAnArchive {
                    job,
                    reason: e.to_string(),
                })
            }
            Err(e) => Err(e.to_string()),
        }
    }

    fn get(&self, key: &str) -> Result<&Open, String> {
        self.open
            .get(key)
            .ok_or_else(|| format!("the archive {key} is not open in this tab (open it again)"))
    }

    /// A document blob, verified: the reply and its bytes.
    fn document(&self, job: u32, key: &str, digest: &Digest) -> Result<(Reply, Vec<u8>), String> {
        let open = self.get(key)?;
        let bytes = open.archive.read_blob(digest).map_err(|e| e.to_string())?;
        Ok((
            Reply::Document {
                job,
                digest: digest.clone(),
                synthesized: open.archive.is_synthesized(digest),
            },
            bytes,
        ))
    }

    /// The bytes of blob `digest` as a `Blob` slice, for streaming through the layer worker's
    /// pipeline (which verifies them: nothing here is trusted).
    fn slice(&self, key: &str, digest: &Digest) -> Result<Blob, String> {
        let open = self.get(key)?;
        let location = open
            .archive
            .blob_location(digest)
            .ok_or_else(|| format!("blob {digest} is not in the archive {key}"))?;
        let blob = match &open.files {
            Files::Tar(blob) => blob,
            Files::Folder(files) => files
                .get(&location.member)
                .ok_or_else(|| format!("{} is not in the folder {key}", location.member))?,
        };
        let start = location.offset as f64;
        blob.slice_with_f64_and_f64(start, start + location.size as f64)
            .map_err(|_| format!("could not read {} of {key}", location.member))
    }
}
