//! The breakdown of a parsed reference.

use leptos::prelude::*;

use crate::oci::Reference;

#[component]
pub fn ReferenceView(reference: Reference) -> impl IntoView {
    let tag = reference.tag().map(str::to_owned);
    let digest = reference.digest().map(ToString::to_string);
    view! {
        <section class="reference">
            <h2>"Reference"</h2>
            <dl class="facts">
                <dt>"Canonical"</dt>
                <dd><code data-fact="canonical">{reference.to_string()}</code></dd>
                <dt>"Familiar"</dt>
                <dd><code data-fact="familiar">{reference.familiar()}</code></dd>
                <dt>"Registry"</dt>
                <dd><code data-fact="registry">{reference.registry().to_owned()}</code></dd>
                <dt>"Repository"</dt>
                <dd><code data-fact="repository">{reference.repository().to_owned()}</code></dd>
                <dt>"Tag"</dt>
                <dd><code data-fact="tag">{tag.unwrap_or_else(|| "—".into())}</code></dd>
                <dt>"Digest"</dt>
                <dd><code data-fact="ref-digest">{digest.unwrap_or_else(|| "—".into())}</code></dd>
            </dl>
        </section>
    }
}
