//! A document fetched from the registry a reference names: the manifest by tag or digest, or
//! the object a digest link points to in the same repository. Shown only after verification;
//! errors are explained, and credentials go to another host only after the person agrees.

use leptos::prelude::*;

use super::descriptor_table::size_cell;
use super::view_link::view_link;
use super::{CatalogPanel, CopyButton, DigestFieldLink, DocumentView, TagsPanel, Target};
use crate::app::Nav;
use crate::client::{ClientError, Fetched, ReferrersVia, Session};
use crate::oci::media_type::compression;
use crate::oci::model::Descriptor;
use crate::oci::{Digest, Limits, Reference, RAISED_MAX_BYTES};
use crate::registry::{Endpoint, RegistryError, VerifiedBy, MANIFEST_MEDIA_TYPES};
use crate::route::{Route, Source, ViewMode};
use crate::samples::Store;

/// What the route asks to fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Want {
    /// The reference's manifest, or the manifest with this digest in the same repository.
    Manifest(Option<Digest>),
    /// A blob small enough to show (a config, an SBOM…).
    Blob(Digest, Option<u64>),
}

/// A layer a digest link points to: its files are listed by the layer worker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerBlob {
    pub digest: Digest,
    pub media_type: String,
    pub size: Option<u64>,
}

impl Want {
    /// What to fetch for the route's `at` / `mt` / `size`; a layer goes to the layer view.
    pub fn of(
        at: Option<Digest>,
        media_type: Option<String>,
        size: Option<u64>,
    ) -> Result<Want, LayerBlob> {
        let Some(digest) = at else {
            return Ok(Want::Manifest(None));
        };
        match media_type {
            None => Ok(Want::Manifest(Some(digest))),
            Some(mt) if MANIFEST_MEDIA_TYPES.contains(&mt.as_str()) => {
                Ok(Want::Manifest(Some(digest)))
            }
            Some(mt) if compression(&mt).is_some() || mt.contains(".tar") => Err(LayerBlob {
                digest,
                media_type: mt,
                size,
            }),
            Some(_) => Ok(Want::Blob(digest, size)),
        }
    }
}

fn how_verified(fetched: &Fetched, host: &str) -> String {
    match fetched.verified.by {
        VerifiedBy::RequestedDigest => format!("registry {host}, fetched by digest"),
        VerifiedBy::HeaderDigest => {
            format!("registry {host}, fetched by tag; checked against the Docker-Content-Digest header")
        }
        VerifiedBy::Unverified => format!(
            "registry {host}, fetched by tag; no readable Docker-Content-Digest header, so nothing to check the bytes against"
        ),
    }
}

/// One referrer in the tree: what it is, a link to it, and on request its own referrers
/// (a signature of an SBOM of an image, say), fetched only when asked.
fn referrer_node(descriptor: Descriptor, endpoint: Endpoint, reference: Reference) -> AnyView {
    let expanded = RwSignal::new(false);
    let kind = descriptor
        .artifact_type
        .clone()
        .or_else(|| descriptor.media_type.clone())
        .unwrap_or_default();
    let target = Target::of(descriptor.media_type.clone(), descriptor.size);
    let digest = descriptor.digest.parsed().cloned();
    let nested = digest.clone().map(|subject| {
        move || {
            expanded.get().then(|| {
                // Erased to AnyView: the tree is recursive, its type must not be.
                view! { <Referrers endpoint=endpoint.clone() reference=reference.clone() subject=subject.clone() /> }
                    .into_any()
            })
        }
    });
    view! {
        <li>
            <code class="artifact-type">{kind}</code>
            " "
            <DigestFieldLink field=descriptor.digest target />
            " "
            {size_cell(descriptor.size)}
            {digest.map(|_| view! {
                " "
                <button type="button" class="expand" on:click=move |_| expanded.update(|e| *e = !*e)>
                    {move || if expanded.get() { "Hide its referrers" } else { "Its referrers" }}
                </button>
            })}
            {nested}
        </li>
    }
    .into_any()
}

#[component]
fn Referrers(endpoint: Endpoint, reference: Reference, subject: Digest) -> impl IntoView {
    let session = expect_context::<StoredValue<Session, LocalStorage>>();
    let (filter_text, set_filter_text) = signal(String::new());
    let filter = RwSignal::new(None::<String>);
    let (endpoint_for_tree, reference_for_tree) = (endpoint.clone(), reference.clone());
    let resource = LocalResource::new(move || {
        let (endpoint, reference, subject) = (endpoint.clone(), reference.clone(), subject.clone());
        let artifact_type = filter.get();
        let session = session.get_value();
        async move {
            session
                .referrers(&endpoint, &reference, &subject, artifact_type.as_deref())
                .await
        }
    });
    let result = move || match resource.get() {
        None => view! { <p class="hint">"Looking for referrers…"</p> }.into_any(),
        Some(Ok((list, via))) => {
            let via = match via {
                ReferrersVia::Api => "the referrers API",
                ReferrersVia::TagFallback => {
                    "the sha256-<hex> tag (this registry has no referrers API)"
                }
            };
            let count = list.len();
            view! {
                <p class="hint" data-fact="referrers-via">{format!("{count} found via {via}.")}</p>
                {(count > 0).then(|| view! {
                    <ul class="referrer-tree">
                        {list.into_iter().map(|d| referrer_node(d, endpoint_for_tree.clone(), reference_for_tree.clone())).collect_view()}
                    </ul>
                })}
            }
            .into_any()
        }
        Some(Err(e)) => {
            view! { <p class="hint">{format!("Referrers could not be listed: {e}")}</p> }.into_any()
        }
    };
    view! {
        <section class="referrers">
            <h3>"Referrers"</h3>
            <form class="filter" on:submit=move |ev| {
                ev.prevent_default();
                let text = filter_text.get_untracked().trim().to_owned();
                filter.set((!text.is_empty()).then_some(text));
            }>
                <label for="referrers-filter">"artifactType"</label>
                <input id="referrers-filter" type="text" spellcheck="false" autocomplete="off"
                    placeholder="e.g. application/spdx+json"
                    prop:value=filter_text on:input=move |ev| set_filter_text.set(event_target_value(&ev)) />
                <button id="referrers-filter-apply" type="submit">"Filter"</button>
            </form>
            {result}
        </section>
    }
}

/// The reference pinned to the digest just fetched: the line to pull exactly these bytes, and a
/// permalink that keeps showing them even after the tag moves.
#[component]
fn PinnedDigest(
    reference: Reference,
    digest: Digest,
    endpoint: Endpoint,
    /// The digest is what the reference's tag resolved to (not a child navigated to).
    resolved_from_tag: bool,
) -> impl IntoView {
    let nav = expect_context::<Nav>();
    let session = expect_context::<StoredValue<Session, LocalStorage>>();
    let pinned = format!("{}@{digest}", reference.name());
    // Release managers ask "is the tag still where we shipped it?": a HEAD answers cheaply.
    let check = RwSignal::new(None::<String>);
    let tag = reference
        .tag()
        .map(str::to_owned)
        .filter(|_| resolved_from_tag && reference.digest().is_none());
    let check_tag = {
        let (reference, digest, tag) = (reference.clone(), digest.clone(), tag.clone());
        move |_| {
            let (reference, digest, endpoint) =
                (reference.clone(), digest.clone(), endpoint.clone());
            let tag = tag.clone().unwrap_or_default();
            leptos::task::spawn_local(async move {
                let answer = match session.get_value().head_digest(&endpoint, &reference).await {
                    Ok(Some(now)) if now == digest => format!("{tag} still points to this digest."),
                    Ok(Some(now)) => format!("{tag} has moved: it now points to {now}."),
                    Ok(None) => {
                        "The registry did not say (no readable Docker-Content-Digest).".to_owned()
                    }
                    Err(e) => format!("Could not check: {e}"),
                };
                check.set(Some(answer));
            });
        }
    };
    let route = Route {
        source: Source::Reference(pinned.clone()),
        proxy: nav.route.with_untracked(|r| r.proxy.clone()),
        ..Route::default()
    };
    let href = nav.href(|r| *r = route.clone());
    view! {
        <p class="pinned">
            "Pull by digest: " <code data-fact="pinned">{pinned.clone()}</code>
            " " <CopyButton text=pinned what="pull-by-digest reference" /> " "
            <a href=href on:click=move |ev| {
                ev.prevent_default();
                nav.go(route.clone());
            }>"permalink to this digest"</a>
            {tag.map(|_| view! {
                " " <button id="check-tag" type="button" on:click=check_tag.clone()>"Check the tag again (HEAD)"</button>
            })}
            {move || check.get().map(|c| view! { " " <span data-fact="tag-check">{c}</span> })}
        </p>
    }
}

/// The `/v2/` check: can this page read the registry, and what authentication does it ask for.
#[component]
fn RegistryCheck(endpoint: Endpoint) -> impl IntoView {
    let session = expect_context::<StoredValue<Session, LocalStorage>>();
    let result = RwSignal::new(None::<String>);
    let run = move |_| {
        let endpoint = endpoint.clone();
        leptos::task::spawn_local(async move {
            let text = match session.get_value().ping(&endpoint).await {
                Ok((status, None)) if (200..300).contains(&status) => format!(
                    "HTTP {status}: the registry answers, lets this page read it, and needs no login for /v2/."
                ),
                Ok((status, Some(challenge))) => format!(
                    "HTTP {status}: the registry answers and asks for authentication: {challenge}"
                ),
                Ok((status, None)) => format!(
                    "HTTP {status}, without a readable WWW-Authenticate header (it must be exposed to scripts)."
                ),
                Err(e) => e.to_string(),
            };
            result.set(Some(text));
        });
    };
    view! {
        <section class="registry-check">
            <button id="ping" type="button" on:click=run>"Check the registry (GET /v2/)"</button>
            {move || result.get().map(|r| view! { <p data-fact="ping">{r}</p> })}
        </section>
    }
}

#[component]
pub fn RegistryView(
    reference: Reference,
    want: Want,
    proxy: Option<String>,
    view_mode: ViewMode,
    /// Documents up to 8 MiB instead of 4.
    big: bool,
) -> impl IntoView {
    let session = expect_context::<StoredValue<Session, LocalStorage>>();
    let store = expect_context::<StoredValue<Store>>();
    let endpoint = crate::client::endpoint(&reference, proxy.as_deref());
    let host = reference.registry().to_owned();
    let limit = Limits::raised(big).max_bytes;
    let fetch = {
        let (endpoint, reference, want) = (endpoint.clone(), reference.clone(), want.clone());
        move || {
            let (endpoint, reference, want) = (endpoint.clone(), reference.clone(), want.clone());
            let session = session.get_value();
            async move {
                match &want {
                    Want::Manifest(digest) => {
                        let result = session
                            .manifest(&endpoint, &reference, digest.as_ref(), limit)
                            .await;
                        // A digest link without a media type may name a blob.
                        match (result, digest) {
                            (
                                Err(ClientError::Registry(RegistryError::ManifestUnknown {
                                    ..
                                })),
                                Some(d),
                            ) => session.blob(&endpoint, &reference, d, None).await,
                            (result, _) => result,
                        }
                    }
                    Want::Blob(digest, size) => {
                        session.blob(&endpoint, &reference, digest, *size).await
                    }
                }
            }
        }
    };
    let resource = LocalResource::new(fetch);
    let nav = expect_context::<Nav>();
    let is_manifest = matches!(want, Want::Manifest(_));
    let by_tag = want == Want::Manifest(None);
    // The lists stay available when the fetch fails: a wrong tag or repository name is
    // exactly when a person wants to see what there is.
    let lists = view! {
        <div class="lists">
            <RegistryCheck endpoint=endpoint.clone() />
            <TagsPanel reference=reference.clone() endpoint=endpoint.clone() />
            <CatalogPanel reference=reference.clone() endpoint=endpoint.clone() />
        </div>
    };
    let document = move || match resource.get() {
        None => view! { <p class="loading" role="status">{format!("Fetching from {host}…")}</p> }
            .into_any(),
        Some(Ok(fetched)) => {
            // Remember the manifest, so the config view reached from it can show layer sizes.
            if is_manifest {
                let (digest, bytes) = (fetched.verified.digest.clone(), fetched.bytes.clone());
                store.update_value(|s| {
                    s.insert_verified(digest, bytes);
                });
            }
            let origin = format!("{} ({})", how_verified(&fetched, &host), fetched.url);
            let declared = fetched.content_type.clone();
            let expected = (fetched.verified.by != VerifiedBy::Unverified)
                .then(|| fetched.verified.digest.clone());
            let subject = fetched.verified.digest.clone();
            view! {
                <PinnedDigest reference=reference.clone() digest=fetched.verified.digest.clone() endpoint=endpoint.clone() resolved_from_tag=by_tag />
                <DocumentView bytes=fetched.bytes expected origin pasted=false view_mode declared home=Some(reference.clone()) />
                {is_manifest.then(|| {
                    let at = fetched.verified.digest.clone();
                    view! {
                        <p>{view_link(nav, "browse-fs", "Browse the files of this image (all layers, merged)", at.clone(), ViewMode::Fs)}
                        " · "{view_link(nav, "browse-sigs", "Signatures and attestations", at.clone(), ViewMode::Sigs)}
                        " · "{view_link(nav, "browse-compare", "Compare with…", at, ViewMode::Compare)}</p>
                        <Referrers endpoint=endpoint.clone() reference=reference.clone() subject />
                    }
                })}
            }
            .into_any()
        }
        Some(Err(ClientError::NeedsConsent { registry, realm })) => {
            let allow_realm = realm.clone();
            view! {
                <section class="notice warning" role="alert">
                    <h2>"Send your credentials to another host?"</h2>
                    <p>
                        "The registry " <code>{registry}</code> " asks for logins at "
                        <code data-fact="realm">{realm}</code>
                        ". Your username and password would be sent there. Only allow this if you trust that host."
                    </p>
                    <button id="allow-realm" type="button" on:click=move |_| {
                        session.get_value().allow_realm(&allow_realm);
                        resource.refetch();
                    }>"Allow and retry"</button>
                </section>
            }
            .into_any()
        }
        Some(Err(e)) => {
            let network = matches!(e, ClientError::Registry(RegistryError::Network { .. }));
            let too_large =
                !big && matches!(e, ClientError::Registry(RegistryError::TooLarge { .. }));
            view! {
            <section class="notice error" role="alert">
                <h2>"Could not fetch from the registry"</h2>
                <p data-fact="registry-error">{e.to_string()}</p>
                {network.then(|| view! {
                    <p>"Most public registries send no CORS headers: set a proxy prefix under “Registry access”, or paste the manifest instead."</p>
                })}
                {too_large.then(|| view! {
                    <button id="raise-limit" type="button" on:click=move |_| nav.update(|r| r.big = true)>
                        {format!("Allow up to {} MiB and retry", RAISED_MAX_BYTES / (1024 * 1024))}
                    </button>
                })}
                <button type="button" on:click=move |_| resource.refetch()>"Retry"</button>
            </section>
            }
            .into_any()
        }
    };
    view! {
        {lists}
        {document}
    }
}
