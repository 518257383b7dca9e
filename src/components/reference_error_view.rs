//! An invalid reference: the input with the offending character highlighted, and the reason.

use leptos::prelude::*;

use crate::oci::ReferenceError;

#[component]
pub fn ReferenceErrorView(input: String, error: ReferenceError) -> impl IntoView {
    // Split on a char boundary at the reported byte (the parser reports char starts).
    let at = error
        .position()
        .filter(|&at| input.is_char_boundary(at) && at < input.len());
    let marked = at.map(|at| {
        let bad_len = input[at..].chars().next().map_or(0, char::len_utf8);
        (
            input[..at].to_owned(),
            input[at..at + bad_len].to_owned(),
            input[at + bad_len..].to_owned(),
        )
    });
    view! {
        <section class="reference-error" role="alert">
            <h2>"Not a valid reference"</h2>
            {marked.map(|(before, bad, after)| view! {
                <pre class="marked-input"><code>{before}<mark>{bad}</mark>{after}</code></pre>
            })}
            <p>{error.to_string()}</p>
        </section>
    }
}
