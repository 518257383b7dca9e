//! The `Accept` header for manifest requests (distribution-spec "Pulling manifests": the
//! client SHOULD include an Accept header listing the manifest media types it supports).
//!
//! A registry that stores a manifest in a type the request does not accept may answer 404 or,
//! for Docker's registry, convert it (schema2 to schema1), which changes the digest. So the
//! header lists every manifest type this tool can show, in one comma-separated value.
//!
//! # CORS
//!
//! `Accept` is a CORS-safelisted request header only while its value is at most 128 bytes
//! (Fetch standard, "CORS-safelisted request-header"). This value is longer, so a manifest GET
//! needs a preflight. That costs nothing extra here: the `Authorization` header that nearly
//! every registry requires triggers the preflight anyway. The list is still kept free of
//! `q=` weights and whitespace, so it stays as short as it can be.

use crate::oci::media_type::known;

/// Every manifest media type, most preferred first (an index lets the UI show platforms).
pub const MANIFEST_MEDIA_TYPES: [&str; 7] = [
    known::OCI_INDEX,
    known::OCI_MANIFEST,
    known::DOCKER_MANIFEST_LIST,
    known::DOCKER_MANIFEST,
    known::OCI_ARTIFACT_MANIFEST,
    known::DOCKER_SCHEMA1_SIGNED_MANIFEST,
    known::DOCKER_SCHEMA1_MANIFEST,
];

/// [`MANIFEST_MEDIA_TYPES`] joined by `,` (a test keeps the two in step).
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json,\
application/vnd.oci.image.manifest.v1+json,\
application/vnd.docker.distribution.manifest.list.v2+json,\
application/vnd.docker.distribution.manifest.v2+json,\
application/vnd.oci.artifact.manifest.v1+json,\
application/vnd.docker.distribution.manifest.v1+prettyjws,\
application/vnd.docker.distribution.manifest.v1+json";

/// The longest `Accept` value that is still CORS-safelisted.
pub const CORS_SAFELISTED_MAX: usize = 128;
