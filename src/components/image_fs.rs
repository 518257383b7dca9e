//! The merged filesystem of an image (`view=fs` on a manifest): every layer downloaded through
//! the worker in order and verified (digest, then diff_id against the config), then all of them
//! applied as the image-spec says (whiteouts, opaque directories), each entry naming the layer
//! that put it there, with per-layer changes and where the bytes went.

use leptos::prelude::*;

use super::{Commands, DigestLink, FileList, FileViewer, LayerVerdicts, ProgressBar, Target};
use crate::app::Nav;
use crate::client::Session;
use crate::jobs::{Analysis, ListQuery};
use crate::layers::{self, Blob, Listing, Opening, Origin};
use crate::oci::json;
use crate::oci::model::{human_size, Descriptor, ImageConfig, ImageManifest, Index};
use crate::oci::{Digest, Limits, Reference};
use crate::registry::Endpoint;
use crate::route::ViewMode;

/// One layer of the image as the page knows it before opening it.
#[derive(Clone)]
pub(super) struct LayerRow {
    blob: Blob,
    media_type: String,
    label: String,
    created_by: String,
}

/// What the manifest and config say: the layers, or the platforms to choose from.
#[derive(Clone)]
pub(super) enum Image {
    Layers(Vec<LayerRow>),
    Platforms(Vec<Descriptor>),
}

async fn load(
    session: Session,
    endpoint: Endpoint,
    reference: Reference,
    at: Option<Digest>,
) -> Result<Image, String> {
    let limit = Limits::raised(false).max_bytes;
    let fetched = session
        .manifest(&endpoint, &reference, at.as_ref(), limit)
        .await
        .map_err(|e| e.to_string())?;
    let doc = json::parse(&fetched.bytes, json::DEFAULT_MAX_DEPTH).map_err(|e| e.to_string())?;
    if doc.get("manifests").is_some() {
        return Ok(Image::Platforms(Index::from_json(&doc).manifests));
    }
    let manifest = ImageManifest::from_json(&doc);
    let config = match manifest
        .config
        .as_ref()
        .and_then(|c| Some((c.digest.parsed()?.clone(), c.size)))
    {
        Some((digest, size)) => {
            let blob = session
                .blob(
                    &endpoint,
                    &reference,
                    &digest,
                    size.and_then(|s| u64::try_from(s).ok()),
                )
                .await
                .map_err(|e| format!("the image config could not be read: {e}"))?;
            json::parse(&blob.bytes, json::DEFAULT_MAX_DEPTH)
                .ok()
                .map(|j| ImageConfig::from_json(&j))
        }
        None => None,
    };
    let origin = Origin::Registry {
        endpoint,
        reference,
    };
    layer_rows(&manifest, config.as_ref(), &origin).map(Image::Layers)
}

/// The layers of `manifest` to open from `origin`, with the config's diff_ids and history.
pub(super) fn layer_rows(
    manifest: &ImageManifest,
    config: Option<&ImageConfig>,
    origin: &Origin,
) -> Result<Vec<LayerRow>, String> {
    let steps = config
        .map(|c| c.history_steps(Some(&manifest.layers)))
        .unwrap_or_default();
    let mut rows = Vec::new();
    for (i, layer) in manifest.layers.iter().enumerate() {
        let digest = layer
            .digest
            .parsed()
            .cloned()
            .ok_or_else(|| format!("layer {} has no valid digest", i + 1))?;
        let size = layer
            .size
            .and_then(|s| u64::try_from(s).ok())
            .ok_or_else(|| format!("layer {} has no valid size", i + 1))?;
        let step = steps.iter().find(|s| s.layer_index == Some(i));
        let diff_id = config
            .and_then(|c| c.diff_ids.get(i))
            .and_then(|d| d.parse().ok());
        rows.push(LayerRow {
            blob: Blob {
                origin: origin.clone(),
                key: origin.key(&digest),
                expected: Some((digest, size)),
                diff_id,
                as_layer: true,
            },
            media_type: layer.media_type.clone().unwrap_or_default(),
            label: format!("L{}", i + 1),
            created_by: step.and_then(|s| s.instruction.clone()).unwrap_or_default(),
        });
    }
    Ok(rows)
}

fn analysis_view(a: Analysis, labels: Vec<String>) -> impl IntoView {
    let per_mille = a.efficiency_ppm / 1000;
    let label = move |i: u32| labels.get(i as usize).cloned().unwrap_or_default();
    view! {
        <section class="analysis">
            <h3>"Where the bytes went"</h3>
            <dl class="facts">
                <dt>"Efficiency"</dt>
                <dd data-fact="efficiency">{format!("{}.{}%", per_mille / 10, per_mille % 10)}</dd>
                <dt>"Files in all layers"</dt>
                <dd data-fact="total-bytes">{human_size(a.total_bytes)}</dd>
                <dt>"Reclaimable by a rebuild"</dt>
                <dd data-fact="reclaimable">{format!("{} (files written in one layer and overwritten or deleted in a later one)", human_size(a.reclaimable_bytes))}</dd>
            </dl>
            {(!a.culprits.is_empty()).then(|| view! {
                <table class="culprits">
                    <thead><tr><th>"Path"</th><th>"Reclaimable"</th><th>"Copies (layer: size)"</th></tr></thead>
                    <tbody>
                        {a.culprits.into_iter().take(50).map(|c| view! {
                            <tr>
                                <td><code>{c.shown}</code></td>
                                <td class="num">{human_size(c.reclaimable)}</td>
                                <td>{c.copies.iter().map(|(l, s)| format!("{}: {}", label(*l), human_size(*s))).collect::<Vec<_>>().join(", ")}</td>
                            </tr>
                        }.into_any()).collect_view()}
                    </tbody>
                </table>
            })}
            <table class="layer-changes">
                <thead><tr><th>"Layer"</th><th>"Added"</th><th>"Modified"</th><th>"Removed"</th><th>"Bytes"</th><th>"Reclaimable"</th></tr></thead>
                <tbody>
                    {a.layers.into_iter().enumerate().map(|(i, l)| view! {
                        <tr data-layer=i.to_string()>
                            <td>{format!("L{}", i + 1)}</td>
                            <td class="num">{l.added}</td>
                            <td class="num">{l.modified}</td>
                            <td class="num">{l.removed}</td>
                            <td class="num">{human_size(l.bytes)}</td>
                            <td class="num">{human_size(l.reclaimable)}</td>
                        </tr>
                    }.into_any()).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn MergedLayers(rows: Vec<LayerRow>, commands: Vec<(&'static str, String)>) -> impl IntoView {
    let nav = expect_context::<Nav>();
    let session = expect_context::<StoredValue<Session, LocalStorage>>();
    let openings: Vec<Opening> = rows.iter().map(|_| Opening::default()).collect();
    // One layer at a time, lowest first: bandwidth and the worker's memory go to one stream.
    let next = RwSignal::new(0usize);
    {
        let (rows, openings) = (rows.clone(), openings.clone());
        Effect::new(move |_| {
            let i = next.get();
            let (Some(row), Some(opening)) = (rows.get(i), openings.get(i)) else {
                return;
            };
            if opening.summary.get().is_some() || opening.error.get().is_some() {
                next.set(i + 1);
            } else if !opening.busy() && opening.progress.get_untracked().is_none() {
                opening.start(session.get_value(), row.blob.clone());
            }
        });
    }
    let keys: Vec<String> = rows.iter().map(|r| r.blob.key.clone()).collect();
    let labels: Vec<String> = rows.iter().map(|r| r.label.clone()).collect();
    let all_ok = {
        let openings = openings.clone();
        move || {
            openings.iter().all(|o| {
                o.summary
                    .get()
                    .is_some_and(|s| s.digest_verified == Some(true))
            })
        }
    };
    let table = rows
        .iter()
        .zip(openings.iter().copied())
        .map(|(row, opening)| {
            let (digest, size) = row.blob.expected.clone().unwrap_or_else(|| (Digest::sha256(b""), 0));
            let target = Target::of(Some(row.media_type.clone()), i64::try_from(size).ok());
            let diff = row.blob.diff_id.clone();
            let files = nav.href(|r| {
                r.at = Some(digest.clone());
                r.media_type = Some(row.media_type.clone());
                r.size = Some(size);
                r.view = ViewMode::Files;
                r.diff = diff.clone();
                r.path = None;
            });
            let state = move || {
                if let Some(p) = opening.progress.get() {
                    return view! { <ProgressBar progress=p on_cancel=Callback::new(move |_| opening.cancel()) /> }.into_any();
                }
                if let Some(e) = opening.error.get() {
                    return view! { <span class="input-error" data-fact="layer-error">{e}</span> }.into_any();
                }
                match opening.summary.get() {
                    Some(s) => view! { <LayerVerdicts summary=s /> }.into_any(),
                    None => view! { <span class="hint">"waiting"</span> }.into_any(),
                }
            };
            view! {
                <tr>
                    <td>{row.label.clone()}</td>
                    <td><DigestLink digest=digest.clone() target /> " " <a href=files>"files"</a></td>
                    <td class="num">{human_size(size)}</td>
                    <td><code class="created-by">{row.created_by.clone()}</code></td>
                    <td>{state}</td>
                </tr>
            }
            .into_any()
        })
        .collect_view();
    let analysis = RwSignal::new(None::<Result<Analysis, String>>);
    let merged = {
        let (keys, labels) = (keys.clone(), labels.clone());
        move || {
            all_ok().then(|| {
                let listing = Listing::new(
                    keys.clone(),
                    ListQuery {
                        limit: layers::PAGE_ROWS,
                        ..ListQuery::default()
                    },
                );
                if analysis.get_untracked().is_none() {
                    layers::analyse(keys.clone(), move |r| analysis.set(Some(r)));
                }
                let labels_for_analysis = labels.clone();
                let keys_for_viewer = keys.clone();
                view! {
                    {move || match analysis.get() {
                        Some(Ok(a)) => analysis_view(a, labels_for_analysis.clone()).into_any(),
                        Some(Err(e)) => view! { <p class="input-error">{e}</p> }.into_any(),
                        None => view! { <p class="loading">"Working out where the bytes went…"</p> }.into_any(),
                    }}
                    <h3>"Merged filesystem"</h3>
                    <FileList listing merged=true layer_labels=labels.clone() />
                    {move || nav.route.get().path.map(|path| view! { <FileViewer keys=keys_for_viewer.clone() path /> })}
                }
            })
        }
    };
    view! {
        <table class="image-layers">
            <thead><tr><th>"Layer"</th><th>"Digest"</th><th>"Size"</th><th>"Created by"</th><th>"Read"</th></tr></thead>
            <tbody>{table}</tbody>
        </table>
        {merged}
        <Commands commands />
    }
}

#[component]
pub fn ImageFs(reference: Reference, proxy: Option<String>, at: Option<Digest>) -> impl IntoView {
    let nav = expect_context::<Nav>();
    let session = expect_context::<StoredValue<Session, LocalStorage>>();
    let endpoint = crate::client::endpoint(&reference, proxy.as_deref());
    let resource = {
        let reference = reference.clone();
        LocalResource::new(move || {
            load(
                session.get_value(),
                endpoint.clone(),
                reference.clone(),
                at.clone(),
            )
        })
    };
    let name = reference.to_string();
    let commands = vec![
        ("crane", format!("crane export {name} - | tar -tvf -")),
        ("dive", format!("dive {name}")),
    ];
    let body = move || match resource.get() {
        None => view! { <p class="loading" role="status">"Reading the manifest and config…"</p> }
            .into_any(),
        Some(image) => image_body(nav, image, commands.clone()),
    };
    view! {
        <section class="image-fs">
            <h2>"Files of the image"</h2>
            {body}
        </section>
    }
}

/// The merged view of a loaded image, or the platforms of an index to choose from.
pub(super) fn image_body(
    nav: Nav,
    image: Result<Image, String>,
    commands: Vec<(&'static str, String)>,
) -> AnyView {
    match image {
        Err(e) => view! {
            <section class="notice error" role="alert"><p data-fact="fs-error">{e}</p></section>
        }
        .into_any(),
        Ok(Image::Platforms(list)) => view! {
            <p>"This is an index: choose the image whose files to show."</p>
            <ul class="platforms">
                {list.into_iter().filter_map(|d| {
                    let digest = d.digest.parsed()?.clone();
                    let label = d.platform.as_ref().map(|p| p.to_string()).unwrap_or_else(|| digest.short());
                    let href = nav.href(|r| { r.at = Some(digest.clone()); r.media_type = d.media_type.clone(); r.size = None; });
                    let go = digest.clone();
                    let mt = d.media_type.clone();
                    Some(view! {
                        <li><a href=href on:click=move |ev| {
                            ev.prevent_default();
                            nav.update(|r| { r.at = Some(go.clone()); r.media_type = mt.clone(); r.size = None; });
                        }>{label}</a></li>
                    }.into_any())
                }).collect_view()}
            </ul>
        }
        .into_any(),
        Ok(Image::Layers(rows)) => view! { <MergedLayers rows commands /> }.into_any(),
    }
}
