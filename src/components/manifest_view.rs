//! An image manifest (OCI, Docker v2, or an OCI artifact): config, layers, total size,
//! artifactType, subject, annotations.

use leptos::prelude::*;

use super::{AnnotationsTable, DescriptorTable, DigestFieldLink, Target};
use crate::oci::model::{human_size, ImageManifest};

#[component]
pub fn ManifestView(manifest: ImageManifest) -> impl IntoView {
    let total = manifest.total_size();
    let layer_count = manifest.layers.len();
    let layers_word = if manifest.layers_from_blobs {
        "Blobs"
    } else {
        "Layers"
    };
    view! {
        <section class="manifest">
            <dl class="facts">
                {manifest.artifact_type.map(|t| view! {
                    <dt>"Artifact type"</dt>
                    <dd><code data-fact="artifact-type">{t}</code></dd>
                })}
                <dt>{layers_word}</dt>
                <dd data-fact="layer-count">{layer_count}</dd>
                <dt>"Total size"</dt>
                <dd>
                    <span data-fact="total-size" title=format!("{total} bytes")>{human_size(total)}</span>
                    " (config + layers as stored, compressed)"
                </dd>
                {manifest.subject.map(|s| view! {
                    <dt>"Subject"</dt>
                    <dd data-fact="subject"><DigestFieldLink field=s.digest target=Target::of(s.media_type, s.size) /></dd>
                })}
            </dl>
            {manifest.config.map(|config| view! {
                <DescriptorTable descriptors=vec![config] caption="Config" />
            })}
            <DescriptorTable descriptors=manifest.layers numbered=true caption=layers_word />
            <AnnotationsTable annotations=manifest.annotations title="Annotations" />
        </section>
    }
}
