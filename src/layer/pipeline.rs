//! [`LayerReader`]: the one object a worker feeds a layer blob into, chunk by chunk.
//!
//! Each chunk is, in order: checked against the descriptor (size and digest, with
//! [`oci::Verifier`](crate::oci::Verifier): an over-read fails at once, a short read and a wrong
//! digest at the end, each a distinct error), decompressed (compression sniffed from the first
//! bytes), hashed again to give the diff_id (SHA-256 of the uncompressed tar, image-spec
//! `config.md` `rootfs.diff_ids`), and walked as tar. Without an expected digest (a dropped
//! file) the blob's digest is computed and reported as unverified.
//!
//! With an expected digest, a decoding error (not a cap) does not end the read at once: the
//! rest of the blob is still hashed (cheaply, without decoding), so that a registry serving
//! other bytes is reported as a digest mismatch, not as "not a tar". Caps stop at once.

use super::decode::Decoder;
use super::tar::{WalkOptions, Walker};
use super::{Caps, Compression, Entry, LayerError};
use crate::oci::{Algorithm, Digest, Hasher, Verifier};

pub use super::tar::{Capture, CaptureTarget};

/// How to read a layer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    pub caps: Caps,
    /// Compute each regular file's SHA-256.
    pub hash_files: bool,
    /// Keep (the start of) one entry's content.
    pub capture: Option<Capture>,
}

/// The files of one layer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Listing {
    pub entries: Vec<Entry>,
    /// Bytes of the uncompressed tar stream.
    pub uncompressed_size: u64,
    pub compression: Compression,
    /// Accepted oddities worth showing (no end-of-archive marker, PAX global headers).
    pub warnings: Vec<String>,
}

/// What the blob's own digest check concluded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DigestVerdict {
    /// The bytes hash to the expected digest and have the expected size.
    Verified(Digest),
    /// Nothing to compare with: the digest the bytes hash to.
    Unverified(Digest),
}

/// The result of reading one layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerRead {
    pub listing: Listing,
    pub digest: DigestVerdict,
    /// SHA-256 of the uncompressed stream.
    pub diff_id: Digest,
    /// Whether [`LayerRead::diff_id`] equals the expected one (`None`: none was given).
    pub diff_id_matches: Option<bool>,
    /// Content of the captured entry, up to the capture's maximum.
    pub captured: Option<Vec<u8>>,
}

enum Check {
    Verify(Verifier),
    Hash(Hasher),
}

/// Streams one layer blob: verify, decompress, diff_id, walk.
pub struct LayerReader {
    check: Check,
    expected_diff_id: Option<Digest>,
    decoder: Decoder,
    diff: Hasher,
    walker: Walker,
    /// A decoding error held back until the digest verdict (see the module docs).
    failed: Option<LayerError>,
    /// The blob's own digest is a SHA-256: for an uncompressed tar it is then the diff_id,
    /// and the stream is not hashed a second time.
    blob_sha256: bool,
}

impl LayerReader {
    /// `expected`: the descriptor's digest and size; `expected_diff_id`: the config's
    /// `rootfs.diff_ids` entry for this layer.
    pub fn new(
        expected: Option<(Digest, u64)>,
        expected_diff_id: Option<Digest>,
        opts: ReadOptions,
    ) -> LayerReader {
        let (check, blob_sha256) = match expected {
            Some((digest, size)) => {
                let sha256 = digest.algorithm() == Algorithm::Sha256;
                (Check::Verify(Verifier::new(digest, Some(size))), sha256)
            }
            None => (Check::Hash(Hasher::new(Algorithm::Sha256)), true),
        };
        LayerReader {
            check,
            expected_diff_id,
            decoder: Decoder::new(opts.caps),
            diff: Hasher::new(Algorithm::Sha256),
            walker: Walker::new(WalkOptions {
                caps: opts.caps,
                hash_files: opts.hash_files,
                capture: opts.capture,
            }),
            failed: None,
            blob_sha256,
        }
    }

    pub fn push(&mut self, chunk: &[u8]) -> Result<(), LayerError> {
        match &mut self.check {
            Check::Verify(v) => v.update(chunk)?,
            Check::Hash(h) => h.update(chunk),
        }
        if self.failed.is_some() {
            return Ok(());
        }
        let same = self.blob_sha256 && self.decoder.compression() == Some(Compression::Tar);
        let LayerReader {
            decoder,
            diff,
            walker,
            ..
        } = self;
        let result = decoder.push(chunk, &mut |bytes: &[u8]| {
            if !same {
                diff.update(bytes);
            }
            walker.push(bytes)
        });
        match result {
            Err(e) if !e.is_cap() && matches!(self.check, Check::Verify(_)) => {
                self.failed = Some(e);
                Ok(())
            }
            other => other,
        }
    }

    /// A decoding error held back until the end of the blob, if any: the layer will not
    /// list, but whether it is the expected blob is still being checked.
    pub fn held_error(&self) -> Option<&LayerError> {
        self.failed.as_ref()
    }

    /// `(compressed bytes in, uncompressed bytes out, entries so far)`.
    pub fn progress(&self) -> (u64, u64, u64) {
        (
            self.decoder.input(),
            self.decoder.output(),
            self.walker.entries().len() as u64,
        )
    }

    /// The compression, once the first bytes have been seen.
    pub fn compression(&self) -> Option<Compression> {
        self.decoder.compression()
    }

    /// Ends the blob. The digest is checked first: a short or wrong blob explains any
    /// decoding error that follows from it.
    pub fn finish(self) -> Result<LayerRead, LayerError> {
        let LayerReader {
            check,
            expected_diff_id,
            decoder,
            mut diff,
            mut walker,
            failed,
            blob_sha256,
        } = self;
        let digest = match check {
            Check::Verify(v) => DigestVerdict::Verified(v.finish()?),
            Check::Hash(h) => DigestVerdict::Unverified(h.finish()),
        };
        if let Some(e) = failed {
            return Err(e);
        }
        let compression = decoder.compression();
        let mut uncompressed_size = decoder.output();
        decoder.finish(&mut |bytes: &[u8]| {
            uncompressed_size += bytes.len() as u64;
            diff.update(bytes);
            walker.push(bytes)
        })?;
        let walked = walker.finish()?;
        // Uncompressed: the diff_id is the blob's SHA-256 (the diff hasher skipped most of it).
        let diff_id = match (&digest, compression) {
            (DigestVerdict::Verified(d) | DigestVerdict::Unverified(d), Some(Compression::Tar))
                if blob_sha256 =>
            {
                d.clone()
            }
            _ => diff.finish(),
        };
        Ok(LayerRead {
            diff_id_matches: expected_diff_id.map(|d| d == diff_id),
            diff_id,
            digest,
            captured: walked.captured,
            listing: Listing {
                entries: walked.entries,
                uncompressed_size,
                // An empty blob never showed its first bytes: it is (an empty) tar.
                compression: compression.unwrap_or(Compression::Tar),
                warnings: walked.warnings,
            },
        })
    }
}
