//! The signatures and attestations of an image (`view=sigs` on a manifest), in the lazily
//! loaded views module: cosign legacy `sha256-<hex>.sig` / `.att` tags in the same repository
//! and Sigstore bundle referrers, their small blobs fetched and verified by digest, then one
//! row per signature from `signature::report`, the signature math done by WebCrypto. The key
//! and identity fields re-run the verification; nothing is fetched again.
//!
//! Every value read from the registry is rendered as text. A certificate's contents appear only
//! inside the "unverified certificate contents" disclosure; a verified identity only in the
//! verdict sentence the core words.

use leptos::prelude::*;

use crate::client::{ClientError, Session};
use crate::oci::json;
use crate::oci::model::{Descriptor, ImageManifest};
use crate::oci::{Digest, Limits, Reference};
use crate::registry::{Endpoint, RegistryError};
use crate::signature::bundle::bundle_minor_version;
use crate::signature::report::{Format, Options, Verdict, MAX_LAYERS};
use crate::signature::webcrypto::{cosign_manifest_webcrypto, sigstore_bundle_webcrypto};
use crate::signature::{parse_public_key_pem, Outcome, SignatureRow, TrustedRoot};

/// `targets/trusted_root.json` of github.com/sigstore/root-signing at commit
/// 60cf2ce8b2e45d600dc17c4421e8c751e75772be (its content last changed 2025-09; Rekor v1 and v2,
/// Fulcio, CT logs, timestamp.sigstore.dev). 6.8 kB; only this module carries it.
const PUBLIC_GOOD_ROOT: &[u8] = include_bytes!("../signature/public_good_trusted_root.json");
const PUBLIC_GOOD_ROOT_DATE: &str = "2026-08-21";

/// Blobs of signature manifests larger than this are not fetched (their row says so).
const MAX_SIGNATURE_BLOB: u64 = 4 * 1024 * 1024;
/// Bundle referrers looked at.
const MAX_BUNDLES: usize = 32;

/// One thing found next to the image, with its bytes.
#[derive(Clone)]
enum Found {
    /// A `.sig` / `.att` manifest and its layers' blobs (`None`: not fetched).
    Cosign {
        tag: String,
        manifest: Vec<u8>,
        layers: Vec<Option<Vec<u8>>>,
    },
    /// A bundle referrer: its manifest digest and the bundle blob (or why it is missing).
    Bundle {
        digest: Digest,
        bundle: Result<Vec<u8>, String>,
    },
}

#[derive(Clone)]
struct Loaded {
    image: Digest,
    image_manifest: Vec<u8>,
    found: Vec<Found>,
    /// Lookups that failed for another reason than "there is none".
    problems: Vec<String>,
}

fn is_absent(e: &ClientError) -> bool {
    matches!(
        e,
        ClientError::Registry(RegistryError::ManifestUnknown { .. })
            | ClientError::Registry(RegistryError::Http { status: 404, .. })
    )
}

fn small_size(d: &Descriptor) -> Option<u64> {
    d.size
        .and_then(|s| u64::try_from(s).ok())
        .filter(|s| *s <= MAX_SIGNATURE_BLOB)
}

async fn layer_blobs(
    session: &Session,
    endpoint: &Endpoint,
    reference: &Reference,
    manifest: &[u8],
) -> Vec<Option<Vec<u8>>> {
    let Ok(doc) = json::parse(manifest, json::DEFAULT_MAX_DEPTH) else {
        return Vec::new();
    };
    let mut blobs = Vec::new();
    for layer in ImageManifest::from_json(&doc)
        .layers
        .iter()
        .take(MAX_LAYERS)
    {
        let bytes = match (layer.digest.parsed(), small_size(layer)) {
            (Some(digest), Some(size)) => session
                .blob(endpoint, reference, digest, Some(size))
                .await
                .ok()
                .map(|f| f.bytes),
            _ => None,
        };
        blobs.push(bytes);
    }
    blobs
}

async fn load(
    session: Session,
    endpoint: Endpoint,
    reference: Reference,
    at: Option<Digest>,
) -> Result<Loaded, String> {
    let limit = Limits::raised(false).max_bytes;
    let fetched = session
        .manifest(&endpoint, &reference, at.as_ref(), limit)
        .await
        .map_err(|e| e.to_string())?;
    let image = fetched.verified.digest.clone();
    let mut found = Vec::new();
    let mut problems = Vec::new();
    let hex = image.to_string().replacen(':', "-", 1);
    for suffix in ["sig", "att"] {
        let tag = format!("{hex}.{suffix}");
        let Ok(tagged) = format!("{}:{tag}", reference.name()).parse::<Reference>() else {
            continue;
        };
        match session.manifest(&endpoint, &tagged, None, limit).await {
            Ok(m) => {
                let layers = layer_blobs(&session, &endpoint, &reference, &m.bytes).await;
                found.push(Found::Cosign {
                    tag,
                    manifest: m.bytes,
                    layers,
                });
            }
            Err(e) if is_absent(&e) => {}
            Err(e) => problems.push(format!("tag {tag}: {e}")),
        }
    }
    match session.referrers(&endpoint, &reference, &image, None).await {
        Ok((list, _)) => {
            let bundles = list.iter().filter(|d| {
                d.artifact_type
                    .as_deref()
                    .is_some_and(|t| bundle_minor_version(t).is_some())
            });
            for d in bundles.take(MAX_BUNDLES) {
                let Some(digest) = d.digest.parsed().cloned() else {
                    continue;
                };
                let bundle = bundle_blob(&session, &endpoint, &reference, &digest, limit).await;
                found.push(Found::Bundle { digest, bundle });
            }
        }
        Err(e) => problems.push(format!("referrers: {e}")),
    }
    Ok(Loaded {
        image,
        image_manifest: fetched.bytes,
        found,
        problems,
    })
}

/// The bundle a referrer manifest carries as its first layer.
async fn bundle_blob(
    session: &Session,
    endpoint: &Endpoint,
    reference: &Reference,
    digest: &Digest,
    limit: usize,
) -> Result<Vec<u8>, String> {
    let m = session
        .manifest(endpoint, reference, Some(digest), limit)
        .await
        .map_err(|e| e.to_string())?;
    let doc = json::parse(&m.bytes, json::DEFAULT_MAX_DEPTH).map_err(|e| e.to_string())?;
    let manifest = ImageManifest::from_json(&doc);
    let layer = manifest
        .layers
        .first()
        .ok_or("the referrer manifest has no layers")?;
    let (Some(blob), Some(size)) = (layer.digest.parsed(), small_size(layer)) else {
        return Err("the bundle layer has no valid digest or is too large".into());
    };
    session
        .blob(endpoint, reference, blob, Some(size))
        .await
        .map(|f| f.bytes)
        .map_err(|e| e.to_string())
}

/// A row with its origin (the tag or referrer it came from).
#[derive(Clone)]
struct Shown {
    from: String,
    row: SignatureRow,
}

async fn verify_all(
    loaded: &Loaded,
    key_pem: &str,
    identity: &str,
    issuer: &str,
) -> Result<Vec<Shown>, String> {
    let key = match key_pem.trim() {
        "" => None,
        text => Some(parse_public_key_pem(text).map_err(|e| format!("public key: {e}"))?),
    };
    // Sigstore's public-good trust root, embedded in this lazily loaded module (see
    // PUBLIC_GOOD_ROOT): keyless signatures are checked against it, and verdicts name its date.
    let root = TrustedRoot::parse(PUBLIC_GOOD_ROOT)
        .map_err(|e| format!("the embedded trust root does not parse: {e}"))?;
    let identity = (!identity.trim().is_empty()).then(|| (identity.trim(), issuer.trim()));
    let options = Options {
        key: key.as_ref(),
        identity,
        root: &root,
        root_date: PUBLIC_GOOD_ROOT_DATE,
    };
    let mut shown = Vec::new();
    for found in &loaded.found {
        match found {
            Found::Cosign {
                tag,
                manifest,
                layers,
            } => {
                let layers: Vec<Option<&[u8]>> = layers.iter().map(|l| l.as_deref()).collect();
                let report =
                    cosign_manifest_webcrypto(manifest, &layers, &loaded.image, &options).await;
                shown.extend(report.rows.into_iter().map(|row| Shown {
                    from: format!("tag {tag}"),
                    row,
                }));
            }
            Found::Bundle { digest, bundle } => {
                let from = format!("referrer {digest}");
                let row = match bundle {
                    Ok(bytes) => {
                        sigstore_bundle_webcrypto(
                            bytes,
                            &loaded.image,
                            Some(&loaded.image_manifest),
                            &options,
                        )
                        .await
                    }
                    Err(e) => SignatureRow {
                        format: Format::SigstoreBundle,
                        verdict: Verdict::NotVerifiable(format!(
                            "the bundle could not be read: {e}"
                        )),
                        notes: Vec::new(),
                        checks: Vec::new(),
                        claims_subject: None,
                        unverified_certificate: None,
                    },
                };
                shown.push(Shown { from, row });
            }
        }
    }
    Ok(shown)
}

fn verdict_class(v: &Verdict) -> (&'static str, &'static str, String) {
    match v {
        Verdict::Valid(s) => ("valid", "valid", s.clone()),
        Verdict::Invalid(s) => ("invalid", "invalid", s.clone()),
        Verdict::NotVerifiable(s) => ("not-verifiable", "not verifiable", s.clone()),
        Verdict::Unsigned(s) => ("unsigned", "unsigned", s.clone()),
    }
}

fn row_view(shown: Shown) -> AnyView {
    let Shown { from, row } = shown;
    let (class, label, sentence) = verdict_class(&row.verdict);
    let checks = row
        .checks
        .into_iter()
        .map(|c| {
            let (mark, detail) = match c.outcome {
                Outcome::Passed => ("passed", c.against),
                Outcome::Failed(why) => ("failed", why),
                Outcome::NotChecked(why) => ("not checked", why),
            };
            view! { <li data-outcome=mark>{c.what}" — "{mark}": "{detail}</li> }.into_any()
        })
        .collect_view();
    let subject = row
        .claims_subject
        .map_or_else(|| "none readable".to_string(), |d| d.to_string());
    let cert = row.unverified_certificate.map(|c| {
        view! {
            <details class="unverified-cert">
                <summary>"unverified certificate contents"</summary>
                <dl class="facts">
                    <dt>"Subject"</dt><dd>{c.subject}</dd>
                    <dt>"Issuer"</dt><dd>{c.issuer}</dd>
                    <dt>"SANs"</dt><dd>{c.sans.join(", ")}</dd>
                    <dt>"OIDC issuer"</dt><dd>{c.oidc_issuer.unwrap_or_default()}</dd>
                    <dt>"Valid"</dt><dd>{c.not_before}" – "{c.not_after}</dd>
                </dl>
            </details>
        }
    });
    let notes = row
        .notes
        .into_iter()
        .map(|n| view! { <p class="hint">{n}</p> }.into_any())
        .collect_view();
    view! {
        <li class=format!("sig-row {class}") data-verdict=class>
            <p><strong>{label}</strong>": "<span class="verdict-sentence">{sentence}</span></p>
            {notes}
            <p class="hint">"From "{from}"; the signed payload names "<code class="claims">{subject}</code></p>
            <details class="checks"><summary>"Checks"</summary><ul>{checks}</ul></details>
            {cert}
        </li>
    }
    .into_any()
}

#[component]
pub fn SignaturesView(
    reference: Reference,
    proxy: Option<String>,
    at: Option<Digest>,
) -> impl IntoView {
    let session = expect_context::<StoredValue<Session, LocalStorage>>();
    let endpoint = crate::client::endpoint(&reference, proxy.as_deref());
    let loaded = LocalResource::new(move || {
        load(
            session.get_value(),
            endpoint.clone(),
            reference.clone(),
            at.clone(),
        )
    });
    let key = RwSignal::new(String::new());
    let identity = RwSignal::new(String::new());
    let issuer = RwSignal::new(String::new());
    let rows = LocalResource::new(move || {
        let (loaded, key, identity, issuer) =
            (loaded.get(), key.get(), identity.get(), issuer.get());
        async move {
            match loaded {
                Some(Ok(l)) => Some(
                    verify_all(&l, &key, &identity, &issuer)
                        .await
                        .map(|r| (l, r)),
                ),
                Some(Err(e)) => Some(Err(e)),
                None => None,
            }
        }
    });
    let body = move || match rows.get().flatten() {
        None => view! { <p class="loading" role="status">"Looking for signatures…"</p> }.into_any(),
        Some(Err(e)) => {
            view! { <p class="input-error" role="alert" data-fact="sigs-error">{e}</p> }.into_any()
        }
        Some(Ok((loaded, shown))) => {
            let problems = loaded
                .problems
                .into_iter()
                .map(|p| view! { <li>{p}</li> }.into_any())
                .collect_view();
            let empty = shown.is_empty().then(|| {
                view! { <p data-fact="no-signatures">"No signatures or attestations found for this image."</p> }
            });
            view! {
                <p>"For the image "<code data-fact="sig-image">{loaded.image.to_string()}</code></p>
                {empty}
                <ul class="sig-rows">{shown.into_iter().map(row_view).collect_view()}</ul>
                <ul class="input-error">{problems}</ul>
            }
            .into_any()
        }
    };
    let field = move |signal: RwSignal<String>| move |ev| signal.set(event_target_value(&ev));
    view! {
        <section class="signatures">
            <h2>"Signatures and attestations"</h2>
            <label>"Public key (PEM)"
                <textarea id="sig-key" rows="4" on:change=field(key)></textarea>
            </label>
            <label>"Expected identity "<input id="sig-identity" type="text" on:change=field(identity) /></label>
            <label>"Issuer "<input id="sig-issuer" type="text" on:change=field(issuer) /></label>
            {body}
        </section>
    }
}
