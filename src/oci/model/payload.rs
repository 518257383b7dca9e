//! Recognising well-known JSON payloads carried as configs or layers, and pulling out the
//! fields worth a summary line:
//!
//! - Helm chart config (`application/vnd.cncf.helm.config.v1+json`: the `Chart.yaml` fields),
//! - in-toto Statement (in-toto/attestation spec, "Statement": `_type`, `subject`,
//!   `predicateType`, `predicate`), as BuildKit stores attestations,
//! - DSSE envelope (secure-systems-lab/dsse, "Envelope": `payloadType`, base64 `payload`,
//!   `signatures[].keyid`), as cosign wraps its in-toto attestations,
//! - cosign "simple signing" (sigstore/cosign `specs/SIGNATURE_SPEC.md`, after containers/image
//!   `docs/containers-signature.5.md`: `critical` identity, image digest and type; `optional`),
//! - SPDX 2.x JSON documents and CycloneDX JSON BOMs (their top-level fields).
//!
//! A known media type decides the kind; without one (or with an unknown one) the shape does.
//! Envelopes and statements contain other payloads, so recognition recurses, but only
//! [`MAX_NESTING`] levels deep: a hostile blob cannot make us decode base64 inside base64
//! forever.

use super::descriptor::Annotations;
use super::fields::{count, string, strings};
use crate::oci::base64;
use crate::oci::json::{self, Json};

// One list of media types for the whole crate: these are aliases of `media_type::known`.
pub use crate::oci::media_type::known::{
    COSIGN_SIMPLE_SIGNING as COSIGN_SIMPLE_SIGNING_MEDIA_TYPE,
    CYCLONEDX_JSON as CYCLONEDX_MEDIA_TYPE, DSSE_ENVELOPE as DSSE_MEDIA_TYPE,
    HELM_CONFIG as HELM_CONFIG_MEDIA_TYPE, IN_TOTO as IN_TOTO_MEDIA_TYPE,
    SPDX_JSON as SPDX_MEDIA_TYPE,
};

/// How many payloads deep recognition goes below the top one: DSSE → in-toto statement →
/// its SPDX predicate is the deepest real case.
pub const MAX_NESTING: usize = 2;

#[derive(Clone, Debug, PartialEq)]
pub enum Payload {
    Helm(HelmChart),
    InToto(InTotoStatement),
    Dsse(DsseEnvelope),
    CosignSimpleSigning(CosignSimpleSigning),
    Spdx(SpdxDocument),
    CycloneDx(CycloneDxBom),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelmChart {
    pub name: Option<String>,
    pub version: Option<String>,
    pub api_version: Option<String>,
    pub app_version: Option<String>,
    pub description: Option<String>,
    /// `type`: `application` or `library`.
    pub chart_type: Option<String>,
    pub keywords: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct InTotoStatement {
    /// `_type`, e.g. `https://in-toto.io/Statement/v1`.
    pub statement_type: Option<String>,
    pub predicate_type: Option<String>,
    pub subjects: Vec<InTotoSubject>,
    /// The predicate, when it is itself a recognised payload (an SPDX or CycloneDX SBOM).
    pub predicate: Option<Box<Payload>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InTotoSubject {
    pub name: Option<String>,
    /// The `digest` map (`sha256` → hex), in document order, string values only.
    pub digests: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DsseEnvelope {
    pub payload_type: Option<String>,
    pub payload: DssePayload,
    pub signature_count: usize,
    /// `signatures[].keyid`, skipping signatures without one (keyid is optional).
    pub key_ids: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DssePayload {
    /// No `payload` string.
    Missing,
    /// `payload` is not strict base64; the error, for display.
    Invalid(String),
    Decoded {
        bytes: Vec<u8>,
        /// The bytes parsed as JSON, when they are JSON.
        json: Option<Json>,
        /// The JSON recognised (using `payloadType` as its media type), depth permitting.
        recognised: Option<Box<Payload>>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CosignSimpleSigning {
    /// `critical.identity.docker-reference`: the repository the signature is for.
    pub docker_reference: Option<String>,
    /// `critical.image.docker-manifest-digest`: the signed manifest.
    pub manifest_digest: Option<String>,
    /// `critical.type`, normally `cosign container image signature`.
    pub signature_type: Option<String>,
    /// `optional` (free-form claims), string values only.
    pub optional: Annotations,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpdxDocument {
    pub spdx_version: Option<String>,
    pub name: Option<String>,
    /// `None` when there is no `packages` array.
    pub package_count: Option<usize>,
    /// `creationInfo.created`.
    pub created: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CycloneDxBom {
    pub bom_format: Option<String>,
    pub spec_version: Option<String>,
    /// `None` when there is no `components` array.
    pub component_count: Option<usize>,
    /// `metadata.component.name`: what the BOM describes.
    pub component_name: Option<String>,
}

#[derive(Clone, Copy)]
enum Kind {
    Helm,
    InToto,
    Dsse,
    Cosign,
    Spdx,
    CycloneDx,
}

/// Recognises `json` as one of the known payloads; `media_type` is the descriptor's (or the
/// DSSE `payloadType`). `None` when it is not an object or matches nothing.
pub fn recognise(json: &Json, media_type: Option<&str>) -> Option<Payload> {
    recognise_nested(json, media_type, MAX_NESTING)
}

fn recognise_nested(json: &Json, media_type: Option<&str>, depth: usize) -> Option<Payload> {
    json.as_object()?;
    let kind = media_type
        .and_then(kind_of_media_type)
        .or_else(|| kind_of_shape(json))?;
    Some(match kind {
        Kind::Helm => Payload::Helm(HelmChart {
            name: string(json, "name"),
            version: string(json, "version"),
            api_version: string(json, "apiVersion"),
            app_version: string(json, "appVersion"),
            description: string(json, "description"),
            chart_type: string(json, "type"),
            keywords: strings(json, "keywords"),
        }),
        Kind::InToto => Payload::InToto(InTotoStatement {
            statement_type: string(json, "_type"),
            predicate_type: string(json, "predicateType"),
            subjects: array(json, "subject")
                .iter()
                .map(|s| InTotoSubject {
                    name: string(s, "name"),
                    digests: Annotations::read(s, "digest").0,
                })
                .collect(),
            predicate: nested(json.get("predicate"), None, depth),
        }),
        Kind::Dsse => Payload::Dsse(dsse(json, depth)),
        Kind::Cosign => {
            let critical = |path| json.pointer(path).and_then(Json::as_str).map(str::to_owned);
            Payload::CosignSimpleSigning(CosignSimpleSigning {
                docker_reference: critical("/critical/identity/docker-reference"),
                manifest_digest: critical("/critical/image/docker-manifest-digest"),
                signature_type: critical("/critical/type"),
                optional: Annotations::read(json, "optional"),
            })
        }
        Kind::Spdx => Payload::Spdx(SpdxDocument {
            spdx_version: string(json, "spdxVersion"),
            name: string(json, "name"),
            package_count: count(json, "packages"),
            created: json.get("creationInfo").and_then(|c| string(c, "created")),
        }),
        Kind::CycloneDx => Payload::CycloneDx(CycloneDxBom {
            bom_format: string(json, "bomFormat"),
            spec_version: string(json, "specVersion"),
            component_count: count(json, "components"),
            component_name: json
                .pointer("/metadata/component")
                .and_then(|c| string(c, "name")),
        }),
    })
}

/// Recognises a contained payload one level down, if the depth budget allows.
fn nested(json: Option<&Json>, media_type: Option<&str>, depth: usize) -> Option<Box<Payload>> {
    let depth = depth.checked_sub(1)?;
    recognise_nested(json?, media_type, depth).map(Box::new)
}

fn dsse(json: &Json, depth: usize) -> DsseEnvelope {
    let payload_type = string(json, "payloadType");
    let payload = match string(json, "payload").map(|p| base64::decode(&p)) {
        None => DssePayload::Missing,
        Some(Err(e)) => DssePayload::Invalid(e.to_string()),
        Some(Ok(bytes)) => {
            let inner = json::parse(&bytes, json::DEFAULT_MAX_DEPTH).ok();
            let recognised = nested(inner.as_ref(), payload_type.as_deref(), depth);
            DssePayload::Decoded {
                bytes,
                json: inner,
                recognised,
            }
        }
    };
    let signatures = array(json, "signatures");
    DsseEnvelope {
        payload_type,
        payload,
        signature_count: signatures.len(),
        key_ids: signatures
            .iter()
            .filter_map(|s| string(s, "keyid"))
            .collect(),
    }
}

fn array<'a>(json: &'a Json, key: &str) -> &'a [Json] {
    json.get(key).and_then(Json::as_array).unwrap_or_default()
}

/// Media type parameters (`; charset=utf-8`) and case do not change the kind.
fn kind_of_media_type(media_type: &str) -> Option<Kind> {
    let essence = media_type.split(';').next()?.trim().to_ascii_lowercase();
    Some(match essence.as_str() {
        HELM_CONFIG_MEDIA_TYPE => Kind::Helm,
        IN_TOTO_MEDIA_TYPE => Kind::InToto,
        DSSE_MEDIA_TYPE => Kind::Dsse,
        COSIGN_SIMPLE_SIGNING_MEDIA_TYPE => Kind::Cosign,
        SPDX_MEDIA_TYPE => Kind::Spdx,
        CYCLONEDX_MEDIA_TYPE => Kind::CycloneDx,
        _ => return None,
    })
}

/// Each test looks for fields that only that format has, so one document matches one kind.
fn kind_of_shape(json: &Json) -> Option<Kind> {
    let text = |key| json.get(key).and_then(Json::as_str);
    if text("_type").is_some_and(|t| t.starts_with("https://in-toto.io/Statement/")) {
        Some(Kind::InToto)
    } else if text("payloadType").is_some() && json.get("payload").is_some() {
        Some(Kind::Dsse)
    } else if json
        .get("critical")
        .is_some_and(|c| c.get("identity").is_some() || c.get("image").is_some())
    {
        Some(Kind::Cosign)
    } else if text("spdxVersion").is_some_and(|v| v.starts_with("SPDX-")) {
        Some(Kind::Spdx)
    } else if text("bomFormat") == Some("CycloneDX") {
        Some(Kind::CycloneDx)
    } else if matches!(text("apiVersion"), Some("v1" | "v2"))
        && text("name").is_some()
        && text("version").is_some()
    {
        Some(Kind::Helm)
    } else {
        None
    }
}
