//! Every digest is a link to the object it names: the same page with `at=<digest>`, so it can
//! be opened in a new tab and shared; a plain click navigates in place.

use leptos::prelude::*;

use super::CopyButton;
use crate::app::Nav;
use crate::oci::model::DigestField;
use crate::oci::Digest;
use crate::route::ViewMode;

/// An anchor to the object `digest` names, around `content`.
pub fn digest_anchor(digest: Digest, content: AnyView) -> impl IntoView {
    let nav = expect_context::<Nav>();
    let text = digest.to_string();
    let target = digest.clone();
    let href = nav.href(|r| {
        r.at = Some(target);
        r.view = ViewMode::Structured;
    });
    view! {
        <a
            href=href
            title=text.clone()
            data-digest=text
            on:click=move |ev: leptos::ev::MouseEvent| {
                if ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.button() != 0 {
                    return;
                }
                ev.prevent_default();
                let target = digest.clone();
                nav.update(|r| {
                    r.at = Some(target);
                    r.view = ViewMode::Structured;
                });
            }
        >
            {content}
        </a>
    }
}

#[component]
pub fn DigestLink(digest: Digest, #[prop(optional)] full: bool) -> impl IntoView {
    let text = digest.to_string();
    let label = if full { text.clone() } else { digest.short() };
    view! {
        <span class="digest">
            {digest_anchor(digest, view! { <code>{label}</code> }.into_any())}
            <CopyButton text=text what="digest" />
        </span>
    }
}

/// A descriptor's digest field: a link when it parses, the raw text marked invalid otherwise.
#[component]
pub fn DigestFieldLink(field: DigestField) -> impl IntoView {
    match field {
        DigestField::Parsed(digest) => view! { <DigestLink digest /> }.into_any(),
        DigestField::Invalid(text) => view! {
            <code class="invalid" title="not a valid digest">{text}</code>
        }
        .into_any(),
        DigestField::Missing => view! { <span class="missing">"missing"</span> }.into_any(),
    }
}
