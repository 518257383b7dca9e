//! The WebCrypto signature backend in a real browser (headless Chromium via
//! wasm-bindgen-test-runner): `cargo test --target wasm32-unknown-unknown --test browser_signature`.
//!
//! The sigstore-conformance cases are the same table, judged by the same rules, as the native
//! RustCrypto run in `tests/signature.rs`; cosign signatures and attestations are made here
//! with keys WebCrypto generates (P-256, P-384, P-521, RSA 2048, Ed25519), because the wasm
//! build links no RustCrypto signer.
#![cfg(target_arch = "wasm32")]

#[path = "signature_support/conformance.rs"]
mod conformance;
#[path = "signature_support/layers.rs"]
mod layers;

use js_sys::{Array, Object, Reflect, Uint8Array};
use manifest_explorer::oci::{base64, Digest};
use manifest_explorer::signature::notation::Target;
use manifest_explorer::signature::report::{
    Options, Report, Verdict, ANNOTATION_SIGNATURE, DSSE_ENVELOPE, SIMPLE_SIGNING,
};
use manifest_explorer::signature::webcrypto::{
    cosign_manifest_webcrypto, notation_jws_webcrypto, sigstore_bundle_webcrypto,
};
use manifest_explorer::signature::x509::Certificate;
use manifest_explorer::signature::{
    parse_public_key_pem, verify_bundle_webcrypto, wording, SignatureError, Trust, TrustedRoot,
    WebCryptoError,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{CryptoKey, SubtleCrypto};

use conformance::{cases, DEFAULT_IDENTITY, DEFAULT_ISSUER};
use layers::{envelope, manifest, pae, simple_signing, statement, Layer};

wasm_bindgen_test_configure!(run_in_browser);

const PUBLIC_GOOD: &[u8] = include_bytes!("fixtures/signature/trusted_root.json");
const A_TXT: &[u8] = include_bytes!("fixtures/signature/bundle-verify/a.txt");
const HAPPY_V03: &[u8] =
    include_bytes!("fixtures/signature/bundle-verify/happy-path-v0.3/bundle.sigstore.json");

fn default_identity() -> Trust {
    Trust::Identity {
        identity: DEFAULT_IDENTITY.into(),
        issuer: DEFAULT_ISSUER.into(),
    }
}

#[wasm_bindgen_test]
async fn conformance_cases_give_the_native_verdicts() {
    let cases = cases();
    assert_eq!(cases.len(), 70);
    let mut results = Vec::new();
    for case in &cases {
        let result =
            verify_bundle_webcrypto(case.bundle, case.artifact, case.root, &case.trust).await;
        // A rejection must be the core's verdict, never WebCrypto failing to answer.
        if let Err(e) = &result {
            assert!(
                !e.to_string().contains("not verifiable here"),
                "{}: {e}",
                case.name
            );
        }
        results.push((case, result));
    }
    let tally = conformance::judge(results);
    for line in &tally.log {
        console_log!("{line}");
    }
    assert!(tally.wrong.is_empty(), "{}", tally.wrong.join("\n"));
    assert_eq!(
        (tally.accepted, tally.rejected, tally.skipped),
        conformance::EXPECTED_TALLY
    );
}

/// Flips one bit of a base64 field of a bundle (found by its JSON pointer).
fn flip_base64_field(bundle: &[u8], pointer: &str) -> Vec<u8> {
    let mut doc: serde_json::Value = serde_json::from_slice(bundle).unwrap();
    let field = doc.pointer_mut(pointer).unwrap();
    let mut bytes = base64::decode(field.as_str().unwrap()).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    *field = serde_json::Value::String(base64::encode(&bytes));
    serde_json::to_vec(&doc).unwrap()
}

/// Flipped bytes that only a signature check can catch are caught through WebCrypto.
#[wasm_bindgen_test]
async fn flipped_signature_bytes_are_rejected() {
    let trust = default_identity();
    assert!(
        verify_bundle_webcrypto(HAPPY_V03, A_TXT, PUBLIC_GOOD, &trust)
            .await
            .is_ok()
    );
    // The log's signed entry timestamp (ECDSA P-256 by the Rekor key).
    let set = flip_base64_field(
        HAPPY_V03,
        "/verificationMaterial/tlogEntries/0/inclusionPromise/signedEntryTimestamp",
    );
    match verify_bundle_webcrypto(&set, A_TXT, PUBLIC_GOOD, &trust).await {
        Err(SignatureError::Invalid { reason, .. }) => {
            assert!(reason.contains(wording::SET_INVALID), "{reason}")
        }
        other => panic!("expected invalid, got {other:?}"),
    }
    // The certificate's signature (ECDSA P-384 by the Fulcio intermediate).
    let mut doc: serde_json::Value = serde_json::from_slice(HAPPY_V03).unwrap();
    let cert = doc
        .pointer_mut("/verificationMaterial/certificate/rawBytes")
        .unwrap();
    let mut der = base64::decode(cert.as_str().unwrap()).unwrap();
    let last = der.len() - 2;
    der[last] ^= 0x01; // inside the signature's last INTEGER
    *cert = serde_json::Value::String(base64::encode(&der));
    let bundle = serde_json::to_vec(&doc).unwrap();
    assert!(matches!(
        verify_bundle_webcrypto(&bundle, A_TXT, PUBLIC_GOOD, &trust).await,
        Err(SignatureError::Invalid { .. })
    ));
}

/// One keyless bundle, timed (WebCrypto does the signatures, the core does the rest).
#[wasm_bindgen_test]
async fn keyless_bundle_timing() {
    let trust = default_identity();
    let runs = 20;
    verify_bundle_webcrypto(HAPPY_V03, A_TXT, PUBLIC_GOOD, &trust)
        .await
        .unwrap();
    let start = js_sys::Date::now();
    for _ in 0..runs {
        let v = verify_bundle_webcrypto(HAPPY_V03, A_TXT, PUBLIC_GOOD, &trust)
            .await
            .unwrap();
        assert_eq!(v.log_index, Some(79571823));
    }
    let ms = (js_sys::Date::now() - start) / f64::from(runs);
    console_log!("keyless bundle verification through WebCrypto: {ms:.1} ms");
}

/// Without `crypto.subtle` (a plain http page) the answer is "not verifiable here".
#[wasm_bindgen_test]
async fn without_webcrypto_nothing_is_claimed() {
    let global = js_sys::global();
    let name = JsValue::from_str("crypto");
    // On a global object WebIDL attributes are own properties: keep the original to put back.
    let original = Reflect::get_own_property_descriptor(&global, &name).unwrap();
    let hidden = object(&[("value", JsValue::UNDEFINED), ("configurable", true.into())]);
    assert!(Reflect::define_property(&global, &name, &hidden).unwrap());
    let result = verify_bundle_webcrypto(HAPPY_V03, A_TXT, PUBLIC_GOOD, &default_identity()).await;
    if original.is_undefined() {
        Reflect::delete_property(&global, &name).unwrap();
    } else {
        Reflect::define_property(&global, &name, original.unchecked_ref()).unwrap();
    }
    assert!(Reflect::get(&global, &name).unwrap().is_object());
    match result {
        Err(SignatureError::NotVerifiable { reason, .. }) => {
            assert_eq!(reason, WebCryptoError::Unavailable.to_string())
        }
        other => panic!("expected not verifiable, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn notation_jws_rsa_pss() {
    let envelope = include_bytes!("fixtures/signature/notation/jws_signature.sig");
    let manifest = include_bytes!("fixtures/signature/notation/manifest.json");
    let digest = Digest::sha256(manifest);
    let doc: serde_json::Value = serde_json::from_slice(envelope).unwrap();
    let cert =
        Certificate::from_der(&base64::decode(doc["header"]["x5c"][0].as_str().unwrap()).unwrap())
            .unwrap();
    let target = Target {
        digest: &digest,
        media_type: Some("application/vnd.oci.image.manifest.v1+json"),
        size: Some(manifest.len() as u64),
    };
    let roots = std::slice::from_ref(&cert);
    let row = notation_jws_webcrypto(envelope, &target, roots).await;
    assert!(
        matches!(&row.verdict, Verdict::Valid(s) if s.contains("CN=alpine")),
        "{:?} {:?}",
        row.verdict,
        row.checks
    );
    // One flipped bit of the (base64url) JWS signature.
    let mut tampered = doc.clone();
    let sig = tampered["signature"].as_str().unwrap().to_string();
    let mut chars: Vec<char> = sig.chars().collect();
    let at = chars.len() / 2;
    chars[at] = if chars[at] == 'A' { 'B' } else { 'A' };
    tampered["signature"] = serde_json::Value::String(chars.into_iter().collect());
    let row = notation_jws_webcrypto(&serde_json::to_vec(&tampered).unwrap(), &target, roots).await;
    assert_eq!(
        row.verdict,
        Verdict::Invalid(wording::SIGNATURE_MISMATCH.into())
    );
}

#[wasm_bindgen_test]
async fn cosign_oci_attestation_bundle() {
    let bundle = include_bytes!("fixtures/signature/cosign/oci-attestation.sigstore.json");
    let root = TrustedRoot::parse(include_bytes!(
        "fixtures/signature/cosign/trusted_root_pgi.json"
    ))
    .unwrap();
    let image: Digest = "sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4"
        .parse()
        .unwrap();
    let options = Options {
        key: None,
        identity: None,
        root: &root,
        root_date: "2026-07-24",
    };
    let row = sigstore_bundle_webcrypto(bundle, &image, None, &options).await;
    assert!(
        matches!(&row.verdict, Verdict::Valid(s) if s.starts_with("Signed by ")),
        "{:?}",
        row.verdict
    );
    assert_eq!(
        row.notes,
        vec![wording::ANYONE_CAN_GET_A_CERTIFICATE.to_string()]
    );
    let other = Digest::sha256(b"some other image");
    let row = sigstore_bundle_webcrypto(bundle, &other, None, &options).await;
    assert_eq!(
        row.verdict,
        Verdict::Invalid(wording::wrong_subject(&image.to_string(), &other))
    );
}

// ---------------------------------------------------------------------------------------
// cosign legacy signatures and attestations, signed here by WebCrypto-generated keys.

fn object(fields: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in fields {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o
}

fn subtle() -> SubtleCrypto {
    let crypto = Reflect::get(&js_sys::global(), &"crypto".into()).unwrap();
    Reflect::get(&crypto, &"subtle".into())
        .unwrap()
        .unchecked_into()
}

struct BrowserKey {
    name: &'static str,
    private: CryptoKey,
    spki: Vec<u8>,
    sign_params: Object,
    /// ECDSA: the width of `r` and `s` (WebCrypto signs `r ‖ s`, cosign stores DER).
    ecdsa_field: Option<usize>,
}

async fn generate(name: &'static str) -> BrowserKey {
    let ec = |curve: &str| object(&[("name", "ECDSA".into()), ("namedCurve", curve.into())]);
    let ecdsa = |hash: &str| object(&[("name", "ECDSA".into()), ("hash", hash.into())]);
    let (gen, sign_params, ecdsa_field) = match name {
        "P-256" => (ec("P-256"), ecdsa("SHA-256"), Some(32)),
        "P-384" => (ec("P-384"), ecdsa("SHA-384"), Some(48)),
        "P-521" => (ec("P-521"), ecdsa("SHA-512"), Some(66)),
        "RSA 2048" => (
            object(&[
                ("name", "RSASSA-PKCS1-v1_5".into()),
                ("modulusLength", 2048.into()),
                ("publicExponent", Uint8Array::from(&[1u8, 0, 1][..]).into()),
                ("hash", "SHA-256".into()),
            ]),
            object(&[("name", "RSASSA-PKCS1-v1_5".into())]),
            None,
        ),
        "Ed25519" => (
            object(&[("name", "Ed25519".into())]),
            object(&[("name", "Ed25519".into())]),
            None,
        ),
        other => panic!("no such test key {other}"),
    };
    let usages = Array::of2(&"sign".into(), &"verify".into());
    let subtle = subtle();
    let pair = JsFuture::from(
        subtle
            .generate_key_with_object(&gen, true, &usages)
            .unwrap(),
    )
    .await
    .unwrap();
    let public: CryptoKey = Reflect::get(&pair, &"publicKey".into())
        .unwrap()
        .unchecked_into();
    let private: CryptoKey = Reflect::get(&pair, &"privateKey".into())
        .unwrap()
        .unchecked_into();
    let spki = JsFuture::from(subtle.export_key("spki", &public).unwrap())
        .await
        .unwrap();
    BrowserKey {
        name,
        private,
        spki: Uint8Array::new(&spki).to_vec(),
        sign_params,
        ecdsa_field,
    }
}

/// A DER INTEGER for an unsigned big-endian number (X.690 §8.3: minimal, positive).
fn der_integer(bytes: &[u8]) -> Vec<u8> {
    let start = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len() - 1);
    let mut value = bytes[start..].to_vec();
    if value[0] & 0x80 != 0 {
        value.insert(0, 0);
    }
    [vec![0x02, value.len() as u8], value].concat()
}

impl BrowserKey {
    /// Signs as cosign stores signatures (ECDSA as a DER `SEQUENCE { r, s }`).
    async fn sign(&self, message: &[u8]) -> Vec<u8> {
        let promise = subtle()
            .sign_with_object_and_u8_array(&self.sign_params, &self.private, message)
            .unwrap();
        let raw = Uint8Array::new(&JsFuture::from(promise).await.unwrap()).to_vec();
        match self.ecdsa_field {
            None => raw,
            Some(n) => {
                let body = [der_integer(&raw[..n]), der_integer(&raw[n..])].concat();
                let len = if body.len() < 0x80 {
                    vec![body.len() as u8]
                } else {
                    vec![0x81, body.len() as u8]
                };
                [vec![0x30], len, body].concat()
            }
        }
    }

    fn pem(&self) -> String {
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            base64::encode(&self.spki)
        )
    }
}

fn image(n: u32) -> Digest {
    Digest::sha256(format!("image manifest {n}").as_bytes())
}

async fn cosign_report(layer: &Layer, image: &Digest, key: Option<&BrowserKey>) -> Report {
    let root = TrustedRoot::parse(PUBLIC_GOOD).unwrap();
    let key = key.map(|k| parse_public_key_pem(&k.pem()).unwrap());
    let options = Options {
        key: key.as_ref(),
        identity: None,
        root: &root,
        root_date: "2026-08-21",
    };
    let blobs = [Some(layer.payload.as_slice())];
    cosign_manifest_webcrypto(
        &manifest(std::slice::from_ref(layer)),
        &blobs,
        image,
        &options,
    )
    .await
}

async fn verdict(layer: &Layer, image: &Digest, key: Option<&BrowserKey>) -> Verdict {
    let report = cosign_report(layer, image, key).await;
    assert_eq!(report.rows.len(), 1);
    report.rows[0].verdict.clone()
}

#[wasm_bindgen_test]
async fn cosign_signatures_and_attestations_with_browser_keys() {
    let img = image(1);
    let other_key = generate("P-256").await;
    for name in ["P-256", "P-384", "P-521", "RSA 2048", "Ed25519"] {
        let key = generate(name).await;
        let public = parse_public_key_pem(&key.pem()).unwrap();
        let valid = Verdict::Valid(wording::valid_for_key(
            &public.fingerprint(),
            &public.description(),
            &img,
        ));

        // cosign legacy `.sig`: a simple-signing payload, signature in an annotation.
        let payload = simple_signing(&img.to_string());
        let signature = key.sign(&payload).await;
        let layer = |signature: &[u8], payload: &[u8]| Layer {
            media_type: SIMPLE_SIGNING.into(),
            payload: payload.to_vec(),
            digest: None,
            annotations: vec![(ANNOTATION_SIGNATURE.into(), base64::encode(signature))],
        };
        let good = layer(&signature, &payload);
        assert_eq!(
            verdict(&good, &img, Some(&key)).await,
            valid,
            "{}",
            key.name
        );
        assert_eq!(
            verdict(&good, &img, None).await,
            Verdict::NotVerifiable(wording::NEEDS_KEY.into())
        );
        let mut flipped = signature.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x01;
        let mismatch = Verdict::Invalid(wording::SIGNATURE_MISMATCH.into());
        assert_eq!(
            verdict(&layer(&flipped, &payload), &img, Some(&key)).await,
            mismatch,
            "{} flipped signature byte",
            key.name
        );
        let mut payload_flipped = payload.clone();
        payload_flipped[payload.len() - 3] ^= 0x20; // inside `"optional": null`
        assert!(
            matches!(
                verdict(&layer(&signature, &payload_flipped), &img, Some(&key)).await,
                Verdict::Invalid(_)
            ),
            "{} payload byte",
            key.name
        );
        assert!(matches!(
            verdict(&good, &image(2), Some(&key)).await,
            Verdict::Invalid(_)
        ));
        assert!(
            matches!(
                verdict(&good, &img, Some(&other_key)).await,
                Verdict::Invalid(_)
            ),
            "{} other key",
            key.name
        );

        // cosign `.att`: a DSSE envelope over an in-toto statement, signed over PAE.
        let st = statement(&img);
        let pae_bytes = pae("application/vnd.in-toto+json", &st);
        let sig = key.sign(&pae_bytes).await;
        let att = |sig: Vec<u8>| Layer {
            media_type: DSSE_ENVELOPE.into(),
            payload: envelope("application/vnd.in-toto+json", &st, &[sig]),
            digest: None,
            annotations: Vec::new(),
        };
        assert_eq!(verdict(&att(sig.clone()), &img, Some(&key)).await, valid);
        let mut flipped = sig.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x01;
        assert_eq!(
            verdict(&att(flipped), &img, Some(&key)).await,
            mismatch,
            "{} attestation",
            key.name
        );
        // Signed over the bare payload instead of PAE.
        let bare = key.sign(&st).await;
        assert_eq!(verdict(&att(bare), &img, Some(&key)).await, mismatch);
    }
}

/// A key WebCrypto refuses (a P-256 point off the curve, which only the import can tell) is
/// "not verifiable here", as RustCrypto's refusal is natively; but a refusal behind a check
/// that already failed does not hide that failure.
#[wasm_bindgen_test]
async fn engine_refusals_are_never_verdicts() {
    use manifest_explorer::signature::crypto::{Hash, SigAlg};
    use manifest_explorer::signature::{with_webcrypto, PublicKey};
    let key = generate("P-256").await;
    let mut off_curve = key.spki.clone();
    let last = off_curve.len() - 1;
    off_curve[last] ^= 0x01;
    let off_curve = PublicKey::from_spki(&off_curve).unwrap();
    let good = PublicKey::from_spki(&key.spki).unwrap();
    let alg = SigAlg::Ecdsa(Hash::Sha256);
    let message = b"message".to_vec();
    let der = key.sign(&message).await;
    let raw = good.signature_from_der(&der).unwrap();

    let refused = with_webcrypto(|c| c.verify(&off_curve, alg, &message, &raw)).await;
    assert!(
        matches!(&refused, Err(WebCryptoError::Engine { .. })),
        "{refused:?}"
    );
    assert!(refused
        .unwrap_err()
        .to_string()
        .starts_with("not verifiable here"));

    let mut flipped = raw.clone();
    flipped[0] ^= 0x01;
    let behind_a_failure = with_webcrypto(|c| {
        if c.verify(&good, alg, &message, &flipped)? {
            c.verify(&off_curve, alg, &message, &raw)
        } else {
            Ok(false)
        }
    })
    .await;
    assert_eq!(behind_a_failure, Ok(Ok(false)));
    let both = with_webcrypto(|c| {
        Ok::<_, manifest_explorer::signature::CryptoError>(
            c.verify(&good, alg, &message, &raw)? && c.verify(&off_curve, alg, &message, &raw)?,
        )
    })
    .await;
    assert!(
        matches!(both, Err(WebCryptoError::Engine { .. })),
        "{both:?}"
    );
}
