//! What a pasted document is: kind, size, sha256 of the exact bytes, and the lint findings.

use leptos::prelude::*;

use super::Findings;
use crate::oci::Inspection;

#[component]
pub fn InspectionView(inspection: Inspection) -> impl IntoView {
    let valid = inspection.is_valid();
    view! {
        <section class="inspection">
            <h2>"Document"</h2>
            <dl class="facts">
                <dt>"Kind"</dt>
                <dd data-fact="kind">{inspection.kind().label()}</dd>
                <dt>"Size"</dt>
                <dd data-fact="size">{format!("{} bytes", inspection.size())}</dd>
                <dt>"Digest (sha256 of the bytes)"</dt>
                <dd><code data-fact="digest">{inspection.digest().to_string()}</code></dd>
                <dt>"Valid"</dt>
                <dd data-fact="valid">{if valid { "yes" } else { "no: see the errors below" }}</dd>
            </dl>
            <Findings findings=inspection.findings().to_vec() />
        </section>
    }
}
