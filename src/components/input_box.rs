//! The single input: a reference or a pasted JSON document (detected), an optional expected
//! digest, a file picker and drop target for exact bytes.

use leptos::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};

use crate::app::Nav;
use crate::oci::{Digest, DEFAULT_MAX_BYTES};
use crate::route::{Route, Source, ViewMode};

/// A document is JSON, and every JSON document we inspect is an object or an array; a
/// reference can start with neither.
fn looks_like_document(input: &str) -> bool {
    matches!(input.trim_start().as_bytes().first(), Some(b'{' | b'['))
}

/// Whether a file's first bytes are those of a layer: gzip, zstd, or a tar header (`ustar`
/// magic at 257). Documents are JSON and start with none of these.
fn looks_like_layer(head: &[u8]) -> bool {
    head.starts_with(&[0x1f, 0x8b])
        || head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd])
        || head.get(257..262) == Some(b"ustar")
}

/// Shows what was opened from disk (a layer or archive `File`, a folder) in the lazily loaded
/// views, which tell a layer from an image archive.
fn open_disk(nav: Nav, disk: wasm_bindgen::JsValue) {
    nav.disk.set(Some(disk));
    nav.go(Route {
        view: ViewMode::Files,
        disk: true,
        ..Route::default()
    });
}

/// Reads a dropped or picked file: a layer goes to the worker (only its first bytes are read
/// here); a document is read whole, refusing anything over the document size limit before
/// reading a byte of it.
fn open_file(nav: Nav, file: web_sys::File, set_error: WriteSignal<Option<String>>) {
    let name = file.name();
    // File sizes are whole numbers; printing them as integers keeps float formatting (and
    // its ~10 kB of code) out of the wasm.
    let size = file.size() as u64;
    spawn_local(async move {
        let head = match file.slice_with_i32_and_i32(0, 512) {
            Ok(blob) => JsFuture::from(blob.array_buffer())
                .await
                .map(|b| js_sys::Uint8Array::new(&b).to_vec())
                .unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        if looks_like_layer(&head) {
            set_error.set(None);
            open_disk(nav, file.into());
            return;
        }
        if size > DEFAULT_MAX_BYTES as u64 {
            set_error.set(Some(format!(
                "{name} is {size} bytes; documents are limited to {DEFAULT_MAX_BYTES} bytes"
            )));
            return;
        }
        match JsFuture::from(file.array_buffer()).await {
            Ok(buffer) => {
                let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
                set_error.set(None);
                nav.file.set(Some((name.clone(), bytes)));
                nav.go(Route {
                    source: Source::File(name),
                    ..Route::default()
                });
            }
            Err(_) => set_error.set(Some(format!("could not read {name}"))),
        }
    });
}

#[component]
pub fn InputBox() -> impl IntoView {
    let nav = expect_context::<Nav>();
    let initial = nav.route.with_untracked(|r| match &r.source {
        Source::Reference(text) | Source::Document(text) => text.clone(),
        _ => String::new(),
    });
    let initial_expect = nav.route.with_untracked(|r| {
        r.expect
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default()
    });
    let (text, set_text) = signal(initial);
    let (expect, set_expect) = signal(initial_expect);
    let (error, set_error) = signal(None::<String>);
    let (dragging, set_dragging) = signal(false);

    let submit = move || {
        let input = text.get_untracked();
        if input.trim().is_empty() {
            set_error.set(Some("type a reference or paste a document first".into()));
            return;
        }
        let expect_text = expect.get_untracked();
        let expect = match expect_text.trim() {
            "" => None,
            d => match d.parse::<Digest>() {
                Ok(d) => Some(d),
                Err(e) => {
                    set_error.set(Some(format!("expected digest: {e}")));
                    return;
                }
            },
        };
        set_error.set(None);
        let source = if looks_like_document(&input) {
            Source::Document(input)
        } else {
            Source::Reference(input.trim().to_owned())
        };
        nav.go(Route {
            source,
            expect,
            // The proxy is a setting of the session, not of one document.
            proxy: nav.route.with_untracked(|r| r.proxy.clone()),
            ..Route::default()
        });
    };

    let on_file_change = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            open_file(nav, file, set_error);
        }
        input.set_value("");
    };
    let on_folder_change = move |ev: leptos::ev::Event| {
        // The input keeps its value: clearing it would empty the FileList handed over.
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(files) = input.files() {
            open_disk(nav, files.into());
        }
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        set_dragging.set(false);
        let Some(dt) = ev.data_transfer() else {
            return;
        };
        // A folder is only reachable as an entry, and only during the drop event.
        let folder = dt
            .items()
            .get(0)
            .and_then(|item| item.webkit_get_as_entry().ok().flatten())
            .filter(web_sys::FileSystemEntry::is_directory);
        if let Some(entry) = folder {
            open_disk(nav, entry.into());
        } else if let Some(file) = dt.files().and_then(|files| files.get(0)) {
            open_file(nav, file, set_error);
        }
    };

    view! {
        <form
            class="input-box"
            class:dragging=dragging
            on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }
            on:dragover=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                set_dragging.set(true);
            }
            on:dragleave=move |_| set_dragging.set(false)
            on:drop=on_drop
        >
            <label for="input">"Image reference or JSON document"</label>
            <textarea
                id="input"
                rows="3"
                spellcheck="false"
                autocomplete="off"
                autocapitalize="off"
                placeholder="ubuntu:24.04 · ghcr.io/org/app@sha256:… · or paste a manifest, index or config"
                prop:value=text
                on:input=move |ev| set_text.set(event_target_value(&ev))
                on:keydown=move |ev| {
                    if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                        ev.prevent_default();
                        submit();
                    }
                }
            ></textarea>
            <div class="input-row">
                <label for="expect">"Expected digest (optional)"</label>
                <input
                    id="expect"
                    type="text"
                    spellcheck="false"
                    autocomplete="off"
                    placeholder="sha256:…"
                    prop:value=expect
                    on:input=move |ev| set_expect.set(event_target_value(&ev))
                />
                <button id="inspect" type="submit">"Inspect"</button>
                <label class="file-button">
                    "Open file…"
                    <input id="file" type="file" accept=".json,application/json,.tar,.tgz,.gz,.zst,.tzst" on:change=on_file_change />
                </label>
                <label class="file-button">
                    "Open folder…"
                    <input id="folder" type="file" prop:webkitdirectory=true on:change=on_folder_change />
                </label>
            </div>
            <p class="hint">"Ctrl+Enter inspects. Drop a file anywhere on this box for its exact bytes: a document, or a layer (.tar, .tar.gz, .tar.zst) to list its files offline."</p>
            {move || error.get().map(|e| view! { <p class="input-error" role="alert">{e}</p> })}
        </form>
    }
}
