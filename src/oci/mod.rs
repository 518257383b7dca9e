//! The pure core: everything about OCI content that can be decided from bytes alone.
//!
//! Nothing in here touches the network, the DOM or the reactive runtime; it is compiled and
//! tested natively (`cargo test`) and used unchanged by the browser app.

pub mod base64;
pub mod digest;
pub mod document;
pub mod json;
pub mod lint;
pub mod media_type;
pub mod model;
pub mod reference;

pub use digest::{Algorithm, Digest, DigestError, Hasher, Verifier, VerifyError};
pub use document::{
    inspect, inspect_with, Inspection, Kind, Limits, DEFAULT_MAX_BYTES, RAISED_MAX_BYTES,
};
pub use lint::{Finding, Severity};
pub use media_type::MediaType;
pub use reference::{Normalization, Reference, ReferenceError};
