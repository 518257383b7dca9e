//! Differences between two image indexes (image-spec image-index.md): platforms added,
//! removed, and present on both sides with another digest.
//!
//! Entries are matched by a platform key that includes the variant and `os.version`
//! (`linux/arm/v7` and `linux/arm/v6` are different images; so are two Windows builds). BuildKit
//! attestation manifests (`unknown/unknown`, model::index) are never platforms: they travel
//! with the image they describe ([`IndexSide::attestations`]), so a rebuilt image shows as one
//! changed platform, not as a changed platform plus a changed `unknown/unknown`.

use std::collections::HashMap;

use super::{diff_annotations, KeyedChange};
use crate::oci::model::{Entry, EntryKind, Index, Platform};

/// One side of an entry: its key, digest and the digests of its attestations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexSide {
    pub key: String,
    /// Position in `manifests`.
    pub position: usize,
    pub digest: Option<String>,
    pub size: Option<u64>,
    /// Sorted.
    pub attestations: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexChange {
    pub left: IndexSide,
    pub right: IndexSide,
}

impl IndexChange {
    pub fn digest_changed(&self) -> bool {
        self.left.digest != self.right.digest
    }

    pub fn attestations_changed(&self) -> bool {
        self.left.attestations != self.right.attestations
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct IndexDiff {
    pub added: Vec<IndexSide>,
    pub removed: Vec<IndexSide>,
    /// Same key, another digest or other attestations.
    pub changed: Vec<IndexChange>,
    /// Keys present on both sides with the same digest and attestations.
    pub unchanged: Vec<String>,
    pub annotations: Vec<KeyedChange>,
}

/// `os/architecture[/variant][ os.version][ +features]`: what tells two entries apart.
pub fn platform_key(platform: &Platform) -> String {
    let mut key = platform.to_string();
    if let Some(version) = &platform.os_version {
        key.push(' ');
        key.push_str(version);
    }
    for feature in platform.os_features.iter().chain(&platform.features) {
        key.push_str(" +");
        key.push_str(feature);
    }
    key
}

/// The entries of one index with their keys; duplicates get ` #2`, ` #3` in document order.
fn sides(index: &Index) -> Vec<IndexSide> {
    let groups = index.platform_groups();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut key_of = |base: String| {
        let count = seen.entry(base.clone()).or_insert(0);
        *count += 1;
        if *count == 1 {
            base
        } else {
            format!("{base} #{count}")
        }
    };
    let side = |entry: &Entry, key: String, attestations: &[Entry]| {
        let mut attestations: Vec<String> = attestations
            .iter()
            .filter_map(|a| a.descriptor.digest.text())
            .collect();
        attestations.sort();
        IndexSide {
            key,
            position: entry.position,
            digest: entry.descriptor.digest.text(),
            size: entry.descriptor.byte_size(),
            attestations,
        }
    };
    let mut result = Vec::new();
    for group in &groups.groups {
        let base = match &group.image.kind {
            EntryKind::Platform(platform) => platform_key(platform),
            EntryKind::Artifact(artifact_type) => format!("artifact {artifact_type}"),
            EntryKind::NoPlatform | EntryKind::Attestation { .. } => "no platform".to_owned(),
        };
        result.push(side(&group.image, key_of(base), &group.attestations));
    }
    for orphan in &groups.orphans {
        let base = match &orphan.kind {
            EntryKind::Attestation {
                target: Some(target),
            } => format!("attestation of {target}"),
            _ => "attestation".to_owned(),
        };
        result.push(side(orphan, key_of(base), &[]));
    }
    result
}

pub fn diff_indexes(left: &Index, right: &Index) -> IndexDiff {
    let mut right_sides: Vec<Option<IndexSide>> = sides(right).into_iter().map(Some).collect();
    let position: HashMap<String, usize> = right_sides
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Some((s.as_ref()?.key.clone(), i)))
        .collect();
    let mut diff = IndexDiff {
        annotations: diff_annotations(&left.annotations, &right.annotations),
        ..IndexDiff::default()
    };
    for l in sides(left) {
        let matched = position
            .get(&l.key)
            .and_then(|&i| right_sides.get_mut(i)?.take());
        match matched {
            None => diff.removed.push(l),
            Some(r) if r.digest == l.digest && r.attestations == l.attestations => {
                diff.unchanged.push(l.key)
            }
            Some(r) => diff.changed.push(IndexChange { left: l, right: r }),
        }
    }
    diff.added = right_sides.into_iter().flatten().collect();
    diff
}

/// The entry of an index a comparison shows (see [`pick_platform`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pick {
    /// The entry's [`platform_key`].
    pub key: String,
    pub descriptor: crate::oci::model::Descriptor,
}

/// Why no entry was picked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PickError {
    #[error("the index has no image entries (only attestations, or nothing)")]
    NoImages,
    #[error("the index has no platform {wanted:?}; it has: {available}")]
    NoSuchPlatform { wanted: String, available: String },
}

/// Whether `wanted` names the platform `key`: exactly, or as a prefix ending at a `/` or a
/// space (`linux/arm64` picks `linux/arm64/v8`, `windows/amd64` a Windows build).
fn names(wanted: &str, key: &str) -> bool {
    key == wanted
        || key
            .strip_prefix(wanted)
            .is_some_and(|rest| rest.starts_with('/') || rest.starts_with(' '))
}

/// The image entry of `index` to compare: the platform the person `wanted` (error when there
/// is none), else the one `prefer`red (the other side's, so two indexes compare like with
/// like), else the first. Attestations are never picked.
pub fn pick_platform(
    index: &Index,
    wanted: Option<&str>,
    prefer: Option<&str>,
) -> Result<Pick, PickError> {
    let images: Vec<Pick> = index
        .platform_groups()
        .groups
        .into_iter()
        .filter_map(|g| match &g.image.kind {
            EntryKind::Platform(p) => Some(Pick {
                key: platform_key(p),
                descriptor: g.image.descriptor,
            }),
            _ => None,
        })
        .collect();
    let find = |name: &str| images.iter().find(|p| names(name, &p.key)).cloned();
    if let Some(wanted) = wanted {
        return find(wanted).ok_or_else(|| PickError::NoSuchPlatform {
            wanted: wanted.to_owned(),
            available: images
                .iter()
                .map(|p| p.key.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    prefer
        .and_then(find)
        .or_else(|| images.first().cloned())
        .ok_or(PickError::NoImages)
}
