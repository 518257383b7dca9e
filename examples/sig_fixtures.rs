//! Signed test material for the end-to-end tests of the signatures panel
//! (`tests/e2e/signatures.mjs`, `tests/e2e/signatures-bench.mjs`), made by the same
//! test-only signers as the native tests (`tests/signature_support/`), so the browser tests
//! need no crypto of their own beyond Node's. Prints one JSON object on stdout.
//!
//! ```sh
//! cargo run --offline --quiet --example sig_fixtures -- keyless <image digest>
//! cargo run --offline --quiet --example sig_fixtures -- notation <image digest> <media type> <size>
//! ```
//!
//! `keyless`: a test Sigstore instance's `trusted_root.json` and a bundle v0.3 (DSSE in-toto
//! statement naming the image, Fulcio-like certificate with SAN and issuer, SCT, Rekor v1
//! entry with SET and inclusion proof + checkpoint), with the identity and log entry it names.
//! `notation`: a Notation JWS envelope for the image descriptor, signed by an ECDSA P-256 leaf
//! under a test root, and that root (PEM).

#[cfg(not(target_arch = "wasm32"))]
#[allow(dead_code)]
#[path = "../tests/signature_support/layers.rs"]
mod layers;
#[cfg(not(target_arch = "wasm32"))]
#[allow(dead_code)]
#[path = "../tests/signature_support/mod.rs"]
mod signature_support;

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use manifest_explorer::oci::Digest;
    use manifest_explorer::signature::pem;
    use signature_support::{keyless, notation, TestKey};

    let args: Vec<String> = std::env::args().skip(1).collect();
    let digest = |s: &str| {
        s.parse::<Digest>().unwrap_or_else(|e| {
            eprintln!("not a digest: {s}: {e}");
            std::process::exit(2)
        })
    };
    let out = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["keyless", image] => {
            let inst = keyless::instance();
            let signer = TestKey::p256("keyless signer");
            let leaf = keyless::fulcio_leaf(
                &inst,
                &signer,
                keyless::TEST_SAN,
                &inst.intermediate,
                &inst.ct,
            );
            let statement = layers::statement(&digest(image));
            let bundle =
                keyless::keyless_bundle(&inst, &signer, &leaf, &statement, keyless::SIGNED_AT);
            serde_json::json!({
                "trustedRoot": String::from_utf8(keyless::test_trusted_root(&inst)).unwrap(),
                "bundle": String::from_utf8(bundle).unwrap(),
                "san": keyless::TEST_SAN,
                "issuer": keyless::TEST_ISSUER,
                "ca": "https://fulcio.test",
                "logIndex": keyless::BUNDLE_LOG_INDEX,
                "integratedTime": keyless::SIGNED_AT,
                "certificateAuthorities": 1,
                "tlogs": 1,
            })
        }
        ["notation", image, media_type, size] => {
            let size: u64 = size.parse().unwrap_or_else(|_| {
                eprintln!("not a size: {size}");
                std::process::exit(2)
            });
            let f = notation::notation_fixture(TestKey::p256("notation leaf"));
            let payload = notation::notation_payload_for(&digest(image), media_type, size);
            let envelope = notation::jws(&f, notation::notation_header(), payload, None);
            serde_json::json!({
                "envelope": String::from_utf8(envelope).unwrap(),
                "rootPem": pem::encode("CERTIFICATE", &f.root_der),
                "rootName": "Test Notation Root",
            })
        }
        _ => {
            eprintln!(
                "usage: sig_fixtures keyless <digest> | notation <digest> <media type> <size>"
            );
            std::process::exit(2)
        }
    };
    println!("{out}");
}

#[cfg(target_arch = "wasm32")]
fn main() {}
