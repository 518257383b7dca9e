//! A list fetched page by page (tags, repositories): the state and controls both list panels
//! share, and the link from a listed name to its reference.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::Nav;
use crate::client::ClientError;
use crate::route::{Route, Source};

/// One growing list: the items so far and the URL of the next page.
#[derive(Clone, Copy)]
pub struct Pages {
    pub items: RwSignal<Vec<String>>,
    next: RwSignal<Option<String>>,
    loaded: RwSignal<bool>,
    busy: RwSignal<bool>,
    error: RwSignal<Option<String>>,
}

impl Pages {
    pub fn new() -> Pages {
        Pages {
            items: RwSignal::new(Vec::new()),
            next: RwSignal::new(None),
            loaded: RwSignal::new(false),
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    pub fn loaded(&self) -> bool {
        self.loaded.get()
    }

    /// Fetches the next page: `fetch` gets the next page's URL (`None` for the first).
    pub fn load<Fut>(self, fetch: impl FnOnce(Option<String>) -> Fut + 'static)
    where
        Fut: Future<Output = Result<(Vec<String>, Option<String>), ClientError>> + 'static,
    {
        let page = self.next.get_untracked();
        self.busy.set(true);
        spawn_local(async move {
            match fetch(page).await {
                Ok((items, next)) => {
                    self.items.update(|all| all.extend(items));
                    self.next.set(next);
                    self.error.set(None);
                }
                Err(e) => self.error.set(Some(e.to_string())),
            }
            self.loaded.set(true);
            self.busy.set(false);
        });
    }
}

/// The first-load button, the next-page button while there is a next page, and the error.
#[component]
pub fn PageControls(
    pages: Pages,
    /// Prefix of the buttons' ids: `<id>-list` and `<id>-more`.
    id: &'static str,
    label: &'static str,
    load: Callback<()>,
) -> impl IntoView {
    view! {
        {move || (!pages.loaded.get()).then(|| view! {
            <button id=format!("{id}-list") type="button" on:click=move |_| load.run(())>{label}</button>
        })}
        {move || pages.next.get().map(|_| view! {
            <button id=format!("{id}-more") type="button" disabled=move || pages.busy.get()
                on:click=move |_| load.run(())>"Next page"</button>
        })}
        {move || pages.error.get().map(|e| view! { <p class="input-error" role="alert">{e}</p> })}
    }
}

/// A list item linking to the reference `text` (kept under the current proxy).
pub fn reference_link(nav: Nav, label: String, text: String) -> AnyView {
    let route = Route {
        source: Source::Reference(text),
        proxy: nav.route.with_untracked(|r| r.proxy.clone()),
        ..Route::default()
    };
    let href = nav.href(|r| *r = route.clone());
    view! {
        <li>
            <a href=href on:click=move |ev| {
                ev.prevent_default();
                nav.go(route.clone());
            }>{label}</a>
        </li>
    }
    .into_any()
}
