//! Manifest Explorer: look inside container images and OCI artifacts in the browser,
//! verified on the client.
//!
//! - [`oci`]: the pure core (references, digests, media types, documents, lint).
//! - [`layer`]: the pure layer core (decompression, tar walking, merged filesystem, efficiency).
//! - [`registry`]: the pure parts of the distribution protocol (URLs, auth challenges, tokens,
//!   pagination, error bodies, verification); `http` (wasm only) is the one module doing I/O.
//! - `app` and `components` (wasm only): the Leptos user interface.

pub mod layer;
pub mod oci;
pub mod registry;
pub mod route;
pub mod samples;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod client;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod http;
