//! RFC 3161 timestamps as Sigstore bundles carry them (`timestampVerificationData`): a
//! `TimeStampResp` (or a bare `TimeStampToken`), i.e. CMS `SignedData` (RFC 5652 §5) whose
//! content is a `TSTInfo` (RFC 3161 §2.4.2).
//!
//! Verified: the status is granted; the message imprint is the hash of the signature being
//! timestamped; the signed attributes carry content type `id-ct-TSTInfo` and the digest of the
//! `TSTInfo`; the signer certificate (embedded, or the trust root's TSA leaf) chains to a
//! timestamp authority of the trust root that is trusted at `genTime`, is valid then and is
//! for time stamping; the CMS signature over the DER `SET OF` signed attributes verifies.
//! The result is `genTime`, a signing time from a verified source.

use thiserror::Error;

use super::crypto::{Crypto, CryptoError, Hash, SigAlg};
use super::der::{self, DerError, Reader, Tlv};
use super::trust_root::TrustedRoot;
use super::x509::{self, CertError, Certificate};

const OID_SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
const OID_TST_INFO: &[u8] = &[
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x04,
];
const OID_CONTENT_TYPE: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03];
const OID_MESSAGE_DIGEST: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04];
const OID_SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
const OID_SHA384: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
const OID_SHA512: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];
const OID_ECDSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
const OID_ECDSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
const OID_ECDSA_SHA512: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04];
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_RSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
const OID_RSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c];
const OID_RSA_SHA512: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d];
const OID_TIME_STAMPING: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08];
/// Timestamps larger than this are refused (Sigstore's are ~1.3 kB).
pub const MAX_TIMESTAMP_BYTES: usize = 64 * 1024;
const MAX_CERTS: usize = 8;

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum TsaError {
    #[error("RFC 3161 timestamp: {0}")]
    Der(#[from] DerError),
    #[error("RFC 3161 timestamp: {0}")]
    Cert(#[from] CertError),
    #[error("RFC 3161 timestamp: {0}")]
    Malformed(String),
    #[error("RFC 3161 timestamp: unsupported algorithm {0}")]
    Unsupported(String),
    #[error("RFC 3161 timestamp does not cover this signature")]
    ImprintMismatch,
    #[error("RFC 3161 timestamp is not signed by a timestamp authority of the trust root trusted at {0}")]
    Untrusted(String),
    #[error("{0}")]
    Crypto(#[from] CryptoError),
}

fn malformed(what: &str) -> TsaError {
    TsaError::Malformed(what.to_string())
}

fn hash_of(oid: &[u8]) -> Result<Hash, TsaError> {
    match oid {
        OID_SHA256 => Ok(Hash::Sha256),
        OID_SHA384 => Ok(Hash::Sha384),
        OID_SHA512 => Ok(Hash::Sha512),
        other => Err(TsaError::Unsupported(der::oid_to_string(other))),
    }
}

/// The OID of an AlgorithmIdentifier (parameters, if any, are NULL or absent and ignored).
fn algorithm_oid<'a>(tlv: &Tlv<'a>) -> Result<&'a [u8], TsaError> {
    Ok(Reader::new(tlv.value).expect(der::OID, "algorithm")?.value)
}

/// A parsed timestamp token.
#[derive(Clone, Debug)]
pub struct Timestamp {
    pub gen_time: i64,
    imprint_hash: Hash,
    imprint: Vec<u8>,
    tst_info: Vec<u8>,
    digest: Hash,
    /// The signed attributes re-tagged as `SET OF` (what the signature covers, RFC 5652 §5.4).
    signed_attrs: Vec<u8>,
    content_type: Option<Vec<u8>>,
    message_digest: Option<Vec<u8>>,
    signature_alg: Vec<u8>,
    signature: Vec<u8>,
    /// `IssuerAndSerialNumber` of the signer: issuer Name DER and serial INTEGER DER.
    sid: Option<(Vec<u8>, Vec<u8>)>,
    certificates: Vec<Certificate>,
}

impl Timestamp {
    pub fn parse(bytes: &[u8]) -> Result<Timestamp, TsaError> {
        if bytes.len() > MAX_TIMESTAMP_BYTES {
            return Err(malformed("too large"));
        }
        let outer = der::single(bytes, der::SEQUENCE, "TimeStampResp")?;
        let mut r = Reader::new(outer.value);
        // TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken OPTIONAL }, or a
        // bare ContentInfo ::= SEQUENCE { contentType OID, [0] content }.
        let content_info = if r.peek_tag() == Some(der::SEQUENCE) {
            let status = r.expect(der::SEQUENCE, "PKIStatusInfo")?;
            let status_code = Reader::new(status.value).expect(der::INTEGER, "status")?;
            // PKIStatus granted (0) or grantedWithMods (1), RFC 3161 §2.4.2.
            if !matches!(status_code.value, [0] | [1]) {
                return Err(malformed("status is not granted"));
            }
            let token = r.expect(der::SEQUENCE, "timeStampToken")?;
            r.finish("TimeStampResp")?;
            token.value
        } else {
            outer.value
        };
        let mut ci = Reader::new(content_info);
        if ci.expect(der::OID, "contentType")?.value != OID_SIGNED_DATA {
            return Err(malformed("content is not SignedData"));
        }
        let explicit = ci.expect(der::context(0), "content")?;
        ci.finish("ContentInfo")?;
        let signed_data = der::single(explicit.value, der::SEQUENCE, "SignedData")?;
        let mut sd = Reader::new(signed_data.value);
        sd.expect(der::INTEGER, "version")?;
        sd.expect(der::SET, "digestAlgorithms")?;
        let encap = sd.expect(der::SEQUENCE, "encapContentInfo")?;
        let mut e = Reader::new(encap.value);
        if e.expect(der::OID, "eContentType")?.value != OID_TST_INFO {
            return Err(malformed("content is not a TSTInfo"));
        }
        let econtent = der::single(
            e.expect(der::context(0), "eContent")?.value,
            der::OCTET_STRING,
            "eContent",
        )?;
        e.finish("encapContentInfo")?;
        let mut certificates = Vec::new();
        if let Some(certs) = sd.optional(der::context(0), "certificates")? {
            let mut c = Reader::new(certs.value);
            while !c.is_empty() {
                if certificates.len() == MAX_CERTS {
                    return Err(malformed("too many certificates"));
                }
                certificates.push(Certificate::from_der(
                    c.expect(der::SEQUENCE, "certificate")?.raw,
                )?);
            }
        }
        sd.optional(der::context(1), "crls")?;
        let signer_infos = sd.expect(der::SET, "signerInfos")?;
        sd.finish("SignedData")?;
        let mut infos = Reader::new(signer_infos.value);
        let info = infos.expect(der::SEQUENCE, "SignerInfo")?;
        if !infos.is_empty() {
            return Err(malformed("more than one SignerInfo"));
        }

        let mut si = Reader::new(info.value);
        si.expect(der::INTEGER, "version")?;
        let sid = match si.any("sid")? {
            t if t.tag == der::SEQUENCE => {
                let mut ias = Reader::new(t.value);
                let issuer = ias.expect(der::SEQUENCE, "issuer")?.raw.to_vec();
                let serial = ias.expect(der::INTEGER, "serialNumber")?.raw.to_vec();
                Some((issuer, serial))
            }
            // [0] SubjectKeyIdentifier: matched by trying the candidate certificates.
            _ => None,
        };
        let digest = hash_of(algorithm_oid(
            &si.expect(der::SEQUENCE, "digestAlgorithm")?,
        )?)?;
        let attrs = si.expect(der::context(0), "signedAttrs")?;
        let signature_alg =
            algorithm_oid(&si.expect(der::SEQUENCE, "signatureAlgorithm")?)?.to_vec();
        let signature = si.expect(der::OCTET_STRING, "signature")?.value.to_vec();
        si.optional(der::context(1), "unsignedAttrs")?;
        si.finish("SignerInfo")?;

        let mut content_type = None;
        let mut message_digest = None;
        let mut a = Reader::new(attrs.value);
        while !a.is_empty() {
            let attr = a.expect(der::SEQUENCE, "Attribute")?;
            let mut at = Reader::new(attr.value);
            let oid = at.expect(der::OID, "attrType")?.value;
            let values = at.expect(der::SET, "attrValues")?;
            let slot = match oid {
                OID_CONTENT_TYPE => &mut content_type,
                OID_MESSAGE_DIGEST => &mut message_digest,
                _ => continue,
            };
            if slot.is_some() {
                return Err(malformed("duplicate signed attribute"));
            }
            let value = Reader::new(values.value).any("attrValue")?;
            *slot = Some(value.value.to_vec());
        }

        let tst = der::single(econtent.value, der::SEQUENCE, "TSTInfo")?;
        let mut t = Reader::new(tst.value);
        t.expect(der::INTEGER, "version")?;
        t.expect(der::OID, "policy")?;
        let imprint = t.expect(der::SEQUENCE, "messageImprint")?;
        let mut mi = Reader::new(imprint.value);
        let imprint_hash = hash_of(algorithm_oid(&mi.expect(der::SEQUENCE, "hashAlgorithm")?)?)?;
        let imprint_value = mi
            .expect(der::OCTET_STRING, "hashedMessage")?
            .value
            .to_vec();
        t.expect(der::INTEGER, "serialNumber")?;
        let gen_time = der::time(&t.expect(der::GENERALIZED_TIME, "genTime")?)?;

        Ok(Timestamp {
            gen_time,
            imprint_hash,
            imprint: imprint_value,
            tst_info: econtent.value.to_vec(),
            digest,
            signed_attrs: der::encode(der::SET, attrs.value),
            content_type,
            message_digest,
            signature_alg,
            signature,
            sid,
            certificates,
        })
    }

    /// Verifies the token over `signature` (the bytes it timestamps) against the trust root's
    /// timestamp authorities; `Ok(genTime)` when it holds.
    pub fn verify(
        &self,
        signature: &[u8],
        root: &TrustedRoot,
        crypto: &dyn Crypto,
    ) -> Result<i64, TsaError> {
        if self.imprint_hash.digest(signature) != self.imprint {
            return Err(TsaError::ImprintMismatch);
        }
        let content_type_ok = self.content_type.as_deref() == Some(OID_TST_INFO);
        if !content_type_ok
            || self.message_digest.as_deref() != Some(self.digest.digest(&self.tst_info).as_slice())
        {
            return Err(malformed("signed attributes do not describe the TSTInfo"));
        }
        let untrusted = || TsaError::Untrusted(der::unix_to_rfc3339(self.gen_time));
        for tsa in &root.timestamp_authorities {
            if !tsa.valid.contains(self.gen_time) {
                continue;
            }
            let cas: Vec<Certificate> = tsa.chain.iter().filter(|c| c.is_ca()).cloned().collect();
            let candidates = self
                .certificates
                .iter()
                .chain(tsa.chain.iter().filter(|c| !c.is_ca()));
            for signer in candidates {
                if !self.sid_matches(signer) || !signer.has_ext_key_usage(OID_TIME_STAMPING) {
                    continue;
                }
                if x509::verify_chain(signer, &cas, self.gen_time, crypto).is_err() {
                    continue;
                }
                let key = signer
                    .public_key()
                    .map_err(|e| TsaError::Malformed(e.to_string()))?;
                let alg = self.signature_algorithm()?;
                if !key.accepts(alg) {
                    continue;
                }
                let Ok(raw) = key.signature_from_der(&self.signature) else {
                    continue;
                };
                if crypto.verify(&key, alg, &self.signed_attrs, &raw)? {
                    return Ok(self.gen_time);
                }
            }
        }
        Err(untrusted())
    }

    fn sid_matches(&self, cert: &Certificate) -> bool {
        match &self.sid {
            Some((issuer, serial)) => {
                cert.issuer == *issuer && cert.serial_der() == serial.as_slice()
            }
            None => true,
        }
    }

    fn signature_algorithm(&self) -> Result<SigAlg, TsaError> {
        Ok(match self.signature_alg.as_slice() {
            OID_ECDSA_SHA256 => SigAlg::Ecdsa(Hash::Sha256),
            OID_ECDSA_SHA384 => SigAlg::Ecdsa(Hash::Sha384),
            OID_ECDSA_SHA512 => SigAlg::Ecdsa(Hash::Sha512),
            OID_EC_PUBLIC_KEY => SigAlg::Ecdsa(self.digest),
            OID_RSA_SHA256 => SigAlg::RsaPkcs1(Hash::Sha256),
            OID_RSA_SHA384 => SigAlg::RsaPkcs1(Hash::Sha384),
            OID_RSA_SHA512 => SigAlg::RsaPkcs1(Hash::Sha512),
            OID_RSA => SigAlg::RsaPkcs1(self.digest),
            other => return Err(TsaError::Unsupported(der::oid_to_string(other))),
        })
    }
}
