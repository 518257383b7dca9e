//! The Leptos application root (wasm only). The URL is the state: the route is read from the
//! query at start-up and on back/forward, and every navigation pushes a new history entry, so
//! any view can be shared, reloaded and walked back. Components under `components/` only
//! render what this module resolves.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::client::Session;
use crate::components::{
    DocumentView, InputBox, MissingObject, ReferenceErrorView, ReferenceView, RegistrySettings,
    RegistryView, StartPage, Want,
};
use crate::lazy::{host::LazyView, Lazy};
use crate::oci::{Digest, Reference};
use crate::route::{valid_proxy_prefix, Route, Source};
use crate::samples::{Sample, Store};

/// Mounts the app on `<body>`; the only thing `main` does.
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// Navigation, shared with every component that renders a link.
#[derive(Clone, Copy)]
pub struct Nav {
    pub route: RwSignal<Route>,
    /// Bytes of a file opened from disk (they never go into the URL).
    pub file: RwSignal<Option<(String, Vec<u8>)>>,
    /// What was opened from disk for the lazily loaded views (`disk=1`): a `File` (a layer
    /// or an archive), a picked folder's `FileList`, or a dropped folder's
    /// `FileSystemDirectoryEntry`. The worker reads it, so the page keeps only the handle.
    pub disk: RwSignal<Option<JsValue>, LocalStorage>,
    /// Bumped when the person logs in or out: a mounted lazily loaded view holds its own copy
    /// of the credentials, so it is mounted again with the new ones (as the page fetches again).
    pub identity: RwSignal<u32>,
    /// This Nav belongs to the lazily loaded views: after each navigation it tells the page,
    /// whose route must follow (see `lazy`).
    echo: bool,
}

impl Nav {
    /// The route from the URL, following back/forward.
    fn new(echo: bool) -> Nav {
        let nav = Nav {
            route: RwSignal::new(route_from_location()),
            file: RwSignal::new(None),
            disk: RwSignal::new_local(None),
            identity: RwSignal::new(0),
            echo,
        };
        let popstate = window_event_listener(leptos::ev::popstate, move |_| {
            let route = route_from_location();
            if nav.route.with_untracked(|r| *r != route) {
                nav.route.set(route);
            }
        });
        on_cleanup(move || popstate.remove());
        nav
    }

    /// The page's navigation.
    pub fn page() -> Nav {
        Nav::new(false)
    }

    /// The navigation of the lazily loaded views.
    pub fn shared() -> Nav {
        Nav::new(true)
    }

    /// The URL of the current route changed by `change`, for an `href`.
    pub fn href(&self, change: impl FnOnce(&mut Route)) -> String {
        let mut route = self.route.get_untracked();
        change(&mut route);
        url_of(&self.keeping_proxy(route))
    }

    /// `route` with the proxy in effect: the proxy is a setting of the session, not of one
    /// view, so a link built from `Route::default()` does not turn it off.
    fn keeping_proxy(&self, route: Route) -> Route {
        let proxy = self.route.with_untracked(|r| r.proxy.clone());
        Route { proxy, ..route }
    }

    /// Goes to `route` (the proxy unchanged), adding a history entry.
    pub fn go(&self, route: Route) {
        self.push(self.keeping_proxy(route));
    }

    /// Changes the proxy in effect (`None`: direct), adding a history entry.
    pub fn set_proxy(&self, proxy: Option<String>) {
        let route = self.route.get_untracked();
        self.push(Route { proxy, ..route });
    }

    fn push(&self, route: Route) {
        if let Ok(history) = window().history() {
            let _ = history.push_state_with_url(&JsValue::NULL, "", Some(&url_of(&route)));
        }
        self.route.set(route);
        if self.echo {
            if let Ok(ev) = web_sys::PopStateEvent::new("popstate") {
                let _ = window().dispatch_event(&ev);
            }
        }
    }

    /// Goes to the current route changed by `change`.
    pub fn update(&self, change: impl FnOnce(&mut Route)) {
        let mut route = self.route.get_untracked();
        change(&mut route);
        self.go(route);
    }
}

/// A same-document URL: the query alone, or the bare path for the start page, so the app
/// keeps working under whatever sub-path it is hosted at.
fn url_of(route: &Route) -> String {
    let query = route.to_query(build_proxy().as_deref());
    if query.is_empty() {
        window()
            .location()
            .pathname()
            .unwrap_or_else(|_| "./".into())
    } else {
        query
    }
}

/// The build's default proxy prefix: `<meta name="manifest-explorer-proxy">`, which
/// `scripts/csp --proxy` writes (ignored unless it is a valid prefix).
pub fn build_proxy() -> Option<String> {
    let meta = document()
        .query_selector("meta[name=manifest-explorer-proxy]")
        .ok()??;
    meta.get_attribute("content")
        .filter(|p| valid_proxy_prefix(p))
}

fn route_from_location() -> Route {
    let query = window().location().search().unwrap_or_default();
    Route::from_query(&query, build_proxy().as_deref())
}

/// What the route resolves to.
enum Shown {
    Start,
    Reference(String),
    Document {
        bytes: Vec<u8>,
        expected: Option<Digest>,
        origin: String,
        pasted: bool,
    },
    Missing(Digest),
    UnknownSample(String),
    FileGone,
}

fn resolve(route: &Route, store: &Store, file: Option<(String, Vec<u8>)>) -> Shown {
    // Under a reference, digests name objects in that reference's repository.
    if let Source::Reference(text) = &route.source {
        return Shown::Reference(text.clone());
    }
    if let Some(at) = &route.at {
        return match store.get(at) {
            Some(bytes) => Shown::Document {
                bytes: bytes.to_vec(),
                expected: Some(at.clone()),
                origin: "built-in sample store, fetched by digest".into(),
                pasted: false,
            },
            None => Shown::Missing(at.clone()),
        };
    }
    match &route.source {
        Source::Empty => Shown::Start,
        Source::Reference(text) => Shown::Reference(text.clone()),
        Source::Sample(id) => match Sample::by_id(id).and_then(|s| Some((s, s.object()?))) {
            Some((sample, object)) => Shown::Document {
                bytes: object.bytes.to_vec(),
                expected: Some(object.addressed_by),
                origin: format!("built-in sample: {}", sample.title),
                pasted: false,
            },
            None => Shown::UnknownSample(id.clone()),
        },
        Source::Document(text) => Shown::Document {
            bytes: text.as_bytes().to_vec(),
            expected: route.expect.clone(),
            origin: "pasted text".into(),
            pasted: true,
        },
        Source::File(name) => match file {
            Some((loaded, bytes)) if &loaded == name => Shown::Document {
                bytes,
                expected: route.expect.clone(),
                origin: format!("file {name}"),
                pasted: false,
            },
            _ => Shown::FileGone,
        },
    }
}

#[component]
pub fn App() -> impl IntoView {
    let nav = Nav::page();
    provide_context(nav);
    // The selected path of a lazily loaded view is the module's business: the page renders
    // such a view again only when what it shows changes.
    let shown = Memo::new(move |_| {
        let mut route = nav.route.get();
        if Lazy::of(&route).is_some() {
            route.path = None;
        }
        route
    });

    let store = StoredValue::new(Store::samples());
    provide_context(store);
    provide_context(StoredValue::new_local(Session::default()));
    let body = move || {
        let route = shown.get();
        if let Some(lazy) = Lazy::of(&route) {
            let reference = match &route.source {
                Source::Reference(text) => text.trim().parse::<Reference>().ok(),
                _ => None,
            };
            return view! {
                {reference.map(|reference| view! { <ReferenceView reference /> })}
                <LazyView module=lazy.module() />
            }
            .into_any();
        }
        // The same route set again (after a log-in) fetches again, which the memo would hide.
        nav.route.track();
        match store.with_value(|store| resolve(&route, store, nav.file.get())) {
            Shown::Start => view! { <StartPage /> }.into_any(),
            Shown::Reference(text) => match text.trim().parse::<Reference>() {
                Ok(reference) => {
                    // Layers are lazy views (above), so what is left here is a document.
                    let fetched = Want::of(route.at.clone(), route.media_type.clone(), route.size)
                        .ok()
                        .map(|want| view! {
                            <RegistryView reference=reference.clone() want proxy=route.proxy.clone() view_mode=route.view big=route.big />
                        });
                    view! { <ReferenceView reference /> {fetched} }.into_any()
                }
                Err(error) => {
                    view! { <ReferenceErrorView input=text.trim().to_owned() error /> }.into_any()
                }
            },
            Shown::Document {
                bytes,
                expected,
                origin,
                pasted,
            } => view! { <DocumentView bytes expected origin pasted view_mode=route.view /> }
                .into_any(),
            Shown::Missing(digest) => view! { <MissingObject digest /> }.into_any(),
            Shown::UnknownSample(id) => view! {
                <section role="alert" class="notice error">
                    <h2>"Unknown sample"</h2>
                    <p>"There is no built-in sample called " <code>{id}</code> "."</p>
                </section>
            }
            .into_any(),
            Shown::FileGone => view! {
                <section role="alert" class="notice">
                    <h2>"The file is no longer loaded"</h2>
                    <p>"Files opened from disk stay in this tab's memory only; open it again."</p>
                </section>
            }
            .into_any(),
        }
    };
    view! {
        <header class="top">
            <a class="home" href=move || nav.href(|r| *r = Route::default()) on:click=move |ev| {
                ev.prevent_default();
                nav.go(Route::default());
            }>
                <h1>"Manifest Explorer"</h1>
            </a>
            <p class="tagline">
                "Look inside container images and OCI artifacts. Everything is parsed and hashed in your browser."
            </p>
        </header>
        <main>
            <InputBox />
            <RegistrySettings />
            <div class="result" aria-live="polite">{body}</div>
        </main>
    }
}
