//! The signatures and attestations of an image (`view=sigs` on a manifest or index), in the
//! lazily loaded signatures module: what `signatures_load.rs` found (cosign `.sig` / `.att`
//! tags, Sigstore bundle and Notation referrers, BuildKit attestations), one row per signature
//! from `signature::report` / `signature::notation`, the signature math done by WebCrypto. The
//! key, identity, trust root and Notation root fields re-run the verification; nothing is
//! fetched again. A pasted trust root or Notation root stays for the session (the tab).
//!
//! Every value read from the registry is rendered as text. A certificate's contents appear only
//! inside the "unverified certificate contents" disclosure; a verified identity only in the
//! verdict sentence the core words.

use std::cell::RefCell;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::signatures_load::{load, Found, Loaded};
use crate::client::Session;
use crate::oci::{Digest, Reference};
use crate::signature::notation::{trusted_roots_from_pem, Target, MEDIA_TYPE_JWS};
use crate::signature::report::{
    not_verifiable, predicate_type, unsigned_attestation, Format, Options, Verdict,
};
use crate::signature::trust_root::MAX_TRUST_ROOT_BYTES;
use crate::signature::webcrypto::{
    cosign_manifest_webcrypto, notation_jws_webcrypto, sigstore_bundle_webcrypto,
};
use crate::signature::{parse_public_key_pem, wording, Outcome, SignatureRow, TrustedRoot};

/// `targets/trusted_root.json` of github.com/sigstore/root-signing at commit
/// 60cf2ce8b2e45d600dc17c4421e8c751e75772be (its content last changed 2025-09; Rekor v1 and v2,
/// Fulcio, CT logs, timestamp.sigstore.dev). 6.8 kB; only this module carries it.
const PUBLIC_GOOD_ROOT: &[u8] = include_bytes!("../signature/public_good_trusted_root.json");
const PUBLIC_GOOD_ROOT_DATE: &str = "2026-08-21";

thread_local! {
    /// The pasted `trusted_root.json` and Notation roots, kept while the tab lives (the module
    /// stays loaded), so that moving to another image does not drop them.
    static PASTED: RefCell<(String, String)> = const { RefCell::new((String::new(), String::new())) };
}

/// A row with its origin (the tag, referrer or attestation manifest it came from).
#[derive(Clone)]
struct Shown {
    from: String,
    /// The in-toto predicate type of an unsigned attestation (a label: it is not signed).
    predicate: Option<String>,
    row: SignatureRow,
}

impl Shown {
    fn of(from: String, row: SignatureRow) -> Shown {
        Shown {
            from,
            predicate: None,
            row,
        }
    }
}

/// The trust root keyless signatures are checked against, and how the panel names it.
struct Root {
    root: TrustedRoot,
    date: &'static str,
    label: String,
}

fn trust_root(pasted: &str) -> Result<Root, String> {
    if pasted.trim().is_empty() {
        // Sigstore's public-good trust root, embedded in this lazily loaded module (see
        // PUBLIC_GOOD_ROOT): verdicts name its date.
        let root = TrustedRoot::parse(PUBLIC_GOOD_ROOT)
            .map_err(|e| format!("the embedded trust root does not parse: {e}"))?;
        return Ok(Root {
            root,
            date: PUBLIC_GOOD_ROOT_DATE,
            label: format!(
                "Sigstore public-good (root-signing 60cf2ce8, dated {PUBLIC_GOOD_ROOT_DATE})"
            ),
        });
    }
    let root = TrustedRoot::parse(pasted.trim().as_bytes()).map_err(|e| format!("pasted {e}"))?;
    let label = format!(
        "pasted, {} CAs / {} logs",
        root.certificate_authorities.len(),
        root.tlogs.len()
    );
    // A pasted root has no known date: verdicts say "the supplied trust root".
    Ok(Root {
        root,
        date: "",
        label,
    })
}

/// The fields a verification runs with.
#[derive(Clone, PartialEq)]
struct Inputs {
    key: String,
    identity: String,
    issuer: String,
    trust_root: String,
    notation_root: String,
}

async fn verify_all(loaded: &Loaded, inputs: &Inputs) -> Result<(String, Vec<Shown>), String> {
    let key = match inputs.key.trim() {
        "" => None,
        text => Some(parse_public_key_pem(text).map_err(|e| format!("public key: {e}"))?),
    };
    let root = trust_root(&inputs.trust_root)?;
    let notation_roots = trusted_roots_from_pem(&inputs.notation_root)
        .map_err(|e| format!("Notation trusted root: {e}"))?;
    let identity = (!inputs.identity.trim().is_empty())
        .then(|| (inputs.identity.trim(), inputs.issuer.trim()));
    let options = Options {
        key: key.as_ref(),
        identity,
        root: &root.root,
        root_date: root.date,
    };
    let target = Target {
        digest: &loaded.image,
        media_type: loaded.image_media_type.as_deref(),
        size: u64::try_from(loaded.image_manifest.len()).ok(),
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
                for row in report.rows {
                    shown.push(Shown::of(format!("tag {tag}"), row));
                }
            }
            Found::Bundle { digest, bundle } => {
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
                    Err(e) => not_verifiable(
                        Format::SigstoreBundle,
                        format!("the bundle could not be read: {e}"),
                    ),
                };
                shown.push(Shown::of(format!("referrer {digest}"), row));
            }
            Found::Notation { digest, envelope } => {
                let row = match envelope {
                    Ok((media_type, bytes)) if media_type == MEDIA_TYPE_JWS => {
                        notation_jws_webcrypto(bytes, &target, &notation_roots).await
                    }
                    Ok((media_type, _)) => not_verifiable(
                        Format::Notation,
                        wording::notation_envelope_not_read(media_type),
                    ),
                    Err(e) => not_verifiable(
                        Format::Notation,
                        format!("the Notation envelope could not be read: {e}"),
                    ),
                };
                shown.push(Shown::of(format!("Notation referrer {digest}"), row));
            }
            Found::Unsigned {
                from,
                subject,
                statement,
            } => {
                let (predicate, row) = match statement {
                    Ok(bytes) => (predicate_type(bytes), unsigned_attestation(bytes, subject)),
                    Err(e) => (
                        None,
                        not_verifiable(
                            Format::UnsignedAttestation,
                            format!("the attestation could not be read: {e}"),
                        ),
                    ),
                };
                shown.push(Shown {
                    from: from.clone(),
                    predicate,
                    row,
                });
            }
        }
    }
    Ok((root.label, shown))
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
    let Shown {
        from,
        predicate,
        row,
    } = shown;
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
            {predicate.map(|p| view! { <p class="hint">"in-toto predicate "<code class="predicate">{p}</code></p> })}
            <details class="checks"><summary>"Checks"</summary><ul>{checks}</ul></details>
            {cert}
        </li>
    }
    .into_any()
}

/// Reads the file a person picked into `into` (at most a trust root's size).
fn read_file(ev: leptos::ev::Event, into: RwSignal<String>, problem: RwSignal<Option<String>>) {
    let Some(file) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|input| input.files())
        .and_then(|files| files.get(0))
    else {
        return;
    };
    if file.size() > MAX_TRUST_ROOT_BYTES as f64 {
        problem.set(Some(format!(
            "{} is larger than {MAX_TRUST_ROOT_BYTES} bytes: not read",
            file.name()
        )));
        return;
    }
    problem.set(None);
    leptos::task::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(file.text()).await {
            Ok(text) => into.set(text.as_string().unwrap_or_default()),
            Err(_) => problem.set(Some(format!("{} could not be read", file.name()))),
        }
    });
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
    let (pasted_root, pasted_notation) = PASTED.with_borrow(Clone::clone);
    let key = RwSignal::new(String::new());
    let identity = RwSignal::new(String::new());
    let issuer = RwSignal::new(String::new());
    let root_text = RwSignal::new(pasted_root);
    let notation_text = RwSignal::new(pasted_notation);
    let file_problem = RwSignal::new(None::<String>);
    // Open at first when roots are kept from earlier in the session (not reactive: clearing a
    // field must not fold the section away under the cursor).
    let roots_pasted =
        !root_text.get_untracked().is_empty() || !notation_text.get_untracked().is_empty();
    Effect::new(move || {
        let kept = (root_text.get(), notation_text.get());
        PASTED.with_borrow_mut(|p| *p = kept);
    });
    let rows = LocalResource::new(move || {
        let inputs = Inputs {
            key: key.get(),
            identity: identity.get(),
            issuer: issuer.get(),
            trust_root: root_text.get(),
            notation_root: notation_text.get(),
        };
        let loaded = loaded.get();
        async move {
            match loaded {
                Some(Ok(l)) => Some(verify_all(&l, &inputs).await.map(|r| (l, r))),
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
        Some(Ok((loaded, (root_label, shown)))) => {
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
                <p class="hint">"Keyless signatures are checked against the trust root: "<span data-fact="trust-root">{root_label}</span></p>
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
            <details class="trust-fields" open=roots_pasted>
                <summary>"Trust roots"</summary>
                <label>"Trust root (trusted_root.json)"
                    <textarea id="sig-trust-root" rows="4" prop:value=move || root_text.get() on:change=field(root_text)></textarea>
                </label>
                <input id="sig-trust-root-file" type="file" accept=".json,application/json" on:change=move |ev| read_file(ev, root_text, file_problem) />
                <label>"Notation trusted root (PEM)"
                    <textarea id="sig-notation-root" rows="4" prop:value=move || notation_text.get() on:change=field(notation_text)></textarea>
                </label>
                {move || file_problem.get().map(|p| view! { <p class="input-error" role="alert">{p}</p> })}
            </details>
            {body}
        </section>
    }
}
