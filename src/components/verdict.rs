//! The verdict on a document's bytes: *verified* only when the hash of exactly these bytes
//! equals the digest they were addressed by; a *mismatch* is impossible to miss; with nothing
//! to compare against, *unverified*, with the computed digest.

use leptos::prelude::*;

use super::CopyButton;
use crate::oci::Digest;

#[component]
pub fn Verdict(
    /// The digest the bytes were addressed by, if any.
    expected: Option<Digest>,
    /// The bytes' digest computed with the expected digest's algorithm (sha256 otherwise).
    actual: Digest,
    size: u64,
    /// The bytes came through a textarea, which may have changed line endings.
    pasted: bool,
) -> impl IntoView {
    let paste_note = pasted.then(|| {
        view! {
            <p class="hint">
                "Pasted text passes through the browser's text box, which turns CRLF line endings "
                "into LF; if this digest differs from the file's, open the file instead for its exact bytes."
            </p>
        }
    });
    match expected {
        Some(expected) if expected == actual => view! {
            <section class="verdict ok" data-verdict="verified">
                <p>
                    <strong data-fact="verdict">"verified"</strong>
                    {format!(": the {} of these {size} bytes equals the digest they were addressed by.", actual.algorithm())}
                </p>
                <p><code>{actual.to_string()}</code></p>
            </section>
        }
        .into_any(),
        Some(expected) => view! {
            <section class="verdict bad" role="alert" data-verdict="mismatch">
                <p><strong data-fact="verdict">"mismatch"</strong>": these bytes are NOT the content that was asked for."</p>
                <dl>
                    <dt>"Expected"</dt>
                    <dd><code data-fact="expected-digest">{expected.to_string()}</code></dd>
                    <dt>"Received bytes hash to"</dt>
                    <dd><code data-fact="actual-digest">{actual.to_string()}</code></dd>
                </dl>
                {paste_note}
            </section>
        }
        .into_any(),
        None => {
            let text = actual.to_string();
            view! {
                <section class="verdict none" data-verdict="unverified">
                    <p>
                        <strong data-fact="verdict">"unverified"</strong>
                        ": there is no expected digest to compare with. Computed over the exact bytes:"
                    </p>
                    <p><code>{text.clone()}</code> <CopyButton text what="digest" /></p>
                    {paste_note}
                </section>
            }
            .into_any()
        }
    }
}
