//! Fetching one manifest and deciding how far its bytes can be trusted (distribution-spec
//! "Pulling manifests", and "Content Digests"/`Docker-Content-Digest` in the Docker registry
//! API: "the client MUST always verify the content against the digest used to fetch it").
//!
//! - By digest: the body must hash to the requested digest, with its algorithm. Any
//!   `Docker-Content-Digest` is then irrelevant: the local digest wins, as the spec says.
//! - By tag: nothing is promised, but a parseable `Docker-Content-Digest` is a claim the body
//!   can be checked against; disagreement means a broken or tampering registry or proxy.
//!   Without the header the content is merely unverified, and the UI says so.

use super::accept::{MANIFEST_ACCEPT, MANIFEST_MEDIA_TYPES};
use super::endpoint::Endpoint;
use super::errors::RegistryError;
use crate::oci::{Digest, Reference};

/// A manifest GET, ready to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestRequest {
    pub url: String,
    pub accept: &'static str,
    /// The digest the body must have, when requested by digest.
    pub expected: Option<Digest>,
}

impl ManifestRequest {
    /// By digest when the reference has one (also for `repo:tag@digest`, as `docker pull`
    /// does: the digest is the stronger statement), else by tag.
    pub fn new(endpoint: &Endpoint, reference: &Reference) -> ManifestRequest {
        let target = match (reference.digest(), reference.tag()) {
            (Some(digest), _) => digest.to_string(),
            (None, Some(tag)) => tag.to_owned(),
            // Normalisation always leaves a tag or a digest; "latest" is its default anyway.
            (None, None) => "latest".to_owned(),
        };
        ManifestRequest {
            url: endpoint.manifest_url(reference.repository(), &target),
            accept: MANIFEST_ACCEPT,
            expected: reference.digest().cloned(),
        }
    }
}

/// How the digest of a fetched manifest was established.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerifiedBy {
    /// The body hashes to the digest the person asked for.
    RequestedDigest,
    /// Fetched by tag; the body hashes to the registry's `Docker-Content-Digest`.
    HeaderDigest,
    /// Fetched by tag without a usable header: the digest is computed, not confirmed.
    Unverified,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    pub digest: Digest,
    pub by: VerifiedBy,
}

/// Checks a manifest body fetched for `reference`. `header_digest` is the raw
/// `Docker-Content-Digest` value; `max` the largest acceptable body.
pub fn verify_manifest(
    reference: &Reference,
    body: &[u8],
    header_digest: Option<&str>,
    max: usize,
) -> Result<Verified, RegistryError> {
    if body.len() > max {
        return Err(RegistryError::TooLarge { limit: max });
    }
    if let Some(expected) = reference.digest() {
        let actual = Digest::compute(expected.algorithm(), body);
        if actual != *expected {
            return Err(RegistryError::DigestMismatch {
                expected: expected.clone(),
                actual,
            });
        }
        return Ok(Verified {
            digest: actual,
            by: VerifiedBy::RequestedDigest,
        });
    }
    // An unparseable or unsupported-algorithm header proves nothing either way.
    match header_digest.and_then(|h| h.trim().parse::<Digest>().ok()) {
        Some(header) => {
            let actual = Digest::compute(header.algorithm(), body);
            if actual == header {
                Ok(Verified {
                    digest: actual,
                    by: VerifiedBy::HeaderDigest,
                })
            } else {
                Err(RegistryError::HeaderDigestMismatch { header, actual })
            }
        }
        None => Ok(Verified {
            digest: Digest::sha256(body),
            by: VerifiedBy::Unverified,
        }),
    }
}

/// Refuses a response that is clearly not a manifest (an HTML login or error page from a
/// captive portal or a misconfigured proxy). Accepted: no header, any manifest type, and any
/// JSON type, since some registries label manifests `application/json`. Parameters
/// (`; charset=utf-8`) and case are ignored.
pub fn check_manifest_content_type(content_type: Option<&str>) -> Result<(), RegistryError> {
    let Some(value) = content_type else {
        return Ok(());
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let json_like = essence == "application/json" || essence.ends_with("+json");
    if essence.is_empty() || json_like || MANIFEST_MEDIA_TYPES.contains(&essence.as_str()) {
        Ok(())
    } else {
        Err(RegistryError::WrongContentType {
            found: value.to_owned(),
        })
    }
}
