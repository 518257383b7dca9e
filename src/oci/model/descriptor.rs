//! Content descriptors (image-spec descriptor.md, "Properties"), the platform object of
//! image-index.md ("platform") and annotation maps (annotations.md), read leniently.

use std::fmt;

use super::fields::{int, items, string, strings};
use crate::oci::base64;
use crate::oci::digest::Digest;
use crate::oci::json::{pointer_push, Json, Value};

/// The `digest` of a descriptor as found: well-formed, present but unusable, or absent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DigestField {
    Parsed(Digest),
    /// Not a supported, well-formed digest. Kept as text so the UI can still show it. A
    /// non-string value is rendered short: the raw number, `true`, `null`, `[…]` or `{…}`.
    Invalid(String),
    Missing,
}

impl DigestField {
    /// Reads the `key` member of `json`.
    pub(super) fn read(json: &Json, key: &str) -> DigestField {
        match json.get(key) {
            None => DigestField::Missing,
            Some(value) => match &value.value {
                Value::String(s) => s
                    .parse()
                    .map_or_else(|_| DigestField::Invalid(s.clone()), DigestField::Parsed),
                Value::Number(raw) => DigestField::Invalid(raw.clone()),
                Value::Bool(b) => DigestField::Invalid(b.to_string()),
                Value::Null => DigestField::Invalid("null".into()),
                Value::Array(_) => DigestField::Invalid("[…]".into()),
                Value::Object(_) => DigestField::Invalid("{…}".into()),
            },
        }
    }

    pub fn parsed(&self) -> Option<&Digest> {
        match self {
            DigestField::Parsed(d) => Some(d),
            _ => None,
        }
    }

    /// The digest as text (valid or not); `None` only when missing. Two entries refer to the
    /// same content when these texts are equal.
    pub fn text(&self) -> Option<String> {
        match self {
            DigestField::Parsed(d) => Some(d.to_string()),
            DigestField::Invalid(s) => Some(s.clone()),
            DigestField::Missing => None,
        }
    }
}

/// An annotation (or label) map in document order. Non-string values are skipped; duplicate
/// keys are all kept for display, and [`Annotations::get`] returns the last one, as
/// [`Json::get`] and Go do.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Annotations(pub Vec<(String, String)>);

impl Annotations {
    /// Reads the `key` member of `json`; absent or not an object gives an empty map.
    pub(super) fn read(json: &Json, key: &str) -> Annotations {
        let members = json.get(key).and_then(Json::as_object).unwrap_or_default();
        Annotations(
            members
                .iter()
                .filter_map(|m| Some((m.key.clone(), m.value.as_str()?.to_owned())))
                .collect(),
        )
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The `platform` of an index entry (or the platform fields of a config).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Platform {
    pub os: Option<String>,
    pub architecture: Option<String>,
    pub variant: Option<String>,
    /// `os.version`, e.g. a Windows build `10.0.17763.1879`.
    pub os_version: Option<String>,
    /// `os.features`, e.g. `win32k`.
    pub os_features: Vec<String>,
    /// `features`: reserved by the spec, shown if present.
    pub features: Vec<String>,
}

impl Platform {
    pub fn from_json(json: &Json) -> Platform {
        Platform {
            os: string(json, "os"),
            architecture: string(json, "architecture"),
            variant: string(json, "variant"),
            os_version: string(json, "os.version"),
            os_features: strings(json, "os.features"),
            features: strings(json, "features"),
        }
    }

    /// `unknown/unknown`: what BuildKit puts on attestation manifests so runtimes never pick
    /// them. Such an entry is not a platform to show.
    pub fn is_unknown(&self) -> bool {
        self.os.as_deref() == Some("unknown") && self.architecture.as_deref() == Some("unknown")
    }
}

/// `linux/arm64/v8`; a missing os or architecture shows as `?`.
impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let os = self.os.as_deref().unwrap_or("?");
        let arch = self.architecture.as_deref().unwrap_or("?");
        write!(f, "{os}/{arch}")?;
        match &self.variant {
            Some(variant) => write!(f, "/{variant}"),
            None => Ok(()),
        }
    }
}

/// A content descriptor as written, whatever its validity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Descriptor {
    /// JSON pointer of the descriptor object, e.g. `/layers/2`; findings under it belong to it.
    pub pointer: String,
    pub media_type: Option<String>,
    pub digest: DigestField,
    /// As written; may be negative (the linter says so), hence not `u64`.
    pub size: Option<i64>,
    pub urls: Vec<String>,
    pub annotations: Annotations,
    pub platform: Option<Platform>,
    pub artifact_type: Option<String>,
    /// The embedded content, still base64 (see [`Descriptor::decoded_data`]).
    pub data: Option<String>,
}

impl Descriptor {
    /// Reads a descriptor at `pointer`. Never fails: a non-object gives a descriptor with
    /// nothing but its pointer, so the UI still has a row to hang the linter's finding on.
    pub fn from_json(json: &Json, pointer: &str) -> Descriptor {
        Descriptor {
            pointer: pointer.to_owned(),
            media_type: string(json, "mediaType"),
            digest: DigestField::read(json, "digest"),
            size: int(json, "size"),
            urls: strings(json, "urls"),
            annotations: Annotations::read(json, "annotations"),
            platform: json
                .get("platform")
                .filter(|p| p.as_object().is_some())
                .map(Platform::from_json),
            artifact_type: string(json, "artifactType"),
            data: string(json, "data"),
        }
    }

    /// The pointer of one of this descriptor's fields, e.g. `/layers/2/digest`.
    pub fn field_pointer(&self, field: &str) -> String {
        pointer_push(&self.pointer, field)
    }

    /// The `data` bytes, when present and valid strict base64.
    pub fn decoded_data(&self) -> Option<Vec<u8>> {
        base64::decode(self.data.as_deref()?).ok()
    }

    /// The size when it is usable as a byte count (present and not negative).
    pub fn byte_size(&self) -> Option<u64> {
        u64::try_from(self.size?).ok()
    }
}

/// The descriptor in member `key` of the object at `pointer`, when present (any JSON type).
pub(super) fn descriptor_field(json: &Json, pointer: &str, key: &str) -> Option<Descriptor> {
    json.get(key)
        .map(|d| Descriptor::from_json(d, &pointer_push(pointer, key)))
}

/// The descriptors in array member `key`; absent or not an array gives none.
pub(super) fn descriptor_list(json: &Json, pointer: &str, key: &str) -> Vec<Descriptor> {
    items(json, pointer, key)
        .into_iter()
        .map(|(p, d)| Descriptor::from_json(d, &p))
        .collect()
}
