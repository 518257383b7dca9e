//! Lenient typed views of OCI / Docker documents, for rendering.
//!
//! The linter (elsewhere) reports every spec violation with a JSON pointer; these views do the
//! opposite job: they never fail. A missing or wrong-typed field becomes `None` or empty, a bad
//! digest is kept as text, so the UI can show as much of a broken document as possible and put
//! the linter's findings next to the parts they point at. That is why every view keeps the
//! JSON pointer of what it exposes.

pub mod annotations;
pub mod config;
pub mod descriptor;
mod fields;
pub mod index;
pub mod manifest;
pub mod payload;
pub mod schema1;
pub mod size;

pub use annotations::{label, safe_link};
pub use config::{HistoryEntry, ImageConfig, LayerMismatch, Step};
pub use descriptor::{Annotations, Descriptor, DigestField, Platform};
pub use index::{Entry, EntryKind, Index, PlatformGroup, PlatformGroups};
pub use manifest::ImageManifest;
pub use payload::{
    recognise, CosignSimpleSigning, CycloneDxBom, DsseEnvelope, DssePayload, HelmChart,
    InTotoStatement, InTotoSubject, Payload, SpdxDocument,
};
pub use schema1::{FsLayer, Schema1History, Schema1Manifest};
pub use size::human_size;
