//! Every digest is a link to the object it names: the same page with `at=<digest>`, so it can
//! be opened in a new tab and shared; a plain click navigates in place.

use leptos::prelude::*;

use super::CopyButton;
use crate::app::Nav;
use crate::oci::model::DigestField;
use crate::oci::Digest;
use crate::route::{Route, ViewMode};

/// What a link says about its target: the descriptor's media type and size, when known.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Target {
    pub media_type: Option<String>,
    pub size: Option<i64>,
}

impl Target {
    pub fn of(media_type: Option<String>, size: Option<i64>) -> Target {
        Target { media_type, size }
    }

    fn apply(self, route: &mut Route, digest: Digest) {
        route.at = Some(digest);
        route.media_type = self.media_type;
        route.size = self.size.and_then(|s| u64::try_from(s).ok());
        route.view = ViewMode::Structured;
    }
}

/// An anchor to the object `digest` names, around `content`.
pub fn digest_anchor(digest: Digest, target: Target, content: AnyView) -> impl IntoView {
    let nav = expect_context::<Nav>();
    let text = digest.to_string();
    let href = nav.href(|r| target.clone().apply(r, digest.clone()));
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
                nav.update(|r| target.clone().apply(r, digest.clone()));
            }
        >
            {content}
        </a>
    }
}

#[component]
pub fn DigestLink(
    digest: Digest,
    #[prop(optional)] target: Target,
    #[prop(optional)] full: bool,
) -> impl IntoView {
    let text = digest.to_string();
    let label = if full { text.clone() } else { digest.short() };
    view! {
        <span class="digest">
            {digest_anchor(digest, target, view! { <code>{label}</code> }.into_any())}
            <CopyButton text=text what="digest" />
        </span>
    }
}

/// A descriptor's digest field: a link when it parses, the raw text marked invalid otherwise.
#[component]
pub fn DigestFieldLink(field: DigestField, #[prop(optional)] target: Target) -> impl IntoView {
    match field {
        DigestField::Parsed(digest) => view! { <DigestLink digest target /> }.into_any(),
        DigestField::Invalid(text) => view! {
            <code class="invalid" title="not a valid digest">{text}</code>
        }
        .into_any(),
        DigestField::Missing => view! { <span class="missing">"missing"</span> }.into_any(),
    }
}
