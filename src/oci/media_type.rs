//! Media types (RFC 6838 §4.2 names, RFC 9110 §8.3.1 parameters) and the catalogue of the
//! ones container registries serve: OCI image-spec `media-types.md`, Docker's manifest v2
//! schema 2 / schema 1 and the common artifact types (Helm, cosign, in-toto, SBOMs).
//!
//! A [`MediaType`] is only built by parsing, so holding one means the text was well-formed.
//! Type, subtype and parameter names are case-insensitive and stored lowercase; `Display`
//! writes the canonical form (`type/subtype; name=value`), which parses back to the same value.
//! Registries compare media types as exact strings, so the linter also looks at the raw text.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// Which half of `type/subtype` an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Type,
    Subtype,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Part::Type => "type",
            Part::Subtype => "subtype",
        })
    }
}

/// Why a string is not a media type. Positions are byte offsets into the input.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum MediaTypeError {
    #[error("empty media type")]
    Empty,
    #[error("media type {input:?} has no '/' between type and subtype")]
    MissingSlash { input: String },
    #[error("media type {input:?}: the {part} is empty")]
    EmptyPart { input: String, part: Part },
    #[error("media type {input:?}: the {part} is {len} characters long, at most 127 are allowed")]
    TooLong {
        input: String,
        part: Part,
        len: usize,
    },
    #[error("media type {input:?}: invalid character {found:?} in the {part} at byte {at}")]
    BadChar {
        input: String,
        part: Part,
        at: usize,
        found: char,
    },
    #[error("media type {input:?}: malformed parameter at byte {at} ({reason})")]
    BadParameter {
        input: String,
        at: usize,
        reason: &'static str,
    },
}

/// A parsed media type, e.g. `application/vnd.oci.image.manifest.v1+json`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MediaType {
    /// Lowercase `type/subtype`.
    essence: String,
    slash: usize,
    /// Lowercase names, values as written (unquoted).
    params: Vec<(String, String)>,
}

impl MediaType {
    /// `type/subtype` without parameters, lowercase.
    pub fn essence(&self) -> &str {
        &self.essence
    }

    pub fn type_(&self) -> &str {
        &self.essence[..self.slash]
    }

    pub fn subtype(&self) -> &str {
        &self.essence[self.slash + 1..]
    }

    /// The structured-syntax suffix (RFC 6838 §4.2.8): what follows the last `+` of the
    /// subtype, e.g. `json` for `application/vnd.oci.image.manifest.v1+json`.
    pub fn suffix(&self) -> Option<&str> {
        self.subtype().rsplit_once('+').map(|(_, suffix)| suffix)
    }

    /// Parameters in order, names lowercase.
    pub fn params(&self) -> &[(String, String)] {
        &self.params
    }

    /// The value of parameter `name` (case-insensitive).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// RFC 6838 `restricted-name-chars` (after the first, which must be alphanumeric).
fn is_restricted_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '!' | '#' | '$' | '&' | '-' | '^' | '_' | '.' | '+')
}

/// RFC 9110 `tchar`.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '!' | '#'
                | '$'
                | '%'
                | '&'
                | '\''
                | '*'
                | '+'
                | '-'
                | '.'
                | '^'
                | '_'
                | '`'
                | '|'
                | '~'
        )
}

fn restricted_name(
    input: &str,
    offset: usize,
    name: &str,
    part: Part,
) -> Result<(), MediaTypeError> {
    let mut chars = name.char_indices();
    let Some((_, first)) = chars.next() else {
        return Err(MediaTypeError::EmptyPart {
            input: input.to_owned(),
            part,
        });
    };
    let bad = |at: usize, found: char| MediaTypeError::BadChar {
        input: input.to_owned(),
        part,
        at: offset + at,
        found,
    };
    if !first.is_ascii_alphanumeric() {
        return Err(bad(0, first));
    }
    if let Some((i, c)) = chars.find(|&(_, c)| !is_restricted_char(c)) {
        return Err(bad(i, c));
    }
    if name.len() > 127 {
        return Err(MediaTypeError::TooLong {
            input: input.to_owned(),
            part,
            len: name.len(),
        });
    }
    Ok(())
}

impl FromStr for MediaType {
    type Err = MediaTypeError;

    fn from_str(input: &str) -> Result<MediaType, MediaTypeError> {
        if input.is_empty() {
            return Err(MediaTypeError::Empty);
        }
        let Some(slash) = input.find('/') else {
            return Err(MediaTypeError::MissingSlash {
                input: input.to_owned(),
            });
        };
        let subtype_end = input[slash + 1..]
            .find([';', ' ', '\t'])
            .map_or(input.len(), |i| slash + 1 + i);
        restricted_name(input, 0, &input[..slash], Part::Type)?;
        restricted_name(
            input,
            slash + 1,
            &input[slash + 1..subtype_end],
            Part::Subtype,
        )?;
        let params = parse_params(input, subtype_end)?;
        Ok(MediaType {
            essence: input[..subtype_end].to_ascii_lowercase(),
            slash,
            params,
        })
    }
}

/// `*( OWS ";" OWS parameter )` with `parameter = token "=" ( token / quoted-string )`.
fn parse_params(input: &str, mut pos: usize) -> Result<Vec<(String, String)>, MediaTypeError> {
    let bytes = input.as_bytes();
    let bad = |at: usize, reason: &'static str| MediaTypeError::BadParameter {
        input: input.to_owned(),
        at,
        reason,
    };
    let skip_ows = |mut p: usize| {
        while matches!(bytes.get(p), Some(b' ' | b'\t')) {
            p += 1;
        }
        p
    };
    let mut params = Vec::new();
    loop {
        pos = skip_ows(pos);
        if pos == bytes.len() {
            if input.ends_with([' ', '\t']) {
                return Err(bad(pos, "trailing whitespace"));
            }
            return Ok(params);
        }
        if bytes[pos] != b';' {
            return Err(bad(pos, "expected ';'"));
        }
        pos = skip_ows(pos + 1);
        let name_start = pos;
        while pos < bytes.len() && is_token_char(char::from(bytes[pos])) {
            pos += 1;
        }
        if pos == name_start {
            return Err(bad(pos, "expected a parameter name"));
        }
        let name = input[name_start..pos].to_ascii_lowercase();
        if bytes.get(pos) != Some(&b'=') {
            return Err(bad(pos, "expected '=' after the parameter name"));
        }
        pos += 1;
        let value = if bytes.get(pos) == Some(&b'"') {
            pos += 1;
            let mut value = String::new();
            loop {
                let Some(c) = input[pos..].chars().next() else {
                    return Err(bad(pos, "unterminated quoted string"));
                };
                pos += c.len_utf8();
                match c {
                    '"' => break,
                    '\\' => {
                        let Some(escaped) = input[pos..].chars().next() else {
                            return Err(bad(pos, "unterminated quoted string"));
                        };
                        pos += escaped.len_utf8();
                        value.push(escaped);
                    }
                    c if c.is_control() && c != '\t' => {
                        return Err(bad(pos - c.len_utf8(), "control character"))
                    }
                    c => value.push(c),
                }
            }
            value
        } else {
            let value_start = pos;
            while pos < bytes.len() && is_token_char(char::from(bytes[pos])) {
                pos += 1;
            }
            if pos == value_start {
                return Err(bad(pos, "expected a parameter value"));
            }
            input[value_start..pos].to_owned()
        };
        params.push((name, value));
    }
}

impl fmt::Display for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.essence)?;
        for (name, value) in &self.params {
            if !value.is_empty() && value.chars().all(is_token_char) {
                write!(f, "; {name}={value}")?;
            } else {
                write!(f, "; {name}=\"")?;
                for c in value.chars() {
                    if matches!(c, '"' | '\\') {
                        f.write_str("\\")?;
                    }
                    write!(f, "{c}")?;
                }
                f.write_str("\"")?;
            }
        }
        Ok(())
    }
}

/// Well-known media type strings, exactly as registries and tools write them.
pub mod known {
    // OCI image-spec (media-types.md).
    pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
    pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
    pub const OCI_DESCRIPTOR: &str = "application/vnd.oci.descriptor.v1+json";
    pub const OCI_LAYOUT_HEADER: &str = "application/vnd.oci.layout.header.v1+json";
    pub const OCI_EMPTY: &str = "application/vnd.oci.empty.v1+json";
    pub const OCI_LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
    pub const OCI_LAYER_TAR_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
    pub const OCI_LAYER_TAR_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
    pub const OCI_LAYER_NONDISTRIBUTABLE_TAR: &str =
        "application/vnd.oci.image.layer.nondistributable.v1.tar";
    pub const OCI_LAYER_NONDISTRIBUTABLE_TAR_GZIP: &str =
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
    pub const OCI_LAYER_NONDISTRIBUTABLE_TAR_ZSTD: &str =
        "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
    /// Proposed for image-spec 1.1 and withdrawn before release; still found in registries.
    pub const OCI_ARTIFACT_MANIFEST: &str = "application/vnd.oci.artifact.manifest.v1+json";

    // Docker image manifest v2 schema 2 and schema 1 (distribution/distribution docs/spec).
    pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
    pub const DOCKER_MANIFEST_LIST: &str =
        "application/vnd.docker.distribution.manifest.list.v2+json";
    pub const DOCKER_SCHEMA1_MANIFEST: &str =
        "application/vnd.docker.distribution.manifest.v1+json";
    pub const DOCKER_SCHEMA1_SIGNED_MANIFEST: &str =
        "application/vnd.docker.distribution.manifest.v1+prettyjws";
    pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
    pub const DOCKER_LAYER: &str = "application/vnd.docker.image.rootfs.diff.tar";
    pub const DOCKER_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    pub const DOCKER_FOREIGN_LAYER: &str = "application/vnd.docker.image.rootfs.foreign.diff.tar";
    pub const DOCKER_FOREIGN_LAYER_GZIP: &str =
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
    pub const DOCKER_PLUGIN_CONFIG: &str = "application/vnd.docker.plugin.v1+json";

    // Artifacts.
    pub const HELM_CONFIG: &str = "application/vnd.cncf.helm.config.v1+json";
    pub const HELM_CHART: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
    pub const HELM_PROVENANCE: &str = "application/vnd.cncf.helm.chart.provenance.v1.prov";
    pub const COSIGN_SIMPLE_SIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
    pub const SIGSTORE_BUNDLE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
    pub const IN_TOTO: &str = "application/vnd.in-toto+json";
    pub const DSSE_ENVELOPE: &str = "application/vnd.dsse.envelope.v1+json";
    pub const SPDX_JSON: &str = "application/spdx+json";
    pub const SPDX_TEXT: &str = "text/spdx";
    pub const CYCLONEDX_JSON: &str = "application/vnd.cyclonedx+json";
    pub const CYCLONEDX_XML: &str = "application/vnd.cyclonedx+xml";

    /// The empty JSON object `{}` the empty descriptor points at.
    pub const EMPTY_DIGEST: &str =
        "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
    pub const EMPTY_SIZE: i64 = 2;
}

/// Every known media type with its short human name and, for layers, its compression.
const CATALOGUE: &[(&str, &str, Option<&str>)] = &[
    (known::OCI_MANIFEST, "OCI manifest", None),
    (known::OCI_INDEX, "OCI index", None),
    (known::OCI_CONFIG, "OCI config", None),
    (known::OCI_DESCRIPTOR, "descriptor", None),
    (known::OCI_LAYOUT_HEADER, "oci-layout", None),
    (known::OCI_EMPTY, "empty", None),
    (known::OCI_LAYER_TAR, "layer (tar)", Some("none")),
    (known::OCI_LAYER_TAR_GZIP, "layer (tar+gzip)", Some("gzip")),
    (known::OCI_LAYER_TAR_ZSTD, "layer (tar+zstd)", Some("zstd")),
    (
        known::OCI_LAYER_NONDISTRIBUTABLE_TAR,
        "non-distributable layer (tar)",
        Some("none"),
    ),
    (
        known::OCI_LAYER_NONDISTRIBUTABLE_TAR_GZIP,
        "non-distributable layer (tar+gzip)",
        Some("gzip"),
    ),
    (
        known::OCI_LAYER_NONDISTRIBUTABLE_TAR_ZSTD,
        "non-distributable layer (tar+zstd)",
        Some("zstd"),
    ),
    (known::OCI_ARTIFACT_MANIFEST, "OCI artifact manifest", None),
    (known::DOCKER_MANIFEST, "Docker manifest", None),
    (known::DOCKER_MANIFEST_LIST, "Docker manifest list", None),
    (
        known::DOCKER_SCHEMA1_MANIFEST,
        "Docker schema 1 manifest",
        None,
    ),
    (
        known::DOCKER_SCHEMA1_SIGNED_MANIFEST,
        "Docker schema 1 manifest (signed)",
        None,
    ),
    (known::DOCKER_CONFIG, "Docker config", None),
    (known::DOCKER_LAYER, "Docker layer (tar)", Some("none")),
    (
        known::DOCKER_LAYER_GZIP,
        "Docker layer (tar+gzip)",
        Some("gzip"),
    ),
    (
        known::DOCKER_FOREIGN_LAYER,
        "Docker foreign layer (tar)",
        Some("none"),
    ),
    (
        known::DOCKER_FOREIGN_LAYER_GZIP,
        "Docker foreign layer (tar+gzip)",
        Some("gzip"),
    ),
    (known::DOCKER_PLUGIN_CONFIG, "Docker plugin config", None),
    (known::HELM_CONFIG, "Helm config", None),
    (known::HELM_CHART, "Helm chart", Some("gzip")),
    (known::HELM_PROVENANCE, "Helm provenance", None),
    (known::COSIGN_SIMPLE_SIGNING, "cosign signature", None),
    (known::SIGSTORE_BUNDLE, "Sigstore bundle", None),
    (known::IN_TOTO, "in-toto attestation", None),
    (known::DSSE_ENVELOPE, "DSSE envelope", None),
    (known::SPDX_JSON, "SPDX SBOM", None),
    (known::SPDX_TEXT, "SPDX SBOM (text)", None),
    (known::CYCLONEDX_JSON, "CycloneDX SBOM", None),
    (known::CYCLONEDX_XML, "CycloneDX SBOM (XML)", None),
];

fn lookup(media_type: &str) -> Option<&'static (&'static str, &'static str, Option<&'static str>)> {
    let essence = media_type.split(';').next().unwrap_or("").trim();
    CATALOGUE
        .iter()
        .find(|(known, _, _)| known.eq_ignore_ascii_case(essence))
}

/// A short human name for a known media type ("OCI manifest", "layer (tar+gzip)", "Helm
/// chart", "empty"); parameters and case are ignored. `None` for unknown types.
pub fn short_name(media_type: &str) -> Option<&'static str> {
    lookup(media_type).map(|(_, name, _)| *name)
}

/// The compression of a known layer media type: `"gzip"`, `"zstd"` or `"none"`.
pub fn compression(media_type: &str) -> Option<&'static str> {
    lookup(media_type).and_then(|(_, _, compression)| *compression)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_round_trips() {
        let mt: MediaType = known::OCI_MANIFEST.parse().unwrap();
        assert_eq!(mt.type_(), "application");
        assert_eq!(mt.subtype(), "vnd.oci.image.manifest.v1+json");
        assert_eq!(mt.suffix(), Some("json"));
        assert_eq!(mt.essence(), known::OCI_MANIFEST);
        assert_eq!(mt.to_string(), known::OCI_MANIFEST);
        assert_eq!(
            "text/spdx".parse::<MediaType>().unwrap().suffix(),
            None,
            "no suffix"
        );

        let mt: MediaType = "Text/HTML ;Charset=UTF-8;q=\"a b\\\"c\"".parse().unwrap();
        assert_eq!(mt.essence(), "text/html");
        assert_eq!(mt.param("charset"), Some("UTF-8"));
        assert_eq!(mt.param("Q"), Some("a b\"c"));
        let canonical = mt.to_string();
        assert_eq!(canonical, "text/html; charset=UTF-8; q=\"a b\\\"c\"");
        assert_eq!(canonical.parse::<MediaType>().unwrap(), mt);

        let every: Vec<&str> = CATALOGUE.iter().map(|(mt, _, _)| *mt).collect();
        for text in every {
            let mt: MediaType = text.parse().unwrap();
            assert_eq!(mt.to_string(), text);
        }
    }

    #[test]
    fn rejects_with_positions() {
        use MediaTypeError as E;
        let cases: &[(&str, E)] = &[
            ("", E::Empty),
            (
                "application",
                E::MissingSlash {
                    input: "application".into(),
                },
            ),
            (
                "/json",
                E::EmptyPart {
                    input: "/json".into(),
                    part: Part::Type,
                },
            ),
            (
                "application/",
                E::EmptyPart {
                    input: "application/".into(),
                    part: Part::Subtype,
                },
            ),
            (
                "application/.json",
                E::BadChar {
                    input: "application/.json".into(),
                    part: Part::Subtype,
                    at: 12,
                    found: '.',
                },
            ),
            (
                "appl ication/json",
                E::BadChar {
                    input: "appl ication/json".into(),
                    part: Part::Type,
                    at: 4,
                    found: ' ',
                },
            ),
            (
                "application/json/x",
                E::BadChar {
                    input: "application/json/x".into(),
                    part: Part::Subtype,
                    at: 16,
                    found: '/',
                },
            ),
            (
                "application/json;",
                E::BadParameter {
                    input: "application/json;".into(),
                    at: 17,
                    reason: "expected a parameter name",
                },
            ),
            (
                "application/json; a",
                E::BadParameter {
                    input: "application/json; a".into(),
                    at: 19,
                    reason: "expected '=' after the parameter name",
                },
            ),
            (
                "application/json; a=\"x",
                E::BadParameter {
                    input: "application/json; a=\"x".into(),
                    at: 22,
                    reason: "unterminated quoted string",
                },
            ),
            (
                "application/json x",
                E::BadParameter {
                    input: "application/json x".into(),
                    at: 17,
                    reason: "expected ';'",
                },
            ),
            (
                "application/json ",
                E::BadParameter {
                    input: "application/json ".into(),
                    at: 17,
                    reason: "trailing whitespace",
                },
            ),
        ];
        for (text, err) in cases {
            assert_eq!(text.parse::<MediaType>().as_ref(), Err(err), "{text}");
        }
        let long = format!("application/{}", "a".repeat(128));
        assert!(matches!(
            long.parse::<MediaType>(),
            Err(E::TooLong { len: 128, .. })
        ));
        assert!(format!("application/{}", "a".repeat(127))
            .parse::<MediaType>()
            .is_ok());
    }

    #[test]
    fn names_and_compression() {
        assert_eq!(short_name(known::OCI_MANIFEST), Some("OCI manifest"));
        assert_eq!(
            short_name(known::OCI_LAYER_TAR_GZIP),
            Some("layer (tar+gzip)")
        );
        assert_eq!(
            short_name(known::DOCKER_MANIFEST_LIST),
            Some("Docker manifest list")
        );
        assert_eq!(short_name(known::HELM_CHART), Some("Helm chart"));
        assert_eq!(short_name(known::OCI_EMPTY), Some("empty"));
        assert_eq!(
            short_name("Application/VND.OCI.IMAGE.INDEX.V1+JSON; charset=utf-8"),
            Some("OCI index")
        );
        assert_eq!(short_name("application/x-unknown"), None);
        assert_eq!(compression(known::OCI_LAYER_TAR), Some("none"));
        assert_eq!(compression(known::OCI_LAYER_TAR_GZIP), Some("gzip"));
        assert_eq!(
            compression(known::OCI_LAYER_NONDISTRIBUTABLE_TAR_ZSTD),
            Some("zstd")
        );
        assert_eq!(compression(known::DOCKER_FOREIGN_LAYER_GZIP), Some("gzip"));
        assert_eq!(compression(known::OCI_MANIFEST), None);
    }
}
