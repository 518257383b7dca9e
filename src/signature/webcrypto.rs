//! The WebCrypto signature backend (W3C Web Cryptography API, `SubtleCrypto.importKey` §14.3.9
//! and `verify` §14.3.4), for the browser build only.
//!
//! The core is synchronous and WebCrypto is not, so this module drives the [`Precomputed`]
//! round protocol described in `crypto.rs`: run the verification with the answers known so
//! far, collect the signature checks it could not answer, compute them with
//! `crypto.subtle.verify`, and run again until a run asks for nothing new. Only that last run's
//! result is returned, so the optimistic `true` that [`Precomputed`] gives unknown checks never
//! reaches a verdict.
//!
//! What WebCrypto is handed is what the [`Crypto`] trait promises: the SPKI DER of the key
//! (`importKey('spki')`), the whole message (WebCrypto hashes it itself; never a prehash) and,
//! for ECDSA, the fixed-size `r ‖ s` signature WebCrypto's ECDSA verify expects.
//!
//! `crypto.subtle` is looked up on the global object, so the same code works in a window and in
//! a worker. Where it is missing (a page not served over https or from localhost) every entry
//! point answers "not verifiable here", never a verdict.

use std::collections::HashMap;

use js_sys::{Array, Object, Reflect, Uint8Array};
use thiserror::Error;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

use super::crypto::{Crypto, Hash, KeyKind, Precomputed, Request, SigAlg};
use super::notation::{notation_jws, Target};
use super::report::{cosign_manifest, not_verifiable, sigstore_bundle, Format, Options, Report};
use super::x509::Certificate;
use super::{verify_bundle_with, Artifact, SignatureError, SignatureRow, Trust, Verified};
use crate::oci::Digest;

/// Rounds before giving up. Every round answers at least the first check the run could not
/// answer, and the conformance suite settles in at most 2 rounds (`precomputed_rounds_match_rustcrypto`).
pub const MAX_ROUNDS: usize = 16;

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum WebCryptoError {
    #[error(
        "not verifiable here: this page has no WebCrypto (crypto.subtle is only available on \
         https or localhost pages)"
    )]
    Unavailable,
    #[error("not verifiable here: the browser's WebCrypto could not check {what}: {message}")]
    Engine { what: String, message: String },
    #[error("not verifiable here: the verification did not settle after {MAX_ROUNDS} rounds")]
    Unsettled,
}

/// Runs `run` with a backend that WebCrypto answers, as many rounds as it takes (at most
/// [`MAX_ROUNDS`]); the result of the one run whose every signature check had a real answer.
///
/// `run` is any of the core's entry points (`verify_bundle_with`, `cosign_manifest`,
/// `sigstore_bundle`, `notation_jws`) given the backend it receives.
pub async fn with_webcrypto<T>(mut run: impl FnMut(&dyn Crypto) -> T) -> Result<T, WebCryptoError> {
    let subtle = subtle()?;
    let mut backend = Precomputed::new();
    // Checks WebCrypto refused; final only once the run reaches one with every check before it
    // really answered (a refusal further down an already failing path must not mask the
    // core's own verdict).
    let mut refused: HashMap<Request, String> = HashMap::new();
    for _ in 0..MAX_ROUNDS {
        let result = run(&backend);
        let missing = backend.take_missing();
        let Some(first) = missing.first() else {
            return Ok(result);
        };
        if let Some(message) = refused.get(first) {
            return Err(WebCryptoError::Engine {
                what: first.alg.name(),
                message: message.clone(),
            });
        }
        let fresh: Vec<Request> = missing
            .into_iter()
            .filter(|r| !refused.contains_key(r))
            .collect();
        for (request, answer) in fresh.iter().zip(verify_all(&subtle, &fresh).await) {
            match answer {
                Ok(valid) => backend.answer(request.clone(), valid),
                Err(message) => {
                    refused.insert(request.clone(), message);
                }
            }
        }
    }
    Err(WebCryptoError::Unsettled)
}

/// [`super::verify_bundle`] with WebCrypto doing the signature math.
pub async fn verify_bundle_webcrypto(
    bundle: &[u8],
    artifact: &[u8],
    trusted_root: &[u8],
    trust: &Trust,
) -> Result<Verified, SignatureError> {
    with_webcrypto(|crypto| {
        verify_bundle_with(
            bundle,
            &Artifact::Bytes(artifact),
            trusted_root,
            trust,
            crypto,
        )
    })
    .await
    .unwrap_or_else(|e| {
        Err(SignatureError::NotVerifiable {
            reason: e.to_string(),
            checks: Vec::new(),
        })
    })
}

/// [`sigstore_bundle`] with WebCrypto.
pub async fn sigstore_bundle_webcrypto(
    bundle: &[u8],
    image: &Digest,
    manifest: Option<&[u8]>,
    options: &Options<'_>,
) -> SignatureRow {
    with_webcrypto(|crypto| sigstore_bundle(bundle, image, manifest, options, crypto))
        .await
        .unwrap_or_else(|e| not_verifiable_here(Format::SigstoreBundle, &e))
}

/// [`cosign_manifest`] with WebCrypto. If WebCrypto cannot answer, one row says so.
pub async fn cosign_manifest_webcrypto(
    manifest: &[u8],
    layers: &[Option<&[u8]>],
    image: &Digest,
    options: &Options<'_>,
) -> Report {
    with_webcrypto(|crypto| cosign_manifest(manifest, layers, image, options, crypto))
        .await
        .unwrap_or_else(|e| Report {
            rows: vec![not_verifiable_here(Format::CosignSignature, &e)],
        })
}

/// [`notation_jws`] with WebCrypto.
pub async fn notation_jws_webcrypto(
    envelope: &[u8],
    target: &Target<'_>,
    roots: &[Certificate],
) -> SignatureRow {
    with_webcrypto(|crypto| notation_jws(envelope, target, roots, crypto))
        .await
        .unwrap_or_else(|e| not_verifiable_here(Format::Notation, &e))
}

fn not_verifiable_here(format: Format, error: &WebCryptoError) -> SignatureRow {
    not_verifiable(format, error.to_string())
}

/// `globalThis.crypto.subtle` (a `Window` or a `WorkerGlobalScope` alike).
fn subtle() -> Result<SubtleCrypto, WebCryptoError> {
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))
        .ok()
        .filter(JsValue::is_object)
        .ok_or(WebCryptoError::Unavailable)?;
    Reflect::get(&crypto, &JsValue::from_str("subtle"))
        .ok()
        .and_then(|s| s.dyn_into::<SubtleCrypto>().ok())
        .ok_or(WebCryptoError::Unavailable)
}

/// Verifies every request, all started at once (imports, then verifications); each answer is
/// `Err` with the engine's message where WebCrypto refused (unsupported key, malformed key).
async fn verify_all(subtle: &SubtleCrypto, requests: &[Request]) -> Vec<Result<bool, String>> {
    let imports: Vec<Result<JsFuture, String>> =
        requests.iter().map(|r| import_key(subtle, r)).collect();
    let mut keys = Vec::with_capacity(requests.len());
    for import in imports {
        keys.push(match import {
            Ok(promise) => promise
                .await
                .map_err(|e| js_message(&e))
                .and_then(|k| k.dyn_into::<CryptoKey>().map_err(|e| js_message(&e))),
            Err(message) => Err(message),
        });
    }
    let checks: Vec<Result<JsFuture, String>> = requests
        .iter()
        .zip(keys)
        .map(|(request, key)| {
            let key = key?;
            subtle
                .verify_with_object_and_u8_array_and_u8_array(
                    &verify_params(request.alg),
                    &key,
                    &request.signature,
                    &request.message,
                )
                .map(JsFuture::from)
                .map_err(|e| js_message(&e))
        })
        .collect();
    let mut answers = Vec::with_capacity(requests.len());
    for check in checks {
        answers.push(match check {
            Ok(promise) => promise.await.map_err(|e| js_message(&e)).and_then(|v| {
                v.as_bool()
                    .ok_or_else(|| "verify did not answer a boolean".to_string())
            }),
            Err(message) => Err(message),
        });
    }
    answers
}

fn import_key(subtle: &SubtleCrypto, request: &Request) -> Result<JsFuture, String> {
    let params = import_params(request.key.kind(), request.alg)?;
    let spki = Uint8Array::from(request.key.spki());
    let usages = Array::of1(&JsValue::from_str("verify"));
    subtle
        .import_key_with_object("spki", &spki, &params, false, &usages)
        .map(JsFuture::from)
        .map_err(|e| js_message(&e))
}

/// The `importKey` algorithm: the key type, and for RSA the hash the key is bound to.
fn import_params(kind: KeyKind, alg: SigAlg) -> Result<Object, String> {
    match (kind, alg) {
        (KeyKind::Ec(curve), SigAlg::Ecdsa(_)) => Ok(object(&[
            ("name", "ECDSA".into()),
            // WebCrypto's NamedCurve strings are the core's curve names ("P-256", …).
            ("namedCurve", curve.name().into()),
        ])),
        (KeyKind::Rsa { .. }, SigAlg::RsaPkcs1(hash)) => Ok(object(&[
            ("name", "RSASSA-PKCS1-v1_5".into()),
            ("hash", hash.name().into()),
        ])),
        (KeyKind::Rsa { .. }, SigAlg::RsaPss(hash)) => Ok(object(&[
            ("name", "RSA-PSS".into()),
            ("hash", hash.name().into()),
        ])),
        (KeyKind::Ed25519, SigAlg::Ed25519) => Ok(object(&[("name", "Ed25519".into())])),
        (kind, alg) => Err(format!("{} with a {kind:?} key", alg.name())),
    }
}

/// The `verify` algorithm: ECDSA names its hash here; RSA-PSS its salt (as long as the hash).
fn verify_params(alg: SigAlg) -> Object {
    match alg {
        SigAlg::Ecdsa(hash) => object(&[("name", "ECDSA".into()), ("hash", hash.name().into())]),
        SigAlg::RsaPkcs1(_) => object(&[("name", "RSASSA-PKCS1-v1_5".into())]),
        SigAlg::RsaPss(hash) => object(&[
            ("name", "RSA-PSS".into()),
            ("saltLength", JsValue::from(hash_len(hash))),
        ]),
        SigAlg::Ed25519 => object(&[("name", "Ed25519".into())]),
    }
}

fn hash_len(hash: Hash) -> u32 {
    match hash {
        Hash::Sha256 => 32,
        Hash::Sha384 => 48,
        Hash::Sha512 => 64,
    }
}

fn object(fields: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    for (key, value) in fields {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object
}

fn js_message(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| format!("{}: {}", String::from(e.name()), String::from(e.message())))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| format!("{error:?}"))
}
