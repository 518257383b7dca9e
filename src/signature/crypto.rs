//! Public keys (SubjectPublicKeyInfo, RFC 5280 §4.1.2.7) and the signature backend boundary.
//!
//! The core never does signature math itself. It asks a [`Crypto`] backend one question:
//! "does `signature` verify over `message` under this SPKI key with this algorithm?". That is
//! exactly what WebCrypto's `importKey('spki')` + `verify` can answer, so a browser backend is
//! a thin wrapper; ECDSA signatures are always handed over as fixed-size `r ‖ s` (the DER form
//! is converted here, strictly) and messages are never prehashed.
//!
//! WebCrypto is asynchronous while the core is synchronous. [`Precomputed`] bridges that
//! without an async core: run the verification once with it, collect the checks it could not
//! answer ([`Precomputed::take_missing`]), compute those asynchronously, add the answers and run
//! again; when nothing is missing the result is final. Unknown checks are answered `true` only
//! to let a round discover the checks that follow; such a round's result is always discarded.
//! Each round can only add checks on the path to acceptance, so a few rounds suffice (bounded
//! by the caller).

use std::cell::RefCell;
use std::collections::HashMap;

use sha2::{Digest as _, Sha256, Sha384, Sha512};
use thiserror::Error;

use super::der::{self, DerError, Reader};

pub const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
pub const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
pub const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
pub const OID_P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
pub const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
pub const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];

/// Smallest RSA modulus accepted (NIST SP 800-131A; cosign refuses smaller keys too).
pub const MIN_RSA_BITS: usize = 2048;
const MAX_RSA_BITS: usize = 8192;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    pub fn name(self) -> &'static str {
        match self {
            Hash::Sha256 => "SHA-256",
            Hash::Sha384 => "SHA-384",
            Hash::Sha512 => "SHA-512",
        }
    }

    pub fn digest(self, message: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha256 => Sha256::digest(message).to_vec(),
            Hash::Sha384 => Sha384::digest(message).to_vec(),
            Hash::Sha512 => Sha512::digest(message).to_vec(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Curve {
    P256,
    P384,
    P521,
}

impl Curve {
    /// Bytes of one coordinate / scalar: the `r` and `s` width in the raw signature form.
    pub fn field_len(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
        }
    }
}

/// A signature scheme. For ECDSA the curve comes from the key; `signature` bytes given to a
/// backend are then `r ‖ s`. RSA-PSS uses MGF1 with the same hash and a salt as long as the
/// hash (what JWS PS256/384/512 and Notation require).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SigAlg {
    Ecdsa(Hash),
    RsaPkcs1(Hash),
    RsaPss(Hash),
    Ed25519,
}

impl SigAlg {
    pub fn name(self) -> String {
        match self {
            SigAlg::Ecdsa(h) => format!("ECDSA with {}", h.name()),
            SigAlg::RsaPkcs1(h) => format!("RSA PKCS#1 v1.5 with {}", h.name()),
            SigAlg::RsaPss(h) => format!("RSA-PSS with {}", h.name()),
            SigAlg::Ed25519 => "Ed25519".to_string(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyKind {
    Ec(Curve),
    Rsa { bits: usize },
    Ed25519,
}

/// A parsed SubjectPublicKeyInfo. `spki` is the exact DER (what WebCrypto imports and what
/// fingerprints and Rekor log IDs hash); `key` is the BIT STRING content (SEC1 point, PKCS#1
/// `RSAPublicKey`, or the 32 Ed25519 bytes) for backends that want it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PublicKey {
    spki: Vec<u8>,
    kind: KeyKind,
    key: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum KeyError {
    #[error("public key: {0}")]
    Der(#[from] DerError),
    #[error("public key: unsupported algorithm {0}")]
    UnsupportedAlgorithm(String),
    #[error("public key: unsupported elliptic curve {0}")]
    UnsupportedCurve(String),
    #[error("public key: RSA modulus of {0} bits is outside {MIN_RSA_BITS}..={MAX_RSA_BITS}")]
    RsaSize(usize),
    #[error("public key: malformed {0}")]
    Malformed(&'static str),
}

impl PublicKey {
    /// Parses SubjectPublicKeyInfo DER (exactly one value).
    pub fn from_spki(spki: &[u8]) -> Result<PublicKey, KeyError> {
        let seq = der::single(spki, der::SEQUENCE, "SubjectPublicKeyInfo")?;
        let mut r = Reader::new(seq.value);
        let alg = r.expect(der::SEQUENCE, "AlgorithmIdentifier")?;
        let bits = r.expect(der::BIT_STRING, "subjectPublicKey")?;
        r.finish("SubjectPublicKeyInfo")?;
        let key = der::bit_string_bytes(&bits)?.to_vec();
        let mut a = Reader::new(alg.value);
        let oid = a.expect(der::OID, "algorithm OID")?;
        let kind = match oid.value {
            OID_EC_PUBLIC_KEY => {
                let curve = a.expect(der::OID, "named curve")?;
                let curve = match curve.value {
                    OID_P256 => Curve::P256,
                    OID_P384 => Curve::P384,
                    OID_P521 => Curve::P521,
                    other => return Err(KeyError::UnsupportedCurve(der::oid_to_string(other))),
                };
                // Uncompressed SEC1 point: 0x04 ‖ x ‖ y (WebCrypto imports only this form).
                if key.len() != 1 + 2 * curve.field_len() || key.first() != Some(&0x04) {
                    return Err(KeyError::Malformed("EC point (not uncompressed)"));
                }
                KeyKind::Ec(curve)
            }
            OID_RSA => {
                // Parameters must be NULL (RFC 3279 §2.3.1).
                a.optional(0x05, "NULL parameters")?;
                KeyKind::Rsa {
                    bits: rsa_modulus_bits(&key)?,
                }
            }
            OID_ED25519 => {
                if key.len() != 32 {
                    return Err(KeyError::Malformed("Ed25519 key (not 32 bytes)"));
                }
                KeyKind::Ed25519
            }
            other => return Err(KeyError::UnsupportedAlgorithm(der::oid_to_string(other))),
        };
        a.finish("AlgorithmIdentifier")?;
        Ok(PublicKey {
            spki: spki.to_vec(),
            kind,
            key,
        })
    }

    /// Wraps a PKCS#1 `RSAPublicKey` (PEM `RSA PUBLIC KEY`) into SPKI, as WebCrypto needs.
    pub fn from_pkcs1_rsa(pkcs1: &[u8]) -> Result<PublicKey, KeyError> {
        rsa_modulus_bits(pkcs1)?;
        let alg = der::encode(
            der::SEQUENCE,
            &[der::encode(der::OID, OID_RSA), vec![0x05, 0x00]].concat(),
        );
        let bits = der::encode(der::BIT_STRING, &[&[0u8][..], pkcs1].concat());
        PublicKey::from_spki(&der::encode(der::SEQUENCE, &[alg, bits].concat()))
    }

    pub fn spki(&self) -> &[u8] {
        &self.spki
    }

    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The BIT STRING content: SEC1 point, PKCS#1 `RSAPublicKey` or 32 Ed25519 bytes.
    pub fn key_bytes(&self) -> &[u8] {
        &self.key
    }

    /// `SHA256:<hex>` of the SPKI DER (what `openssl pkey -pubin -outform DER | sha256sum`
    /// prints), so a person can compare it with their own key.
    pub fn fingerprint(&self) -> String {
        format!("SHA256:{}", hex(&Sha256::digest(&self.spki)))
    }

    /// "ECDSA P-256", "RSA 3072", "Ed25519".
    pub fn description(&self) -> String {
        match self.kind {
            KeyKind::Ec(c) => format!("ECDSA {}", c.name()),
            KeyKind::Rsa { bits } => format!("RSA {bits}"),
            KeyKind::Ed25519 => "Ed25519".to_string(),
        }
    }

    /// The scheme Sigstore and cosign use with this key (sigstore-go `signature.LoadVerifier`
    /// defaults): ECDSA with the curve's matching hash, RSA PKCS#1 v1.5 with SHA-256, Ed25519.
    pub fn default_alg(&self) -> SigAlg {
        match self.kind {
            KeyKind::Ec(Curve::P256) => SigAlg::Ecdsa(Hash::Sha256),
            KeyKind::Ec(Curve::P384) => SigAlg::Ecdsa(Hash::Sha384),
            KeyKind::Ec(Curve::P521) => SigAlg::Ecdsa(Hash::Sha512),
            KeyKind::Rsa { .. } => SigAlg::RsaPkcs1(Hash::Sha256),
            KeyKind::Ed25519 => SigAlg::Ed25519,
        }
    }

    /// Whether `alg` can be used with this key at all.
    pub fn accepts(&self, alg: SigAlg) -> bool {
        matches!(
            (self.kind, alg),
            (KeyKind::Ec(_), SigAlg::Ecdsa(_))
                | (KeyKind::Rsa { .. }, SigAlg::RsaPkcs1(_) | SigAlg::RsaPss(_))
                | (KeyKind::Ed25519, SigAlg::Ed25519)
        )
    }

    /// Brings a signature as it is stored (DER for ECDSA in X.509, Sigstore, cosign, SCTs)
    /// into the form backends take (`r ‖ s` for ECDSA; unchanged otherwise).
    pub fn signature_from_der(&self, signature: &[u8]) -> Result<Vec<u8>, DerError> {
        match self.kind {
            KeyKind::Ec(curve) => der::ecdsa_der_to_raw(signature, curve.field_len()),
            _ => Ok(signature.to_vec()),
        }
    }
}

fn rsa_modulus_bits(pkcs1: &[u8]) -> Result<usize, KeyError> {
    let seq = der::single(pkcs1, der::SEQUENCE, "RSAPublicKey")?;
    let mut r = Reader::new(seq.value);
    let n = der::positive_integer(&r.expect(der::INTEGER, "RSA modulus")?)?;
    der::positive_integer(&r.expect(der::INTEGER, "RSA exponent")?)?;
    r.finish("RSAPublicKey")?;
    let bits = n.len() * 8 - n.first().map_or(8, |b| b.leading_zeros() as usize);
    if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
        return Err(KeyError::RsaSize(bits));
    }
    Ok(bits)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CryptoError {
    #[error("unsupported algorithm {0}")]
    Unsupported(String),
    #[error("signature backend: {0}")]
    Backend(String),
}

/// The one operation the core needs from a signature engine.
pub trait Crypto {
    /// `Ok(true)` if `signature` (raw `r ‖ s` for ECDSA) verifies over `message` (not hashed)
    /// under `key` with `alg`; `Ok(false)` if it does not; `Err` if the backend cannot tell
    /// (unsupported algorithm, engine failure). Callers check `key.accepts(alg)` first.
    fn verify(
        &self,
        key: &PublicKey,
        alg: SigAlg,
        message: &[u8],
        signature: &[u8],
    ) -> Result<bool, CryptoError>;
}

/// One signature check, as an async backend has to perform it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Request {
    pub key: PublicKey,
    pub alg: SigAlg,
    pub message: Vec<u8>,
    pub signature: Vec<u8>,
}

/// A backend answering from precomputed results and recording what it was not told (see the
/// module documentation for the round protocol).
#[derive(Debug, Default)]
pub struct Precomputed {
    answers: HashMap<Request, bool>,
    missing: RefCell<Vec<Request>>,
}

impl Precomputed {
    pub fn new() -> Precomputed {
        Precomputed::default()
    }

    pub fn answer(&mut self, request: Request, valid: bool) {
        self.answers.insert(request, valid);
    }

    /// The checks asked for but not answered since the last call; empty means the last
    /// verification run used only real answers and its result is final.
    pub fn take_missing(&self) -> Vec<Request> {
        let mut missing = self.missing.take();
        missing.dedup();
        missing
    }
}

impl Crypto for Precomputed {
    fn verify(
        &self,
        key: &PublicKey,
        alg: SigAlg,
        message: &[u8],
        signature: &[u8],
    ) -> Result<bool, CryptoError> {
        let request = Request {
            key: key.clone(),
            alg,
            message: message.to_vec(),
            signature: signature.to_vec(),
        };
        match self.answers.get(&request) {
            Some(&valid) => Ok(valid),
            None => {
                self.missing.borrow_mut().push(request);
                Ok(true)
            }
        }
    }
}
