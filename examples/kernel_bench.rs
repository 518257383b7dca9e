//! The layer worker's compute kernels on bytes in memory, for `tests/e2e/kernel-bench.mjs`.
//!
//! The layer worker ships no benchmark code, so this wasm module links the very code paths the
//! worker runs on each chunk — `oci::Hasher` (sha2's SHA-256), `layer::Decoder` (flate2/zlib-rs
//! gzip, ruzstd) and the whole `layer::LayerReader` (digest, decompression, diff_id, tar walk) —
//! built with the same release profile and `wasm-opt` flags, and exposes them to a benchmark
//! page's Web Worker chunk by chunk, as the worker feeds them. Against hash-wasm and
//! `DecompressionStream` on the same chunks in the same worker, the ratio is the kernels', free
//! of the network and of rendering (which the app-level layer benchmark includes).
//!
//! Native builds see an empty library: the kernels are benchmarked natively by nothing.
#![cfg(target_arch = "wasm32")]

use manifest_explorer::layer::{Caps, Decoder, LayerError, LayerReader, ReadOptions};
use manifest_explorer::oci::{Algorithm, Digest, Hasher};
use wasm_bindgen::prelude::*;

/// SHA-256, streamed.
#[wasm_bindgen]
pub struct Sha256 {
    inner: Option<Hasher>,
}

#[wasm_bindgen]
impl Sha256 {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Sha256 {
        Sha256 {
            inner: Some(Hasher::new(Algorithm::Sha256)),
        }
    }

    pub fn update(&mut self, chunk: &[u8]) {
        if let Some(h) = &mut self.inner {
            h.update(chunk);
        }
    }

    /// `sha256:<hex>`; empty once finished.
    pub fn finish(&mut self) -> String {
        self.inner
            .take()
            .map(|h| h.finish().to_string())
            .unwrap_or_default()
    }
}

impl Default for Sha256 {
    fn default() -> Sha256 {
        Sha256::new()
    }
}

/// Decompression only (format sniffed, caps as the worker's defaults); counts the output.
#[wasm_bindgen]
pub struct Decompress {
    inner: Option<Decoder>,
    out: u64,
}

fn message(e: LayerError) -> JsError {
    JsError::new(&e.to_string())
}

#[wasm_bindgen]
impl Decompress {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Decompress {
        Decompress {
            inner: Some(Decoder::new(Caps::default())),
            out: 0,
        }
    }

    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsError> {
        let out = &mut self.out;
        match &mut self.inner {
            Some(d) => d
                .push(chunk, &mut |bytes: &[u8]| {
                    *out += bytes.len() as u64;
                    Ok(())
                })
                .map_err(message),
            None => Ok(()),
        }
    }

    /// Bytes of output in all.
    pub fn finish(&mut self) -> Result<f64, JsError> {
        let out = &mut self.out;
        if let Some(d) = self.inner.take() {
            d.finish(&mut |bytes: &[u8]| {
                *out += bytes.len() as u64;
                Ok(())
            })
            .map_err(message)?;
        }
        Ok(self.out as f64)
    }
}

impl Default for Decompress {
    fn default() -> Decompress {
        Decompress::new()
    }
}

/// The worker's whole per-chunk work: digest check, decompression, diff_id, tar walk.
#[wasm_bindgen]
pub struct Layer {
    inner: Option<LayerReader>,
}

#[wasm_bindgen]
impl Layer {
    /// `digest`, `size`: the descriptor's; `diff_id`: the config's.
    #[wasm_bindgen(constructor)]
    pub fn new(digest: &str, size: f64, diff_id: &str) -> Result<Layer, JsError> {
        let parse = |s: &str| {
            s.parse::<Digest>()
                .map_err(|e| JsError::new(&e.to_string()))
        };
        Ok(Layer {
            inner: Some(LayerReader::new(
                Some((parse(digest)?, size as u64)),
                Some(parse(diff_id)?),
                ReadOptions::default(),
            )),
        })
    }

    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsError> {
        match &mut self.inner {
            Some(r) => r.push(chunk).map_err(message),
            None => Ok(()),
        }
    }

    /// Entries listed; an error unless the digest and the diff_id both matched.
    pub fn finish(&mut self) -> Result<f64, JsError> {
        let Some(r) = self.inner.take() else {
            return Ok(0.0);
        };
        let read = r.finish().map_err(message)?;
        if read.diff_id_matches != Some(true) {
            return Err(JsError::new(&format!(
                "diff_id {} did not match",
                read.diff_id
            )));
        }
        Ok(read.listing.entries.len() as f64)
    }
}
