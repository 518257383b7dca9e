//! The start page: what this is, and the built-in samples (they work offline).

use leptos::prelude::*;

use crate::app::Nav;
use crate::route::{Route, Source};
use crate::samples::SAMPLES;

#[component]
pub fn StartPage() -> impl IntoView {
    let nav = expect_context::<Nav>();
    let samples = SAMPLES
        .iter()
        .map(|sample| {
            let route = Route {
                source: Source::Sample(sample.id.to_owned()),
                ..Route::default()
            };
            let href = nav.href(|r| *r = route.clone());
            view! {
                <li>
                    <a
                        href=href
                        data-sample=sample.id
                        on:click=move |ev| {
                            ev.prevent_default();
                            nav.go(route.clone());
                        }
                    >
                        {sample.title}
                    </a>
                </li>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <section class="start">
            <h2>"Samples"</h2>
            <p class="hint">
                "Built in and offline. Every digest in them is a link, and every object is hashed "
                "again here before it is called verified."
            </p>
            <ul class="samples">{samples}</ul>
            <h2>"What it does"</h2>
            <ul>
                <li>"Breaks a reference down the way " <code>"docker pull"</code> " reads it."</li>
                <li>"Identifies and lints OCI and Docker manifests, indexes, configs and artifacts."</li>
                <li>"Hashes the exact bytes with SHA-256 and compares them with the expected digest."</li>
                <li>"Nothing you paste or open leaves this page."</li>
            </ul>
        </section>
    }
}
