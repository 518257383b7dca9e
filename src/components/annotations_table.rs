//! Annotations or labels: well-known keys get a readable label, values are text, and a value
//! becomes a link only when it is an http(s) URL (never `javascript:` and the like).

use leptos::prelude::*;

use crate::oci::model::{label, safe_link, Annotations};

#[component]
pub fn AnnotationsTable(annotations: Annotations, #[prop(into)] title: String) -> impl IntoView {
    if annotations.is_empty() {
        return None;
    }
    let rows = annotations
        .0
        .into_iter()
        .map(|(key, value)| {
            let name = label(&key);
            let shown = match safe_link(&value) {
                Some(url) => view! {
                    <a href=url rel="noopener noreferrer nofollow" target="_blank">{value}</a>
                }
                .into_any(),
                None => view! { <span>{value}</span> }.into_any(),
            };
            view! {
                <tr>
                    <th scope="row">
                        {name.map(|n| view! { <span class="label">{n}</span> <br /> })}
                        <code class="key">{key}</code>
                    </th>
                    <td class="value">{shown}</td>
                </tr>
            }
            .into_any()
        })
        .collect_view();
    Some(view! {
        <section class="annotations">
            <h3>{title}</h3>
            <table>
                <tbody>{rows}</tbody>
            </table>
        </section>
    })
}
