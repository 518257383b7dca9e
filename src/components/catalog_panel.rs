//! The registry's repositories (`/v2/_catalog`), page by page. Many registries refuse the
//! catalog (Docker Hub, GHCR); the refusal is shown as it comes.

use leptos::prelude::*;

use super::paged::{reference_link, PageControls, Pages};
use crate::app::Nav;
use crate::client::Session;
use crate::oci::Reference;
use crate::registry::Endpoint;

#[component]
pub fn CatalogPanel(reference: Reference, endpoint: Endpoint) -> impl IntoView {
    let nav = expect_context::<Nav>();
    let session = expect_context::<StoredValue<Session, LocalStorage>>();
    let pages = Pages::new();
    let registry = reference.registry().to_owned();
    let load = Callback::new(move |()| {
        let endpoint = endpoint.clone();
        pages.load(move |page| async move { session.get_value().catalog(&endpoint, page).await });
    });
    let list = move || {
        let names = pages.items.get();
        let count = names.len();
        let links = names
            .into_iter()
            .map(|repo| reference_link(nav, repo.clone(), format!("{registry}/{repo}")))
            .collect_view();
        view! {
            <p class="hint" data-fact="repository-count">{format!("{count} repositories loaded")}</p>
            <ul class="repositories">{links}</ul>
        }
    };
    view! {
        <section class="catalog-panel">
            <h3>"Repositories"</h3>
            {move || pages.loaded().then(list.clone())}
            <PageControls pages id="catalog" label="List repositories" load />
        </section>
    }
}
