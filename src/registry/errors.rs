//! Registry failures: the distribution-spec "Error Codes" envelope (spec.md, code-1 …
//! code-14), `Retry-After` (RFC 9110 §10.2.3), and [`RegistryError`], the one error type the
//! client reports to the UI.
//!
//! ```text
//! { "errors": [ { "code": "<CODE>", "message": "<text>", "detail": <any JSON> }, … ] }
//! ```
//!
//! The spec says clients SHOULD treat unknown codes as `UNKNOWN`; here they are kept verbatim
//! (the text is still useful to a person) and simply have no [`ErrorCode`].

use std::fmt;

use crate::oci::json::{self, Json, Value};
use thiserror::Error;

use super::challenge::{ChallengeError, RealmError};
use super::pagination::{LinkError, ListError};
use super::token::TokenError;
use crate::oci::Digest;

/// The error codes the distribution-spec defines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    BlobUnknown,
    BlobUploadInvalid,
    BlobUploadUnknown,
    DigestInvalid,
    ManifestBlobUnknown,
    ManifestInvalid,
    ManifestUnknown,
    NameInvalid,
    NameUnknown,
    SizeInvalid,
    Unauthorized,
    Denied,
    Unsupported,
    TooManyRequests,
}

impl ErrorCode {
    const ALL: [(ErrorCode, &'static str); 14] = [
        (ErrorCode::BlobUnknown, "BLOB_UNKNOWN"),
        (ErrorCode::BlobUploadInvalid, "BLOB_UPLOAD_INVALID"),
        (ErrorCode::BlobUploadUnknown, "BLOB_UPLOAD_UNKNOWN"),
        (ErrorCode::DigestInvalid, "DIGEST_INVALID"),
        (ErrorCode::ManifestBlobUnknown, "MANIFEST_BLOB_UNKNOWN"),
        (ErrorCode::ManifestInvalid, "MANIFEST_INVALID"),
        (ErrorCode::ManifestUnknown, "MANIFEST_UNKNOWN"),
        (ErrorCode::NameInvalid, "NAME_INVALID"),
        (ErrorCode::NameUnknown, "NAME_UNKNOWN"),
        (ErrorCode::SizeInvalid, "SIZE_INVALID"),
        (ErrorCode::Unauthorized, "UNAUTHORIZED"),
        (ErrorCode::Denied, "DENIED"),
        (ErrorCode::Unsupported, "UNSUPPORTED"),
        (ErrorCode::TooManyRequests, "TOOMANYREQUESTS"),
    ];

    /// The code as registries write it. Matching is exact: the spec's codes are upper case.
    pub fn parse(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL
            .iter()
            .find(|(_, name)| *name == code)
            .map(|(c, _)| *c)
    }

    pub fn as_str(self) -> &'static str {
        ErrorCode::ALL
            .iter()
            .find(|(c, _)| *c == self)
            .map_or("UNKNOWN", |(_, name)| name)
    }

    /// What the code means for someone reading an image, in a sentence.
    pub fn explanation(self) -> &'static str {
        match self {
            ErrorCode::BlobUnknown => "The registry does not have this blob (layer or config) in this repository.",
            ErrorCode::BlobUploadInvalid => "The blob upload was invalid (a push error; not expected when reading).",
            ErrorCode::BlobUploadUnknown => "The registry does not know this blob upload (a push error; not expected when reading).",
            ErrorCode::DigestInvalid => "The digest is invalid or does not match the content.",
            ErrorCode::ManifestBlobUnknown => "The manifest refers to a blob or manifest the registry does not have.",
            ErrorCode::ManifestInvalid => "The registry considers the manifest invalid.",
            ErrorCode::ManifestUnknown => "No manifest with this tag or digest exists in the repository.",
            ErrorCode::NameInvalid => "The repository name is not valid for this registry.",
            ErrorCode::NameUnknown => "The repository does not exist (or is private and the registry hides it).",
            ErrorCode::SizeInvalid => "The content length does not match the declared size.",
            ErrorCode::Unauthorized => "The registry requires authentication for this request.",
            ErrorCode::Denied => "Access was denied: the credentials lack permission, or the repository is private.",
            ErrorCode::Unsupported => "The registry does not support this operation.",
            ErrorCode::TooManyRequests => "The registry is rate limiting requests; wait before trying again.",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One entry of the error envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorEntry {
    pub code: String,
    pub message: String,
    /// Any JSON, re-serialised compactly; `None` when absent or `null`.
    pub detail: Option<String>,
}

impl ErrorEntry {
    pub fn known_code(&self) -> Option<ErrorCode> {
        ErrorCode::parse(&self.code)
    }
}

impl fmt::Display for ErrorEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.code.is_empty(), self.message.is_empty()) {
            (false, false) => write!(f, "{}: {}", self.code, self.message)?,
            (false, true) => f.write_str(&self.code)?,
            (true, _) => f.write_str(&self.message)?,
        }
        if let Some(detail) = &self.detail {
            write!(f, " ({detail})")?;
        }
        Ok(())
    }
}

/// The entries of an error body; empty when the body is not the envelope (an HTML error
/// page, an empty 404), since a missing envelope is normal and the status still speaks.
pub fn parse_error_body(body: &[u8]) -> Vec<ErrorEntry> {
    let Ok(value) = json::parse(body, json::DEFAULT_MAX_DEPTH) else {
        return Vec::new();
    };
    let Some(errors) = value.get("errors").and_then(Json::as_array) else {
        return Vec::new();
    };
    // A non-string value is shown as the JSON it was written as.
    let raw =
        |node: &Json| String::from_utf8_lossy(&body[node.span.start..node.span.end]).into_owned();
    errors
        .iter()
        .filter_map(|entry| {
            let text = |name: &str| match entry.get(name) {
                Some(Json {
                    value: Value::String(s),
                    ..
                }) => s.clone(),
                Some(Json {
                    value: Value::Null, ..
                })
                | None => String::new(),
                Some(other) => raw(other),
            };
            let detail = match entry.get("detail") {
                None
                | Some(Json {
                    value: Value::Null, ..
                }) => None,
                Some(other) => Some(raw(other)),
            };
            let entry = ErrorEntry {
                code: text("code"),
                message: text("message"),
                detail,
            };
            (!entry.code.is_empty() || !entry.message.is_empty()).then_some(entry)
        })
        .collect()
}

/// A `Retry-After` value: delay-seconds, or an HTTP-date kept as text (dates are for showing;
/// the UI does not need to compute with them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RetryAfter {
    Seconds(u64),
    Date(String),
}

impl fmt::Display for RetryAfter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RetryAfter::Seconds(s) => write!(f, "in {s} s"),
            RetryAfter::Date(d) => write!(f, "after {d}"),
        }
    }
}

/// Parses `Retry-After`; `None` when empty. Anything not all digits is taken as a date.
pub fn parse_retry_after(value: &str) -> Option<RetryAfter> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        // Absurdly long digit strings saturate rather than being mistaken for a date.
        return Some(RetryAfter::Seconds(value.parse().unwrap_or(u64::MAX)));
    }
    Some(RetryAfter::Date(value.to_owned()))
}

/// What the browser side needs a server to allow for cross-origin reads.
pub const CORS_REQUIREMENTS: &str = "The browser refused the request (the registry is \
unreachable or does not allow cross-origin reads). A registry, or a proxy in front of it, \
must answer with Access-Control-Allow-Origin for this page's origin, allow the methods GET, \
HEAD and OPTIONS (preflight) and the request headers Authorization and Accept, and expose the \
response headers Docker-Content-Digest, WWW-Authenticate and Link. Its token realm needs the \
same for GET.";

/// Everything that can go wrong talking to a registry, as the UI reports it.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum RegistryError {
    /// Any other non-success status, with whatever the body explained.
    #[error("the registry answered HTTP {status}{}", describe(errors))]
    Http {
        status: u16,
        errors: Vec<ErrorEntry>,
    },
    #[error("manifest unknown: no manifest with this tag or digest in the repository{}", said(.message))]
    ManifestUnknown { message: Option<String> },
    #[error("blob unknown: the registry does not have this blob in the repository{}", said(.message))]
    BlobUnknown { message: Option<String> },
    #[error("repository unknown: it does not exist, or it is private{}", said(.message))]
    NameUnknown { message: Option<String> },
    #[error("authentication required (HTTP 401){}", said(.message))]
    Unauthorized { message: Option<String> },
    #[error("access denied (HTTP 403){}", said(.message))]
    Denied { message: Option<String> },
    #[error("rate limited (HTTP 429){}", retry_after.as_ref().map(|r| format!("; retry {r}")).unwrap_or_default())]
    TooManyRequests { retry_after: Option<RetryAfter> },
    /// `fetch` itself rejected: CORS, offline, DNS, TLS. The browser does not say which.
    #[error("{CORS_REQUIREMENTS} (browser said: {detail})")]
    Network { detail: String },
    #[error("the response is larger than the {limit}-byte limit; stopped reading")]
    TooLarge { limit: usize },
    #[error("digest mismatch: requested {expected}, the received bytes hash to {actual}")]
    DigestMismatch { expected: Digest, actual: Digest },
    #[error("the registry's Docker-Content-Digest says {header}, but the received bytes hash to {actual}")]
    HeaderDigestMismatch { header: Digest, actual: Digest },
    #[error("the response has Content-Type {found:?}, not a manifest type (a login page or proxy error?)")]
    WrongContentType { found: String },
    #[error(transparent)]
    RealmNotAllowed(#[from] RealmError),
    #[error(transparent)]
    Challenge(#[from] ChallengeError),
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Link(#[from] LinkError),
    #[error(transparent)]
    List(#[from] ListError),
}

fn describe(errors: &[ErrorEntry]) -> String {
    let parts: Vec<String> = errors.iter().map(ErrorEntry::to_string).collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(": {}", parts.join("; "))
    }
}

fn said(message: &Option<String>) -> String {
    message
        .as_deref()
        .filter(|m| !m.is_empty())
        .map(|m| format!(" (registry says: {m})"))
        .unwrap_or_default()
}

/// The error for a non-2xx response. `header` looks up a response header by name (any case);
/// only `Retry-After` is read. The status decides first, the envelope's code refines it: a
/// 404 is only "manifest unknown" when the registry says so, since a 404 from a path the
/// registry does not serve (no referrers API, no catalog) means something else.
pub fn classify<H>(status: u16, header: H, body: &[u8]) -> RegistryError
where
    H: Fn(&str) -> Option<String>,
{
    let errors = parse_error_body(body);
    let has = |code: ErrorCode| errors.iter().find(|e| e.known_code() == Some(code));
    let first_message = |code: ErrorCode| {
        has(code)
            .or(errors.first())
            .map(|e| e.message.clone())
            .filter(|m| !m.is_empty())
    };
    if status == 429 || has(ErrorCode::TooManyRequests).is_some() {
        return RegistryError::TooManyRequests {
            retry_after: header("Retry-After").as_deref().and_then(parse_retry_after),
        };
    }
    if status == 401 {
        return RegistryError::Unauthorized {
            message: first_message(ErrorCode::Unauthorized),
        };
    }
    if status == 403 {
        return RegistryError::Denied {
            message: first_message(ErrorCode::Denied),
        };
    }
    if status == 404 {
        if has(ErrorCode::ManifestUnknown).is_some() {
            return RegistryError::ManifestUnknown {
                message: first_message(ErrorCode::ManifestUnknown),
            };
        }
        if has(ErrorCode::BlobUnknown).is_some() {
            return RegistryError::BlobUnknown {
                message: first_message(ErrorCode::BlobUnknown),
            };
        }
        if has(ErrorCode::NameUnknown).is_some() {
            return RegistryError::NameUnknown {
                message: first_message(ErrorCode::NameUnknown),
            };
        }
    }
    RegistryError::Http { status, errors }
}
