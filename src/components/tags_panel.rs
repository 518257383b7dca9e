//! The repository's tags, page by page (`n` + `Link`), ordinary tags first in natural order,
//! digest-like tags (cosign signatures, attestations, SBOMs, referrers fallback indexes)
//! grouped apart under the digest they belong to.

use leptos::prelude::*;

use super::paged::{reference_link, PageControls, Pages};
use crate::app::Nav;
use crate::client::Session;
use crate::oci::Reference;
use crate::registry::{group_tags, Endpoint};

#[component]
pub fn TagsPanel(reference: Reference, endpoint: Endpoint) -> impl IntoView {
    let nav = expect_context::<Nav>();
    let session = expect_context::<StoredValue<Session, LocalStorage>>();
    let pages = Pages::new();
    let name = reference.name();
    let load = Callback::new(move |()| {
        let (reference, endpoint) = (reference.clone(), endpoint.clone());
        pages.load(move |page| async move {
            let (list, next) = session
                .get_value()
                .tags(&endpoint, &reference, page)
                .await?;
            Ok((list.tags, next))
        });
    });
    let list = move || {
        let all = pages.items.get();
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
        let tags = groups
            .ordinary
            .into_iter()
            .map(|tag| reference_link(nav, tag.clone(), format!("{name}:{tag}")))
            .collect_view();
        view! {
            <p class="hint" data-fact="tag-count">
                {format!("{count} tags loaded: {ordinary} ordinary, {} digest-like", count - ordinary)}
            </p>
            <ul class="tags">{tags}</ul>
            <details class="digest-tags">
                <summary>"Signature, attestation, SBOM and referrers tags, by subject"</summary>
                <ul>{digest_like}</ul>
            </details>
        }
    };
    view! {
        <section class="tags-panel">
            <h3>"Tags"</h3>
            {move || pages.loaded().then(list.clone())}
            <PageControls pages id="tags" label="List tags" load />
        </section>
    }
}
