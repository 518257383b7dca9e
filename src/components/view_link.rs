//! A link to another view (`view`) of the object `at` shown now — its merged files, its
//! signatures, a comparison with it as the first side — keeping the rest of the route (the
//! reference, or `disk=1` for what was opened from disk). A plain function, not a component:
//! the page's manifest view has three such links and carries this code once.

use leptos::prelude::*;

use crate::app::Nav;
use crate::oci::Digest;
use crate::route::{Route, ViewMode};

pub fn view_link(
    nav: Nav,
    id: &'static str,
    label: &'static str,
    at: Digest,
    view: ViewMode,
) -> impl IntoView {
    let go = move |r: &mut Route| {
        r.at = Some(at.clone());
        r.view = view;
        r.path = None;
        // A comparison's parameters belong to the comparison view only.
        r.compare = Vec::new();
    };
    let href = nav.href(go.clone());
    view! {
        <a id=id href=href on:click=move |ev| {
            ev.prevent_default();
            nav.update(go.clone());
        }>{label}</a>
    }
}
