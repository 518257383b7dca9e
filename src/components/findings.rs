//! The lint findings of a document, most severe first.

use leptos::prelude::*;

use crate::oci::Finding;

#[component]
pub fn Findings(findings: Vec<Finding>) -> impl IntoView {
    let count = findings.len();
    view! {
        <section class="findings">
            <h3>{format!("Findings ({count})")}</h3>
            <ul>
                {findings
                    .into_iter()
                    .map(|f| {
                        let severity = f.severity.label();
                        let pointer = if f.pointer.is_empty() { "/".to_owned() } else { f.pointer };
                        view! {
                            <li class="finding" data-severity=severity.to_lowercase()>
                                <span class="severity">{severity}</span>
                                " "
                                <code class="pointer">{pointer}</code>
                                " "
                                <span class="message">{f.message}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
