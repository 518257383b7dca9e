//! Random access to the bytes of a file the person opened, without holding it in memory.
//!
//! In the browser a [`Source`] is a `File` read with `File.slice()` + `FileReaderSync` inside a
//! worker; natively it is a byte vector or a file. A dropped folder is a [`Directory`]: one
//! source per relative path (`webkitRelativePath`, which starts with the folder's own name).

use std::cell::RefCell;
use std::collections::BTreeMap;

use thiserror::Error;

/// A read outside the source, or an I/O failure underneath it.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("cannot read {len} bytes at offset {offset}: {reason}")]
pub struct SourceError {
    pub offset: u64,
    pub len: usize,
    pub reason: String,
}

/// Bytes that can be read at any offset. `read_at` returns exactly `len` bytes or an error:
/// a short read is an error, so callers never mistake a truncated file for a short member.
pub trait Source {
    fn len(&self) -> u64;

    fn read_at(&self, offset: u64, len: usize) -> Result<Vec<u8>, SourceError>;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The range check every implementation shares.
fn check_range(total: u64, offset: u64, len: usize) -> Result<(), SourceError> {
    let end = offset.checked_add(len as u64);
    if end.is_none_or(|end| end > total) {
        return Err(SourceError {
            offset,
            len,
            reason: format!("past the end ({total} bytes)"),
        });
    }
    Ok(())
}

impl Source for Vec<u8> {
    fn len(&self) -> u64 {
        self.as_slice().len() as u64
    }

    fn read_at(&self, offset: u64, len: usize) -> Result<Vec<u8>, SourceError> {
        check_range(Source::len(self), offset, len)?;
        // In range of a slice whose length fits in usize, so the conversion cannot fail.
        let start = usize::try_from(offset).map_err(|e| SourceError {
            offset,
            len,
            reason: e.to_string(),
        })?;
        Ok(self
            .get(start..start + len)
            .map(<[u8]>::to_vec)
            .unwrap_or_default())
    }
}

/// A source read at least `window` bytes at a time, answering later reads that fall inside
/// the last window from memory: the tar walk reads 512-byte headers one by one, and each read
/// of a browser `File` (`FileReaderSync`) is a round trip, so a layer tar of thousands of small
/// members would otherwise cost thousands of them.
pub struct ReadAhead<S> {
    inner: S,
    window: usize,
    /// The last window read: its offset and bytes.
    last: RefCell<(u64, Vec<u8>)>,
}

impl<S: Source> ReadAhead<S> {
    pub fn new(inner: S, window: usize) -> ReadAhead<S> {
        ReadAhead {
            inner,
            window,
            last: RefCell::new((0, Vec::new())),
        }
    }
}

impl<S: Source> Source for ReadAhead<S> {
    fn len(&self) -> u64 {
        self.inner.len()
    }

    fn read_at(&self, offset: u64, len: usize) -> Result<Vec<u8>, SourceError> {
        let total = self.inner.len();
        check_range(total, offset, len)?;
        {
            let (start, bytes) = &*self.last.borrow();
            // In range of the window: `offset - start` is below its length, a usize.
            if offset >= *start && offset + len as u64 <= start + bytes.len() as u64 {
                let from = (offset - start) as usize;
                if let Some(hit) = bytes.get(from..from + len) {
                    return Ok(hit.to_vec());
                }
            }
        }
        if len >= self.window {
            return self.inner.read_at(offset, len);
        }
        // At least `len` (the range check above), at most the window.
        let ahead =
            usize::try_from(total - offset).map_or(self.window, |left| left.min(self.window));
        let bytes = self.inner.read_at(offset, ahead)?;
        let out = bytes.get(..len).map(<[u8]>::to_vec).unwrap_or_default();
        *self.last.borrow_mut() = (offset, bytes);
        Ok(out)
    }
}

/// A file on disk (native only: the browser has no paths).
#[cfg(unix)]
pub struct FileSource {
    file: std::fs::File,
    len: u64,
}

#[cfg(unix)]
impl FileSource {
    pub fn open(path: &std::path::Path) -> std::io::Result<FileSource> {
        let file = std::fs::File::open(path)?;
        let len = file.metadata()?.len();
        Ok(FileSource { file, len })
    }
}

#[cfg(unix)]
impl Source for FileSource {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&self, offset: u64, len: usize) -> Result<Vec<u8>, SourceError> {
        use std::os::unix::fs::FileExt;
        check_range(self.len, offset, len)?;
        let mut buffer = vec![0; len];
        self.file
            .read_exact_at(&mut buffer, offset)
            .map_err(|e| SourceError {
                offset,
                len,
                reason: e.to_string(),
            })?;
        Ok(buffer)
    }
}

/// A dropped or picked folder: relative path (`/`-separated) → its bytes.
pub type Directory = BTreeMap<String, Box<dyn Source>>;
