//! What is inside a layer: the pure core behind "list a layer's files", the merged filesystem
//! and the efficiency figures.
//!
//! Bytes are *pushed* in, chunk by chunk, as they arrive from a fetch or a dropped file; nothing
//! here fetches, spawns or touches the DOM, so everything is tested natively (`tests/layer.rs`).
//!
//! - [`decode`]: gzip (multi-member, eStargz), zstd (multi-frame, skippable frames) or plain,
//!   chosen by magic bytes ([`sniff`]), never by media type.
//! - [`tar`]: a push-driven tar walker (ustar, GNU, PAX) producing [`Entry`] values as bytes.
//! - [`pipeline`]: [`LayerReader`], the one object a worker feeds: digest check, decompression,
//!   diff_id, tar walk.
//! - [`tree`]: the merged filesystem of an image's layers (image-spec `layer.md`, "Whiteouts").
//! - [`changes`]: per-layer added / modified / removed, efficiency and reclaimable bytes.
//! - [`view`]: filtering, sorting and paging for a listing of up to a million rows.
//! - [`path`]: showing raw path bytes safely.
//!
//! Every size and count a hostile layer controls is bounded by [`Caps`]; breaking one is a
//! distinct [`LayerError`]. Definitions of the figures are in `docs/layers.md`.

pub mod caps;
pub mod changes;
pub mod decode;
pub mod error;
pub mod path;
pub mod pipeline;
pub mod tar;
pub mod tree;
pub mod view;

pub use caps::Caps;
pub use changes::{efficiency, layer_changes, Efficiency, LayerChanges};
pub use decode::{sniff, Compression, Decoder};
pub use error::LayerError;
pub use pipeline::{
    Capture, CaptureTarget, DigestVerdict, LayerRead, LayerReader, Listing, ReadOptions,
};
pub use tar::{Entry, EntryKind, Flags, Walker, Whiteout};
pub use tree::{LinkError, Status, Tree};
pub use view::{Index, Page, Query, Row, Scope, Sort};
