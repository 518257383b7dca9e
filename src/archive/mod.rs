//! Image archives from disk, read like a registry: OCI image layouts (image-spec
//! `image-layout.md`) as a folder or a `.tar` (`skopeo copy … oci-archive:`), and `docker save`
//! tarballs, both the legacy form (`manifest.json` `[{Config, RepoTags, Layers}]` +
//! `<id>/layer.tar`) and the Docker 25+ form (an OCI layout with `manifest.json` beside it,
//! moby PR #44598).
//!
//! A layout is untrusted input, so every blob is verified against its digest when it is read
//! ([`Archive::read_blob`]), and one bad blob hides nothing else: missing blobs (the spec allows
//! them), blobs whose bytes do not match, `blobs/…` names that are not digests and unsafe tar
//! member names are each a [`Problem`] in [`Archive::problems`], naming the path or digest.
//!
//! Opening reads only the tar headers ([`tar`]), `oci-layout`, `index.json`, `manifest.json`,
//! and the manifests and indexes they reach (configs too for the legacy form, whose manifest
//! has to be synthesized from them); layers are located, never read, so a multi-gigabyte
//! archive opens after reading a few kilobytes. A worker then streams a layer from
//! [`Archive::blob_location`] with `File.slice` and `oci::Verifier`.

pub mod source;
pub mod tar;

use std::collections::{HashMap, HashSet, VecDeque};

use thiserror::Error;

use crate::oci::document::DEFAULT_MAX_BYTES;
use crate::oci::json::{self, Json, Value};
use crate::oci::media_type::known;
use crate::oci::model::index::Index;
use crate::oci::model::{Descriptor, DigestField, ImageManifest};
use crate::oci::{Algorithm, Digest, Verifier, VerifyError};
pub use source::{Directory, ReadAhead, Source, SourceError};
pub use tar::{Member, MemberKind, TarIndex};

#[cfg(unix)]
pub use source::FileSource;

/// Annotation naming a tag in `index.json` (image-spec annotations.md).
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";
/// Largest `oci-layout` file read (it is one short JSON object).
const MAX_LAYOUT_FILE: u64 = 64 * 1024;
/// Most manifests and indexes read while opening; nested indexes deeper than this are not walked.
pub const MAX_DOCUMENTS: usize = 1000;
pub const MAX_NESTING: usize = 8;
/// Most bytes of documents (manifests, indexes, legacy configs) read while opening.
pub const MAX_OPEN_BYTES: u64 = 16 * 1024 * 1024;

/// Everything that can be wrong with an archive. Fatal ones come out of [`Archive::open`]; the
/// others are collected in [`Archive::problems`] or returned by [`Archive::read_blob`].
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ArchiveError {
    #[error("read failed: {0}")]
    Read(SourceError),
    #[error("not a tar archive: {reason}")]
    NotATar { reason: String },
    #[error(
        "tar header at offset {offset} is damaged ({reason}); members after it are not listed"
    )]
    BadTarHeader { offset: u64, reason: String },
    #[error("tar member {name:?} (header at offset {offset}) runs past the end of the file")]
    Truncated { name: String, offset: u64 },
    #[error("tar record at offset {offset} is {size} bytes, over the {max} byte limit; skipped")]
    RecordTooLarge { offset: u64, size: u64, max: u64 },
    #[error("stopped listing the archive at {limit}")]
    IndexCap { limit: String },
    #[error("tar member {name:?} refused: {reason}")]
    UnsafeMemberName { name: String, reason: &'static str },
    #[error("tar member {name:?} appears more than once; the last copy is used")]
    DuplicateMember { name: String },
    #[error("not an OCI image layout or docker save archive: no oci-layout, index.json or manifest.json (found {found:?})")]
    NotALayout { found: Vec<String> },
    #[error("{path}: image layout version {found:?} is not supported (only 1.x)")]
    LayoutVersion { path: String, found: String },
    #[error("{path} is missing")]
    MissingFile { path: String },
    #[error("{path} is not valid JSON: {reason}")]
    BadJson { path: String, reason: String },
    #[error("{path}: \"manifests\" is null (written by docker save for image@digest, moby#47210)")]
    NullManifests { path: String },
    #[error("{path} is not named by a digest: {reason}")]
    NotADigest { path: String, reason: String },
    #[error("blob {digest} is missing{}", referenced_by.as_ref().map(|r| format!(" (referenced by {r})")).unwrap_or_default())]
    MissingBlob {
        digest: Digest,
        referenced_by: Option<String>,
    },
    #[error("{path}: the bytes hash to {actual}, not to the {digest} they are named by")]
    Mismatch {
        digest: Digest,
        path: String,
        actual: Digest,
    },
    #[error("{path}: blob {digest} is {actual} bytes, but {referenced_by} declares {declared}")]
    SizeMismatch {
        digest: Digest,
        path: String,
        declared: u64,
        actual: u64,
        referenced_by: String,
    },
    #[error("blob {digest} is {size} bytes, over the {max} byte limit for documents")]
    TooLarge { digest: Digest, size: u64, max: u64 },
    #[error("{at}: {reason}")]
    BadDescriptor { at: String, reason: String },
    #[error("manifest.json entry {entry}: {reason}")]
    LegacyEntry { entry: usize, reason: String },
    #[error("stopped checking after {limit}")]
    AuditCap { limit: String },
}

/// A problem found while opening: the archive is still usable around it.
pub type Problem = ArchiveError;

/// What was opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `oci-layout` + `index.json` (a folder, `oci:`, or `oci-archive:`).
    OciLayout,
    /// Legacy `docker save`: `manifest.json` only.
    DockerSave,
    /// Docker 25+ `docker save`: an OCI layout with `manifest.json` beside it.
    DockerSaveOci,
}

impl Format {
    /// How the page names it.
    pub fn name(self) -> &'static str {
        match self {
            Format::OciLayout => "OCI image layout",
            Format::DockerSave => "docker save",
            Format::DockerSaveOci => "docker save (Docker 25+, OCI layout)",
        }
    }
}

/// Where a tag came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagOrigin {
    /// `org.opencontainers.image.ref.name` of an `index.json` entry.
    RefName,
    /// `RepoTags` of a `manifest.json` entry.
    RepoTags,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag {
    pub name: String,
    pub descriptor: Descriptor,
    pub origin: TagOrigin,
}

/// Where a blob's bytes are: for a tar, `offset` is into the archive file and `member` is the
/// member's name; for a folder, `member` is the file's relative path and `offset` is 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobLocation {
    pub member: String,
    pub offset: u64,
    pub size: u64,
}

/// What the person opened.
pub enum Input {
    /// One file: a `.tar`.
    Tar(Box<dyn Source>),
    /// A folder: relative path → file.
    Directory(Directory),
}

enum Store {
    Tar {
        source: Box<dyn Source>,
        index: TarIndex,
    },
    Directory(Directory),
}

impl Store {
    fn file_names(&self) -> Vec<&str> {
        match self {
            Store::Tar { index, .. } => index
                .members()
                .filter(|m| !matches!(m.kind, MemberKind::Directory))
                .map(|m| m.name.as_str())
                .collect(),
            Store::Directory(files) => files.keys().map(String::as_str).collect(),
        }
    }

    fn locate(&self, path: &str) -> Option<BlobLocation> {
        match self {
            Store::Tar { index, .. } => index.resolve(path).map(|m| BlobLocation {
                member: m.name.clone(),
                offset: m.offset,
                size: m.size,
            }),
            Store::Directory(files) => files.get(path).map(|file| BlobLocation {
                member: path.to_owned(),
                offset: 0,
                size: file.len(),
            }),
        }
    }

    fn read(&self, location: &BlobLocation, len: usize) -> Result<Vec<u8>, ArchiveError> {
        let result = match self {
            Store::Tar { source, .. } => source.read_at(location.offset, len),
            Store::Directory(files) => match files.get(&location.member) {
                Some(file) => file.read_at(location.offset, len),
                None => {
                    return Err(ArchiveError::MissingFile {
                        path: location.member.clone(),
                    })
                }
            },
        };
        result.map_err(ArchiveError::Read)
    }
}

/// An opened archive; see the module docs.
pub struct Archive {
    store: Store,
    /// `""`, or `name/` when the layout sits in one top folder (a dropped folder's paths start
    /// with its own name).
    root: String,
    format: Format,
    index: Option<Index>,
    /// Digest → path (with `root`), for `blobs/…` and, in the legacy form, `<hex>.json` and
    /// `<id>/layer.tar`.
    blobs: HashMap<Digest, String>,
    /// The reverse of `blobs` for `blobs/…` paths.
    blob_paths: HashMap<String, Digest>,
    /// Manifests made up for legacy `docker save` entries, which have none.
    synthesized: HashMap<Digest, Vec<u8>>,
    tags: Vec<Tag>,
    images: Vec<Descriptor>,
    problems: Vec<Problem>,
    /// What is left of [`MAX_OPEN_BYTES`].
    budget: u64,
}

impl Archive {
    pub fn open(input: Input) -> Result<Archive, ArchiveError> {
        let (store, problems) = match input {
            Input::Tar(source) => {
                let mut index = TarIndex::build(source.as_ref())?;
                let problems = std::mem::take(&mut index.problems);
                (Store::Tar { source, index }, problems)
            }
            Input::Directory(files) => (Store::Directory(files), Vec::new()),
        };
        let root = find_root(&store)?;
        let mut archive = Archive {
            store,
            root,
            format: Format::OciLayout,
            index: None,
            blobs: HashMap::new(),
            blob_paths: HashMap::new(),
            synthesized: HashMap::new(),
            tags: Vec::new(),
            images: Vec::new(),
            problems,
            budget: MAX_OPEN_BYTES,
        };
        archive.find_blobs();
        let has = |name: &str| archive.store.locate(&archive.path(name)).is_some();
        let (layout, index_json, manifest_json) =
            (has("oci-layout"), has("index.json"), has("manifest.json"));
        if layout || index_json {
            archive.read_layout(layout)?;
        }
        let owners = archive.audit();
        if manifest_json {
            archive.format = if index_json {
                Format::DockerSaveOci
            } else {
                Format::DockerSave
            };
            archive.read_docker_manifest(&owners);
        }
        Ok(archive)
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// `index.json`, when there is one (not in a legacy `docker save`).
    pub fn index(&self) -> Option<&Index> {
        self.index.as_ref()
    }

    /// Tags in archive order: `index.json` first, then `manifest.json`'s `RepoTags`.
    pub fn tags(&self) -> &[Tag] {
        &self.tags
    }

    /// Every top-level image or index, tagged or not (`index.json` entries, then images only
    /// `manifest.json` names).
    pub fn images(&self) -> &[Descriptor] {
        &self.images
    }

    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// What the page shows of the archive: its format, the tags (then the untagged
    /// top-level images), every problem as its message, and counts. `size` is the archive's
    /// and `read` the bytes read to open it (the caller's source counts them).
    pub fn summary(&self, key: &str, size: u64, read: u64) -> crate::jobs::ArchiveSummary {
        let entry = |tag: Option<&Tag>, d: &Descriptor| {
            let digest = d.digest.parsed().cloned();
            crate::jobs::ArchiveEntry {
                tag: tag.map(|t| t.name.clone()),
                from: match tag.map(|t| t.origin) {
                    Some(TagOrigin::RepoTags) => "manifest.json",
                    Some(TagOrigin::RefName) => "index.json",
                    None if self.index.is_some() => "index.json",
                    None => "manifest.json",
                }
                .to_owned(),
                synthesized: digest.as_ref().is_some_and(|d| self.is_synthesized(d)),
                digest,
                media_type: d.media_type.clone(),
                size: d.byte_size(),
                platform: d.platform.as_ref().map(ToString::to_string),
            }
        };
        let tagged: HashSet<&Digest> = self
            .tags
            .iter()
            .filter_map(|t| t.descriptor.digest.parsed())
            .collect();
        let entries = self
            .tags
            .iter()
            .map(|t| entry(Some(t), &t.descriptor))
            .chain(
                self.images
                    .iter()
                    .filter(|d| d.digest.parsed().is_none_or(|x| !tagged.contains(x)))
                    .map(|d| entry(None, d)),
            )
            .collect();
        crate::jobs::ArchiveSummary {
            key: key.to_owned(),
            format: self.format.name().to_owned(),
            entries,
            problems: self.problems.iter().map(ToString::to_string).collect(),
            files: self.store.file_names().len() as u64,
            blobs: self.blobs.len() as u64,
            size,
            read,
        }
    }

    /// Whether `digest` is a manifest made up here for a legacy `docker save` entry (the UI
    /// should say so: no registry ever served it).
    pub fn is_synthesized(&self, digest: &Digest) -> bool {
        self.synthesized.contains_key(digest)
    }

    /// The bytes of a document blob (manifest, index, config), verified against `digest`, at
    /// most [`DEFAULT_MAX_BYTES`].
    pub fn read_blob(&self, digest: &Digest) -> Result<Vec<u8>, ArchiveError> {
        self.read_blob_with(digest, DEFAULT_MAX_BYTES as u64)
    }

    /// [`Self::read_blob`] with another size cap.
    pub fn read_blob_with(&self, digest: &Digest, max: u64) -> Result<Vec<u8>, ArchiveError> {
        if let Some(bytes) = self.synthesized.get(digest) {
            return Ok(bytes.clone());
        }
        let location = self
            .blob_location(digest)
            .ok_or_else(|| ArchiveError::MissingBlob {
                digest: digest.clone(),
                referenced_by: None,
            })?;
        self.read_verified(digest, &location, max)
    }

    /// Streams a blob of any size (a layer) in `chunk`-byte reads to `sink`, verifying size
    /// and digest on the way with [`Verifier`]. The sink sees the bytes before the verdict: on
    /// an error, whatever it built from them must be thrown away. Works wherever reads are
    /// synchronous (natively, and in a worker over `FileReaderSync`).
    pub fn stream_blob(
        &self,
        digest: &Digest,
        chunk: usize,
        mut sink: impl FnMut(&[u8]),
    ) -> Result<(), ArchiveError> {
        if let Some(bytes) = self.synthesized.get(digest) {
            sink(bytes);
            return Ok(());
        }
        let location = self
            .blob_location(digest)
            .ok_or_else(|| ArchiveError::MissingBlob {
                digest: digest.clone(),
                referenced_by: None,
            })?;
        let chunk = chunk.max(1);
        let mut verifier = Verifier::new(digest.clone(), Some(location.size));
        let mut done = 0u64;
        while done < location.size {
            let len = usize::try_from(location.size - done).map_or(chunk, |left| left.min(chunk));
            let piece = BlobLocation {
                offset: location.offset + done,
                ..location.clone()
            };
            let bytes = self.store.read(&piece, len)?;
            verifier
                .update(&bytes)
                .map_err(|e| verify_error(digest, &location, e))?;
            sink(&bytes);
            done += len as u64;
        }
        verifier
            .finish()
            .map(drop)
            .map_err(|e| verify_error(digest, &location, e))
    }

    /// Where `digest`'s bytes are, so a worker can stream them (and verify them as it goes).
    /// `None` when the blob is missing or was synthesized.
    pub fn blob_location(&self, digest: &Digest) -> Option<BlobLocation> {
        self.store.locate(self.blobs.get(digest)?)
    }

    fn read_verified(
        &self,
        digest: &Digest,
        location: &BlobLocation,
        max: u64,
    ) -> Result<Vec<u8>, ArchiveError> {
        let len = capped(location.size, max).ok_or_else(|| ArchiveError::TooLarge {
            digest: digest.clone(),
            size: location.size,
            max,
        })?;
        let bytes = self.store.read(location, len)?;
        let actual = Digest::compute(digest.algorithm(), &bytes);
        if actual != *digest {
            return Err(ArchiveError::Mismatch {
                digest: digest.clone(),
                path: location.member.clone(),
                actual,
            });
        }
        Ok(bytes)
    }

    fn path(&self, relative: &str) -> String {
        format!("{}{relative}", self.root)
    }

    /// Reads a small file (not a blob: `oci-layout`, `index.json`, `manifest.json`) as JSON.
    fn read_json_file(&self, relative: &str, max: u64) -> Result<Json, ArchiveError> {
        let path = self.path(relative);
        let location = self
            .store
            .locate(&path)
            .ok_or_else(|| ArchiveError::MissingFile { path: path.clone() })?;
        let len = capped(location.size, max).ok_or_else(|| ArchiveError::BadJson {
            path: path.clone(),
            reason: format!("{} bytes, over the {max} byte limit", location.size),
        })?;
        let bytes = self.store.read(&location, len)?;
        json::parse(&bytes, json::DEFAULT_MAX_DEPTH).map_err(|e| ArchiveError::BadJson {
            path,
            reason: e.to_string(),
        })
    }

    /// `blobs/<alg>/<encoded>`: every file there must be named by a digest (image-layout.md,
    /// "Blobs"); one that is not is reported, the others stay usable.
    fn find_blobs(&mut self) {
        let prefix = self.path("blobs/");
        let mut found = Vec::new();
        for name in self.store.file_names() {
            let Some(rest) = name.strip_prefix(&prefix) else {
                continue;
            };
            let parsed = match rest.split_once('/') {
                Some((algorithm, encoded)) if !encoded.contains('/') => {
                    format!("{algorithm}:{encoded}")
                        .parse::<Digest>()
                        .map_err(|e| e.to_string())
                }
                _ => Err("expected blobs/<algorithm>/<encoded>".to_owned()),
            };
            found.push((name.to_owned(), parsed));
        }
        for (path, parsed) in found {
            match parsed {
                Ok(digest) => {
                    self.blob_paths.insert(path.clone(), digest.clone());
                    self.blobs.entry(digest).or_insert(path);
                }
                Err(reason) => self
                    .problems
                    .push(ArchiveError::NotADigest { path, reason }),
            }
        }
    }

    fn read_layout(&mut self, has_layout_file: bool) -> Result<(), ArchiveError> {
        if has_layout_file {
            let layout = self.read_json_file("oci-layout", MAX_LAYOUT_FILE)?;
            let version = layout.get("imageLayoutVersion").and_then(Json::as_str);
            if !version.is_some_and(|v| v == "1" || v.starts_with("1.")) {
                return Err(ArchiveError::LayoutVersion {
                    path: self.path("oci-layout"),
                    found: version.unwrap_or("(missing)").to_owned(),
                });
            }
        } else {
            self.problems.push(ArchiveError::MissingFile {
                path: self.path("oci-layout"),
            });
        }
        let index_json = self.read_json_file("index.json", DEFAULT_MAX_BYTES as u64)?;
        if index_json
            .get("manifests")
            .is_some_and(|m| m.value == Value::Null)
        {
            self.problems.push(ArchiveError::NullManifests {
                path: self.path("index.json"),
            });
        }
        let index = Index::from_json(&index_json);
        for descriptor in &index.manifests {
            if let Some(name) = descriptor.annotations.get(REF_NAME) {
                self.tags.push(Tag {
                    name: name.to_owned(),
                    descriptor: descriptor.clone(),
                    origin: TagOrigin::RefName,
                });
            }
            self.images.push(descriptor.clone());
        }
        self.index = Some(index);
        Ok(())
    }

    /// Walks the manifests and indexes reachable from `index.json`, verifying each, and checks
    /// that every config and layer they name is present with the declared size (without
    /// reading it). Returns config digest → the manifest that uses it (first one wins), which
    /// ties Docker 25 `manifest.json` entries to their real manifests.
    fn audit(&mut self) -> HashMap<Digest, Descriptor> {
        enum Role {
            Document,
            Leaf,
        }
        let mut owners = HashMap::new();
        let mut queue: VecDeque<(Descriptor, String, Role, usize)> = self
            .images
            .iter()
            .map(|d| {
                let at = format!("{}{}", self.path("index.json"), d.pointer);
                (d.clone(), at, Role::Document, 0)
            })
            .collect();
        let mut seen = HashSet::new();
        let mut documents = 0;
        while let Some((descriptor, at, role, depth)) = queue.pop_front() {
            let digest = match &descriptor.digest {
                DigestField::Parsed(digest) => digest.clone(),
                DigestField::Invalid(text) => {
                    self.problems.push(ArchiveError::BadDescriptor {
                        at,
                        reason: format!("digest {text:?} is not a valid digest"),
                    });
                    continue;
                }
                DigestField::Missing => {
                    self.problems.push(ArchiveError::BadDescriptor {
                        at,
                        reason: "no digest".to_owned(),
                    });
                    continue;
                }
            };
            if !seen.insert(digest.clone()) {
                continue;
            }
            let Some(location) = self.blob_location(&digest) else {
                self.problems.push(ArchiveError::MissingBlob {
                    digest,
                    referenced_by: Some(at),
                });
                continue;
            };
            if let Some(declared) = descriptor.byte_size() {
                if declared != location.size {
                    self.problems.push(ArchiveError::SizeMismatch {
                        digest,
                        path: location.member,
                        declared,
                        actual: location.size,
                        referenced_by: at,
                    });
                    continue;
                }
            }
            let is_document = matches!(role, Role::Document)
                && descriptor
                    .media_type
                    .as_deref()
                    .is_none_or(|mt| DOCUMENT_TYPES.contains(&mt));
            if !is_document {
                continue;
            }
            if depth > MAX_NESTING {
                self.problems.push(ArchiveError::AuditCap {
                    limit: format!("{MAX_NESTING} nested indexes at {at}"),
                });
                continue;
            }
            documents += 1;
            if documents > MAX_DOCUMENTS || !self.spend(location.size) {
                self.problems.push(ArchiveError::AuditCap {
                    limit: format!("{MAX_DOCUMENTS} documents or {MAX_OPEN_BYTES} bytes"),
                });
                break;
            }
            let parsed = self
                .read_verified(&digest, &location, DEFAULT_MAX_BYTES as u64)
                .and_then(|bytes| {
                    json::parse(&bytes, json::DEFAULT_MAX_DEPTH).map_err(|e| {
                        ArchiveError::BadJson {
                            path: location.member.clone(),
                            reason: e.to_string(),
                        }
                    })
                });
            let doc = match parsed {
                Ok(doc) => doc,
                Err(problem) => {
                    self.problems.push(problem);
                    continue;
                }
            };
            let children = if doc.get("manifests").is_some() {
                let index = Index::from_json(&doc);
                index
                    .manifests
                    .into_iter()
                    .map(|d| (d, Role::Document))
                    .collect::<Vec<_>>()
            } else {
                let manifest = ImageManifest::from_json(&doc);
                if let Some(config) = manifest.config.as_ref().and_then(|c| c.digest.parsed()) {
                    owners
                        .entry(config.clone())
                        .or_insert_with(|| descriptor.clone());
                }
                manifest
                    .config
                    .into_iter()
                    .chain(manifest.layers)
                    .map(|d| (d, Role::Leaf))
                    .collect()
            };
            for (child, role) in children {
                let at = format!("{digest} {}", child.pointer);
                queue.push_back((child, at, role, depth + 1));
            }
        }
        owners
    }

    /// `manifest.json` of `docker save`: each entry's tags point at the real manifest when the
    /// layout has one with this config (Docker 25+), else at a manifest synthesized from the
    /// config's `rootfs.diff_ids` (the legacy `layer.tar` files are uncompressed, so their
    /// sha256 is the diff_id; it is verified when the layer is read).
    fn read_docker_manifest(&mut self, owners: &HashMap<Digest, Descriptor>) {
        let entries = match self.read_json_file("manifest.json", DEFAULT_MAX_BYTES as u64) {
            Ok(doc) => doc,
            Err(problem) => {
                self.problems.push(problem);
                return;
            }
        };
        let Some(entries) = entries.as_array() else {
            self.problems.push(ArchiveError::BadJson {
                path: self.path("manifest.json"),
                reason: "expected an array of {Config, RepoTags, Layers}".to_owned(),
            });
            return;
        };
        for (position, entry) in entries.iter().enumerate() {
            let descriptor = match self.docker_entry(position, entry, owners) {
                Ok(descriptor) => descriptor,
                Err(problem) => {
                    self.problems.push(problem);
                    continue;
                }
            };
            let repo_tags = entry
                .get("RepoTags")
                .and_then(Json::as_array)
                .unwrap_or_default();
            for name in repo_tags.iter().filter_map(Json::as_str) {
                self.tags.push(Tag {
                    name: name.to_owned(),
                    descriptor: descriptor.clone(),
                    origin: TagOrigin::RepoTags,
                });
            }
            if !self.images.iter().any(|d| d.digest == descriptor.digest) {
                self.images.push(descriptor);
            }
        }
    }

    fn docker_entry(
        &mut self,
        entry: usize,
        json: &Json,
        owners: &HashMap<Digest, Descriptor>,
    ) -> Result<Descriptor, ArchiveError> {
        let fail = |reason: String| ArchiveError::LegacyEntry { entry, reason };
        let config_path = json
            .get("Config")
            .and_then(Json::as_str)
            .ok_or_else(|| fail("no Config path".to_owned()))?;
        let (config_digest, config_bytes) = self.docker_file_blob(config_path, entry)?;
        if let Some(owner) = owners.get(&config_digest) {
            return Ok(owner.clone());
        }
        let config = json::parse(&config_bytes, json::DEFAULT_MAX_DEPTH)
            .map_err(|e| fail(format!("config {config_path} is not JSON: {e}")))?;
        let diff_ids: Vec<&str> = config
            .pointer("/rootfs/diff_ids")
            .and_then(Json::as_array)
            .unwrap_or_default()
            .iter()
            .filter_map(Json::as_str)
            .collect();
        let layer_paths = json
            .get("Layers")
            .and_then(Json::as_array)
            .unwrap_or_default();
        if layer_paths.len() != diff_ids.len() {
            return Err(fail(format!(
                "{} Layers but the config has {} diff_ids",
                layer_paths.len(),
                diff_ids.len()
            )));
        }
        let mut layers = Vec::new();
        for (path, diff_id) in layer_paths.iter().zip(diff_ids) {
            let path = path
                .as_str()
                .ok_or_else(|| fail("a Layers item is not a string".to_owned()))?;
            let claimed = self
                .blob_digest_of_path(path)
                .or_else(|| diff_id.parse().ok());
            let claimed =
                claimed.ok_or_else(|| fail(format!("diff_id {diff_id:?} is not a digest")))?;
            let location =
                self.store
                    .locate(&self.path(path))
                    .ok_or_else(|| ArchiveError::MissingFile {
                        path: self.path(path),
                    })?;
            let magic = self.store.read(&location, location.size.min(4) as usize)?;
            self.blobs
                .entry(claimed.clone())
                .or_insert_with(|| self.root.clone() + path);
            layers.push(format!(
                r#"{{"mediaType":"{}","size":{},"digest":"{claimed}"}}"#,
                layer_media_type(&magic),
                location.size
            ));
        }
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"{}","config":{{"mediaType":"{}","size":{},"digest":"{config_digest}"}},"layers":[{}]}}"#,
            known::DOCKER_MANIFEST,
            known::DOCKER_CONFIG,
            config_bytes.len(),
            layers.join(",")
        )
        .into_bytes();
        let digest = Digest::sha256(&manifest);
        let descriptor = format!(
            r#"{{"mediaType":"{}","size":{},"digest":"{digest}"}}"#,
            known::DOCKER_MANIFEST,
            manifest.len()
        );
        self.synthesized.insert(digest, manifest);
        let descriptor = json::parse(descriptor.as_bytes(), json::DEFAULT_MAX_DEPTH)
            .map_err(|e| fail(format!("internal: synthesized descriptor: {e}")))?;
        Ok(Descriptor::from_json(&descriptor, &format!("/{entry}")))
    }

    /// Takes `bytes` from the opening budget; false when it is spent.
    fn spend(&mut self, bytes: u64) -> bool {
        match self.budget.checked_sub(bytes) {
            Some(left) => {
                self.budget = left;
                true
            }
            None => false,
        }
    }

    /// The digest a `blobs/<alg>/<encoded>` path names (Docker 25+ paths in `manifest.json`).
    fn blob_digest_of_path(&self, path: &str) -> Option<Digest> {
        self.blob_paths.get(&self.path(path)).cloned()
    }

    /// A file named by `manifest.json`, read and hashed; its digest is registered as a blob.
    /// A legacy config is named `<hex>.json`, which must match.
    fn docker_file_blob(
        &mut self,
        relative: &str,
        entry: usize,
    ) -> Result<(Digest, Vec<u8>), ArchiveError> {
        let path = self.path(relative);
        let location = self
            .store
            .locate(&path)
            .ok_or_else(|| ArchiveError::MissingFile { path: path.clone() })?;
        let named = self.blob_digest_of_path(relative).or_else(|| {
            let stem = relative.rsplit('/').next()?.strip_suffix(".json")?;
            format!("sha256:{stem}").parse().ok()
        });
        let len = capped(location.size, DEFAULT_MAX_BYTES as u64).ok_or_else(|| {
            ArchiveError::LegacyEntry {
                entry,
                reason: format!("config {path} is {} bytes", location.size),
            }
        })?;
        if !self.spend(location.size) {
            return Err(ArchiveError::AuditCap {
                limit: format!("{MAX_OPEN_BYTES} bytes"),
            });
        }
        let bytes = self.store.read(&location, len)?;
        let algorithm = named.as_ref().map_or(Algorithm::Sha256, Digest::algorithm);
        let actual = Digest::compute(algorithm, &bytes);
        let digest = match named {
            Some(named) if named != actual => {
                return Err(ArchiveError::Mismatch {
                    digest: named,
                    path,
                    actual,
                })
            }
            _ => actual,
        };
        self.blobs.entry(digest.clone()).or_insert(path);
        Ok((digest, bytes))
    }
}

fn verify_error(digest: &Digest, location: &BlobLocation, error: VerifyError) -> ArchiveError {
    match error {
        VerifyError::DigestMismatch { actual, .. } => ArchiveError::Mismatch {
            digest: digest.clone(),
            path: location.member.clone(),
            actual,
        },
        // The size is the member's own, so only a source changing under us gets here.
        VerifyError::SizeMismatch { actual, .. }
        | VerifyError::TooLarge {
            received: actual, ..
        } => ArchiveError::SizeMismatch {
            digest: digest.clone(),
            path: location.member.clone(),
            declared: location.size,
            actual,
            referenced_by: "the archive listing".to_owned(),
        },
    }
}

/// `size` as a read length when it is at most `max` (and fits in memory).
fn capped(size: u64, max: u64) -> Option<usize> {
    usize::try_from(size).ok().filter(|_| size <= max)
}

const DOCUMENT_TYPES: &[&str] = &[
    known::OCI_MANIFEST,
    known::OCI_INDEX,
    known::DOCKER_MANIFEST,
    known::DOCKER_MANIFEST_LIST,
    known::OCI_ARTIFACT_MANIFEST,
];

/// Layer compression by magic bytes: `docker save` layers may be plain tars, whatever the
/// builder pushed.
fn layer_media_type(magic: &[u8]) -> &'static str {
    if magic.starts_with(&[0x1f, 0x8b]) {
        known::DOCKER_LAYER_GZIP
    } else if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        known::OCI_LAYER_TAR_ZSTD
    } else {
        known::DOCKER_LAYER
    }
}

/// The folder the layout is in: `""` when `oci-layout`, `index.json` or `manifest.json` is at
/// the top, else the one top folder holding them.
fn find_root(store: &Store) -> Result<String, ArchiveError> {
    const MARKERS: [&str; 3] = ["oci-layout", "index.json", "manifest.json"];
    let names = store.file_names();
    if names.iter().any(|n| MARKERS.contains(n)) {
        return Ok(String::new());
    }
    let mut roots: Vec<&str> = names
        .iter()
        .filter_map(|n| {
            let (dir, file) = n.split_once('/')?;
            (MARKERS.contains(&file)).then_some(dir)
        })
        .collect();
    roots.dedup();
    match roots.as_slice() {
        [root] => Ok(format!("{root}/")),
        _ => Err(ArchiveError::NotALayout {
            found: names.iter().take(5).map(|n| (*n).to_owned()).collect(),
        }),
    }
}
