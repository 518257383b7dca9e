//! Docker Image Manifest Version 2, Schema 1 (distribution's `manifest-v2-1.md`), signed
//! (`application/vnd.docker.distribution.manifest.v1+prettyjws`, with a JWS `signatures`
//! array) or not (`…manifest.v1+json`). Deprecated and refused by current registries, but
//! still found in old repositories and mirrors.
//!
//! Unlike schema 2, `fsLayers` and `history` run from the newest layer to the base, and each
//! `history[i].v1Compatibility` is a JSON document *inside a string*, parsed here.

use super::descriptor::DigestField;
use super::fields::{flag, int, items, string, strings};
use crate::oci::json::{self, Json};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schema1Manifest {
    pub schema_version: Option<i64>,
    pub name: Option<String>,
    pub tag: Option<String>,
    pub architecture: Option<String>,
    /// Newest first.
    pub fs_layers: Vec<FsLayer>,
    /// Newest first, parallel to `fs_layers`.
    pub history: Vec<Schema1History>,
    /// `signatures[].header.jwk.kid`, in order (a signature without one is skipped).
    pub key_ids: Vec<String>,
    /// Number of entries in `signatures`; 0 for an unsigned manifest.
    pub signature_count: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FsLayer {
    /// `/fsLayers/N`.
    pub pointer: String,
    pub blob_sum: DigestField,
}

/// What we pull out of one `v1Compatibility` string.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Schema1History {
    /// `/history/N`.
    pub pointer: String,
    pub id: Option<String>,
    pub parent: Option<String>,
    pub created: Option<String>,
    /// `container_config.Cmd`: the instruction, e.g. `["/bin/sh","-c","#(nop) CMD [\"sh\"]"]`.
    pub cmd: Vec<String>,
    /// `throwaway: true`: the layer is empty (schema 1 still lists a blob for it).
    pub throwaway: bool,
    /// Why `v1Compatibility` could not be read (missing, not a string, not JSON).
    pub error: Option<String>,
}

impl Schema1Manifest {
    pub fn from_json(json: &Json) -> Schema1Manifest {
        let signatures = json
            .get("signatures")
            .and_then(Json::as_array)
            .unwrap_or_default();
        Schema1Manifest {
            schema_version: int(json, "schemaVersion"),
            name: string(json, "name"),
            tag: string(json, "tag"),
            architecture: string(json, "architecture"),
            fs_layers: items(json, "", "fsLayers")
                .into_iter()
                .map(|(pointer, layer)| FsLayer {
                    pointer,
                    blob_sum: DigestField::read(layer, "blobSum"),
                })
                .collect(),
            history: items(json, "", "history")
                .into_iter()
                .map(|(pointer, entry)| history(pointer, entry))
                .collect(),
            key_ids: signatures
                .iter()
                .filter_map(|s| string(s.pointer("/header/jwk")?, "kid"))
                .collect(),
            signature_count: signatures.len(),
        }
    }
}

fn history(pointer: String, entry: &Json) -> Schema1History {
    let failed = |error: String| Schema1History {
        pointer: pointer.clone(),
        error: Some(error),
        ..Schema1History::default()
    };
    let Some(text) = string(entry, "v1Compatibility") else {
        return failed("v1Compatibility is missing or not a string".to_owned());
    };
    match json::parse(text.as_bytes(), json::DEFAULT_MAX_DEPTH) {
        Err(e) => failed(format!("v1Compatibility is not JSON: {e}")),
        Ok(v1) => Schema1History {
            pointer: pointer.clone(),
            id: string(&v1, "id"),
            parent: string(&v1, "parent"),
            created: string(&v1, "created"),
            cmd: v1
                .get("container_config")
                .map(|c| strings(c, "Cmd"))
                .unwrap_or_default(),
            throwaway: flag(&v1, "throwaway"),
            error: None,
        },
    }
}
