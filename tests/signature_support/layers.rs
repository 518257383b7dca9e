//! Cosign legacy payloads, DSSE envelopes and signature manifests as the tests build and
//! mutate them (no keys here), shared by the native test (`tests/signature.rs`) and the
//! browser test (`tests/browser_signature.rs`). Written from the specs (simple signing, DSSE
//! PAE, OCI image manifest), independently of the library's own code.

use manifest_explorer::oci::{base64, Digest};

pub fn simple_signing(digest: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "critical": {
            "identity": {"docker-reference": "registry.test/app"},
            "image": {"docker-manifest-digest": digest},
            "type": "cosign container image signature"
        },
        "optional": null
    }))
    .unwrap()
}

pub fn statement(digest: &Digest) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "registry.test/app", "digest": {"sha256": digest.encoded()}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {"buildDefinition": {"buildType": "test"}}
    }))
    .unwrap()
}

pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    // Written out from the DSSE spec, independently of the library's `pae`.
    let mut out = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

pub fn envelope(payload_type: &str, payload: &[u8], sigs: &[Vec<u8>]) -> Vec<u8> {
    let signatures: Vec<_> = sigs
        .iter()
        .map(|s| serde_json::json!({"keyid": "", "sig": base64::encode(s)}))
        .collect();
    serde_json::to_vec(&serde_json::json!({"payloadType": payload_type, "payload": base64::encode(payload), "signatures": signatures})).unwrap()
}

/// One layer of a signature manifest, as the tests build and mutate it.
#[derive(Clone)]
pub struct Layer {
    pub media_type: String,
    pub payload: Vec<u8>,
    /// The descriptor's digest; `None` = the payload's real digest.
    pub digest: Option<String>,
    pub annotations: Vec<(String, String)>,
}

pub fn manifest(layers: &[Layer]) -> Vec<u8> {
    let descriptors: Vec<_> = layers
        .iter()
        .map(|l| {
            let annotations: serde_json::Map<String, serde_json::Value> = l.annotations.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
            serde_json::json!({
                "mediaType": l.media_type,
                "size": l.payload.len(),
                "digest": l.digest.clone().unwrap_or_else(|| Digest::sha256(&l.payload).to_string()),
                "annotations": annotations
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 2, "digest": Digest::sha256(b"{}").to_string()},
        "layers": descriptors
    }))
    .unwrap()
}
