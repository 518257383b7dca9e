//! The breakdown of a parsed reference: registry, repository (namespace / name), tag, digest,
//! each normalisation step `docker pull` applies, the pull addresses and equivalent commands.

use leptos::prelude::*;

use super::{Commands, CopyButton};
use crate::oci::Reference;
use crate::registry::{Endpoint, MANIFEST_ACCEPT};

fn dash(value: Option<String>) -> String {
    value.unwrap_or_else(|| "—".into())
}

#[component]
pub fn ReferenceView(reference: Reference) -> impl IntoView {
    let canonical = reference.to_string();
    let by_tag = reference.tag().map(|t| format!("{}:{t}", reference.name()));
    let by_digest = reference
        .digest()
        .map(|d| format!("{}@{d}", reference.name()));
    let steps = reference
        .normalization()
        .iter()
        .map(|step| view! { <li>{step.description()}</li> })
        .collect_view();
    let manifest_ref = reference
        .digest()
        .map(ToString::to_string)
        .or_else(|| reference.tag().map(str::to_owned))
        .unwrap_or_else(|| "latest".into());
    let commands = vec![
        ("docker", format!("docker pull {canonical}")),
        ("crane", format!("crane manifest {canonical}")),
        ("regctl", format!("regctl manifest get {canonical}")),
        (
            "skopeo",
            format!("skopeo inspect --raw docker://{canonical}"),
        ),
        (
            "curl",
            format!(
                "curl -sSL -H 'Accept: {MANIFEST_ACCEPT}' {}",
                Endpoint::for_reference(&reference)
                    .manifest_url(reference.repository(), &manifest_ref)
            ),
        ),
    ];
    view! {
        <section class="reference">
            <h2>"Reference"</h2>
            <p class="canonical">
                <code data-fact="canonical">{canonical.clone()}</code>
                " "
                <CopyButton text=canonical what="reference" />
            </p>
            <dl class="facts">
                <dt>"Familiar form"</dt>
                <dd><code data-fact="familiar">{reference.familiar()}</code></dd>
                <dt>"Registry"</dt>
                <dd><code data-fact="registry">{reference.registry().to_owned()}</code></dd>
                <dt>"Repository"</dt>
                <dd><code data-fact="repository">{reference.repository().to_owned()}</code></dd>
                <dt>"Namespace"</dt>
                <dd><code data-fact="namespace">{dash(reference.namespace().map(str::to_owned))}</code></dd>
                <dt>"Name"</dt>
                <dd><code data-fact="name">{reference.short_name().to_owned()}</code></dd>
                <dt>"Tag"</dt>
                <dd><code data-fact="tag">{dash(reference.tag().map(str::to_owned))}</code></dd>
                <dt>"Digest"</dt>
                <dd><code data-fact="ref-digest">{dash(reference.digest().map(ToString::to_string))}</code></dd>
                {by_tag.map(|line| view! {
                    <dt>"Pull by tag (mutable)"</dt>
                    <dd><code>{line.clone()}</code> <CopyButton text=line what="pull-by-tag reference" /></dd>
                })}
                {by_digest.map(|line| view! {
                    <dt>"Pull by digest (immutable)"</dt>
                    <dd><code data-fact="pull-by-digest">{line.clone()}</code> <CopyButton text=line what="pull-by-digest reference" /></dd>
                })}
            </dl>
            <h3>"How it was read"</h3>
            <ol class="steps" data-fact="normalization">
                {steps}
                <li>"Canonical form: " <code>{reference.to_string()}</code></li>
            </ol>
            <Commands commands />
        </section>
    }
}
