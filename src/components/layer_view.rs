//! One layer: open it in the worker (download with progress, or a file from disk), show the
//! verdicts (digest, diff_id), then its files and the file selected in the URL.

use leptos::prelude::*;

use super::{Commands, CopyButton, FileList, FileViewer, LayerBlob, ProgressBar};
use crate::app::Nav;
use crate::client::Session;
use crate::jobs::{ListQuery, Summary};
use crate::layers::{self, Blob, Listing, Opening, Origin};
use crate::oci::model::human_size;
use crate::oci::{Digest, Reference};
use crate::route::ViewMode;

/// The two verdicts: the compressed bytes against the digest they were addressed by, and the
/// uncompressed stream against the config's diff_id.
#[component]
pub fn LayerVerdicts(summary: Summary) -> impl IntoView {
    let digest = summary.digest.to_string();
    let (class, verdict, text) = match summary.digest_verified {
        Some(true) => (
            "ok",
            "verified",
            format!(
                "the sha256 of these {} bytes equals the digest the layer was addressed by",
                summary.size
            ),
        ),
        Some(false) => (
            "bad",
            "mismatch",
            format!(
                "these {} bytes are NOT the layer that was asked for; its files are not listed",
                summary.size
            ),
        ),
        None => (
            "none",
            "unverified",
            "nothing to compare with (a file from disk): computed over its exact bytes".to_owned(),
        ),
    };
    let diff = summary.diff_id.as_ref().map(|d| d.to_string());
    let diff_line = match (summary.diff_id_verified, diff) {
        (Some(true), Some(d)) => Some((
            "ok",
            "diff_id verified",
            format!("the uncompressed stream hashes to the config's diff_id {d}"),
        )),
        (Some(false), Some(d)) => Some((
            "bad",
            "diff_id mismatch",
            format!("the uncompressed stream hashes to {d}, not to the config's diff_id"),
        )),
        (None, Some(d)) => Some((
            "none",
            "diff_id not checked",
            format!("no config diff_id to compare with; the uncompressed stream hashes to {d}"),
        )),
        _ => None,
    };
    view! {
        <section class=format!("verdict {class}") data-verdict=verdict>
            <p><strong data-fact="verdict">{verdict}</strong>": " {text}</p>
            <p><code data-fact="blob-digest">{digest.clone()}</code> " " <CopyButton text=digest what="digest" /></p>
        </section>
        {diff_line.map(|(class, verdict, text)| view! {
            <section class=format!("verdict {class}") data-diff-verdict=verdict>
                <p><strong data-fact="diff-verdict">{verdict}</strong>": " {text}</p>
            </section>
        })}
    }
}

fn summary_facts(summary: &Summary) -> impl IntoView {
    let compression = summary.compression.clone();
    view! {
        <dl class="facts">
            <dt>"Compression"</dt><dd data-fact="compression">{compression}</dd>
            <dt>"Size"</dt><dd>{format!("{} compressed, {} uncompressed", human_size(summary.size), human_size(summary.uncompressed))}</dd>
            <dt>"Entries"</dt><dd data-fact="entry-count">{summary.entries}</dd>
            <dt>"Kept in this tab"</dt><dd data-fact="kept">{human_size(summary.kept)}</dd>
            <dt>"Worker memory"</dt><dd data-fact="worker-memory" title=format!("{} bytes", summary.memory)>{human_size(summary.memory)}</dd>
        </dl>
        {(!summary.warnings.is_empty()).then(|| view! {
            <ul class="warnings">{summary.warnings.iter().map(|w| view! { <li>{w.clone()}</li> }.into_any()).collect_view()}</ul>
        })}
    }
}

#[component]
pub fn LayerPanel(
    blob: Blob,
    title: String,
    /// Equivalent command lines for this layer.
    commands: Vec<(&'static str, String)>,
    /// Opens the layer at once, not only under `view=files` (a layer on disk: nothing to
    /// download).
    #[prop(optional)]
    eager: bool,
) -> impl IntoView {
    let nav = expect_context::<Nav>();
    let session = expect_context::<StoredValue<Session, LocalStorage>>();
    let opening = Opening::default();
    let auto = eager || nav.route.with_untracked(|r| r.view == ViewMode::Files);
    let start = {
        let blob = blob.clone();
        move || opening.start(session.get_value(), blob.clone())
    };
    if auto {
        start();
    }
    let key = blob.key.clone();
    let file_name = blob
        .expected
        .as_ref()
        .map(|(d, _)| d.encoded().to_owned())
        .unwrap_or_else(|| key.clone());
    let status = move || {
        if let Some(p) = opening.progress.get() {
            return view! { <ProgressBar progress=p on_cancel=Callback::new(move |_| opening.cancel()) /> }.into_any();
        }
        if let Some(e) = opening.error.get() {
            let retry = start.clone();
            let caps = layers::caps();
            return view! {
                <section class="notice error" role="alert">
                    <h3>"Could not read the layer"</h3>
                    <p data-fact="layer-error">{e}</p>
                    {opening.cap_hit.get().then(|| view! {
                        <p>
                            {format!(
                                "Limits now: {} entries, {} uncompressed, {}:1 decompression ratio. ",
                                caps.max_entries, human_size(caps.max_output), caps.max_ratio,
                            )}
                            <button id="raise-caps" type="button" on:click=move |_| {
                                let c = layers::caps();
                                layers::set_caps(crate::jobs::CapsMsg {
                                    max_entries: c.max_entries.saturating_mul(10),
                                    max_output: c.max_output.saturating_mul(10),
                                    max_ratio: c.max_ratio.saturating_mul(10),
                                });
                                retry();
                            }>"Raise them ×10 for this session and retry"</button>
                        </p>
                    })}
                </section>
            }
            .into_any();
        }
        match opening.summary.get() {
            None => view! {
                <p><button id="list-files" type="button" on:click={
                    let start = start.clone();
                    move |_| {
                        nav.update(|r| r.view = ViewMode::Files);
                        start();
                    }
                }>"List its files"</button> " (downloads the layer into this tab; every byte is checked against its digest)"</p>
            }
            .into_any(),
            Some(summary) => {
                let listed = summary.digest_verified != Some(false);
                let (key, name) = (key.clone(), file_name.clone());
                let saved = RwSignal::new(None::<String>);
                view! {
                    <LayerVerdicts summary=summary.clone() />
                    {summary_facts(&summary)}
                    <p>
                        <button id="save-blob" type="button" on:click=move |_| {
                            layers::save_blob(key.clone(), name.clone(), move |r| saved.set(r.err()));
                        }>"Save the blob"</button>
                        " "
                        <button id="clear-kept" type="button" on:click=move |_| {
                            layers::clear(move |r| saved.set(Some(match r {
                                Ok(freed) => format!("{} freed; a file is now read by downloading its layer again", human_size(freed)),
                                Err(e) => e,
                            })));
                        }>"Forget the kept bytes"</button>
                        {move || saved.get().map(|e| view! { " " <span class="hint">{e}</span> })}
                    </p>
                    {listed.then(|| {
                        let listing = Listing::new(vec![summary.key.clone()], ListQuery { limit: layers::PAGE_ROWS, ..ListQuery::default() });
                        view! { <FileList listing merged=false layer_labels=Vec::new() /> }
                    })}
                    {move || listed.then(|| nav.route.get().path.map(|path| view! {
                        <FileViewer keys=vec![summary.key.clone()] path />
                    }))}
                }
                .into_any()
            }
        }
    };
    view! {
        <section class="layer">
            <h2>{title}</h2>
            {status}
            <Commands commands />
        </section>
    }
}

/// A layer in a registry, reached through a digest link.
#[component]
pub fn LayerView(
    layer: LayerBlob,
    reference: Reference,
    proxy: Option<String>,
    /// The config's diff_id for this layer, when the link came from a view that read it.
    diff: Option<Digest>,
) -> impl IntoView {
    let endpoint = crate::client::endpoint(&reference, proxy.as_deref());
    let Some(size) = layer.size else {
        return view! {
            <section class="notice error" role="alert">
                <p>"The link to this layer carries no size, so the download could not be checked: open the layer from its manifest."</p>
            </section>
        }
        .into_any();
    };
    let repo = reference.name();
    let digest = layer.digest.clone();
    let commands = vec![
        ("crane", format!("crane blob {repo}@{digest} | tar -tvzf -")),
        (
            "regctl",
            format!("regctl blob get {repo} {digest} | tar -tvzf -"),
        ),
        (
            "regctl",
            format!("regctl blob get-file {repo} {digest} <path>"),
        ),
    ];
    let blob = Blob {
        origin: Origin::Registry {
            endpoint,
            reference: reference.clone(),
        },
        key: digest.to_string(),
        expected: Some((digest, size)),
        diff_id: diff,
        as_layer: true,
    };
    let title = format!("Layer ({}, {})", layer.media_type, human_size(size));
    view! { <LayerPanel blob title commands /> }.into_any()
}

/// A layer file opened from disk (`.tar`, `.tar.gz`, `.tgz`, `.tar.zst`): listed offline.
#[component]
pub fn LayerFileView(
    file: web_sys::File,
    /// What the worker keeps it under: one key per file opened (two files may share a name
    /// and a size).
    key: String,
) -> impl IntoView {
    let name = file.name();
    let size = file.size() as u64;
    let blob = Blob {
        key,
        origin: Origin::File(file),
        expected: None,
        diff_id: None,
        as_layer: true,
    };
    let commands = vec![("tar", format!("tar -tvf {name}"))];
    view! { <LayerPanel blob title=format!("Layer file {name} ({})", human_size(size)) commands /> }
}
