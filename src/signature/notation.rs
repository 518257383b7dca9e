//! Notation signatures in the JWS envelope (notaryproject/specifications
//! `signature-specification.md`, `signature-envelope-jws.md`): a flattened JWS JSON object
//! `{payload, protected, header: {x5c, io.cncf.notary.signingAgent}, signature}`.
//!
//! Checked, in order: the protected header (`cty`, every `crit` entry understood, the
//! `notary.x509` signing scheme and its signing time); binding (`targetArtifact` digest, and
//! media type and size when the caller knows them); `alg` against the leaf key; the JWS
//! signature over `protected "." payload`; the `x5c` chain (each certificate signed by the
//! next, CA flags, code-signing leaf, validity at the signed signing time); trust (the chain
//! must end at a root the person supplied: Notation has no public root). Revocation (OCSP /
//! CRL) and expiry against the current clock are reported as not checked.

use super::crypto::{hex, Crypto, Curve, Hash, KeyKind, SigAlg};
use super::der;
use super::report::{CertificateContents, Format, SignatureRow, Verdict};
use super::verify::{Checks, Stop};
use super::wording as w;
use super::x509::{Certificate, OID_CODE_SIGNING};
use crate::oci::base64;
use crate::oci::json::{self, Json};
use crate::oci::Digest;
use sha2::{Digest as _, Sha256};

pub const MEDIA_TYPE_JWS: &str = "application/jose+json";
pub const ARTIFACT_TYPE: &str = "application/vnd.cncf.notary.signature";
const PAYLOAD_TYPE: &str = "application/vnd.cncf.notary.payload.v1+json";
const MAX_ENVELOPE_BYTES: usize = 1024 * 1024;
const MAX_CHAIN: usize = 8;
/// `crit` entries whose meaning this verifier implements.
const UNDERSTOOD_CRIT: &[&str] = &["io.cncf.notary.signingScheme", "io.cncf.notary.expiry"];

/// What the binding is checked against: the image descriptor the app computed.
#[derive(Clone, Copy, Debug)]
pub struct Target<'a> {
    pub digest: &'a Digest,
    pub media_type: Option<&'a str>,
    pub size: Option<u64>,
}

/// The trust store a person pasted: one or more PEM `CERTIFICATE` blocks (empty text: none).
/// Notation has no public root, so these are the only roots a chain may end at.
pub fn trusted_roots_from_pem(text: &str) -> Result<Vec<Certificate>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let blocks = super::pem::parse(text).map_err(|e| e.to_string())?;
    blocks
        .iter()
        .map(|(label, der)| match label.as_str() {
            "CERTIFICATE" => Certificate::from_der(der).map_err(|e| e.to_string()),
            other => Err(format!("PEM block {other:?} is not a certificate")),
        })
        .collect()
}

/// Decodes unpadded base64url (RFC 7515 §2) by mapping it onto the strict standard decoder.
pub fn base64url_decode(s: &str) -> Result<Vec<u8>, base64::Base64Error> {
    if let Some((at, found)) = s.char_indices().find(|(_, c)| matches!(c, '+' | '/' | '=')) {
        return Err(base64::Base64Error::Character { at, found });
    }
    let mut std: String = s
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    while !std.len().is_multiple_of(4) {
        std.push('=');
    }
    base64::decode(&std)
}

/// An RFC 3339 time with `Z` or a `±hh:mm` offset, as Unix seconds.
fn rfc3339_with_offset(s: &str) -> Option<i64> {
    if let Some((t, _)) = der::parse_rfc3339(s) {
        return Some(t);
    }
    let at = s.len().checked_sub(6)?;
    let (main, offset) = (s.get(..at)?, s.get(at..)?);
    let sign = match offset.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hours: i64 = offset.get(1..3)?.parse().ok()?;
    let minutes: i64 = offset.get(4..6)?.parse().ok()?;
    if offset.as_bytes().get(3) != Some(&b':') {
        return None;
    }
    let (t, _) = der::parse_rfc3339(&format!("{main}Z"))?;
    Some(t - sign * (hours * 3600 + minutes * 60))
}

/// Verifies one Notation JWS envelope for `target`, trusting only chains that end at one of
/// `roots` (compared byte for byte).
pub fn notation_jws(
    envelope: &[u8],
    target: &Target<'_>,
    roots: &[Certificate],
    crypto: &dyn Crypto,
) -> SignatureRow {
    let mut checks = Checks::default();
    let mut row = SignatureRow {
        format: Format::Notation,
        verdict: Verdict::NotVerifiable(String::new()),
        notes: Vec::new(),
        checks: Vec::new(),
        claims_subject: None,
        unverified_certificate: None,
    };
    let verdict = match check(envelope, target, roots, crypto, &mut checks, &mut row) {
        Ok(sentence) => Verdict::Valid(sentence),
        Err(Stop::Invalid(r)) => Verdict::Invalid(r),
        Err(Stop::NotVerifiable(r)) => Verdict::NotVerifiable(r),
    };
    row.verdict = verdict;
    row.checks = checks.0;
    row
}

fn check(
    envelope: &[u8],
    target: &Target<'_>,
    roots: &[Certificate],
    crypto: &dyn Crypto,
    checks: &mut Checks,
    row: &mut SignatureRow,
) -> Result<String, Stop> {
    let invalid = |checks: &mut Checks, what: &str, why: String| {
        checks.fail(what.to_string(), "", Stop::Invalid(why))
    };
    if envelope.len() > MAX_ENVELOPE_BYTES {
        return Err(invalid(
            checks,
            "envelope",
            format!("JWS envelope of {} bytes is too large", envelope.len()),
        ));
    }
    let doc = json::parse(envelope, json::DEFAULT_MAX_DEPTH)
        .map_err(|e| invalid(checks, "envelope", format!("JWS envelope is not JSON: {e}")))?;
    let text = |k: &str| doc.get(k).and_then(Json::as_str);
    let (Some(protected_b64), Some(payload_b64), Some(signature_b64)) =
        (text("protected"), text("payload"), text("signature"))
    else {
        return Err(invalid(
            checks,
            "envelope",
            "JWS envelope needs protected, payload and signature".into(),
        ));
    };
    let decode = |s: &str, what: &str| {
        base64url_decode(s).map_err(|e| format!("{what} is not base64url: {e}"))
    };
    let protected_bytes =
        decode(protected_b64, "protected header").map_err(|e| invalid(checks, "envelope", e))?;
    let payload = decode(payload_b64, "payload").map_err(|e| invalid(checks, "envelope", e))?;
    let signature =
        decode(signature_b64, "signature").map_err(|e| invalid(checks, "envelope", e))?;
    let header = json::parse(&protected_bytes, json::DEFAULT_MAX_DEPTH).map_err(|e| {
        invalid(
            checks,
            "protected header",
            format!("protected header is not JSON: {e}"),
        )
    })?;
    let h = |k: &str| header.get(k).and_then(Json::as_str);

    // Protected header.
    if h("cty") != Some(PAYLOAD_TYPE) {
        return Err(invalid(
            checks,
            "content type",
            format!("cty {:?} is not {PAYLOAD_TYPE}", h("cty")),
        ));
    }
    let crit = header
        .get("crit")
        .and_then(Json::as_array)
        .unwrap_or_default();
    for entry in crit {
        let name = entry.as_str().unwrap_or_default();
        if !UNDERSTOOD_CRIT.contains(&name) || header.get(name).is_none() {
            return Err(invalid(
                checks,
                "crit",
                format!("critical header {name:?} is not understood or absent"),
            ));
        }
    }
    if !crit
        .iter()
        .any(|c| c.as_str() == Some("io.cncf.notary.signingScheme"))
    {
        return Err(invalid(
            checks,
            "crit",
            "io.cncf.notary.signingScheme must be critical".into(),
        ));
    }
    match h("io.cncf.notary.signingScheme") {
        Some("notary.x509") => {}
        Some("notary.x509.signingAuthority") => {
            return Err(checks.fail(
                "signing scheme",
                "notary.x509",
                Stop::NotVerifiable(w::TSA_NOT_CHECKED.into()),
            ))
        }
        other => {
            return Err(invalid(
                checks,
                "signing scheme",
                format!("unknown signing scheme {other:?}"),
            ))
        }
    }
    let signing_time = h("io.cncf.notary.signingTime")
        .and_then(rfc3339_with_offset)
        .ok_or_else(|| {
            invalid(
                checks,
                "signing time",
                "io.cncf.notary.signingTime is missing or malformed".into(),
            )
        })?;
    checks.pass(
        "protected header",
        format!(
            "cty, crit, notary.x509, signed at {}",
            der::unix_to_rfc3339(signing_time)
        ),
    );

    // Binding.
    let payload_doc = json::parse(&payload, json::DEFAULT_MAX_DEPTH)
        .map_err(|e| invalid(checks, "payload", format!("payload is not JSON: {e}")))?;
    let artifact = payload_doc
        .get("targetArtifact")
        .ok_or_else(|| invalid(checks, "payload", "payload has no targetArtifact".into()))?;
    let claimed = artifact
        .get("digest")
        .and_then(Json::as_str)
        .unwrap_or_default();
    row.claims_subject = claimed.parse().ok();
    if row.claims_subject.as_ref() != Some(target.digest) {
        return Err(invalid(
            checks,
            "targetArtifact digest",
            w::wrong_subject(claimed, target.digest),
        ));
    }
    if let Some(mt) = target.media_type {
        if artifact.get("mediaType").and_then(Json::as_str) != Some(mt) {
            return Err(invalid(
                checks,
                "targetArtifact mediaType",
                format!(
                    "signs media type {:?}, not {mt:?}",
                    artifact.get("mediaType").and_then(Json::as_str)
                ),
            ));
        }
    }
    if let Some(size) = target.size {
        if artifact.get("size").and_then(Json::as_i64) != i64::try_from(size).ok() {
            return Err(invalid(
                checks,
                "targetArtifact size",
                format!("signs a different size than {size}"),
            ));
        }
    }
    checks.pass("targetArtifact", format!("{} (computed)", target.digest));

    // Certificates (x5c is standard base64 DER, leaf first).
    let x5c = doc
        .pointer("/header/x5c")
        .and_then(Json::as_array)
        .filter(|c| !c.is_empty() && c.len() <= MAX_CHAIN)
        .ok_or_else(|| {
            invalid(
                checks,
                "x5c",
                "header.x5c is missing, empty or too long".into(),
            )
        })?;
    let chain = x5c
        .iter()
        .map(|c| {
            c.as_str()
                .and_then(|s| base64::decode(s).ok())
                .ok_or_else(|| "x5c entry is not base64".to_string())
                .and_then(|der| Certificate::from_der(&der).map_err(|e| e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(checks, "x5c", e))?;
    let Some(leaf) = chain.first() else {
        return Err(invalid(checks, "x5c", "header.x5c is empty".into()));
    };
    row.unverified_certificate = Some(CertificateContents::of(leaf));
    let key = leaf
        .public_key()
        .map_err(|e| checks.fail("leaf key", "", Stop::NotVerifiable(e.to_string())))?;

    // alg must match the key (signature-specification: PS256/384/512 for RSA 2048/3072/4096).
    let alg = match (h("alg"), key.kind()) {
        (Some("PS256"), KeyKind::Rsa { bits: 2048 }) => SigAlg::RsaPss(Hash::Sha256),
        (Some("PS384"), KeyKind::Rsa { bits: 3072 }) => SigAlg::RsaPss(Hash::Sha384),
        (Some("PS512"), KeyKind::Rsa { bits: 4096 }) => SigAlg::RsaPss(Hash::Sha512),
        (Some("ES256"), KeyKind::Ec(Curve::P256)) => SigAlg::Ecdsa(Hash::Sha256),
        (Some("ES384"), KeyKind::Ec(Curve::P384)) => SigAlg::Ecdsa(Hash::Sha384),
        (Some("ES512"), KeyKind::Ec(Curve::P521)) => SigAlg::Ecdsa(Hash::Sha512),
        (alg, _) => {
            return Err(invalid(
                checks,
                "alg",
                format!(
                    "alg {alg:?} does not match the {} leaf key",
                    key.description()
                ),
            ))
        }
    };
    let signing_input = format!("{protected_b64}.{payload_b64}");
    if !crypto.verify(&key, alg, signing_input.as_bytes(), &signature)? {
        return Err(checks.fail(
            "JWS signature",
            format!("leaf key {} ({})", key.fingerprint(), alg.name()),
            Stop::Invalid(w::SIGNATURE_MISMATCH.into()),
        ));
    }
    checks.pass(
        "JWS signature",
        format!("leaf key {} ({})", key.fingerprint(), alg.name()),
    );

    // Chain: leaf → … → self-signed root, all valid at the signing time. A single
    // self-signed signing certificate is its own root (notation-go accepts it; it can only be
    // trusted by being supplied itself).
    let root = chain.last().unwrap_or(leaf);
    if !root.is_self_issued() {
        return Err(invalid(
            checks,
            "x5c chain",
            "x5c must run from the leaf to a self-signed root".into(),
        ));
    }
    let self_signed_leaf = chain.len() == 1;
    if !leaf.has_ext_key_usage(OID_CODE_SIGNING)
        || leaf.key_usage(0) != Some(true)
        || (leaf.is_ca() && !self_signed_leaf)
    {
        return Err(invalid(
            checks,
            "leaf certificate",
            w::NOT_CODE_SIGNING.into(),
        ));
    }
    if !leaf.valid_at(signing_time) {
        return Err(invalid(checks, "leaf validity", w::OUTSIDE_VALIDITY.into()));
    }
    if !self_signed_leaf {
        // leaf → chain[1] → … → root; the root's self-signature is checked below, since it
        // is not trusted by configuration here.
        super::x509::verify_chain(leaf, &chain[1..], signing_time, crypto).map_err(
            |e| match e {
                super::x509::ChainError::Crypto(c) => checks.fail("x5c chain", "", c.into()),
                super::x509::ChainError::UnsupportedAlgorithm(a) => checks.fail(
                    "x5c chain",
                    "",
                    Stop::NotVerifiable(w::unsupported_algorithm(&a)),
                ),
                other => checks.fail(
                    "x5c chain",
                    format!("valid at {}", der::unix_to_rfc3339(signing_time)),
                    Stop::Invalid(format!("{other} (x5c)")),
                ),
            },
        )?;
    }
    let root_key = root
        .public_key()
        .map_err(|e| checks.fail("root key", "", Stop::NotVerifiable(e.to_string())))?;
    if !root.signed_by(&root_key, crypto).map_err(|e| {
        checks.fail(
            "root self-signature",
            "",
            Stop::NotVerifiable(e.to_string()),
        )
    })? {
        return Err(invalid(checks, "root self-signature", w::NO_CHAIN.into()));
    }
    checks.pass(
        "x5c chain",
        format!(
            "leaf to {}, valid at {}",
            root.subject_summary(),
            der::unix_to_rfc3339(signing_time)
        ),
    );
    checks.not_checked("revocation", w::REVOCATION_NOT_CHECKED);
    if header.get("io.cncf.notary.expiry").is_some() {
        checks.not_checked(
            "expiry",
            "io.cncf.notary.expiry is not compared with the clock",
        );
    }

    // Trust: only a root the person supplied.
    let fingerprint = hex(&Sha256::digest(root.der()));
    if !roots.iter().any(|r| r.der() == root.der()) {
        let why = if roots.is_empty() {
            w::NEEDS_TRUSTED_NOTATION_ROOT.to_string()
        } else {
            w::notation_untrusted_root(&root.subject_summary(), &fingerprint)
        };
        return Err(checks.fail("trust", "the roots you supplied", Stop::NotVerifiable(why)));
    }
    checks.pass(
        "trust",
        format!(
            "root you supplied: {} (SHA-256 {fingerprint})",
            root.subject_summary()
        ),
    );
    Ok(w::notation_valid(
        &root.subject_summary(),
        &fingerprint,
        target.digest,
    ))
}
