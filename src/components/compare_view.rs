//! The compare view (`view=compare`, in the lazily loaded `compare` module): two images side
//! by side, or several tags of one repository. What the pure core (`crate::compare`) works
//! out is rendered here: from the descriptors at once (shared and unique layers, sizes, the
//! deduplicated total, the first divergence), then the config, annotation and index diffs,
//! and on request the file diff of the two merged filesystems, read by this module's own
//! layer worker (every distinct layer once, verified, each regular file hashed).
//!
//! A side is a registry reference or an image inside what is open from disk (`route::Place`):
//! the archive is opened in this module's worker (`disk::open`), its documents read there
//! verified by digest and its layers streamed from the file (`Origin::Archive`); everything
//! after loading is the same code for both. Side B may also be another file or folder, opened
//! in this view itself (`Place::OtherDisk`, `vs=disk2:`): the page holds one thing from disk,
//! this module holds the second (under a key of its own, so identical digests in both are read
//! and verified from each). A built-in sample or a pasted document is a side
//! too ([`Home::Held`]): documents only, so the descriptor and config comparisons work and the
//! file diff says why there is none.
//!
//! Every figure on screen carries its exact value in `data-bytes` (the text is rounded by
//! `human_size`), so a test can compare it with what it computes itself.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;

use super::disk::{self, Opened};
use super::{Commands, ProgressBar};
use crate::app::Nav;
use crate::client::Session;
use crate::compare::{self, Cell, Comparison, HistoryRow, KeyedChange};
use crate::jobs::{ArchiveEntry, DiffRow, FileDiffMsg, FileSide};
use crate::layers::{self, Blob, Opening, Origin, Probe};
use crate::oci::json;
use crate::oci::model::{human_size, ImageConfig, ImageManifest, Index, Platform};
use crate::oci::{Digest, Limits, Reference};
use crate::route::{Compare as Spec, Place, Route, Source, ViewMode};
use crate::samples::{Sample, Store};

/// Milliseconds (fractional) from the page's clock, finer than `Date.now()`.
fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// Tags compared at once (each is one or two manifest requests, made one after the other).
const MAX_TAGS: usize = 50;

/// Rows of the file diff the worker sends (largest size change first).
const DIFF_ROWS: u32 = 2000;

/// One side as the route names it.
#[derive(Clone)]
struct Want {
    place: Place,
    at: Option<Digest>,
    platform: Option<String>,
    /// The digest a pasted document must have (`expect=`).
    expect: Option<Digest>,
}

/// The image archive open from disk, opened in this module's worker.
#[derive(Clone)]
struct DiskArchive {
    key: String,
    name: String,
    /// A folder (an OCI layout directory), not a `.tar`.
    folder: bool,
    entries: Vec<ArchiveEntry>,
}

/// What is open from disk as an archive, or why there is none.
type Disk = Result<DiskArchive, String>;

thread_local! {
    /// The other file or folder opened in this view (side B, `vs=disk2:`): the page holds only
    /// the first, and the view is mounted again on every navigation.
    static OTHER: RefCell<Option<wasm_bindgen::JsValue>> = const { RefCell::new(None) };
}

const NOTHING_OPEN: &str =
    "nothing is open from disk (files and folders stay in this tab's memory only: open it again)";
const OTHER_GONE: &str = "the other file or folder is no longer open (it stays in this tab's memory only: choose it again below)";

/// Opens `handle` in this module's worker; `missing` says why there is none.
async fn open_disk(handle: Option<wasm_bindgen::JsValue>, missing: &str) -> Disk {
    let Some(handle) = handle else {
        return Err(missing.to_owned());
    };
    let folder = !wasm_bindgen::JsCast::is_instance_of::<web_sys::File>(&handle);
    match disk::open(handle).await? {
        Opened {
            key,
            name,
            probe: Probe::Archive(summary),
            ..
        } => Ok(DiskArchive {
            key,
            name,
            folder,
            entries: summary.entries,
        }),
        Opened {
            name,
            probe: Probe::NotAnArchive(reason),
            ..
        } => Err(format!(
            "{name} (open from disk) is not an image archive: {reason}"
        )),
    }
}

/// What a reference names at the top: an index to pick from, or an image manifest (`true`:
/// made up by the archive reader from a legacy `docker save`'s manifest.json).
enum Top {
    Index(Digest, Index),
    Manifest(Digest, ImageManifest, bool),
}

/// Documents this module holds itself (no registry, no worker): a built-in sample or a
/// pasted document.
#[derive(Clone)]
enum Held {
    /// The sample `id`: its entry document (`at` None) and the sample store for the objects
    /// it names, each checked against the digest it is addressed by (the tampered sample
    /// fails here, as in the page).
    Sample {
        id: String,
        entry: crate::samples::Object,
        store: Arc<Store>,
    },
    /// A pasted document: its bytes, their digest and the one `expect=` named, if any. What
    /// it names is read from `elsewhere` (the other side's registry) when that is one.
    Pasted {
        bytes: Arc<[u8]>,
        digest: Digest,
        expected: Option<Digest>,
        elsewhere: Option<Origin>,
    },
}

/// Where a side's documents come from.
#[derive(Clone)]
enum Home {
    /// A registry or the archive open from disk: documents and layers (`layers::Origin`).
    Layers(Origin),
    /// Documents only.
    Held(Held),
}

impl Home {
    /// Where the side's layers are read from, or why it has none.
    fn layers(&self) -> Result<&Origin, String> {
        match self {
            Home::Layers(origin) => Ok(origin),
            Home::Held(Held::Sample { .. }) => Err(
                "a built-in sample has no layer blobs (only its manifests and configs are built in)"
                    .to_owned(),
            ),
            Home::Held(Held::Pasted { .. }) => {
                Err("only the manifest was pasted: it has no layer blobs here".to_owned())
            }
        }
    }
}

/// One side, resolved down to an image manifest and its config.
#[derive(Clone)]
struct Side {
    name: &'static str,
    /// What the side is, for a person: the reference, or the image's tag in the archive.
    label: String,
    /// Where its documents (and layers) come from: a registry, the archive open from disk, a
    /// sample, a pasted document.
    home: Home,
    /// The `regctl` name of the image's place, when there is one: the repository, or the
    /// `ocidir://` layout folder (regctl reads no tars).
    repository: Option<String>,
    /// The manifest was made up from a legacy `docker save` (no stored object).
    synthesized: bool,
    /// Its objects can be shown by the other views (`Side::route`); not those of the other
    /// file opened here, which only this module holds.
    links: bool,
    /// The index the side started from, its picked platform and all its platforms.
    index: Option<(Digest, Index)>,
    platform: Option<String>,
    platforms: Vec<String>,
    digest: Digest,
    manifest: ImageManifest,
    config: Option<ImageConfig>,
    config_digest: Option<Digest>,
    config_error: Option<String>,
}

impl Side {
    /// `repo@sha256:…` of the manifest compared: what a command line should name.
    fn pinned(&self) -> Option<String> {
        Some(format!("{}@{}", self.repository.as_ref()?, self.digest))
    }

    /// The platform the other side should prefer: the one picked in this side's index, or
    /// this image's own (from its config).
    fn platform_hint(&self) -> Option<String> {
        self.platform.clone().or_else(|| {
            let c = self.config.as_ref()?;
            Some(compare::platform_key(&Platform {
                os: c.os.clone(),
                architecture: c.architecture.clone(),
                variant: c.variant.clone(),
                os_version: c.os_version.clone(),
                ..Platform::default()
            }))
        })
    }

    /// A route in this side's repository, in what is open from disk, among the samples, or
    /// at the pasted document.
    fn route(&self, change: impl FnOnce(&mut Route)) -> Route {
        let source = match &self.home {
            Home::Layers(Origin::Registry { reference, .. }) => {
                Source::Reference(reference.to_string())
            }
            Home::Layers(_) => Source::Empty,
            Home::Held(Held::Sample { id, .. }) => Source::Sample(id.clone()),
            Home::Held(Held::Pasted { bytes, .. }) => {
                Source::Document(String::from_utf8_lossy(bytes).into_owned())
            }
        };
        let mut route = Route {
            disk: matches!(source, Source::Empty),
            source,
            ..Route::default()
        };
        change(&mut route);
        // A pasted document is its own source (with the digest it was expected to have): at
        // its own digest it is the document itself (an `at` under `doc=` names an object of
        // the sample store).
        if let Home::Held(Held::Pasted {
            digest, expected, ..
        }) = &self.home
        {
            route.expect = expected.clone();
            if route.at.as_ref() == Some(digest) {
                route.at = None;
            }
        }
        route
    }
}

/// The bytes of a document of a side (a manifest or index; `at` None: the side's own) and its
/// digest, checked: by the registry client (by digest, or against the tag's
/// `Docker-Content-Digest`), by the worker against the digest the archive names it by, or
/// here against the digest a sample is addressed by. A pasted document is its own digest;
/// what it names comes from the other side's registry, or is not available.
async fn document(
    session: &Session,
    home: &Home,
    label: &str,
    at: Option<&Digest>,
) -> Result<(Digest, Vec<u8>, bool), String> {
    let held = match home {
        Home::Layers(origin) => return stored_document(session, origin, label, at).await,
        Home::Held(held) => held,
    };
    match (held, at) {
        (Held::Sample { entry, .. }, None) => {
            checked(label, &entry.addressed_by, entry.bytes).map(|b| (entry.addressed_by.clone(), b, false))
        }
        (Held::Sample { store, .. }, Some(at)) => {
            let bytes = store
                .get(at)
                .ok_or_else(|| format!("{label}: {at} is not in the sample store"))?;
            checked(label, at, bytes).map(|b| (at.clone(), b, false))
        }
        (Held::Pasted { bytes, digest, .. }, None) => Ok((digest.clone(), bytes.to_vec(), false)),
        (Held::Pasted { bytes, digest, .. }, Some(at)) if at == digest => {
            Ok((digest.clone(), bytes.to_vec(), false))
        }
        (Held::Pasted { elsewhere: Some(origin), .. }, Some(at)) => {
            stored_document(session, origin, label, Some(at)).await
        }
        (Held::Pasted { elsewhere: None, .. }, Some(at)) => Err(format!(
            "{label}: {at} is not available: only the document was pasted (compare with a registry image that has it)"
        )),
    }
}

/// `bytes` if they hash to `digest` (a sample is checked like a download).
fn checked(label: &str, digest: &Digest, bytes: &[u8]) -> Result<Vec<u8>, String> {
    let actual = Digest::compute(digest.algorithm(), bytes);
    if actual == *digest {
        Ok(bytes.to_vec())
    } else {
        Err(format!(
            "{label}: the bytes addressed by {digest} hash to {actual}: they are not what they claim to be"
        ))
    }
}

/// [`document`] in a registry or in the archive open from disk.
async fn stored_document(
    session: &Session,
    origin: &Origin,
    label: &str,
    at: Option<&Digest>,
) -> Result<(Digest, Vec<u8>, bool), String> {
    match origin {
        Origin::Registry {
            endpoint,
            reference,
        } => {
            let limit = Limits::raised(false).max_bytes;
            let fetched = session
                .manifest(endpoint, reference, at, limit)
                .await
                .map_err(|e| format!("{label}: {e}"))?;
            Ok((fetched.verified.digest, fetched.bytes, false))
        }
        Origin::Archive(archive) => {
            let at = at.ok_or_else(|| {
                format!("{label}: no image named (choose one of the archive's tags)")
            })?;
            let (bytes, synthesized) = disk::read_document(archive, at)
                .await
                .map_err(|e| format!("{label}: {e}"))?;
            Ok((at.clone(), bytes, synthesized))
        }
        Origin::File(_) => Err(format!("{label}: a layer file is no image")),
    }
}

async fn top(
    session: &Session,
    home: &Home,
    label: &str,
    at: Option<&Digest>,
) -> Result<Top, String> {
    let (digest, bytes, synthesized) = document(session, home, label, at).await?;
    let doc = json::parse(&bytes, json::DEFAULT_MAX_DEPTH).map_err(|e| format!("{label}: {e}"))?;
    Ok(if doc.get("manifests").is_some() {
        Top::Index(digest, Index::from_json(&doc))
    } else {
        Top::Manifest(digest, ImageManifest::from_json(&doc), synthesized)
    })
}

/// The config blob of a side, verified against its digest (by the registry client, by the
/// worker, or here for a sample; a pasted manifest's from the other side's registry). The
/// error is the sentence the config section shows.
async fn config_bytes(
    session: &Session,
    home: &Home,
    digest: &Digest,
    size: Option<u64>,
) -> Result<Vec<u8>, String> {
    let (origin, pasted) = match home {
        Home::Layers(origin) => (origin, false),
        Home::Held(Held::Pasted {
            elsewhere: Some(origin),
            ..
        }) => (origin, true),
        Home::Held(Held::Sample { store, .. }) => {
            let bytes = store
                .get(digest)
                .ok_or_else(|| format!("the config {digest} is not in the sample store"))?;
            return checked("the config", digest, bytes);
        }
        Home::Held(Held::Pasted {
            elsewhere: None, ..
        }) => return Err("config not available: only the manifest was pasted".to_owned()),
    };
    let read = match origin {
        Origin::Registry {
            endpoint,
            reference,
        } => session
            .blob(endpoint, reference, digest, size)
            .await
            .map(|b| b.bytes)
            .map_err(|e| e.to_string()),
        Origin::Archive(archive) => disk::read_document(archive, digest).await.map(|(b, _)| b),
        Origin::File(_) => Err("a layer file has no config".to_owned()),
    };
    read.map_err(|e| {
        if pasted {
            format!("config not available: only the manifest was pasted, and B's repository does not have it ({e})")
        } else {
            format!("the config could not be read: {e}")
        }
    })
}

/// Where a side is, before anything is read.
struct Located {
    label: String,
    home: Home,
    repository: Option<String>,
    links: bool,
}

/// A side in a registry, named by `text`.
fn in_registry(name: &str, text: &str, proxy: Option<&str>) -> Result<Located, String> {
    let reference = parse_reference(name, text)?;
    let endpoint = crate::client::endpoint(&reference, proxy);
    Ok(Located {
        label: reference.to_string(),
        repository: Some(reference.name()),
        links: true,
        home: Home::Layers(Origin::Registry {
            endpoint,
            reference,
        }),
    })
}

/// A side in an archive open in this module's worker, at `at`.
fn in_archive(
    name: &str,
    disk: &Disk,
    at: Option<&Digest>,
    links: bool,
) -> Result<Located, String> {
    let d = disk.as_ref().map_err(|e| format!("{name}: {e}"))?;
    let tag = d
        .entries
        .iter()
        .find(|e| e.digest.is_some() && e.digest.as_ref() == at)
        .and_then(|e| e.tag.clone());
    Ok(Located {
        label: match tag {
            Some(tag) => format!("{tag} in {}", d.name),
            None => d.name.clone(),
        },
        repository: d.folder.then(|| format!("ocidir://{}", d.name)),
        links,
        home: Home::Layers(Origin::Archive(d.key.clone())),
    })
}

/// What is open from disk: in the page (`disk`) and the other file opened here (`other`).
struct Disks {
    disk: Disk,
    other: Disk,
}

fn locate(name: &str, want: &Want, proxy: Option<&str>, disks: &Disks) -> Result<Located, String> {
    match &want.place {
        Place::Reference(text) => in_registry(name, text, proxy),
        Place::Disk => in_archive(name, &disks.disk, want.at.as_ref(), true),
        Place::OtherDisk => in_archive(name, &disks.other, want.at.as_ref(), false),
        Place::Sample(id) => {
            let (sample, entry) = Sample::by_id(id)
                .and_then(|s| Some((s, s.object()?)))
                .ok_or_else(|| format!("{name}: there is no built-in sample called {id:?}"))?;
            Ok(Located {
                label: format!("sample {id} ({})", sample.title),
                repository: None,
                links: true,
                home: Home::Held(Held::Sample {
                    id: id.clone(),
                    entry,
                    store: Arc::new(Store::samples()),
                }),
            })
        }
        Place::Document(text) => Ok(Located {
            label: "pasted document".to_owned(),
            repository: None,
            links: true,
            home: Home::Held(Held::Pasted {
                bytes: text.as_bytes().into(),
                digest: Digest::sha256(text.as_bytes()),
                expected: want.expect.clone(),
                elsewhere: None,
            }),
        }),
    }
}

/// The manifest of a top document: itself, or the platform `wanted` (else `prefer`, else the
/// first) of an index, read from the same place.
async fn resolve(
    session: &Session,
    name: &'static str,
    at: Located,
    first: Top,
    wanted: Option<&str>,
    prefer: Option<&str>,
) -> Result<Side, String> {
    let Located {
        label,
        home,
        repository,
        links,
    } = at;
    let (index, platform, platforms, digest, manifest, synthesized) =
        match first {
            Top::Manifest(digest, manifest, synthesized) => {
                (None, None, Vec::new(), digest, manifest, synthesized)
            }
            Top::Index(index_digest, index) => {
                let pick = compare::pick_platform(&index, wanted, prefer)
                    .map_err(|e| format!("{name} ({label}): {e}"))?;
                let digest =
                    pick.descriptor.digest.parsed().cloned().ok_or_else(|| {
                        format!("{name}: the entry {} has no valid digest", pick.key)
                    })?;
                let platforms = index
                    .platform_groups()
                    .groups
                    .iter()
                    .filter_map(|g| match &g.image.kind {
                        crate::oci::model::EntryKind::Platform(p) => Some(compare::platform_key(p)),
                        _ => None,
                    })
                    .collect();
                match top(session, &home, &label, Some(&digest)).await? {
                    Top::Manifest(digest, manifest, synthesized) => (
                        Some((index_digest, index)),
                        Some(pick.key),
                        platforms,
                        digest,
                        manifest,
                        synthesized,
                    ),
                    Top::Index(..) => {
                        return Err(format!(
                        "{name}: the entry {} is an index again (nested indexes are not compared)",
                        pick.key
                    ))
                    }
                }
            }
        };
    let config_descriptor = manifest
        .config
        .as_ref()
        .and_then(|c| Some((c.digest.parsed()?.clone(), c.byte_size())));
    let (mut config, mut config_error) = (None, None);
    if let Some((config_digest, size)) = &config_descriptor {
        match config_bytes(session, &home, config_digest, *size).await {
            Ok(bytes) => match json::parse(&bytes, json::DEFAULT_MAX_DEPTH) {
                Ok(j) => config = Some(ImageConfig::from_json(&j)),
                Err(e) => config_error = Some(format!("the config is not JSON: {e}")),
            },
            Err(e) => config_error = Some(e),
        }
    }
    Ok(Side {
        name,
        label,
        home,
        repository,
        synthesized,
        links,
        index,
        platform,
        platforms,
        digest,
        manifest,
        config,
        config_digest: config_descriptor.map(|(d, _)| d),
        config_error,
    })
}

fn parse_reference(name: &str, text: &str) -> Result<Reference, String> {
    text.trim()
        .parse::<Reference>()
        .map_err(|e| format!("{name}: {text:?} is not a reference: {e}"))
}

/// Both sides: tops first. With no platform asked for, an index side shows the platform the
/// other side has (its pick, or a single image's config platform), else its first image; so
/// the side that was asked for, or the single image, is resolved first.
async fn load_pair(
    session: Session,
    proxy: Option<String>,
    disks: Rc<Disks>,
    a: Want,
    b: Want,
) -> Result<(Side, Side), String> {
    let mut la = locate("A", &a, proxy.as_deref(), &disks)?;
    let lb = locate("B", &b, proxy.as_deref(), &disks)?;
    // What a pasted document names (its config, an index's manifests) may be in the other
    // side's registry: read from there by digest, so verified.
    if let (
        Home::Held(Held::Pasted { elsewhere, .. }),
        Home::Layers(registry @ Origin::Registry { .. }),
    ) = (&mut la.home, &lb.home)
    {
        *elsewhere = Some(registry.clone());
    }
    let ta = top(&session, &la.home, &la.label, a.at.as_ref()).await?;
    let tb = top(&session, &lb.home, &lb.label, b.at.as_ref()).await?;
    let (wa, wb) = (a.platform.as_deref(), b.platform.as_deref());
    let single = |t: &Top| matches!(t, Top::Manifest(..));
    let b_first = wa.is_none() && (wb.is_some() || (!single(&ta) && single(&tb)));
    if b_first {
        let sb = resolve(&session, "B", lb, tb, wb, None).await?;
        let hint = sb.platform_hint();
        let sa = resolve(&session, "A", la, ta, None, hint.as_deref()).await?;
        return Ok((sa, sb));
    }
    let sa = resolve(&session, "A", la, ta, wa, None).await?;
    let hint = sa.platform_hint();
    let sb = resolve(&session, "B", lb, tb, wb, hint.as_deref()).await?;
    Ok((sa, sb))
}

/// Changes the comparison in the route (and goes there).
fn change(nav: Nav, f: impl FnOnce(&mut Spec)) {
    nav.update(|r| {
        let mut c = Spec::of(r);
        f(&mut c);
        c.apply(r);
    });
}

/// An in-app link (a plain click navigates here, a middle click opens a tab).
fn link(nav: Nav, route: Route, id: Option<&'static str>, label: String) -> impl IntoView {
    let href = nav.href(|r| *r = route.clone());
    view! {
        <a id=id href=href on:click=move |ev: leptos::ev::MouseEvent| {
            if ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.button() != 0 {
                return;
            }
            ev.prevent_default();
            nav.go(route.clone());
        }>{label}</a>
    }
}

/// A link to an object of `side` in the other views, or only its label when they cannot show
/// it (the other file opened here).
fn side_link(nav: Nav, side: &Side, change: impl FnOnce(&mut Route), label: String) -> AnyView {
    if side.links {
        link(nav, side.route(change), None, label).into_any()
    } else {
        view! { <code>{label}</code> }.into_any()
    }
}

/// A figure: rounded text, exact bytes in `data-bytes`.
fn bytes_fact(fact: &'static str, bytes: u64, extra: String) -> impl IntoView {
    view! {
        <dd data-fact=fact data-bytes=bytes.to_string()>{format!("{}{extra}", human_size(bytes))}</dd>
    }
}

fn layer_link(nav: Nav, side: &Side, position: usize, digest: &str) -> AnyView {
    // A sample's or a pasted manifest's layers are nowhere to be listed.
    let (Some(layer), Ok(_)) = (side.manifest.layers.get(position), side.home.layers()) else {
        return view! { <code>{digest.to_owned()}</code> }.into_any();
    };
    let Some(parsed) = layer.digest.parsed().cloned() else {
        return view! { <code class="invalid">{digest.to_owned()}</code> }.into_any();
    };
    let label = parsed.short();
    let shown = side_link(
        nav,
        side,
        |r| {
            r.at = Some(parsed);
            r.media_type = layer.media_type.clone();
            r.size = layer.byte_size();
            r.view = ViewMode::Files;
        },
        label,
    );
    view! { <span class="digest" data-digest=digest.to_owned()>{shown}</span> }.into_any()
}

/// A row of the layer table: state, position in A, in B, digest, size.
type LayerRow = (&'static str, Option<usize>, Option<usize>, String, u64);

fn descriptor_view(nav: Nav, c: &Comparison, a: &Side, b: &Side) -> impl IntoView {
    let config = match c.config_equal {
        Some(true) => "the same config blob",
        Some(false) => "different config blobs",
        None => "unknown (a side has no config digest)",
    };
    let divergence = match c.diverges_at {
        Some(i) => format!("layer {}", i + 1),
        None => "none: the same layer list".to_owned(),
    };
    let layers = |n: usize| format!(" ({n} layers, config included)");
    let mut rows: Vec<LayerRow> = Vec::new();
    rows.extend(c.shared.iter().map(|s| {
        (
            "shared",
            Some(s.left),
            Some(s.right),
            s.digest.clone(),
            s.size,
        )
    }));
    let unique = |state, refs: &[compare::LayerRef], left: bool| {
        refs.iter()
            .map(|l| {
                let at = Some(l.position);
                let (pa, pb) = if left { (at, None) } else { (None, at) };
                (state, pa, pb, l.digest.clone().unwrap_or_default(), l.size)
            })
            .collect::<Vec<_>>()
    };
    rows.extend(unique("only-a", &c.only_left, true));
    rows.extend(unique("only-b", &c.only_right, false));
    let table = rows
        .into_iter()
        .map(|(state, pa, pb, digest, size)| {
            let position = |p: Option<usize>| p.map(|i| format!("L{}", i + 1)).unwrap_or_default();
            let shown = match (pa, pb) {
                (Some(i), _) => layer_link(nav, a, i, &digest),
                (None, Some(i)) => layer_link(nav, b, i, &digest),
                _ => ().into_any(),
            };
            view! {
                <tr data-state=state>
                    <td>{state.replace('-', " ")}</td>
                    <td>{position(pa)}</td>
                    <td>{position(pb)}</td>
                    <td>{shown}</td>
                    <td class="num" data-bytes=size.to_string()>{human_size(size)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="compare-descriptors">
            <h3>"Layers and sizes (from the manifests)"</h3>
            <dl class="facts">
                <dt>"A"</dt>{bytes_fact("size-a", c.left.listed_bytes, layers(c.left.layers))}
                <dt>"B"</dt>{bytes_fact("size-b", c.right.listed_bytes, layers(c.right.layers))}
                <dt>"Shared"</dt>{bytes_fact("shared", c.shared_bytes, format!(" ({} layers)", c.shared.len()))}
                <dt>"Only in A"</dt>{bytes_fact("only-a", c.left.unique_bytes, format!(" ({} blobs)", c.left.unique_blobs))}
                <dt>"Only in B"</dt>{bytes_fact("only-b", c.right.unique_bytes, format!(" ({} blobs)", c.right.unique_blobs))}
                <dt>"Stored once for both"</dt>{bytes_fact("dedup", c.dedup_bytes, " (what a registry keeps for the two)".to_owned())}
                <dt>"Config"</dt><dd data-fact="config-equal">{config}</dd>
                <dt>"Same base"</dt><dd data-fact="common-base" data-layers=c.common_base.to_string()>{format!("up to layer {}", c.common_base)}</dd>
                <dt>"First divergence"</dt><dd data-fact="diverges-at">{divergence}</dd>
            </dl>
            {(!c.size_conflicts.is_empty()).then(|| view! {
                <p class="input-error" data-fact="size-conflicts">{format!("Declared with two different sizes: {}", c.size_conflicts.join(", "))}</p>
            })}
            <table class="compare-layers">
                <thead><tr><th>""</th><th>"In A"</th><th>"In B"</th><th>"Digest"</th><th>"Size"</th></tr></thead>
                <tbody>{table}</tbody>
            </table>
        </section>
    }
}

/// The same comparison on a command line, for the sides a tool can read: regctl reads
/// registries and layout folders (`ocidir://`), diffoci registries; a `.tar` has none.
fn commands(a: &Side, b: &Side, no_time: bool) -> Vec<(&'static str, String)> {
    let (Some(pa), Some(pb), Some(ra), Some(rb)) =
        (a.pinned(), b.pinned(), &a.repository, &b.repository)
    else {
        return Vec::new();
    };
    let mut list = vec![("regctl", format!("regctl manifest diff {pa} {pb}"))];
    if let (Some(ca), Some(cb)) = (&a.config_digest, &b.config_digest) {
        list.push((
            "regctl",
            format!("regctl blob diff-config {ra} {ca} {rb} {cb}"),
        ));
    }
    let registry = |s: &Side| matches!(s.home, Home::Layers(Origin::Registry { .. }));
    if registry(a) && registry(b) {
        let semantic = if no_time { " --semantic" } else { "" };
        list.push(("diffoci", format!("diffoci diff{semantic} {pa} {pb}")));
    }
    list
}

fn keyed_rows(changes: &[KeyedChange], kind: &'static str) -> impl IntoView {
    let rows = changes
        .iter()
        .map(|c| {
            view! {
                <tr data-kind=kind data-key=c.key.clone()>
                    <td><code>{c.key.clone()}</code></td>
                    <td><code>{c.left.clone().unwrap_or_else(|| "—".into())}</code></td>
                    <td><code>{c.right.clone().unwrap_or_else(|| "—".into())}</code></td>
                </tr>
            }
        })
        .collect_view();
    rows
}

fn list_text(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".to_owned()
    } else {
        items.join(" ")
    }
}

fn config_view(nav: Nav, a: &Side, b: &Side, no_time: bool) -> impl IntoView {
    let toggle = view! {
        <label class="toggle">
            <input id="ignore-timestamps" type="checkbox" prop:checked=no_time on:change=move |_| {
                change(nav, |c| c.no_time = !no_time);
            } />
            " Ignore timestamps"
        </label>
    };
    let body = match (&a.config, &b.config) {
        (Some(ca), Some(cb)) => {
            let d = compare::diff_configs(
                ca,
                cb,
                compare::ConfigOptions {
                    ignore_timestamps: no_time,
                },
            );
            if d.is_empty() {
                view! { <p data-fact="config-same">"The configs are the same."</p> }.into_any()
            } else {
                let mut rows = Vec::new();
                for f in &d.fields {
                    rows.push((
                        f.field.to_owned(),
                        f.left.clone().unwrap_or_default(),
                        f.right.clone().unwrap_or_default(),
                    ));
                }
                for (name, pair) in [("Entrypoint", &d.entrypoint), ("Cmd", &d.cmd)] {
                    if let Some((l, r)) = pair {
                        rows.push((format!("config.{name}"), list_text(l), list_text(r)));
                    }
                }
                for (name, set) in [("ExposedPorts", &d.exposed_ports), ("Volumes", &d.volumes)] {
                    if !set.is_empty() {
                        rows.push((
                            format!("config.{name}"),
                            format!("removed: {}", list_text(&set.removed)),
                            format!("added: {}", list_text(&set.added)),
                        ));
                    }
                }
                let fields = rows
                    .into_iter()
                    .map(|(field, l, r)| {
                        let key = field.clone();
                        view! {
                            <tr data-field=key><td>{field}</td><td><code>{l}</code></td><td><code>{r}</code></td></tr>
                        }
                    })
                    .collect_view();
                view! {
                    <table class="config-diff">
                        <thead><tr><th>"Field"</th><th>"A"</th><th>"B"</th></tr></thead>
                        <tbody>
                            {fields}
                            {keyed_rows(&d.env, "env")}
                            {keyed_rows(&d.labels, "label")}
                        </tbody>
                    </table>
                    {history_view(&d.history)}
                }
                .into_any()
            }
        }
        _ => {
            let why = [a, b]
                .iter()
                .map(|s| {
                    format!(
                        "{}: {}",
                        s.name,
                        s.config_error.clone().unwrap_or_else(|| {
                            if s.config.is_some() {
                                "read".into()
                            } else {
                                "no config".into()
                            }
                        })
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            view! { <p class="hint">{format!("The configs cannot be compared ({why}).")}</p> }
                .into_any()
        }
    };
    view! {
        <section class="compare-config">
            <h3>"Config"</h3>
            {toggle}
            {body}
        </section>
    }
}

fn history_view(rows: &[HistoryRow]) -> impl IntoView {
    let text = |c: &Option<String>| c.clone().unwrap_or_else(|| "(no created_by)".into());
    let body = rows
        .iter()
        .map(|row| {
            let (state, l, r, step, note) = match row {
                HistoryRow::Same {
                    left,
                    right,
                    created_by,
                    changes,
                } => {
                    let note = changes
                        .iter()
                        .map(|c| {
                            format!(
                                "{}: {} → {}",
                                c.field,
                                c.left.as_deref().unwrap_or("—"),
                                c.right.as_deref().unwrap_or("—")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; ");
                    let state = if changes.is_empty() {
                        "same"
                    } else {
                        "changed"
                    };
                    (state, Some(*left), Some(*right), text(created_by), note)
                }
                HistoryRow::Removed { left, created_by } => (
                    "removed",
                    Some(*left),
                    None,
                    text(created_by),
                    String::new(),
                ),
                HistoryRow::Added { right, created_by } => {
                    ("added", None, Some(*right), text(created_by), String::new())
                }
            };
            let n = |i: Option<usize>| i.map(|i| (i + 1).to_string()).unwrap_or_default();
            view! {
                <tr data-history=state>
                    <td>{state}</td><td>{n(l)}</td><td>{n(r)}</td>
                    <td><code class="created-by">{step}</code></td><td>{note}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h4>"History, step by step"</h4>
        <table class="history-diff">
            <thead><tr><th>""</th><th>"A"</th><th>"B"</th><th>"Step"</th><th>"Also differs"</th></tr></thead>
            <tbody>{body}</tbody>
        </table>
    }
}

fn annotations_view(a: &Side, b: &Side) -> impl IntoView {
    let manifests = compare::diff_annotations(&a.manifest.annotations, &b.manifest.annotations);
    let indexes = match (&a.index, &b.index) {
        (Some((_, ia)), Some((_, ib))) => Some(compare::diff_indexes(ia, ib)),
        _ => None,
    };
    let index = indexes.map(|d| {
        let side_text = |s: &compare::IndexSide| {
            format!("{} {}", s.key, s.digest.clone().unwrap_or_default())
        };
        let items = d
            .added
            .iter()
            .map(|s| ("added", side_text(s)))
            .chain(d.removed.iter().map(|s| ("removed", side_text(s))))
            .chain(d.changed.iter().map(|c| {
                let what = if c.digest_changed() {
                    "digest changed"
                } else {
                    "attestations changed"
                };
                ("changed", format!("{}: {what}", c.left.key))
            }))
            .map(|(state, text)| view! { <li data-index-change=state>{format!("{state}: {text}")}</li> })
            .collect_view();
        view! {
            <h4>"Index"</h4>
            <p data-fact="index-unchanged">{format!("{} platforms unchanged.", d.unchanged.len())}</p>
            <ul class="index-diff">{items}</ul>
            {(!d.annotations.is_empty()).then(|| view! {
                <table class="annotations-diff"><tbody>{keyed_rows(&d.annotations, "index-annotation")}</tbody></table>
            })}
        }
    });
    view! {
        <section class="compare-annotations">
            <h3>"Annotations"</h3>
            {if manifests.is_empty() {
                view! { <p class="hint">"The manifests' annotations are the same."</p> }.into_any()
            } else {
                view! { <table class="annotations-diff"><tbody>{keyed_rows(&manifests, "annotation")}</tbody></table> }.into_any()
            }}
            {index}
        </section>
    }
}

/// The layers of a side as blobs the worker opens (keyed by digest, so a layer shared in
/// one registry is read once; a layer in an archive is keyed by the archive too: its bytes
/// are other bytes, verified on their own).
fn blobs(side: &Side) -> Result<Vec<Blob>, String> {
    let origin = side
        .home
        .layers()
        .map_err(|e| format!("{}: {e}", side.name))?;
    side.manifest
        .layers
        .iter()
        .enumerate()
        .map(|(i, layer)| {
            let digest = layer
                .digest
                .parsed()
                .cloned()
                .ok_or_else(|| format!("{}: layer {} has no valid digest", side.name, i + 1))?;
            let size = layer
                .byte_size()
                .ok_or_else(|| format!("{}: layer {} has no valid size", side.name, i + 1))?;
            let diff_id = side
                .config
                .as_ref()
                .and_then(|c| c.diff_ids.get(i))
                .and_then(|d| d.parse().ok());
            Ok(Blob {
                origin: origin.clone(),
                key: origin.key(&digest),
                expected: Some((digest, size)),
                diff_id,
                as_layer: true,
            })
        })
        .collect()
}

fn side_text(s: &FileSide) -> String {
    let content = s
        .content
        .as_ref()
        .map(|d| format!(" {}", d.short()))
        .unwrap_or_default();
    let link = s
        .link
        .as_ref()
        .map(|l| format!(" → {l}"))
        .unwrap_or_default();
    format!(
        "{} {:04o} {}:{} {}{content}{link}",
        s.kind,
        s.mode,
        s.uid,
        s.gid,
        human_size(s.size)
    )
}

fn diff_table(nav: Nav, a: &Side, b: &Side, d: FileDiffMsg, by_path: bool) -> impl IntoView {
    let mut rows = d.rows;
    if by_path {
        rows.sort_by(|x, y| x.path.cmp(&y.path));
    }
    let file_link = |side: &Side, row: &DiffRow| {
        side_link(
            nav,
            side,
            |r| {
                r.at = Some(side.digest.clone());
                r.view = ViewMode::Fs;
                r.path = Some(row.path.clone());
            },
            format!("in {}", side.name),
        )
    };
    let body = rows
        .iter()
        .map(|row| {
            let change = match (&row.left, &row.right) {
                (None, Some(_)) => "added",
                (Some(_), None) => "removed",
                _ => "changed",
            };
            let size = |s: &Option<FileSide>| s.as_ref().map_or(0, |s| i128::from(s.size));
            let delta = size(&row.right) - size(&row.left);
            let delta_text = match delta {
                0 => "0".to_owned(),
                d if d > 0 => format!("+{}", human_size(d as u64)),
                d => format!("−{}", human_size(d.unsigned_abs() as u64)),
            };
            let links = (
                row.left.as_ref().map(|_| file_link(a, row)),
                row.right.as_ref().map(|_| file_link(b, row)),
            );
            view! {
                <tr data-path=row.shown.clone() data-change=change data-delta=delta.to_string()>
                    <td>{change}</td>
                    <td><code>{row.shown.clone()}</code> " " {links.0} " " {links.1}</td>
                    <td class="num">{delta_text}</td>
                    <td data-changed=row.changed.join(",")>{row.changed.join(", ")}</td>
                    <td><code>{row.left.as_ref().map(side_text)}</code></td>
                    <td><code>{row.right.as_ref().map(side_text)}</code></td>
                </tr>
            }
        })
        .collect_view();
    let shown = rows.len() as u64;
    let total = d.added + d.removed + d.changed;
    let delta = d.delta;
    let delta_text = if delta >= 0 {
        format!("+{}", human_size(delta as u64))
    } else {
        format!("−{}", human_size(delta.unsigned_abs()))
    };
    view! {
        <dl class="facts">
            <dt>"Added"</dt><dd data-fact="files-added" data-bytes=d.added_bytes.to_string()>{format!("{} files, {}", d.added, human_size(d.added_bytes))}</dd>
            <dt>"Removed"</dt><dd data-fact="files-removed" data-bytes=d.removed_bytes.to_string()>{format!("{} files, {}", d.removed, human_size(d.removed_bytes))}</dd>
            <dt>"Changed"</dt><dd data-fact="files-changed">{d.changed.to_string()}</dd>
            <dt>"Unchanged"</dt><dd data-fact="files-unchanged">{d.unchanged.to_string()}</dd>
            <dt>"Net size change"</dt><dd data-fact="files-delta" data-bytes=delta.to_string()>{delta_text}</dd>
        </dl>
        {(shown < total).then(|| view! { <p class="hint">{format!("The {shown} largest changes of {total} are listed.")}</p> })}
        <table class="file-diff">
            <thead><tr><th>""</th><th>"Path"</th><th>"Size change"</th><th>"What differs"</th><th>"A"</th><th>"B"</th></tr></thead>
            <tbody>{body}</tbody>
        </table>
    }
}

/// The file diff: every distinct layer of both sides opened in turn (lowest first), then the
/// diff of the two merged trees, computed in the worker.
#[component]
fn FileDiff(a: Side, b: Side) -> impl IntoView {
    let nav = expect_context::<Nav>();
    let session = expect_context::<StoredValue<Session, LocalStorage>>();
    let (blobs_a, blobs_b) = match (blobs(&a), blobs(&b)) {
        (Ok(x), Ok(y)) => (x, y),
        (Err(e), _) | (_, Err(e)) => {
            return view! { <p class="input-error" data-fact="file-diff-error">{e}</p> }.into_any()
        }
    };
    let keys_a: Vec<String> = blobs_a.iter().map(|b| b.key.clone()).collect();
    let keys_b: Vec<String> = blobs_b.iter().map(|b| b.key.clone()).collect();
    let mut distinct: Vec<Blob> = Vec::new();
    for blob in blobs_a.into_iter().chain(blobs_b) {
        if !distinct.iter().any(|d| d.key == blob.key) {
            distinct.push(blob);
        }
    }
    let total_bytes: u64 = distinct
        .iter()
        .filter_map(|b| b.expected.as_ref().map(|(_, s)| *s))
        .sum();
    let openings: Vec<Opening> = distinct.iter().map(|_| Opening::default()).collect();
    let next = RwSignal::new(0usize);
    let failed = RwSignal::new(None::<String>);
    let result = RwSignal::new(None::<Result<FileDiffMsg, String>>);
    let started = js_sys::Date::now();
    let elapsed = RwSignal::new(None::<u64>);
    {
        let (distinct, openings) = (distinct.clone(), openings.clone());
        let count = distinct.len();
        Effect::new(move |_| {
            let i = next.get();
            if failed.get_untracked().is_some() {
                return;
            }
            let (Some(blob), Some(opening)) = (distinct.get(i), openings.get(i)) else {
                if i == count && result.get_untracked().is_none() {
                    let (ka, kb) = (keys_a.clone(), keys_b.clone());
                    layers::diff_files(ka, kb, false, DIFF_ROWS, move |r| {
                        elapsed.set(Some((js_sys::Date::now() - started) as u64));
                        result.set(Some(r));
                    });
                }
                return;
            };
            if let Some(e) = opening.error.get() {
                failed.set(Some(format!("layer {}: {e}", blob.key)));
            } else if let Some(s) = opening.summary.get() {
                if s.digest_verified == Some(true) && s.diff_id_verified != Some(false) {
                    next.set(i + 1);
                } else {
                    failed.set(Some(format!(
                        "layer {} does not match its digest or diff_id: its files are not compared",
                        blob.key
                    )));
                }
            } else if !opening.busy() && opening.progress.get_untracked().is_none() {
                opening.start(session.get_value(), blob.clone());
            }
        });
    }
    let count = distinct.len();
    let progress = move || {
        let i = next.get();
        let current = openings.get(i).copied();
        (i < count).then(|| {
            view! {
                <p class="hint" data-fact="file-diff-progress">{format!("Reading layer {} of {count} ({} in all)…", i + 1, human_size(total_bytes))}</p>
                {current.and_then(|o| o.progress.get()).map(|p| {
                    let o = current;
                    view! { <ProgressBar progress=p on_cancel=Callback::new(move |_| { if let Some(o) = o { o.cancel(); } }) /> }
                })}
            }
        })
    };
    let by_path = RwSignal::new(false);
    let shown = move || {
        match result.get() {
        None => None,
        Some(Err(e)) => {
            Some(view! { <p class="input-error" data-fact="file-diff-error">{e}</p> }.into_any())
        }
        Some(Ok(d)) => Some(
            view! {
                <p class="hint" data-fact="file-diff-time" data-ms=elapsed.get().unwrap_or(0).to_string()>
                    {format!("{count} layers read and verified, files compared in {} ms.", elapsed.get().unwrap_or(0))}
                </p>
                <label class="toggle">
                    <input id="diff-sort-path" type="checkbox" prop:checked=by_path on:change=move |_| by_path.update(|p| *p = !*p) />
                    " Sort by path (default: largest size change first)"
                </label>
                {diff_table(nav, &a, &b, d, by_path.get())}
            }
            .into_any(),
        ),
    }
    };
    view! {
        {progress}
        {move || failed.get().map(|e| view! { <p class="input-error" data-fact="file-diff-error">{e}</p> })}
        {shown}
    }
    .into_any()
}

fn side_header(
    nav: Nav,
    side: &Side,
    platform_key: fn(&mut Spec) -> &mut Option<String>,
) -> impl IntoView {
    let select = (!side.platforms.is_empty()).then(|| {
        let picked = side.platform.clone().unwrap_or_default();
        let options = side
            .platforms
            .iter()
            .map(|p| view! { <option value=p.clone() selected=*p == picked>{p.clone()}</option> })
            .collect_view();
        let id = format!("platform-{}", side.name.to_lowercase());
        view! {
            " platform "
            <select id=id on:change=move |ev| {
                let value = event_target_value(&ev);
                change(nav, |c| {
                    *platform_key(c) = Some(value);
                    c.files = false;
                });
            }>{options}</select>
        }
    });
    view! {
        <p class="compare-side" data-side=side.name>
            <strong>{side.name}</strong> ": " <code>{side.label.clone()}</code> " "
            {side_link(nav, side, |r| r.at = Some(side.digest.clone()), side.digest.short())}
            {select}
            {verdict(side)}
            {side.synthesized.then(|| view! {
                <span class="hint" data-fact="synthesized">" — the manifest is made up from a legacy docker save's manifest.json (no stored object; its config and layers are checked)"</span>
            })}
        </p>
    }
}

/// Where the side's documents come from, and how far they are checked.
fn verdict(side: &Side) -> AnyView {
    let text = match &side.home {
        Home::Layers(Origin::Archive(_)) => {
            " (open from disk; documents checked against their digests as read)".to_owned()
        }
        Home::Layers(_) => return ().into_any(),
        Home::Held(Held::Sample { .. }) => {
            " (built-in sample; documents checked against the digests they are addressed by)"
                .to_owned()
        }
        Home::Held(Held::Pasted {
            digest,
            expected,
            elsewhere,
            ..
        }) => {
            let from = if elsewhere.is_some() {
                "; what it names is read from B's registry by digest"
            } else {
                ""
            };
            let (state, text) = match expected {
                None => (
                    "unverified",
                    "unverified: no expected digest was given".to_owned(),
                ),
                Some(e) if e == digest => {
                    ("verified", format!("its digest matched the expected {e}"))
                }
                Some(e) => (
                    "mismatch",
                    format!("unverified: it does NOT match the expected digest {e}"),
                ),
            };
            return view! {
                <span data-fact="pasted-verdict" data-state=state>{format!(" (pasted; {text}{from})")}</span>
            }
            .into_any();
        }
    };
    text.into_any()
}

fn platform_a(c: &mut Spec) -> &mut Option<String> {
    &mut c.platform_a
}

fn platform_b(c: &mut Spec) -> &mut Option<String> {
    &mut c.platform_b
}

#[component]
fn Pair(a: Want, b: Want, spec: Spec, proxy: Option<String>, disks: Rc<Disks>) -> impl IntoView {
    let nav = expect_context::<Nav>();
    let session = expect_context::<StoredValue<Session, LocalStorage>>();
    let resource = LocalResource::new(move || {
        load_pair(
            session.get_value(),
            proxy.clone(),
            disks.clone(),
            a.clone(),
            b.clone(),
        )
    });
    let started = now();
    move || {
        match resource.get() {
        None => view! { <p class="loading" role="status">"Reading both manifests and configs…"</p> }.into_any(),
        Some(Err(e)) => view! {
            <section class="notice error" role="alert"><p data-fact="compare-error">{e}</p></section>
        }
        .into_any(),
        Some(Ok((a, b))) => {
            let t0 = now();
            let c = compare::compare(&a.manifest, &b.manifest);
            // Integers only: float formatting would cost this module kilobytes.
            let compare_us = ((now() - t0) * 1000.0) as u64;
            let loaded_ms = (t0 - started) as u64;
            let no_layers = [&a, &b]
                .iter()
                .find_map(|s| s.home.layers().err().map(|e| format!("{}: {e}", s.name)));
            let files = if let Some(why) = no_layers {
                view! { <p class="hint" data-fact="file-diff-none">{format!("No file diff: {why}.")}</p> }.into_any()
            } else if spec.files {
                view! { <FileDiff a=a.clone() b=b.clone() /> }.into_any()
            } else {
                view! {
                    <button id="file-diff" type="button" on:click=move |_| change(nav, |c| c.files = true)>
                        "Compare the files (downloads and verifies every layer of both)"
                    </button>
                }
                .into_any()
            };
            let cmds = commands(&a, &b, spec.no_time);
            view! {
                {side_header(nav, &a, platform_a)}
                {side_header(nav, &b, platform_b)}
                <p class="hint" data-fact="compare-time" data-us=compare_us.to_string()>
                    {format!("Documents read in {loaded_ms} ms; compared in {compare_us} µs.")}
                </p>
                {descriptor_view(nav, &c, &a, &b)}
                {config_view(nav, &a, &b, spec.no_time)}
                {annotations_view(&a, &b)}
                <section class="compare-files">
                    <h3>"Files"</h3>
                    {files}
                </section>
                {(!cmds.is_empty()).then(|| view! { <Commands commands=cmds /> })}
            }
            .into_any()
        }
    }
    }
}

/// Several tags of one repository: which blobs each has, and the deduplicated size.
#[component]
fn TagsMatrix(
    reference: Reference,
    tags: Vec<String>,
    platform: Option<String>,
    proxy: Option<String>,
) -> impl IntoView {
    let session = expect_context::<StoredValue<Session, LocalStorage>>();
    let name = reference.name();
    let resource = {
        let (tags, name) = (tags.clone(), name.clone());
        LocalResource::new(move || {
            let (tags, name, platform, proxy) =
                (tags.clone(), name.clone(), platform.clone(), proxy.clone());
            let session = session.get_value();
            async move {
                if tags.len() > MAX_TAGS {
                    return Err(format!(
                        "{} tags asked for; at most {MAX_TAGS} are compared at once",
                        tags.len()
                    ));
                }
                let mut images = Vec::new();
                let mut prefer: Option<String> = None;
                for tag in &tags {
                    let at = in_registry(tag, &format!("{name}:{tag}"), proxy.as_deref())?;
                    let first = top(&session, &at.home, &at.label, None).await?;
                    let side = resolve(
                        &session,
                        "tag",
                        at,
                        first,
                        platform.as_deref(),
                        prefer.as_deref(),
                    )
                    .await?;
                    prefer = prefer.or(side.platform.clone());
                    images.push((tag.clone(), side));
                }
                Ok::<_, String>(images)
            }
        })
    };
    move || match resource.get() {
        None => {
            view! { <p class="loading" role="status">"Reading the tags' manifests…"</p> }.into_any()
        }
        Some(Err(e)) => {
            view! { <p class="input-error" data-fact="compare-error">{e}</p> }.into_any()
        }
        Some(Ok(images)) => {
            let manifests: Vec<&ImageManifest> = images.iter().map(|(_, s)| &s.manifest).collect();
            let m = compare::matrix(&manifests);
            let head = images
                .iter()
                .map(|(tag, s)| view! { <th title=s.digest.to_string()>{tag.clone()}</th> })
                .collect_view();
            let rows = m
                .rows
                .iter()
                .map(|row| {
                    let cells = row
                        .cells
                        .iter()
                        .map(|c| match c {
                            Cell::Absent => view! { <td data-cell="absent"></td> }.into_any(),
                            Cell::Config => view! { <td data-cell="config">"config"</td> }.into_any(),
                            Cell::Layer(i) => view! { <td data-cell="layer">{format!("L{}", i + 1)}</td> }.into_any(),
                        })
                        .collect_view();
                    let digest = row.digest.clone().unwrap_or_else(|| "(no digest)".into());
                    let short = digest.parse::<Digest>().map(|d| d.short()).unwrap_or_else(|_| digest.clone());
                    let title = digest.clone();
                    view! {
                        <tr data-digest=digest data-images=row.image_count().to_string()>
                            <td><code title=title>{short}</code></td>
                            <td class="num" data-bytes=row.size.to_string()>{human_size(row.size)}</td>
                            {cells}
                        </tr>
                    }
                })
                .collect_view();
            let figures = images
                .iter()
                .zip(&m.images)
                .map(|((tag, _), f)| {
                    view! {
                        <tr data-tag=tag.clone()>
                            <td>{tag.clone()}</td>
                            <td class="num" data-fact="tag-size" data-bytes=f.listed_bytes.to_string()>{human_size(f.listed_bytes)}</td>
                            <td class="num" data-fact="tag-unique" data-bytes=f.unique_bytes.to_string()>{human_size(f.unique_bytes)}</td>
                        </tr>
                    }
                })
                .collect_view();
            let pulled: u64 = m
                .images
                .iter()
                .map(|f| f.listed_bytes)
                .fold(0, u64::saturating_add);
            view! {
                <section class="compare-matrix">
                    <h3>{format!("{} tags of {name}", images.len())}</h3>
                    <dl class="facts">
                        <dt>"Stored once for all"</dt>{bytes_fact("matrix-dedup", m.dedup_bytes, format!(" ({} distinct blobs)", m.rows.len()))}
                        <dt>"Pulled one by one"</dt>{bytes_fact("matrix-listed", pulled, String::new())}
                    </dl>
                    <table class="tag-figures">
                        <thead><tr><th>"Tag"</th><th>"Size"</th><th>"Only in this tag"</th></tr></thead>
                        <tbody>{figures}</tbody>
                    </table>
                    <table class="blob-matrix">
                        <thead><tr><th>"Blob"</th><th>"Size"</th>{head}</tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </section>
            }
            .into_any()
        }
    }
}

/// The first page of the repository's tags, as checkboxes, to compare several.
#[component]
fn TagPicker(reference: Reference, proxy: Option<String>) -> impl IntoView {
    let nav = expect_context::<Nav>();
    let session = expect_context::<StoredValue<Session, LocalStorage>>();
    let tags = RwSignal::new(None::<Result<Vec<String>, String>>);
    let chosen = RwSignal::new(Vec::<String>::new());
    let endpoint = crate::client::endpoint(&reference, proxy.as_deref());
    let load = move |_| {
        let (endpoint, reference) = (endpoint.clone(), reference.clone());
        leptos::task::spawn_local(async move {
            let listed = session
                .get_value()
                .tags(&endpoint, &reference, None)
                .await
                .map(|(list, _)| list.tags)
                .map_err(|e| e.to_string());
            tags.set(Some(listed));
        });
    };
    let list = move || match tags.get() {
        None => ().into_any(),
        Some(Err(e)) => view! { <p class="input-error">{e}</p> }.into_any(),
        Some(Ok(list)) => {
            let boxes = list
                .into_iter()
                .map(|tag| {
                    let t = tag.clone();
                    view! {
                        <label class="tag-choice">
                            <input type="checkbox" data-tag=tag.clone() on:change=move |_| chosen.update(|c| {
                                match c.iter().position(|x| *x == t) {
                                    Some(i) => { c.remove(i); }
                                    None => c.push(t.clone()),
                                }
                            }) />
                            " " {tag}
                        </label>
                    }
                })
                .collect_view();
            view! {
                <div class="tag-choices">{boxes}</div>
                <button id="compare-tags" type="button" on:click=move |_| {
                    let tags = chosen.get_untracked();
                    change(nav, |c| { c.tags = tags; c.vs = None; c.files = false; });
                }>"Compare the chosen tags"</button>
            }
            .into_any()
        }
    };
    view! {
        <section class="tag-picker">
            <h3>"Or: several tags of this repository"</h3>
            <button id="list-tags-to-compare" type="button" on:click=load>"List tags"</button>
            {list}
        </section>
    }
}

/// The images of an archive open from disk (`place`: the page's, or the other file opened
/// here), to pick the other side from.
fn disk_picker(
    nav: Nav,
    d: &DiskArchive,
    place: Place,
    id: &'static str,
    label: String,
) -> impl IntoView {
    let options = d
        .entries
        .iter()
        .filter_map(|e| {
            let digest = e.digest.clone()?;
            let text = format!(
                "{} {} {}",
                e.tag.as_deref().unwrap_or("(untagged)"),
                e.platform.as_deref().unwrap_or_default(),
                digest.short()
            );
            Some(view! { <option value=digest.to_string()>{text}</option> })
        })
        .collect_view();
    view! {
        <p class="compare-disk">
            <label for=id>{label}</label>
            <select id=id on:change=move |ev| {
                let Ok(digest) = event_target_value(&ev).parse::<Digest>() else {
                    return;
                };
                change(nav, |c| {
                    c.vs = Some(place.clone());
                    c.vs_at = Some(digest);
                    c.platform_b = None;
                    c.files = false;
                    c.tags = Vec::new();
                });
            }>
                <option value="">"choose…"</option>
                {options}
            </select>
        </p>
    }
}

/// A comparison: `first` (at `at`) against the side `compare` names, or the ways to name one.
#[component]
pub fn CompareView(
    first: Place,
    at: Option<Digest>,
    compare: Spec,
    proxy: Option<String>,
    /// The digest a pasted first side must have (`expect=`).
    expect: Option<Digest>,
) -> impl IntoView {
    let nav = expect_context::<Nav>();
    let typed = RwSignal::new(match &compare.vs {
        Some(Place::Reference(text)) => text.clone(),
        _ => String::new(),
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = typed.get_untracked().trim().to_owned();
        change(nav, |c| {
            c.vs = (!text.is_empty()).then_some(Place::Reference(text));
            c.vs_at = None;
            c.platform_b = None;
            c.files = false;
            c.tags = Vec::new();
        });
    };
    let swap = move |_| {
        let mut route = nav.route.get_untracked();
        if Spec::swap(&mut route) {
            nav.go(route);
        }
    };
    // What is open from disk (if anything) is opened in this module's worker too (headers
    // only; once per tab): a side may be in it, and its images are offered as the other side.
    let handle = nav.disk.get_untracked();
    let disk = LocalResource::new(move || open_disk(handle.clone(), NOTHING_OPEN));
    // The other file or folder opened here: kept by the module, opened in its worker too.
    let other = RwSignal::new(OTHER.with(|o| o.borrow().clone()));
    let other_disk = LocalResource::new(move || open_disk(other.get(), OTHER_GONE));
    let choose = move |handle: wasm_bindgen::JsValue| {
        OTHER.with(|o| *o.borrow_mut() = Some(handle.clone()));
        other.set(Some(handle));
        // A digest of the file chosen before names nothing in this one (and no history entry
        // when there is nothing to clear).
        if Spec::of(&nav.route.get_untracked()).vs == Some(Place::OtherDisk) {
            change(nav, |c| {
                c.vs = None;
                c.vs_at = None;
                c.files = false;
            });
        }
    };
    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            choose(file.into());
        }
    };
    let on_folder = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(files) = input.files().filter(|f| f.length() > 0) {
            choose(files.into());
        }
    };
    // A pasted document has no second-side form, the other file opened here no first-side
    // one: they stay where they are.
    let fixed = match (&first, &compare.vs) {
        (Place::Document(_), _) => Some("A is a pasted document, which is never side B"),
        (_, Some(Place::OtherDisk)) => {
            Some("B is a file opened here, which the page cannot hold as side A")
        }
        _ => None,
    };
    let has_second = compare.vs.is_some() && fixed.is_none();
    let no_swap = compare.vs.as_ref().and(fixed).map(|why| view! { <span class="hint" data-fact="swap-none">{format!(" (no swap: {why})")}</span> });
    let body = move |disks: Rc<Disks>| match (&first, &compare.vs) {
        (Place::Reference(text), _) if !compare.tags.is_empty() => {
            match parse_reference("A", text) {
                Ok(reference) => view! { <TagsMatrix reference tags=compare.tags.clone() platform=compare.platform_a.clone() proxy=proxy.clone() /> }.into_any(),
                Err(e) => view! { <p class="input-error" data-fact="compare-error">{e}</p> }.into_any(),
            }
        }
        (first, Some(vs)) => {
            let a = Want {
                place: first.clone(),
                at: at.clone(),
                platform: compare.platform_a.clone(),
                expect: expect.clone(),
            };
            let b = Want {
                place: vs.clone(),
                at: compare.vs_at.clone(),
                platform: compare.platform_b.clone(),
                expect: None,
            };
            view! { <Pair a b spec=compare.clone() proxy=proxy.clone() disks /> }.into_any()
        }
        (first, None) => {
            let tags = match first {
                Place::Reference(text) => parse_reference("A", text).ok().map(|reference| {
                    view! { <TagPicker reference proxy=proxy.clone() /> }
                }),
                Place::Disk | Place::OtherDisk | Place::Sample(_) | Place::Document(_) => None,
            };
            view! {
                <p class="hint">"Type the reference to compare with (a tag or a digest, in any repository or registry), or sample:<id> for a built-in sample (sample:oci-manifest)."</p>
                {tags}
            }
            .into_any()
        }
    };
    view! {
        <section class="compare">
            <h2>"Compare"</h2>
            <form class="compare-with" on:submit=submit>
                <label for="compare-vs">"Compare with"</label>
                <input id="compare-vs" type="text" spellcheck="false" autocomplete="off"
                    placeholder="e.g. registry.example/app:v2"
                    prop:value=typed on:input=move |ev| typed.set(event_target_value(&ev)) />
                <button id="compare-go" type="submit">"Compare"</button>
                <button id="compare-swap" type="button" on:click=swap disabled=!has_second>"Swap A and B"</button>
                {no_swap}
            </form>
            <p class="compare-other">
                "Or another file or folder from disk: "
                <input id="compare-other-file" type="file" on:change=on_file />
                <input id="compare-other-folder" type="file" prop:webkitdirectory=true on:change=on_folder />
            </p>
            {move || match (disk.get(), other_disk.get()) {
                (Some(disk), Some(other)) => {
                    let pickers = view! {
                        {disk.as_ref().ok().map(|d| disk_picker(nav, d, Place::Disk, "compare-disk", format!("Or an image of {} (open from disk) ", d.name)))}
                        {other.as_ref().ok().map(|d| disk_picker(nav, d, Place::OtherDisk, "compare-other", format!("Or an image of {} (opened here) ", d.name)))}
                    };
                    view! { {pickers} {body(Rc::new(Disks { disk, other }))} }.into_any()
                }
                _ => view! { <p class="loading" role="status">"Opening what is open from disk…"</p> }.into_any(),
            }}
        </section>
    }
}
