//! Inspection of one document as fetched: its digest, what kind of OCI or Docker document it
//! is, and what is wrong with it.
//!
//! The kind is decided from three witnesses, in the order the image-spec and the
//! distribution-spec give them weight: the body's own `mediaType` (image-spec `manifest.md`,
//! `image-index.md`), then the document's shape (which fields it has), refined by the media
//! type it was declared with (the registry's `Content-Type`). When the witnesses disagree the
//! body wins and the disagreement is a finding, since a client trusting the other witness
//! reads the document differently (the manifest/index confusion of CVE-2021-41190).
//!
//! The digest is the sha256 of the exact bytes, as a registry addresses them (image-spec
//! `descriptor.md` §Digests), computed before and independently of parsing.

use std::str::FromStr;

use super::digest::Digest;
use super::json::{self, Json};
use super::lint::{self, Finding, Severity};
use super::media_type::{self, known, MediaType};

/// Default cap on document size. Registries commonly refuse manifests over 4 MiB.
pub const DEFAULT_MAX_BYTES: usize = 4 * 1024 * 1024;
/// The most a person can raise the limit to, for the rare giant index.
pub const RAISED_MAX_BYTES: usize = 8 * 1024 * 1024;

/// Bounds on hostile input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Larger documents are not parsed (an error finding says so).
    pub max_bytes: usize,
    /// Maximum JSON nesting depth.
    pub max_depth: usize,
}

impl Limits {
    /// The default limits, or the raised byte limit when the person asked for it.
    pub fn raised(raised: bool) -> Limits {
        Limits {
            max_bytes: if raised {
                RAISED_MAX_BYTES
            } else {
                DEFAULT_MAX_BYTES
            },
            ..Limits::default()
        }
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: DEFAULT_MAX_BYTES,
            max_depth: json::DEFAULT_MAX_DEPTH,
        }
    }
}

/// What a document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    OciManifest,
    OciIndex,
    DockerManifest,
    DockerManifestList,
    /// Docker image manifest v2 schema 1; `signed` when it carries JWS `signatures`.
    DockerSchema1 {
        signed: bool,
    },
    /// The withdrawn `application/vnd.oci.artifact.manifest.v1+json`.
    ArtifactManifest,
    /// An image configuration: OCI (`docker: false`) or Docker's.
    ImageConfig {
        docker: bool,
    },
    /// A bare descriptor (`mediaType` + `digest` + `size`), e.g. an `index.json` entry.
    Descriptor,
    /// The `oci-layout` file of an image layout.
    OciLayout,
    /// JSON that is none of the above.
    UnknownJson,
    /// Not parsed: not JSON, or over the size limit.
    NotJson,
}

/// Broad families, to tell a harmless disagreement from a manifest/index confusion.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    Manifest,
    Index,
    Other,
}

impl Kind {
    /// A human label ("OCI image manifest", "Docker manifest list", …).
    pub fn label(self) -> &'static str {
        match self {
            Kind::OciManifest => "OCI image manifest",
            Kind::OciIndex => "OCI image index",
            Kind::DockerManifest => "Docker image manifest (schema 2)",
            Kind::DockerManifestList => "Docker manifest list",
            Kind::DockerSchema1 { signed: true } => "Docker schema 1 manifest (signed)",
            Kind::DockerSchema1 { signed: false } => "Docker schema 1 manifest (unsigned)",
            Kind::ArtifactManifest => "OCI artifact manifest (withdrawn)",
            Kind::ImageConfig { docker: false } => "OCI image config",
            Kind::ImageConfig { docker: true } => "Docker image config",
            Kind::Descriptor => "descriptor",
            Kind::OciLayout => "OCI layout file",
            Kind::UnknownJson => "JSON (not an OCI document)",
            Kind::NotJson => "not JSON",
        }
    }

    /// The media type documents of this kind are served with, when there is one.
    pub fn media_type(self) -> Option<&'static str> {
        Some(match self {
            Kind::OciManifest => known::OCI_MANIFEST,
            Kind::OciIndex => known::OCI_INDEX,
            Kind::DockerManifest => known::DOCKER_MANIFEST,
            Kind::DockerManifestList => known::DOCKER_MANIFEST_LIST,
            Kind::DockerSchema1 { signed: true } => known::DOCKER_SCHEMA1_SIGNED_MANIFEST,
            Kind::DockerSchema1 { signed: false } => known::DOCKER_SCHEMA1_MANIFEST,
            Kind::ArtifactManifest => known::OCI_ARTIFACT_MANIFEST,
            Kind::ImageConfig { docker: false } => known::OCI_CONFIG,
            Kind::ImageConfig { docker: true } => known::DOCKER_CONFIG,
            Kind::Descriptor => known::OCI_DESCRIPTOR,
            Kind::OciLayout => known::OCI_LAYOUT_HEADER,
            Kind::UnknownJson | Kind::NotJson => return None,
        })
    }

    fn family(self) -> Family {
        match self {
            Kind::OciManifest
            | Kind::DockerManifest
            | Kind::DockerSchema1 { .. }
            | Kind::ArtifactManifest => Family::Manifest,
            Kind::OciIndex | Kind::DockerManifestList => Family::Index,
            _ => Family::Other,
        }
    }

    /// The kind a media type names, for the document types this module knows.
    fn from_media_type(media_type: &str) -> Option<Kind> {
        let essence = media_type.split(';').next().unwrap_or("").trim();
        [
            Kind::OciManifest,
            Kind::OciIndex,
            Kind::DockerManifest,
            Kind::DockerManifestList,
            Kind::DockerSchema1 { signed: true },
            Kind::DockerSchema1 { signed: false },
            Kind::ArtifactManifest,
            Kind::ImageConfig { docker: false },
            Kind::ImageConfig { docker: true },
            Kind::Descriptor,
            Kind::OciLayout,
        ]
        .into_iter()
        .find(|kind| {
            kind.media_type()
                .is_some_and(|mt| mt.eq_ignore_ascii_case(essence))
        })
    }
}

/// The result of inspecting one document.
#[derive(Clone, Debug)]
pub struct Inspection {
    bytes: Vec<u8>,
    digest: Digest,
    json: Option<Json>,
    kind: Kind,
    media_type: Option<String>,
    findings: Vec<Finding>,
}

impl Inspection {
    /// No error findings.
    pub fn is_valid(&self) -> bool {
        !self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// sha256 of the exact input bytes.
    pub fn digest(&self) -> &Digest {
        &self.digest
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Findings, errors first, then by pointer.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// The parsed document, when it is JSON within the limits.
    pub fn json(&self) -> Option<&Json> {
        self.json.as_ref()
    }

    /// The inspected bytes (the digest is over them).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn size(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// The document's media type: the body's `mediaType`, else the declared one. (A bare
    /// descriptor's `mediaType` is that of its target, so for descriptors it is the declared
    /// one.)
    pub fn media_type(&self) -> Option<&str> {
        self.media_type.as_deref()
    }
}

/// Inspects `bytes`, declared (e.g. by a `Content-Type` header) as `declared_media_type`,
/// with the default [`Limits`].
pub fn inspect(bytes: &[u8], declared_media_type: Option<&str>) -> Inspection {
    inspect_with(bytes, declared_media_type, &Limits::default())
}

/// [`inspect`] with explicit limits.
pub fn inspect_with(
    bytes: &[u8],
    declared_media_type: Option<&str>,
    limits: &Limits,
) -> Inspection {
    let digest = Digest::sha256(bytes);
    let mut findings = Vec::new();
    let declared = declared_media_type.filter(|d| !d.is_empty());
    if let Some(Err(e)) = declared.map(MediaType::from_str) {
        findings.push(Finding {
            severity: Severity::Warning,
            pointer: String::new(),
            message: format!("declared media type: {e}"),
        });
    }
    let mut inspection = Inspection {
        bytes: bytes.to_vec(),
        digest,
        json: None,
        kind: Kind::NotJson,
        media_type: declared.map(str::to_owned),
        findings: Vec::new(),
    };
    if bytes.len() > limits.max_bytes {
        findings.push(Finding {
            severity: Severity::Error,
            pointer: String::new(),
            message: format!(
                "document is {} bytes, over the {} byte limit: not parsed",
                bytes.len(),
                limits.max_bytes
            ),
        });
    } else {
        match json::parse(bytes, limits.max_depth) {
            Err(e) => findings.push(Finding {
                severity: Severity::Error,
                pointer: String::new(),
                message: format!("not JSON: {e}"),
            }),
            Ok(doc) => {
                let kind = detect(&doc, declared, &mut findings);
                findings.extend(lint::lint(&doc, kind));
                if kind != Kind::Descriptor {
                    if let Some(body) = doc.get("mediaType").and_then(Json::as_str) {
                        inspection.media_type = Some(body.to_owned());
                    }
                }
                inspection.kind = kind;
                inspection.json = Some(doc);
            }
        }
    }
    lint::sort(&mut findings);
    inspection.findings = findings;
    inspection
}

/// Decides the kind; reports disagreements between the witnesses.
fn detect(doc: &Json, declared: Option<&str>, findings: &mut Vec<Finding>) -> Kind {
    let shape = shape(doc);
    if shape == Some(Kind::Descriptor) {
        return Kind::Descriptor;
    }
    let body_type = doc.get("mediaType").and_then(Json::as_str);
    let body_kind = body_type.and_then(Kind::from_media_type);
    let declared_kind = declared.and_then(Kind::from_media_type);
    let ambiguous = doc.get("manifests").is_some()
        && (doc.get("layers").is_some() || doc.get("config").is_some());

    let mut report = |severity: Severity, pointer: &str, message: String| {
        findings.push(Finding {
            severity,
            pointer: pointer.to_owned(),
            message,
        });
    };
    let confusion = |a: Option<Kind>, b: Option<Kind>| match (a, b) {
        (Some(a), Some(b)) => {
            matches!(
                (a.family(), b.family()),
                (Family::Manifest, Family::Index) | (Family::Index, Family::Manifest)
            )
        }
        _ => false,
    };
    let describe = |kind: Option<Kind>, text: &str| match kind {
        Some(kind) => format!("{text:?} ({})", kind.label()),
        None => format!(
            "{text:?}{}",
            media_type::short_name(text)
                .map(|name| format!(" ({name})"))
                .unwrap_or_default()
        ),
    };

    if let (Some(body), Some(declared)) = (body_type, declared) {
        let essence = |s: &str| {
            s.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        };
        if essence(body) != essence(declared) {
            let severity = if confusion(body_kind, declared_kind) {
                Severity::Error
            } else {
                Severity::Warning
            };
            report(
                severity,
                "/mediaType",
                format!(
                    "the body's mediaType {} disagrees with the declared media type {}; the \
                     body's is used here, but a client trusting the declared type reads the \
                     document differently",
                    describe(body_kind, body),
                    describe(declared_kind, declared)
                ),
            );
        }
    }

    let mut disagree = |claimed: Kind, text: String, shape: Kind, pointer: &str| {
        let severity = if confusion(Some(claimed), Some(shape)) {
            Severity::Error
        } else {
            Severity::Warning
        };
        report(
            severity,
            pointer,
            format!(
                "{text} but the document has the fields of a {}",
                shape.label()
            ),
        );
    };
    let kind = match (body_kind, shape) {
        (Some(body), Some(shape)) => {
            if !ambiguous && !compatible(body, shape) {
                disagree(
                    body,
                    format!("mediaType says {}", body.label()),
                    shape,
                    "/mediaType",
                );
            }
            body
        }
        (Some(body), None) => body,
        (None, Some(shape)) if body_type.is_some() => {
            report(
                Severity::Info,
                "/mediaType",
                format!(
                    "mediaType {} is not a document type known here; judged by its fields \
                     as a {}",
                    describe(None, body_type.unwrap_or_default()),
                    shape.label()
                ),
            );
            shape
        }
        (None, Some(shape)) => match (declared_kind, declared) {
            (Some(claimed), _) if compatible(claimed, shape) => claimed,
            (Some(claimed), Some(text)) => {
                if !ambiguous {
                    disagree(
                        claimed,
                        format!("declared as {}", describe(Some(claimed), text)),
                        shape,
                        "",
                    );
                }
                shape
            }
            _ => shape,
        },
        (None, None) => declared_kind.unwrap_or(Kind::UnknownJson),
    };
    match kind {
        Kind::DockerSchema1 { .. } => Kind::DockerSchema1 {
            signed: doc.get("signatures").is_some(),
        },
        Kind::ImageConfig { .. } => {
            let claimed = [body_kind, declared_kind]
                .into_iter()
                .flatten()
                .find_map(|k| match k {
                    Kind::ImageConfig { docker } => Some(docker),
                    _ => None,
                });
            Kind::ImageConfig {
                docker: claimed.unwrap_or_else(|| is_docker_config(doc)),
            }
        }
        kind => kind,
    }
}

/// Whether a document claimed to be `a` may have the fields of `b`: the same kind, or the
/// OCI and Docker spellings of one (their fields coincide).
fn compatible(a: Kind, b: Kind) -> bool {
    use Kind::*;
    std::mem::discriminant(&a) == std::mem::discriminant(&b)
        || matches!(
            (a, b),
            (OciManifest, DockerManifest)
                | (DockerManifest, OciManifest)
                | (OciIndex, DockerManifestList)
                | (DockerManifestList, OciIndex)
        )
}

/// Fields only Docker's image config has.
fn is_docker_config(doc: &Json) -> bool {
    ["docker_version", "container_config", "container"]
        .iter()
        .any(|key| doc.get(key).is_some())
}

/// The kind the document's fields suggest, if any.
fn shape(doc: &Json) -> Option<Kind> {
    doc.as_object()?;
    let has = |key: &str| doc.get(key).is_some();
    let kind = if has("imageLayoutVersion") {
        Kind::OciLayout
    } else if has("fsLayers") || doc.get("schemaVersion").and_then(Json::as_i64) == Some(1) {
        Kind::DockerSchema1 {
            signed: has("signatures"),
        }
    } else if has("manifests") {
        Kind::OciIndex
    } else if has("layers") || (has("config") && has("schemaVersion")) {
        let docker_config =
            doc.pointer("/config/mediaType").and_then(Json::as_str) == Some(known::DOCKER_CONFIG);
        if docker_config {
            Kind::DockerManifest
        } else {
            Kind::OciManifest
        }
    } else if has("rootfs") || (has("architecture") && has("os")) {
        Kind::ImageConfig {
            docker: is_docker_config(doc),
        }
    } else if has("blobs") {
        Kind::ArtifactManifest
    } else if has("mediaType") && has("digest") && has("size") {
        Kind::Descriptor
    } else {
        return None;
    };
    Some(kind)
}
