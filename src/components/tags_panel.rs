//! The repository's tags, page by page (`n` + `Link`), ordinary tags first in natural order,
//! digest-like tags (cosign signatures, attestations, SBOMs, referrers fallback indexes)
//! grouped apart under the digest they belong to.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::Nav;
use crate::client::Session;
use crate::oci::Reference;
use crate::registry::{group_tags, Endpoint};
use crate::route::{Route, Source};

#[component]
pub fn TagsPanel(reference: Reference, endpoint: Endpoint) -> impl IntoView {
    let nav = expect_context::<Nav>();
    let session = expect_context::<StoredValue<Session, LocalStorage>>();
    let tags = RwSignal::new(Vec::<String>::new());
    let next = RwSignal::new(None::<String>);
    let loaded = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let name = reference.name();
    let load = {
        let reference = reference.clone();
        move || {
            let (reference, endpoint) = (reference.clone(), endpoint.clone());
            let page = next.get_untracked();
            busy.set(true);
            spawn_local(async move {
                let session = session.get_value();
                match session.tags(&endpoint, &reference, page).await {
                    Ok((list, following)) => {
                        tags.update(|t| t.extend(list.tags));
                        next.set(following);
                        error.set(None);
                    }
                    Err(e) => error.set(Some(e.to_string())),
                }
                loaded.set(true);
                busy.set(false);
            });
        }
    };
    let load_first = load.clone();
    let link = move |tag: String| {
        let route = Route {
            source: Source::Reference(format!("{name}:{tag}")),
            proxy: nav.route.with_untracked(|r| r.proxy.clone()),
            ..Route::default()
        };
        let href = nav.href(|r| *r = route.clone());
        view! {
            <li>
                <a href=href on:click=move |ev| {
                    ev.prevent_default();
                    nav.go(route.clone());
                }>{tag}</a>
            </li>
        }
    };
    let list = move || {
        let all = tags.get();
        let groups = group_tags(&all);
        let (count, ordinary) = (all.len(), groups.ordinary.len());
        let digest_like = groups
            .by_subject
            .into_iter()
            .map(|(subject, entries)| {
                let kinds = entries
                    .iter()
                    .map(|e| format!("{} ({})", e.tag, e.kind.label()))
                    .collect::<Vec<_>>()
                    .join(", ");
                view! { <li><code>{subject.short()}</code> ": " {kinds}</li> }
            })
            .collect_view();
        view! {
            <p class="hint" data-fact="tag-count">
                {format!("{count} tags loaded: {ordinary} ordinary, {} digest-like", count - ordinary)}
            </p>
            <ul class="tags">{groups.ordinary.into_iter().map(&link).collect_view()}</ul>
            <details class="digest-tags">
                <summary>"Signature, attestation, SBOM and referrers tags, by subject"</summary>
                <ul>{digest_like}</ul>
            </details>
        }
    };
    view! {
        <section class="tags-panel">
            <h3>"Tags"</h3>
            {move || (!loaded.get()).then(|| {
                let load_first = load_first.clone();
                view! { <button id="list-tags" type="button" on:click=move |_| load_first()>"List tags"</button> }
            })}
            {move || loaded.get().then(&list)}
            {move || next.get().map(|_| {
                let load = load.clone();
                view! {
                    <button id="more-tags" type="button" disabled=move || busy.get() on:click=move |_| load()>
                        "Next page"
                    </button>
                }
            })}
            {move || error.get().map(|e| view! { <p class="input-error" role="alert">{e}</p> })}
        </section>
    }
}
