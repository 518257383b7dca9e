//! The exact bytes, syntax-highlighted from the parsed tree's spans; every digest string is a
//! link to its object, and every value carries its JSON pointer so a finding can scroll to it.
//! Everything is a text node: the document never reaches the DOM as HTML.

use leptos::prelude::*;

use super::{digest_anchor, Target};
use crate::oci::json::{tokens, Json, TokenKind};
use crate::oci::Digest;

/// Above this size the raw view is plain text: tens of thousands of highlighted spans would
/// make the page sluggish, and the structured view is the one to read then.
const MAX_HIGHLIGHTED: usize = 512 * 1024;

fn class_of(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::Key => "k",
        TokenKind::String => "s",
        TokenKind::Number => "n",
        TokenKind::Literal => "l",
        TokenKind::Open => "o",
    }
}

#[component]
pub fn RawJson(bytes: Vec<u8>, json: Option<Json>) -> impl IntoView {
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let json = json.filter(|_| bytes.len() <= MAX_HIGHLIGHTED && text.len() == bytes.len());
    let Some(json) = json else {
        return view! { <pre class="raw"><code>{text}</code></pre> }.into_any();
    };
    let mut pieces: Vec<AnyView> = Vec::new();
    let mut cursor = 0;
    for token in tokens(&json) {
        let (start, end) = (token.span.start, token.span.end);
        if start > cursor {
            pieces.push(text[cursor..start].to_owned().into_any());
        }
        let piece = text[start..end].to_owned();
        let class = class_of(token.kind);
        let digest = (token.kind == TokenKind::String)
            .then(|| piece.trim_matches('"').parse::<Digest>().ok())
            .flatten();
        pieces.push(match digest {
            Some(digest) => view! {
                <span class=class data-pointer=token.pointer>
                    {digest_anchor(digest, Target::default(), piece.into_any())}
                </span>
            }
            .into_any(),
            None => {
                view! { <span class=class data-pointer=token.pointer>{piece}</span> }.into_any()
            }
        });
        cursor = end;
    }
    if cursor < text.len() {
        pieces.push(text[cursor..].to_owned().into_any());
    }
    view! { <pre class="raw highlighted"><code>{pieces}</code></pre> }.into_any()
}
