//! A button that copies a value to the clipboard and says so.

use leptos::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};

#[component]
pub fn CopyButton(#[prop(into)] text: String, #[prop(into)] what: String) -> impl IntoView {
    let (copied, set_copied) = signal(false);
    let label = format!("Copy {what}");
    view! {
        <button
            type="button"
            class="copy"
            title=label.clone()
            aria-label=label
            on:click=move |_| {
                let text = text.clone();
                spawn_local(async move {
                    let promise = window().navigator().clipboard().write_text(&text);
                    set_copied.set(JsFuture::from(promise).await.is_ok());
                });
            }
        >
            {move || if copied.get() { "Copied" } else { "Copy" }}
        </button>
    }
}
