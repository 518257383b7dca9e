//! The lint findings, most severe first; each names its JSON pointer, and clicking it opens
//! the raw view scrolled to that place.

use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::app::Nav;
use crate::oci::Finding;
use crate::route::ViewMode;

/// Scrolls the raw view to the value at `pointer`, or to its nearest parent that is shown.
fn scroll_to(pointer: &str) {
    let Ok(nodes) = document().query_selector_all(".raw [data-pointer]") else {
        return;
    };
    let mut wanted = pointer.to_owned();
    loop {
        for i in 0..nodes.length() {
            let Some(el) = nodes
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            else {
                continue;
            };
            if el.get_attribute("data-pointer").as_deref() == Some(wanted.as_str()) {
                el.scroll_into_view();
                let _ = el.set_attribute("data-target", "");
                return;
            }
        }
        match wanted.rfind('/') {
            Some(i) => wanted.truncate(i),
            None => return,
        }
    }
}

#[component]
pub fn Findings(findings: Vec<Finding>) -> impl IntoView {
    let nav = expect_context::<Nav>();
    if findings.is_empty() {
        return view! {
            <section class="findings">
                <h3>"Findings"</h3>
                <p data-fact="findings">"No findings: the document follows the specification."</p>
            </section>
        }
        .into_any();
    }
    let count = findings.len();
    let items = findings
        .into_iter()
        .map(|f| {
            let severity = f.severity.label();
            let pointer = f.pointer.clone();
            let shown = if f.pointer.is_empty() {
                "/".to_owned()
            } else {
                f.pointer
            };
            view! {
                <li class="finding" data-severity=severity.to_ascii_lowercase()>
                    <span class="severity">{severity}</span>
                    " "
                    <button
                        type="button"
                        class="pointer"
                        title="Show this place in the raw document"
                        on:click=move |_| {
                            nav.update(|r| r.view = ViewMode::Raw);
                            let pointer = pointer.clone();
                            set_timeout(move || scroll_to(&pointer), Duration::from_millis(30));
                        }
                    >
                        <code>{shown}</code>
                    </button>
                    " "
                    <span class="message">{f.message}</span>
                </li>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <section class="findings">
            <h3>{format!("Findings ({count})")}</h3>
            <ul data-fact="findings">{items}</ul>
        </section>
    }
    .into_any()
}
