//! A digest link whose object is not available here.

use leptos::prelude::*;

use super::CopyButton;
use crate::oci::Digest;

#[component]
pub fn MissingObject(digest: Digest) -> impl IntoView {
    let text = digest.to_string();
    view! {
        <section class="notice" role="status">
            <h2>"Not available offline"</h2>
            <p>
                <code data-fact="missing-digest">{text.clone()}</code>
                " "
                <CopyButton text=text what="digest" />
            </p>
            <p>
                "This object is not among the built-in samples (layer blobs are not shipped). "
                "Objects in a registry are fetched when you start from a reference ("
                <code>"registry/repository@digest"</code> ")."
            </p>
            <p>
                <button type="button" on:click=|_| {
                    let _ = window().history().and_then(|h| h.back());
                }>"Back"</button>
            </p>
        </section>
    }
}
