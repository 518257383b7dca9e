//! Manifest Explorer: look inside container images and OCI artifacts in the browser,
//! verified on the client.
//!
//! - [`oci`]: the pure core (references, digests, media types, documents, lint).
//! - [`layer`]: the pure layer core (decompression, tar walking, merged filesystem, efficiency).
//! - [`registry`]: the pure parts of the distribution protocol (URLs, auth challenges, tokens,
//!   pagination, error bodies, verification); `http` (wasm only) is the one module doing I/O.
//! - [`compare`]: two or more images side by side (layers, configs, indexes, files).
//! - [`archive`]: OCI image layouts and `docker save` archives from disk.
//! - [`layer`]: what is inside a layer (tar, gzip/zstd, merged filesystem, efficiency);
//!   [`jobs`]: the messages between the page and the layer worker that runs it.
//! - `app` and `components` (wasm only, feature `ui`): the Leptos user interface; the workers
//!   are built without it.

pub mod archive;
pub mod compare;
pub mod jobs;
pub mod layer;
pub mod oci;
pub mod preview;
pub mod registry;
pub mod route;
pub mod samples;
pub mod signature;

#[cfg(all(target_arch = "wasm32", feature = "ui"))]
pub mod app;
#[cfg(all(target_arch = "wasm32", feature = "ui"))]
pub mod client;
#[cfg(all(target_arch = "wasm32", feature = "ui"))]
pub mod components;
#[cfg(all(target_arch = "wasm32", feature = "ui"))]
pub mod http;
#[cfg(all(target_arch = "wasm32", feature = "ui"))]
pub mod layers;
#[cfg(all(target_arch = "wasm32", feature = "ui"))]
pub mod lazy;
#[cfg(target_arch = "wasm32")]
pub mod worker;
#[cfg(all(target_arch = "wasm32", feature = "ui"))]
pub mod worker_client;
