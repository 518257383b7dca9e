//! Image manifests: OCI image-spec manifest.md ("Image Manifest Property Descriptions"),
//! Docker Image Manifest V2 Schema 2 (same shape) and the withdrawn OCI artifact manifest
//! (`application/vnd.oci.artifact.manifest.v1+json`, which had `blobs` instead of `layers` and
//! no config).

use super::descriptor::{descriptor_field, descriptor_list, Annotations, Descriptor};
use super::fields::{int, string};
use crate::oci::json::Json;

/// The config media type of manifests that have no config (manifest.md, "Guidance for an
/// Empty Descriptor"), typical of artifacts.
pub use crate::oci::media_type::known::OCI_EMPTY as EMPTY_CONFIG_MEDIA_TYPE;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageManifest {
    pub schema_version: Option<i64>,
    pub media_type: Option<String>,
    pub artifact_type: Option<String>,
    pub config: Option<Descriptor>,
    /// `layers`, or for an artifact manifest its `blobs` (then [`Self::layers_from_blobs`] is
    /// true and the pointers read `/blobs/N`).
    pub layers: Vec<Descriptor>,
    pub layers_from_blobs: bool,
    pub subject: Option<Descriptor>,
    pub annotations: Annotations,
}

impl ImageManifest {
    /// Reads a manifest document (pointers are relative to its root). `layers` wins over
    /// `blobs` when a document has both; the linter reports that.
    pub fn from_json(json: &Json) -> ImageManifest {
        let layers_from_blobs = json.get("layers").is_none() && json.get("blobs").is_some();
        let key = if layers_from_blobs { "blobs" } else { "layers" };
        ImageManifest {
            schema_version: int(json, "schemaVersion"),
            media_type: string(json, "mediaType"),
            artifact_type: string(json, "artifactType"),
            config: descriptor_field(json, "", "config"),
            layers: descriptor_list(json, "", key),
            layers_from_blobs,
            subject: descriptor_field(json, "", "subject"),
            annotations: Annotations::read(json, "annotations"),
        }
    }

    /// Config plus layers, in bytes; missing or negative sizes count as zero. This is the
    /// compressed (transfer) size, not the unpacked size.
    pub fn total_size(&self) -> u64 {
        self.config
            .iter()
            .chain(&self.layers)
            .filter_map(Descriptor::byte_size)
            .fold(0, u64::saturating_add)
    }

    /// Whether the config is the empty descriptor, i.e. this is an artifact, not a runnable
    /// image (then [`Self::artifact_type`] says what it is, or the config media type would).
    pub fn is_empty_config(&self) -> bool {
        self.config.as_ref().and_then(|c| c.media_type.as_deref()) == Some(EMPTY_CONFIG_MEDIA_TYPE)
    }
}
