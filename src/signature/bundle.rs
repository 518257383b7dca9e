//! Sigstore bundles (sigstore/protobuf-specs `sigstore_bundle.proto`, JSON mapping), media
//! types `application/vnd.dev.sigstore.bundle+json;version=0.1|0.2|0.3` and
//! `application/vnd.dev.sigstore.bundle.v0.3+json`, read into the shared [`Evidence`], and
//! the binding step: the artifact (or image) digest must be what the bundle signs.
//!
//! Shape rules from the proto: v0.1/v0.2 carry `x509CertificateChain` or `publicKey`, v0.3
//! `certificate` or `publicKey`; v0.2+ entries must carry an inclusion proof; int64 fields
//! are decimal strings in the JSON mapping (numbers are accepted too).

use thiserror::Error;

use super::crypto::Hash;
use super::dsse::{DsseError, Envelope};
use super::verify::{Checks, Content, Entry, Evidence, Material, Proof, Stop};
use super::wording as w;
use super::x509::{CertError, Certificate};
use crate::oci::base64;
use crate::oci::json::{self, Json};
use crate::oci::Digest;

/// Bundles larger than this are refused (real ones are 5–20 kB).
pub const MAX_BUNDLE_BYTES: usize = 4 * 1024 * 1024;
const MAX_ENTRIES: usize = 8;
const MAX_CHAIN: usize = 8;

pub const MEDIA_TYPE_V03: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum BundleError {
    #[error("bundle of {0} bytes exceeds the {MAX_BUNDLE_BYTES}-byte limit")]
    TooLarge(usize),
    #[error("bundle is not JSON: {0}")]
    Json(#[from] json::JsonError),
    #[error("bundle media type {0:?} is not a known Sigstore bundle version")]
    MediaType(String),
    #[error("bundle: {0} is missing or malformed")]
    Field(String),
    #[error("bundle: {0}")]
    Shape(String),
    #[error("bundle: {0}")]
    Dsse(#[from] DsseError),
    #[error("bundle: {0}")]
    Cert(#[from] CertError),
}

/// What a bundle signs, before binding.
#[derive(Clone, Debug)]
pub enum Signed {
    Message {
        digest: Option<(Hash, Vec<u8>)>,
        signature: Vec<u8>,
    },
    Dsse(Envelope),
}

#[derive(Clone, Debug)]
pub struct Bundle {
    /// Minor version: 1, 2 or 3.
    pub minor: u8,
    pub material: Material,
    pub entries: Vec<Entry>,
    /// RFC 3161 `signedTimestamp`s (DER).
    pub timestamps: Vec<Vec<u8>>,
    pub signed: Signed,
}

/// The media types a bundle may carry (and a referrer's `artifactType` may name).
pub fn bundle_minor_version(media_type: &str) -> Option<u8> {
    match media_type {
        "application/vnd.dev.sigstore.bundle+json;version=0.1" => Some(1),
        "application/vnd.dev.sigstore.bundle+json;version=0.2" => Some(2),
        "application/vnd.dev.sigstore.bundle+json;version=0.3" | MEDIA_TYPE_V03 => Some(3),
        _ => None,
    }
}

fn field(what: &str) -> BundleError {
    BundleError::Field(what.to_string())
}

/// A protobuf `bytes` field in the JSON mapping: standard base64. Line breaks are skipped,
/// as Go's decoder (protojson) skips them and tools that write bundles wrap long values
/// (sigstore-conformance `rekor2-timestamp-with-incorrect-time` was made with `base64`).
fn b64(value: Option<&Json>, what: &str) -> Result<Vec<u8>, BundleError> {
    value
        .and_then(Json::as_str)
        .and_then(|s| base64::decode(&s.replace(['\r', '\n'], "")).ok())
        .ok_or_else(|| field(what))
}

/// A proto int64: a decimal string (JSON mapping) or a JSON integer.
pub fn int64(value: Option<&Json>, what: &str) -> Result<i64, BundleError> {
    let v = value.ok_or_else(|| field(what))?;
    v.as_i64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .ok_or_else(|| field(what))
}

impl Bundle {
    pub fn parse(bytes: &[u8]) -> Result<Bundle, BundleError> {
        if bytes.len() > MAX_BUNDLE_BYTES {
            return Err(BundleError::TooLarge(bytes.len()));
        }
        let root = json::parse(bytes, json::DEFAULT_MAX_DEPTH)?;
        let media_type = root
            .get("mediaType")
            .and_then(Json::as_str)
            .unwrap_or_default();
        let minor = bundle_minor_version(media_type)
            .ok_or_else(|| BundleError::MediaType(media_type.to_string()))?;
        let vm = root
            .get("verificationMaterial")
            .ok_or_else(|| field("verificationMaterial"))?;

        let chain = vm.get("x509CertificateChain");
        let single = vm.get("certificate");
        let key = vm.get("publicKey");
        let material = match (chain, single, key) {
            (Some(chain), None, None) if minor < 3 => {
                let certs = chain.get("certificates").and_then(Json::as_array).unwrap_or_default();
                if certs.is_empty() {
                    return Err(BundleError::Shape("empty certificate chain".into()));
                }
                if certs.len() > MAX_CHAIN {
                    return Err(BundleError::Shape(format!("more than {MAX_CHAIN} certificates")));
                }
                let mut parsed = certs
                    .iter()
                    .map(|c| Certificate::from_der(&b64(c.get("rawBytes"), "x509CertificateChain rawBytes")?).map_err(BundleError::from))
                    .collect::<Result<Vec<_>, _>>()?;
                let leaf = parsed.remove(0);
                Material::Certificate {
                    leaf: Box::new(leaf),
                    extra: parsed,
                }
            }
            (None, Some(cert), None) if minor >= 3 => Material::Certificate {
                leaf: Box::new(Certificate::from_der(&b64(cert.get("rawBytes"), "certificate rawBytes")?)?),
                extra: Vec::new(),
            },
            (None, None, Some(_)) => Material::Key,
            _ => return Err(BundleError::Shape(format!("verification material must be one of x509CertificateChain (v0.1, v0.2), certificate (v0.3) or publicKey; this v0.{minor} bundle has another combination"))),
        };

        let items = vm
            .get("tlogEntries")
            .and_then(Json::as_array)
            .unwrap_or_default();
        if items.len() > MAX_ENTRIES {
            return Err(BundleError::Shape(format!(
                "more than {MAX_ENTRIES} log entries"
            )));
        }
        let entries = items
            .iter()
            .map(parse_entry)
            .collect::<Result<Vec<_>, _>>()?;
        let timestamps = vm
            .pointer("/timestampVerificationData/rfc3161Timestamps")
            .and_then(Json::as_array)
            .unwrap_or_default()
            .iter()
            .take(MAX_ENTRIES + 1)
            .map(|t| {
                b64(
                    t.get("signedTimestamp"),
                    "rfc3161Timestamps[].signedTimestamp",
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        if timestamps.len() > MAX_ENTRIES {
            return Err(BundleError::Shape(format!(
                "more than {MAX_ENTRIES} timestamps"
            )));
        }

        let signed = match (root.get("messageSignature"), root.get("dsseEnvelope")) {
            (Some(m), None) => {
                let digest = match m.get("messageDigest") {
                    None => None,
                    Some(d) => {
                        let hash = match d.get("algorithm").and_then(Json::as_str) {
                            Some("SHA2_256") => Hash::Sha256,
                            Some("SHA2_384") => Hash::Sha384,
                            Some("SHA2_512") => Hash::Sha512,
                            _ => return Err(field("messageDigest.algorithm")),
                        };
                        Some((hash, b64(d.get("digest"), "messageDigest.digest")?))
                    }
                };
                Signed::Message {
                    digest,
                    signature: b64(m.get("signature"), "messageSignature.signature")?,
                }
            }
            (None, Some(env)) => Signed::Dsse(Envelope::from_json(env)?),
            _ => {
                return Err(BundleError::Shape(
                    "exactly one of messageSignature and dsseEnvelope is required".into(),
                ))
            }
        };
        Ok(Bundle {
            minor,
            material,
            entries,
            timestamps,
            signed,
        })
    }

    /// The binding step, then the evidence for the rest of the pipeline. `artifact` bytes are
    /// needed for message signatures; a DSSE statement can be bound to a digest alone.
    pub fn bind(
        &self,
        artifact: &Artifact<'_>,
        checks: &mut Checks,
    ) -> Result<(Evidence, Digest), Stop> {
        let computed = artifact.sha256();
        let content = match &self.signed {
            Signed::Message { digest, signature } => {
                let Artifact::Bytes(bytes) = artifact else {
                    return Err(checks.fail(
                        "artifact",
                        "its bytes",
                        Stop::NotVerifiable(w::NEEDS_ARTIFACT_BYTES.into()),
                    ));
                };
                if let Some((hash, value)) = digest {
                    if hash.digest(bytes) != *value {
                        let claimed = format!(
                            "{}:{}",
                            hash.name().to_ascii_lowercase().replace('-', ""),
                            super::crypto::hex(value)
                        );
                        return Err(checks.fail(
                            "message digest",
                            computed.to_string(),
                            Stop::Invalid(w::wrong_subject(&claimed, &computed)),
                        ));
                    }
                    checks.pass("message digest", format!("{computed} (computed)"));
                }
                Content::Message {
                    message: bytes.to_vec(),
                    signature: signature.clone(),
                }
            }
            Signed::Dsse(env) => {
                let subjects = super::intoto_subjects(env)
                    .map_err(|why| checks.fail("in-toto statement", "", Stop::Invalid(why)))?;
                if !subjects.contains(&computed) {
                    let claimed = subjects
                        .iter()
                        .map(Digest::to_string)
                        .collect::<Vec<_>>()
                        .join(", ");
                    return Err(checks.fail(
                        "in-toto subject",
                        format!("{computed} (computed)"),
                        Stop::Invalid(w::wrong_subject(&claimed, &computed)),
                    ));
                }
                checks.pass("in-toto subject", format!("{computed} (computed)"));
                Content::Dsse(env.clone())
            }
        };
        Ok((
            Evidence {
                material: self.material.clone(),
                content,
                entries: self.entries.clone(),
                timestamps: self.timestamps.clone(),
                require_proof: self.minor >= 2,
            },
            computed,
        ))
    }
}

/// What a bundle is verified against: the artifact's bytes, or only the digest (the image
/// digest the app computed, for DSSE attestations).
#[derive(Clone, Debug)]
pub enum Artifact<'a> {
    Bytes(&'a [u8]),
    Digest(Digest),
}

impl Artifact<'_> {
    pub fn sha256(&self) -> Digest {
        match self {
            Artifact::Bytes(b) => Digest::sha256(b),
            Artifact::Digest(d) => d.clone(),
        }
    }
}

fn parse_entry(e: &Json) -> Result<Entry, BundleError> {
    let proof = match e.get("inclusionProof") {
        None => None,
        Some(p) => {
            let hashes = p
                .get("hashes")
                .and_then(Json::as_array)
                .ok_or_else(|| field("inclusionProof.hashes"))?
                .iter()
                .map(|h| {
                    b64(Some(h), "inclusionProof.hashes[]")?
                        .try_into()
                        .map_err(|_| field("inclusionProof.hashes[] (not 32 bytes)"))
                })
                .collect::<Result<Vec<[u8; 32]>, _>>()?;
            Some(Proof {
                log_index: int64(p.get("logIndex"), "inclusionProof.logIndex")?,
                tree_size: int64(p.get("treeSize"), "inclusionProof.treeSize")?,
                root_hash: b64(p.get("rootHash"), "inclusionProof.rootHash")?,
                hashes,
                checkpoint: match p.pointer("/checkpoint/envelope") {
                    None => None,
                    Some(c) => Some(
                        c.as_str()
                            .ok_or_else(|| field("inclusionProof.checkpoint.envelope"))?
                            .to_string(),
                    ),
                },
            })
        }
    };
    let text = |p: &str| {
        e.pointer(p)
            .and_then(Json::as_str)
            .map(str::to_string)
            .ok_or_else(|| field(p))
    };
    Ok(Entry {
        log_index: int64(e.get("logIndex"), "logIndex")?,
        log_id: b64(e.pointer("/logId/keyId"), "logId.keyId")?,
        kind: text("/kindVersion/kind")?,
        version: text("/kindVersion/version")?,
        integrated_time: e
            .get("integratedTime")
            .map(|t| int64(Some(t), "integratedTime"))
            .transpose()?,
        set: e
            .pointer("/inclusionPromise/signedEntryTimestamp")
            .map(|s| b64(Some(s), "signedEntryTimestamp"))
            .transpose()?,
        body: b64(e.get("canonicalizedBody"), "canonicalizedBody")?,
        proof,
    })
}
