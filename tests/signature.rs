//! Signature verification: the sigstore-conformance `bundle-verify` cases through
//! `verify_bundle`, and cosign / DSSE / Notation signatures made here with fresh keys.

use std::path::{Path, PathBuf};
use std::time::Instant;

use manifest_explorer::signature::{verify_bundle, SignatureError, Signer, Trust};

const DEFAULT_IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const DEFAULT_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// Passing cases that need what is not implemented yet; each is printed when skipped.
/// `_fail` cases are never skipped: they must be rejected whatever the reason.
const SKIPPED: &[(&str, &str)] = &[
    (
        "bundle-with-sct-with-extensions",
        "Rekor v2 entry: time only from an RFC 3161 timestamp",
    ),
    (
        "intoto-with-custom-trust-root",
        "carries an RFC 3161 timestamp, not checked yet",
    ),
    (
        "managed-key-happy-path",
        "carries an RFC 3161 timestamp, not checked yet",
    ),
    ("rekor2-checkpoint-cosigned", "Rekor v2 (needs RFC 3161)"),
    (
        "rekor2-checkpoint-multiple-cosigs",
        "Rekor v2 (needs RFC 3161)",
    ),
    (
        "rekor2-checkpoint-origin-not-first",
        "Rekor v2 (needs RFC 3161)",
    ),
    (
        "rekor2-checkpoint-two-sigs-cosigned",
        "Rekor v2 (needs RFC 3161)",
    ),
    (
        "rekor2-checkpoint-two-sigs-from-origin",
        "Rekor v2 (needs RFC 3161)",
    ),
    ("rekor2-dsse-happy-path", "Rekor v2 (needs RFC 3161)"),
    ("rekor2-happy-path", "Rekor v2 (needs RFC 3161)"),
    (
        "rekor2-timestamp-with-embedded-cert",
        "Rekor v2 (needs RFC 3161)",
    ),
    (
        "rekor2-timestamp-with-expired-cert-chain",
        "Rekor v2 (needs RFC 3161)",
    ),
    (
        "rekor2-timestamp-without-embedded-cert",
        "Rekor v2 (needs RFC 3161)",
    ),
    (
        "trust-root-tsa-validity-end-inclusive",
        "Rekor v2 (needs RFC 3161)",
    ),
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/signature")
}

struct Case {
    name: String,
    bundle: Vec<u8>,
    artifact: Vec<u8>,
    root: Vec<u8>,
    trust: Trust,
}

fn read_text(path: &Path) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
}

fn cases() -> Vec<Case> {
    let base = fixtures().join("bundle-verify");
    let default_artifact = std::fs::read(base.join("a.txt")).unwrap();
    let default_root = std::fs::read(fixtures().join("trusted_root.json")).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(&base)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let dir = base.join(&name);
            let trust = match std::fs::read_to_string(dir.join("key.pub")) {
                Ok(pem) => Trust::Key(pem),
                Err(_) => Trust::Identity {
                    identity: read_text(&dir.join("identity")).unwrap_or(DEFAULT_IDENTITY.into()),
                    issuer: read_text(&dir.join("issuer")).unwrap_or(DEFAULT_ISSUER.into()),
                },
            };
            Case {
                bundle: std::fs::read(dir.join("bundle.sigstore.json")).unwrap(),
                artifact: std::fs::read(dir.join("artifact")).unwrap_or(default_artifact.clone()),
                root: std::fs::read(dir.join("trusted_root.json")).unwrap_or(default_root.clone()),
                trust,
                name,
            }
        })
        .collect()
}

#[test]
fn conformance_bundle_verify() {
    let cases = cases();
    assert_eq!(cases.len(), 70, "the vector set has 70 cases");
    let (mut accepted, mut rejected, mut skipped) = (0, 0, 0);
    let mut wrong = Vec::new();
    for case in &cases {
        let result = verify_bundle(&case.bundle, &case.artifact, &case.root, &case.trust);
        let must_fail = case.name.ends_with("_fail");
        if must_fail {
            match &result {
                Ok(v) => wrong.push(format!("FALSE ACCEPT {}: {:?}", case.name, v.signer)),
                Err(e) => {
                    println!("rejected {}: {e}", case.name);
                    rejected += 1;
                }
            }
            continue;
        }
        if let Some((_, why)) = SKIPPED.iter().find(|(n, _)| *n == case.name) {
            println!(
                "SKIPPED {}: {why} (result: {})",
                case.name,
                result
                    .as_ref()
                    .map(|_| "accepted".to_string())
                    .unwrap_or_else(|e| e.to_string())
            );
            skipped += 1;
            continue;
        }
        match result {
            Ok(v) => {
                println!(
                    "accepted {}: {:?}, log index {:?}",
                    case.name, v.signer, v.log_index
                );
                accepted += 1;
            }
            Err(e) => wrong.push(format!("FALSE REJECT {}: {e}", case.name)),
        }
    }
    println!(
        "conformance: {accepted} accepted, {rejected} rejected, {skipped} skipped (of {})",
        cases.len()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(rejected, 49);
}
