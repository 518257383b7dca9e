//! One document: what it is, whether its bytes are the ones asked for, what is wrong with it,
//! and its content in the structured view for its kind or as raw bytes.

use leptos::prelude::*;

use super::descriptor_table::size_cell;
use super::{
    Commands, ConfigView, CopyButton, DescriptorTable, DigestLink, Findings, IndexView,
    ManifestView, PayloadView, RawJson, Schema1View, Verdict,
};
use crate::app::Nav;
use crate::oci::model::{self, ImageConfig, ImageManifest, Index, Schema1Manifest};
use crate::oci::{inspect_with, Digest, Kind, Limits, Reference};
use crate::registry::Endpoint;
use crate::route::{Route, Source, ViewMode};
use crate::samples::Store;

/// Command lines that fetch or check the same object elsewhere: in `home`'s repository when
/// the document came from a registry, else with placeholders to fill in.
fn commands(
    kind: Kind,
    digest: &Digest,
    media_type: Option<&str>,
    home: Option<&Reference>,
) -> Vec<(&'static str, String)> {
    let name = home.map_or_else(|| "REPOSITORY".to_owned(), Reference::name);
    let url = |blob: bool| match home {
        Some(r) if blob => Endpoint::for_reference(r).blob_url(r.repository(), digest),
        Some(r) => Endpoint::for_reference(r).manifest_url(r.repository(), &digest.to_string()),
        None if blob => format!("https://REGISTRY/v2/REPOSITORY/blobs/{digest}"),
        None => format!("https://REGISTRY/v2/REPOSITORY/manifests/{digest}"),
    };
    let mut lines = vec![(
        "sha256sum",
        format!("sha256sum FILE   # expect {}", digest.encoded()),
    )];
    let is_blob = matches!(kind, Kind::ImageConfig { .. } | Kind::UnknownJson);
    if is_blob {
        lines.push(("crane", format!("crane blob {name}@{digest}")));
        lines.push(("regctl", format!("regctl blob get {name}@{digest}")));
        lines.push(("curl", format!("curl -sSL {}", url(true))));
    } else if kind.media_type().is_some() || media_type.is_some() {
        let accept = media_type.or(kind.media_type()).unwrap_or_default();
        lines.push(("crane", format!("crane manifest {name}@{digest}")));
        lines.push(("regctl", format!("regctl manifest get {name}@{digest}")));
        lines.push((
            "curl",
            format!("curl -sSL -H 'Accept: {accept}' {}", url(false)),
        ));
    }
    lines
}

/// The structured view for a document's kind.
fn structured(
    kind: Kind,
    json: &crate::oci::json::Json,
    digest: &Digest,
    store: &Store,
) -> AnyView {
    match kind {
        Kind::OciManifest | Kind::DockerManifest | Kind::ArtifactManifest => {
            let manifest = ImageManifest::from_json(json);
            let config_payload = manifest
                .config
                .as_ref()
                .and_then(|c| c.media_type.clone())
                .filter(|mt| mt == crate::oci::media_type::known::HELM_CONFIG);
            let referrers = store.referrers(digest);
            view! {
                <ManifestView manifest />
                {config_payload.map(|_| view! {
                    <p class="hint">"This is a Helm chart: open the config for the chart's metadata."</p>
                })}
                {(!referrers.is_empty()).then(|| view! {
                    <section class="referrers">
                        <h3>"Referrers"</h3>
                        <p class="hint">"Artifacts whose subject is this manifest, among the documents seen in this tab."</p>
                        <ul data-fact="referrers">
                            {referrers.into_iter().map(|(d, t)| view! {
                                <li><DigestLink digest=d /> " " <code>{t.unwrap_or_default()}</code></li>
                            }).collect_view()}
                        </ul>
                    </section>
                })}
            }
            .into_any()
        }
        Kind::OciIndex | Kind::DockerManifestList => {
            view! { <IndexView index=Index::from_json(json) /> }.into_any()
        }
        Kind::ImageConfig { .. } => {
            let layers = store.layers_for_config(digest);
            view! { <ConfigView config=ImageConfig::from_json(json) layers /> }.into_any()
        }
        Kind::Descriptor => view! {
            <DescriptorTable descriptors=vec![model::Descriptor::from_json(json, "")] caption="Descriptor" />
        }
        .into_any(),
        Kind::DockerSchema1 { .. } => {
            view! { <Schema1View manifest=Schema1Manifest::from_json(json) /> }.into_any()
        }
        _ => match model::recognise(json, None) {
            Some(payload) => view! { <PayloadView payload /> }.into_any(),
            None => view! {
                <p class="hint">"No structured view for this document: see the raw view."</p>
            }
            .into_any(),
        },
    }
}

#[component]
pub fn DocumentView(
    bytes: Vec<u8>,
    expected: Option<Digest>,
    #[prop(into)] origin: String,
    pasted: bool,
    view_mode: ViewMode,
    /// The media type the bytes were served with (a registry's Content-Type), linted against
    /// the body's own `mediaType`.
    #[prop(default = None)]
    declared: Option<String>,
    /// The registry repository the document was fetched from, if any.
    #[prop(default = None)]
    home: Option<Reference>,
) -> impl IntoView {
    let nav = expect_context::<Nav>();
    let store = expect_context::<StoredValue<Store>>();
    let raised = nav.route.with_untracked(|r| r.big);
    let inspection = inspect_with(&bytes, declared.as_deref(), &Limits::raised(raised));
    let kind = inspection.kind();
    let digest = inspection.digest().clone();
    // Verify with the algorithm of the digest the bytes were addressed by.
    let actual = match &expected {
        Some(e) if e.algorithm() != digest.algorithm() => Digest::compute(e.algorithm(), &bytes),
        _ => digest.clone(),
    };
    let size = inspection.size();
    let media_type = inspection.media_type().map(str::to_owned);
    let findings = inspection.findings().to_vec();
    let json = inspection.json().cloned();
    let body = match (view_mode, &json) {
        (ViewMode::Structured, Some(json)) => {
            store.with_value(|store| structured(kind, json, &digest, store))
        }
        _ => view! { <RawJson bytes=bytes.clone() json=json.clone() /> }.into_any(),
    };
    let tab = move |mode: ViewMode, label: &'static str| {
        let href = nav.href(|r| r.view = mode);
        view! {
            <a
                href=href
                role="tab"
                aria-selected=(view_mode == mode).to_string()
                class:active=view_mode == mode
                on:click=move |ev| {
                    ev.prevent_default();
                    nav.update(|r| r.view = mode);
                }
            >
                {label}
            </a>
        }
    };
    let digest_text = digest.to_string();
    // A sample or a pasted (or opened) manifest or index is a comparison's first side; the
    // compare module reads it from the URL, so an opened file goes there as its text, and
    // only a document that fits in the URL is offered.
    let compare = (home.is_none()
        && matches!(
            kind,
            Kind::OciManifest | Kind::OciIndex | Kind::DockerManifest | Kind::DockerManifestList
        ))
    .then(|| {
        let mut route: Route = nav.route.get_untracked();
        if let (Source::File(_), Ok(text)) = (&route.source, std::str::from_utf8(&bytes)) {
            route.source = Source::Document(text.to_owned());
        }
        route.view = ViewMode::Compare;
        // Under `disk=1` (the archive views) the archive's own "Compare with…" applies.
        let fits = route.shareable()
            && !route.disk
            && (matches!(route.source, Source::Sample(_))
                || matches!(route.source, Source::Document(_)) && route.at.is_none());
        fits.then(|| {
            let href = nav.href(|r| *r = route.clone());
            view! {
                <p><a id="document-compare" href=href on:click=move |ev| {
                    ev.prevent_default();
                    nav.go(route.clone());
                }>"Compare with…"</a></p>
            }
        })
    });
    let command_lines = commands(kind, &digest, media_type.as_deref(), home.as_ref());
    view! {
        <article class="document">
            <header>
                <h2 data-fact="kind">{kind.label()}</h2>
                <p class="origin">{origin}</p>
            </header>
            <Verdict expected actual size pasted />
            <dl class="facts">
                <dt>"Media type"</dt>
                <dd><code data-fact="media-type">{media_type.unwrap_or_else(|| "—".into())}</code></dd>
                <dt>"Size"</dt>
                <dd>{size_cell(Some(size as i64))} <span class="exact">{format!(" ({size} bytes)")}</span></dd>
                <dt>"Digest (sha256 of the bytes)"</dt>
                <dd><code data-fact="digest">{digest_text.clone()}</code> <CopyButton text=digest_text what="digest" /></dd>
            </dl>
            <Findings findings />
            <nav class="tabs" role="tablist" aria-label="View">
                {tab(ViewMode::Structured, "Structured")}
                {tab(ViewMode::Raw, "Raw")}
            </nav>
            <div class="view">{body}</div>
            {compare}
            <Commands commands=command_lines />
        </article>
    }
}
