//! Verdict rows for what a registry holds next to an image: cosign legacy signatures
//! (`sha256-<hex>.sig`, cosign `specs/SIGNATURE_SPEC.md`), cosign legacy attestations
//! (`.att`, `ATTESTATION_SPEC.md`), Sigstore bundles stored as referrers (`BUNDLE_SPEC.md`),
//! and unsigned BuildKit attestations. Notation rows are built in `notation.rs`.
//!
//! Binding comes first: the digest the *signed* payload names must be the digest the app
//! computed for the image; a mismatch is reported before any key is looked at. Annotations,
//! the referrer `subject` and `predicateType` are unsigned and never count as binding.
//! Certificate contents are always kept apart in [`SignatureRow::unverified_certificate`]; a
//! signer identity appears in a verdict only after the chain verified.

use super::bundle::{Artifact, Bundle};
use super::crypto::{Crypto, PublicKey};
use super::der;
use super::dsse::Envelope;
use super::pem;
use super::trust_root::TrustedRoot;
use super::verify::{
    self, Check, Checks, Content, Entry, Evidence, Material, Policy, Signer, Stop,
};
use super::wording as w;
use super::x509::Certificate;
use crate::oci::base64;
use crate::oci::json::{self, Json};
use crate::oci::Digest;

pub const SIMPLE_SIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
pub const DSSE_ENVELOPE: &str = "application/vnd.dsse.envelope.v1+json";
pub const ANNOTATION_SIGNATURE: &str = "dev.cosignproject.cosign/signature";
pub const ANNOTATION_CERTIFICATE: &str = "dev.sigstore.cosign/certificate";
pub const ANNOTATION_CHAIN: &str = "dev.sigstore.cosign/chain";
pub const ANNOTATION_BUNDLE: &str = "dev.sigstore.cosign/bundle";
pub const ANNOTATION_TIMESTAMP: &str = "dev.sigstore.cosign/rfc3161timestamp";
const COSIGN_TYPE: &str = "cosign container image signature";
/// Layers per signature manifest looked at; more are reported as one row.
pub const MAX_LAYERS: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Valid(String),
    Invalid(String),
    NotVerifiable(String),
    Unsigned(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    CosignSignature,
    CosignAttestation,
    SigstoreBundle,
    Notation,
    UnsignedAttestation,
}

/// What a certificate says about itself, not verified: shown only in a disclosure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateContents {
    pub subject: String,
    pub issuer: String,
    pub sans: Vec<String>,
    pub oidc_issuer: Option<String>,
    pub not_before: String,
    pub not_after: String,
}

impl CertificateContents {
    pub fn of(cert: &Certificate) -> CertificateContents {
        CertificateContents {
            subject: cert.subject_summary(),
            issuer: super::x509::name_summary(&cert.issuer),
            sans: cert.sans().iter().map(|s| s.value().to_string()).collect(),
            oidc_issuer: cert.oidc_issuer(),
            not_before: der::unix_to_rfc3339(cert.not_before),
            not_after: der::unix_to_rfc3339(cert.not_after),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureRow {
    pub format: Format,
    pub verdict: Verdict,
    /// Sentences shown under the verdict (the "anyone can get a certificate" reminder).
    pub notes: Vec<String>,
    pub checks: Vec<Check>,
    /// The digest the signed payload names (`None` if it names none we can read).
    pub claims_subject: Option<Digest>,
    pub unverified_certificate: Option<CertificateContents>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub rows: Vec<SignatureRow>,
}

/// What the person supplied to check against.
#[derive(Clone, Copy, Debug)]
pub struct Options<'a> {
    pub key: Option<&'a PublicKey>,
    pub identity: Option<(&'a str, &'a str)>,
    pub root: &'a TrustedRoot,
    /// Shown in "trust root dated …" (empty: "the supplied trust root").
    pub root_date: &'a str,
}

impl<'a> Options<'a> {
    fn policy(&self) -> Policy<'a> {
        Policy {
            key: self.key,
            identity: self.identity,
            allow_any_identity: true,
            root: self.root,
            root_date: self.root_date,
        }
    }
}

struct RowBuilder {
    format: Format,
    checks: Checks,
    claims_subject: Option<Digest>,
    unverified_certificate: Option<CertificateContents>,
}

impl RowBuilder {
    fn new(format: Format) -> RowBuilder {
        RowBuilder {
            format,
            checks: Checks::default(),
            claims_subject: None,
            unverified_certificate: None,
        }
    }

    fn stop(self, stop: Stop) -> SignatureRow {
        let verdict = match stop {
            Stop::Invalid(r) => Verdict::Invalid(r),
            Stop::NotVerifiable(r) => Verdict::NotVerifiable(r),
        };
        self.finish(verdict, Vec::new())
    }

    fn finish(self, verdict: Verdict, notes: Vec<String>) -> SignatureRow {
        SignatureRow {
            format: self.format,
            verdict,
            notes,
            checks: self.checks.0,
            claims_subject: self.claims_subject,
            unverified_certificate: self.unverified_certificate,
        }
    }

    /// Runs the shared pipeline and words the verdict.
    fn verify(
        mut self,
        evidence: &Evidence,
        options: &Options<'_>,
        crypto: &dyn Crypto,
    ) -> SignatureRow {
        let subject = self.claims_subject.clone();
        match verify::run(evidence, &options.policy(), crypto, &mut self.checks) {
            Err(stop) => self.stop(stop),
            Ok(passed) => {
                let Some(subject) = subject else {
                    return self.stop(Stop::Invalid("the signed payload names no digest".into()));
                };
                let (sentence, notes) = valid_sentence(&passed, &subject);
                self.finish(Verdict::Valid(sentence), notes)
            }
        }
    }
}

fn valid_sentence(passed: &verify::Passed, subject: &Digest) -> (String, Vec<String>) {
    match &passed.signer {
        Signer::Key {
            fingerprint,
            algorithm,
        } => (
            w::valid_for_key(fingerprint, algorithm, subject),
            Vec::new(),
        ),
        Signer::Certificate {
            identity,
            issuer,
            ca,
            expected,
        } => {
            // The signed time: Rekor v1's integrated time, else the first RFC 3161 time.
            let log = passed.log.as_ref();
            let time = log
                .and_then(|l| l.integrated_time)
                .or(passed.timestamps.first().copied())
                .map(der::unix_to_rfc3339)
                .unwrap_or_default();
            // With an expected identity the SAN and issuer were compared exactly (verify.rs).
            let notes = if *expected {
                vec![w::matches_expected(identity, issuer)]
            } else {
                vec![w::ANYONE_CAN_GET_A_CERTIFICATE.to_string()]
            };
            let index = log.map_or(0, |l| l.log_index);
            (w::signed_by(identity, issuer, ca, index, &time), notes)
        }
    }
}

/// The binding check: `claimed` (from the signed payload) against the computed digest.
fn bind(row: &mut RowBuilder, what: &str, claimed: &str, image: &Digest) -> Result<(), Stop> {
    row.claims_subject = claimed.parse().ok();
    if row.claims_subject.as_ref() != Some(image) {
        return Err(row.checks.fail(
            what,
            format!("{image} (computed)"),
            Stop::Invalid(w::wrong_subject(claimed, image)),
        ));
    }
    row.checks.pass(what, format!("{image} (computed)"));
    Ok(())
}

/// A member looked up as Go's `encoding/json` does for struct fields (case-insensitively);
/// two members matching the same name case-insensitively are refused as ambiguous.
fn get_ci<'j>(value: &'j Json, key: &str) -> Result<Option<&'j Json>, String> {
    let members = value
        .as_object()
        .ok_or_else(|| format!("expected an object around {key:?}"))?;
    let mut found = members.iter().filter(|m| m.key.eq_ignore_ascii_case(key));
    let first = found.next();
    if found.next().is_some() {
        return Err(format!(
            "the payload has more than one {key:?} key (differing in case)"
        ));
    }
    Ok(first.map(|m| &m.value))
}

/// The `docker-manifest-digest` a simple-signing payload names, after its type check.
pub fn simple_signing_digest(payload: &[u8]) -> Result<String, String> {
    let doc = json::parse(payload, json::DEFAULT_MAX_DEPTH)
        .map_err(|e| format!("payload is not JSON: {e}"))?;
    let critical = get_ci(&doc, "critical")?.ok_or("payload has no \"critical\" section")?;
    let kind = get_ci(critical, "type")?.and_then(Json::as_str);
    if kind != Some(COSIGN_TYPE) {
        return Err(format!("payload type {kind:?} is not {COSIGN_TYPE:?}"));
    }
    let image = get_ci(critical, "image")?.ok_or("payload has no critical.image")?;
    get_ci(image, "docker-manifest-digest")?
        .and_then(Json::as_str)
        .map(str::to_string)
        .ok_or_else(|| "payload has no critical.image.docker-manifest-digest".to_string())
}

/// One layer of a `.sig` / `.att` manifest: its descriptor and the fetched bytes.
struct LayerInput<'a> {
    descriptor: &'a Json,
    bytes: Option<&'a [u8]>,
}

fn annotation<'a>(descriptor: &'a Json, key: &str) -> Option<&'a str> {
    descriptor
        .get("annotations")
        .and_then(|a| a.get(key))
        .and_then(Json::as_str)
}

/// Rows for a cosign legacy signature or attestation manifest. `layers[i]` is the fetched
/// blob of the manifest's `layers[i]` (`None` if it could not be fetched).
pub fn cosign_manifest(
    manifest: &[u8],
    layers: &[Option<&[u8]>],
    image: &Digest,
    options: &Options<'_>,
    crypto: &dyn Crypto,
) -> Report {
    let format = Format::CosignSignature;
    let doc = match json::parse(manifest, json::DEFAULT_MAX_DEPTH) {
        Ok(doc) => doc,
        Err(e) => {
            return single(
                format,
                Stop::Invalid(format!("signature manifest is not JSON: {e}")),
            )
        }
    };
    let descriptors = doc
        .get("layers")
        .and_then(Json::as_array)
        .unwrap_or_default();
    if descriptors.is_empty() {
        return single(
            format,
            Stop::Invalid("signature manifest has no layers".into()),
        );
    }
    if descriptors.len() > MAX_LAYERS {
        return single(
            format,
            Stop::NotVerifiable(format!("more than {MAX_LAYERS} signature layers")),
        );
    }
    let rows = descriptors
        .iter()
        .enumerate()
        .map(|(i, descriptor)| {
            let input = LayerInput {
                descriptor,
                bytes: layers.get(i).copied().flatten(),
            };
            cosign_layer(&input, image, options, crypto)
        })
        .collect();
    Report { rows }
}

fn single(format: Format, stop: Stop) -> Report {
    Report {
        rows: vec![RowBuilder::new(format).stop(stop)],
    }
}

fn cosign_layer(
    layer: &LayerInput<'_>,
    image: &Digest,
    options: &Options<'_>,
    crypto: &dyn Crypto,
) -> SignatureRow {
    let media_type = layer
        .descriptor
        .get("mediaType")
        .and_then(Json::as_str)
        .unwrap_or_default();
    let format = if media_type == DSSE_ENVELOPE {
        Format::CosignAttestation
    } else {
        Format::CosignSignature
    };
    let mut row = RowBuilder::new(format);
    match cosign_evidence(&mut row, layer, media_type, image) {
        Ok(evidence) => row.verify(&evidence, options, crypto),
        Err(stop) => row.stop(stop),
    }
}

fn cosign_evidence(
    row: &mut RowBuilder,
    layer: &LayerInput<'_>,
    media_type: &str,
    image: &Digest,
) -> Result<Evidence, Stop> {
    if media_type != SIMPLE_SIGNING && media_type != DSSE_ENVELOPE {
        return Err(row.checks.fail(
            "layer media type",
            format!("{SIMPLE_SIGNING} or {DSSE_ENVELOPE}"),
            Stop::Invalid(format!(
                "layer media type {media_type:?} is not a cosign signature or attestation"
            )),
        ));
    }
    // The payload bytes must be the ones the descriptor names (the app fetched them by digest,
    // but this core does not rely on that).
    let bytes = layer.bytes.ok_or_else(|| {
        row.checks.fail(
            "payload",
            "",
            Stop::NotVerifiable("the payload layer could not be fetched".into()),
        )
    })?;
    let declared = layer
        .descriptor
        .get("digest")
        .and_then(Json::as_str)
        .and_then(|d| d.parse::<Digest>().ok());
    if !declared.is_some_and(|d| d.matches(bytes)) {
        return Err(row.checks.fail(
            "payload digest",
            "the layer descriptor",
            Stop::Invalid(w::PAYLOAD_DIGEST_MISMATCH.into()),
        ));
    }
    row.checks.pass("payload digest", "the layer descriptor");

    // Binding, before any key.
    let content = if media_type == SIMPLE_SIGNING {
        let claimed = simple_signing_digest(bytes).map_err(|why| {
            row.checks
                .fail("simple-signing payload", "", Stop::Invalid(why))
        })?;
        bind(row, "docker-manifest-digest", &claimed, image)?;
        let sig = annotation(layer.descriptor, ANNOTATION_SIGNATURE).ok_or_else(|| {
            row.checks.fail(
                "signature annotation",
                ANNOTATION_SIGNATURE,
                Stop::Invalid(format!("no {ANNOTATION_SIGNATURE} annotation")),
            )
        })?;
        let signature = base64::decode(sig).map_err(|e| {
            row.checks.fail(
                "signature annotation",
                ANNOTATION_SIGNATURE,
                Stop::Invalid(format!("signature is not base64: {e}")),
            )
        })?;
        Content::Message {
            message: bytes.to_vec(),
            signature,
        }
    } else {
        let env = Envelope::parse(bytes).map_err(|e| {
            row.checks
                .fail("DSSE envelope", "", Stop::Invalid(e.to_string()))
        })?;
        bind_intoto(row, &env, image)?;
        Content::Dsse(env)
    };

    let material = match annotation(layer.descriptor, ANNOTATION_CERTIFICATE) {
        None => Material::Key,
        Some(text) => {
            let leaf = first_certificate(text).map_err(|why| {
                row.checks.fail(
                    "certificate annotation",
                    ANNOTATION_CERTIFICATE,
                    Stop::Invalid(why),
                )
            })?;
            row.unverified_certificate = Some(CertificateContents::of(&leaf));
            if annotation(layer.descriptor, ANNOTATION_CHAIN).is_some() {
                row.checks.not_checked(
                    "chain annotation",
                    "ignored: only the trust root's certificate authorities are used",
                );
            }
            Material::Certificate {
                leaf: Box::new(leaf),
                extra: Vec::new(),
            }
        }
    };
    let entries = match annotation(layer.descriptor, ANNOTATION_BUNDLE) {
        None => Vec::new(),
        Some(text) => vec![legacy_bundle_entry(text).map_err(|why| {
            row.checks
                .fail("bundle annotation", ANNOTATION_BUNDLE, Stop::Invalid(why))
        })?],
    };
    // cosign writes `{"SignedRFC3161Timestamp": "<base64 DER>"}` (pkg/cosign/bundle/tsa.go).
    let timestamps = match annotation(layer.descriptor, ANNOTATION_TIMESTAMP) {
        None => Vec::new(),
        Some(text) => vec![legacy_timestamp(text).map_err(|why| {
            row.checks.fail(
                "timestamp annotation",
                ANNOTATION_TIMESTAMP,
                Stop::Invalid(why),
            )
        })?],
    };
    Ok(Evidence {
        material,
        content,
        entries,
        timestamps,
        require_proof: false,
    })
}

fn bind_intoto(row: &mut RowBuilder, env: &Envelope, image: &Digest) -> Result<(), Stop> {
    let subjects = super::intoto_subjects(env)
        .map_err(|why| row.checks.fail("in-toto statement", "", Stop::Invalid(why)))?;
    let claimed = subjects
        .iter()
        .find(|d| *d == image)
        .or(subjects.first())
        .map(Digest::to_string)
        .unwrap_or_default();
    bind(row, "in-toto subject", &claimed, image)
}

fn first_certificate(text: &str) -> Result<Certificate, String> {
    let blocks = pem::parse(text).map_err(|e| e.to_string())?;
    match blocks.first() {
        Some((label, der)) if label == "CERTIFICATE" => {
            Certificate::from_der(der).map_err(|e| e.to_string())
        }
        _ => Err("the certificate annotation holds no PEM certificate".into()),
    }
}

/// cosign's `dev.sigstore.cosign/bundle`: `{SignedEntryTimestamp, Payload: {body,
/// integratedTime, logIndex, logID}}` (cosign `pkg/cosign/bundle/rekor.go`).
fn legacy_bundle_entry(text: &str) -> Result<Entry, String> {
    let doc = json::parse(text.as_bytes(), json::DEFAULT_MAX_DEPTH)
        .map_err(|e| format!("bundle annotation is not JSON: {e}"))?;
    let field = |p: &str| {
        doc.pointer(p)
            .ok_or_else(|| format!("bundle annotation has no {p}"))
    };
    let set = base64::decode(field("/SignedEntryTimestamp")?.as_str().unwrap_or_default())
        .map_err(|e| format!("SignedEntryTimestamp: {e}"))?;
    let body = base64::decode(field("/Payload/body")?.as_str().unwrap_or_default())
        .map_err(|e| format!("Payload.body: {e}"))?;
    let log_id = field("/Payload/logID")?
        .as_str()
        .and_then(from_hex)
        .ok_or("Payload.logID is not hex")?;
    let int = |p: &str| -> Result<i64, String> {
        field(p)?
            .as_i64()
            .ok_or_else(|| format!("{p} is not an integer"))
    };
    let parsed =
        json::parse(&body, json::DEFAULT_MAX_DEPTH).map_err(|e| format!("log entry body: {e}"))?;
    let text_of = |p: &str| {
        parsed
            .pointer(p)
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string()
    };
    Ok(Entry {
        log_index: int("/Payload/logIndex")?,
        log_id,
        kind: text_of("/kind"),
        version: text_of("/apiVersion"),
        integrated_time: Some(int("/Payload/integratedTime")?),
        set: Some(set),
        body,
        proof: None,
    })
}

fn legacy_timestamp(text: &str) -> Result<Vec<u8>, String> {
    let doc = json::parse(text.as_bytes(), json::DEFAULT_MAX_DEPTH)
        .map_err(|e| format!("timestamp annotation is not JSON: {e}"))?;
    let b64 = doc
        .get("SignedRFC3161Timestamp")
        .and_then(Json::as_str)
        .ok_or("timestamp annotation has no SignedRFC3161Timestamp")?;
    base64::decode(b64).map_err(|e| format!("SignedRFC3161Timestamp: {e}"))
}

fn from_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect()
}

/// A Sigstore bundle found as a referrer (or in a `sha256-<hex>` tag). DSSE bundles are bound
/// by their in-toto subject to `image`; message-signature bundles need `manifest` (the image
/// manifest bytes) as the artifact.
pub fn sigstore_bundle(
    bundle: &[u8],
    image: &Digest,
    manifest: Option<&[u8]>,
    options: &Options<'_>,
    crypto: &dyn Crypto,
) -> SignatureRow {
    let mut row = RowBuilder::new(Format::SigstoreBundle);
    let parsed = match Bundle::parse(bundle) {
        Ok(b) => b,
        Err(e) => return row.stop(Stop::Invalid(e.to_string())),
    };
    if let Material::Certificate { leaf, .. } = &parsed.material {
        row.unverified_certificate = Some(CertificateContents::of(leaf));
    }
    if let super::bundle::Signed::Dsse(env) = &parsed.signed {
        row.claims_subject = super::intoto_subjects(env)
            .ok()
            .and_then(|s| s.iter().find(|d| *d == image).or(s.first()).cloned());
    }
    let artifact = match manifest {
        Some(bytes) if Digest::sha256(bytes) == *image => Artifact::Bytes(bytes),
        _ => Artifact::Digest(image.clone()),
    };
    match parsed.bind(&artifact, &mut row.checks) {
        Ok((evidence, subject)) => {
            row.claims_subject = Some(subject);
            row.verify(&evidence, options, crypto)
        }
        Err(stop) => row.stop(stop),
    }
}

/// An in-toto statement stored without a signature (BuildKit provenance / SBOM): never
/// valid, but its subject is still compared with the image.
pub fn unsigned_attestation(statement: &[u8], image: &Digest) -> SignatureRow {
    let mut row = RowBuilder::new(Format::UnsignedAttestation);
    let env = Envelope {
        payload_type: "application/vnd.in-toto+json".to_string(),
        payload: statement.to_vec(),
        signatures: Vec::new(),
    };
    // A subject mismatch is recorded in the checks; the verdict stays "unsigned" either way.
    if bind_intoto(&mut row, &env, image).is_ok() {
        row.checks.not_checked("signature", w::UNSIGNED);
    }
    row.finish(Verdict::Unsigned(w::UNSIGNED.to_string()), Vec::new())
}

/// A row that says why a signature could not be looked at (a blob that could not be fetched,
/// an envelope format this verifier does not read, a backend that is missing).
pub fn not_verifiable(format: Format, reason: String) -> SignatureRow {
    RowBuilder::new(format).stop(Stop::NotVerifiable(reason))
}

/// The `predicateType` an in-toto statement names (unsigned in an unsigned attestation, so
/// only a label).
pub fn predicate_type(statement: &[u8]) -> Option<String> {
    json::parse(statement, json::DEFAULT_MAX_DEPTH)
        .ok()?
        .get("predicateType")
        .and_then(Json::as_str)
        .map(str::to_string)
}
