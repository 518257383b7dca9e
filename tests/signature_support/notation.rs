//! Notation JWS envelopes (notaryproject/specifications `signature-envelope-jws.md`) made
//! with a test CA chain: a P-384 root and a leaf of the caller's key type, valid through 2026.
//! Shared by `tests/signature.rs` and the fixture generator `examples/sig_fixtures.rs`.

use manifest_explorer::oci::{base64, Digest};

use super::{der_cert, CertSpec, TestKey, TestRng};

pub struct NotationFixture {
    pub root_der: Vec<u8>,
    pub leaf_key: TestKey,
    pub x5c: Vec<Vec<u8>>,
}

pub fn notation_fixture(leaf_key: TestKey) -> NotationFixture {
    let root_key = TestKey::p384("notation root");
    let root_der = der_cert(
        &CertSpec {
            subject: "Test Notation Root",
            issuer: "Test Notation Root",
            serial: 1,
            spki: root_key.spki(),
            not_before: "250101000000Z",
            not_after: "350101000000Z",
            ca: true,
            extensions: Vec::new(),
        },
        &root_key,
    );
    let leaf_der = der_cert(
        &CertSpec {
            subject: "Test Notation Signer",
            issuer: "Test Notation Root",
            serial: 2,
            spki: leaf_key.spki(),
            not_before: "260101000000Z",
            not_after: "270101000000Z",
            ca: false,
            extensions: Vec::new(),
        },
        &root_key,
    );
    NotationFixture {
        root_der: root_der.clone(),
        leaf_key,
        x5c: vec![leaf_der, root_der],
    }
}

pub fn b64url(bytes: &[u8]) -> String {
    base64::encode(bytes)
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

pub fn jws(
    f: &NotationFixture,
    header: serde_json::Value,
    payload: serde_json::Value,
    alg_override: Option<&str>,
) -> Vec<u8> {
    let mut rng = TestRng::new("pss salt");
    let (alg, _) = f.leaf_key.sign_jws(b"probe", &mut rng);
    let mut header = header;
    header["alg"] = serde_json::Value::String(alg_override.unwrap_or(&alg).to_string());
    let protected = b64url(&serde_json::to_vec(&header).unwrap());
    let payload = b64url(&serde_json::to_vec(&payload).unwrap());
    let (_, sig) = f
        .leaf_key
        .sign_jws(format!("{protected}.{payload}").as_bytes(), &mut rng);
    let x5c: Vec<String> = f.x5c.iter().map(|c| base64::encode(c)).collect();
    serde_json::to_vec(&serde_json::json!({"payload": payload, "protected": protected, "header": {"x5c": x5c, "io.cncf.notary.signingAgent": "test"}, "signature": b64url(&sig)})).unwrap()
}

pub fn notation_header() -> serde_json::Value {
    serde_json::json!({
        "crit": ["io.cncf.notary.signingScheme"],
        "cty": "application/vnd.cncf.notary.payload.v1+json",
        "io.cncf.notary.signingScheme": "notary.x509",
        "io.cncf.notary.signingTime": "2026-06-01T12:00:00+02:00"
    })
}

/// The payload for an OCI image manifest of 481 bytes (the native tests' target).
pub fn notation_payload(digest: &Digest) -> serde_json::Value {
    notation_payload_for(digest, "application/vnd.oci.image.manifest.v1+json", 481)
}

pub fn notation_payload_for(digest: &Digest, media_type: &str, size: u64) -> serde_json::Value {
    serde_json::json!({"targetArtifact": {"mediaType": media_type, "digest": digest.to_string(), "size": size}})
}
