//! Recognised payloads (Helm chart config, in-toto statement, DSSE envelope, cosign simple
//! signing, SPDX, CycloneDX): their key fields; the full document stays in the raw view.

use leptos::prelude::*;

use super::AnnotationsTable;
use crate::oci::model::{DssePayload, Payload};

fn field(name: &'static str, value: Option<String>) -> impl IntoView {
    value.map(|v| view! { <dt>{name}</dt> <dd><code>{v}</code></dd> })
}

fn render(payload: Payload) -> AnyView {
    match payload {
        Payload::Helm(h) => view! {
            <h3 data-fact="payload">"Helm chart"</h3>
            <dl class="facts">
                {field("Name", h.name)}
                {field("Version", h.version)}
                {field("App version", h.app_version)}
                {field("API version", h.api_version)}
                {field("Type", h.chart_type)}
                {field("Description", h.description)}
                {field("Keywords", (!h.keywords.is_empty()).then(|| h.keywords.join(", ")))}
            </dl>
        }
        .into_any(),
        Payload::InToto(s) => {
            let subjects = s
                .subjects
                .into_iter()
                .map(|subject| {
                    let digests = subject
                        .digests
                        .into_iter()
                        .map(|(alg, hex)| format!("{alg}:{hex}"))
                        .collect::<Vec<_>>()
                        .join(" ");
                    view! { <li><code>{subject.name.unwrap_or_default()}</code> " " <code>{digests}</code></li> }
                })
                .collect_view();
            view! {
                <h3 data-fact="payload">"in-toto statement"</h3>
                <dl class="facts">
                    {field("Statement type", s.statement_type)}
                    {field("Predicate type", s.predicate_type)}
                </dl>
                <h4>"Subjects"</h4>
                <ul>{subjects}</ul>
                {s.predicate.map(|p| render(*p))}
            }
            .into_any()
        }
        Payload::Dsse(e) => {
            let inner = match e.payload {
                DssePayload::Missing => view! { <p class="invalid">"No payload."</p> }.into_any(),
                DssePayload::Invalid(err) => {
                    view! { <p class="invalid">{format!("Payload is not valid base64: {err}")}</p> }
                        .into_any()
                }
                DssePayload::Decoded {
                    bytes,
                    json,
                    recognised,
                } => {
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    let shown = match (recognised, json) {
                        (Some(p), _) => render(*p),
                        _ => view! { <pre class="raw"><code>{text}</code></pre> }.into_any(),
                    };
                    view! {
                        <p>{format!("Decoded payload: {} bytes.", bytes.len())}</p>
                        {shown}
                    }
                    .into_any()
                }
            };
            view! {
                <h3 data-fact="payload">"DSSE envelope"</h3>
                <dl class="facts">
                    {field("Payload type", e.payload_type)}
                    <dt>"Signatures"</dt>
                    <dd>{format!("{} ({})", e.signature_count, e.key_ids.join(", "))}</dd>
                </dl>
                <p class="hint">"Signatures are shown, not verified."</p>
                {inner}
            }
            .into_any()
        }
        Payload::CosignSimpleSigning(c) => view! {
            <h3 data-fact="payload">"cosign simple signing payload"</h3>
            <dl class="facts">
                {field("Docker reference", c.docker_reference)}
                {field("Signed manifest digest", c.manifest_digest)}
                {field("Type", c.signature_type)}
            </dl>
            <AnnotationsTable annotations=c.optional title="Optional claims" />
        }
        .into_any(),
        Payload::Spdx(s) => view! {
            <h3 data-fact="payload">"SPDX document"</h3>
            <dl class="facts">
                {field("SPDX version", s.spdx_version)}
                {field("Name", s.name)}
                {field("Packages", s.package_count.map(|n| n.to_string()))}
                {field("Created", s.created)}
            </dl>
        }
        .into_any(),
        Payload::CycloneDx(b) => view! {
            <h3 data-fact="payload">"CycloneDX BOM"</h3>
            <dl class="facts">
                {field("Format", b.bom_format)}
                {field("Spec version", b.spec_version)}
                {field("Describes", b.component_name)}
                {field("Components", b.component_count.map(|n| n.to_string()))}
            </dl>
        }
        .into_any(),
    }
}

#[component]
pub fn PayloadView(payload: Payload) -> impl IntoView {
    view! { <section class="payload">{render(payload)}</section> }
}
