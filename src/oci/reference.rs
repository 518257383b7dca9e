//! Container image references (`ubuntu`, `ghcr.io/owner/app:v1`, `repo@sha256:…`), parsed by
//! hand exactly along the grammar of [distribution/reference] and normalised the way
//! `docker pull` reads what a person types.
//!
//! # Grammar
//!
//! Adapted from the package documentation and `regexp.go` of distribution/reference:
//!
//! ```text
//! reference        ::= name [ ":" tag ] [ "@" digest ]
//! name             ::= [ registry "/" ] path
//! registry         ::= host [ ":" port ]
//! host             ::= domain-name | "[" ipv6 "]"
//! domain-name      ::= label ( "." label )*
//! label            ::= [a-zA-Z0-9] | [a-zA-Z0-9] [a-zA-Z0-9-]* [a-zA-Z0-9]
//! ipv6             ::= [a-fA-F0-9:]+          (no zone identifier, no embedded IPv4)
//! port             ::= [0-9]+
//! path             ::= path-component ( "/" path-component )*
//! path-component   ::= alpha-numeric ( separator alpha-numeric )*
//! alpha-numeric    ::= [a-z0-9]+
//! separator        ::= "." | "_" | "__" | "-"+
//! tag              ::= [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
//! digest           ::= see `super::digest` (only sha256 and sha512 are accepted)
//! ```
//!
//! The path, measured *after* normalisation and without the registry, is at most 255
//! characters (`RepositoryNameTotalLengthMax`); the `library/` that normalisation adds counts.
//!
//! # Normalisation (`ParseNormalizedNamed`, then `TagNameOnly`)
//!
//! 1. A whole input of exactly 64 lowercase hex characters is refused: it is an image ID,
//!    and accepting it as a name would make `docker pull <id>` silently mean something else.
//! 2. The text before the first `/` is a registry only if it is `localhost`, contains a `.`
//!    or a `:`, or contains an uppercase letter (path components cannot, so upstream reads
//!    `Foo/bar` as host `Foo`). Otherwise there is no registry and `docker.io` is assumed.
//!    Without any `/` the whole name is a Docker Hub name, so `localhost:5000` is the image
//!    `library/localhost` with tag `5000`, as `docker pull` reads it.
//! 3. `index.docker.io` (the legacy "Docker Index" host) is rewritten to `docker.io`.
//! 4. On `docker.io`, a single-component path gets the `library/` namespace of official images.
//! 5. With neither tag nor digest, the tag `latest` is added. A tag *and* a digest may both be
//!    given (`repo:tag@digest`); both are kept, as upstream `Parse` keeps them.
//!
//! Every step that changed the input is recorded as a [`Normalization`] so the UI can explain
//! why `ubuntu` became `docker.io/library/ubuntu:latest`.
//!
//! # Deliberate differences from upstream
//!
//! - A first component that normalisation takes for a registry but that is not a valid host
//!   (`foo_bar.com/x`) is an error here. Upstream then re-matches the whole name as a path and
//!   returns a reference with an *empty* domain, which no registry client can resolve.
//! - Digests follow [`Digest`]: only sha256 and sha512, lowercase hex (upstream also knows
//!   sha384 and matches the hex part case-insensitively before go-digest rejects uppercase).
//! - [`Reference::familiar`] keeps `docker.io/` when dropping it would make the first path
//!   component read as a registry (`docker.io/foo.com/x`), so the familiar form parses back to
//!   the same reference.
//!
//! Errors carry the byte offset of the offending character in the original input, so the UI
//! can point at it. Nothing here panics on any input.
//!
//! [distribution/reference]: https://github.com/distribution/reference

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use thiserror::Error;

use super::digest::{Digest, DigestError};

/// Registry assumed when the input names none, and the canonical name of Docker Hub.
const DEFAULT_REGISTRY: &str = "docker.io";
/// Docker Hub's historical host name; references through it mean `docker.io`.
const LEGACY_DEFAULT_REGISTRY: &str = "index.docker.io";
/// Namespace of Docker Hub's official images (`ubuntu` is `library/ubuntu`).
const OFFICIAL_PREFIX: &str = "library/";
/// Always a domain even without a dot or a port (a reserved name).
const LOCALHOST: &str = "localhost";
const DEFAULT_TAG: &str = "latest";
/// Upstream `RepositoryNameTotalLengthMax`, applied to the path without the registry.
pub const MAX_PATH_LEN: usize = 255;
/// `[\w][\w.-]{0,127}`.
pub const MAX_TAG_LEN: usize = 128;

/// One normalisation step applied to the typed input, in the order applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Normalization {
    /// The input named no registry.
    DefaultRegistry,
    /// `index.docker.io` was rewritten to `docker.io`.
    LegacyRegistry,
    /// A single-component Docker Hub name got the `library/` namespace.
    OfficialNamespace,
    /// Neither tag nor digest was given, so `:latest` was added.
    DefaultTag,
}

impl Normalization {
    /// A sentence for the UI.
    pub fn description(self) -> &'static str {
        match self {
            Normalization::DefaultRegistry => {
                "no registry given: docker.io assumed (a registry needs a '.', a ':port' or to be localhost)"
            }
            Normalization::LegacyRegistry => "index.docker.io is docker.io",
            Normalization::OfficialNamespace => "single-component Docker Hub name: library/ added",
            Normalization::DefaultTag => "no tag or digest: :latest added",
        }
    }
}

impl fmt::Display for Normalization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// A fully normalised image reference: registry, repository path, and tag and/or digest.
///
/// Equality and hashing consider only the name, tag and digest, not how the input was
/// normalised: `ubuntu` and `docker.io/library/ubuntu:latest` are the same reference.
#[derive(Clone, Debug)]
pub struct Reference {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<Digest>,
    normalization: Vec<Normalization>,
}

impl PartialEq for Reference {
    fn eq(&self, other: &Self) -> bool {
        self.registry == other.registry
            && self.repository == other.repository
            && self.tag == other.tag
            && self.digest == other.digest
    }
}

impl Eq for Reference {}

impl Hash for Reference {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.registry.hash(state);
        self.repository.hash(state);
        self.tag.hash(state);
        self.digest.hash(state);
    }
}

impl Reference {
    /// The registry host and optional port: `docker.io`, `ghcr.io`, `[::1]:5000`.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The path without the registry: `library/ubuntu`.
    pub fn repository(&self) -> &str {
        &self.repository
    }

    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    pub fn digest(&self) -> Option<&Digest> {
        self.digest.as_ref()
    }

    /// `registry/repository`, without tag or digest.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// All path components but the last (`library` for `library/ubuntu`), if any.
    pub fn namespace(&self) -> Option<&str> {
        self.repository
            .rsplit_once('/')
            .map(|(namespace, _)| namespace)
    }

    /// The last path component: `ubuntu`.
    pub fn short_name(&self) -> &str {
        self.repository
            .rsplit_once('/')
            .map_or(self.repository.as_str(), |(_, last)| last)
    }

    /// Whether `latest` was supplied by normalisation rather than typed.
    pub fn tag_was_defaulted(&self) -> bool {
        self.normalization.contains(&Normalization::DefaultTag)
    }

    /// The normalisation steps applied to the input, in order; empty for canonical input.
    pub fn normalization(&self) -> &[Normalization] {
        &self.normalization
    }

    /// The same repository addressed by `digest` alone (the pull-by-digest address).
    pub fn with_digest(&self, digest: Digest) -> Reference {
        Reference {
            registry: self.registry.clone(),
            repository: self.repository.clone(),
            tag: None,
            digest: Some(digest),
            // The name steps still explain the name; a defaulted tag no longer exists.
            normalization: self
                .normalization
                .iter()
                .copied()
                .filter(|step| *step != Normalization::DefaultTag)
                .collect(),
        }
    }

    /// The short form Docker's UI shows (upstream `FamiliarString`): `ubuntu:latest`,
    /// `owner/app@sha256:…`, `ghcr.io/owner/app:v1`.
    pub fn familiar(&self) -> String {
        let mut out = String::new();
        if self.registry == DEFAULT_REGISTRY {
            let path = match self.repository.strip_prefix(OFFICIAL_PREFIX) {
                // Only a direct child of library/ is an official image ("library/a/b" is not).
                Some(official) if !official.contains('/') => official,
                _ => &self.repository,
            };
            // Upstream would print "foo.com/x" for docker.io/foo.com/x, which reads back as
            // registry foo.com; keep the registry whenever dropping it changes the meaning.
            let first = path.split('/').next().unwrap_or_default();
            if path.contains('/') && (first == LOCALHOST || first.contains('.')) {
                out.push_str(DEFAULT_REGISTRY);
                out.push('/');
            }
            out.push_str(path);
        } else {
            out.push_str(&self.registry);
            out.push('/');
            out.push_str(&self.repository);
        }
        self.push_suffix(&mut out);
        out
    }

    fn push_suffix(&self, out: &mut String) {
        if let Some(tag) = &self.tag {
            out.push(':');
            out.push_str(tag);
        }
        if let Some(digest) = &self.digest {
            out.push('@');
            out.push_str(&digest.to_string());
        }
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut suffix = String::new();
        self.push_suffix(&mut suffix);
        write!(f, "{}/{}{}", self.registry, self.repository, suffix)
    }
}

impl FromStr for Reference {
    type Err = ReferenceError;

    fn from_str(input: &str) -> Result<Reference, ReferenceError> {
        Parser { input }.parse()
    }
}

/// Why a string is not an image reference. Every `at` is a byte offset into the input.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ReferenceError {
    #[error(
        "empty reference: expected a name such as ubuntu, ubuntu:24.04 or ghcr.io/owner/image"
    )]
    Empty,
    #[error("invalid repository name {input:?}: cannot specify 64-byte hexadecimal strings (this is an image ID, not a name)")]
    HexIdentifier { input: String },
    /// The registry host or port (`host[:port]`, `[ipv6][:port]`).
    #[error("{} at byte {at} of {input:?}: {reason}", what(*.found))]
    InvalidRegistry {
        input: String,
        at: usize,
        found: Option<char>,
        reason: &'static str,
    },
    #[error("repository name must be lowercase: {found:?} at byte {at} of {input:?}")]
    Uppercase {
        input: String,
        at: usize,
        found: char,
    },
    /// A character or separator that the path-component grammar does not allow here.
    #[error("invalid character {found:?} at byte {at} of {input:?}: {reason}")]
    InvalidPath {
        input: String,
        at: usize,
        found: char,
        reason: &'static str,
    },
    #[error("empty path component at byte {at} of {input:?}: a name is one or more non-empty components separated by single '/'")]
    EmptyComponent { input: String, at: usize },
    #[error("repository path of {input:?} is {length} characters long (after normalisation, without the registry); at most 255 are allowed, byte {at} is the first one over")]
    NameTooLong {
        input: String,
        at: usize,
        length: usize,
    },
    #[error("{} at byte {at} of {input:?}: {reason}", what(*.found))]
    InvalidTag {
        input: String,
        at: usize,
        found: Option<char>,
        reason: &'static str,
    },
    #[error("tag of {input:?} is {length} characters long; at most 128 are allowed, byte {at} is the first one over")]
    TagTooLong {
        input: String,
        at: usize,
        length: usize,
    },
    /// `at` is the offending byte in the whole input (the digest's own position, shifted), or
    /// the start of the digest when the problem is not a single character.
    #[error("invalid digest at byte {at} of {input:?}: {error}")]
    Digest {
        input: String,
        at: usize,
        error: DigestError,
    },
}

fn what(found: Option<char>) -> String {
    match found {
        Some(c) => format!("invalid character {c:?}"),
        None => "unexpected end".to_owned(),
    }
}

impl ReferenceError {
    /// Byte offset of the offending character; `None` when the whole input is the problem.
    pub fn position(&self) -> Option<usize> {
        match self {
            ReferenceError::Empty | ReferenceError::HexIdentifier { .. } => None,
            ReferenceError::InvalidRegistry { at, .. }
            | ReferenceError::Uppercase { at, .. }
            | ReferenceError::InvalidPath { at, .. }
            | ReferenceError::EmptyComponent { at, .. }
            | ReferenceError::NameTooLong { at, .. }
            | ReferenceError::InvalidTag { at, .. }
            | ReferenceError::TagTooLong { at, .. }
            | ReferenceError::Digest { at, .. } => Some(*at),
        }
    }

    /// The text that failed to parse.
    pub fn input(&self) -> &str {
        match self {
            ReferenceError::Empty => "",
            ReferenceError::HexIdentifier { input }
            | ReferenceError::InvalidRegistry { input, .. }
            | ReferenceError::Uppercase { input, .. }
            | ReferenceError::InvalidPath { input, .. }
            | ReferenceError::EmptyComponent { input, .. }
            | ReferenceError::NameTooLong { input, .. }
            | ReferenceError::InvalidTag { input, .. }
            | ReferenceError::TagTooLong { input, .. }
            | ReferenceError::Digest { input, .. } => input,
        }
    }
}

const PATH_CHARSET: &str =
    "a path component may contain only lowercase letters, digits and the separators '.', '_', '__' and '-'";
const PATH_SEPARATORS: &str =
    "separators are one '.', one or two '_', or any number of '-', always between letters or digits";
const PATH_START: &str = "a path component must start with a lowercase letter or digit";
const PATH_END: &str = "a path component must end with a lowercase letter or digit";

/// Holds the whole input so every error can quote it and give absolute positions.
struct Parser<'a> {
    input: &'a str,
}

impl Parser<'_> {
    fn parse(&self) -> Result<Reference, ReferenceError> {
        let input = self.input;
        if input.is_empty() {
            return Err(ReferenceError::Empty);
        }
        if input.len() == 64
            && input
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(ReferenceError::HexIdentifier {
                input: input.to_owned(),
            });
        }

        // No part of a valid reference before the digest contains '@', so the first one
        // starts the digest (a second '@' is then reported by the digest parser).
        let (name_and_tag, digest_at) = match input.find('@') {
            Some(i) => (&input[..i], Some(i + 1)),
            None => (input, None),
        };
        // A tag can contain neither ':' nor '/': the last ':' starts a tag unless a '/'
        // follows it, in which case it was the registry's port separator.
        let (name, tag_at) = match name_and_tag.rfind(':') {
            Some(i) if !name_and_tag[i + 1..].contains('/') => (&name_and_tag[..i], Some(i + 1)),
            _ => (name_and_tag, None),
        };

        let mut normalization = Vec::new();
        let (registry, path_at) = self.split_registry(name, &mut normalization)?;
        let path = &name[path_at..];
        self.check_path(path, path_at)?;

        let prefix = if registry == DEFAULT_REGISTRY && !path.contains('/') {
            normalization.push(Normalization::OfficialNamespace);
            OFFICIAL_PREFIX
        } else {
            ""
        };
        let length = prefix.len() + path.len();
        if length > MAX_PATH_LEN {
            return Err(ReferenceError::NameTooLong {
                input: input.to_owned(),
                // The path is longer than 255 - prefix, so this byte lies inside it.
                at: path_at + (MAX_PATH_LEN - prefix.len()),
                length,
            });
        }

        let tag = match tag_at {
            Some(at) => Some(self.check_tag(&name_and_tag[at..], at)?.to_owned()),
            None => None,
        };
        let digest = match digest_at {
            Some(at) => {
                Some(
                    input[at..]
                        .parse::<Digest>()
                        .map_err(|error| ReferenceError::Digest {
                            input: input.to_owned(),
                            at: at + error.position().unwrap_or(0),
                            error,
                        })?,
                )
            }
            None => None,
        };
        let tag = if tag.is_none() && digest.is_none() {
            normalization.push(Normalization::DefaultTag);
            Some(DEFAULT_TAG.to_owned())
        } else {
            tag
        };

        Ok(Reference {
            registry: registry.to_owned(),
            repository: format!("{prefix}{path}"),
            tag,
            digest,
            normalization,
        })
    }

    /// Decides, as upstream `splitDockerDomain` does, whether the first component is a
    /// registry. Returns the (normalised) registry and where the path starts in `name`.
    fn split_registry<'n>(
        &self,
        name: &'n str,
        normalization: &mut Vec<Normalization>,
    ) -> Result<(&'n str, usize), ReferenceError> {
        let Some((first, _)) = name.split_once('/') else {
            // A familiar name such as "ubuntu": never a host, even "localhost" or "a.com".
            if name.starts_with('[') {
                return Err(self.invalid_path(
                    0,
                    '[',
                    "a bracketed IPv6 registry must be followed by /repository",
                ));
            }
            normalization.push(Normalization::DefaultRegistry);
            return Ok((DEFAULT_REGISTRY, 0));
        };
        let path_at = first.len() + 1;
        if first == LOCALHOST {
            return Ok((first, path_at));
        }
        if first == LEGACY_DEFAULT_REGISTRY {
            normalization.push(Normalization::LegacyRegistry);
            return Ok((DEFAULT_REGISTRY, path_at));
        }
        if first.contains(['.', ':']) {
            self.check_registry(first)?;
            return Ok((first, path_at));
        }
        if let Some((at, found)) = first.char_indices().find(|(_, c)| c.is_ascii_uppercase()) {
            // Path components are lowercase, so upstream takes an uppercase first component
            // for a host; if it is not a valid host either, it is a mis-cased name.
            return match self.check_registry(first) {
                Ok(()) => Ok((first, path_at)),
                Err(_) => Err(ReferenceError::Uppercase {
                    input: self.input.to_owned(),
                    at,
                    found,
                }),
            };
        }
        normalization.push(Normalization::DefaultRegistry);
        Ok((DEFAULT_REGISTRY, 0))
    }

    /// `host [":" port]` where host is a domain name or a bracketed IPv6 address. The
    /// registry is always the start of the input, so offsets in `host` are absolute.
    fn check_registry(&self, host: &str) -> Result<(), ReferenceError> {
        let port_sep = if host.starts_with('[') {
            let Some(close) = host.find(']') else {
                return Err(self.invalid_registry(
                    host.len(),
                    None,
                    "'[' opens an IPv6 address that is not closed by ']'",
                ));
            };
            let address = &host[1..close];
            if address.is_empty() {
                return Err(self.invalid_registry(close, Some(']'), "the IPv6 address is empty"));
            }
            if let Some((i, c)) = address
                .char_indices()
                .find(|&(_, c)| !(c.is_ascii_hexdigit() || c == ':'))
            {
                return Err(self.invalid_registry(
                    1 + i,
                    Some(c),
                    "an IPv6 address may contain only hex digits and ':' (no zone, no embedded IPv4)",
                ));
            }
            close + 1
        } else {
            let end = host.find(':').unwrap_or(host.len());
            self.check_domain_name(&host[..end])?;
            end
        };
        let rest = &host[port_sep..];
        let Some(port) = rest.strip_prefix(':') else {
            return match rest.chars().next() {
                None => Ok(()),
                found => Err(self.invalid_registry(
                    port_sep,
                    found,
                    "only ':port' may follow the ']' of an IPv6 address",
                )),
            };
        };
        if port.is_empty() {
            return Err(self.invalid_registry(
                port_sep + 1,
                None,
                "':' in a registry must be followed by a port number",
            ));
        }
        if let Some((i, c)) = port.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(self.invalid_registry(
                port_sep + 1 + i,
                Some(c),
                "a port number may contain only digits",
            ));
        }
        Ok(())
    }

    /// `label ("." label)*`, each label alphanumeric with inner '-'. Upper case is allowed:
    /// host names are case-insensitive, and upstream accepts them.
    fn check_domain_name(&self, name: &str) -> Result<(), ReferenceError> {
        const LABEL_DASH: &str = "a host name label must not start or end with '-'";
        const DOT: &str = "'.' must separate two non-empty host name labels";
        if name.is_empty() {
            let found = self.input.chars().next();
            return Err(self.invalid_registry(0, found, "the registry host name is empty"));
        }
        let mut label_start = 0;
        let mut previous = '.';
        for (i, c) in name.char_indices() {
            match c {
                '.' if i == label_start => return Err(self.invalid_registry(i, Some(c), DOT)),
                '.' if previous == '-' => {
                    return Err(self.invalid_registry(i - 1, Some('-'), LABEL_DASH))
                }
                '.' => label_start = i + 1,
                '-' if i == label_start => {
                    return Err(self.invalid_registry(i, Some(c), LABEL_DASH))
                }
                '-' => {}
                c if c.is_ascii_alphanumeric() => {}
                _ => {
                    return Err(self.invalid_registry(
                        i,
                        Some(c),
                        "a registry host name may contain only letters, digits, '-' and '.'",
                    ))
                }
            }
            previous = c;
        }
        // Both are ASCII, so `len - 1` is a character boundary.
        match previous {
            '.' => Err(self.invalid_registry(name.len() - 1, Some('.'), DOT)),
            '-' => Err(self.invalid_registry(name.len() - 1, Some('-'), LABEL_DASH)),
            _ => Ok(()),
        }
    }

    /// `path-component ("/" path-component)*`; `at` is where `path` starts in the input.
    fn check_path(&self, path: &str, at: usize) -> Result<(), ReferenceError> {
        let mut start = at;
        for component in path.split('/') {
            self.check_component(component, start)?;
            start += component.len() + 1;
        }
        Ok(())
    }

    /// `[a-z0-9]+ (separator [a-z0-9]+)*` with separator `.`, `_`, `__` or `-+`.
    fn check_component(&self, component: &str, at: usize) -> Result<(), ReferenceError> {
        if component.is_empty() {
            return Err(ReferenceError::EmptyComponent {
                input: self.input.to_owned(),
                at,
            });
        }
        // Start of the separator run being read, `None` right after a letter or digit.
        let mut separators: Option<usize> = None;
        for (i, c) in component.char_indices() {
            match c {
                'a'..='z' | '0'..='9' => separators = None,
                'A'..='Z' => {
                    return Err(ReferenceError::Uppercase {
                        input: self.input.to_owned(),
                        at: at + i,
                        found: c,
                    })
                }
                '.' | '_' | '-' if i == 0 => return Err(self.invalid_path(at, c, PATH_START)),
                '.' | '_' | '-' => match separators {
                    None => separators = Some(i),
                    Some(start) => {
                        let run = &component[start..i];
                        // Repeated dashes are fine (host-like names), underscores at most two.
                        let extends = (c == '-' && run.bytes().all(|b| b == b'-'))
                            || (c == '_' && run == "_");
                        if !extends {
                            return Err(self.invalid_path(at + i, c, PATH_SEPARATORS));
                        }
                    }
                },
                _ => return Err(self.invalid_path(at + i, c, PATH_CHARSET)),
            }
        }
        match separators {
            Some(start) => {
                let found = component[start..].chars().next().unwrap_or('-');
                Err(self.invalid_path(at + start, found, PATH_END))
            }
            None => Ok(()),
        }
    }

    /// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`; `at` is where the tag starts in the input.
    fn check_tag<'t>(&self, tag: &'t str, at: usize) -> Result<&'t str, ReferenceError> {
        let invalid =
            |offset: usize, found: Option<char>, reason: &'static str| ReferenceError::InvalidTag {
                input: self.input.to_owned(),
                at: at + offset,
                found,
                reason,
            };
        if tag.is_empty() {
            return Err(invalid(0, None, "':' must be followed by a tag"));
        }
        for (i, c) in tag.char_indices() {
            let word = c.is_ascii_alphanumeric() || c == '_';
            if i == 0 && matches!(c, '.' | '-') {
                return Err(invalid(
                    i,
                    Some(c),
                    "a tag must start with a letter, digit or '_'",
                ));
            }
            if !(word || c == '.' || c == '-') {
                return Err(invalid(i, Some(c), "tag may contain only [A-Za-z0-9_.-]"));
            }
        }
        if tag.len() > MAX_TAG_LEN {
            return Err(ReferenceError::TagTooLong {
                input: self.input.to_owned(),
                at: at + MAX_TAG_LEN,
                length: tag.len(),
            });
        }
        Ok(tag)
    }

    fn invalid_registry(
        &self,
        at: usize,
        found: Option<char>,
        reason: &'static str,
    ) -> ReferenceError {
        ReferenceError::InvalidRegistry {
            input: self.input.to_owned(),
            at,
            found,
            reason,
        }
    }

    fn invalid_path(&self, at: usize, found: char, reason: &'static str) -> ReferenceError {
        ReferenceError::InvalidPath {
            input: self.input.to_owned(),
            at,
            found,
            reason,
        }
    }
}
