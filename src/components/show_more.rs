//! Long tables render in pages: the first rows at once, more on request, so a 10,000-entry
//! index does not freeze the page.

use leptos::prelude::*;

/// Rows rendered before the person asks for more.
pub const PAGE: usize = 100;

#[component]
pub fn ShowMore(shown: RwSignal<usize>, total: usize) -> impl IntoView {
    move || {
        let now = shown.get().min(total);
        (now < total).then(|| {
            view! {
                <p class="show-more">
                    {format!("Showing {now} of {total}. ")}
                    <button type="button" on:click=move |_| shown.update(|n| *n += PAGE * 10)>
                        {format!("Show {} more", (total - now).min(PAGE * 10))}
                    </button>
                    " "
                    <button type="button" on:click=move |_| shown.set(total)>"Show all"</button>
                </p>
            }
        })
    }
}
