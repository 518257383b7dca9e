//! Signature verification: the sigstore-conformance `bundle-verify` cases through
//! `verify_bundle`, and cosign / DSSE / Notation signatures made here with fresh keys.
//!
//! Native only: it reads fixture files and signs with RustCrypto, which the wasm build of the
//! library does not link (the WebCrypto backend gets its own wasm-bindgen tests).
#![cfg(not(target_arch = "wasm32"))]

#[path = "signature_support/conformance.rs"]
mod conformance;
#[path = "signature_support/layers.rs"]
mod layers;
mod signature_support;

use std::path::{Path, PathBuf};
use std::time::Instant;

use conformance::{cases, DEFAULT_IDENTITY, DEFAULT_ISSUER};
use layers::{envelope, manifest, pae, simple_signing, statement, Layer};
use manifest_explorer::oci::{base64, Digest};
use manifest_explorer::signature::notation::{notation_jws, Target};
use manifest_explorer::signature::report::{
    cosign_manifest, sigstore_bundle, unsigned_attestation, Format, Options, SignatureRow, Verdict,
    ANNOTATION_SIGNATURE, DSSE_ENVELOPE, SIMPLE_SIGNING,
};
use manifest_explorer::signature::x509::Certificate;
use manifest_explorer::signature::{
    parse_public_key_pem, verify_bundle, wording, Outcome, RustCrypto, SignatureError, Signer,
    Trust, TrustedRoot,
};
use signature_support::keyless::{
    fulcio_leaf, instance, keyless_bundle, rekor_bundle, test_trusted_root, Instance,
    BUNDLE_LOG_INDEX, SIGNED_AT, TEST_ISSUER, TEST_SAN,
};
use signature_support::notation::{jws, notation_fixture, notation_header, notation_payload};
use signature_support::{der_cert, CertSpec, TestKey};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/signature")
}

/// The file name behind each optional field of [`conformance::CaseFiles`].
const OPTIONAL_FILES: [&str; 5] = [
    "artifact",
    "trusted_root.json",
    "key.pub",
    "identity",
    "issuer",
];

/// The optional files a table entry has, named as in [`OPTIONAL_FILES`].
fn present(c: &conformance::CaseFiles) -> Vec<&'static str> {
    [c.artifact, c.root, c.key, c.identity, c.issuer]
        .iter()
        .zip(OPTIONAL_FILES)
        .filter(|(f, _)| f.is_some())
        .map(|(_, name)| name)
        .collect()
}

/// The case table lists every case folder, with exactly the files each has.
#[test]
fn case_table_matches_the_fixture_folders() {
    let base = fixtures().join("bundle-verify");
    let mut folders: Vec<(String, Vec<&str>)> = std::fs::read_dir(&base)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| {
            let dir = e.path();
            let present = OPTIONAL_FILES
                .into_iter()
                .filter(|f| dir.join(f).is_file())
                .collect();
            (e.file_name().to_string_lossy().into_owned(), present)
        })
        .collect();
    folders.sort();
    let table: Vec<(String, Vec<&str>)> = conformance::case_files()
        .iter()
        .map(|c| (c.name.to_string(), present(c)))
        .collect();
    assert_eq!(table, folders);
}

#[test]
fn conformance_bundle_verify() {
    let cases = cases();
    assert_eq!(cases.len(), 70, "the vector set has 70 cases");
    let tally = conformance::judge(cases.iter().map(|case| {
        (
            case,
            verify_bundle(case.bundle, case.artifact, case.root, &case.trust),
        )
    }));
    for line in &tally.log {
        println!("{line}");
    }
    println!(
        "conformance: {} accepted, {} rejected, {} skipped (of {})",
        tally.accepted,
        tally.rejected,
        tally.skipped,
        cases.len()
    );
    assert!(tally.wrong.is_empty(), "{}", tally.wrong.join("\n"));
    assert_eq!(
        (tally.accepted, tally.rejected, tally.skipped),
        conformance::EXPECTED_TALLY
    );
}

#[test]
fn keyless_bundle_timing() {
    // One keyless bundle (v0.3: chain, SCT, SET, inclusion proof, checkpoint, identity).
    let dir = fixtures().join("bundle-verify/happy-path-v0.3");
    let bundle = std::fs::read(dir.join("bundle.sigstore.json")).unwrap();
    let artifact = std::fs::read(fixtures().join("bundle-verify/a.txt")).unwrap();
    let root = std::fs::read(fixtures().join("trusted_root.json")).unwrap();
    let trust = Trust::Identity {
        identity: DEFAULT_IDENTITY.into(),
        issuer: DEFAULT_ISSUER.into(),
    };
    let runs = 5;
    let start = Instant::now();
    for _ in 0..runs {
        let v = verify_bundle(&bundle, &artifact, &root, &trust).unwrap();
        assert_eq!(v.log_index, Some(79571823));
        assert_eq!(v.integrated_time, Some(1710869186));
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0 / f64::from(runs);
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    println!("keyless bundle verification (RustCrypto, {profile} build): {ms:.1} ms");
}

#[test]
fn verified_names_what_was_checked() {
    let dir = fixtures().join("bundle-verify/happy-path-v0.1");
    let bundle = std::fs::read(dir.join("bundle.sigstore.json")).unwrap();
    let artifact = std::fs::read(fixtures().join("bundle-verify/a.txt")).unwrap();
    let root = std::fs::read(fixtures().join("trusted_root.json")).unwrap();
    let identity = Trust::Identity {
        identity: DEFAULT_IDENTITY.into(),
        issuer: DEFAULT_ISSUER.into(),
    };
    let v = verify_bundle(&bundle, &artifact, &root, &identity).unwrap();
    assert_eq!(
        v.signer,
        Signer::Certificate {
            identity: DEFAULT_IDENTITY.into(),
            issuer: DEFAULT_ISSUER.into(),
            ca: "Sigstore public-good Fulcio".into(),
            expected: true,
        }
    );
    assert_eq!(v.subject, Digest::sha256(&artifact));
    assert_eq!(v.log.as_deref(), Some("https://rekor.sigstore.dev"));
    let what: Vec<&str> = v.checks.iter().map(|c| c.what.as_str()).collect();
    for needed in [
        "message digest",
        "log entry body",
        "signed entry timestamp",
        "certificate chain",
        "signed certificate timestamp",
        "identity",
        "signature over the payload",
    ] {
        assert!(what.contains(&needed), "{needed} missing from {what:?}");
    }
    // v0.1 without a checkpoint: the proof is not claimed as checked.
    assert!(v
        .checks
        .iter()
        .all(|c| !matches!(c.outcome, Outcome::Failed(_))));

    // Another identity or issuer: invalid, naming both.
    for (identity, issuer) in [
        (
            "https://github.com/someone/else/.github/workflows/x.yml@refs/heads/main",
            DEFAULT_ISSUER,
        ),
        (DEFAULT_IDENTITY, "https://accounts.google.com"),
    ] {
        let trust = Trust::Identity {
            identity: identity.into(),
            issuer: issuer.into(),
        };
        match verify_bundle(&bundle, &artifact, &root, &trust) {
            Err(SignatureError::Invalid { reason, .. }) => assert_eq!(
                reason,
                wording::not_expected(DEFAULT_IDENTITY, DEFAULT_ISSUER, identity, issuer)
            ),
            other => panic!("expected invalid, got {other:?}"),
        }
    }
    // A key for a keyless bundle: the certificate's key is not that key.
    let key = TestKey::p256("unrelated");
    assert!(matches!(
        verify_bundle(&bundle, &artifact, &root, &Trust::Key(key.pem())),
        Err(SignatureError::Invalid { .. })
    ));
}

// ---------------------------------------------------------------------------------------
// cosign legacy signatures and attestations made here.

fn public_good() -> TrustedRoot {
    TrustedRoot::parse(&std::fs::read(fixtures().join("trusted_root.json")).unwrap()).unwrap()
}

fn image(n: u32) -> Digest {
    Digest::sha256(format!("image manifest {n}").as_bytes())
}

fn cosign_rows(layers: &[Layer], image: &Digest, key_pem: Option<&str>) -> Vec<SignatureRow> {
    let root = public_good();
    let key = key_pem.map(|p| parse_public_key_pem(p).unwrap());
    let options = Options {
        key: key.as_ref(),
        identity: None,
        root: &root,
        root_date: "2026-08-21",
    };
    let payloads: Vec<Option<&[u8]>> = layers.iter().map(|l| Some(l.payload.as_slice())).collect();
    cosign_manifest(&manifest(layers), &payloads, image, &options, &RustCrypto).rows
}

fn signature_layer(key: &TestKey, payload: Vec<u8>) -> Layer {
    Layer {
        media_type: SIMPLE_SIGNING.into(),
        annotations: vec![(
            ANNOTATION_SIGNATURE.into(),
            base64::encode(&key.sign(&payload)),
        )],
        payload,
        digest: None,
    }
}

fn attestation_layer(key: &TestKey, subject: &Digest) -> Layer {
    let st = statement(subject);
    let sig = key.sign(&pae("application/vnd.in-toto+json", &st));
    Layer {
        media_type: DSSE_ENVELOPE.into(),
        payload: envelope("application/vnd.in-toto+json", &st, &[sig]),
        digest: None,
        annotations: vec![(
            "predicateType".into(),
            "https://slsa.dev/provenance/v1".into(),
        )],
    }
}

fn test_keys() -> Vec<TestKey> {
    vec![
        TestKey::p256("cosign p256"),
        TestKey::p384("cosign p384"),
        TestKey::rsa("cosign rsa", 2048),
        TestKey::ed25519("cosign ed25519"),
    ]
}

fn flip(bytes: &mut [u8], at: usize) {
    let i = at.min(bytes.len() - 1);
    bytes[i] ^= 0x01;
}

type Mutation = (
    &'static str,
    fn(&TestKey, &TestKey, &Digest) -> (Layer, Digest, String),
);

/// Each mutation builds one layer from a correct signature by `key`, and says which image
/// and which supplied key to verify it against. `other` is an unrelated key of the same type.
fn signature_mutations() -> Vec<Mutation> {
    vec![
        ("payload byte (descriptor updated)", |k, _, img| {
            let mut l = signature_layer(k, simple_signing(&img.to_string()));
            flip(&mut l.payload, 40);
            (l, img.clone(), k.pem())
        }),
        ("payload byte (descriptor not updated)", |k, _, img| {
            let mut l = signature_layer(k, simple_signing(&img.to_string()));
            l.digest = Some(Digest::sha256(&l.payload).to_string());
            flip(&mut l.payload, 40);
            (l, img.clone(), k.pem())
        }),
        ("signature byte", |k, _, img| {
            let payload = simple_signing(&img.to_string());
            let mut sig = k.sign(&payload);
            let at = sig.len() - 3;
            flip(&mut sig, at);
            let mut l = signature_layer(k, payload);
            l.annotations = vec![(ANNOTATION_SIGNATURE.into(), base64::encode(&sig))];
            (l, img.clone(), k.pem())
        }),
        ("signature truncated", |k, _, img| {
            let payload = simple_signing(&img.to_string());
            let sig = k.sign(&payload);
            let mut l = signature_layer(k, payload);
            l.annotations = vec![(
                ANNOTATION_SIGNATURE.into(),
                base64::encode(&sig[..sig.len() - 1]),
            )];
            (l, img.clone(), k.pem())
        }),
        ("verified against another image", |k, _, img| {
            (
                signature_layer(k, simple_signing(&img.to_string())),
                image(999),
                k.pem(),
            )
        }),
        ("signed payload names another image", |k, _, img| {
            let _ = img;
            (
                signature_layer(k, simple_signing(&image(7).to_string())),
                image(1),
                k.pem(),
            )
        }),
        ("another key supplied", |k, other, img| {
            (
                signature_layer(k, simple_signing(&img.to_string())),
                img.clone(),
                other.pem(),
            )
        }),
        ("media type", |k, _, img| {
            let mut l = signature_layer(k, simple_signing(&img.to_string()));
            l.media_type = "application/vnd.oci.image.layer.v1.tar".into();
            (l, img.clone(), k.pem())
        }),
        ("annotation key case", |k, _, img| {
            let mut l = signature_layer(k, simple_signing(&img.to_string()));
            l.annotations[0].0 = "dev.cosignproject.cosign/Signature".into();
            (l, img.clone(), k.pem())
        }),
        ("ambiguous case-variant keys", |k, _, img| {
            let payload = format!(
                r#"{{"critical":{{"identity":{{"docker-reference":"registry.test/app"}},"image":{{"docker-manifest-digest":"{}","Docker-Manifest-Digest":"{}"}},"type":"cosign container image signature"}}}}"#,
                image(7),
                img
            );
            (
                signature_layer(k, payload.into_bytes()),
                img.clone(),
                k.pem(),
            )
        }),
        ("wrong payload type", |k, _, img| {
            let payload = String::from_utf8(simple_signing(&img.to_string()))
                .unwrap()
                .replace(
                    "cosign container image signature",
                    "cosign container image attestation",
                );
            (
                signature_layer(k, payload.into_bytes()),
                img.clone(),
                k.pem(),
            )
        }),
        ("signature in the digest annotation only", |k, _, img| {
            let mut l = signature_layer(k, simple_signing(&img.to_string()));
            l.annotations[0].0 = "org.opencontainers.image.description".into();
            (l, img.clone(), k.pem())
        }),
    ]
}

fn attestation_mutations() -> Vec<Mutation> {
    vec![
        ("statement subject is another image", |k, _, _| {
            (attestation_layer(k, &image(7)), image(1), k.pem())
        }),
        ("signature over the payload, not the PAE", |k, _, img| {
            let st = statement(img);
            let sig = k.sign(&st);
            let mut l = attestation_layer(k, img);
            l.payload = envelope("application/vnd.in-toto+json", &st, &[sig]);
            (l, img.clone(), k.pem())
        }),
        ("payload type changed", |k, _, img| {
            let st = statement(img);
            let sig = k.sign(&pae("application/vnd.in-toto+json", &st));
            let mut l = attestation_layer(k, img);
            l.payload = envelope("application/json", &st, &[sig]);
            (l, img.clone(), k.pem())
        }),
        ("two signatures", |k, other, img| {
            let st = statement(img);
            let m = pae("application/vnd.in-toto+json", &st);
            let mut l = attestation_layer(k, img);
            l.payload = envelope(
                "application/vnd.in-toto+json",
                &st,
                &[k.sign(&m), other.sign(&m)],
            );
            (l, img.clone(), k.pem())
        }),
        ("another key supplied", |k, other, img| {
            (attestation_layer(k, img), img.clone(), other.pem())
        }),
        ("statement byte", |k, _, img| {
            let st = statement(img);
            let sig = k.sign(&pae("application/vnd.in-toto+json", &st));
            let mut changed = st.clone();
            let at = changed.len() - 5;
            flip(&mut changed, at);
            let mut l = attestation_layer(k, img);
            l.payload = envelope("application/vnd.in-toto+json", &changed, &[sig]);
            (l, img.clone(), k.pem())
        }),
    ]
}

fn other_key(k: &TestKey) -> TestKey {
    match k {
        TestKey::P256(_) => TestKey::p256("other p256"),
        TestKey::P384(_) => TestKey::p384("other p384"),
        TestKey::Rsa(_) => TestKey::rsa("other rsa", 2048),
        TestKey::Ed25519(_) => TestKey::ed25519("other ed25519"),
    }
}

#[test]
fn cosign_legacy_signatures_and_attestations() {
    let img = image(1);
    let mut rejected = 0;
    for key in test_keys() {
        let other = other_key(&key);
        let fp = parse_public_key_pem(&key.pem()).unwrap().fingerprint();
        let desc = parse_public_key_pem(&key.pem()).unwrap().description();

        // Unmutated: valid, worded exactly, bound to the image.
        for layer in [
            signature_layer(&key, simple_signing(&img.to_string())),
            attestation_layer(&key, &img),
        ] {
            let rows = cosign_rows(std::slice::from_ref(&layer), &img, Some(&key.pem()));
            assert_eq!(rows.len(), 1);
            assert_eq!(
                rows[0].verdict,
                Verdict::Valid(wording::valid_for_key(&fp, &desc, &img)),
                "{}: {:?}",
                key.name(),
                rows[0].checks
            );
            assert_eq!(rows[0].claims_subject.as_ref(), Some(&img));
            assert!(rows[0].unverified_certificate.is_none());
            let expected = if layer.media_type == DSSE_ENVELOPE {
                Format::CosignAttestation
            } else {
                Format::CosignSignature
            };
            assert_eq!(rows[0].format, expected);
            // Without a key: not verifiable, never valid.
            let rows = cosign_rows(&[layer], &img, None);
            assert_eq!(
                rows[0].verdict,
                Verdict::NotVerifiable(wording::NEEDS_KEY.into())
            );
        }

        // Case-insensitive payload keys, as Go's encoding/json reads them: still valid.
        let payload = format!(
            r#"{{"Critical":{{"Identity":{{"docker-reference":"registry.test/app"}},"Image":{{"Docker-manifest-digest":"{img}"}},"Type":"cosign container image signature"}}}}"#
        );
        let rows = cosign_rows(
            &[signature_layer(&key, payload.into_bytes())],
            &img,
            Some(&key.pem()),
        );
        assert!(
            matches!(rows[0].verdict, Verdict::Valid(_)),
            "case-variant keys: {:?}",
            rows[0].verdict
        );

        for (name, mutate) in signature_mutations()
            .into_iter()
            .chain(attestation_mutations())
        {
            let (layer, verify_against, supplied) = mutate(&key, &other, &img);
            let rows = cosign_rows(&[layer], &verify_against, Some(&supplied));
            let verdict = &rows[0].verdict;
            assert!(
                !matches!(verdict, Verdict::Valid(_)),
                "{} / {name}: FALSE ACCEPT",
                key.name()
            );
            println!("{} / {name}: {verdict:?}", key.name());
            rejected += 1;
        }
    }
    // Binding wording: a signature copied to another image.
    let key = TestKey::p256("cosign p256");
    let rows = cosign_rows(
        &[signature_layer(&key, simple_signing(&image(7).to_string()))],
        &image(1),
        Some(&key.pem()),
    );
    assert_eq!(
        rows[0].verdict,
        Verdict::Invalid(wording::wrong_subject(&image(7).to_string(), &image(1)))
    );
    assert_eq!(rows[0].claims_subject, Some(image(7)));
    // Binding is decided before any key: the same verdict without a key.
    let rows = cosign_rows(
        &[signature_layer(&key, simple_signing(&image(7).to_string()))],
        &image(1),
        None,
    );
    assert_eq!(
        rows[0].verdict,
        Verdict::Invalid(wording::wrong_subject(&image(7).to_string(), &image(1)))
    );
    println!("cosign mutations rejected: {rejected}");
    assert!(rejected >= 30);
}

#[test]
fn several_layers_give_several_rows() {
    let img = image(1);
    let a = TestKey::p256("cosign p256");
    let b = TestKey::ed25519("cosign ed25519");
    let rows = cosign_rows(
        &[
            signature_layer(&a, simple_signing(&img.to_string())),
            signature_layer(&b, simple_signing(&img.to_string())),
        ],
        &img,
        Some(&a.pem()),
    );
    assert!(matches!(rows[0].verdict, Verdict::Valid(_)));
    assert!(
        matches!(rows[1].verdict, Verdict::Invalid(_)),
        "{:?}",
        rows[1].verdict
    );
}

#[test]
fn forged_certificate_annotation_is_never_an_identity() {
    // A self-signed "Fulcio-looking" certificate in the annotation, signature made with its key.
    let img = image(1);
    let key = TestKey::p256("forger");
    let cert = der_cert(
        &CertSpec {
            subject: "sigstore-intermediate",
            issuer: "sigstore-intermediate",
            serial: 9,
            spki: key.spki(),
            not_before: "250101000000Z",
            not_after: "350101000000Z",
            ca: false,
            extensions: Vec::new(),
        },
        &key,
    );
    let mut layer = signature_layer(&key, simple_signing(&img.to_string()));
    layer.annotations.push((
        "dev.sigstore.cosign/certificate".into(),
        manifest_explorer::signature::pem::encode("CERTIFICATE", &cert),
    ));
    let rows = cosign_rows(&[layer], &img, None);
    assert!(
        !matches!(rows[0].verdict, Verdict::Valid(_)),
        "{:?}",
        rows[0].verdict
    );
    let contents = rows[0]
        .unverified_certificate
        .as_ref()
        .expect("contents kept for the disclosure");
    assert_eq!(contents.subject, "CN=sigstore-intermediate");
}

#[test]
fn sigstore_bundle_referrer_key_based() {
    let img = image(3);
    let key = TestKey::p256("bundle key");
    let st = statement(&img);
    let sig = key.sign(&pae("application/vnd.in-toto+json", &st));
    let bundle = serde_json::to_vec(&serde_json::json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"publicKey": {"hint": "test"}, "tlogEntries": []},
        "dsseEnvelope": {"payloadType": "application/vnd.in-toto+json", "payload": base64::encode(&st), "signatures": [{"sig": base64::encode(&sig), "keyid": ""}]}
    }))
    .unwrap();
    let root = public_good();
    let pk = parse_public_key_pem(&key.pem()).unwrap();
    let options = Options {
        key: Some(&pk),
        identity: None,
        root: &root,
        root_date: "2026-08-21",
    };
    let row = sigstore_bundle(&bundle, &img, None, &options, &RustCrypto);
    assert_eq!(
        row.verdict,
        Verdict::Valid(wording::valid_for_key(
            &pk.fingerprint(),
            "ECDSA P-256",
            &img
        )),
        "{:?}",
        row.checks
    );
    assert!(row
        .checks
        .iter()
        .any(|c| c.what == "transparency log" && matches!(c.outcome, Outcome::NotChecked(_))));
    let row = sigstore_bundle(&bundle, &image(4), None, &options, &RustCrypto);
    assert_eq!(
        row.verdict,
        Verdict::Invalid(wording::wrong_subject(&img.to_string(), &image(4)))
    );
    let other = parse_public_key_pem(&TestKey::p256("other").pem()).unwrap();
    let row = sigstore_bundle(
        &bundle,
        &img,
        None,
        &Options {
            key: Some(&other),
            ..options
        },
        &RustCrypto,
    );
    assert!(matches!(row.verdict, Verdict::Invalid(_)));
}

#[test]
fn unsigned_buildkit_attestation() {
    let img = image(5);
    let row = unsigned_attestation(&statement(&img), &img);
    assert_eq!(row.verdict, Verdict::Unsigned(wording::UNSIGNED.into()));
    assert_eq!(row.claims_subject, Some(img.clone()));
    let row = unsigned_attestation(&statement(&img), &image(6));
    assert_eq!(row.verdict, Verdict::Unsigned(wording::UNSIGNED.into()));
    assert!(row
        .checks
        .iter()
        .any(|c| matches!(c.outcome, Outcome::Failed(_))));
}

// ---------------------------------------------------------------------------------------
// Notation JWS with a test CA.

#[test]
fn notation_jws_with_test_ca() {
    let img = image(8);
    for leaf_key in [
        TestKey::p256("notation leaf"),
        TestKey::rsa("notation rsa leaf", 2048),
    ] {
        let f = notation_fixture(leaf_key);
        let root = Certificate::from_der(&f.root_der).unwrap();
        let target = Target {
            digest: &img,
            media_type: Some("application/vnd.oci.image.manifest.v1+json"),
            size: Some(481),
        };
        let envelope = jws(&f, notation_header(), notation_payload(&img), None);

        let row = notation_jws(&envelope, &target, std::slice::from_ref(&root), &RustCrypto);
        assert!(
            matches!(&row.verdict, Verdict::Valid(s) if s.contains("Test Notation Root")),
            "{}: {:?} {:?}",
            f.leaf_key.name(),
            row.verdict,
            row.checks
        );
        assert!(row.checks.iter().any(|c| c.what == "revocation"
            && c.outcome == Outcome::NotChecked(wording::REVOCATION_NOT_CHECKED.into())));
        // Intact but no root supplied: not verifiable.
        let row = notation_jws(&envelope, &target, &[], &RustCrypto);
        assert_eq!(
            row.verdict,
            Verdict::NotVerifiable(wording::NEEDS_TRUSTED_NOTATION_ROOT.into())
        );

        let other_root_key = TestKey::p384("another root");
        let other_root = Certificate::from_der(&der_cert(
            &CertSpec {
                subject: "Other Root",
                issuer: "Other Root",
                serial: 1,
                spki: other_root_key.spki(),
                not_before: "250101000000Z",
                not_after: "350101000000Z",
                ca: true,
                extensions: Vec::new(),
            },
            &other_root_key,
        ))
        .unwrap();
        let row = notation_jws(&envelope, &target, &[other_root], &RustCrypto);
        assert!(matches!(row.verdict, Verdict::NotVerifiable(_)));

        // Mutations, all rejected.
        let mut header_unknown_crit = notation_header();
        header_unknown_crit["crit"] =
            serde_json::json!(["io.cncf.notary.signingScheme", "io.example.unknown"]);
        header_unknown_crit["io.example.unknown"] = serde_json::json!("x");
        let mut header_outside = notation_header();
        header_outside["io.cncf.notary.signingTime"] = serde_json::json!("2028-01-01T00:00:00Z");
        let mut header_cty = notation_header();
        header_cty["cty"] = serde_json::json!("application/json");
        let wrong_alg = if matches!(f.leaf_key, TestKey::Rsa(_)) {
            "ES256"
        } else {
            "PS256"
        };
        let mut tampered = serde_json::from_slice::<serde_json::Value>(&envelope).unwrap();
        let sig = tampered["signature"].as_str().unwrap().to_string();
        let mut chars: Vec<char> = sig.chars().collect();
        chars[0] = if chars[0] == 'A' { 'B' } else { 'A' };
        let flipped: String = chars.into_iter().collect();
        tampered["signature"] = serde_json::json!(flipped);
        let other_image = image(9);
        let cases: Vec<(&str, Vec<u8>, Target)> = vec![
            (
                "unknown crit",
                jws(&f, header_unknown_crit, notation_payload(&img), None),
                target,
            ),
            (
                "signing time outside the leaf's validity",
                jws(&f, header_outside, notation_payload(&img), None),
                target,
            ),
            (
                "content type",
                jws(&f, header_cty, notation_payload(&img), None),
                target,
            ),
            (
                "alg does not match the key",
                jws(
                    &f,
                    notation_header(),
                    notation_payload(&img),
                    Some(wrong_alg),
                ),
                target,
            ),
            (
                "another image",
                envelope.clone(),
                Target {
                    digest: &other_image,
                    ..target
                },
            ),
            (
                "another size",
                envelope.clone(),
                Target {
                    size: Some(482),
                    ..target
                },
            ),
            (
                "signature byte",
                serde_json::to_vec(&tampered).unwrap(),
                target,
            ),
        ];
        for (name, env, t) in cases {
            let row = notation_jws(&env, &t, std::slice::from_ref(&root), &RustCrypto);
            assert!(
                !matches!(row.verdict, Verdict::Valid(_)),
                "{name}: FALSE ACCEPT"
            );
            println!("notation {} / {name}: {:?}", f.leaf_key.name(), row.verdict);
        }
    }
}

/// The Notation trust store as pasted in the panel: PEM certificates only.
#[test]
fn notation_trusted_roots_from_pem() {
    use manifest_explorer::signature::notation::trusted_roots_from_pem;
    use manifest_explorer::signature::pem;
    let a = notation_fixture(TestKey::p256("notation leaf")).root_der;
    let b = notation_fixture(TestKey::p384("another leaf")).x5c[0].clone();
    let two = format!(
        "{}\n{}",
        pem::encode("CERTIFICATE", &a),
        pem::encode("CERTIFICATE", &b)
    );
    let roots = trusted_roots_from_pem(&two).unwrap();
    assert_eq!(
        roots.iter().map(|c| c.der().to_vec()).collect::<Vec<_>>(),
        vec![a.clone(), b]
    );
    assert_eq!(trusted_roots_from_pem("  \n").unwrap().len(), 0);
    let key = TestKey::p256("k").pem();
    let err =
        trusted_roots_from_pem(&format!("{}{key}", pem::encode("CERTIFICATE", &a))).unwrap_err();
    assert!(err.contains("\"PUBLIC KEY\" is not a certificate"), "{err}");
    assert!(trusted_roots_from_pem("not pem").is_err());
    let mut truncated = a.clone();
    truncated.truncate(a.len() - 3);
    assert!(trusted_roots_from_pem(&pem::encode("CERTIFICATE", &truncated)).is_err());
}

/// The round protocol an asynchronous backend (WebCrypto) uses: run, collect the checks that
/// were not answered, answer them, run again. Every conformance case must end with the same
/// verdict as the synchronous RustCrypto backend, in a few rounds.
#[test]
fn precomputed_rounds_match_rustcrypto() {
    use manifest_explorer::signature::crypto::Crypto as _;
    use manifest_explorer::signature::{verify_bundle_with, Artifact, Precomputed};
    let mut max_rounds = 0;
    for case in cases() {
        let direct = verify_bundle(case.bundle, case.artifact, case.root, &case.trust);
        let mut backend = Precomputed::new();
        let mut rounds = 0;
        let result = loop {
            rounds += 1;
            assert!(rounds <= 10, "{}: no fixed point", case.name);
            let result = verify_bundle_with(
                case.bundle,
                &Artifact::Bytes(case.artifact),
                case.root,
                &case.trust,
                &backend,
            );
            let missing = backend.take_missing();
            if missing.is_empty() {
                break result;
            }
            for request in missing {
                let answer = RustCrypto
                    .verify(
                        &request.key,
                        request.alg,
                        &request.message,
                        &request.signature,
                    )
                    .unwrap();
                backend.answer(request, answer);
            }
        };
        max_rounds = max_rounds.max(rounds);
        assert_eq!(result, direct, "{}", case.name);
    }
    println!("precomputed backend: at most {max_rounds} rounds per bundle");
    assert!(max_rounds <= 3);
}

// ---------------------------------------------------------------------------------------
// Building blocks, table-driven.

#[test]
fn ecdsa_der_to_raw_is_strict() {
    use manifest_explorer::signature::der::ecdsa_der_to_raw;
    let r = [0x01u8; 32];
    let mut s = [0x02u8; 32];
    s[0] = 0x80; // needs a sign byte in DER
    let seq = |body: Vec<u8>| [vec![0x30, body.len() as u8], body].concat();
    let int = |v: &[u8]| [vec![0x02, v.len() as u8], v.to_vec()].concat();
    let good = seq([int(&r), int(&[&[0u8][..], &s].concat())].concat());
    assert_eq!(ecdsa_der_to_raw(&good, 32).unwrap(), [r, s].concat());
    // Short integers are left-padded.
    let short = seq([int(&[0x05]), int(&[0x07])].concat());
    let raw = ecdsa_der_to_raw(&short, 32).unwrap();
    assert_eq!((raw.len(), raw[31], raw[63]), (64, 0x05, 0x07));
    let bad: Vec<(&str, Vec<u8>)> = vec![
        ("trailing byte", [good.clone(), vec![0]].concat()),
        ("negative r", seq([int(&[0x80]), int(&[0x01])].concat())),
        (
            "non-minimal r",
            seq([int(&[0x00, 0x01]), int(&[0x01])].concat()),
        ),
        ("zero s", seq([int(&[0x01]), int(&[0x00])].concat())),
        ("r too long", seq([int(&[0x01; 33]), int(&[0x01])].concat())),
        (
            "three integers",
            seq([int(&[0x01]), int(&[0x01]), int(&[0x01])].concat()),
        ),
        ("one integer", seq(int(&[0x01]))),
        ("not a sequence", int(&[0x01])),
        (
            "indefinite length",
            [vec![0x30, 0x80], int(&[1]), int(&[1]), vec![0, 0]].concat(),
        ),
        ("empty", Vec::new()),
    ];
    for (name, sig) in bad {
        assert!(ecdsa_der_to_raw(&sig, 32).is_err(), "{name} accepted");
    }
}

#[test]
fn canonical_json_rfc8785() {
    use manifest_explorer::oci::json;
    use manifest_explorer::signature::canonical::canonicalize;
    let cases: &[(&str, Option<&str>)] = &[
        (
            r#"{"b":1,"a":[true,null,"x"]}"#,
            Some(r#"{"a":[true,null,"x"],"b":1}"#),
        ),
        // Keys sort by UTF-16 code units: U+1F600 (surrogates D83D..) sorts before U+FB33.
        (
            "{\"\u{fb33}\":1,\"\u{1f600}\":2,\"\\r\":3}",
            Some("{\"\\r\":3,\"\u{1f600}\":2,\"\u{fb33}\":1}"),
        ),
        (r#""\u0001\u001f\"\\\/""#, Some(r#""\u0001\u001f\"\\/""#)),
        (r#""\u00e9""#, Some("\"\u{e9}\"")),
        ("-0", Some("0")),
        ("9007199254740992", Some("9007199254740992")),
        ("9007199254740993", None),
        ("1.5", None),
        ("1e3", None),
        (r#"{"a":1,"a":2}"#, None),
    ];
    for (input, expected) in cases {
        let value = json::parse(input.as_bytes(), 16).unwrap();
        let out = canonicalize(&value)
            .ok()
            .map(|b| String::from_utf8(b).unwrap());
        assert_eq!(out.as_deref(), *expected, "{input}");
    }
}

#[test]
fn dsse_pae_matches_the_spec_example() {
    use manifest_explorer::signature::dsse::pae;
    // secure-systems-lab/dsse protocol.md test vector.
    assert_eq!(
        pae("http://example.com/HelloWorld", b"hello world"),
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
    );
}

#[test]
fn merkle_inclusion_proofs() {
    use manifest_explorer::signature::tlog::{leaf_hash, root_from_inclusion_proof};
    use sha2::{Digest as _, Sha256};
    // An independent RFC 6962 tree: MTH(D[n]) with the split at the largest power of two < n.
    fn node(l: &[u8], r: &[u8]) -> [u8; 32] {
        Sha256::new()
            .chain_update([1u8])
            .chain_update(l)
            .chain_update(r)
            .finalize()
            .into()
    }
    fn mth(leaves: &[[u8; 32]]) -> [u8; 32] {
        if leaves.len() == 1 {
            return leaves[0];
        }
        let k = leaves.len().next_power_of_two() / 2;
        node(&mth(&leaves[..k]), &mth(&leaves[k..]))
    }
    fn path(m: usize, leaves: &[[u8; 32]]) -> Vec<[u8; 32]> {
        if leaves.len() == 1 {
            return Vec::new();
        }
        let k = leaves.len().next_power_of_two() / 2;
        if m < k {
            [path(m, &leaves[..k]), vec![mth(&leaves[k..])]].concat()
        } else {
            [path(m - k, &leaves[k..]), vec![mth(&leaves[..k])]].concat()
        }
    }
    for size in 1..=17usize {
        let leaves: Vec<[u8; 32]> = (0..size)
            .map(|i| leaf_hash(format!("leaf {i}").as_bytes()))
            .collect();
        let root = mth(&leaves);
        for index in 0..size {
            let proof = path(index, &leaves);
            assert_eq!(
                root_from_inclusion_proof(index as u64, size as u64, leaves[index], &proof)
                    .unwrap(),
                root,
                "size {size} index {index}"
            );
            if let Some(first) = proof.first() {
                let mut bad = proof.clone();
                bad[0][0] ^= 1;
                assert_ne!(
                    root_from_inclusion_proof(index as u64, size as u64, leaves[index], &bad)
                        .unwrap(),
                    root
                );
                assert!(root_from_inclusion_proof(
                    index as u64,
                    size as u64,
                    leaves[index],
                    &[proof.clone(), vec![*first]].concat()
                )
                .is_err());
            }
        }
        assert!(root_from_inclusion_proof(size as u64, size as u64, leaves[0], &[]).is_err());
    }
}

#[test]
fn hostile_inputs_are_errors() {
    let root = std::fs::read(fixtures().join("trusted_root.json")).unwrap();
    let trust = Trust::Identity {
        identity: DEFAULT_IDENTITY.into(),
        issuer: DEFAULT_ISSUER.into(),
    };
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let inputs: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"null".to_vec(),
        deep.into_bytes(),
        vec![0xff; 100],
        br#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}"#.to_vec(),
    ];
    for input in inputs {
        assert!(verify_bundle(&input, b"x", &root, &trust).is_err());
    }
    assert!(matches!(
        verify_bundle(b"{}", b"x", b"{}", &trust),
        Err(SignatureError::TrustRoot(_))
    ));
    for pem in [
        "",
        "-----BEGIN PUBLIC KEY-----\nAAAA\n",
        "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n",
        "not pem",
    ] {
        assert!(parse_public_key_pem(pem).is_err(), "{pem:?}");
    }
    // Truncations of a real certificate never panic and never parse.
    let bundle: serde_json::Value = serde_json::from_slice(
        &std::fs::read(fixtures().join("bundle-verify/happy-path-v0.3/bundle.sigstore.json"))
            .unwrap(),
    )
    .unwrap();
    let cert = base64::decode(
        bundle["verificationMaterial"]["certificate"]["rawBytes"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert!(Certificate::from_der(&cert).is_ok());
    for len in (0..cert.len()).step_by(7) {
        assert!(Certificate::from_der(&cert[..len]).is_err());
    }
}

/// notation-go's own JWS test vector (RSA-PSS, self-signed signing certificate).
#[test]
fn notation_go_jws_vector() {
    let dir = fixtures().join("notation");
    let envelope = std::fs::read(dir.join("jws_signature.sig")).unwrap();
    let manifest = std::fs::read(dir.join("manifest.json")).unwrap();
    let digest = Digest::sha256(&manifest);
    let doc: serde_json::Value = serde_json::from_slice(&envelope).unwrap();
    let cert =
        Certificate::from_der(&base64::decode(doc["header"]["x5c"][0].as_str().unwrap()).unwrap())
            .unwrap();
    let target = Target {
        digest: &digest,
        media_type: Some("application/vnd.oci.image.manifest.v1+json"),
        size: Some(manifest.len() as u64),
    };

    let row = notation_jws(&envelope, &target, std::slice::from_ref(&cert), &RustCrypto);
    assert!(
        matches!(&row.verdict, Verdict::Valid(s) if s.contains("CN=alpine")),
        "{:?} {:?}",
        row.verdict,
        row.checks
    );
    assert_eq!(row.claims_subject, Some(digest.clone()));
    assert!(row
        .checks
        .iter()
        .any(|c| c.what == "JWS signature" && c.against.contains("RSA-PSS with SHA-256")));
    // Not trusted without the certificate as anchor.
    assert_eq!(
        notation_jws(&envelope, &target, &[], &RustCrypto).verdict,
        Verdict::NotVerifiable(wording::NEEDS_TRUSTED_NOTATION_ROOT.into())
    );
    // Another manifest: binding fails before the signature is looked at.
    let other = Digest::sha256(b"another manifest");
    let row = notation_jws(
        &envelope,
        &Target {
            digest: &other,
            ..target
        },
        std::slice::from_ref(&cert),
        &RustCrypto,
    );
    assert_eq!(
        row.verdict,
        Verdict::Invalid(wording::wrong_subject(&digest.to_string(), &other))
    );
    assert!(!row.checks.iter().any(|c| c.what == "JWS signature"));
}

/// cosign's own OCI attestation bundle (v0.3, keyless DSSE), as a referrer of its image.
#[test]
fn cosign_oci_attestation_bundle_referrer() {
    let dir = fixtures().join("cosign");
    let bundle = std::fs::read(dir.join("oci-attestation.sigstore.json")).unwrap();
    let root =
        TrustedRoot::parse(&std::fs::read(dir.join("trusted_root_pgi.json")).unwrap()).unwrap();
    let image: Digest = "sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4"
        .parse()
        .unwrap();
    let options = Options {
        key: None,
        identity: None,
        root: &root,
        root_date: "2026-07-24",
    };
    let row = sigstore_bundle(&bundle, &image, None, &options, &RustCrypto);
    let contents = row.unverified_certificate.clone().unwrap();
    let san = contents.sans.first().cloned().unwrap();
    let issuer = contents.oidc_issuer.clone().unwrap();
    match &row.verdict {
        Verdict::Valid(s) => {
            assert!(s.starts_with(&format!("Signed by {san} (issuer {issuer}), certificate from Sigstore public-good Fulcio, logged in Rekor entry #")), "{s}");
            assert!(s.ends_with("— signs this image"));
        }
        other => panic!("{other:?} {:?}", row.checks),
    }
    assert_eq!(
        row.notes,
        vec![wording::ANYONE_CAN_GET_A_CERTIFICATE.to_string()]
    );
    assert_eq!(row.claims_subject.as_ref(), Some(&image));
    assert_eq!(row.format, Format::SigstoreBundle);
    println!("cosign OCI attestation: {:?}", row.verdict);

    // With the expected identity: matches; with another one: invalid.
    let row = sigstore_bundle(
        &bundle,
        &image,
        None,
        &Options {
            identity: Some((&san, &issuer)),
            ..options
        },
        &RustCrypto,
    );
    assert!(matches!(row.verdict, Verdict::Valid(_)));
    assert_eq!(row.notes, vec![wording::matches_expected(&san, &issuer)]);
    let row = sigstore_bundle(
        &bundle,
        &image,
        None,
        &Options {
            identity: Some(("someone@example.com", &issuer)),
            ..options
        },
        &RustCrypto,
    );
    assert_eq!(
        row.verdict,
        Verdict::Invalid(wording::not_expected(
            &san,
            &issuer,
            "someone@example.com",
            &issuer
        ))
    );
    // The same bundle as a referrer of another image.
    let other = image_digest_other();
    let row = sigstore_bundle(&bundle, &other, None, &options, &RustCrypto);
    assert_eq!(
        row.verdict,
        Verdict::Invalid(wording::wrong_subject(&image.to_string(), &other))
    );
    // It is public-good Sigstore: the embedded public-good root verifies it too.
    let row = sigstore_bundle(
        &bundle,
        &image,
        None,
        &Options {
            root: &public_good(),
            ..options
        },
        &RustCrypto,
    );
    assert!(
        matches!(row.verdict, Verdict::Valid(_)),
        "{:?}",
        row.verdict
    );
    // A root without its CAs: not from a trusted instance (never "invalid", never "valid").
    let mut no_ca = public_good();
    no_ca.certificate_authorities.clear();
    let row = sigstore_bundle(
        &bundle,
        &image,
        None,
        &Options {
            root: &no_ca,
            ..options
        },
        &RustCrypto,
    );
    assert_eq!(
        row.verdict,
        Verdict::NotVerifiable(wording::untrusted_instance("2026-07-24"))
    );
}

fn image_digest_other() -> Digest {
    Digest::sha256(b"some other image")
}

// ---------------------------------------------------------------------------------------
// cosign legacy keyless against the test Sigstore instance of `signature_support::keyless`:
// the `.sig` annotations cosign writes.

struct KeylessCase {
    leaf: Vec<u8>,
    signer: TestKey,
    integrated: i64,
    /// Seed of the key that signs the SET (the log's own key is seeded "rekor").
    set_signer: &'static str,
    bundle_annotation: bool,
}

fn keyless_layer(inst: &Instance, case: &KeylessCase, image: &Digest) -> Layer {
    use manifest_explorer::signature::pem;
    let payload = simple_signing(&image.to_string());
    let sig = case.signer.sign(&payload);
    let cert_pem = pem::encode("CERTIFICATE", &case.leaf);
    let set_signer = TestKey::p256(case.set_signer);
    let mut annotations = vec![
        (ANNOTATION_SIGNATURE.to_string(), base64::encode(&sig)),
        (
            "dev.sigstore.cosign/certificate".to_string(),
            cert_pem.clone(),
        ),
        (
            "dev.sigstore.cosign/chain".to_string(),
            format!(
                "{}{}",
                pem::encode("CERTIFICATE", &inst.intermediate_der),
                pem::encode("CERTIFICATE", &inst.root_der)
            ),
        ),
    ];
    if case.bundle_annotation {
        annotations.push((
            "dev.sigstore.cosign/bundle".to_string(),
            rekor_bundle(
                &payload,
                &sig,
                &cert_pem,
                &inst.rekor,
                &set_signer,
                case.integrated,
            ),
        ));
    }
    Layer {
        media_type: SIMPLE_SIGNING.into(),
        payload,
        digest: None,
        annotations,
    }
}

#[test]
fn cosign_legacy_keyless_with_a_test_instance() {
    let inst = instance();
    let root = TrustedRoot::parse(&test_trusted_root(&inst)).unwrap();
    let img = image(11);
    let signer = TestKey::p256("keyless signer");
    let good_leaf = fulcio_leaf(&inst, &signer, TEST_SAN, &inst.intermediate, &inst.ct);
    let rows = |case: &KeylessCase, identity: Option<(&str, &str)>, root: &TrustedRoot| {
        let layer = keyless_layer(&inst, case, &img);
        let payload = layer.payload.clone();
        let options = Options {
            key: None,
            identity,
            root,
            root_date: "2026-06-01",
        };
        cosign_manifest(
            &manifest(&[layer]),
            &[Some(payload.as_slice())],
            &img,
            &options,
            &RustCrypto,
        )
        .rows
        .remove(0)
    };
    let good = KeylessCase {
        leaf: good_leaf.clone(),
        signer: TestKey::p256("keyless signer"),
        integrated: SIGNED_AT,
        set_signer: "rekor",
        bundle_annotation: true,
    };

    let row = rows(&good, None, &root);
    assert_eq!(
        row.verdict,
        Verdict::Valid(wording::signed_by(
            TEST_SAN,
            TEST_ISSUER,
            "the certificate authority https://fulcio.test",
            42,
            "2026-06-01T12:05:00Z"
        )),
        "{:?}",
        row.checks
    );
    assert_eq!(
        row.notes,
        vec![wording::ANYONE_CAN_GET_A_CERTIFICATE.to_string()]
    );
    assert!(row
        .checks
        .iter()
        .any(|c| c.what == "chain annotation" && matches!(c.outcome, Outcome::NotChecked(_))));
    let row = rows(&good, Some((TEST_SAN, TEST_ISSUER)), &root);
    assert!(matches!(row.verdict, Verdict::Valid(_)));
    assert_eq!(
        row.notes,
        vec![wording::matches_expected(TEST_SAN, TEST_ISSUER)]
    );
    let row = rows(
        &good,
        Some((
            "https://github.com/evil/app/.github/workflows/x.yml@refs/heads/main",
            TEST_ISSUER,
        )),
        &root,
    );
    assert!(matches!(row.verdict, Verdict::Invalid(_)));

    // A forger who controls a look-alike CA (same names, other keys) and its own CT log.
    let fake_intermediate = TestKey::p384("fake intermediate");
    let fake_ct = TestKey::p256("fake ct");
    let cases: Vec<(&str, KeylessCase, Verdict)> = vec![
        (
            "logged after the certificate expired",
            KeylessCase {
                integrated: 1780316400,
                ..clone_case(&good)
            },
            Verdict::Invalid(wording::OUTSIDE_VALIDITY.into()),
        ),
        (
            "SET signed by another key",
            KeylessCase {
                set_signer: "not rekor",
                ..clone_case(&good)
            },
            Verdict::Invalid(wording::SET_INVALID.into()),
        ),
        (
            "never logged",
            KeylessCase {
                bundle_annotation: false,
                ..clone_case(&good)
            },
            Verdict::NotVerifiable(wording::NO_LOG_ENTRY.into()),
        ),
        (
            "certificate from a look-alike CA",
            KeylessCase {
                leaf: fulcio_leaf(&inst, &signer, TEST_SAN, &fake_intermediate, &inst.ct),
                ..clone_case(&good)
            },
            Verdict::Invalid(wording::NO_CHAIN.into()),
        ),
        (
            "SCT from an untrusted CT log",
            KeylessCase {
                leaf: fulcio_leaf(&inst, &signer, TEST_SAN, &inst.intermediate, &fake_ct),
                ..clone_case(&good)
            },
            Verdict::Invalid(wording::SCT_INVALID.into()),
        ),
        (
            "signature by another key than the certificate's",
            KeylessCase {
                signer: TestKey::p256("someone else"),
                ..clone_case(&good)
            },
            Verdict::Invalid(wording::SIGNATURE_MISMATCH.into()),
        ),
    ];
    for (name, case, expected) in cases {
        let row = rows(&case, None, &root);
        println!("keyless / {name}: {:?}", row.verdict);
        assert_eq!(row.verdict, expected, "{name}");
        // The certificate's claims stay in the disclosure.
        assert_eq!(
            row.unverified_certificate.as_ref().unwrap().sans,
            vec![TEST_SAN.to_string()]
        );
    }
    // A trust root without this CA: not from a trusted instance.
    let mut other = root.clone();
    other.certificate_authorities.clear();
    assert_eq!(
        rows(&good, None, &other).verdict,
        Verdict::NotVerifiable(wording::untrusted_instance("2026-06-01"))
    );
    // Time comes from the log only: an entry integrated before the certificate existed fails.
    let early = KeylessCase {
        integrated: 1780315200 - 60,
        ..clone_case(&good)
    };
    assert_eq!(
        rows(&early, None, &root).verdict,
        Verdict::Invalid(wording::OUTSIDE_VALIDITY.into())
    );
}

/// The keyless bundle v0.3 the end-to-end tests push as a referrer (`examples/sig_fixtures.rs`):
/// DSSE, a Rekor v1 entry with SET and inclusion proof + checkpoint, against the test root.
#[test]
fn keyless_bundle_v03_with_a_test_instance() {
    let inst = instance();
    let test_root = TrustedRoot::parse(&test_trusted_root(&inst)).unwrap();
    let img = image(12);
    let signer = TestKey::p256("keyless signer");
    let leaf = fulcio_leaf(&inst, &signer, TEST_SAN, &inst.intermediate, &inst.ct);
    let bundle = keyless_bundle(&inst, &signer, &leaf, &statement(&img), SIGNED_AT);
    let public_good = public_good();
    let row = |bundle: &[u8], image: &Digest, identity, root: &TrustedRoot, date| {
        let options = Options {
            key: None,
            identity,
            root,
            root_date: date,
        };
        sigstore_bundle(bundle, image, None, &options, &RustCrypto)
    };
    let valid = Verdict::Valid(wording::signed_by(
        TEST_SAN,
        TEST_ISSUER,
        "the certificate authority https://fulcio.test",
        BUNDLE_LOG_INDEX,
        "2026-06-01T12:05:00Z",
    ));
    let r = row(&bundle, &img, None, &test_root, "");
    assert_eq!(r.verdict, valid, "{:?}", r.checks);
    assert!(r
        .checks
        .iter()
        .any(|c| c.what == "inclusion proof" && c.outcome == Outcome::Passed));
    assert_eq!(
        r.notes,
        vec![wording::ANYONE_CAN_GET_A_CERTIFICATE.to_string()]
    );
    let r = row(&bundle, &img, Some((TEST_SAN, TEST_ISSUER)), &test_root, "");
    assert_eq!(r.verdict, valid);
    assert_eq!(
        r.notes,
        vec![wording::matches_expected(TEST_SAN, TEST_ISSUER)]
    );
    let r = row(
        &bundle,
        &img,
        Some(("someone@else.example", TEST_ISSUER)),
        &test_root,
        "",
    );
    assert!(matches!(r.verdict, Verdict::Invalid(_)), "{:?}", r.verdict);
    let r = row(&bundle, &image(13), None, &test_root, "");
    assert_eq!(
        r.verdict,
        Verdict::Invalid(wording::wrong_subject(&img.to_string(), &image(13)))
    );
    // Without the instance's root: not from a trusted instance, named by the root's date.
    let r = row(&bundle, &img, None, &public_good, "2026-08-21");
    assert_eq!(
        r.verdict,
        Verdict::NotVerifiable(wording::untrusted_instance("2026-08-21"))
    );
    // One proof hash flipped: the proof no longer leads to the checkpoint's root.
    let mut doc: serde_json::Value = serde_json::from_slice(&bundle).unwrap();
    let hashes = &mut doc["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["hashes"];
    let mut first = base64::decode(hashes[0].as_str().unwrap()).unwrap();
    first[0] ^= 1;
    hashes[0] = serde_json::json!(base64::encode(&first));
    let r = row(
        &serde_json::to_vec(&doc).unwrap(),
        &img,
        None,
        &test_root,
        "",
    );
    assert_eq!(r.verdict, Verdict::Invalid(wording::PROOF_INVALID.into()));
}

fn clone_case(c: &KeylessCase) -> KeylessCase {
    let signer = match &c.signer {
        TestKey::P256(k) => TestKey::P256(k.clone()),
        _ => unreachable!("keyless signers are P-256"),
    };
    KeylessCase {
        leaf: c.leaf.clone(),
        signer,
        integrated: c.integrated,
        set_signer: c.set_signer,
        bundle_annotation: c.bundle_annotation,
    }
}

/// Byte flips all over real bundles and trust roots, and truncations: every result is an
/// answer (truncations always an error), never a panic.
#[test]
fn byte_flips_never_panic() {
    let base = fixtures().join("bundle-verify");
    let root = std::fs::read(fixtures().join("trusted_root.json")).unwrap();
    let artifact = std::fs::read(base.join("a.txt")).unwrap();
    let trust = Trust::Identity {
        identity: DEFAULT_IDENTITY.into(),
        issuer: DEFAULT_ISSUER.into(),
    };
    let mut runs = 0;
    for case in [
        "happy-path-v0.3",
        "happy-path-intoto-in-dsse-v3",
        "happy-path-v0.1",
    ] {
        let bundle = std::fs::read(base.join(case).join("bundle.sigstore.json")).unwrap();
        let artifact = if case.contains("dsse") {
            std::fs::read(base.join(case).join("artifact")).unwrap_or(artifact.clone())
        } else {
            artifact.clone()
        };
        for at in (0..bundle.len()).step_by(37) {
            for mask in [0x01u8, 0x20] {
                let mut b = bundle.clone();
                b[at] ^= mask;
                let _ = verify_bundle(&b, &artifact, &root, &trust);
                runs += 1;
            }
        }
        for at in (0..root.len()).step_by(53) {
            let mut r = root.clone();
            r[at] ^= 0x01;
            let _ = verify_bundle(&bundle, &artifact, &r, &trust);
            runs += 1;
        }
        // Truncations.
        for len in (0..bundle.len()).step_by(101) {
            assert!(verify_bundle(&bundle[..len], &artifact, &root, &trust).is_err());
            runs += 1;
        }
    }
    println!("byte flips and truncations: {runs} runs without a panic");
}
