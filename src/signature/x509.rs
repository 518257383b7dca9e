//! X.509 certificates (RFC 5280 §4.1) as far as Sigstore and Notation verification needs them:
//! the signed TBS bytes, signature algorithm, names, validity, key, and the extensions that
//! carry meaning here (basicConstraints, keyUsage, extKeyUsage, subjectAltName, the Fulcio
//! OIDC issuer OIDs 1.3.6.1.4.1.57264.1.1 / .1.8 and the embedded SCT list of RFC 6962 §3.3).
//!
//! Chain checks (who signed whom, CA flags, validity at a given time) are in
//! [`verify_chain`]; it never trusts a root that came with the signature, only anchors passed in.

use thiserror::Error;

use super::crypto::{Crypto, CryptoError, Hash, KeyError, PublicKey, SigAlg};
use super::der::{self, DerError, Reader};

const OID_BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13];
const OID_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x0f];
const OID_EXT_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x25];
const OID_SAN: &[u8] = &[0x55, 0x1d, 0x11];
const OID_SKI: &[u8] = &[0x55, 0x1d, 0x0e];
const OID_AKI: &[u8] = &[0x55, 0x1d, 0x23];
const OID_POLICIES: &[u8] = &[0x55, 0x1d, 0x20];
pub const OID_CODE_SIGNING: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03];
/// 1.3.6.1.4.1.11129.2.4.2, embedded SCT list.
pub const OID_SCT_LIST: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x02];
/// 1.3.6.1.4.1.57264.1.1, Fulcio OIDC issuer (v1: the raw string as the extension value).
const OID_FULCIO_ISSUER_V1: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xbf, 0x30, 0x01, 0x01];
/// 1.3.6.1.4.1.57264.1.8, Fulcio OIDC issuer (v2: a DER UTF8String).
const OID_FULCIO_ISSUER_V2: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xbf, 0x30, 0x01, 0x08];
/// 1.3.6.1.4.1.57264.1.7, otherName SAN carrying a username.
const OID_FULCIO_USERNAME: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xbf, 0x30, 0x01, 0x07];
/// Critical extensions this verifier understands; any other critical one rejects the certificate
/// (RFC 5280 §4.2).
const UNDERSTOOD_CRITICAL: &[&[u8]] = &[
    OID_BASIC_CONSTRAINTS,
    OID_KEY_USAGE,
    OID_EXT_KEY_USAGE,
    OID_SAN,
    OID_SKI,
    OID_AKI,
    OID_POLICIES,
];

const OID_CN: &[u8] = &[0x55, 0x04, 0x03];
const OID_O: &[u8] = &[0x55, 0x04, 0x0a];

const OID_ECDSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
const OID_ECDSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
const OID_ECDSA_SHA512: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04];
const OID_RSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
const OID_RSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c];
const OID_RSA_SHA512: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d];

/// Certificates larger than this are refused (Fulcio leaves are ~3 kB).
pub const MAX_CERT_BYTES: usize = 64 * 1024;

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CertError {
    #[error("certificate: {0}")]
    Der(#[from] DerError),
    #[error("certificate: {0}")]
    Key(#[from] KeyError),
    #[error("certificate of {0} bytes exceeds the {MAX_CERT_BYTES}-byte limit")]
    TooLarge(usize),
    #[error("certificate: only version 3 is accepted")]
    Version,
    #[error("certificate: inner and outer signature algorithms differ")]
    AlgorithmMismatch,
    #[error("certificate: unsupported critical extension {0}")]
    UnknownCritical(String),
    #[error("certificate: duplicate extension {0}")]
    DuplicateExtension(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extension {
    pub oid: Vec<u8>,
    pub critical: bool,
    /// The extnValue OCTET STRING content.
    pub value: Vec<u8>,
    raw: Vec<u8>,
}

/// One subjectAltName entry this verifier can name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum San {
    Email(String),
    Uri(String),
    /// otherName 1.3.6.1.4.1.57264.1.7 (Fulcio username identities).
    Username(String),
}

impl San {
    pub fn value(&self) -> &str {
        match self {
            San::Email(s) | San::Uri(s) | San::Username(s) => s,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    der: Vec<u8>,
    tbs: Vec<u8>,
    /// Raw TLVs of the TBS fields before the extensions, for rebuilding the precert TBS.
    tbs_fields: Vec<Vec<u8>>,
    algorithm: Result<SigAlg, String>,
    signature: Vec<u8>,
    pub issuer: Vec<u8>,
    pub subject: Vec<u8>,
    pub not_before: i64,
    pub not_after: i64,
    spki: Vec<u8>,
    pub extensions: Vec<Extension>,
}

impl Certificate {
    /// Parses one DER certificate (no trailing bytes).
    pub fn from_der(bytes: &[u8]) -> Result<Certificate, CertError> {
        if bytes.len() > MAX_CERT_BYTES {
            return Err(CertError::TooLarge(bytes.len()));
        }
        let cert = der::single(bytes, der::SEQUENCE, "Certificate")?;
        let mut c = Reader::new(cert.value);
        let tbs = c.expect(der::SEQUENCE, "TBSCertificate")?;
        let outer_alg = c.expect(der::SEQUENCE, "signatureAlgorithm")?;
        let signature = der::bit_string_bytes(&c.expect(der::BIT_STRING, "signatureValue")?)?;
        c.finish("Certificate")?;

        let mut t = Reader::new(tbs.value);
        let mut fields = Vec::new();
        let version = t.expect(der::context(0), "version")?;
        if version.value != [0x02, 0x01, 0x02] {
            return Err(CertError::Version);
        }
        fields.push(version.raw.to_vec());
        let serial = t.expect(der::INTEGER, "serialNumber")?;
        fields.push(serial.raw.to_vec());
        let inner_alg = t.expect(der::SEQUENCE, "signature")?;
        if inner_alg.raw != outer_alg.raw {
            return Err(CertError::AlgorithmMismatch);
        }
        fields.push(inner_alg.raw.to_vec());
        let issuer = t.expect(der::SEQUENCE, "issuer")?;
        fields.push(issuer.raw.to_vec());
        let validity = t.expect(der::SEQUENCE, "validity")?;
        fields.push(validity.raw.to_vec());
        let mut v = Reader::new(validity.value);
        let not_before = der::time(&v.any("notBefore")?)?;
        let not_after = der::time(&v.any("notAfter")?)?;
        v.finish("validity")?;
        let subject = t.expect(der::SEQUENCE, "subject")?;
        fields.push(subject.raw.to_vec());
        let spki = t.expect(der::SEQUENCE, "subjectPublicKeyInfo")?;
        fields.push(spki.raw.to_vec());
        for tag in [0x81, 0x82] {
            if let Some(uid) = t.optional(tag, "unique identifier")? {
                fields.push(uid.raw.to_vec());
            }
        }
        let mut extensions: Vec<Extension> = Vec::new();
        if let Some(exts) = t.optional(der::context(3), "extensions")? {
            let seq = der::single(exts.value, der::SEQUENCE, "Extensions")?;
            let mut e = Reader::new(seq.value);
            while !e.is_empty() {
                let ext = e.expect(der::SEQUENCE, "Extension")?;
                let mut x = Reader::new(ext.value);
                let oid = x.expect(der::OID, "extnID")?.value.to_vec();
                let critical = match x.optional(der::BOOLEAN, "critical")? {
                    Some(b) if b.value == [0xff] => true,
                    // DER forbids encoding the DEFAULT FALSE, and booleans are 0x00 / 0xff.
                    Some(_) => return Err(DerError::Malformed("critical flag").into()),
                    None => false,
                };
                let value = x.expect(der::OCTET_STRING, "extnValue")?.value.to_vec();
                x.finish("Extension")?;
                if extensions.iter().any(|other| other.oid == oid) {
                    return Err(CertError::DuplicateExtension(der::oid_to_string(&oid)));
                }
                extensions.push(Extension {
                    oid,
                    critical,
                    value,
                    raw: ext.raw.to_vec(),
                });
            }
        }
        t.finish("TBSCertificate")?;
        Ok(Certificate {
            der: bytes.to_vec(),
            tbs: tbs.raw.to_vec(),
            tbs_fields: fields,
            algorithm: signature_algorithm(outer_alg.value),
            signature: signature.to_vec(),
            issuer: issuer.raw.to_vec(),
            subject: subject.raw.to_vec(),
            not_before,
            not_after,
            spki: spki.raw.to_vec(),
            extensions,
        })
    }

    pub fn der(&self) -> &[u8] {
        &self.der
    }

    pub fn spki(&self) -> &[u8] {
        &self.spki
    }

    /// The serialNumber INTEGER as encoded (tag and length included), for CMS signer ids.
    pub fn serial_der(&self) -> &[u8] {
        self.tbs_fields.get(1).map_or(&[], Vec::as_slice)
    }

    pub fn public_key(&self) -> Result<PublicKey, KeyError> {
        PublicKey::from_spki(&self.spki)
    }

    pub fn extension(&self, oid: &[u8]) -> Option<&Extension> {
        self.extensions.iter().find(|e| e.oid == oid)
    }

    /// Critical extensions this verifier does not understand (RFC 5280 §4.2: must reject).
    pub fn check_critical(&self) -> Result<(), CertError> {
        match self
            .extensions
            .iter()
            .find(|e| e.critical && !UNDERSTOOD_CRITICAL.contains(&e.oid.as_slice()))
        {
            Some(e) => Err(CertError::UnknownCritical(der::oid_to_string(&e.oid))),
            None => Ok(()),
        }
    }

    pub fn valid_at(&self, t: i64) -> bool {
        self.not_before <= t && t <= self.not_after
    }

    pub fn is_self_issued(&self) -> bool {
        self.issuer == self.subject
    }

    /// basicConstraints cA (RFC 5280 §4.2.1.9); absent means not a CA.
    pub fn is_ca(&self) -> bool {
        let Some(ext) = self.extension(OID_BASIC_CONSTRAINTS) else {
            return false;
        };
        let Ok(seq) = der::single(&ext.value, der::SEQUENCE, "basicConstraints") else {
            return false;
        };
        let mut r = Reader::new(seq.value);
        matches!(r.optional(der::BOOLEAN, "cA"), Ok(Some(b)) if b.value == [0xff])
    }

    /// keyUsage bit `n` (0 = digitalSignature, 5 = keyCertSign). `None` when the extension
    /// is absent (then usage is unrestricted), `Some(false)` when present without the bit.
    pub fn key_usage(&self, bit: usize) -> Option<bool> {
        let ext = self.extension(OID_KEY_USAGE)?;
        let bits = der::single(&ext.value, der::BIT_STRING, "keyUsage").ok()?;
        let bytes = bits.value.get(1..)?;
        Some(
            bytes
                .get(bit / 8)
                .is_some_and(|b| b & (0x80 >> (bit % 8)) != 0),
        )
    }

    /// Whether extKeyUsage lists `oid` (absent extension: `false`; Fulcio always sets it).
    pub fn has_ext_key_usage(&self, oid: &[u8]) -> bool {
        let Some(ext) = self.extension(OID_EXT_KEY_USAGE) else {
            return false;
        };
        let Ok(seq) = der::single(&ext.value, der::SEQUENCE, "extKeyUsage") else {
            return false;
        };
        let mut r = Reader::new(seq.value);
        while let Ok(item) = r.expect(der::OID, "KeyPurposeId") {
            if item.value == oid {
                return true;
            }
        }
        false
    }

    /// subjectAltName entries of the kinds Sigstore uses (email, URI, Fulcio username).
    pub fn sans(&self) -> Vec<San> {
        let mut out = Vec::new();
        let Some(ext) = self.extension(OID_SAN) else {
            return out;
        };
        let Ok(seq) = der::single(&ext.value, der::SEQUENCE, "subjectAltName") else {
            return out;
        };
        let mut r = Reader::new(seq.value);
        while let Ok(name) = r.any("GeneralName") {
            let text = || String::from_utf8(name.value.to_vec()).ok();
            match name.tag {
                0x81 => out.extend(text().map(San::Email)),
                0x86 => out.extend(text().map(San::Uri)),
                0xa0 => {
                    let mut o = Reader::new(name.value);
                    let is_username = o
                        .expect(der::OID, "type-id")
                        .is_ok_and(|oid| oid.value == OID_FULCIO_USERNAME);
                    let value = o
                        .expect(der::context(0), "value")
                        .and_then(|v| der::single(v.value, der::UTF8_STRING, "username"));
                    if let (true, Ok(v)) = (is_username, value) {
                        out.extend(String::from_utf8(v.value.to_vec()).ok().map(San::Username));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The OIDC issuer Fulcio recorded: 1.3.6.1.4.1.57264.1.8 (UTF8String) preferred, else the
    /// deprecated 1.3.6.1.4.1.57264.1.1 (raw bytes).
    pub fn oidc_issuer(&self) -> Option<String> {
        if let Some(ext) = self.extension(OID_FULCIO_ISSUER_V2) {
            let s = der::single(&ext.value, der::UTF8_STRING, "issuer").ok()?;
            return String::from_utf8(s.value.to_vec()).ok();
        }
        let ext = self.extension(OID_FULCIO_ISSUER_V1)?;
        String::from_utf8(ext.value.clone()).ok()
    }

    /// "CN=…, O=…" of the subject, for messages.
    pub fn subject_summary(&self) -> String {
        name_summary(&self.subject)
    }

    /// The TBS re-encoded without the SCT list extension: what a CT log signed for a precert
    /// (RFC 6962 §3.2). `None` if the certificate has no SCT extension.
    pub fn precert_tbs(&self) -> Option<Vec<u8>> {
        self.extension(OID_SCT_LIST)?;
        let kept: Vec<u8> = self
            .extensions
            .iter()
            .filter(|e| e.oid != OID_SCT_LIST)
            .flat_map(|e| e.raw.iter().copied())
            .collect();
        let mut body: Vec<u8> = self.tbs_fields.concat();
        if !kept.is_empty() {
            body.extend(der::encode(
                der::context(3),
                &der::encode(der::SEQUENCE, &kept),
            ));
        }
        Some(der::encode(der::SEQUENCE, &body))
    }

    /// Whether `issuer_key` signed this certificate. `Err` for an unsupported algorithm or a
    /// malformed signature value (both make the certificate unverifiable, never valid).
    pub fn signed_by(
        &self,
        issuer_key: &PublicKey,
        crypto: &dyn Crypto,
    ) -> Result<bool, ChainError> {
        let alg = self
            .algorithm
            .clone()
            .map_err(ChainError::UnsupportedAlgorithm)?;
        if !issuer_key.accepts(alg) {
            return Ok(false);
        }
        let Ok(signature) = issuer_key.signature_from_der(&self.signature) else {
            return Ok(false);
        };
        Ok(crypto.verify(issuer_key, alg, &self.tbs, &signature)?)
    }
}

fn signature_algorithm(alg: &[u8]) -> Result<SigAlg, String> {
    let mut r = Reader::new(alg);
    let oid = r.expect(der::OID, "algorithm").map_err(|e| e.to_string())?;
    let params = r.optional(0x05, "NULL").map_err(|e| e.to_string())?;
    if !r.is_empty() {
        return Err(format!("{} with parameters", der::oid_to_string(oid.value)));
    }
    let alg = match oid.value {
        OID_ECDSA_SHA256 => SigAlg::Ecdsa(Hash::Sha256),
        OID_ECDSA_SHA384 => SigAlg::Ecdsa(Hash::Sha384),
        OID_ECDSA_SHA512 => SigAlg::Ecdsa(Hash::Sha512),
        OID_RSA_SHA256 => SigAlg::RsaPkcs1(Hash::Sha256),
        OID_RSA_SHA384 => SigAlg::RsaPkcs1(Hash::Sha384),
        OID_RSA_SHA512 => SigAlg::RsaPkcs1(Hash::Sha512),
        super::crypto::OID_ED25519 => SigAlg::Ed25519,
        other => return Err(der::oid_to_string(other)),
    };
    // ECDSA and Ed25519 identifiers carry no parameters; RSA ones carry NULL (RFC 4055 §5).
    match (alg, params.is_some()) {
        (SigAlg::RsaPkcs1(_), true) | (SigAlg::Ecdsa(_) | SigAlg::Ed25519, false) => Ok(alg),
        _ => Err(format!(
            "{} with wrong parameters",
            der::oid_to_string(oid.value)
        )),
    }
}

/// "CN=…, O=…" of a DER Name, for messages (other attributes are left out).
pub fn name_summary(name: &[u8]) -> String {
    let mut parts = Vec::new();
    if let Ok(seq) = der::single(name, der::SEQUENCE, "Name") {
        let mut rdns = Reader::new(seq.value);
        while let Ok(set) = rdns.expect(der::SET, "RDN") {
            let mut atvs = Reader::new(set.value);
            while let Ok(atv) = atvs.expect(der::SEQUENCE, "AttributeTypeAndValue") {
                let mut a = Reader::new(atv.value);
                let (Ok(oid), Ok(value)) = (a.expect(der::OID, "type"), a.any("value")) else {
                    continue;
                };
                let label = match oid.value {
                    OID_CN => "CN",
                    OID_O => "O",
                    _ => continue,
                };
                parts.push(format!("{label}={}", String::from_utf8_lossy(value.value)));
            }
        }
    }
    if parts.is_empty() {
        "(no CN or O)".to_string()
    } else {
        parts.join(", ")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ChainError {
    #[error("certificate does not chain to the trusted roots")]
    NoPath,
    #[error("unsupported algorithm {0}")]
    UnsupportedAlgorithm(String),
    #[error("{0}")]
    Crypto(#[from] CryptoError),
    #[error("{0}")]
    Cert(#[from] CertError),
}

/// Checks that `leaf` chains through `chain` (issuer first, up to and including the trust
/// anchor, as `trusted_root.json` lists a CA's `certChain` leaf-most first) with every
/// certificate valid at `at`, every issuer a CA allowed to sign certificates, and names linked.
/// The anchor's own self-signature is not checked: it is trusted by configuration.
pub fn verify_chain(
    leaf: &Certificate,
    chain: &[Certificate],
    at: i64,
    crypto: &dyn Crypto,
) -> Result<(), ChainError> {
    if chain.is_empty() || !leaf.valid_at(at) {
        return Err(ChainError::NoPath);
    }
    leaf.check_critical()?;
    let mut child = leaf;
    for issuer in chain {
        issuer.check_critical()?;
        let may_sign = issuer.is_ca() && issuer.key_usage(5) != Some(false);
        if !may_sign || child.issuer != issuer.subject || !issuer.valid_at(at) {
            return Err(ChainError::NoPath);
        }
        let key = issuer.public_key().map_err(CertError::from)?;
        if !child.signed_by(&key, crypto)? {
            return Err(ChainError::NoPath);
        }
        child = issuer;
    }
    Ok(())
}
