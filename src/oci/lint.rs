//! Findings about one parsed document: what the OCI image-spec (v1.1: `manifest.md`,
//! `image-index.md`, `descriptor.md`, `config.md`, `annotations.md`, `image-layout.md` and the
//! JSON schemas under `schema/`) and Docker's image manifest v2 schema 2 / schema 1 require,
//! plus the traps that make two tools read one document differently (duplicate keys,
//! manifest/index ambiguity, CVE-2021-41190).
//!
//! Severity follows the specs' keywords: a MUST (or a schema constraint) broken is an
//! [`Severity::Error`], a SHOULD or a known interoperability hazard a [`Severity::Warning`],
//! and what a reader may want to know (unknown fields, unknown media types) an
//! [`Severity::Info`]. Unknown things are never errors: the spec says to ignore them.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use super::base64;
use super::digest::{Digest, DigestError};
use super::document::Kind;
use super::json::{self, pointer_push, Json, Value};
use super::media_type::{self, known, MediaType};
use super::model::safe_link;

/// How bad a finding is. Ordered: errors sort first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One thing worth telling about a document, at a JSON pointer (`""` = the whole document;
/// for a missing field, the object that lacks it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub pointer: String,
    pub message: String,
}

/// Orders findings by severity, then by pointer (array indexes compared as numbers, so
/// `/layers/2` comes before `/layers/10`); stable, so equal keys keep their order.
pub(crate) fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then_with(|| pointer_order(&a.pointer, &b.pointer))
    });
}

fn pointer_order(a: &str, b: &str) -> Ordering {
    let mut a_tokens = a.split('/').skip(1);
    let mut b_tokens = b.split('/').skip(1);
    loop {
        match (a_tokens.next(), b_tokens.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let order = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(x), Ok(y)) => x.cmp(&y),
                    _ => x.cmp(y),
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

/// Lints a parsed document as `kind`.
pub(crate) fn lint(doc: &Json, kind: Kind) -> Vec<Finding> {
    let mut l = Lint::default();
    l.duplicate_keys(doc, "");
    if doc.as_object().is_none() && !matches!(kind, Kind::UnknownJson | Kind::NotJson) {
        l.error(
            "",
            format!(
                "this {} must be a JSON object, found {}",
                kind.label(),
                doc.value.type_name()
            ),
        );
        return l.out;
    }
    match kind {
        Kind::OciManifest => l.oci_manifest(doc),
        Kind::OciIndex => l.index(doc, false),
        Kind::DockerManifestList => l.index(doc, true),
        Kind::DockerManifest => l.docker_manifest(doc),
        Kind::DockerSchema1 { signed } => l.schema1(doc, signed),
        Kind::ArtifactManifest => l.artifact_manifest(doc),
        Kind::ImageConfig { docker } => l.image_config(doc, docker),
        Kind::Descriptor => l.descriptor(doc, "", Role::Standalone),
        Kind::OciLayout => l.oci_layout(doc),
        Kind::UnknownJson => l.info(
            "",
            "not a recognised OCI or Docker document: only JSON well-formedness was checked",
        ),
        Kind::NotJson => {}
    }
    if matches!(
        kind,
        Kind::OciManifest
            | Kind::OciIndex
            | Kind::DockerManifest
            | Kind::DockerManifestList
            | Kind::ArtifactManifest
    ) && doc.get("manifests").is_some()
        && (doc.get("layers").is_some() || doc.get("config").is_some())
    {
        l.error(
            "",
            "ambiguous document: it has `manifests` (an index) together with `layers` or \
             `config` (a manifest), so clients can disagree on what it is (CVE-2021-41190)",
        );
    }
    l.out
}

/// What a descriptor points at, for role-specific checks and messages.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Config,
    Layer,
    /// An entry of an index or manifest list.
    Entry,
    Subject,
    /// A `blobs` entry of an artifact manifest.
    Blob,
    /// The whole document is a descriptor.
    Standalone,
}

/// The pre-defined annotation keys whose value is a URL (image-spec annotations.md).
const URL_ANNOTATIONS: [&str; 3] = [
    "org.opencontainers.image.url",
    "org.opencontainers.image.documentation",
    "org.opencontainers.image.source",
];

const DESCRIPTOR_FIELDS: &[&str] = &[
    "mediaType",
    "digest",
    "size",
    "urls",
    "annotations",
    "data",
    "artifactType",
    "platform",
];

#[derive(Default)]
struct Lint {
    out: Vec<Finding>,
}

impl Lint {
    fn push(&mut self, severity: Severity, pointer: &str, message: impl Into<String>) {
        self.out.push(Finding {
            severity,
            pointer: pointer.to_owned(),
            message: message.into(),
        });
    }

    fn error(&mut self, pointer: &str, message: impl Into<String>) {
        self.push(Severity::Error, pointer, message);
    }

    fn warning(&mut self, pointer: &str, message: impl Into<String>) {
        self.push(Severity::Warning, pointer, message);
    }

    fn info(&mut self, pointer: &str, message: impl Into<String>) {
        self.push(Severity::Info, pointer, message);
    }

    // ----- generic shape checks -------------------------------------------------------

    fn duplicate_keys(&mut self, node: &Json, pointer: &str) {
        match &node.value {
            Value::Object(members) => {
                // Counted in a map, not by rescanning the earlier members: a 4 MiB object has
                // ~400,000 keys, and a quadratic scan of them would freeze the page.
                let mut seen: HashMap<&str, usize> = HashMap::new();
                for member in members {
                    let child = pointer_push(pointer, &member.key);
                    let earlier = seen.entry(member.key.as_str()).or_default();
                    *earlier += 1;
                    // Reported once, at the second occurrence.
                    if *earlier == 2 {
                        self.error(
                            &child,
                            format!(
                                "duplicate key {:?}: Go's encoding/json keeps the last value, \
                                 other parsers the first, so tools can disagree about this \
                                 document",
                                member.key
                            ),
                        );
                    }
                    self.duplicate_keys(&member.value, &child);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.duplicate_keys(item, &pointer_push(pointer, &i.to_string()));
                }
            }
            _ => {}
        }
    }

    /// `key` of object `obj`, reporting an error (at the object) when it is missing.
    fn required<'a>(&mut self, obj: &'a Json, pointer: &str, key: &str) -> Option<&'a Json> {
        let value = obj.get(key);
        if value.is_none() {
            self.error(pointer, format!("required field `{key}` is missing"));
        }
        value
    }

    fn expect_object<'a>(&mut self, value: &'a Json, pointer: &str) -> Option<&'a Json> {
        if value.as_object().is_some() {
            Some(value)
        } else {
            self.error(
                pointer,
                format!("expected an object, found {}", value.value.type_name()),
            );
            None
        }
    }

    fn string<'a>(&mut self, value: &'a Json, pointer: &str) -> Option<&'a str> {
        let s = value.as_str();
        if s.is_none() {
            self.error(
                pointer,
                format!("expected a string, found {}", value.value.type_name()),
            );
        }
        s
    }

    fn optional_string<'a>(&mut self, obj: &'a Json, pointer: &str, key: &str) -> Option<&'a str> {
        let value = obj.get(key)?;
        self.string(value, &pointer_push(pointer, key))
    }

    fn required_string<'a>(&mut self, obj: &'a Json, pointer: &str, key: &str) -> Option<&'a str> {
        let value = self.required(obj, pointer, key)?;
        self.string(value, &pointer_push(pointer, key))
    }

    fn array<'a>(&mut self, value: &'a Json, pointer: &str) -> Option<&'a [Json]> {
        let items = value.as_array();
        if items.is_none() {
            self.error(
                pointer,
                format!("expected an array, found {}", value.value.type_name()),
            );
        }
        items
    }

    fn string_array(&mut self, value: &Json, pointer: &str) {
        for (i, item) in self
            .array(value, pointer)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            self.string(item, &pointer_push(pointer, &i.to_string()));
        }
    }

    fn boolean(&mut self, value: &Json, pointer: &str) {
        if !matches!(value.value, Value::Bool(_)) {
            self.error(
                pointer,
                format!("expected a boolean, found {}", value.value.type_name()),
            );
        }
    }

    /// An object whose values are all strings (annotations, labels).
    fn string_map(&mut self, value: &Json, pointer: &str) {
        let Some(members) = self.expect_object(value, pointer).and_then(Json::as_object) else {
            return;
        };
        for member in members {
            self.string(&member.value, &pointer_push(pointer, &member.key));
        }
    }

    /// An object whose values are all objects (ExposedPorts, Volumes).
    fn object_map(&mut self, value: &Json, pointer: &str) {
        let Some(members) = self.expect_object(value, pointer).and_then(Json::as_object) else {
            return;
        };
        for member in members {
            self.expect_object(&member.value, &pointer_push(pointer, &member.key));
        }
    }

    fn unknown_fields(&mut self, obj: &Json, pointer: &str, known: &[&str], what: &str) {
        for member in obj.as_object().unwrap_or_default() {
            if !known.contains(&member.key.as_str()) {
                self.info(
                    &pointer_push(pointer, &member.key),
                    format!(
                        "field {:?} is not part of the {what}; implementations ignore it",
                        member.key
                    ),
                );
            }
        }
    }

    // ----- values ---------------------------------------------------------------------

    fn schema_version(&mut self, doc: &Json, expected: i64) {
        let Some(value) = self.required(doc, "", "schemaVersion") else {
            return;
        };
        match value.as_i64() {
            Some(v) if v == expected => {}
            Some(v) => self.error(
                "/schemaVersion",
                format!("schemaVersion must be {expected}, found {v}"),
            ),
            None => self.error(
                "/schemaVersion",
                format!(
                    "schemaVersion must be the integer {expected}, found {}",
                    raw(value)
                ),
            ),
        }
    }

    /// A media type string: syntax (RFC 6838, no parameters as the image-spec schema
    /// demands), lowercase, and whether it is known.
    fn media_type(&mut self, value: &Json, pointer: &str) -> Option<String> {
        let text = self.string(value, pointer)?;
        match MediaType::from_str(text) {
            Err(e) => {
                self.error(pointer, e.to_string());
                None
            }
            Ok(mt) => {
                if !mt.params().is_empty() {
                    self.error(
                        pointer,
                        format!(
                            "media type {text:?} has parameters, which the image-spec schema \
                             does not allow"
                        ),
                    );
                }
                if text != mt.essence() && media_type::short_name(text).is_some() {
                    self.warning(
                        pointer,
                        format!(
                            "media type {text:?} is not written as {:?}; registries compare \
                             media types as exact strings",
                            mt.essence()
                        ),
                    );
                }
                Some(mt.essence().to_owned())
            }
        }
    }

    fn digest(&mut self, value: &Json, pointer: &str) -> Option<Digest> {
        let text = self.string(value, pointer)?;
        match Digest::from_str(text) {
            Ok(digest) => Some(digest),
            Err(e @ DigestError::Unsupported { .. }) => {
                self.warning(pointer, format!("{e}; the content cannot be verified here"));
                None
            }
            Err(e) => {
                self.error(pointer, e.to_string());
                None
            }
        }
    }

    /// A size: an int64 ≥ 0 written as a plain integer (Go rejects `1e3` and `1.0`).
    fn size(&mut self, value: &Json, pointer: &str) -> Option<i64> {
        let Value::Number(text) = &value.value else {
            self.error(
                pointer,
                format!(
                    "size must be a non-negative integer, found {}",
                    value.value.type_name()
                ),
            );
            return None;
        };
        if text.contains(['.', 'e', 'E']) {
            self.error(
                pointer,
                format!("size {text} is not an integer (fractions and exponents are rejected)"),
            );
            return None;
        }
        match text.parse::<i64>() {
            Ok(n) if n < 0 => {
                self.error(pointer, format!("size {text} is negative"));
                None
            }
            Ok(n) => Some(n),
            Err(_) if text.starts_with('-') => {
                self.error(pointer, format!("size {text} is negative"));
                None
            }
            Err(_) => {
                self.error(pointer, format!("size {text} does not fit in an int64"));
                None
            }
        }
    }

    fn urls(&mut self, value: &Json, pointer: &str) {
        for (i, item) in self
            .array(value, pointer)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let item_pointer = pointer_push(pointer, &i.to_string());
            let Some(url) = self.string(item, &item_pointer) else {
                continue;
            };
            match uri_scheme(url) {
                None => self.error(&item_pointer, format!("{url:?} is not an absolute URI")),
                Some(scheme)
                    if !scheme.eq_ignore_ascii_case("http")
                        && !scheme.eq_ignore_ascii_case("https") =>
                {
                    self.warning(
                        &item_pointer,
                        format!("URL {url:?} is not http or https; clients may not fetch it"),
                    );
                }
                Some(_) => {}
            }
        }
    }

    fn annotations(&mut self, value: &Json, pointer: &str) {
        self.string_map(value, pointer);
        let created = "org.opencontainers.image.created";
        if let Some(text) = value.get(created).and_then(Json::as_str) {
            if !is_rfc3339(text) {
                self.warning(
                    &pointer_push(pointer, created),
                    format!("{created} must be an RFC 3339 date-time, found {text:?}"),
                );
            }
        }
        // annotations.md defines these three as URLs. The test is the one the UI uses to
        // decide whether a value becomes a link ([`safe_link`]), so the warning says exactly
        // when a value is shown as plain text: another scheme (`git@…`, `ssh://`), no scheme
        // (`github.com/x`), user-info hiding the host, whitespace, non-ASCII.
        for key in URL_ANNOTATIONS {
            let Some(text) = value.get(key).and_then(Json::as_str) else {
                continue;
            };
            if safe_link(text).is_none() {
                self.warning(
                    &pointer_push(pointer, key),
                    format!(
                        "{key} should be an http(s) URL, found {text:?}; it is shown as text, \
                         not as a link"
                    ),
                );
            }
        }
    }

    fn date_time(&mut self, value: &Json, pointer: &str) {
        if let Some(text) = self.string(value, pointer) {
            if !is_rfc3339(text) {
                self.error(
                    pointer,
                    format!("expected an RFC 3339 date-time, found {text:?}"),
                );
            }
        }
    }

    // ----- descriptors and platforms --------------------------------------------------

    fn descriptor(&mut self, value: &Json, pointer: &str, role: Role) {
        if self.expect_object(value, pointer).is_none() {
            return;
        }
        let media_type = self
            .required(value, pointer, "mediaType")
            .and_then(|v| self.media_type(v, &pointer_push(pointer, "mediaType")));
        let digest = self
            .required(value, pointer, "digest")
            .and_then(|v| self.digest(v, &pointer_push(pointer, "digest")));
        let size = self
            .required(value, pointer, "size")
            .and_then(|v| self.size(v, &pointer_push(pointer, "size")));
        if let Some(urls) = value.get("urls") {
            self.urls(urls, &pointer_push(pointer, "urls"));
        }
        if let Some(annotations) = value.get("annotations") {
            self.annotations(annotations, &pointer_push(pointer, "annotations"));
        }
        if let Some(artifact_type) = value.get("artifactType") {
            self.media_type(artifact_type, &pointer_push(pointer, "artifactType"));
        }
        if let Some(platform) = value.get("platform") {
            self.platform(platform, &pointer_push(pointer, "platform"));
        }
        if let Some(data) = value.get("data") {
            self.data(data, &pointer_push(pointer, "data"), digest.as_ref(), size);
        }
        self.unknown_fields(value, pointer, DESCRIPTOR_FIELDS, "descriptor");

        let Some(media_type) = media_type else {
            return;
        };
        if media_type == known::OCI_EMPTY {
            let digest_ok = digest
                .as_ref()
                .is_none_or(|d| d.to_string() == known::EMPTY_DIGEST);
            let size_ok = size.is_none_or(|s| s == known::EMPTY_SIZE);
            if !digest_ok || !size_ok {
                self.error(
                    pointer,
                    format!(
                        "the empty descriptor ({}) must have digest {} and size {}",
                        known::OCI_EMPTY,
                        known::EMPTY_DIGEST,
                        known::EMPTY_SIZE
                    ),
                );
            }
        }
        let name = media_type::short_name(&media_type);
        if media_type.contains(".nondistributable.") {
            self.info(
                &pointer_push(pointer, "mediaType"),
                "non-distributable layer media types are deprecated since image-spec 1.1",
            );
        }
        match (role, name) {
            (Role::Entry, Some(_))
                if !matches!(
                    media_type.as_str(),
                    known::OCI_MANIFEST
                        | known::OCI_INDEX
                        | known::DOCKER_MANIFEST
                        | known::DOCKER_MANIFEST_LIST
                        | known::OCI_ARTIFACT_MANIFEST
                ) =>
            {
                self.warning(
                    &pointer_push(pointer, "mediaType"),
                    format!(
                        "an index entry should reference a manifest or an index, not {}",
                        name.unwrap_or_default()
                    ),
                );
            }
            (Role::Config, None) => self.info(
                &pointer_push(pointer, "mediaType"),
                format!(
                    "config media type {media_type:?} is not an image config: this is an \
                     artifact, and runtimes will not run it"
                ),
            ),
            (_, None) => self.info(
                &pointer_push(pointer, "mediaType"),
                format!(
                    "unknown media type {media_type:?}; implementations that do not \
                     understand it ignore the {}",
                    match role {
                        Role::Layer => "layer",
                        Role::Entry => "entry",
                        Role::Subject => "subject",
                        Role::Blob => "blob",
                        Role::Config | Role::Standalone => "content",
                    }
                ),
            ),
            _ => {}
        }
    }

    /// Embedded content: strict padded base64 whose bytes match `size` and `digest`.
    fn data(&mut self, value: &Json, pointer: &str, digest: Option<&Digest>, size: Option<i64>) {
        let Some(text) = self.string(value, pointer) else {
            return;
        };
        let bytes = match base64::decode(text) {
            Ok(bytes) => bytes,
            Err(e) => {
                self.error(pointer, format!("data is not valid padded base64: {e}"));
                return;
            }
        };
        if let Some(size) = size {
            if i64::try_from(bytes.len()).ok() != Some(size) {
                self.error(
                    pointer,
                    format!("data decodes to {} bytes but size is {size}", bytes.len()),
                );
                return;
            }
        }
        if let Some(digest) = digest {
            if !digest.matches(&bytes) {
                self.error(
                    pointer,
                    format!(
                        "data does not match the digest: it hashes to {}, the descriptor \
                         says {digest}",
                        Digest::compute(digest.algorithm(), &bytes)
                    ),
                );
            }
        }
    }

    fn platform(&mut self, value: &Json, pointer: &str) {
        if self.expect_object(value, pointer).is_none() {
            return;
        }
        for key in ["architecture", "os"] {
            if let Some(text) = self.required_string(value, pointer, key) {
                if text.is_empty() {
                    self.error(&pointer_push(pointer, key), format!("`{key}` is empty"));
                }
            }
        }
        self.optional_string(value, pointer, "variant");
        self.optional_string(value, pointer, "os.version");
        if let Some(features) = value.get("os.features") {
            self.string_array(features, &pointer_push(pointer, "os.features"));
        }
        if let Some(features) = value.get("features") {
            self.string_array(features, &pointer_push(pointer, "features"));
            self.info(
                &pointer_push(pointer, "features"),
                "platform `features` is reserved for future versions of the image-spec",
            );
        }
        self.unknown_fields(
            value,
            pointer,
            &[
                "architecture",
                "os",
                "variant",
                "os.version",
                "os.features",
                "features",
            ],
            "platform",
        );
    }

    // ----- documents ------------------------------------------------------------------

    /// The top-level `mediaType` of a manifest or index; `required` for Docker formats.
    fn document_media_type(&mut self, doc: &Json, required: bool, what: &str) {
        match doc.get("mediaType") {
            Some(value) => {
                self.media_type(value, "/mediaType");
            }
            None if required => {
                self.error(
                    "",
                    format!("required field `mediaType` is missing ({what})"),
                );
            }
            None => self.warning(
                "",
                format!(
                    "`mediaType` is missing: the {what} SHOULD set it, and without it \
                     clients must guess the document type from its fields"
                ),
            ),
        }
    }

    fn common_optional(&mut self, doc: &Json) {
        if let Some(value) = doc.get("artifactType") {
            self.media_type(value, "/artifactType");
        }
        if let Some(value) = doc.get("subject") {
            self.descriptor(value, "/subject", Role::Subject);
        }
        if let Some(value) = doc.get("annotations") {
            self.annotations(value, "/annotations");
        }
    }

    fn descriptors(&mut self, doc: &Json, key: &str, role: Role) -> usize {
        let pointer = pointer_push("", key);
        let Some(value) = doc.get(key) else {
            return 0;
        };
        let items = self.array(value, &pointer).unwrap_or_default();
        for (i, item) in items.iter().enumerate() {
            self.descriptor(item, &pointer_push(&pointer, &i.to_string()), role);
        }
        items.len()
    }

    fn oci_manifest(&mut self, doc: &Json) {
        self.schema_version(doc, 2);
        self.document_media_type(doc, false, "image manifest");
        if let Some(config) = self.required(doc, "", "config") {
            self.descriptor(config, "/config", Role::Config);
        }
        // An error for every image manifest, artifacts included. manifest.md only says
        // "For portability, `layers` SHOULD have at least one entry", but
        // schema/image-manifest-schema.json has `"layers": {"type": "array", "minItems": 1}`
        // (since 2016, "limit min layer length in manifest to one"; unchanged in v1.1.1),
        // and severity here follows the schema. Artifacts get no exemption: "Guidelines for
        // Artifact Usage" says "If the artifact does not need layers, a single layer SHOULD
        // be included with a non-zero size. The suggested content for an unused `layers`
        // array is the empty descriptor". Only the withdrawn artifact manifest
        // (`Kind::ArtifactManifest`) may omit content: its `blobs` was OPTIONAL.
        if self.required(doc, "", "layers").is_some()
            && self.descriptors(doc, "layers", Role::Layer) == 0
            && doc.get("layers").and_then(Json::as_array).is_some()
        {
            self.error(
                "/layers",
                format!(
                    "`layers` is empty: the image-spec schema requires at least one entry \
                     (an artifact without content uses the empty descriptor {})",
                    known::OCI_EMPTY
                ),
            );
        }
        self.common_optional(doc);
        let config_is_empty =
            doc.pointer("/config/mediaType").and_then(Json::as_str) == Some(known::OCI_EMPTY);
        if config_is_empty && doc.get("artifactType").is_none() {
            self.error(
                "",
                "config is the empty descriptor, so `artifactType` MUST be set",
            );
        }
        self.unknown_fields(
            doc,
            "",
            &[
                "schemaVersion",
                "mediaType",
                "artifactType",
                "config",
                "layers",
                "subject",
                "annotations",
            ],
            "image manifest",
        );
    }

    fn docker_manifest(&mut self, doc: &Json) {
        self.schema_version(doc, 2);
        self.document_media_type(doc, true, "Docker image manifest");
        if let Some(config) = self.required(doc, "", "config") {
            self.descriptor(config, "/config", Role::Config);
        }
        if self.required(doc, "", "layers").is_some() {
            self.descriptors(doc, "layers", Role::Layer);
        }
        self.unknown_fields(
            doc,
            "",
            &["schemaVersion", "mediaType", "config", "layers"],
            "Docker image manifest",
        );
    }

    fn index(&mut self, doc: &Json, docker: bool) {
        let what = if docker {
            "Docker manifest list"
        } else {
            "image index"
        };
        self.schema_version(doc, 2);
        self.document_media_type(doc, docker, what);
        if self.required(doc, "", "manifests").is_some() {
            self.descriptors(doc, "manifests", Role::Entry);
        }
        let entries = doc
            .get("manifests")
            .and_then(Json::as_array)
            .unwrap_or_default();
        if docker {
            for (i, entry) in entries.iter().enumerate() {
                if entry.as_object().is_some() && entry.get("platform").is_none() {
                    self.error(
                        &format!("/manifests/{i}"),
                        "required field `platform` is missing (every manifest list entry \
                         names its platform)",
                    );
                }
            }
            self.unknown_fields(
                doc,
                "",
                &["schemaVersion", "mediaType", "manifests"],
                "Docker manifest list",
            );
        } else {
            self.common_optional(doc);
            self.attestations(entries);
            self.unknown_fields(
                doc,
                "",
                &[
                    "schemaVersion",
                    "mediaType",
                    "artifactType",
                    "manifests",
                    "subject",
                    "annotations",
                ],
                "image index",
            );
        }
    }

    /// BuildKit attestation manifests point at the image they describe with the
    /// `vnd.docker.reference.digest` annotation; it must name an entry of the same index.
    fn attestations(&mut self, entries: &[Json]) {
        const TYPE: &str = "vnd.docker.reference.type";
        const DIGEST: &str = "vnd.docker.reference.digest";
        // A set, so an index of thousands of attestations is not checked in quadratic time.
        let digests: HashSet<&str> = entries
            .iter()
            .filter_map(|e| e.get("digest").and_then(Json::as_str))
            .collect();
        for (i, entry) in entries.iter().enumerate() {
            let annotations = format!("/manifests/{i}/annotations");
            if entry
                .pointer("/annotations")
                .and_then(|a| a.get(TYPE))
                .and_then(Json::as_str)
                != Some("attestation-manifest")
            {
                continue;
            }
            let Some(target) = entry
                .pointer("/annotations")
                .and_then(|a| a.get(DIGEST))
                .and_then(Json::as_str)
            else {
                self.warning(
                    &annotations,
                    format!("attestation manifest without a {DIGEST} annotation"),
                );
                continue;
            };
            if !digests.contains(target) {
                self.warning(
                    &pointer_push(&annotations, DIGEST),
                    format!("attestation refers to {target}, which is not an entry of this index"),
                );
            }
        }
    }

    fn schema1(&mut self, doc: &Json, signed: bool) {
        self.warning(
            "",
            "Docker image manifest v2 schema 1 is deprecated; current registries and \
             runtimes refuse it or are dropping support: convert to schema 2 or OCI",
        );
        self.schema_version(doc, 1);
        if let Some(value) = doc.get("mediaType") {
            self.media_type(value, "/mediaType");
        }
        self.required_string(doc, "", "name");
        self.required_string(doc, "", "tag");
        self.optional_string(doc, "", "architecture");
        let layers = self
            .required(doc, "", "fsLayers")
            .and_then(|v| self.array(v, "/fsLayers"));
        for (i, layer) in layers.unwrap_or_default().iter().enumerate() {
            let pointer = format!("/fsLayers/{i}");
            if self.expect_object(layer, &pointer).is_some() {
                if let Some(sum) = self.required(layer, &pointer, "blobSum") {
                    self.digest(sum, &pointer_push(&pointer, "blobSum"));
                }
            }
        }
        let history = self
            .required(doc, "", "history")
            .and_then(|v| self.array(v, "/history"));
        for (i, entry) in history.unwrap_or_default().iter().enumerate() {
            let pointer = format!("/history/{i}");
            if self.expect_object(entry, &pointer).is_none() {
                continue;
            }
            if let Some(text) = self.required_string(entry, &pointer, "v1Compatibility") {
                if let Err(e) = json::parse(text.as_bytes(), json::DEFAULT_MAX_DEPTH) {
                    self.warning(
                        &pointer_push(&pointer, "v1Compatibility"),
                        format!("v1Compatibility is not a JSON document: {e}"),
                    );
                }
            }
        }
        if let (Some(layers), Some(history)) = (layers, history) {
            if layers.len() != history.len() {
                self.error(
                    "/history",
                    format!(
                        "`history` has {} entries but `fsLayers` has {}; they must match one \
                         to one",
                        history.len(),
                        layers.len()
                    ),
                );
            }
        }
        if signed {
            self.signatures(doc);
            self.info(
                "/signatures",
                "signed schema 1: the registry digest is computed over the JWS payload (the \
                 manifest without `signatures`), not over these bytes",
            );
        }
        self.unknown_fields(
            doc,
            "",
            &[
                "schemaVersion",
                "mediaType",
                "name",
                "tag",
                "architecture",
                "fsLayers",
                "history",
                "signatures",
            ],
            "Docker schema 1 manifest",
        );
    }

    fn signatures(&mut self, doc: &Json) {
        let Some(signatures) = doc
            .get("signatures")
            .and_then(|v| self.array(v, "/signatures"))
        else {
            return;
        };
        if signatures.is_empty() {
            self.warning("/signatures", "`signatures` is empty");
        }
        for (i, signature) in signatures.iter().enumerate() {
            let pointer = format!("/signatures/{i}");
            if self.expect_object(signature, &pointer).is_none() {
                continue;
            }
            if let Some(header) = self.required(signature, &pointer, "header") {
                self.expect_object(header, &pointer_push(&pointer, "header"));
            }
            self.required_string(signature, &pointer, "signature");
            self.required_string(signature, &pointer, "protected");
        }
    }

    fn artifact_manifest(&mut self, doc: &Json) {
        self.warning(
            "",
            "the OCI artifact manifest was withdrawn before image-spec 1.1 was released; \
             use an image manifest with `artifactType` instead",
        );
        self.document_media_type(doc, true, "artifact manifest");
        match doc.get("artifactType") {
            Some(value) => {
                self.media_type(value, "/artifactType");
            }
            None => self.error("", "required field `artifactType` is missing"),
        }
        self.descriptors(doc, "blobs", Role::Blob);
        if let Some(value) = doc.get("subject") {
            self.descriptor(value, "/subject", Role::Subject);
        }
        if let Some(value) = doc.get("annotations") {
            self.annotations(value, "/annotations");
        }
        self.unknown_fields(
            doc,
            "",
            &[
                "mediaType",
                "artifactType",
                "blobs",
                "subject",
                "annotations",
            ],
            "artifact manifest",
        );
    }

    fn image_config(&mut self, doc: &Json, docker: bool) {
        for key in ["architecture", "os"] {
            self.required_string(doc, "", key);
        }
        self.optional_string(doc, "", "variant");
        self.optional_string(doc, "", "os.version");
        self.optional_string(doc, "", "author");
        if let Some(value) = doc.get("os.features") {
            self.string_array(value, "/os.features");
        }
        if let Some(value) = doc.get("created") {
            self.date_time(value, "/created");
        }
        if let Some(config) = doc.get("config") {
            self.container_config(config);
        }
        let diff_ids = self.rootfs(doc);
        let history = doc.get("history").and_then(|v| self.array(v, "/history"));
        let mut layers_in_history = 0;
        for (i, entry) in history.unwrap_or_default().iter().enumerate() {
            let pointer = format!("/history/{i}");
            if self.expect_object(entry, &pointer).is_none() {
                continue;
            }
            if let Some(value) = entry.get("created") {
                self.date_time(value, &pointer_push(&pointer, "created"));
            }
            for key in ["author", "created_by", "comment"] {
                self.optional_string(entry, &pointer, key);
            }
            match entry.get("empty_layer") {
                Some(value) => {
                    self.boolean(value, &pointer_push(&pointer, "empty_layer"));
                    if !matches!(value.value, Value::Bool(true)) {
                        layers_in_history += 1;
                    }
                }
                None => layers_in_history += 1,
            }
        }
        if let (Some(history), Some(diff_ids)) = (history, diff_ids) {
            if !history.is_empty() && layers_in_history != diff_ids {
                self.warning(
                    "/history",
                    format!(
                        "`history` has {layers_in_history} entries that create a layer \
                         (no empty_layer) but rootfs.diff_ids lists {diff_ids} layers"
                    ),
                );
            }
        }
        let mut known = vec![
            "created",
            "author",
            "architecture",
            "variant",
            "os",
            "os.version",
            "os.features",
            "config",
            "rootfs",
            "history",
        ];
        if docker {
            known.extend([
                "id",
                "parent",
                "comment",
                "container",
                "container_config",
                "docker_version",
                "Size",
            ]);
        }
        let what = if docker {
            "Docker image config"
        } else {
            "OCI image config"
        };
        self.unknown_fields(doc, "", &known, what);
    }

    /// `rootfs`; returns the number of diff_ids when they are a list.
    fn rootfs(&mut self, doc: &Json) -> Option<usize> {
        let rootfs = self.required(doc, "", "rootfs")?;
        self.expect_object(rootfs, "/rootfs")?;
        if let Some(kind) = self.required_string(rootfs, "/rootfs", "type") {
            if kind != "layers" {
                self.error(
                    "/rootfs/type",
                    format!("rootfs.type must be \"layers\", found {kind:?}"),
                );
            }
        }
        let ids = self.required(rootfs, "/rootfs", "diff_ids")?;
        let ids = self.array(ids, "/rootfs/diff_ids")?;
        for (i, id) in ids.iter().enumerate() {
            self.digest(id, &format!("/rootfs/diff_ids/{i}"));
        }
        Some(ids.len())
    }

    fn container_config(&mut self, config: &Json) {
        if config.value == Value::Null {
            return;
        }
        if self.expect_object(config, "/config").is_none() {
            return;
        }
        for key in ["User", "WorkingDir", "StopSignal"] {
            self.optional_string(config, "/config", key);
        }
        if let Some(env) = config.get("Env").and_then(|v| self.array(v, "/config/Env")) {
            for (i, entry) in env.iter().enumerate() {
                let pointer = format!("/config/Env/{i}");
                if let Some(text) = self.string(entry, &pointer) {
                    if !matches!(text.split_once('='), Some((key, _)) if !key.is_empty()) {
                        self.error(
                            &pointer,
                            format!("environment entry {text:?} is not of the form KEY=value"),
                        );
                    }
                }
            }
        }
        for key in ["Entrypoint", "Cmd"] {
            if let Some(value) = config.get(key).filter(|v| v.value != Value::Null) {
                self.string_array(value, &pointer_push("/config", key));
            }
        }
        if let Some(value) = config.get("ExposedPorts") {
            self.object_map(value, "/config/ExposedPorts");
        }
        if let Some(value) = config.get("Volumes").filter(|v| v.value != Value::Null) {
            self.object_map(value, "/config/Volumes");
        }
        if let Some(value) = config.get("Labels").filter(|v| v.value != Value::Null) {
            self.string_map(value, "/config/Labels");
        }
        if let Some(value) = config.get("ArgsEscaped") {
            self.boolean(value, "/config/ArgsEscaped");
        }
    }

    fn oci_layout(&mut self, doc: &Json) {
        if let Some(version) = self.required_string(doc, "", "imageLayoutVersion") {
            if version != "1.0.0" {
                self.warning(
                    "/imageLayoutVersion",
                    format!("imageLayoutVersion {version:?} is not the specified \"1.0.0\""),
                );
            }
        }
        self.unknown_fields(doc, "", &["imageLayoutVersion"], "oci-layout file");
    }
}

/// The raw text of a scalar (or its type name), for messages.
fn raw(value: &Json) -> String {
    match &value.value {
        Value::Number(text) => text.clone(),
        Value::String(text) => format!("{text:?}"),
        other => other.type_name().to_owned(),
    }
}

/// The scheme of an absolute URI (RFC 3986 §3.1), or `None` when `text` is not one: no
/// scheme, or whitespace / control characters anywhere.
fn uri_scheme(text: &str) -> Option<&str> {
    let (scheme, rest) = text.split_once(':')?;
    let mut chars = scheme.chars();
    let valid_scheme = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let valid_rest = !rest.is_empty() && !rest.chars().any(|c| c.is_whitespace() || c.is_control());
    (valid_scheme && valid_rest).then_some(scheme)
}

/// RFC 3339 `date-time` (what Go's `time.RFC3339` parses): `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
fn is_rfc3339(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(range)?;
        if part.iter().all(u8::is_ascii_digit) {
            std::str::from_utf8(part).ok()?.parse().ok()
        } else {
            None
        }
    };
    let date_ok = (|| {
        let (_, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
        let separators = b.get(4) == Some(&b'-')
            && b.get(7) == Some(&b'-')
            && matches!(b.get(10), Some(b'T' | b't'))
            && b.get(13) == Some(&b':')
            && b.get(16) == Some(&b':');
        Some(
            separators
                && (1..=12).contains(&month)
                && (1..=31).contains(&day)
                && hour < 24
                && minute < 60
                && second <= 60,
        )
    })();
    if date_ok != Some(true) {
        return false;
    }
    let mut pos = 19;
    if b.get(pos) == Some(&b'.') {
        pos += 1;
        let start = pos;
        while b.get(pos).is_some_and(u8::is_ascii_digit) {
            pos += 1;
        }
        if pos == start {
            return false;
        }
    }
    match b.get(pos) {
        Some(b'Z' | b'z') => pos + 1 == b.len(),
        Some(b'+' | b'-') => {
            pos + 6 == b.len()
                && b.get(pos + 3) == Some(&b':')
                && digits(pos + 1..pos + 3).is_some_and(|h| h < 24)
                && digits(pos + 4..pos + 6).is_some_and(|m| m < 60)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339() {
        for ok in [
            "2015-10-31T22:22:56.015925234Z",
            "2023-01-01T00:00:00Z",
            "2023-01-01T00:00:00+02:00",
            "2023-01-01t00:00:00.5-05:30",
        ] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "",
            "2023-01-01",
            "2023-01-01 00:00:00Z",
            "2023-13-01T00:00:00Z",
            "2023-01-01T00:00:00",
            "2023-01-01T00:00:00.Z",
            "2023-01-01T00:00:00+0200",
            "2023-01-01T00:00:00Zjunk",
            "２023-01-01T00:00:00Z",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }

    #[test]
    fn uris() {
        assert_eq!(uri_scheme("https://example.com/a"), Some("https"));
        assert_eq!(uri_scheme("s3+x://bucket/key"), Some("s3+x"));
        assert_eq!(uri_scheme("example.com/a"), None);
        assert_eq!(uri_scheme("https://exa mple.com"), None);
        assert_eq!(uri_scheme("1http://x"), None);
        assert_eq!(uri_scheme("http:"), None);
    }

    #[test]
    fn pointer_ordering() {
        let mut pointers = ["/layers/10", "", "/layers/2", "/config", "/layers/2/digest"];
        pointers.sort_by(|a, b| pointer_order(a, b));
        assert_eq!(
            pointers,
            ["", "/config", "/layers/2", "/layers/2/digest", "/layers/10"]
        );
    }

    fn lint_text(text: &str, kind: Kind) -> Vec<Finding> {
        lint(&json::parse(text.as_bytes(), 64).unwrap(), kind)
    }

    #[test]
    fn sizes() {
        for (size, message) in [
            ("-1", "size -1 is negative"),
            ("1.0", "size 1.0 is not an integer"),
            ("1e3", "size 1e3 is not an integer"),
            ("9223372036854775808", "does not fit in an int64"),
            ("-99999999999999999999", "is negative"),
            ("\"2\"", "found a string"),
        ] {
            let text = format!(
                r#"{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"{}","size":{size}}}"#,
                known::EMPTY_DIGEST
            );
            let findings = lint_text(&text, Kind::Descriptor);
            assert!(
                findings
                    .iter()
                    .any(|f| f.pointer == "/size" && f.message.contains(message)),
                "{size}: {findings:?}"
            );
        }
        let ok = format!(
            r#"{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"{}","size":2,"data":"e30="}}"#,
            known::EMPTY_DIGEST
        );
        assert_eq!(lint_text(&ok, Kind::Descriptor), []);
    }

    #[test]
    fn env_and_media_type_case() {
        let findings = lint_text(
            r#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},
                "config":{"Env":["A=1","=x","NOEQUALS","B="]}}"#,
            Kind::ImageConfig { docker: false },
        );
        let pointers: Vec<&str> = findings.iter().map(|f| f.pointer.as_str()).collect();
        assert_eq!(pointers, ["/config/Env/1", "/config/Env/2"]);

        let findings = lint_text(
            r#"{"mediaType":"Application/vnd.oci.image.layer.v1.tar","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2}"#,
            Kind::Descriptor,
        );
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].severity, Severity::Warning);
    }
}
