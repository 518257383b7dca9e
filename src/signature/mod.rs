//! Signature verification (issue 9): Sigstore bundles, cosign legacy signatures and
//! attestations, as a pure core. Parsing (DER, X.509, PEM, canonical JSON, DSSE, Merkle
//! proofs, checkpoints) is here; signature math goes through the [`Crypto`] trait, answered
//! natively by [`RustCrypto`] and in the browser by WebCrypto (`webcrypto.rs`; see `crypto.rs`
//! for how an asynchronous engine is driven).
//!
//! The order of checks and the wording of verdicts are documented in `docs/signatures.md`;
//! the sentences themselves live in [`wording`].

pub mod bundle;
pub mod canonical;
pub mod crypto;
pub mod der;
pub mod dsse;
pub mod notation;
pub mod pem;
pub mod report;
#[cfg(any(feature = "rustcrypto", not(target_arch = "wasm32")))]
pub mod rustcrypto;
pub mod tlog;
pub mod trust_root;
pub mod tsa;
pub mod verify;
#[cfg(target_arch = "wasm32")]
pub mod webcrypto;
pub mod wording;
pub mod x509;

use thiserror::Error;

pub use bundle::{Artifact, Bundle, BundleError};
pub use crypto::{Crypto, CryptoError, KeyError, Precomputed, PublicKey, SigAlg};
pub use report::{Options, Report, SignatureRow, Verdict};
#[cfg(any(feature = "rustcrypto", not(target_arch = "wasm32")))]
pub use rustcrypto::RustCrypto;
pub use trust_root::{TrustRootError, TrustedRoot};
pub use verify::{Check, Outcome, Signer};
#[cfg(target_arch = "wasm32")]
pub use webcrypto::{verify_bundle_webcrypto, with_webcrypto, WebCryptoError};

use crate::oci::json;
use crate::oci::Digest;
use dsse::Envelope;
use verify::{Checks, Policy, Stop};

/// What a signature is checked against (the conformance suite's two modes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trust {
    /// A PEM public key (`PUBLIC KEY` SPKI, or `RSA PUBLIC KEY` PKCS#1).
    Key(String),
    /// A keyless signature by this SAN, with a certificate Fulcio issued for this OIDC issuer.
    Identity { identity: String, issuer: String },
}

/// What was verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    pub signer: Signer,
    /// The digest the signature covers (artifact, or in-toto subject).
    pub subject: Digest,
    pub log: Option<String>,
    pub log_index: Option<i64>,
    /// Unix seconds, from a verified signed entry timestamp.
    pub integrated_time: Option<i64>,
    /// Unix seconds, `genTime` of each verified RFC 3161 timestamp.
    pub timestamps: Vec<i64>,
    pub checks: Vec<Check>,
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum SignatureError {
    #[error("{0}")]
    TrustRoot(#[from] TrustRootError),
    #[error("{0}")]
    Key(String),
    #[error("{0}")]
    Malformed(#[from] BundleError),
    #[error("invalid: {reason}")]
    Invalid { reason: String, checks: Vec<Check> },
    #[error("not verifiable: {reason}")]
    NotVerifiable { reason: String, checks: Vec<Check> },
}

/// Parses a PEM public key: SPKI (`PUBLIC KEY`) or PKCS#1 (`RSA PUBLIC KEY`, wrapped into SPKI).
pub fn parse_public_key_pem(pem_text: &str) -> Result<PublicKey, String> {
    let blocks = pem::parse(pem_text).map_err(|e| e.to_string())?;
    match blocks.as_slice() {
        [(label, der)] if label == "PUBLIC KEY" => {
            PublicKey::from_spki(der).map_err(|e| e.to_string())
        }
        [(label, der)] if label == "RSA PUBLIC KEY" => {
            PublicKey::from_pkcs1_rsa(der).map_err(|e| e.to_string())
        }
        [(label, _)] => Err(format!("PEM block {label:?} is not a public key")),
        _ => Err("expected exactly one PEM public key".to_string()),
    }
}

/// Verifies a Sigstore bundle over `artifact` bytes (sigstore-conformance `verify-bundle`)
/// with the RustCrypto backend.
#[cfg(any(feature = "rustcrypto", not(target_arch = "wasm32")))]
pub fn verify_bundle(
    bundle: &[u8],
    artifact: &[u8],
    trusted_root: &[u8],
    trust: &Trust,
) -> Result<Verified, SignatureError> {
    verify_bundle_with(
        bundle,
        &Artifact::Bytes(artifact),
        trusted_root,
        trust,
        &RustCrypto,
    )
}

/// [`verify_bundle`] with an artifact digest instead of bytes (enough for DSSE bundles) and a
/// chosen backend.
pub fn verify_bundle_with(
    bundle: &[u8],
    artifact: &Artifact<'_>,
    trusted_root: &[u8],
    trust: &Trust,
    crypto: &dyn Crypto,
) -> Result<Verified, SignatureError> {
    let root = TrustedRoot::parse(trusted_root)?;
    let bundle = Bundle::parse(bundle)?;
    let key = match trust {
        Trust::Key(pem) => Some(parse_public_key_pem(pem).map_err(SignatureError::Key)?),
        Trust::Identity { .. } => None,
    };
    let policy = Policy {
        key: key.as_ref(),
        identity: match trust {
            Trust::Identity { identity, issuer } => Some((identity, issuer)),
            Trust::Key(_) => None,
        },
        allow_any_identity: false,
        root: &root,
        root_date: "",
    };
    let mut checks = Checks::default();
    let outcome = bundle
        .bind(artifact, &mut checks)
        .and_then(|(evidence, subject)| {
            verify::run(&evidence, &policy, crypto, &mut checks).map(|passed| (passed, subject))
        });
    match outcome {
        Ok((passed, subject)) => Ok(Verified {
            signer: passed.signer,
            subject,
            log: passed.log.as_ref().map(|l| l.log.clone()),
            log_index: passed.log.as_ref().map(|l| l.log_index),
            integrated_time: passed.log.and_then(|l| l.integrated_time),
            timestamps: passed.timestamps,
            checks: checks.0,
        }),
        Err(Stop::Invalid(reason)) => Err(SignatureError::Invalid {
            reason,
            checks: checks.0,
        }),
        Err(Stop::NotVerifiable(reason)) => Err(SignatureError::NotVerifiable {
            reason,
            checks: checks.0,
        }),
    }
}

/// The sha256 subjects an in-toto statement (v0.1 or v1) names. Errors name what is wrong.
pub fn intoto_subjects(env: &Envelope) -> Result<Vec<Digest>, String> {
    if env.payload_type != "application/vnd.in-toto+json" {
        return Err(format!(
            "payload type {:?} is not an in-toto statement",
            env.payload_type
        ));
    }
    let statement = json::parse(&env.payload, json::DEFAULT_MAX_DEPTH)
        .map_err(|e| format!("in-toto statement: {e}"))?;
    let subjects = statement
        .get("subject")
        .and_then(json::Json::as_array)
        .ok_or("in-toto statement has no subject list")?;
    let digests: Vec<Digest> = subjects
        .iter()
        .filter_map(|s| s.pointer("/digest/sha256").and_then(json::Json::as_str))
        .filter_map(|hex| format!("sha256:{hex}").parse().ok())
        .collect();
    if digests.is_empty() {
        return Err("in-toto statement names no sha256 subject".to_string());
    }
    Ok(digests)
}
