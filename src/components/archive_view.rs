//! What was opened from disk (`disk=1`): the worker probes a file's tar headers (only those)
//! and this shows an image archive — an OCI layout (`.tar` or folder) or a `docker save` —
//! like a registry: its tags and problems, each object verified when read (`at=` as for a
//! registry, so Back works), layers listed, merged and read as registry layers are; anything
//! else opened as a file is a layer, listed as before.

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use super::disk::{self, Opened};
use super::image_fs::{image_body, layer_rows, Image};
use super::view_link::view_link;
use super::{DigestLink, DocumentView, LayerFileView, LayerPanel, Target, Want};
use crate::app::Nav;
use crate::jobs::{ArchiveEntry, ArchiveSummary};
use crate::layers::{self, Blob, Origin, Probe};
use crate::oci::json;
use crate::oci::model::{human_size, ImageConfig, ImageManifest, Index};
use crate::oci::Digest;
use crate::route::{Route, ViewMode};
use crate::samples::Store;

/// What was opened from disk: probed once, then a layer or an archive.
#[component]
pub fn DiskView(disk: Option<JsValue>) -> impl IntoView {
    let Some(disk) = disk else {
        return view! {
            <section role="alert" class="notice">
                <h2>"The file is no longer loaded"</h2>
                <p data-fact="disk-gone">"Files and folders opened from disk stay in this tab's memory only; open it again."</p>
            </section>
        }
        .into_any();
    };
    let file = disk.dyn_ref::<web_sys::File>().cloned();
    let what = file
        .as_ref()
        .map_or_else(|| "the folder".to_owned(), |f| f.name());
    let opened = LocalResource::new(move || disk::open(disk.clone()));
    (move || match opened.get() {
        None => view! { <p class="loading" role="status">"Reading the archive's headers…"</p> }.into_any(),
        Some(Err(e)) => view! {
            <section class="notice error" role="alert">
                <h2>{format!("Could not open {what}")}</h2>
                <p data-fact="archive-error">{e}</p>
            </section>
        }
        .into_any(),
        Some(Ok(Opened { key, name, probe: Probe::NotAnArchive(reason), .. })) => match file.clone() {
            Some(file) => view! {
                <p class="hint" data-fact="not-an-archive">{format!("Not an image archive ({reason}): listed as a layer.")}</p>
                <LayerFileView file key />
            }
            .into_any(),
            None => view! {
                <section class="notice error" role="alert">
                    <h2>{format!("{name} is not an image layout")}</h2>
                    <p data-fact="archive-error">{reason}</p>
                </section>
            }
            .into_any(),
        },
        Some(Ok(Opened { name, probe: Probe::Archive(summary), ms, .. })) => {
            view! { <ArchiveView summary name ms is_folder=file.is_none() /> }.into_any()
        }
    })
    .into_any()
}

/// What the route shows inside the archive.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Shown {
    Overview,
    Document {
        digest: Digest,
        media_type: Option<String>,
        raw: bool,
    },
    Layer {
        digest: Digest,
        media_type: String,
        size: Option<u64>,
        diff: Option<Digest>,
    },
    Fs(Digest),
}

fn shown(route: &Route) -> Shown {
    let Some(at) = route.at.clone() else {
        return Shown::Overview;
    };
    if route.view == ViewMode::Fs {
        return Shown::Fs(at);
    }
    match Want::of(Some(at.clone()), route.media_type.clone(), route.size) {
        Err(layer) => Shown::Layer {
            digest: layer.digest,
            media_type: layer.media_type,
            size: layer.size,
            diff: route.diff.clone(),
        },
        Ok(_) => Shown::Document {
            digest: at,
            media_type: route.media_type.clone(),
            raw: route.view == ViewMode::Raw,
        },
    }
}

/// The archive's own view, its tags (the proxy is the session's: kept).
fn to_overview(r: &mut Route) {
    *r = Route {
        disk: true,
        view: ViewMode::Files,
        proxy: r.proxy.clone(),
        ..Route::default()
    };
}

/// An archive: its facts, tags and problems, and the object the route is at.
#[component]
fn ArchiveView(summary: ArchiveSummary, name: String, ms: u64, is_folder: bool) -> impl IntoView {
    let nav = expect_context::<Nav>();
    // Documents verified here, so a config view reached from its manifest shows layer sizes.
    provide_context(StoredValue::new(Store::empty()));
    let current = Memo::new(move |_| shown(&nav.route.get()));
    let key = summary.key.clone();
    let form = if is_folder {
        Form::Folder
    } else if summary.format == crate::archive::Format::DockerSave.name() {
        Form::Legacy
    } else {
        Form::Tar
    };
    let overview_href = nav.href(to_overview);
    let header = {
        let name = name.clone();
        move || {
            (current.get() != Shown::Overview).then(|| {
                view! {
                    <p class="archive-crumb">
                        <a id="archive-overview" href=overview_href.clone() on:click=move |ev| {
                            ev.prevent_default();
                            nav.update(to_overview);
                        }>{format!("← {} (its tags)", name)}</a>
                    </p>
                }
            })
        }
    };
    let body = move || {
        match current.get() {
        Shown::Overview => overview(&summary, &name, ms).into_any(),
        Shown::Document {
            digest,
            media_type,
            raw,
        } => view! { <ArchiveDocument archive=key.clone() name=name.clone() digest media_type raw /> }.into_any(),
        Shown::Layer {
            digest,
            media_type,
            size,
            diff,
        } => archive_layer(&key, &name, form, digest, media_type, size, diff),
        Shown::Fs(digest) => view! { <ArchiveFs archive=key.clone() name=name.clone() digest is_folder /> }.into_any(),
    }
    };
    view! {
        <section class="archive">
            {header}
            {body}
        </section>
    }
}

fn entry_row(entry: ArchiveEntry) -> AnyView {
    let tag = entry.tag.clone().unwrap_or_default();
    let digest = match entry.digest.clone() {
        Some(d) => {
            let target = Target::of(
                entry.media_type.clone(),
                entry.size.and_then(|s| i64::try_from(s).ok()),
            );
            view! { <DigestLink digest=d target /> }.into_any()
        }
        None => view! { <span class="missing">"no valid digest"</span> }.into_any(),
    };
    view! {
        <tr data-tag=tag.clone()>
            <td>{match entry.tag { Some(t) => view! { <code>{t}</code> }.into_any(), None => view! { <span class="hint">"(untagged)"</span> }.into_any() }}</td>
            <td>{entry.from}</td>
            <td>{entry.platform.unwrap_or_default()}</td>
            <td><code>{entry.media_type.unwrap_or_default()}</code>{entry.synthesized.then_some(" (made up from manifest.json)")}</td>
            <td>{digest}</td>
            <td class="num">{entry.size.map(human_size).unwrap_or_default()}</td>
        </tr>
    }
    .into_any()
}

fn overview(summary: &ArchiveSummary, name: &str, ms: u64) -> impl IntoView {
    let problems = summary.problems.clone();
    let entries = summary.entries.clone();
    view! {
        <h2>{format!("Archive {name}")}</h2>
        <dl class="facts">
            <dt>"Format"</dt><dd data-fact="archive-format">{summary.format.clone()}</dd>
            <dt>"Size"</dt><dd title=format!("{} bytes", summary.size)>{human_size(summary.size)}</dd>
            <dt>"Files"</dt><dd data-fact="archive-files">{format!("{} ({} blobs named by digest)", summary.files, summary.blobs)}</dd>
            <dt>"Opened"</dt><dd data-fact="archive-opened" data-ms=ms.to_string()>{format!("in {ms} ms, after reading {} bytes (tar headers and documents only)", summary.read)}</dd>
        </dl>
        {(!problems.is_empty()).then(|| view! {
            <section class="notice warning" role="alert">
                <h3>{format!("{} problem(s); everything else stays usable", problems.len())}</h3>
                <ul data-fact="archive-problems">
                    {problems.into_iter().map(|p| view! { <li data-problem>{p}</li> }).collect_view()}
                </ul>
            </section>
        })}
        <table class="archive-tags">
            <thead><tr><th>"Tag"</th><th>"From"</th><th>"Platform"</th><th>"Media type"</th><th>"Digest"</th><th>"Size"</th></tr></thead>
            <tbody>{entries.into_iter().map(entry_row).collect_view()}</tbody>
        </table>
        <p class="hint">"Every object is verified against its digest when it is opened."</p>
    }
}

/// A document of the archive, read and verified by the worker, shown as a registry's is.
#[component]
fn ArchiveDocument(
    archive: String,
    name: String,
    digest: Digest,
    media_type: Option<String>,
    raw: bool,
) -> impl IntoView {
    let nav = expect_context::<Nav>();
    let store = expect_context::<StoredValue<Store>>();
    let read = RwSignal::new(None::<Result<(Vec<u8>, bool), String>>);
    layers::read_document(archive, digest.clone(), move |r| read.set(Some(r)));
    move || match read.get() {
        None => {
            view! { <p class="loading" role="status">"Reading from the archive…"</p> }.into_any()
        }
        Some(Err(e)) => view! {
            <section class="notice error" role="alert">
                <h2>"Could not read this object from the archive"</h2>
                <p data-fact="document-error">{e}</p>
            </section>
        }
        .into_any(),
        Some(Ok((bytes, synthesized))) => {
            store.update_value(|s| {
                s.insert_verified(digest.clone(), bytes.clone());
            });
            let is_image = json::parse(&bytes, json::DEFAULT_MAX_DEPTH)
                .is_ok_and(|j| j.get("layers").is_some() || j.get("manifests").is_some());
            let origin = if synthesized {
                format!("archive {name}: made up from manifest.json (a legacy docker save has no manifest; no registry served these bytes)")
            } else {
                format!("archive {name}, read by digest")
            };
            let view_mode = if raw {
                ViewMode::Raw
            } else {
                ViewMode::Structured
            };
            view! {
                <DocumentView bytes expected=Some(digest.clone()) origin pasted=false view_mode declared=media_type.clone() />
                {is_image.then(|| view! {
                    <p>
                        {view_link(nav, "browse-fs", "Browse the files of this image (all layers, merged)", digest.clone(), ViewMode::Fs)}
                        " · "
                        {view_link(nav, "archive-compare", "Compare with…", digest.clone(), ViewMode::Compare)}
                    </p>
                })}
            }
            .into_any()
        }
    }
}

/// The `tar` lines that list a layer of the archive.
fn layer_commands(
    name: &str,
    form: Form,
    digest: &Digest,
    media_type: &str,
) -> Vec<(&'static str, String)> {
    let list = if media_type.contains("zstd") {
        "tar --zstd -tvf"
    } else if media_type.contains("gzip") {
        "tar -tzvf"
    } else {
        "tar -tvf"
    };
    let member = format!("blobs/{}/{}", digest.algorithm(), digest.encoded());
    let expect = digest.encoded();
    match form {
        Form::Folder => vec![
            ("tar", format!("{list} {name}/{member}")),
            (
                "sha256sum",
                format!("sha256sum {name}/{member}   # expect {expect}"),
            ),
        ],
        Form::Tar => vec![
            ("tar", format!("tar -xOf {name} {member} | {list} -")),
            (
                "sha256sum",
                format!("tar -xOf {name} {member} | sha256sum   # expect {expect}"),
            ),
        ],
        // The layer is an `<id>/layer.tar` member, named by no digest.
        Form::Legacy => vec![(
            "tar",
            format!("tar -tvf {name} '*/layer.tar'   # the member whose sha256 is {expect}"),
        )],
    }
}

/// Where an archive's blobs are, for the command lines.
#[derive(Clone, Copy)]
enum Form {
    Folder,
    Tar,
    /// A legacy `docker save`: layers are `<id>/layer.tar`.
    Legacy,
}

fn archive_layer(
    archive: &str,
    name: &str,
    form: Form,
    digest: Digest,
    media_type: String,
    size: Option<u64>,
    diff: Option<Digest>,
) -> AnyView {
    let Some(size) = size else {
        return view! {
            <section class="notice error" role="alert">
                <p>"The link to this layer carries no size: open the layer from its manifest."</p>
            </section>
        }
        .into_any();
    };
    let commands = layer_commands(name, form, &digest, &media_type);
    let origin = Origin::Archive(archive.to_owned());
    let blob = Blob {
        key: origin.key(&digest),
        origin,
        expected: Some((digest, size)),
        diff_id: diff,
        as_layer: true,
    };
    let title = format!("Layer ({media_type}, {}) in {name}", human_size(size));
    view! { <LayerPanel blob title commands eager=true /> }.into_any()
}

/// Reads `digest` from the archive as JSON.
async fn document(archive: &str, digest: &Digest) -> Result<json::Json, String> {
    let (bytes, _) = disk::read_document(archive, digest).await?;
    json::parse(&bytes, json::DEFAULT_MAX_DEPTH).map_err(|e| e.to_string())
}

/// The layers of an image in the archive, with its config's diff_ids.
async fn load(archive: String, digest: Digest) -> Result<Image, String> {
    let doc = document(&archive, &digest).await?;
    if doc.get("manifests").is_some() {
        return Ok(Image::Platforms(Index::from_json(&doc).manifests));
    }
    let manifest = ImageManifest::from_json(&doc);
    let config = match manifest.config.as_ref().and_then(|c| c.digest.parsed()) {
        Some(config) => Some(ImageConfig::from_json(
            &document(&archive, config)
                .await
                .map_err(|e| format!("the image config could not be read: {e}"))?,
        )),
        None => None,
    };
    layer_rows(&manifest, config.as_ref(), &Origin::Archive(archive)).map(Image::Layers)
}

/// The merged filesystem of an image in the archive.
#[component]
fn ArchiveFs(archive: String, name: String, digest: Digest, is_folder: bool) -> impl IntoView {
    let nav = expect_context::<Nav>();
    let transport = if is_folder { "oci" } else { "oci-archive" };
    let commands = vec![(
        "dive",
        format!("skopeo copy {transport}:{name} docker-archive:image.tar && dive --source docker-archive image.tar"),
    )];
    let resource = LocalResource::new(move || load(archive.clone(), digest.clone()));
    view! {
        <section class="image-fs">
            <h2>"Files of the image"</h2>
            {move || match resource.get() {
                None => view! { <p class="loading" role="status">"Reading the manifest and config…"</p> }.into_any(),
                Some(image) => image_body(nav, image, commands.clone()),
            }}
        </section>
    }
}
