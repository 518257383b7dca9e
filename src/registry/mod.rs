//! The pure parts of the registry protocol: everything the browser client decides from
//! strings and bytes, with no I/O, so it is compiled and tested natively.
//!
//! Sources, by module:
//!
//! - [`endpoint`]: OCI distribution-spec (spec.md) "Endpoints" table, "Pulling manifests",
//!   "Pulling blobs", "Content discovery" ("Listing Tags", "Listing Referrers") and the
//!   "Referrers Tag Schema"; Docker registry API (docs/spec/api.md) "Listing Repositories".
//! - [`accept`]: "Pulling manifests" (the `Accept` header), Fetch standard on CORS.
//! - [`challenge`]: RFC 7235 §4.1 (`WWW-Authenticate`), RFC 6750 §3 (`Bearer`), Docker token
//!   auth spec (docs/spec/auth/token.md) "Requesting a Token".
//! - [`scope`]: Docker token auth spec, "Resource Scope Grammar".
//! - [`token`]: Docker token auth spec, "Token Response Fields".
//! - [`credentials`]: RFC 7617 (`Basic`), RFC 4648 (base64).
//! - [`pagination`]: RFC 8288 (`Link`), Docker registry API "Pagination", distribution-spec
//!   "Listing Tags".
//! - [`tags`]: "Referrers Tag Schema", and cosign's `.sig`/`.att`/`.sbom` tag convention.
//! - [`errors`]: distribution-spec "Error Codes", RFC 9110 §10.2.3 (`Retry-After`).
//! - [`plan`]: "Pulling manifests" and `Docker-Content-Digest` verification.
//!
//! Nothing here panics on any input; the parsers are exercised with hostile and mutated
//! headers in `tests/registry.rs`.

pub mod accept;
pub mod challenge;
pub mod credentials;
pub mod endpoint;
pub mod errors;
pub mod pagination;
pub mod plan;
pub mod scope;
pub mod tags;
pub mod token;

pub use accept::{CORS_SAFELISTED_MAX, MANIFEST_ACCEPT, MANIFEST_MEDIA_TYPES};
pub use challenge::{
    parse_challenges, preferred, realm_host_differs, token_url, BearerChallenge, Challenge,
    ChallengeError, RealmError,
};
pub use credentials::{basic_header, Credentials, CredentialsError};
pub use endpoint::{referrers_tag, AbsoluteUrl, Endpoint, Scheme};
pub use errors::{
    classify, parse_error_body, parse_retry_after, ErrorCode, ErrorEntry, RegistryError,
    RetryAfter, CORS_REQUIREMENTS,
};
pub use pagination::{
    next_url, parse_catalog, parse_links, parse_tag_list, Link, LinkError, ListError, TagList,
};
pub use plan::{
    check_manifest_content_type, verify_manifest, ManifestRequest, Verified, VerifiedBy,
};
pub use scope::{pull_scope, CATALOG_SCOPE};
pub use tags::{classify_tag, group_tags, natural_cmp, DigestTag, DigestTagKind, TagGroups};
pub use token::{
    parse_token_response, Token, TokenCache, TokenError, TokenKey, TokenResponse,
    DEFAULT_EXPIRES_IN, EXPIRY_MARGIN,
};
