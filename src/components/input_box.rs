//! The single input: a reference or a pasted JSON document.

use leptos::prelude::*;

#[component]
pub fn InputBox(on_submit: Callback<String>) -> impl IntoView {
    let (text, set_text) = signal(String::new());
    let submit = move || on_submit.run(text.get_untracked());
    view! {
        <form class="input-box" on:submit=move |ev| {
            ev.prevent_default();
            submit();
        }>
            <label for="input">"Image reference or JSON document"</label>
            <textarea
                id="input"
                rows="4"
                spellcheck="false"
                autocomplete="off"
                placeholder="ubuntu:24.04, ghcr.io/org/app@sha256:…, or paste a manifest"
                prop:value=text
                on:input=move |ev| set_text.set(event_target_value(&ev))
                on:keydown=move |ev| {
                    if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                        ev.prevent_default();
                        submit();
                    }
                }
            ></textarea>
            <button id="inspect" type="submit">"Inspect"</button>
        </form>
    }
}
