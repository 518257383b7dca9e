//! The Leptos application root (wasm only): holds the submitted input and decides whether it
//! is a reference or a document; the components under `components/` only render.

use leptos::prelude::*;

use crate::components::{InputBox, InspectionView, ReferenceErrorView, ReferenceView};
use crate::oci::{inspect, Reference};

/// Mounts the app on `<body>`; the only thing `main` does.
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// A document is JSON, and every JSON document we inspect is an object or an array;
/// a reference can start with neither.
fn looks_like_document(input: &str) -> bool {
    matches!(input.trim_start().as_bytes().first(), Some(b'{' | b'['))
}

#[component]
pub fn App() -> impl IntoView {
    let (submitted, set_submitted) = signal(None::<String>);
    let result = move || {
        let input = submitted.get()?;
        Some(if looks_like_document(&input) {
            let inspection = inspect(input.as_bytes(), None);
            view! { <InspectionView inspection /> }.into_any()
        } else {
            match input.trim().parse::<Reference>() {
                Ok(reference) => view! { <ReferenceView reference /> }.into_any(),
                Err(error) => {
                    view! { <ReferenceErrorView input=input.trim().to_owned() error /> }.into_any()
                }
            }
        })
    };
    view! {
        <header>
            <h1>"Manifest Explorer"</h1>
            <p class="tagline">
                "Look inside container images and OCI artifacts. Everything runs in your browser."
            </p>
        </header>
        <main>
            <InputBox on_submit=Callback::new(move |text| set_submitted.set(Some(text))) />
            <section class="result" aria-live="polite">{result}</section>
        </main>
    }
}
