//! `trusted_root.json` (sigstore/protobuf-specs `sigstore_trustroot.proto`, `TrustedRoot`):
//! the transparency logs (Rekor), certificate authorities (Fulcio), CT logs and timestamp
//! authorities a verifier trusts, each with the time range it is trusted for.
//!
//! A malformed root is an error rather than something to half-use: a tlog or CA without a
//! `validFor.start` is rejected (sigstore-conformance `trust-root-tlog-missing-validity-start`),
//! a missing `end` means "still valid". Ranges are closed intervals (`TimeRange` in the proto).
//! Keys of types this verifier does not know are kept as errors, so a root that also lists,
//! say, a future post-quantum log stays usable for the logs it can check.

use thiserror::Error;

use super::crypto::{KeyError, PublicKey};
use super::der;
use super::x509::{CertError, Certificate};
use crate::oci::base64;
use crate::oci::json::{self, Json};

/// `trusted_root.json` larger than this is refused (public-good is ~7 kB).
pub const MAX_TRUST_ROOT_BYTES: usize = 1024 * 1024;
const MAX_ENTRIES: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum TrustRootError {
    #[error("trusted root of {0} bytes exceeds the {MAX_TRUST_ROOT_BYTES}-byte limit")]
    TooLarge(usize),
    #[error("trusted root: {0}")]
    Json(#[from] json::JsonError),
    #[error("trusted root: unknown mediaType {0:?}")]
    MediaType(String),
    #[error("trusted root: {0} is missing or malformed")]
    Field(String),
    #[error("trusted root: {what} has no validFor.start")]
    NoStart { what: String },
    #[error("trusted root: {0}")]
    Cert(#[from] CertError),
    #[error("trusted root: more than {MAX_ENTRIES} entries in {0}")]
    TooMany(&'static str),
}

/// A closed time interval in Unix seconds; `end: None` is open-ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeRange {
    pub start: i64,
    pub end: Option<i64>,
}

impl TimeRange {
    pub fn contains(&self, t: i64) -> bool {
        self.start <= t && self.end.is_none_or(|end| t <= end)
    }

    fn parse(value: Option<&Json>, what: &str) -> Result<TimeRange, TrustRootError> {
        let field = |name: &str| -> Result<Option<(i64, bool)>, TrustRootError> {
            match value.and_then(|v| v.get(name)) {
                None => Ok(None),
                Some(v) if v.value == json::Value::Null => Ok(None),
                Some(v) => v
                    .as_str()
                    .and_then(der::parse_rfc3339)
                    .map(Some)
                    .ok_or_else(|| TrustRootError::Field(format!("{what} validFor.{name}"))),
            }
        };
        let (start, fraction) = field("start")?.ok_or_else(|| TrustRootError::NoStart {
            what: what.to_string(),
        })?;
        Ok(TimeRange {
            // Compared times are whole seconds: a start with a fraction begins one second later.
            start: start + i64::from(fraction),
            end: field("end")?.map(|(end, _)| end),
        })
    }
}

/// A transparency log or CT log key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogKey {
    pub base_url: String,
    pub log_id: Vec<u8>,
    pub key: Result<PublicKey, KeyError>,
    pub valid: TimeRange,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateAuthority {
    pub uri: String,
    /// Leaf-most first, ending at the root.
    pub chain: Vec<Certificate>,
    pub valid: TimeRange,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedRoot {
    pub tlogs: Vec<LogKey>,
    pub ctlogs: Vec<LogKey>,
    pub certificate_authorities: Vec<CertificateAuthority>,
    /// RFC 3161 timestamp authorities: `chain` is the TSA's certificates, leaf first.
    pub timestamp_authorities: Vec<CertificateAuthority>,
}

impl TrustedRoot {
    pub fn parse(bytes: &[u8]) -> Result<TrustedRoot, TrustRootError> {
        if bytes.len() > MAX_TRUST_ROOT_BYTES {
            return Err(TrustRootError::TooLarge(bytes.len()));
        }
        let root = json::parse(bytes, json::DEFAULT_MAX_DEPTH)?;
        let media_type = root
            .get("mediaType")
            .and_then(Json::as_str)
            .unwrap_or_default();
        if !media_type.starts_with("application/vnd.dev.sigstore.trustedroot") {
            return Err(TrustRootError::MediaType(media_type.to_string()));
        }
        let list = |name: &'static str| -> Result<&[Json], TrustRootError> {
            let items = root.get(name).and_then(Json::as_array).unwrap_or_default();
            if items.len() > MAX_ENTRIES {
                return Err(TrustRootError::TooMany(name));
            }
            Ok(items)
        };
        let tlogs = list("tlogs")?
            .iter()
            .enumerate()
            .map(|(i, t)| log_key(t, &format!("tlogs[{i}]")))
            .collect::<Result<_, _>>()?;
        let ctlogs = list("ctlogs")?
            .iter()
            .enumerate()
            .map(|(i, t)| log_key(t, &format!("ctlogs[{i}]")))
            .collect::<Result<_, _>>()?;
        let certificate_authorities =
            authorities(list("certificateAuthorities")?, "certificateAuthorities")?;
        let timestamp_authorities =
            authorities(list("timestampAuthorities")?, "timestampAuthorities")?;
        Ok(TrustedRoot {
            tlogs,
            ctlogs,
            certificate_authorities,
            timestamp_authorities,
        })
    }

    pub fn tlog(&self, log_id: &[u8]) -> Option<&LogKey> {
        self.tlogs.iter().find(|t| t.log_id == log_id)
    }

    pub fn ctlog(&self, log_id: &[u8]) -> Option<&LogKey> {
        self.ctlogs.iter().find(|t| t.log_id == log_id)
    }
}

fn authorities(items: &[Json], name: &str) -> Result<Vec<CertificateAuthority>, TrustRootError> {
    items
        .iter()
        .enumerate()
        .map(|(i, ca)| {
            let what = format!("{name}[{i}]");
            let certs = ca
                .pointer("/certChain/certificates")
                .and_then(Json::as_array)
                .filter(|c| !c.is_empty() && c.len() <= 8)
                .ok_or_else(|| TrustRootError::Field(format!("{what} certChain")))?;
            let chain = certs
                .iter()
                .map(|c| Certificate::from_der(&raw_bytes(c, &what)?).map_err(TrustRootError::from))
                .collect::<Result<_, _>>()?;
            Ok(CertificateAuthority {
                uri: ca
                    .get("uri")
                    .and_then(Json::as_str)
                    .unwrap_or_default()
                    .to_string(),
                chain,
                valid: TimeRange::parse(ca.get("validFor"), &what)?,
            })
        })
        .collect()
}

/// The host a log's checkpoints are signed under: its base URL without scheme or slash
/// (`https://rekor.sigstore.dev` → `rekor.sigstore.dev`).
pub fn log_name(base_url: &str) -> &str {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    rest.trim_end_matches('/')
}

fn raw_bytes(value: &Json, what: &str) -> Result<Vec<u8>, TrustRootError> {
    value
        .get("rawBytes")
        .and_then(Json::as_str)
        .and_then(|s| base64::decode(s).ok())
        .ok_or_else(|| TrustRootError::Field(format!("{what} rawBytes")))
}

fn log_key(value: &Json, what: &str) -> Result<LogKey, TrustRootError> {
    let public_key = value
        .get("publicKey")
        .ok_or_else(|| TrustRootError::Field(format!("{what} publicKey")))?;
    let log_id = value
        .pointer("/logId/keyId")
        .and_then(Json::as_str)
        .and_then(|s| base64::decode(s).ok())
        .ok_or_else(|| TrustRootError::Field(format!("{what} logId")))?;
    Ok(LogKey {
        base_url: value
            .get("baseUrl")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string(),
        log_id,
        key: PublicKey::from_spki(&raw_bytes(public_key, what)?),
        valid: TimeRange::parse(public_key.get("validFor"), what)?,
    })
}
