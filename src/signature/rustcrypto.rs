//! The RustCrypto signature backend: p256 / p384 / p521 (ECDSA), rsa (PKCS#1 v1.5 and PSS)
//! and ed25519-dalek (strict verification), all on the app's sha2 0.11.
//!
//! Compiled natively always (tests and outside checks) and into wasm only with the
//! `rustcrypto` feature (the lazily loaded verifier's fallback where `crypto.subtle` is missing),
//! so the page's own wasm never carries it.

use p256::ecdsa::signature::hazmat::PrehashVerifier;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::{Pkcs1v15Sign, Pss};
use sha2::{Sha256, Sha384, Sha512};

use super::crypto::{Crypto, CryptoError, Curve, Hash, KeyKind, PublicKey, SigAlg};

/// The RustCrypto backend (stateless).
#[derive(Clone, Copy, Debug, Default)]
pub struct RustCrypto;

impl Crypto for RustCrypto {
    fn verify(
        &self,
        key: &PublicKey,
        alg: SigAlg,
        message: &[u8],
        signature: &[u8],
    ) -> Result<bool, CryptoError> {
        let bytes = key.key_bytes();
        let bad_key = |e: &dyn std::fmt::Display| CryptoError::Backend(format!("key: {e}"));
        match (key.kind(), alg) {
            (KeyKind::Ec(curve), SigAlg::Ecdsa(hash)) => {
                let prehash = hash.digest(message);
                // A wrongly sized signature is a failed check, not an engine error.
                Ok(match curve {
                    Curve::P256 => {
                        let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(bytes)
                            .map_err(|e| bad_key(&e))?;
                        p256::ecdsa::Signature::from_slice(signature)
                            .is_ok_and(|s| vk.verify_prehash(&prehash, &s).is_ok())
                    }
                    Curve::P384 => {
                        let vk = p384::ecdsa::VerifyingKey::from_sec1_bytes(bytes)
                            .map_err(|e| bad_key(&e))?;
                        p384::ecdsa::Signature::from_slice(signature)
                            .is_ok_and(|s| vk.verify_prehash(&prehash, &s).is_ok())
                    }
                    Curve::P521 => {
                        let vk = p521::ecdsa::VerifyingKey::from_sec1_bytes(bytes)
                            .map_err(|e| bad_key(&e))?;
                        p521::ecdsa::Signature::from_slice(signature)
                            .is_ok_and(|s| vk.verify_prehash(&prehash, &s).is_ok())
                    }
                })
            }
            (KeyKind::Rsa { .. }, SigAlg::RsaPkcs1(hash) | SigAlg::RsaPss(hash)) => {
                let pk = rsa::PublicKey::from_pkcs1_der(bytes).map_err(|e| bad_key(&e))?;
                let hashed = hash.digest(message);
                let result = match (alg, hash) {
                    (SigAlg::RsaPkcs1(_), Hash::Sha256) => {
                        pk.verify(Pkcs1v15Sign::new::<Sha256>(), &hashed, signature)
                    }
                    (SigAlg::RsaPkcs1(_), Hash::Sha384) => {
                        pk.verify(Pkcs1v15Sign::new::<Sha384>(), &hashed, signature)
                    }
                    (SigAlg::RsaPkcs1(_), Hash::Sha512) => {
                        pk.verify(Pkcs1v15Sign::new::<Sha512>(), &hashed, signature)
                    }
                    (_, Hash::Sha256) => pk.verify(Pss::<Sha256>::new(), &hashed, signature),
                    (_, Hash::Sha384) => pk.verify(Pss::<Sha384>::new(), &hashed, signature),
                    (_, Hash::Sha512) => pk.verify(Pss::<Sha512>::new(), &hashed, signature),
                };
                Ok(result.is_ok())
            }
            (KeyKind::Ed25519, SigAlg::Ed25519) => {
                let key_bytes: &[u8; 32] = bytes
                    .try_into()
                    .map_err(|_| CryptoError::Backend("Ed25519 key length".into()))?;
                let vk =
                    ed25519_dalek::VerifyingKey::from_bytes(key_bytes).map_err(|e| bad_key(&e))?;
                Ok(ed25519_dalek::Signature::from_slice(signature)
                    .is_ok_and(|s| vk.verify_strict(message, &s).is_ok()))
            }
            (kind, alg) => Err(CryptoError::Unsupported(format!(
                "{} with a {kind:?} key",
                alg.name()
            ))),
        }
    }
}
