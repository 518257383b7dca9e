//! The lazily loaded views (wasm only). What is inside registry layers — one layer's files,
//! the merged filesystem of an image — lives in a second Leptos module
//! (`src/bin/views.rs`), signature verification in a third (`src/bin/sigs.rs`), comparisons
//! in a fourth (`src/bin/compare.rs`) and what was opened from disk (layers, image archives)
//! in a fifth (`src/bin/archive.rs`), each
//! fetched the first time a person opens such a view, so the first load carries none of it
//! (the layer views alone cost more than the page's budget has room for), and opening layers
//! does not fetch the verifier.
//!
//! The modules share nothing in memory; they meet in the DOM and the URL:
//! - The page ([`host`]) renders a placeholder `<div>` where such a view belongs, loads the
//!   view's [`Module`] once (a same-origin `<script>`, allowed by `script-src 'self'`), and
//!   dispatches `manifest-explorer:mount:<module>` on `window` with the element, what was
//!   opened from disk if anything (a file, or a folder),
//!   and the session's credentials and consented token realms (in memory only, as in the page).
//!   Removing the placeholder dispatches `manifest-explorer:unmount`.
//! - The module ([`guest`]) mounts its own Leptos root there. Both read the route from the URL;
//!   a navigation in the module pushes history and then dispatches `popstate`, so the page's
//!   route follows. [`Lazy::of`] is the one decision of what such a route shows.

use crate::components::{LayerBlob, Want};
use crate::oci::{Digest, Reference};
use crate::route::{Place, Route, Source, ViewMode};

/// Ids are unique across modules: every module ignores ids it did not mount.
const UNMOUNT: &str = "manifest-explorer:unmount";

/// A lazily loaded module: its binary name, and the names of its events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Module {
    /// `src/bin/views.rs`: the layer views.
    Views,
    /// `src/bin/sigs.rs`: the signatures panel and its verifier.
    Signatures,
    /// `src/bin/compare.rs`: two images (or several tags) side by side.
    Compare,
    /// `src/bin/archive.rs`: what was opened from disk (a layer, or an image archive with
    /// the document and layer views it needs).
    Archive,
}

impl Module {
    /// The Cargo binary (and `<meta name="manifest-explorer-…">`) name.
    pub fn name(self) -> &'static str {
        match self {
            Module::Views => "views",
            Module::Signatures => "sigs",
            Module::Compare => "compare",
            Module::Archive => "archive",
        }
    }

    fn mount_event(self) -> String {
        format!("manifest-explorer:mount:{}", self.name())
    }

    fn ready_event(self) -> String {
        format!("manifest-explorer:ready:{}", self.name())
    }
}

/// A view that lives in the lazily loaded module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lazy {
    /// The merged filesystem of the manifest `at` (or the reference's own).
    ImageFs {
        reference: Reference,
        at: Option<Digest>,
    },
    /// One layer blob in the reference's repository.
    Layer {
        reference: Reference,
        layer: LayerBlob,
    },
    /// A file or folder opened from disk (`disk=1`): a layer, or an image archive and
    /// the objects in it.
    Disk,
    /// The signatures and attestations of the manifest `at` (or the reference's own).
    Signatures {
        reference: Reference,
        at: Option<Digest>,
    },
    /// The first side (a reference, what is open from disk, a sample, a pasted document), at
    /// `at`, compared with the other side the route names.
    Compare {
        first: Place,
        at: Option<Digest>,
        /// The route's comparison parameters, read in the module (`route::Compare::of`).
        query: Vec<(String, String)>,
    },
}

impl Lazy {
    /// The module the view lives in.
    pub fn module(&self) -> Module {
        match self {
            Lazy::Signatures { .. } => Module::Signatures,
            Lazy::Compare { .. } => Module::Compare,
            Lazy::Disk => Module::Archive,
            _ => Module::Views,
        }
    }

    pub fn of(route: &Route) -> Option<Lazy> {
        if route.view == ViewMode::Compare {
            return Some(Lazy::Compare {
                first: Place::first(route)?,
                at: route.at.clone(),
                query: route.compare.clone(),
            });
        }
        // What is open from disk (`disk=1`) has no reference.
        let reference = match &route.source {
            _ if route.disk => None,
            Source::Reference(text) => Some(text.trim().parse::<Reference>().ok()?),
            _ => return None,
        };
        let Some(reference) = reference else {
            return Some(Lazy::Disk);
        };
        match Want::of(route.at.clone(), route.media_type.clone(), route.size) {
            Ok(Want::Manifest(at)) if route.view == ViewMode::Fs => {
                Some(Lazy::ImageFs { reference, at })
            }
            Ok(Want::Manifest(at)) if route.view == ViewMode::Sigs => {
                Some(Lazy::Signatures { reference, at })
            }
            Ok(_) => None,
            Err(layer) => Some(Lazy::Layer { reference, layer }),
        }
    }
}

/// The page's side: the placeholder and the loading of the module.
/// The script of the lazily loaded module or worker binary `name` (`views`, `worker`, …) as
/// this build named it: `scripts/trunk-post-build` gives each a content-hashed name and writes
/// it into `<meta name="manifest-explorer-NAME">`, so a page never loads one of another build.
pub fn script_url(name: &str) -> String {
    leptos::prelude::document()
        .query_selector(&format!("meta[name=manifest-explorer-{name}]"))
        .ok()
        .flatten()
        .and_then(|m| m.get_attribute("content"))
        .unwrap_or_else(|| format!("./{name}.js"))
}

pub mod host {
    use std::cell::{Cell, RefCell};
    use std::collections::BTreeMap;

    use js_sys::{Array, Object, Reflect};
    use leptos::prelude::*;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    use super::{Module, UNMOUNT};
    use crate::app::Nav;
    use crate::client::Session;

    /// A module's loading state.
    #[derive(Default)]
    struct State {
        ready: bool,
        loading: bool,
        /// Mount requests made before the module said it is ready.
        waiting: Vec<Object>,
    }

    thread_local! {
        static STATES: RefCell<BTreeMap<&'static str, State>> = const { RefCell::new(BTreeMap::new()) };
        static NEXT_ID: Cell<u32> = const { Cell::new(1) };
    }

    fn with_state<T>(module: Module, f: impl FnOnce(&mut State) -> T) -> T {
        STATES.with(|s| f(s.borrow_mut().entry(module.name()).or_default()))
    }

    fn dispatch(name: &str, detail: &JsValue) {
        let init = web_sys::CustomEventInit::new();
        init.set_detail(detail);
        if let Ok(ev) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
            let _ = window().dispatch_event(&ev);
        }
    }

    /// Loads the module once; mounts waiting requests when it is ready.
    fn load(module: Module, on_error: impl Fn() + 'static) {
        if with_state(module, |s| std::mem::replace(&mut s.loading, true)) {
            return;
        }
        let ready = Closure::<dyn FnMut()>::new(move || {
            let waiting = with_state(module, |s| {
                s.ready = true;
                std::mem::take(&mut s.waiting)
            });
            for detail in waiting {
                dispatch(&module.mount_event(), &detail);
            }
        });
        let _ = window().add_event_listener_with_callback(
            &module.ready_event(),
            ready.as_ref().unchecked_ref(),
        );
        ready.forget();
        let Ok(script) = document().create_element("script") else {
            on_error();
            return;
        };
        let _ = script.set_attribute("src", &super::script_url(module.name()));
        let failed = Closure::<dyn FnMut()>::new(move || {
            with_state(module, |s| s.loading = false);
            on_error();
        });
        let _ = script.add_event_listener_with_callback("error", failed.as_ref().unchecked_ref());
        failed.forget();
        if let Some(head) = document().head() {
            let _ = head.append_child(&script);
        }
    }

    fn set(detail: &Object, key: &str, value: &JsValue) {
        let _ = Reflect::set(detail, &JsValue::from_str(key), value);
    }

    /// Where a lazily loaded view goes: a placeholder `module` mounts into.
    #[component]
    pub fn LazyView(module: Module) -> impl IntoView {
        let nav = expect_context::<Nav>();
        let session = expect_context::<StoredValue<Session, LocalStorage>>();
        let node = NodeRef::<leptos::html::Div>::new();
        let id = NEXT_ID.with(|n| n.replace(n.get() + 1));
        let failed = RwSignal::new(false);
        Effect::new(move |_| {
            let Some(element) = node.get() else {
                return;
            };
            // A log-in or log-out mounts the view again with the new credentials; another file
            // or folder opened from disk, with it (the route, `disk=1`, stays the same).
            nav.identity.track();
            nav.disk.track();
            let detail = Object::new();
            set(&detail, "id", &JsValue::from(id));
            set(&detail, "element", &element);
            if let Some(disk) = nav.disk.get_untracked() {
                set(&detail, "disk", &disk);
            }
            let (credentials, realms) = session.with_value(|s| s.handover());
            if let Some(c) = credentials {
                set(&detail, "username", &JsValue::from_str(c.username()));
                set(&detail, "secret", &JsValue::from_str(c.secret()));
            }
            let list = Array::new();
            for realm in realms {
                list.push(&JsValue::from_str(&realm));
            }
            set(&detail, "realms", &list);
            if with_state(module, |s| s.ready) {
                dispatch(&module.mount_event(), &detail);
            } else {
                with_state(module, |s| s.waiting.push(detail));
                load(module, move || failed.set(true));
            }
        });
        on_cleanup(move || {
            let detail = Object::new();
            set(&detail, "id", &JsValue::from(id));
            dispatch(UNMOUNT, &detail);
        });
        view! {
            <div class="lazy-view" node_ref=node>
                <p class="loading" role="status">"Loading…"</p>
            </div>
            {move || failed.get().then(|| view! {
                <p class="input-error" role="alert">"This view could not be loaded (network error, or a newer version was deployed: reload the page)."</p>
            })}
        }
    }
}

/// The module's side: mounts the views where the page asks.
pub mod guest {
    use std::any::Any;
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    use js_sys::Reflect;
    use leptos::prelude::*;
    use wasm_bindgen::{JsCast, JsValue};

    use super::{Lazy, Module, UNMOUNT};
    use crate::app::Nav;
    use crate::client::Session;
    use crate::components::{CompareView, DiskView, ImageFs, LayerView, SignaturesView};
    use crate::registry::Credentials;
    use crate::route::{Route, Source};

    thread_local! {
        /// Mounted roots by the page's id; dropping one unmounts it.
        static ROOTS: RefCell<BTreeMap<u32, Box<dyn Any>>> = const { RefCell::new(BTreeMap::new()) };
    }

    fn get(detail: &JsValue, key: &str) -> JsValue {
        Reflect::get(detail, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    fn id_of(detail: &JsValue) -> Option<u32> {
        get(detail, "id").as_f64().map(|n| n as u32)
    }

    /// How a module renders the views it holds (each binary passes its own, so it links only
    /// its own components).
    pub type Render = fn(Lazy, &Route, Nav) -> AnyView;

    /// The layer views (`src/bin/views.rs`).
    pub fn layer_views(lazy: Lazy, route: &Route, _: Nav) -> AnyView {
        match lazy {
            Lazy::ImageFs { reference, at } => {
                view! { <ImageFs reference proxy=route.proxy.clone() at /> }.into_any()
            }
            Lazy::Layer { reference, layer } => view! {
                <LayerView layer reference proxy=route.proxy.clone() diff=route.diff.clone() />
            }
            .into_any(),
            Lazy::Disk | Lazy::Signatures { .. } | Lazy::Compare { .. } => ().into_any(),
        }
    }

    /// What was opened from disk (`src/bin/archive.rs`).
    pub fn archive_views(lazy: Lazy, _: &Route, nav: Nav) -> AnyView {
        match lazy {
            Lazy::Disk => view! { <DiskView disk=nav.disk.get_untracked() /> }.into_any(),
            _ => ().into_any(),
        }
    }

    /// The signatures panel (`src/bin/sigs.rs`).
    pub fn signature_views(lazy: Lazy, route: &Route, _: Nav) -> AnyView {
        match lazy {
            Lazy::Signatures { reference, at } => {
                view! { <SignaturesView reference proxy=route.proxy.clone() at /> }.into_any()
            }
            _ => ().into_any(),
        }
    }

    /// The comparison views (`src/bin/compare.rs`); layers opened there hash their files.
    pub fn compare_views(lazy: Lazy, route: &Route, _: Nav) -> AnyView {
        crate::layers::set_hash_files(true);
        match lazy {
            Lazy::Compare { first, at, .. } => {
                let compare = crate::route::Compare::of(route);
                view! { <CompareView first at compare proxy=route.proxy.clone() expect=route.expect.clone() /> }.into_any()
            }
            _ => ().into_any(),
        }
    }

    /// What the current route shows, rendered here.
    #[component]
    fn Guest(render: Render) -> impl IntoView {
        let nav = expect_context::<Nav>();
        // Only a change of what is shown rebuilds the view; the selected path does not.
        let shown = Memo::new(move |_| Lazy::of(&nav.route.get()));
        move || match shown.get() {
            Some(lazy) => render(lazy, &nav.route.get_untracked(), nav),
            None => ().into_any(),
        }
    }

    fn mount(detail: JsValue, render: Render) {
        let (Some(id), Ok(element)) = (
            id_of(&detail),
            get(&detail, "element").dyn_into::<web_sys::HtmlElement>(),
        ) else {
            return;
        };
        let disk = Some(get(&detail, "disk")).filter(|d| !d.is_undefined());
        let credentials = get(&detail, "username")
            .as_string()
            .zip(get(&detail, "secret").as_string())
            .and_then(|(user, secret)| Credentials::new(&user, &secret).ok());
        let realms: Vec<String> = js_sys::Array::from(&get(&detail, "realms"))
            .iter()
            .filter_map(|r| r.as_string())
            .collect();
        // Mounting an id again (after a log-in) replaces its view.
        ROOTS.with(|r| r.borrow_mut().remove(&id));
        element.set_text_content(None);
        let root = leptos::mount::mount_to(element, move || {
            let nav = Nav::shared();
            // A file from disk has no place in the URL: the page's route names it (only where
            // the route is about it: a registry view, a comparison with a registry image
            // first, keeps its reference while a file stays open).
            if let Some(file) = disk.as_ref().and_then(|d| d.dyn_ref::<web_sys::File>()) {
                nav.route.update(|r| {
                    if r.disk {
                        r.source = Source::File(file.name());
                    }
                });
            }
            nav.disk.set(disk);
            let session = Session::default();
            session.set_credentials(credentials);
            for realm in &realms {
                session.allow_realm(realm);
            }
            provide_context(nav);
            provide_context(StoredValue::new_local(session));
            view! { <Guest render /> }
        });
        ROOTS.with(|r| r.borrow_mut().insert(id, Box::new(root)));
    }

    /// Starts `module`: listens for mount requests, then tells the page it is ready.
    pub fn start(module: Module, render: Render) {
        console_error_panic_hook::set_once();
        let on_mount = window_event_listener_untyped(&module.mount_event(), move |ev| {
            if let Some(ev) = ev.dyn_ref::<web_sys::CustomEvent>() {
                mount(ev.detail(), render);
            }
        });
        let on_unmount = window_event_listener_untyped(UNMOUNT, |ev| {
            if let Some(id) = ev
                .dyn_ref::<web_sys::CustomEvent>()
                .and_then(|e| id_of(&e.detail()))
            {
                ROOTS.with(|r| r.borrow_mut().remove(&id));
            }
        });
        // The listeners live as long as the page.
        std::mem::forget((on_mount, on_unmount));
        if let Ok(ev) = web_sys::Event::new(&module.ready_event()) {
            let _ = window().dispatch_event(&ev);
        }
    }
}
