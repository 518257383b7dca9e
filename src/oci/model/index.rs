//! Image indexes (image-spec image-index.md, "Image Index Property Descriptions"; Docker
//! manifest lists have the same shape) and the BuildKit attestation layout on top of them
//! (moby/buildkit docs/attestations/attestation-storage.md, "Attestation Manifest
//! Descriptor").
//!
//! BuildKit appends one attestation manifest per image to `manifests`, with platform
//! `unknown/unknown` (so runtimes never pull it) and two annotations naming what it
//! describes. Shown naively, every multi-arch image built with provenance would list bogus
//! `unknown/unknown` platforms; [`Index::platform_groups`] files them under their image.

use super::descriptor::{descriptor_field, descriptor_list, Annotations, Descriptor, Platform};
use super::fields::{int, string};
use crate::oci::json::Json;

/// `vnd.docker.reference.type`: `attestation-manifest` marks an attestation entry.
pub const REFERENCE_TYPE: &str = "vnd.docker.reference.type";
/// `vnd.docker.reference.digest`: the digest of the entry an attestation describes.
pub const REFERENCE_DIGEST: &str = "vnd.docker.reference.digest";
const ATTESTATION_MANIFEST: &str = "attestation-manifest";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Index {
    pub schema_version: Option<i64>,
    pub media_type: Option<String>,
    pub artifact_type: Option<String>,
    pub manifests: Vec<Descriptor>,
    pub subject: Option<Descriptor>,
    pub annotations: Annotations,
}

/// What an index entry is, for its label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// A manifest with a platform (possibly `unknown/unknown` if it is not an attestation).
    Platform(Platform),
    /// No platform, but an `artifactType`.
    Artifact(String),
    /// Neither platform nor artifact type.
    NoPlatform,
    /// A BuildKit attestation manifest; `target` is its `vnd.docker.reference.digest`.
    Attestation { target: Option<String> },
}

/// One entry of `manifests`, with its position in that array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub position: usize,
    pub descriptor: Descriptor,
    pub kind: EntryKind,
}

impl Entry {
    /// The label to show: `linux/arm64/v8`, the artifact type, `no platform`, `attestation`.
    pub fn label(&self) -> String {
        match &self.kind {
            EntryKind::Platform(platform) => platform.to_string(),
            EntryKind::Artifact(artifact_type) => artifact_type.clone(),
            EntryKind::NoPlatform => "no platform".to_owned(),
            EntryKind::Attestation { .. } => "attestation".to_owned(),
        }
    }
}

/// A non-attestation entry and the attestations that describe it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlatformGroup {
    pub image: Entry,
    pub attestations: Vec<Entry>,
}

/// The index entries as the UI shows them: groups in document order of their image, then
/// the orphaned attestations (no target annotation, or a target that is not an image entry
/// of this index) in document order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PlatformGroups {
    pub groups: Vec<PlatformGroup>,
    pub orphans: Vec<Entry>,
}

impl Index {
    /// Reads an index document (pointers are relative to its root).
    pub fn from_json(json: &Json) -> Index {
        Index {
            schema_version: int(json, "schemaVersion"),
            media_type: string(json, "mediaType"),
            artifact_type: string(json, "artifactType"),
            manifests: descriptor_list(json, "", "manifests"),
            subject: descriptor_field(json, "", "subject"),
            annotations: Annotations::read(json, "annotations"),
        }
    }

    /// Groups attestations under the images they describe (see the module docs).
    ///
    /// An entry is an attestation exactly when its `vnd.docker.reference.type` is
    /// `attestation-manifest`, whatever its platform. Its target is matched by digest text
    /// against the *non-attestation* entries; with several entries of the same digest the
    /// first wins. Attestations follow their image in document order.
    pub fn platform_groups(&self) -> PlatformGroups {
        let entries: Vec<Entry> = self.manifests.iter().enumerate().map(classify).collect();
        let mut result = PlatformGroups::default();
        let mut attestations = Vec::new();
        for entry in entries {
            if matches!(entry.kind, EntryKind::Attestation { .. }) {
                attestations.push(entry);
            } else {
                result.groups.push(PlatformGroup {
                    image: entry,
                    attestations: Vec::new(),
                });
            }
        }
        for attestation in attestations {
            let EntryKind::Attestation { target } = &attestation.kind else {
                continue;
            };
            let group = target.as_deref().and_then(|target| {
                result
                    .groups
                    .iter_mut()
                    .find(|g| g.image.descriptor.digest.text().as_deref() == Some(target))
            });
            match group {
                Some(group) => group.attestations.push(attestation),
                None => result.orphans.push(attestation),
            }
        }
        result
    }
}

fn classify((position, descriptor): (usize, &Descriptor)) -> Entry {
    let annotations = &descriptor.annotations;
    let kind = if annotations.get(REFERENCE_TYPE) == Some(ATTESTATION_MANIFEST) {
        EntryKind::Attestation {
            target: annotations.get(REFERENCE_DIGEST).map(str::to_owned),
        }
    } else if let Some(platform) = &descriptor.platform {
        EntryKind::Platform(platform.clone())
    } else if let Some(artifact_type) = &descriptor.artifact_type {
        EntryKind::Artifact(artifact_type.clone())
    } else {
        EntryKind::NoPlatform
    };
    Entry {
        position,
        descriptor: descriptor.clone(),
        kind,
    }
}
