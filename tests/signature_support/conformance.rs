//! The sigstore-conformance `bundle-verify` cases (tests/fixtures/signature/bundle-verify/),
//! embedded with `include_bytes!` so that the native test (`tests/signature.rs`, RustCrypto)
//! and the browser test (`tests/browser_signature.rs`, WebCrypto) run the very same cases and
//! judge them by the very same rules. The native test also checks that this table lists every
//! case folder with exactly the files it has.

use manifest_explorer::signature::{wording, SignatureError, Trust, Verified};

pub const DEFAULT_IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
pub const DEFAULT_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// (accepted, rejected, skipped) the suite must give.
pub const EXPECTED_TALLY: (usize, usize, usize) = (21, 49, 0);

/// Passing cases that need what is not implemented yet; each is printed when skipped.
/// `_fail` cases are never skipped: they must be rejected whatever the reason.
pub const SKIPPED: &[(&str, &str)] = &[];

/// What each `_fail` case's README says is wrong, as (part of) the sentence that must name
/// it; every `_fail` case is listed, so a case rejected for another reason is an error.
pub fn expected_reason(case: &str) -> Option<String> {
    let r = match case {
        "checkpoint-bad-keyhint_fail"
        | "invalid-checkpoint-signature_fail"
        | "rekor2-checkpoint-no-matching-signature_fail" => wording::CHECKPOINT_INVALID,
        "checkpoint-wrong-roothash_fail"
        | "inclusion-proof-corrupted-hash_fail"
        | "invalid-inclusion-proof_fail" => wording::PROOF_INVALID,
        "integrated-time-in-future_fail"
        | "intoto-expired-certificate_fail"
        | "intoto-set-outside-signing-cert-validity_fail"
        | "intoto-tsa-timestamp-outside-cert-validity_fail"
        | "rekor2-timestamp-with-incorrect-time_fail" => wording::OUTSIDE_VALIDITY,
        "invalid-ct-key_fail" => wording::SCT_INVALID,
        "set-invalid-signature_fail" => wording::SET_INVALID,
        "message-digest-mismatch_fail" | "wrong-material_fail" => "not this image",
        "managed-key-no-key_fail" => wording::NEEDS_KEY,
        "bundle-with-root-cert_fail" => wording::ROOT_IN_CHAIN,
        "intoto-missing-inclusion-proof_fail" | "rekor2-no-inclusion-proof_fail" => {
            wording::NO_PROOF
        }
        "rekor2-no-timestamp_fail" => "no verified signing time",
        "rekor2-timestamp-payload-mismatch_fail" => "does not cover this signature",
        "rekor2-timestamp-outside-trust-root-tsa-validity_fail"
        | "rekor2-timestamp-outside-tsa-cert-validity_fail"
        | "rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail"
        | "rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail" => {
            "not signed by a timestamp authority of the trust root"
        }
        "intoto-log-entry-mismatch_fail"
        | "dsse-mismatch-envelope_fail"
        | "dsse-mismatch-sig_fail"
        | "dsse-invalid-sig_fail"
        | "rekor2-dsse-mismatch-envelope_fail"
        | "rekor2-dsse-mismatch-sig_fail"
        | "rekor2-dsse-invalid-sig_fail"
        | "wrong-hashedrekord-artifact_fail"
        | "wrong-hashedrekord-cert-and-sig_fail"
        | "wrong-hashedrekord-entry_fail"
        | "incorrect-public-key_fail"
        | "signature-mismatch_fail" => wording::LOG_MISMATCH,
        "bundle-from-wrong-instance_fail" => "is not in the trust root",
        "trust-root-tlog-missing-validity-start_fail" => "has no validFor.start",
        "bundle-negative-log-index_fail" => "is negative",
        "bundle-empty-certificate-chain_fail" => "empty certificate chain",
        "bundle-invalid-base64-signature_fail" => "messageSignature.signature",
        "bundle-malformed-json_fail" => "not JSON",
        "bundle-unknown-version_fail" => "not a known Sigstore bundle version",
        "rekor2-checkpoint-missing-log-signature_fail"
        | "rekor2-checkpoint-missing-origin_fail"
        | "rekor2-checkpoint-missing-root-hash_fail"
        | "rekor2-checkpoint-missing-size_fail" => "checkpoint: ",
        // Its key.pub is "…wrongkey==": not a key at all.
        "managed-key-wrong-key_fail" => "PEM",
        _ => return None,
    };
    Some(r.to_string())
}

macro_rules! fixture {
    ($case:literal, $file:expr) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/signature/bundle-verify/",
            $case,
            "/",
            $file
        ))
        .as_slice()
    };
}

/// The files of one case folder besides `bundle.sigstore.json` (`None`: not in the folder).
pub struct CaseFiles {
    pub name: &'static str,
    pub bundle: &'static [u8],
    pub artifact: Option<&'static [u8]>,
    pub root: Option<&'static [u8]>,
    pub key: Option<&'static [u8]>,
    pub identity: Option<&'static [u8]>,
    pub issuer: Option<&'static [u8]>,
}

macro_rules! file_of {
    (artifact) => {
        "artifact"
    };
    (root) => {
        "trusted_root.json"
    };
    (key) => {
        "key.pub"
    };
    (identity) => {
        "identity"
    };
    (issuer) => {
        "issuer"
    };
}

macro_rules! case {
    ($name:literal $(, $file:ident)*) => {{
        #[allow(unused_mut)]
        let mut files = CaseFiles {
            name: $name,
            bundle: fixture!($name, "bundle.sigstore.json"),
            artifact: None,
            root: None,
            key: None,
            identity: None,
            issuer: None,
        };
        $( files.$file = Some(fixture!($name, file_of!($file))); )*
        files
    }};
}

/// Every case folder, sorted by name.
pub fn case_files() -> Vec<CaseFiles> {
    vec![
        case!("bundle-empty-certificate-chain_fail"),
        case!("bundle-from-wrong-instance_fail"),
        case!("bundle-invalid-base64-signature_fail"),
        case!("bundle-malformed-json_fail"),
        case!("bundle-negative-log-index_fail"),
        case!("bundle-unknown-version_fail"),
        case!("bundle-with-root-cert_fail", artifact),
        case!("bundle-with-sct-with-extensions", root),
        case!("checkpoint-bad-keyhint_fail"),
        case!("checkpoint-wrong-roothash_fail"),
        case!("dsse-invalid-sig_fail"),
        case!("dsse-mismatch-envelope_fail"),
        case!("dsse-mismatch-sig_fail"),
        case!("happy-path-intoto-in-dsse-v3"),
        case!("happy-path-v0.1"),
        case!("happy-path-v0.2"),
        case!("happy-path-v0.3"),
        case!("happy-path-v0.3-new-mediaType"),
        case!("inclusion-proof-corrupted-hash_fail"),
        case!("incorrect-public-key_fail"),
        case!("integrated-time-in-future_fail", identity, issuer),
        case!("intoto-expired-certificate_fail", artifact, root),
        case!("intoto-log-entry-mismatch_fail", artifact, root),
        case!("intoto-missing-inclusion-proof_fail", artifact, root),
        case!(
            "intoto-set-outside-signing-cert-validity_fail",
            artifact,
            root
        ),
        case!(
            "intoto-tsa-timestamp-outside-cert-validity_fail",
            artifact,
            root
        ),
        case!("intoto-with-custom-trust-root", artifact, root),
        case!("invalid-checkpoint-signature_fail"),
        case!("invalid-ct-key_fail", root),
        case!("invalid-inclusion-proof_fail"),
        case!("managed-key-and-trusted-root", root, key),
        case!("managed-key-happy-path", key),
        case!("managed-key-no-key_fail"),
        case!("managed-key-wrong-key_fail", key),
        case!("message-digest-mismatch_fail"),
        case!("rekor2-checkpoint-cosigned", root),
        case!("rekor2-checkpoint-missing-log-signature_fail", root),
        case!("rekor2-checkpoint-missing-origin_fail", root),
        case!("rekor2-checkpoint-missing-root-hash_fail", root),
        case!("rekor2-checkpoint-missing-size_fail", root),
        case!("rekor2-checkpoint-multiple-cosigs", root),
        case!("rekor2-checkpoint-no-matching-signature_fail", root),
        case!("rekor2-checkpoint-origin-not-first", root),
        case!("rekor2-checkpoint-two-sigs-cosigned", root),
        case!("rekor2-checkpoint-two-sigs-from-origin", root),
        case!("rekor2-dsse-happy-path", root),
        case!("rekor2-dsse-invalid-sig_fail", root),
        case!("rekor2-dsse-mismatch-envelope_fail", root),
        case!("rekor2-dsse-mismatch-sig_fail", root),
        case!("rekor2-happy-path", root),
        case!("rekor2-no-inclusion-proof_fail", root),
        case!("rekor2-no-timestamp_fail", root),
        case!(
            "rekor2-timestamp-outside-trust-root-tsa-validity_fail",
            root
        ),
        case!("rekor2-timestamp-outside-tsa-cert-validity_fail", root),
        case!("rekor2-timestamp-payload-mismatch_fail", root),
        case!(
            "rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail",
            root
        ),
        case!(
            "rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail",
            root
        ),
        case!("rekor2-timestamp-with-embedded-cert", root),
        case!("rekor2-timestamp-with-expired-cert-chain", root),
        case!("rekor2-timestamp-with-incorrect-time_fail", root),
        case!("rekor2-timestamp-without-embedded-cert", root),
        case!("set-invalid-signature_fail"),
        case!("signature-mismatch_fail"),
        case!("trust-root-tlog-missing-validity-start_fail", root),
        case!("trust-root-tlog-validity-end-inclusive", root),
        case!("trust-root-tsa-validity-end-inclusive", root),
        case!("wrong-hashedrekord-artifact_fail"),
        case!("wrong-hashedrekord-cert-and-sig_fail"),
        case!("wrong-hashedrekord-entry_fail"),
        case!("wrong-material_fail", artifact),
    ]
}

pub struct Case {
    pub name: &'static str,
    pub bundle: &'static [u8],
    pub artifact: &'static [u8],
    pub root: &'static [u8],
    pub trust: Trust,
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim().to_string()
}

/// The cases with the suite's defaults filled in (`a.txt`, the public-good trust root, the
/// default identity and issuer; `key.pub` means a key-based case).
pub fn cases() -> Vec<Case> {
    let default_artifact = include_bytes!("../fixtures/signature/bundle-verify/a.txt");
    let default_root = include_bytes!("../fixtures/signature/trusted_root.json");
    case_files()
        .into_iter()
        .map(|f| Case {
            name: f.name,
            bundle: f.bundle,
            artifact: f.artifact.unwrap_or(default_artifact),
            root: f.root.unwrap_or(default_root),
            trust: match f.key {
                Some(pem) => Trust::Key(String::from_utf8_lossy(pem).into_owned()),
                None => Trust::Identity {
                    identity: f.identity.map(text).unwrap_or(DEFAULT_IDENTITY.into()),
                    issuer: f.issuer.map(text).unwrap_or(DEFAULT_ISSUER.into()),
                },
            },
        })
        .collect()
}

/// How a backend did on the suite.
#[derive(Debug, Default)]
pub struct Tally {
    pub accepted: usize,
    pub rejected: usize,
    pub skipped: usize,
    /// False accepts, false rejects and rejections for another reason than the README's.
    pub wrong: Vec<String>,
    /// One line per case (printed by the tests).
    pub log: Vec<String>,
}

/// Judges each case's result: every `_fail` case rejected for its README's reason, every
/// other case accepted (unless listed in [`SKIPPED`]).
pub fn judge<'a>(
    results: impl IntoIterator<Item = (&'a Case, Result<Verified, SignatureError>)>,
) -> Tally {
    let mut t = Tally::default();
    for (case, result) in results {
        if case.name.ends_with("_fail") {
            match &result {
                Ok(v) => t
                    .wrong
                    .push(format!("FALSE ACCEPT {}: {:?}", case.name, v.signer)),
                Err(e) => {
                    t.log.push(format!("rejected {}: {e}", case.name));
                    if let Some(reason) = expected_reason(case.name) {
                        if !e.to_string().contains(&reason) {
                            t.wrong.push(format!(
                                "WRONG REASON {}: {e} (expected {reason:?})",
                                case.name
                            ));
                        }
                    }
                    t.rejected += 1;
                }
            }
            continue;
        }
        if let Some((_, why)) = SKIPPED.iter().find(|(n, _)| *n == case.name) {
            let outcome = match &result {
                Ok(_) => "accepted".to_string(),
                Err(e) => e.to_string(),
            };
            t.log
                .push(format!("SKIPPED {}: {why} (result: {outcome})", case.name));
            t.skipped += 1;
            continue;
        }
        match result {
            Ok(v) => {
                t.log.push(format!(
                    "accepted {}: {:?}, log index {:?}",
                    case.name, v.signer, v.log_index
                ));
                t.accepted += 1;
            }
            Err(e) => t.wrong.push(format!("FALSE REJECT {}: {e}", case.name)),
        }
    }
    t
}
