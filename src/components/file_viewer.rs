//! One file of a layer: its size and sha256, the first 64 KiB as text or hex (more on
//! request), images through a `blob:` URL in `<img>` (never inline markup), and a download of
//! the whole file.

use leptos::prelude::*;

use super::CopyButton;
use crate::app::Nav;
use crate::layer::path::display;
use crate::layers::{self, FileContent};
use crate::oci::model::human_size;
use crate::preview::{self, Kind};

const PREVIEW: u64 = 64 * 1024;

/// An image's bytes as a `blob:` URL, revoked when the view goes away.
fn image_url(bytes: &[u8], mime: &str) -> Option<String> {
    let array = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&array, &options).ok()?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
    let revoke = url.clone();
    on_cleanup(move || {
        let _ = web_sys::Url::revoke_object_url(&revoke);
    });
    Some(url)
}

fn body(path: &[u8], content: &FileContent, as_hex: bool) -> AnyView {
    match (preview::sniff(path, &content.bytes), as_hex) {
        (Kind::Image(mime), false) => match image_url(&content.bytes, mime) {
            Some(url) if !content.truncated => {
                view! { <img class="file-image" src=url alt="image from the layer" /> }.into_any()
            }
            _ => view! { <p class="hint">"The image is larger than the preview: download it to see it."</p> }.into_any(),
        },
        (Kind::Text, false) => {
            let (text, invalid) = preview::text(&content.bytes);
            view! {
                {(invalid > 0).then(|| view! { <p class="hint">{format!("{invalid} bytes are not UTF-8; they are shown as \\xNN.")}</p> })}
                <pre class="file-text" data-fact="file-text">{text}</pre>
            }
            .into_any()
        }
        _ => view! { <pre class="file-hex" data-fact="file-hex">{preview::hex(&content.bytes, 0)}</pre> }.into_any(),
    }
}

#[component]
pub fn FileViewer(
    /// One layer, or the layers of the merged filesystem (lowest first).
    keys: Vec<String>,
    path: Vec<u8>,
) -> impl IntoView {
    let nav = expect_context::<Nav>();
    let shown = display(&path);
    let limit = RwSignal::new(PREVIEW);
    let content = RwSignal::new(None::<Result<FileContent, String>>);
    let as_hex = RwSignal::new(false);
    let note = RwSignal::new(None::<String>);
    {
        let (keys, path) = (keys.clone(), path.clone());
        Effect::new(move |_| {
            let max = limit.get();
            layers::read_file(keys.clone(), path.clone(), max, move |r| {
                content.set(Some(r))
            });
        });
    }
    let name = path
        .rsplit(|&b| b == b'/')
        .next()
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "file".into());
    let download = move |size: u64| {
        let name = name.clone();
        layers::read_file(keys.clone(), path.clone(), size, move |r| {
            note.set(match r {
                Ok(c) if !c.truncated => layers::save_bytes(&c.bytes, &name).err(),
                Ok(_) => Some("the file could not be read whole".into()),
                Err(e) => Some(e),
            })
        });
    };
    let view_body = {
        let path = shown.clone().into_bytes();
        move || match content.get() {
            None => view! { <p class="loading">"Reading the file…"</p> }.into_any(),
            Some(Err(e)) => {
                view! { <p class="input-error" role="alert" data-fact="file-error">{e}</p> }
                    .into_any()
            }
            Some(Ok(c)) => {
                let sha = c.sha256.as_ref().map(|d| d.to_string());
                let size = c.size;
                let download = download.clone();
                view! {
                    <dl class="facts">
                        <dt>"Size"</dt><dd data-fact="file-size" title=format!("{size} bytes")>{human_size(size)}</dd>
                        {sha.map(|s| view! {
                            <dt>"sha256"</dt><dd><code data-fact="file-sha256">{s.clone()}</code> " " <CopyButton text=s what="digest" /></dd>
                        })}
                    </dl>
                    <p>
                        <button id="file-download" type="button" on:click=move |_| download(size)>"Download this file"</button>
                        " "
                        <label><input id="file-hex" type="checkbox" prop:checked=as_hex on:change=move |ev| as_hex.set(event_target_checked(&ev)) />" hex"</label>
                        {c.truncated.then(|| view! {
                            " " <button id="file-more" type="button" on:click=move |_| limit.update(|l| *l = l.saturating_mul(4))>
                                {format!("Showing the first {}; show more", human_size(c.bytes.len() as u64))}
                            </button>
                        })}
                        {move || note.get().map(|n| view! { " " <span class="input-error">{n}</span> })}
                    </p>
                    {body(&path, &c, as_hex.get())}
                }
                .into_any()
            }
        }
    };
    view! {
        <section class="file-viewer">
            <h3>
                <code data-fact="file-path">{format!("/{shown}")}</code>
                " "
                <a href=nav.href(|r| r.path = None) on:click=move |ev| {
                    ev.prevent_default();
                    nav.update(|r| r.path = None);
                }>"close"</a>
            </h3>
            {view_body}
        </section>
    }
}
