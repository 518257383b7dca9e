//! A Docker schema 1 manifest: name, tag, architecture, signatures, and the fsLayers with
//! their v1Compatibility history side by side (both newest first).

use leptos::prelude::*;

use super::DigestFieldLink;
use crate::oci::model::Schema1Manifest;

#[component]
pub fn Schema1View(manifest: Schema1Manifest) -> impl IntoView {
    let mut history = manifest.history.into_iter();
    let rows = manifest
        .fs_layers
        .into_iter()
        .enumerate()
        .map(|(i, layer)| {
            let h = history.next().unwrap_or_default();
            let step = h.error.clone().unwrap_or_else(|| h.cmd.join(" "));
            view! {
                <tr data-pointer=layer.pointer class:empty=h.throwaway>
                    <td class="num">{i}</td>
                    <td><DigestFieldLink field=layer.blob_sum /></td>
                    <td>{if h.throwaway { "empty" } else { "" }}</td>
                    <td><code>{step}</code></td>
                    <td class="small">{h.created.unwrap_or_default()}</td>
                </tr>
            }
            .into_any()
        })
        .collect_view();
    let signed = if manifest.signature_count == 0 {
        "unsigned".to_owned()
    } else {
        format!(
            "{} signature(s), key ids: {}",
            manifest.signature_count,
            manifest.key_ids.join(", ")
        )
    };
    view! {
        <section class="schema1">
            <p class="notice warning" role="note">
                "Docker schema 1 is deprecated: registries and runtimes are removing support. Its "
                "layer list is newest first, and a signed manifest's registry digest covers the "
                "JWS payload, not these bytes."
            </p>
            <dl class="facts">
                <dt>"Name"</dt>
                <dd><code>{manifest.name.unwrap_or_default()}</code></dd>
                <dt>"Tag"</dt>
                <dd><code>{manifest.tag.unwrap_or_default()}</code></dd>
                <dt>"Architecture"</dt>
                <dd>{manifest.architecture.unwrap_or_default()}</dd>
                <dt>"Signatures"</dt>
                <dd>{signed}</dd>
            </dl>
            <div class="table-wrap">
                <table>
                    <caption>"fsLayers and history (newest first)"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"#"</th>
                            <th scope="col">"blobSum"</th>
                            <th scope="col">""</th>
                            <th scope="col">"Command"</th>
                            <th scope="col">"Created"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
