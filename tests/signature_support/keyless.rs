//! A whole test Sigstore instance, written here from the specs: a Fulcio-like CA (P-384 root
//! and intermediate) issuing a P-256 leaf with a SAN URI, the OIDC issuer extension and an
//! embedded SCT (RFC 6962 §3.2) by a test CT log; a Rekor-like log key signing entry
//! timestamps (SETs) and checkpoints (C2SP signed note); the `trusted_root.json` listing
//! them; and the signed things cosign writes with it (the legacy `dev.sigstore.cosign/bundle`
//! annotation, a bundle v0.3 with a DSSE attestation). Shared by `tests/signature.rs` and the
//! fixture generator `examples/sig_fixtures.rs` (which the end-to-end tests run).
//!
//! The certificates are valid for ten minutes on 2026-06-01 and every signed time is inside
//! them: verification takes time from the log, never from a clock, so these never expire.

use manifest_explorer::oci::base64;
use manifest_explorer::signature::pem;

use super::{der_cert, CertSpec, TestKey};
use crate::layers::pae;

pub const SIGNED_AT: i64 = 1780315500; // 2026-06-01T12:05:00Z, inside the leaf's 10 minutes
pub const LEAF_FROM: &str = "260601120000Z";
pub const LEAF_TO: &str = "260601121000Z";
pub const TEST_SAN: &str =
    "https://github.com/example/app/.github/workflows/release.yml@refs/heads/main";
pub const TEST_ISSUER: &str = "https://token.actions.githubusercontent.com";

pub struct Instance {
    pub intermediate: TestKey,
    pub rekor: TestKey,
    pub ct: TestKey,
    pub root_der: Vec<u8>,
    pub intermediate_der: Vec<u8>,
}

pub fn instance() -> Instance {
    let root = TestKey::p384("fulcio root");
    let intermediate = TestKey::p384("fulcio intermediate");
    let root_der = der_cert(
        &CertSpec {
            subject: "test-fulcio-root",
            issuer: "test-fulcio-root",
            serial: 1,
            spki: root.spki(),
            not_before: "250101000000Z",
            not_after: "350101000000Z",
            ca: true,
            extensions: Vec::new(),
        },
        &root,
    );
    let intermediate_der = der_cert(
        &CertSpec {
            subject: "test-fulcio-intermediate",
            issuer: "test-fulcio-root",
            serial: 2,
            spki: intermediate.spki(),
            not_before: "250101000000Z",
            not_after: "350101000000Z",
            ca: true,
            extensions: Vec::new(),
        },
        &root,
    );
    Instance {
        intermediate,
        rekor: TestKey::p256("rekor"),
        ct: TestKey::p256("ct log"),
        root_der,
        intermediate_der,
    }
}

pub fn sha256(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).to_vec()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A Fulcio-style leaf for `signer` with SAN, OIDC issuer and an SCT by `ct` (RFC 6962 §3.2:
/// the SCT signs the TBS without the SCT extension, with the issuer key hash).
pub fn fulcio_leaf(
    inst: &Instance,
    signer: &TestKey,
    san: &str,
    issuer_cert_key: &TestKey,
    ct: &TestKey,
) -> Vec<u8> {
    use super::{extension, sign_tbs, tbs};
    use manifest_explorer::signature::der::{encode, OCTET_STRING, SEQUENCE, UTF8_STRING};
    let san_ext = extension(
        &[0x55, 0x1d, 0x11],
        true,
        &encode(SEQUENCE, &encode(0x86, san.as_bytes())),
    );
    let issuer_ext = extension(
        &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xbf, 0x30, 0x01, 0x08],
        false,
        &encode(UTF8_STRING, TEST_ISSUER.as_bytes()),
    );
    let mut spec = CertSpec {
        subject: "",
        issuer: "test-fulcio-intermediate",
        serial: 3,
        spki: signer.spki(),
        not_before: LEAF_FROM,
        not_after: LEAF_TO,
        ca: false,
        extensions: vec![san_ext, issuer_ext],
    };
    let precert = tbs(&spec, issuer_cert_key);
    let timestamp_ms: u64 = 1780315201000;
    let mut signed = vec![0u8, 0];
    signed.extend(timestamp_ms.to_be_bytes());
    signed.extend([0, 1]);
    signed.extend(sha256(&inst.intermediate.spki()));
    signed.extend(&(precert.len() as u32).to_be_bytes()[1..]);
    signed.extend(&precert);
    signed.extend([0, 0]);
    let sig = ct.sign(&signed);
    let mut sct = vec![0u8];
    sct.extend(sha256(&ct.spki()));
    sct.extend(timestamp_ms.to_be_bytes());
    sct.extend([0, 0, 4, 3]);
    sct.extend((sig.len() as u16).to_be_bytes());
    sct.extend(&sig);
    let mut list = ((sct.len() + 2) as u16).to_be_bytes().to_vec();
    list.extend((sct.len() as u16).to_be_bytes());
    list.extend(&sct);
    spec.extensions.push(extension(
        &[0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x02],
        false,
        &encode(OCTET_STRING, &list),
    ));
    sign_tbs(tbs(&spec, issuer_cert_key), issuer_cert_key)
}

pub fn test_trusted_root(inst: &Instance) -> Vec<u8> {
    let key = |k: &TestKey| serde_json::json!({"rawBytes": base64::encode(&k.spki()), "keyDetails": "PKIX_ECDSA_P256_SHA_256", "validFor": {"start": "2025-01-01T00:00:00Z"}});
    serde_json::to_vec(&serde_json::json!({
        "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
        "tlogs": [{"baseUrl": "https://rekor.test", "hashAlgorithm": "SHA2_256", "publicKey": key(&inst.rekor), "logId": {"keyId": base64::encode(&sha256(&inst.rekor.spki()))}}],
        "certificateAuthorities": [{"subject": {"commonName": "test"}, "uri": "https://fulcio.test", "certChain": {"certificates": [{"rawBytes": base64::encode(&inst.intermediate_der)}, {"rawBytes": base64::encode(&inst.root_der)}]}, "validFor": {"start": "2025-01-01T00:00:00Z"}}],
        "ctlogs": [{"baseUrl": "https://ct.test", "hashAlgorithm": "SHA2_256", "publicKey": key(&inst.ct), "logId": {"keyId": base64::encode(&sha256(&inst.ct.spki()))}}],
        "timestampAuthorities": []
    }))
    .unwrap()
}

/// cosign's `dev.sigstore.cosign/bundle`: a hashedrekord entry and its SET by `log_key`.
/// The SET payload is written out in RFC 8785 form by hand (keys in order, no spaces).
pub fn rekor_bundle(
    payload: &[u8],
    sig: &[u8],
    cert_pem: &str,
    log: &TestKey,
    set_signer: &TestKey,
    integrated: i64,
) -> String {
    let body = serde_json::to_vec(&serde_json::json!({
        "apiVersion": "0.0.1", "kind": "hashedrekord",
        "spec": {"data": {"hash": {"algorithm": "sha256", "value": hex(&sha256(payload))}},
                 "signature": {"content": base64::encode(sig), "publicKey": {"content": base64::encode(cert_pem.as_bytes())}}}
    }))
    .unwrap();
    let log_id = hex(&sha256(&log.spki()));
    let body_b64 = base64::encode(&body);
    let set_payload = format!(
        r#"{{"body":"{body_b64}","integratedTime":{integrated},"logID":"{log_id}","logIndex":42}}"#
    );
    let set = set_signer.sign(set_payload.as_bytes());
    serde_json::to_string(&serde_json::json!({"SignedEntryTimestamp": base64::encode(&set), "Payload": {"body": body_b64, "integratedTime": integrated, "logIndex": 42, "logID": log_id}})).unwrap()
}

/// The RFC 6962 hash of two subtrees (§2.1), written out here (independently of `tlog`).
fn node(left: &[u8], right: &[u8]) -> Vec<u8> {
    sha256(&[&[1u8][..], left, right].concat())
}

/// `entry` as leaf 5 of an 8-leaf log whose other leaves are made up: its inclusion proof
/// (RFC 6962 §2.1.1) and the tree's root hash.
fn proof_in_tree_of_8(entry: &[u8]) -> (Vec<Vec<u8>>, Vec<u8>) {
    let leaf = |bytes: &[u8]| sha256(&[&[0u8][..], bytes].concat());
    let leaves: Vec<Vec<u8>> = (0..8u8)
        .map(|i| {
            if i == 5 {
                leaf(entry)
            } else {
                leaf(&[b"other entry ", &[i][..]].concat())
            }
        })
        .collect();
    let left = node(&node(&leaves[0], &leaves[1]), &node(&leaves[2], &leaves[3]));
    let right = node(&node(&leaves[4], &leaves[5]), &node(&leaves[6], &leaves[7]));
    let proof = vec![
        leaves[4].clone(),
        node(&leaves[6], &leaves[7]),
        left.clone(),
    ];
    (proof, node(&left, &right))
}

/// Index of the bundle's entry in the test log (its tree has 8 leaves).
pub const BUNDLE_LOG_INDEX: i64 = 5;

/// A Sigstore bundle v0.3 (sigstore/protobuf-specs `sigstore_bundle.proto`, JSON mapping):
/// `statement` in a DSSE envelope signed by `signer` (ECDSA DER over PAE), the Fulcio `leaf`,
/// and one Rekor v1 `dsse 0.0.1` entry integrated at `integrated` with both a SET and an
/// inclusion proof whose checkpoint the log key signs.
pub fn keyless_bundle(
    inst: &Instance,
    signer: &TestKey,
    leaf: &[u8],
    statement: &[u8],
    integrated: i64,
) -> Vec<u8> {
    let payload_type = "application/vnd.in-toto+json";
    let sig = signer.sign(&pae(payload_type, statement));
    let envelope = serde_json::json!({"payload": base64::encode(statement), "payloadType": payload_type, "signatures": [{"sig": base64::encode(&sig), "keyid": ""}]});
    let cert_pem = pem::encode("CERTIFICATE", leaf);
    let body = serde_json::to_vec(&serde_json::json!({
        "apiVersion": "0.0.1", "kind": "dsse",
        "spec": {"envelopeHash": {"algorithm": "sha256", "value": hex(&sha256(&serde_json::to_vec(&envelope).unwrap()))},
                 "payloadHash": {"algorithm": "sha256", "value": hex(&sha256(statement))},
                 "signatures": [{"signature": base64::encode(&sig), "verifier": base64::encode(cert_pem.as_bytes())}]}
    }))
    .unwrap();
    let log_id = sha256(&inst.rekor.spki());
    let body_b64 = base64::encode(&body);
    // The SET payload in RFC 8785 form, written out by hand (keys in order, no spaces).
    let set_payload = format!(
        r#"{{"body":"{body_b64}","integratedTime":{integrated},"logID":"{}","logIndex":{BUNDLE_LOG_INDEX}}}"#,
        hex(&log_id)
    );
    let set = inst.rekor.sign(set_payload.as_bytes());
    let (proof, root) = proof_in_tree_of_8(&body);
    // A C2SP signed note: origin, size, root; the signature line carries the key hint (the
    // first 4 bytes of SHA-256 over the log's SPKI, as Rekor v1 does) before the DER signature.
    let note = format!(
        "rekor.test - 1193050959916656506\n8\n{}\n",
        base64::encode(&root)
    );
    let note_sig = [
        &sha256(&inst.rekor.spki())[..4],
        &inst.rekor.sign(note.as_bytes()),
    ]
    .concat();
    let checkpoint = format!(
        "{note}\n\u{2014} rekor.test {}\n",
        base64::encode(&note_sig)
    );
    serde_json::to_vec(&serde_json::json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {
            "certificate": {"rawBytes": base64::encode(leaf)},
            "tlogEntries": [{
                "logIndex": BUNDLE_LOG_INDEX.to_string(),
                "logId": {"keyId": base64::encode(&log_id)},
                "kindVersion": {"kind": "dsse", "version": "0.0.1"},
                "integratedTime": integrated.to_string(),
                "inclusionPromise": {"signedEntryTimestamp": base64::encode(&set)},
                "inclusionProof": {
                    "logIndex": BUNDLE_LOG_INDEX.to_string(),
                    "rootHash": base64::encode(&root),
                    "treeSize": "8",
                    "hashes": proof.iter().map(|h| base64::encode(h)).collect::<Vec<_>>(),
                    "checkpoint": {"envelope": checkpoint}
                },
                "canonicalizedBody": body_b64
            }]
        },
        "dsseEnvelope": envelope
    }))
    .unwrap()
}
