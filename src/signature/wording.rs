//! Every sentence a verdict can show, in one place (issue 9, "How verdicts read"). The UI and
//! the tests use these functions and constants, so the wording cannot drift between them.

use crate::oci::Digest;

/// What the signed thing is called in "signs … (this image)".
pub const THIS_IMAGE: &str = "this image";

pub fn valid_for_key(fingerprint: &str, key: &str, signs: &Digest) -> String {
    format!("Signature valid for key {fingerprint} ({key}, key you supplied) — signs {signs} ({THIS_IMAGE})")
}

pub fn signed_by(san: &str, issuer: &str, ca: &str, log_index: i64, time: &str) -> String {
    format!("Signed by {san} (issuer {issuer}), certificate from {ca}, logged in Rekor entry #{log_index} at {time} — signs {THIS_IMAGE}")
}

/// The name of a certificate authority for "certificate from …".
pub fn ca_name(uri: &str) -> String {
    if uri == "https://fulcio.sigstore.dev" {
        "Sigstore public-good Fulcio".to_string()
    } else {
        format!("the certificate authority {uri}")
    }
}

pub const ANYONE_CAN_GET_A_CERTIFICATE: &str = "Anyone can obtain a Sigstore certificate for their own identity: check that this is the signer you expect, or set an expected identity.";

pub fn matches_expected(identity: &str, issuer: &str) -> String {
    format!("Matches the expected identity {identity} (issuer {issuer})")
}

pub fn not_expected(san: &str, issuer: &str, identity: &str, expected_issuer: &str) -> String {
    format!("Signed by {san} (issuer {issuer}), not by the expected {identity} (issuer {expected_issuer})")
}

// Not verifiable.
pub const NEEDS_KEY: &str = "needs the signer's public key";
/// "(trust root dated …)", or "(the supplied trust root)" when the root has no known date
/// (`verify_bundle` takes any root).
fn root_label(root_date: &str) -> String {
    if root_date.is_empty() {
        "the supplied trust root".to_string()
    } else {
        format!("trust root dated {root_date}")
    }
}
pub fn untrusted_instance(root_date: &str) -> String {
    format!(
        "certificate not from a trusted Sigstore instance ({})",
        root_label(root_date)
    )
}
pub fn untrusted_log(log_id: &str, root_date: &str) -> String {
    format!(
        "transparency log {log_id} is not in the trust root ({})",
        root_label(root_date)
    )
}
pub const TSA_NOT_CHECKED: &str =
    "RFC 3161 timestamps are not checked yet (Notation signing-authority scheme)";
pub fn unsupported_algorithm(alg: &str) -> String {
    format!("unsupported algorithm {alg}")
}
pub const NO_VERIFIED_TIME: &str = "no verified signing time (neither a signed entry timestamp from a trusted log nor an RFC 3161 timestamp from a trusted authority)";
pub const NO_LOG_ENTRY: &str = "no transparency log entry to check the certificate against";
pub const NEEDS_IDENTITY: &str = "keyless signature: needs an expected identity and issuer";
pub const NEEDS_ARTIFACT_BYTES: &str =
    "a message signature can only be checked over the artifact's bytes";
pub const NEEDS_TRUSTED_NOTATION_ROOT: &str =
    "Signature intact, signer not trusted: paste the root certificate you trust for Notation";
pub fn notation_untrusted_root(root: &str, fingerprint: &str) -> String {
    format!("Signature intact, signer not trusted: chain ends at {root} (SHA-256 {fingerprint})")
}
pub fn notation_valid(root: &str, fingerprint: &str, signs: &Digest) -> String {
    format!("Signature valid, certificate chain ends at the root you supplied {root} (SHA-256 {fingerprint}) — signs {signs} ({THIS_IMAGE})")
}
pub fn notation_envelope_not_read(media_type: &str) -> String {
    format!("Notation envelope {media_type:?} is not verifiable yet (only JWS, application/jose+json, is read)")
}
pub const REVOCATION_NOT_CHECKED: &str =
    "revocation not checked (OCSP and CRL cannot be fetched from a static page)";

// Invalid.
pub const SIGNATURE_MISMATCH: &str = "signature does not match";
pub fn wrong_subject(signed: &str, computed: &Digest) -> String {
    format!("signs {signed}, not {THIS_IMAGE} ({computed})")
}
pub const NO_CHAIN: &str = "certificate does not chain to the trusted roots";
pub const OUTSIDE_VALIDITY: &str = "signed outside the certificate's validity";
pub const LOG_MISMATCH: &str = "log entry does not match";
pub const SET_INVALID: &str = "log entry's signed entry timestamp does not verify";
pub const PROOF_INVALID: &str = "log inclusion proof does not lead to the checkpoint's root";
pub const CHECKPOINT_INVALID: &str = "log checkpoint is not signed by the log";
pub const NO_CHECKPOINT: &str = "log inclusion proof has no signed checkpoint";
pub const NO_PROOF: &str = "log entry has no inclusion proof";
pub const NO_PROMISE: &str =
    "log entry has neither a signed entry timestamp nor an inclusion proof";
pub const SCT_INVALID: &str =
    "certificate has no valid signed certificate timestamp from a trusted CT log";
pub const ROOT_IN_CHAIN: &str = "the signature's certificate chain contains a root certificate";
pub const NOT_CODE_SIGNING: &str = "certificate is not for code signing";
pub const WRONG_KEY: &str = "signed with a different key than the one you supplied";
pub const PAYLOAD_DIGEST_MISMATCH: &str = "payload bytes do not match their descriptor's digest";
pub const UNSIGNED: &str = "Unsigned attestation: anyone with push access could have written this";
