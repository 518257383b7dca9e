//! Test-only signers: fresh keys (deterministic seeds, so failures reproduce), SPKI / PEM
//! encodings written from the specs (not by the code under test), and a tiny X.509 builder
//! for certificate chains.

pub mod keyless;
pub mod notation;

use manifest_explorer::signature::der::{self, encode};
use manifest_explorer::signature::pem;
use p256::ecdsa::signature::hazmat::PrehashSigner;
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::rand_core::{TryCryptoRng, TryRng};
use sha2::{Digest as _, Sha256, Sha384, Sha512};

const OID_EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
const OID_ECDSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
const OID_ECDSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];

/// A deterministic RNG (SHA-256 in counter mode) for RSA key generation and PSS salts.
pub struct TestRng {
    seed: [u8; 32],
    counter: u64,
}

impl TestRng {
    pub fn new(seed: &str) -> TestRng {
        TestRng {
            seed: Sha256::digest(seed.as_bytes()).into(),
            counter: 0,
        }
    }
}

impl TryRng for TestRng {
    type Error = std::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(32) {
            let mut h = Sha256::new();
            h.update(self.seed);
            h.update(self.counter.to_le_bytes());
            self.counter += 1;
            let block = h.finalize();
            chunk.copy_from_slice(&block[..chunk.len()]);
        }
        Ok(())
    }
}

impl TryCryptoRng for TestRng {}

pub enum TestKey {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    Rsa(Box<rsa::PrivateKey>),
    Ed25519(ed25519_dalek::SigningKey),
}

fn seed32(seed: &str) -> [u8; 32] {
    Sha256::digest(seed.as_bytes()).into()
}

impl TestKey {
    pub fn p256(seed: &str) -> TestKey {
        TestKey::P256(p256::ecdsa::SigningKey::from_slice(&seed32(seed)).unwrap())
    }
    pub fn p384(seed: &str) -> TestKey {
        let bytes: [u8; 48] = Sha384::digest(seed.as_bytes()).into();
        TestKey::P384(p384::ecdsa::SigningKey::from_slice(&bytes).unwrap())
    }
    pub fn rsa(seed: &str, bits: usize) -> TestKey {
        TestKey::Rsa(Box::new(
            rsa::PrivateKey::new(&mut TestRng::new(seed), bits).unwrap(),
        ))
    }
    pub fn ed25519(seed: &str) -> TestKey {
        TestKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed32(seed)))
    }

    pub fn name(&self) -> &'static str {
        match self {
            TestKey::P256(_) => "ECDSA P-256",
            TestKey::P384(_) => "ECDSA P-384",
            TestKey::Rsa(_) => "RSA",
            TestKey::Ed25519(_) => "Ed25519",
        }
    }

    /// SubjectPublicKeyInfo DER, written out per RFC 5480 / RFC 3279 / RFC 8410.
    pub fn spki(&self) -> Vec<u8> {
        let (alg, key) = match self {
            TestKey::P256(k) => (
                [encode(der::OID, OID_EC), encode(der::OID, OID_P256)].concat(),
                k.verifying_key().to_sec1_point(false).as_bytes().to_vec(),
            ),
            TestKey::P384(k) => (
                [encode(der::OID, OID_EC), encode(der::OID, OID_P384)].concat(),
                k.verifying_key().to_sec1_point(false).as_bytes().to_vec(),
            ),
            TestKey::Rsa(k) => (
                [encode(der::OID, OID_RSA), vec![0x05, 0x00]].concat(),
                k.to_public_key()
                    .to_pkcs1_der()
                    .unwrap()
                    .as_bytes()
                    .to_vec(),
            ),
            TestKey::Ed25519(k) => (
                encode(der::OID, OID_ED25519),
                k.verifying_key().to_bytes().to_vec(),
            ),
        };
        encode(
            der::SEQUENCE,
            &[
                encode(der::SEQUENCE, &alg),
                encode(der::BIT_STRING, &[&[0u8][..], &key].concat()),
            ]
            .concat(),
        )
    }

    pub fn pem(&self) -> String {
        pem::encode("PUBLIC KEY", &self.spki())
    }

    /// A signature as cosign stores it: ECDSA (curve-matching hash) in DER, RSA PKCS#1 v1.5
    /// with SHA-256, Ed25519 raw.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            TestKey::P256(k) => {
                let s: p256::ecdsa::Signature = k.sign_prehash(&Sha256::digest(message)).unwrap();
                s.to_der().as_bytes().to_vec()
            }
            TestKey::P384(k) => {
                let s: p384::ecdsa::Signature = k.sign_prehash(&Sha384::digest(message)).unwrap();
                s.to_der().as_bytes().to_vec()
            }
            TestKey::Rsa(k) => k
                .sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(message))
                .unwrap(),
            TestKey::Ed25519(k) => {
                use ed25519_dalek::Signer as _;
                k.sign(message).to_bytes().to_vec()
            }
        }
    }

    /// A JWS signature (RFC 7518): ES256/ES384 as raw r ‖ s, PS256/PS384/PS512 (salt = hash length).
    pub fn sign_jws(&self, message: &[u8], rng: &mut TestRng) -> (String, Vec<u8>) {
        match self {
            TestKey::P256(k) => {
                let s: p256::ecdsa::Signature = k.sign_prehash(&Sha256::digest(message)).unwrap();
                ("ES256".into(), s.to_bytes().to_vec())
            }
            TestKey::P384(k) => {
                let s: p384::ecdsa::Signature = k.sign_prehash(&Sha384::digest(message)).unwrap();
                ("ES384".into(), s.to_bytes().to_vec())
            }
            TestKey::Rsa(k) => {
                use rsa::traits::PublicKeyParts as _;
                match k.size() * 8 {
                    3072 => (
                        "PS384".into(),
                        k.sign_with_rng(rng, rsa::Pss::<Sha384>::new(), &Sha384::digest(message))
                            .unwrap(),
                    ),
                    4096 => (
                        "PS512".into(),
                        k.sign_with_rng(rng, rsa::Pss::<Sha512>::new(), &Sha512::digest(message))
                            .unwrap(),
                    ),
                    _ => (
                        "PS256".into(),
                        k.sign_with_rng(rng, rsa::Pss::<Sha256>::new(), &Sha256::digest(message))
                            .unwrap(),
                    ),
                }
            }
            TestKey::Ed25519(_) => panic!("Notation has no Ed25519"),
        }
    }

    /// `(AlgorithmIdentifier DER, signature)` for signing a certificate with this key.
    fn sign_x509(&self, tbs: &[u8]) -> (Vec<u8>, Vec<u8>) {
        match self {
            TestKey::P256(_) => (
                encode(der::SEQUENCE, &encode(der::OID, OID_ECDSA_SHA256)),
                self.sign(tbs),
            ),
            TestKey::P384(_) => (
                encode(der::SEQUENCE, &encode(der::OID, OID_ECDSA_SHA384)),
                self.sign(tbs),
            ),
            _ => panic!("test CAs are ECDSA"),
        }
    }
}

/// What goes into a test certificate.
pub struct CertSpec<'a> {
    pub subject: &'a str,
    pub issuer: &'a str,
    pub serial: u8,
    pub spki: Vec<u8>,
    /// UTCTime strings, `YYMMDDHHMMSSZ`.
    pub not_before: &'a str,
    pub not_after: &'a str,
    pub ca: bool,
    /// Extra extension TLVs (already DER).
    pub extensions: Vec<Vec<u8>>,
}

fn name(cn: &str) -> Vec<u8> {
    let atv = encode(
        der::SEQUENCE,
        &[
            encode(der::OID, &[0x55, 0x04, 0x03]),
            encode(der::UTF8_STRING, cn.as_bytes()),
        ]
        .concat(),
    );
    encode(der::SEQUENCE, &encode(der::SET, &atv))
}

pub fn extension(oid: &[u8], critical: bool, value: &[u8]) -> Vec<u8> {
    let mut body = encode(der::OID, oid);
    if critical {
        body.extend(encode(der::BOOLEAN, &[0xff]));
    }
    body.extend(encode(der::OCTET_STRING, value));
    encode(der::SEQUENCE, &body)
}

/// The TBSCertificate DER for `spec`, to be signed by `issuer_key` (RFC 5280 §4.1).
pub fn tbs(spec: &CertSpec<'_>, issuer_key: &TestKey) -> Vec<u8> {
    let mut exts = spec.extensions.clone();
    if spec.ca {
        exts.push(extension(
            &[0x55, 0x1d, 0x13],
            true,
            &encode(der::SEQUENCE, &encode(der::BOOLEAN, &[0xff])),
        ));
        // keyCertSign | cRLSign
        exts.push(extension(
            &[0x55, 0x1d, 0x0f],
            true,
            &[0x03, 0x02, 0x01, 0x06],
        ));
    } else {
        // digitalSignature; extKeyUsage codeSigning
        exts.push(extension(
            &[0x55, 0x1d, 0x0f],
            true,
            &[0x03, 0x02, 0x07, 0x80],
        ));
        exts.push(extension(
            &[0x55, 0x1d, 0x25],
            false,
            &encode(
                der::SEQUENCE,
                &encode(der::OID, &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03]),
            ),
        ));
    }
    let (alg, _) = issuer_key.sign_x509(b"");
    let validity = encode(
        der::SEQUENCE,
        &[
            encode(der::UTC_TIME, spec.not_before.as_bytes()),
            encode(der::UTC_TIME, spec.not_after.as_bytes()),
        ]
        .concat(),
    );
    encode(
        der::SEQUENCE,
        &[
            encode(der::context(0), &encode(der::INTEGER, &[2])),
            encode(der::INTEGER, &[spec.serial]),
            alg,
            name(spec.issuer),
            validity,
            name(spec.subject),
            spec.spki.clone(),
            encode(der::context(3), &encode(der::SEQUENCE, &exts.concat())),
        ]
        .concat(),
    )
}

/// A DER certificate: `tbs` signed by `issuer_key`.
pub fn sign_tbs(tbs: Vec<u8>, issuer_key: &TestKey) -> Vec<u8> {
    let (alg, sig) = issuer_key.sign_x509(&tbs);
    encode(
        der::SEQUENCE,
        &[
            tbs,
            alg,
            encode(der::BIT_STRING, &[&[0u8][..], &sig].concat()),
        ]
        .concat(),
    )
}

/// A DER certificate signed by `issuer_key`.
pub fn der_cert(spec: &CertSpec<'_>, issuer_key: &TestKey) -> Vec<u8> {
    sign_tbs(tbs(spec, issuer_key), issuer_key)
}
