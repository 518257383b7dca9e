//! Two (or more) images side by side: what they share and what changed, from the documents
//! alone ([`layers`], [`config`], [`index`]) and from their merged filesystems ([`files`],
//! [`merged`]).
//!
//! Rules from the field (LAYERS.md §5 "Traps", §6 "Compare"):
//! - layers are matched by compressed digest, never by position (container-diff#239: one
//!   inserted layer misaligns every later one);
//! - a deduplicated size counts each distinct blob once, as a registry stores it;
//! - history steps are aligned by a longest common subsequence over `created_by`, so an
//!   inserted step shows as one insertion;
//! - all figures are `u64` bytes (no floats; the UI formats them with `human_size`).

pub mod config;
pub mod files;
pub mod index;
pub mod layers;
pub mod merged;

use std::collections::BTreeMap;

pub use config::{
    align_history, diff_configs, ConfigDiff, ConfigOptions, FieldChange, HistoryRow, SetDiff,
};
pub use files::{
    diff_files, Attribute, Attributes, FileChange, FileDiff, FileFacts, FileKind, FileOptions,
};
pub use index::{
    diff_indexes, pick_platform, platform_key, IndexChange, IndexDiff, IndexSide, Pick, PickError,
};
pub use layers::{
    compare, matrix, BlobRow, Cell, Comparison, ImageFigures, LayerRef, Matrix, SharedLayer,
};
pub use merged::merged_facts;

use crate::oci::model::Annotations;

/// One key whose value differs: `left` is `None` when it was added, `right` when removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyedChange {
    pub key: String,
    pub left: Option<String>,
    pub right: Option<String>,
}

/// The keys whose values differ between two maps written as pair lists, sorted by key. With
/// duplicate keys the last pair wins, as `Annotations::get` and Go read them (and as a later
/// `ENV` overrides an earlier one).
pub fn keyed_diff(left: &[(String, String)], right: &[(String, String)]) -> Vec<KeyedChange> {
    let last_wins = |pairs: &[(String, String)]| -> BTreeMap<String, String> {
        pairs.iter().cloned().collect()
    };
    let (mut left, right) = (last_wins(left), last_wins(right));
    let mut changes = Vec::new();
    for (key, value) in right {
        match left.remove(&key) {
            Some(old) if old == value => {}
            old => changes.push(KeyedChange {
                key,
                left: old,
                right: Some(value),
            }),
        }
    }
    changes.extend(left.into_iter().map(|(key, old)| KeyedChange {
        key,
        left: Some(old),
        right: None,
    }));
    changes.sort_by(|a, b| a.key.cmp(&b.key));
    changes
}

/// Annotations of two manifests or two indexes (image-spec annotations.md).
pub fn diff_annotations(left: &Annotations, right: &Annotations) -> Vec<KeyedChange> {
    keyed_diff(&left.0, &right.0)
}
