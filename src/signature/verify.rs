//! The verification pipeline shared by Sigstore bundles and cosign legacy signatures, once
//! their formats are read into [`Evidence`]: transparency log (SET, inclusion proof,
//! checkpoint, body ↔ signature match), signer (supplied key, or Fulcio certificate: chain,
//! validity at the logged time, SCT, code-signing EKU, identity), then the signature itself.
//! Binding (does the signed payload name the right digest) is done by the callers *before*
//! this, because it needs no key at all.
//!
//! Every step appends a [`Check`]; the first failure stops with a [`Stop`] carrying the
//! verdict class and its wording (from `wording.rs`).

use sha2::{Digest as _, Sha256};

use super::crypto::{hex, Crypto, CryptoError, Hash, PublicKey, SigAlg};
use super::der;
use super::dsse::Envelope;
use super::tlog::{self, Checkpoint};
use super::trust_root::{log_name, LogKey, TrustedRoot};
use super::tsa::{Timestamp, TsaError};
use super::wording as w;
use super::x509::{self, Certificate, ChainError, OID_CODE_SIGNING};
use crate::oci::base64;
use crate::oci::json::{self, Json};

/// The result of one check, as the check list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Failed(String),
    NotChecked(String),
}

/// One line of a check list: what was checked against what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub what: String,
    pub against: String,
    pub outcome: Outcome,
}

/// Why verification stopped: the verdict class and its sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    Invalid(String),
    NotVerifiable(String),
}

impl From<CryptoError> for Stop {
    fn from(e: CryptoError) -> Stop {
        match e {
            CryptoError::Unsupported(alg) => Stop::NotVerifiable(w::unsupported_algorithm(&alg)),
            CryptoError::Backend(m) => Stop::NotVerifiable(m),
        }
    }
}

/// The check list under construction.
#[derive(Debug, Default)]
pub struct Checks(pub Vec<Check>);

impl Checks {
    pub fn pass(&mut self, what: impl Into<String>, against: impl Into<String>) {
        self.0.push(Check {
            what: what.into(),
            against: against.into(),
            outcome: Outcome::Passed,
        });
    }

    pub fn not_checked(&mut self, what: impl Into<String>, why: impl Into<String>) {
        self.0.push(Check {
            what: what.into(),
            against: String::new(),
            outcome: Outcome::NotChecked(why.into()),
        });
    }

    /// Records a failed check and returns the stop to propagate.
    pub fn fail(
        &mut self,
        what: impl Into<String>,
        against: impl Into<String>,
        stop: Stop,
    ) -> Stop {
        let reason = match &stop {
            Stop::Invalid(r) | Stop::NotVerifiable(r) => r.clone(),
        };
        self.0.push(Check {
            what: what.into(),
            against: against.into(),
            outcome: Outcome::Failed(reason),
        });
        stop
    }
}

/// What signed it, as read from the signature object (nothing verified yet).
#[derive(Clone, Debug)]
pub enum Material {
    /// A bundle `publicKey` hint or a legacy signature without certificate.
    Key,
    /// The leaf certificate and any further certificates shipped beside it.
    Certificate {
        leaf: Box<Certificate>,
        extra: Vec<Certificate>,
    },
}

/// What was signed.
#[derive(Clone, Debug)]
pub enum Content {
    /// A signature over `message` itself (bundle `messageSignature` over the artifact, cosign
    /// legacy over the simple-signing payload).
    Message {
        message: Vec<u8>,
        signature: Vec<u8>,
    },
    /// A DSSE envelope: the signature covers PAE(payloadType, payload).
    Dsse(Envelope),
}

/// A Rekor inclusion proof as carried by a bundle.
#[derive(Clone, Debug)]
pub struct Proof {
    pub log_index: i64,
    pub tree_size: i64,
    pub root_hash: Vec<u8>,
    pub hashes: Vec<[u8; 32]>,
    /// Optional in v0.1 bundles (which rely on the signed entry timestamp).
    pub checkpoint: Option<String>,
}

/// A transparency log entry.
#[derive(Clone, Debug)]
pub struct Entry {
    pub log_index: i64,
    pub log_id: Vec<u8>,
    pub kind: String,
    pub version: String,
    pub integrated_time: Option<i64>,
    pub set: Option<Vec<u8>>,
    pub body: Vec<u8>,
    pub proof: Option<Proof>,
}

#[derive(Clone, Debug)]
pub struct Evidence {
    pub material: Material,
    pub content: Content,
    pub entries: Vec<Entry>,
    /// RFC 3161 timestamp tokens over the signature (each must verify).
    pub timestamps: Vec<Vec<u8>>,
    /// Bundles v0.2+ must carry an inclusion proof (`sigstore_bundle.proto`).
    pub require_proof: bool,
}

/// What the person asked to check against.
#[derive(Clone, Copy, Debug)]
pub struct Policy<'a> {
    pub key: Option<&'a PublicKey>,
    /// Expected SAN and OIDC issuer, compared exactly.
    pub identity: Option<(&'a str, &'a str)>,
    /// Whether a keyless signature without an expected identity may still be reported as
    /// valid ("signed by X", with the reminder). `verify_bundle` says no, the UI says yes.
    pub allow_any_identity: bool,
    pub root: &'a TrustedRoot,
    pub root_date: &'a str,
}

/// Who signed, once verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Signer {
    Key {
        fingerprint: String,
        algorithm: String,
    },
    Certificate {
        identity: String,
        issuer: String,
        ca: String,
        /// Whether an expected identity was given and matched (else anyone's certificate).
        expected: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogRecord {
    pub log_index: i64,
    pub log: String,
    pub integrated_time: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Passed {
    pub signer: Signer,
    pub log: Option<LogRecord>,
    /// `genTime` of every verified RFC 3161 timestamp.
    pub timestamps: Vec<i64>,
}

pub fn run(
    evidence: &Evidence,
    policy: &Policy<'_>,
    crypto: &dyn Crypto,
    checks: &mut Checks,
) -> Result<Passed, Stop> {
    // Shape rules before anything else.
    if let Content::Dsse(env) = &evidence.content {
        if env.signatures.len() != 1 {
            return Err(checks.fail(
                "DSSE envelope",
                "exactly one signature",
                Stop::Invalid(format!(
                    "DSSE envelope carries {} signatures; exactly one is allowed",
                    env.signatures.len()
                )),
            ));
        }
    }
    if let Material::Certificate { extra, .. } = &evidence.material {
        if extra.iter().any(Certificate::is_self_issued) {
            return Err(checks.fail(
                "certificate chain",
                "no root shipped with the signature",
                Stop::Invalid(w::ROOT_IN_CHAIN.into()),
            ));
        }
    }

    // Signer key, decided before the log so that the body can be matched against it.
    let (signer_key, leaf) = match (&evidence.material, policy.key) {
        (Material::Key, None) => {
            return Err(checks.fail(
                "signer",
                "a public key",
                Stop::NotVerifiable(w::NEEDS_KEY.into()),
            ))
        }
        (Material::Key, Some(key)) => (key.clone(), None),
        (Material::Certificate { leaf, .. }, Some(key)) => {
            // A key was supplied for a certificate-carrying signature: the certificate's key
            // must be that key (cosign `--key` with a certificate), and then it is key-based.
            if leaf.spki() != key.spki() {
                return Err(checks.fail(
                    "certificate key",
                    format!("key {}", key.fingerprint()),
                    Stop::Invalid(w::WRONG_KEY.into()),
                ));
            }
            (key.clone(), None)
        }
        (Material::Certificate { leaf, .. }, None) => {
            let key = leaf.public_key().map_err(|e| {
                checks.fail("certificate key", "", Stop::NotVerifiable(e.to_string()))
            })?;
            (key, Some(leaf.as_ref()))
        }
    };

    // RFC 3161 timestamps over the signature: each must verify, each gives a signing time.
    let signature_bytes = match &evidence.content {
        Content::Message { signature, .. } => signature,
        Content::Dsse(env) => &env.signatures[0].sig,
    };
    let mut tsa_times = Vec::new();
    for token in &evidence.timestamps {
        let time = Timestamp::parse(token)
            .and_then(|t| t.verify(signature_bytes, policy.root, crypto))
            .map_err(|e| {
                let stop = match e {
                    TsaError::Crypto(c) => Stop::from(c),
                    TsaError::Unsupported(a) => Stop::NotVerifiable(w::unsupported_algorithm(&a)),
                    other => Stop::Invalid(other.to_string()),
                };
                checks.fail(
                    "RFC 3161 timestamp",
                    "the trust root's timestamp authorities",
                    stop,
                )
            })?;
        checks.pass(
            "RFC 3161 timestamp",
            format!(
                "{} from a timestamp authority of the trust root",
                der::unix_to_rfc3339(time)
            ),
        );
        tsa_times.push(time);
    }

    // A certificate from another Sigstore instance (its issuer is none of the trust root's
    // CAs) is named as such before its log, which that instance's root would list too.
    if let Some(leaf) = leaf {
        if !issuer_in_root(leaf, policy) {
            return Err(checks.fail(
                "certificate chain",
                "the trust root's certificate authorities",
                Stop::NotVerifiable(w::untrusted_instance(policy.root_date)),
            ));
        }
    }

    // Transparency log.
    let mut log = None;
    let mut times = tsa_times.clone();
    if evidence.entries.is_empty() && leaf.is_some() {
        return Err(checks.fail(
            "transparency log",
            "an entry",
            Stop::NotVerifiable(w::NO_LOG_ENTRY.into()),
        ));
    }
    for entry in &evidence.entries {
        let record = check_entry(
            entry,
            evidence,
            SignerRef {
                key: &signer_key,
                leaf,
            },
            &tsa_times,
            policy,
            crypto,
            checks,
        )?;
        times.extend(record.integrated_time);
        log = log.or(Some(record));
    }
    if evidence.entries.is_empty() {
        checks.not_checked(
            "transparency log",
            "no log entry (the signature was not logged)",
        );
    }

    // Signer.
    let signer = match leaf {
        None => {
            // The key is the supplied one (checked above); the log body and the signature
            // below are what tie it to this signature.
            checks.pass(
                "signer key",
                format!(
                    "{} ({}), key you supplied",
                    signer_key.fingerprint(),
                    signer_key.description()
                ),
            );
            Signer::Key {
                fingerprint: signer_key.fingerprint(),
                algorithm: signer_key.description(),
            }
        }
        Some(leaf) => {
            if times.is_empty() {
                return Err(checks.fail(
                    "signing time",
                    "a signed entry timestamp or an RFC 3161 timestamp",
                    Stop::NotVerifiable(w::NO_VERIFIED_TIME.into()),
                ));
            }
            check_certificate(leaf, &times, policy, crypto, checks)?
        }
    };

    // The signature itself.
    let alg = signer_key.default_alg();
    let (message, signature) = match &evidence.content {
        Content::Message { message, signature } => (message.clone(), signature),
        Content::Dsse(env) => (env.pae(), &env.signatures[0].sig),
    };
    let ok = match signer_key.signature_from_der(signature) {
        Ok(raw) => crypto
            .verify(&signer_key, alg, &message, &raw)
            .map_err(Stop::from)?,
        Err(_) => false,
    };
    let what = match evidence.content {
        Content::Message { .. } => "signature over the payload",
        Content::Dsse(_) => "DSSE signature over PAE(payloadType, payload)",
    };
    if !ok {
        return Err(checks.fail(
            what,
            format!("{} ({})", signer_key.fingerprint(), alg.name()),
            Stop::Invalid(w::SIGNATURE_MISMATCH.into()),
        ));
    }
    checks.pass(
        what,
        format!("{} ({})", signer_key.fingerprint(), alg.name()),
    );

    Ok(Passed {
        signer,
        log,
        timestamps: tsa_times,
    })
}

/// The signer a log body must name: the key, and the leaf certificate when keyless.
#[derive(Clone, Copy)]
struct SignerRef<'a> {
    key: &'a PublicKey,
    leaf: Option<&'a Certificate>,
}

/// What a log entry's inclusion proof must bring.
#[derive(Clone, Copy)]
struct ProofRule {
    require_checkpoint: bool,
    rekor_v2: bool,
}

fn check_entry(
    entry: &Entry,
    evidence: &Evidence,
    signer: SignerRef<'_>,
    tsa_times: &[i64],
    policy: &Policy<'_>,
    crypto: &dyn Crypto,
    checks: &mut Checks,
) -> Result<LogRecord, Stop> {
    let log_hex = hex(&entry.log_id);
    if entry.log_index < 0 {
        return Err(checks.fail(
            "log index",
            "non-negative",
            Stop::Invalid(format!("log index {} is negative", entry.log_index)),
        ));
    }
    let supported = matches!(
        (entry.kind.as_str(), entry.version.as_str()),
        ("hashedrekord", "0.0.1" | "0.0.2") | ("dsse", "0.0.1") | ("intoto", "0.0.1" | "0.0.2")
    );
    if !supported {
        return Err(checks.fail(
            "log entry type",
            "hashedrekord 0.0.1 / 0.0.2, dsse 0.0.1, intoto 0.0.1 / 0.0.2",
            Stop::NotVerifiable(w::unsupported_algorithm(&format!(
                "log entry type {} {}",
                entry.kind, entry.version
            ))),
        ));
    }
    // Rekor v2 entries carry no signed time: the log key must be trusted at the RFC 3161
    // times instead (sigstore-go `VerifyTlogEntry` with a v2 log).
    let rekor_v2 = entry.kind == "hashedrekord" && entry.version == "0.0.2";
    let log = policy.root.tlog(&entry.log_id).ok_or_else(|| {
        checks.fail(
            "transparency log",
            "the trust root's logs",
            Stop::NotVerifiable(w::untrusted_log(&log_hex, policy.root_date)),
        )
    })?;
    let log_key = log
        .key
        .clone()
        .map_err(|e| checks.fail("log key", &log.base_url, Stop::NotVerifiable(e.to_string())))?;

    // The body must describe this very signature (CVE-2022-36056, GHSA-whqx-f9j3-ch6m).
    match_body(entry, evidence, signer).map_err(|why| {
        checks.fail(
            "log entry body",
            "the signature, key or certificate, and payload",
            Stop::Invalid(format!("{}: {why}", w::LOG_MISMATCH)),
        )
    })?;
    checks.pass(
        "log entry body",
        format!(
            "{} {}: same signature, signer and payload digest",
            entry.kind, entry.version
        ),
    );

    let mut verified_time = None;
    if let (Some(set), Some(time)) = (&entry.set, entry.integrated_time) {
        let payload = tlog::set_payload(
            &base64::encode(&entry.body),
            time,
            &entry.log_id,
            entry.log_index,
        )
        .map_err(|e| Stop::NotVerifiable(e.to_string()))?;
        let ok = match log_key.signature_from_der(set) {
            Ok(raw) => crypto.verify(&log_key, log_key.default_alg(), &payload, &raw)?,
            Err(_) => false,
        };
        if !ok {
            return Err(checks.fail(
                "signed entry timestamp",
                format!("log key {}", log.base_url),
                Stop::Invalid(w::SET_INVALID.into()),
            ));
        }
        if !log.valid.contains(time) {
            return Err(checks.fail(
                "log key validity",
                format!("integrated time {}", der::unix_to_rfc3339(time)),
                Stop::Invalid(format!(
                    "log entry integrated at {}, outside the log key's validity in the trust root",
                    der::unix_to_rfc3339(time)
                )),
            ));
        }
        checks.pass(
            "signed entry timestamp",
            format!(
                "log key {} (integrated {})",
                log.base_url,
                der::unix_to_rfc3339(time)
            ),
        );
        verified_time = Some(time);
    } else if !evidence.require_proof && entry.proof.is_none() {
        return Err(checks.fail(
            "log entry",
            "a signed entry timestamp or an inclusion proof",
            Stop::Invalid(w::NO_PROMISE.into()),
        ));
    }

    if rekor_v2 {
        if let Some(&t) = tsa_times.iter().find(|&&t| !log.valid.contains(t)) {
            return Err(checks.fail(
                "log key validity",
                format!("timestamp {}", der::unix_to_rfc3339(t)),
                Stop::Invalid(format!(
                    "signature timestamped at {}, outside the log key's validity in the trust root",
                    der::unix_to_rfc3339(t)
                )),
            ));
        }
    }
    let require_proof = evidence.require_proof || rekor_v2;
    match &entry.proof {
        Some(proof) => check_proof(
            entry,
            proof,
            ProofRule {
                require_checkpoint: require_proof,
                rekor_v2,
            },
            log,
            &log_key,
            crypto,
            checks,
        )?,
        None if require_proof => {
            return Err(checks.fail(
                "inclusion proof",
                "bundle v0.2+ and Rekor v2 entries require one",
                Stop::Invalid(w::NO_PROOF.into()),
            ))
        }
        None => checks.not_checked(
            "inclusion proof",
            "none in the signature (the signed entry timestamp is the log's promise)",
        ),
    }
    Ok(LogRecord {
        log_index: entry.log_index,
        log: log.base_url.clone(),
        integrated_time: verified_time,
    })
}

fn check_proof(
    entry: &Entry,
    proof: &Proof,
    rule: ProofRule,
    log: &LogKey,
    log_key: &PublicKey,
    crypto: &dyn Crypto,
    checks: &mut Checks,
) -> Result<(), Stop> {
    let invalid = |checks: &mut Checks, what: &str, why: &str| {
        checks.fail(what.to_string(), "", Stop::Invalid(why.to_string()))
    };
    let (Ok(index), Ok(size)) = (
        u64::try_from(proof.log_index),
        u64::try_from(proof.tree_size),
    ) else {
        return Err(invalid(
            checks,
            "inclusion proof",
            "negative index or tree size",
        ));
    };
    let root =
        tlog::root_from_inclusion_proof(index, size, tlog::leaf_hash(&entry.body), &proof.hashes)
            .map_err(|e| invalid(checks, "inclusion proof", &e.to_string()))?;
    if root.as_slice() != proof.root_hash.as_slice() {
        return Err(invalid(checks, "inclusion proof", w::PROOF_INVALID));
    }
    let Some(note) = &proof.checkpoint else {
        if rule.require_checkpoint {
            return Err(invalid(checks, "checkpoint", w::NO_CHECKPOINT));
        }
        checks.not_checked("inclusion proof", "the proof leads to its root hash, but no checkpoint signs that root (the signed entry timestamp is the log's promise)");
        return Ok(());
    };
    let checkpoint =
        Checkpoint::parse(note).map_err(|e| invalid(checks, "checkpoint", &e.to_string()))?;
    if checkpoint.size != size || checkpoint.root_hash != proof.root_hash {
        return Err(invalid(checks, "checkpoint", w::PROOF_INVALID));
    }
    // Rekor v2 checkpoints name the log as their origin (rekor-v2-spec); v1 origins add a
    // tree ID ("rekor.sigstore.dev - 2605736670972794746").
    let name = log_name(&log.base_url);
    if rule.rekor_v2 && checkpoint.origin != name {
        return Err(invalid(checks, "checkpoint", w::CHECKPOINT_INVALID));
    }
    if !checkpoint
        .signed_by(name, log_key, crypto)
        .map_err(|e| Stop::NotVerifiable(e.to_string()))?
    {
        return Err(invalid(
            checks,
            "checkpoint signature",
            w::CHECKPOINT_INVALID,
        ));
    }
    checks.pass(
        "inclusion proof",
        format!(
            "checkpoint of {} (tree size {size}), signed by the log",
            checkpoint.origin
        ),
    );
    Ok(())
}

/// Compares a log entry body with the signature it should record. `Err` says what differs.
fn match_body(entry: &Entry, evidence: &Evidence, signer: SignerRef<'_>) -> Result<(), String> {
    let (signer_key, leaf) = (signer.key, signer.leaf);
    let body = json::parse(&entry.body, json::DEFAULT_MAX_DEPTH).map_err(|e| e.to_string())?;
    let text = |p: &str| body.pointer(p).and_then(Json::as_str);
    if text("/kind") != Some(entry.kind.as_str())
        || text("/apiVersion") != Some(entry.version.as_str())
    {
        return Err("kind or apiVersion differ from the bundle's kindVersion".into());
    }
    let hex_of = |b: &[u8]| hex(&Sha256::digest(b));
    // The signer as the log recorded it: a PEM certificate or public key, base64-wrapped.
    let signer_matches = |b64: Option<&str>| -> bool {
        let Some(pem) = b64
            .and_then(|s| base64::decode(s).ok())
            .and_then(|b| String::from_utf8(b).ok())
        else {
            return false;
        };
        let Ok(blocks) = super::pem::parse(&pem) else {
            return false;
        };
        match (blocks.first(), leaf) {
            (Some((label, der)), Some(leaf)) if label == "CERTIFICATE" => der == leaf.der(),
            (Some((label, der)), None) if label == "CERTIFICATE" => {
                Certificate::from_der(der).is_ok_and(|c| c.spki() == signer_key.spki())
            }
            (Some((label, der)), None) if label == "PUBLIC KEY" => der == signer_key.spki(),
            _ => false,
        }
    };
    match (&evidence.content, entry.kind.as_str()) {
        // Rekor v2 (rekor-v2-spec §6.1): hashedrekord 0.0.2 records the digest of what was
        // signed (the artifact, or PAE for DSSE), the signature and the verifier DER.
        (content, "hashedrekord") if entry.version == "0.0.2" => {
            let (signed, signature) = match content {
                Content::Message { message, signature } => (Sha256::digest(message), signature),
                Content::Dsse(env) => (Sha256::digest(env.pae()), &env.signatures[0].sig),
            };
            let spec = "/spec/hashedRekordV002";
            let b64_at = |p: &str| text(&format!("{spec}{p}")).and_then(|s| base64::decode(s).ok());
            if text(&format!("{spec}/data/algorithm")) != Some("SHA2_256")
                || b64_at("/data/digest").as_deref() != Some(signed.as_slice())
            {
                return Err("the logged digest is not the signed content's".into());
            }
            if b64_at("/signature/content").as_deref() != Some(signature.as_slice()) {
                return Err("the logged signature differs".into());
            }
            let verifier_ok = match leaf {
                Some(leaf) => {
                    b64_at("/signature/verifier/x509Certificate/rawBytes").as_deref()
                        == Some(leaf.der())
                }
                None => {
                    b64_at("/signature/verifier/publicKey/rawBytes").as_deref()
                        == Some(signer_key.spki())
                }
            };
            if !verifier_ok {
                return Err("the logged certificate or key differs".into());
            }
        }
        (Content::Message { message, signature }, "hashedrekord") => {
            if text("/spec/data/hash/algorithm") != Some("sha256")
                || text("/spec/data/hash/value") != Some(hex_of(message).as_str())
            {
                return Err("the logged artifact hash is not the payload's".into());
            }
            if text("/spec/signature/content")
                .and_then(|s| base64::decode(s).ok())
                .as_deref()
                != Some(signature.as_slice())
            {
                return Err("the logged signature differs".into());
            }
            if !signer_matches(text("/spec/signature/publicKey/content")) {
                return Err("the logged certificate or key differs".into());
            }
        }
        (Content::Dsse(env), "dsse") => {
            if text("/spec/payloadHash/algorithm") != Some("sha256")
                || text("/spec/payloadHash/value") != Some(hex_of(&env.payload).as_str())
            {
                return Err("the logged payload hash is not the envelope's".into());
            }
            let sigs = body
                .pointer("/spec/signatures")
                .and_then(Json::as_array)
                .unwrap_or_default();
            let found = sigs.iter().any(|s| {
                s.get("signature")
                    .and_then(Json::as_str)
                    .and_then(|x| base64::decode(x).ok())
                    .as_deref()
                    == Some(env.signatures[0].sig.as_slice())
                    && signer_matches(s.get("verifier").and_then(Json::as_str))
            });
            if sigs.len() != 1 || !found {
                return Err("the logged signature or verifier differs".into());
            }
        }
        // intoto 0.0.1 (cosign legacy attestations) records the payload hash and the signer,
        // not the signature itself.
        (Content::Dsse(env), "intoto") if entry.version == "0.0.1" => {
            if text("/spec/content/payloadHash/algorithm") != Some("sha256")
                || text("/spec/content/payloadHash/value") != Some(hex_of(&env.payload).as_str())
            {
                return Err("the logged payload hash is not the envelope's".into());
            }
            if !signer_matches(text("/spec/publicKey")) {
                return Err("the logged public key differs".into());
            }
        }
        (Content::Dsse(env), "intoto") => {
            if text("/spec/content/payloadHash/algorithm") != Some("sha256")
                || text("/spec/content/payloadHash/value") != Some(hex_of(&env.payload).as_str())
            {
                return Err("the logged payload hash is not the envelope's".into());
            }
            let sigs = body
                .pointer("/spec/content/envelope/signatures")
                .and_then(Json::as_array)
                .unwrap_or_default();
            // intoto 0.0.2 stores the signature base64-encoded twice.
            let found = sigs.iter().any(|s| {
                s.get("sig")
                    .and_then(Json::as_str)
                    .and_then(|x| base64::decode(x).ok())
                    .and_then(|x| String::from_utf8(x).ok())
                    .and_then(|x| base64::decode(&x).ok())
                    .as_deref()
                    == Some(env.signatures[0].sig.as_slice())
                    && signer_matches(s.get("publicKey").and_then(Json::as_str))
            });
            if sigs.len() != 1 || !found {
                return Err("the logged signature or public key differs".into());
            }
        }
        _ => {
            return Err(format!(
                "a {} entry cannot record this kind of signature",
                entry.kind
            ))
        }
    }
    Ok(())
}

/// Whether the leaf's issuer is the first certificate of one of the trust root's CAs (by name;
/// the signatures are checked in [`check_certificate`]).
fn issuer_in_root(leaf: &Certificate, policy: &Policy<'_>) -> bool {
    policy
        .root
        .certificate_authorities
        .iter()
        .any(|ca| ca.chain.first().is_some_and(|c| c.subject == leaf.issuer))
}

fn check_certificate(
    leaf: &Certificate,
    times: &[i64],
    policy: &Policy<'_>,
    crypto: &dyn Crypto,
    checks: &mut Checks,
) -> Result<Signer, Stop> {
    let when = times
        .iter()
        .map(|&t| der::unix_to_rfc3339(t))
        .collect::<Vec<_>>()
        .join(", ");
    if let Some(&t) = times.iter().find(|&&t| !leaf.valid_at(t)) {
        return Err(checks.fail(
            "certificate validity",
            format!(
                "signing time {} (certificate valid {} to {})",
                der::unix_to_rfc3339(t),
                der::unix_to_rfc3339(leaf.not_before),
                der::unix_to_rfc3339(leaf.not_after)
            ),
            Stop::Invalid(w::OUTSIDE_VALIDITY.into()),
        ));
    }
    checks.pass(
        "certificate validity",
        format!("verified signing time {when}"),
    );

    // Chain: only CAs from the trust root, each trusted at every verified signing time.
    let mut chained = None;
    'cas: for ca in &policy.root.certificate_authorities {
        let Some(first) = ca.chain.first() else {
            continue;
        };
        if first.subject != leaf.issuer {
            continue;
        }
        for &time in times {
            if !ca.valid.contains(time) {
                continue 'cas;
            }
            match x509::verify_chain(leaf, &ca.chain, time, crypto) {
                Ok(()) => {}
                Err(ChainError::UnsupportedAlgorithm(alg)) => {
                    return Err(checks.fail(
                        "certificate chain",
                        &ca.uri,
                        Stop::NotVerifiable(w::unsupported_algorithm(&alg)),
                    ))
                }
                Err(ChainError::Crypto(e)) => {
                    return Err(checks.fail("certificate chain", &ca.uri, e.into()))
                }
                Err(_) => continue 'cas,
            }
        }
        chained = Some(ca);
        break;
    }
    // The issuer is one of the root's CAs (`run` checked): a chain that fails now is forged or
    // broken, not from another instance.
    let Some(ca) = chained else {
        return Err(checks.fail(
            "certificate chain",
            format!("issuer {}", x509::name_summary(&leaf.issuer)),
            Stop::Invalid(w::NO_CHAIN.into()),
        ));
    };
    checks.pass(
        "certificate chain",
        format!(
            "{} ({}), trusted at {when}",
            ca.uri,
            ca.chain
                .last()
                .map(Certificate::subject_summary)
                .unwrap_or_default()
        ),
    );

    if !leaf.has_ext_key_usage(OID_CODE_SIGNING) || leaf.key_usage(0) == Some(false) || leaf.is_ca()
    {
        return Err(checks.fail(
            "certificate usage",
            "code signing",
            Stop::Invalid(w::NOT_CODE_SIGNING.into()),
        ));
    }
    checks.pass("certificate usage", "code signing, not a CA");

    check_sct(leaf, &ca.chain[0], policy.root, crypto).map_err(|stop| {
        checks.fail(
            "signed certificate timestamp",
            "the trust root's CT logs",
            stop,
        )
    })?;
    checks.pass("signed certificate timestamp", "a CT log in the trust root");

    let sans = leaf.sans();
    let san = sans
        .first()
        .map(|s| s.value().to_string())
        .unwrap_or_default();
    let issuer = leaf.oidc_issuer().unwrap_or_default();
    let expected = match policy.identity {
        Some((identity, expected_issuer)) => {
            if !sans.iter().any(|s| s.value() == identity) || issuer != expected_issuer {
                return Err(checks.fail(
                    "identity",
                    format!("{identity} (issuer {expected_issuer})"),
                    Stop::Invalid(w::not_expected(&san, &issuer, identity, expected_issuer)),
                ));
            }
            checks.pass("identity", w::matches_expected(identity, expected_issuer));
            true
        }
        None if policy.allow_any_identity => {
            checks.not_checked("identity", w::ANYONE_CAN_GET_A_CERTIFICATE);
            false
        }
        None => {
            return Err(checks.fail(
                "identity",
                "an expected identity",
                Stop::NotVerifiable(w::NEEDS_IDENTITY.into()),
            ))
        }
    };
    Ok(Signer::Certificate {
        identity: san,
        issuer,
        ca: w::ca_name(&ca.uri),
        expected,
    })
}

/// RFC 6962 §3.2: at least one embedded SCT verifies under a trusted CT log key over the
/// precert entry (issuer key hash ‖ TBS without the SCT extension).
fn check_sct(
    leaf: &Certificate,
    issuer: &Certificate,
    root: &TrustedRoot,
    crypto: &dyn Crypto,
) -> Result<(), Stop> {
    let invalid = || Stop::Invalid(w::SCT_INVALID.into());
    let ext = leaf.extension(x509::OID_SCT_LIST).ok_or_else(invalid)?;
    let tbs = leaf.precert_tbs().ok_or_else(invalid)?;
    let list = der::single(&ext.value, der::OCTET_STRING, "SCT list")
        .map_err(|_| invalid())?
        .value;
    let mut r = Tls::new(list);
    let mut scts = Tls::new(r.vec16().ok_or_else(invalid)?);
    if !r.is_empty() {
        return Err(invalid());
    }
    let issuer_key_hash = Sha256::digest(issuer.spki());
    while !scts.is_empty() {
        let Some(sct) = scts.vec16() else {
            return Err(invalid());
        };
        let mut s = Tls::new(sct);
        let (
            Some(version),
            Some(log_id),
            Some(timestamp),
            Some(extensions),
            Some(hash),
            Some(sig_alg),
            Some(signature),
        ) = (
            s.u8(),
            s.bytes(32),
            s.u64(),
            s.vec16(),
            s.u8(),
            s.u8(),
            s.vec16(),
        )
        else {
            continue;
        };
        if version != 0 || !s.is_empty() {
            continue;
        }
        let Some(log) = root.ctlog(log_id) else {
            continue;
        };
        let Ok(key) = &log.key else { continue };
        let Ok(seconds) = i64::try_from(timestamp / 1000) else {
            continue;
        };
        if !log.valid.contains(seconds) {
            continue;
        }
        // TLS SignatureAndHashAlgorithm: hash 4 = SHA-256, signature 3 = ECDSA, 1 = RSA.
        let alg = match (hash, sig_alg) {
            (4, 3) => SigAlg::Ecdsa(Hash::Sha256),
            (4, 1) => SigAlg::RsaPkcs1(Hash::Sha256),
            _ => continue,
        };
        if !key.accepts(alg) {
            continue;
        }
        let mut signed = vec![0u8, 0u8];
        signed.extend_from_slice(&timestamp.to_be_bytes());
        signed.extend_from_slice(&[0, 1]);
        signed.extend_from_slice(&issuer_key_hash);
        let len = u32::try_from(tbs.len()).map_err(|_| invalid())?;
        signed.extend_from_slice(&len.to_be_bytes()[1..]);
        signed.extend_from_slice(&tbs);
        signed.extend_from_slice(
            &u16::try_from(extensions.len())
                .map_err(|_| invalid())?
                .to_be_bytes(),
        );
        signed.extend_from_slice(extensions);
        let Ok(raw) = key.signature_from_der(signature) else {
            continue;
        };
        if crypto.verify(key, alg, &signed, &raw)? {
            return Ok(());
        }
    }
    Err(invalid())
}

/// A reader for TLS presentation-language structures (RFC 8446 §3), for SCTs.
struct Tls<'a> {
    data: &'a [u8],
}

impl<'a> Tls<'a> {
    fn new(data: &'a [u8]) -> Tls<'a> {
        Tls { data }
    }
    fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.data.len() < n {
            return None;
        }
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        self.bytes(1).map(|b| b[0])
    }
    fn u64(&mut self) -> Option<u64> {
        self.bytes(8)
            .map(|b| b.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x)))
    }
    fn vec16(&mut self) -> Option<&'a [u8]> {
        let len = self
            .bytes(2)
            .map(|b| usize::from(b[0]) << 8 | usize::from(b[1]))?;
        self.bytes(len)
    }
}
